"""Export a workspace as files other tools read: Parquet datasets or CSV files.

:func:`export_workspace` writes every workspace table (returns with their
provenance, the four kinds of record, the files imported, their diagnostics,
the expected-returns register) and the programme's structure frames
(:mod:`hubspoke.frames`) into one folder, so DuckDB, Spark or pandas can read
an evaluation without hubspoke. Current returns by default; ``history=True``
exports every stored version, each row flagged ``current``.

Layout (see ``docs/workspace.md``, "Exporting for other tools"):

- Parquet: one folder per table. Returns, records and expected returns are
  hive-partitioned by the period's first day, ``<table>/period_start=2015-07-01/
  part-0.parquet`` (ISO dates sort as text, and a quarter and its financial
  year share a folder); other tables are one ``<table>/part-0.parquet``.
  Codes are dictionary-encoded strings, dates ``date32``, import times UTC
  timestamps. Values are written exactly, never altered.
- CSV: one ``<table>.csv`` per table, written by
  :func:`hubspoke.privacy.exports.write_csv`, so text that a spreadsheet
  would run as a formula is neutralised.
- ``manifest.json``: the tables, their rows, files and columns.

Everything is read from **one** read transaction of the workspace file
(:class:`~hubspoke.workspace.records.ReadSnapshot`), so an import running
meanwhile cannot leave records without their return; records are read by
:func:`~hubspoke.workspace.records.read_frames`, the same reader as
:meth:`Workspace.record_frames`, so their columns and dtypes are the same.
The files are written into a hidden sibling folder (mode 0700) that is
renamed into place at the end: a failure leaves no partial export.

The export holds row-level pseudonymous case records about children. It is
an internal analysis format, not a publication (:data:`NOTICE`).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from hubspoke.errors import ExportError, WorkspaceError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from hubspoke.model import Programme
    from hubspoke.workspace.records import ColumnType, TableReader
    from hubspoke.workspace.store import Workspace

ExportFormat = Literal["parquet", "csv"]

#: The formats :func:`export_workspace` writes.
FORMATS: Final[tuple[ExportFormat, ...]] = ("parquet", "csv")

#: The column Parquet tables of returns and records are partitioned by (hive style).
PARTITION_COLUMN: Final = "period_start"

#: The file in every export that says what it holds.
MANIFEST: Final = "manifest.json"

#: What the export holds and how to keep it; printed by ``hubspoke export``.
NOTICE: Final = (
    "this export holds row-level pseudonymous records about children (case records); "
    "it is an internal analysis format, not a publication: keep it as securely as the "
    "workspace itself"
)

#: Kinds of record, each exported as a table of the same name.
RECORD_TABLES: Final = ("values", "cases", "activities", "outcomes")

#: Tables partitioned by period in a Parquet export.
PERIOD_TABLES: Final = ("returns", *RECORD_TABLES, "expected_returns")

#: Programme structure tables and the :mod:`hubspoke.frames` function building each.
STRUCTURE_TABLES: Final = (
    "spokes",
    "hubs",
    "hosting",
    "funding",
    "posts",
    "occupancies",
    "supervision",
)

#: Every table an export holds, in the order written.
TABLES: Final = (*PERIOD_TABLES, "files", "file_diagnostics", *STRUCTURE_TABLES)


class ExportTargetError(ExportError):
    """The output folder cannot be used (not empty, not a folder, not an earlier export)."""


@attrs.frozen
class ExportedTable:
    """One table written: its name, rows, and files (paths relative to the export folder)."""

    name: str
    rows: int
    files: tuple[str, ...]
    partitioned_by: str | None = None


@attrs.frozen
class ExportResult:
    """What :func:`export_workspace` wrote."""

    out: Path
    format: ExportFormat
    history: bool
    tables: tuple[ExportedTable, ...]

    @property
    def files(self) -> int:
        """Data files written (not counting the manifest)."""
        return sum(len(t.files) for t in self.tables)

    def to_json(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "format": self.format,
            "history": self.history,
            "notice": NOTICE,
            "files": self.files,
            "tables": [attrs.asdict(t) | {"files": list(t.files)} for t in self.tables],
        }


# -- reading -----------------------------------------------------------------------------------

_Columns = list[tuple[str, "ColumnType"]]

_RETURN_COLUMNS: Final[_Columns] = [
    ("return_id", "int"),
    ("service_id", "string"),
    ("period_label", "string"),
    ("period_start", "date"),
    ("period_end", "date"),
    ("submitted_on", "date"),
    ("replaces_earlier", "bool"),
    ("current", "bool"),
    ("superseded_by", "int"),
    ("file_name", "string"),
    ("file_sha256", "string"),
    ("importer", "string"),
    ("importer_version", "string"),
    ("stored_at", "string"),
    ("sheet", "string"),
    ("n_values", "int"),
    ("n_cases", "int"),
    ("n_activities", "int"),
    ("n_outcomes", "int"),
]

_RETURNS_SQL: Final = (
    "SELECT r.id, r.service_id, r.period_label, r.period_start, r.period_end, r.submitted_on, "
    "r.replaces_earlier, r.superseded_by IS NULL, r.superseded_by, f.file_name, r.file_sha256, "
    "r.importer, f.importer_version, r.stored_at, r.sheet, r.n_values, r.n_cases, "
    "r.n_activities, r.n_outcomes FROM returns r JOIN files f ON f.sha256 = r.file_sha256 "
    "WHERE {where} ORDER BY r.service_id, r.period_start, r.period_end, r.id"
)

_FILE_COLUMNS: Final[_Columns] = [
    ("sha256", "string"),
    ("file_name", "string"),
    ("size", "int"),
    ("importer", "string"),
    ("importer_version", "string"),
    ("imported_at", "string"),
    ("status", "string"),
    ("rows_read", "int"),
    ("rows_imported", "int"),
    ("rows_rejected", "int"),
    ("errors", "int"),
    ("warnings", "int"),
]

_FILES_SQL: Final = (
    "SELECT f.sha256, f.file_name, f.size, f.importer, f.importer_version, f.imported_at, "
    "f.status, f.rows_read, f.rows_imported, f.rows_rejected, "
    "(SELECT coalesce(sum(d.findings), 0) FROM file_diagnostics d "
    "WHERE d.file_sha256 = f.sha256 AND d.severity = 'error'), "
    "(SELECT coalesce(sum(d.findings), 0) FROM file_diagnostics d "
    "WHERE d.file_sha256 = f.sha256 AND d.severity = 'warning') "
    "FROM files f ORDER BY f.imported_at, f.file_name"
)

_DIAGNOSTIC_COLUMNS: Final[_Columns] = [
    ("file_sha256", "string"),
    ("seq", "int"),
    ("severity", "string"),
    ("code", "string"),
    ("message", "string"),
    ("file", "string"),
    ("sheet", "string"),
    ("row", "int"),
    ("column_name", "string"),
    ("column_letter", "string"),
    ("path", "string"),
    ("value", "string"),
    ("suggestion", "string"),
    ("findings", "int"),
]

_DIAGNOSTICS_SQL: Final = (
    "SELECT d.file_sha256, d.seq, d.severity, d.code, d.message, d.file, d.sheet, d.row, "
    "d.column_name, d.column_letter, d.path, d.value, d.suggestion, d.findings "
    "FROM file_diagnostics d "
    "JOIN files f ON f.sha256 = d.file_sha256 ORDER BY f.imported_at, f.file_name, d.seq"
)

_EXPECTED_COLUMNS: Final[_Columns] = [
    ("service_id", "string"),
    ("period_label", "string"),
    ("period_start", "date"),
    ("period_end", "date"),
    ("due_on", "date"),
]

_EXPECTED_SQL: Final = (
    "SELECT service_id, period_label, period_start, period_end, due_on FROM expected_returns "
    "ORDER BY service_id, period_start, period_end"
)

#: Columns holding ISO timestamps (UTC) as text in SQLite.
_TIMESTAMPS: Final = ("stored_at", "imported_at")


def read_export_frames(workspace: Workspace, *, history: bool = False) -> dict[str, pd.DataFrame]:
    """Every table of the export as a typed frame, keyed by table name (:data:`TABLES`).

    Current returns and their records unless ``history``; files, diagnostics
    and the register are exported whole. Record frames are those of
    :meth:`Workspace.record_frames` plus ``current`` (after ``period_end``)
    and, for cases, ``reviews`` (the risk reviews as JSON text, or missing).
    Structure tables are empty when the workspace holds no programme.
    """
    from hubspoke.workspace.records import ReadSnapshot, read_frames

    where = "1" if history else "r.superseded_by IS NULL"
    try:
        with ReadSnapshot(workspace.path, immutable=workspace.immutable) as reader:
            records = read_frames(reader, where)
            returns = _query(reader, _RETURN_COLUMNS, _RETURNS_SQL.format(where=where))
            reviews = _query(reader, [("reviews", "string")], _reviews_sql(where))
            files = _query(reader, _FILE_COLUMNS, _FILES_SQL)
            diagnostics = _query(reader, _DIAGNOSTIC_COLUMNS, _DIAGNOSTICS_SQL)
            expected = _query(reader, _EXPECTED_COLUMNS, _EXPECTED_SQL)
            programme_text = _programme_text(reader)
    except Exception as exc:  # the ADBC driver has its own error classes
        if isinstance(exc, WorkspaceError):
            raise
        raise WorkspaceError(f"{workspace.path}: cannot read the workspace ({exc})") from exc

    if list(returns["return_id"]) != list(records["returns"]["return_id"]):
        raise WorkspaceError(f"{workspace.path}: returns without a stored file")
    frames: dict[str, pd.DataFrame] = {"returns": returns}
    current = returns.set_index("return_id")["current"]
    for kind in RECORD_TABLES:
        frames[kind] = _with_current(records[kind], current)
    cases = frames["cases"]
    if len(reviews) != len(cases):  # the same snapshot and order: cannot happen
        raise WorkspaceError(f"{workspace.path}: case reviews do not match the case records")
    frames["cases"] = cases.assign(reviews=reviews["reviews"].array)
    frames["expected_returns"] = expected
    frames["files"] = files
    frames["file_diagnostics"] = diagnostics
    frames |= structure_frames(None if programme_text is None else _loads(programme_text))
    return {name: frames[name] for name in TABLES}


def structure_frames(programme: Programme | None) -> dict[str, pd.DataFrame]:
    """The programme's structure tables (:data:`STRUCTURE_TABLES`), empty without one."""
    from hubspoke import frames
    from hubspoke.model import Programme

    builders: Mapping[str, Callable[[Programme], pd.DataFrame]] = {
        "spokes": frames.spokes_frame,
        "hubs": frames.hubs_frame,
        "hosting": frames.hosting_frame,
        "funding": frames.funding_frame,
        "posts": frames.posts_frame,
        "occupancies": frames.occupancies_frame,
        "supervision": frames.supervision_frame,
    }
    if programme is None:
        programme = Programme(name="(no programme)")
    return {name: builders[name](programme) for name in STRUCTURE_TABLES}


