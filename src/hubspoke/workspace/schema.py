"""The workspace schema: an ordered list of migrations and the open-time checks.

``PRAGMA user_version`` holds the number of migrations applied; migration
``n`` (1-based) takes a version ``n - 1`` file to version ``n``.
:func:`upgrade` applies every pending migration and the version bump in one
``BEGIN IMMEDIATE`` transaction, so a crash or a failure leaves the file at
the version it had. To change the schema, append one function to :data:`MIGRATIONS`;
never edit a migration that has shipped.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from hubspoke.errors import WorkspaceError

#: ``PRAGMA application_id`` of a hubspoke workspace ("HBSP").
APPLICATION_ID = 0x48425350

#: The ``meta`` value that marks a hubspoke workspace.
APPLICATION_NAME = "hubspoke-workspace"

_SQLITE_MAGIC = b"SQLite format 3\x00"

Migration = Callable[[sqlite3.Connection], None]


_SCHEMA_1 = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE files (
    sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    file_name TEXT NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0),
    importer TEXT,
    importer_version TEXT,
    imported_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('imported', 'superseded', 'rejected')),
    rows_read INTEGER NOT NULL,
    rows_imported INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    diagnostics TEXT NOT NULL,
    CHECK (rows_read = rows_imported + rows_rejected)
);

CREATE TABLE returns (
    id INTEGER PRIMARY KEY,
    service_id TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    period_label TEXT NOT NULL,
    submitted_on TEXT,
    file_sha256 TEXT NOT NULL REFERENCES files (sha256),
    importer TEXT NOT NULL,
    superseded_by INTEGER REFERENCES returns (id) DEFERRABLE INITIALLY DEFERRED,
    stored_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE UNIQUE INDEX returns_one_current
    ON returns (service_id, period_start, period_end) WHERE superseded_by IS NULL;
CREATE INDEX returns_by_file ON returns (file_sha256);

CREATE TABLE expected_returns (
    service_id TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    period_label TEXT NOT NULL,
    due_on TEXT NOT NULL,
    PRIMARY KEY (service_id, period_start, period_end)
) WITHOUT ROWID;
"""


def _create_schema(conn: sqlite3.Connection) -> None:
    """Migration 1: meta, files, returns and the expected-returns register.

    ``returns.body`` is the return as JSON (:func:`hubspoke.serialization.dumps_return`);
    the other columns are the keys it is searched and superseded by. At
    most one *current* return (``superseded_by IS NULL``) exists per
    service and period, enforced by a partial unique index.
    """
    # not executescript(): in Python 3.11 it COMMITs the open transaction first
    for statement in _SCHEMA_1.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [
            ("application", APPLICATION_NAME),
            ("hmac_secret", secrets.token_bytes(32)),
        ],
    )


def _add_record_counts(conn: sqlite3.Connection) -> None:
    """Migration 2: per-return record counts, so history lists need no JSON parsing.

    Backfills existing rows from the stored JSON (the ``"return"`` envelope of
    :func:`hubspoke.serialization.dumps_return`) with SQLite's JSON functions.
    """
    for column in ("n_values", "n_cases", "n_activities", "n_outcomes"):
        conn.execute(f"ALTER TABLE returns ADD COLUMN {column} INTEGER NOT NULL DEFAULT 0")
    conn.execute(
        """
        UPDATE returns SET
            n_values = coalesce(json_array_length(body, '$.return.values'), 0),
            n_cases = coalesce(json_array_length(body, '$.return.cases'), 0),
            n_activities = coalesce(json_array_length(body, '$.return.activities'), 0),
            n_outcomes = coalesce(json_array_length(body, '$.return.outcomes'), 0)
        """
    )


#: Every migration, in order; ``len(MIGRATIONS)`` is the current schema version.
MIGRATIONS: Sequence[Migration] = (_create_schema, _add_record_counts)


def schema_version() -> int:
    """The schema version this hubspoke writes (the number of migrations)."""
    return len(MIGRATIONS)


def check_file(path: Path) -> bool:
    """Raise WorkspaceError unless ``path`` may be a workspace; True if it must be created.

    A missing or empty file is created; anything else must be a SQLite file.
    """
    if path.is_dir():
        raise WorkspaceError(f"{path}: is a directory, not a hubspoke workspace file")
    if not path.exists() or path.stat().st_size == 0:
        if not path.parent.exists():
            raise WorkspaceError(f"{path}: the folder {path.parent} does not exist")
        return True
    with path.open("rb") as fh:
        head = fh.read(len(_SQLITE_MAGIC))
    if head != _SQLITE_MAGIC:
        raise WorkspaceError(f"{path}: not a hubspoke workspace (not a SQLite database)")
    return False


def _has_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").fetchone()
    return bool(row[0])


def _check_version(conn: sqlite3.Connection, path: Path, latest: int) -> int:
    """The file's schema version; WorkspaceError if not ours or newer than ``latest``."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if app_id != APPLICATION_ID and (app_id != 0 or version != 0 or _has_tables(conn)):
        raise WorkspaceError(
            f"{path}: not a hubspoke workspace (a SQLite database of another application)"
        )
    if version > latest:
        raise WorkspaceError(
            f"{path}: workspace schema version {version} is newer than this hubspoke "
            f"understands (version {latest}); upgrade hubspoke to open it"
        )
    return version


def upgrade(
    conn: sqlite3.Connection, path: Path, migrations: Sequence[Migration] = MIGRATIONS
) -> int:
    """Bring the database on ``conn`` to the latest schema; return the version it had.

    ``conn`` must be in autocommit mode (``isolation_level=None``). An
    up-to-date file is only read, so opening never waits for a running
    import. Raises WorkspaceError if the file belongs to another application
    or was written by a newer hubspoke.
    """
    latest = len(migrations)
    version = _check_version(conn, path, latest)
    if version == latest:
        return version
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = _check_version(conn, path, latest)  # another process may have migrated it
        for number in range(version + 1, latest + 1):
            migrations[number - 1](conn)
            conn.execute(f"PRAGMA user_version = {number}")
        if version == 0:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return version
