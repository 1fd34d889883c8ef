"""What a monitoring return says: aggregate values, case records, activities, outcomes.

Code-valued fields hold code values of the lists in :mod:`hubspoke.codes`
(``gender="2"``, ``risk_at_referral="high"``); None means the return did
not supply the field at all, while a "not recorded" code means it was
asked and left blank. Case records are pseudonymous: ``case_id`` is never a
name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import attrs

from hubspoke.codes import ActivityKind, GoalStatus, code_list
from hubspoke.errors import ModelError
from hubspoke.model import _rules as r

#: A breakdown: sorted ``(dimension, code)`` pairs; empty means the total.
Breakdown = tuple[tuple[str, str], ...]


def make_breakdown(pairs: Mapping[str, str] | Iterable[tuple[str, str]] | None) -> Breakdown:
    """Normalise a breakdown to sorted ``(dimension, code)`` pairs."""
    if pairs is None:
        return ()
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    return tuple(sorted((str(k), str(v)) for k, v in items))


def _breakdown_rule(instance: object, attribute: attrs.Attribute[Any], value: Breakdown) -> None:
    dims = [d for d, _ in value]
    if len(set(dims)) != len(dims):
        raise ModelError(type(instance).__name__, "breakdown", "repeats a dimension", value)
    from hubspoke.codes import code_lists

    lists = code_lists()
    for dim, code in value:
        cl = lists.get(dim)
        if cl is None:
            raise ModelError(
                type(instance).__name__, "breakdown", f"unknown dimension {dim!r}", value
            )
        if code not in cl:
            raise ModelError(
                type(instance).__name__,
                "breakdown",
                f"{code!r} is not {'an' if dim[:1] in 'aeiou' else 'a'} {dim} code",
                value,
            )


@attrs.frozen(kw_only=True)
class DataValue:
    """An aggregate figure: ``measure`` (catalogue id), ``breakdown``, ``value``.

    ``value`` is a finite non-negative number in the measure's unit; whether
    it must be whole, and which dimensions are allowed, is checked against
    the measure catalogue by validation, not here.
    """

    measure: str = attrs.field(validator=r.ident)
    breakdown: Breakdown = attrs.field(
        default=(), converter=make_breakdown, validator=_breakdown_rule
    )
    value: float = attrs.field(validator=r.amount)

    @property
    def dimensions(self) -> tuple[str, ...]:
        return tuple(d for d, _ in self.breakdown)

    @property
    def is_total(self) -> bool:
        return not self.breakdown


@attrs.frozen(kw_only=True)
class RiskAssessment:
    """A dated risk assessment of a case with the tool that produced it."""

    on: date = attrs.field(validator=r.a_date)
    level: str = attrs.field(validator=r.code_in("risk_level", optional=False))
    tool: str | None = attrs.field(default=None, validator=r.opt_text)
    tool_version: str | None = attrs.field(default=None, validator=r.opt_text)
    score: float | None = attrs.field(default=None, validator=r.opt_number)


@attrs.frozen(kw_only=True)
class CaseRecord:
    """One young person supported by a service (pseudonymous).

    ``risk_at_referral`` and ``risk_latest`` are the first and latest risk
    levels; ``reviews`` holds any dated assessments in between. Ages are in
    whole years. ``missing_before``/``missing_after`` count missing episodes
    in the same length of time before referral and after.
    """

    case_id: str = attrs.field(validator=r.ident)
    referral_date: date | None = attrs.field(default=None, validator=r.opt_date)
    referral_source: str | None = attrs.field(default=None, validator=r.code_in("referral_source"))
    risk_at_referral: str | None = attrs.field(default=None, validator=r.code_in("risk_level"))
    risk_latest: str | None = attrs.field(default=None, validator=r.code_in("risk_level"))
    reviews: tuple[RiskAssessment, ...] = attrs.field(
        default=(), converter=r.to_tuple, validator=r.tuple_of(RiskAssessment)
    )
    gender: str | None = attrs.field(default=None, validator=r.code_in("gender"))
    ethnicity: str | None = attrs.field(default=None, validator=r.code_in("ethnicity"))
    sexuality: str | None = attrs.field(default=None, validator=r.code_in("sexuality"))
    age: int | None = attrs.field(default=None, validator=r.between(0, 25))
    age_band: str | None = attrs.field(default=None, validator=r.code_in("age_band"))
    looked_after: bool | None = attrs.field(default=None, validator=r.opt_bool)
    support_type: str | None = attrs.field(default=None, validator=r.code_in("support_type"))
    missing_before: int | None = attrs.field(default=None, validator=r.opt_count)
    missing_after: int | None = attrs.field(default=None, validator=r.opt_count)
    closed_on: date | None = attrs.field(default=None, validator=r.opt_date)
    closure_reason: str | None = attrs.field(default=None, validator=r.code_in("closure_reason"))

    def __attrs_post_init__(self) -> None:
        r.end_not_before("referral_date", "closed_on")(self)
        if self.age is not None and isinstance(self.age, bool | float):
            raise ModelError("CaseRecord", "age", "must be a whole number of years", self.age)
        if self.age is not None and self.age_band is not None:
            from hubspoke.codes import age_band_for

            if age_band_for(self.age) != self.age_band:
                raise ModelError(
                    "CaseRecord",
                    "age_band",
                    f"does not match age {self.age} ({age_band_for(self.age)})",
                    self.age_band,
                )
        if self.closure_reason is not None and self.closed_on is None:
            raise ModelError(
                "CaseRecord", "closure_reason", "is set but closed_on is not", self.closure_reason
            )

    @property
    def effective_age_band(self) -> str | None:
        """The age band, derived from ``age`` when only the age is known."""
        if self.age_band is not None:
            return self.age_band
        if self.age is not None:
            from hubspoke.codes import age_band_for

            return age_band_for(self.age)
        return None


@attrs.frozen(kw_only=True)
class Activity:
    """Something the service did: a session, training, a meeting.

    ``attendees`` counts people present; ``hours`` is staff time in hours.
    ``audience_profession`` (a profession code) applies to work with
    professionals.
    """

    kind: ActivityKind = attrs.field(validator=r.one_of(ActivityKind))
    on: date | None = attrs.field(default=None, validator=r.opt_date)
    audience_profession: str | None = attrs.field(default=None, validator=r.code_in("profession"))
    attendees: int = attrs.field(default=0, validator=r.count)
    hours: float = attrs.field(default=0.0, validator=r.amount)


def _known_code(list_name: str) -> r.Validator:
    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None and value not in code_list(list_name):
            raise ModelError(type(instance).__name__, attribute.name, f"not a {list_name}", value)

    return check


@attrs.frozen(kw_only=True)
class OutcomeRecord:
    """An outcome observation for a case (or a professional) on a date.

    Either a scale ``score`` on ``instrument`` (for distance travelled and
    the reliable change index), or an individual ``goal`` with its
    ``goal_status``. ``subject`` says whose outcome it is.
    """

    case_id: str = attrs.field(validator=r.ident)
    instrument: str = attrs.field(validator=r.text)
    on: date = attrs.field(validator=r.a_date)
    score: float | None = attrs.field(default=None, validator=r.opt_number)
    goal: str | None = attrs.field(default=None, validator=r.opt_text)
    goal_status: GoalStatus | None = attrs.field(
        default=None, validator=attrs.validators.optional(r.one_of(GoalStatus))
    )
    subject: str = attrs.field(
        default="young_person", validator=attrs.validators.in_(("young_person", "professional"))
    )

    def __attrs_post_init__(self) -> None:
        if self.score is None and self.goal_status is None:
            raise ModelError(
                "OutcomeRecord", "score", "one of score and goal_status is required", None
            )
