"""Return records in typed tables: the column specification, writing and columnar reading.

Each kind of record (values, cases, activities, outcomes) has a table keyed by
``returns.id`` (``return_values``, ``return_cases``, ...). :data:`KINDS`
lists each table's columns once, with the type each has in a frame; writing
(from model objects or from record frames) and reading (straight into typed
frames through Arrow, never a Python object per row) both follow it.

Reading uses the ADBC SQLite driver, which returns Arrow columns; SQLite
columns have no fixed type, so every query starts with one typed row that
pins Arrow's types and is dropped (:func:`_typed_select`).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from hubspoke.codes import ActivityKind, GoalStatus, code_list
from hubspoke.errors import WorkspaceError
from hubspoke.model import (
    Activity,
    CaseRecord,
    DataValue,
    OutcomeRecord,
    RiskAssessment,
)
from hubspoke.workspace import case_columns
from hubspoke.workspace.schema import GENERATION, RECORD_DIMENSIONS

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

Kind = Literal["values", "cases", "activities", "outcomes"]
ColumnType = Literal["string", "date", "int", "float", "bool", "code", "enum"]


@attrs.frozen
class Column:
    """One record column: its frame ``name``, SQL column ``sql`` and frame type.

    ``codes`` names the code list (type ``code``) or holds the enum's values
    (type ``enum``): the categories of the frame's categorical column.
    """

    name: str
    sql: str
    type: ColumnType
    codes: str | tuple[str, ...] | None = None

    def categories(self) -> list[str]:
        if isinstance(self.codes, tuple):
            return list(self.codes)
        assert self.codes is not None
        return list(code_list(self.codes).values)


def _col(name: str, type_: ColumnType, codes: str | tuple[str, ...] | None = None) -> Column:
    return Column(name, name, type_, codes)


def _enum(enum: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(m.value) for m in enum)


@attrs.frozen
class RecordKind:
    """A kind of record: its table and its columns after ``return_id``."""

    kind: Kind
    table: str
    columns: tuple[Column, ...]

    @property
    def sql_columns(self) -> tuple[str, ...]:
        return tuple(c.sql for c in self.columns)


KINDS: Final[Mapping[Kind, RecordKind]] = {
    "values": RecordKind(
        "values",
        "return_values",
        (
            _col("measure", "string"),
            *(_col(d, "code", d) for d in RECORD_DIMENSIONS),
            _col("value", "float"),
        ),
    ),
    "cases": RecordKind(
        "cases",
        "return_cases",
        (
            _col("case_id", "string"),
            _col("referral_date", "date"),
            _col("referral_source", "code", "referral_source"),
            _col("risk_at_referral", "code", "risk_level"),
            _col("risk_latest", "code", "risk_level"),
            _col("gender", "code", "gender"),
            _col("ethnicity", "code", "ethnicity"),
            _col("sexuality", "code", "sexuality"),
            _col("age", "int"),
            _col("age_band", "code", "age_band"),
            _col("looked_after", "bool"),
            _col("support_type", "code", "support_type"),
            _col("missing_before", "int"),
            _col("missing_after", "int"),
            _col("closed_on", "date"),
            _col("closure_reason", "code", "closure_reason"),
        ),
    ),
    "activities": RecordKind(
        "activities",
        "return_activities",
        (
            _col("kind", "enum", _enum(ActivityKind)),
            Column("on", "on_date", "date"),
            _col("audience_profession", "code", "profession"),
            _col("attendees", "int"),
            _col("hours", "float"),
        ),
    ),
    "outcomes": RecordKind(
        "outcomes",
        "return_outcomes",
        (
            _col("case_id", "string"),
            _col("instrument", "string"),
            Column("on", "on_date", "date"),
            _col("score", "float"),
            _col("goal", "string"),
            _col("goal_status", "enum", _enum(GoalStatus)),
            _col("subject", "string"),
        ),
    ),
}
"""Every kind of record, in the order messages and frames name them."""

# -- writing from model objects ----------------------------------------------------------------


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _value_row(v: DataValue) -> tuple[object, ...]:
    dims = dict(v.breakdown)
    return (v.measure, *(dims.get(d) for d in RECORD_DIMENSIONS), float(v.value))


def _reviews_json(reviews: Sequence[RiskAssessment]) -> str | None:
    if not reviews:
        return None
    return json.dumps(
        [
            {
                "on": r.on.isoformat(),
                "level": r.level,
                "tool": r.tool,
                "tool_version": r.tool_version,
                "score": r.score,
            }
            for r in reviews
        ]
    )


def _case_row(c: CaseRecord) -> tuple[object, ...]:
    return (
        c.case_id,
        _iso(c.referral_date),
        c.referral_source,
        c.risk_at_referral,
        c.risk_latest,
        c.gender,
        c.ethnicity,
        c.sexuality,
        c.age,
        c.age_band,
        None if c.looked_after is None else int(c.looked_after),
        c.support_type,
        c.missing_before,
        c.missing_after,
        _iso(c.closed_on),
        c.closure_reason,
        _reviews_json(c.reviews),
    )


def _activity_row(a: Activity) -> tuple[object, ...]:
    return (a.kind.value, _iso(a.on), a.audience_profession, a.attendees, float(a.hours))


def _outcome_row(o: OutcomeRecord) -> tuple[object, ...]:
    return (
        o.case_id,
        o.instrument,
        o.on.isoformat(),
        o.score,
        o.goal,
        None if o.goal_status is None else o.goal_status.value,
        o.subject,
    )


_ROW_OF: Final[Mapping[Kind, Callable[[Any], tuple[object, ...]]]] = {
    "values": _value_row,
    "cases": _case_row,
    "activities": _activity_row,
    "outcomes": _outcome_row,
}


def _insert_sql(kind: Kind) -> str:
    spec = KINDS[kind]
    names = ["return_id", *spec.sql_columns] + (["reviews"] if kind == "cases" else [])
    marks = ", ".join("?" for _ in names)
    return f"INSERT INTO {spec.table} ({', '.join(names)}) VALUES ({marks})"


def insert_records(
    conn: sqlite3.Connection, return_id: int, kind: Kind, records: Sequence[object]
) -> None:
    """Insert one return's records of ``kind`` (model objects) under ``return_id``."""
    row_of = _ROW_OF[kind]
    conn.executemany(_insert_sql(kind), ((return_id, *row_of(r)) for r in records))


