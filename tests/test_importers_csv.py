"""Reading delimited text: encodings, delimiters, ragged and blank rows, UK dates, numbers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hubspoke.diagnostics import Severity
from hubspoke.errors import FileImportError
from hubspoke.plugins.contract import LoadOptions
from hubspoke_importers._cells import Problem, parse_count, parse_date, parse_number
from hubspoke_importers._columns import ColumnReader
from hubspoke_importers._common import Findings, header_key
from hubspoke_importers._csv import decode, detect_delimiter, read_table
from hubspoke_importers.cases import CasesImporter
from hubspoke_importers.values import ValuesImporter

HEADER = "service,period,measure,value,gender\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def load_values(path: Path) -> tuple[int, int, int, list[str]]:
    r = ValuesImporter().load(path, options=LoadOptions())
    return r.rows_read, r.rows_imported, r.rows_rejected, [d.code for d in r.diagnostics]


def test_header_keys_ignore_case_spaces_and_punctuation() -> None:
    assert header_key(" Referral Date ") == "referral_date"
    assert header_key("REFERRAL-DATE") == "referral_date"
    assert header_key("Case ID") == "case_id"


def test_utf8_with_bom_reads_like_without(tmp_path: Path) -> None:
    body = (HEADER + "S01,2015-16 Q1,referrals_received,4,Female\n").encode()
    plain = write(tmp_path, "plain.csv", body)
    bom = write(tmp_path, "bom.csv", b"\xef\xbb\xbf" + body)
    assert load_values(plain) == load_values(bom) == (1, 1, 0, [])


def test_windows_1252_is_read_and_reported(tmp_path: Path) -> None:
    text = HEADER.rstrip("\n") + ",Notes\nS01,2015-16 Q1,referrals_received,4,F,Référé £5\n"
    path = write(tmp_path, "excel.csv", text.encode("cp1252"))
    findings = Findings("excel.csv")
    table = read_table(path.read_bytes(), findings)
    assert table.frame.loc[0, "notes"] == "Référé £5"
    assert [(d.code, d.severity) for d in findings.diagnostics] == [("encoding", Severity.INFO)]
    read, imported, rejected, codes = load_values(path)
    assert (read, imported, rejected) == (1, 1, 0)
    assert codes == ["encoding", "unknown-column"]


def test_decode_prefers_utf8() -> None:
    assert decode("£".encode()) == ("£", "utf-8")
    assert decode("£".encode("cp1252")) == ("£", "cp1252")


@pytest.mark.parametrize(
    ("line", "expected"),
    [("a,b,c", ","), ("a;b;c", ";"), ("a\tb", "\t"), ('"x;y",b,c', ","), ("single", ",")],
)
def test_delimiter_detection(line: str, expected: str) -> None:
    assert detect_delimiter(line + "\n1;2;3\n") == expected


def test_semicolon_file_with_thousands_in_quotes(tmp_path: Path) -> None:
    text = HEADER.replace(",", ";") + 'S01;2015-16 Q1;young_people_group_reached;"1,204";\n'
    r = ValuesImporter().load(write(tmp_path, "semi.csv", text.encode()), options=LoadOptions())
    assert r.ok
    assert r.returns[0].values[0].value == 1204


def test_blank_rows_are_skipped_but_row_numbers_stay_true(tmp_path: Path) -> None:
    text = HEADER + "\nS01,2015-16 Q1,referrals_received,4,\n,,,,\n\nS01,2015-16 Q1,nope,1,\n"
    r = ValuesImporter().load(write(tmp_path, "gaps.csv", text.encode()), options=LoadOptions())
    assert (r.rows_read, r.rows_imported, r.rows_rejected) == (2, 1, 1)
    (bad,) = [d for d in r.diagnostics if d.severity is Severity.ERROR]
    assert (bad.code, bad.location.row, bad.location.column_letter) == ("unknown-measure", 6, "C")


def test_a_row_with_too_many_cells_is_rejected_with_its_row(tmp_path: Path) -> None:
    text = (
        HEADER + "S01,2015-16 Q1,referrals_received,4,\nS01,2015-16 Q1,referrals_received,1,234,2\n"
    )
    r = ValuesImporter().load(write(tmp_path, "ragged.csv", text.encode()), options=LoadOptions())
    assert (r.rows_read, r.rows_imported, r.rows_rejected) == (2, 1, 1)
    assert [(d.code, d.location.row) for d in r.diagnostics] == [("row-shape", 3)]


def test_trailing_empty_cells_and_short_rows_are_tolerated(tmp_path: Path) -> None:
    text = HEADER + "S01,2015-16 Q1,referrals_received,4,,,\nS01,2015-16 Q1,referrals_accepted,3\n"
    assert load_values(write(tmp_path, "loose.csv", text.encode())) == (2, 2, 0, [])


def test_empty_file_and_blank_header_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(FileImportError, match="empty"):
        ValuesImporter().load(write(tmp_path, "empty.csv", b""), options=LoadOptions())
    with pytest.raises(FileImportError, match="header"):
        ValuesImporter().load(write(tmp_path, "blank.csv", b",,\n1,2,3\n"), options=LoadOptions())


def test_repeated_column_cannot_be_read(tmp_path: Path) -> None:
    path = write(tmp_path, "twice.csv", b"service,period,Measure,measure,value\n")
    with pytest.raises(FileImportError, match="repeats column"):
        ValuesImporter().load(path, options=LoadOptions())


def test_file_over_max_bytes_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "big.csv", (HEADER * 50).encode())
    with pytest.raises(FileImportError, match="over the limit"):
        ValuesImporter().load(path, options=LoadOptions(max_bytes=100))


# -- dates ------------------------------------------------------------------------------------

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


@given(days)
def test_uk_dates_are_read_day_first(d: date) -> None:
    for text in (d.strftime("%d/%m/%Y"), f"{d.day}/{d.month}/{d.year}", d.isoformat()):
        assert parse_date(text) == d


@given(days)
def test_a_date_is_never_read_month_first(d: date) -> None:
    us = f"{d.month:02d}/{d.day:02d}/{d.year}"
    found = parse_date(us)
    if d.day <= 12:
        assert found == date(d.year, d.day, d.month)  # day first, whatever the writer meant
    else:
        assert isinstance(found, Problem)
        assert found.suggestion == f"write {d.day:02d}/{d.month:02d}/{d.year}"


@given(st.lists(days, min_size=1, max_size=20))
def test_date_columns_read_day_first(dates: list[date]) -> None:
    """The importers' column path (hubspoke.rules) agrees: dd/mm/yyyy, never mm/dd."""
    text = "d\n" + "".join(d.strftime("%d/%m/%Y") + "\n" for d in dates)
    findings = Findings("dates.csv")
    reader = ColumnReader(read_table(text.encode(), findings), findings)
    assert list(reader.dates("d")) == dates
    assert not findings.diagnostics


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("31/02/2016", "day 31 does not exist in February 2016"),
        ("29/02/2015", "day 29 does not exist in February 2015"),
        ("13/13/2015", "month 13 is not 1-12"),
        ("05/04/15", "a two-digit year is ambiguous"),
        ("yesterday", "not a date"),
    ],
)
def test_impossible_dates_are_refused_with_a_reason(text: str, why: str) -> None:
    found = parse_date(text)
    assert isinstance(found, Problem)
    assert found.code == "date-unreadable"
    assert found.message == why


