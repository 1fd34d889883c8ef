"""Scalar scoring: the rubric v1 rules, as properties and examples."""

from __future__ import annotations

import itertools
import math
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from hubspoke.errors import ModelError, RubricError
from hubspoke.indicators import (
    COMPONENTS,
    DEFAULT_RUBRIC,
    INDICATORS,
    EmbeddednessInputs,
    IndependenceInputs,
    IndicatorScore,
    Rubric,
    SustainabilityInputs,
    score_embeddedness,
    score_independence,
    score_sustainability,
)
from indicator_strategies import INPUT_STRATEGIES, rubrics

SCORERS: dict[str, Callable[[Any, Rubric], IndicatorScore]] = {
    "embeddedness": score_embeddedness,
    "independence": score_independence,
    "sustainability": score_sustainability,
}

indicator_and_inputs = st.sampled_from(INDICATORS).flatmap(
    lambda name: st.tuples(st.just(name), INPUT_STRATEGIES[name])
)
any_rubric = st.one_of(st.just(DEFAULT_RUBRIC), rubrics())


# -- the common rules -----------------------------------------------------------------------


@given(indicator_and_inputs, any_rubric)
def test_values_and_components_lie_in_unit_interval(case: tuple[str, Any], rubric: Rubric) -> None:
    indicator, inputs = case
    score = SCORERS[indicator](inputs, rubric)
    assert score.indicator == indicator
    assert score.rubric_version == rubric.version
    assert tuple(score.components) == COMPONENTS[indicator]
    assert score.value is None or 0.0 <= score.value <= 1.0
    for component in score.components.values():
        assert component.value is None or 0.0 <= component.value <= 1.0
        assert (component.value is None) == (component.reason is not None)
        assert component.weight == rubric.weights(indicator)[component.name]


@given(indicator_and_inputs, any_rubric)
def test_coverage_is_sum_of_available_weights(case: tuple[str, Any], rubric: Rubric) -> None:
    indicator, inputs = case
    score = SCORERS[indicator](inputs, rubric)
    available = math.fsum(c.weight for c in score.components.values() if c.value is not None)
    assert score.coverage == pytest.approx(available, abs=1e-9)
    assert 0.0 <= score.coverage <= 1.0


@given(indicator_and_inputs, any_rubric)
def test_value_is_none_exactly_when_coverage_is_below_minimum(
    case: tuple[str, Any], rubric: Rubric
) -> None:
    indicator, inputs = case
    score = SCORERS[indicator](inputs, rubric)
    # With min_coverage 0 and nothing (of positive weight) available there is nothing to average.
    nothing = not any(c.weight > 0 and c.value is not None for c in score.components.values())
    assert (score.value is None) == (score.coverage < rubric.min_coverage or nothing)
    if score.value is not None:
        available = [c for c in score.components.values() if c.value is not None]
        expected = math.fsum(c.weight * c.value for c in available if c.value is not None)
        assert score.value == pytest.approx(expected / score.coverage, abs=1e-9)


@given(indicator_and_inputs, st.data())
def test_renormalisation_removing_a_component_gives_mean_of_the_rest(
    case: tuple[str, Any], data: st.DataObject
) -> None:
    indicator, inputs = case
    score = SCORERS[indicator](inputs, DEFAULT_RUBRIC)
    available = [c for c in score.components.values() if c.value is not None]
    assume(available)
    dropped = data.draw(st.sampled_from(available))
    fewer = attrs.evolve(inputs, **dict.fromkeys(dropped.inputs))
    rescored = SCORERS[indicator](fewer, DEFAULT_RUBRIC)
    assert rescored.components[dropped.name].value is None
    rest = [c for c in available if c.name != dropped.name]
    for c in rest:
        assert rescored.components[c.name] == c
    weight = math.fsum(c.weight for c in rest)
    assert rescored.coverage == pytest.approx(weight, abs=1e-12)
    if weight < DEFAULT_RUBRIC.min_coverage:
        assert rescored.value is None
    else:
        mean = math.fsum(c.weight * c.value for c in rest if c.value is not None) / weight
        assert rescored.value == pytest.approx(mean, abs=1e-12)


