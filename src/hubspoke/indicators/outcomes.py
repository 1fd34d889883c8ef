"""The six key outcome measures, per spoke and rolled up to hub, phase and programme.

:func:`key_outcomes` returns one tidy row per unit and measure. Roll-ups
pool the evidence of the unit's spokes (a share over all the hub's cases,
never a mean of spokes' shares). Every row carries the completeness of the
data behind its unit: expected returns (the programme's register) of the
unit's spokes for periods within the assessment period, and how many of
them were received. Spokes not active during the period are left out;
returns from hubs themselves (a hub's own service id) are not read, since
every measure is evidenced per spoke. Which returns count for a period
follows :mod:`hubspoke.indicators.evidence`.

Definitions (``docs/indicators.md``; thresholds from the rubric):

1. ``sustainable_funding``: unbroken funding recorded for the spoke for at
   least ``o1_months`` beyond the end of its programme grant (the spoke's own
   end date, else ``Programme.grant_end``). Share of spokes.
2. ``embedded``: embeddedness at or above ``o2_threshold``. Share of scored spokes.
3. ``distinct_identity``: line management by hub or shared, and
   ``cse_focus`` at or above ``o3_cse_focus``. Known False when either part
   fails; unknown when a part is unknown and none fails. Share of spokes known.
4. Reach: ``young_people_one_to_one`` (distinct case ids where case records
   exist, else aggregate counts; the note says which), ``young_people_group_reached``,
   ``referrals_received``, ``new_areas`` (distinct new local authority
   areas); ``*_per_fte`` (average FTE over the period) and ``*_change``
   (against ``period.previous()``).
5. ``professionals_trained``, ``professionals_awareness`` (and ``:<profession>``
   breakdowns), ``agencies_reached``; ``confidence_change`` (mean latest -
   first) and ``confidence_improved`` (share) from paired professional ratings.
6. ``risk_fell``/``risk_stayed``/``risk_rose`` (Scott and Skidmore 2006),
   ``missing_episodes_change``, ``distance:<instrument>`` (mean latest -
   first), ``reliably_improved:<instrument>`` and
   ``reliably_deteriorated:<instrument>`` (Jacobson and Truax 1991) where the
   instrument is in the catalogue, ``goals_met``/``goals_partly_met``/``goals_not_met``.

For counts, ``numerator`` and ``denominator`` are NA; for shares and means,
``value = numerator / denominator``.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
import pandas as pd

from hubspoke.indicators.change import EXAMPLE_INSTRUMENTS, RELIABLE_CHANGE, Instrument, catalogue
from hubspoke.indicators.derive import spoke_active
from hubspoke.indicators.evidence import sum_known
from hubspoke.indicators.outcome_facts import (
    Reach,
    ScorePairs,
    Sourced,
    SpokeFacts,
)
from hubspoke.indicators.rubric import DEFAULT_RUBRIC, Rubric
from hubspoke.model import MonitoringReturn, Programme
from hubspoke.periods import Period

if TYPE_CHECKING:
    from hubspoke.figures.facts import Evidence
    from hubspoke.figures.records import RecordFrames

COLUMNS: Final = (
    "level",
    "unit_id",
    "outcome",
    "measure",
    "value",
    "numerator",
    "denominator",
    "returns_received",
    "returns_expected",
    "completeness",
    "note",
)
DTYPES: Final = {
    "level": "string",
    "unit_id": "string",
    "outcome": "Int64",
    "measure": "string",
    "value": "Float64",
    "numerator": "Float64",
    "denominator": "Float64",
    "returns_received": "Int64",
    "returns_expected": "Int64",
    "completeness": "Float64",
    "note": "string",
}


@attrs.frozen
class Row:
    """One measure of one unit before the unit's completeness is attached."""

    outcome: int
    measure: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    note: str | None = None


def _share(outcome: int, measure: str, hits: int, known: int, note: str | None = None) -> Row:
    value = hits / known if known else None
    return Row(outcome, measure, value, float(hits), float(known), note)


def _mean(outcome: int, measure: str, values: np.ndarray[Any, Any], note: str | None = None) -> Row:
    if not len(values):
        return Row(outcome, measure, None, None, 0.0, note)
    total = float(np.sort(values).sum())  # summed in value order: independent of record order
    return Row(outcome, measure, total / len(values), total, float(len(values)), note)


def _concat(pairs: Iterable[ScorePairs]) -> ScorePairs:
    found = list(pairs)
    if not found:
        empty = np.zeros(0, dtype="float64")
        return ScorePairs(first=empty, latest=empty)
    return ScorePairs(
        first=np.concatenate([p.first for p in found]),
        latest=np.concatenate([p.latest for p in found]),
    )


