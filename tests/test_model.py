"""Tests for hubspoke.model: field rules, Programme.validate, dated questions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubspoke.codes import (
    ActivityKind,
    FunderKind,
    FundingSourceKind,
    HostKind,
    LineManagement,
    PlacementType,
    PostRole,
    Qualification,
    SupervisionKind,
)
from hubspoke.diagnostics import Severity
from hubspoke.errors import ModelError
from hubspoke.model import (
    Activity,
    CaseRecord,
    DataValue,
    ExpectedReturn,
    Funder,
    FundingArrangement,
    HostAgency,
    HostingArrangement,
    Hub,
    LocalArea,
    MonitoringReturn,
    Occupancy,
    OutcomeRecord,
    Phase,
    Post,
    Programme,
    Provenance,
    RiskAssessment,
    Spoke,
    SupervisionSession,
)
from hubspoke.periods import calendar_quarter, calendar_year, financial_quarter, financial_year
from strategies import programmes, spans

D = date


# -- valid examples of every class -----------------------------------------------------------


def _hub(**kw: Any) -> Hub:
    args: dict[str, Any] = {
        "id": "H1",
        "organisation": "Alder Trust",
        "service_name": "Alder CSE service",
        "region": "North",
        "phase": 1,
        "manager_post_funded": True,
    }
    return Hub(**(args | kw))


def _spoke(**kw: Any) -> Spoke:
    args: dict[str, Any] = {
        "id": "S1",
        "hub_id": "H1",
        "area": LocalArea(code="E06000123", name="Northmoor"),
        "placement": PlacementType.NEW_LOCAL_AUTHORITY,
        "planned_start": D(2015, 4, 1),
    }
    return Spoke(**(args | kw))


def _hosting(**kw: Any) -> HostingArrangement:
    args: dict[str, Any] = {
        "id": "HA1",
        "spoke_id": "S1",
        "host_id": "A1",
        "start": D(2015, 4, 1),
        "formal_agreement": True,
        "colocation_days": 3,
        "desk_access": True,
        "it_access": False,
        "records_access": True,
        "line_management": LineManagement.HUB,
        "host_in_recruitment": False,
    }
    return HostingArrangement(**(args | kw))


def _funding(**kw: Any) -> FundingArrangement:
    args: dict[str, Any] = {
        "id": "FA1",
        "funder_id": "F1",
        "spoke_id": "S1",
        "source": FundingSourceKind.INDEPENDENT_CHARITABLE,
        "amount_gbp": 36500,
        "start": D(2015, 4, 1),
        "end": D(2016, 3, 31),
    }
    return FundingArrangement(**(args | kw))


def _post(**kw: Any) -> Post:
    args: dict[str, Any] = {
        "id": "P1",
        "spoke_id": "S1",
        "role": PostRole.SPOKE_WORKER,
        "fte": 1.0,
        "start": D(2015, 4, 1),
    }
    return Post(**(args | kw))


def _occupancy(**kw: Any) -> Occupancy:
    args: dict[str, Any] = {
        "post_id": "P1",
        "worker_id": "W1",
        "start": D(2015, 4, 1),
        "qualification": Qualification.SOCIAL_WORK,
        "transferred_from_hub": False,
    }
    return Occupancy(**(args | kw))


def _maker(cls: type, **defaults: Any) -> Callable[..., Any]:
    """A builder of valid ``cls`` objects whose fields can be overridden."""

    def make(**kw: Any) -> Any:
        return cls(**(defaults | kw))

    return make


VALID: dict[type, Callable[..., Any]] = {
    Funder: _maker(Funder, id="F1", name="Birch Fund", kind=FunderKind.LOTTERY),
    Phase: _maker(Phase, number=1, planned_start=D(2013, 4, 1)),
    Hub: _hub,
    LocalArea: _maker(LocalArea, code="W06000011", name="Northmoor"),
    Spoke: _spoke,
    HostAgency: _maker(
        HostAgency, id="A1", name="Northmoor MASH", kind=HostKind.MULTI_AGENCY_TEAM, statutory=True
    ),
    HostingArrangement: _hosting,
    FundingArrangement: _funding,
    Post: _post,
    Occupancy: _occupancy,
    SupervisionSession: _maker(
        SupervisionSession, post_id="P1", on=D(2015, 5, 1), kind=SupervisionKind.CLINICAL
    ),
    ExpectedReturn: _maker(
        ExpectedReturn, service_id="S1", period=financial_year(2015), due_on=D(2016, 5, 1)
    ),
    DataValue: _maker(DataValue, measure="referrals_received", value=3),
    RiskAssessment: _maker(RiskAssessment, on=D(2015, 5, 1), level="high"),
    CaseRecord: _maker(CaseRecord, case_id="Case-0042"),
    Activity: _maker(Activity, kind=ActivityKind.GROUP_WORK),
    OutcomeRecord: _maker(
        OutcomeRecord, case_id="Case-0042", instrument="Outcome Star", on=D(2015, 6, 1), score=3.5
    ),
    Provenance: _maker(
        Provenance, source_file="q1.csv", sha256="a" * 64, importer="csv", importer_version="1"
    ),
    MonitoringReturn: _maker(MonitoringReturn, service_id="S1", period=financial_quarter(2015, 1)),
}


@pytest.mark.parametrize("cls", list(VALID), ids=lambda c: c.__name__)
def test_valid_examples_build(cls: type) -> None:
    assert isinstance(VALID[cls](), cls)


# -- invalid input names the field and the rule ---------------------------------------------

INVALID: list[tuple[type, dict[str, Any], str, str]] = [
    # negative counts
    (Activity, {"attendees": -1}, "attendees", "non-negative whole number"),
    (Activity, {"hours": -0.5}, "hours", "finite number >= 0"),
    (CaseRecord, {"missing_before": -2}, "missing_before", "non-negative whole number"),
    (CaseRecord, {"missing_after": 1.5}, "missing_after", "non-negative whole number"),
    (DataValue, {"value": -3}, "value", "finite number >= 0"),
    (DataValue, {"value": float("nan")}, "value", "finite number >= 0"),
    (FundingArrangement, {"amount_gbp": -1}, "amount_gbp", "finite number >= 0"),
    (Occupancy, {"recruitment_rounds": -1}, "recruitment_rounds", "must be in [0, 20]"),
    # end before start
    (Spoke, {"planned_end": D(2015, 3, 31)}, "planned_end", "must not be before planned_start"),
    (
        Spoke,
        {"actual_start": D(2015, 6, 1), "actual_end": D(2015, 5, 1)},
        "actual_end",
        "must not be before start",
    ),
    (HostingArrangement, {"end": D(2015, 3, 1)}, "end", "must not be before start"),
    (FundingArrangement, {"end": D(2015, 3, 31)}, "end", "must not be before start"),
    (Post, {"end": D(2014, 1, 1)}, "end", "must not be before start"),
    (Occupancy, {"end": D(2014, 1, 1)}, "end", "must not be before start"),
    (
        CaseRecord,
        {"referral_date": D(2015, 5, 1), "closed_on": D(2015, 4, 1)},
        "closed_on",
        "must not be before referral_date",
    ),
    (ExpectedReturn, {"due_on": D(2016, 1, 1)}, "due_on", "must not be before the period ends"),
    # FTE and colocation ranges
    (Post, {"fte": 0}, "fte", "must be in (0, 1.5]"),
    (Post, {"fte": 1.6}, "fte", "must be in (0, 1.5]"),
    (HostingArrangement, {"colocation_days": 8}, "colocation_days", "must be in [0, 7]"),
    (HostingArrangement, {"colocation_days": -1}, "colocation_days", "must be in [0, 7]"),
    # ONS codes and identifiers
    (LocalArea, {"code": "E12345678"}, "code", "ONS local authority code"),
    (LocalArea, {"code": "S12000033"}, "code", "ONS local authority code"),
    (Spoke, {"id": "has space"}, "id", "must be an identifier"),
    (Hub, {"id": ""}, "id", "must be an identifier"),
    (Hub, {"region": "  "}, "region", "non-blank string"),
    (Provenance, {"sha256": "ABC"}, "sha256", "64 lower-case hex digits"),
    # unknown code values and enums
    (CaseRecord, {"gender": "F"}, "gender", "must be a gender code"),
    (CaseRecord, {"ethnicity": "White"}, "ethnicity", "must be a ethnicity code"),
    (CaseRecord, {"risk_at_referral": "severe"}, "risk_at_referral", "risk_level code"),
    (RiskAssessment, {"level": None}, "level", "risk_level code"),
    (Activity, {"audience_profession": "plumber"}, "audience_profession", "profession code"),
    (Activity, {"kind": "one_to_one"}, "kind", "must be one of: one_to_one"),
    (Funder, {"kind": "bank"}, "kind", "must be one of: charitable_trust"),
    (HostAgency, {"kind": HostKind.POLICE.value}, "kind", "must be one of"),
    (DataValue, {"breakdown": {"gender": "7"}}, "breakdown", "'7' is not a gender code"),
    (DataValue, {"breakdown": {"shoe_size": "9"}}, "breakdown", "unknown dimension"),
    # other field rules
    (CaseRecord, {"age": 14, "age_band": "16-17"}, "age_band", "does not match age 14"),
    (CaseRecord, {"age": 30}, "age", "must be in [0, 25]"),
    (CaseRecord, {"closure_reason": "moved_away"}, "closure_reason", "closed_on is not"),
    (
        HostingArrangement,
        {"formal_agreement": False, "agreement_date": D(2015, 1, 1)},
        "agreement_date",
        "formal_agreement is false",
    ),
    (FundingArrangement, {"hub_id": "H1"}, "spoke_id", "exactly one of spoke_id and hub_id"),
    (OutcomeRecord, {"score": None}, "score", "one of score and goal_status"),
    (Hub, {"manager_post_funded": "yes"}, "manager_post_funded", "true or false"),
    (Phase, {"planned_start": "2013-04-01"}, "planned_start", "must be a date"),
    (MonitoringReturn, {"submitted_on": D(2015, 1, 1).isoformat()}, "submitted_on", "date"),
]


@pytest.mark.parametrize(
    ("cls", "bad", "field", "rule"),
    INVALID,
    ids=[f"{c.__name__}.{f}-{i}" for i, (c, _, f, _) in enumerate(INVALID)],
)
def test_invalid_input_names_the_field_and_rule(
    cls: type, bad: dict[str, Any], field: str, rule: str
) -> None:
    with pytest.raises(ModelError) as info:
        VALID[cls](**bad)
    assert info.value.cls_name == cls.__name__
    assert info.value.field == field
    assert rule in info.value.rule
    assert str(info.value).startswith(f"{cls.__name__}.{field}: ")


def test_model_objects_are_frozen() -> None:
    spoke = _spoke()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        spoke.id = "S2"  # type: ignore[misc]


def test_breakdown_is_normalised_to_sorted_pairs() -> None:
    value = DataValue(
        measure="referrals_received", breakdown={"gender": "2", "age_band": "13-15"}, value=2
    )
    assert value.breakdown == (("age_band", "13-15"), ("gender", "2"))
    assert value.dimensions == ("age_band", "gender")
    assert not value.is_total


def test_repeated_dimension_is_refused() -> None:
    with pytest.raises(ModelError, match="repeats a dimension"):
        DataValue(measure="m", breakdown=[("gender", "1"), ("gender", "2")], value=1)


# -- Programme.validate -----------------------------------------------------------------------


def _programme(**kw: Any) -> Programme:
    args: dict[str, Any] = {
        "name": "Northmoor alliance",
        "phases": (VALID[Phase](),),
        "funders": (VALID[Funder](),),
        "hubs": (_hub(),),
        "spokes": (_spoke(),),
        "hosts": (VALID[HostAgency](),),
        "hosting": (_hosting(),),
        "funding": (_funding(),),
        "posts": (_post(),),
        "occupancies": (_occupancy(),),
    }
    return Programme(**(args | kw))


def _found(p: Programme) -> list[tuple[str, str | None]]:
    return [(d.code, d.location.path) for d in p.validate()]


def test_consistent_programme_validates_clean() -> None:
    assert _programme().validate() == ()


@settings(max_examples=30)  # whole programmes are costly to generate
@given(programmes())
def test_generated_programmes_validate_clean(p: Programme) -> None:
    assert p.validate() == ()


def test_validate_reports_unknown_references_with_json_paths() -> None:
    p = _programme(
        spokes=(_spoke(), _spoke(id="S2", hub_id="H9")),
        hosting=(_hosting(), _hosting(id="HA2", spoke_id="S2", host_id="A9")),
        funding=(_funding(), _funding(id="FA2", funder_id="F9")),
        occupancies=(_occupancy(), _occupancy(post_id="P9", worker_id="W2")),
        supervision=(
            SupervisionSession(post_id="P8", on=D(2015, 5, 1), kind=SupervisionKind.MANAGERIAL),
        ),
        expected_returns=(
            ExpectedReturn(service_id="S7", period=financial_year(2015), due_on=D(2016, 5, 1)),
        ),
    )
    found = _found(p)
    assert ("unknown-hub", "$.spokes[1].hub_id") in found
    assert ("unknown-host", "$.hosting[1].host_id") in found
    assert ("unknown-funder", "$.funding[1].funder_id") in found
    assert ("unknown-post", "$.occupancies[1].post_id") in found
    assert ("unknown-post", "$.supervision[0].post_id") in found
    assert ("unknown-service", "$.expected_returns[0].service_id") in found
    assert all(d.severity is Severity.ERROR for d in p.validate())
    messages = [d.message for d in p.validate()]
    assert "spoke 'S2' names hub 'H9', which does not exist" in messages


def test_validate_reports_overlapping_hosting_of_one_spoke() -> None:
    p = _programme(
        hosting=(
            _hosting(end=D(2016, 3, 31)),
            _hosting(id="HA2", start=D(2016, 1, 1)),
            _hosting(id="HA3", spoke_id="S1", start=D(2017, 1, 1)),
        )
    )
    found = _found(p)
    assert ("overlapping-hosting", "$.hosting[1].start") in found
    # HA2 has no end, so HA3 overlaps it too
    assert ("overlapping-hosting", "$.hosting[2].start") in found


def test_back_to_back_hosting_is_not_an_overlap() -> None:
    p = _programme(hosting=(_hosting(end=D(2016, 3, 31)), _hosting(id="HA2", start=D(2016, 4, 1))))
    assert p.validate() == ()


def test_validate_reports_duplicate_ids_and_unknown_phase() -> None:
    p = _programme(hubs=(_hub(), _hub(phase=3)), funders=(VALID[Funder](),) * 2)
    found = _found(p)
    assert ("duplicate-id", "$.hubs[1].id") in found
    assert ("duplicate-id", "$.funders[1].id") in found
    assert ("unknown-phase", "$.hubs[1].phase") in found


# -- dated questions ------------------------------------------------------------------------


def test_hosting_on_a_day_prefers_the_arrangement_in_force() -> None:
    first = _hosting(end=D(2016, 3, 31))
    second = _hosting(id="HA2", host_id="A2", start=D(2016, 4, 1))
    p = _programme(hosting=(second, first))
    assert p.hosting_on("S1", D(2015, 3, 31)) is None
    assert p.hosting_on("S1", D(2015, 4, 1)) == first
    assert p.hosting_on("S1", D(2016, 3, 31)) == first
    assert p.hosting_on("S1", D(2016, 4, 1)) == second
    assert p.hosting_on("S1", D(2030, 1, 1)) == second
    assert p.hosting_on("S2", D(2016, 4, 1)) is None
    assert p.hosting_during("S1", financial_year(2015)) == (first,)
    assert p.hosting_during("S1", calendar_quarter(2016, 1)) == (first,)
    assert p.hosting_during("S1", calendar_quarter(2016, 2)) == (second,)


def test_funding_during_a_period_and_prorating() -> None:
    year = _funding()  # 2015-04-01 to 2016-03-31, 366 days (2016 is a leap year)
    later = _funding(
        id="FA2",
        start=D(2016, 4, 1),
        end=D(2017, 3, 31),
        source=FundingSourceKind.STATUTORY_CONTRACT,
    )
    hub_level = _funding(id="FA3", spoke_id=None, hub_id="H1")
    p = _programme(funding=(later, hub_level, year))
    assert p.funding_during("S1", financial_year(2015)) == (year,)
    assert p.funding_during("S1", financial_year(2016)) == (later,)
    assert p.funding_during("S1", calendar_year(2016)) == (year, later)
    assert p.funding_during("S1", financial_year(2014)) == ()
    q1 = financial_quarter(2015, 1)  # Apr-Jun 2015: 91 days
    assert year.amount_during(q1) == pytest.approx(36500 * 91 / 366)
    assert year.amount_during(financial_year(2015)) == pytest.approx(36500)


def test_post_days_counts_existence_and_filled_days() -> None:
    post = _post(start=D(2015, 4, 1), end=D(2016, 3, 31))
    occupancies = (
        _occupancy(start=D(2015, 4, 1), end=D(2015, 4, 30)),  # 30 days
        _occupancy(worker_id="W2", start=D(2015, 6, 1)),  # open-ended, clipped by post end
    )
    p = _programme(posts=(post,), occupancies=occupancies)
    q1 = financial_quarter(2015, 1)  # Apr-Jun: 91 days, filled April (30) + June (30)
    assert p.post_days("S1", q1) == (91, 60)
    assert p.post_days("S1", financial_year(2015)) == (366, 30 + 305)
    assert p.post_days("S1", financial_year(2016)) == (0, 0)
    assert p.post_days("S9", q1) == (0, 0)


def test_occupancy_outside_its_post_fills_nothing() -> None:
    post = _post(start=D(2015, 4, 1), end=D(2015, 6, 30))
    early = _occupancy(start=D(2014, 1, 1), end=D(2014, 12, 31))
    p = _programme(posts=(post,), occupancies=(early,))
    assert p.post_days("S1", financial_year(2015)) == (91, 0)


def test_fte_and_supervision_during() -> None:
    half = _post(id="P2", fte=0.5, start=D(2015, 10, 1))
    sessions = (
        SupervisionSession(post_id="P2", on=D(2015, 11, 2), kind=SupervisionKind.CLINICAL),
        SupervisionSession(post_id="P1", on=D(2015, 5, 2), kind=SupervisionKind.HUB_VISIT),
        SupervisionSession(post_id="P1", on=D(2016, 5, 2), kind=SupervisionKind.HUB_VISIT),
    )
    p = _programme(posts=(_post(), half), supervision=sessions)
    assert p.fte_on("S1", D(2015, 9, 30)) == 1.0
    assert p.fte_on("S1", D(2015, 10, 1)) == 1.5
    assert p.supervision_during("S1", financial_year(2015)) == sessions[1::-1]


def test_overlap_with_a_long_earlier_arrangement_is_reported_too() -> None:
    """C overlaps A even though it does not overlap B, the arrangement just before it."""
    p = _programme(
        hosting=(
            _hosting(id="HA-A", end=D(2020, 3, 31)),
            _hosting(id="HA-B", start=D(2016, 1, 1), end=D(2016, 6, 30)),
            _hosting(id="HA-C", start=D(2017, 1, 1)),
        ),
        occupancies=(
            _occupancy(worker_id="W1", end=D(2020, 3, 31)),
            _occupancy(worker_id="W2", start=D(2016, 1, 1), end=D(2016, 6, 30)),
            _occupancy(worker_id="W3", start=D(2017, 1, 1)),
        ),
    )
    found = _found(p)
    assert ("overlapping-hosting", "$.hosting[1].start") in found
    assert ("overlapping-hosting", "$.hosting[2].start") in found
    assert ("overlapping-occupancy", "$.occupancies[1].start") in found
    assert ("overlapping-occupancy", "$.occupancies[2].start") in found
    messages = [d.message for d in p.validate()]
    assert "hosting 'HA-C' starts before hosting 'HA-A' of the same spoke ends" in messages


@given(st.lists(spans(), min_size=1, max_size=5))
def test_hosting_overlap_is_reported_exactly_when_two_arrangements_share_a_day(
    windows: list[tuple[date, date | None]],
) -> None:
    hosting = tuple(
        _hosting(id=f"HA{i}", start=start, end=end) for i, (start, end) in enumerate(windows)
    )
    far = date.max

    def share_a_day(a: HostingArrangement, b: HostingArrangement) -> bool:
        return a.start <= (b.end or far) and b.start <= (a.end or far)

    expected = any(share_a_day(a, b) for i, a in enumerate(hosting) for b in hosting[i + 1 :])
    found = [d for d in _programme(hosting=hosting).validate() if d.code == "overlapping-hosting"]
    assert bool(found) == expected
    # every arrangement that overlaps one starting earlier is named
    flagged = {d.location.path for d in found}
    for j, b in enumerate(hosting):
        earlier = [a for a in hosting if (a.start, a.id) < (b.start, b.id)]
        if any(share_a_day(a, b) for a in earlier):
            assert f"$.hosting[{j}].start" in flagged
