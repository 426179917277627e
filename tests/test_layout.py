"""The layout shows the architecture: the engine is pure, the store knows nothing of HTTP,
and no modules import each other in a circle."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
# What the engine may not import: the web framework, the database, HTTP clients, and the
# adapters and services around it.
FORBIDDEN_LIBRARIES = ("fastapi", "starlette", "sqlalchemy", "alembic", "uvicorn", "httpx")
ENGINE_MAY_IMPORT = ("app.engine",)
# What the store may not import: it owns persistence and says its refusals in its own words
# (app.store.errors); the HTTP layer translates them, as the other adapters do.
STORE_MAY_NOT_IMPORT = ("app.http", "fastapi", "starlette")


def _module(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: dict[str, Path]) -> Iterator[str]:
    """Every module the file imports, wherever the import statement is: for `from a
    import b`, the module a.b when there is one, else a."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            for alias in node.names:
                inner = f"{base}.{alias.name}"
                yield inner if inner in modules else base


def _app_modules() -> dict[str, Path]:
    return {_module(path): path for path in APP.rglob("*.py")}


def test_the_engine_imports_no_framework_database_or_adapter() -> None:
    modules = _app_modules()
    wrong = sorted(
        f"{name} imports {imported}"
        for name, path in modules.items()
        if name.startswith("app.engine")
        for imported in _imports(path, modules)
        if imported.split(".")[0] in FORBIDDEN_LIBRARIES
        or (imported.startswith("app.") and not imported.startswith(ENGINE_MAY_IMPORT))
    )
    assert wrong == []


def _within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == package or name.startswith(f"{package}.") for package in packages)


def test_the_store_imports_no_http_layer_or_web_framework() -> None:
    modules = _app_modules()
    wrong = sorted(
        f"{name} imports {imported}"
        for name, path in modules.items()
        if _within(name, ("app.store",))
        for imported in _imports(path, modules)
        if _within(imported, STORE_MAY_NOT_IMPORT)
    )
    assert wrong == []


def test_no_modules_import_each_other_in_a_circle() -> None:
    modules = _app_modules()
    graph = {
        name: {imported for imported in _imports(path, modules) if imported in modules} - {name}
        for name, path in modules.items()
    }
    assert _circles(graph) == []


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found
