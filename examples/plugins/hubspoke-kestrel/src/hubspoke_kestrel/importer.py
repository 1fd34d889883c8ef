"""The importer for Kestrel's CaseFlow case list workbook.

CaseFlow exports one sheet, "Case list": two title rows, a blank row, the
headers, one row per young person of every service, then a Total row::

    Kestrel Project: CaseFlow case list
    Exported 08/01/2016
    (blank)
    Service | Quarter | Client No | Referral Date | Referred By | Gender | ...
    S05     | Q3 2015/16 | KP-1001 | 05-Aug-2015 | School | Female | ...
    ...
    Total   |            | 12

Every data row is imported as a :class:`~hubspoke.model.CaseRecord` or
rejected with an error naming its sheet, row and column; the rows of each
(service, quarter) become one :class:`~hubspoke.model.MonitoringReturn`.
The Notes column is free text that may name people: it is never read.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from hubspoke.diagnostics import Diagnostic, Severity
from hubspoke.errors import ModelError
from hubspoke.model import CaseRecord, MonitoringReturn, Provenance
from hubspoke.periods import Period
from hubspoke.plugins import LoadOptions, LoadResult, Probe
from hubspoke.plugins.contract import RecordRows
from hubspoke.reading import SheetTable, glance_workbook, read_sheet
from hubspoke.rules import (
    check_case_ids,
    check_codes,
    check_dates,
    check_duplicate_ids,
    check_numbers,
    check_period_label,
    check_personal_data,
    check_required_columns,
    check_service_ids,
    check_unknown_columns,
    header_key,
)
from hubspoke_kestrel.codes import CODED

SHEET = "Case list"
REQUIRED = ("Service", "Quarter", "Client No", "Referral Date")
DATES = {"Referral Date": "referral_date", "Closed Date": "closed_on"}
WHOLE = {"Age": "age"}
IGNORED = ("Notes",)  # free text: may name people, never read
KNOWN = (*REQUIRED, *DATES, *WHOLE, *CODED, *IGNORED)
SIGNATURE = {header_key(h) for h in ("Client No", "Quarter", "Referred By")}


class KestrelCaseListImporter:
    """Reads the Kestrel Project's CaseFlow case list (``.xlsx``, several services per sheet)."""

    name: str = "kestrel-caseflow"
    description: str = "Kestrel Project: CaseFlow case list workbook (.xlsx)"
    extensions: tuple[str, ...] = (".xlsx",)
    version: str = "0.1.0"

    def sniff(self, probe: Probe) -> float | None:
        """0.95 for a "Case list" sheet with CaseFlow's headers, 0.8 for the headers alone."""
        glance = glance_workbook(probe)
        if glance is None:
            return None
        for sheet in glance.sheets:
            if glance.headers(sheet) >= SIGNATURE:
                return 0.95 if header_key(sheet) == header_key(SHEET) else 0.8
        return None

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        """Read the case list; see the module docstring. FileImportError if it cannot be read."""
        table = read_sheet(source, headers=KNOWN, sheet=None, max_bytes=options.max_bytes)
        frame = table.frame
        found: list[Diagnostic] = list(table.notes)
        found += check_unknown_columns(
            frame.columns, KNOWN, file=table.file, sheet=table.sheet, header_row=table.header_row
        )
        required = [
            c
            for c in REQUIRED
            if not (c == "Service" and options.service_id)
            and not (c == "Quarter" and options.period)
        ]
        missing = check_required_columns(
            frame.columns, required, file=table.file, sheet=table.sheet, header_row=table.header_row
        )
        if missing:
            return _reject_all(table, missing, "a required column is missing")
        return self._read_rows(source, table, options, found)

    def _read_rows(
        self, source: Path, table: SheetTable, options: LoadOptions, found: list[Diagnostic]
    ) -> LoadResult:
        frame, places = table.frame, table.places
        bad = pd.Series(False, index=frame.index)
        fields: dict[str, pd.Series] = {}

        # personal data: never in the columns we read (Notes is not read at all)
        read = frame.drop(columns=[c for c in IGNORED if c in frame.columns])
        personal = check_personal_data(read, places)
        found += personal.diagnostics
        for finding in personal.findings:
            if finding.column in REQUIRED:
                bad.iloc[list(finding.positions)] = True

        if options.service_id:
            services = pd.Series(options.service_id, index=frame.index, dtype="string")
        else:
            checked = check_service_ids(
                frame["Service"], places["Service"], programme=options.programme
            )
            found += checked.diagnostics
            bad |= checked.bad
            services = checked.parsed
        quarters, bad_quarter = _quarters(table, options, found)
        bad |= bad_quarter

        ids = check_case_ids(frame["Client No"], places["Client No"])
        found += ids.diagnostics
        bad |= ids.bad
        # the same young person may appear once per service and quarter
        repeats = check_duplicate_ids(
            frame["Client No"], places["Client No"], by=[services, quarters.astype("string")]
        )
        found += repeats.diagnostics
        bad |= repeats.bad
        fields["case_id"] = ids.parsed

        for header, field in DATES.items():
            if header in frame.columns:
                dates = check_dates(frame[header], places[header])
                found += dates.diagnostics
                bad |= dates.bad
                fields[field] = dates.parsed
        for header, field in WHOLE.items():
            if header in frame.columns:
                numbers = check_numbers(frame[header], places[header], whole=True, required=False)
                found += numbers.diagnostics
                bad |= numbers.bad
                fields[field] = numbers.parsed
        for header, (field, codes) in CODED.items():
            if header in frame.columns:
                coded = check_codes(frame[header], codes, places[header])
                found += coded.diagnostics
                bad |= coded.bad
                fields[field] = coded.parsed

        groups: dict[tuple[str, Period], list[CaseRecord]] = {}
        rows_of: dict[tuple[str, Period], list[int]] = {}
        rejected = int(bad.sum())
        for position in (~bad).to_numpy().nonzero()[0].tolist():
            row = int(table.rows.iloc[position])
            values = {f: _cell(s.iloc[position]) for f, s in fields.items()}
            try:
                record = CaseRecord(**values)  # type: ignore[arg-type]
            except ModelError as exc:
                rejected += 1
                found.append(
                    Diagnostic(
                        code="kestrel-invalid-case",
                        severity=Severity.ERROR,
                        message=f"row not imported: {exc.rule} ({exc.field})",
                        location=table.location(row),
                    )
                )
                continue
            key = (str(services.iloc[position]), quarters.iloc[position])
            groups.setdefault(key, []).append(record)
            rows_of.setdefault(key, []).append(row)

        provenance = Provenance(
            source_file=source.name,
            sha256=hashlib.sha256(source.read_bytes()).hexdigest(),
            importer=self.name,
            importer_version=self.version,
            sheet=table.sheet,
        )
        keys = sorted(groups, key=lambda k: (k[0], k[1].start))
        returns = tuple(
            MonitoringReturn(service_id=s, period=p, provenance=provenance, cases=groups[(s, p)])
            for s, p in keys
        )
        # where each record was read, so hubspoke's own checks name the row and column
        columns: dict[str | None, dict[str, tuple[str, str]]] = {
            table.sheet: {
                field: (header, table.letters[header])
                for header, field in {"Service": "service_id", "Quarter": "period", **DATES}.items()
                if header in table.letters
            }
        }
        located = {
            (k, "cases"): ([table.sheet] * len(rows_of[key]), rows_of[key])
            for k, key in enumerate(keys)
        }
        found.sort(key=lambda d: (d.location.row or 0, d.location.column_letter or ""))
        return LoadResult(
            returns=returns,
            diagnostics=found,
            rows_read=len(frame),
            rows_imported=len(frame) - rejected,
            rows_rejected=rejected,
            record_locations=RecordRows(source.name, located, columns),
        )


