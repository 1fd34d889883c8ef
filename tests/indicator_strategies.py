"""Hypothesis strategies for indicator inputs and rubrics (shared by tests/test_indicators_*)."""

from __future__ import annotations

from typing import Any, TypeVar

from hypothesis import strategies as st

from hubspoke.indicators import (
    COMPONENTS,
    DEFAULT_RUBRIC,
    INDICATORS,
    EmbeddednessInputs,
    IndependenceInputs,
    IndicatorWeights,
    Rubric,
    SustainabilityInputs,
    Targets,
)

T = TypeVar("T")

INPUT_CLASSES: dict[str, type[Any]] = {
    "embeddedness": EmbeddednessInputs,
    "independence": IndependenceInputs,
    "sustainability": SustainabilityInputs,
}


def maybe(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    """``strategy`` or None (missing), None drawn about a fifth of the time."""
    return st.one_of(st.none(), strategy, strategy, strategy, strategy)


counts = st.integers(min_value=0, max_value=60)
flags = st.booleans()
amounts = st.one_of(
    st.just(0.0),
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=1_000_000).map(float),
)
months = st.floats(min_value=0, max_value=120, allow_nan=False, allow_infinity=False)
fractions = st.one_of(
    st.sampled_from([0.0, 0.5, 1.0]),
    st.floats(min_value=0, max_value=1, allow_nan=False),
)


@st.composite
def count_pair(draw: st.DrawFn) -> tuple[int | None, int | None]:
    """(part, total) counts with part <= total, either possibly missing."""
    total = draw(maybe(counts))
    high = 60 if total is None else total
    part = draw(maybe(st.integers(min_value=0, max_value=high)))
    return part, total


@st.composite
def amount_pair(
    draw: st.DrawFn, totals: st.SearchStrategy[float] = amounts
) -> tuple[float | None, float | None]:
    """(part, total) amounts with part <= total, either possibly missing."""
    total = draw(maybe(totals))
    fraction = draw(fractions)
    part = draw(maybe(st.just(fraction * (1e6 if total is None else total))))
    return part, total


@st.composite
def embeddedness_inputs(draw: st.DrawFn) -> EmbeddednessInputs:
    from_agencies, referrals = draw(count_pair())
    return EmbeddednessInputs(
        formal_agreement=draw(maybe(flags)),
        colocation_days=draw(
            maybe(st.one_of(st.integers(0, 7).map(float), st.floats(min_value=0, max_value=7)))
        ),
        systems_access=draw(maybe(st.integers(0, 3))),
        forums_attended=draw(maybe(counts)),
        forums_held=draw(maybe(counts)),
        referrals_from_agencies=from_agencies,
        referrals_total=referrals,
        host_in_recruitment=draw(maybe(flags)),
    )


@st.composite
def independence_inputs(draw: st.DrawFn) -> IndependenceInputs:
    independent, total = draw(amount_pair())
    below, cases = draw(count_pair())
    cse, hours = draw(amount_pair(st.floats(min_value=0, max_value=2000)))
    return IndependenceInputs(
        independent_funding=independent,
        total_funding=total,
        line_management=draw(maybe(st.sampled_from(("hub", "shared", "host")))),
        referral_mandate=draw(maybe(flags)),
        time_limited_work=draw(maybe(flags)),
        cases_below_high_risk=below,
        cases_total=cases,
        cse_hours=cse,
        total_hours=hours,
    )


@st.composite
def sustainability_inputs(draw: st.DrawFn) -> SustainabilityInputs:
    filled, posts = draw(amount_pair(st.floats(min_value=0, max_value=48)))
    funders = draw(maybe(st.lists(amounts, max_size=5).map(tuple)))
    return SustainabilityInputs(
        months_funded_ahead=draw(maybe(months)),
        funding_by_funder=funders,
        post_months_filled=filled,
        post_months=posts,
        supervision_sessions=draw(maybe(counts)),
        period_months=draw(maybe(st.sampled_from([0.0, 3.0, 12.0]) | months)),
        manager_funded=draw(maybe(flags)),
        longest_funding_months=draw(maybe(months)),
    )


INPUT_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "embeddedness": embeddedness_inputs(),
    "independence": independence_inputs(),
    "sustainability": sustainability_inputs(),
}


@st.composite
def rubrics(draw: st.DrawFn) -> Rubric:
    """Random valid rubrics: random weights (some 0), targets and min_coverage."""
    weights: dict[str, IndicatorWeights] = {}
    for indicator in INDICATORS:
        names = COMPONENTS[indicator]
        raw = draw(st.lists(st.integers(0, 10), min_size=len(names), max_size=len(names)))
        if sum(raw) == 0:
            raw[0] = 1
        total = sum(raw)
        weights[indicator] = IndicatorWeights(
            indicator=indicator,
            values=tuple((n, r / total) for n, r in zip(names, raw, strict=True)),
        )
    positive = st.floats(min_value=0.05, max_value=60, allow_nan=False)
    targets = Targets(
        preventative_target=draw(st.floats(min_value=0.05, max_value=1)),
        runway_target=draw(positive),
        supervision_per_month=draw(st.floats(min_value=0.1, max_value=4)),
        commitment_months=draw(positive),
        colocation_full_time_days=draw(st.floats(min_value=0.5, max_value=7)),
    )
    return Rubric(
        version="random",
        embeddedness=weights["embeddedness"],
        independence=weights["independence"],
        sustainability=weights["sustainability"],
        targets=targets,
        thresholds=DEFAULT_RUBRIC.thresholds,
        min_coverage=draw(st.sampled_from([0.0, 0.25, 0.5, 0.51, 0.9, 1.0])),
    )
