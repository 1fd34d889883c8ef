"""Writing returns inside an import's transaction: provenance, JSON, supersession rows.

Everything here runs on a connection already inside ``BEGIN IMMEDIATE``
(see :meth:`hubspoke.workspace.Workspace.store_report`); nothing commits.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from hubspoke.diagnostics import Diagnostic, Location, Severity
from hubspoke.model import MonitoringReturn, Provenance
from hubspoke.workspace import supersession
from hubspoke.workspace.outcome import Replacement, SourceFile

if TYPE_CHECKING:
    from hubspoke.workspace.store import FileReportLike


@attrs.frozen
class Prepared:
    """A return ready to insert: the model object and its JSON, made before locking."""

    ret: MonitoringReturn
    body: str


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
) -> Prepared:
    """The return with the workspace's provenance, and its JSON."""
    from hubspoke.serialization import dumps_return

    sheet = ret.provenance.sheet if ret.provenance is not None else None
    provenance = Provenance(
        source_file=source.path.name,
        sha256=source.sha256,
        importer=importer,
        importer_version=version,
        imported_at=now,
        sheet=sheet,
    )
    stored = attrs.evolve(ret, provenance=provenance)
    return Prepared(ret=stored, body=dumps_return(stored))


def insert_return(
    conn: sqlite3.Connection, item: Prepared, sha256: str, now: datetime
) -> tuple[Replacement | None, Diagnostic | None]:
    """Store one return against the current one for its service and period.

    Follows :func:`hubspoke.workspace.supersession.plan`. Returns what it
    replaced (if anything) and an info diagnostic explaining a merge or an
    older resubmission.
    """
    from hubspoke.serialization import dumps_return, loads_return

    ret = item.ret
    key = (ret.service_id, ret.period.start.isoformat(), ret.period.end.isoformat())
    row = conn.execute(
        "SELECT r.id, r.body, f.file_name, r.file_sha256 FROM returns r "
        "JOIN files f ON f.sha256 = r.file_sha256 "
        "WHERE r.service_id = ? AND r.period_start = ? AND r.period_end = ? "
        "AND r.superseded_by IS NULL",
        key,
    ).fetchone()
    current = None if row is None else loads_return(row[1])
    source = ""
    if row is not None:
        source = (
            "another return in this file" if row[3] == sha256 else f"the return from {row[2]!r}"
        )
    decided = supersession.plan(ret, current, source)
    next_id = int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM returns").fetchone()[0])
    history_id = next_id if decided.history is not None else None
    current_id = next_id + (history_id is not None) if decided.current is not None else None
    replacement: Replacement | None = None
    if row is not None and current_id is not None:
        # the foreign key is deferred, so the old row may point at the id about to exist
        conn.execute("UPDATE returns SET superseded_by = ? WHERE id = ?", (current_id, row[0]))
        replacement = Replacement(
            service_id=ret.service_id, period_label=ret.period.label, earlier_file=row[2]
        )
    if decided.history is not None:
        by = current_id if current_id is not None else row[0]
        insert_row(conn, next_id, decided.history, item.body, sha256, by, now)
    if decided.current is not None and current_id is not None:
        stored = attrs.evolve(decided.current, provenance=ret.provenance)
        body = item.body if stored == ret else dumps_return(stored)
        insert_row(conn, current_id, stored, body, sha256, None, now)
    note = None
    if decided.note is not None:
        note = Diagnostic(
            code="older-resubmission" if decided.history is not None else "kept-earlier-records",
            severity=Severity.INFO,
            message=decided.note,
            location=Location(file=ret.provenance.source_file if ret.provenance else None),
        )
    return replacement, note


def insert_row(
    conn: sqlite3.Connection,
    row_id: int,
    ret: MonitoringReturn,
    body: str,
    sha256: str,
    superseded_by: int | None,
    now: datetime,
) -> None:
    conn.execute(
        "INSERT INTO returns (id, service_id, period_start, period_end, period_label, "
        "submitted_on, file_sha256, importer, superseded_by, stored_at, body, n_values, "
        "n_cases, n_activities, n_outcomes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            body,
            len(ret.values),
            len(ret.cases),
            len(ret.activities),
            len(ret.outcomes),
        ),
    )
