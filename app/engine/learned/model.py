"""The trained model as shipped (`model.npz` + `model.json`), validated, and how it scores.

No pickle: the weights are two float32 arrays in an .npz (read with allow_pickle off), the
rest is JSON. `weights` has a row per hashed column and a column per output: the
sentence's own words (does it ask; for each code, does it ask for that), the same for the
sentence after (`previous` block), the whole message (is it a scam), and the whole
message again for each code (does the message ask for that, somewhere). `intercepts`
holds the ask, each code, the message and each code of the message, in that order.

Scoring is the plain sum of `features` made fast: each distinct word's weights (the sum
over its n-grams) are worked out once and kept, so a message costs a look-up per word and
a few array operations, not a hash per n-gram (tests/learned hold the two to each other).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from app.engine.learned import features as F
from app.engine.validators.textnorm import Normaliser
from app.engine.validators.wordforms import Words

FORMAT = "thatgia-learned-requests"
VERSION = 2
HERE = Path(__file__).parent
BUNDLED = HERE / "model.npz"
_CACHE_LIMIT = 100_000  # distinct words, pairs and marks kept; emptied when full
_QUOTE = re.compile("[" + re.escape("".join(sorted(F.QUOTES))) + "]")

Floats = npt.NDArray[np.float32]


class ModelError(Exception):
    """The model files cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Scores (logits) the rules and the model are combined by; see app.engine.learned.layer."""

    keep_message: float  # a rule's request.* finding is dropped in a message scoring below
    keep_asking: float  # ... unless its sentence scores at least this
    keep_sentence: float  # and in a sentence scoring below
    add_message: float  # the model adds findings only in messages scoring at least this
    add_sentence: float  # ... in sentences scoring at least this
    add_code: float  # ... for each code scoring at least this (else the best code)
    # Identifiers named in a text count against it only in a message scoring at least
    # this, or asking for something (app.engine.claimgate).
    claim_message: float
    # ... and a message scoring below this reads as no claim at all: even the number and
    # the address given as its own count only if it asks for something.
    disclaim_message: float
    # In a message scoring at least `add_message`, each code the whole message scores at
    # least this for is found too, in the sentence that scores it best.
    message_code: float

    @classmethod
    def of(cls, raw: dict[str, Any]) -> Thresholds:
        return cls(**{name: float(raw[name]) for name in cls.__slots__})

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in self.__slots__}


class Scores:
    """A message scored: the message's score at once, each sentence's ask and code scores
    when they are asked for (`ask` and `codes` for every sentence, `ask_at` for a few):
    most messages need none of them, or those of the few sentences the rules found in."""

    def __init__(self, model: Model, reading: _Reading, message: float) -> None:
        self.sentences = reading.sentences
        self.words = reading.words
        self.message = message
        self.code_names = model.codes
        self._model = model
        self.reading = reading
        self._all: Floats | None = None  # (sentences, 1 + codes)
        self._message_codes: Floats | None = None

    @property
    def message_codes(self) -> Floats:
        """Each code's score for the whole message."""
        if self._message_codes is None:
            self._message_codes = self._model.message_codes(self.reading)
        return self._message_codes

    @property
    def ask(self) -> Floats:
        return self._every()[:, 0]

    @property
    def codes(self) -> Floats:
        return self._every()[:, 1:]

    def ask_at(self, which: list[int]) -> list[float]:
        """The ask scores of some sentences (by index), in the order given."""
        if self._all is None:
            return self._model.asks(self.reading, which)
        return [float(self._all[j, 0]) for j in which]

    def _every(self) -> Floats:
        if self._all is None:
            self._all = self._model.logits(self.reading, list(range(len(self.sentences))))
        return self._all


