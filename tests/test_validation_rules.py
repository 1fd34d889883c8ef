"""Each validation rule, triggered by a file, with the diagnostic's location asserted.

Files are read through ``validate_file`` with a registry holding the tidy
values test importer (``service,period,measure,value,...`` CSV) and the
Northmoor example plugin (semicolon-separated case export).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hubspoke.diagnostics import Diagnostic, Severity
from hubspoke.plugins.registry import Registry
from hubspoke.validation import FileReport, validate_file
from plugin_fakes import rules_registry

BANNER = "NYPP CaseBook export;Period: 2015-16 Q1;Exported: 07/07/2015"
CASE_HEADER = "Client Ref;Team;Ref Date;Referrer;Risk Start;Risk Now;Sex;Ethnic Group;Age"
GOOD_CASE = "NM-0001;northmoor-leeds;02/02/2015;SCH;R;A;F;W1;14"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return rules_registry()


def run(registry: Registry, path: Path, text: str, format: str | None = None) -> FileReport:
    path.write_text(text, encoding="utf-8")
    return validate_file(path, registry=registry, format=format)


def only(report: FileReport, code: str) -> Diagnostic:
    found = [d for d in report.diagnostics if d.code == code]
    assert len(found) == 1, report.diagnostics
    return found[0]


def test_unknown_code_is_located_with_a_suggestion(registry: Registry, tmp_path: Path) -> None:
    text = "\n".join(
        [BANNER, CASE_HEADER, GOOD_CASE, "NM-0002;northmoor-leeds;03/02/2015;SCH;R;A;Femle;W1;14"]
    )
    report = run(registry, tmp_path / "cases.csv", text + "\n")
    d = only(report, "unknown-code")
    assert (d.location.file, d.location.row, d.location.column, d.location.column_letter) == (
        "cases.csv",
        4,
        "Sex",
        "G",
    )
    assert d.value == "Femle"
    assert d.suggestion == "did you mean '2' (Female)?"
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (2, 1, 1)


def test_unknown_measure_suggests_the_closest_id(registry: Registry, tmp_path: Path) -> None:
    text = "service,period,measure,value\nsp-1,2015-16 Q1,referals recieved,4\n"
    d = only(run(registry, tmp_path / "values.csv", text), "unknown-measure")
    assert (d.location.row, d.location.column, d.location.column_letter) == (2, "measure", "C")
    assert d.suggestion == "did you mean 'referrals_received'?"


def test_breakdown_not_allowed(registry: Registry, tmp_path: Path) -> None:
    text = (
        "service,period,measure,value,profession\n"
        "sp-1,2015-16 Q1,professionals_trained,4,police\n"
        "sp-1,2015-16 Q1,referrals_received,4,police\n"
    )
    report = run(registry, tmp_path / "values.csv", text)
    d = only(report, "breakdown-not-allowed")
    assert (d.location.row, d.location.column, d.location.column_letter) == (3, "profession", "E")
    assert "'referrals_received' cannot be broken down by profession" in d.message
    assert report.rows_rejected == 1


@pytest.mark.parametrize(
    ("cell", "code"),
    [("-2", "negative-count"), ("2.5", "non-integer-count"), ("several", "not-a-number")],
)
def test_count_rules(registry: Registry, tmp_path: Path, cell: str, code: str) -> None:
    text = (
        "service,period,measure,value\nsp-1,2015-16 Q1,referrals_received,3\n"
        f"sp-1,2015-16 Q1,referrals_accepted,{cell}\n"
    )
    report = run(registry, tmp_path / "values.csv", text)
    d = only(report, code)
    assert (d.location.row, d.location.column, d.location.column_letter) == (3, "value", "D")
    assert d.value == cell
    assert (report.rows_imported, report.rows_rejected) == (1, 1)


def test_hours_may_be_fractional(registry: Registry, tmp_path: Path) -> None:
    text = "service,period,measure,value\nsp-1,2015-16 Q1,hours_direct_work,2.5\n"
    report = run(registry, tmp_path / "values.csv", text)
    assert report.ok, report.diagnostics


def test_unreadable_date_and_us_order(registry: Registry, tmp_path: Path) -> None:
    text = "\n".join([BANNER, CASE_HEADER, "NM-0002;northmoor-leeds;12/31/2015;SCH;R;A;F;W1;14"])
    d = only(run(registry, tmp_path / "cases.csv", text), "date-unreadable")
    assert (d.location.row, d.location.column, d.location.column_letter) == (3, "Ref Date", "C")


def test_date_outside_period_is_a_located_warning(registry: Registry, tmp_path: Path) -> None:
    text = "\n".join(
        [BANNER, CASE_HEADER, GOOD_CASE, "NM-0002;northmoor-leeds;03/09/2015;SCH;R;A;F;W1;14"]
    )
    report = run(registry, tmp_path / "cases.csv", text)
    d = only(report, "date-outside-period")
    assert d.severity is Severity.WARNING
    # the Northmoor importer says where each record was read: the row and column
    assert (d.location.file, d.location.row, d.location.column) == ("cases.csv", 4, "Ref Date")
    assert "03/09/2015 is after the period 2015-16 Q1" in d.message
    assert report.ok


def test_duplicate_case_id_names_the_first_row(registry: Registry, tmp_path: Path) -> None:
    text = "\n".join([BANNER, CASE_HEADER, GOOD_CASE, GOOD_CASE.replace("02/02", "05/02")])
    report = run(registry, tmp_path / "cases.csv", text)
    d = only(report, "duplicate-case-id")
    assert (d.location.row, d.location.column) == (4, "Client Ref")
    assert "already appears in row 3" in d.message


def test_breakdown_rows_not_summing_to_total(registry: Registry, tmp_path: Path) -> None:
    text = (
        "service,period,measure,value,gender\n"
        "sp-1,2015-16 Q1,referrals_received,10,\n"
        "sp-1,2015-16 Q1,referrals_received,6,female\n"
        "sp-1,2015-16 Q1,referrals_received,3,male\n"
    )
    report = run(registry, tmp_path / "values.csv", text)
    d = only(report, "breakdown-sum")
    assert d.severity is Severity.WARNING
    assert (d.location.file, d.location.path) == ("values.csv", "$.values[0]")
    assert "sum to 9, but the total is 10" in d.message


def test_breakdown_rows_summing_to_total_pass(registry: Registry, tmp_path: Path) -> None:
    text = (
        "service,period,measure,value,gender\n"
        "sp-1,2015-16 Q1,referrals_received,9,\n"
        "sp-1,2015-16 Q1,referrals_received,6,female\n"
        "sp-1,2015-16 Q1,referrals_received,3,male\n"
    )
    assert run(registry, tmp_path / "values.csv", text).diagnostics == ()


def test_missing_required_column(registry: Registry, tmp_path: Path) -> None:
    text = "service,period,measure,valeu\nsp-1,2015-16 Q1,referrals_received,4\n"
    report = run(registry, tmp_path / "values.csv", text, format="test-values")
    d = only(report, "missing-column")
    assert (d.location.file, d.location.row) == ("values.csv", 1)
    assert d.suggestion == "did you mean 'valeu'? rename it to 'value'"
    assert (report.rows_read, report.rows_rejected) == (1, 1)


def test_ambiguous_period_label(registry: Registry, tmp_path: Path) -> None:
    text = "service,period,measure,value\nsp-1,Q1,referrals_received,4\n"
    report = run(registry, tmp_path / "values.csv", text)
    d = only(report, "period-label")
    assert (d.location.row, d.location.column, d.location.column_letter) == (2, "period", "B")
    assert "has no year" in d.message
    assert report.rows_rejected == 1


@pytest.mark.parametrize(
    ("header", "cell", "kind"),
    [
        ("Surname", "Example", "people's names"),
        ("Contact", "someone@example.org", "email addresses"),
        ("Home", "LS6 1AB", "full postcodes"),
        ("DOB", "01/02/2001", "dates of birth"),
    ],
)
def test_personal_data(
    registry: Registry, tmp_path: Path, header: str, cell: str, kind: str
) -> None:
    text = "\n".join(
        [
            BANNER,
            f"{CASE_HEADER};{header}",
            f"{GOOD_CASE};",
            f"{GOOD_CASE.replace('0001', '0002')};{cell}",
        ]
    )
    report = run(registry, tmp_path / "cases.csv", text)
    d = only(report, "personal-data")
    assert (d.location.row, d.location.column, d.location.column_letter) == (4, header, "J")
    assert kind in d.message
    assert d.value is None  # the personal value is never repeated in the report
    assert cell not in str(report.to_json())


def test_postcode_district_is_not_personal(registry: Registry, tmp_path: Path) -> None:
    text = "\n".join([BANNER, f"{CASE_HEADER};Area", f"{GOOD_CASE};LS6"])
    report = run(registry, tmp_path / "cases.csv", text)
    assert [d.code for d in report.diagnostics] == ["northmoor-unknown-column"]