def test_impossible_date_in_a_cases_file_is_diagnosed(tmp_path: Path) -> None:
    text = (
        "service,period,case_id,referral_date\n"
        "S01,2015-16,C-1,31/04/2015\nS01,2015-16,C-2,05/04/2015\n"
    )
    r = CasesImporter().load(write(tmp_path, "c.csv", text.encode()), options=LoadOptions())
    assert (r.rows_read, r.rows_imported, r.rows_rejected) == (2, 1, 1)
    # (the file also lacks columns outcome 6 needs: outcome-column-missing warnings)
    (d,) = [d for d in r.diagnostics if d.code != "outcome-column-missing"]
    assert (d.code, d.location.row, d.location.column, d.location.column_letter) == (
        "date-unreadable",
        2,
        "referral_date",
        "D",
    )
    assert "day 31 does not exist in April 2015" in d.message
    assert r.materialised_returns()[0].cases[0].referral_date == date(2015, 4, 5)


def test_named_month_and_serials() -> None:
    assert parse_date("5 Apr 2015") == date(2015, 4, 5)
    assert parse_date("42100") != date(2015, 4, 6)
    assert parse_date("42100", allow_serial=True) == date(2015, 4, 6)


# -- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", 12.0), ("1,234", 1234.0), ("1,234.5", 1234.5), (" 7 ", 7.0), ("", None)],
)
def test_numbers(text: str, expected: float | None) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(("text", "code"), [("12,5", "not-a-number"), ("lots", "not-a-number")])
def test_not_numbers(text: str, code: str) -> None:
    found = parse_number(text)
    assert isinstance(found, Problem)
    assert found.code == code


def test_counts() -> None:
    assert parse_count("12.0") == 12
    assert isinstance(parse_count("2.5"), Problem)
    assert isinstance(parse_count("-1"), Problem)


# -- skipping the trim -----------------------------------------------------------------------

_SPACES = ["", " ", "\t", "\u00a0", "\u3000", "\u2003", "\u001c", "\u0085", "\n", "\r\n"]
_cell_text = st.text(
    alphabet=st.sampled_from(["a", "Z", "5", "-", "/", "é", "ß", "\u00a0", " ", "\t", "\u3000"]),
    max_size=6,
)
_cells = st.builds(
    lambda before, middle, after: before + middle + after,
    st.sampled_from(_SPACES),
    _cell_text,
    st.sampled_from(_SPACES),
)


@given(st.lists(st.lists(_cells, max_size=8), min_size=1, max_size=3))
def test_a_column_said_to_need_no_trim_is_unchanged_by_trimming(chunks: list[list[str]]) -> None:
    """The byte test only skips trimming where ``utf8_trim_whitespace`` would change nothing."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from hubspoke_importers._csv import _may_need_trimming

    column = pa.chunked_array([pa.array(c, pa.string()) for c in chunks], pa.string())
    for view in (column, column.slice(1)):
        if not _may_need_trimming(view):
            assert pc.utf8_trim_whitespace(view).equals(view)
    plain = pa.chunked_array([pa.array(["Female", "5A", "01/04/2015", ""], pa.string())])
    assert not _may_need_trimming(plain)
    assert _may_need_trimming(pa.chunked_array([pa.array(["Female "], pa.string())]))