def typed_arrow_column(column: pd.Series, type_: ColumnType) -> pa.Array:
    """One frame column as Arrow: date32 dates, int64 numbers and 0/1 flags, float64, text.

    A categorical column stays dictionary-encoded, its categories as text.
    """
    import pyarrow as pa

    if type_ == "date":
        stamps = pa.array(column.astype("datetime64[ns]"), from_pandas=True)
        return stamps.cast(pa.date32())
    if type_ in ("int", "bool"):
        return pa.array(column.astype("Int64"), from_pandas=True)
    if type_ == "float":
        return pa.array(column.astype("Float64"), from_pandas=True)
    found = pa.array(column, from_pandas=True)
    if pa.types.is_dictionary(found.type):
        if found.type.value_type != pa.string():
            found = pa.DictionaryArray.from_arrays(
                found.indices, found.dictionary.cast(pa.string())
            )
        return found
    return found.cast(pa.string())


def stored_arrow_column(array: pa.Array, type_: ColumnType) -> pa.Array:
    """What SQLite stores of a :func:`typed_arrow_column`: ISO date text, codes as text."""
    import pyarrow as pa

    if type_ == "date":
        return array.cast(pa.string())
    if pa.types.is_dictionary(array.type):
        return array.dictionary_decode()
    return array


@attrs.frozen(eq=False)
class RowSlice:
    """One return's frame-held records of one kind, staged in an attached database.

    Rows ``first`` to ``last`` (rowids, inclusive) of table ``kind`` of the
    database attached as ``schema`` are its records.
    """

    kind: Kind
    first: int
    last: int
    schema: str
    #: Case records: their columnar copy (:mod:`hubspoke.workspace.case_columns`).
    columns: bytes | None = None

    def __len__(self) -> int:
        return self.last - self.first + 1

    def insert(self, conn: sqlite3.Connection, return_id: int) -> None:
        """Insert these records under ``return_id``: one INSERT ... SELECT, inside SQLite.

        Case records also store their columnar copy, if they are the return's only ones.
        """
        spec = KINDS[self.kind]
        listed = ", ".join(spec.sql_columns)
        extra = ", reviews" if self.kind == "cases" else ""
        null = ", NULL" if self.kind == "cases" else ""  # frames carry no reviews
        conn.execute(
            f"INSERT INTO main.{spec.table} (return_id, {listed}{extra}) "
            f"SELECT ?, {listed}{null} FROM {self.schema}.{self.kind} "
            "WHERE rowid BETWEEN ? AND ? ORDER BY rowid",
            (return_id, self.first, self.last),
        )
        if self.columns is not None:
            case_columns.store(conn, return_id, len(self), self.columns)


#: Staged rows of one kind past which they are written to two files at once (two threads).
PARALLEL_STAGING: Final = 100_000


