"""Words of a message: normalised for matching, always pointing at the text as written."""

from __future__ import annotations

import unicodedata

from app.engine.validators.textnorm import (
    CLAUSE,
    NONE,
    SENTENCE,
    Normaliser,
    PhraseIndex,
    Word,
    boundary,
    compatible,
)

NORM = Normaliser({"р": "p", "а": "a"}, {"e": "em", "ko": "không", "mk": "mật khẩu"})


def words(text: str) -> list[Word]:
    return NORM.words(text)


def keys(text: str) -> list[str]:
    return [w.key for w in words(text)]


def written(text: str) -> list[str]:
    return [text[w.start : w.end] for w in words(text)]


def test_diacritics_and_case_are_folded_in_the_key() -> None:
    assert keys("Mật Khẩu ĐĂNG NHẬP") == ["mat", "khau", "dang", "nhap"]


def test_mark_keeps_the_diacritics() -> None:
    assert [w.mark for w in words("Mật khẩu")] == ["mật", "khẩu"]


def test_nfd_and_nfc_give_the_same_words() -> None:
    nfc = "Chị đọc giúp em mã PIN"
    nfd = unicodedata.normalize("NFD", nfc)
    assert [(w.key, w.mark) for w in words(nfd)] == [(w.key, w.mark) for w in words(nfc)]


def test_nfd_offsets_cover_the_combining_marks() -> None:
    nfd = unicodedata.normalize("NFD", "gửi mã PIN")
    assert written(nfd) == [unicodedata.normalize("NFD", w) for w in ("gửi", "mã", "PIN")]


def test_offsets_survive_emoji_before_the_word() -> None:
    text = "😀👍🏽 mã\u0301 pin"
    assert written(text) == ["mã\u0301", "pin"]


def test_zero_width_characters_do_not_split_a_word() -> None:
    text = "Ul\u200btra\u200dViewer"
    assert keys(text) == ["ultraviewer"]
    assert written(text) == [text]


def test_full_width_letters_are_read_as_ascii() -> None:
    assert keys("ＰＩＮ ＯＴＰ") == ["pin", "otp"]


def test_look_alike_letters_are_mapped_by_the_table() -> None:
    assert keys("раss") == ["pas"]  # Cyrillic р and а; repeated letters squeezed


def test_repeated_letters_are_squeezed() -> None:
    assert keys("gửiiii mật khẩuuuu") == ["gui", "mat", "khau"]


def test_digits_are_not_squeezed() -> None:
    assert keys("SD251120-000123") == ["sd251120", "000123"]


def test_letters_tied_by_dots_form_one_word() -> None:
    text = "m.ậ.t k.h.ẩ.u"
    assert keys(text) == ["mat", "khau"]
    assert written(text) == ["m.ậ.t", "k.h.ẩ.u"]


def test_letters_tied_by_dashes_form_one_word() -> None:
    assert keys("p-i-n e-mail") == ["pin", "email"]


def test_words_tied_by_a_dash_stay_apart() -> None:
    assert keys("VNPT-CA") == ["vnpt", "ca"]


def test_underscores_are_dropped() -> None:
    assert keys("p_i_n") == ["pin"]


def test_three_spaced_letters_form_one_word() -> None:
    text = "mở u l t r a v i e w giúp"
    assert keys(text) == ["mo", "ultraview", "giup"]
    assert written(text)[1] == "u l t r a v i e w"


def test_two_spaced_letters_stay_apart() -> None:
    assert keys("a b") == ["a", "b"]


def test_teencode_expands_to_words_sharing_the_span() -> None:
    found = words("gửi e mk")
    assert [w.key for w in found] == ["gui", "em", "mat", "khau"]
    assert {(w.start, w.end) for w in found[2:]} == {(6, 8)}


def test_teencode_is_not_applied_to_a_word_with_other_diacritics() -> None:
    assert keys("kó") == ["ko"]  # not "không": "ko" is only the undiacritised word


def test_laughter_is_not_teencode() -> None:
    assert keys("eee") == ["e"]


def test_comma_separates_clauses() -> None:
    assert [w.brk for w in words("anh, em")] == [NONE, CLAUSE]


def test_full_stop_and_newline_separate_sentences() -> None:
    assert [w.brk for w in words("anh. em\nchị")] == [NONE, SENTENCE, SENTENCE]


def test_colon_separates_sentences() -> None:
    assert boundary(": ") == SENTENCE


def test_ellipsis_does_not_end_a_sentence() -> None:
    assert boundary("..., ") == CLAUSE


def test_dot_inside_an_address_is_no_boundary() -> None:
    assert boundary(".") == NONE


def test_undiacritised_word_matches_a_phrase_with_diacritics() -> None:
    assert compatible("dung", "dung", "dung", "đừng")


def test_diacritised_word_matches_only_the_same_diacritics() -> None:
    assert not compatible("dung", "dùng", "dung", "đừng")


def test_phrase_without_diacritics_does_not_match_a_diacritised_word() -> None:
    assert not compatible("nha", "nhà", "nha", "nha")


def _index(*phrases: tuple[str, str]) -> PhraseIndex:
    index = PhraseIndex()
    for phrase, kind in phrases:
        index.add(NORM.phrase_words(phrase), (kind, 0, phrase))
    return index.freeze()


def test_longest_item_wins() -> None:
    index = _index(("mật khẩu", "obj"), ("mật khẩu token", "obj"))
    found = words("mật khẩu token")
    item, _ = index.at(found, [w.key for w in found], 0)
    assert item is not None and (item.lo, item.hi) == (0, 3)


def test_every_cue_is_reported() -> None:
    index = _index(("không", "cue"), ("không bao giờ", "cue"))
    found = words("không bao giờ")
    _, cues = index.at(found, [w.key for w in found], 0)
    assert sorted(hi for hi, _ in cues) == [1, 3]


def test_run_together_words_match_a_phrase() -> None:
    index = _index(("mật khẩu", "obj"))
    found = words("gửi matkhau")
    item, _ = index.at(found, [w.key for w in found], 1)
    assert item is not None and (item.lo, item.hi) == (1, 2)


def test_phrase_does_not_run_across_a_comma() -> None:
    index = _index(("mật khẩu", "obj"))
    found = words("mật, khẩu")
    item, _ = index.at(found, [w.key for w in found], 0)
    assert item is None