def _loads(text: str) -> Programme:
    from hubspoke.serialization import loads_programme

    return loads_programme(text)


def _reviews_sql(where: str) -> str:
    # the same rows in the same order as records.record_table_sql("cases", where)
    return (
        "SELECT t.reviews FROM return_cases t JOIN returns r ON r.id = t.return_id "
        f"WHERE {where} ORDER BY t.return_id, t.rowid"
    )


def _programme_text(reader: TableReader) -> str | None:
    table = reader.query([("value", "string")], "SELECT value FROM meta WHERE key = 'programme'")
    values = table.column(0).to_pylist()
    return str(values[0]) if values else None


def _query(reader: TableReader, columns: _Columns, sql: str) -> pd.DataFrame:
    import pandas as pd

    from hubspoke.workspace.records import to_frame

    frame = to_frame(reader.query(columns, sql), columns, {})
    for name in _TIMESTAMPS:
        if name in frame.columns:
            stamps = pd.to_datetime(frame[name].astype(object), utc=True, format="ISO8601")
            frame[name] = stamps.dt.as_unit("us")
    return frame


def _with_current(frame: pd.DataFrame, current: pd.Series) -> pd.DataFrame:
    """``frame`` with a ``current`` column (of its return) after ``period_end``."""
    flags = current.reindex(frame["return_id"].to_numpy()).array
    at = list(frame.columns).index("period_end") + 1
    out = frame.copy()
    out.insert(at, "current", flags)
    return out


