"""Database URLs: which file a SQLite URL names, and the driver each side of the service uses."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import URL, make_url


def _url(url: str) -> URL:
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql")
    return parsed


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for PostgreSQL and in-memory databases)."""
    parsed = _url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database or "").expanduser().resolve()


def sync_url(url: str) -> URL:
    """The URL Alembic and the CLI use: the synchronous driver of the same database."""
    parsed = _url(url)
    if parsed.get_backend_name() == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    return parsed.set(drivername="sqlite")


def async_url(url: str) -> URL:
    """The URL the service uses. A SQLite file is opened read-write but never created:
    only the migrations create it, so a missing file is an outage, not an empty database."""
    return _service_url(url, "sqlite+aiosqlite")


def sync_service_url(url: str) -> URL:
    """The synchronous driver's URL for the service's work in a worker thread: a SQLite
    file is opened but never created, as by async_url."""
    return _service_url(url, "sqlite")


def _service_url(url: str, sqlite_driver: str) -> URL:
    parsed = _url(url)
    if parsed.get_backend_name() == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    path = sqlite_path(url)
    if path is None:
        return parsed.set(drivername=sqlite_driver)
    return parsed.set(
        drivername=sqlite_driver,
        database=f"file:{quote(str(path))}",
        query={"mode": "rw", "uri": "true"},
    )
