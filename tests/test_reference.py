"""The reference file: every fact with its source; a broken copy names the bad entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import Settings
from app.engine.reference import BUNDLED, ReferenceDataError, load_reference
from app.engine.reference.models import Reference
from app.main import create_app


def broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = BUNDLED.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    copy = tmp_path / "kbnn.toml"
    copy.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


def test_bundled_file_holds_the_published_facts(reference: Reference) -> None:
    assert reference.official_sender.address == "hotrocntt@vst.gov.vn"
    assert reference.switchboard.e164 == "+842462764300"
    assert reference.misprints[0].number == "0246764300"
    assert len(reference.extensions.listed) == 8
    assert reference.remote_signing.mandatory is False
    assert reference.password_policy.rotate_days == 42


def test_every_cited_source_is_a_known_notice(reference: Reference) -> None:
    cited = {sid for statement in reference.never for sid in statement.sources}
    assert cited <= set(reference.sources)


def test_a_citation_names_each_notice_with_its_date_in_order(reference: Reference) -> None:
    first, second = sorted(reference.sources)[:2]
    expected = f"{reference.citations[second]}; {reference.citations[first]}"
    assert expected.startswith(f"{second} (") and expected.count("/") >= 4
    assert reference.cite((second, first)) == expected
    assert reference.cite([second, first]) == expected  # a list cites as its tuple does
    assert reference.cite((first, second)) != expected
    assert reference.cite(()) == ""


def test_a_bad_extension_names_its_entry(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, '"88617", "88618"', '"88617", "8861x"')
    with pytest.raises(ReferenceDataError, match=r"entry 'extensions\.listed\.1'"):
        load_reference(path)


def test_a_citation_of_an_unknown_notice_names_its_entry(tmp_path: Path) -> None:
    path = broken_copy(
        tmp_path,
        'within_working_days = 1\nsources = ["935/QĐ-KBNN"]',
        'within_working_days = 1\nsources = ["934/QĐ-KBNN"]',
    )
    with pytest.raises(ReferenceDataError, match=r"incident_reply\.sources.*934/QĐ-KBNN"):
        load_reference(path)


def test_invalid_toml_is_reported_with_the_file(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, "[switchboard]", "[switchboard")
    with pytest.raises(ReferenceDataError, match="not valid TOML"):
        load_reference(path)


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ReferenceDataError, match="cannot read"):
        load_reference(tmp_path / "nope.toml")


def test_a_broken_reference_file_stops_start_up(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, 'e164 = "+842462764300"', 'e164 = "024"')
    with pytest.raises(ReferenceDataError, match="switchboard.e164"):
        create_app(Settings(reference_file=str(path)))


def test_an_operator_copy_changes_the_facts_without_code(tmp_path: Path) -> None:
    path = broken_copy(tmp_path, '"88617", "88618"', '"88617", "88619"')
    assert "88619" in load_reference(path).extensions.listed