@contextlib.contextmanager
def staged_rows(
    conn: sqlite3.Connection, frames: Mapping[str, pd.DataFrame], returns: int
) -> Iterator[list[dict[str, RowSlice]]]:
    """Per return, its frame-held records of each kind, staged for fast insertion.

    The records are written column-wise (Arrow, through ADBC) to temporary
    SQLite files, attached to ``conn`` as ``staged0`` (and ``staged1``) for
    the block; each :class:`RowSlice` then inserts its return's rows with one
    ``INSERT ... SELECT`` inside the import's own transaction, so no Python
    object is made per row and the import stays one transaction. A kind with
    :data:`PARALLEL_STAGING` rows or more is split at a return between two
    files written by two threads (SQLite and Arrow work without the GIL).
    Case slices carry their columnar copy (:mod:`hubspoke.workspace.case_columns`).
    ``conn`` must not be in a transaction on entry or exit (SQLite attaches
    outside transactions). The temporary files are removed afterwards.
    """
    import numpy as np

    out: list[dict[str, RowSlice]] = [{} for _ in range(returns)]
    wanted = {k: f for k, f in frames.items() if len(f)}
    if not wanted:
        yield out
        return
    files: list[dict[Kind, pd.DataFrame]] = [{}, {}]
    for name, frame in wanted.items():
        kind: Kind = name  # type: ignore[assignment]
        index = frame["return_index"].to_numpy(dtype=np.int64)
        if bool((index[1:] < index[:-1]).any()):  # rows not yet in return order
            order = np.argsort(index, kind="stable")
            frame, index = frame.take(order), index[order]
        bounds = np.searchsorted(index, np.arange(returns + 1)).tolist()
        cut = returns
        if len(frame) >= PARALLEL_STAGING:
            cut = int(np.searchsorted(bounds, len(frame) / 2))
        for number, (low, high) in enumerate(((0, cut), (cut, returns))):
            if bounds[high] == bounds[low]:
                continue
            files[number][kind] = frame.iloc[bounds[low] : bounds[high]]
            offset = bounds[low]
            for k in range(low, high):
                if bounds[k + 1] > bounds[k]:
                    out[k][kind] = RowSlice(
                        kind, bounds[k] + 1 - offset, bounds[k + 1] - offset, f"staged{number}"
                    )
    folder = Path(tempfile.mkdtemp(prefix="hubspoke-staging-"))
    attached: list[str] = []
    try:
        paths = [folder / f"rows{n}.sqlite" for n in range(len(files))]
        cases = [(k, out[k]["cases"]) for k in range(returns) if "cases" in out[k]]
        work = [
            (path, tables, [(k, c) for k, c in cases if c.schema == f"staged{number}"])
            for number, (path, tables) in enumerate(zip(paths, files, strict=True))
            if tables
        ]
        if len(work) > 1:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=len(work)) as pool:
                copies = list(pool.map(lambda job: _stage(*job), work))
        else:
            copies = [_stage(*job) for job in work]
        for found in copies:
            for k, data in found.items():
                out[k]["cases"] = attrs.evolve(out[k]["cases"], columns=data)
        for number, (path, tables) in enumerate(zip(paths, files, strict=True)):
            if tables:
                conn.execute("ATTACH DATABASE ? AS " + f"staged{number}", (str(path),))
                attached.append(f"staged{number}")
        yield out
    finally:
        for schema in attached:
            conn.execute(f"DETACH DATABASE {schema}")
        shutil.rmtree(folder, ignore_errors=True)


def _stage(
    path: Path, frames: Mapping[Kind, pd.DataFrame], cases: Sequence[tuple[int, RowSlice]]
) -> dict[int, bytes]:
    """Write ``frames`` (one per kind, as tables named after it) to a new SQLite file at ``path``.

    Columns are stored as the workspace stores them (:func:`stored_arrow_column`).
    The file is scratch (removed after the import), so it keeps no journal
    and is not synced. Returns the columnar copy of each of ``cases`` (the
    case slices staged here, by return index).
    """
    import adbc_driver_sqlite.dbapi as adbc
    import pyarrow as pa

    typed = {
        kind: {c.sql: typed_arrow_column(frame[c.name], c.type) for c in KINDS[kind].columns}
        for kind, frame in frames.items()
    }
    copies: dict[int, bytes] = {}
    if cases:
        types = {c.sql: c.type for c in KINDS["cases"].columns}
        ranges = [(rows.first - 1, len(rows)) for _, rows in cases]
        found = case_columns.encode(pa.table(typed["cases"]), types, ranges)
        copies = {k: data for (k, _), data in zip(cases, found, strict=True)}
    tables = {
        kind: pa.table(
            {c.sql: stored_arrow_column(typed[kind][c.sql], c.type) for c in KINDS[kind].columns}
        )
        for kind in frames
    }
    staging = adbc.connect(str(path), autocommit=True)
    try:
        cursor = staging.cursor()
        for pragma in ("PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF"):
            cursor.execute(pragma)
            cursor.fetchall()
        cursor.execute("BEGIN")
        for kind, table in tables.items():
            cursor.adbc_ingest(kind, table, mode="create")
        cursor.execute("COMMIT")
        cursor.close()
    finally:
        staging.close()
    return copies


