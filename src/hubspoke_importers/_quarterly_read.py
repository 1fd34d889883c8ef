"""Reading the quarterly return workbook: the About sheet, then each data sheet.

The layout is :mod:`hubspoke_importers._quarterly_layout`; cell and sheet
handling is :mod:`hubspoke_importers._xlsx`.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from xml.etree.ElementTree import ParseError

import numpy as np
from defusedxml import DefusedXmlException

from hubspoke.codes import ActivityKind, GoalStatus
from hubspoke.diagnostics import Severity
from hubspoke.errors import FileImportError, ModelError
from hubspoke.model import Activity, OutcomeRecord
from hubspoke.periods import Period
from hubspoke.plugins.contract import LoadOptions, LoadResult
from hubspoke_importers import _quarterly_layout as layout
from hubspoke_importers._cases_read import case_id_cell, read_cases
from hubspoke_importers._cells import Problem, parse_date, parse_flag, parse_number
from hubspoke_importers._columns import ColumnReader, ObjectArray, objects, report_columns
from hubspoke_importers._common import (
    Column,
    Findings,
    header_key,
    parse_period_label,
    provenance,
    read_source,
    service_cell_problem,
)
from hubspoke_importers._csv import Table
from hubspoke_importers._returns import ReturnBuilder, finish
from hubspoke_importers._values_read import read_values
from hubspoke_importers._xlsx import (
    cell_text,
    find_header,
    open_workbook,
    sheet_rows,
    sheet_table,
)
from hubspoke_importers.quarterly_xlsx import NAME


def load_workbook(source: Path, options: LoadOptions) -> LoadResult:
    """Load a quarterly return workbook (the importer's ``load``)."""
    data = read_source(source, options)
    workbook = open_workbook(data, source.name, options.max_bytes)
    try:
        return _load(workbook, source, data, options)
    except (DefusedXmlException, ParseError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        # sheets are parsed lazily, so hostile or damaged XML surfaces here
        raise FileImportError(
            f"{source.name}: the workbook cannot be read safely ({type(exc).__name__}: {exc})"
        ) from None
    finally:
        workbook.close()


def _sheets_by_key(workbook: Any, file: str) -> dict[str, str]:
    """Sheet names by :func:`header_key`; two sheets hubspoke reads under one key are refused.

    "Referrals" (hidden) and "Referrals." (visible), or two About sheets,
    would otherwise leave one silently unread.
    """
    read = {"about", *(header_key(spec.name) for spec in layout.DATA_SHEETS)}
    by_key: dict[str, str] = {}
    for name in workbook.sheetnames:
        key = header_key(name)
        if key in by_key and key in read:
            states = {
                n: getattr(workbook[n], "sheet_state", "visible") for n in (by_key[key], name)
            }
            shown = " and ".join(
                f"{n!r}" + ("" if state == "visible" else f" ({state})")
                for n, state in states.items()
            )
            raise FileImportError(
                f"{file}: sheets {shown} have the same name once case, spaces and punctuation "
                "are ignored, so hubspoke cannot tell which one to read; delete or rename one "
                "(hidden sheets count too: unhide them in Excel to see them)"
            )
        by_key.setdefault(key, name)
    return by_key


def _load(workbook: Any, source: Path, data: bytes, options: LoadOptions) -> LoadResult:
    by_key = _sheets_by_key(workbook, source.name)
    about_name = by_key.get("about", layout.ABOUT_SHEET)
    about = Findings(source.name, sheet=about_name)
    fields = _read_about(workbook[about_name] if "about" in by_key else None, about)
    service, period = _service(fields, options, about), _period(fields, options, about)
    submitted = _about_cell(fields, "submitted_on", "submitted on", parse_date, about, is_date=True)
    resubmission = _about_cell(fields, "replaces_earlier", "resubmission", parse_flag, about)
    builder = ReturnBuilder(
        provenance=provenance(source, data, NAME),
        submitted_on=submitted,
        replaces_earlier=bool(resubmission),
    )
    all_findings = [about]
    rows_read = imported = 0
    for spec in layout.DATA_SHEETS:
        name = by_key.get(header_key(spec.name))
        if name is None:
            about.note(
                "missing-sheet",
                Severity.WARNING,
                f"the workbook has no {spec.name!r} sheet; nothing was read for it",
                suggestion="use the template from 'hubspoke template hubspoke-quarterly-xlsx'",
            )
            continue
        findings = Findings(source.name, sheet=name)
        all_findings.append(findings)
        table = _sheet(workbook[name], spec, findings)
        if table is None:
            continue
        reader = ColumnReader(table, findings)
        known = (*spec.keys, *layout.EXTRA_KEYS[spec.name])
        extra = [k for k in table.columns if k not in known]
        flagged = reader.personal_data(extra, period.end if period else None)
        report_columns(table, findings, known, ignore=flagged)
        rows_read += table.rows_read
        if service is None or period is None:
            findings.reject_all(
                [int(r) for r in table.rows], "the About sheet's service or period is wrong"
            )
            continue
        imported += _read_sheet(spec, reader, service, period, builder)
    if service is not None and period is not None:
        builder.ensure(service, period)
    return finish(
        builder.build(),
        all_findings,
        rows_read,
        imported,
        builder.locations(),
        record_frames=builder.record_frames(),
    )


# -- the About sheet -----------------------------------------------------------------------

AboutField = tuple[object, int, Column]


def _read_about(sheet: Any, findings: Findings) -> dict[str, AboutField]:
    """``{field: (value, row, value column)}`` from label/value rows of the About sheet."""
    if sheet is None:
        findings.note(
            "missing-sheet",
            Severity.ERROR,
            "the workbook has no 'About' sheet saying which service and period it is for",
            suggestion="use the template from 'hubspoke template hubspoke-quarterly-xlsx'",
        )
        return {}
    found: dict[str, AboutField] = {}
    value_column: int | None = None  # 0-based index of a "Value" header, once seen
    for number, row in enumerate(sheet_rows(sheet, findings.file), start=1):
        cells = list(row)
        for i, cell in enumerate(cells):
            if not isinstance(cell, str) or not cell.strip():
                continue
            field = layout.ABOUT_KEYS.get(header_key(cell))
            if field is None:
                keys = [header_key(c) if isinstance(c, str) else "" for c in cells]
                if "value" in keys:
                    value_column = keys.index("value")
                break
            if value_column is not None and value_column > i:
                rest = (
                    [(value_column + 1, cells[value_column])] if len(cells) > value_column else []
                )
                rest = [(j, v) for j, v in rest if cell_text(v)]
            else:
                rest = [(j, v) for j, v in enumerate(cells[i + 1 :], start=i + 2) if cell_text(v)]
            if rest and field not in found:
                j, value = rest[0]
                found[field] = (value, number, Column(header=cell.strip(), index=j))
            break
    return found


def _service(fields: dict[str, AboutField], options: LoadOptions, f: Findings) -> str | None:
    if "service" not in fields:
        if options.service_id:
            return options.service_id
        f.note(
            "missing-value",
            Severity.ERROR,
            "the About sheet gives no service id",
            row=None,
            suggestion="fill in 'Service id' on the About sheet, e.g. S07",
        )
        return None
    value, row, column = fields["service"]
    text = cell_text(value)
    problem = service_cell_problem(text, options)
    if problem is not None:
        code, message, suggestion = problem
        f.note(
            code, Severity.ERROR, message, row=row, column=column, value=text, suggestion=suggestion
        )
        return None
    return text


def _period(fields: dict[str, AboutField], options: LoadOptions, f: Findings) -> Period | None:
    if "period" not in fields:
        if options.period is not None:
            return options.period
        f.note(
            "missing-value",
            Severity.ERROR,
            "the About sheet gives no period",
            suggestion="fill in 'Period' on the About sheet, e.g. 2015-16 Q1",
        )
        return None
    value, row, column = fields["period"]
    text = cell_text(value)
    found = parse_period_label(text)
    if isinstance(found, Period):
        return found
    f.note("period-label", Severity.ERROR, found, row=row, column=column, value=text)
    return None


T = TypeVar("T")


def _about_cell(
    fields: dict[str, AboutField],
    key: str,
    what: str,
    parse: Callable[[str], T | Problem | None],
    f: Findings,
    *,
    is_date: bool = False,
) -> T | None:
    """The About sheet's ``key`` cell parsed by ``parse``; None (with an error) if unreadable."""
    if key not in fields:
        return None
    value, row, column = fields[key]
    found = parse(cell_text(value, is_date=is_date))
    if isinstance(found, Problem):
        f.note(
            found.code,
            Severity.ERROR,
            f"{what}: {found.message}",
            row=row,
            column=column,
            value=cell_text(value),
            suggestion=found.suggestion,
        )
        return None
    return found


# -- the data sheets -----------------------------------------------------------------------


def _sheet(sheet: Any, spec: layout.SheetSpec, findings: Findings) -> Table | None:
    """The sheet's table, or None when the sheet holds nothing under a header."""
    rows = sheet_rows(sheet, findings.file)
    known = (*spec.keys, *layout.EXTRA_KEYS[spec.name])
    index = find_header(rows, known, layout.ALIASES)
    if index is None:
        if any(cell_text(v) for r in rows for v in r):
            shown = ", ".join(repr(c.header) for c in spec.columns[:4])
            findings.note(
                "missing-column",
                Severity.ERROR,
                f"no header row found in the top rows (expected headers such as {shown}); "
                "nothing on this sheet was read",
                suggestion="restore the template's header row",
            )
        return None
    return sheet_table(rows, index, findings, aliases=layout.ALIASES, date_keys=spec.dates)


def _read_sheet(
    spec: layout.SheetSpec,
    reader: ColumnReader,
    service: str,
    period: Period,
    builder: ReturnBuilder,
) -> int:
    services = objects([service] * reader.size)
    periods = objects([period] * reader.size)
    display = {c.key: c.header for c in spec.columns}
    if spec is layout.REFERRALS:
        if not reader.required_columns(["measure", "value"], display=display):
            return 0
        return read_values(reader, services, periods, builder)
    if spec is layout.YOUNG_PEOPLE:
        if not reader.required_columns(["case_id"], display=display):
            return 0
        return read_cases(reader, services, periods, builder)
    if spec is layout.ACTIVITIES:
        if not reader.required_columns(["kind"], display=display):
            return 0
        return _read_activities(reader, service, period, builder)
    if not reader.required_columns(["case_id", "instrument", "on"], display=display):
        return 0
    return _read_outcomes(reader, service, period, builder)


def _required_text(text: str) -> str | Problem:
    return text or Problem(code="missing-value", message="the cell is blank")


def _read_activities(
    reader: ColumnReader, service: str, period: Period, builder: ReturnBuilder
) -> int:
    kinds = reader.codes("kind", "activity_kind")
    for position in np.flatnonzero((reader.cells("kind") == "").to_numpy()):
        reader.reject(int(position), "missing-value", "the activity kind is blank", key="kind")
    on = reader.dates("on")
    professions = reader.codes("audience_profession", "profession")
    attendees = reader.counts("attendees")
    hours = reader.numbers("hours", whole=False)
    builder.columns(reader.findings.sheet, reader.table.columns)
    imported = 0
    for position in np.flatnonzero(reader.alive()):
        i = int(position)
        try:
            record = Activity(
                kind=ActivityKind(kinds[i]),
                on=on[i],
                audience_profession=professions[i],
                attendees=attendees[i] or 0,
                hours=float(hours[i] or 0.0),
            )
        except ModelError as exc:
            reader.reject(i, "invalid-record", str(exc), key="kind")
            continue
        builder.add(
            service,
            period,
            record,
            row=int(reader.table.rows[i]),
            sheet=reader.findings.sheet,
        )
        imported += 1
    return imported


def _subject(text: str) -> str | Problem | None:
    key = header_key(text)
    if not key:
        return None
    if key in {"young_person", "yp", "child"}:
        return "young_person"
    if key in {"professional", "worker", "practitioner"}:
        return "professional"
    return Problem(
        code="unknown-code",
        message=f"{text!r} is not young person or professional",
        suggestion="write young_person or professional",
    )


def _read_outcomes(
    reader: ColumnReader, service: str, period: Period, builder: ReturnBuilder
) -> int:
    ids = reader.parse("case_id", case_id_cell)
    reader.personal_values("goal")
    instruments = reader.parse("instrument", _required_text)
    on = reader.dates("on")
    for position in np.flatnonzero((reader.cells("on") == "").to_numpy()):
        reader.reject(int(position), "missing-value", "the outcome date is blank", key="on")
    scores = reader.parse("score", parse_number)
    goals: ObjectArray = (
        objects([t or None for t in reader.cells("goal").tolist()])
        if reader.has("goal")
        else objects([None] * reader.size)
    )
    statuses = reader.codes("goal_status", "goal_status")
    subjects = reader.parse("subject", _subject)
    builder.columns(reader.findings.sheet, reader.table.columns)
    imported = 0
    for position in np.flatnonzero(reader.alive()):
        i = int(position)
        try:
            record = OutcomeRecord(
                case_id=ids[i],
                instrument=instruments[i],
                on=on[i],
                score=scores[i],
                goal=goals[i],
                goal_status=GoalStatus(statuses[i]) if statuses[i] else None,
                subject=subjects[i] or "young_person",
            )
        except ModelError as exc:  # e.g. neither a score nor a goal status
            key = exc.field if reader.has(exc.field) else "case_id"
            reader.reject(i, "invalid-record", exc.rule, key=key)
            continue
        builder.add(
            service,
            period,
            record,
            row=int(reader.table.rows[i]),
            sheet=reader.findings.sheet,
        )
        imported += 1
    return imported
