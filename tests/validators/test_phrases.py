"""The phrase index: one scan of the words finds the longest item and every cue at each
position, the same as asking position by position."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.validators.hits import ONLY_TERMS, REQUESTED, VERB_CLASSES, Label
from app.engine.validators.phrases import PhraseIndex
from app.engine.validators.textnorm import Normaliser

NORM = Normaliser({}, {"mk": "mật khẩu"})


def _index(*phrases: tuple[str, str]) -> PhraseIndex:
    index = PhraseIndex()
    for phrase, kind in phrases:
        index.add(NORM.phrase_words(phrase), (kind, 0, phrase))
    return index.freeze()


INDEX = _index(
    ("mật khẩu", "obj"),
    ("mật khẩu ứng dụng", "obj"),
    ("mật khẩu ứng dụng ngân hàng", "obj"),
    ("mã pin", "obj"),
    ("gửi", "verb"),
    ("không", "cue"),
    ("không bao giờ", "cue"),
    ("thông báo", "neutral"),
)


def _spans(text: str) -> dict[int, tuple[int, int]]:
    items, _ = INDEX.scan(NORM.tokens(text))
    return {lo: (hit.lo, hit.hi) for lo, hit in items.items()}


def test_the_longest_phrase_that_fits_wins() -> None:
    assert _spans("gửi mật khẩu ứng dụng ngân hàng") == {0: (0, 1), 1: (1, 7)}


def test_a_longer_phrase_that_breaks_off_falls_back_to_the_shorter() -> None:
    assert _spans("gửi mật khẩu ứng dụng ngân quỹ") == {0: (0, 1), 1: (1, 5)}
    assert _spans("gửi mật khẩu ứng tuyển") == {0: (0, 1), 1: (1, 3)}


def test_a_phrase_does_not_run_past_a_full_stop() -> None:
    assert _spans("mật khẩu. ứng dụng") == {0: (0, 2)}


def test_later_words_need_the_same_diacritics_or_none() -> None:
    assert _spans("mật khấu") == {}
    assert _spans("mật khau") == {0: (0, 2)}


def test_every_cue_is_kept_where_it_starts() -> None:
    _, cues = INDEX.scan(NORM.tokens("không bao giờ gửi"))
    assert {name: list(spans) for name, spans in cues.items()} == {
        "không": [(0, 1)],
        "không bao giờ": [(0, 3)],
    }


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["mật", "khẩu", "mat", "khau", "ứng", "dụng", "ngân", "hàng", "mã", "PIN", "gửi"]
            + ["không", "bao", "giờ", "thông", "báo", "mk", ",", ".", "matkhau"]
        ),
        max_size=30,
    ).map(" ".join)
)
def test_scan_agrees_with_asking_word_by_word(text: str) -> None:
    words = NORM.words(text)
    keys = [w.key for w in words]
    items, cues = INDEX.scan(NORM.tokens(text))
    for i in range(len(words)):
        item, here = INDEX.at(words, keys, i)
        assert item == items.get(i)
        expected = sorted((hi, name) for name, spans in cues.items() for lo, hi in spans if lo == i)
        assert sorted((hi, name) for hi, names in here for name in names) == expected


def test_facts_about_labels_are_read_from_the_labels() -> None:
    labels: frozenset[Label] = frozenset(
        {("verb", -1, "give"), ("obj", 2, ""), ("std", 1, ""), ("neutral", -1, "")}
    )
    assert VERB_CLASSES[labels] == {"give"}
    assert REQUESTED[labels] == (("obj", 2, ""), ("std", 1, ""))
    assert not ONLY_TERMS[labels]
    assert ONLY_TERMS[frozenset({("neutral", -1, "")})]