def test_coverage_at_exactly_the_minimum_is_sufficient() -> None:
    # agreement 0.20 + forums 0.15 + recruitment 0.15 = 0.50 exactly in decimal
    score = score_embeddedness(
        EmbeddednessInputs(
            formal_agreement=True, forums_attended=1, forums_held=2, host_in_recruitment=False
        )
    )
    assert score.coverage == 0.5
    assert score.value == pytest.approx((0.2 + 0.075) / 0.5)
    less = score_embeddedness(EmbeddednessInputs(formal_agreement=True, forums_held=2))
    assert less.coverage == 0.2
    assert less.value is None
    assert less.components["agreement"].value == 1.0


# -- monotonicity in every good input -------------------------------------------------------

# (indicator, input field, how to make it better) with the others fixed: each improvement
# returns (before, after) inputs that differ only in that field, after being no worse.
Improve = Callable[[Any, st.DataObject], tuple[Any, Any]]


def _more(field: str, top: float, *, whole: bool = False, total: str | None = None) -> Improve:
    """Set ``field`` to a value and then to a larger one, at most ``top`` (or the ``total``).

    When ``total`` names the field's total, the total is set (and held) too.
    """

    def improve(inputs: Any, data: st.DataObject) -> tuple[Any, Any]:
        fixed: dict[str, float] = {}
        high: float = top
        if total is not None:
            if whole:
                high = data.draw(st.integers(1, int(top)))
            else:
                high = data.draw(st.floats(min_value=1e-3, max_value=top))
            fixed[total] = high
        low: float
        new: float
        if whole:
            low = data.draw(st.integers(0, int(high)))
            new = data.draw(st.integers(int(low), int(high)))
        else:
            low = data.draw(st.floats(min_value=0, max_value=high))
            new = data.draw(st.floats(min_value=low, max_value=high))
        before = attrs.evolve(inputs, **{field: low}, **fixed)
        return before, attrs.evolve(before, **{field: new})

    return improve


def _set(field: str, worse: object, better: object) -> Improve:
    def improve(inputs: Any, data: st.DataObject) -> tuple[Any, Any]:
        return attrs.evolve(inputs, **{field: worse}), attrs.evolve(inputs, **{field: better})

    return improve


def _line_management(inputs: Any, data: st.DataObject) -> tuple[Any, Any]:
    order = ("host", "shared", "hub")
    worse = data.draw(st.sampled_from(order))
    better = data.draw(st.sampled_from(order[order.index(worse) :]))
    return (
        attrs.evolve(inputs, line_management=worse),
        attrs.evolve(inputs, line_management=better),
    )


IMPROVEMENTS: dict[str, tuple[str, Improve]] = {
    "formal_agreement": ("embeddedness", _set("formal_agreement", False, True)),
    "colocation_days": ("embeddedness", _more("colocation_days", 7.0)),
    "systems_access": ("embeddedness", _more("systems_access", 3, whole=True)),
    "forums_attended": ("embeddedness", _more("forums_attended", 100, whole=True)),
    "referrals_from_agencies": (
        "embeddedness",
        _more("referrals_from_agencies", 80, whole=True, total="referrals_total"),
    ),
    "host_in_recruitment": ("embeddedness", _set("host_in_recruitment", False, True)),
    "independent_funding": (
        "independence",
        _more("independent_funding", 1e6, total="total_funding"),
    ),
    "line_management": ("independence", _line_management),
    "referral_mandate": ("independence", _set("referral_mandate", True, False)),
    "time_limited_work": ("independence", _set("time_limited_work", True, False)),
    "cases_below_high_risk": (
        "independence",
        _more("cases_below_high_risk", 80, whole=True, total="cases_total"),
    ),
    "cse_hours": ("independence", _more("cse_hours", 2000.0, total="total_hours")),
    "months_funded_ahead": ("sustainability", _more("months_funded_ahead", 200.0)),
    "post_months_filled": (
        "sustainability",
        _more("post_months_filled", 48.0, total="post_months"),
    ),
    "supervision_sessions": ("sustainability", _more("supervision_sessions", 100, whole=True)),
    "manager_funded": ("sustainability", _set("manager_funded", False, True)),
    "longest_funding_months": ("sustainability", _more("longest_funding_months", 200.0)),
}


