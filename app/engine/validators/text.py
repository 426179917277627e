"""Requests in free text (SPEC §5 `request.*`): what a message asks the reader to give or do.

Every word comes from the lexicon of the reference file; the validator only knows the
grammar. A request is a verb of a class the phrase group allows, governing one of the
group's objects: the closest verb before the object in its clause; else a verb after it
in its clause that asks ("là gì") or follows the reader's name ("mã PIN anh đọc cho
em"); else the verb of a list the object continues ("gửi em ID, mật khẩu"). The verb
must be in a sentence that addresses the reader, and outside the scope of a negator, a
hypothesis, a reported third party or a subject that is not the reader (`clauses`).

The pipeline: `textnorm` turns the text into words, `phrases` and `shapes` find the
lexicon's items and markers among them, `clauses` knows what scopes a verb, and this
module decides which object-verb pairs are requests (`textlexicon` compiles the words).
"""

from __future__ import annotations

from app.engine.findings import Finding, Severity, Span
from app.engine.reference.models import Reference
from app.engine.validators.clauses import Scan
from app.engine.validators.hits import REQUESTED, VERB_CLASSES, Hit, Label, Marks
from app.engine.validators.textlexicon import Compiled, RequestGroup, compiled
from app.engine.validators.wordforms import Words

__all__ = ["check_text", "compiled"]


def check_text(text: str, reference: Reference, words: Words | None = None) -> list[Finding]:
    """The request.* findings of a message, first occurrence of each code, in text order.
    `words`: the text's words (`compiled(reference).norm.tokens(text)`) if already read."""
    c = compiled(reference)
    words = c.norm.tokens(text) if words is None else words
    items, marks = _items_and_marks(words, text, c)
    asked = [(hit, labels) for hit in items if (labels := REQUESTED[hit.labels])]
    if not asked:
        return []  # nothing that may be asked for: the grammar need not be worked out
    scan = Scan.of(text, words, items, marks, c.symbols, c.reach)
    best: dict[str, Finding] = {}
    for obj, verb, label in _requests(scan, asked, c):
        lo = min(obj.lo, verb.lo)
        held = best.get(c.groups[label[1]].code)
        if held is None or held.span is None or words.starts[lo] < held.span.start:
            finding = _finding(text, scan.span(lo, max(obj.hi, verb.hi)), scan, obj, label, c)
            best[finding.code] = finding
    return sorted(best.values(), key=lambda f: (f.span.start if f.span else 0, f.code))


def _items_and_marks(words: Words, text: str, c: Compiled) -> tuple[list[Hit], Marks]:
    """Items in text order, leftmost-longest (a domain term consumes the trigger words
    inside it: "nhà cung cấp" holds "cung cấp"), and every scope marker by name."""
    phrases, marks = c.index.scan(words)
    shaped = c.shapes.candidates(words.keys)
    items: list[Hit] = []
    free = 0  # the first word not yet taken by an item
    for i in sorted(phrases.keys() | shaped) if shaped else phrases:
        if i < free:
            continue
        item = phrases.get(i) or c.shapes.at(words, text, i)
        if item is not None:
            items.append(item)
            free = item.hi
    return items, marks


def _finding(text: str, span: Span, scan: Scan, obj: Hit, label: Label, c: Compiled) -> Finding:
    """The finding; it names the tool ("UltraViewer") or the vendor pushed ("FPT CA")."""
    _, gi, name = label
    group, params = c.groups[gi], tuple[tuple[str, str], ...]()
    if name and group.code == "request.remote_access":
        params = (("tool", name),)
    elif ("obj", gi, "") in c.shapes.provider_labels:
        vendor = scan.span(obj.lo, obj.hi)
        params = (("provider", text[vendor.start : vendor.end]),)
    evidence = text[span.start : span.end]
    return Finding(group.code, Severity.DANGER, "message", evidence, group.sources, span, params)


def _requests(
    scan: Scan, asked: list[tuple[Hit, tuple[Label, ...]]], c: Compiled
) -> list[tuple[Hit, Hit, Label]]:
    """(object, governing verb, object label) of every request; in text order."""
    out: list[tuple[Hit, Hit, Label]] = []
    for hit, labels in asked:
        for label in labels:
            kind, gi, _ = label
            group = c.groups[gi]
            verbs = [hit] if kind == "std" else scan.governing(hit, group.sentence_wide)
            chosen = next((v for v in verbs if _asks(scan, c, group, v, kind == "std")), None)
            if chosen is not None:
                out.append((hit, chosen, label))
    return out


def _asks(scan: Scan, c: Compiled, group: RequestGroup, verb: Hit, standalone: bool) -> bool:
    allowed = VERB_CLASSES[verb.labels] & group.verbs
    if not standalone and not allowed:
        return False
    if scan.out_of_scope(verb):
        return False
    # A claim ("ký số từ xa is compulsory") asks nothing: who says it does not matter.
    claim = group.sentence_wide
    if not claim and (
        scan.third_party(verb) or scan.not_the_reader(verb, bool(allowed & c.offers))
    ):
        return False
    for name, after in c.cues_needed(group, allowed):
        if not scan.has_cue(name, verb, after):
            return False
    return True
