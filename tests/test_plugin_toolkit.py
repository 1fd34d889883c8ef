"""The public toolkit for plugin authors (issue 11): hubspoke.reading and the new rules."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from hubspoke.diagnostics import Location, Severity
from hubspoke.plugins import Probe
from hubspoke.plugins.contract import PROBE_BYTES
from hubspoke.plugins.registry import Registry
from hubspoke.reading import describe_file, glance_workbook, read_sheet, split_total_rows
from hubspoke.rules import (
    ColumnPlace,
    check_case_ids,
    check_codes,
    check_dates,
    check_duplicate_ids,
    check_numbers,
    check_period_label,
    check_service_ids,
    check_unknown_columns,
)
from hubspoke.serialization import loads_programme
from hubspoke.validation import validate_file

ROOT = Path(__file__).parents[1]
PLACE = ColumnPlace(file="f.xlsx", header="Date", index=4, sheet="Case list")


def _workbook(path: Path, rows: list[list[object]], *, title: str = "Case list") -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.create_sheet("Lists").append(["a list"])
    book.save(path)
    return path


def test_glance_reads_sheet_names_and_first_rows(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "x.xlsx", [["A title"], [], ["Client No", "Quarter", 12]])
    glance = glance_workbook(Probe.from_path(path))
    assert glance is not None
    assert glance.sheets == ("Case list", "Lists")
    assert glance.rows["Case list"] == (("A title",), ("Client No", "Quarter", "12"))
    assert {"client_no", "quarter"} <= glance.headers()
    assert glance.has_sheet("case LIST")


def test_glance_is_none_for_other_files_and_never_raises(tmp_path: Path) -> None:
    assert glance_workbook(Probe(path=tmp_path / "missing.xlsx", head=b"PK\x03\x04junk")) is None
    assert glance_workbook(Probe(path=tmp_path / "a.csv", head=b"a,b\n")) is None


def test_probe_tail_and_bounded_reader(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"a" * (PROBE_BYTES + 10) + b"END")
    probe = Probe.from_path(path)
    assert probe.tail(3) == b"END"
    assert len(probe.tail()) == PROBE_BYTES
    with probe.open(limit=100) as fh:
        assert len(fh.read(100)) == 100
        with pytest.raises(OSError, match="read limit"):
            fh.read(1)


def test_read_sheet_finds_the_header_below_titles_and_drops_total_rows(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["Kestrel case list"],
        ["Exported 08/01/2016"],
        [],
        ["Service", "Client No", "Referral Date", None, "Notes"],
        ["S05", "KP-1", datetime(2015, 8, 5), None, "x"],
        [],
        ["S05", "KP-2", "05-Aug-2015", None, ""],
        ["Total", 2],
        ["Produced by CaseFlow"],
    ]
    table = read_sheet(
        _workbook(tmp_path / "x.xlsx", rows), headers=("Service", "Client No", "Referral Date")
    )
    assert (table.sheet, table.header_row) == ("Case list", 4)
    assert list(table.frame.columns) == ["Service", "Client No", "Referral Date", "Notes"]
    assert table.rows.tolist() == [5, 7]
    assert table.letters["Notes"] == "E"
    assert table.places["Referral Date"].location(5).column_letter == "C"
    assert table.title == ("Kestrel case list", "Exported 08/01/2016")
    notes = {(d.code, d.location.row) for d in table.notes}
    assert notes == {("title-rows", 1), ("total-row", 8), ("total-row", 9)}
    dates = check_dates(table.frame["Referral Date"], table.places["Referral Date"])
    assert dates.parsed.dt.strftime("%Y-%m-%d").tolist() == ["2015-08-05", "2015-08-05"]


def test_split_total_rows_keeps_data_rows_with_total_in_a_later_cell() -> None:
    frame = pd.DataFrame({"a": ["S05", "Grand Total", "S06"], "b": ["total", "3", "x"]})
    rows = pd.Series([2, 3, 4])
    kept, kept_rows, notes = split_total_rows(frame, rows, file="f.csv")
    assert kept_rows.tolist() == [2, 4]
    assert [d.message for d in notes] == [
        "row 3 is a total row ('Grand Total'); it was not read as data"
    ]
    assert all(d.severity is Severity.INFO for d in notes)
    assert len(kept) == 2


def test_a_foreign_workbook_is_described_not_claimed_by_the_quarterly_importer(
    tmp_path: Path,
) -> None:
    import hubspoke_importers

    path = _workbook(tmp_path / "crm.xlsx", [["Riverside CRM export"], ["Ref", "Date"]], title="X")
    builtins_only = Registry.from_plugins([("hubspoke", hubspoke_importers)])
    report = validate_file(path, registry=builtins_only)
    (d,) = report.diagnostics
    assert d.code == "format-not-detected"
    assert "no installed importer recognises this file" in d.message
    assert "a workbook with sheets 'X', 'Lists'" in d.message
    assert "About" not in d.message
    assert "text whose first line reads 'a,b'" in describe_file(
        Probe(path=tmp_path / "a.csv", head=b"a,b\n1,2\n")
    )


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("05-Aug-2015", "2015-08-05"),
        ("5 Aug 2015", "2015-08-05"),
        ("05-august-2015", "2015-08-05"),
        ("42221", "2015-08-05"),
        (datetime(2015, 8, 5), "2015-08-05"),
    ],
)
def test_dates_in_excel_forms(cell: object, expected: str) -> None:
    checked = check_dates(pd.Series([cell], dtype=object), PLACE, serials=True)
    assert not checked.diagnostics
    assert checked.parsed.iloc[0].strftime("%Y-%m-%d") == expected


def test_serials_only_when_asked_and_extra_formats() -> None:
    assert check_dates(pd.Series(["42221"]), PLACE).bad.tolist() == [True]
    extra = check_dates(pd.Series(["2015.08.05", "bad"]), PLACE, formats=("%Y.%m.%d",))
    assert extra.bad.tolist() == [False, True]
    assert extra.diagnostics[0].suggestion == (
        "write dates as dd/mm/yyyy, e.g. 03/04/2015 for 3 April 2015 (also accepted: 2015.04.03)"
    )


def test_month_first_dates_get_the_rewrite() -> None:
    (d,) = check_dates(pd.Series(["04/25/2015"]), PLACE).diagnostics
    assert "looks month-first" in d.message
    assert d.suggestion == "write 25/04/2015"


def test_date_outside_the_period_shows_the_value_as_written() -> None:
    from hubspoke.periods import parse_period

    checked = check_dates(pd.Series(["05-Aug-2015"]), PLACE, period=parse_period("2015-16 Q3"))
    (d,) = checked.diagnostics
    assert d.message.startswith("05-Aug-2015 is outside the period 2015-16 Q3")


def test_duplicate_ids_by_service_and_period() -> None:
    ids = pd.Series(["A", "A", "A", "B"])
    service = pd.Series(["S05", "S06", "S05", "S05"])
    whole = check_duplicate_ids(ids, PLACE)
    grouped = check_duplicate_ids(ids, PLACE, by=[service])
    assert whole.bad.tolist() == [False, True, True, False]
    assert grouped.bad.tolist() == [False, False, True, False]
    assert grouped.diagnostics[0].message == "case id 'A' already appears in row 2"


def test_service_ids_against_the_programme() -> None:
    programme = loads_programme((ROOT / "examples" / "programme.json").read_text("utf-8"))
    values = pd.Series(["S05", "s5", "S 05!", "", "Nowhere"])
    checked = check_service_ids(values, PLACE, programme=programme)
    assert checked.bad.tolist() == [False, True, True, True, True]
    by_row = {d.location.row: d for d in checked.diagnostics}
    assert by_row[3].suggestion == "did you mean 'S05'?"
    assert by_row[4].code == "invalid-service-id"
    assert by_row[5].code == "missing-value"
    assert by_row[6].suggestion == "add the service to the programme, or correct the service id"


def test_case_ids_refuse_personal_data_without_repeating_it() -> None:
    checked = check_case_ids(pd.Series(["KP-1", "jo@example.org", "LS6 1AB", "a b"]), PLACE)
    assert checked.bad.tolist() == [False, True, True, True]
    personal = [d for d in checked.diagnostics if d.code == "personal-data"]
    assert len(personal) == 2
    assert all(d.value is None and "example" not in d.message for d in personal)


def test_unknown_columns_are_located_warnings_with_a_suggestion() -> None:
    found = check_unknown_columns(
        ["Service", "Client Number", "Notes", ""],
        ["Service", "Client No"],
        file="f.xlsx",
        sheet="Case list",
        header_row=4,
        ignore=["Notes"],
    )
    (d,) = found
    assert (d.code, d.severity, d.location.row, d.location.column_letter) == (
        "unknown-column",
        Severity.WARNING,
        4,
        "B",
    )
    assert d.suggestion == "did you mean 'Client No'?"


def test_messages_read_well() -> None:
    (coded,) = check_codes(pd.Series(["Whte British"]), "ethnicity", PLACE).diagnostics
    assert "'Whte British' is not an ethnicity code" in coded.message
    age = ColumnPlace(file="f", header="Age", index=2)
    (whole,) = check_numbers(pd.Series(["15.5"]), age, whole=True).diagnostics
    assert whole.message == "15.5 is not a whole number; 'Age' takes whole numbers only"
    assert whole.suggestion == "write a whole number such as 16"
    _, problem = check_period_label("FY2015", Location(file="f"))
    assert problem is not None
    assert problem.suggestion == "write 2014-15 or 2015-16"
    assert "write" not in problem.message
