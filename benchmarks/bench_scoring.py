"""Benchmark: vectorised ``score_frame`` against a loop over the scalar scoring functions.

Builds N random spoke-periods (seeded; about one input in ten missing),
scores every indicator both ways in the same run, checks that both agree
row by row, and prints the times and the ratio. The vectorised form must be
at least 50 times faster than the scalar loop: the script prints PASS or FAIL
for each indicator and exits 1 on any FAIL (or disagreement).

The scalar loop is timed over prebuilt inputs objects (building them is not
counted), and the vectorised form over a frame with nullable dtypes and a
``funding_by_funder`` column of tuples, as hubspoke's own frames carry them,
so the ratio is conservative. Sustainability is also timed with the funders
given as the precomputed ``funding_total`` and ``funding_sum_squares``
columns (the "precomputed" row). Times are the best of ``--repeat`` runs of the
scalar loop and of at least 5 runs of ``score_frame``.

    python benchmarks/bench_scoring.py              # 100,000 spoke-periods
    python benchmarks/bench_scoring.py --rows 5000  # a quick run

The target is set for 100,000 rows: on small frames score_frame's fixed cost
per call (a few milliseconds) weighs more, so a quick run may fall short.
"""

from __future__ import annotations

import argparse
import functools
import math
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from hubspoke.indicators import (
    INDICATORS,
    EmbeddednessInputs,
    IndependenceInputs,
    IndicatorScore,
    SustainabilityInputs,
    score_embeddedness,
    score_frame,
    score_independence,
    score_sustainability,
)

TARGET_RATIO = 50.0
MISSING_SHARE = 0.1

SCORERS: dict[str, Callable[[Any], IndicatorScore]] = {
    "embeddedness": score_embeddedness,
    "independence": score_independence,
    "sustainability": score_sustainability,
}
INPUT_CLASSES: dict[str, type[Any]] = {
    "embeddedness": EmbeddednessInputs,
    "independence": IndependenceInputs,
    "sustainability": SustainabilityInputs,
}


def _with_missing(rng: np.random.Generator, values: pd.api.extensions.ExtensionArray) -> Any:
    values = values.copy()
    values[rng.random(len(values)) < MISSING_SHARE] = pd.NA
    return values


def _counts(rng: np.random.Generator, high: int | np.ndarray, n: int) -> Any:
    return _with_missing(rng, pd.array(rng.integers(0, np.asarray(high) + 1, n), dtype="Int64"))


def _amounts(rng: np.random.Generator, values: np.ndarray) -> Any:
    return _with_missing(rng, pd.array(values, dtype="Float64"))


def _flags(rng: np.random.Generator, n: int) -> Any:
    return _with_missing(rng, pd.array(rng.random(n) < 0.5, dtype="boolean"))


def random_frames(rows: int, seed: int) -> dict[str, pd.DataFrame]:
    """One frame per indicator with ``rows`` random, valid spoke-periods."""
    rng = np.random.default_rng(seed)
    n = rows
    index = pd.Index([f"Spoke-{i:06d}" for i in range(n)], name="spoke_period")
    referrals = rng.integers(0, 80, n)
    cases = rng.integers(0, 40, n)
    funding = np.round(rng.uniform(0, 150_000, n), 2)
    hours = np.round(rng.uniform(0, 1_600, n), 1)
    posts = rng.choice([0.0, 3.0, 12.0, 24.0], n)
    embeddedness = pd.DataFrame(
        {
            "formal_agreement": _flags(rng, n),
            "colocation_days": _amounts(rng, np.round(rng.uniform(0, 7, n), 1)),
            "systems_access": _counts(rng, 3, n),
            "forums_attended": _counts(rng, 14, n),
            "forums_held": _counts(rng, 12, n),
            "referrals_from_agencies": _counts(rng, referrals, n),
            "referrals_total": pd.array(referrals, dtype="Int64"),
            "host_in_recruitment": _flags(rng, n),
        },
        index=index,
    )
    line_management = pd.array(rng.choice(["hub", "shared", "host"], n), dtype="string")
    independence = pd.DataFrame(
        {
            "independent_funding": _amounts(rng, np.round(funding * rng.random(n), 2)),
            "total_funding": pd.array(funding, dtype="Float64"),
            "line_management": _with_missing(rng, line_management),
            "referral_mandate": _flags(rng, n),
            "time_limited_work": _flags(rng, n),
            "cases_below_high_risk": _counts(rng, cases, n),
            "cases_total": pd.array(cases, dtype="Int64"),
            "cse_hours": _amounts(rng, np.round(hours * rng.random(n), 1)),
            "total_hours": pd.array(hours, dtype="Float64"),
        },
        index=index,
    )
    funder_counts = rng.integers(0, 5, n)
    amounts = np.round(rng.uniform(0, 80_000, int(funder_counts.sum())), 2).tolist()
    funders: list[tuple[float, ...] | None] = []
    start = 0
    for count, missing in zip(funder_counts, rng.random(n) < MISSING_SHARE, strict=True):
        funders.append(None if missing else tuple(amounts[start : start + count]))
        start += count
    sustainability = pd.DataFrame(
        {
            "months_funded_ahead": _amounts(rng, np.round(rng.uniform(0, 40, n), 1)),
            "funding_by_funder": pd.Series(funders, index=index, dtype=object),
            "post_months_filled": _amounts(rng, np.floor(posts * rng.random(n))),
            "post_months": pd.array(posts, dtype="Float64"),
            "supervision_sessions": _counts(rng, 14, n),
            "period_months": pd.array(rng.choice([3.0, 12.0], n), dtype="Float64"),
            "manager_funded": _flags(rng, n),
            "longest_funding_months": _amounts(rng, rng.choice([12.0, 24.0, 36.0, 48.0], n)),
        },
        index=index,
    )
    return {
        "embeddedness": embeddedness,
        "independence": independence,
        "sustainability": sustainability,
    }