@pytest.mark.parametrize("field", sorted(IMPROVEMENTS))
@given(data=st.data(), rubric=any_rubric)
def test_monotone_in_every_good_input(field: str, data: st.DataObject, rubric: Rubric) -> None:
    indicator, improve = IMPROVEMENTS[field]
    worse, better = improve(data.draw(INPUT_STRATEGIES[indicator]), data)
    before = SCORERS[indicator](worse, rubric)
    after = SCORERS[indicator](better, rubric)
    assert after.coverage == before.coverage
    for name, component in before.components.items():
        new = after.components[name].value
        assert (component.value is None) == (new is None)
        if component.value is not None and new is not None:
            assert new >= component.value
    if before.value is not None:
        assert after.value is not None
        assert after.value >= before.value


def test_every_good_input_has_a_monotonicity_check() -> None:
    """Each input is covered, except the pair totals held fixed and the funder mix."""
    held_fixed = {
        "forums_held",
        "referrals_total",
        "total_funding",
        "cases_total",
        "total_hours",
        "post_months",
        "period_months",
        "funding_by_funder",
    }
    names = {
        f.name
        for cls in (EmbeddednessInputs, IndependenceInputs, SustainabilityInputs)
        for f in attrs.fields(cls)
    }
    assert names - held_fixed == set(IMPROVEMENTS)


# -- funder diversity -------------------------------------------------------------------------


@given(INPUT_STRATEGIES["sustainability"], st.randoms(use_true_random=False))
def test_funder_order_never_changes_diversity(inputs: SustainabilityInputs, rnd: Any) -> None:
    assume(inputs.funding_by_funder is not None)
    assert inputs.funding_by_funder is not None
    shuffled = list(inputs.funding_by_funder)
    rnd.shuffle(shuffled)
    before = score_sustainability(inputs)
    after = score_sustainability(attrs.evolve(inputs, funding_by_funder=tuple(shuffled)))
    assert after.components["diversity"].value == before.components["diversity"].value
    assert after.value == before.value


@pytest.mark.parametrize(
    ("funders", "expected"),
    [
        ((), None),
        ((0.0, 0.0), None),
        ((50_000.0,), 0.0),
        ((10.0, 10.0), 0.5),
        ((1.0, 1.0, 1.0, 1.0), 0.75),
        ((40_000.0, 15_000.0, 5_000.0), 1 - (4 / 9 + 1 / 16 + 1 / 144)),
        ((30_000.0, 0.0), 0.0),
    ],
)
def test_diversity_is_one_minus_herfindahl(
    funders: tuple[float, ...], expected: float | None
) -> None:
    component = score_sustainability(SustainabilityInputs(funding_by_funder=funders)).components[
        "diversity"
    ]
    if expected is None:
        assert component.value is None
        assert component.reason == "funding_by_funder total is 0"
    else:
        assert component.value == pytest.approx(expected, abs=1e-15)


# -- component rules, by example --------------------------------------------------------------


def _component(indicator: str, inputs: Any, name: str) -> float | None:
    return SCORERS[indicator](inputs, DEFAULT_RUBRIC).components[name].value


