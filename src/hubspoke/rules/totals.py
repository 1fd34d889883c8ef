"""Rule ``breakdown-sum``: rows breaking a measure down by one dimension sum to its total.

For each measure in a return that has a total row and at least two rows
broken down by exactly one and the same dimension, those rows must sum to
the total; otherwise a warning (returns often omit a category, so this does
not reject data). A single broken-down row is read as an "of which" figure
("15 referrals, of which 12 girls") and is not checked; nor are
multi-dimension breakdowns.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable

from hubspoke.diagnostics import Diagnostic, Location, Severity
from hubspoke.model import DataValue, MonitoringReturn


def check_breakdown_sums(
    ret: MonitoringReturn, location_of: Callable[[DataValue], Location]
) -> list[Diagnostic]:
    """One warning per (measure, dimension) whose breakdown rows do not sum to the total row."""
    totals: dict[str, DataValue] = {}
    parts: dict[tuple[str, str], list[DataValue]] = defaultdict(list)
    for v in ret.values:
        if v.is_total:
            totals[v.measure] = v
        elif len(v.breakdown) == 1:
            parts[(v.measure, v.breakdown[0][0])].append(v)
    found = []
    for (measure_id, dimension), rows in sorted(parts.items()):
        total = totals.get(measure_id)
        if total is None or len(rows) < 2:
            continue
        summed = math.fsum(v.value for v in rows)
        if math.isclose(summed, total.value, rel_tol=1e-9, abs_tol=1e-9):
            continue
        found.append(
            Diagnostic(
                code="breakdown-sum",
                severity=Severity.WARNING,
                message=(
                    f"{measure_id} by {dimension}: the {len(rows)} breakdown rows sum to "
                    f"{summed:g}, but the total is {total.value:g}"
                ),
                location=location_of(total),
                value=f"{summed:g}",
                suggestion=f"check for a missing {dimension} category or a typing error",
            )
        )
    return found
