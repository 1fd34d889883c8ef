"""The measures catalogue: what aggregate returns may report, in which unit, broken down how.

Plugins add measures through the ``hubspoke_register_measures`` hook;
:func:`register_measure` is what the plugin manager calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

import attrs

from hubspoke.errors import CodeError

if TYPE_CHECKING:
    from hubspoke.model import Programme
    from hubspoke.periods import Period

Unit = Literal["count", "distinct_count", "hours", "gbp", "sessions"]

#: Units whose values must be whole numbers.
WHOLE_UNITS: frozenset[str] = frozenset({"count", "distinct_count", "sessions"})

#: Dimensions a breakdown may use; each is also the name of a code list.
DIMENSIONS: tuple[str, ...] = (
    "gender",
    "ethnicity",
    "age_band",
    "referral_source",
    "risk_level",
    "profession",
    "sexuality",
    "support_type",
    "closure_reason",
    "supervision_kind",
)

#: Where a return's figure for a measure may come from (see ``docs/indicators.md``):
#: its reported total; the sum of its breakdown over one dimension; its activity
#: records; its case records.
SOURCES: tuple[str, ...] = ("reported", "breakdown", "activities", "cases")


def _sources_rule(
    instance: object, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]
) -> None:
    if (
        not isinstance(value, tuple)
        or not value
        or len(set(value)) != len(value)
        or any(v not in SOURCES for v in value)
    ):
        raise CodeError(
            f"measure sources must be a non-empty tuple of distinct names among "
            f"{', '.join(SOURCES)}; got {value!r}"
        )


@attrs.frozen(kw_only=True)
class Measure:
    """A measure: ``id``, ``label``, ``unit``, allowed breakdown ``dimensions``.

    ``aliases`` are free-text labels seen in returns ("No. of young people
    supported 1:1"), used by importers that read label/value rows.
    ``outcome`` names the key outcome measure (1-6) it evidences, if any.
    ``sources`` is the precedence of a return's figure for the measure: the
    first of them the return has is used, and the others are reconciled
    against it (:mod:`hubspoke.figures.sources`). A source a measure cannot
    have (activity or case records, for most) is skipped.
    """

    id: str
    label: str
    unit: Unit
    dimensions: frozenset[str] = frozenset()
    aliases: tuple[str, ...] = ()
    description: str = ""
    outcome: int | None = None
    sources: tuple[str, ...] = attrs.field(default=SOURCES, validator=_sources_rule)

    @property
    def whole(self) -> bool:
        """True when values must be whole numbers."""
        return self.unit in WHOLE_UNITS


_REFERRAL_DIMS = frozenset({"referral_source", "risk_level", "gender", "age_band", "ethnicity"})
_PEOPLE_DIMS = frozenset(
    {"gender", "age_band", "ethnicity", "sexuality", "risk_level", "support_type"}
)

BUILTIN_MEASURES: tuple[Measure, ...] = (
    Measure(
        id="referrals_received",
        label="Referrals received",
        unit="count",
        dimensions=_REFERRAL_DIMS,
        outcome=4,
        aliases=(
            "referrals",
            "no of referrals",
            "number of referrals received",
            "total referrals",
            "referrals received in period",
        ),
    ),
    Measure(
        id="referrals_accepted",
        label="Referrals accepted",
        unit="count",
        dimensions=_REFERRAL_DIMS,
        outcome=4,
        aliases=("referrals accepted", "no of referrals accepted", "accepted referrals"),
    ),
    Measure(
        id="young_people_one_to_one",
        label="Young people given one-to-one support",
        unit="distinct_count",
        dimensions=_PEOPLE_DIMS,
        outcome=4,
        description="Distinct young people given one-to-one support in the period.",
        # a distinct count: case ids are pooled across the period, so case
        # records come first (see docs/indicators.md)
        sources=("cases", "reported", "breakdown"),
        aliases=(
            "no of young people supported 1 1",
            "young people supported 1 1",
            "young people supported one to one",
            "1 1 young people",
            "number of young people receiving 1 1 support",
            "caseload",
        ),
    ),
    Measure(
        id="young_people_group_reached",
        label="Young people reached by group work, talks and sessions",
        unit="count",
        dimensions=frozenset({"gender", "age_band"}),
        outcome=4,
        aliases=(
            "young people reached through group work",
            "no of young people in groups",
            "young people reached by talks and sessions",
            "group work young people",
            "young people attending group sessions",
        ),
    ),
    Measure(
        id="professionals_trained",
        label="Professionals trained",
        unit="count",
        dimensions=frozenset({"profession"}),
        outcome=5,
        aliases=(
            "no of professionals trained",
            "professionals trained",
            "number of professionals receiving training",
        ),
    ),
    Measure(
        id="professionals_awareness",
        label="Professionals attending awareness sessions",
        unit="count",
        dimensions=frozenset({"profession"}),
        outcome=5,
        aliases=(
            "professionals attending awareness sessions",
            "awareness raising attendees",
            "no of professionals at awareness sessions",
        ),
    ),
    Measure(
        id="agencies_reached",
        label="Agencies reached by training and awareness",
        unit="count",
        outcome=5,
        aliases=("no of agencies reached", "agencies reached", "agencies trained"),
    ),
    Measure(
        id="training_sessions",
        label="Training sessions delivered",
        unit="sessions",
        outcome=5,
        aliases=(
            "no of training sessions delivered",
            "training sessions",
            "training sessions delivered",
        ),
    ),
    Measure(
        id="awareness_sessions",
        label="Awareness sessions delivered",
        unit="sessions",
        outcome=5,
        aliases=(
            "no of awareness raising sessions",
            "awareness sessions delivered",
            "awareness raising sessions",
        ),
    ),
    Measure(
        id="multi_agency_meetings_held",
        label="Multi-agency CSE meetings held",
        unit="sessions",
        outcome=2,
        aliases=("multi agency cse meetings held", "mase meetings held", "cse meetings held"),
    ),
    Measure(
        id="multi_agency_meetings_attended",
        label="Multi-agency CSE meetings attended",
        unit="sessions",
        outcome=2,
        aliases=(
            "multi agency cse meetings attended",
            "mase meetings attended",
            "cse meetings attended",
            "no of multi agency meetings attended",
        ),
    ),
    Measure(
        id="supervision_sessions",
        label="Supervision sessions",
        unit="sessions",
        dimensions=frozenset({"supervision_kind"}),
        outcome=1,
        aliases=("supervision sessions", "no of supervision sessions"),
    ),
    Measure(
        id="cases_closed",
        label="Cases closed",
        unit="count",
        dimensions=frozenset({"closure_reason"}),
        outcome=6,
        aliases=("cases closed", "no of cases closed", "closures"),
    ),
    Measure(
        id="risk_reduced_at_closure",
        label="Cases whose risk reduced by closure",
        unit="count",
        outcome=6,
        aliases=(
            "risk reduced",
            "risk reduced at closure",
            "no of young people whose risk reduced",
        ),
    ),
    Measure(
        id="risk_unchanged_at_closure",
        label="Cases whose risk was unchanged at closure",
        unit="count",
        outcome=6,
        aliases=("risk unchanged", "risk unchanged at closure", "risk stayed the same"),
    ),
    Measure(
        id="risk_increased_at_closure",
        label="Cases whose risk increased by closure",
        unit="count",
        outcome=6,
        aliases=("risk increased", "risk increased at closure", "risk escalated"),
    ),
    Measure(
        id="hours_direct_work",
        label="Hours of direct work with young people",
        unit="hours",
        outcome=3,
        aliases=("hours of direct work", "direct work hours", "hours direct work"),
    ),
    Measure(
        id="hours_training",
        label="Hours of training and awareness work",
        unit="hours",
        outcome=3,
        aliases=("hours of training", "training hours"),
    ),
    Measure(
        id="hours_other_duties",
        label="Hours of other duties",
        unit="hours",
        outcome=3,
        aliases=(
            "hours of other duties",
            "other duties hours",
            "hours on other duties",
            "non cse hours",
        ),
    ),
)

_REGISTRY: dict[str, Measure] = {m.id: m for m in BUILTIN_MEASURES}


def measure(measure_id: str) -> Measure:
    """The measure with this id; :class:`CodeError` listing the known ids if none."""
    try:
        return _REGISTRY[measure_id]
    except KeyError:
        raise CodeError(
            f"no measure {measure_id!r}; known: {', '.join(sorted(_REGISTRY))}"
        ) from None


def measures() -> Mapping[str, Measure]:
    """Every registered measure by id (a copy)."""
    return dict(_REGISTRY)


def register_measure(m: Measure, *, replace: bool = False) -> None:
    """Add a measure (plugins do this through ``hubspoke_register_measures``)."""
    unknown = set(m.dimensions) - set(DIMENSIONS)
    if unknown:
        raise CodeError(f"measure {m.id!r} uses unknown dimensions {sorted(unknown)}")
    if m.id in _REGISTRY and not replace:
        raise CodeError(f"measure {m.id!r} is already registered")
    _REGISTRY[m.id] = m


def measure_for_label(text: str) -> Measure | None:
    """The measure whose id, label or alias matches ``text`` (normalised), or None."""
    from hubspoke.codes import normalise

    key = normalise(text)
    for m in _REGISTRY.values():
        if key in {normalise(m.id), normalise(m.label), *(normalise(a) for a in m.aliases)}:
            return m
    return None


# -- measures derived from the programme, not reported -----------------------------------


@attrs.frozen(kw_only=True)
class ProgrammeMeasure:
    """A key-outcome measure counted from the programme's structure, never from returns."""

    id: str
    label: str
    outcome: int
    description: str


#: Outcome 4's areas measure: the one definition every output uses.
NEW_AREAS = ProgrammeMeasure(
    id="new_areas",
    label="New local authority areas",
    outcome=4,
    description=(
        "distinct local authority areas where a spoke is placed in a new local authority "
        "(placement new_local_authority), counting spokes active in the period; a spoke "
        "placed in its hub's own authority extends a service already there and is not a "
        "new area"
    ),
)

#: The label for the count of every area with a spoke, new or not (never ``new_areas``).
AREAS_SERVED_LABEL = "local authority areas served (new and the hubs' own)"


def new_area_codes(programme: Programme, period: Period | None = None) -> frozenset[str]:
    """Area codes counted by :data:`NEW_AREAS` (spokes active in ``period``, or ever)."""
    from hubspoke.codes import PlacementType
    from hubspoke.indicators.derive import spoke_active

    return frozenset(
        s.area.code
        for s in programme.spokes
        if s.placement is PlacementType.NEW_LOCAL_AUTHORITY
        and (period is None or spoke_active(s, period))
    )


def areas_served(programme: Programme) -> frozenset[str]:
    """Every distinct area with a spoke (:data:`AREAS_SERVED_LABEL`), new or not."""
    return frozenset(s.area.code for s in programme.spokes)


def label_of(measure_id: str) -> str:
    """The catalogue label of a reported or programme measure, else the id made readable."""
    found = _REGISTRY.get(measure_id)
    if found is not None:
        return found.label
    if measure_id == NEW_AREAS.id:
        return NEW_AREAS.label
    if measure_id == f"{NEW_AREAS.id}_change":
        return f"{NEW_AREAS.label}: change"
    return measure_id.replace("_", " ").capitalize()


#: Case-record fields a key outcome needs: field -> (outcome, what it cannot show without it).
KEY_OUTCOME_FIELDS: Mapping[str, tuple[int, str]] = {
    "risk_at_referral": (6, "the risk change (risk fell, stayed or rose)"),
    "risk_latest": (6, "the risk change (risk fell, stayed or rose)"),
    "missing_before": (6, "the change in missing episodes"),
    "missing_after": (6, "the change in missing episodes"),
}