def copy_case_rows(conn: sqlite3.Connection, return_ids: Iterable[int] | None = None) -> int:
    """Store the columnar copy of returns' case records, read back from ``return_cases``.

    For returns whose cases were not staged from a frame: model objects, a
    merged return whose submission has no copy, or returns stored before the
    copies existed (``return_ids`` None: every return, as migration 6 does).
    A return is copied only if its rows are contiguous and every value has
    its column's type; otherwise it is read from its rows, as before. Runs
    in the caller's transaction; returns how many returns were copied. Rows
    are read :data:`_ROWS_AT_ONCE` at a time, so memory stays bounded.
    """
    import pyarrow as pa

    spec = KINDS["cases"]
    where, params = "", []
    if return_ids is not None:
        where = "WHERE return_id IN (SELECT value FROM json_each(?))"
        params = [json.dumps(sorted(return_ids))]
    spans = conn.execute(
        "SELECT return_id, min(rowid), max(rowid), count(*) FROM return_cases "
        f"{where} GROUP BY return_id",
        params,
    ).fetchall()
    types = {c.sql: c.type for c in spec.columns}
    listed = ", ".join(spec.sql_columns)
    copied = 0
    for return_id, first, last, n in spans:
        if last - first + 1 != n:
            continue
        cursor = conn.execute(
            f"SELECT {listed} FROM return_cases WHERE return_id = ? ORDER BY rowid", (return_id,)
        )
        parts: list[pa.Table] = []
        while rows := cursor.fetchmany(_ROWS_AT_ONCE):  # a bounded number of row objects
            part = _typed_rows(rows, spec.columns)
            if part is None:
                break
            parts.append(part)
        else:
            if parts:
                table = pa.concat_tables(parts)
                (data,) = case_columns.encode(table, types, [(0, n)])
                copied += case_columns.store(conn, return_id, n, data)
        cursor.close()
    return copied


#: Rows :func:`copy_case_rows` holds as Python objects at once.
_ROWS_AT_ONCE: Final = 20_000