# -- writing -----------------------------------------------------------------------------------


def export_workspace(
    workspace: Workspace,
    out: Path,
    *,
    format: ExportFormat = "parquet",
    history: bool = False,
    replace: bool = False,
    now: datetime | None = None,
) -> ExportResult:
    """Write every table of ``workspace`` into the folder ``out`` (see the module docs).

    ``out`` must be absent or empty, or hold an earlier export and ``replace``
    be given; otherwise :class:`ExportTargetError`, before anything is read.
    ``now`` (UTC) stamps the manifest.
    """
    if format not in FORMATS:
        raise ExportTargetError(f"unknown export format {format!r}; use one of {FORMATS}")
    check_target(out, replace=replace)
    tables = read_export_frames(workspace, history=history)
    return write_export(
        tables,
        out,
        format=format,
        history=history,
        replace=replace,
        manifest={
            "workspace": workspace.path.name,
            "schema_version": workspace.schema_version,
            "programme": workspace.programme_provenance(),
            "exported_at": (now or datetime.now(UTC)).replace(microsecond=0).isoformat(),
        },
    )


def write_export(
    tables: Mapping[str, pd.DataFrame],
    out: Path,
    *,
    format: ExportFormat = "parquet",
    history: bool = False,
    replace: bool = False,
    manifest: Mapping[str, Any] | None = None,
) -> ExportResult:
    """Write ``tables`` into ``out`` through a temporary sibling folder renamed at the end."""
    check_target(out, replace=replace)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        written: list[ExportedTable] = []
        for name, frame in tables.items():
            if format == "parquet":
                written.append(_write_parquet(name, frame, staging))
            else:
                written.append(_write_csv(name, frame, staging))
        result = ExportResult(out=out, format=format, history=history, tables=tuple(written))
        document = {
            "hubspoke": "export",
            "version": 1,
            "format": format,
            "history": history,
            "notice": NOTICE,
            "partitioning": (
                {"flavor": "hive", "column": PARTITION_COLUMN, "tables": list(PERIOD_TABLES)}
                if format == "parquet"
                else None
            ),
            **(manifest or {}),
            "tables": {
                t.name: {
                    "rows": t.rows,
                    "files": list(t.files),
                    "columns": _column_types(tables[t.name]),
                }
                for t in written
            },
        }
        (staging / MANIFEST).write_text(
            json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8"
        )
        _move_into_place(staging, out, replace=replace)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def check_target(out: Path, *, replace: bool) -> None:
    """Raise :class:`ExportTargetError` unless ``out`` may receive an export.

    It may if it is absent or an empty folder, or (with ``replace``) a folder
    holding an earlier hubspoke export. Any other folder is refused even with
    ``replace``: replacing deletes it.
    """
    if not out.exists():
        return
    if not out.is_dir():
        raise ExportTargetError(f"{out}: exists and is not a folder")
    if not any(out.iterdir()):
        return
    if not replace:
        raise ExportTargetError(
            f"{out}: the folder is not empty; choose another or pass --replace to replace "
            "an earlier export"
        )
    if not _is_export(out):
        raise ExportTargetError(
            f"{out}: the folder holds files that are not a hubspoke export (no {MANIFEST}); "
            "refusing to replace it"
        )