def _reliable(inst: Instrument, pairs: ScorePairs) -> tuple[int, int]:
    """How many pairs reliably improved and reliably deteriorated (``|RCI| > 1.96``)."""
    index = (pairs.latest - pairs.first) / (
        inst.sd * math.sqrt(2) * math.sqrt(1 - inst.reliability)
    )
    good = index if inst.higher_is_better else -index
    return int((good > RELIABLE_CHANGE).sum()), int((-good > RELIABLE_CHANGE).sum())


def _unknown_note(unknown: int, count: int, why: str) -> str | None:
    return f"{unknown} of {count} spokes {why}" if unknown else None


# -- outcomes 1-3 ---------------------------------------------------------------------------


def _distinct(f: SpokeFacts, rubric: Rubric) -> bool | None:
    managed = None if f.line_management is None else f.line_management in ("hub", "shared")
    focused = None if f.cse_focus is None else f.cse_focus >= rubric.thresholds.o3_cse_focus
    if managed is False or focused is False:
        return False
    if managed is None or focused is None:
        return None
    return True


def _structure_rows(facts: Sequence[SpokeFacts], rubric: Rubric, grant_set: bool) -> list[Row]:
    n = len(facts)
    t = rubric.thresholds
    months = [f.funded_months_beyond_grant for f in facts]
    funded = [m >= t.o1_months for m in months if m is not None]
    note1 = (
        "neither the spokes' end dates nor the programme's grant_end are set"
        if not grant_set
        else _unknown_note(sum(m is None for m in months), n, "have no funding recorded")
    )
    scored = [f.embeddedness for f in facts if f.embeddedness is not None]
    distinct = [_distinct(f, rubric) for f in facts]
    known = [d for d in distinct if d is not None]
    return [
        _share(1, "sustainable_funding", sum(funded), len(funded), note1),
        _share(
            2,
            "embedded",
            sum(v >= t.o2_threshold for v in scored),
            len(scored),
            _unknown_note(n - len(scored), n, "have insufficient evidence of embeddedness"),
        ),
        _share(
            3,
            "distinct_identity",
            sum(known),
            len(known),
            _unknown_note(n - len(known), n, "lack line management or CSE hours"),
        ),
    ]


# -- outcome 4 ------------------------------------------------------------------------------

_REACH: Final = (
    ("young_people_one_to_one", "one_to_one"),
    ("young_people_group_reached", "group_reached"),
    ("referrals_received", "referrals"),
)


def _pooled(reaches: Iterable[Reach], attr: str) -> Sourced:
    parts: list[Sourced] = [getattr(r, attr) for r in reaches]
    return Sourced(
        value=sum_known(p.value for p in parts),
        from_cases=sum(p.from_cases for p in parts),
        from_aggregates=sum(p.from_aggregates for p in parts),
        from_activities=sum(p.from_activities for p in parts),
        aggregate_value=math.fsum(p.aggregate_value for p in parts),
    )


@attrs.frozen(kw_only=True)
class UnitDistinct:
    """Young people given one-to-one support pooled over a unit's spokes (hub, phase, programme).

    ``now`` and ``before``: over the period and the previous one; ``with_fte``:
    over the spokes with an FTE (the numerator of the per-FTE figure).
    """

    now: Sourced
    before: Sourced
    with_fte: Sourced


#: Said of every distinct count of young people: it is never a sum of sub-periods.
DISTINCT_NOTE: Final = "distinct over the whole period, never summed across its sub-periods"


def _source_note(measure: str, s: Sourced, across: str | None = None) -> str | None:
    if s.value is None:
        return "no return in the period reports it"
    if measure == "young_people_one_to_one":
        where = "" if across is None else f" and across the {across}'s spokes"
        if not s.from_aggregates:
            return (
                f"distinct young people (case ids) from case records in {s.from_cases} "
                f"returns, counted once over the whole period{where}, never summed across "
                "sub-periods"
            )
        head = "" if not s.from_cases else f"case records in {s.from_cases} returns; "
        if not s.aggregate_value:
            return (
                f"{head}{s.from_aggregates} returns without case records reported 0 young "
                "people given one-to-one support"
            )
        return (
            f"{head}fell back to aggregate counts (young_people_one_to_one) in "
            f"{s.from_aggregates} returns without case records: a young person may be "
            "counted in more than one period"
        )
    if s.from_activities:
        return f"from activity records in {s.from_activities} of {_used(s)} returns"
    if s.from_cases:
        return f"from case referral dates in {s.from_cases} of {_used(s)} returns"
    return None


