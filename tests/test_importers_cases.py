"""hubspoke-cases: periods, grouping, duplicates, model rules, blanks, speed path."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hubspoke.diagnostics import Diagnostic, Severity
from hubspoke.periods import financial_year
from hubspoke.plugins.contract import LoadOptions, LoadResult, Probe
from hubspoke_importers.cases import CasesImporter

HEADER = "service,case_id,referral_date,risk_at_referral,gender,age,closed_on,closure_reason\n"


def load(tmp_path: Path, text: str, **options: object) -> LoadResult:
    path = tmp_path / "cases.csv"
    path.write_text(text, encoding="utf-8")
    return CasesImporter().load(path, options=LoadOptions(**options))  # type: ignore[arg-type]


def test_period_comes_from_options_when_there_is_no_column(tmp_path: Path) -> None:
    r = load(tmp_path, HEADER + "S01,C-1,05/04/2015,High,girl,14,,\n", period=financial_year(2015))
    assert r.ok
    (ret,) = r.materialised_returns()
    assert ret.period == financial_year(2015)
    case = ret.cases[0]
    assert (case.referral_date, case.risk_at_referral, case.gender, case.age) == (
        date(2015, 4, 5),
        "high",
        "2",
        14,
    )


def test_without_period_column_or_option_the_file_is_refused_row_by_row(tmp_path: Path) -> None:
    r = load(tmp_path, HEADER + "S01,C-1,05/04/2015,high,2,14,,\nS01,C-2,,,,,,\n")
    assert (r.rows_read, r.rows_imported, r.rows_rejected) == (2, 0, 2)
    assert [(d.code, d.location.row) for d in r.diagnostics] == [
        ("missing-column", 1),
        ("row-rejected", 2),
        ("row-rejected", 3),
    ]
    assert "'period'" in r.diagnostics[0].message


def test_rows_group_into_one_return_per_service_and_period(tmp_path: Path) -> None:
    text = (
        "service,period,case_id\n"
        "S01,2015-16,C-1\nS02,2015-16,C-1\nS01,2016-17,C-1\nS01,2015-16,C-2\n"
    )
    r = load(tmp_path, text)
    assert r.ok
    assert [(x.service_id, x.period.label, len(x.cases)) for x in r.materialised_returns()] == [
        ("S01", "2015-16", 2),
        ("S02", "2015-16", 1),
        ("S01", "2016-17", 1),
    ]


def test_duplicate_case_ids_are_found_within_each_service_and_period(tmp_path: Path) -> None:
    text = (
        "service,period,case_id\n"
        "S01,2015-16,C-1\nS02,2015-16,C-1\nS01,2015-16,C-1\nS02,2015-16,C-1\n"
    )
    r = load(tmp_path, text)
    assert [(d.code, d.location.row, d.location.column_letter) for d in _found(r)] == [
        ("duplicate-case-id", 4, "C"),
        ("duplicate-case-id", 5, "C"),
    ]
    assert "row 2" in _found(r)[0].message
    assert "row 3" in _found(r)[1].message


def test_blank_cells_mean_not_supplied_and_not_recorded_stays_distinct(tmp_path: Path) -> None:
    text = "service,period,case_id,gender,ethnicity,sexuality\nS01,2015-16,C-1,,refused,not known\n"
    case = load(tmp_path, text).materialised_returns()[0].cases[0]
    assert (case.gender, case.ethnicity, case.sexuality) == (None, "REFU", "not_recorded")


def test_model_rules_reject_with_their_column(tmp_path: Path) -> None:
    text = HEADER.replace("service,", "service,period,") + (
        "S01,2015-16,C-1,05/06/2015,high,2,14,01/05/2015,completed\n"
        "S01,2015-16,C-2,05/06/2015,high,2,14,,completed\n"
        "S01,2015-16,C 3,05/06/2015,high,2,14,,\n"
        "S01,2015-16,C-4,05/06/2015,high,2,26,,\n"
    )
    r = load(tmp_path, text)
    assert (r.rows_read, r.rows_imported, r.rows_rejected) == (4, 0, 4)
    assert [(d.code, d.location.row, d.location.column) for d in _found(r)] == [
        ("invalid-record", 2, "closed_on"),
        ("invalid-record", 3, "closure_reason"),
        ("invalid-case-id", 4, "case_id"),
        ("age-out-of-range", 5, "age"),
    ]


def test_every_bad_cell_of_a_row_is_reported(tmp_path: Path) -> None:
    text = "service,period,case_id,gender,risk_latest,missing_after\nS01,2015-16,C-1,gril,hgh,-2\n"
    r = load(tmp_path, text)
    assert r.rows_rejected == 1
    assert [(d.code, d.location.column_letter) for d in _found(r)] == [
        ("unknown-code", "D"),
        ("unknown-code", "E"),
        ("negative-count", "F"),
    ]
    assert all(d.severity is Severity.ERROR for d in _found(r))


def test_many_rows_load_column_wise(tmp_path: Path) -> None:
    rows = "".join(
        f"S{1 + i % 5:02d},2015-16,C-{i:05d},0{1 + i % 9}/0{4 + i % 6}/2015,"
        f"{('high', 'medium', 'low')[i % 3]},{('F', 'M', '2')[i % 3]},{10 + i % 8},,\n"
        for i in range(5000)
    )
    r = load(tmp_path, HEADER.replace("service,", "service,period,") + rows)
    assert (r.rows_read, r.rows_imported, r.rows_rejected) == (5000, 5000, 0)
    assert sum(r.record_counts()) == 5000


def test_sniff_needs_case_id_and_no_measure() -> None:
    def score(header: str) -> float | None:
        return CasesImporter().sniff(Probe(path=Path("x.csv"), head=header.encode()))

    assert score("service;case_id;gender\n") == 0.9
    assert score("Case ID,gender\n") == 0.6
    assert score("service,case_id,measure,value\n") is None


def test_a_case_id_holding_an_email_is_rejected_without_repeating_it(tmp_path: Path) -> None:
    text = "service,period,case_id\nS01,2015-16,someone@example.org\nS01,2015-16,C-2\n"
    r = load(tmp_path, text)
    assert (r.rows_read, r.rows_imported, r.rows_rejected) == (2, 1, 1)
    (d,) = _found(r)
    assert (d.code, d.location.row, d.location.column_letter, d.value) == (
        "personal-data",
        2,
        "C",
        None,
    )
    assert "example.org" not in str(d)
    assert "example.org" not in repr(r.materialised_returns())


def test_punctuation_in_a_coded_cell_is_not_taken_for_blank(tmp_path: Path) -> None:
    r = load(tmp_path, "service,period,case_id,gender\nS01,2015-16,C-1,?\nS01,2015-16,C-2,\n")
    assert (r.rows_read, r.rows_imported, r.rows_rejected) == (2, 1, 1)
    assert [(d.code, d.location.row, d.value) for d in _found(r)] == [("unknown-code", 2, "?")]


def _found(r: LoadResult) -> list[Diagnostic]:
    """The findings about rows and cells (not the columns a key outcome lacks)."""
    return [d for d in r.diagnostics if d.code != "outcome-column-missing"]


def test_a_file_without_a_column_an_outcome_needs_is_warned_naming_both(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "service,period,case_id,risk_latest,missing_before,missing_after\n"
        "S01,2015-16,C-1,high,1,0\n",
        encoding="utf-8",
    )
    r = CasesImporter().load(path, options=LoadOptions())
    (d,) = [d for d in r.diagnostics if d.code == "outcome-column-missing"]
    assert d.severity.value == "warning"
    assert d.message == (
        "no risk_at_referral column: outcome 6 cannot show the risk change "
        "(risk fell, stayed or rose) for these cases"
    )
    assert r.rows_imported == 1
