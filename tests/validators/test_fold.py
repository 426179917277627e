"""Folding: lower case without diacritics, with offsets back into the text as written."""

from __future__ import annotations

import sys
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from app.engine.validators.fold import TABLE_END, _fold_char, fold


def test_precomposed_decomposed_and_capitals_fold_alike() -> None:
    written = "Mật khẩu ĐĂNG NHẬP"
    for form in (written, unicodedata.normalize("NFD", written), written.upper()):
        assert fold(form).text == "mat khau dang nhap"


def test_a_decomposed_match_points_at_the_letters_with_their_marks() -> None:
    text = unicodedata.normalize("NFD", "gửi mật khẩu")
    folded = fold(text)
    start = folded.text.index("mat")
    span = folded.span(start, start + 3, text)
    assert unicodedata.normalize("NFC", text[span.start : span.end]) == "mật"


def test_no_character_past_the_table_changes_when_folded() -> None:
    """The translation table stops at TABLE_END: what lies beyond must fold to itself."""
    changed = [
        code for code in range(TABLE_END, sys.maxunicode + 1) if _fold_char(chr(code)) != chr(code)
    ]
    assert changed == []


def test_characters_just_below_the_table_end_are_translated() -> None:
    assert fold("\U00010400").text == "\U00010428"  # Deseret capital long I, lower-cased
    assert fold(chr(TABLE_END - 1)).text == _fold_char(chr(TABLE_END - 1))


@given(st.text(max_size=200))
def test_folding_a_text_is_folding_each_character(text: str) -> None:
    kept = [ch for ch in text if not unicodedata.combining(ch)]
    assert fold(text).text == "".join(_fold_char(ch) for ch in kept)


def test_every_combining_mark_is_dropped_and_nothing_else() -> None:
    """Whatever the plane: a mark (non-zero combining class) goes, an emoji stays."""
    for char in ("\u0301", "\u1dc0", "\U0001d165", "\U0001e8d0"):  # the last two are astral
        assert unicodedata.combining(char)
        folded = fold(f"a{char}b")
        assert (folded.text, folded.origin) == ("ab", (0, 2))
    assert fold("a\U0001f600b").text == "a\U0001f600b"