class Model:
    """Weights and what they mean; `score` reads a message."""

    def __init__(self, meta: dict[str, Any], weights: Floats, intercepts: Floats) -> None:
        self.meta = meta
        self.bits = int(meta["bits"])
        self.codes: tuple[str, ...] = tuple(meta["codes"])
        self.thresholds = Thresholds.of(meta["thresholds"])
        k = len(self.codes)
        # own (ask, codes), previous (ask, codes), message, message's codes
        self.width = 2 * (k + 1) + 1 + k
        _check_shapes(weights, intercepts, self.bits, self.width, k)
        self.weights = weights
        self.intercepts = intercepts
        self._table = _Table(self)

    # Columns of `weights`.
    @property
    def own(self) -> slice:
        return slice(0, len(self.codes) + 1)

    @property
    def previous(self) -> slice:
        return slice(len(self.codes) + 1, 2 * (len(self.codes) + 1))

    @property
    def message_column(self) -> int:
        return 2 * (len(self.codes) + 1)

    @property
    def message_code_columns(self) -> slice:
        return slice(self.message_column + 1, self.width)

    def row(self, features: list[str]) -> Floats:
        """The summed weights of some features (every output)."""
        cols = [F.column(f, self.bits) for f in features]
        summed: Floats = self.weights[cols].sum(axis=0, dtype=np.float32)
        return summed

    def score(self, norm: Normaliser, text: str, words: Words | None = None) -> Scores:
        """The message's score; its sentences' when asked for. `words`: the text's, if
        already read (`norm.tokens(text)`)."""
        sentences, words = F.read(norm, text, words)
        reading = self._table.read(text, sentences, words)
        total = max(reading.count, 1.0)
        message = reading.message / math.sqrt(total) + float(self.intercepts[len(self.codes) + 1])
        return Scores(self, reading, message)

    def message_codes(self, reading: _Reading) -> Floats:
        """Each code's score for the whole message, summed over its words and pairs like
        the message's (most messages never need them: see `Scores.message_codes`)."""
        rows = np.array(reading.word_rows + reading.pair_rows, dtype=np.int64)
        summed = reading.state.values[rows, self.message_code_columns].sum(axis=0)
        total = math.sqrt(max(reading.count, 1.0))
        scores: Floats = (summed / total + self.intercepts[len(self.codes) + 2 :]).astype(
            np.float32, copy=False
        )
        return scores

    def asks(self, reading: _Reading, which: list[int]) -> list[float]:
        """The ask scores of a few sentences, from the ask columns kept as lists: the
        rules find requests in a sentence or three, and those are all the layer needs
        to judge them (see `logits` for every score of every sentence)."""
        state, sentences = reading.state, reading.sentences
        own, previous, count = state.ask, state.ask_before, state.count
        found_marks = self._table.marks(state, reading.text, sentences, which)
        marks = dict(zip(which, found_marks, strict=True))
        found = []
        for j in which:
            rows = reading.rows_of(j)
            size = max(sum(map(count.__getitem__, rows)), 1)
            score = math.fsum(map(own.__getitem__, rows)) / math.sqrt(size)
            score += math.fsum(map(own.__getitem__, marks[j]))
            if j:
                rows = reading.rows_of(j - 1)
                size = max(sum(map(count.__getitem__, rows)), 1)
                score += math.fsum(map(previous.__getitem__, rows)) * (
                    F.PREVIOUS_WEIGHT / math.sqrt(size)
                )
            found.append(score + float(self.intercepts[0]))
        return found

    def logits(self, reading: _Reading, wanted: list[int]) -> Floats:
        """(ask, codes) of the sentences wanted (in increasing order), one row each."""
        k = len(self.codes)
        if not wanted:
            return np.zeros((0, k + 1), dtype=np.float32)
        needed = sorted({*wanted, *(j - 1 for j in wanted if j)})
        sums, counts, marked = self._table.sums(reading, needed)
        root = np.sqrt(np.maximum(counts, 1.0))[:, None]
        own = sums[:, self.own] / root + marked
        earlier = sums[:, self.previous] * (F.PREVIOUS_WEIGHT / root)
        if needed != wanted:  # some sentences are there only as the one before another
            at = {j: i for i, j in enumerate(needed)}
            mine = np.array([at[j] for j in wanted])
            before = np.array([at[j - 1] if j else -1 for j in wanted])
            own = own[mine] + np.where(before[:, None] >= 0, earlier[before], 0.0)
        else:  # then the sentences 0, 1, 2, … in a row
            own[1:] += earlier[:-1]
        logits: Floats = (own + self.intercepts[: k + 1]).astype(np.float32, copy=False)
        return logits

    def weighed_most(self, scores: Scores, j: int, output: int, many: int = 3) -> list[int]:
        """The words of sentence j that add most to an output (0: asks; 1 + k: code k),
        as word indices, the heaviest first (a number alone weighs nothing)."""
        s, reading = scores.sentences[j], scores.reading
        weight = reading.state.values[reading.word_rows[s.lo : s.hi], output].tolist()
        order = sorted(range(len(weight)), key=lambda i: (-weight[i], i))
        return [s.lo + i for i in order[:many] if weight[i] > 0]