def with_precomputed_funding(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``funding_by_funder`` replaced by ``funding_total`` and
    ``funding_sum_squares`` (the other form score_frame accepts; not timed)."""
    funders = frame["funding_by_funder"]
    totals = [None if f is None else math.fsum(f) for f in funders]
    squares = [None if f is None else math.fsum(a * a for a in f) for f in funders]
    return frame.drop(columns="funding_by_funder").assign(
        funding_total=pd.array(totals, dtype="Float64"),
        funding_sum_squares=pd.array(squares, dtype="Float64"),
    )


def inputs_of(frame: pd.DataFrame, indicator: str) -> list[Any]:
    """The scalar inputs objects of every row of ``frame`` (not timed)."""
    cls = INPUT_CLASSES[indicator]
    columns: dict[str, list[Any]] = {}
    for field in attrs.fields(cls):
        column = frame[field.name]
        if column.dtype == object:
            columns[field.name] = list(column)
        else:
            columns[field.name] = [None if pd.isna(v) else v for v in column.astype(object)]
    counts = {"Int64"}
    for name, values in columns.items():
        if str(frame[name].dtype) in counts:
            columns[name] = [None if v is None else int(v) for v in values]
        elif str(frame[name].dtype) == "Float64":
            columns[name] = [None if v is None else float(v) for v in values]
        elif str(frame[name].dtype) == "boolean":
            columns[name] = [None if v is None else bool(v) for v in values]
        elif str(frame[name].dtype) == "string":
            columns[name] = [None if v is None else str(v) for v in values]
    names = list(columns)
    return [
        cls(**dict(zip(names, row, strict=True))) for row in zip(*columns.values(), strict=True)
    ]


def score_all(scorer: Callable[[Any], IndicatorScore], records: Sequence[Any]) -> list[Any]:
    """The scalar loop being timed."""
    return [scorer(r) for r in records]


def best_time(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def disagreements(result: pd.DataFrame, scores: Sequence[IndicatorScore]) -> int:
    """How many rows' value or coverage differ between the two forms (beyond 1e-12)."""
    scalar_value = np.array([np.nan if s.value is None else s.value for s in scores])
    scalar_coverage = np.array([s.coverage for s in scores])
    frame_value = result["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    same_missing = np.isnan(scalar_value) == np.isnan(frame_value)
    close = np.abs(np.nan_to_num(scalar_value) - np.nan_to_num(frame_value)) <= 1e-12
    same_coverage = scalar_coverage == result["coverage"].to_numpy()
    return int((~(same_missing & close & same_coverage)).sum())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=100_000, help="spoke-periods (100000)")
    parser.add_argument("--seed", type=int, default=20150401, help="random seed")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each form, best kept")
    args = parser.parse_args(argv)
    if args.rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be at least 1")

    frames = random_frames(args.rows, args.seed)
    fast_repeat = max(5, args.repeat)  # short runs suffer most from a busy machine
    print(
        f"{args.rows:,} spoke-periods, seed {args.seed}; best of {fast_repeat} runs "
        f"(score_frame) and {args.repeat} (scalar loop)"
    )
    head = f"{'indicator':<16} {'score_frame':>12} {'scalar loop':>12} {'ratio':>8}"
    print(f"{head}  target {TARGET_RATIO:g}x")
    failed = False
    for indicator in INDICATORS:
        frame = frames[indicator]
        records = inputs_of(frame, indicator)
        scorer = SCORERS[indicator]
        scalar = best_time(functools.partial(score_all, scorer, records), args.repeat)
        scores = score_all(scorer, records)
        variants = [(indicator, frame)]
        if indicator == "sustainability":
            variants.append(("  precomputed", with_precomputed_funding(frame)))
        for label, variant in variants:
            wrong = disagreements(score_frame(variant, indicator), scores)
            vectorised = best_time(functools.partial(score_frame, variant, indicator), fast_repeat)
            ratio = scalar / vectorised
            verdict = "PASS" if ratio >= TARGET_RATIO and wrong == 0 else "FAIL"
            failed |= verdict == "FAIL"
            note = f"  ({wrong} rows disagree)" if wrong else ""
            print(
                f"{label:<16} {vectorised * 1000:>10.1f}ms {scalar * 1000:>10.1f}ms "
                f"{ratio:>7.1f}x  {verdict}{note}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
