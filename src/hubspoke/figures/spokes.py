"""Every spoke's :class:`~hubspoke.indicators.outcome_facts.SpokeFacts` from record frames at once.

The record-level work (counting returns, used figures, latest cases, score
pairs) is done once for all services by :mod:`hubspoke.figures.facts`; this
module only looks the results up per spoke and adds the programme structure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from hubspoke.codes import PlacementType
from hubspoke.figures.facts import (
    Evidence,
    by_profession,
    evidence,
    goal_statuses,
    latest_case_outcomes,
    one_to_one,
    one_to_one_by_unit,
    score_pairs,
    sourced,
)
from hubspoke.figures.inputs import embeddedness_for, independence_for, return_inputs
from hubspoke.figures.records import RecordFrames
from hubspoke.indicators.derive import hosting_in_force, spoke_active
from hubspoke.indicators.outcome_facts import (
    Partners,
    Reach,
    ScorePairs,
    Sourced,
    SpokeFacts,
    YoungPeople,
    average_fte,
    months_funded_beyond,
)
from hubspoke.indicators.rubric import Rubric
from hubspoke.indicators.scoring import score_embeddedness
from hubspoke.model import Programme, Spoke
from hubspoke.periods import Period

_EMPTY = np.zeros(0, dtype="float64")


def _sourced_lookup(table: pd.DataFrame) -> dict[str, Sourced]:
    aggregate = (
        table["aggregate_value"]
        if "aggregate_value" in table.columns
        else pd.Series(0.0, index=table.index)
    )
    return {
        str(sid): Sourced(
            value=float(v),
            from_cases=int(c),
            from_aggregates=int(a),
            from_activities=int(t),
            aggregate_value=float(g),
        )
        for sid, v, c, a, t, g in zip(
            table.index,
            table["value"],
            table["from_cases"],
            table["from_aggregates"],
            table["from_activities"],
            aggregate,
            strict=True,
        )
    }


def unit_one_to_one(ev: Evidence, unit_of: Mapping[str, str]) -> dict[str, Sourced]:
    """Young people given one-to-one support per unit (see :func:`one_to_one_by_unit`)."""
    return _sourced_lookup(one_to_one_by_unit(ev, unit_of))


def _reach_tables(ev: Evidence) -> tuple[dict[str, Sourced], ...]:
    return (
        _sourced_lookup(one_to_one(ev)),
        _sourced_lookup(sourced(ev, "young_people_group_reached")),
        _sourced_lookup(sourced(ev, "referrals_received")),
    )


def _reach(
    programme: Programme, spoke: Spoke, period: Period, tables: tuple[dict[str, Sourced], ...]
) -> Reach:
    active = spoke_active(spoke, period)
    new_area = spoke.placement is PlacementType.NEW_LOCAL_AUTHORITY
    o2o, group, refs = tables
    return Reach(
        active=active,
        area_code=spoke.area.code if active and new_area else None,
        one_to_one=o2o.get(spoke.id, Sourced()),
        group_reached=group.get(spoke.id, Sourced()),
        referrals=refs.get(spoke.id, Sourced()),
        fte=average_fte(programme, spoke.id, period),
    )


def _by_service(table: pd.DataFrame, key: str, value: str) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for sid, k, v in zip(table["service_id"], table[key], table[value], strict=True):
        out.setdefault(str(sid), {})[str(k)] = float(v)
    return out


def _pairs_by_service(table: pd.DataFrame) -> dict[str, dict[str, ScorePairs]]:
    out: dict[str, dict[str, ScorePairs]] = {}
    for (sid, instrument), group in table.groupby(["service_id", "instrument"], sort=True):
        out.setdefault(str(sid), {})[str(instrument)] = ScorePairs(
            first=group["first"].to_numpy(dtype="float64"),
            latest=group["latest"].to_numpy(dtype="float64"),
        )
    return out


def _concat(pairs: Iterable[ScorePairs]) -> ScorePairs:
    found = list(pairs)
    if not found:
        return ScorePairs(first=_EMPTY, latest=_EMPTY)
    return ScorePairs(
        first=np.concatenate([p.first for p in found]),
        latest=np.concatenate([p.latest for p in found]),
    )


def _row(table: pd.DataFrame, sid: str, columns: Sequence[str]) -> Mapping[str, int]:
    if sid not in table.index:
        return dict.fromkeys(columns, 0)
    at = table.index.get_loc(sid)
    return {c: int(table[c].to_numpy()[at]) for c in columns}


def spoke_facts_from_frames(
    programme: Programme,
    frames: RecordFrames,
    spokes: Sequence[Spoke],
    period: Period,
    rubric: Rubric,
    confidence: frozenset[str],
    *,
    evidence_now: Evidence | None = None,
    evidence_before: Evidence | None = None,
) -> list[SpokeFacts]:
    """The :class:`SpokeFacts` of each of ``spokes`` over ``period``, in the given order.

    ``evidence_now`` / ``evidence_before``: the :func:`evidence` of ``period``
    and of ``period.previous()`` when the caller already has them.
    """
    ev = evidence(frames, period) if evidence_now is None else evidence_now
    before = evidence(frames, period.previous()) if evidence_before is None else evidence_before
    cases = latest_case_outcomes(ev)
    found = return_inputs(ev)
    now_tables, before_tables = _reach_tables(ev), _reach_tables(before)
    trained = _sourced_lookup(sourced(ev, "professionals_trained"))
    aware = _sourced_lookup(sourced(ev, "professionals_awareness"))
    agencies = _sourced_lookup(sourced(ev, "agencies_reached"))
    trained_by = _by_service(by_profession(ev, "professionals_trained"), "profession", "value")
    aware_by = _by_service(by_profession(ev, "professionals_awareness"), "profession", "value")
    conf = _pairs_by_service(score_pairs(ev, "professional", confidence))
    scales = _pairs_by_service(score_pairs(ev, "young_person", None))
    goals = goal_statuses(ev)
    phases = {h.id: h.phase for h in programme.hubs}
    out: list[SpokeFacts] = []
    for spoke in spokes:
        sid = spoke.id
        embedded = score_embeddedness(embeddedness_for(programme, sid, period, found), rubric)
        independence = independence_for(programme, sid, period, found)
        cse, total = independence.cse_hours, independence.total_hours
        host = hosting_in_force(programme, sid, period)
        grant_end = spoke.end or programme.grant_end
        risk = _row(cases, sid, ("risk_fell", "risk_stayed", "risk_rose"))
        missing = _row(cases, sid, ("missing_cases", "missing_before", "missing_after"))
        out.append(
            SpokeFacts(
                spoke_id=sid,
                hub_id=spoke.hub_id,
                phase=phases.get(spoke.hub_id),
                funded_months_beyond_grant=(
                    None if grant_end is None else months_funded_beyond(programme, sid, grant_end)
                ),
                embeddedness=embedded.value,
                line_management=None if host is None else host.line_management.value,
                cse_focus=None if cse is None or not total else cse / total,
                reach=_reach(programme, spoke, period, now_tables),
                reach_before=_reach(programme, spoke, period.previous(), before_tables),
                partners=Partners(
                    trained=trained.get(sid, Sourced()),
                    trained_by=trained_by.get(sid, {}),
                    awareness=aware.get(sid, Sourced()),
                    awareness_by=aware_by.get(sid, {}),
                    agencies=agencies[sid].value if sid in agencies else None,
                    confidence=_concat(conf.get(sid, {})[k] for k in sorted(conf.get(sid, {}))),
                ),
                young_people=YoungPeople(
                    risk={k.removeprefix("risk_"): v for k, v in risk.items()},
                    missing=(
                        missing["missing_cases"],
                        missing["missing_before"],
                        missing["missing_after"],
                    ),
                    scales=scales.get(sid, {}),
                    goals=_row(goals, sid, ("met", "partly_met", "not_met")),
                ),
            )
        )
    return out
