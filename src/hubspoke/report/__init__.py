"""The published report: one self-contained HTML file with inline SVG charts, plus exports.

:func:`build_report` writes it from a :class:`ReportData` (aggregate frames
only); :func:`~hubspoke.report.from_workspace.report_data_from_workspace`
gathers one from a workspace. Every count of people is suppressed as
described in ``docs/privacy.md``.
"""

from hubspoke.report.build import (
    Provenance,
    PublishedReport,
    ReportData,
    build_report,
    render_report,
)

__all__ = ["Provenance", "PublishedReport", "ReportData", "build_report", "render_report"]
