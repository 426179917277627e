"""Marking the pasted text: exact spans, overlaps, and nothing lost or invented."""

from __future__ import annotations

from app.engine.findings import Severity
from app.web.highlight import Marked, pieces

TEXT = "anh tải UltraViewer rồi gửi mật khẩu"


def _joined(text: str, marks: list[Marked]) -> str:
    return "".join(p.text for p in pieces(text, marks))


def test_a_span_is_marked_exactly_and_the_rest_is_plain() -> None:
    start = TEXT.index("tải UltraViewer")
    found = pieces(TEXT, [Marked(1, Severity.DANGER, start, start + len("tải UltraViewer"))])
    assert [(p.text, p.numbers) for p in found] == [
        ("anh ", ()),
        ("tải UltraViewer", (1,)),
        (" rồi gửi mật khẩu", ()),
    ]


def test_without_spans_the_text_is_one_plain_piece() -> None:
    assert [(p.text, p.marked) for p in pieces(TEXT, [])] == [(TEXT, False)]


def test_overlapping_spans_share_the_overlap_and_keep_the_gravest_severity() -> None:
    marks = [Marked(1, Severity.INFO, 4, 19), Marked(2, Severity.DANGER, 8, 23)]
    found = pieces(TEXT, marks)
    assert _joined(TEXT, marks) == TEXT
    overlap = next(p for p in found if p.numbers == (1, 2))
    assert overlap.text == TEXT[8:19]
    assert overlap.severity is Severity.DANGER
    assert next(p for p in found if p.numbers == (1,)).severity is Severity.INFO


def test_a_span_inside_another_splits_it_in_three() -> None:
    marks = [Marked(1, Severity.WARNING, 0, len(TEXT)), Marked(2, Severity.DANGER, 4, 7)]
    assert [p.numbers for p in pieces(TEXT, marks)] == [(1,), (1, 2), (1,)]


def test_spans_outside_the_text_are_ignored() -> None:
    marks = [Marked(1, Severity.DANGER, 5, 500), Marked(2, Severity.DANGER, 7, 3)]
    assert [(p.text, p.marked) for p in pieces(TEXT, marks)] == [(TEXT, False)]


def test_an_empty_message_has_no_pieces() -> None:
    assert pieces("", [Marked(1, Severity.DANGER, 0, 1)]) == []
