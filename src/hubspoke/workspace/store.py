"""The workspace: one SQLite file holding the programme and every imported return.

Writes are transactions (``BEGIN IMMEDIATE`` ... ``COMMIT``) in WAL mode with
``synchronous=FULL``: an import stores all of a file or none of it, even if
the process is killed mid-write. Returns are stored as JSON
(:func:`hubspoke.serialization.dumps_return`) beside the columns they are
found and superseded by; frames are built from the current returns through
:mod:`hubspoke.frames`, so the workspace and an in-memory analysis agree.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from hubspoke.diagnostics import Diagnostic, Location, Severity
from hubspoke.errors import DataValidationError, WorkspaceError
from hubspoke.model import MonitoringReturn, Programme
from hubspoke.periods import Period, parse_period
from hubspoke.workspace import schema, supersession, writing
from hubspoke.workspace.content import dump_content
from hubspoke.workspace.outcome import (
    ImportOutcome,
    Replacement,
    SourceFile,
    StoredReturn,
)

if TYPE_CHECKING:
    import pandas as pd

    from hubspoke.figures.records import RecordFrames
    from hubspoke.indicators.programme import ProgrammeScores
    from hubspoke.indicators.rubric import Rubric
    from hubspoke.workspace.records import Kind

Clock = Callable[[], datetime]


class FileReportLike(Protocol):
    """What :meth:`Workspace.store_report` needs of a validation report."""

    @property
    def importer(self) -> str | None: ...
    @property
    def returns(self) -> tuple[MonitoringReturn, ...]: ...
    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]: ...
    @property
    def rows_read(self) -> int: ...
    @property
    def rows_imported(self) -> int: ...
    @property
    def rows_rejected(self) -> int: ...
    @property
    def importer_version(self) -> str | None: ...


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


#: Bytes of page cache per record written in bulk (a case row and its index entry take
#: about 110 bytes of pages), and the most cache one import asks for.
_CACHE_PER_RECORD = 200
_CACHE_MOST = 512 << 20


@contextlib.contextmanager
def _page_cache_for(conn: sqlite3.Connection, records: int) -> Iterator[None]:
    """A page cache that holds a bulk write's pages until it commits, for the block.

    With SQLite's default 2 MiB cache, a million-row import spills dirty
    pages to the WAL one by one before it commits (about 0.13 s of its 0.9 s
    of inserts); a cache as large as the pages written keeps them until the
    commit writes them in order. The connection's own size is restored after.
    """
    wanted = min(records * _CACHE_PER_RECORD, _CACHE_MOST) // 1024  # KiB
    before = int(conn.execute("PRAGMA cache_size").fetchone()[0])
    current = -before if before < 0 else before * 4  # pages: about 4 KiB each
    if wanted <= current:
        yield
        return
    conn.execute(f"PRAGMA cache_size = -{wanted}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {before}")


@contextlib.contextmanager
def _sqlite_errors(path: Path) -> Iterator[None]:
    """Turn sqlite3 failures into WorkspaceError with a plain message."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if _disk_full(exc):
            raise WorkspaceError(f"{path}: {DISK_FULL}") from exc
        if "readonly" in text or "read-only" in text:
            raise WorkspaceError(
                f"{path}: the workspace is read-only here (file or folder permissions, or "
                "read-only media): it can be read, not written; copy it somewhere writable "
                "to import"
            ) from exc
        if "locked" in text or "busy" in text:
            raise WorkspaceError(
                f"{path}: the workspace is locked by another process (an import still "
                "running?); try again when it has finished"
            ) from exc
        raise WorkspaceError(f"{path}: workspace error: {text}") from exc
    except sqlite3.DatabaseError as exc:
        if _disk_full(exc):
            raise WorkspaceError(f"{path}: {DISK_FULL}") from exc
        raise WorkspaceError(f"{path}: not a usable hubspoke workspace ({exc})") from exc
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise WorkspaceError(f"{path}: {DISK_FULL}") from exc
        raise


#: What a full disk during a write says (the transaction was rolled back, nothing stored).
DISK_FULL = (
    "the disk holding the workspace is full: nothing of this change was stored and the "
    "workspace is as it was; free some space and try again"
)


