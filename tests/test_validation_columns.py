"""The column rules on pandas columns, and check_return on finished returns."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hubspoke.codes import ActivityKind
from hubspoke.diagnostics import Location, Severity
from hubspoke.model import Activity, CaseRecord, DataValue, MonitoringReturn, Provenance
from hubspoke.periods import parse_period
from hubspoke.rules import (
    RULES,
    ColumnPlace,
    check_breakdown_sums,
    check_codes,
    check_dates,
    check_duplicate_ids,
    check_measures,
    check_numbers,
    check_return,
    parse_dates,
    parse_numbers,
)

PLACE = ColumnPlace(file="q1.csv", header="Risk", index=3, sheet="Cases", first_data_row=5)
Q1 = parse_period("2015-16 Q1")


def test_rows_follow_first_data_row_or_an_explicit_map() -> None:
    values = pd.Series(["high", "hihg"], index=[10, 11])
    [d] = check_codes(values, "risk_level", PLACE).diagnostics
    assert d.location == Location(
        file="q1.csv", sheet="Cases", row=6, column="Risk", column_letter="C"
    )
    mapped = ColumnPlace(file="q1.csv", header="Risk", rows=pd.Series([40, 42], index=[10, 11]))
    assert check_codes(values, "risk_level", mapped).diagnostics[0].location.row == 42


def test_codes_blank_is_missing_not_bad_and_warning_does_not_reject() -> None:
    values = pd.Series(["", None, "Amber"])
    check = check_codes(values, "risk_level", PLACE)
    assert check.bad.tolist() == [False, False, True]
    warned = check_codes(values, "risk_level", PLACE, severity=Severity.WARNING)
    assert warned.bad.tolist() == [False, False, False]
    assert warned.diagnostics[0].severity is Severity.WARNING


def test_uk_dates_never_us_order() -> None:
    parsed = parse_dates(pd.Series(["03/04/2015", "2015-04-03", "3 Apr 2015", "04/13/2015", ""]))
    assert parsed.iloc[:3].dt.date.tolist() == [date(2015, 4, 3)] * 3
    assert parsed.iloc[3:].isna().all()


def test_dates_outside_period_can_be_errors() -> None:
    values = pd.Series(["01/04/2015", "01/07/2015"])
    check = check_dates(values, PLACE, period=Q1, outside_severity=Severity.ERROR)
    assert check.bad.tolist() == [False, True]
    assert check.diagnostics[0].code == "date-outside-period"
    assert check.diagnostics[0].location.row == 6


def test_numbers_tolerate_thousands_separators_and_per_row_wholeness() -> None:
    assert parse_numbers(pd.Series(["1,204", " 7 ", "1,2"])).tolist()[:2] == [1204.0, 7.0]
    check = check_numbers(
        pd.Series(["2.5", "2.5", ""]), PLACE, whole=pd.Series([True, False, True]), required=False
    )
    assert check.bad.tolist() == [True, False, False]
    assert pd.isna(check.parsed.iloc[0])
    assert check.parsed.iloc[1] == 2.5


@given(st.lists(st.one_of(st.text(max_size=8), st.floats(allow_nan=True), st.none()), max_size=30))
def test_numbers_never_raise_and_report_every_bad_cell(cells: list[object]) -> None:
    values = pd.Series(cells, dtype=object)
    check = check_numbers(values, ColumnPlace(file="f.csv", header="value"), required=True)
    assert len(check.diagnostics) == int(check.bad.sum())
    assert check.parsed[check.bad].isna().all()
    good = check.parsed[~check.bad]
    assert (good >= 0).all()
    assert (good == good.round()).all()


def test_duplicate_ids_keep_the_first() -> None:
    check = check_duplicate_ids(pd.Series(["C-1", "C-2", " C-1", "", ""]), PLACE)
    assert check.bad.tolist() == [False, False, True, False, False]


def test_measures_resolve_labels_and_aliases() -> None:
    check = check_measures(pd.Series(["Referrals received", "caseload", "hours"]), PLACE)
    assert check.parsed.tolist()[:2] == ["referrals_received", "young_people_one_to_one"]
    assert check.bad.tolist() == [False, False, True]


def ret(**records: object) -> MonitoringReturn:
    return MonitoringReturn(
        service_id="sp-1",
        period=Q1,
        provenance=Provenance(
            source_file="q1.json", sha256="0" * 64, importer="x", importer_version="1"
        ),
        **records,  # type: ignore[arg-type]
    )


def test_check_return_finds_each_generic_rule() -> None:
    r = ret(
        values=[
            DataValue(measure="no_such_measure", value=1),
            DataValue(measure="agencies_reached", breakdown={"gender": "2"}, value=1),
            DataValue(measure="referrals_received", value=2.5),
        ],
        cases=[
            CaseRecord(case_id="C-1", referral_date=date(2015, 8, 1)),
            CaseRecord(case_id="C-1"),
        ],
        activities=[Activity(kind=ActivityKind.GROUP_WORK, on=date(2015, 3, 1))],
    )
    found = {(d.code, d.location.path) for d in check_return(r)}
    assert found == {
        ("unknown-measure", "$.values[0]"),
        ("breakdown-not-allowed", "$.values[1]"),
        ("non-integer-count", "$.values[2]"),
        ("date-outside-period", "$.cases[0]"),
        ("duplicate-case-id", "$.cases[1]"),
        ("date-outside-period", "$.activities[0]"),
    }


def test_check_return_uses_the_importers_locations() -> None:
    r = ret(cases=[CaseRecord(case_id="LS61AB")])
    [d] = check_return(r, location_of=lambda rec: Location(file="q1.csv", row=7))
    assert (d.code, d.location.row, d.severity) == ("personal-data", 7, Severity.WARNING)
    assert "full postcodes" in d.message
    assert "LS61AB" not in d.message


def test_breakdown_sums_only_for_complete_single_dimension_sets() -> None:
    r = ret(
        values=[
            DataValue(measure="referrals_received", value=5),
            DataValue(measure="referrals_received", breakdown={"gender": "2"}, value=5),
            DataValue(
                measure="referrals_received",
                breakdown={"gender": "1", "age_band": "13-15"},
                value=3,
            ),
        ]
    )
    assert check_breakdown_sums(r, lambda v: Location()) == []


def test_every_rule_has_an_id_and_statement() -> None:
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id
        assert rule.statement.endswith(".")


@pytest.mark.parametrize("code", ["unknown-code", "breakdown-sum", "personal-data"])
def test_rule_severities(code: str) -> None:
    expected = Severity.WARNING if code == "breakdown-sum" else Severity.ERROR
    assert RULES[code].severity is expected
