"""Alembic environment: the synchronous driver of THATGIA_DATABASE_URL, the tables of
app.store.tables."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

from app.config import Settings
from app.store.tables import Base
from app.store.urls import sync_url
from app.zalo import models as zalo_models  # noqa: F401  (its tables join Base)

config = context.config
target_metadata = Base.metadata

# The CLI and the tests pass the URL as an attribute: a URL may hold "%", which the
# ini-file syntax of sqlalchemy.url would try to interpolate.
if config.config_file_name and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    url = config.attributes.get("database_url") or Settings().database_url
    return str(url)


def run_migrations_offline() -> None:
    url = sync_url(database_url())
    context.configure(
        url=url.render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.get_backend_name() == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = sync_url(database_url())
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite alters tables by copying them; batch mode does that for us.
            render_as_batch=url.get_backend_name() == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
