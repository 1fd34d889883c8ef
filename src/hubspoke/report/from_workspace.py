"""Gather a :class:`~hubspoke.report.build.ReportData` from a workspace.

Reads only aggregate views: the workspace's case records are used for field
completeness counts and never handed to the report.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from hubspoke.errors import ReportError
from hubspoke.periods import Period, date_range
from hubspoke.report.build import Provenance, ReportData

if TYPE_CHECKING:
    from hubspoke.indicators.rubric import Rubric
    from hubspoke.model import Programme
    from hubspoke.workspace import Workspace


def report_period(programme: Programme) -> Period:
    """The span of the programme's expected-returns register (first start to last end)."""
    if not programme.expected_returns:
        raise ReportError(
            "the programme has no expected returns, so the report period is unknown: "
            "give one with --period"
        )
    start = min(e.period.start for e in programme.expected_returns)
    end = max(e.period.end for e in programme.expected_returns)
    return date_range(start, end)


def report_data_from_workspace(
    ws: Workspace,
    period: Period | str | None,
    *,
    today: date,
    rubric: Rubric | None = None,
) -> ReportData:
    """The report data of ``period`` (default: programme to date) as of ``today``.

    ``period`` is a Period, a label (``2015-16``, ``2013-14 to 2016-17``) or
    ``"all"``; None is :meth:`Workspace.default_period
    <hubspoke.workspace.Workspace.default_period>`, the same default as ``hubspoke score``.

    ``today`` judges returns late or missing and is printed as the
    generation date; it is passed in so the same workspace gives the same
    report. Values and case records outside ``period`` are left out.
    """
    from hubspoke.frames import spokes_frame
    from hubspoke.indicators.rubric import DEFAULT_RUBRIC
    from hubspoke.privacy.rounding import rounded_field_completeness

    programme = ws.programme()
    # one default for score and report: programme to date (Workspace.default_period)
    chosen = ws.period(period)
    rubric = rubric or DEFAULT_RUBRIC
    scores = ws.scores(chosen, rubric)
    status = ws.returns_status(today)
    expected = {
        (e.service_id, e.period.label)
        for e in programme.expected_returns
        if chosen.contains_period(e.period)
    }
    keys = zip(status["service_id"].astype(str), status["period_label"].astype(str), strict=True)
    status = status[[key in expected for key in keys]].reset_index(drop=True)
    return ReportData(
        programme_name=programme.name,
        period_label=chosen.label,
        rubric_version=scores.rubric_version,
        generated_on=today,
        spokes=spokes_frame(programme),
        scores=scores.scores,
        components=scores.components,
        key_outcomes=ws.key_outcomes(chosen, rubric),
        values=ws.figures_by_return(chosen),
        reconciliation=ws.reconciliation(chosen),
        returns_status=status,
        # rounded per return like every published count, so editions cannot be differenced
        field_completeness=rounded_field_completeness(_inside(ws.frames().cases, chosen)),
        provenance=_provenance(ws),
        figures=ws.figures(chosen, rubric=rubric),
        completeness_people=ws.field_completeness(chosen, per="young_person"),
    )


def _within(frame: pd.DataFrame, period: Period) -> pd.Series:
    start = pd.Timestamp(period.start)
    end = pd.Timestamp(period.end)
    return (pd.to_datetime(frame["period_start"]) >= start) & (
        pd.to_datetime(frame["period_end"]) <= end
    )


def _inside(frame: pd.DataFrame, period: Period) -> pd.DataFrame:
    within = _within(frame, period).to_numpy(dtype=bool)
    if within.all():  # a whole-programme period: every record, without a copy
        return frame
    return frame[within].reset_index(drop=True)


def _provenance(ws: Workspace) -> tuple[Provenance, ...]:
    history = ws.history()
    current = history[history["current"].fillna(False).astype(bool)]
    seen: dict[str, Provenance] = {}
    for record in current.to_dict("records"):
        sha = str(record["file_sha256"])
        if sha in seen:
            continue
        version = record["importer_version"]
        suffix = "" if version is None or version is pd.NA else f" {version}"
        stored = record["stored_at"]
        seen[sha] = Provenance(
            # the name a sender gave a file may hold personal data: the report never has it
            file_name=f"file {sha[:8]}",
            sha256=sha,
            importer=f"{record['importer']}{suffix}",
            imported_at=stored.isoformat() if isinstance(stored, pd.Timestamp) else str(stored),
        )
    return tuple(sorted(seen.values(), key=lambda p: (p.imported_at, p.sha256)))
