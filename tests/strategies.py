"""Hypothesis strategies for every model class, and for whole valid programmes and returns.

Sizes are kept small so properties stay fast. :func:`programmes` builds
programmes whose references are consistent (``Programme.validate()`` finds
nothing), with non-overlapping hosting and occupancies.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar

from hypothesis import strategies as st

from hubspoke.codes import (
    ActivityKind,
    FunderKind,
    FundingCondition,
    FundingSourceKind,
    GoalStatus,
    HostKind,
    LineManagement,
    PlacementType,
    PostRole,
    Qualification,
    SupervisionKind,
    age_band_for,
    code_list,
)
from hubspoke.measures import DIMENSIONS, measures
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
from hubspoke.periods import (
    Period,
    calendar_quarter,
    date_range,
    financial_quarter,
    financial_year,
)

T = TypeVar("T")
Draw = Callable[[st.SearchStrategy[T]], T]

MIN_DAY = date(2005, 1, 1)
MAX_DAY = date(2030, 12, 31)

_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
idents = st.builds(
    str.__add__,
    st.sampled_from(_ALNUM),
    st.text(alphabet=_ALNUM + "_.:-", max_size=11),
)
texts = st.text(min_size=1, max_size=16).filter(lambda s: bool(s.strip()))
days = st.dates(min_value=MIN_DAY, max_value=MAX_DAY)
amounts = st.one_of(
    st.integers(min_value=0, max_value=10**7),
    st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False),
)
counts = st.integers(min_value=0, max_value=500)
scores = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
sha256s = st.binary(min_size=32, max_size=32).map(bytes.hex)
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
timestamps = st.datetimes(
    min_value=datetime(2005, 1, 1), max_value=datetime(2030, 12, 31), timezones=offsets
)


def codes(list_name: str) -> st.SearchStrategy[str]:
    """A code value of the named code list."""
    return st.sampled_from(code_list(list_name).values)


def optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


def small_tuples(strategy: st.SearchStrategy[T], max_size: int = 3) -> st.SearchStrategy[Any]:
    return st.lists(strategy, max_size=max_size).map(tuple)


years = st.integers(min_value=2005, max_value=2029)
quarters = st.integers(min_value=1, max_value=4)


@st.composite
def ranges(draw: Draw[Any]) -> Period:
    start = draw(days)
    return date_range(start, start + timedelta(days=draw(st.integers(0, 400))))


periods: st.SearchStrategy[Period] = st.one_of(
    st.builds(financial_year, years),
    st.builds(financial_quarter, years, quarters),
    st.builds(calendar_quarter, years, quarters),
    ranges(),
)


@st.composite
def spans(draw: Draw[Any], *, open_end: bool = True) -> tuple[date, date | None]:
    """``(start, end)`` with ``end`` not before ``start`` (None when ``open_end`` allows)."""
    start = draw(days)
    length = draw(st.integers(min_value=0, max_value=1500))
    end = start + timedelta(days=length)
    if open_end and draw(st.booleans()):
        return start, None
    return start, end


# -- structure ----------------------------------------------------------------------------

funders = st.builds(Funder, id=idents, name=texts, kind=st.sampled_from(FunderKind))


@st.composite
def phases(draw: Draw[Any], number: st.SearchStrategy[int] | None = None) -> Phase:
    return Phase(
        number=draw(number if number is not None else st.integers(1, 9)),
        planned_start=draw(days),
        actual_start=draw(optional(days)),
    )


def hubs(
    id: st.SearchStrategy[str] = idents, phase: st.SearchStrategy[int] | None = None
) -> st.SearchStrategy[Hub]:
    return st.builds(
        Hub,
        id=id,
        organisation=texts,
        service_name=texts,
        region=texts,
        phase=phase if phase is not None else st.integers(1, 9),
        manager_post_funded=st.booleans(),
    )


la_codes = st.builds(
    "{}{}{:06d}".format,
    st.sampled_from("EW"),
    st.sampled_from(["06", "07", "08", "09", "10"]),
    st.integers(0, 999_999),
)
local_areas = st.builds(LocalArea, code=la_codes, name=texts)


@st.composite
def spokes(
    draw: Draw[Any], id: st.SearchStrategy[str] = idents, hub_id: st.SearchStrategy[str] = idents
) -> Spoke:
    planned_start, planned_end = draw(spans())
    actual_start = draw(optional(days))
    start = actual_start or planned_start
    actual_end = draw(optional(st.dates(min_value=start, max_value=MAX_DAY)))
    return Spoke(
        id=draw(id),
        hub_id=draw(hub_id),
        area=draw(local_areas),
        placement=draw(st.sampled_from(PlacementType)),
        planned_start=planned_start,
        actual_start=actual_start,
        planned_end=planned_end,
        actual_end=actual_end,
    )


host_agencies = st.builds(
    HostAgency, id=idents, name=texts, kind=st.sampled_from(HostKind), statutory=st.booleans()
)


@st.composite
def hosting_arrangements(
    draw: Draw[Any],
    id: st.SearchStrategy[str] = idents,
    spoke_id: st.SearchStrategy[str] = idents,
    host_id: st.SearchStrategy[str] = idents,
    span: tuple[date, date | None] | None = None,
) -> HostingArrangement:
    start, end = span if span is not None else draw(spans())
    formal = draw(st.booleans())
    return HostingArrangement(
        id=draw(id),
        spoke_id=draw(spoke_id),
        host_id=draw(host_id),
        start=start,
        end=end,
        formal_agreement=formal,
        agreement_date=draw(optional(days)) if formal else None,
        colocation_days=draw(st.one_of(st.integers(0, 7), st.floats(0, 7, allow_nan=False))),
        desk_access=draw(st.booleans()),
        it_access=draw(st.booleans()),
        records_access=draw(st.booleans()),
        line_management=draw(st.sampled_from(LineManagement)),
        host_in_recruitment=draw(st.booleans()),
    )


@st.composite
def funding_arrangements(
    draw: Draw[Any],
    id: st.SearchStrategy[str] = idents,
    funder_id: st.SearchStrategy[str] = idents,
    spoke_id: st.SearchStrategy[str] = idents,
    hub_id: st.SearchStrategy[str] = idents,
    for_spoke: st.SearchStrategy[bool] | None = None,
) -> FundingArrangement:
    start, end = draw(spans(open_end=False))
    assert end is not None
    spoke_level = draw(for_spoke if for_spoke is not None else st.booleans())
    return FundingArrangement(
        id=draw(id),
        funder_id=draw(funder_id),
        spoke_id=draw(spoke_id) if spoke_level else None,
        hub_id=None if spoke_level else draw(hub_id),
        source=draw(st.sampled_from(FundingSourceKind)),
        amount_gbp=draw(amounts),
        start=start,
        end=end,
        conditions=draw(st.frozensets(st.sampled_from(FundingCondition))),
        dedicated=draw(st.booleans()),
    )


@st.composite
def posts(
    draw: Draw[Any], id: st.SearchStrategy[str] = idents, spoke_id: st.SearchStrategy[str] = idents
) -> Post:
    start, end = draw(spans())
    return Post(
        id=draw(id),
        spoke_id=draw(spoke_id),
        role=draw(st.sampled_from(PostRole)),
        fte=draw(st.floats(min_value=0.01, max_value=1.5, allow_nan=False)),
        start=start,
        end=end,
    )


@st.composite
def occupancies(
    draw: Draw[Any],
    post_id: st.SearchStrategy[str] = idents,
    span: tuple[date, date | None] | None = None,
) -> Occupancy:
    start, end = span if span is not None else draw(spans())
    return Occupancy(
        post_id=draw(post_id),
        worker_id=draw(idents),
        start=start,
        end=end,
        qualification=draw(st.sampled_from(Qualification)),
        transferred_from_hub=draw(st.booleans()),
        recruitment_rounds=draw(st.integers(0, 20)),
    )


def supervision_sessions(
    post_id: st.SearchStrategy[str] = idents,
) -> st.SearchStrategy[SupervisionSession]:
    return st.builds(
        SupervisionSession, post_id=post_id, on=days, kind=st.sampled_from(SupervisionKind)
    )


@st.composite
def expected_returns(
    draw: Draw[Any],
    service_id: st.SearchStrategy[str] = idents,
    period: st.SearchStrategy[Period] = periods,
) -> ExpectedReturn:
    p = draw(period)
    return ExpectedReturn(
        service_id=draw(service_id),
        period=p,
        due_on=p.end + timedelta(days=draw(st.integers(0, 90))),
    )


# -- return records -------------------------------------------------------------------------


@st.composite
def breakdowns(draw: Draw[Any]) -> dict[str, str]:
    dims = draw(st.lists(st.sampled_from(DIMENSIONS), max_size=3, unique=True))
    return {dim: draw(codes(dim)) for dim in dims}


data_values = st.builds(
    DataValue,
    measure=st.one_of(st.sampled_from(sorted(measures())), idents),
    breakdown=breakdowns(),
    value=amounts,
)

risk_assessments = st.builds(
    RiskAssessment,
    on=days,
    level=codes("risk_level"),
    tool=optional(texts),
    tool_version=optional(texts),
    score=optional(scores),
)


@st.composite
def case_records(draw: Draw[Any], case_id: st.SearchStrategy[str] = idents) -> CaseRecord:
    referral_date = draw(optional(days))
    closed_on = draw(optional(st.dates(min_value=referral_date or MIN_DAY, max_value=MAX_DAY)))
    age = draw(optional(st.integers(0, 25)))
    age_band = draw(st.sampled_from([None, age_band_for(age)] if age is not None else [None]))
    if age is None:
        age_band = draw(optional(codes("age_band")))
    return CaseRecord(
        case_id=draw(case_id),
        referral_date=referral_date,
        referral_source=draw(optional(codes("referral_source"))),
        risk_at_referral=draw(optional(codes("risk_level"))),
        risk_latest=draw(optional(codes("risk_level"))),
        reviews=draw(small_tuples(risk_assessments, 2)),
        gender=draw(optional(codes("gender"))),
        ethnicity=draw(optional(codes("ethnicity"))),
        sexuality=draw(optional(codes("sexuality"))),
        age=age,
        age_band=age_band,
        looked_after=draw(optional(st.booleans())),
        support_type=draw(optional(codes("support_type"))),
        missing_before=draw(optional(counts)),
        missing_after=draw(optional(counts)),
        closed_on=closed_on,
        closure_reason=draw(optional(codes("closure_reason"))) if closed_on else None,
    )


activities = st.builds(
    Activity,
    kind=st.sampled_from(ActivityKind),
    on=optional(days),
    audience_profession=optional(codes("profession")),
    attendees=counts,
    hours=amounts,
)


@st.composite
def outcome_records(draw: Draw[Any], case_id: st.SearchStrategy[str] = idents) -> OutcomeRecord:
    score = draw(optional(scores))
    status = draw(optional(st.sampled_from(GoalStatus)))
    if score is None and status is None:
        score = draw(scores)
    return OutcomeRecord(
        case_id=draw(case_id),
        instrument=draw(texts),
        on=draw(days),
        score=score,
        goal=draw(optional(texts)),
        goal_status=status,
        subject=draw(st.sampled_from(["young_person", "professional"])),
    )


provenances = st.builds(
    Provenance,
    source_file=texts,
    sha256=sha256s,
    importer=texts,
    importer_version=texts,
    imported_at=optional(st.one_of(timestamps, st.datetimes(min_value=datetime(2005, 1, 1)))),
    sheet=optional(texts),
)


def monitoring_returns(
    service_id: st.SearchStrategy[str] = idents,
    period: st.SearchStrategy[Period] = periods,
    max_records: int = 3,
) -> st.SearchStrategy[MonitoringReturn]:
    """A valid return with a few records of each kind."""
    return st.builds(
        MonitoringReturn,
        service_id=service_id,
        period=period,
        submitted_on=optional(days),
        provenance=optional(provenances),
        values=small_tuples(data_values, max_records),
        cases=small_tuples(case_records(), max_records),
        activities=small_tuples(activities, max_records),
        outcomes=small_tuples(outcome_records(), max_records),
        replaces_earlier=st.booleans(),
    )


# -- whole programmes -----------------------------------------------------------------------


@st.composite
def _sequential_spans(draw: Draw[Any], n: int) -> list[tuple[date, date | None]]:
    """``n`` non-overlapping spans in date order; only the last may be open-ended."""
    out: list[tuple[date, date | None]] = []
    cursor = draw(days)
    for i in range(n):
        start = cursor + timedelta(days=draw(st.integers(0, 60)))
        last = i == n - 1
        if last and draw(st.booleans()):
            out.append((start, None))
            break
        end = start + timedelta(days=draw(st.integers(0, 500)))
        out.append((start, end))
        cursor = end + timedelta(days=1)
    return out


@st.composite
def programmes(draw: Draw[Any], max_spokes: int = 4) -> Programme:
    """A programme whose references are all consistent (``validate()`` is empty)."""
    phase_numbers = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3, unique=True))
    phase_list = [draw(phases(st.just(n))) for n in phase_numbers]
    funder_list = [
        draw(st.builds(Funder, id=st.just(f"F{i}"), name=texts, kind=st.sampled_from(FunderKind)))
        for i in range(draw(st.integers(1, 3)))
    ]
    hub_list = [
        draw(hubs(id=st.just(f"H{i}"), phase=st.sampled_from(phase_numbers)))
        for i in range(draw(st.integers(1, 3)))
    ]
    hub_ids = [h.id for h in hub_list]
    spoke_list = [
        draw(spokes(id=st.just(f"S{i}"), hub_id=st.sampled_from(hub_ids)))
        for i in range(draw(st.integers(0, max_spokes)))
    ]
    spoke_ids = [s.id for s in spoke_list]
    host_list = [
        draw(
            st.builds(
                HostAgency,
                id=st.just(f"A{i}"),
                name=texts,
                kind=st.sampled_from(HostKind),
                statutory=st.booleans(),
            )
        )
        for i in range(draw(st.integers(1, 3)))
    ]
    host_ids = [h.id for h in host_list]

    hosting: list[HostingArrangement] = []
    post_list: list[Post] = []
    occupancy_list: list[Occupancy] = []
    for sid in spoke_ids:
        for span in draw(_sequential_spans(draw(st.integers(0, 2)))):
            hosting.append(
                draw(
                    hosting_arrangements(
                        id=st.just(f"HA{len(hosting)}"),
                        spoke_id=st.just(sid),
                        host_id=st.sampled_from(host_ids),
                        span=span,
                    )
                )
            )
        for _ in range(draw(st.integers(0, 2))):
            post = draw(posts(id=st.just(f"P{len(post_list)}"), spoke_id=st.just(sid)))
            post_list.append(post)
            for span in draw(_sequential_spans(draw(st.integers(0, 2)))):
                occupancy_list.append(draw(occupancies(post_id=st.just(post.id), span=span)))

    funding = [
        draw(
            funding_arrangements(
                id=st.just(f"FA{i}"),
                funder_id=st.sampled_from([f.id for f in funder_list]),
                spoke_id=st.sampled_from(spoke_ids) if spoke_ids else idents,
                hub_id=st.sampled_from(hub_ids),
                for_spoke=st.booleans() if spoke_ids else st.just(False),
            )
        )
        for i in range(draw(st.integers(0, 3)))
    ]
    post_ids = [p.id for p in post_list]
    supervision = (
        draw(st.lists(supervision_sessions(st.sampled_from(post_ids)), max_size=3))
        if post_ids
        else []
    )
    services = hub_ids + spoke_ids
    expected = draw(
        st.lists(
            expected_returns(service_id=st.sampled_from(services)),
            max_size=3,
            unique_by=lambda e: (e.service_id, e.period.start, e.period.end),
        )
    )
    return Programme(
        name=draw(texts),
        phases=tuple(phase_list),
        funders=tuple(funder_list),
        hubs=tuple(hub_list),
        spokes=tuple(spoke_list),
        hosts=tuple(host_list),
        hosting=tuple(hosting),
        funding=tuple(funding),
        posts=tuple(post_list),
        occupancies=tuple(occupancy_list),
        supervision=tuple(supervision),
        expected_returns=tuple(expected),
        grant_end=draw(optional(days)),
    )


#: Every model class with a strategy for it, for per-class round-trip properties.
MODEL_STRATEGIES: dict[type, st.SearchStrategy[Any]] = {
    Period: periods,
    Funder: funders,
    Phase: phases(),
    Hub: hubs(),
    LocalArea: local_areas,
    Spoke: spokes(),
    HostAgency: host_agencies,
    HostingArrangement: hosting_arrangements(),
    FundingArrangement: funding_arrangements(),
    Post: posts(),
    Occupancy: occupancies(),
    SupervisionSession: supervision_sessions(),
    ExpectedReturn: expected_returns(),
    DataValue: data_values,
    RiskAssessment: risk_assessments,
    CaseRecord: case_records(),
    Activity: activities,
    OutcomeRecord: outcome_records(),
    Provenance: provenances,
    MonitoringReturn: monitoring_returns(),
    Programme: programmes(),
}