def _typed_rows(rows: Sequence[tuple[object, ...]], columns: Sequence[Column]) -> pa.Table | None:
    """Rows as stored, typed as :func:`typed_arrow_column` types a frame; None if one will not."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    arrays: dict[str, pa.Array] = {}
    try:
        for column, cells in zip(columns, values, strict=True):
            if column.type == "date":  # ISO text, blank as missing: as a reader reads it
                text = pa.array(cells, pa.string())
                arrays[column.sql] = pc.if_else(pc.equal(text, ""), None, text).cast(pa.date32())
            elif column.type in ("int", "bool"):
                arrays[column.sql] = pa.array(cells, pa.int64())
            elif column.type == "float":
                arrays[column.sql] = pa.array(cells, pa.float64())
            else:
                arrays[column.sql] = pa.array(cells, pa.string())
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None
    return pa.table(arrays)


def copy_records(conn: sqlite3.Connection, kind: Kind, from_id: int, to_id: int) -> None:
    """Copy return ``from_id``'s records of ``kind`` to return ``to_id`` (in SQL).

    Case records take their columnar copy along if ``from_id`` has a usable
    one, and are copied from their rows otherwise (:func:`copy_case_rows`).
    """
    spec = KINDS[kind]
    names = [*spec.sql_columns] + (["reviews"] if kind == "cases" else [])
    listed = ", ".join(names)
    conn.execute(
        f"INSERT INTO {spec.table} (return_id, {listed}) "
        f"SELECT ?, {listed} FROM {spec.table} WHERE return_id = ? ORDER BY rowid",
        (to_id, from_id),
    )
    if kind == "cases" and not case_columns.copy(conn, from_id, to_id):
        copy_case_rows(conn, [to_id])


# -- reading as typed frames -------------------------------------------------------------------


_PIN: Final[Mapping[ColumnType, str]] = {
    "string": "''",
    "date": "''",
    "code": "''",
    "enum": "''",
    "int": "0",
    "bool": "0",
    "float": "0.0",
}


def _typed_select(columns: Sequence[tuple[str, ColumnType]], body: str) -> str:
    """``body`` (a SELECT of ``columns``) behind one typed row that pins Arrow's types.

    The ADBC driver infers each column's type from the first rows; a column
    that starts with NULLs would be read as integers and then fail on text.
    The pinning row has ``_pin = 0``; every real row ``_pin = 1``.
    """
    pins = ", ".join(f"{_PIN[t]} AS {name}" for name, t in columns)
    return f"SELECT 0 AS _pin, {pins} UNION ALL SELECT 1, * FROM ({body})"


@attrs.frozen
class TableReader:
    """Reads queries as Arrow tables from one read-only snapshot of a workspace file.

    ``twin``: opens another snapshot of the same file (for reading a large
    table in two threads), or None.
    """

    cursor: Any
    twin: Callable[[], ReadSnapshot] | None = None

    def generation(self) -> int | None:
        """The workspace's write generation as this snapshot sees it (None if unreadable).

        Read first, it also fixes the snapshot: SQLite takes a read
        transaction's snapshot at its first read. A value that is not a
        whole number (the file was changed outside hubspoke) is None, and
        nothing is then read by a second snapshot.
        """
        self.cursor.execute(GENERATION)
        row = self.cursor.fetchone()
        value = None if row is None else row[0]
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def query(
        self, columns: Sequence[tuple[str, ColumnType]], body: str, params: Sequence[object] = ()
    ) -> pa.Table:
        """The rows of ``body`` (selecting ``columns`` in order), typed, as an Arrow table."""
        self.cursor.execute(_typed_select(columns, body), list(params))
        table: pa.Table = self.cursor.fetch_arrow_table()
        return table.slice(1).drop_columns(["_pin"])


class ArrowCursor:
    """Queries on one ADBC SQLite connection, each result read whole as an Arrow table.

    Built on ADBC's low-level API: its DB-API module also imports
    ``pyarrow.dataset`` (and with it pandas), which reading needs neither of.
    The connection runs with autocommit off, so its first read opens the read
    transaction (the snapshot) that every later query on it shares.
    """

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._result: pa.Table | None = None

    def execute(self, sql: str, params: Sequence[object] = ()) -> None:
        """Run ``sql`` with positional ``params`` and keep its whole result."""
        import adbc_driver_manager
        import pyarrow as pa

        statement = adbc_driver_manager.AdbcStatement(self._conn)
        try:
            statement.set_sql_query(sql)
            if params:
                names = [str(i) for i in range(len(params))]
                statement.bind(pa.record_batch([pa.array([p]) for p in params], names=names))
            stream, _ = statement.execute_query()
            self._result = pa.RecordBatchReader._import_from_c(stream.address).read_all()
        finally:
            statement.close()

    def fetch_arrow_table(self) -> pa.Table:
        """The last query's result."""
        if self._result is None:
            raise WorkspaceError("internal error: no query was run")
        found, self._result = self._result, None
        return found

    def fetchone(self) -> tuple[object, ...] | None:
        """The first row of the last query's result, or None if it had none."""
        table = self.fetch_arrow_table()
        return None if not table.num_rows else tuple(c[0].as_py() for c in table.columns)


def _uri(path: Path, immutable: bool = False) -> str:
    return path.resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")


class ReadSnapshot:
    """A read-only ADBC connection holding one read transaction (a consistent snapshot)."""

    def __init__(self, path: Path, *, immutable: bool = False) -> None:
        """``immutable``: the file cannot change (on read-only media; see ``Workspace.open``)."""
        import adbc_driver_manager
        import adbc_driver_sqlite

        self._database = adbc_driver_sqlite.connect(_uri(path, immutable))
        try:
            self._conn = adbc_driver_manager.AdbcConnection(self._database)
            self._conn.set_autocommit(False)
        except BaseException:
            self._database.close()
            raise
        self.reader = TableReader(
            ArrowCursor(self._conn), lambda: ReadSnapshot(path, immutable=immutable)
        )

    def close(self) -> None:
        try:
            self._conn.rollback()  # the read transaction; nothing was written
        finally:
            self._conn.close()
            self._database.close()

    def __enter__(self) -> TableReader:
        return self.reader

    def __exit__(self, *exc: object) -> None:
        self.close()


def returns_table_sql(where: str) -> tuple[list[tuple[str, ColumnType]], str]:
    """Columns and SELECT of the returns frame for returns matching ``where`` (SQL on ``r``)."""
    columns: list[tuple[str, ColumnType]] = [
        ("return_id", "int"),
        ("service_id", "string"),
        ("period_label", "string"),
        ("period_start", "date"),
        ("period_end", "date"),
        ("submitted_on", "date"),
        ("replaces_earlier", "bool"),
        ("source_sha256", "string"),
    ]
    body = (
        "SELECT r.id, r.service_id, r.period_label, r.period_start, r.period_end, "
        "r.submitted_on, r.replaces_earlier, r.file_sha256 FROM returns r "
        f"WHERE {where} ORDER BY r.service_id, r.period_start, r.period_end, r.id"
    )
    return columns, body


