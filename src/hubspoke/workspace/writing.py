"""Writing returns inside an import's transaction: provenance, record rows, supersession.

Everything here runs on a connection already inside ``BEGIN IMMEDIATE``
(see :meth:`hubspoke.workspace.Workspace.store_report`); nothing commits.
A return is one row of ``returns`` plus its records in the record tables
(:mod:`hubspoke.workspace.records`); a merged return's records are copied
in SQL from the returns it was merged from.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

import attrs

from hubspoke.diagnostics import Diagnostic, Location, Severity
from hubspoke.model import MonitoringReturn, Provenance
from hubspoke.workspace import records, supersession
from hubspoke.workspace.outcome import ImportStatus, Replacement, SourceFile, StoredReturn

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


def as_submitted(
    returns: Iterable[MonitoringReturn], submitted: date | None, replace_all: bool
) -> list[MonitoringReturn]:
    """``returns`` with ``submitted`` where they carry no date, marked if ``replace_all``."""
    out = []
    for ret in returns:
        if submitted is not None and ret.submitted_on is None:
            ret = attrs.evolve(ret, submitted_on=submitted)
        if replace_all and not ret.replaces_earlier:
            ret = attrs.evolve(ret, replaces_earlier=True)
        out.append(ret)
    return out


def prepare(
    ret: MonitoringReturn, source: SourceFile, importer: str, version: str, now: datetime
) -> MonitoringReturn:
    """The return with the workspace's provenance (file, SHA-256, importer, time)."""
    sheet = ret.provenance.sheet if ret.provenance is not None else None
    provenance = Provenance(
        source_file=source.name,
        sha256=source.sha256,
        importer=importer,
        importer_version=version,
        imported_at=now,
        sheet=sheet,
    )
    return attrs.evolve(ret, provenance=provenance)


_DIMENSIONS = records.KINDS["values"].sql_columns[1:-1]


def _versions(
    conn: sqlite3.Connection, ids: list[int]
) -> tuple[dict[int, supersession.Version], dict[tuple[int, supersession.FigureKey], int]]:
    """The submissions ``ids`` as the rule sees them, and each figure's row (rowid)."""
    held = ",".join("?" * len(ids))
    heads = conn.execute(
        "SELECT r.id, r.submitted_on, r.replaces_earlier, r.n_cases, r.n_activities, "
        "r.n_outcomes, f.file_name FROM returns r JOIN files f ON f.sha256 = r.file_sha256 "
        f"WHERE r.id IN ({held})",
        ids,
    ).fetchall()
    figures: dict[int, dict[supersession.FigureKey, float]] = {i: {} for i in ids}
    rows: dict[tuple[int, supersession.FigureKey], int] = {}
    dims = ", ".join(_DIMENSIONS)
    for rowid, return_id, measure, *cells, value in conn.execute(
        f"SELECT rowid, return_id, measure, {dims}, value FROM return_values "
        f"WHERE return_id IN ({held}) ORDER BY rowid",
        ids,
    ):
        key = (
            str(measure),
            tuple((d, str(c)) for d, c in zip(_DIMENSIONS, cells, strict=True) if c is not None),
        )
        if key not in figures[return_id]:  # a repeated figure: the first is the figure
            figures[return_id][key] = float(value)
            rows[(return_id, key)] = int(rowid)
    versions = {
        int(seq): supersession.Version(
            seq=int(seq),
            submitted_on=None if submitted is None else date.fromisoformat(submitted),
            replaces_earlier=bool(replaces),
            figures=figures[int(seq)],
            counts={"cases": int(nc), "activities": int(na), "outcomes": int(no)},
            name=repr(str(name)),
        )
        for seq, submitted, replaces, nc, na, no, name in heads
    }
    return versions, rows


