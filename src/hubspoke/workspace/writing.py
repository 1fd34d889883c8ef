"""Writing returns inside an import's transaction: provenance, record rows, supersession.

Everything here runs on a connection already inside ``BEGIN IMMEDIATE``
(see :meth:`hubspoke.workspace.Workspace.store_report`); nothing commits.
A return is one row of ``returns`` plus its records in the record tables
(:mod:`hubspoke.workspace.records`); a merged return's records are copied
in SQL from the returns it was merged from.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

import attrs

from hubspoke.diagnostics import Diagnostic, Location, Severity
from hubspoke.model import MonitoringReturn, Provenance
from hubspoke.workspace import records, supersession
from hubspoke.workspace.outcome import Replacement, SourceFile

if TYPE_CHECKING:
    from hubspoke.workspace.store import FileReportLike


def importer_version(report: FileReportLike) -> str:
    """The importer's version: as reported, else from the returns' provenance or the registry."""
    if report.importer_version:
        return report.importer_version
    for ret in report.returns:
        if ret.provenance is not None and ret.provenance.importer == report.importer:
            return ret.provenance.importer_version
    if report.importer is not None:
        try:
            from hubspoke.plugins.registry import get_registry

            found = get_registry().importers.get(report.importer)
        except Exception:  # the version is provenance, not worth failing an import over
            found = None
        if found is not None:
            return str(found.importer.version)
    return "unknown"


def prepare(
    ret: MonitoringReturn, source: SourceFile, importer: str, version: str, now: datetime
) -> MonitoringReturn:
    """The return with the workspace's provenance (file, SHA-256, importer, time)."""
    sheet = ret.provenance.sheet if ret.provenance is not None else None
    provenance = Provenance(
        source_file=source.path.name,
        sha256=source.sha256,
        importer=importer,
        importer_version=version,
        imported_at=now,
        sheet=sheet,
    )
    return attrs.evolve(ret, provenance=provenance)


@attrs.frozen
class _Current:
    """The current stored return for a service and period, as supersession sees it."""

    id: int
    file_name: str
    sha256: str
    submitted_on: date | None
    replaces_earlier: bool
    counts: dict[str, int]


def _current(conn: sqlite3.Connection, ret: MonitoringReturn) -> _Current | None:
    row = conn.execute(
        "SELECT r.id, f.file_name, r.file_sha256, r.submitted_on, r.replaces_earlier, "
        "r.n_values, r.n_cases, r.n_activities, r.n_outcomes FROM returns r "
        "JOIN files f ON f.sha256 = r.file_sha256 "
        "WHERE r.service_id = ? AND r.period_start = ? AND r.period_end = ? "
        "AND r.superseded_by IS NULL",
        (ret.service_id, ret.period.start.isoformat(), ret.period.end.isoformat()),
    ).fetchone()
    if row is None:
        return None
    return _Current(
        id=int(row[0]),
        file_name=str(row[1]),
        sha256=str(row[2]),
        submitted_on=None if row[3] is None else date.fromisoformat(row[3]),
        replaces_earlier=bool(row[4]),
        counts=dict(zip(supersession.KINDS, (int(n) for n in row[5:9]), strict=True)),
    )


