"""Time the figures engine on 1,000,000 case rows across 600 returns (frames built directly).

Run: ``python benchmarks/bench_figures.py``. Prints the seconds taken by
:func:`key_outcomes_from_frames` and :func:`score_programme_from_frames`.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from builders_outcomes import FY15, programme, quarters
from hubspoke.figures.records import RecordFrames, schema
from hubspoke.indicators.outcomes import key_outcomes_from_frames
from hubspoke.indicators.programme import score_programme_from_frames

N_CASES, N_RETURNS = 1_000_000, 600


def frames() -> RecordFrames:
    rng = np.random.default_rng(1)
    qs = quarters(2015)
    rid = np.arange(1, N_RETURNS + 1)
    svc = np.array(["S1", "S2", "S3"])[rid % 3]
    q = (rid // 3) % 4
    starts = np.array([p.start for p in qs], dtype="datetime64[ns]")[q]
    ends = np.array([p.end for p in qs], dtype="datetime64[ns]")[q]
    labels = np.array([p.label for p in qs])[q]
    returns = pd.DataFrame(
        {
            "return_id": rid,
            "service_id": svc,
            "period_label": labels,
            "period_start": starts,
            "period_end": ends,
            "submitted_on": starts + np.timedelta64(100, "D") + rid.astype("timedelta64[D]"),
            "replaces_earlier": False,
            "source_sha256": None,
        }
    )
    at = rng.integers(0, N_RETURNS, N_CASES)
    risk = np.array(["low", "medium", "high", "not_recorded", None], dtype=object)
    cases = pd.DataFrame(
        {c: pd.Series([None] * N_CASES, dtype=t) for c, t in schema("cases").items()}
    )
    cases = cases.assign(
        return_id=rid[at],
        service_id=svc[at],
        period_label=labels[at],
        period_start=starts[at],
        period_end=ends[at],
        case_id=pd.array(
            np.char.add("C", rng.integers(0, 300_000, N_CASES).astype(str)), dtype="string"
        ),
        referral_date=starts[at] + rng.integers(0, 120, N_CASES).astype("timedelta64[D]"),
        referral_source=pd.Categorical(
            rng.choice(["1A", "2A", "6", "10"], N_CASES), dtype=schema("cases")["referral_source"]
        ),
        risk_at_referral=pd.Categorical(
            rng.choice(risk, N_CASES),
            dtype=schema("cases")["risk_level"]
            if "risk_level" in schema("cases")
            else schema("cases")["risk_at_referral"],
        ),
        risk_latest=pd.Categorical(rng.choice(risk, N_CASES), dtype=schema("cases")["risk_latest"]),
        missing_before=pd.array(rng.integers(0, 5, N_CASES), dtype="Int64"),
        missing_after=pd.array(rng.integers(0, 5, N_CASES), dtype="Int64"),
    )
    values = pd.DataFrame({c: pd.Series(dtype=t) for c, t in schema("values").items()})
    empty = {
        k: pd.DataFrame({c: pd.Series(dtype=t) for c, t in schema(k).items()})
        for k in ("activities", "outcomes")
    }
    return RecordFrames(returns=returns, values=values, cases=cases, **empty)


def main() -> None:
    t0 = time.perf_counter()
    f = frames()
    t1 = time.perf_counter()
    p = programme()
    key_outcomes_from_frames(p, f, FY15)
    t2 = time.perf_counter()
    score_programme_from_frames(p, f, FY15)
    t3 = time.perf_counter()
    print(f"build frames (incl. conform): {t1 - t0:.2f}s")
    print(f"key_outcomes_from_frames: {t2 - t1:.2f}s")
    print(f"score_programme_from_frames: {t3 - t2:.2f}s")


if __name__ == "__main__":
    main()
