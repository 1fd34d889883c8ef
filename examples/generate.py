"""Generate the synthetic example programme and its monitoring returns.

Everything here is fictional: the services, places, agencies, funders and
young people are invented, and names are built from word lists so they read
as made up. The shape follows the real programme the library is modelled
on: a funders' alliance of 12 funders, 16 hubs in three phases (3, 5, 8)
starting in consecutive years, 53 spokes across 35 local authority areas,
hosts of several kinds, funding of several kinds (some spokes later moving
to statutory contracts), posts with vacancies and turnover, supervision logs,
annual returns from phase one and quarterly returns from later phases.

The output is deterministic for a seed. ``--scale`` multiplies the number of
hubs, spokes and areas and ``--years`` lengthens the programme, for
benchmarks.

Usage::

    python examples/generate.py                 # rewrite examples/programme.json and returns
    python examples/generate.py --scale 10 --years 5 --out /tmp/big
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path

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
from hubspoke.model import (
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
    Phase,
    Post,
    Programme,
    Spoke,
    SupervisionSession,
)
from hubspoke.periods import Period, financial_quarter, financial_year

HERE = Path(__file__).resolve().parent

_PLACE_FIRST = (
    "North",
    "East",
    "West",
    "South",
    "Upper",
    "Lower",
    "Mid",
    "Old",
    "New",
    "Great",
    "Little",
    "Far",
    "High",
    "Long",
    "Broad",
    "Stone",
    "Green",
    "Red",
    "White",
    "Black",
)
_PLACE_SECOND = (
    "moor",
    "bridge",
    "ford",
    "wick",
    "field",
    "dale",
    "holm",
    "stead",
    "thorpe",
    "by",
    "combe",
    "mere",
    "ley",
    "ham",
    "wold",
    "marsh",
    "cliffe",
    "haven",
    "gate",
    "brook",
)
_TREES = (
    "Alder",
    "Birch",
    "Cedar",
    "Damson",
    "Elder",
    "Fir",
    "Gorse",
    "Hazel",
    "Juniper",
    "Larch",
    "Maple",
    "Oak",
    "Rowan",
    "Sorrel",
    "Teasel",
    "Willow",
    "Yarrow",
    "Aspen",
)
_ORG_WORDS = (
    "Lantern",
    "Compass",
    "Harbour",
    "Waymark",
    "Keystone",
    "Beacon",
    "Anchor",
    "Bridge",
    "Pathway",
    "Haven",
    "Lighthouse",
    "Meridian",
    "Northstar",
    "Signpost",
    "Threshold",
    "Tideway",
)
_REGIONS = (
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)
_FUNDER_SUFFIX = ("Trust", "Foundation", "Charitable Trust", "Fund")

#: Relative frequencies of referral sources (DfE CIN codes) for CSE services.
_REFERRAL_SOURCES = (
    ("5A", 30),
    ("6", 22),
    ("2A", 12),
    ("3F", 8),
    ("1B", 6),
    ("8", 6),
    ("7", 5),
    ("5D", 4),
    ("1A", 3),
    ("2B", 2),
    ("4", 1),
    ("10", 1),
)
_ETHNICITIES = (
    ("WBRI", 70),
    ("MWBC", 5),
    ("WOTH", 4),
    ("APKN", 3),
    ("BCRB", 2),
    ("MOTH", 3),
    ("BAFR", 2),
    ("AOTH", 1),
    ("REFU", 3),
    ("NOBT", 7),
)
_SEXUALITY = (
    ("heterosexual", 40),
    ("bisexual", 4),
    ("gay_or_lesbian", 2),
    ("other", 1),
    ("declined", 8),
    ("not_recorded", 45),
)
_CLOSURE = (
    ("outcomes_achieved", 50),
    ("disengaged", 15),
    ("moved_away", 8),
    ("transferred", 12),
    ("age_limit", 5),
    ("other", 5),
    ("not_recorded", 5),
)
_PROFESSIONS = (
    ("social_work", 25),
    ("police", 18),
    ("education", 20),
    ("health", 12),
    ("residential_care", 8),
    ("foster_care", 6),
    ("youth_work", 5),
    ("night_time_economy", 3),
    ("voluntary_sector", 3),
)


def _pick(rng: random.Random, table: Sequence[tuple[str, int]]) -> str:
    values = [v for v, _ in table]
    weights = [w for _, w in table]
    return rng.choices(values, weights=weights)[0]


@attrs.frozen(kw_only=True)
class Shape:
    """How big a programme to make: ``scale`` multiplies hubs, spokes and areas."""

    scale: int = 1
    years: int = 3
    phase_hubs: tuple[int, ...] = (3, 5, 8)
    spokes_per_scale: int = 53
    areas_per_scale: int = 35
    first_year: int = 2013


def _place_names(rng: random.Random, n: int) -> list[str]:
    names = [f"{a}{b}" for a in _PLACE_FIRST for b in _PLACE_SECOND]
    rng.shuffle(names)
    if n > len(names):
        names += [f"{name} {i}" for i in range(2, n // len(names) + 2) for name in names]
    return [n_.replace("Northmoor", "North Moor") for n_ in names[:n]]


def generate_programme(seed: int = 2015, shape: Shape = Shape()) -> Programme:
    """A synthetic programme shaped like the real one (deterministic for ``seed``)."""
    rng = random.Random(seed)
    n_phases = len(shape.phase_hubs)
    phases = tuple(
        Phase(
            number=i + 1,
            planned_start=date(shape.first_year + i, 4, 1),
            # in reality each phase started later than planned
            actual_start=date(shape.first_year + i, 10, 1)
            if i == 0
            else date(shape.first_year + i + 1, 4, 1),
        )
        for i in range(n_phases)
    )
    funders = [
        Funder(
            id=f"F{i + 1:02d}",
            name=f"{_TREES[i % len(_TREES)]} {_FUNDER_SUFFIX[i % len(_FUNDER_SUFFIX)]}"
            + (f" {i // len(_TREES) + 1}" if i >= len(_TREES) else ""),
            kind=FunderKind.LOTTERY if i == 2 else FunderKind.CHARITABLE_TRUST,
        )
        for i in range(12)
    ]
    n_areas = shape.areas_per_scale * shape.scale
    area_names = _place_names(rng, n_areas)
    areas = [
        LocalArea(code=f"E{('06', '07', '08', '09', '10')[i % 5]}{900000 + i:06d}", name=name)
        for i, name in enumerate(area_names)
    ]
    # statutory commissioners for some areas (spokes later move to their contracts)
    for i, area in enumerate(areas[: max(6, n_areas // 4)]):
        funders.append(
            Funder(
                id=f"C{i + 1:02d}",
                name=f"{area.name} Council (fictional)",
                kind=FunderKind.STATUTORY_COMMISSIONER,
            )
        )
    pcc = Funder(
        id="PCC01",
        name="Fictional Police and Crime Commissioner",
        kind=FunderKind.POLICE_AND_CRIME_COMMISSIONER,
    )
    funders.append(pcc)

    hubs: list[Hub] = []
    n = 0
    for phase in phases:
        for _ in range(shape.phase_hubs[phase.number - 1] * shape.scale):
            word = _ORG_WORDS[n % len(_ORG_WORDS)]
            suffix = f" {n // len(_ORG_WORDS) + 1}" if n >= len(_ORG_WORDS) else ""
            hubs.append(
                Hub(
                    id=f"H{n + 1:02d}",
                    organisation=f"{word} Children's Charity{suffix}",
                    service_name=f"{word} CSE Service{suffix}",
                    region=_REGIONS[n % len(_REGIONS)],
                    phase=phase.number,
                    manager_post_funded=rng.random() < 0.6,
                )
            )
            n += 1

    # spokes: every hub gets at least 2, the rest at random; each spoke an area
    n_spokes = shape.spokes_per_scale * shape.scale
    per_hub = [2] * len(hubs)
    for _ in range(n_spokes - sum(per_hub)):
        per_hub[rng.randrange(len(hubs))] += 1
    area_cycle = list(range(n_areas)) + [rng.randrange(n_areas) for _ in range(n_spokes)]
    spokes: list[Spoke] = []
    hosts: list[HostAgency] = []
    hosting: list[HostingArrangement] = []
    funding: list[FundingArrangement] = []
    posts: list[Post] = []
    occupancies: list[Occupancy] = []
    supervision: list[SupervisionSession] = []
    expected: list[ExpectedReturn] = []
    host_kinds = (
        (HostKind.CHILDRENS_SOCIAL_CARE, 30),
        (HostKind.POLICE, 20),
        (HostKind.MULTI_AGENCY_TEAM, 20),
        (HostKind.HEALTH, 8),
        (HostKind.EDUCATION, 6),
        (HostKind.YOUTH_JUSTICE, 6),
        (HostKind.VOLUNTARY_ORGANISATION, 10),
    )
    phase_by_number = {p.number: p for p in phases}
    k = 0
    for hub, count in zip(hubs, per_hub, strict=True):
        phase = phase_by_number[hub.phase]
        for _ in range(count):
            area = areas[area_cycle[k]]
            sid = f"S{k + 1:02d}"
            planned_start = phase.planned_start
            delay_months = rng.choice((0, 1, 2, 3, 4, 6, 9))
            actual_start = _add_months(phase.start, delay_months)
            planned_end = _add_months(planned_start, 36) - timedelta(days=1)
            actual_end = _add_months(actual_start, 36) - timedelta(days=1)
            spokes.append(
                Spoke(
                    id=sid,
                    hub_id=hub.id,
                    area=area,
                    placement=PlacementType.NEW_LOCAL_AUTHORITY
                    if rng.random() < 0.85
                    else PlacementType.NEW_AREA_IN_HUB_AUTHORITY,
                    planned_start=planned_start,
                    actual_start=actual_start,
                    planned_end=planned_end,
                    actual_end=actual_end,
                )
            )
            kind = HostKind(_pick(rng, [(h.value, w) for h, w in host_kinds]))
            host = HostAgency(
                id=f"A{k + 1:02d}",
                name=f"{area.name} {_host_label(kind)}",
                kind=kind,
                statutory=kind is not HostKind.VOLUNTARY_ORGANISATION,
            )
            hosts.append(host)
            formal = rng.random() < 0.7
            line = LineManagement(_pick(rng, [("hub", 60), ("shared", 30), ("host", 10)]))
            hosting.append(
                HostingArrangement(
                    id=f"HA{k + 1:02d}",
                    spoke_id=sid,
                    host_id=host.id,
                    start=actual_start,
                    end=None,
                    formal_agreement=formal,
                    agreement_date=actual_start + timedelta(days=rng.randrange(0, 90))
                    if formal
                    else None,
                    colocation_days=float(rng.choice((0, 1, 2, 2.5, 3, 4, 5))),
                    desk_access=rng.random() < 0.85,
                    it_access=rng.random() < 0.6,
                    records_access=rng.random() < 0.45,
                    line_management=line,
                    host_in_recruitment=rng.random() < 0.5,
                )
            )
            # the alliance grant: three years, independent charitable money
            lead_funder = funders[k % 12]
            grant_end = _add_months(actual_start, 36) - timedelta(days=1)
            funding.append(
                FundingArrangement(
                    id=f"FA{k + 1:02d}-1",
                    funder_id=lead_funder.id,
                    spoke_id=sid,
                    source=FundingSourceKind.LOTTERY
                    if lead_funder.kind is FunderKind.LOTTERY
                    else FundingSourceKind.INDEPENDENT_CHARITABLE,
                    amount_gbp=float(rng.randrange(95, 150) * 1000),
                    start=actual_start,
                    end=grant_end,
                )
            )
            commissioner = next(
                (f for f in funders if f.name == f"{area.name} Council (fictional)"), None
            )
            roll = rng.random()
            if roll < 0.25:
                # co-funded from the start by the area's statutory grant, with strings
                funding.append(
                    FundingArrangement(
                        id=f"FA{k + 1:02d}-2",
                        funder_id=(commissioner or pcc).id,
                        spoke_id=sid,
                        source=FundingSourceKind.STATUTORY_GRANT,
                        amount_gbp=float(rng.randrange(10, 40) * 1000),
                        start=actual_start,
                        end=_add_months(actual_start, 24) - timedelta(days=1),
                        conditions=frozenset({FundingCondition.REFERRAL_MANDATE})
                        if rng.random() < 0.5
                        else frozenset(),
                    )
                )
            if roll > 0.55:
                # continuation: a statutory contract after the alliance grant
                conditions = set()
                if rng.random() < 0.5:
                    conditions.add(FundingCondition.REFERRAL_MANDATE)
                if rng.random() < 0.4:
                    conditions.add(FundingCondition.TIME_LIMITED_WORK)
                if rng.random() < 0.2:
                    conditions.add(FundingCondition.RISK_LEVEL_RESTRICTION)
                funding.append(
                    FundingArrangement(
                        id=f"FA{k + 1:02d}-3",
                        funder_id=(commissioner or pcc).id,
                        spoke_id=sid,
                        source=FundingSourceKind.STATUTORY_CONTRACT,
                        amount_gbp=float(rng.randrange(60, 120) * 1000),
                        start=grant_end + timedelta(days=1),
                        end=_add_months(grant_end + timedelta(days=1), rng.choice((12, 24, 36)))
                        - timedelta(days=1),
                        conditions=frozenset(conditions),
                    )
                )
            # posts, occupancy with recruitment delay, turnover and vacancies
            post = Post(
                id=f"P{k + 1:02d}",
                spoke_id=sid,
                role=PostRole.SPOKE_WORKER,
                fte=rng.choice((0.6, 0.8, 1.0, 1.0, 1.0)),
                start=actual_start,
                end=grant_end,
            )
            posts.append(post)
            occupancies.extend(_occupancies(rng, post, k))
            if hub.manager_post_funded and rng.random() < 0.3:
                manager = Post(
                    id=f"P{k + 1:02d}M",
                    spoke_id=sid,
                    role=PostRole.SPOKE_MANAGER,
                    fte=0.5,
                    start=actual_start,
                    end=grant_end,
                )
                posts.append(manager)
                occupancies.extend(_occupancies(rng, manager, k + 500))
            supervision.extend(_supervision(rng, post))
            expected.extend(_expected(sid, hub.phase, actual_start, shape.years))
            k += 1

    last_start = max(s.start for s in spokes)
    return Programme(
        name="Synthetic Hub and Spoke Programme (fictional)",
        phases=phases,
        funders=tuple(funders),
        hubs=tuple(hubs),
        spokes=tuple(spokes),
        hosts=tuple(hosts),
        hosting=tuple(hosting),
        funding=tuple(funding),
        posts=tuple(posts),
        occupancies=tuple(occupancies),
        supervision=tuple(supervision),
        expected_returns=tuple(expected),
        grant_end=_add_months(last_start, 36) - timedelta(days=1),
    )


def _host_label(kind: HostKind) -> str:
    return {
        HostKind.POLICE: "Police Public Protection Unit",
        HostKind.CHILDRENS_SOCIAL_CARE: "Children's Social Care",
        HostKind.MULTI_AGENCY_TEAM: "Multi-Agency Safeguarding Hub",
        HostKind.HEALTH: "Community Health Trust",
        HostKind.EDUCATION: "Inclusion Service",
        HostKind.YOUTH_JUSTICE: "Youth Offending Team",
        HostKind.VOLUNTARY_ORGANISATION: "Youth Project",
        HostKind.OTHER: "Partnership",
    }[kind]


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, min(d.day, 28))


def _occupancies(rng: random.Random, post: Post, n: int) -> Iterator[Occupancy]:
    assert post.end is not None
    start = post.start + timedelta(days=rng.choice((0, 0, 30, 60, 120)))
    worker = 1
    while start <= post.end:
        stays = rng.random() < 0.7
        end = None if stays else start + timedelta(days=rng.randrange(200, 700))
        if end is not None and end >= post.end:
            end = None
        yield Occupancy(
            post_id=post.id,
            worker_id=f"W{n + 1:03d}-{worker}",
            start=start,
            end=end if end is not None else post.end,
            qualification=Qualification(
                _pick(rng, [("social_work", 35), ("youth_work", 35), ("other", 20), ("none", 10)])
            ),
            transferred_from_hub=rng.random() < 0.3,
            recruitment_rounds=rng.choice((1, 1, 1, 2, 2, 3)),
        )
        if end is None:
            break
        start = end + timedelta(days=rng.randrange(30, 150))  # a vacancy
        worker += 1


def _supervision(rng: random.Random, post: Post) -> Iterator[SupervisionSession]:
    assert post.end is not None
    day = post.start + timedelta(days=14)
    regular = rng.random() < 0.7
    while day <= post.end:
        if rng.random() < (0.9 if regular else 0.55):
            yield SupervisionSession(post_id=post.id, on=day, kind=SupervisionKind.MANAGERIAL)
        if rng.random() < 0.4:
            yield SupervisionSession(
                post_id=post.id, on=day + timedelta(days=7), kind=SupervisionKind.CLINICAL
            )
        if rng.random() < 0.25:
            yield SupervisionSession(
                post_id=post.id, on=day + timedelta(days=3), kind=SupervisionKind.HUB_VISIT
            )
        day += timedelta(days=rng.randrange(26, 36))


def service_periods(phase: int, start: date, years: int) -> list[Period]:
    """The periods a spoke reports on: annual in phase one, quarterly after."""
    fy = start.year if start.month >= 4 else start.year - 1
    if phase == 1:
        return [financial_year(fy + i) for i in range(years)]
    first = financial_quarter(fy, (start.month - 4) % 12 // 3 + 1)
    out = [first]
    while len(out) < 4 * years:
        out.append(out[-1].next())
    return out


def _expected(service_id: str, phase: int, start: date, years: int) -> Iterator[ExpectedReturn]:
    for period in service_periods(phase, start, years):
        yield ExpectedReturn(
            service_id=service_id, period=period, due_on=period.end + timedelta(days=30)
        )


@attrs.frozen(kw_only=True)
class _Case:
    case_id: str
    referred: date
    closes: date
    source: str
    risk_first: str
    risk_last: str
    gender: str
    ethnicity: str
    sexuality: str
    age: int
    support: str
    missing_before: int
    missing_after: int
    closure_reason: str

    def active_in(self, period: Period) -> bool:
        return self.referred <= period.end and self.closes >= period.start

    def risk_at(self, day: date) -> str:
        """Risk as last assessed by ``day``: the first level until half-way, then the last."""
        halfway = self.referred + (self.closes - self.referred) / 2
        return self.risk_first if day < halfway else self.risk_last


_RISKS = ("low", "medium", "high")


def _cases_for(rng: random.Random, spoke: Spoke, first: date, last: date) -> list[_Case]:
    cases: list[_Case] = []
    day = first
    n = 0
    rate = rng.uniform(2.0, 5.0)  # new referrals a month
    while day <= last:
        for _ in range(_poisson(rng, rate)):
            n += 1
            referred = day + timedelta(days=rng.randrange(0, 28))
            if referred > last:
                continue
            first_risk = _pick(rng, [("low", 20), ("medium", 40), ("high", 40)])
            roll = rng.random()
            step = -1 if roll < 0.58 else (0 if roll < 0.88 else 1)
            last_risk = _RISKS[min(max(_RISKS.index(first_risk) + step, 0), 2)]
            age = rng.choice((11, 12, 13, 13, 14, 14, 14, 15, 15, 15, 16, 16, 17, 17, 18))
            gender = _pick(rng, [("2", 78), ("1", 18), ("9", 1), ("0", 3)])
            before = rng.choice((0, 0, 0, 1, 2, 3, 5))
            cases.append(
                _Case(
                    case_id=f"{spoke.id}-C{n:04d}",
                    referred=referred,
                    closes=referred + timedelta(days=rng.randrange(45, 420)),
                    source=_pick(rng, _REFERRAL_SOURCES),
                    risk_first=first_risk,
                    risk_last=last_risk,
                    gender=gender,
                    ethnicity=_pick(rng, _ETHNICITIES),
                    sexuality=_pick(rng, _SEXUALITY),
                    age=age,
                    support=_pick(rng, [("one_to_one", 80), ("both", 15), ("group", 5)]),
                    missing_before=before,
                    missing_after=max(before - rng.choice((0, 1, 1, 2)), 0),
                    closure_reason=_pick(rng, _CLOSURE),
                )
            )
        day = _add_months(day, 1)
    return cases


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method: fine for the small rates used here
    limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _case_record(case: _Case, period: Period) -> CaseRecord:
    closed = case.closes if case.closes <= period.end else None
    return CaseRecord(
        case_id=case.case_id,
        referral_date=case.referred,
        referral_source=case.source,
        risk_at_referral=case.risk_first,
        risk_latest=case.risk_at(min(period.end, case.closes)),
        gender=case.gender,
        ethnicity=case.ethnicity,
        sexuality=case.sexuality,
        age=case.age,
        support_type=case.support,
        missing_before=case.missing_before,
        missing_after=case.missing_after if closed else None,
        closed_on=closed,
        closure_reason=case.closure_reason if closed else None,
    )


def _values(rng: random.Random, cases: list[_Case], period: Period, fte: float) -> list[DataValue]:
    """Aggregate figures for a period, consistent with the case-level truth."""
    active = [c for c in cases if c.active_in(period)]
    new = [c for c in active if period.contains(c.referred)]
    closed = [c for c in active if period.contains(c.closes)]
    months = period.days * 12 / 365.25
    out: list[DataValue] = [
        DataValue(measure="referrals_received", value=len(new)),
        DataValue(measure="young_people_one_to_one", value=len(active)),
    ]
    by_source: dict[str, int] = {}
    for c in new:
        by_source[c.source] = by_source.get(c.source, 0) + 1
    out += [
        DataValue(measure="referrals_received", breakdown={"referral_source": s}, value=n)
        for s, n in sorted(by_source.items())
    ]
    by_gender: dict[str, int] = {}
    for c in active:
        by_gender[c.gender] = by_gender.get(c.gender, 0) + 1
    out += [
        DataValue(measure="young_people_one_to_one", breakdown={"gender": g}, value=n)
        for g, n in sorted(by_gender.items())
    ]
    trained: dict[str, int] = {}
    sessions = max(int(rng.gauss(2.0 * months, 1.5)), 0)
    for _ in range(sessions):
        prof = _pick(rng, _PROFESSIONS)
        trained[prof] = trained.get(prof, 0) + rng.randrange(6, 30)
    out.append(DataValue(measure="professionals_trained", value=sum(trained.values())))
    out += [
        DataValue(measure="professionals_trained", breakdown={"profession": p}, value=n)
        for p, n in sorted(trained.items())
    ]
    held = max(int(rng.gauss(2.2 * months, 1)), 0)
    out += [
        DataValue(measure="training_sessions", value=sessions),
        DataValue(measure="awareness_sessions", value=max(int(rng.gauss(months, 1)), 0)),
        DataValue(measure="agencies_reached", value=min(sessions * 2, rng.randrange(0, 25))),
        DataValue(
            measure="young_people_group_reached", value=max(int(rng.gauss(12 * months, 10)), 0)
        ),
        DataValue(measure="multi_agency_meetings_held", value=held),
        DataValue(
            measure="multi_agency_meetings_attended",
            value=max(held - rng.choice((0, 0, 1, 2)), 0),
        ),
        DataValue(measure="cases_closed", value=len(closed)),
    ]
    hours = 140 * months * fte
    other_share = rng.uniform(0.02, 0.35)
    direct = round(hours * (1 - other_share) * 0.7, 1)
    out += [
        DataValue(measure="hours_direct_work", value=direct),
        DataValue(measure="hours_training", value=round(hours * (1 - other_share) * 0.3, 1)),
        DataValue(measure="hours_other_duties", value=round(hours * other_share, 1)),
    ]
    change = {"reduced": 0, "unchanged": 0, "increased": 0}
    for c in closed:
        a, b = _RISKS.index(c.risk_first), _RISKS.index(c.risk_last)
        change["reduced" if b < a else "unchanged" if a == b else "increased"] += 1
    out += [DataValue(measure=f"risk_{k}_at_closure", value=v) for k, v in change.items()]
    return out


def generate_returns(programme: Programme, seed: int = 2015) -> list[MonitoringReturn]:
    """Synthetic returns for the expected register: about 1 in 12 missing, some late.

    Phase-one returns are annual aggregates only (as in the real programme);
    later phases send quarterly aggregates and case-level records.
    """
    rng = random.Random(seed + 1)
    out: list[MonitoringReturn] = []
    for spoke in programme.spokes:
        phase = programme.phase_of_spoke(spoke.id)
        expected = sorted(programme.expected_for(spoke.id), key=lambda e: e.period.start)
        if not expected:
            continue
        cases = _cases_for(rng, spoke, expected[0].period.start, expected[-1].period.end)
        fte = sum(p.fte for p in programme.posts_of(spoke.id) if p.role is PostRole.SPOKE_WORKER)
        for exp in expected:
            if rng.random() < 0.08:
                continue  # a return that never arrived
            lateness = rng.choice((-25, -20, -12, -5, -1, 0, 3, 10, 21, 45))
            values = _values(rng, cases, exp.period, fte)
            records = (
                ()
                if phase == 1
                else tuple(_case_record(c, exp.period) for c in cases if c.active_in(exp.period))
            )
            out.append(
                MonitoringReturn(
                    service_id=spoke.id,
                    period=exp.period,
                    submitted_on=exp.due_on + timedelta(days=lateness),
                    values=tuple(values),
                    cases=records,
                )
            )
    return out


# -- writing the returns in the services' own formats ---------------------------

_VALUE_COLUMNS = (
    "service",
    "period",
    "measure",
    "value",
    "referral_source",
    "gender",
    "profession",
)
_CASE_COLUMNS = (
    "service",
    "period",
    "case_id",
    "referral_date",
    "referral_source",
    "risk_at_referral",
    "risk_latest",
    "gender",
    "ethnicity",
    "sexuality",
    "age",
    "support_type",
    "missing_before",
    "missing_after",
    "closed_on",
    "closure_reason",
)


def _uk(d: date | None) -> str:
    return "" if d is None else d.strftime("%d/%m/%Y")


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"


def write_values_csv(path: Path, returns: Sequence[MonitoringReturn]) -> None:
    """Write returns' aggregate values in the ``hubspoke-values`` CSV format."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(_VALUE_COLUMNS)
        for ret in returns:
            for v in ret.values:
                dims = dict(v.breakdown)
                w.writerow(
                    [
                        ret.service_id,
                        ret.period.label,
                        v.measure,
                        _num(v.value),
                        dims.get("referral_source", ""),
                        dims.get("gender", ""),
                        dims.get("profession", ""),
                    ]
                )


