"""The thatgia command: check from the shell, for people and for machines."""

from __future__ import annotations

import io
import json

import pytest

from app.cli.main import main


def test_check_prints_verdict_findings_and_advice(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "check",
            "--phone",
            "0246764300",
            "--received-at",
            "2025-11-21T10:00:00+07:00",
            "--lang",
            "en",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[0].startswith("IMPERSONATION")
    assert "phone.misprint" in out
    assert "024 6276 4300" in out


def test_check_json_is_machine_readable(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "check",
            "--sender",
            "hotrocntt@vst.gov.vn",
            "--ticket",
            "SD251120-000123",
            "--received-at",
            "2025-11-21T10:00:00+07:00",
            "--json",
        ]
    )
    body = json.loads(capsys.readouterr().out)
    assert code == 0
    assert body["verdict"] == "plausible"
    assert [f["code"] for f in body["findings"]] == ["sender.official", "ticket.valid"]


def test_check_reads_the_message_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("Vào bit.ly/kbnn-xacthuc để mở khóa"))
    assert main(["check", "-", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["verdict"] == "impersonation"
    assert "request.link" in {f["code"] for f in body["findings"]}


def test_check_without_anything_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 2
    assert "nothing to check" in capsys.readouterr().err