def _disk_full(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return code == sqlite3.SQLITE_FULL or "disk is full" in str(exc)


class Workspace:
    """An open workspace file. Use :meth:`open`; close it (or use ``with``).

    One :class:`Workspace` is one SQLite connection: use it from one thread.
    Several processes may open the same file; writers wait up to
    ``timeout`` seconds for each other, then get a WorkspaceError.
    """

    def __init__(
        self, conn: sqlite3.Connection, path: Path, clock: Clock, *, immutable: bool = False
    ) -> None:
        self._conn = conn
        self._path = path
        self._clock = clock
        self._immutable = immutable
        self._programme: tuple[int, int, Programme] | None = None
        self._frames: tuple[int, int, RecordFrames] | None = None
        self._check_returns()

    def _check_returns(self) -> None:
        """WorkspaceError when a stored return's dates are not dates (changed outside hubspoke).

        Reads only the returns' key columns, so every command checks them on opening
        and a damaged file gives a plain message instead of a traceback later.
        """
        if self.schema_version < 1:
            return
        with _sqlite_errors(self._path):
            row = self._conn.execute(
                "SELECT id, period_start, period_end, submitted_on FROM returns "
                "WHERE date(period_start) IS NOT period_start "
                "OR date(period_end) IS NOT period_end OR period_end < period_start "
                "OR (submitted_on IS NOT NULL AND date(submitted_on) IS NOT submitted_on) "
                "LIMIT 1"
            ).fetchone()
        if row is not None:
            self._conn.close()
            raise WorkspaceError(
                f"{self._path}: the workspace is damaged: return {row[0]} has period "
                f"{str(row[1])[:40]!r} to {str(row[2])[:40]!r} (submitted "
                f"{str(row[3])[:40]!r}), not dates; the file was changed outside hubspoke. "
                "Restore it from a backup, or import the returns again into a new workspace"
            )

    # -- opening and closing -----------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        timeout: float = 5.0,
        clock: Clock | None = None,
        read_only: bool = False,
    ) -> Workspace:
        """Open the workspace at ``path``, creating it if absent, migrating it if old.

        ``clock`` (UTC, for tests) stamps imports. Raises WorkspaceError for a
        file that is not a workspace, one written by a newer hubspoke, or one
        locked beyond ``timeout`` seconds. A file that is not a hubspoke
        workspace is refused before anything in it is changed.

        ``read_only`` (the read commands: returns, score, report, export)
        opens an existing workspace without writing to it, so a workspace on
        read-only media or without write permission can be read; writes then
        raise WorkspaceError. An older workspace is still upgraded first when
        the file can be written.
        """
        path = Path(path)
        create = schema.check_file(path)
        if read_only:
            if create:
                raise WorkspaceError(f"{path}: no hubspoke workspace here")
            found = cls._open_read_only(path, timeout, clock)
            if found is not None:
                return found
        elif not create and not _writable(path):
            raise WorkspaceError(
                f"{path}: the workspace is read-only here (file or folder permissions, or "
                "read-only media): it can be read (returns, score, report, export), not "
                "written; copy it somewhere writable to import"
            )
        with _sqlite_errors(path):
            conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
            try:
                # refuse another application's file before changing anything, journal mode included
                schema.check_version(conn, path)
                conn.execute("PRAGMA foreign_keys = ON")
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise WorkspaceError(f"{path}: cannot use WAL journal mode (got {mode})")
                conn.execute("PRAGMA synchronous = FULL")
                schema.upgrade(conn, path)
            except BaseException:
                conn.close()
                raise
        return cls(conn, path, clock or _utc_now)

    @classmethod
    def _open_read_only(cls, path: Path, timeout: float, clock: Clock | None) -> Workspace | None:
        """The workspace opened read-only; None when it is old and must be upgraded first."""
        uri = path.resolve().as_uri() + "?mode=ro"
        immutable = False
        with _sqlite_errors(path):
            conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
            try:
                version = schema.check_version(conn, path)
            except sqlite3.OperationalError:
                # a WAL file whose shared-memory file cannot be made (read-only folder or
                # media): nobody can write it here either, so read it as immutable
                conn.close()
                if _writable(path):
                    raise
                immutable = True
                conn = sqlite3.connect(
                    uri + "&immutable=1", uri=True, timeout=timeout, isolation_level=None
                )
                version = schema.check_version(conn, path)
            except BaseException:
                conn.close()
                raise
        if version < schema.schema_version():
            conn.close()
            if _writable(path):
                return None
            raise WorkspaceError(
                f"{path}: written by an older hubspoke (schema version {version}) and "
                "read-only here, so it cannot be upgraded; copy it somewhere writable"
            )
        return cls(conn, path, clock or _utc_now, immutable=immutable)

    @property
    def immutable(self) -> bool:
        """True when opened read-only from media nobody can write (SQLite ``immutable``)."""
        return self._immutable

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self._conn.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def path(self) -> Path:
        return self._path

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: BEGIN IMMEDIATE, COMMIT on success, ROLLBACK otherwise."""
        with _sqlite_errors(self._path):
            self._conn.execute("BEGIN IMMEDIATE")
            changes = self._conn.total_changes
            try:
                yield self._conn
                if self._conn.total_changes != changes:  # a write that changed nothing stays so
                    self._conn.execute(schema.BUMP_GENERATION)
                self._conn.execute("COMMIT")
            except BaseException:
                # after a full disk SQLite may have rolled back already: ROLLBACK would then
                # fail with "no transaction is active" and hide the real reason
                if self._conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                raise

    def _meta(self, key: str) -> Any:
        with _sqlite_errors(self._path):
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    # -- secret and programme ------------------------------------------------------------

    def secret_key(self) -> bytes:
        """The workspace's 32-byte HMAC key for pseudonyms (made when it was created)."""
        value = self._meta("hmac_secret")
        if not isinstance(value, bytes) or len(value) < 32:
            raise WorkspaceError(f"{self._path}: the workspace's pseudonym key is missing")
        return value

    def set_programme(self, programme: Programme, *, source: SourceFile | None = None) -> None:
        """Store the programme structure and its expected-returns register.

        Replaces any earlier programme; ``source`` (the file it was read
        from) is kept as its provenance. Raises DataValidationError listing
        the problems if :meth:`Programme.validate` finds errors.
        """
        from hubspoke.serialization import dumps_programme

        problems = [d for d in programme.validate() if d.severity is Severity.ERROR]
        if problems:
            listed = "; ".join(str(d) for d in problems)
            raise DataValidationError(f"the programme has {len(problems)} error(s): {listed}")
        text = dumps_programme(programme)
        register = [
            (
                e.service_id,
                e.period.start.isoformat(),
                e.period.end.isoformat(),
                e.period.label,
                e.due_on.isoformat(),
            )
            for e in programme.expected_returns
        ]
        provenance = {
            "stored_at": self._clock().isoformat(),
            "file_name": None if source is None else source.name,
            "sha256": None if source is None else source.sha256,
        }
        with self._write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [("programme", text), ("programme_provenance", json.dumps(provenance))],
            )
            conn.execute("DELETE FROM expected_returns")
            conn.executemany("INSERT INTO expected_returns VALUES (?, ?, ?, ?, ?)", register)
        # the programme just stored is the one read back: no need to parse it again
        with _sqlite_errors(self._path):
            data_version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        self._programme = (data_version, self._conn.total_changes, programme)

    def programme_provenance(self) -> dict[str, str | None] | None:
        """When the programme was stored (UTC, ISO) and from which file (name, SHA-256)."""
        text = self._meta("programme_provenance")
        if text is None:
            return None
        found: dict[str, str | None] = json.loads(str(text))
        return found

    def has_programme(self) -> bool:
        return self._meta("programme") is not None

    def programme(self) -> Programme:
        """The stored programme; WorkspaceError if none has been set.

        Parsed once and kept until the workspace changes (a write by this or
        another process), so a command parses it once however often it asks.
        """
        from hubspoke.serialization import loads_programme

        with _sqlite_errors(self._path):
            data_version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        state = (data_version, self._conn.total_changes)
        if self._programme is not None and self._programme[:2] == state:
            return self._programme[2]
        text = self._meta("programme")
        if text is None:
            raise WorkspaceError(
                f"{self._path}: no programme in this workspace yet; import the programme "
                "file first (hubspoke import programme.json --workspace ...)"
            )
        programme = loads_programme(str(text))
        self._programme = (*state, programme)
        return programme

    # -- importing ---------------------------------------------------------------------

    def import_file(
        self,
        path: Path | str,
        *,
        format: str | None = None,
        max_bytes: int | None = None,
        submitted: date | None = None,
        replace_all: bool = False,
    ) -> ImportOutcome:
        """Validate and store one return file in one transaction.

        The same bytes imported again change nothing (``unchanged``); a file
        rejected before is validated again (the importer or programme may have
        changed) and still changes nothing if it is still rejected. ``format``
        names the importer and skips detection; ``max_bytes`` is the largest
        file read (default :data:`hubspoke.plugins.contract.DEFAULT_MAX_BYTES`).
        ``submitted`` is the submission date of returns that carry none, and
        ``replace_all`` marks every return ``replaces_earlier`` (see
        :meth:`store_report`).
        """
        from hubspoke.plugins.contract import DEFAULT_MAX_BYTES, LoadOptions
        from hubspoke.validation import validate_file

        path = Path(path)
        try:
            source = SourceFile.read(path)
        except OSError as exc:
            raise WorkspaceError(f"{path}: cannot read the file ({exc.strerror})") from exc
        earlier = self._earlier_import(source.sha256, path)
        if earlier is not None:
            return earlier
        programme = self.programme() if self.has_programme() else None
        options = LoadOptions(programme=programme, max_bytes=max_bytes or DEFAULT_MAX_BYTES)
        report = validate_file(path, format=format, options=options)
        return self.store_report(source, report, submitted=submitted, replace_all=replace_all)

    def _file_row(self, sha256: str) -> sqlite3.Row | None:
        with _sqlite_errors(self._path):
            cur = self._conn.execute(
                "SELECT file_name, importer, imported_at, status, rows_read, rows_imported, "
                "rows_rejected FROM files WHERE sha256 = ?",
                (sha256,),
            )
            cur.row_factory = sqlite3.Row
            row: sqlite3.Row | None = cur.fetchone()
        return row

    def _earlier_import(self, sha256: str, path: Path | None = None) -> ImportOutcome | None:
        """The ``unchanged`` outcome if this content was stored before, else None."""
        row = self._file_row(sha256)
        if row is None or row["status"] == "rejected":
            return None
        imported_at = datetime.fromisoformat(row["imported_at"])
        return ImportOutcome(
            status="unchanged",
            path=path or Path(row["file_name"]),
            sha256=sha256,
            importer=row["importer"],
            rows_read=row["rows_read"],
            rows_imported=row["rows_imported"],
            rows_rejected=row["rows_rejected"],
            # the hash decides: nothing stored is read back (its findings were reported when
            # it was imported; file_diagnostics(sha256) has them)
            imported_at=imported_at,
            message=(
                f"already imported on {imported_at:%Y-%m-%d %H:%M} UTC as "
                f"{row['file_name']!r}; nothing changed"
            ),
        )

    def file_diagnostics(self, sha256: str) -> tuple[Diagnostic, ...]:
        """The diagnostics stored for the file with this SHA-256, in the order found."""
        with _sqlite_errors(self._path):
            rows = self._conn.execute(
                "SELECT severity, code, message, file, sheet, row, column_name, column_letter, "
                "path, value, suggestion FROM file_diagnostics WHERE file_sha256 = ? "
                "ORDER BY seq",
                (sha256,),
            ).fetchall()
        return tuple(
            Diagnostic(
                severity=Severity(severity),
                code=code,
                message=message,
                location=Location(
                    file=file,
                    sheet=sheet,
                    row=row,
                    column=column,
                    column_letter=letter,
                    path=path,
                ),
                value=value,
                suggestion=suggestion,
            )
            for (
                severity,
                code,
                message,
                file,
                sheet,
                row,
                column,
                letter,
                path,
                value,
                suggestion,
            ) in rows
        )

    def store_report(
        self,
        source: SourceFile,
        report: FileReportLike,
        *,
        submitted: date | None = None,
        replace_all: bool = False,
    ) -> ImportOutcome:
        """Store a validated file's returns in one transaction (see :meth:`import_file`).

        Each return is stored as received and the current return for its
        service and period is rebuilt from every submission
        (:func:`hubspoke.workspace.supersession.fold`: figures replaced one
        by one, other records by kind, latest submitted last); a file with
        no return is recorded as rejected. ``submitted`` is set on returns
        that carry no submission date; ``replace_all`` marks every return
        ``replaces_earlier``.
        """
        now = self._clock()
        diagnostics = tuple(report.diagnostics)
        if not report.returns:
            if not any(d.severity is Severity.ERROR for d in diagnostics):
                diagnostics += (
                    Diagnostic(
                        code="no-returns",
                        severity=Severity.ERROR,
                        message="the file holds no return to store",
                        location=Location(file=source.name),
                    ),
                )
            return self._reject(source, report, diagnostics, now)
        overlaps = self._overlaps(source, report.returns)
        if overlaps:
            return self._reject(source, _AllRejected(report), diagnostics + overlaps, now)
        from hubspoke.workspace.records import staged_rows

        frames = getattr(report, "record_frames", None) or {}
        version = writing.importer_version(report)
        prepared = [
            writing.prepare(r, source, report.importer or "unknown", version, now)
            for r in writing.as_submitted(report.returns, submitted, replace_all)
        ]
        with (
            _sqlite_errors(self._path),
            staged_rows(self._conn, frames, len(prepared)) as held,
            _page_cache_for(self._conn, sum(len(f) for f in frames.values())),
            self._write() as conn,
        ):
            # another process may have stored the same bytes since import_file looked
            again = self._earlier_import(source.sha256, source.path)
            if again is not None:
                return again
            conn.execute(
                "DELETE FROM files WHERE sha256 = ? AND status = 'rejected'", (source.sha256,)
            )
            conn.execute(
                "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, 'imported', ?, ?, ?, ?)",
                (
                    source.sha256,
                    source.name,
                    source.size,
                    report.importer,
                    version,
                    now.isoformat(),
                    report.rows_read,
                    report.rows_imported,
                    report.rows_rejected,
                    "[]",
                ),
            )
            replaced: list[Replacement] = []
            notes: list[Diagnostic] = []
            effects: list[StoredReturn] = []
            for item, frames in zip(prepared, held, strict=True):
                replacement, found, done = writing.insert_return(
                    conn, item, source.sha256, now, frames
                )
                if replacement is not None:
                    replaced.append(replacement)
                notes.extend(found)
                effects.append(writing.stored_return(item, done))
            status = writing.file_status(effects)
            if status != "imported":
                conn.execute(
                    "UPDATE files SET status = 'superseded' WHERE sha256 = ?", (source.sha256,)
                )
            diagnostics += tuple(notes)
            store_diagnostics(conn, source.sha256, diagnostics)
        message = writing.file_message(effects)
        return ImportOutcome(
            status=status,
            path=source.path,
            sha256=source.sha256,
            importer=report.importer,
            rows_read=report.rows_read,
            rows_imported=report.rows_imported,
            rows_rejected=report.rows_rejected,
            diagnostics=diagnostics,
            returns_stored=len(prepared),
            replaced=tuple(replaced),
            stored=tuple(effects),
            imported_at=now,
            message=message,
        )

    def _overlaps(
        self, source: SourceFile, returns: Sequence[MonitoringReturn]
    ) -> tuple[Diagnostic, ...]:
        """An error for each return whose period would count days twice beside another.

        Against the current returns of the same service and the file's own
        returns (:func:`supersession.overlap_problem`).
        """
        services = sorted({r.service_id for r in returns})
        with _sqlite_errors(self._path):
            rows = self._conn.execute(
                "SELECT service_id, period_start, period_end, period_label FROM returns "
                f"WHERE superseded_by IS NULL AND service_id IN ({', '.join('?' * len(services))})",
                services,
            ).fetchall()
        held = [
            (sid, Period(start=date.fromisoformat(a), end=date.fromisoformat(b), label=label))
            for sid, a, b, label in rows
        ]
        held += [(r.service_id, r.period) for r in returns]
        by_service: dict[str, list[Period]] = {}  # each service's periods, in the order above
        for sid, period in held:
            by_service.setdefault(sid, []).append(period)
        several = len(returns) > 1
        found: list[Diagnostic] = []
        for k, ret in enumerate(returns):
            for period in by_service[ret.service_id]:
                problem = supersession.overlap_problem(ret.period, period)
                if problem is not None:
                    found.append(
                        Diagnostic(
                            code="overlapping-period",
                            severity=Severity.ERROR,
                            message=f"{ret.service_id}: {problem}",
                            location=Location(
                                file=source.name,
                                path=f"$.returns[{k}].period" if several else "$.period",
                            ),
                        )
                    )
                    break
        return tuple(found)

    def _reject(
        self,
        source: SourceFile,
        report: FileReportLike,
        diagnostics: tuple[Diagnostic, ...],
        now: datetime,
    ) -> ImportOutcome:
        """Record a rejected attempt once; a repeat of the same bytes writes nothing."""
        with self._write() as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO files VALUES (?, ?, ?, ?, NULL, ?, 'rejected', ?, ?, ?, ?)",
                (
                    source.sha256,
                    source.name,
                    source.size,
                    report.importer,
                    now.isoformat(),
                    report.rows_read,
                    report.rows_imported,
                    report.rows_rejected,
                    "[]",
                ),
            )
            if cur.rowcount:
                store_diagnostics(conn, source.sha256, diagnostics)
        errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
        return ImportOutcome(
            status="rejected",
            path=source.path,
            sha256=source.sha256,
            importer=report.importer,
            rows_read=report.rows_read,
            rows_imported=report.rows_imported,
            rows_rejected=report.rows_rejected,
            diagnostics=diagnostics,
            message=f"rejected: nothing stored ({_count(errors, 'error')})",
        )

    # -- reading -----------------------------------------------------------------------

    def returns(self, include_superseded: bool = False) -> tuple[MonitoringReturn, ...]:
        """Stored returns as model objects, current only unless ``include_superseded``.

        For looking at single returns; analysis reads :meth:`record_frames`
        instead, which builds no object per record. Ordered by service id,
        period start, period end, then storage order.
        """
        from hubspoke.workspace.objects import returns_from_tables

        where = "1" if include_superseded else "r.superseded_by IS NULL"
        with _sqlite_errors(self._path):
            return returns_from_tables(self._conn, where)

    def record_frames(
        self,
        *,
        include_superseded: bool = False,
        kinds: Sequence[Kind] = ("values", "cases", "activities", "outcomes"),
    ) -> dict[str, pd.DataFrame]:
        """The returns frame and the record frames, read columnar from one snapshot.

        Keys ``returns``, then each of ``kinds``; columns and dtypes as in
        :func:`hubspoke.workspace.records.read_frames` (``return_id``, the
        return's service and period, then the :mod:`hubspoke.frames` columns).
        Current returns only unless ``include_superseded``.
        """
        from hubspoke.workspace.records import ReadSnapshot, read_frames

        where = "1" if include_superseded else "r.superseded_by IS NULL"
        try:
            with ReadSnapshot(self._path, immutable=self._immutable) as reader:
                return read_frames(reader, where, kinds=kinds)
        except Exception as exc:  # the ADBC driver has its own error classes
            if isinstance(exc, WorkspaceError):
                raise
            raise WorkspaceError(f"{self._path}: cannot read the workspace ({exc})") from exc

    def frames(self, *, include_superseded: bool = False) -> RecordFrames:
        """Every current return and its records as :class:`~hubspoke.figures.RecordFrames`.

        What every figure is derived from (:mod:`hubspoke.figures`): read
        columnar from one snapshot of the file, no object per record. The
        current returns' frames are read once and kept until the file changes.
        """
        from hubspoke.figures.records import RecordFrames

        if include_superseded:
            return RecordFrames(**self.record_frames(include_superseded=True))
        with _sqlite_errors(self._path):
            data_version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        state = (data_version, self._conn.total_changes)
        if self._frames is None or self._frames[:2] != state:
            self._frames = (*state, RecordFrames(**self.record_frames()))
        return self._frames[2]

    def history(
        self, service_id: str | None = None, period_label: str | None = None
    ) -> pd.DataFrame:
        """Every stored return (current and superseded) with its provenance.

        Columns: return_id, service_id, period_label, period_start, period_end,
        submitted_on, current, superseded_by, file_name, file_sha256, importer,
        importer_version, stored_at, values, cases, activities, outcomes (record
        counts). Filtered by ``service_id`` and ``period_label`` when given.
        """
        from hubspoke.workspace.tables import history_frame

        clauses: list[str] = []
        params: list[str] = []
        if service_id is not None:
            clauses.append("r.service_id = ?")
            params.append(service_id)
        if period_label is not None:
            clauses.append("r.period_label = ?")
            params.append(period_label)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        with _sqlite_errors(self._path):
            rows = self._conn.execute(
                "SELECT r.id, r.service_id, r.period_label, r.period_start, r.period_end, "
                "r.submitted_on, r.superseded_by IS NULL, r.superseded_by, f.file_name, "
                "r.file_sha256, r.importer, f.importer_version, r.stored_at, r.n_values, "
                "r.n_cases, r.n_activities, r.n_outcomes "
                f"FROM returns r JOIN files f ON f.sha256 = r.file_sha256 {where} "
                "ORDER BY r.service_id, r.period_start, r.period_end, r.id",
                params,
            ).fetchall()
        return history_frame(rows)

    def imports(self) -> pd.DataFrame:
        """Every file imported or rejected, oldest first.

        Columns: file_name, sha256, size, importer, importer_version,
        imported_at, status, rows_read, rows_imported, rows_rejected, errors.
        """
        from hubspoke.workspace.tables import imports_frame

        with _sqlite_errors(self._path):
            rows = self._conn.execute(
                "SELECT file_name, sha256, size, importer, importer_version, imported_at, "
                "status, rows_read, rows_imported, rows_rejected, "
                "(SELECT coalesce(sum(d.findings), 0) FROM file_diagnostics d "
                " WHERE d.file_sha256 = files.sha256 AND d.severity = 'error') "
                "FROM files ORDER BY imported_at, file_name"
            ).fetchall()
        return imports_frame(rows)

    def values_frame(self) -> pd.DataFrame:
        """Values of the current returns (the :func:`hubspoke.frames.values_frame` columns)."""
        frame = self.record_frames(kinds=("values",))["values"]
        return frame.drop(columns=["return_id"])

    def cases_frame(self) -> pd.DataFrame:
        """Case records of the current returns (:func:`hubspoke.frames.cases_frame` columns)."""
        frame = self.record_frames(kinds=("cases",))["cases"]
        return frame.drop(columns=["return_id"])

    def activities_frame(self) -> pd.DataFrame:
        """Activities of the current returns (:func:`hubspoke.frames.activities_frame` columns)."""
        frame = self.record_frames(kinds=("activities",))["activities"]
        return frame.drop(columns=["return_id"])

    def outcomes_frame(self) -> pd.DataFrame:
        """Outcome records of current returns (:func:`hubspoke.frames.outcomes_frame` columns)."""
        frame = self.record_frames(kinds=("outcomes",))["outcomes"]
        return frame.drop(columns=["return_id"])

    def returns_status(self, today: date) -> pd.DataFrame:
        """Received / late / missing / not due for each expected return, as of ``today``.

        :func:`hubspoke.indicators.quality.reporting` over the programme and
        every stored return, superseded ones included: lateness is judged by
        the first submission, so a late correction of an on-time return does
        not make it late. Reporting needs only each return's service, period
        and submission date, so they are read from their columns without
        parsing the returns' records (the JSON).
        """
        from hubspoke.indicators.quality import reporting

        return reporting(self.programme(), self._return_headers(), today)

    def _return_headers(self) -> tuple[MonitoringReturn, ...]:
        """Every stored return's service, period and submission date, without its records."""
        with _sqlite_errors(self._path):
            rows = self._conn.execute(
                "SELECT service_id, period_start, period_end, period_label, submitted_on "
                "FROM returns WHERE merged = 0 "  # submissions, not the returns merged from them
                "ORDER BY service_id, period_start, period_end, id"
            ).fetchall()
        return tuple(
            MonitoringReturn(
                service_id=service_id,
                period=Period(
                    start=date.fromisoformat(start), end=date.fromisoformat(end), label=label
                ),
                submitted_on=None if submitted is None else date.fromisoformat(submitted),
            )
            for service_id, start, end, label, submitted in rows
        )

    def scores(self, period: Period | str, rubric: Rubric | None = None) -> ProgrammeScores:
        """Every spoke's indicators for ``period`` (a Period or a label like ``2015-16``)."""
        from hubspoke.indicators.programme import score_programme_from_frames
        from hubspoke.indicators.rubric import DEFAULT_RUBRIC

        return score_programme_from_frames(
            self.programme(), self.frames(), self.period(period), rubric or DEFAULT_RUBRIC
        )

    def key_outcomes(self, period: Period | str, rubric: Rubric | None = None) -> pd.DataFrame:
        """The six key outcomes for ``period``, rolled up to hub, phase and programme."""
        from hubspoke.indicators.outcomes import key_outcomes_from_frames
        from hubspoke.indicators.rubric import DEFAULT_RUBRIC

        return key_outcomes_from_frames(
            self.programme(), self.frames(), self.period(period), rubric or DEFAULT_RUBRIC
        )

    def figures_by_return(self, period: Period | str) -> pd.DataFrame:
        """The figure used for each measure of each return counted for ``period``.

        :func:`hubspoke.figures.published.figures_by_return`: what the report's
        tables by service and quarter show, from the same derivation as the
        key outcomes.
        """
        from hubspoke.figures.published import figures_by_return

        return figures_by_return(self.programme(), self.frames(), self.period(period))

    def reconciliation(self, period: Period | str) -> pd.DataFrame:
        """Figures whose sources disagree in the returns counted for ``period``, both kept.

        :func:`hubspoke.figures.published.reconciliation_for`.
        """
        from hubspoke.figures.published import reconciliation_for

        return reconciliation_for(self.programme(), self.frames(), self.period(period))

    def figures(
        self,
        period: Period | str | None = None,
        *,
        level: str | Sequence[str] | None = None,
        by: str | None = None,
        measures: Sequence[str] | None = None,
        rubric: Rubric | None = None,
    ) -> pd.DataFrame:
        """Every key-outcome figure as one tidy frame, by level, unit and (sub-)period.

        :func:`hubspoke.figures.table.figures_frame` over this workspace:
        ``period`` a Period or a label (``"2015-16"``, ``"2013-14 to
        2016-17"``, ``"all"``; default :meth:`default_period`); ``level`` one
        of programme, phase, hub, spoke (default all); ``by`` ``"quarter"``
        or ``"year"`` for a row block per sub-period (quarter x phase is
        ``level="phase", by="quarter"``). Shares carry Wilson 95% intervals;
        count totals with missing returns carry a labelled estimate and
        bounds beside the observed value.
        """
        from hubspoke.figures.table import figures_frame
        from hubspoke.indicators.rubric import DEFAULT_RUBRIC

        return figures_frame(
            self.programme(),
            self.frames(),
            self.period(period),
            level=level,
            by=by,
            measures=measures,
            rubric=rubric or DEFAULT_RUBRIC,
        )

    def field_completeness(
        self, period: Period | str | None = None, *, per: str = "record"
    ) -> pd.DataFrame:
        """Field completeness per service and field, of the case records of returns in ``period``.

        ``per="record"`` counts case records (a young person in four quarterly
        returns counts four times; :func:`hubspoke.indicators.quality.field_completeness`);
        ``per="young_person"`` counts each young person once per service
        (:func:`~hubspoke.indicators.quality.field_completeness_people`).
        """
        import pandas as pd

        from hubspoke.indicators.quality import field_completeness, field_completeness_people

        if per not in ("record", "young_person"):
            raise DataValidationError(f"per must be 'record' or 'young_person', not {per!r}")
        from hubspoke.figures.facts import case_codes, service_codes_of

        chosen = self.period(period)
        frames = self.frames()
        cases = frames.cases
        mask = (
            (cases["period_start"] >= pd.Timestamp(chosen.start))
            & (cases["period_end"] <= pd.Timestamp(chosen.end))
        ).to_numpy(dtype=bool)
        whole = bool(mask.all())  # the usual case: no copy of every record
        inside = (cases if whole else cases[mask]).drop(columns=["return_id"])
        # every service's codes, when every record counts (a part would list absent services)
        services = service_codes_of(frames) if whole else None
        if per == "record":
            return field_completeness(inside, service_codes=services)
        codes = case_codes(frames)
        return field_completeness_people(
            inside, case_codes=codes if whole else codes[mask], service_codes=services
        )

    def programme_to_date(self) -> Period:
        """``--period all``: from the programme's first period to the end of its latest return.

        Starts at the earliest start in the expected-returns register or the
        stored returns; ends with the latest stored return's period (the
        register's last end when nothing is stored yet), so expected returns
        not yet due are not counted as missing. Labelled as an evaluator says
        it (:func:`hubspoke.periods.labelled_span`): ``2013-14 to 2016-17`` for
        whole financial years, ``2015-16 Q1 to 2015-16 Q3`` for quarters.
        """
        from hubspoke.periods import labelled_span

        starts = [e.period.start for e in self.programme().expected_returns]
        ends = [e.period.end for e in self.programme().expected_returns]
        with _sqlite_errors(self._path):
            row = self._conn.execute(
                "SELECT min(period_start), max(period_end) FROM returns WHERE superseded_by IS NULL"
            ).fetchone()
        if row[0] is not None:
            starts.append(date.fromisoformat(row[0]))
            ends = [date.fromisoformat(row[1])]
        if not starts:
            from hubspoke.errors import PeriodError

            raise PeriodError(
                "the workspace has no expected returns and no returns, so 'all' has no dates: "
                "name a period such as 2015-16"
            )
        return labelled_span(min(starts), max(ends))

    def default_period(self) -> Period:
        """The period ``score``, ``report`` and :meth:`figures` use when none is named.

        Programme to date (:meth:`programme_to_date`), the same for every command.
        """
        return self.programme_to_date()

    def period(self, period: Period | str | None = None) -> Period:
        """A Period from a label, ``"all"`` (programme to date) or None (:meth:`default_period`)."""
        if period is None:
            return self.default_period()
        if isinstance(period, Period):
            return period
        if period.strip().lower() in ("all", "programme to date", "program to date"):
            return self.programme_to_date()
        return parse_period(period)

    def latest_period_start(self) -> date | None:
        """The start of the latest stored return's period (None without returns)."""
        with _sqlite_errors(self._path):
            row = self._conn.execute(
                "SELECT max(period_start) FROM returns WHERE superseded_by IS NULL"
            ).fetchone()
        return None if row[0] is None else date.fromisoformat(row[0])


