"""Stored returns as model objects, for looking at single returns (not for analysis).

Analysis reads the record tables as frames
(:meth:`hubspoke.workspace.Workspace.record_frames`); this module builds
:class:`~hubspoke.model.MonitoringReturn` objects with every record, for the
API's single-return uses and for plugin authors.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from hubspoke.codes import ActivityKind, GoalStatus
from hubspoke.model import (
    Activity,
    CaseRecord,
    DataValue,
    MonitoringReturn,
    OutcomeRecord,
    Provenance,
    RiskAssessment,
)
from hubspoke.periods import Period
from hubspoke.workspace.records import KINDS, Kind
from hubspoke.workspace.schema import RECORD_DIMENSIONS


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _value(row: Sequence[Any]) -> DataValue:
    dims = row[1:-1]
    breakdown = {d: c for d, c in zip(RECORD_DIMENSIONS, dims, strict=True) if c is not None}
    return DataValue(measure=row[0], breakdown=breakdown, value=row[-1])


def _case(row: Sequence[Any]) -> CaseRecord:
    (cid, referred, source, risk0, risk1, gender, ethnicity, sexuality, age, band, looked,
     support, before, after, closed, reason, reviews) = row  # fmt: skip
    return CaseRecord(
        case_id=cid,
        referral_date=_day(referred),
        referral_source=source,
        risk_at_referral=risk0,
        risk_latest=risk1,
        reviews=tuple(
            RiskAssessment(**(r | {"on": date.fromisoformat(r["on"])}))
            for r in (json.loads(reviews) if reviews else ())
        ),
        gender=gender,
        ethnicity=ethnicity,
        sexuality=sexuality,
        age=age,
        age_band=band,
        looked_after=None if looked is None else bool(looked),
        support_type=support,
        missing_before=before,
        missing_after=after,
        closed_on=_day(closed),
        closure_reason=reason,
    )


def _activity(row: Sequence[Any]) -> Activity:
    kind, on, profession, attendees, hours = row
    return Activity(
        kind=ActivityKind(kind),
        on=_day(on),
        audience_profession=profession,
        attendees=attendees,
        hours=float(hours),
    )


def _outcome(row: Sequence[Any]) -> OutcomeRecord:
    case_id, instrument, on, score, goal, status, subject = row
    return OutcomeRecord(
        case_id=case_id,
        instrument=instrument,
        on=date.fromisoformat(on),
        score=score,
        goal=goal,
        goal_status=None if status is None else GoalStatus(status),
        subject=subject,
    )


_BUILD: dict[Kind, Callable[[Sequence[Any]], object]] = {
    "values": _value,
    "cases": _case,
    "activities": _activity,
    "outcomes": _outcome,
}


def returns_from_tables(conn: sqlite3.Connection, where: str) -> tuple[MonitoringReturn, ...]:
    """Every return matching ``where`` (SQL on ``returns r``) with its records, in stored order."""
    heads = conn.execute(
        "SELECT r.id, r.service_id, r.period_start, r.period_end, r.period_label, "
        "r.submitted_on, r.replaces_earlier, r.sheet, f.file_name, r.file_sha256, r.importer, "
        "coalesce(f.importer_version, 'unknown'), r.stored_at FROM returns r "
        f"JOIN files f ON f.sha256 = r.file_sha256 WHERE {where} "
        "ORDER BY r.service_id, r.period_start, r.period_end, r.id"
    ).fetchall()
    found: dict[Kind, dict[int, list[object]]] = {}
    for kind, spec in KINDS.items():
        extra = ", t.reviews" if kind == "cases" else ""
        listed = ", ".join(f"t.{c}" for c in spec.sql_columns)
        rows = conn.execute(
            f"SELECT t.return_id, {listed}{extra} FROM {spec.table} t "
            f"JOIN returns r ON r.id = t.return_id WHERE {where} ORDER BY t.return_id, t.rowid"
        ).fetchall()
        grouped: dict[int, list[object]] = defaultdict(list)
        build = _BUILD[kind]
        for row in rows:
            grouped[row[0]].append(build(row[1:]))
        found[kind] = grouped
    out: list[MonitoringReturn] = []
    for (rid, service, start, end, label, submitted, replaces, sheet, file_name, sha,
         importer, version, stored) in heads:  # fmt: skip
        out.append(
            MonitoringReturn(
                service_id=service,
                period=Period(
                    start=date.fromisoformat(start), end=date.fromisoformat(end), label=label
                ),
                submitted_on=_day(submitted),
                provenance=Provenance(
                    source_file=file_name,
                    sha256=sha,
                    importer=importer,
                    importer_version=version,
                    imported_at=datetime.fromisoformat(stored),
                    sheet=sheet,
                ),
                replaces_earlier=bool(replaces),
                values=tuple(found["values"].get(rid, ())),
                cases=tuple(found["cases"].get(rid, ())),
                activities=tuple(found["activities"].get(rid, ())),
                outcomes=tuple(found["outcomes"].get(rid, ())),
            )
        )
    return tuple(out)