def _used(s: Sourced) -> int:
    return s.from_cases + s.from_aggregates + s.from_activities


def _reach_rows(
    facts: Sequence[SpokeFacts], distinct: UnitDistinct | None = None, across: str | None = None
) -> list[Row]:
    now = [f.reach for f in facts]
    before = [f.reach_before for f in facts]
    rows: list[Row] = []
    for measure, attr in _REACH:
        pooled_here = distinct is not None and measure == "young_people_one_to_one"
        current = distinct.now if distinct is not None and pooled_here else _pooled(now, attr)
        note = _source_note(measure, current, across if pooled_here else None)
        rows.append(Row(4, measure, current.value, note=note))
        with_fte = [
            (getattr(r, attr).value, r.fte)
            for r in now
            if getattr(r, attr).value is not None and r.fte
        ]
        fte = math.fsum(f for _, f in with_fte)
        count = math.fsum(v for v, _ in with_fte)
        if distinct is not None and pooled_here and fte:
            count = distinct.with_fte.value or 0.0
        rows.append(
            Row(
                4,
                f"{measure}_per_fte",
                count / fte if fte else None,
                count if fte else None,
                fte if fte else None,
                None if fte else "no FTE recorded for spokes reporting it",
            )
        )
        previous = (
            distinct.before.value
            if distinct is not None and pooled_here
            else _pooled(before, attr).value
        )
        change = None if current.value is None or previous is None else current.value - previous
        rows.append(
            Row(
                4,
                f"{measure}_change",
                change,
                note=None if change is not None else "no figure for one of the two periods",
            )
        )
    areas_now = {r.area_code for r in now if r.area_code is not None}
    areas_before = {r.area_code for r in before if r.area_code is not None}
    rows.append(
        Row(4, "new_areas", float(len(areas_now)), note="distinct new local authority areas")
    )
    rows.append(Row(4, "new_areas_change", float(len(areas_now) - len(areas_before))))
    return rows


# -- outcome 5 ------------------------------------------------------------------------------


def _partner_rows(facts: Sequence[SpokeFacts]) -> list[Row]:
    rows: list[Row] = []
    for measure, total_attr, by_attr in (
        ("professionals_trained", "trained", "trained_by"),
        ("professionals_awareness", "awareness", "awareness_by"),
    ):
        pooled = Sourced(
            value=sum_known(getattr(f.partners, total_attr).value for f in facts),
            from_aggregates=sum(getattr(f.partners, total_attr).from_aggregates for f in facts),
            from_activities=sum(getattr(f.partners, total_attr).from_activities for f in facts),
        )
        rows.append(Row(5, measure, pooled.value, note=_source_note(measure, pooled)))
        by: dict[str, list[float]] = {}
        for f in facts:
            for code, n in getattr(f.partners, by_attr).items():
                by.setdefault(code, []).append(n)
        rows += [Row(5, f"{measure}:{code}", math.fsum(by[code])) for code in sorted(by)]
    rows.append(Row(5, "agencies_reached", sum_known(f.partners.agencies for f in facts)))
    pairs = _concat(f.partners.confidence for f in facts)
    no_pairs = None if len(pairs) else "no paired professional confidence ratings"
    rows.append(_mean(5, "confidence_change", pairs.latest - pairs.first, no_pairs))
    rows.append(
        _share(
            5,
            "confidence_improved",
            int((pairs.latest > pairs.first).sum()),
            len(pairs),
            no_pairs,
        )
    )
    return rows


# -- outcome 6 ------------------------------------------------------------------------------


