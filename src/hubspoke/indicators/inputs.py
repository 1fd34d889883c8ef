"""The inputs of each indicator, named exactly as in the rubric (INDICATORS.md).

Every field is optional: None means the input is missing, which makes the
components that use it unavailable (never zero). Range checks raise
:class:`~hubspoke.errors.ModelError` naming the field. Counts are whole
numbers >= 0; money is GBP; days, months and hours are as named.
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

from hubspoke.model import _rules as r

LineManagementInput = Literal["hub", "shared", "host"]


def _opt_amounts(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, tuple):
        r.fail(instance, attribute, "must be a tuple of amounts", value)
        return
    for v in value:
        r.amount(instance, attribute, v)


@attrs.frozen(kw_only=True)
class EmbeddednessInputs:
    """Inputs of embeddedness (outcome 2) for one spoke over one period."""

    formal_agreement: bool | None = attrs.field(default=None, validator=r.opt_bool)
    colocation_days: float | None = attrs.field(default=None, validator=r.between(0, 7))
    systems_access: int | None = attrs.field(default=None, validator=r.between(0, 3))
    forums_attended: int | None = attrs.field(default=None, validator=r.opt_count)
    forums_held: int | None = attrs.field(default=None, validator=r.opt_count)
    referrals_from_agencies: int | None = attrs.field(default=None, validator=r.opt_count)
    referrals_total: int | None = attrs.field(default=None, validator=r.opt_count)
    host_in_recruitment: bool | None = attrs.field(default=None, validator=r.opt_bool)


@attrs.frozen(kw_only=True)
class IndependenceInputs:
    """Inputs of independence (outcome 3) for one spoke over one period."""

    independent_funding: float | None = attrs.field(default=None, validator=r.opt_amount)
    total_funding: float | None = attrs.field(default=None, validator=r.opt_amount)
    line_management: LineManagementInput | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.in_(("hub", "shared", "host"))),
    )
    referral_mandate: bool | None = attrs.field(default=None, validator=r.opt_bool)
    time_limited_work: bool | None = attrs.field(default=None, validator=r.opt_bool)
    cases_below_high_risk: int | None = attrs.field(default=None, validator=r.opt_count)
    cases_total: int | None = attrs.field(default=None, validator=r.opt_count)
    cse_hours: float | None = attrs.field(default=None, validator=r.opt_amount)
    total_hours: float | None = attrs.field(default=None, validator=r.opt_amount)


@attrs.frozen(kw_only=True)
class SustainabilityInputs:
    """Inputs of sustainability (outcome 1) for one spoke over one period."""

    months_funded_ahead: float | None = attrs.field(default=None, validator=r.opt_amount)
    funding_by_funder: tuple[float, ...] | None = attrs.field(default=None, validator=_opt_amounts)
    post_months_filled: float | None = attrs.field(default=None, validator=r.opt_amount)
    post_months: float | None = attrs.field(default=None, validator=r.opt_amount)
    supervision_sessions: int | None = attrs.field(default=None, validator=r.opt_count)
    period_months: float | None = attrs.field(default=None, validator=r.opt_amount)
    manager_funded: bool | None = attrs.field(default=None, validator=r.opt_bool)
    longest_funding_months: float | None = attrs.field(default=None, validator=r.opt_amount)
