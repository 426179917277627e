"""The migrations: they match the models, they go down as well as up, on both databases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from app.store.migrations import ROOT, alembic_config, downgrade, upgrade
from app.store.urls import sync_url
from tests.conftest import BACKENDS, PostgresServer


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no schema at all, for this test alone."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/migrations.db"
    postgres: PostgresServer = request.getfixturevalue("postgres")
    return postgres.new_schema("migrations")


def tables(url: str) -> set[str]:
    engine = create_engine(sync_url(url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_models_and_migrations_do_not_drift(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    command.check(alembic_config(empty_database_url))  # raises on any difference


def test_migrations_go_up_down_and_up_again(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    created = tables(empty_database_url)
    downgrade(empty_database_url, "base")
    assert tables(empty_database_url) <= {"alembic_version"}
    upgrade(empty_database_url)
    assert tables(empty_database_url) == created
    assert {"api_keys", "tickets", "checks", "reports", "indicators"} <= created


def test_migration_files_are_named_by_date_and_slug() -> None:
    names = [p.name for p in (ROOT / "migrations" / "versions").glob("*.py")]
    assert names
    assert all(re.fullmatch(r"\d{4}_\d{2}_\d{2}_[a-z0-9_]+\.py", name) for name in names)