#: Findings of one kind (severity, code, column) stored one by one; past this many the rest
#: of that kind become one summary row ("and 1,048,570 more like this").
FINDINGS_KEPT_PER_KIND = 50


def summarise_diagnostics(
    diagnostics: Iterable[Diagnostic], keep: int = FINDINGS_KEPT_PER_KIND
) -> list[tuple[Diagnostic, int]]:
    """The findings to store, each with how many findings it stands for.

    The first ``keep`` findings of each kind (severity, code and column) are
    kept as they are (standing for 1), in the order found; the rest of each
    kind become one summary finding at the end, located at the kind's column,
    saying how many more there were and standing for exactly that many. One
    pass, memory bounded by the number of kinds.
    """
    kept: list[tuple[Diagnostic, int]] = []
    seen: dict[tuple[str, str, str | None, str | None], int] = {}
    first_past: dict[tuple[str, str, str | None, str | None], Diagnostic] = {}
    for d in diagnostics:
        key = (d.severity.value, d.code, d.location.sheet, d.location.column)
        n = seen.get(key, 0)
        seen[key] = n + 1
        if n < keep:
            kept.append((d, 1))
        elif n == keep:
            first_past[key] = d
    for key, d in first_past.items():
        more = seen[key] - keep
        if more == 1:  # one more is listed as itself
            kept.append((d, 1))
            continue
        summary = Diagnostic(
            severity=d.severity,
            code=d.code,
            message=f"and {more:,} more like this (the first {keep} are listed)",
            location=Location(
                file=d.location.file,
                sheet=d.location.sheet,
                column=d.location.column,
                column_letter=d.location.column_letter,
            ),
        )
        kept.append((summary, more))
    return kept


