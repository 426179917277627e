"""How well screenshots are read: drawn from the authors' corpus messages, read as the
service reads them, compared with the text itself.

    python -m tests.ocr.measure [--count 300] [--seed 1] [--no-invert] ... [FILE.jsonl ...]

(FILE: the corpus files to draw from; all of tests/corpus/authors by default. Naming them
keeps a measurement reproducible as authors are added.)

Character error rate (edit distance over the message's length, white space collapsed);
the share of messages whose screenshot gets the same verdict as the text (the claim as the
corpus gives it, and the message alone, without its sender, phone or channel, which often
decide the verdict by themselves); the share with the same request.* codes; overall and by
theme, font and JPEG quality; the time to read one screenshot (decode, prepare, Tesseract)
as the pool runs it.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from rapidfuzz.distance import Levenshtein

from app.engine.assess import assess
from app.engine.claim import Claim, Context
from app.engine.learned import text_layer
from app.engine.learned.corpus import claim_of
from app.engine.reference import load_reference
from app.ocr.images import ImageLimits, decode, judge
from app.ocr.prepare import Preparation, prepare
from app.ocr.reader import TesseractReader, tessdata_dir
from tests.ocr.screens import WIDTH, Style, draw, encode, styles_for

AUTHORS = Path(__file__).resolve().parents[1] / "corpus" / "authors"
LIMITS = ImageLimits(10 * 1024 * 1024, 40_000_000)


def collapsed(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def rows(paths: Iterable[Path], count: int, seed: int) -> list[dict[str, Any]]:
    lines = [json.loads(line) for path in sorted(paths) for line in path.open(encoding="utf-8")]
    with_text = [row for row in lines if (row["claim"].get("message") or "").strip()]
    return random.Random(seed).sample(with_text, min(count, len(with_text)))


@dataclass(frozen=True, slots=True)
class Measured:
    style: Style
    errors: int
    length: int
    same_verdict: bool
    same_requests: bool
    seconds: float
    same_verdict_alone: bool  # the message with none of the claim's other fields


def requests(codes: Iterable[str]) -> set[str]:
    return {code for code in codes if code.startswith("request.")}


class Bench:
    def __init__(self, steps: Preparation, join_lines: bool, width: int = WIDTH) -> None:
        self.steps = steps
        self.width = width  # narrower: the screenshot of a smaller screen, or scaled down
        self.reader = TesseractReader(
            tessdata_dir(None, "vie+eng"), "vie+eng", 60.0, join_lines=join_lines
        )
        reference = load_reference()
        self.context = Context(reference=reference, text_layer=text_layer(reference))

    def one(self, row: dict[str, Any], style: Style) -> Measured:
        claim = claim_of(row["claim"])
        upload = judge(encode(self.drawn(claim.message, style), style), LIMITS)
        started = time.perf_counter()
        with decode(upload) as image:
            text = self.reader.read(prepare(image, self.steps)).text
        seconds = time.perf_counter() - started
        original, read = collapsed(claim.message), collapsed(text)
        as_text = assess(claim, self.context)
        as_image = assess(Claim(**{**_fields(claim), "message": text}), self.context)
        when = claim.received_at
        alone = assess(Claim(message=claim.message, received_at=when), self.context).verdict
        read_alone = assess(Claim(message=text, received_at=when), self.context).verdict
        return Measured(
            style,
            Levenshtein.distance(read, original),
            len(original),
            as_text.verdict == as_image.verdict,
            requests(f.code for f in as_text.findings)
            == requests(f.code for f in as_image.findings),
            seconds,
            alone == read_alone,
        )

    def drawn(self, message: str, style: Style) -> Image.Image:
        image = draw(message, style)
        if self.width == WIDTH:
            return image
        height = round(image.height * self.width / WIDTH)
        return image.resize((self.width, height), Image.Resampling.LANCZOS)


def _fields(claim: Claim) -> dict[str, Any]:
    return {name: getattr(claim, name) for name in Claim.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class Summary:
    count: int
    cer: float  # percent, all characters of the group together
    verdict: float  # percent of messages
    requests: float
    median_seconds: float
    verdict_alone: float

    def line(self, name: str) -> str:
        return (
            f"{name:<28} n={self.count:<4} CER {self.cer:5.2f} %"
            f"  same verdict {self.verdict:5.1f} % ({self.verdict_alone:5.1f} % text alone)"
            f"  same request codes {self.requests:5.1f} %"
            f"  median {self.median_seconds:.2f} s"
        )


def summarise(measured: list[Measured]) -> Summary:
    n = len(measured)
    return Summary(
        n,
        100 * sum(m.errors for m in measured) / max(1, sum(m.length for m in measured)),
        100 * sum(m.same_verdict for m in measured) / max(1, n),
        100 * sum(m.same_requests for m in measured) / max(1, n),
        statistics.median(m.seconds for m in measured) if measured else 0.0,
        100 * sum(m.same_verdict_alone for m in measured) / max(1, n),
    )


def measure(
    count: int,
    seed: int,
    steps: Preparation,
    *,
    join_lines: bool = True,
    workers: int = 2,
    width: int = WIDTH,
    paths: list[Path] | None = None,
) -> list[Measured]:
    bench = Bench(steps, join_lines, width)
    sample = rows(paths or AUTHORS.glob("*.jsonl"), count, seed)
    styles = styles_for(seed, len(sample))
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(bench.one, sample, styles))


def report(measured: list[Measured]) -> list[str]:
    lines = [summarise(measured).line("all")]
    groups: dict[str, list[Measured]] = defaultdict(list)
    for m in measured:
        groups[f"theme {m.style.theme.name}"].append(m)
        groups[f"font {m.style.font.stem}"].append(m)
        groups[f"JPEG q{m.style.quality // 10 * 10}-{m.style.quality // 10 * 10 + 9}"].append(m)
    lines += [summarise(groups[name]).line(name) for name in sorted(groups)]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="corpus files (default: all)")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-invert", action="store_true", help="leave dark mode as it is")
    parser.add_argument("--no-upscale", action="store_true", help="leave small text as it is")
    parser.add_argument("--binarise", action="store_true", help="Otsu black and white")
    parser.add_argument("--keep-bars", action="store_true", help="leave the app's bars on")
    parser.add_argument("--width", type=int, default=WIDTH, help="scale the screenshots to it")
    parser.add_argument("--keep-lines", action="store_true", help="keep the phone's line breaks")
    args = parser.parse_args(argv)
    steps = Preparation(
        invert_dark=not args.no_invert,
        upscale_small=not args.no_upscale,
        binarise=args.binarise,
        crop_bars=not args.keep_bars,
    )
    measured = measure(
        args.count,
        args.seed,
        steps,
        join_lines=not args.keep_lines,
        workers=args.workers,
        width=args.width,
        paths=args.paths,
    )
    print(f"{steps}, join_lines={not args.keep_lines}, {args.width} px wide")
    print("\n".join(report(measured)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
