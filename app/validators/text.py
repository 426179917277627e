"""Requests in free text (SPEC §5 `request.*`): what a message asks the reader to give or do.

Every word comes from the lexicon of the reference file; this module only knows the
grammar. A request is a verb of a class the phrase group allows, governing one of the
group's objects: the closest verb before the object in its clause; else a verb after it
in its clause that asks ("là gì") or follows the reader's name ("mã PIN anh đọc cho
em"); else the verb of a list the object continues ("gửi em ID, mật khẩu"). The verb
must be in a sentence that addresses the reader, and outside the scope of

* a negator before it in its clause ("không cung cấp", "never share") — a contrast word
  ("chỉ", "nhưng") starts a new clause, so "đừng gửi ai khác, chỉ gửi em mã PIN" asks;
* a hypothesis ("nếu", "khi có người yêu cầu…") or a reported third party ("kẻ gian");
* a subject that is not the reader ("hệ thống sẽ gửi", "chúng tôi gửi", passive "được").
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from app.findings import Finding, Severity, Span
from app.reference.models import Reference
from app.validators.textnorm import (
    CLAUSE,
    NONE,
    SENTENCE,
    Hit,
    Label,
    Normaliser,
    PhraseIndex,
    Word,
)

# The closest verb governs an object only this many words away; a negator reaches a verb
# this far ("không bao giờ yêu cầu anh chị cung cấp"); a reporter a little farther.
VERB_REACH = 10
FORWARD_REACH = 6
NEGATION_REACH = 7
REPORT_REACH = 8
CUE_REACH = 12  # where an entered secret goes, whose e-mail: said right after the verb
_AFTER_VERB = frozenset({"destinations", "theirs"})
# Markers looked up by the word they end at: subjects and what links them to the verb.
_BY_END = ("auxiliaries", "agents", "passives", "speakers", "coordinators")


@dataclass(frozen=True, slots=True)
class _Group:
    code: str
    verbs: frozenset[str]
    needs: tuple[str, ...]
    sentence_wide: bool
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Compiled:
    """A reference's lexicon turned into indexes, built once per reference."""

    norm: Normaliser
    index: PhraseIndex
    groups: tuple[_Group, ...]
    verb_needs: dict[str, tuple[str, ...]]
    offers: frozenset[str]
    symbols: dict[str, tuple[str, ...]]
    units: frozenset[str]
    suffix: str
    suffix_key: str
    amount_labels: frozenset[Label]
    provider_labels: frozenset[Label]


def _add(index: PhraseIndex, norm: Normaliser, phrases: list[str], label: Label) -> None:
    for phrase in phrases:
        index.add(norm.phrase_words(phrase), label)


def _compile(ref: Reference) -> Compiled:
    lex = ref.lexicon
    norm = Normaliser(lex.normalise.lookalikes, lex.normalise.teencode)
    index = PhraseIndex()  # items and markers alike; labels of kind "cue" are markers
    for cls, verbs in lex.verbs.items():
        _add(index, norm, verbs.phrases, ("verb", -1, cls))
    # The integrated providers are named, not pushed: they must not read as "<name> CA".
    _add(index, norm, lex.neutral.phrases + ref.remote_signing.providers, ("neutral", -1, ""))
    specials: dict[str, set[Label]] = {"<amount>": set(), "<provider>": set()}
    for gi, group in enumerate(lex.requests):
        for obj in group.objects:
            _add_object(index, norm, ref, obj, gi)
            specials.get(obj, set()).add(("obj", gi, ""))
        _add(index, norm, group.standalone, ("std", gi, ""))
    for name, cue in [*lex.scope.model_dump().items(), *lex.cues.items()]:
        phrases = cue["phrases"] if isinstance(cue, dict) else cue.phrases
        _add(index, norm, phrases, ("cue", -1, name))
    return Compiled(
        norm=norm,
        index=index.freeze(),
        groups=tuple(
            _Group(
                g.code, frozenset(g.verbs), tuple(g.needs), g.reach == "sentence", tuple(g.sources)
            )
            for g in lex.requests
        ),
        verb_needs={cls: tuple(v.needs) for cls, v in lex.verbs.items()},
        offers=frozenset(cls for cls, v in lex.verbs.items() if v.speaker_offers),
        symbols={name: tuple(c.symbols) for name, c in lex.cues.items() if c.symbols},
        units=frozenset(k for p in lex.amount_units.phrases for k, _ in norm.phrase_words(p)),
        suffix=lex.providers.suffix,
        suffix_key="".join(k for k, _ in norm.phrase_words(lex.providers.suffix)),
        amount_labels=frozenset(specials["<amount>"]),
        provider_labels=frozenset(specials["<provider>"]),
    )


