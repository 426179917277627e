"""The learned layer beside the rules: which request.* findings of a text stand, and which
requests the rules missed.

The model scores each sentence (does it ask the reader for something, and for what) and
the whole message (does it read like a scam or like a warning, a notice, a reply). Then:

- a rule's request.* finding in the text is dropped when its sentence scores below
  `keep_sentence` (a quotation, a description in the third person, self-service), or
  when the message scores below `keep_message` (a warning that quotes a scam, a notice)
  unless the sentence scores at least `keep_asking`;
- in a message scoring at least `add_message`, a sentence scoring at least `add_sentence`
  gets a finding for each code scoring at least `add_code` that no
  finding of the text has: severity danger, the sentence as evidence and span, the
  words that weighed most in `words`, `by` = "model", the notices of the code's rule;
  and each code the whole message scores at least `message_code` for that no finding
  has yet is found in the sentence that scores it best;
- a message scoring at least `claim_message` reads as a claim to be support: the
  identifiers it names count against it; one scoring below `disclaim_message` reads as
  none at all: not even the number or address given as its own does unless it asks for
  something (app.engine.claimgate).

The thresholds were chosen by cross-validation by author (`make model`):
at most 0.8 % of genuine messages given a request.* and 0.2 % called impersonation for
an identifier they name, then as many scams caught as possible.
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np

from app.engine.claim import Revision
from app.engine.findings import Finding, Severity, Span
from app.engine.learned.model import Model, ModelError, Scores, Thresholds
from app.engine.reference.models import Reference
from app.engine.validators.textlexicon import compiled
from app.engine.validators.wordforms import Words

JUDGED = "request."  # the findings the layer may drop: request.* of the message text
# A finding's evidence is its sentence, cut here (the span still covers it whole): a
# sentence can be a whole pasted page with no full stop, repeated in every answer.
EVIDENCE_CHARS = 200


def judged(finding: Finding) -> bool:
    return finding.code.startswith(JUDGED) and finding.field == "message"


def decide(
    findings: list[Finding], scores: Scores, t: Thresholds
) -> tuple[list[Finding], list[tuple[int, int]]]:
    """The findings that stand, and the (sentence, code index) pairs the model adds."""
    starts = [s.start for s in scores.sentences]
    ruled = [
        (i, max(bisect_right(starts, f.span.start) - 1, 0))
        for i, f in enumerate(findings)
        if judged(f) and f.span is not None
    ]
    asks = dict(zip((i for i, _ in ruled), scores.ask_at([j for _, j in ruled]), strict=True))
    low = scores.message < t.keep_message
    kept = [
        f
        for i, f in enumerate(findings)
        if (ask := asks.get(i)) is None
        or (ask >= t.keep_sentence and not (low and ask < t.keep_asking))
    ]
    added: list[tuple[int, int]] = []
    if scores.message < t.add_message:
        return kept, added
    have = {f.code for f in kept if f.code.startswith(JUDGED)}
    codes = scores.code_names
    for sentence in np.flatnonzero(scores.ask >= t.add_sentence):
        for k in np.flatnonzero(scores.codes[sentence] >= t.add_code):
            if codes[k] not in have:
                have.add(codes[k])
                added.append((int(sentence), int(k)))
    if not scores.sentences:
        return kept, added
    for k in np.flatnonzero(scores.message_codes >= t.message_code):
        if codes[k] not in have:
            have.add(codes[k])
            added.append((int(np.argmax(scores.codes[:, k])), int(k)))
    return kept, added


class LearnedLayer:
    """A model and the reference it cites; `revise` is what the engine calls."""

    def __init__(self, model: Model, reference: Reference) -> None:
        self.model = model
        self.norm = compiled(reference).norm
        self.sources = _sources(reference)
        unknown = sorted(set(model.codes) - set(self.sources))
        if unknown:
            raise ModelError(f"the model knows codes the reference does not: {unknown}")

    def scores(self, text: str, words: Words | None = None) -> Scores:
        return self.model.score(self.norm, text, words)

    def revise(self, text: str, findings: list[Finding], words: Words | None = None) -> Revision:
        """The text's findings with the model's judgement applied; `words` are the text's
        as the rules read them (read again if not given). An empty text is no judgement:
        it is taken as a claim, as the rules alone would."""
        if not text.strip():
            return Revision(findings, reads_as_claim=True)
        scores = self.scores(text, words)
        thresholds = self.model.thresholds
        kept, added = decide(findings, scores, thresholds)
        revised = kept + [self._finding(text, scores, j, k) for j, k in added]
        return Revision(
            revised,
            reads_as_claim=scores.message >= thresholds.claim_message,
            disowned=scores.message < thresholds.disclaim_message,
        )

    def _finding(self, text: str, scores: Scores, j: int, k: int) -> Finding:
        s = scores.sentences[j]
        words = scores.words
        heaviest = self.model.weighed_most(scores, j, 1 + k)
        written = dict.fromkeys(text[words.starts[i] : words.ends[i]] for i in heaviest)
        code = self.model.codes[k]
        return Finding(
            code,
            Severity.DANGER,
            "message",
            shortened(text[s.start : s.end]),
            self.sources[code],
            Span(s.start, s.end),
            params=(("by", "model"), ("words", ", ".join(written))),
        )


def shortened(sentence: str) -> str:
    """The sentence, or its first EVIDENCE_CHARS characters up to a space, and "…"."""
    if len(sentence) <= EVIDENCE_CHARS:
        return sentence
    cut = sentence[:EVIDENCE_CHARS]
    return f"{cut.rsplit(' ', 1)[0] if ' ' in cut else cut}…"


def _sources(reference: Reference) -> dict[str, tuple[str, ...]]:
    """The notices each request code rests on: its first rule group's, or the statement
    of what support never does (request.link is the link validator's)."""
    found: dict[str, tuple[str, ...]] = {}
    for group in reference.lexicon.requests:
        found.setdefault(group.code, tuple(group.sources))
    for statement in reference.never:
        if statement.code and statement.code.startswith(JUDGED):
            found.setdefault(statement.code, tuple(statement.sources))
    return found
