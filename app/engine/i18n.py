"""The translation table: every text shown to people, in Vietnamese first, English too."""

from __future__ import annotations

import tomllib
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from app.engine.findings import Finding, Lang, Verdict
from app.engine.reference.models import Reference

CATALOGUE = Path(__file__).with_name("locales") / "messages.toml"


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Any]:
    with CATALOGUE.open("rb") as handle:
        return tomllib.load(handle)


def negotiate(accept_language: str | None) -> Lang:
    """Vietnamese unless the client prefers English (RFC 9110 quality values honoured)."""
    if not accept_language:
        return Lang.VI
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, index, tag.strip().lower()))
    for quality, _, tag in sorted(ranked):
        if quality < 0 and tag.split("-")[0] in ("vi", "en"):
            return Lang(tag.split("-")[0])
    return Lang.VI


@cache  # bounded by the catalogue's size
def _template(section: str, key: str, lang: Lang) -> str:
    entry = catalogue()[section][key]
    return str(entry[lang.value] if isinstance(entry, dict) else entry)


def text(section: str, key: str, lang: Lang, ref: Reference, **params: str) -> str:
    return _template(section, key, lang).format_map(_Blank({**ref.placeholders, **params}))


@lru_cache(maxsize=1024)  # codes are few; mail.<method>.<result> families share an entry
def _finding_entry(code: str) -> str:
    table = catalogue()["finding"]
    if code in table:
        return code
    family = ".".join(code.split(".")[:2])  # mail.spf.pass -> mail.spf
    return family if family in table else ""


def finding_message(finding: Finding, lang: Lang, ref: Reference) -> str:
    key = _finding_entry(finding.code)
    if not key:
        return finding.code
    params = _Blank(ref.placeholders)  # one copy, filled in place: ten or so a check
    params["evidence"] = params["address"] = finding.evidence
    params.update(finding.params)
    if "reason" in params:
        reasons = catalogue()["lookalike_reason"]
        params["reason_text"] = reasons.get(f"{params['reason']}_{lang.value}", params["reason"])
    if (
        "as" in params
    ):  # named by a message that does not claim to be support (app.engine.claimgate)
        named = _template("finding", _finding_entry(params["as"]) or key, lang)
        return f"{_template('finding', key, lang).format_map(params)} {named.format_map(params)}"
    if params.get("by") == "model":  # found by the learned layer (app/engine/learned), not a rule
        section = "finding_by_model" if key in catalogue()["finding_by_model"] else "finding"
        said = _template(section, key, lang).format_map(params)
        return f"{said} {_template('learned', 'note', lang).format_map(params)}"
    return _template("finding", key, lang).format_map(params)


def verdict_label(verdict: Verdict, lang: Lang) -> str:
    return str(catalogue()["verdict"][verdict.value][lang.value])


def verdict_summary(verdict: Verdict, lang: Lang) -> str:
    return str(catalogue()["verdict"][verdict.value][f"summary_{lang.value}"])


def advice_text(key: str, lang: Lang, ref: Reference) -> str:
    return text("advice", key, lang, ref)
