"""The workspace store: opening, programme, idempotent imports, supersession, history."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hubspoke.errors import DataValidationError, WorkspaceError
from hubspoke.model import MonitoringReturn, Programme
from hubspoke.periods import financial_quarter
from hubspoke.workspace import (
    APPLICATION_ID,
    SourceFile,
    Workspace,
    dump_content,
    schema_version,
    writing,
)
from workspace_fixtures import SPOKES, FakeReport, a_return, programme, write_file

Q1 = financial_quarter(2015, 1)
Q2 = financial_quarter(2015, 2)
STAMP = datetime(2016, 5, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def ws_path(tmp_path: Path) -> Path:
    return tmp_path / "evaluation.hubspoke"


@pytest.fixture
def ws(ws_path: Path) -> Iterator[Workspace]:
    with Workspace.open(ws_path, clock=lambda: STAMP) as opened:
        opened.set_programme(programme())
        yield opened


def _store(ws: Workspace, path: Path, *returns: MonitoringReturn, content: str = "") -> object:
    source = SourceFile.read(write_file(path, content or path.name))
    n = len(returns)
    return ws.store_report(source, FakeReport(returns=returns, rows_read=n, rows_imported=n))


# -- opening ---------------------------------------------------------------------------


def test_open_creates_a_wal_workspace_with_the_latest_schema(ws_path: Path) -> None:
    with Workspace.open(ws_path) as ws:
        assert ws.schema_version == schema_version()
        key = ws.secret_key()
    conn = sqlite3.connect(ws_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()
    assert len(key) == 32
    with Workspace.open(ws_path) as again:
        assert again.secret_key() == key  # made once, at creation


def test_two_workspaces_get_different_secrets(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "a") as a, Workspace.open(tmp_path / "b") as b:
        assert a.secret_key() != b.secret_key()


def test_a_text_file_is_not_a_workspace(tmp_path: Path) -> None:
    path = write_file(tmp_path / "returns.csv", "service,period\nSP-NM1,2015-16\n")
    with pytest.raises(WorkspaceError, match="not a hubspoke workspace"):
        Workspace.open(path)
    assert path.read_text().startswith("service")  # untouched


def test_another_applications_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(WorkspaceError, match="another application"):
        Workspace.open(path)


def test_a_newer_schema_is_refused_with_advice(ws_path: Path) -> None:
    Workspace.open(ws_path).close()
    conn = sqlite3.connect(ws_path)
    conn.execute(f"PRAGMA user_version = {schema_version() + 1}")
    conn.close()
    with pytest.raises(WorkspaceError, match="newer than this hubspoke understands"):
        Workspace.open(ws_path)


def test_a_directory_or_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="is a directory"):
        Workspace.open(tmp_path)
    with pytest.raises(WorkspaceError, match="does not exist"):
        Workspace.open(tmp_path / "nowhere" / "w.hubspoke")


# -- programme -------------------------------------------------------------------------


def test_programme_round_trips_and_fills_the_expected_register(
    ws: Workspace, ws_path: Path
) -> None:
    assert ws.programme() == programme()
    rows = dump_content(ws_path)["expected_returns"]
    assert len(rows) == len(programme().expected_returns) == 12
    assert ("SP-NM1", "2015-04-01", "2015-06-30", "2015-16 Q1", "2015-07-30") in rows
    ws.set_programme(programme(quarters=2))  # replaces, register follows
    assert len(dump_content(ws_path)["expected_returns"]) == 6
    assert ws.programme_provenance() == {
        "stored_at": STAMP.isoformat(),
        "file_name": None,
        "sha256": None,
    }


def test_an_inconsistent_programme_is_refused(ws: Workspace) -> None:
    good = programme()
    bad = Programme(name=good.name, hubs=good.hubs[:1], spokes=good.spokes)
    with pytest.raises(DataValidationError, match="names hub 'HUB-AL'"):
        ws.set_programme(bad)
    assert ws.programme() == good


def test_no_programme_yet_says_how_to_add_one(ws_path: Path) -> None:
    with Workspace.open(ws_path) as ws, pytest.raises(WorkspaceError, match="hubspoke import"):
        ws.programme()


# -- storing ---------------------------------------------------------------------------


def test_storing_the_same_file_twice_changes_nothing(ws: Workspace, tmp_path: Path) -> None:
    first = _store(ws, tmp_path / "q1.csv", a_return("SP-NM1", Q1, cases=4))
    before = dump_content(ws.path)
    again = _store(ws, tmp_path / "q1.csv", a_return("SP-NM1", Q1, cases=4))
    assert first.status == "imported"  # type: ignore[attr-defined]
    assert again.status == "unchanged"  # type: ignore[attr-defined]
    assert again.imported_at == STAMP  # type: ignore[attr-defined]
    assert "already imported" in again.message  # type: ignore[attr-defined]
    assert dump_content(ws.path) == before


def test_stored_returns_carry_the_workspace_provenance(ws: Workspace, tmp_path: Path) -> None:
    _store(ws, tmp_path / "q1.csv", a_return("SP-NM1", Q1))
    (stored,) = ws.returns()
    assert stored.provenance is not None
    assert stored.provenance.source_file == "q1.csv"
    assert stored.provenance.sha256 == SourceFile.read(tmp_path / "q1.csv").sha256
    assert stored.provenance.importer == "fake-importer"
    assert stored.provenance.imported_at == STAMP


def test_a_resubmission_supersedes_and_keeps_history(ws: Workspace, tmp_path: Path) -> None:
    _store(ws, tmp_path / "q1.csv", a_return("SP-NM1", Q1, referrals=10))
    _store(ws, tmp_path / "q2.csv", a_return("SP-NM1", Q2, referrals=7))
    outcome = _store(ws, tmp_path / "q1-fixed.csv", a_return("SP-NM1", Q1, referrals=11))
    assert outcome.status == "superseded"  # type: ignore[attr-defined]
    (replaced,) = outcome.replaced  # type: ignore[attr-defined]
    assert (replaced.service_id, replaced.period_label, replaced.earlier_file) == (
        "SP-NM1",
        "2015-16 Q1",
        "q1.csv",
    )
    current = {(r.period.label, r.values[0].value) for r in ws.returns()}
    assert current == {("2015-16 Q1", 11.0), ("2015-16 Q2", 7.0)}
    assert len(ws.returns(include_superseded=True)) == 3
    history = ws.history(service_id="SP-NM1", period_label="2015-16 Q1")
    assert list(history["file_name"]) == ["q1.csv", "q1-fixed.csv"]
    assert list(history["current"]) == [False, True]
    assert history["superseded_by"].iloc[0] == history["return_id"].iloc[1]
    assert history["values"].tolist() == [2, 2]
    assert str(history["period_start"].dtype) == "datetime64[ns]"
    imports = ws.imports().set_index("file_name")
    assert imports.loc["q1-fixed.csv", "status"] == "superseded"
    assert imports.loc["q1.csv", "status"] == "imported"


def test_an_older_resubmission_is_kept_as_history_only(ws: Workspace, tmp_path: Path) -> None:
    later = a_return("SP-AL1", Q1, referrals=9, submitted_on=date(2015, 7, 20))
    earlier = a_return("SP-AL1", Q1, referrals=8, submitted_on=date(2015, 7, 10))
    _store(ws, tmp_path / "later.csv", later)
    outcome = _store(ws, tmp_path / "earlier.csv", earlier)
    assert outcome.status == "history"  # type: ignore[attr-defined]
    assert [d.code for d in outcome.diagnostics] == ["older-resubmission"]  # type: ignore[attr-defined]
    assert "stored as history" in outcome.stored[0].message  # type: ignore[attr-defined]
    assert [r.values[0].value for r in ws.returns()] == [9.0]
    history = ws.history("SP-AL1")
    assert list(history["current"]) == [True, False]


def test_returns_for_several_services_in_one_file(ws: Workspace, tmp_path: Path) -> None:
    returns = [a_return(s, q, seed=i) for i, s in enumerate(SPOKES) for q in (Q1, Q2)]
    outcome = _store(ws, tmp_path / "all.csv", *returns)
    assert outcome.returns_stored == 6  # type: ignore[attr-defined]
    assert [(r.service_id, r.period.label) for r in ws.returns()] == sorted(
        (r.service_id, r.period.label) for r in returns
    )


def test_a_failure_mid_store_leaves_nothing_behind(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store(ws, tmp_path / "q1.csv", a_return("SP-NM1", Q1))
    before = dump_content(ws.path)
    real = writing.insert_return
    calls = 0

    def failing(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writing, "insert_return", failing)
    batch = [a_return(s, Q2) for s in SPOKES] + [a_return("SP-NM1", Q1, referrals=3)]
    with pytest.raises(RuntimeError, match="disk on fire"):
        _store(ws, tmp_path / "batch.csv", *batch)
    assert dump_content(ws.path) == before


# -- rejected files --------------------------------------------------------------------


def test_a_file_with_no_returns_is_rejected_once(ws: Workspace, tmp_path: Path) -> None:
    path = write_file(tmp_path / "empty.csv", "service,period\n")
    outcome = ws.store_report(SourceFile.read(path), FakeReport())
    assert outcome.status == "rejected"
    assert [d.code for d in outcome.errors] == ["no-returns"]
    before = dump_content(ws.path)
    assert [row[6] for row in before["files"]] == ["rejected"]
    again = ws.store_report(SourceFile.read(path), FakeReport())
    assert again.status == "rejected"
    assert dump_content(ws.path) == before
    assert ws.returns() == ()


def test_a_rejected_file_can_be_stored_once_it_reads(ws: Workspace, tmp_path: Path) -> None:
    path = write_file(tmp_path / "q1.csv", "content")
    ws.store_report(SourceFile.read(path), FakeReport())
    outcome = ws.store_report(SourceFile.read(path), FakeReport(returns=(a_return("SP-NM1", Q1),)))
    assert outcome.status == "imported"
    assert [row[6] for row in dump_content(ws.path)["files"]] == ["imported"]


# -- concurrency -----------------------------------------------------------------------


def test_a_locked_workspace_gives_a_clear_error(ws_path: Path, tmp_path: Path) -> None:
    Workspace.open(ws_path).close()
    holder = sqlite3.connect(ws_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with (
            Workspace.open(ws_path, timeout=0.05) as ws,
            pytest.raises(WorkspaceError, match="locked by another process"),
        ):
            _store(ws, tmp_path / "q1.csv", a_return("SP-NM1", Q1))
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_returns_see_writes_from_another_connection(ws: Workspace, tmp_path: Path) -> None:
    assert ws.returns() == ()
    with Workspace.open(ws.path) as other:
        _store(other, tmp_path / "q1.csv", a_return("SP-NM1", Q1))
    assert len(ws.returns()) == 1


def test_a_writer_waits_for_another_to_finish(ws_path: Path, tmp_path: Path) -> None:
    import threading

    Workspace.open(ws_path).close()
    holder = sqlite3.connect(ws_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        with Workspace.open(ws_path, timeout=10) as ws:
            outcome = _store(ws, tmp_path / "q1.csv", a_return("SP-NM1", Q1))
        assert outcome.status == "imported"  # type: ignore[attr-defined]
    finally:
        release.join()
        holder.close()
