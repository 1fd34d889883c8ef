"""Hostile delimited files: the number of columns and the length of a cell are capped,
and the personal-data scan is linear, so a small file cannot take minutes or gigabytes.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pandas as pd

import hostile_files as h
from hubspoke.diagnostics import Severity
from hubspoke.limits import MAX_CELL_CHARS, MAX_COLUMNS
from hubspoke.privacy.detect import find_personal_data, text_kinds
from hubspoke.validation import validate_file


def test_a_header_row_wider_than_the_cap_refuses_the_file_before_parsing(tmp_path: Path) -> None:
    path = h.wide_csv(tmp_path, 100_000, rows=3)
    start = time.perf_counter()
    report = validate_file(path)
    assert time.perf_counter() - start < 5
    (d,) = report.diagnostics
    assert d.code == "import-failed"
    assert "100,000 columns" in d.message
    assert f"{MAX_COLUMNS:,}" in d.message


def test_a_400000_character_case_id_rejects_its_row_quickly(tmp_path: Path) -> None:
    long_id = "A" * 400_000
    path = h.cases_csv(tmp_path, [h.GOOD_CASE, f"S01,2015-16,{long_id},07/04/2015,police,F,14"])
    start = time.perf_counter()
    report = validate_file(path)
    assert time.perf_counter() - start < 5
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (2, 1, 1)
    (d,) = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    assert d.code == "cell-too-long"
    assert (d.location.row, d.location.column, d.location.column_letter) == (3, "case_id", "C")
    assert "400,000 characters" in d.message
    assert long_id not in str(report.to_json())


def test_a_2mb_cell_does_not_make_a_megabyte_report(tmp_path: Path) -> None:
    big = "q" * 2_000_000
    path = h.cases_csv(tmp_path, [h.GOOD_CASE, f"S01,2015-16,S01-C0002,07/04/2015,{big},F,14"])
    report = validate_file(path)
    assert report.rows_rejected == 1
    assert len(str(report.to_json())) < 10_000


def test_a_long_quoted_cell_with_delimiters_inside_is_measured_too(tmp_path: Path) -> None:
    big = ",".join(["x"] * (MAX_CELL_CHARS // 2 + 10))
    path = h.cases_csv(tmp_path, [h.GOOD_CASE, f'S01,2015-16,S01-C0002,07/04/2015,"{big}",F,14'])
    report = validate_file(path)
    assert report.rows_rejected == 1
    assert [d.code for d in report.diagnostics if d.severity is Severity.ERROR] == ["cell-too-long"]


def test_cells_at_the_cap_are_read(tmp_path: Path) -> None:
    path = h.cases_csv(
        tmp_path, [f"S01,2015-16,S01-C0001,07/04/2015,police,F,14,{'n' * MAX_CELL_CHARS}"]
    )
    path.write_text(h.CASES_HEADER + ",notes\n" + path.read_text().split("\n", 1)[1])
    report = validate_file(path)
    assert report.rows_imported == 1
    assert not any(d.code == "cell-too-long" for d in report.diagnostics)


def test_cells_are_capped_in_characters_not_bytes(tmp_path: Path) -> None:
    """A cell of more bytes than the cap but no more characters is read; one more is not."""
    within, over = "\u00e9" * MAX_CELL_CHARS, "\u00e9" * (MAX_CELL_CHARS + 1)  # 2 bytes each
    path = h.cases_csv(
        tmp_path,
        [
            f"S01,2015-16,S01-C0001,07/04/2015,police,F,14,{within}",
            f"S01,2015-16,S01-C0002,07/04/2015,police,F,14,{over}",
        ],
    )
    path.write_text(
        h.CASES_HEADER + ",notes\n" + path.read_text(encoding="utf-8").split("\n", 1)[1],
        encoding="utf-8",
    )
    report = validate_file(path)
    assert (report.rows_imported, report.rows_rejected) == (1, 1)
    assert [d.code for d in report.diagnostics if d.severity is Severity.ERROR] == ["cell-too-long"]


def test_the_email_pattern_is_linear_on_a_long_run_without_an_at_sign() -> None:
    start = time.perf_counter()
    assert text_kinds("A" * 400_000) == ()
    assert text_kinds("a@" * 200_000) == ()
    assert time.perf_counter() - start < 1


def test_ten_thousand_columns_are_scanned_for_personal_data_quickly() -> None:
    frame = pd.DataFrame(
        {
            f"extra{i}": pd.Series(["x", "", "abc", h.FAKE_POSTCODE if i == 5000 else "q"] * 25)
            for i in range(10_000)
        }
    )
    start = time.perf_counter()
    found = find_personal_data(frame, reference=date(2015, 6, 30))
    assert time.perf_counter() - start < 8  # about 1 s; 30 s before the scan was joined up
    assert [(f.kind, f.column, f.count) for f in found] == [("postcode", "extra5000", 25)]
    assert found[0].positions[:2] == (3, 7)