def record_table_sql(
    kind: Kind, where: str, wanted: Sequence[str] | None = None
) -> tuple[list[tuple[str, ColumnType]], str]:
    """Columns and SELECT of one kind's records for returns matching ``where``.

    ``wanted`` limits the record columns (frame names); ``return_id`` always comes first.
    """
    spec = KINDS[kind]
    chosen = [c for c in spec.columns if wanted is None or c.name in wanted]
    columns: list[tuple[str, ColumnType]] = [("return_id", "int")]
    columns += [(c.sql, c.type) for c in chosen]
    listed = ", ".join(f"t.{c.sql}" for c in chosen)
    body = (
        f"SELECT t.return_id, {listed} FROM {spec.table} t JOIN returns r ON r.id = t.return_id "
        f"WHERE {where} ORDER BY t.return_id, t.rowid"
    )
    return columns, body


def arrow_column_to_pandas(column: pa.ChunkedArray, type_: ColumnType, spec: Column | None) -> Any:
    """One Arrow column as the pandas array of the frames' fixed dtype (see hubspoke.frames)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if type_ == "date":
        days = column
        if column.type != pa.date32():  # ISO text, as SQLite holds it
            days = pc.if_else(pc.equal(column, ""), None, column)
        try:
            stamps = days.cast(pa.date32()).cast(pa.timestamp("ns"))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise WorkspaceError(_damaged(days, spec)) from None
        return pd.Series(stamps.to_pandas(), dtype="datetime64[ns]").array
    if type_ == "string":
        return pd.array(column, dtype="string")
    if type_ in ("int", "float", "bool"):
        return _masked(column, type_)
    assert spec is not None
    categories = spec.categories()
    # each value's position among the categories: a value no category holds reads as missing
    value_set = pa.array([str(c) for c in categories], pa.string())
    if pa.types.is_dictionary(column.type):
        positions = _dictionary_positions(column, value_set)
    else:
        found = pc.index_in(column, value_set=value_set)
        positions = np.asarray(pc.fill_null(found, -1).to_numpy(), dtype=np.int32)
    # positions come from index_in: -1 or a category's position, so no second check
    return pd.Categorical.from_codes(positions, categories=pd.Index(categories), validate=False)


def _masked(column: pa.ChunkedArray, type_: ColumnType) -> Any:
    """A numeric column as a pandas masked array: Int64, Float64 (NaN as missing) or boolean."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    mask = np.asarray(pc.is_null(column).to_numpy(), dtype=bool)
    if type_ == "float":
        floats = np.asarray(pc.fill_null(column.cast(pa.float64()), 0.0).to_numpy(), np.float64)
        return pd.arrays.FloatingArray(floats, mask | np.isnan(floats))
    whole = np.asarray(pc.fill_null(column.cast(pa.int64()), 0).to_numpy(), np.int64)
    if type_ == "bool":
        return pd.arrays.BooleanArray(whole != 0, mask)
    return pd.arrays.IntegerArray(whole, mask)


def _dictionary_positions(column: pa.ChunkedArray, value_set: pa.Array) -> Any:
    """Each value's position in ``value_set`` (-1 if absent or missing), for dictionary chunks.

    Only each chunk's dictionary is looked up; chunks that share one share the lookup.
    """
    import numpy as np
    import pyarrow.compute as pc

    parts = []
    last: tuple[Any, Any] | None = None
    for chunk in column.chunks:
        if last is None or not chunk.dictionary.equals(last[0]):
            found = pc.fill_null(pc.index_in(chunk.dictionary, value_set=value_set), -1)
            # one more slot, -1, for missing values (their index is filled with -1)
            last = (chunk.dictionary, np.append(found.to_numpy(), -1).astype(np.int32))
        indices = pc.fill_null(chunk.indices, -1).to_numpy(zero_copy_only=False)
        parts.append(last[1][indices])
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int32)


def _damaged(days: pa.ChunkedArray, spec: Column | None) -> str:
    """What is wrong with a date column SQLite holds but no reader can use."""
    import pyarrow.compute as pc

    parsed = pc.strptime(days, format="%Y-%m-%d", unit="s", error_is_null=True)
    bad = pc.and_(pc.is_valid(days), pc.is_null(parsed))
    found = days.filter(bad)
    value = str(found[0].as_py())[:40] if len(found) else "?"
    column = spec.sql if spec is not None else "a date column"
    return (
        f"the workspace is damaged: {column} holds {value!r}, which is not a date "
        f"({len(found)} such value(s)); the file was changed outside hubspoke. Restore it "
        "from a backup, or import the returns again into a new workspace"
    )


