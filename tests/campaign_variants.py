"""A test set for campaign matching: reported scams, the variants a scammer would send next,
and the genuine texts that speak of the same things.

Reported texts are the scams of the labelled corpus (tests/corpus). Each gets variants that
change what a re-sent campaign changes: the names, phone numbers, links, amounts, ticket
codes, the greeting, the order of the sentences, the diacritics, and all of these at once.
The texts that must not match are the corpus's genuine messages (support replies, published
warnings quoting scammers, official notices, colleague chatter about the same words).
Generated with a fixed seed: the same set every run.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
NAMES = [
    "Tuấn",
    "Hùng",
    "Lan",
    "Hương",
    "Minh",
    "Thảo",
    "Dũng",
    "Hoa",
    "Nam",
    "Phương",
    "Long",
    "Trang",
    "Quân",
    "Ngọc",
    "Sơn",
    "Linh",
    "Khánh",
    "Vy",
    "Đức",
    "Yến",
]
GREETINGS = [
    "Chào anh,",
    "Kính gửi quý đơn vị,",
    "Dạ em chào chị ạ.",
    "Alo chị ơi,",
    "Xin chào kế toán đơn vị,",
    "Thân gửi anh chị,",
    "Dạ thưa cô,",
]
DOMAINS = [
    "kbnn-hotro.com",
    "dichvucong-kbnn.net",
    "vst-gov.vn.cc",
    "kho-bac.online",
    "capnhat-token.site",
    "bit.ly/3xKb9Qz",
    "tinyurl.com/kbnn-ho-tro",
]
_NAME = re.compile("|".join(NAMES))
_GREETING = re.compile(
    r"^\s*(?:(?:kính gửi|thân gửi|xin chào|chào|dạ|alo|thưa)[^,.!?\n]{0,40}[,.!?\n]\s*)+",
    re.IGNORECASE,
)
_LINK = re.compile(r"(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?:/\S*)?")
_TICKET = re.compile(r"SD\d{6}-\d{6}")
_DIGITS = re.compile(r"\d+")
_SENTENCE = re.compile(r"(?<=[.!?\n])\s+")


@dataclass(frozen=True, slots=True)
class Labelled:
    id: str
    genre: str
    text: str


def corpus(label: str) -> list[Labelled]:
    """Messages of the labelled corpus with this label, in file order."""
    found = []
    for path in [CORPUS / "messages.jsonl", *sorted((CORPUS / "authors").glob("*.jsonl"))]:
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            if item["label"] == label and item["claim"].get("message"):
                genre = item.get("genre") or item["id"].split("-")[1]
                found.append(Labelled(item["id"], genre, item["claim"]["message"]))
    return found


def _names(text: str, rng: random.Random) -> str:
    changed = _NAME.sub(lambda _: rng.choice(NAMES), text)
    return changed if changed != text else f"{text} Em là {rng.choice(NAMES)}."


def _numbers(text: str, rng: random.Random) -> str:
    return _DIGITS.sub(lambda m: "".join(rng.choice("0123456789") for _ in m[0]), text)


def _links(text: str, rng: random.Random) -> str:
    return _LINK.sub(lambda _: rng.choice(DOMAINS), text)


def _tickets(text: str, rng: random.Random) -> str:
    code = f"SD{rng.randint(200101, 251231)}-{rng.randint(0, 999999):06d}"
    changed = _TICKET.sub(code, text)
    return changed if changed != text else f"{text} Mã yêu cầu {code}."


def _amounts(text: str, rng: random.Random) -> str:
    amount = f"{rng.randint(1, 9)}.{rng.randint(0, 999):03d}.000đ"
    return f"{text} Phí xử lý {amount}." if not _DIGITS.search(text) else _numbers(text, rng)


def _greeting(text: str, rng: random.Random) -> str:
    return f"{rng.choice(GREETINGS)} {_GREETING.sub('', text)}"


def _order(text: str, rng: random.Random) -> str:
    sentences = [s for s in _SENTENCE.split(text.strip()) if s]
    if len(sentences) < 2:
        return text
    shuffled = sentences[:]
    while shuffled == sentences:
        rng.shuffle(shuffled)
    return " ".join(shuffled)


def _no_diacritics(text: str, rng: random.Random) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


Change = Callable[[str, random.Random], str]
CHANGES: dict[str, Change] = {
    "names": _names,
    "phones": _numbers,
    "links": _links,
    "amounts": _amounts,
    "tickets": _tickets,
    "greeting": _greeting,
    "order": _order,
    "no_diacritics": _no_diacritics,
}


def _everything(text: str, rng: random.Random) -> str:
    for change in CHANGES.values():
        text = change(text, rng)
    return text


ALL_CHANGES: dict[str, Change] = {**CHANGES, "all_at_once": _everything}


@dataclass(frozen=True, slots=True)
class Variant:
    of: str  # the id of the reported scam
    change: str
    text: str


def variants(reported: Labelled, seed: int = 7) -> Iterator[Variant]:
    rng = random.Random(f"{seed}:{reported.id}")
    for name, change in ALL_CHANGES.items():
        yield Variant(reported.id, name, change(reported.text, rng))


def report() -> None:
    """Print, per change, how many variants match their scam, and how close genuine texts
    come to any scam: `python -m tests.campaign_variants` (the README's table)."""
    import numpy as np

    from app import fingerprint as fp
    from app.engine.validators.fold import fold_plain

    def signature(text: str) -> fp.Signature | None:
        return fp.fingerprint(fold_plain(text))

    scams = [(s, signature(s.text)) for s in corpus("scam")]
    kept = [(s, sig) for s, sig in scams if sig is not None]
    print(f"scams with a fingerprint: {len(kept)} of {len(scams)}")
    shares: dict[str, list[float]] = {}
    for scam, own in kept:
        for variant in variants(scam):
            other = signature(variant.text)
            share = fp.similarity(own, other) if other is not None else 0.0
            shares.setdefault(variant.change, []).append(share)
    for change, found in shares.items():
        values = np.array(found)
        matched = int((values >= fp.SAME_CAMPAIGN).sum())
        low, median = np.percentile(values, 1), np.median(values)
        print(f"{change:14} {matched}/{len(values)} matched, p1 {low:.2f}, median {median:.2f}")
    stacked = np.stack([sig for _, sig in kept])
    closest = []
    for message in corpus("genuine"):
        mine = signature(message.text)
        if mine is not None:
            closest.append(float((stacked == mine).mean(axis=1).max()))
    values = np.array(closest)
    print(
        f"genuine with a fingerprint: {len(values)}; matching a scam: "
        f"{int((values >= fp.SAME_CAMPAIGN).sum())}; closest {values.max():.2f}, "
        f"99th percentile {np.percentile(values, 99):.2f}"
    )


if __name__ == "__main__":
    report()
