"""A synthetic, obviously fictional programme's frames for report tests (no real people or places).

Built from a seeded generator so each call gives the same frames; the shape
and dtypes follow the frame columns agreed in the notes (values, scores,
components, key outcomes, returns status, field completeness).
"""

from __future__ import annotations

import random
from datetime import date

import pandas as pd

from hubspoke.report.build import Provenance, ReportData

SPOKES = (
    ("SP-01", "HUB-A", 1, "Northmoor"),
    ("SP-02", "HUB-A", 1, "Eastvale"),
    ("SP-03", "HUB-B", 1, "Alderbrook"),
    ("SP-04", "HUB-B", 2, "Westmere"),
    ("SP-05", "HUB-C", 2, "Kestrel Vale"),
    ("SP-06", "HUB-C", 2, "Brackenford"),
    ("SP-07", "HUB-D", 2, "Larkspur Heath"),
    ("SP-08", "HUB-D", 2, "Fernhollow"),
)
QUARTERS = tuple(
    (f"{y}-{str(y + 1)[2:]} Q{q}", date(y + (q == 4), (3 * q + 1) % 12 or 12, 1))
    for y in (2015, 2016)
    for q in (1, 2, 3, 4)
)
COMPONENTS = {
    "embeddedness": (
        ("agreement", 0.20),
        ("colocation", 0.20),
        ("systems_access", 0.15),
        ("forums", 0.15),
        ("referral_integration", 0.15),
        ("recruitment", 0.15),
    ),
    "independence": (
        ("funding", 0.30),
        ("management", 0.20),
        ("referral_control", 0.15),
        ("time_limits", 0.10),
        ("preventative_work", 0.15),
        ("cse_focus", 0.10),
    ),
    "sustainability": (
        ("runway", 0.30),
        ("diversity", 0.15),
        ("workforce", 0.20),
        ("supervision", 0.15),
        ("manager", 0.10),
        ("commitment", 0.10),
    ),
}
FIELDS = ("gender", "ethnicity", "sexuality", "age", "referral_source", "risk_level")
DIMENSIONS = (
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


def _quarter_end(start: date) -> date:
    month = start.month + 2
    year = start.year
    days = {3: 31, 6: 30, 9: 30, 12: 31}[month]
    return date(year, month, days)


def spokes_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "spoke_id": [s[0] for s in SPOKES],
            "hub_id": [s[1] for s in SPOKES],
            "phase": pd.array([s[2] for s in SPOKES], dtype="Int64"),
            "area_code": [f"E0{9000000 + i}" for i in range(len(SPOKES))],
            "area_name": [s[3] for s in SPOKES],
            "placement": ["new_local_authority"] * len(SPOKES),
        }
    ).astype({"spoke_id": "string", "hub_id": "string", "area_name": "string"})


def values_frame(rng: random.Random, *, missing: frozenset[tuple[str, str]]) -> pd.DataFrame:
    ranges = {
        "referrals_received": (0, 22),
        "young_people_one_to_one": (1, 16),
        "young_people_group_reached": (0, 70),
        "professionals_trained": (0, 45),
    }
    rows = []
    for spoke_id, *_ in SPOKES:
        for label, start in QUARTERS:
            if (spoke_id, label) in missing:
                continue
            for measure, (low, high) in ranges.items():
                rows.append(
                    {
                        "service_id": spoke_id,
                        "period_label": label,
                        "period_start": pd.Timestamp(start),
                        "period_end": pd.Timestamp(_quarter_end(start)),
                        "measure": measure,
                        "value": float(rng.randint(low, high)),
                        "source_sha256": "0" * 64,
                    }
                )
            # A breakdown row, which totals must ignore.
            rows.append(
                {
                    "service_id": spoke_id,
                    "period_label": label,
                    "period_start": pd.Timestamp(start),
                    "period_end": pd.Timestamp(_quarter_end(start)),
                    "measure": "referrals_received",
                    "gender": "2",
                    "value": 999.0,
                    "source_sha256": "0" * 64,
                }
            )
    frame = pd.DataFrame(rows)
    for dim in DIMENSIONS:
        if dim not in frame.columns:
            frame[dim] = pd.NA
        frame[dim] = frame[dim].astype("string")
    return frame.astype(
        {"service_id": "string", "period_label": "string", "measure": "string", "value": "Float64"}
    )


def scores_frames(rng: random.Random) -> tuple[pd.DataFrame, pd.DataFrame]:
    score_rows, component_rows = [], []
    for indicator, components in COMPONENTS.items():
        for spoke_id, hub_id, phase, _ in SPOKES:
            total, weight_seen = 0.0, 0.0
            for name, weight in components:
                value = None if rng.random() < 0.15 else round(rng.random(), 2)
                if spoke_id == "SP-08" and indicator == "sustainability":
                    value = None if name != "manager" else 1.0
                component_rows.append(
                    {
                        "spoke_id": spoke_id,
                        "hub_id": hub_id,
                        "phase": phase,
                        "period_label": "2015-17",
                        "indicator": indicator,
                        "component": name,
                        "value": value,
                        "weight": weight,
                    }
                )
                if value is not None:
                    total += weight * value
                    weight_seen += weight
            score_rows.append(
                {
                    "spoke_id": spoke_id,
                    "hub_id": hub_id,
                    "phase": phase,
                    "period_label": "2015-17",
                    "indicator": indicator,
                    "value": total / weight_seen if weight_seen >= 0.5 else None,
                    "coverage": weight_seen,
                    "rubric_version": "1",
                }
            )
    scores = pd.DataFrame(score_rows).astype({"value": "Float64", "coverage": "float64"})
    components_ = pd.DataFrame(component_rows).astype({"value": "Float64"})
    return scores, components_