def to_frame(
    table: pa.Table, columns: Sequence[tuple[str, ColumnType]], specs: Mapping[str, Column]
) -> pd.DataFrame:
    """An Arrow table of ``columns`` as a frame of fixed dtypes, named as in ``specs``.

    A large table's columns are converted by two threads (Arrow's kernels
    release the GIL).
    """
    import pandas as pd

    def convert(i: int) -> Any:
        sql, type_ = columns[i]
        return arrow_column_to_pandas(table.column(i), type_, specs.get(sql))

    if table.num_rows >= PARALLEL_CASES:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=2) as pool:
            arrays = list(pool.map(convert, range(len(columns))))
    else:
        arrays = [convert(i) for i in range(len(columns))]
    names = [spec.name if (spec := specs.get(sql)) is not None else sql for sql, _ in columns]
    # the arrays are new: no copy, no consolidation
    return pd.DataFrame(dict(zip(names, arrays, strict=True)), copy=False)


#: The columns a record frame takes from its return, after ``return_id``.
PERIOD_COLUMNS: Final = ("service_id", "period_label", "period_start", "period_end")


def read_frames(
    reader: TableReader,
    where: str = "r.superseded_by IS NULL",
    params: Sequence[object] = (),
    *,
    kinds: Iterable[Kind] = tuple(KINDS),
    wanted: Mapping[Kind, Sequence[str]] | None = None,
) -> dict[str, pd.DataFrame]:
    """The returns frame and the record frames of the returns matching ``where``.

    Keys: ``returns`` and each kind asked for. Each record frame is
    ``return_id``, the return's service and period columns, then the kind's
    columns (all, or ``wanted[kind]``); values end with ``source_sha256``.
    Dtypes are those of :mod:`hubspoke.frames`. ``where`` is SQL on the
    returns table aliased ``r`` (default: current returns).
    """
    import numpy as np
    import pandas as pd

    generation = reader.generation()
    columns, body = returns_table_sql(where)
    returns = to_frame(reader.query(columns, body, params), columns, {})
    out: dict[str, pd.DataFrame] = {"returns": returns}
    by_id = returns.set_index("return_id")
    for kind in kinds:
        spec = KINDS[kind]
        chosen = None if wanted is None else wanted.get(kind)
        specs = {c.sql: c for c in spec.columns}
        if kind == "cases":
            cols = record_table_sql(kind, where, chosen)[0]
            tables = _read_cases(reader, generation, where, params, chosen)
            frame = _in_return_order([to_frame(t, cols, specs) for t in tables])
        else:
            cols, sql = record_table_sql(kind, where, chosen)
            frame = to_frame(reader.query(cols, sql, params), cols, specs)
        position = by_id.index.get_indexer(pd.Index(frame["return_id"].to_numpy(dtype=np.int64)))
        taken = {name: by_id[name].array.take(position) for name in PERIOD_COLUMNS}
        names = [c for c in frame.columns if c != "return_id"]
        assembled: dict[str, Any] = {"return_id": frame["return_id"].array, **taken}
        assembled |= {n: frame[n].array for n in names}
        if kind == "values":
            assembled["source_sha256"] = by_id["source_sha256"].array.take(position)
        out[kind] = pd.DataFrame(assembled, copy=False)
    return out


#: Case records past which :func:`read_frames` reads the cases in two threads.
PARALLEL_CASES: Final = 100_000


def _read_cases(
    reader: TableReader,
    generation: int | None,
    where: str,
    params: Sequence[object],
    wanted: Sequence[str] | None,
) -> list[pa.Table]:
    """The case records of returns matching ``where``, in one or two parts.

    Returns that have a usable columnar copy (:mod:`hubspoke.workspace.case_columns`)
    are read from it; the others from ``return_cases`` (:func:`_read_case_rows`).
    Each part is in :func:`record_table_sql`'s order and the parts hold
    different returns; an empty selection gives one empty part.
    """
    cols, _ = record_table_sql("cases", where, wanted)
    copies = _read_case_copies(reader, where, params, wanted, cols)
    if copies is None:
        return [_read_case_rows(reader, generation, where, params, wanted)]
    ids, table = copies
    rest = f"({where}) AND r.id NOT IN (SELECT value FROM json_each(?))"
    left = reader.query(  # by the rows themselves, not the stored counts
        [("n", "int")],
        f"SELECT count(*) FROM returns r WHERE {rest} "
        "AND EXISTS (SELECT 1 FROM return_cases t WHERE t.return_id = r.id)",
        [*params, json.dumps(ids)],
    )
    if not left.column(0)[0].as_py():
        return [table]
    rows = _read_case_rows(reader, generation, rest, [*params, json.dumps(ids)], wanted)
    return [table, rows] if rows.num_rows else [table]