def _is_export(folder: Path) -> bool:
    try:
        document = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and document.get("hubspoke") == "export"


def _move_into_place(staging: Path, out: Path, *, replace: bool) -> None:
    """Rename ``staging`` to ``out``; an earlier export there is swapped out, then deleted."""
    check_target(out, replace=replace)  # again: something may have appeared meanwhile
    if not out.exists():
        staging.rename(out)
        return
    if not any(out.iterdir()):
        out.rmdir()
        staging.rename(out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    old.rmdir()
    out.rename(old)
    try:
        staging.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _write_csv(name: str, frame: pd.DataFrame, folder: Path) -> ExportedTable:
    from hubspoke.privacy.exports import write_csv

    path = write_csv(frame, folder / f"{name}.csv")
    return ExportedTable(name=name, rows=len(frame), files=(path.name,))


def arrow_table(frame: pd.DataFrame) -> pa.Table:
    """``frame`` as an Arrow table for Parquet: dates as ``date32``, codes as dictionaries.

    Naive timestamps in hubspoke frames are dates (midnight), so they become
    ``date32``; UTC timestamps stay timestamps. Pandas metadata is dropped:
    the files are for any tool, and their Arrow types say everything.
    """
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type) and field.type.tz is None:
            with contextlib.suppress(pa.ArrowInvalid):  # a time of day: keep the timestamp
                table = table.set_column(i, field.name, table.column(i).cast(pa.date32()))
    return table.replace_schema_metadata(None)