def insert_return(
    conn: sqlite3.Connection,
    ret: MonitoringReturn,
    sha256: str,
    now: datetime,
    frames: Mapping[str, records.RowSlice] | None = None,
) -> tuple[Replacement | None, Diagnostic | None]:
    """Store one return (with its provenance set) against the current one for its period.

    ``frames`` holds the return's records of any kind the importer gave as a
    frame (record columns only), stored as they are, without model objects.
    Follows :func:`hubspoke.workspace.supersession.plan`. Returns what it
    replaced (if anything) and an info diagnostic explaining a merge or an
    older resubmission.
    """
    held_frames = {k: f for k, f in (frames or {}).items() if len(f)}
    label = f"{ret.service_id} {ret.period.label}"
    held = _current(conn, ret)
    current = None
    source = ""
    if held is not None:
        current = supersession.Submission(
            label=label,
            kinds=tuple(k for k in supersession.KINDS if held.counts[k]),
            submitted_on=held.submitted_on,
            replaces_earlier=held.replaces_earlier,
        )
        source = (
            "another return in this file"
            if held.sha256 == sha256
            else f"the return from {held.file_name!r}"
        )
    new = supersession.Submission.of(ret)
    if held_frames:
        kinds = set(new.kinds) | set(held_frames)
        new = attrs.evolve(new, kinds=tuple(k for k in supersession.KINDS if k in kinds))
    decided = supersession.plan(new, current, source)
    next_id = int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM returns").fetchone()[0])
    history_id = next_id if decided.history else None
    current_id = next_id + decided.history if decided.current is not None else None
    replacement: Replacement | None = None
    if held is not None and current_id is not None:
        # the foreign key is deferred, so the old row may point at the id about to exist
        conn.execute("UPDATE returns SET superseded_by = ? WHERE id = ?", (current_id, held.id))
        replacement = Replacement(
            service_id=ret.service_id, period_label=ret.period.label, earlier_file=held.file_name
        )
    new_counts = {
        k: len(getattr(ret, k)) + (len(held_frames[k]) if k in held_frames else 0)
        for k in supersession.KINDS
    }
    if history_id is not None:
        by = current_id if current_id is not None else held.id if held is not None else None
        _insert_row(conn, history_id, ret, sha256, by, now, new_counts)
        _insert_new(conn, history_id, ret, held_frames)
    if decided.current is not None and current_id is not None:
        counts = {
            k: new_counts[k] if decided.current.get(k) == "new" else held.counts[k] if held else 0
            for k in supersession.KINDS
        }
        # an older resubmission only fills gaps: the later return's dates and mark stay
        header = ret
        if decided.history and held is not None:
            header = attrs.evolve(
                ret, submitted_on=held.submitted_on, replaces_earlier=held.replaces_earlier
            )
        _insert_row(conn, current_id, header, sha256, None, now, counts)
        for kind, origin in decided.current.items():
            if origin == "current" and held is not None:
                records.copy_records(conn, kind, held.id, current_id)  # type: ignore[arg-type]
            elif history_id is not None:
                records.copy_records(conn, kind, history_id, current_id)  # type: ignore[arg-type]
            else:
                _insert_kind(conn, current_id, kind, ret, held_frames)
    note = None
    if decided.note is not None:
        note = Diagnostic(
            code="older-resubmission" if decided.history else "kept-earlier-records",
            severity=Severity.INFO,
            message=decided.note,
            location=Location(file=ret.provenance.source_file if ret.provenance else None),
        )
    return replacement, note


def _insert_kind(
    conn: sqlite3.Connection,
    return_id: int,
    kind: str,
    ret: MonitoringReturn,
    frames: Mapping[str, records.RowSlice],
) -> None:
    """Insert the new return's records of ``kind``: objects, then any frame rows."""
    name: records.Kind = kind  # type: ignore[assignment]
    objects = getattr(ret, kind)
    if objects:
        records.insert_records(conn, return_id, name, objects)
    if kind in frames:
        frames[kind].insert(conn, return_id)


def _insert_new(
    conn: sqlite3.Connection,
    return_id: int,
    ret: MonitoringReturn,
    frames: Mapping[str, records.RowSlice],
) -> None:
    for kind in supersession.KINDS:
        _insert_kind(conn, return_id, kind, ret, frames)


def _insert_row(
    conn: sqlite3.Connection,
    row_id: int,
    ret: MonitoringReturn,
    sha256: str,
    superseded_by: int | None,
    now: datetime,
    counts: dict[str, int],
) -> None:
    conn.execute(
        "INSERT INTO returns (id, service_id, period_start, period_end, period_label, "
        "submitted_on, file_sha256, importer, superseded_by, stored_at, n_values, "
        "n_cases, n_activities, n_outcomes, replaces_earlier, sheet) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row_id,
            ret.service_id,
            ret.period.start.isoformat(),
            ret.period.end.isoformat(),
            ret.period.label,
            None if ret.submitted_on is None else ret.submitted_on.isoformat(),
            sha256,
            ret.provenance.importer if ret.provenance else "unknown",
            superseded_by,
            now.isoformat(),
            counts["values"],
            counts["cases"],
            counts["activities"],
            counts["outcomes"],
            int(ret.replaces_earlier),
            ret.provenance.sheet if ret.provenance else None,
        ),
    )
