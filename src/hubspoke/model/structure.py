"""The programme's structure: funders, phases, hubs, spokes, hosts and arrangements.

All classes are frozen and keyword-only. Each field's own range is checked
on construction (raising :class:`~hubspoke.errors.ModelError` naming the
field); references between objects are checked by
:meth:`hubspoke.model.Programme.validate`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import attrs

from hubspoke.codes import (
    FunderKind,
    FundingCondition,
    FundingSourceKind,
    HostKind,
    LineManagement,
    PlacementType,
    PostRole,
    Qualification,
    SupervisionKind,
)
from hubspoke.errors import ModelError
from hubspoke.model import _rules as r
from hubspoke.periods import Period


@attrs.frozen(kw_only=True)
class Funder:
    """A member of the funders' alliance (or any other funder of a spoke)."""

    id: str = attrs.field(validator=r.ident)
    name: str = attrs.field(validator=r.text)
    kind: FunderKind = attrs.field(validator=r.one_of(FunderKind))


@attrs.frozen(kw_only=True)
class Phase:
    """A funding phase: number (1, 2, 3...), planned and actual start dates."""

    number: int = attrs.field(validator=r.between(1, 99))
    planned_start: date = attrs.field(validator=r.a_date)
    actual_start: date | None = attrs.field(default=None, validator=r.opt_date)

    @property
    def start(self) -> date:
        """The actual start where known, else the planned one."""
        return self.actual_start or self.planned_start


@attrs.frozen(kw_only=True)
class Hub:
    """An established specialist service that places spokes in new areas."""

    id: str = attrs.field(validator=r.ident)
    organisation: str = attrs.field(validator=r.text)
    service_name: str = attrs.field(validator=r.text)
    region: str = attrs.field(validator=r.text)
    phase: int = attrs.field(validator=r.between(1, 99))
    manager_post_funded: bool = attrs.field(validator=r.a_bool)


_LA_CODE = re.compile(r"^[EW](06|07|08|09|10)\d{6}$")


