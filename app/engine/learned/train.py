"""Train the learned layer, choose its thresholds by cross-validation by author, write it.

    python -m app.engine.learned.train AUTHOR.jsonl [...] [--in-house FILE] [--notices DIR]
                                [--reports FILE ...] [--out PATH] [--nested]

(`make model`: the authors' sets, the in-house corpus and the notices, about two minutes
on an idle machine; `make crossval` adds `--nested`, many minutes more.) Prints, per
author and in all, the rules alone and the rules with the model on messages of an author
the model never saw, then writes app/engine/learned/model.npz and model.json: the weights, the
thresholds, the hash of the corpus and those scores. `--reports` adds the confirmed
reports of `thatgia corpus export`, read like the in-house corpus (scams whose asks are
the rules' findings) and, like it, always trained on.
"""

from __future__ import annotations

import argparse
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from app.engine.learned.corpus import Row, corpus_hash, load_rows, notice_rows, ruled_rows
from app.engine.learned.crossval import Case, Tally, cases_for, choose, nested, out_of_fold, tally
from app.engine.learned.fit import fit, meta_for, prepare
from app.engine.learned.model import BUNDLED, Thresholds, save
from app.engine.reference import load_reference


def table(groups: list[tuple[str, Thresholds, list[Case]]]) -> dict[str, Any]:
    """Rules alone and combined, per author and in all, printed and returned."""
    result: dict[str, Any] = {}
    before_all, after_all = Tally(), Tally()
    for author, t, cases in groups:
        before, after = tally(cases, None), tally(cases, t)
        print(before.line(f"{author} rules"))
        print(after.line(f"{author} combined"))
        result[author] = {"rules": before.as_dict(), "combined": after.as_dict()}
        before_all.merge(before)
        after_all.merge(after)
    print(before_all.line("all rules"))
    print(after_all.line("all combined"))
    result["all"] = {"rules": before_all.as_dict(), "combined": after_all.as_dict()}
    return result


def by_author(cases: list[Case], t: Thresholds) -> list[tuple[str, Thresholds, list[Case]]]:
    authors = sorted({c.row.author for c in cases})
    return [(a, t, [c for c in cases if c.row.author == a]) for a in authors]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="the authors' labelled sets")
    parser.add_argument("--in-house", type=Path, help="the in-house corpus, labelled by rules")
    parser.add_argument("--notices", type=Path, help="a folder of notices (*.txt), genuine")
    parser.add_argument(
        "--reports",
        type=Path,
        action="append",
        default=[],
        help="confirmed reports from `thatgia corpus export` (repeatable)",
    )
    parser.add_argument("--out", type=Path, default=BUNDLED)
    parser.add_argument("--nested", action="store_true", help="also measure the thresholds")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    reference = load_reference()
    files = sorted(args.files)
    rows: list[Row] = load_rows(files)
    if args.in_house:
        rows += ruled_rows(args.in_house, reference)
        files.append(args.in_house)
    for reports in args.reports:
        rows += ruled_rows(reports, reference)
        files.append(reports)
    if args.notices:
        notices = sorted(args.notices.glob("*.txt"))
        rows += notice_rows(notices)
        files += notices
    p = prepare(rows, reference)
    print(f"{len(p.rows)} messages, {len(p.asks)} sentences, {int(p.asks.sum())} asking")
    cases = cases_for(p, out_of_fold(p, reference))
    chosen = choose(cases)
    print("thresholds:", ", ".join(f"{k} {v:g}" for k, v in chosen.as_dict().items()))
    print("\neach author held out (six folds), thresholds chosen on these same scores")
    scores: dict[str, Any] = {"held_out_authors": table(by_author(cases, chosen))}
    if args.nested:
        print("\nnested: each author's thresholds chosen on the other authors' alone")
        groups = nested(p, reference, cases)
        scores["nested"] = table(groups)
        for author, t, _ in groups:
            scores["nested"][author]["thresholds"] = t.as_dict()
    weights, intercepts = fit(p, np.ones(len(p.rows), dtype=bool))
    meta = meta_for(p.bits, chosen) | {
        "corpus": {
            "files": [f.name for f in files],
            "sha256": corpus_hash(files),
            "messages": len(p.rows),
            "sentences": len(p.asks),
            "asking": int(p.asks.sum()),
        },
        "scores": scores,
        "trained_with": {name: version(name) for name in ("scikit-learn", "numpy", "scipy")},
    }
    save(args.out, meta, weights, intercepts)
    took = time.perf_counter() - started
    print(f"\nwrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) in {took:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