def _check_shapes(weights: Floats, intercepts: Floats, bits: int, width: int, k: int) -> None:
    if not 8 <= bits <= 24:
        raise ModelError(f"bits {bits} out of range")
    if weights.dtype != np.float32 or weights.shape != (1 << bits, width):
        wanted = (1 << bits, width)
        raise ModelError(f"weights are {weights.dtype} {weights.shape}, not float32 {wanted}")
    if intercepts.dtype != np.float32 or intercepts.shape != (2 * k + 2,):
        wanted_intercepts = (2 * k + 2,)
        raise ModelError(
            f"intercepts are {intercepts.dtype} {intercepts.shape}, not {wanted_intercepts}"
        )
    if not (np.isfinite(weights).all() and np.isfinite(intercepts).all()):
        raise ModelError("weights are not all finite")


def coefficients_hash(weights: Floats, intercepts: Floats) -> str:
    digest = hashlib.sha256(np.ascontiguousarray(weights).tobytes())
    digest.update(np.ascontiguousarray(intercepts).tobytes())
    return digest.hexdigest()


def metadata_path(path: Path) -> Path:
    return path.with_suffix(".json")


def save(path: Path, meta: dict[str, Any], weights: Floats, intercepts: Floats) -> None:
    meta = {**meta, "coefficients_sha256": coefficients_hash(weights, intercepts)}
    with path.open("wb") as handle:
        np.savez_compressed(handle, weights=weights, intercepts=intercepts)
    text = json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True)
    metadata_path(path).write_text(text + "\n", encoding="utf-8")


def load(path: Path | str | None = None) -> Model:
    """Read and validate a model (the bundled one by default)."""
    file = Path(path) if path else BUNDLED
    try:
        meta = json.loads(metadata_path(file).read_text(encoding="utf-8"))
        with np.load(file, allow_pickle=False) as arrays:
            weights, intercepts = arrays["weights"], arrays["intercepts"]
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"{file}: cannot read the model: {exc}") from exc
    if meta.get("format") != FORMAT or meta.get("version") != VERSION:
        raise ModelError(f"{file}: not a {FORMAT} model of version {VERSION}")
    corpus = meta.get("corpus", {}).get("sha256", "")
    if not re.fullmatch(r"[0-9a-f]{64}", corpus):
        raise ModelError(f"{file}: the hash of the corpus it was trained on is missing")
    if tuple(meta.get("char_ngrams", ())) != F.CHAR_NGRAMS:
        raise ModelError(f"{file}: trained on other character n-grams")
    if meta.get("coefficients_sha256") != coefficients_hash(weights, intercepts):
        raise ModelError(f"{file}: the weights do not match their recorded hash")
    try:
        return Model(meta, weights, intercepts)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{file}: {exc}") from exc


