"""Clauses, sentences and scope markers of a message, looked up by word."""

from __future__ import annotations

from app.engine.reference.models import Reference
from app.engine.validators.clauses import Scan, _occurrences
from app.engine.validators.hits import Hit, Spans
from app.engine.validators.scopemarks import _Cover, scoped_marks
from app.engine.validators.text import check_text
from app.engine.validators.textlexicon import compiled


def _scan(text: str, ref: Reference) -> Scan:
    c = compiled(ref)
    words = c.norm.tokens(text)
    phrases, marks = c.index.scan(words)
    return Scan.of(text, words, list(phrases.values()), marks, c.symbols, c.reach)


def test_clauses_and_sentences_are_found_by_word(reference: Reference) -> None:
    scan = _scan("anh ơi, em gửi. chị đọc mã", reference)
    assert [scan.clause(i) for i in range(7)] == [0, 0, 2, 2, 4, 4, 4]
    assert [scan.clause_end(i) for i in range(7)] == [2, 2, 4, 4, 7, 7, 7]
    assert [scan.sentence(i) for i in range(7)] == [0, 0, 0, 0, 4, 4, 4]
    assert [scan.sentence_end(i) for i in range(7)] == [4, 4, 4, 4, 7, 7, 7]


def test_span_points_at_the_words_as_written(reference: Reference) -> None:
    text = "Anh ơi, gửi em  MẬT KHẨU nhé"
    scan = _scan(text, reference)
    span = scan.span(3, 6)
    assert text[span.start : span.end] == "em  MẬT KHẨU"


def test_symbols_are_found_where_they_overlap() -> None:
    assert _occurrences("@@@", "@@") == [0, 1]
    assert _occurrences("a@b", "@") == [1]
    assert _occurrences("", "@") == []


def test_a_cover_tells_whether_any_span_touches_a_range() -> None:
    cover = _Cover([1, 2, 10], [3, 8, 11])
    assert not cover.touches(0, 1)
    assert cover.touches(0, 2)
    assert cover.touches(7, 9)  # the long span reaches past the one before it
    assert not cover.touches(8, 10)
    assert cover.touches(10, 11)
    assert not _Cover([], []).touches(0, 5)


def test_a_negator_that_is_a_verb_negates_only_before_a_verb() -> None:
    verb = frozenset({("verb", -1, "use")})
    marks = {"negators": Spans([0], [1])}
    # "dung gui" is "đừng gửi" (a verb follows); "dung" alone is "dùng" (use).
    assert list(scoped_marks([Hit(0, 1, verb), Hit(1, 2, verb)], marks)["negators"]) == [(0, 1)]
    assert list(scoped_marks([Hit(0, 1, verb)], marks)["negators"]) == []


def test_the_negations_reach_is_read_from_the_lexicon(reference: Reference) -> None:
    """ "không bao giờ yêu cầu anh chị cung cấp": the negator is four words before the
    verb; with a reach of three in the lexicon it no longer reaches it."""
    text = "Kho bạc không bao giờ yêu cầu anh chị cung cấp mật khẩu."
    assert check_text(text, reference, compiled(reference).norm.tokens(text)) == []
    lexicon = reference.lexicon
    short = lexicon.model_copy(update={"reach": lexicon.reach.model_copy(update={"negation": 1})})
    narrowed = reference.model_copy(update={"lexicon": short})
    found = check_text(text, narrowed, compiled(narrowed).norm.tokens(text))
    assert [f.code for f in found] == ["request.password"]
