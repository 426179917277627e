"""Reply texts: the verdict first, at most three reasons, the advice, under 2,000 characters."""

from __future__ import annotations

import datetime as dt

from app.engine.assess import Assessment
from app.engine.extract import Extracted
from app.engine.findings import Finding, Lang, Severity, Verdict
from app.engine.reference.models import Reference
from app.zalo.reply import (
    MAX_CHARS,
    Section,
    clip,
    fit,
    verdict_reply,
    welcome_reply,
    zalo_length,
)


def link_finding(url: str) -> Finding:
    return Finding("request.link", Severity.DANGER, "message", url, ("34/KBKH-KTNN",))


def assessment_with(findings: list[Finding], verdict: Verdict) -> Assessment:
    advice = ("stop", "if_already_gave", "call_switchboard", "write_official", "never_give")
    return Assessment(
        verdict, tuple(findings), Extracted((), (), (), (), ()), advice, dt.datetime.now(dt.UTC)
    )


def test_reply_opens_with_the_verdict_on_one_line(reference: Reference) -> None:
    reply = verdict_reply(
        assessment_with([link_finding("http://x.example")], Verdict.IMPERSONATION), reference
    )
    assert "MẠO DANH" in reply.splitlines()[0]


def test_reply_gives_at_most_three_reasons(reference: Reference) -> None:
    findings = [link_finding(f"http://scam{i}.example/") for i in range(8)]
    reply = verdict_reply(assessment_with(findings, Verdict.IMPERSONATION), reference)
    assert sum("scam" in line for line in reply.splitlines()) == 3


def test_reply_with_huge_findings_stays_under_two_thousand_characters(
    reference: Reference,
) -> None:
    findings = [link_finding("http://a.example/" + "x" * 3000 + str(i)) for i in range(50)]
    reply = verdict_reply(assessment_with(findings, Verdict.IMPERSONATION), reference)
    assert zalo_length(reply) < MAX_CHARS
    assert "Dừng lại" in reply  # the first advice survives whatever the reasons
    assert "rút gọn" in reply


def test_fit_drops_whole_items_not_parts_of_them() -> None:
    items = tuple(f"item {i} " + "y" * 300 for i in range(10))
    text = fit("head", [Section("Items:", items)], "(cut)")
    kept = [line for line in text.splitlines() if line.startswith("• item")]
    assert zalo_length(text) < MAX_CHARS
    assert all(line.endswith("y" * 300) for line in kept)
    assert text.endswith("(cut)")


def test_nothing_cut_means_no_cut_note() -> None:
    assert fit("head", [Section("Items:", ("a", "b"))], "(cut)") == "head\n\nItems:\n• a\n• b"


def test_emoji_count_twice_toward_the_limit() -> None:
    assert zalo_length("⛔a") == 2
    assert zalo_length("😀") == 2


def test_clip_cuts_at_a_word_and_marks_it() -> None:
    clipped = clip("một hai ba bốn năm " * 50, 40)
    assert zalo_length(clipped) <= 40
    assert clipped.endswith("…")


def test_welcome_names_the_official_sender_switchboard_and_ticket_format(
    reference: Reference,
) -> None:
    welcome = welcome_reply(reference)
    assert reference.official_sender.address in welcome
    assert reference.switchboard.display in welcome
    assert reference.ticket.format in welcome
    assert reference.never[0].vi in welcome
    assert zalo_length(welcome) < MAX_CHARS


def test_reply_says_how_many_findings_the_answer_left_out(reference: Reference) -> None:
    findings = [link_finding(f"http://scam{i}.example/") for i in range(3)]
    assessment = Assessment(
        Verdict.IMPERSONATION,
        tuple(findings),
        Extracted((), (), (), (), ()),
        ("stop", "call_switchboard"),
        dt.datetime.now(dt.UTC),
        {"request.link": 97, "phone.mobile": 1797},
    )
    reply = verdict_reply(assessment, reference)
    reasons = reply.split("\n\n")[1].splitlines()
    assert reasons[-1].startswith("(Còn 1894 phát hiện cùng loại không liệt kê;")
    english = verdict_reply(assessment, reference, Lang.EN)
    assert "(1894 more findings of these kinds are not listed;" in english


def test_reply_with_nothing_left_out_says_nothing_of_it(reference: Reference) -> None:
    reply = verdict_reply(
        assessment_with([link_finding("http://x.example")], Verdict.IMPERSONATION), reference
    )
    assert "không liệt kê" not in reply
    assert reply.split("\n\n")[1].splitlines()[-1].startswith("• ")
