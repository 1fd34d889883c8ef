"""Synthetic programme and returns for the workspace tests (all names fictional)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import attrs

from hubspoke.codes import ActivityKind, PlacementType
from hubspoke.diagnostics import Diagnostic
from hubspoke.model import (
    Activity,
    CaseRecord,
    DataValue,
    ExpectedReturn,
    Hub,
    LocalArea,
    MonitoringReturn,
    Phase,
    Programme,
    Spoke,
)
from hubspoke.periods import Period, financial_quarter

SPOKES = ("SP-NM1", "SP-NM2", "SP-AL1")


def programme(quarters: int = 4) -> Programme:
    """Two hubs, three spokes, quarterly returns expected for FY 2015-16."""
    hubs = (
        Hub(
            id="HUB-NM",
            organisation="Northmoor Young People's Trust",
            service_name="Northmoor Hub",
            region="North",
            phase=1,
            manager_post_funded=True,
        ),
        Hub(
            id="HUB-AL",
            organisation="Alder Trust",
            service_name="Alder Hub",
            region="Midlands",
            phase=1,
            manager_post_funded=False,
        ),
    )
    spokes = tuple(
        Spoke(
            id=sid,
            hub_id="HUB-AL" if sid.startswith("SP-AL") else "HUB-NM",
            area=LocalArea(code=f"E0600{i:04d}", name=f"Fictional Borough {i}"),
            placement=PlacementType.NEW_LOCAL_AUTHORITY,
            planned_start=date(2015, 4, 1),
            actual_start=date(2015, 4, 1),
        )
        for i, sid in enumerate(SPOKES, start=1)
    )
    expected = tuple(
        ExpectedReturn(
            service_id=sid,
            period=financial_quarter(2015, q),
            due_on=financial_quarter(2015, q).end + timedelta(days=30),
        )
        for sid in SPOKES
        for q in range(1, quarters + 1)
    )
    return Programme(
        name="Alder and Northmoor Programme",
        phases=(Phase(number=1, planned_start=date(2015, 4, 1)),),
        hubs=hubs,
        spokes=spokes,
        expected_returns=expected,
    )


def a_return(
    service_id: str,
    period: Period,
    *,
    referrals: float = 10,
    submitted_on: date | None = None,
    cases: int = 0,
    seed: int = 0,
) -> MonitoringReturn:
    """A return with a referrals total, ``cases`` case records and one activity."""
    rng = random.Random(seed)
    return MonitoringReturn(
        service_id=service_id,
        period=period,
        submitted_on=submitted_on,
        values=(
            DataValue(measure="referrals_received", value=referrals),
            DataValue(measure="referrals_received", breakdown={"gender": "2"}, value=referrals),
        ),
        cases=tuple(
            CaseRecord(
                case_id=f"Case-{seed:03d}-{i:05d}",
                referral_date=period.start + timedelta(days=rng.randrange(period.days)),
                gender=rng.choice(("1", "2", "0")),
                age=rng.randrange(11, 18),
                risk_at_referral=rng.choice(("low", "medium", "high")),
            )
            for i in range(cases)
        ),
        activities=(
            Activity(kind=ActivityKind.PROFESSIONAL_TRAINING, on=period.start, attendees=12),
        ),
    )


@attrs.frozen(kw_only=True)
class FakeReport:
    """Stands in for hubspoke.validation.FileReport in store-level tests."""

    importer: str | None = "fake-importer"
    importer_version: str | None = "0.0-test"
    returns: tuple[MonitoringReturn, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0


def write_file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


CASES_HEADER = (
    "service,period,case_id,referral_date,referral_source,risk_at_referral,risk_latest,"
    "gender,age,support_type,missing_before,missing_after,closed_on,closure_reason\n"
)


def cases_csv(path: Path) -> Path:
    """A cases file: three spokes, four quarters, cases carried from quarter to quarter.

    3 x (4 + 5 + 6 + 7) rows, all synthetic; genders padded (" Female "), one
    case per spoke closed in the fourth quarter.
    """
    lines = [CASES_HEADER]
    for spoke in SPOKES:
        for quarter, months in enumerate(("04", "07", "10", "01"), start=1):
            year = "2016" if months == "01" else "2015"
            for case in range(1, 4 + quarter):
                closed = f"28/{months}/{year}" if case == 1 and quarter == 4 else ""
                reason = "outcomes_achieved" if closed else ""
                lines.append(
                    f"{spoke},2015-16 Q{quarter},{spoke}-C{case:04d},0{case}/{months}/{year},"
                    f"{'5A' if case % 2 else '6'},high,{'medium' if quarter > 2 else 'high'},"
                    f" Female ,{12 + case % 5},one_to_one,{case % 3},{case % 2},"
                    f"{closed},{reason}\n"
                )
    path.write_text("".join(lines), encoding="utf-8")
    return path
