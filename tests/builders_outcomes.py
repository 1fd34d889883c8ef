"""Small hand-built, obviously fictional programmes for the derive/outcomes/quality tests.

"Northmoor" hub (phase 1) places spoke "S1" (Alderbrook) and "S2" (Fernby);
"Eastvale" hub (phase 2) places "S3" (Gorsedale). Numbers are chosen so the
expected results can be worked out by hand; each test says how.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

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

FY15 = financial_year(2015)  # 1 Apr 2015 - 31 Mar 2016, 366 days (leap year)
FY14 = financial_year(2014)


def spoke(
    sid: str, hub: str, code: str, name: str, start: date = date(2015, 4, 1), **kw: Any
) -> Spoke:
    return Spoke(
        id=sid,
        hub_id=hub,
        area=LocalArea(code=code, name=name),
        placement=kw.pop("placement", PlacementType.NEW_LOCAL_AUTHORITY),
        planned_start=start,
        **kw,
    )


def hosting(
    hid: str,
    spoke_id: str,
    start: date,
    end: date | None = None,
    **kw: Any,
) -> HostingArrangement:
    values: dict[str, Any] = {
        "host_id": "HOST1",
        "formal_agreement": True,
        "colocation_days": 3.0,
        "desk_access": True,
        "it_access": True,
        "records_access": False,
        "line_management": LineManagement.HUB,
        "host_in_recruitment": False,
    }
    values.update(kw)
    return HostingArrangement(id=hid, spoke_id=spoke_id, start=start, end=end, **values)


def funding(
    fid: str,
    spoke_id: str,
    funder: str,
    source: FundingSourceKind,
    amount: float,
    start: date,
    end: date,
    conditions: Sequence[FundingCondition] = (),
) -> FundingArrangement:
    return FundingArrangement(
        id=fid,
        funder_id=funder,
        spoke_id=spoke_id,
        source=source,
        amount_gbp=amount,
        start=start,
        end=end,
        conditions=frozenset(conditions),
    )


def expected(service: str, period: Period, days: int = 30) -> ExpectedReturn:
    """An expected return due ``days`` after the period ends."""
    return ExpectedReturn(service_id=service, period=period, due_on=period.end + timedelta(days))


def programme(**overrides: Any) -> Programme:
    """The base fictional programme (see the module docstring)."""
    fields: dict[str, Any] = {
        "name": "Northmoor Programme",
        "phases": (
            Phase(number=1, planned_start=date(2014, 4, 1)),
            Phase(number=2, planned_start=date(2015, 4, 1)),
        ),
        "funders": (
            Funder(id="F-ALDER", name="Alder Trust", kind=FunderKind.CHARITABLE_TRUST),
            Funder(id="F-BIRCH", name="Birch Council", kind=FunderKind.STATUTORY_COMMISSIONER),
            Funder(id="F-CEDAR", name="Cedar Lottery", kind=FunderKind.LOTTERY),
        ),
        "hubs": (
            Hub(
                id="H1",
                organisation="Northmoor Trust",
                service_name="Northmoor Hub",
                region="North",
                phase=1,
                manager_post_funded=True,
            ),
            Hub(
                id="H2",
                organisation="Eastvale Trust",
                service_name="Eastvale Hub",
                region="East",
                phase=2,
                manager_post_funded=False,
            ),
        ),
        "spokes": (
            spoke("S1", "H1", "E06000901", "Alderbrook"),
            spoke("S2", "H1", "E06000902", "Fernby"),
            spoke("S3", "H2", "E06000903", "Gorsedale"),
        ),
        "hosts": (
            HostAgency(id="HOST1", name="Alderbrook Police", kind=HostKind.POLICE, statutory=True),
        ),
        "grant_end": date(2017, 3, 31),
    }
    fields.update(overrides)
    return Programme(**fields)


def ret(
    service: str,
    period: Period,
    *,
    values: Sequence[tuple[str, float] | tuple[str, float, dict[str, str]]] = (),
    cases: Sequence[CaseRecord] = (),
    submitted_on: date | None = None,
    **kw: Any,
) -> MonitoringReturn:
    dvs = [
        DataValue(measure=v[0], value=v[1], breakdown=v[2] if len(v) == 3 else ()) for v in values
    ]
    return MonitoringReturn(
        service_id=service,
        period=period,
        values=tuple(dvs),
        cases=tuple(cases),
        submitted_on=submitted_on,
        **kw,
    )


def case(cid: str, **kw: Any) -> CaseRecord:
    return CaseRecord(case_id=cid, **kw)


def quarters(year: int) -> tuple[Period, ...]:
    return tuple(financial_quarter(year, q) for q in (1, 2, 3, 4))


__all__ = [
    "FY14",
    "FY15",
    "Occupancy",
    "Post",
    "PostRole",
    "Qualification",
    "SupervisionKind",
    "SupervisionSession",
    "case",
    "expected",
    "funding",
    "hosting",
    "programme",
    "quarters",
    "ret",
    "spoke",
]