def key_outcomes_frame() -> pd.DataFrame:
    rows = [
        (1, "sustainable_funding", 5 / 8, 5, 8, None),
        (2, "embedded", 6 / 7, 6, 7, "1 of 8 spokes not scored"),
        (3, "distinct_identity", 7 / 8, 7, 8, None),
        (4, "young_people_one_to_one", 412.0, None, None, "from aggregate returns"),
        (4, "referrals_received", 388.0, None, None, None),
        (4, "new_areas", 8.0, None, None, "distinct new local authority areas"),
        (5, "professionals_trained", 610.0, None, None, None),
        (5, "professionals_trained:police", 210.0, None, None, None),
        (5, "professionals_trained:social_work", 380.0, None, None, None),
        (5, "professionals_trained:health", 3.0, None, None, None),
        (5, "agencies_reached", 41.0, None, None, None),
        (6, "risk_fell", 40 / 61, 40, 61, None),
        (6, "risk_stayed", 18 / 61, 18, 61, None),
        (6, "risk_rose", 3 / 61, 3, 61, None),
        (6, "goals_met", 22 / 40, 22, 40, None),
        (6, "goals_partly_met", 12 / 40, 12, 40, None),
        (6, "goals_not_met", 6 / 40, 6, 40, None),
    ]
    frame = pd.DataFrame(
        [
            {
                "level": "programme",
                "unit_id": "Northern Lights Alliance",
                "outcome": o,
                "measure": m,
                "value": v,
                "numerator": n,
                "denominator": d,
                "returns_received": 61,
                "returns_expected": 64,
                "completeness": 61 / 64,
                "note": note,
            }
            for o, m, v, n, d, note in rows
        ]
    )
    return frame.astype(
        {
            "level": "string",
            "unit_id": "string",
            "outcome": "Int64",
            "measure": "string",
            "value": "Float64",
            "numerator": "Float64",
            "denominator": "Float64",
            "returns_received": "Int64",
            "returns_expected": "Int64",
            "completeness": "Float64",
            "note": "string",
        }
    )


def returns_status_frame(missing: frozenset[tuple[str, str]], rng: random.Random) -> pd.DataFrame:
    rows = []
    for spoke_id, *_ in SPOKES:
        for label, _ in QUARTERS:
            if (spoke_id, label) in missing:
                status = "missing"
            else:
                status = "late" if rng.random() < 0.2 else "on_time"
            rows.append({"service_id": spoke_id, "period_label": label, "status": status})
    return pd.DataFrame(rows).astype("string")


def field_completeness_frame(rng: random.Random) -> pd.DataFrame:
    rows = []
    for spoke_id, *_ in SPOKES:
        records = rng.randint(3, 60) if spoke_id != "SP-08" else 4
        for field in FIELDS:
            declined = rng.randint(0, 4) if field == "sexuality" else 0
            not_recorded = rng.randint(0, records // 3)
            missing = rng.randint(0, max((records - declined - not_recorded) // 4, 0))
            known = records - declined - not_recorded - missing
            rows.append(
                {
                    "service_id": spoke_id,
                    "field": field,
                    "records": records,
                    "known": known,
                    "declined": declined,
                    "not_recorded": not_recorded,
                    "missing": missing,
                    "completeness": known / records,
                }
            )
    return pd.DataFrame(rows)


def sample_report_data(
    *, seed: int = 7, programme_name: str = "Northern Lights Alliance"
) -> ReportData:
    """The fictional programme's report data (deterministic for a seed)."""
    rng = random.Random(seed)
    missing = frozenset({("SP-03", "2015-16 Q3"), ("SP-07", "2016-17 Q2"), ("SP-08", "2016-17 Q4")})
    scores, components = scores_frames(rng)
    return ReportData(
        programme_name=programme_name,
        period_label="2015-16 to 2016-17",
        rubric_version="1",
        generated_on=date(2017, 6, 30),
        spokes=spokes_frame(),
        scores=scores,
        components=components,
        key_outcomes=key_outcomes_frame(),
        values=values_frame(rng, missing=missing),
        returns_status=returns_status_frame(missing, rng),
        field_completeness=field_completeness_frame(rng),
        provenance=(
            Provenance(
                file_name="northmoor-2015-16-Q1.xlsx",
                sha256="9f2c" * 16,
                importer="spreadsheet-template 1.0",
                imported_at="2016-07-12T10:04:00+00:00",
            ),
            Provenance(
                file_name="eastvale_returns.csv",
                sha256="41ab" * 16,
                importer="label-value-csv 1.0",
                imported_at="2016-07-14T09:30:00+00:00",
            ),
        ),
    )
