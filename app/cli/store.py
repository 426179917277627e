"""`thatgia db …` (migrations, purge of old records), `thatgia keys …` (API keys) and
`thatgia corpus export` (confirmed reports as labelled messages)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import re
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import get_settings
from app.engine.reference import load_reference
from app.http.auth import Scope
from app.store import migrations
from app.store.audit import purge_checks
from app.store.corpusexport import confirmed_reports, lines
from app.store.database import Database, is_unavailable
from app.store.errors import StoreError
from app.store.keys import create_key, list_keys, revoke_key
from app.store.urls import sqlite_path
from app.zalo.purge import KEEP_AT_LEAST, Purged, purge_zalo

T = TypeVar("T")
_AGE = re.compile(r"^\s*(\d+)\s*([smhdw]?)\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks", "": "days"}


class CommandFailed(Exception):
    pass


def parse_age(text: str) -> dt.timedelta:
    """`90d`, `12h`, `2w`, `30m`, `45s`; a bare number is days."""
    match = _AGE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not an age such as 90d, 12h or 2w")
    return dt.timedelta(**{_UNITS[match[2]]: int(match[1])})


def _in_session(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    settings = get_settings()
    path = sqlite_path(settings.database_url)
    if path is not None and not path.exists():
        raise CommandFailed(f"no database at {path}; create it with `thatgia db upgrade`")

    async def run() -> T:
        database = Database(settings)
        try:
            async with database.write_session() as session:
                return await work(session)
        except StoreError as exc:
            raise CommandFailed(exc.detail) from exc
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            raise CommandFailed(f"cannot use the database: {exc}") from exc
        finally:
            await database.dispose()

    return asyncio.run(run())


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _upgrade(args: argparse.Namespace) -> None:
    url = get_settings().database_url
    migrations.upgrade(url, args.revision)
    print(f"{_shown(url)}: schema upgraded to {args.revision}")


def _downgrade(args: argparse.Namespace) -> None:
    url = get_settings().database_url
    migrations.downgrade(url, args.revision)
    print(f"{_shown(url)}: schema downgraded to {args.revision}")


def _purge(args: argparse.Namespace) -> None:
    age: dt.timedelta = args.older_than

    async def both(session: AsyncSession) -> tuple[int, Purged]:
        return await purge_checks(session, age), await purge_zalo(session, age)

    deleted, zalo = _in_session(both)
    print(f"deleted {deleted} audit record(s) older than {age}")
    print(
        f"deleted {zalo.events} answered Zalo event(s) older than {max(age, KEEP_AT_LEAST)}"
        f" and their {zalo.replies} reply(ies); a reply still being retried keeps its event"
    )


def _create_key(args: argparse.Namespace) -> None:
    key, token = _in_session(lambda session: create_key(session, args.name, args.scope))
    print(f"created key {key.key_id} {key.name!r} with scope(s) {', '.join(key.scopes)}")
    print("the token follows; it is shown only this once and only its hash is kept:")
    print(token)


def _list_keys(args: argparse.Namespace) -> None:
    keys = _in_session(list_keys)
    print(f"{'key id':<14}{'name':<30}{'scopes':<24}{'created (UTC)':<18}status")
    for key in keys:
        status = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
        print(
            f"{key.key_id:<14}{key.name[:29]:<30}{','.join(key.scopes):<24}"
            f"{key.created_at:%Y-%m-%d %H:%M}  {status}"
        )


def _revoke_key(args: argparse.Namespace) -> None:
    key = _in_session(lambda session: revoke_key(session, args.key))
    print(f"revoked key {key.key_id} {key.name!r}")


def _export_corpus(args: argparse.Namespace) -> None:
    reference = load_reference()
    reports = _in_session(lambda s: confirmed_reports(s, per_campaign=not args.every_report))
    written = 0
    with open(args.out, "w", encoding="utf-8") if args.out != "-" else sys.stdout as out:
        for line in lines(reports, reference):
            out.write(line + "\n")
            written += 1
    if args.out != "-":
        print(f"wrote {written} confirmed report(s) to {args.out}")


def _command(action: Callable[[argparse.Namespace], None]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            action(args)
        except CommandFailed as exc:
            print(f"thatgia: {exc}", file=sys.stderr)
            return 1
        return 0

    return run


def register_db(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = sub.add_parser("db", help="the database: migrations, purge of old records")
    commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = commands.add_parser("upgrade", help="apply the migrations")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(func=_command(_upgrade))
    downgrade = commands.add_parser("downgrade", help="revert migrations, e.g. to -1 or base")
    downgrade.add_argument("revision")
    downgrade.set_defaults(func=_command(_downgrade))
    purge = commands.add_parser(
        "purge",
        help="delete audit records, answered Zalo events and their replies older than an age",
    )
    purge.add_argument("--older-than", required=True, type=parse_age, help="e.g. 90d, 12h")
    purge.set_defaults(func=_command(_purge))


def register_corpus(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    corpus = sub.add_parser("corpus", help="the detection corpus")
    commands = corpus.add_subparsers(dest="corpus_command", required=True)
    export = commands.add_parser(
        "export",
        help="confirmed reports as labelled messages (train with --reports FILE)",
    )
    export.add_argument("--out", default="-", help="a JSON Lines file; - for stdout")
    export.add_argument(
        "--every-report", action="store_true", help="not only the first of each campaign"
    )
    export.set_defaults(func=_command(_export_corpus))


def register_keys(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = sub.add_parser("keys", help="API keys for the HTTP API")
    commands = keys.add_subparsers(dest="keys_command", required=True)
    create = commands.add_parser("create", help="create a key; prints its token last, once")
    create.add_argument("--name", required=True, help="who or what uses it")
    create.add_argument(
        "--scope",
        required=True,
        action="append",
        choices=[s.value for s in Scope],
        help="repeat for several scopes",
    )
    create.set_defaults(func=_command(_create_key))
    commands.add_parser("list", help="list keys").set_defaults(func=_command(_list_keys))
    revoke = commands.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("key", help="the key id (or its name, if unique among active keys)")
    revoke.set_defaults(func=_command(_revoke_key))
