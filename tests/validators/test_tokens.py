"""Words as parallel lists: the first reading of a text (token by token, filling the
caches) and every later one (runs of known tokens copied whole) give the same words."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.validators.textnorm import _WORDS_AND_GAPS, Normaliser
from app.engine.validators.wordforms import Word, Words

LOOKALIKES = {"р": "p", "а": "a"}
TEENCODE = {"e": "em", "a": "anh", "ko": "không", "mk": "mật khẩu"}

PIECES = st.sampled_from(
    ["anh", "gửi", "e", "a", "mk", "ko", "mật", "khẩu", "m.ậ.t", "u l t r a", "p-i-n", "kkk"]
    + ["раss", "\u0301", "\u200b", "_", "😀", ", ", ". ", "...", "\n", " - ", "ＰＩＮ", "x"]
)
TEXTS = st.lists(PIECES, max_size=60).map(" ".join) | st.text(max_size=300)


def _columns(words: Words) -> list[Word]:
    return [words.word(i) for i in range(len(words))]


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_first_and_later_readings_agree(text: str) -> None:
    norm = Normaliser(LOOKALIKES, TEENCODE)
    first = _columns(norm.tokens(text))
    assert _columns(norm.tokens(text)) == first
    assert norm.words(text) == first


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_every_word_points_into_the_text(text: str) -> None:
    words = Normaliser(LOOKALIKES, TEENCODE).tokens(text)
    assert len(words.starts) == len(words.ends) == len(words.keys) == len(words.brks)
    for start, end in zip(words.starts, words.ends, strict=True):
        assert 0 <= start < end <= len(text)


def test_a_letter_spelt_out_at_the_end_of_a_long_text_keeps_its_offsets() -> None:
    norm = Normaliser(LOOKALIKES, TEENCODE)
    text = "anh gửi mật khẩu, " * 2000 + "p-i-n"
    for _ in range(2):  # the second reading copies the known words whole
        words = norm.tokens(text)
        assert len(words) == 8001
        assert text[words.starts[-1] : words.ends[-1]] == "p-i-n"
        assert words.keys[-1] == "pin"


def test_teencode_in_the_middle_of_known_words() -> None:
    norm = Normaliser(LOOKALIKES, TEENCODE)
    norm.tokens("anh gửi mật khẩu")  # known words
    words = norm.tokens("anh gửi e mk nhé")
    assert words.keys == ["anh", "gui", "em", "mat", "khau", "nhe"]
    assert [(words.starts[i], words.ends[i]) for i in (3, 4)] == [(10, 12), (10, 12)]


def test_words_can_be_given_one_object_each() -> None:
    norm = Normaliser(LOOKALIKES, TEENCODE)
    text = unicodedata.normalize("NFD", "Anh, gửi em mã PIN.")
    assert _columns(Words.of(norm.words(text))) == _columns(norm.tokens(text))
    assert len(Words.of([])) == 0


def test_words_beyond_the_bmp_are_words_and_emoji_are_gaps() -> None:
    split = _WORDS_AND_GAPS.split("gửi 𝐀𝐁 mã 😀 pin")
    assert split == ["", "gửi", " ", "𝐀𝐁", " ", "mã", " 😀 ", "pin", ""]
