"""The inputs of each indicator, named exactly as in the rubric (INDICATORS.md).

Every field is optional: None means the input is missing, which makes the
components that use it unavailable (never zero). Range checks raise
:class:`~hubspoke.errors.ModelError` naming the field. Counts are whole
numbers >= 0; money is GBP; days, months and hours are as named.

A part may not exceed its total (``referrals_from_agencies`` <=
``referrals_total`` and the like, see :data:`PARTS_OF_TOTALS`), except
``forums_attended``, which may exceed ``forums_held`` (the forums component
caps at 1).
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

from hubspoke.errors import ModelError
from hubspoke.model import _rules as r

LineManagementInput = Literal["hub", "shared", "host"]
LINE_MANAGEMENT: tuple[LineManagementInput, ...] = ("hub", "shared", "host")


#: Relative slack allowed when a money, hours or months part exceeds its total
#: (prorating by days can leave rounding crumbs); components cap at 1.
PART_TOLERANCE = 1e-9

#: Each indicator's (part, total) input pairs: the part may not exceed the total.
#: ``forums_attended`` may exceed ``forums_held`` (the component caps at 1).
PARTS_OF_TOTALS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    # (part, total, whole numbers?)
    "EmbeddednessInputs": (("referrals_from_agencies", "referrals_total", True),),
    "IndependenceInputs": (
        ("independent_funding", "total_funding", False),
        ("cases_below_high_risk", "cases_total", True),
        ("cse_hours", "total_hours", False),
    ),
    "SustainabilityInputs": (("post_months_filled", "post_months", False),),
}


def _parts_within_totals(instance: object) -> None:
    """Post-init rule: each part is at most its total (amounts with :data:`PART_TOLERANCE`)."""
    for part, total, whole in PARTS_OF_TOTALS[type(instance).__name__]:
        p = getattr(instance, part)
        t = getattr(instance, total)
        if p is None or t is None:
            continue
        limit = t if whole else t * (1 + PART_TOLERANCE)
        if p > limit:
            raise ModelError(type(instance).__name__, part, f"must not exceed {total} ({t!r})", p)


def _opt_amounts(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, tuple):
        r.fail(instance, attribute, "must be a tuple of amounts", value)
        return
    for v in value:
        r.amount(instance, attribute, v)


def _opt_line_management(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and value not in LINE_MANAGEMENT:
        r.fail(instance, attribute, "must be one of: hub, shared, host", value)


@attrs.frozen(kw_only=True)
class EmbeddednessInputs:
    """Inputs of embeddedness (outcome 2) for one spoke over one period."""

    formal_agreement: bool | None = attrs.field(default=None, validator=r.opt_bool)
    colocation_days: float | None = attrs.field(default=None, validator=r.between(0, 7))
    systems_access: int | None = attrs.field(default=None, validator=[r.opt_count, r.between(0, 3)])
    forums_attended: int | None = attrs.field(default=None, validator=r.opt_count)
    forums_held: int | None = attrs.field(default=None, validator=r.opt_count)
    referrals_from_agencies: int | None = attrs.field(default=None, validator=r.opt_count)
    referrals_total: int | None = attrs.field(default=None, validator=r.opt_count)
    host_in_recruitment: bool | None = attrs.field(default=None, validator=r.opt_bool)

    def __attrs_post_init__(self) -> None:
        _parts_within_totals(self)


@attrs.frozen(kw_only=True)
class IndependenceInputs:
    """Inputs of independence (outcome 3) for one spoke over one period."""

    independent_funding: float | None = attrs.field(default=None, validator=r.opt_amount)
    total_funding: float | None = attrs.field(default=None, validator=r.opt_amount)
    line_management: LineManagementInput | None = attrs.field(
        default=None,
        validator=_opt_line_management,
    )
    referral_mandate: bool | None = attrs.field(default=None, validator=r.opt_bool)
    time_limited_work: bool | None = attrs.field(default=None, validator=r.opt_bool)
    cases_below_high_risk: int | None = attrs.field(default=None, validator=r.opt_count)
    cases_total: int | None = attrs.field(default=None, validator=r.opt_count)
    cse_hours: float | None = attrs.field(default=None, validator=r.opt_amount)
    total_hours: float | None = attrs.field(default=None, validator=r.opt_amount)

    def __attrs_post_init__(self) -> None:
        _parts_within_totals(self)


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

    def __attrs_post_init__(self) -> None:
        _parts_within_totals(self)
