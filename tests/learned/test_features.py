"""What the model reads: folded words, sentences, and no features from numbers alone."""

from __future__ import annotations

import unicodedata

import pytest

from app.engine.learned import features as F
from app.engine.reference.models import Reference
from app.engine.validators.textlexicon import compiled


def _words(text: str, reference: Reference) -> list[str]:
    sentences, words = F.read(compiled(reference).norm, text)
    return [F.word_of(k) for s in sentences for k in F.counted(words.keys[s.lo : s.hi])]


def _sentences(text: str, reference: Reference) -> list[str]:
    sentences, _ = F.read(compiled(reference).norm, text)
    return [text[s.start : s.end] for s in sentences]


@pytest.mark.parametrize(
    "written",
    [
        "gửi mật khẩu",  # precomposed
        unicodedata.normalize("NFD", "gửi mật khẩu"),
        "GUI MAT KHAU",
        "gửi m.ậ.t k.h.ẩ.u",  # letters spelt out with dots
        "gửi mật\u200b khẩu\u00ad",  # zero-width space, soft hyphen
    ],
)
def test_writings_of_one_request_fold_to_the_same_words(written: str, reference: Reference) -> None:
    assert _words(written, reference) == ["gui", "mat", "khau"]


def test_look_alike_and_full_width_letters_read_as_latin(reference: Reference) -> None:
    assert _words("раss ＯＴＰ", reference) == _words("pass otp", reference)
    assert _words("раss", reference) != _words("rass", reference)


def test_sentences_end_at_full_stops_and_lines_not_inside_times_or_amounts(
    reference: Reference,
) -> None:
    text = "[20:41] Kho bạc: phí là 1.850.000đ. Chị chuyển giúp em nhé\nCảm ơn chị"
    assert _sentences(text, reference) == [
        "20:41] Kho bạc",
        "phí là 1.850.000đ",
        "Chị chuyển giúp em nhé",
        "Cảm ơn chị",
    ]


def test_numbers_alone_give_no_features_but_digits_in_words_do(reference: Reference) -> None:
    read = F.read_message(compiled(reference).norm, "0912 345 678. SD251121-000123", 16)
    assert not read.own[0]  # a phone number says nothing of what is asked
    assert F.word_of("sd251121") == "sd000000"
    assert read.own[1]


def test_a_quoted_sentence_is_marked_quoted(reference: Reference) -> None:
    text = 'Chúng sẽ nói: "Chị đọc mã OTP cho em nhé". Đừng đọc'
    sentences, _ = F.read(compiled(reference).norm, text)
    quoted = [
        text[s.start : s.end]
        for j, s in enumerate(sentences)
        if "quoted" in F.marks(text, sentences, j)
    ]
    assert quoted == ["Chị đọc mã OTP cho em nhé"]
