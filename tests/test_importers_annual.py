"""annual-summary-csv: header lines, label matching, numbers, unmatched labels."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hubspoke.diagnostics import Severity
from hubspoke.periods import financial_year
from hubspoke.plugins.contract import LoadOptions, LoadResult, Probe
from hubspoke_importers.annual import AnnualSummaryImporter


def load(tmp_path: Path, text: str, **options: object) -> LoadResult:
    path = tmp_path / "annual.csv"
    path.write_text(text, encoding="utf-8")
    return AnnualSummaryImporter().load(path, options=LoadOptions(**options))  # type: ignore[arg-type]


def test_header_lines_with_colon_in_the_cell_and_semicolons(tmp_path: Path) -> None:
    text = (
        "Service: S07\nPeriod: 2015-16\nDate submitted: 2016-04-30\n"
        "Label;Value\nNo. of young people supported 1:1;31\nTotal referrals;1.204\n"
    )
    r = load(tmp_path, text.replace("1.204", "104"))
    assert r.ok
    (ret,) = r.returns
    assert (ret.service_id, ret.period, ret.submitted_on) == (
        "S07",
        financial_year(2015),
        date(2016, 4, 30),
    )
    assert [(v.measure, v.value) for v in ret.values] == [
        ("young_people_one_to_one", 31.0),
        ("referrals_received", 104.0),
    ]


def test_header_lines_without_colons_as_the_example_generator_writes(tmp_path: Path) -> None:
    text = (
        "Service,S03\nPeriod,2014-15\nSubmitted,30/04/2015\n\n"
        'Item,Value\nNo. of referrals,"1,234"\n'
    )
    r = load(tmp_path, text)
    assert r.ok
    assert r.returns[0].values[0].value == 1234
    assert r.returns[0].submitted_on == date(2015, 4, 30)


def test_labels_with_no_value_are_headings_not_rows(tmp_path: Path) -> None:
    text = "Service:,S03\nPeriod:,2014-15\nSection 2: reach\nNo. of referrals,\nTraining hours,12\n"
    r = load(tmp_path, text)
    assert (r.rows_read, r.rows_imported, r.rows_rejected) == (1, 1, 0)
    info = [(d.code, d.severity, d.location.row) for d in r.diagnostics]
    assert ("missing-value", Severity.INFO, 4) in info


def test_missing_period_rejects_every_row(tmp_path: Path) -> None:
    r = load(tmp_path, "Service:,S03\nNo. of referrals,4\nTraining hours,2\n")
    assert (r.rows_read, r.rows_imported, r.rows_rejected) == (2, 0, 2)
    assert [d.code for d in r.diagnostics] == ["missing-header", "row-rejected", "row-rejected"]


def test_options_supply_a_missing_period(tmp_path: Path) -> None:
    r = load(tmp_path, "Service:,S03\nNo. of referrals,4\n", period=financial_year(2014))
    assert r.ok
    assert r.returns[0].period == financial_year(2014)


def test_unreadable_period_is_located(tmp_path: Path) -> None:
    r = load(tmp_path, "Service:,S03\nPeriod:,2014-2015\nNo. of referrals,4\n")
    d = r.diagnostics[0]
    assert (d.code, d.location.row, d.location.column_letter) == ("period-label", 2, "B")
    assert r.rows_rejected == 1


def test_duplicate_measure_is_rejected(tmp_path: Path) -> None:
    text = "Service:,S03\nPeriod:,2014-15\nNo. of referrals,4\nTotal referrals,5\n"
    r = load(tmp_path, text)
    errors = [(d.code, d.location.row) for d in r.diagnostics if d.severity is Severity.ERROR]
    assert errors == [("duplicate-value", 4)]


def test_sniff_does_not_claim_tidy_or_case_files() -> None:
    def score(text: str) -> float | None:
        return AnnualSummaryImporter().sniff(Probe(path=Path("a.csv"), head=text.encode()))

    assert score("Service:,S03\nPeriod:,2014-15\n") == 0.8
    assert score("label,value\nNo. of referrals,4\n") == 0.6
    assert score("service,period,measure,value\nS01,2015-16,x,1\n") is None
    assert score("service,period,case_id\nS01,2015-16,C-1\n") is None