class _Table:
    """The weights of each distinct word, pair of words and mark, summed once and kept
    as rows of one array; row 0 is all zeros. Shared by threads: a look-up that misses
    adds its rows under a lock, and a full table is replaced, never emptied in place."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.lock = threading.Lock()
        self.state = _State(model)

    def read(self, text: str, sentences: list[F.Sentence], words: Words) -> _Reading:
        """The rows of a message's words and pairs, and its whole-message sum. Lists and
        C loops (`map`, `zip`, `filter`): a message is a few hundred words, for which
        numpy's calls cost more than they save."""
        state = self.state
        keys = words.keys
        # Every word has a row (a number alone the empty row 0); a pair of neighbouring
        # words of a sentence, neither a number alone, is keyed by the rows of the two.
        word_rows = self._rows(state, keys, state.words)
        # The live words (not numbers alone) in a row, -1 after each sentence: a pair with
        # -1 in it spans two sentences and has the empty row.
        ends: list[int] = []
        for s in sentences:
            ends += word_rows[s.lo : s.hi]
            ends.append(-1)
        live = list(filter(None, ends))
        pair_keys = list(zip(live, live[1:], strict=False))
        pair_rows = self._rows(state, pair_keys, state.pairs)
        # Sentence j's pairs lie between the -1 before it and the -1 after it.
        ends_at = F.positions(live, -1)
        starts = [0, *(m + 1 for m in ends_at)][: len(ends_at)]
        pairs_at = [(a, max(a, b - 1)) for a, b in zip(starts, ends_at, strict=True)]
        weight, count = state.message, state.count  # read after the rows were added
        message = math.fsum(map(weight.__getitem__, word_rows))
        message += math.fsum(map(weight.__getitem__, pair_rows))
        found = sum(map(count.__getitem__, word_rows)) + sum(map(count.__getitem__, pair_rows))
        return _Reading(
            text, sentences, words, state, word_rows, pair_rows, pairs_at, message, found
        )

    def sums(self, reading: _Reading, needed: list[int]) -> tuple[Floats, Floats, Floats]:
        """For the sentences needed: their words' and pairs' summed weights, how many
        features they are, and their marks' summed weights (the own block only)."""
        state, sentences = reading.state, reading.sentences
        word_rows, pair_rows, pairs_at = reading.word_rows, reading.pair_rows, reading.pairs_at
        marks = self.marks(state, reading.text, sentences, needed)
        # One run of rows a sentence for its words and pairs, then one for its marks
        # (which opens with the empty row: a sentence may have no mark).
        rows: list[int] = []
        runs: list[int] = []
        for j, found in zip(needed, marks, strict=True):
            s = sentences[j]
            runs.append(len(rows))
            rows += word_rows[s.lo : s.hi]
            start, end = pairs_at[j]
            rows += pair_rows[start:end]
            runs.append(len(rows))
            rows.append(0)
            rows += found
        taken = np.array(rows, dtype=np.int64)
        summed = np.add.reduceat(state.values[taken], runs, axis=0)
        counted = np.add.reduceat(state.counts[taken], runs).astype(np.float32)
        return summed[0::2], counted[0::2], summed[1::2, self.model.own]

    def _rows(self, state: _State, items: list[Any], table: dict[Any, int]) -> list[int]:
        rows = list(map(table.get, items, repeat(-1)))  # -1: not seen yet
        if -1 not in rows:
            return rows
        with self.lock:
            # Full: later messages start a new table; this one is finished on the old.
            if state is self.state and state.size + len(items) > _CACHE_LIMIT:
                self.state = _State(self.model)
            return [
                row if (row := table.get(item, -1)) >= 0 else self._add(state, item, table)
                for item in items
            ]

    def _add(self, state: _State, item: Any, table: dict[Any, int]) -> int:
        model = self.model
        if table is state.words:
            if item.isdigit():  # a number alone: no features (`features.counted`)
                table[item] = 0
                return 0
            found = F.word_features(F.word_of(item))
            value = model.row(found)
        elif table is state.pairs:
            if -1 in item:  # across the end of a sentence: no pair
                table[item] = 0
                return 0
            first, second = state.keys[item[0]], state.keys[item[1]]
            found = [F.pair_feature(F.word_of(first), F.word_of(second))]
            value = model.row(found)
        else:
            found = []  # marks are scaled apart: they count for nothing in the sentence's size
            value = np.zeros(model.width, dtype=np.float32)
            value[model.own] = model.row([F.mark_feature(item)])[model.own]
        return state.add(item, table, value, len(found))

    def marks(
        self, state: _State, text: str, sentences: list[F.Sentence], needed: list[int]
    ) -> list[list[int]]:
        """The rows of `features.marks` of the sentences needed: the text between two
        sentences is looked up once for both, the quotation marks found once."""
        quotes = [m.start() for m in _QUOTE.finditer(text)]
        quoted = self._rows(state, ["quoted", "quotes"], state.marks)
        found = []
        for j in needed:
            s = sentences[j]
            before = text[sentences[j - 1].end if j else 0 : s.start]
            after = text[s.end : sentences[j + 1].start if j + 1 < len(sentences) else len(text)]
            rows = [*self._gap(state, before)[0], *self._gap(state, after)[1]]
            at = bisect_left(quotes, s.start)
            if at % 2:
                rows.append(quoted[0])
            if at < len(quotes) and quotes[at] < s.end:
                rows.append(quoted[1])
            found.append(rows)
        return found

    def _gap(self, state: _State, gap: str) -> tuple[list[int], list[int]]:
        """The rows of the marks the text between two sentences gives the one after it
        (^) and the one before it ($)."""
        hit = state.gaps.get(gap)
        if hit is None:
            signs = sorted({c for c in gap if unicodedata.category(c)[0] in "PS"})
            before = [f"^{c}" for c in signs] + (["^nl"] if "\n" in gap else [])
            after = [f"${c}" for c in signs]
            hit = (self._rows(state, before, state.marks), self._rows(state, after, state.marks))
            if len(state.gaps) < _CACHE_LIMIT:
                state.gaps[gap] = hit
        return hit


