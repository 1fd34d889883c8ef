"""hubspoke-values: breakdown mapping, service checks, required columns, options."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubspoke.diagnostics import Severity
from hubspoke.periods import financial_quarter
from hubspoke.plugins.contract import LoadOptions, LoadResult, Probe
from hubspoke_importers.values import ValuesImporter
from importer_fixtures import fictional_programme


def load(tmp_path: Path, text: str, **options: object) -> LoadResult:
    path = tmp_path / "values.csv"
    path.write_text(text, encoding="utf-8")
    return ValuesImporter().load(path, options=LoadOptions(**options))  # type: ignore[arg-type]


def test_breakdown_text_and_codes_map_to_the_same_code(tmp_path: Path) -> None:
    text = (
        "Service , PERIOD,measure,Value,Age Band,gender\n"
        "S01,2015-16 Q1,referrals_received,3,13 to 15,Female\n"
        "S01,2015-16 Q2,referrals_received,4,13-15,2\n"
        "S01,2015-16 Q2,referrals_received,9,,\n"
    )
    r = load(tmp_path, text)
    assert r.ok
    q1, q2 = r.returns
    assert q1.period == financial_quarter(2015, 1)
    assert (
        q1.values[0].breakdown == q2.values[0].breakdown == (("age_band", "13-15"), ("gender", "2"))
    )
    assert q2.values[1].is_total


def test_a_measure_may_be_named_by_its_label(tmp_path: Path) -> None:
    r = load(tmp_path, "service,period,measure,value\nS01,2015-16,Referrals received,3\n")
    assert r.ok
    assert r.returns[0].values[0].measure == "referrals_received"


def test_unknown_service_suggests_the_closest_id(tmp_path: Path) -> None:
    text = (
        "service,period,measure,value\n"
        "S1,2015-16,referrals_received,3\nS02,2015-16,referrals_received,5\n"
    )
    r = load(tmp_path, text, programme=fictional_programme())
    assert (r.rows_read, r.rows_imported, r.rows_rejected) == (2, 1, 1)
    (d,) = r.diagnostics
    assert (d.code, d.location.row, d.location.column_letter, d.value) == (
        "unknown-service",
        2,
        "A",
        "S1",
    )
    assert d.suggestion is not None
    assert "'S01'" in d.suggestion or "'S12'" in d.suggestion


def test_service_ids_must_be_identifiers_without_a_programme(tmp_path: Path) -> None:
    r = load(
        tmp_path, "service,period,measure,value\nNorth moor spoke,2015-16,referrals_received,3\n"
    )
    assert [(d.code, d.location.row) for d in r.diagnostics] == [("invalid-service-id", 2)]


def test_missing_required_column_rejects_every_row_and_says_why(tmp_path: Path) -> None:
    r = load(tmp_path, "service,period,measure,amount\nS01,2015-16,referrals_received,3\n")
    assert (r.rows_read, r.rows_imported, r.rows_rejected) == (1, 0, 1)
    codes = [(d.code, d.location.row) for d in r.diagnostics if d.severity is Severity.ERROR]
    assert codes == [("missing-column", 1), ("row-rejected", 2)]
    assert any(d.code == "unknown-column" for d in r.diagnostics)


def test_options_supply_service_and_period_when_columns_are_absent(tmp_path: Path) -> None:
    period = financial_quarter(2016, 2)
    r = load(tmp_path, "measure,value\nreferrals_received,3\n", service_id="S12", period=period)
    assert r.ok
    assert (r.returns[0].service_id, r.returns[0].period) == ("S12", period)


def test_personal_data_column_is_reported_and_not_stored(tmp_path: Path) -> None:
    text = "service,period,measure,value,Surname\nS01,2015-16,referrals_received,3,Placeholder\n"
    r = load(tmp_path, text)
    (d,) = r.diagnostics
    assert (d.code, d.severity, d.location.column, d.location.column_letter) == (
        "personal-data",
        Severity.ERROR,
        "Surname",
        "E",
    )
    assert "Placeholder" not in str(d)
    assert r.rows_imported == 1
    assert "Placeholder" not in repr(r.returns)


def test_whole_units_take_whole_numbers_hours_do_not(tmp_path: Path) -> None:
    text = (
        "service,period,measure,value\n"
        "S01,2015-16,hours_direct_work,12.5\n"
        "S01,2015-16,referrals_received,12.5\n"
    )
    r = load(tmp_path, text)
    assert [(d.code, d.location.row) for d in r.diagnostics] == [("non-integer-count", 3)]
    assert r.returns[0].values[0].value == 12.5


@pytest.mark.parametrize(
    ("header", "score"),
    [
        ("service,period,measure,value", 0.9),
        ("measure,value", 0.7),
        ("service,period,case_id,measure,value", None),
        ("label,value", None),
    ],
)
def test_sniff(header: str, score: float | None) -> None:
    probe = Probe(path=Path("x.csv"), head=(header + "\n").encode())
    assert ValuesImporter().sniff(probe) == score