def _add_object(index: PhraseIndex, norm: Normaliser, ref: Reference, obj: str, gi: int) -> None:
    """An object phrase of request group gi; "<…>" names a list kept elsewhere."""
    lex, label = ref.lexicon, ("obj", gi, "")
    if obj == "<tool>":
        for name in lex.tools.names:
            _add(index, norm, [name, *lex.tools.aliases.get(name, [])], ("obj", gi, name))
    elif obj == "<provider>":
        _add(index, norm, lex.providers.phrases, label)
    elif obj == "<remote_signing>":
        _add(index, norm, lex.cues["remote_signing"].phrases, label)
    elif obj != "<amount>":  # amounts are recognised by shape, not listed
        _add(index, norm, [obj], label)


_COMPILED: dict[int, tuple[Reference, Compiled]] = {}


def compiled(ref: Reference) -> Compiled:
    """The indexes of a reference; the reference is kept alive so its id stays unique."""
    hit = _COMPILED.get(id(ref))
    if hit is None or hit[0] is not ref:
        if len(_COMPILED) >= 8:
            _COMPILED.clear()
        hit = (ref, _compile(ref))
        _COMPILED[id(ref)] = hit
    return hit[1]


def check_text(text: str, reference: Reference) -> list[Finding]:
    """The request.* findings of a message, first occurrence of each code, in text order."""
    c = compiled(reference)
    words = c.norm.words(text)
    keys = [w.key for w in words]
    items, marks = _hits(words, keys, text, c)
    scan = Scan.of(text, words, items, marks, c)
    best: dict[str, Finding] = {}
    for obj, verb, label in _requests(scan, items, c):
        span = scan.span(min(obj.lo, verb.lo), max(obj.hi, verb.hi))
        held = best.get(c.groups[label[1]].code)
        if held is None or held.span is None or span.start < held.span.start:
            finding = _finding(text, span, scan.span(obj.lo, obj.hi), label, c)
            best[finding.code] = finding
    return sorted(best.values(), key=lambda f: (f.span.start if f.span else 0, f.code))


def _finding(text: str, span: Span, obj: Span, label: Label, c: Compiled) -> Finding:
    """The finding; it names the tool ("UltraViewer") or the vendor pushed ("FPT CA")."""
    _, gi, name = label
    group, params = c.groups[gi], tuple[tuple[str, str], ...]()
    if name and group.code == "request.remote_access":
        params = (("tool", name),)
    elif ("obj", gi, "") in c.provider_labels:
        params = (("provider", text[obj.start : obj.end]),)
    evidence = text[span.start : span.end]
    return Finding(group.code, Severity.DANGER, "message", evidence, group.sources, span, params)


def _requests(scan: Scan, items: list[Hit], c: Compiled) -> list[tuple[Hit, Hit, Label]]:
    """(object, governing verb, object label) of every request; in text order."""
    out: list[tuple[Hit, Hit, Label]] = []
    for hit in items:
        for label in sorted(hit.labels):
            kind, gi, _ = label
            if kind not in ("obj", "std"):
                continue
            group = c.groups[gi]
            verbs = [hit] if kind == "std" else scan.governing(hit, group.sentence_wide)
            chosen = next((v for v in verbs if _asks(scan, c, group, v, kind == "std")), None)
            if chosen is not None:
                out.append((hit, chosen, label))
    return out


def _asks(scan: Scan, c: Compiled, group: _Group, verb: Hit, standalone: bool) -> bool:
    allowed = _classes(verb) & group.verbs
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
    needs = set(group.needs)
    class_needs = [set(c.verb_needs.get(cls, ())) for cls in sorted(allowed)]
    if class_needs:
        needs |= min(class_needs, key=len)
    return all(scan.has_cue(n, verb, after=n in _AFTER_VERB) for n in sorted(needs))


Marks = dict[str, list[tuple[int, int]]]