@dataclass(frozen=True, slots=True)
class _Reading:
    """A message's words and pairs as rows of one generation of the table."""

    text: str
    sentences: list[F.Sentence]
    words: Words
    state: _State
    word_rows: list[int]
    pair_rows: list[int]
    pairs_at: list[tuple[int, int]]  # where sentence j's pairs start and end in pair_rows
    message: float  # the message column summed over every word and pair
    count: int  # how many features those are

    def rows_of(self, j: int) -> list[int]:
        """The rows of sentence j's words and pairs."""
        s = self.sentences[j]
        start, end = self.pairs_at[j]
        return self.word_rows[s.lo : s.hi] + self.pair_rows[start:end]


class _State:
    """One generation of the table."""

    def __init__(self, model: Model) -> None:
        width = model.width
        self.message_column = model.message_column
        self.before_column = model.previous.start
        self.words: dict[str, int] = {}
        self.pairs: dict[tuple[int, int], int] = {}  # by the rows of the two words
        self.marks: dict[str, int] = {}
        self.keys = [""]  # the word of each row ("" for a pair's, a mark's)
        self.gaps: dict[str, tuple[list[int], list[int]]] = {}  # text between sentences
        self.values = np.zeros((1024, width), dtype=np.float32)
        self.counts = np.zeros(1024, dtype=np.int32)
        # The columns of the message and of asking (in the sentence, in the one after it)
        # and the counts again, as lists: summed by C loops, without numpy's calls.
        self.message = [0.0]
        self.ask = [0.0]
        self.ask_before = [0.0]
        self.count = [0]
        self.size = 1  # row 0: nothing

    def add(self, item: Any, table: dict[Any, int], value: Floats, count: int) -> int:
        if self.size == len(self.counts):  # grown by doubling; readers hold the old arrays
            self.values = np.concatenate([self.values, np.zeros_like(self.values)])
            self.counts = np.concatenate([self.counts, np.zeros_like(self.counts)])
        row = self.size
        self.values[row] = value
        self.counts[row] = count
        self.message.append(float(value[self.message_column]))
        self.ask.append(float(value[0]))
        self.ask_before.append(float(value[self.before_column]))
        self.count.append(count)
        self.keys.append(item if table is self.words else "")
        self.size += 1
        table[item] = row
        return row