def _young_people_rows(
    facts: Sequence[SpokeFacts], instruments: Mapping[str, Instrument]
) -> list[Row]:
    fell, stayed, rose = (
        sum(f.young_people.risk[k] for f in facts) for k in ("fell", "stayed", "rose")
    )
    known = fell + stayed + rose
    no_risk = None if known else "no case with both risk levels known"
    rows = [
        _share(6, "risk_fell", fell, known, no_risk),
        _share(6, "risk_stayed", stayed, known, no_risk),
        _share(6, "risk_rose", rose, known, no_risk),
    ]
    n_missing = sum(f.young_people.missing[0] for f in facts)
    before = sum(f.young_people.missing[1] for f in facts)
    after = sum(f.young_people.missing[2] for f in facts)
    rows.append(
        Row(
            6,
            "missing_episodes_change",
            float(after - before) if n_missing else None,
            None,
            float(n_missing),
            f"{after} episodes after - {before} before, over {n_missing} cases"
            if n_missing
            else "no case with missing episodes known before and after",
        )
    )
    names = sorted({name for f in facts for name in f.young_people.scales})
    for name in names:
        scored = _concat(
            f.young_people.scales[name] for f in facts if name in f.young_people.scales
        )
        inst = instruments.get(name)
        rows.append(
            _mean(
                6,
                f"distance:{name}",
                scored.latest - scored.first,
                None if inst else "reliability unknown: no reliable change index",
            )
        )
        if inst is not None:
            better, worse = _reliable(inst, scored)
            note = f"|RCI| > 1.96; sd {inst.sd:g}, r {inst.reliability:g}"
            if inst.source:
                note += f" ({inst.source})"
            rows.append(_share(6, f"reliably_improved:{name}", better, len(scored), note))
            rows.append(_share(6, f"reliably_deteriorated:{name}", worse, len(scored), note))
    goals = {
        k: sum(f.young_people.goals[k] for f in facts) for k in ("met", "partly_met", "not_met")
    }
    n_goals = sum(goals.values())
    no_goals = None if n_goals else "no goal-based outcomes recorded"
    rows += [
        _share(6, f"goals_{status}", goals[status], n_goals, no_goals)
        for status in ("met", "partly_met", "not_met")
    ]
    return rows


# -- completeness and assembly --------------------------------------------------------------


def _completeness(
    programme: Programme,
    received: frozenset[tuple[str, object, object]],
    services: set[str],
    period: Period,
) -> tuple[int, int, float | None]:
    expected = {
        (e.service_id, e.period.start, e.period.end)
        for e in programme.expected_returns
        if e.service_id in services and period.contains_period(e.period)
    }
    got = len(expected & received)
    return got, len(expected), (got / len(expected) if expected else None)


def _units(
    programme: Programme, facts: Sequence[SpokeFacts]
) -> list[tuple[str, str, list[SpokeFacts]]]:
    units: list[tuple[str, str, list[SpokeFacts]]] = [("spoke", f.spoke_id, [f]) for f in facts]
    for hub_id in sorted({f.hub_id for f in facts}):
        units.append(("hub", hub_id, [f for f in facts if f.hub_id == hub_id]))
    for phase in sorted({f.phase for f in facts if f.phase is not None}):
        units.append(("phase", f"phase-{phase}", [f for f in facts if f.phase == phase]))
    units.append(("programme", programme.name, list(facts)))
    return units


def _unit_distinct(
    programme: Programme,
    facts: Sequence[SpokeFacts],
    now: Evidence,
    before: Evidence,
) -> dict[tuple[str, str], UnitDistinct]:
    """Hub, phase and programme one-to-one counts with case ids pooled across their spokes."""
    from hubspoke.figures.spokes import unit_one_to_one

    out: dict[tuple[str, str], UnitDistinct] = {}
    for level, units in _levels(programme, facts).items():
        with_fte = {s: u for s, u in units.items() if _fte_of(facts, s)}
        found = (
            unit_one_to_one(now, units),
            unit_one_to_one(before, units),
            unit_one_to_one(now, with_fte),
        )
        for unit in sorted(set(units.values())):
            now_, before_, fte_ = (table.get(unit, Sourced()) for table in found)
            out[(level, unit)] = UnitDistinct(now=now_, before=before_, with_fte=fte_)
    return out


def _fte_of(facts: Sequence[SpokeFacts], spoke_id: str) -> bool:
    return any(f.spoke_id == spoke_id and bool(f.reach.fte) for f in facts)


def _levels(programme: Programme, facts: Sequence[SpokeFacts]) -> dict[str, dict[str, str]]:
    """Spoke id -> unit id at each level above the spoke (ids as in :func:`_units`)."""
    return {
        "hub": {f.spoke_id: f.hub_id for f in facts},
        "phase": {f.spoke_id: f"phase-{f.phase}" for f in facts if f.phase is not None},
        "programme": {f.spoke_id: programme.name for f in facts},
    }


