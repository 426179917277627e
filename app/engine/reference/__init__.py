"""Load and validate the reference data once; every published fact comes from here."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from app.engine.reference.models import Reference

BUNDLED = Path(__file__).with_name("kbnn.toml")


class ReferenceDataError(Exception):
    """The reference file cannot be used; the message names the bad entry."""


def _entry(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def _check_citations(ref: Reference) -> None:
    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}.{i}")
        if isinstance(node, dict) and "sources" in node and path != "":
            for sid in node["sources"]:
                if sid not in ref.sources:
                    raise ReferenceDataError(f"entry '{path}.sources' cites unknown notice {sid!r}")

    dumped = ref.model_dump(by_alias=True, exclude={"sources"})
    walk(dumped, "")
    for sid, source in ref.sources.items():
        for relay in source.relayed_by:
            if relay not in ref.sources:
                raise ReferenceDataError(
                    f"entry 'sources.{sid}.relayed_by' names unknown {relay!r}"
                )


def load_reference(path: Path | str | None = None) -> Reference:
    """Parse and validate a reference file (the bundled one by default)."""
    file = Path(path) if path else BUNDLED
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReferenceDataError(f"{file}: cannot read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ReferenceDataError(f"{file}: not valid TOML: {exc}") from exc
    try:
        ref = Reference.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ReferenceDataError(
            f"{file}: entry '{_entry(first['loc'])}': {first['msg']}"
            + (f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else "")
        ) from exc
    try:
        _check_citations(ref)
    except ReferenceDataError as exc:
        raise ReferenceDataError(f"{file}: {exc}") from exc
    return ref


@lru_cache(maxsize=4)
def cached_reference(path: str | None = None) -> Reference:
    return load_reference(path)
