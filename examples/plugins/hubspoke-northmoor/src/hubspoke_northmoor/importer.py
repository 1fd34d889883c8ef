"""The importer for Northmoor's CaseBook case export.

The export is semicolon-separated text. Its first line is a banner naming
the period (``NYPP CaseBook export;Period: 2015-16 Q1;Exported: 07/07/2015``),
the second the column headers, then one row per young person::

    Client Ref;Team;Ref Date;Referrer;Risk Start;Risk Now;Sex;Ethnic Group;Age;...

Every data row is imported as a :class:`~hubspoke.model.CaseRecord` or
rejected with an error diagnostic naming its row and column; rows of each
``Team`` become one :class:`~hubspoke.model.MonitoringReturn`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date
from pathlib import Path

import pandas as pd

from hubspoke.diagnostics import Diagnostic, Location, Severity
from hubspoke.errors import FileImportError, ModelError
from hubspoke.model import CaseRecord, MonitoringReturn, Provenance
from hubspoke.periods import Period
from hubspoke.plugins import LoadOptions, LoadResult, Probe
from hubspoke.plugins.contract import RecordRows
from hubspoke.rules import (
    ColumnPlace,
    check_codes,
    check_dates,
    check_duplicate_ids,
    check_numbers,
    check_period_label,
    check_personal_data,
    check_required_columns,
)
from hubspoke_northmoor.codes import CODED

BANNER = "NYPP CaseBook export"
REQUIRED = ("Client Ref", "Team", "Ref Date")
DATES = {"Ref Date": "referral_date", "Closed": "closed_on"}
WHOLE = {"Age": "age", "Missing Before": "missing_before", "Missing After": "missing_after"}
KNOWN = frozenset({*REQUIRED, *DATES, *WHOLE, *CODED})
_IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
_PERIOD = re.compile(r"^\s*period\s*:\s*(?P<label>.+?)\s*$", re.IGNORECASE)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


class NorthmoorCasesImporter:
    """Reads Northmoor's CaseBook case exports (``;``-separated, with a period banner)."""

    name: str = "northmoor-casebook"
    description: str = "Northmoor Young People's Project: CaseBook case export"
    extensions: tuple[str, ...] = (".csv", ".txt")
    version: str = "0.1.0"

    def sniff(self, probe: Probe) -> float | None:
        """0.95 for the banner plus CaseBook headers, 0.8 for the headers alone, else None."""
        lines = probe.text().splitlines()[:2]
        for number, line in enumerate(lines):
            cells = {c.strip().casefold() for c in line.split(";")}
            if {"client ref", "risk start", "risk now"} <= cells:
                return 0.95 if number == 1 and lines[0].startswith(BANNER) else 0.8
        return None

    def load(self, source: Path, *, options: LoadOptions) -> LoadResult:
        """Read the export; see the module docstring. FileImportError if it cannot be read."""
        try:
            if source.stat().st_size > options.max_bytes:
                raise FileImportError(f"{source.name}: larger than {options.max_bytes:,} bytes")
            data = source.read_bytes()
        except OSError as exc:
            raise FileImportError(f"{source.name}: cannot read the file ({exc.strerror})") from None
        text = _decode(data)
        lines = text.splitlines()
        has_banner = bool(lines) and lines[0].startswith(BANNER)
        header_row = 2 if has_banner else 1
        file = source.name
        found: list[Diagnostic] = []

        period = options.period
        if period is None:
            period = self._period_from_banner(lines[0] if has_banner else "", file, found)

        try:
            frame = pd.read_csv(
                io.StringIO(text),
                sep=";",
                quoting=csv.QUOTE_NONE,  # CaseBook never quotes; a '"' is just a character
                dtype=str,
                keep_default_na=False,
                skiprows=header_row - 1,
                skip_blank_lines=False,
            )
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise FileImportError(f"{file}: not a CaseBook export ({exc})") from None
        frame.columns = [str(c).strip() for c in frame.columns]
        rows = pd.Series(range(header_row + 1, header_row + 1 + len(frame)), index=frame.index)
        frame = frame[frame.apply(lambda col: col.str.strip() != "").any(axis=1)]
        rows = rows[frame.index]

        places = {
            h: ColumnPlace(file=file, header=h, index=i, rows=rows)
            for i, h in enumerate(frame.columns, start=1)
        }
        required = [c for c in REQUIRED if not (c == "Team" and options.service_id)]
        missing = check_required_columns(frame.columns, required, file=file, header_row=header_row)
        found += missing
        if missing or period is None:
            reason = "a required column is missing" if missing else "the period is unknown"
            for row in rows.tolist():
                found.append(
                    Diagnostic(
                        code="row-rejected",
                        severity=Severity.ERROR,
                        message=f"row not imported: {reason}",
                        location=Location(file=file, row=int(row)),
                    )
                )
            return LoadResult(
                returns=(),
                diagnostics=found,
                rows_read=len(frame),
                rows_imported=0,
                rows_rejected=len(frame),
            )
        return self._read_rows(source, data, frame, rows, places, period, options, found)

    def _period_from_banner(self, banner: str, file: str, found: list[Diagnostic]) -> Period | None:
        where = Location(file=file, row=1)
        for cell in banner.split(";"):
            if m := _PERIOD.match(cell):
                period, problem = check_period_label(m["label"], where, convention="financial")
                if problem is not None:
                    found.append(problem)
                return period
        found.append(
            Diagnostic(
                code="period-label",
                severity=Severity.ERROR,
                message="the export does not say which period it covers",
                location=where,
                suggestion="export with CaseBook's banner line, or pass the period explicitly",
            )
        )
        return None

    def _read_rows(
        self,
        source: Path,
        data: bytes,
        frame: pd.DataFrame,
        rows: pd.Series,
        places: dict[str, ColumnPlace],
        period: Period,
        options: LoadOptions,
        found: list[Diagnostic],
    ) -> LoadResult:
        bad = pd.Series(False, index=frame.index)
        fields: dict[str, pd.Series] = {}

        personal = check_personal_data(frame, places, reference=period.end)
        found += personal.diagnostics
        for finding in personal.findings:
            if finding.column in REQUIRED:  # personal data in a column we store: reject
                bad.iloc[list(finding.positions)] = True
        for header in frame.columns:
            if header not in KNOWN and header not in personal.columns:
                found.append(
                    Diagnostic(
                        code="northmoor-unknown-column",
                        severity=Severity.WARNING,
                        message=f"column {header!r} is not part of the CaseBook export; ignored",
                        location=places[header].location(),
                    )
                )

        ids = check_duplicate_ids(frame["Client Ref"], places["Client Ref"])
        found += ids.diagnostics
        bad |= ids.bad
        invalid = ~ids.parsed.fillna("").str.match(_IDENT.pattern).astype(bool)
        for row, value in zip(rows[invalid].tolist(), frame["Client Ref"][invalid], strict=True):
            found.append(
                Diagnostic(
                    code="northmoor-client-ref",
                    severity=Severity.ERROR,
                    message="the client ref is blank or not a reference number",
                    location=places["Client Ref"].location(int(row)),
                    value=value,
                )
            )
        bad |= invalid
        fields["case_id"] = ids.parsed

        if options.service_id:
            fields["service_id"] = pd.Series(options.service_id, index=frame.index)
        else:
            team = frame["Team"].str.strip()
            bad_team = ~team.str.match(_IDENT.pattern).astype(bool)
            for row, value in zip(rows[bad_team].tolist(), team[bad_team], strict=True):
                found.append(
                    Diagnostic(
                        code="northmoor-team",
                        severity=Severity.ERROR,
                        message="the team is blank or not a service id",
                        location=places["Team"].location(int(row)),
                        value=value,
                    )
                )
            bad |= bad_team
            fields["service_id"] = team

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

        by_service: dict[str, list[CaseRecord]] = {}
        rows_of: dict[str, list[int]] = {}  # the spreadsheet row of each record, per service
        rejected = int(bad.sum())
        for position in (~bad).to_numpy().nonzero()[0].tolist():
            values = {f: _cell(s.iloc[position]) for f, s in fields.items()}
            service_id = str(values.pop("service_id"))
            try:
                record = CaseRecord(**values)  # type: ignore[arg-type]
            except ModelError as exc:
                rejected += 1
                found.append(
                    Diagnostic(
                        code="northmoor-invalid-case",
                        severity=Severity.ERROR,
                        message=f"row not imported: {exc.rule} ({exc.field})",
                        location=Location(file=source.name, row=int(rows.iloc[position])),
                        value=None if exc.value is None else str(exc.value),
                    )
                )
                continue
            by_service.setdefault(service_id, []).append(record)
            rows_of.setdefault(service_id, []).append(int(rows.iloc[position]))

        provenance = Provenance(
            source_file=source.name,
            sha256=hashlib.sha256(data).hexdigest(),
            importer=self.name,
            importer_version=self.version,
        )
        returns = tuple(
            MonitoringReturn(service_id=sid, period=period, provenance=provenance, cases=cases)
            for sid, cases in by_service.items()
        )
        found.sort(key=lambda d: (d.location.row or 0, d.location.column_letter or ""))
        # where each record was read, so hubspoke's own checks (dates outside the
        # period, services not in the programme) point at the row and column
        letters = {h: places[h].letter or "" for h in frame.columns}
        columns: dict[str | None, dict[str, tuple[str, str]]] = {
            None: {
                field: (header, letters[header])
                for header, field in {"Team": "service_id", **DATES}.items()
                if header in letters
            }
        }
        places_of = {
            (k, "cases"): ([None] * len(rows_of[sid]), rows_of[sid])
            for k, sid in enumerate(by_service)
        }
        return LoadResult(
            returns=returns,
            diagnostics=found,
            rows_read=len(frame),
            rows_imported=len(frame) - rejected,
            rows_rejected=rejected,
            record_locations=RecordRows(source.name, places_of, columns),
        )


def _cell(value: object) -> object:
    """A parsed pandas cell as a plain Python value for the model (None when missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        return int(value)
    if isinstance(value, date):
        return value
    return str(value)
