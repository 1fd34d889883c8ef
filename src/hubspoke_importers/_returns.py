"""Grouping checked records into returns, and finishing a :class:`LoadResult`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import attrs

from hubspoke.diagnostics import Diagnostic
from hubspoke.model import (
    Activity,
    CaseRecord,
    DataValue,
    MonitoringReturn,
    OutcomeRecord,
    Provenance,
)
from hubspoke.periods import Period
from hubspoke.plugins.contract import LoadResult
from hubspoke_importers._common import Findings

Record = DataValue | CaseRecord | Activity | OutcomeRecord

_FIELD = {
    DataValue: "values",
    CaseRecord: "cases",
    Activity: "activities",
    OutcomeRecord: "outcomes",
}


@attrs.define
class ReturnBuilder:
    """Collects records per ``(service, period)`` in first-seen order."""

    provenance: Provenance
    submitted_on: date | None = None
    replaces_earlier: bool = False
    _groups: dict[tuple[str, Period], dict[str, list[Record]]] = attrs.field(factory=dict)

    def add(self, service_id: str, period: Period, record: Record) -> None:
        group = self._groups.setdefault((service_id, period), {})
        group.setdefault(_FIELD[type(record)], []).append(record)

    def ensure(self, service_id: str, period: Period) -> None:
        """Make sure a (possibly empty) return exists for ``(service_id, period)``."""
        self._groups.setdefault((service_id, period), {})

    def build(self) -> tuple[MonitoringReturn, ...]:
        return tuple(
            MonitoringReturn(
                service_id=service_id,
                period=period,
                submitted_on=self.submitted_on,
                provenance=self.provenance,
                replaces_earlier=self.replaces_earlier,
                values=tuple(records.get("values", ())),
                cases=tuple(records.get("cases", ())),
                activities=tuple(records.get("activities", ())),
                outcomes=tuple(records.get("outcomes", ())),
            )
            for (service_id, period), records in self._groups.items()
        )


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
    )
