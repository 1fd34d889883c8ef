"""Grouping checked records into returns, and finishing a :class:`LoadResult`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

import attrs

from hubspoke.diagnostics import Diagnostic, Severity
from hubspoke.model import (
    Activity,
    CaseRecord,
    DataValue,
    MonitoringReturn,
    OutcomeRecord,
    Provenance,
)
from hubspoke.periods import Period
from hubspoke.plugins.contract import LoadResult, RecordRows
from hubspoke_importers._common import Column, Findings

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

Record = DataValue | CaseRecord | Activity | OutcomeRecord

_FIELD = {
    DataValue: "values",
    CaseRecord: "cases",
    Activity: "activities",
    OutcomeRecord: "outcomes",
}


@attrs.define
class ReturnBuilder:
    """Collects records per ``(service, period)`` in first-seen order, with where each was read.

    ``add``/``extend`` take the spreadsheet row of each record (and its sheet),
    so checks on the finished returns can point at the row; see
    :meth:`locations`.
    """

    provenance: Provenance
    submitted_on: date | None = None
    replaces_earlier: bool = False
    _groups: dict[tuple[str, Period], dict[str, list[Record]]] = attrs.field(factory=dict)
    _rows: dict[tuple[str, Period], dict[str, tuple[list[str | None], list[int | None]]]] = (
        attrs.field(factory=dict)
    )
    _columns: dict[str | None, dict[str, tuple[str, str]]] = attrs.field(factory=dict)
    _sources: dict[str, pd.DataFrame] = attrs.field(factory=dict)
    _positions: dict[tuple[str, Period], dict[str, list[npt.NDArray[np.intp]]]] = attrs.field(
        factory=dict
    )
    _submitted: dict[tuple[str, Period], date] = attrs.field(factory=dict)

    def columns(self, sheet: str | None, columns: Mapping[str, Column]) -> None:
        """Record which column each field of ``sheet``'s records was read from."""
        if sheet not in self._columns:
            self._columns[sheet] = {k: (c.header, c.letter) for k, c in columns.items()}

    def add(
        self,
        service_id: str,
        period: Period,
        record: Record,
        *,
        row: int | None = None,
        sheet: str | None = None,
    ) -> None:
        self.extend(service_id, period, [record], rows=[row], sheet=sheet)

    def extend(
        self,
        service_id: str,
        period: Period,
        records: list[Record],
        *,
        rows: Sequence[int | None] | None = None,
        sheet: str | None = None,
    ) -> None:
        """Add ``records`` (all of one kind) to the return for ``(service_id, period)``.

        ``rows`` gives each record's spreadsheet row (aligned with ``records``).
        """
        if not records:
            return
        key = (service_id, period)
        kind = _FIELD[type(records[0])]
        self._groups.setdefault(key, {}).setdefault(kind, []).extend(records)
        sheets, where = self._rows.setdefault(key, {}).setdefault(kind, ([], []))
        sheets.extend([sheet] * len(records))
        where.extend([None] * len(records) if rows is None else rows)

    def frame_source(self, kind: str, frame: pd.DataFrame) -> None:
        """The typed record frame of ``kind`` (one row per file row) that
        :meth:`extend_frame` takes rows of."""
        self._sources[kind] = frame

    def extend_frame(
        self,
        service_id: str,
        period: Period,
        kind: str,
        positions: npt.NDArray[np.intp],
        *,
        rows: Sequence[int | None],
        sheet: str | None = None,
    ) -> None:
        """Add the rows at ``positions`` of the ``kind`` frame source to a return, as frame rows.

        The return then holds its records of ``kind`` in
        :meth:`record_frames`, not as objects. ``rows`` are their spreadsheet rows.
        """
        if not len(positions):
            return
        key = (service_id, period)
        self._groups.setdefault(key, {})
        self._positions.setdefault(key, {}).setdefault(kind, []).append(positions)
        sheets, where = self._rows.setdefault(key, {}).setdefault(kind, ([], []))
        sheets.extend([sheet] * len(positions))
        where.extend(rows)

    def record_frames(self) -> dict[str, pd.DataFrame]:
        """Every frame-held record, ``return_index`` first, returns in :meth:`build` order."""
        import numpy as np
        import pandas as pd

        out: dict[str, pd.DataFrame] = {}
        for kind, source in self._sources.items():
            taken: list[npt.NDArray[np.intp]] = []
            index: list[npt.NDArray[np.int64]] = []
            for k, key in enumerate(self._groups):
                for part in self._positions.get(key, {}).get(kind, ()):
                    taken.append(part)
                    index.append(np.full(len(part), k, dtype=np.int64))
            rows = np.concatenate(taken) if taken else np.zeros(0, dtype=np.intp)
            returns = np.concatenate(index) if index else rows.astype(np.int64)
            if len(rows) == len(source) and bool((rows == np.arange(len(rows))).all()):
                # every row, already in return order (a file sorted by service and
                # period, nothing rejected): the source's columns, not a copy of them
                columns = {c: source[c].array for c in source.columns}
                out[kind] = pd.DataFrame({"return_index": returns, **columns}, copy=False)
                continue
            frame = source.take(rows).reset_index(drop=True)
            frame.insert(0, "return_index", returns)
            out[kind] = frame
        return out

    def submitted(
        self,
        services: npt.NDArray[np.object_],
        periods: npt.NDArray[np.object_],
        days: npt.NDArray[np.object_],
        findings: Findings,
    ) -> None:
        """Each return's submission date from a ``submitted_on`` column (rows aligned).

        Only rows that were imported count; a return whose rows give different
        dates takes the latest, with a warning (``submitted-on-differs``).
        """
        import pandas as pd

        frame = pd.DataFrame({"s": services, "p": periods, "d": days}).dropna()
        found: dict[tuple[str, Period], set[date]] = {}
        for service_id, period, day in frame.drop_duplicates().itertuples(index=False):
            found.setdefault((service_id, period), set()).add(day)
        for (service_id, period), dates in found.items():
            self._submitted[(service_id, period)] = max(dates)
            if len(dates) > 1:
                findings.note(
                    "submitted-on-differs",
                    Severity.WARNING,
                    f"the rows for {service_id} {period.label} give {len(dates)} submission "
                    f"dates; the return is taken as submitted on {max(dates).isoformat()}",
                    suggestion="give one submitted_on per service and period",
                )

    def ensure(self, service_id: str, period: Period) -> None:
        """Make sure a (possibly empty) return exists for ``(service_id, period)``."""
        self._groups.setdefault((service_id, period), {})

    def build(self) -> tuple[MonitoringReturn, ...]:
        return tuple(
            MonitoringReturn(
                service_id=service_id,
                period=period,
                submitted_on=self._submitted.get((service_id, period), self.submitted_on),
                provenance=self.provenance,
                replaces_earlier=self.replaces_earlier,
                values=tuple(records.get("values", ())),
                cases=tuple(records.get("cases", ())),
                activities=tuple(records.get("activities", ())),
                outcomes=tuple(records.get("outcomes", ())),
            )
            for (service_id, period), records in self._groups.items()
        )

    def locations(self) -> RecordRows:
        """Where each record of :meth:`build`'s returns was read (same order)."""
        places = {
            (k, kind): sheets_rows
            for k, key in enumerate(self._groups)
            for kind, sheets_rows in self._rows.get(key, {}).items()
        }
        return RecordRows(self.provenance.source_file, places, self._columns)


