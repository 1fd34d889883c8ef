"""Plausibility at the door: counts whole and below the ceiling, dates inside the window,
JSON that cannot mislead (repeated keys or figures, labels that disagree with their dates),
and nothing private in JSON goals and instruments.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import hostile_files as h
from hubspoke.diagnostics import Severity
from hubspoke.limits import MAX_COUNT
from hubspoke.validation import validate_file
from hubspoke_importers._cells import parse_count, parse_date


def _errors(path: Path) -> list[tuple[str, str | None, str]]:
    report = validate_file(path)
    return [
        (d.code, d.location.path or d.location.column, d.message)
        for d in report.diagnostics
        if d.severity is Severity.ERROR
    ]


@pytest.mark.parametrize("count", ["9223372036854775808", "9e18", str(MAX_COUNT + 1)])
def test_counts_over_the_ceiling_are_refused_in_csv(tmp_path: Path, count: str) -> None:
    path = h.values_csv(tmp_path, [f"S01,2015-16 Q1,referrals_received,{count},"])
    report = validate_file(path)
    assert (report.rows_imported, report.rows_rejected) == (0, 1)
    (d,) = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    assert d.code == "count-too-large"
    assert d.location.row == 2


def test_the_ceiling_itself_is_accepted(tmp_path: Path) -> None:
    path = h.values_csv(tmp_path, [f"S01,2015-16 Q1,referrals_received,{MAX_COUNT},"])
    assert validate_file(path).rows_imported == 1


def test_scalar_counts_have_the_same_ceiling() -> None:
    assert parse_count(str(MAX_COUNT)) == MAX_COUNT
    assert getattr(parse_count("9e18"), "code", None) == "count-too-large"


def test_a_cases_file_with_one_date_in_2999_rejects_that_row_only(tmp_path: Path) -> None:
    path = h.cases_csv(tmp_path, [h.GOOD_CASE, "S01,2015-16,S01-C0002,07/04/2999,police,F,14"])
    report = validate_file(path)
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (2, 1, 1)
    (d,) = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    assert d.code == "date-unreadable"
    assert d.location.row == 3
    assert "1900-01-01 to 2100-12-31" in d.message


def test_dates_outside_the_window_in_a_workbook_are_refused_per_row(tmp_path: Path) -> None:
    path = h.workbook(
        tmp_path,
        about=[("Service id", "S01"), ("Period", "2015-16 Q1"), ("Submitted on", date(2099, 1, 1))],
        young_people=[
            ["S01-C0001", date(2999, 4, 7), "F", 14],
            ["S01-C0002", "07/04/2015", "F", 14],
            ["S01-C0003", "01/01/1850", "F", 14],
        ],
    )
    report = validate_file(path)
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (3, 1, 2)
    rows = sorted(d.location.row or 0 for d in report.diagnostics if d.code == "date-unreadable")
    assert rows == [2, 4]


def test_scalar_dates_have_the_window() -> None:
    assert parse_date("31/12/2100") == date(2100, 12, 31)
    assert getattr(parse_date("01/01/2101"), "code", None) == "date-unreadable"
    assert getattr(parse_date("2958465", allow_serial=True), "code", None) == "date-unreadable"


@pytest.mark.parametrize(
    ("changes", "code", "path"),
    [
        ({"submitted_on": "9999-12-31"}, "date-unreadable", "$.returns[0].submitted_on"),
        (
            {"values": [{"measure": "referrals_received", "breakdown": {}, "value": 15.5}]},
            "non-integer-count",
            "$.returns[0].values[0].value",
        ),
        (
            {"values": [{"measure": "referrals_received", "breakdown": {}, "value": 9e18}]},
            "count-too-large",
            "$.returns[0].values[0].value",
        ),
        (
            {
                "values": [
                    {"measure": "referrals_received", "breakdown": {}, "value": 40},
                    {"measure": "referrals_received", "breakdown": {}, "value": 40},
                ]
            },
            "duplicate-figure",
            "$.returns[0].values[1]",
        ),
        (
            {"period": {"start": "2015-04-01", "end": "2015-06-29", "label": "2015-16 Q1"}},
            "period-label",
            "$.returns[0].period",
        ),
        (
            {
                "cases": [
                    {"case_id": "S01-C0001", "referral_date": "2999-01-01"},
                ]
            },
            "date-unreadable",
            "$.returns[0].cases[0].referral_date",
        ),
        (
            {
                "outcomes": [
                    {
                        "case_id": "S01-C0001",
                        "instrument": "Individual goal",
                        "on": "2015-06-30",
                        "score": 3,
                        "goal": f"ring {h.FAKE_PHONE} weekly",
                    }
                ]
            },
            "personal-data",
            "$.returns[0].outcomes[0].goal",
        ),
        (
            {
                "outcomes": [
                    {
                        "case_id": "S01-C0001",
                        "instrument": h.FAKE_NAME,
                        "on": "2015-06-30",
                        "score": 3,
                    }
                ]
            },
            "personal-data",
            "$.returns[0].outcomes[0].instrument",
        ),
        (
            {"cases": [{"case_id": "9434765919"}]},
            "personal-data",
            "$.returns[0].cases[0].case_id",
        ),
    ],
)
def test_json_returns_that_would_mislead_are_refused_and_not_stored(
    tmp_path: Path, changes: dict[str, object], code: str, path: str
) -> None:
    other = h.json_return(
        period={"start": "2015-07-01", "end": "2015-09-30", "label": "2015-16 Q2"}
    )
    file = h.json_returns(tmp_path, [h.json_return(**changes), other])
    report = validate_file(file)
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (2, 1, 1)
    assert [r.period.label for r in report.returns] == ["2015-16 Q2"]
    found = [(d.code, d.location.path) for d in report.diagnostics if d.severity is Severity.ERROR]
    assert (code, path) in found
    assert h.FAKE_PHONE not in json.dumps(report.to_json())


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            '{"hubspoke": "returns", "version": 1, "returns": [{"service_id": "S01", '
            '"service_id": "S02"}]}',
            "appears twice",
        ),
        ('{"hubspoke": "returns", "version": 1, "returns": ["\\ud800"]}', "lone surrogate"),
        ('{"hubspoke": "returns", "version": 1, "returns": [' + "9" * 5000 + "]}", "digits"),
        ('{"hubspoke": "returns", "version": 1, "returns": [1e999]}', "too large"),
    ],
)
def test_hostile_json_is_one_clear_finding(tmp_path: Path, text: str, words: str) -> None:
    path = h.write(tmp_path / "r.json", text)
    report = validate_file(path)
    assert report.returns == ()
    messages = " ".join(d.message for d in report.diagnostics)
    assert words in messages
    assert all(d.code != "importer-contract" for d in report.diagnostics)
    json.dumps(report.to_json()).encode("utf-8")  # printable and storable


def test_a_duplicate_key_inside_one_return_does_not_let_the_last_win(tmp_path: Path) -> None:
    ret = json.dumps(h.json_return())
    doubled = ret.replace('"service_id": "S01"', '"service_id": "S01", "service_id": "S02"')
    text = '{"hubspoke": "returns", "version": 1, "returns": [' + doubled + "]}"
    report = validate_file(h.write(tmp_path / "r.json", text))
    assert report.returns == ()
    assert any("appears twice" in d.message for d in report.diagnostics)
