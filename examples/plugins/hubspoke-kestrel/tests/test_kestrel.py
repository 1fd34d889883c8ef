"""Tests of the Kestrel plugin: hubspoke's contract suite plus CaseFlow's own layout."""

from __future__ import annotations

from pathlib import Path

import hubspoke_kestrel
import pytest
from hubspoke_kestrel import KestrelCaseListImporter

from hubspoke.diagnostics import Severity
from hubspoke.plugins import LoadOptions, Probe
from hubspoke.plugins.registry import Registry
from hubspoke.serialization import loads_programme
from hubspoke.testing import ImporterContract
from hubspoke.validation import validate_file

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "kestrel-2015-16-q3.xlsx"
WITH_ERRORS = DATA / "kestrel-with-errors.xlsx"
REPO = Path(__file__).parents[4]
PROGRAMME = REPO / "examples" / "programme.json"
BUILT_IN_WORKBOOK = REPO / "examples" / "returns" / "quarterly-S21-2015-16-Q3.xlsx"


class TestKestrelContract(ImporterContract):
    """hubspoke's importer contract, run against Kestrel's sample export."""

    importer = KestrelCaseListImporter()
    samples = (SAMPLE,)
    # hubspoke's own quarterly workbook is an .xlsx too: it must not be claimed
    foreign_samples = (BUILT_IN_WORKBOOK,) if BUILT_IN_WORKBOOK.exists() else ()


def test_one_return_per_service_and_quarter() -> None:
    result = KestrelCaseListImporter().load(SAMPLE, options=LoadOptions())
    assert [(r.service_id, r.period.label, len(r.cases)) for r in result.returns] == [
        ("S05", "2015-16 Q3", 4),
        ("S06", "2015-16 Q3", 3),
    ]
    # KP-1001 appears once for each service: not a duplicate
    assert not [d for d in result.diagnostics if d.code == "duplicate-case-id"]


def test_title_and_total_rows_are_not_data() -> None:
    result = KestrelCaseListImporter().load(SAMPLE, options=LoadOptions())
    assert result.rows_read == 7
    notes = {(d.code, d.location.row) for d in result.diagnostics if d.severity is Severity.INFO}
    assert notes == {("title-rows", 1), ("total-row", 12)}


def test_dates_as_text_and_as_date_cells_and_declined_answers() -> None:
    result = KestrelCaseListImporter().load(SAMPLE, options=LoadOptions())
    cases = {c.case_id: c for r in result.returns for c in r.cases if r.service_id == "S05"}
    assert str(cases["KP-1001"].referral_date) == "2015-08-05"  # "05-Aug-2015"
    assert str(cases["KP-1003"].referral_date) == "2015-11-02"  # a date cell
    assert str(cases["KP-1004"].referral_date) == "2015-11-03"  # "3 Nov 2015"
    assert (cases["KP-1004"].gender, cases["KP-1004"].ethnicity) == ("declined", "REFU")


def test_mistakes_are_located_by_sheet_row_and_column() -> None:
    result = KestrelCaseListImporter().load(WITH_ERRORS, options=LoadOptions())
    assert (result.rows_read, result.rows_imported, result.rows_rejected) == (5, 1, 4)
    where = {(d.code, d.location.row, d.location.column_letter) for d in result.diagnostics}
    assert ("date-unreadable", 6, "D") in where  # 31-Feb-2015
    assert ("unknown-code", 6, "G") in where  # Whte British
    assert ("non-integer-count", 6, "H") in where  # age 15.5
    assert ("date-unreadable", 7, "D") in where  # 10/25/2015, month first
    assert ("period-label", 8, "B") in where  # "Q3" has no year
    assert ("duplicate-case-id", 9, "C") in where
    assert {d.location.sheet for d in result.diagnostics} == {"Case list"}
    month_first = next(d for d in result.diagnostics if d.value == "10/25/2015")
    assert month_first.suggestion == "write 25/10/2015"


def test_with_the_example_programme_unknown_services_get_a_suggestion() -> None:
    programme = loads_programme(PROGRAMME.read_text(encoding="utf-8"))
    result = KestrelCaseListImporter().load(WITH_ERRORS, options=LoadOptions(programme=programme))
    (unknown,) = [d for d in result.diagnostics if d.code == "unknown-service"]
    assert (unknown.location.row, unknown.location.column) == (7, "Service")
    assert unknown.suggestion == "did you mean 'S05'?"


def test_validate_file_with_the_programme_is_clean() -> None:
    programme = loads_programme(PROGRAMME.read_text(encoding="utf-8"))
    registry = Registry.from_plugins([("kestrel", hubspoke_kestrel)])
    report = validate_file(SAMPLE, options=LoadOptions(programme=programme), registry=registry)
    assert report.importer == "kestrel-caseflow"
    assert report.ok, [str(d) for d in report.diagnostics]
    assert report.rows_imported == 7


@pytest.mark.parametrize("name", ["notes.xlsx", "empty.xlsx"])
def test_sniff_says_no_to_other_workbooks(tmp_path: Path, name: str) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if name == "notes.xlsx":
        sheet.append(["Minutes", "Date"])
        sheet.append(["Steering group", "05-Aug-2015"])
    path = tmp_path / name
    book.save(path)
    assert KestrelCaseListImporter().sniff(Probe.from_path(path)) is None
