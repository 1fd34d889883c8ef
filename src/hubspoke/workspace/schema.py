"""The workspace schema: an ordered list of migrations and the open-time checks.

``PRAGMA user_version`` holds the number of migrations applied; migration
``n`` (1-based) takes a version ``n - 1`` file to version ``n``.
:func:`upgrade` applies every pending migration and the version bump in one
``BEGIN IMMEDIATE`` transaction, so a crash or a failure leaves the file at
the version it had. To change the schema, append one function to :data:`MIGRATIONS`;
never edit a migration that has shipped.
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from hubspoke.errors import WorkspaceError

#: ``PRAGMA application_id`` of a hubspoke workspace ("HBSP").
APPLICATION_ID = 0x48425350

#: The ``meta`` value that marks a hubspoke workspace.
APPLICATION_NAME = "hubspoke-workspace"

_SQLITE_MAGIC = b"SQLite format 3\x00"

Migration = Callable[[sqlite3.Connection], None]

#: Adds one to the workspace's write generation; run by every write transaction before it
#: commits, so two readers that see the same generation see the same state of the file.
BUMP_GENERATION: Final = (
    "INSERT INTO meta (key, value) VALUES ('generation', 1) "
    "ON CONFLICT (key) DO UPDATE SET value = value + 1"
)
#: The write generation (0 in a workspace no hubspoke write has touched since it was added).
GENERATION: Final = "SELECT coalesce((SELECT value FROM meta WHERE key = 'generation'), 0)"


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


#: Breakdown dimensions, one column each in ``return_values`` (hubspoke.measures.DIMENSIONS).
RECORD_DIMENSIONS: tuple[str, ...] = (
    "gender",
    "ethnicity",
    "age_band",
    "referral_source",
    "risk_level",
    "profession",
    "sexuality",
    "support_type",
    "closure_reason",
    "supervision_kind",
)

_SCHEMA_3 = f"""
CREATE TABLE return_values (
    return_id INTEGER NOT NULL REFERENCES returns (id),
    measure TEXT NOT NULL,
    {", ".join(f"{d} TEXT" for d in RECORD_DIMENSIONS)},
    value REAL NOT NULL
);
CREATE INDEX return_values_by_return ON return_values (return_id, measure);

CREATE TABLE return_cases (
    return_id INTEGER NOT NULL REFERENCES returns (id),
    case_id TEXT NOT NULL,
    referral_date TEXT,
    referral_source TEXT,
    risk_at_referral TEXT,
    risk_latest TEXT,
    gender TEXT,
    ethnicity TEXT,
    sexuality TEXT,
    age INTEGER,
    age_band TEXT,
    looked_after INTEGER,
    support_type TEXT,
    missing_before INTEGER,
    missing_after INTEGER,
    closed_on TEXT,
    closure_reason TEXT,
    reviews TEXT
);
CREATE INDEX return_cases_by_return ON return_cases (return_id);

CREATE TABLE return_activities (
    return_id INTEGER NOT NULL REFERENCES returns (id),
    kind TEXT NOT NULL,
    on_date TEXT,
    audience_profession TEXT,
    attendees INTEGER NOT NULL,
    hours REAL NOT NULL
);
CREATE INDEX return_activities_by_return ON return_activities (return_id);

CREATE TABLE return_outcomes (
    return_id INTEGER NOT NULL REFERENCES returns (id),
    case_id TEXT NOT NULL,
    instrument TEXT NOT NULL,
    on_date TEXT NOT NULL,
    score REAL,
    goal TEXT,
    goal_status TEXT,
    subject TEXT NOT NULL
);
CREATE INDEX return_outcomes_by_return ON return_outcomes (return_id);

