"""``annual-summary-csv``: a phase-one style annual return of label/value rows.

Header lines name the return (``Service:,S03`` or ``Service: S03``;
``Period:,2014-15``; optionally ``Submitted:,30/04/2015``). Every other row
with a value is a data row: its free-text label ("No. of young people
supported 1:1") is matched to a measure through the catalogue's aliases
(:func:`hubspoke.measures.measure_for_label`) and its value read as a number
("1,234" is 1234). A label that matches nothing rejects its row
(``unmatched-label``) and a summary warning lists every such label, so
nothing is dropped silently. Rows with a label but no value (section
headings, a title, a ``Label,Value`` header) are not data rows.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

from hubspoke.diagnostics import Severity
from hubspoke.errors import FileImportError, ModelError
from hubspoke.measures import Measure, measure_for_label
from hubspoke.model import DataValue
from hubspoke.periods import Period
from hubspoke.plugins.contract import LoadOptions, LoadResult, Probe
from hubspoke_importers._cells import Problem, parse_amount, parse_date
from hubspoke_importers._common import (
    VERSION,
    Column,
    Findings,
    header_key,
    parse_period_label,
    provenance,
    read_source,
    service_cell_problem,
    suggest_text,
)
from hubspoke_importers._returns import ReturnBuilder, finish
from hubspoke_importers._text import decode

NAME = "annual-summary-csv"

_HEADER_LINE = re.compile(
    r"^\s*(?P<field>service(?: id)?|spoke(?: id)?|service name|period|reporting period|"
    r"year|submitted(?: on)?|date submitted)\s*(?::\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
_FIELDS = {
    "service": "service",
    "service id": "service",
    "spoke": "service",
    "spoke id": "service",
    "period": "period",
    "reporting period": "period",
    "year": "period",
    "submitted": "submitted",
    "submitted on": "submitted",
    "date submitted": "submitted",
}
_VALUE_HEADERS = frozenset({"value", "values", "number", "count", "total", "figure"})
_LABEL = Column(header="Label", index=1)
_VALUE = Column(header="Value", index=2)


def _delimiter(text: str) -> str:
    head = text[:8192]
    return ";" if head.count(";") > head.count(",") else ","


def _records(data: bytes, findings: Findings) -> list[list[str]]:
    text, encoding = decode(data)
    if encoding != "utf-8":
        findings.note(
            "encoding",
            Severity.INFO,
            "the file is not UTF-8; it was read as Windows-1252 (Excel's CSV encoding)",
        )
    try:
        return [
            [c.strip() for c in r]
            for r in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        ]
    except csv.Error as exc:
        raise FileImportError(f"{findings.file}: not a readable CSV file ({exc})") from None


def _header_line(cells: list[str]) -> tuple[str, str] | None:
    """``(field, value)`` when ``cells`` is a header line like ``Period:,2014-15``."""
    if not cells or not cells[0]:
        return None
    m = _HEADER_LINE.match(cells[0])
    if not m:
        return None
    field = _FIELDS.get(" ".join(m["field"].lower().split()))
    if field is None:  # "service name" is descriptive only
        return ("ignored", "")
    rest = (m["rest"] or "").strip()
    value = rest or next((c for c in cells[1:] if c), "")
    if not rest and ":" not in cells[0] and not value:
        return None
    return (field, value)


class AnnualSummaryImporter:
    """Reads phase-one style annual summary returns (``annual-summary-csv``)."""

    name: str = NAME
    description: str = (
        "Phase-one annual return: 'Service:'/'Period:' header lines, then free-text "
        "label/value rows matched to measures by alias."
    )
    extensions: tuple[str, ...] = (".csv", ".txt")
    version: str = VERSION

    def sniff(self, probe: Probe) -> float | None:
        """0.8 with ``Service:``/``Period:`` header lines; 0.6 for a bare ``label,value`` header.

        Never claims a file whose first row has ``measure`` or ``case_id`` headers.
        """
        try:
            text = probe.text()
            lines = text.splitlines()[:40]
            if not lines:
                return None
            delimiter = _delimiter(text)
            first = {header_key(c.strip('" ')) for c in lines[0].split(delimiter)}
            if {"measure", "case_id"} & first:
                return None
            fields = set()
            for line in lines:
                cells = [c.strip().strip('"') for c in line.split(delimiter)]
                found = _header_line(cells)
                if found:
                    fields.add(found[0])
            if {"service", "period"} <= fields:
                return 0.8
            if "period" in fields or ("label" in first and first & _VALUE_HEADERS):
                return 0.6
            return None
        except Exception:
            return None

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        data = read_source(source, options)
        findings = Findings(source.name)
        records = _records(data, findings)
        header: dict[str, tuple[str, int]] = {}
        rows: list[tuple[int, str, str]] = []
        for number, cells in enumerate(records, start=1):
            found = _header_line(cells)
            if found is not None and not rows:
                if found[0] != "ignored":
                    header.setdefault(found[0], (found[1], number))
                continue
            label = cells[0] if cells else ""
            value = next((c for c in cells[1:] if c), "")
            if not value:
                if label and measure_for_label(label) is not None:
                    findings.note(
                        "missing-value",
                        Severity.INFO,
                        f"{label!r} has no value; nothing was read for it",
                        row=number,
                        column=_VALUE,
                    )
                continue
            if header_key(value) in _VALUE_HEADERS and measure_for_label(label) is None:
                continue  # the column header row ("Label,Value", "Item,Value")
            rows.append((number, label, value))
        prov = provenance(source, data, NAME)
        submitted = self._submitted(header, findings)
        builder = ReturnBuilder(provenance=prov, submitted_on=submitted)
        service, period = (
            self._service(header, options, findings),
            self._period(header, options, findings),
        )
        if service is None or period is None:
            findings.reject_all(
                [r[0] for r in rows], "the return's service or period is missing or wrong"
            )
            return finish((), [findings], len(rows), 0)
        builder.ensure(service, period)
        imported = self._read_rows(rows, findings, builder, service, period)
        return finish(builder.build(), [findings], len(rows), imported, builder.locations())

    @staticmethod
    def _read_rows(
        rows: list[tuple[int, str, str]],
        findings: Findings,
        builder: ReturnBuilder,
        service: str,
        period: Period,
    ) -> int:
        from hubspoke.rules import closest_measure  # pandas-backed: imported only to load

        seen: dict[str, int] = {}
        unmatched: list[str] = []
        imported = 0
        for number, label, text in rows:
            m: Measure | None = measure_for_label(label) if label else None
            if m is None:
                close = closest_measure(label) if label else None
                findings.reject(
                    "unmatched-label",
                    f"the label {label!r} matches no measure" if label else "the row has no label",
                    row=number,
                    column=_LABEL,
                    value=label,
                    suggestion=suggest_text(close),
                )
                unmatched.append(label)
                continue
            amount = parse_amount(text)
            if isinstance(amount, float) and m.whole and not amount.is_integer():
                amount = Problem(
                    code="non-integer-count",
                    message=f"{amount:g} is not a whole number, but {m.id!r} is a count",
                )
            if not isinstance(amount, float):
                problem = amount or Problem(code="not-a-number", message="the value is blank")
                findings.reject(
                    problem.code,
                    f"{label}: {problem.message}",
                    row=number,
                    column=_VALUE,
                    value=text,
                    suggestion=problem.suggestion,
                )
                continue
            if m.id in seen:
                findings.reject(
                    "duplicate-value",
                    f"{m.id} is already given in row {seen[m.id]}",
                    row=number,
                    column=_LABEL,
                    value=label,
                )
                continue
            try:
                builder.add(service, period, DataValue(measure=m.id, value=amount), row=number)
            except ModelError as exc:
                findings.reject("invalid-record", str(exc), row=number, column=_VALUE, value=text)
                continue
            seen[m.id] = number
            imported += 1
        if unmatched:
            findings.note(
                "unmatched-labels",
                Severity.WARNING,
                f"{len(unmatched)} of {len(rows)} labels matched no measure and were not "
                f"imported: {', '.join(repr(u) for u in unmatched)}",
                suggestion="rename them to a measure's label, or register aliases in a plugin",
            )
        elif rows:
            findings.note(
                "labels-matched",
                Severity.INFO,
                f"all {len(rows)} labels matched a measure",
            )
        return imported

    @staticmethod
    def _service(
        header: dict[str, tuple[str, int]], options: LoadOptions, findings: Findings
    ) -> str | None:
        if "service" not in header:
            if options.service_id:
                return options.service_id
            findings.note(
                "missing-header",
                Severity.ERROR,
                "the return has no 'Service:' line naming the service",
                row=1,
                suggestion="add a line 'Service:,S01' at the top",
            )
            return None
        text, row = header["service"]
        problem = service_cell_problem(text, options)
        if problem is not None:
            code, message, suggestion = problem
            findings.note(
                code,
                Severity.ERROR,
                message,
                row=row,
                column=_VALUE,
                value=text,
                suggestion=suggestion,
            )
            return None
        return text

    @staticmethod
    def _period(
        header: dict[str, tuple[str, int]], options: LoadOptions, findings: Findings
    ) -> Period | None:
        if "period" not in header:
            if options.period is not None:
                return options.period
            findings.note(
                "missing-header",
                Severity.ERROR,
                "the return has no 'Period:' line",
                row=1,
                suggestion="add a line 'Period:,2014-15' at the top",
            )
            return None
        text, row = header["period"]
        found = parse_period_label(text)
        if isinstance(found, Period):
            return found
        findings.note("period-label", Severity.ERROR, found, row=row, column=_VALUE, value=text)
        return None

    @staticmethod
    def _submitted(header: dict[str, tuple[str, int]], findings: Findings) -> date | None:
        if "submitted" not in header:
            return None
        text, row = header["submitted"]
        found = parse_date(text)
        if isinstance(found, Problem):
            findings.note(
                found.code,
                Severity.ERROR,
                f"submitted date: {found.message}",
                row=row,
                column=_VALUE,
                value=text,
                suggestion=found.suggestion,
            )
            return None
        return found
