"""The thatgia command: serve, check (and the database and key commands)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence

from app.api.present import present
from app.cli.store import register_corpus, register_db, register_keys
from app.cli.zalo import register_zalo
from app.config import get_settings
from app.engine.assess import assess
from app.engine.claim import Channel, Claim, Context
from app.engine.findings import Lang
from app.engine.i18n import verdict_label
from app.engine.learned import ModelError, layer_for
from app.engine.reference import ReferenceDataError, load_reference

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Command] = {}


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    try:
        settings = get_settings()
        layer_for(
            load_reference(settings.reference_file),
            enabled=settings.learned_model,
            path=settings.learned_model_file,
        )
    except (ReferenceDataError, ModelError) as exc:
        print(f"thatgia: cannot start: {exc}", file=sys.stderr)
        return 2
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        proxy_headers=True,
    )
    return 0


def _check(args: argparse.Namespace) -> int:
    settings = get_settings()
    reference = load_reference(settings.reference_file)
    message = sys.stdin.read() if args.text == "-" else (args.text or "")
    claim = Claim(
        message=message,
        sender=args.sender,
        phone=args.phone,
        extension=args.extension,
        ticket_code=args.ticket,
        channel=Channel(args.channel) if args.channel else None,
        received_at=dt.datetime.fromisoformat(args.received_at) if args.received_at else None,
    )
    if claim.is_empty():
        print("thatgia check: nothing to check (give a text or a field)", file=sys.stderr)
        return 2
    context = Context(
        reference=reference,
        stale_after_days=settings.ticket_stale_days,
        text_layer=layer_for(
            reference, enabled=settings.learned_model, path=settings.learned_model_file
        ),
    )
    lang = Lang(args.lang)
    result = present(assess(claim, context), check_id="cli", lang=lang, ref=reference, stored=False)
    if args.json:
        print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return 0
    print(verdict_label(result.verdict, lang))
    print(result.summary)
    for finding in result.findings:
        print(f"  [{finding.severity.value}] {finding.code}: {finding.message}")
        if finding.source:
            print(f"      ({finding.source})")
    for code, count in result.omitted.findings.items():
        print(f"  [+{count}] {code}")
    print()
    for line in result.advice:
        print(f"  - {line}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="thatgia", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=_serve)
    check = sub.add_parser("check", help="assess a message or fields from the shell")
    check.add_argument("text", nargs="?", help="the message text, or - to read stdin")
    check.add_argument("--sender")
    check.add_argument("--phone")
    check.add_argument("--extension")
    check.add_argument("--ticket")
    check.add_argument("--channel", choices=[c.value for c in Channel])
    check.add_argument("--received-at", help="ISO 8601 with offset; default now")
    check.add_argument("--lang", choices=[lang.value for lang in Lang], default="vi")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.set_defaults(func=_check)
    for register in EXTRA_COMMANDS:
        register(sub)
    return parser


# Other modules (database, keys, integrations) add their sub-commands here.
EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    register_db,
    register_keys,
    register_zalo,
    register_corpus,
]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Command = args.func
    return func(args)


if __name__ == "__main__":
    raise SystemExit(main())