def _write_parquet(name: str, frame: pd.DataFrame, folder: Path) -> ExportedTable:
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    table = arrow_table(frame)
    base = folder / name
    base.mkdir()
    if name not in PERIOD_TABLES or table.num_rows == 0:
        # an empty table is still one file, so readers find its columns
        pq.write_table(table, base / "part-0.parquet")
        return ExportedTable(name=name, rows=table.num_rows, files=(f"{name}/part-0.parquet",))
    written: list[str] = []
    key = table.schema.field(PARTITION_COLUMN).type
    ds.write_dataset(
        table,
        base,
        format="parquet",
        partitioning=ds.partitioning(pa.schema([(PARTITION_COLUMN, key)]), flavor="hive"),
        basename_template="part-{i}.parquet",
        existing_data_behavior="error",
        max_partitions=100_000,
        preserve_order=True,
        file_visitor=lambda f: written.append(Path(f.path).relative_to(folder).as_posix()),
    )
    return ExportedTable(
        name=name,
        rows=table.num_rows,
        files=tuple(sorted(written)),
        partitioned_by=PARTITION_COLUMN,
    )


def _column_types(frame: pd.DataFrame) -> dict[str, str]:
    return {str(c): str(t) for c, t in frame.dtypes.items()}


def summary_lines(result: ExportResult) -> list[str]:
    """The export as lines for a terminal: one per table, then a total."""
    width = max(len(t.name) for t in result.tables)
    lines = [
        f"  {t.name.ljust(width)}  {t.rows:>9,} rows  {len(t.files):>4} "
        f"{'file' if len(t.files) == 1 else 'files'}"
        for t in result.tables
    ]
    which = "every version of every return" if result.history else "current returns"
    lines.append(
        f"Exported {len(result.tables)} tables ({which}) as {result.format} to {result.out}: "
        f"{result.files} files."
    )
    return lines


__all__: Sequence[str] = (
    "FORMATS",
    "NOTICE",
    "PARTITION_COLUMN",
    "TABLES",
    "ExportResult",
    "ExportTargetError",
    "ExportedTable",
    "arrow_table",
    "check_target",
    "export_workspace",
    "read_export_frames",
    "structure_frames",
    "summary_lines",
    "write_export",
)
