"""The reference's phrase lexicon compiled for the text validator, once per reference.

Every word the validator knows comes from here: verbs by class, request objects,
neutral domain terms and scope cues all go into one phrase index, told apart by label.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.engine.reference.lexicon import Reach
from app.engine.reference.models import Reference
from app.engine.validators.hits import Label
from app.engine.validators.phrases import PhraseIndex
from app.engine.validators.shapes import Shapes
from app.engine.validators.textnorm import Normaliser

_AFTER_VERB = frozenset({"destinations", "theirs"})  # cues said right after the verb


@dataclass(frozen=True, slots=True)
class RequestGroup:
    """One `request.*` code: the verb classes that ask for its objects, and the cues
    the verb's sentence must have."""

    code: str
    verbs: frozenset[str]
    needs: tuple[str, ...]
    sentence_wide: bool  # any verb of the sentence governs, not only the closest
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Compiled:
    """A reference's lexicon turned into indexes, built once per reference."""

    norm: Normaliser
    index: PhraseIndex
    groups: tuple[RequestGroup, ...]
    verb_needs: dict[str, tuple[str, ...]]
    offers: frozenset[str]  # verb classes whose speaker-subject offers ("we will send")
    symbols: dict[str, tuple[str, ...]]  # characters that are a cue anywhere ("@")
    reach: Reach
    shapes: Shapes
    _needed: dict[tuple[int, frozenset[str]], tuple[tuple[str, bool], ...]] = field(
        default_factory=dict
    )

    def cues_needed(
        self, group: RequestGroup, classes: frozenset[str]
    ) -> tuple[tuple[str, bool], ...]:
        """The cues a verb of these classes needs to ask for the group's objects, each
        with whether it must follow the verb: the group's own, and the fewest any of
        the classes needs."""
        key = (id(group), classes)  # the groups live as long as this object
        hit = self._needed.get(key)
        if hit is None:
            needs = set(group.needs)
            by_class = [set(self.verb_needs.get(cls, ())) for cls in sorted(classes)]
            if by_class:
                needs |= min(by_class, key=len)
            hit = tuple((name, name in _AFTER_VERB) for name in sorted(needs))
            self._needed[key] = hit
        return hit


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


def _compile(ref: Reference) -> Compiled:
    lex = ref.lexicon
    norm = Normaliser(lex.normalise.lookalikes, lex.normalise.teencode)
    index = PhraseIndex()  # items and markers alike; labels of kind "cue" are markers
    specials = _add_all(index, norm, ref)
    return Compiled(
        norm=norm,
        index=index.freeze(),
        groups=tuple(
            RequestGroup(
                g.code, frozenset(g.verbs), tuple(g.needs), g.reach == "sentence", tuple(g.sources)
            )
            for g in lex.requests
        ),
        verb_needs={cls: tuple(v.needs) for cls, v in lex.verbs.items()},
        offers=frozenset(cls for cls, v in lex.verbs.items() if v.speaker_offers),
        symbols={name: tuple(c.symbols) for name, c in lex.cues.items() if c.symbols},
        reach=lex.reach,
        shapes=Shapes(
            units=frozenset(k for p in lex.amount_units.phrases for k, _ in norm.phrase_words(p)),
            suffix=lex.providers.suffix,
            suffix_key="".join(k for k, _ in norm.phrase_words(lex.providers.suffix)),
            amount_labels=frozenset(specials["<amount>"]),
            provider_labels=frozenset(specials["<provider>"]),
        ),
    )


def _add_all(index: PhraseIndex, norm: Normaliser, ref: Reference) -> dict[str, set[Label]]:
    """Every phrase of the lexicon, labelled; the labels of the "<amount>" and
    "<provider>" objects, which are also recognised by shape."""
    lex = ref.lexicon
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
    return specials


def _add(index: PhraseIndex, norm: Normaliser, phrases: list[str], label: Label) -> None:
    for phrase in phrases:
        index.add(norm.phrase_words(phrase), label)


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