def _order(d: Diagnostic) -> tuple[str, int, int]:
    loc = d.location
    col = 0
    if loc.column_letter:
        for ch in loc.column_letter:
            col = col * 26 + ord(ch) - 64
    return (loc.sheet or "", loc.row or 0, col)


def finish(
    returns: Iterable[MonitoringReturn],
    findings: Iterable[Findings],
    rows_read: int,
    rows_imported: int,
    locations: RecordRows | None = None,
    *,
    record_frames: Mapping[str, pd.DataFrame] | None = None,
) -> LoadResult:
    """A :class:`LoadResult`, diagnostics in (sheet, row, column) order.

    ``rows_rejected`` is ``rows_read - rows_imported``; the contract's own
    check then verifies that every rejected row has an error diagnostic.
    """
    diagnostics: list[Diagnostic] = []
    rejected = 0
    for f in findings:
        diagnostics.extend(sorted(f.diagnostics, key=_order))
        rejected += len(f.rejected)
    assert rows_imported + rejected == rows_read, (rows_read, rows_imported, rejected)
    return LoadResult(
        returns=tuple(returns),
        diagnostics=tuple(diagnostics),
        rows_read=rows_read,
        rows_imported=rows_imported,
        rows_rejected=rows_read - rows_imported,
        record_locations=locations if locations is not None else {},
        record_frames=record_frames or {},
    )