@pytest.mark.parametrize(
    ("indicator", "inputs", "component", "expected"),
    [
        ("embeddedness", EmbeddednessInputs(colocation_days=2.5), "colocation", 0.5),
        ("embeddedness", EmbeddednessInputs(colocation_days=6), "colocation", 1.0),
        ("embeddedness", EmbeddednessInputs(systems_access=1), "systems_access", 1 / 3),
        ("embeddedness", EmbeddednessInputs(forums_attended=7, forums_held=4), "forums", 1.0),
        ("embeddedness", EmbeddednessInputs(forums_attended=3, forums_held=0), "forums", None),
        ("embeddedness", EmbeddednessInputs(formal_agreement=False), "agreement", 0.0),
        (
            "embeddedness",
            EmbeddednessInputs(referrals_from_agencies=0, referrals_total=0),
            "referral_integration",
            None,
        ),
        ("independence", IndependenceInputs(line_management="shared"), "management", 0.5),
        ("independence", IndependenceInputs(line_management="host"), "management", 0.0),
        ("independence", IndependenceInputs(referral_mandate=True), "referral_control", 0.0),
        ("independence", IndependenceInputs(time_limited_work=False), "time_limits", 1.0),
        (
            "independence",
            IndependenceInputs(cases_below_high_risk=3, cases_total=20),
            "preventative_work",
            0.5,
        ),
        (
            "independence",
            IndependenceInputs(cases_below_high_risk=9, cases_total=20),
            "preventative_work",
            1.0,
        ),
        ("sustainability", SustainabilityInputs(months_funded_ahead=0), "runway", 0.0),
        ("sustainability", SustainabilityInputs(months_funded_ahead=30), "runway", 1.0),
        (
            "sustainability",
            SustainabilityInputs(supervision_sessions=6, period_months=12),
            "supervision",
            0.5,
        ),
        (
            "sustainability",
            SustainabilityInputs(supervision_sessions=6, period_months=0),
            "supervision",
            None,
        ),
        ("sustainability", SustainabilityInputs(longest_funding_months=18), "commitment", 0.5),
    ],
)
def test_component_rules(
    indicator: str, inputs: Any, component: str, expected: float | None
) -> None:
    value = _component(indicator, inputs, component)
    if expected is None:
        assert value is None
    else:
        assert value == pytest.approx(expected, abs=1e-15)


def test_unavailable_components_say_why() -> None:
    score = score_embeddedness(
        EmbeddednessInputs(forums_attended=2, referrals_from_agencies=0, referrals_total=0)
    )
    reasons = {n: c.reason for n, c in score.components.items()}
    assert reasons["forums"] == "forums_held missing"
    assert reasons["referral_integration"] == "referrals_total is 0"
    assert reasons["agreement"] == "formal_agreement missing"
    assert score.components["forums"].inputs == {"forums_attended": 2, "forums_held": None}


def test_explain_names_value_coverage_components_and_reasons() -> None:
    score = score_embeddedness(
        EmbeddednessInputs(
            formal_agreement=True,
            colocation_days=3,
            systems_access=3,
            forums_attended=1,
            referrals_from_agencies=3,
            referrals_total=4,
            host_in_recruitment=True,
        )
    )
    text = score.explain()
    # (0.20 + 0.20 x 0.6 + 0.15 + 0.15 x 0.75 + 0.15) / 0.85 = 0.7325 / 0.85 = 0.862
    assert text.startswith("embeddedness 0.86 (coverage 0.85, rubric 1): agreement 1.00 x 0.20")
    assert "colocation 0.60 x 0.20" in text
    assert text.endswith("forums unavailable (weight 0.15): forums_held missing")
    thin = score_independence(IndependenceInputs(line_management="hub"))
    assert thin.explain().startswith(
        "independence: insufficient evidence (coverage 0.20, below the minimum 0.50; rubric 1)"
    )


def test_a_custom_rubric_changes_weights_targets_and_version() -> None:
    rubric = attrs.evolve(
        DEFAULT_RUBRIC,
        version="strict",
        targets=attrs.evolve(DEFAULT_RUBRIC.targets, runway_target=48.0),
        min_coverage=0.9,
    )
    inputs = SustainabilityInputs(months_funded_ahead=24, manager_funded=True)
    default = score_sustainability(inputs)
    strict = score_sustainability(inputs, rubric)
    assert default.components["runway"].value == 1.0
    assert strict.components["runway"].value == 0.5
    assert strict.rubric_version == "strict"
    assert default.coverage == strict.coverage == 0.4
    assert default.value is None  # 0.4 < 0.5


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: EmbeddednessInputs(colocation_days=7.5), "colocation_days"),
        (lambda: EmbeddednessInputs(colocation_days=-1), "colocation_days"),
        (lambda: EmbeddednessInputs(systems_access=4), "systems_access"),
        (lambda: EmbeddednessInputs(systems_access=1.5), "systems_access"),  # type: ignore[arg-type]
        (lambda: EmbeddednessInputs(forums_held=-2), "forums_held"),
        (lambda: EmbeddednessInputs(formal_agreement="yes"), "formal_agreement"),  # type: ignore[arg-type]
        (
            lambda: EmbeddednessInputs(referrals_from_agencies=5, referrals_total=4),
            "referrals_from_agencies",
        ),
        (lambda: IndependenceInputs(line_management="council"), "line_management"),  # type: ignore[arg-type]
        (
            lambda: IndependenceInputs(independent_funding=2.0, total_funding=1.0),
            "independent_funding",
        ),
        (lambda: IndependenceInputs(cse_hours=float("nan")), "cse_hours"),
        (
            lambda: IndependenceInputs(cases_below_high_risk=3, cases_total=2),
            "cases_below_high_risk",
        ),
        (lambda: SustainabilityInputs(funding_by_funder=(1.0, -2.0)), "funding_by_funder"),
        (lambda: SustainabilityInputs(funding_by_funder=[1.0]), "funding_by_funder"),  # type: ignore[arg-type]
        (lambda: SustainabilityInputs(post_months_filled=13, post_months=12), "post_months_filled"),
        (lambda: SustainabilityInputs(supervision_sessions=True), "supervision_sessions"),
    ],
)
def test_inputs_out_of_range_raise_naming_the_field(build: Callable[[], Any], field: str) -> None:
    with pytest.raises(ModelError) as caught:
        build()
    assert caught.value.field == field
    assert f".{field}:" in str(caught.value)


