"""Findings stored one row each, repeated ones summarised with exact counts; an unchanged
file recognised by its hash alone (issue 10).

The measured case (``hubspoke import`` of a 1,000,001-row values file whose rows are all
in error but one) is in the closing note of issue 10; these tests use a smaller file of
the same kind so they run in a second or two.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import hostile_files as h
from hubspoke.diagnostics import Diagnostic, Location, Severity
from hubspoke.workspace import Workspace
from hubspoke.workspace.store import FINDINGS_KEPT_PER_KIND, summarise_diagnostics

ROWS_IN_ERROR = 20_000


def _all_error_file(folder: Path, rows: int = ROWS_IN_ERROR) -> Path:
    good = "S01,2015-16 Q1,referrals_received,40,"
    bad = "S01,2015-16 Q1,referrals_received,-1,"
    return h.values_csv(folder, [good] + [bad] * rows, name="all-errors.csv")


def test_repeated_findings_are_summarised_with_exact_counts(tmp_path: Path) -> None:
    path = _all_error_file(tmp_path)
    workspace = tmp_path / "w.hubspoke"
    with Workspace.open(workspace) as ws:
        outcome = ws.import_file(path)
        assert outcome.rows_read == outcome.rows_imported + outcome.rows_rejected
        assert (outcome.rows_imported, outcome.rows_rejected) == (1, ROWS_IN_ERROR)
        stored = ws.file_diagnostics(outcome.sha256)
        imports = ws.imports()
    assert len(stored) <= FINDINGS_KEPT_PER_KIND + 5
    assert any(f"and {ROWS_IN_ERROR - FINDINGS_KEPT_PER_KIND:,} more like this" in d.message
               for d in stored)  # fmt: skip
    assert int(imports["errors"].iloc[0]) == ROWS_IN_ERROR  # the count stays exact
    with sqlite3.connect(workspace) as conn:
        (rows, findings), = conn.execute(
            "SELECT count(*), sum(findings) FROM file_diagnostics WHERE severity = 'error'"
        ).fetchall()  # fmt: skip
    assert rows == FINDINGS_KEPT_PER_KIND + 1
    assert findings == ROWS_IN_ERROR
    assert workspace.stat().st_size < 1_000_000


def test_an_unchanged_file_is_recognised_without_reading_what_was_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _all_error_file(tmp_path, rows=500)
    workspace = tmp_path / "w.hubspoke"
    with Workspace.open(workspace) as ws:
        first = ws.import_file(path)

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("an unchanged file must be recognised by its hash alone")

    monkeypatch.setattr(Workspace, "file_diagnostics", refuse)
    monkeypatch.setattr("hubspoke.validation.validate_file", refuse)
    with Workspace.open(workspace) as ws:
        again = ws.import_file(path)
    assert again.status == "unchanged"
    assert (again.rows_read, again.rows_imported, again.rows_rejected) == (
        first.rows_read,
        first.rows_imported,
        first.rows_rejected,
    )
    assert again.diagnostics == ()


def _finding(code: str, column: str, row: int) -> Diagnostic:
    return Diagnostic(
        severity=Severity.ERROR,
        code=code,
        message=f"{code} in {column}",
        location=Location(file="f.csv", row=row, column=column),
    )


def test_summaries_keep_the_first_of_each_kind_in_order_and_stand_for_the_rest() -> None:
    found = [_finding("a", "x", i) for i in range(7)]
    found += [_finding("b", "x", i) for i in range(2)]
    found += [_finding("a", "y", i) for i in range(4)]
    found += [_finding("c", "z", i) for i in range(6)]
    kept = summarise_diagnostics(found, keep=3)
    assert sum(n for _, n in kept) == len(found)
    listed = [d.location.row for d, n in kept if not d.message.startswith("and")]
    assert listed == [0, 1, 2, 0, 1, 0, 1, 2, 0, 1, 2, 3]  # one more is listed as itself
    summaries = [(d.code, d.location.column, n) for d, n in kept if d.message.startswith("and")]
    assert summaries == [("a", "x", 4), ("c", "z", 3)]
