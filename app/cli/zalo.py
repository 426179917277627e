"""`thatgia zalo set-token`: load the first refresh token of the Official Account."""

from __future__ import annotations

import argparse
import asyncio
import sys

from app.config import get_settings
from app.store.database import Database, is_unavailable
from app.zalo.tokens import load_refresh_token


def _read_token(args: argparse.Namespace) -> str:
    # "-" reads the token from standard input, keeping it out of the shell history.
    token: str = sys.stdin.readline() if args.refresh_token == "-" else args.refresh_token
    return token.strip()


def _set_token(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not settings.zalo_app_id:
        print("thatgia zalo set-token: set THATGIA_ZALO_APP_ID first", file=sys.stderr)
        return 2
    token = _read_token(args)
    if not token:
        print("thatgia zalo set-token: the refresh token is empty", file=sys.stderr)
        return 2

    async def store(app_id: str) -> int:
        database = Database(settings)
        try:
            return await load_refresh_token(database, app_id, token)
        finally:
            await database.dispose()

    try:
        version = asyncio.run(store(settings.zalo_app_id))
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        print(f"thatgia zalo set-token: cannot use the database: {exc}", file=sys.stderr)
        return 1
    print(f"stored the refresh token of Zalo app {settings.zalo_app_id} (version {version});")
    print("the access token is fetched with it before the next reply is sent")
    return 0


def register_zalo(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    zalo = sub.add_parser("zalo", help="the Zalo Official Account chatbot")
    commands = zalo.add_subparsers(dest="zalo_command", required=True)
    set_token = commands.add_parser(
        "set-token", help="store the refresh token from the OA's authorisation"
    )
    set_token.add_argument(
        "--refresh-token", required=True, help="the token, or - to read it from stdin"
    )
    set_token.set_defaults(func=_set_token)
