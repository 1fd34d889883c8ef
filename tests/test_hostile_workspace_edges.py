"""Workspace edges (issue 10): another application's file is never changed, a read-only
workspace can be read, a full disk gives a readable message, names are escaped on a terminal.

Read-only media and a full disk are real where the tests may mount a small tmpfs (as root
in CI); elsewhere the read-only test uses file permissions, and the full-disk tests also
run against SQLite's own error raised at the worst moment.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

import hostile_files as h
from hubspoke.cli import main
from hubspoke.errors import WorkspaceError
from hubspoke.model import ExpectedReturn
from hubspoke.periods import parse_period
from hubspoke.serialization import dumps_programme
from hubspoke.workspace import Workspace, writing
from importer_fixtures import fictional_programme


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mount_tmpfs(folder: Path, size: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def _umount(folder: Path) -> None:
    subprocess.run(["umount", str(folder)], capture_output=True, check=False)


def _workspace_with_returns(folder: Path) -> Path:
    programme = folder / "programme.json"
    quarters = [parse_period(f"2015-16 Q{q}") for q in range(1, 5)]
    expected = [ExpectedReturn(service_id="S01", period=p, due_on=p.end) for p in quarters]
    with_expected = attrs.evolve(fictional_programme(), expected_returns=tuple(expected))
    programme.write_text(dumps_programme(with_expected), encoding="utf-8")
    values = h.values_csv(folder, ["S01,2015-16 Q1,referrals_received,40,"], name="v.csv")
    workspace = folder / "w.hubspoke"
    result = CliRunner().invoke(main, ["import", str(programme), str(values), "-w", str(workspace)])
    assert result.exit_code == 0, result.output
    return workspace


# -- another application's SQLite file ------------------------------------------------------


@pytest.mark.parametrize("command", ["returns", "score", "report", "export", "import"])
def test_another_applications_sqlite_file_is_refused_unchanged(
    tmp_path: Path, command: str
) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('kept as it was')")
    conn.close()
    before = _sha(other)
    args = {
        "returns": ["returns", "-w", str(other)],
        "score": ["score", "-w", str(other)],
        "report": ["report", "-w", str(other), "--out", str(tmp_path / "out")],
        "export": ["export", "-w", str(other), "--out", str(tmp_path / "exp")],
        "import": [
            "import",
            str(h.values_csv(tmp_path, ["S01,2015-16 Q1,referrals_received,4,"])),
            "-w",
            str(other),
        ],
    }[command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    assert "not a hubspoke workspace" in result.output
    assert _sha(other) == before  # not even switched to WAL
    assert not (tmp_path / "other.db-wal").exists()
    with sqlite3.connect(other) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


# -- read-only workspace ---------------------------------------------------------------------


@pytest.fixture
def read_only_workspace(tmp_path: Path) -> Iterator[Path]:
    """A workspace in a folder nobody may write: read-only media as root, permissions otherwise."""
    (tmp_path / "made").mkdir()
    source = _workspace_with_returns(tmp_path / "made")
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        workspace = folder / source.name
        shutil.copy(source, workspace)
        workspace.chmod(0o444)
        folder.chmod(0o555)
        yield workspace
        folder.chmod(0o755)
        return
    folder = tmp_path / "media"
    if not _mount_tmpfs(folder, "8m"):
        pytest.skip("cannot make read-only media here (not root, or mount refused)")
    try:
        workspace = folder / source.name
        shutil.copy(source, workspace)
        remount = ["mount", "-o", "remount,ro", str(folder)]
        if subprocess.run(remount, capture_output=True, check=False).returncode:
            pytest.skip("cannot remount read-only")
        yield workspace
    finally:
        _umount(folder)


def test_a_read_only_workspace_can_be_read_by_every_read_command(
    read_only_workspace: Path, tmp_path: Path
) -> None:
    before = _sha(read_only_workspace)
    runner = CliRunner()
    for args in (
        ["returns", "-w", str(read_only_workspace)],
        ["score", "-w", str(read_only_workspace), "--period", "2015-16", "--json"],
        [
            "report",
            "-w",
            str(read_only_workspace),
            "--period",
            "2015-16",
            "--out",
            str(tmp_path / "out"),
        ],
        ["export", "-w", str(read_only_workspace), "--out", str(tmp_path / "exp")],
    ):
        result = runner.invoke(
            main, [*args, *(["--today", "2016-06-30"] if "report" in args else [])]
        )
        assert result.exit_code == 0, (args, result.output)
    assert (tmp_path / "out" / "report.html").exists()
    assert _sha(read_only_workspace) == before


def test_writing_a_read_only_workspace_says_so(read_only_workspace: Path, tmp_path: Path) -> None:
    extra = h.values_csv(tmp_path, ["S01,2015-16 Q2,referrals_received,41,"], name="q2.csv")
    result = CliRunner().invoke(main, ["import", str(extra), "-w", str(read_only_workspace)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "the workspace is read-only here" in result.output


# -- a full disk ------------------------------------------------------------------------------


def test_a_full_disk_during_import_is_a_plain_message_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite rolls a transaction back itself on SQLITE_FULL; the message must say so plainly."""
    workspace = _workspace_with_returns(tmp_path)
    before = Workspace.open(workspace)
    tables = before.imports()
    before.close()
    real = writing.insert_return

    def disk_fills(conn: sqlite3.Connection, *args: object, **kwargs: object) -> object:
        real(conn, *args, **kwargs)  # type: ignore[arg-type]
        conn.execute("ROLLBACK")  # what SQLite does on a full disk, before raising
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(writing, "insert_return", disk_fills)
    extra = h.values_csv(tmp_path, ["S01,2015-16 Q2,referrals_received,41,"], name="q2.csv")
    result = CliRunner().invoke(main, ["import", str(extra), "-w", str(workspace)])
    assert result.exit_code == 1
    assert "disk holding the workspace is full" in result.output
    assert "no transaction is active" not in result.output
    assert "Traceback" not in result.output
    with Workspace.open(workspace) as ws:
        assert ws.imports().equals(tables)


