"""Scalar scoring: the reference implementation of rubric v1's three indicators.

Each ``score_*`` function takes one spoke-period's inputs and a
:class:`~hubspoke.indicators.rubric.Rubric` and returns an
:class:`IndicatorScore`. The rules (``docs/indicators.md``):

- every component value lies in [0, 1]; a component whose inputs are missing,
  or whose ratio has a zero denominator, is unavailable (None, never 0);
- ``coverage`` is the sum of the weights of the available components;
- ``value`` is the weighted mean of the available components,
  ``sum(w_i * c_i) / sum(w_i)``, or None when ``coverage < min_coverage``
  (or nothing is available).

The functions are pure: no I/O, clock, randomness or global state. The
vectorised form (:mod:`hubspoke.indicators.vectorised`) must agree with this
module row by row. This module imports neither pandas nor the plugin machinery.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final

import attrs

from hubspoke.errors import ModelError, RubricError
from hubspoke.indicators.inputs import (
    EmbeddednessInputs,
    IndependenceInputs,
    SustainabilityInputs,
)
from hubspoke.indicators.rubric import DEFAULT_RUBRIC, Rubric

#: Value of the management component for each ``line_management``.
MANAGEMENT_VALUES: Final[Mapping[str, float]] = MappingProxyType(
    {"hub": 1.0, "shared": 0.5, "host": 0.0}
)

#: Decimal places to which coverage is rounded, so that weights such as
#: 0.35 + 0.15 give exactly 0.5 and the min_coverage test is not decided by
#: binary rounding crumbs.
COVERAGE_DECIMALS: Final = 12


def _read_only(value: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(value))


def _read_only_components(value: Mapping[str, Component]) -> Mapping[str, Component]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class Component:
    """One component of an indicator for one spoke-period.

    ``value`` is in [0, 1], or None when unavailable (then ``reason`` says why,
    e.g. "forums_held missing"). ``weight`` is the rubric's weight; ``inputs``
    maps each input name the component uses to the value it was given.
    """

    name: str
    value: float | None
    weight: float
    inputs: Mapping[str, object] = attrs.field(converter=_read_only)
    reason: str | None = None

    @property
    def available(self) -> bool:
        return self.value is not None


@attrs.frozen(kw_only=True)
class IndicatorScore:
    """An indicator's score for one spoke-period, with everything behind it.

    ``value`` is in [0, 1], or None for insufficient evidence (``coverage``
    below ``min_coverage``); ``coverage`` is the sum of the weights of the
    available ``components`` (component name -> :class:`Component`, in rubric
    order). ``rubric_version`` and ``min_coverage`` identify the rubric used.
    """

    indicator: str
    value: float | None
    coverage: float
    components: Mapping[str, Component] = attrs.field(converter=_read_only_components)
    rubric_version: str
    min_coverage: float = DEFAULT_RUBRIC.min_coverage

    def explain(self) -> str:
        """A plain-language account of the score, component by component.

        For example ``embeddedness 0.72 (coverage 0.85, rubric 1): agreement
        1.00 x 0.20, ...; forums unavailable (weight 0.15): forums_held missing``.
        """
        if self.value is None:
            head = (
                f"{self.indicator}: insufficient evidence (coverage {self.coverage:.2f}, "
                f"below the minimum {self.min_coverage:.2f}; rubric {self.rubric_version})"
            )
        else:
            head = (
                f"{self.indicator} {self.value:.2f} "
                f"(coverage {self.coverage:.2f}, rubric {self.rubric_version})"
            )
        used = [
            f"{c.name} {c.value:.2f} x {c.weight:.2f}"
            for c in self.components.values()
            if c.value is not None
        ]
        missing = [
            f"{c.name} unavailable (weight {c.weight:.2f}): {c.reason}"
            for c in self.components.values()
            if c.value is None
        ]
        parts = [", ".join(used) if used else "no component available"]
        parts += missing
        return f"{head}: " + "; ".join(parts)


# A component before weighting: name, value or None, inputs used, reason if unavailable.
_Part = tuple[str, float | None, dict[str, object], str | None]


def coverage_of(available_weights: Sequence[float]) -> float:
    """Coverage from the weights of the available components, in component order.

    The plain sum, rounded to :data:`COVERAGE_DECIMALS` places and at most 1
    (weights may sum to 1 within 1e-9). The vectorised
    form calls this same function, so both decide min_coverage identically.
    """
    total = 0.0
    for weight in available_weights:
        total += weight
    return min(round(total, COVERAGE_DECIMALS), 1.0)


def _combine(indicator: str, parts: Sequence[_Part], rubric: Rubric) -> IndicatorScore:
    """Weight ``parts`` (in rubric component order) into an :class:`IndicatorScore`."""
    weights = rubric.weights(indicator).values
    components: dict[str, Component] = {}
    numerator = 0.0
    denominator = 0.0
    available: list[float] = []
    for (name, value, inputs, reason), (weight_name, weight) in zip(parts, weights, strict=True):
        assert name == weight_name, (name, weight_name)
        components[name] = Component(
            name=name, value=value, weight=weight, inputs=inputs, reason=reason
        )
        if value is not None:
            numerator += weight * value
            denominator += weight
            available.append(weight)
    coverage = coverage_of(available)
    mean: float | None = None
    if coverage >= rubric.min_coverage and denominator > 0:
        mean = min(max(numerator / denominator, 0.0), 1.0)
    return IndicatorScore(
        indicator=indicator,
        value=mean,
        coverage=coverage,
        components=components,
        rubric_version=rubric.version,
        min_coverage=rubric.min_coverage,
    )


def _flag(name: str, field: str, given: bool | None, *, good: bool = True) -> _Part:
    """1 when ``given`` equals ``good``, else 0; unavailable when missing."""
    if given is None:
        return (name, None, {field: None}, f"{field} missing")
    return (name, 1.0 if given is good else 0.0, {field: given}, None)


def _scaled(name: str, field: str, given: float | None, full: float) -> _Part:
    """min(given / full, 1); ``full`` is a positive rubric target."""
    if given is None:
        return (name, None, {field: None}, f"{field} missing")
    return (name, min(given / full, 1.0), {field: given}, None)


def _ratio(
    name: str,
    part_field: str,
    part: float | None,
    total_field: str,
    total: float | None,
    *,
    target: float = 1.0,
) -> _Part:
    """min((part / total) / target, 1); unavailable when missing or total is 0."""
    inputs: dict[str, object] = {part_field: part, total_field: total}
    missing = [f for f, v in ((part_field, part), (total_field, total)) if v is None]
    if missing:
        return (name, None, inputs, " and ".join(missing) + " missing")
    assert part is not None
    assert total is not None
    if total == 0:
        return (name, None, inputs, f"{total_field} is 0")
    return (name, min((part / total) / target, 1.0), inputs, None)


def _check(function: str, inputs: object, expected: type, rubric: object) -> None:
    if not isinstance(inputs, expected):
        raise ModelError(function, "inputs", f"must be {expected.__name__}", inputs)
    if not isinstance(rubric, Rubric):
        raise RubricError(f"{function}: rubric must be a Rubric (got {rubric!r})")


def _embeddedness_parts(inputs: EmbeddednessInputs, rubric: Rubric) -> list[_Part]:
    """Embeddedness components, unweighted, in rubric order."""
    i = inputs
    systems: _Part = (
        ("systems_access", None, {"systems_access": None}, "systems_access missing")
        if i.systems_access is None
        else ("systems_access", i.systems_access / 3, {"systems_access": i.systems_access}, None)
    )
    return [
        _flag("agreement", "formal_agreement", i.formal_agreement),
        _scaled(
            "colocation",
            "colocation_days",
            i.colocation_days,
            rubric.targets.colocation_full_time_days,
        ),
        systems,
        _ratio("forums", "forums_attended", i.forums_attended, "forums_held", i.forums_held),
        _ratio(
            "referral_integration",
            "referrals_from_agencies",
            i.referrals_from_agencies,
            "referrals_total",
            i.referrals_total,
        ),
        _flag("recruitment", "host_in_recruitment", i.host_in_recruitment),
    ]


def _independence_parts(inputs: IndependenceInputs, rubric: Rubric) -> list[_Part]:
    """Independence components, unweighted, in rubric order."""
    i = inputs
    management: _Part = (
        ("management", None, {"line_management": None}, "line_management missing")
        if i.line_management is None
        else (
            "management",
            MANAGEMENT_VALUES[i.line_management],
            {"line_management": i.line_management},
            None,
        )
    )
    return [
        _ratio(
            "funding",
            "independent_funding",
            i.independent_funding,
            "total_funding",
            i.total_funding,
        ),
        management,
        _flag("referral_control", "referral_mandate", i.referral_mandate, good=False),
        _flag("time_limits", "time_limited_work", i.time_limited_work, good=False),
        _ratio(
            "preventative_work",
            "cases_below_high_risk",
            i.cases_below_high_risk,
            "cases_total",
            i.cases_total,
            target=rubric.targets.preventative_target,
        ),
        _ratio("cse_focus", "cse_hours", i.cse_hours, "total_hours", i.total_hours),
    ]


def funder_diversity(amounts: Sequence[float]) -> float | None:
    """1 - sum(s_i^2) over funder shares s_i (Herfindahl-Hirschman complement).

    None when the total is 0 (including no funders). The total and the sum of
    squared shares use exact summation (``math.fsum``), so the order of the
    funders never changes the result; clamped to [0, 1].
    """
    total = math.fsum(amounts)
    if total == 0:
        return None
    herfindahl = math.fsum((a / total) ** 2 for a in amounts)
    return min(max(1.0 - herfindahl, 0.0), 1.0)


def _sustainability_parts(inputs: SustainabilityInputs, rubric: Rubric) -> list[_Part]:
    """Sustainability components, unweighted, in rubric order."""
    i = inputs
    t = rubric.targets
    funders = i.funding_by_funder
    diversity: _Part
    if funders is None:
        diversity = ("diversity", None, {"funding_by_funder": None}, "funding_by_funder missing")
    else:
        value = funder_diversity(funders)
        reason = None if value is not None else "funding_by_funder total is 0"
        diversity = ("diversity", value, {"funding_by_funder": funders}, reason)
    if i.supervision_sessions is None or i.period_months is None:
        supervision = _ratio(
            "supervision",
            "supervision_sessions",
            i.supervision_sessions,
            "period_months",
            i.period_months,
        )
    else:
        expected = i.period_months * t.supervision_per_month
        supervision = (
            "supervision",
            None if expected == 0 else min(i.supervision_sessions / expected, 1.0),
            {"supervision_sessions": i.supervision_sessions, "period_months": i.period_months},
            "period_months is 0" if expected == 0 else None,
        )
    return [
        _scaled("runway", "months_funded_ahead", i.months_funded_ahead, t.runway_target),
        diversity,
        _ratio(
            "workforce", "post_months_filled", i.post_months_filled, "post_months", i.post_months
        ),
        supervision,
        _flag("manager", "manager_funded", i.manager_funded),
        _scaled(
            "commitment", "longest_funding_months", i.longest_funding_months, t.commitment_months
        ),
    ]


def score_embeddedness(
    inputs: EmbeddednessInputs, rubric: Rubric = DEFAULT_RUBRIC
) -> IndicatorScore:
    """Embeddedness (outcome 2) of one spoke over one period."""
    _check("score_embeddedness", inputs, EmbeddednessInputs, rubric)
    return _combine("embeddedness", _embeddedness_parts(inputs, rubric), rubric)


def score_independence(
    inputs: IndependenceInputs, rubric: Rubric = DEFAULT_RUBRIC
) -> IndicatorScore:
    """Independence (outcome 3) of one spoke over one period."""
    _check("score_independence", inputs, IndependenceInputs, rubric)
    return _combine("independence", _independence_parts(inputs, rubric), rubric)


def score_sustainability(
    inputs: SustainabilityInputs, rubric: Rubric = DEFAULT_RUBRIC
) -> IndicatorScore:
    """Sustainability (outcome 1) of one spoke over one period."""
    _check("score_sustainability", inputs, SustainabilityInputs, rubric)
    return _combine("sustainability", _sustainability_parts(inputs, rubric), rubric)
