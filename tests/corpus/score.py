"""Scores labelled messages with the engine as it stands: verdicts, request codes, by genre.

    python -m tests.corpus.score FILE.jsonl [FILE.jsonl ...] [--json OUT] [--misses]
                                 [--rules-only]

Prints the verdict confusion, each request code's precision and recall, the summary by
author, genre and style (or what --by names) and, with --misses, every miss: a scam's
asking sentences, or the evidence of a genuine message's wrong findings.

Each line: {"id", "label": "scam"|"genuine", "genre", "style", "author",
"claim": {"message", "channel", "sender", "phone", "extension", "ticket_code",
"received_at"}, "codes": [code or [alternatives]], "asks": [...]}.

A scam is caught when called `impersonation`; its codes are right when every labelled
request code (any one of a list of alternatives) is among the findings. A genuine message
is a false alarm when called `impersonation` or given any `request.*` code.

The engine runs with its learned layer (app/engine/learned), as the service does, unless
--rules-only. Files the model was trained on are named first: on them the figures say how
well it learnt, not how well it generalises (`make crossval` says that).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.engine.assess import assess
from app.engine.claim import Context
from app.engine.findings import Verdict
from app.engine.learned import cached_model, text_layer
from app.engine.learned.corpus import claim_of
from app.engine.reference import load_reference


@dataclass(frozen=True)
class Scored:
    row: dict[str, Any]
    verdict: str
    codes: tuple[str, ...]
    evidence: tuple[str, ...] = ()  # "code: evidence" of each request.* or danger finding

    @property
    def scam(self) -> bool:
        return bool(self.row["label"] == "scam")

    @property
    def caught(self) -> bool:
        return self.verdict == Verdict.IMPERSONATION.value

    @property
    def codes_right(self) -> bool:
        found = set(self.codes)
        wanted = [c if isinstance(c, list) else [c] for c in self.row.get("codes", [])]
        return all(found & set(alternatives) for alternatives in wanted)

    @property
    def false_alarm(self) -> bool:
        return self.caught or any(code.startswith("request.") for code in self.codes)


def score(rows: list[dict[str, Any]], rules_only: bool = False) -> list[Scored]:
    reference = load_reference()
    layer = None if rules_only else text_layer(reference)
    context = Context(reference=reference, text_layer=layer)
    out = []
    for row in rows:
        assessment = assess(claim_of(row["claim"]), context)
        codes = tuple(f.code for f in assessment.findings)
        evidence = tuple(
            f"{f.code}: {f.evidence}"
            for f in assessment.findings
            if f.code.startswith("request.") or f.severity.value == "danger"
        )
        out.append(Scored(row, assessment.verdict.value, codes, evidence))
    return out


def summary(scored: list[Scored]) -> dict[str, Any]:
    scams = [s for s in scored if s.scam]
    genuine = [s for s in scored if not s.scam]
    return {
        "messages": len(scored),
        "scams": len(scams),
        "scams_caught": sum(s.caught for s in scams),
        "scams_codes_right": sum(s.caught and s.codes_right for s in scams),
        "genuine": len(genuine),
        "genuine_impersonation": sum(s.caught for s in genuine),
        "genuine_false_alarm": sum(s.false_alarm for s in genuine),
    }


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def format_summary(name: str, s: dict[str, Any]) -> str:
    false_alarms = _pct(s["genuine_false_alarm"], s["genuine"])
    return (
        f"{name:28} n={s['messages']:4}  scams {s['scams_caught']:3}/{s['scams']:<3} "
        f"{_pct(s['scams_caught'], s['scams'])} caught, "
        f"{_pct(s['scams_codes_right'], s['scams'])} codes right | genuine "
        f"{s['genuine_false_alarm']:3}/{s['genuine']:<3} {false_alarms}"
        f" false alarm ({s['genuine_impersonation']} impersonation)"
    )


def labelled_codes(row: dict[str, Any]) -> list[set[str]]:
    return [set(c) if isinstance(c, list) else {c} for c in row.get("codes", [])]


def per_code(scored: list[Scored]) -> dict[str, dict[str, int]]:
    """True and false positives and false negatives of each request code, by message.

    A labelled alternative counts as one expected code: found if any of its codes is."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    for s in scored:
        found = {c for c in s.codes if c.startswith("request.")}
        explained: set[str] = set()
        for alternatives in labelled_codes(s.row):
            hit = found & alternatives
            counts[min(hit or alternatives)]["tp" if hit else "fn"] += 1
            explained |= hit
        for code in found - explained:
            counts[code]["fp"] += 1
    return dict(sorted(counts.items()))


def confusion(scored: list[Scored]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for s in scored:
        table[s.row["label"]][s.verdict] += 1
    return {label: dict(verdicts) for label, verdicts in sorted(table.items())}


def format_codes(counts: dict[str, dict[str, int]]) -> list[str]:
    lines = [f"{'code':34} {'tp':>5} {'fp':>5} {'fn':>5} {'precision':>10} {'recall':>8}"]
    for code, c in counts.items():
        precision = _pct(c["tp"], c["tp"] + c["fp"])
        recall = _pct(c["tp"], c["tp"] + c["fn"])
        lines.append(f"{code:34} {c['tp']:5} {c['fp']:5} {c['fn']:5} {precision:>10} {recall:>8}")
    return lines


def by(scored: list[Scored], key: str) -> dict[str, list[Scored]]:
    groups: dict[str, list[Scored]] = defaultdict(list)
    for s in scored:
        groups[str(s.row.get(key, "?"))].append(s)
    return dict(sorted(groups.items()))


def load(paths: list[Path]) -> list[dict[str, Any]]:
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--json", type=Path, help="write the summaries here")
    parser.add_argument("--by", default="author,genre,style", help="breakdowns, comma-separated")
    parser.add_argument("--misses", action="store_true", help="print every miss")
    parser.add_argument("--rules-only", action="store_true", help="without the learned layer")
    args = parser.parse_args(argv)
    if not args.rules_only:
        trained_on = set(cached_model().meta["corpus"]["files"])
        seen = sorted(path.name for path in args.files if path.name in trained_on)
        if seen:
            print(f"the learned layer was trained on {', '.join(seen)}: not first sight")
    scored = score(load(args.files), args.rules_only)
    result: dict[str, Any] = {"all": summary(scored), "confusion": confusion(scored)}
    result["codes"] = per_code(scored)
    print(format_summary("all", result["all"]))
    for label, verdicts in result["confusion"].items():
        print(f"  {label:8} -> " + ", ".join(f"{v}: {n}" for v, n in sorted(verdicts.items())))
    print("\n".join(format_codes(result["codes"])))
    for key in filter(None, args.by.split(",")):
        result[key] = {}
        for name, group in by(scored, key).items():
            result[key][name] = summary(group)
            print(format_summary(f"{key}={name}", result[key][name]))
    if args.misses:
        for s in scored:
            wrong = (s.scam and not (s.caught and s.codes_right)) or (not s.scam and s.false_alarm)
            if wrong:
                print(f"MISS {s.row['id']} {s.row['label']} -> {s.verdict} {list(s.codes)}")
                for line in s.row.get("asks", []) if s.scam else s.evidence:
                    print(f"    {line[:160]}")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
