"""Personal data typed where it does not belong never reaches a finding, and findings quote
only short excerpts; case ids that are NHS numbers, phone numbers or names are refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import hostile_files as h
from hubspoke.diagnostics import Diagnostic, Location, Severity, printable
from hubspoke.privacy.screen import id_kinds, nhs_check_ok, redact, text_kinds, value_kind
from hubspoke.validation import validate_file

PERSONAL = {
    h.FAKE_EMAIL: "an email address",
    h.FAKE_NAME: "a name",
    "943 476 5919": "an NHS number",
    h.FAKE_PHONE: "a phone number",
    h.FAKE_POSTCODE: "a postcode",
    "03/04/2003": "a date of birth",
}


def _report_text(path: Path) -> str:
    return json.dumps(validate_file(path).to_json())


@pytest.mark.parametrize(("value", "words"), list(PERSONAL.items()))
def test_personal_data_in_a_coded_cell_is_withheld_from_findings(
    tmp_path: Path, value: str, words: str
) -> None:
    path = h.values_csv(tmp_path, [f'S01,2015-16 Q1,referrals_received,4,"{value}"'])
    text = _report_text(path)
    assert value not in text
    assert f"(value withheld: looks like {words})" in text


@pytest.mark.parametrize("value", [h.FAKE_EMAIL, h.FAKE_NAME, "9434765919", h.FAKE_PHONE])
def test_personal_data_in_a_measure_or_number_cell_is_withheld(tmp_path: Path, value: str) -> None:
    path = h.values_csv(
        tmp_path,
        [f'S01,2015-16 Q1,"{value}",4,', f'S01,2015-16 Q1,referrals_received,"{value}",'],
    )
    text = _report_text(path)
    assert value not in text
    assert "(value withheld: looks like" in text


def test_ordinary_bad_values_are_still_quoted(tmp_path: Path) -> None:
    path = h.values_csv(tmp_path, ["S01,2015-16 Q1,referrals_received,4,Femail"])
    report = validate_file(path)
    (d,) = [d for d in report.diagnostics if d.code == "unknown-code"]
    assert d.value == "Femail"
    assert "Femail" in d.message


def test_a_long_value_is_quoted_as_a_short_excerpt(tmp_path: Path) -> None:
    big = "q" * 30_000  # under the cell cap, so it reaches the code rule
    path = h.values_csv(tmp_path, [f"S01,2015-16 Q1,referrals_received,4,{big}"])
    text = _report_text(path)
    assert big not in text
    assert "(30,000 characters)" in text
    assert len(text) < 10_000


@pytest.mark.parametrize(
    ("case_id", "kind"),
    [
        ("9434765919", "NHS numbers"),
        ("07700900123", "phone numbers"),
        ("Testname.Example", "people's names"),
        ("TestnameExample", "people's names"),
    ],
)
def test_case_ids_that_are_personal_data_are_refused(
    tmp_path: Path, case_id: str, kind: str
) -> None:
    path = h.cases_csv(tmp_path, [h.GOOD_CASE, f"S01,2015-16,{case_id},07/04/2015,police,F,14"])
    report = validate_file(path)
    assert (report.rows_imported, report.rows_rejected) == (1, 1)
    (d,) = [d for d in report.diagnostics if d.code == "personal-data"]
    assert kind in d.message
    assert case_id not in json.dumps(report.to_json())


def test_pseudonymous_case_ids_pass() -> None:
    for case_id in ("S14-C0001", "Case-0042", "abc", "9434765918", "LS6"):
        assert id_kinds(case_id) == (), case_id


def test_nhs_check_digit() -> None:
    assert nhs_check_ok("9434765919")
    assert not nhs_check_ok("9434765918")
    assert not nhs_check_ok("123456789")
    assert text_kinds("NHS no 943 476 5919.") == ("nhs_number",)
    assert text_kinds("ref 943 476 5918") == ()


@pytest.mark.parametrize(
    "phone", ["07700 900123", "+44 7700 900123", "(0113) 496 0000", "0113-496-0000", "01134960000"]
)
def test_uk_phone_numbers_in_free_text(phone: str) -> None:
    assert "phone" in text_kinds(f"call {phone} after 5")


def test_codes_and_measures_are_not_taken_for_names() -> None:
    for text in ("White British", "White Britsh", "Police Scotland", "Referrals Received"):
        assert value_kind(text) is None, text
    assert value_kind(h.FAKE_NAME) == "name"


def test_a_date_is_withheld_only_where_no_date_belongs() -> None:
    unknown = Diagnostic(
        code="unknown-code", severity=Severity.ERROR, message="'03/04/2003' bad", value="03/04/2003"
    )
    assert unknown.value is None
    assert "03/04/2003" not in unknown.message
    dated = Diagnostic(
        code="date-outside-period",
        severity=Severity.WARNING,
        message="03/04/2003 is outside",
        value="03/04/2003",
    )
    assert dated.value == "03/04/2003"


def test_messages_are_redacted_even_without_a_value() -> None:
    d = Diagnostic(
        code="x",
        severity=Severity.ERROR,
        message=f"header {h.FAKE_EMAIL!r} and {h.FAKE_PHONE}",
        suggestion=f"ring {h.FAKE_PHONE}",
    )
    assert h.FAKE_EMAIL not in d.message
    assert h.FAKE_PHONE not in d.message
    assert d.suggestion is not None
    assert h.FAKE_PHONE not in d.suggestion
    assert redact("nothing here") == "nothing here"


def test_control_characters_are_escaped_for_terminals() -> None:
    name = "a\nb\x1b[31m.csv"
    d = Diagnostic(
        code="x", severity=Severity.ERROR, message="bad\x1b[2J", location=Location(file=name)
    )
    shown = str(d)
    assert "\n" not in shown
    assert "\x1b" not in shown
    assert "a\\nb\\x1b[31m.csv" in shown
    assert printable("plain") == "plain"


def test_validate_escapes_control_characters_in_file_names(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from hubspoke.cli import main

    path = h.cases_csv(tmp_path, ["S01,2015-16,bad id!,07/04/2015,police,F,14"])
    hostile = path.with_name("evil\n\x1b[31mname.csv")
    path.rename(hostile)
    result = CliRunner().invoke(main, ["validate", str(hostile)])
    assert "\x1b" not in result.output
    assert "evil\\n\\x1b[31mname.csv" in result.output