@attrs.frozen
class _AllRejected:
    """A report whose every row is counted rejected (the whole file was refused)."""

    report: FileReportLike

    @property
    def importer(self) -> str | None:
        return self.report.importer

    @property
    def importer_version(self) -> str | None:
        return self.report.importer_version

    @property
    def returns(self) -> tuple[MonitoringReturn, ...]:
        return ()

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return tuple(self.report.diagnostics)

    @property
    def rows_read(self) -> int:
        return self.report.rows_read

    @property
    def rows_imported(self) -> int:
        return 0

    @property
    def rows_rejected(self) -> int:
        return self.report.rows_read


def store_diagnostics(
    conn: sqlite3.Connection, sha256: str, diagnostics: Iterable[Diagnostic]
) -> None:
    """Write a file's diagnostics, one row each, replacing any stored before.

    Past :data:`FINDINGS_KEPT_PER_KIND` findings of one kind, the rest are
    stored as one summary row whose ``findings`` column says how many it
    stands for (:func:`summarise_diagnostics`), so a file with a million
    rows in error makes a small workspace and the counts stay exact.
    """
    conn.execute("DELETE FROM file_diagnostics WHERE file_sha256 = ?", (sha256,))
    conn.executemany(
        "INSERT INTO file_diagnostics (file_sha256, seq, severity, code, message, file, "
        "sheet, row, column_name, column_letter, path, value, suggestion, findings) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                sha256,
                seq,
                d.severity.value,
                d.code,
                d.message,
                d.location.file,
                d.location.sheet,
                d.location.row,
                d.location.column,
                d.location.column_letter,
                d.location.path,
                d.value,
                d.suggestion,
                findings,
            )
            for seq, (d, findings) in enumerate(summarise_diagnostics(diagnostics))
        ),
    )


def _writable(path: Path) -> bool:
    """Whether this process may write the file and make files beside it (WAL, shared memory)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


__all__: Sequence[str] = ("FileReportLike", "Workspace", "dump_content")
