"""Case records read in two threads: the same frames as one reader, from one state of the file."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from hubspoke.model import MonitoringReturn
from hubspoke.periods import financial_quarter
from hubspoke.workspace import SourceFile, Workspace
from hubspoke.workspace import records as records_module
from hubspoke.workspace.records import ReadSnapshot, TableReader, read_frames
from workspace_fixtures import SPOKES, FakeReport, a_return, programme

QUARTERS = [financial_quarter(2015, q) for q in (1, 2, 3, 4)]


def _workspace(tmp_path: Path) -> Path:
    """Three spokes' returns for four quarters, their cases read from ``return_cases``.

    The columnar copies are dropped (as for returns whose copy is unusable):
    these tests are about reading the rows themselves in two threads.
    """
    path = tmp_path / "w.hubspoke"
    with Workspace.open(path) as ws:
        ws.set_programme(programme())
        for k, quarter in enumerate(QUARTERS):
            returns = tuple(
                a_return(sid, quarter, cases=3 + 2 * j + k, seed=10 * k + j)
                for j, sid in enumerate(SPOKES)
            )
            src = tmp_path / f"q{k}.json"
            src.write_text(f"quarter {k}", encoding="utf-8")
            ws.store_report(SourceFile.read(src), FakeReport(returns=returns))
    _change_outside_hubspoke(path, "DELETE FROM return_case_columns")
    return path


def _change_outside_hubspoke(path: Path, *statements: str) -> None:
    """Run ``statements`` on the workspace file as another program would."""
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        for statement in statements:
            conn.execute(statement)


def _store_one(path: Path, source: Path, ret: MonitoringReturn) -> None:
    """Import ``ret`` into the workspace at ``path``, as if read from ``source``."""
    source.write_text(f"a return from {source.name}", encoding="utf-8")
    with Workspace.open(path) as ws:
        ws.store_report(SourceFile.read(source), FakeReport(returns=(ret,)))


def _generation(path: Path) -> int:
    with ReadSnapshot(path) as reader:
        found = reader.generation()
    assert found is not None
    return found


def _serial(path: Path) -> dict[str, pd.DataFrame]:
    with ReadSnapshot(path) as reader:
        alone = TableReader(reader.cursor)  # no twin: one reader reads everything
        return read_frames(alone)


def _read_counting_twins(path: Path) -> tuple[dict[str, pd.DataFrame], list[int]]:
    """The frames as two threads read them, and one entry per second snapshot opened."""
    opened: list[int] = []

    def twin() -> ReadSnapshot:
        opened.append(1)
        return ReadSnapshot(path)

    with ReadSnapshot(path) as reader:
        found = read_frames(TableReader(reader.cursor, twin))
    return found, opened


def test_every_write_adds_one_to_the_generation(tmp_path: Path) -> None:
    path = _workspace(tmp_path)
    before = _generation(path)
    assert before >= 5  # creation and migrations, the programme, four imports
    _store_one(path, tmp_path / "again.json", a_return(SPOKES[0], QUARTERS[0], cases=2, seed=99))
    assert _generation(path) == before + 1


def test_two_threads_read_the_frames_one_reader_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workspace(tmp_path)
    expected = _serial(path)
    monkeypatch.setattr(records_module, "PARALLEL_CASES", 1)
    found, opened = _read_counting_twins(path)
    assert opened == [1]
    assert len(expected["cases"]) > 40
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(found[name], frame)


def test_a_write_between_the_two_snapshots_is_not_mixed_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second thread's snapshot is used only when it sees the first one's state."""
    path = _workspace(tmp_path)
    expected = _serial(path)
    monkeypatch.setattr(records_module, "PARALLEL_CASES", 1)
    with ReadSnapshot(path) as reader:

        def twin_after_a_write() -> ReadSnapshot:
            # a correction arrives while the frames are read
            late = a_return(SPOKES[2], QUARTERS[3], cases=30, seed=77)
            _store_one(path, tmp_path / "correction.json", late)
            return ReadSnapshot(path)

        found = read_frames(TableReader(reader.cursor, twin_after_a_write))
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(found[name], frame)
    after = _serial(path)
    assert not after["cases"].equals(expected["cases"])  # the write did land, later


def test_a_generation_changed_outside_hubspoke_reads_in_one_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workspace(tmp_path)
    expected = _serial(path)
    _change_outside_hubspoke(
        path, "UPDATE meta SET value = 'not a number' WHERE key = 'generation'"
    )
    monkeypatch.setattr(records_module, "PARALLEL_CASES", 1)
    with ReadSnapshot(path) as reader:
        assert reader.generation() is None
    found, opened = _read_counting_twins(path)
    assert opened == []
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(found[name], frame)
    with Workspace.open(path, read_only=True) as ws:  # and the commands still read it
        assert len(ws.frames().cases) == len(expected["cases"])


def test_record_counts_changed_outside_hubspoke_only_move_the_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workspace(tmp_path)
    expected = _serial(path)
    _change_outside_hubspoke(
        path,
        "UPDATE returns SET n_cases = 'many' WHERE id % 2 = 0",
        "UPDATE returns SET n_cases = -1 WHERE id % 3 = 0",
    )
    monkeypatch.setattr(records_module, "PARALLEL_CASES", 1)
    found, opened = _read_counting_twins(path)
    assert opened == [1]  # still read in two halves, split where the counts say
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(found[name], frame)


def test_one_reader_sees_one_state_of_the_file_while_another_writes(tmp_path: Path) -> None:
    """A snapshot's queries all see the file as its first query did (its read transaction)."""
    path = _workspace(tmp_path)
    with ReadSnapshot(path) as reader:
        before = reader.generation()
        assert before is not None
        frames_before = read_frames(reader)
        meanwhile = a_return(SPOKES[1], QUARTERS[2], cases=9, seed=7)
        _store_one(path, tmp_path / "meanwhile.json", meanwhile)
        assert reader.generation() == before
        again = read_frames(reader)
    for name, frame in frames_before.items():
        pd.testing.assert_frame_equal(again[name], frame, obj=name)
    assert _generation(path) == before + 1
    assert len(_serial(path)["cases"]) != len(frames_before["cases"])