def test_attended_above_held_is_allowed_and_capped() -> None:
    inputs = EmbeddednessInputs(forums_attended=9, forums_held=3)
    assert _component("embeddedness", inputs, "forums") == 1.0


def test_prorating_crumbs_above_a_total_are_tolerated_and_capped() -> None:
    inputs = IndependenceInputs(independent_funding=1000.0000000001, total_funding=1000.0)
    assert _component("independence", inputs, "funding") == 1.0


def test_scoring_functions_reject_wrong_types() -> None:
    with pytest.raises(ModelError, match="must be EmbeddednessInputs"):
        score_embeddedness(IndependenceInputs())  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="must be SustainabilityInputs"):
        score_sustainability({"months_funded_ahead": 3})  # type: ignore[arg-type]
    with pytest.raises(RubricError, match="rubric must be a Rubric"):
        score_independence(IndependenceInputs(), "v1")  # type: ignore[arg-type]


def test_scoring_is_pure_and_scores_compare_equal() -> None:
    inputs = IndependenceInputs(total_funding=10.0, independent_funding=4.0, line_management="hub")
    assert score_independence(inputs) == score_independence(inputs)
    components = score_independence(inputs).components
    with pytest.raises(TypeError):
        components["funding"] = components["management"]  # type: ignore[index]


def test_scalar_scoring_imports_neither_pandas_nor_pluggy() -> None:
    code = (
        "import sys, hubspoke.indicators, hubspoke.indicators.scoring; "
        "import hubspoke.indicators.rubric; "
        "assert not {'pandas', 'pluggy'} & set(sys.modules), 'pandas or pluggy imported'"
    )
    src = str(Path(__file__).resolve().parents[1] / "src")
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": src})


def test_every_component_pair_of_fields_is_disjoint() -> None:
    """Each input feeds exactly one component (renormalisation relies on it)."""
    for indicator, build in (
        ("embeddedness", EmbeddednessInputs),
        ("independence", IndependenceInputs),
        ("sustainability", SustainabilityInputs),
    ):
        score = SCORERS[indicator](build(), DEFAULT_RUBRIC)
        used = [set(c.inputs) for c in score.components.values()]
        for a, b in itertools.combinations(used, 2):
            assert not a & b
        assert set().union(*used) == {f.name for f in attrs.fields(build)}


def test_coverage_never_exceeds_one_when_weights_sum_just_above_one() -> None:
    weights = dict(DEFAULT_RUBRIC.embeddedness.values)
    weights["agreement"] += 5e-10  # within the 1e-9 tolerance
    rubric = attrs.evolve(
        DEFAULT_RUBRIC,
        version="crumbs",
        embeddedness=attrs.evolve(DEFAULT_RUBRIC.embeddedness, values=tuple(weights.items())),
    )
    inputs = EmbeddednessInputs(
        formal_agreement=True,
        colocation_days=5,
        systems_access=3,
        forums_attended=1,
        forums_held=1,
        referrals_from_agencies=1,
        referrals_total=1,
        host_in_recruitment=True,
    )
    score = score_embeddedness(inputs, rubric)
    assert score.coverage == 1.0
    assert score.value == 1.0
