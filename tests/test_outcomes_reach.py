"""Reach never counts a young person twice for one service-period, whatever the evidence."""

from __future__ import annotations

import attrs
from hypothesis import given
from hypothesis import strategies as st

from builders_outcomes import FY15, case, programme, quarters, ret
from hubspoke.indicators.outcome_facts import one_to_one
from hubspoke.indicators.outcomes import key_outcomes
from hubspoke.model import DataValue, MonitoringReturn

QUARTERS = quarters(2015)

# per quarter: None (no return), or (case ids or None, aggregate count or None)
quarter_evidence = st.one_of(
    st.none(),
    st.tuples(
        st.one_of(st.none(), st.lists(st.integers(0, 6), max_size=5)),
        st.one_of(st.none(), st.integers(0, 20)),
    ),
)


def _returns(evidence: list[tuple[list[int] | None, int | None] | None]) -> list[MonitoringReturn]:
    out = []
    for period, item in zip(QUARTERS, evidence, strict=True):
        if item is None:
            continue
        ids, aggregate = item
        values = [] if aggregate is None else [("young_people_one_to_one", float(aggregate))]
        cases = [case(f"Case-{i:04d}") for i in sorted(set(ids or []))]
        out.append(ret("S1", period, values=values, cases=cases))
    return out


@given(st.lists(quarter_evidence, min_size=4, max_size=4))
def test_reach_counts_each_service_period_once(
    evidence: list[tuple[list[int] | None, int | None] | None],
) -> None:
    rs = _returns(evidence)
    got = one_to_one(rs).value
    with_cases = [r for r in rs if r.cases]
    distinct = {c.case_id for r in with_cases for c in r.cases}
    aggregates = [
        v.value
        for r in rs
        if not r.cases
        for v in r.values
        if v.measure == "young_people_one_to_one"
    ]
    if not with_cases and not aggregates:
        assert got is None
        return
    assert got == len(distinct) + sum(aggregates)
    # upper bound: never more than each return's own count added up
    per_return = [len(r.cases) if r.cases else sum(v.value for v in r.values) for r in rs]
    assert got <= sum(per_return)


@given(st.lists(quarter_evidence, min_size=4, max_size=4), st.integers(0, 50))
def test_an_aggregate_beside_case_records_changes_nothing(
    evidence: list[tuple[list[int] | None, int | None] | None], extra: int
) -> None:
    rs = _returns(evidence)
    padded = [
        attrs.evolve(
            r,
            values=(*r.values, DataValue(measure="young_people_one_to_one", value=float(extra))),
        )
        if r.cases and not any(v.measure == "young_people_one_to_one" for v in r.values)
        else r
        for r in rs
    ]
    p = programme()
    a = key_outcomes(p, rs, FY15)
    b = key_outcomes(p, padded, FY15)
    pick = a["measure"] == "young_people_one_to_one"
    assert a.loc[pick, "value"].tolist() == b.loc[pick, "value"].tolist()
