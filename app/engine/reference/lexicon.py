"""Phrase lexicons for the text validator, as stored in the reference file.

Phrases are written as people write them, with diacritics; the validator folds a phrase
the way it folds a message, so "mật khẩu" also finds "mat khau", "MẬT KHẨU" and NFD text.
A request is a verb of an allowed class governing an object phrase, in a sentence that
addresses the reader, outside the scope of a negation ("không", "never") or a
hypothesis ("nếu"), and not spoken of a third party. See app/engine/validators/text.py.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

RequestCode = Literal[
    "request.pin",
    "request.password",
    "request.otp",
    "request.remote_access",
    "request.install",
    "request.change_email",
    "request.money",
    "request.mandatory_remote_signing",
]
VerbClass = Literal[
    "give",
    "ask",
    "enter",
    "capture",
    "install",
    "open",
    "use",
    "pay",
    "change",
    "adopt",
    "oblige",
    "manage",
    "login",
]
CueName = Literal[
    "mood",  # the sentence addresses the reader: pronouns, "vui lòng", "nhé", "please"
    "first_person",  # the speaker as recipient: overrides a third-party recipient
    "third_party",  # recipients other than the speaker ("cho người khác")
    "reporters",  # who a warning is about ("kẻ gian yêu cầu…"): not the speaker asking
    "agents",  # non-human subjects right before the verb ("hệ thống sẽ gửi")
    "speakers",  # the speaker as subject of a giving verb: an offer, not an ask
    "auxiliaries",  # words between a subject and its verb ("sẽ", "đã", "will")
    "passives",  # "được", "bị", "been": the object undergoes the verb, nobody is asked
    "destinations",  # where an entered secret goes ("vào link", "cho em")
    "origins",  # the speaker supplies the software ("link em gửi", ".apk")
    "theirs",  # the new e-mail is someone else's ("email của em", "@")
    "remote_signing",  # names of remote signing ("ký số từ xa")
]
SPECIAL_OBJECTS = frozenset({"<tool>", "<provider>", "<amount>", "<remote_signing>"})

Phrase = Annotated[str, Field(min_length=1)]
PhraseList = Annotated[list[Phrase], Field(min_length=1)]
SourceIds = Annotated[list[str], Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Phrases(_Strict):
    phrases: PhraseList
    # Characters that count as the cue wherever they appear (an "@" shows an address).
    symbols: list[Phrase] = []
    sources: SourceIds


class VerbGroup(Phrases):
    needs: list[CueName] = []
    # A giving verb with the speaker as subject ("chúng tôi sẽ gửi") offers, not asks.
    speaker_offers: bool = False


class Normalise(_Strict):
    """Teencode words expanded before matching; look-alike letters mapped to Latin."""

    teencode: dict[str, Phrase]
    lookalikes: dict[Annotated[str, Field(min_length=1, max_length=1)], Phrase]
    sources: SourceIds


class Tools(_Strict):
    names: PhraseList
    aliases: dict[str, PhraseList] = {}
    sources: SourceIds

    @model_validator(mode="after")
    def _aliases_name_tools(self) -> Tools:
        unknown = sorted(set(self.aliases) - set(self.names))
        if unknown:
            raise ValueError(f"aliases given for unknown tools: {', '.join(unknown)}")
        return self


class Providers(Phrases):
    """Certificate vendors not integrated for remote signing; `suffix` marks others."""

    suffix: Phrase


class Scope(_Strict):
    negators: Phrases
    exceptions: Phrases  # contain a negator word yet negate nothing ("không biết")
    hypothetical: Phrases  # "nếu", "khi", "if": what follows is not asked
    coordinators: Phrases  # "hay", "or": a negation reaches the coordinated verb
    contrast: Phrases  # "chỉ", "nhưng", "but": a new clause, a negation stops
    clause_breaks: Phrases  # "rồi", "thì", "then"


class RequestGroup(_Strict):
    code: RequestCode
    objects: PhraseList
    standalone: list[Phrase] = []  # phrases that are verb and object at once
    verbs: list[VerbClass] = []
    needs: list[CueName] = []
    # "near": the closest verb governs the object; "sentence": any verb of the sentence.
    reach: Literal["near", "sentence"] = "near"
    sources: SourceIds

    @model_validator(mode="after")
    def _specials_known(self) -> RequestGroup:
        bad = [o for o in self.objects if o.startswith("<") and o not in SPECIAL_OBJECTS]
        if bad:
            raise ValueError(f"unknown special objects {bad}; known: {sorted(SPECIAL_OBJECTS)}")
        if not self.verbs and not self.standalone:
            raise ValueError("a request group needs verbs or standalone phrases")
        return self


Words = Annotated[int, Field(ge=1, le=200)]


class Reach(_Strict):
    """How many words the grammar looks across (app/engine/validators/clauses.py): not
    published facts but the grammar's own measure, chosen on the corpus (`make quality`)."""

    verb: Words  # the closest verb governs an object only this far before it
    forward: Words  # ... or this far after it
    negation: Words  # a negator reaches a verb this far ("không bao giờ yêu cầu … cung cấp")
    report: Words  # a reporter ("họ nói", "they say") a little farther
    cue: Words  # where an entered secret goes, whose e-mail: said right after the verb
    sentence: Words  # either side of an object, for a verb that governs sentence-wide


class Lexicon(_Strict):
    normalise: Normalise
    reach: Reach
    tools: Tools
    verbs: dict[VerbClass, VerbGroup]
    scope: Scope
    cues: dict[CueName, Phrases]
    neutral: Phrases  # domain terms that contain trigger words ("nhà cung cấp", "thông báo")
    amount_units: Phrases
    providers: Providers
    requests: Annotated[list[RequestGroup], Field(min_length=1)]

    @model_validator(mode="after")
    def _references_resolve(self) -> Lexicon:
        for i, group in enumerate(self.requests):
            missing_verbs = sorted(set(group.verbs) - set(self.verbs))
            needs = set(group.needs).union(*(self.verbs[v].needs for v in self.verbs))
            missing_cues = sorted(needs - set(self.cues))
            if missing_verbs or missing_cues:
                raise ValueError(
                    f"requests.{i}: undefined verb classes {missing_verbs} or cues {missing_cues}"
                )
        if "remote_signing" not in self.cues:
            raise ValueError("cues.remote_signing is required (the <remote_signing> object)")
        return self
