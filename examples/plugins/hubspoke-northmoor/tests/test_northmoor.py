"""Tests of the Northmoor plugin: hubspoke's contract suite plus Northmoor's own rules."""

from __future__ import annotations

from pathlib import Path

from hubspoke_northmoor import NorthmoorCasesImporter

from hubspoke.plugins import LoadOptions
from hubspoke.testing import ImporterContract

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "northmoor-2015-16-q1.csv"
WITH_ERRORS = DATA / "northmoor-with-errors.csv"


class TestNorthmoorContract(ImporterContract):
    """hubspoke's importer contract, run against Northmoor's sample export."""

    importer = NorthmoorCasesImporter()
    samples = (SAMPLE,)


def test_maps_northmoor_codes_to_hubspoke_codes() -> None:
    result = NorthmoorCasesImporter().load(SAMPLE, options=LoadOptions())
    first = {c.case_id: c for r in result.returns for c in r.cases}["NM-0001"]
    assert (first.risk_at_referral, first.risk_latest) == ("high", "medium")  # R, A
    assert (first.gender, first.ethnicity, first.referral_source) == ("2", "WBRI", "2A")


def test_one_return_per_team() -> None:
    result = NorthmoorCasesImporter().load(SAMPLE, options=LoadOptions())
    assert sorted(r.service_id for r in result.returns) == [
        "northmoor-leeds",
        "northmoor-wakefield",
    ]
    assert {r.period.label for r in result.returns} == {"2015-16 Q1"}


def test_bad_rows_are_rejected_with_their_row_and_column() -> None:
    result = NorthmoorCasesImporter().load(WITH_ERRORS, options=LoadOptions())
    assert (result.rows_read, result.rows_imported, result.rows_rejected) == (5, 1, 4)
    where = {(d.code, d.location.row, d.location.column) for d in result.diagnostics}
    assert ("unknown-code", 4, "Risk Start") in where
    assert ("date-unreadable", 5, "Ref Date") in where
    assert ("duplicate-case-id", 6, "Client Ref") in where
    assert ("non-integer-count", 7, "Age") in where