CREATE TABLE file_diagnostics (
    file_sha256 TEXT NOT NULL REFERENCES files (sha256) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    file TEXT,
    sheet TEXT,
    row INTEGER,
    column_name TEXT,
    column_letter TEXT,
    path TEXT,
    value TEXT,
    suggestion TEXT,
    PRIMARY KEY (file_sha256, seq)
) WITHOUT ROWID;
"""

_EXPLODE_V2 = (
    f"""
    INSERT INTO return_values (return_id, measure, {", ".join(RECORD_DIMENSIONS)}, value)
    SELECT r.id, json_extract(v.value, '$.measure'),
        {", ".join(f"json_extract(v.value, '$.breakdown.{d}')" for d in RECORD_DIMENSIONS)},
        json_extract(v.value, '$.value')
    FROM returns r, json_each(r.body, '$.return.values') v
    ORDER BY r.id, v.key
    """,
    """
    INSERT INTO return_cases
    SELECT r.id, json_extract(c.value, '$.case_id'), json_extract(c.value, '$.referral_date'),
        json_extract(c.value, '$.referral_source'), json_extract(c.value, '$.risk_at_referral'),
        json_extract(c.value, '$.risk_latest'), json_extract(c.value, '$.gender'),
        json_extract(c.value, '$.ethnicity'), json_extract(c.value, '$.sexuality'),
        json_extract(c.value, '$.age'), json_extract(c.value, '$.age_band'),
        json_extract(c.value, '$.looked_after'), json_extract(c.value, '$.support_type'),
        json_extract(c.value, '$.missing_before'), json_extract(c.value, '$.missing_after'),
        json_extract(c.value, '$.closed_on'), json_extract(c.value, '$.closure_reason'),
        CASE WHEN json_array_length(c.value, '$.reviews') > 0
            THEN json_extract(c.value, '$.reviews') END
    FROM returns r, json_each(r.body, '$.return.cases') c
    ORDER BY r.id, c.key
    """,
    """
    INSERT INTO return_activities
    SELECT r.id, json_extract(a.value, '$.kind'), json_extract(a.value, '$.on'),
        json_extract(a.value, '$.audience_profession'), json_extract(a.value, '$.attendees'),
        json_extract(a.value, '$.hours')
    FROM returns r, json_each(r.body, '$.return.activities') a
    ORDER BY r.id, a.key
    """,
    """
    INSERT INTO return_outcomes
    SELECT r.id, json_extract(o.value, '$.case_id'), json_extract(o.value, '$.instrument'),
        json_extract(o.value, '$.on'), json_extract(o.value, '$.score'),
        json_extract(o.value, '$.goal'), json_extract(o.value, '$.goal_status'),
        json_extract(o.value, '$.subject')
    FROM returns r, json_each(r.body, '$.return.outcomes') o
    ORDER BY r.id, o.key
    """,
    """
    INSERT INTO file_diagnostics
    SELECT f.sha256, d.key, json_extract(d.value, '$.severity'), json_extract(d.value, '$.code'),
        json_extract(d.value, '$.message'), json_extract(d.value, '$.location.file'),
        json_extract(d.value, '$.location.sheet'), json_extract(d.value, '$.location.row'),
        json_extract(d.value, '$.location.column'),
        json_extract(d.value, '$.location.column_letter'),
        json_extract(d.value, '$.location.path'), json_extract(d.value, '$.value'),
        json_extract(d.value, '$.suggestion')
    FROM files f, json_each(f.diagnostics) d
    """,
)


def _record_tables(conn: sqlite3.Connection) -> None:
    """Migration 3: records in typed tables, diagnostics one row each.

    Creates ``return_values`` (one column per breakdown dimension),
    ``return_cases``, ``return_activities``, ``return_outcomes`` (keyed by
    ``returns.id``) and ``file_diagnostics`` (keyed by file), explodes the
    version-2 JSON (``returns.body``, ``files.diagnostics``) into them with
    SQLite's JSON functions, keeps what the return's envelope said beyond its
    records in ``returns.replaces_earlier`` and ``returns.sheet``, then drops
    ``returns.body`` and empties ``files.diagnostics``.
    """
    for statement in _SCHEMA_3.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("ALTER TABLE returns ADD COLUMN replaces_earlier INTEGER NOT NULL DEFAULT 0")
    conn.execute("ALTER TABLE returns ADD COLUMN sheet TEXT")
    conn.execute(
        "UPDATE returns SET "
        "replaces_earlier = coalesce(json_extract(body, '$.return.replaces_earlier'), 0), "
        "sheet = json_extract(body, '$.return.provenance.sheet')"
    )
    for statement in _EXPLODE_V2:
        conn.execute(statement)
    conn.execute("ALTER TABLE returns DROP COLUMN body")
    conn.execute("UPDATE files SET diagnostics = '[]'")


def _summarised_findings(conn: sqlite3.Connection) -> None:
    """Migration 4: ``file_diagnostics.findings``, how many findings a row stands for.

    1 for a finding stored as itself; for a summary row ("and 1,048,570 more
    like this", :func:`hubspoke.workspace.store.store_diagnostics`) the number
    of further findings of the same code and column that are not stored one
    by one. A file's number of findings is ``sum(findings)``, exact however
    many were summarised.
    """
    conn.execute(
        "ALTER TABLE file_diagnostics ADD COLUMN findings INTEGER NOT NULL DEFAULT 1 "
        "CHECK (findings >= 1)"
    )


def _merged_returns(conn: sqlite3.Connection) -> None:
    """Migration 5: ``returns.merged``, 1 for a current return built from several submissions.

    A merged return is derived (:mod:`hubspoke.workspace.supersession`): its
    records are copied from the submissions it combines, and it is rebuilt
    whenever another submission for its service and period arrives. Every
    other row is a submission as received. Returns stored before this
    migration are all counted as submissions.
    """
    conn.execute("ALTER TABLE returns ADD COLUMN merged INTEGER NOT NULL DEFAULT 0")


def _case_columns(conn: sqlite3.Connection) -> None:
    """Migration 6: ``return_case_columns``, a columnar copy of each return's case records.

    Filled for the returns already stored, from their rows
    (:func:`hubspoke.workspace.records.copy_case_rows`). Triggers drop a
    return's copy when any of its case rows is updated or deleted. See
    :mod:`hubspoke.workspace.case_columns`.
    """
    from hubspoke.workspace.case_columns import SCHEMA
    from hubspoke.workspace.records import copy_case_rows

    for statement in SCHEMA:
        conn.execute(statement)
    copy_case_rows(conn)


#: Every migration, in order; ``len(MIGRATIONS)`` is the current schema version.
MIGRATIONS: Sequence[Migration] = (
    _create_schema,
    _add_record_counts,
    _record_tables,
    _summarised_findings,
    _merged_returns,
    _case_columns,
)


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


def check_version(conn: sqlite3.Connection, path: Path, latest: int | None = None) -> int:
    """The file's schema version; WorkspaceError if not ours or newer than ``latest``.

    Only reads: call it before changing anything in a file (even its journal
    mode), so another application's SQLite file is refused untouched.
    """
    latest = len(MIGRATIONS) if latest is None else latest
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
    version = check_version(conn, path, latest)
    if version == latest:
        return version
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = check_version(conn, path, latest)  # another process may have migrated it
        for number in range(version + 1, latest + 1):
            migrations[number - 1](conn)
            conn.execute(f"PRAGMA user_version = {number}")
        if version == 0:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(BUMP_GENERATION)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite has rolled back itself after a full disk
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise
    return version