def _quarters(
    table: SheetTable, options: LoadOptions, found: list[Diagnostic]
) -> tuple[pd.Series, pd.Series]:
    """Each row's quarter ("Q3 2015/16" is a financial quarter) and a mask of unreadable ones."""
    frame = table.frame
    if options.period is not None:
        return pd.Series([options.period] * len(frame), index=frame.index, dtype=object), (
            pd.Series(False, index=frame.index)
        )
    labels = frame["Quarter"].map(lambda v: str(v).strip())
    parsed: dict[str, Period | None] = {}
    for label, row in zip(labels.tolist(), table.rows.tolist(), strict=True):
        if label not in parsed:
            period, problem = check_period_label(
                label, table.location(int(row), "Quarter"), convention="financial"
            )
            parsed[label] = period
            if problem is not None:
                found.append(problem)
    periods = labels.map(parsed)
    bad = periods.isna()
    for label, row in zip(labels[bad].tolist(), table.rows[bad].tolist(), strict=True):
        if parsed.get(label) is None:
            found.append(
                Diagnostic(
                    code="row-rejected",
                    severity=Severity.ERROR,
                    message=f"row not imported: its quarter {label!r} cannot be read",
                    location=table.location(int(row), "Quarter"),
                )
            )
    return periods, bad.astype(bool)


def _reject_all(table: SheetTable, problems: list[Diagnostic], reason: str) -> LoadResult:
    """Reject every row with a reason, so rows read = imported + rejected still holds."""
    found = [*table.notes, *problems]
    found += [
        Diagnostic(
            code="row-rejected",
            severity=Severity.ERROR,
            message=f"row not imported: {reason}",
            location=table.location(int(row)),
        )
        for row in table.rows.tolist()
    ]
    n = len(table.frame)
    return LoadResult(returns=(), diagnostics=found, rows_read=n, rows_imported=0, rows_rejected=n)


def _cell(value: object) -> object:
    """A parsed pandas cell as a plain Python value for the model (None when missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, float):
        return None if value != value else int(value)
    return str(value)