def write_cases_csv(path: Path, returns: Sequence[MonitoringReturn]) -> None:
    """Write returns' case records in the ``hubspoke-cases`` CSV format (UK dates)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(_CASE_COLUMNS)
        for ret in returns:
            for c in ret.cases:
                w.writerow(
                    [
                        ret.service_id,
                        ret.period.label,
                        c.case_id,
                        _uk(c.referral_date),
                        c.referral_source or "",
                        c.risk_at_referral or "",
                        c.risk_latest or "",
                        c.gender or "",
                        c.ethnicity or "",
                        c.sexuality or "",
                        "" if c.age is None else c.age,
                        c.support_type or "",
                        "" if c.missing_before is None else c.missing_before,
                        "" if c.missing_after is None else c.missing_after,
                        _uk(c.closed_on),
                        c.closure_reason or "",
                    ]
                )


def write_annual_summary(path: Path, ret: MonitoringReturn, label_of: dict[str, str]) -> None:
    """Write a phase-one style annual summary: header lines, then label/value rows."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Service", ret.service_id])
        w.writerow(["Period", ret.period.label])
        w.writerow(["Submitted", _uk(ret.submitted_on)])
        w.writerow([])
        w.writerow(["Item", "Value"])
        for v in ret.values:
            if v.breakdown:
                continue
            w.writerow([label_of.get(v.measure, v.measure), _num(v.value)])