def _la_code(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _LA_CODE.match(value):
        raise ModelError(
            type(instance).__name__,
            attribute.name,
            "must be an ONS local authority code like E06000123 (E or W, 8 digits)",
            value,
        )


@attrs.frozen(kw_only=True)
class LocalArea:
    """A local authority area: ONS code (``E06000123``) and name."""

    code: str = attrs.field(validator=_la_code)
    name: str = attrs.field(validator=r.text)


@attrs.frozen(kw_only=True)
class Spoke:
    """A worker (or small team) a hub places into a new area, hosted by another agency.

    ``planned_*`` dates come from the bid; ``actual_*`` from what happened
    (recruitment delays make them differ). ``start``/``end`` prefer actual.
    """

    id: str = attrs.field(validator=r.ident)
    hub_id: str = attrs.field(validator=r.ident)
    area: LocalArea = attrs.field(validator=attrs.validators.instance_of(LocalArea))
    placement: PlacementType = attrs.field(validator=r.one_of(PlacementType))
    planned_start: date = attrs.field(validator=r.a_date)
    actual_start: date | None = attrs.field(default=None, validator=r.opt_date)
    planned_end: date | None = attrs.field(default=None, validator=r.opt_date)
    actual_end: date | None = attrs.field(default=None, validator=r.opt_date)

    def __attrs_post_init__(self) -> None:
        r.end_not_before("planned_start", "planned_end")(self)
        r.end_not_before("start", "actual_end")(self)

    @property
    def start(self) -> date:
        return self.actual_start or self.planned_start

    @property
    def end(self) -> date | None:
        return self.actual_end or self.planned_end


@attrs.frozen(kw_only=True)
class HostAgency:
    """An agency that hosts a spoke worker on its premises or in its team."""

    id: str = attrs.field(validator=r.ident)
    name: str = attrs.field(validator=r.text)
    kind: HostKind = attrs.field(validator=r.one_of(HostKind))
    statutory: bool = attrs.field(validator=r.a_bool)


@attrs.frozen(kw_only=True)
class HostingArrangement:
    """How a host hosts a spoke from ``start`` to ``end`` (None = continuing).

    ``colocation_days`` is days a week on host premises (0 to 7).
    """

    id: str = attrs.field(validator=r.ident)
    spoke_id: str = attrs.field(validator=r.ident)
    host_id: str = attrs.field(validator=r.ident)
    start: date = attrs.field(validator=r.a_date)
    end: date | None = attrs.field(default=None, validator=r.opt_date)
    formal_agreement: bool = attrs.field(validator=r.a_bool)
    agreement_date: date | None = attrs.field(default=None, validator=r.opt_date)
    colocation_days: float = attrs.field(validator=r.between(0, 7))
    desk_access: bool = attrs.field(validator=r.a_bool)
    it_access: bool = attrs.field(validator=r.a_bool)
    records_access: bool = attrs.field(validator=r.a_bool)
    line_management: LineManagement = attrs.field(validator=r.one_of(LineManagement))
    host_in_recruitment: bool = attrs.field(validator=r.a_bool)

    def __attrs_post_init__(self) -> None:
        r.end_not_before("start")(self)
        if self.agreement_date is not None and not self.formal_agreement:
            raise ModelError(
                "HostingArrangement",
                "agreement_date",
                "is set but formal_agreement is false",
                self.agreement_date,
            )

    @property
    def systems_access(self) -> int:
        """How many of desk, IT network and case records the spoke can use (0 to 3)."""
        return int(self.desk_access) + int(self.it_access) + int(self.records_access)


@attrs.frozen(kw_only=True)
class FundingArrangement:
    """Money from a funder for a spoke (or a hub), ``amount_gbp`` over ``[start, end]``.

    Exactly one of ``spoke_id`` and ``hub_id`` is set. Amounts are GBP for the
    whole arrangement; prorate by days of overlap for a period.
    """

    id: str = attrs.field(validator=r.ident)
    funder_id: str = attrs.field(validator=r.ident)
    spoke_id: str | None = attrs.field(default=None, validator=r.opt_ident)
    hub_id: str | None = attrs.field(default=None, validator=r.opt_ident)
    source: FundingSourceKind = attrs.field(validator=r.one_of(FundingSourceKind))
    amount_gbp: float = attrs.field(validator=r.amount)
    start: date = attrs.field(validator=r.a_date)
    end: date = attrs.field(validator=r.a_date)
    conditions: frozenset[FundingCondition] = attrs.field(
        default=frozenset(), converter=r.to_frozenset
    )
    dedicated: bool = attrs.field(default=True, validator=r.a_bool)

    def __attrs_post_init__(self) -> None:
        r.end_not_before("start")(self)
        if (self.spoke_id is None) == (self.hub_id is None):
            raise ModelError(
                "FundingArrangement",
                "spoke_id",
                "exactly one of spoke_id and hub_id must be set",
                (self.spoke_id, self.hub_id),
            )
        for c in self.conditions:
            if not isinstance(c, FundingCondition):
                raise ModelError(
                    "FundingArrangement", "conditions", "must be funding conditions", c
                )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def amount_during(self, period: Period) -> float:
        """The amount prorated to ``period`` by days of overlap (GBP)."""
        from hubspoke.model.dated import overlap_days

        return self.amount_gbp * overlap_days(self, period) / self.days

    @property
    def months(self) -> float:
        """Length in months (days x 12 / 365.25)."""
        return self.days * 12 / 365.25


@attrs.frozen(kw_only=True)
class Post:
    """A funded post in a spoke, from ``start`` to ``end``; ``fte`` in (0, 1.5]."""

    id: str = attrs.field(validator=r.ident)
    spoke_id: str = attrs.field(validator=r.ident)
    role: PostRole = attrs.field(validator=r.one_of(PostRole))
    fte: float = attrs.field(validator=r.between(0, 1.5, low_open=True))
    start: date = attrs.field(validator=r.a_date)
    end: date | None = attrs.field(default=None, validator=r.opt_date)

    def __attrs_post_init__(self) -> None:
        r.end_not_before("start")(self)


@attrs.frozen(kw_only=True)
class Occupancy:
    """A (pseudonymous) worker holding a post from ``start`` to ``end``.

    Gaps between occupancies are vacancies; more than one occupancy of a
    post is turnover.
    """

    post_id: str = attrs.field(validator=r.ident)
    worker_id: str = attrs.field(validator=r.ident)
    start: date = attrs.field(validator=r.a_date)
    end: date | None = attrs.field(default=None, validator=r.opt_date)
    qualification: Qualification = attrs.field(validator=r.one_of(Qualification))
    transferred_from_hub: bool = attrs.field(validator=r.a_bool)
    recruitment_rounds: int = attrs.field(default=1, validator=r.between(0, 20))

    def __attrs_post_init__(self) -> None:
        r.end_not_before("start")(self)


@attrs.frozen(kw_only=True)
class SupervisionSession:
    """One supervision session of a post's holder on a day."""

    post_id: str = attrs.field(validator=r.ident)
    on: date = attrs.field(validator=r.a_date)
    kind: SupervisionKind = attrs.field(validator=r.one_of(SupervisionKind))


@attrs.frozen(kw_only=True)
class ExpectedReturn:
    """A return the evaluation expects from ``service_id`` for ``period``, due ``due_on``."""

    service_id: str = attrs.field(validator=r.ident)
    period: Period = attrs.field(validator=attrs.validators.instance_of(Period))
    due_on: date = attrs.field(validator=r.a_date)

    def __attrs_post_init__(self) -> None:
        if self.due_on < self.period.end:
            raise ModelError(
                "ExpectedReturn", "due_on", "must not be before the period ends", self.due_on
            )
