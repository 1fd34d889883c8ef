"""Totals per service and period: the figures of the report's "by quarter" and "by service" tables.

:func:`totals_by_service_period` lists, for every counted return of the
programme's services in the assessment period, the used figure of each
count measure (:mod:`hubspoke.figures.sources`) with a note naming its
source. Summed over the programme's active spokes, a count measure gives
exactly :func:`~hubspoke.indicators.outcomes.key_outcomes_from_frames`'
programme value, because both read the same used figures of the same
counted returns.

The one exception is ``young_people_one_to_one``, a distinct count: the
outcome pools case ids across the whole period, so a young person seen in
two quarters is one person for the year but appears in both quarters' rows.
Its rows here are per-return figures; a table must label their sum "sum of
quarterly figures (a young person may be counted in more than one)", or
print the outcome's figure for the period instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import pandas as pd

from hubspoke.figures.facts import evidence
from hubspoke.figures.records import RecordFrames
from hubspoke.figures.sources import source_phrase
from hubspoke.indicators.derive import spoke_active
from hubspoke.model import Programme
from hubspoke.periods import Period

COUNT_MEASURES: Final = (
    "young_people_one_to_one",
    "young_people_group_reached",
    "referrals_received",
    "professionals_trained",
    "professionals_awareness",
    "agencies_reached",
)

COLUMNS: Final = (
    "service_id",
    "period_label",
    "period_start",
    "period_end",
    "measure",
    "value",
    "source_note",
)
DTYPES: Final = {
    "service_id": "string",
    "period_label": "string",
    "period_start": "datetime64[ns]",
    "period_end": "datetime64[ns]",
    "measure": "string",
    "value": "Float64",
    "source_note": "string",
}


def totals_by_service_period(
    programme: Programme,
    frames: RecordFrames,
    period: Period,
    measures: Iterable[str] = COUNT_MEASURES,
) -> pd.DataFrame:
    """The used figure of each measure per counted return of the programme's spokes in ``period``.

    One row per service, return period and measure (columns :data:`COLUMNS`,
    dtypes :data:`DTYPES`), ordered by service, period start, then the
    order of ``measures``. ``source_note`` says where the figure came from
    ("reported", "from the breakdown by gender", "from activity records",
    "from case records"). Only spokes of ``programme`` active in ``period`` are listed,
    as in the outcomes (hubs' own returns are not read by any outcome).
    """
    wanted = list(dict.fromkeys(measures))
    spokes = {s.id for s in programme.spokes if spoke_active(s, period)}
    ev = evidence(frames, period)
    used = ev.used
    pick = used["measure"].isin(wanted).to_numpy(dtype=bool)
    pick = pick & (used["service_id"].isin(sorted(spokes)).to_numpy(dtype=bool))
    rows = used[pick].merge(ev.counted[["return_id", "period_label"]], on="return_id", how="left")
    order = {m: i for i, m in enumerate(wanted)}
    rows = rows.assign(_m=rows["measure"].map(order)).sort_values(
        ["service_id", "period_start", "period_end", "_m"], kind="stable"
    )
    notes = {s: source_phrase(str(s)) for s in pd.unique(rows["source"].astype(object))}
    out = pd.DataFrame(
        {
            "service_id": rows["service_id"].to_numpy(),
            "period_label": rows["period_label"].to_numpy(),
            "period_start": rows["period_start"].to_numpy(),
            "period_end": rows["period_end"].to_numpy(),
            "measure": rows["measure"].to_numpy(),
            "value": rows["value"].to_numpy(),
            "source_note": rows["source"].astype(object).map(notes).to_numpy(),
        }
    )
    return out.astype(DTYPES).reset_index(drop=True)