#: Free-text labels a phase-one service might use (each an alias in the catalogue).
ANNUAL_LABELS = {
    "referrals_received": "No. of referrals",
    "young_people_one_to_one": "No. of young people supported 1:1",
    "young_people_group_reached": "Young people reached through group work",
    "professionals_trained": "No. of professionals trained",
    "training_sessions": "No. of training sessions delivered",
    "awareness_sessions": "Awareness raising sessions",
    "agencies_reached": "No. of agencies reached",
    "multi_agency_meetings_held": "Multi-agency CSE meetings held",
    "multi_agency_meetings_attended": "Multi-agency CSE meetings attended",
    "cases_closed": "No. of cases closed",
    "hours_direct_work": "Hours of direct work",
    "hours_training": "Training hours",
    "hours_other_duties": "Hours on other duties",
    "risk_reduced_at_closure": "Risk reduced at closure",
    "risk_unchanged_at_closure": "Risk unchanged at closure",
    "risk_increased_at_closure": "Risk increased at closure",
}


def write_returns(out: Path, programme: Programme, returns: Sequence[MonitoringReturn]) -> int:
    """Write every return as the service would send it; return the number of files."""
    out.mkdir(parents=True, exist_ok=True)
    files = 0
    by_hub_year: dict[tuple[str, str], list[MonitoringReturn]] = {}
    for ret in returns:
        spoke = programme.spoke(ret.service_id)
        if programme.phase_of_spoke(spoke.id) == 1:
            write_annual_summary(
                out / f"annual-{ret.service_id}-{ret.period.label}.csv", ret, ANNUAL_LABELS
            )
            files += 1
        else:
            fy = ret.period.label.split()[0]
            by_hub_year.setdefault((spoke.hub_id, fy), []).append(ret)
    for (hub_id, fy), rets in sorted(by_hub_year.items()):
        write_values_csv(out / f"values-{hub_id}-{fy}.csv", rets)
        write_cases_csv(out / f"cases-{hub_id}-{fy}.csv", rets)
        files += 2
    return files


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--scale", type=int, default=1, help="multiply hubs, spokes and areas")
    parser.add_argument("--years", type=int, default=3, help="years of returns per spoke")
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into")
    args = parser.parse_args(argv)
    from hubspoke.serialization import dumps_programme

    programme = generate_programme(args.seed, Shape(scale=args.scale, years=args.years))
    problems = programme.validate()
    if problems:
        raise SystemExit("generated programme is inconsistent:\n" + "\n".join(map(str, problems)))
    returns = generate_returns(programme, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "programme.json").write_text(dumps_programme(programme), encoding="utf-8")
    files = write_returns(args.out / "returns" / "generated", programme, returns)
    print(
        f"{len(programme.hubs)} hubs, {len(programme.spokes)} spokes, "
        f"{len({s.area.code for s in programme.spokes})} areas, "
        f"{len(programme.expected_returns)} expected returns, {len(returns)} generated, "
        f"{files} files written under {args.out}"
    )


if __name__ == "__main__":
    main()