@dataclass(frozen=True, slots=True)
class Scan:
    """A message as words, phrase hits, scope markers, clauses and sentences."""

    text: str
    words: list[Word]
    marks: Marks
    ends: dict[str, dict[int, int]]  # per marker kind: last word + 1 -> first word
    clause: list[int]  # per word: the first word of its clause
    clause_end: list[int]  # per word: one past the last word of its clause
    sent: list[int]
    sent_end: list[int]
    verbs: list[Hit]
    symbols: dict[str, tuple[str, ...]]

    @classmethod
    def of(cls, text: str, words: list[Word], items: list[Hit], raw: Marks, c: Compiled) -> Scan:
        marks = _scoped_marks(len(words), items, raw)
        breaks = {lo for name in ("contrast", "clause_breaks") for lo, _ in marks.get(name, [])}
        brks = [w.brk for w in words]
        clause, clause_end = _runs([b >= CLAUSE or i in breaks for i, b in enumerate(brks)])
        sent, sent_end = _runs([b == SENTENCE for b in brks])
        ends: dict[str, dict[int, int]] = {}
        for name in _BY_END:
            found, table = marks.get(name, []), ends.setdefault(name, {})
            for lo, hi in found:
                table[hi] = min(lo, table.get(hi, lo))
        verbs = [h for h in items if _classes(h)]
        return cls(text, words, marks, ends, clause, clause_end, sent, sent_end, verbs, c.symbols)

    def span(self, lo: int, hi: int) -> Span:
        return Span(self.words[lo].start, self.words[hi - 1].end)

    def _in(self, name: str, lo: int, hi: int) -> list[tuple[int, int]]:
        """Markers of a kind that start among words [lo, hi)."""
        found = self.marks.get(name, [])
        a, b = bisect_left(found, (lo, 0)), bisect_left(found, (hi, 0))
        return found[a:b]

    def _verb_index(self, word: int) -> int:
        """Index of the first verb starting at or after `word`."""
        return bisect_left(self.verbs, word, key=lambda h: h.lo)

    def governing(self, obj: Hit, sentence_wide: bool) -> list[Hit]:
        """The verbs that may govern an object, best first."""
        lo, hi = self.sent[obj.lo], self.sent_end[obj.lo]
        at = self._verb_index(obj.lo)
        if sentence_wide:
            a, b = self._verb_index(max(lo, obj.lo - 40)), self._verb_index(min(hi, obj.hi + 40))
            return self.verbs[a:b]
        prev = self.verbs[at - 1] if at > 0 and self.verbs[at - 1].lo >= lo else None
        near = prev is not None and obj.lo - prev.hi <= VERB_REACH
        if prev is not None and near and prev.lo >= self.clause[obj.lo]:
            return [prev]
        # An object opening its clause is its topic: "mã PIN anh đọc cho em". A verb after
        # it asks only if it is a question or the reader is named in between.
        end, after = self.clause_end[obj.lo], []
        for verb in self.verbs[at : at + 3]:
            if verb.lo >= end or verb.lo - obj.hi > FORWARD_REACH:
                break
            after.append(verb)
        asked = [v for v in after if "ask" in _classes(v) or self._in("mood", obj.hi, v.lo)]
        if after:
            return asked
        # A list run on after a comma ("gửi em ID, mật khẩu"): the item opens its clause.
        listed = obj.lo - self.clause[obj.lo] <= 1
        return [prev] if prev is not None and near and listed else []

    def out_of_scope(self, verb: Hit, depth: int = 2) -> bool:
        """A negator, a hypothesis or a reported third party scopes the verb, or the verb
        it is coordinated with: in "không yêu cầu cung cấp mật khẩu hay cài phần mềm" and
        "kẻ gian yêu cầu cài phần mềm hoặc đọc mã OTP", the second verb is covered too."""
        first = self.clause[verb.lo]
        for _, hi in self._in("negators", max(first, verb.lo - NEGATION_REACH - 4), verb.lo):
            if 0 <= verb.lo - hi <= NEGATION_REACH:
                return True
        if self._in("hypothetical", first, verb.lo):
            return True
        reporters = self._in("reporters", max(first, verb.lo - REPORT_REACH - 4), verb.lo)
        if any(0 <= verb.lo - hi <= REPORT_REACH for _, hi in reporters):
            return True
        at = self._verb_index(verb.lo)
        if depth and at and self.ends.get("coordinators", {}).get(verb.lo) is not None:
            prev = self.verbs[at - 1]
            if prev.lo >= self.sent[verb.lo] and verb.lo - prev.hi <= VERB_REACH:
                return self.out_of_scope(prev, depth - 1)
        return False

    def not_the_reader(self, verb: Hit, offers: bool) -> bool:
        """The subject right before the verb (auxiliaries skipped) is not the reader."""
        first, j = self.clause[verb.lo], verb.lo
        aux = self.ends.get("auxiliaries", {})
        while j > first and aux.get(j, -1) >= first:
            j = aux[j]
        kinds = ("agents", "passives", "speakers") if offers else ("agents", "passives")
        return any(self.ends.get(kind, {}).get(j, -1) >= first for kind in kinds)

    def third_party(self, verb: Hit) -> bool:
        """Given to someone else ("cho người khác"), and the speaker is not a recipient."""
        first, end = self.clause[verb.lo], self.clause_end[verb.lo]
        return bool(self._in("third_party", verb.hi, end)) and not self._in(
            "first_person", first, end
        )

    def has_cue(self, name: str, verb: Hit, after: bool) -> bool:
        lo = verb.lo if after else self.sent[verb.lo]
        hi = min(self.sent_end[verb.lo], verb.hi + CUE_REACH) if after else self.sent_end[verb.lo]
        if self._in(name, lo, hi):
            return True
        written = self.text[self.words[lo].start : self.words[hi - 1].end]
        return any(s in written for s in self.symbols.get(name, ()))