def insert_return(
    conn: sqlite3.Connection,
    ret: MonitoringReturn,
    sha256: str,
    now: datetime,
    frames: Mapping[str, records.RowSlice] | None = None,
) -> tuple[Replacement | None, list[Diagnostic], supersession.Effect]:
    """Store one submission (with its provenance set) and rebuild its period's current return.

    ``frames`` holds the return's records of any kind the importer gave as a
    frame (record columns only), stored as they are, without model objects.
    The submission is always stored as received; the current return is then
    :func:`hubspoke.workspace.supersession.fold` over every submission for
    the service and period: the one submission it equals, or a ``merged``
    row whose records are copied in SQL from the submissions it combines
    (the previous merged row, derived the same way, is replaced). Returns the
    earlier current return replaced (if any), diagnostics (what was kept,
    history, ``order-decided``) and what this submission did.
    """
    held_frames = {k: f for k, f in (frames or {}).items() if len(f)}
    label = f"{ret.service_id} {ret.period.label}"
    key = (ret.service_id, ret.period.start.isoformat(), ret.period.end.isoformat())
    stored = conn.execute(
        "SELECT r.id, r.merged, r.superseded_by IS NULL, f.file_name FROM returns r "
        "JOIN files f ON f.sha256 = r.file_sha256 "
        "WHERE r.service_id = ? AND r.period_start = ? AND r.period_end = ?",
        key,
    ).fetchall()
    new_id = int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM returns").fetchone()[0])
    counts = {
        k: len(getattr(ret, k)) + (len(held_frames[k]) if k in held_frames else 0)
        for k in supersession.KINDS
    }
    # stored as received; pointing at itself until the current return is decided
    _insert_row(conn, new_id, ret, sha256, None if not stored else new_id, now, counts)
    _insert_new(conn, new_id, ret, held_frames)
    if not stored:
        return (
            None,
            [],
            supersession.Effect(
                status="imported", label=label, message=f"{label}: first return stored"
            ),
        )
    earlier = next(str(name) for _, _, current, name in stored if current)
    derived = [int(i) for i, merged, _, _ in stored if merged]
    ids = [int(i) for i, merged, _, _ in stored if not merged] + [new_id]
    versions, rows = _versions(conn, ids)
    new = versions[new_id]
    before = supersession.fold(v for v in versions.values() if v.seq != new_id)
    after = supersession.fold(versions.values())
    done = supersession.effect(label, new, versions, before, after)
    for old in derived:  # a merged return is derived: rebuilt from the submissions below
        for spec in records.KINDS.values():
            conn.execute(f"DELETE FROM {spec.table} WHERE return_id = ?", (old,))
        conn.execute("UPDATE returns SET superseded_by = ? WHERE superseded_by = ?", (new_id, old))
        conn.execute("DELETE FROM returns WHERE id = ?", (old,))
    current = after.single(versions)
    if current is None:
        current = new_id + 1
        _insert_merged(conn, current, after, versions, rows, now)
    conn.execute(
        "UPDATE returns SET superseded_by = ? WHERE service_id = ? AND period_start = ? "
        "AND period_end = ?",
        (current, *key),
    )
    conn.execute("UPDATE returns SET superseded_by = NULL WHERE id = ?", (current,))
    notes: list[Diagnostic] = []
    where = Location(file=ret.provenance.source_file if ret.provenance else None)
    if done.status in ("merged", "history"):
        notes.append(
            Diagnostic(
                code="older-resubmission" if done.status == "history" else "kept-earlier-records",
                severity=Severity.INFO,
                message=done.message,
                location=where,
            )
        )
    if supersession.order_decides(list(versions.values()), new):
        undated = new.submitted_on is None or any(v.submitted_on is None for v in versions.values())
        why = (
            "a submission for it carries no submission date"
            if undated
            else f"two submissions for it carry the same date ({new.submitted_on})"
        )
        notes.append(
            Diagnostic(
                code="order-decided",
                severity=Severity.WARNING,
                message=f"{label}: {why}, so import order decided which figures are current",
                location=where,
                suggestion="add a submitted_on column, or import with --submitted DATE",
            )
        )
    replacement = Replacement(
        service_id=ret.service_id, period_label=ret.period.label, earlier_file=earlier
    )
    return replacement, notes, done


def _insert_merged(
    conn: sqlite3.Connection,
    row_id: int,
    after: supersession.Current,
    versions: Mapping[int, supersession.Version],
    rows: Mapping[tuple[int, supersession.FigureKey], int],
    now: datetime,
) -> None:
    """The merged current return: the latest submission's header, records copied in SQL."""
    latest = after.latest
    assert latest is not None
    counts = [len(after.figures)] + [
        versions[after.kinds[k]].counts[k] if k in after.kinds else 0
        for k in supersession.WHOLE_KINDS
    ]
    conn.execute(
        "INSERT INTO returns (id, service_id, period_start, period_end, period_label, "
        "submitted_on, file_sha256, importer, superseded_by, stored_at, n_values, n_cases, "
        "n_activities, n_outcomes, replaces_earlier, sheet, merged) "
        "SELECT ?, service_id, period_start, period_end, period_label, submitted_on, "
        "file_sha256, importer, ?, ?, ?, ?, ?, ?, 0, sheet, 1 FROM returns WHERE id = ?",
        (row_id, row_id, now.isoformat(), *counts, latest),
    )
    spec = records.KINDS["values"]
    listed = ", ".join(spec.sql_columns)
    chosen = sorted(rows[(seq, key)] for key, seq in after.figures.items())
    conn.execute(
        f"INSERT INTO {spec.table} (return_id, {listed}) SELECT ?, {listed} FROM {spec.table} "
        "WHERE rowid IN (SELECT value FROM json_each(?)) ORDER BY rowid",
        (row_id, json.dumps(chosen)),
    )
    for kind, seq in after.kinds.items():
        records.copy_records(conn, kind, seq, row_id)  # type: ignore[arg-type]


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
    if kind == "cases" and objects:  # no copy was staged: made from the rows just stored
        records.copy_case_rows(conn, [return_id])


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


def stored_return(ret: MonitoringReturn, done: supersession.Effect) -> StoredReturn:
    """What one return did, for :class:`~hubspoke.workspace.outcome.ImportOutcome`."""
    return StoredReturn(
        service_id=ret.service_id,
        period_label=ret.period.label,
        status=done.status,
        replaced=done.replaced,
        merged=done.added,
        kept=done.kept,
        dropped=done.dropped,
        history=done.overridden,
        message=done.message,
    )


def file_status(effects: Sequence[StoredReturn]) -> ImportStatus:
    """The first of superseded, merged, history that its returns have, else imported."""
    found = {e.status for e in effects}
    for status in ("superseded", "merged", "history"):
        if status in found:
            return status
    return "imported"


def file_message(effects: Sequence[StoredReturn]) -> str:
    """``3 returns stored: 1 imported, 1 merged, 1 superseded``."""
    from collections import Counter

    counts = Counter(e.status for e in effects)
    n = len(effects)
    parts = [
        f"{counts[s]} {s}" for s in ("imported", "merged", "superseded", "history") if counts[s]
    ]
    head = f"{n} return{'s' if n != 1 else ''} stored"
    if n == 1:
        return head + (f" ({parts[0].split(' ', 1)[1]})" if parts else "")
    return head + ": " + ", ".join(parts)
