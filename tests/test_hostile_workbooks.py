"""Hostile workbooks: sizes the file declares or spans are capped before anything is allocated,
and sheets whose names collide are refused rather than one silently ignored.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import hostile_files as h
from hubspoke.diagnostics import Severity
from hubspoke.validation import validate_file


def _only_error(path: Path) -> str:
    report = validate_file(path)
    errors = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    assert errors, report.diagnostics
    assert all(d.code != "importer-contract" for d in errors), errors
    assert report.rows_imported == 0
    return " ".join(d.message for d in errors)


def test_one_cell_at_xfd1048576_is_refused_quickly_within_memory(tmp_path: Path) -> None:
    path = h.workbook(tmp_path, far_cell="XFD1048576")
    assert path.stat().st_size < 20_000
    script = textwrap.dedent(
        f"""
        import json, resource, sys, time
        resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))
        from pathlib import Path
        from hubspoke.validation import validate_file
        start = time.perf_counter()
        report = validate_file(Path({str(path)!r}))
        print(json.dumps({{
            "seconds": time.perf_counter() - start,
            "codes": [d.code for d in report.diagnostics],
            "messages": [d.message for d in report.diagnostics],
            "sheets": [d.location.file for d in report.diagnostics],
        }}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    found = json.loads(done.stdout)
    assert found["codes"] == ["import-failed"], found
    assert "'Young people'" in found["messages"][0]
    assert "16,384 columns" in found["messages"][0]
    assert found["seconds"] < 10


def test_a_cell_beyond_the_declared_dimension_is_still_seen_and_capped(tmp_path: Path) -> None:
    # The <dimension> says A1:D2, the sheet holds a cell at XFD1048576: the actual extent counts.
    path = h.workbook_with_dimension(tmp_path, "A1:D2", far_cell="XFD1048576")
    message = _only_error(path)
    assert "has cells spanning 1,048,576 rows x 16,384 columns" in message


def test_a_declared_dimension_past_the_caps_is_refused_before_reading(tmp_path: Path) -> None:
    path = h.workbook_with_dimension(tmp_path, "A1:XFD1048576")
    start = time.perf_counter()
    message = _only_error(path)
    assert time.perf_counter() - start < 5
    assert "declares a used range of 1,048,576 rows x 16,384 columns" in message


def test_a_sheet_within_the_caps_is_read_as_before(tmp_path: Path) -> None:
    path = h.workbook(tmp_path, young_people=[["S01-C0001", "07/04/2015", "F", 14]], far_cell="H40")
    report = validate_file(path)
    assert report.rows_imported == 1
    assert report.materialised_returns()[0].cases[0].case_id == "S01-C0001"


def test_row_numbers_survive_gaps_in_the_sheet(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["S01-C0001", "07/04/2015", "F", 14],
        [],
        [],
        ["bad id!", "", "", ""],
    ]
    report = validate_file(h.workbook(tmp_path, young_people=rows))
    bad = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    assert bad
    assert all(d.location.row == 5 for d in bad), bad


@pytest.mark.parametrize(
    ("extra", "names"),
    [
        ([("Young people.", "visible")], ("'Young people'", "'Young people.'")),
        ([("Young_People", "hidden")], ("'Young people'", "'Young_People' (hidden)")),
        ([("about ", "visible")], ("'About'", "'about '")),
    ],
)
def test_sheets_whose_names_collide_are_an_error(
    tmp_path: Path, extra: list[tuple[str, str]], names: tuple[str, str]
) -> None:
    message = _only_error(h.workbook(tmp_path, extra_sheets=extra))
    assert all(n in message for n in names), message
    assert "same name" in message


def test_a_hidden_real_sheet_behind_a_visible_decoy_is_an_error(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = h.workbook(tmp_path, extra_sheets=[("Young people.", "visible")])
    wb = load_workbook(path)
    wb["Young people"].sheet_state = "hidden"
    wb.save(path)
    message = _only_error(path)
    assert "'Young people' (hidden)" in message