def _classes(hit: Hit) -> frozenset[str]:
    return _verb_classes(hit.labels)


@lru_cache(maxsize=1024)
def _verb_classes(labels: frozenset[Label]) -> frozenset[str]:
    return frozenset(name for kind, _, name in labels if kind == "verb")


def _runs(starts: list[bool]) -> tuple[list[int], list[int]]:
    """For each word, the first word of its run and one past the run's last word."""
    first, end, run = [0] * len(starts), [len(starts)] * len(starts), 0
    for i, new in enumerate(starts):
        if new and i:
            end[run:i] = [i] * (i - run)
            run = i
        first[i] = run
    return first, end


def _hits(words: list[Word], keys: list[str], text: str, c: Compiled) -> tuple[list[Hit], Marks]:
    """Leftmost-longest items (a domain term consumes the trigger words inside it), and
    every scope marker wherever it starts."""
    items: list[Hit] = []
    marks: Marks = defaultdict(list)
    heads, suffix, n, free = c.index.heads, c.suffix_key, len(words), 0
    for i, key in enumerate(keys):
        item = None
        if key in heads:
            item, cues = c.index.at(words, keys, i)
            for hi, names in cues:
                for name in names:
                    marks[name].append((i, hi))
        if i < free:
            continue
        if item is None and (
            key[0].isdigit() or key.endswith(suffix) or (i + 1 < n and keys[i + 1] == suffix)
        ):
            item = _special(words, text, i, c)
        if item is not None:
            items.append(item)
            free = item.hi
    return items, marks


def _special(words: list[Word], text: str, i: int, c: Compiled) -> Hit | None:
    """Amounts ("500k", "2 triệu") and vendors named "<name> CA" outside the lexicon."""
    w = words[i]
    nxt = words[i + 1] if i + 1 < len(words) and words[i + 1].brk == NONE else None
    if w.key[0].isdigit():
        unit = w.key.lstrip("0123456789")
        if unit in c.units:
            return Hit(i, i + 1, c.amount_labels)
        if not unit and nxt is not None and nxt.key in c.units:
            return Hit(i, i + 2, c.amount_labels)
    # The suffix is matched as written ("FPT CA"): lower-case "ca" is a common word.
    written, cut = text[w.start : w.end], len(c.suffix)
    if w.key.endswith(c.suffix_key) and written.endswith(c.suffix) and written[:-cut].isalpha():
        return Hit(i, i + 1, c.provider_labels)
    if nxt is not None and nxt.key == c.suffix_key and text[nxt.start : nxt.end] == c.suffix:
        return Hit(i, i + 2, c.provider_labels)
    return None


def _scoped_marks(n: int, items: list[Hit], marks: Marks) -> Marks:
    """Scope markers, less those that are part of something else: "không" in "không
    biết" negates nothing, "chỉ" in "địa chỉ" and "nên" in "không nên" break no clause."""
    taken = _covered(n, [(h.lo, h.hi) for h in items])
    # Words inside a domain term ("thành" in "thành viên") carry no grammar; the term
    # itself may ("tin nhắn" is where a code is typed).
    term_at = {
        i: (h.lo, h.hi)
        for h in items
        if all(kind == "neutral" for kind, _, _ in h.labels)
        for i in range(h.lo, h.hi)
    }

    def inside_term(lo: int, hi: int) -> bool:
        term = term_at.get(lo)
        return term is not None and hi <= term[1] and (lo, hi) != term

    marks = {name: [m for m in found if not inside_term(*m)] for name, found in marks.items()}
    excepted = _covered(n, marks.get("exceptions", []))
    verbs_at = {h.lo: h.hi for h in items if _classes(h)}
    negating = [
        (lo, hi)
        for lo, hi in marks.get("negators", [])
        if not any(excepted[lo:hi])
        # Undiacritised "dung" is "đừng" before a verb ("dung gui"), else "dùng" (use).
        and (not any(taken[lo:hi]) or (verbs_at.get(lo) == hi and hi in verbs_at))
    ]
    marks["negators"] = negating
    negated = _covered(n, negating)
    for name in ("contrast", "clause_breaks"):
        marks[name] = [
            (lo, hi)
            for lo, hi in marks.get(name, [])
            if not any(taken[lo:hi]) and not any(negated[lo:hi])
        ]
    return marks


def _covered(n: int, spans: list[tuple[int, int]]) -> bytearray:
    covered = bytearray(n)
    for lo, hi in spans:
        covered[lo:hi] = b"\x01" * (hi - lo)
    return covered
