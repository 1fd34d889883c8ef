"""Schema migrations: a version-1 file written by hand is upgraded to the latest."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import attrs
import pandas as pd
import pytest
from click.testing import CliRunner

from hubspoke.cli import main
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
        # the records come back from the record tables; provenance is the workspace's
        assert attrs.evolve(ret, provenance=None) == a_return("SP-NM1", Q1, cases=5)
        assert ret.provenance is not None
        assert (ret.provenance.source_file, ret.provenance.sha256) == ("q1.csv", SHA)
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


# -- a workspace written by the release before record tables (schema version 2) ----------

FIXTURE = Path(__file__).parent / "fixtures" / "v2-workspace"
#: The order the fixture's files were imported in (see its README).
V2_FILES = (
    "values-S12-2015-16-Q2.csv",
    "annual-S01-2014-15.csv",
    "cases-S14-2015-16.csv",
    "quarterly-S21-2015-16-Q3.xlsx",
    "returns-S12-2015-16.json",
    "values-H04-2015-16.csv",
    "values-S12-2015-16-Q2-corrected.csv",
)
PROGRAMME = Path(__file__).parents[1] / "examples" / "programme.json"


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    keep = [c for c in frame.columns if c not in ("return_id", "source_sha256")]
    out = frame[keep]
    return out.sort_values(list(out.columns)[:5], kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def upgraded_and_fresh(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("v2")
    upgraded = folder / "v2.hubspoke"
    shutil.copyfile(FIXTURE / "v2.hubspoke", upgraded)
    fresh = folder / "fresh.hubspoke"
    runner = CliRunner()
    for name in V2_FILES:
        # version 2 replaced a return's values as a whole; --replace-all does that now
        whole = ["--replace-all"] if name.endswith("-corrected.csv") else []
        result = runner.invoke(
            main,
            ["import", str(PROGRAMME), str(FIXTURE / "returns" / name), "-w", str(fresh), *whole],
        )
        assert result.exit_code == 0, result.output
    return upgraded, fresh


def test_a_version_2_workspace_upgrades_to_record_tables(
    upgraded_and_fresh: tuple[Path, Path],
) -> None:
    upgraded, _ = upgraded_and_fresh
    with Workspace.open(upgraded) as ws:
        assert ws.schema_version == len(MIGRATIONS)
        history = ws.history()
        everything = ws.record_frames(include_superseded=True)
    conn = sqlite3.connect(upgraded)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(returns)")}
    conn.close()
    assert "body" not in columns  # the JSON is gone: records live in their tables
    # every record the version-2 JSON held is in the tables: 21 returns as the counts say
    for kind in ("values", "cases", "activities", "outcomes"):
        assert len(everything[kind]) == int(history[kind].sum()), kind
    assert (len(history), int(history["current"].sum())) == (21, 18)


def test_an_upgraded_workspace_holds_what_a_fresh_import_holds(
    upgraded_and_fresh: tuple[Path, Path],
) -> None:
    upgraded, fresh = upgraded_and_fresh
    with Workspace.open(upgraded) as old, Workspace.open(fresh) as new:
        before, after = old.record_frames(), new.record_frames()
        for kind in ("values", "cases", "activities", "outcomes"):
            pd.testing.assert_frame_equal(_comparable(before[kind]), _comparable(after[kind]))
        listed = ["file_name", "status", "rows_read", "errors"]
        old_files = old.imports()[listed].sort_values("file_name", ignore_index=True)
        new_files = new.imports()[listed].sort_values("file_name", ignore_index=True)
        pd.testing.assert_frame_equal(old_files, new_files)


def test_an_upgraded_workspace_gives_identical_figures(
    upgraded_and_fresh: tuple[Path, Path],
) -> None:
    runner = CliRunner()
    printed = []
    for path in upgraded_and_fresh:
        result = runner.invoke(main, ["score", "-w", str(path), "--period", "2015-16", "--json"])
        assert result.exit_code == 0, result.output
        printed.append(json.loads(result.output))
    assert printed[0] == printed[1]
    # and the same spokes are scored as the version-2 release scored them
    released = json.loads((FIXTURE / "v2-score-2015-16.json").read_text())
    assert [s["spoke_id"] for s in printed[0]["scores"]] == [
        s["spoke_id"] for s in released["scores"]
    ]


def test_record_tables_have_a_column_for_every_breakdown_dimension() -> None:
    # migration 3 froze the dimensions as columns of return_values: a new dimension in the
    # catalogue needs a new migration adding its column, or its figures could not be stored
    from hubspoke.measures import DIMENSIONS
    from hubspoke.workspace.schema import RECORD_DIMENSIONS

    assert tuple(RECORD_DIMENSIONS) == tuple(DIMENSIONS)
