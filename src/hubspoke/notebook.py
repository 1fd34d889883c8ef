"""HTML views of the objects an evaluator holds in a notebook (``_repr_html_``).

Jupyter and VS Code show an object by calling its ``_repr_html_``. These
functions build that HTML for :class:`~hubspoke.model.Programme`,
:class:`~hubspoke.indicators.programme.ProgrammeScores` and
:class:`~hubspoke.validation.FileReport`; the figures frame
(:meth:`Workspace.figures <hubspoke.workspace.Workspace.figures>`) is a
pandas DataFrame, which shows itself. Every value is escaped. These are the
evaluation team's internal views (unsuppressed): publish through the report.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hubspoke.indicators.programme import ProgrammeScores
    from hubspoke.model import Programme

_STYLE = "border-collapse:collapse;font-size:90%"


def _table(header: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th style='text-align:left;padding:2px 8px'>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td style='padding:2px 8px'>{escape(str(c))}</td>" for c in r) + "</tr>"
        for r in rows
    )
    return f"<table style='{_STYLE}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def programme_html(programme: Programme) -> str:
    """Name, phases, hubs and spokes of a programme, with the size of its register."""
    hubs = [
        [h.id, h.service_name, h.phase, sum(1 for s in programme.spokes if s.hub_id == h.id)]
        for h in programme.hubs
    ]
    head = (
        f"<p><b>{escape(programme.name)}</b>: {len(programme.hubs)} hubs, "
        f"{len(programme.spokes)} spokes, {len(programme.expected_returns)} expected returns, "
        f"{len(programme.funders)} funders</p>"
    )
    return head + _table(["hub", "service", "phase", "spokes"], hubs)


def scores_html(scores: ProgrammeScores) -> str:
    """Each spoke's indicators with coverage; ``.explain(spoke)`` for the components."""
    wide = scores.wide()
    indicators = [c for c in wide.columns if c not in ("spoke_id", "hub_id", "phase")]
    names = [c for c in indicators if not str(c).endswith(" coverage")]
    rows: list[list[object]] = []
    for rec in wide.to_dict("records"):
        row: list[object] = [rec["spoke_id"], rec["hub_id"], rec["phase"]]
        for name in names:
            value, cover = rec[name], rec[f"{name} coverage"]
            shown = "n/a" if value is None or value != value else f"{float(value):.2f}"
            row.append(f"{shown} ({float(cover):.0%})")
        rows.append(row)
    head = (
        f"<p>Scores for {escape(scores.period.label)} ({scores.period.start} to "
        f"{scores.period.end}), rubric {escape(scores.rubric_version)}; (coverage) in brackets; "
        "<code>.explain(spoke_id)</code> says why.</p>"
    )
    return head + _table(["spoke", "hub", "phase", *names], rows)


def file_report_html(report: Any) -> str:
    """A validation report: importer, rows read/imported/rejected, and each diagnostic."""
    rows = [[d.severity.value, d.code, d.message] for d in getattr(report, "diagnostics", ())]
    head = (
        f"<p>Read by <b>{escape(str(report.importer))}</b>: {report.rows_read} rows read, "
        f"{report.rows_imported} imported, {report.rows_rejected} rejected</p>"
    )
    return head + (_table(["severity", "code", "message"], rows) if rows else "<p>No findings.</p>")


__all__ = ["file_report_html", "programme_html", "scores_html"]
