"""Schema migrations: a version-1 file written by hand is upgraded to the latest."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hubspoke.errors import WorkspaceError
from hubspoke.periods import financial_quarter
from hubspoke.serialization import dumps_return
from hubspoke.workspace import (
    APPLICATION_ID,
    MIGRATIONS,
    Workspace,
    dump_content,
    schema,
    schema_version,
)
from workspace_fixtures import a_return

# The version-1 schema as shipped, frozen here on purpose: migration 1 may
# never change, and this test proves files written by it still open.
V1_SQL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE files (
    sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    file_name TEXT NOT NULL, size INTEGER NOT NULL CHECK (size >= 0),
    importer TEXT, importer_version TEXT, imported_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('imported', 'superseded', 'rejected')),
    rows_read INTEGER NOT NULL, rows_imported INTEGER NOT NULL, rows_rejected INTEGER NOT NULL,
    diagnostics TEXT NOT NULL, CHECK (rows_read = rows_imported + rows_rejected)
);
CREATE TABLE returns (
    id INTEGER PRIMARY KEY, service_id TEXT NOT NULL, period_start TEXT NOT NULL,
    period_end TEXT NOT NULL, period_label TEXT NOT NULL, submitted_on TEXT,
    file_sha256 TEXT NOT NULL REFERENCES files (sha256), importer TEXT NOT NULL,
    superseded_by INTEGER REFERENCES returns (id) DEFERRABLE INITIALLY DEFERRED,
    stored_at TEXT NOT NULL, body TEXT NOT NULL
);
CREATE UNIQUE INDEX returns_one_current
    ON returns (service_id, period_start, period_end) WHERE superseded_by IS NULL;
CREATE INDEX returns_by_file ON returns (file_sha256);
CREATE TABLE expected_returns (
    service_id TEXT NOT NULL, period_start TEXT NOT NULL, period_end TEXT NOT NULL,
    period_label TEXT NOT NULL, due_on TEXT NOT NULL,
    PRIMARY KEY (service_id, period_start, period_end)
) WITHOUT ROWID;
INSERT INTO meta VALUES ('application', 'hubspoke-workspace');
INSERT INTO meta VALUES ('hmac_secret',
    x'000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
INSERT INTO files VALUES (
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'q1.csv', 10,
    'fake-importer', '1.0', '2016-05-01T09:30:00+00:00', 'imported', 3, 3, 0, '[]');
"""

SHA = "a" * 64
Q1 = financial_quarter(2015, 1)


def _v1_file(path: Path) -> Path:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(V1_SQL)
    ret = a_return("SP-NM1", Q1, cases=5)
    conn.execute(
        "INSERT INTO returns VALUES (1, 'SP-NM1', '2015-04-01', '2015-06-30', '2015-16 Q1', "
        "NULL, ?, 'fake-importer', NULL, '2016-05-01T09:30:00+00:00', ?)",
        (SHA, dumps_return(ret)),
    )
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    return path


def test_a_version_1_file_is_upgraded_to_the_latest(tmp_path: Path) -> None:
    path = _v1_file(tmp_path / "old.hubspoke")
    with Workspace.open(path) as ws:
        assert ws.schema_version == schema_version() == len(MIGRATIONS)
        assert ws.secret_key() == bytes(range(32))
        (ret,) = ws.returns()
        assert ret == a_return("SP-NM1", Q1, cases=5)
        history = ws.history()
        # migration 2 backfilled the record counts from the stored JSON
        assert history[["values", "cases", "activities", "outcomes"]].iloc[0].tolist() == [
            2,
            5,
            1,
            0,
        ]


def test_reopening_an_upgraded_file_changes_nothing(tmp_path: Path) -> None:
    path = _v1_file(tmp_path / "old.hubspoke")
    Workspace.open(path).close()
    upgraded = dump_content(path)
    Workspace.open(path).close()
    assert dump_content(path) == upgraded


def test_a_failing_migration_leaves_the_file_at_its_version(tmp_path: Path) -> None:
    path = _v1_file(tmp_path / "old.hubspoke")
    before = dump_content(path)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE returns ADD COLUMN half_done INTEGER")
        raise RuntimeError("migration bug")

    conn = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(RuntimeError, match="migration bug"):
        schema.upgrade(conn, path, (*MIGRATIONS, broken))
    conn.close()
    assert dump_content(path) == before  # neither migration 2 nor the broken one stuck


def test_one_more_migration_is_one_function(tmp_path: Path) -> None:
    path = _v1_file(tmp_path / "old.hubspoke")

    def add_notes(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE notes (text TEXT NOT NULL)")

    conn = sqlite3.connect(path, isolation_level=None)
    assert schema.upgrade(conn, path, (*MIGRATIONS, add_notes)) == 1
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) + 1
    conn.close()
    with pytest.raises(WorkspaceError, match="newer than this hubspoke"):
        Workspace.open(path)
