"""Acceptance: every validation rule of the importers issue, through the built-in importers.

Each file below is read by ``validate_file`` with the real registry (the
built-in importers arrive through their entry point, as a user's would), so
these show what a hub sees for its own ``hubspoke-values`` or
``hubspoke-cases`` file: the rule id, the severity, the location (file,
spreadsheet row, column header and letter) and the offending value. The
CSV reading rules (BOM, Windows-1252, semicolons, UK dates) are checked the
same way.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubspoke.diagnostics import Diagnostic, Location, Severity
from hubspoke.validation import FileReport, validate_file

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "returns"
CASES_HEADER = (
    "service,period,case_id,referral_date,referral_source,risk_at_referral,risk_latest,"
    "gender,ethnicity,sexuality,age,support_type,missing_before,missing_after,closed_on,"
    "closure_reason"
)
#: A clean case row; ``{date}`` is the referral date (column D), ``{gender}`` column H.
CASE_ROW = "S14,2015-16,{case_id},{date},police,high,medium,{gender},WBRI,not asked,14,1:1,3,1,,"
VALUES_HEADER = "service,period,measure,value,gender,profession"


def case_row(case_id: str = "S14-C0001", day: str = "07/04/2015", gender: str = "F") -> str:
    return CASE_ROW.format(case_id=case_id, date=day, gender=gender)


def validate(tmp_path: Path, name: str, lines: list[str], encoding: str = "utf-8") -> FileReport:
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    report = validate_file(path)
    assert report.rows_read == report.rows_imported + report.rows_rejected
    return report


def only(report: FileReport, code: str) -> Diagnostic:
    found = [d for d in report.diagnostics if d.code == code]
    assert len(found) == 1, report.diagnostics
    return found[0]


def where(d: Diagnostic) -> tuple[str | None, int | None, str | None, str | None]:
    loc = d.location
    return (loc.file, loc.row, loc.column, loc.column_letter)


def test_unknown_code_in_a_cases_file(tmp_path: Path) -> None:
    report = validate(
        tmp_path, "c.csv", [CASES_HEADER, case_row(), case_row("S14-C0002", gender="Femle")]
    )
    assert report.importer == "hubspoke-cases"
    d = only(report, "unknown-code")
    assert d.severity is Severity.ERROR
    assert where(d) == ("c.csv", 3, "gender", "H")
    assert d.value == "Femle"
    assert d.suggestion is not None
    assert "Female" in d.suggestion
    assert (report.rows_imported, report.rows_rejected) == (1, 1)


@pytest.mark.parametrize(
    ("row", "code", "column", "letter", "value"),
    [
        ("S12,2015-16 Q2,referals recieved,4,,", "unknown-measure", "measure", "C", None),
        (
            "S12,2015-16 Q2,referrals_received,4,,police",
            "breakdown-not-allowed",
            "profession",
            "F",
            None,
        ),
        ("S12,2015-16 Q2,referrals_received,-3,,", "negative-count", "value", "D", "-3"),
        ("S12,2015-16 Q2,referrals_received,2.5,,", "non-integer-count", "value", "D", "2.5"),
        ("S12,Q2,referrals_received,4,,", "period-label", "period", "B", "Q2"),
        ("S12,sometime,referrals_received,4,,", "period-label", "period", "B", "sometime"),
    ],
)
def test_values_file_rules_reject_the_row_at_its_cell(
    tmp_path: Path, row: str, code: str, column: str, letter: str, value: str | None
) -> None:
    good = "S12,2015-16 Q2,referrals_accepted,3,,"
    report = validate(tmp_path, "v.csv", [VALUES_HEADER, good, row])
    assert report.importer == "hubspoke-values"
    d = only(report, code)
    assert d.severity is Severity.ERROR
    assert where(d) == ("v.csv", 3, column, letter)
    if value is not None:
        assert d.value == value
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (2, 1, 1)


def test_unknown_measure_and_ambiguous_period_suggest_a_fix(tmp_path: Path) -> None:
    report = validate(
        tmp_path,
        "v.csv",
        [VALUES_HEADER, "S12,2015-16 Q2,referals recieved,4,,", "S12,Q2,referrals_received,4,,"],
    )
    assert only(report, "unknown-measure").suggestion == "did you mean 'referrals_received'?"
    period = only(report, "period-label")
    assert "no year" in period.message
    assert period.suggestion is not None
    assert "2015-16 Q1" in period.suggestion


def test_duplicate_case_id_names_both_rows(tmp_path: Path) -> None:
    report = validate(tmp_path, "c.csv", [CASES_HEADER, case_row(), case_row(day="08/04/2015")])
    d = only(report, "duplicate-case-id")
    assert where(d) == ("c.csv", 3, "case_id", "C")
    assert "row 2" in d.message
    assert (report.rows_imported, report.rows_rejected) == (1, 1)


def test_missing_required_column_names_the_near_miss(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_text("service,period,measure,valeu\nS12,2015-16 Q2,referrals_received,4\n")
    report = validate_file(path, format="hubspoke-values")
    d = only(report, "missing-column")
    assert (d.location.file, d.location.row) == ("v.csv", 1)
    assert "'value'" in d.message
    assert "valeu" in (d.suggestion or d.message)
    assert (report.rows_read, report.rows_rejected) == (1, 1)


@pytest.mark.parametrize(
    ("header", "cell", "letter", "kind"),
    [
        ("Name", "Alder Example", "Q", "names"),
        ("Email", "someone@example.org", "Q", "email"),
        ("Postcode", "LS6 1AB", "Q", "postcode"),
        ("DOB", "01/02/2001", "Q", "dates of birth"),
    ],
)
def test_personal_data_is_located_and_never_repeated(
    tmp_path: Path, header: str, cell: str, letter: str, kind: str
) -> None:
    report = validate(tmp_path, "c.csv", [f"{CASES_HEADER},{header}", f"{case_row()},{cell}"])
    d = only(report, "personal-data")
    assert d.severity is Severity.ERROR
    assert where(d) == ("c.csv", 2, header, letter)
    assert kind in d.message
    assert cell not in str(report.to_json())
    assert not report.ok


def test_breakdown_rows_not_summing_to_their_total(tmp_path: Path) -> None:
    report = validate(
        tmp_path,
        "v.csv",
        [
            VALUES_HEADER,
            "S12,2015-16 Q2,referrals_received,10,,",
            "S12,2015-16 Q2,referrals_received,6,Female,",
            "S12,2015-16 Q2,referrals_received,3,Male,",
        ],
    )
    d = only(report, "breakdown-sum")
    assert d.severity is Severity.WARNING
    assert d.location.file == "v.csv"
    assert d.location.row is not None or d.location.path is not None
    assert "sum to 9, but the total is 10" in d.message
    assert report.rows_imported == 3  # a warning keeps every row


def test_date_outside_the_period(tmp_path: Path) -> None:
    report = validate(tmp_path, "c.csv", [CASES_HEADER, case_row(day="07/04/2017")])
    d = only(report, "date-outside-period")
    assert d.severity is Severity.WARNING
    assert d.location.file == "c.csv"
    assert d.location.row is not None or d.location.path is not None
    assert "07/04/2017 is after the period 2015-16" in d.message
    assert report.rows_imported == 1


def test_return_level_rules_give_the_spreadsheet_row(tmp_path: Path) -> None:
    report = validate(tmp_path, "c.csv", [CASES_HEADER, case_row(day="07/04/2017")])
    d = only(report, "date-outside-period")
    assert where(d) == ("c.csv", 2, "referral_date", "D")


def test_breakdown_sums_point_at_the_total_row(tmp_path: Path) -> None:
    lines = [
        VALUES_HEADER,
        "S12,2015-16 Q2,referrals_received,10,,",
        "S12,2015-16 Q2,referrals_received,3,female,",
        "S12,2015-16 Q2,referrals_received,4,male,",
    ]
    report = validate(tmp_path, "v.csv", lines)
    d = only(report, "breakdown-sum")
    assert d.location.file == "v.csv"
    assert d.location.row == 2  # the total row, as the user sees it
    assert d.location.path is None


# --- CSV reading rules -------------------------------------------------------------


def test_utf8_bom_and_semicolons_read_like_plain_commas(tmp_path: Path) -> None:
    lines = [CASES_HEADER, case_row(), case_row("S14-C0002", day="21/04/2015")]
    plain = validate(tmp_path, "plain.csv", lines)
    semi = validate(tmp_path, "semi.csv", [ln.replace(",", ";") for ln in lines], "utf-8-sig")
    assert plain.importer == semi.importer == "hubspoke-cases"
    assert plain.ok, plain.diagnostics
    assert semi.ok, semi.diagnostics
    assert [c.referral_date for c in plain.materialised_returns()[0].cases] == [
        c.referral_date for c in semi.materialised_returns()[0].cases
    ]
    assert semi.materialised_returns()[0].cases[1].referral_date == date(2015, 4, 21)


def test_windows_1252_from_excel_is_read_and_noted(tmp_path: Path) -> None:
    lines = [
        VALUES_HEADER + ",notes",
        "S12,2015-16 Q2,referrals_received,4,,,Référé £5 – “quoted”",
    ]
    report = validate(tmp_path, "excel.csv", [ln.replace(",", ";") for ln in lines], "cp1252")
    assert report.importer == "hubspoke-values"
    assert (report.rows_imported, report.rows_rejected) == (1, 0)
    encoding = only(report, "encoding")
    assert encoding.severity is Severity.INFO
    assert "1252" in encoding.message


def test_a_us_order_date_is_refused_at_its_cell_never_swapped(tmp_path: Path) -> None:
    report = validate(tmp_path, "c.csv", [CASES_HEADER, case_row(day="04/25/2015")])
    errors = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    assert errors, report.diagnostics
    assert where(errors[0]) == ("c.csv", 2, "referral_date", "D")
    assert (report.rows_imported, report.rows_rejected) == (0, 1)


@settings(max_examples=25, deadline=None)
@given(st.dates(min_value=date(2015, 4, 1), max_value=date(2016, 3, 31)))
def test_uk_dates_are_always_day_first(tmp_path_factory: pytest.TempPathFactory, day: date) -> None:
    tmp = tmp_path_factory.mktemp("uk")
    report = validate(tmp, "c.csv", [CASES_HEADER, case_row(day=day.strftime("%d/%m/%Y"))])
    assert report.ok, report.diagnostics
    assert report.materialised_returns()[0].cases[0].referral_date == day


def test_record_rows_build_locations_lazily_and_name_the_column() -> None:
    from hubspoke.plugins.contract import RecordRows

    rows = RecordRows(
        "q.xlsx",
        {(0, "activities"): (["Activities", "Activities"], [5, None])},
        {"Activities": {"on": ("Date", "A")}},
    )
    assert rows[(0, "activities", 0)] == Location(file="q.xlsx", sheet="Activities", row=5)
    assert rows.locate(0, "activities", 0, "on") == Location(
        file="q.xlsx", sheet="Activities", row=5, column="Date", column_letter="A"
    )
    assert rows.locate(0, "activities", 1) is None  # row not known
    assert rows.locate(1, "cases", 0) is None
    assert list(rows) == [(0, "activities", 0)]
    assert len(rows) == 1


def test_duplicate_case_ids_are_per_service_and_period(tmp_path: Path) -> None:
    other = case_row("S14-C0001").replace("S14,", "S15,", 1)
    lines = [CASES_HEADER, case_row("S14-C0001"), other, case_row("S14-C0001")]
    report = validate(tmp_path, "c.csv", lines)
    d = only(report, "duplicate-case-id")
    assert (d.location.row, d.location.column) == (4, "case_id")
    assert "already appears in row 2" in d.message
    assert (report.rows_imported, report.rows_rejected) == (2, 1)