def key_outcomes(
    programme: Programme,
    returns: Sequence[MonitoringReturn],
    period: Period,
    rubric: Rubric = DEFAULT_RUBRIC,
    *,
    instruments: Mapping[str, Instrument] | Iterable[Instrument] = EXAMPLE_INSTRUMENTS,
    confidence_instruments: Iterable[str] = ("confidence",),
) -> pd.DataFrame:
    """The six key outcome measures for ``period``: spoke rows, then hub, phase, programme.

    An adapter over :func:`key_outcomes_from_frames` for model objects.
    ``instruments`` is the catalogue used for the reliable change index
    (name -> :class:`~hubspoke.indicators.change.Instrument`, or an iterable of
    them); the default holds only clearly marked example instruments.
    ``confidence_instruments`` names the professional-rating instruments of
    outcome 5. Columns and dtypes: see :data:`COLUMNS` and :data:`DTYPES`.
    """
    from hubspoke.figures.inputs import frames_of_returns

    return key_outcomes_from_frames(
        programme,
        frames_of_returns(returns),
        period,
        rubric,
        instruments=instruments,
        confidence_instruments=confidence_instruments,
    )


_DERIVED: weakref.WeakKeyDictionary[
    RecordFrames, dict[tuple[object, ...], tuple[Programme, pd.DataFrame]]
] = weakref.WeakKeyDictionary()


def key_outcomes_from_frames(
    programme: Programme,
    frames: RecordFrames,
    period: Period,
    rubric: Rubric = DEFAULT_RUBRIC,
    *,
    instruments: Mapping[str, Instrument] | Iterable[Instrument] = EXAMPLE_INSTRUMENTS,
    confidence_instruments: Iterable[str] = ("confidence",),
) -> pd.DataFrame:
    """:func:`key_outcomes` over record frames (what the workspace calls).

    Every record-level figure comes from :mod:`hubspoke.figures` (column
    operations for all spokes at once). Completeness counts a return as
    received when ``frames.returns`` holds one for the service and dates.
    Derived once per frames, programme, period, rubric and instruments: a
    command that prints the outcomes, the figures frame and the report
    tables computes them once (each caller gets its own copy).
    """
    catalogue_ = instruments if isinstance(instruments, Mapping) else catalogue(instruments)
    confidence = tuple(sorted(set(confidence_instruments)))
    key = (
        period.start,
        period.end,
        period.label,
        rubric,
        tuple(sorted(catalogue_.items())),
        confidence,
    )
    held = _DERIVED.setdefault(frames, {}).get(key)
    if held is not None and held[0] is programme:
        return held[1].copy()
    found = _key_outcomes_from_frames(programme, frames, period, rubric, catalogue_, confidence)
    _DERIVED[frames][key] = (programme, found)
    return found.copy()


def _key_outcomes_from_frames(
    programme: Programme,
    frames: RecordFrames,
    period: Period,
    rubric: Rubric,
    instruments: Mapping[str, Instrument],
    confidence_instruments: Iterable[str],
) -> pd.DataFrame:
    from hubspoke.figures.facts import evidence
    from hubspoke.figures.spokes import spoke_facts_from_frames

    catalogue_ = instruments
    confidence = frozenset(confidence_instruments)
    spokes = sorted((s for s in programme.spokes if spoke_active(s, period)), key=lambda s: s.id)
    now, before = evidence(frames, period), evidence(frames, period.previous())
    facts = spoke_facts_from_frames(
        programme,
        frames,
        spokes,
        period,
        rubric,
        confidence,
        evidence_now=now,
        evidence_before=before,
    )
    pooled = _unit_distinct(programme, facts, now, before)
    keys = frames.returns[["service_id", "period_start", "period_end"]].drop_duplicates()
    received = frozenset(
        (str(sid), start.date(), end.date())
        for sid, start, end in zip(
            keys["service_id"], keys["period_start"], keys["period_end"], strict=True
        )
    )
    records: list[dict[str, object]] = []
    for level, unit_id, members in _units(programme, facts):
        got, expected, share = _completeness(
            programme, received, {f.spoke_id for f in members}, period
        )
        rows = (
            _structure_rows(
                members,
                rubric,
                programme.grant_end is not None
                or all(programme.spoke(f.spoke_id).end is not None for f in members),
            )
            + _reach_rows(
                members, pooled.get((level, unit_id)), None if level == "spoke" else level
            )
            + _partner_rows(members)
            + _young_people_rows(members, catalogue_)
        )
        records += [
            {
                "level": level,
                "unit_id": unit_id,
                "outcome": row.outcome,
                "measure": row.measure,
                "value": row.value,
                "numerator": row.numerator,
                "denominator": row.denominator,
                "returns_received": got,
                "returns_expected": expected,
                "completeness": share,
                "note": row.note,
            }
            for row in rows
        ]
    return pd.DataFrame.from_records(records, columns=list(COLUMNS)).astype(DTYPES)