def test_a_real_full_disk_during_import(tmp_path: Path) -> None:
    folder = tmp_path / "tiny"
    if not _mount_tmpfs(folder, "400k"):
        pytest.skip("cannot mount a small tmpfs here")
    try:
        workspace = _workspace_with_returns(folder)
        rows = [f"S01-C{i:05d},07/04/2015,police,F,14" for i in range(20_000)]
        big = h.cases_csv(tmp_path, [f"S01,2015-16,{r}" for r in rows], name="big.csv")
        result = CliRunner().invoke(main, ["import", str(big), "-w", str(workspace)])
        assert result.exit_code == 1, result.output
        assert "full" in result.output
        assert "no transaction is active" not in result.output
        assert "Traceback" not in result.output
        with Workspace.open(workspace, read_only=True) as ws:
            assert list(ws.imports()["file_name"]) == ["v.csv"]
    finally:
        _umount(folder)


def test_enospc_is_a_workspace_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = _workspace_with_returns(tmp_path)

    def no_space(*args: object, **kwargs: object) -> object:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writing, "insert_return", no_space)
    extra = h.values_csv(tmp_path, ["S01,2015-16 Q2,referrals_received,41,"], name="q2.csv")
    with Workspace.open(workspace) as ws, pytest.raises(WorkspaceError, match=r"disk .* is full"):
        ws.import_file(extra)


# -- terminal output --------------------------------------------------------------------------


def test_import_text_output_escapes_control_characters_in_names(tmp_path: Path) -> None:
    name = "values\x1b[31m\nfake line.csv"
    path = h.values_csv(tmp_path, ["S01,2015-16 Q1,referrals_received,40,"], name=name)
    workspace = tmp_path / "w.hubspoke"
    runner = CliRunner()
    for _ in range(2):  # imported, then unchanged
        result = runner.invoke(main, ["import", str(path), "-w", str(workspace)])
        assert "\x1b" not in result.output
        assert "fake line.csv" not in result.output.splitlines()[0:1]
        assert "\\x1b[31m\\nfake line.csv" in result.output