def _read_case_copies(
    reader: TableReader,
    where: str,
    params: Sequence[object],
    wanted: Sequence[str] | None,
    cols: Sequence[tuple[str, ColumnType]],
) -> tuple[list[int], pa.Table] | None:
    """The ids of the returns read from usable columnar copies, and their records in order.

    None if no return matching ``where`` has one. A copy that does not
    decode is left out (its return is then read from its rows).
    """
    spec = KINDS["cases"]
    chosen = [c for c in spec.columns if wanted is None or c.name in wanted]
    try:
        reader.cursor.execute(case_columns.copies_sql(where), list(params))
        found: pa.Table = reader.cursor.fetch_arrow_table()
    except Exception:  # a copy table changed outside hubspoke: the rows are read instead
        return None
    if not found.num_rows:
        return None
    data = [blob for chunk in found.column(3).chunks for blob in _blobs(chunk)]
    rows = zip(*(found.column(n).to_pylist() for n in range(3)), data, strict=True)
    ids, table = case_columns.decode(
        [(rid, last - first + 1, blob) for rid, first, last, blob in rows], chosen
    )
    if table is None:
        return None
    return ids, table.rename_columns([name for name, _ in cols])


def _blobs(column: pa.Array) -> list[pa.Buffer]:
    """Each value of a binary Arrow array as a buffer over the array's own memory (no copy)."""
    import numpy as np
    import pyarrow as pa

    if not (pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type)):
        return [value.as_buffer() for value in column]
    _, offsets, data = column.buffers()
    if data is None:  # every value empty
        return [pa.py_buffer(b"") for _ in range(len(column))]
    width = np.int64 if pa.types.is_large_binary(column.type) else np.int32
    ends = np.frombuffer(offsets, dtype=width)[column.offset : column.offset + len(column) + 1]
    return [data.slice(a, b - a) for a, b in itertools.pairwise(ends.tolist())]


def _in_return_order(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Frames of different returns, each in return order, as one frame in return order."""
    import numpy as np
    import pandas as pd

    if len(parts) == 1:
        return parts[0]
    whole = pd.concat(parts, ignore_index=True)
    order = np.argsort(whole["return_id"].to_numpy(dtype=np.int64), kind="stable")
    return whole.take(order).reset_index(drop=True)


def _read_case_rows(
    reader: TableReader,
    generation: int | None,
    where: str,
    params: Sequence[object],
    wanted: Sequence[str] | None,
) -> pa.Table:
    """The ``return_cases`` rows of returns matching ``where``, in :func:`record_table_sql` order.

    Past :data:`PARALLEL_CASES` records, the later returns' half is read by a
    second snapshot in another thread (SQLite decodes rows in C, without the
    GIL). It is used only when that snapshot has the same write generation
    as ``reader`` (the same state of the file); otherwise ``reader`` reads it.
    """
    import numpy as np
    import pyarrow as pa

    cols, sql = record_table_sql("cases", where, wanted)
    counts = reader.query(  # the stored counts only balance the halves
        [("id", "int"), ("n", "int")],
        f"SELECT r.id, CAST(coalesce(r.n_cases, 0) AS INTEGER) FROM returns r "
        f"WHERE {where} ORDER BY r.id",
        params,
    )
    n = counts.column(1).to_numpy(zero_copy_only=False)
    if reader.twin is None or generation is None or int(n.sum()) < PARALLEL_CASES:
        return reader.query(cols, sql, params)
    ids = counts.column(0).to_numpy(zero_copy_only=False)
    split = int(ids[int(np.searchsorted(np.cumsum(n), n.sum() / 2))])
    first = record_table_sql("cases", f"({where}) AND r.id <= {split}", wanted)[1]
    second = record_table_sql("cases", f"({where}) AND r.id > {split}", wanted)[1]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        later = pool.submit(_read_in_twin, reader.twin, generation, cols, second, params)
        tables = [reader.query(cols, first, params)]
        found = later.result()
    tables.append(found if found is not None else reader.query(cols, second, params))
    return pa.concat_tables(tables)


def _read_in_twin(
    open_twin: Callable[[], ReadSnapshot],
    generation: int,
    cols: Sequence[tuple[str, ColumnType]],
    sql: str,
    params: Sequence[object],
) -> pa.Table | None:
    """``sql`` read by another snapshot, or None if it sees another generation or fails."""
    try:
        with open_twin() as other:
            if other.generation() != generation:
                return None
            return other.query(cols, sql, params)
    except Exception:  # the caller reads it itself, and reports any error from there
        return None
