"""Benchmark: validating a large ``hubspoke-cases`` file against a bare ``pandas.read_csv``.

Writes a synthetic cases CSV (1,000,000 rows by default), then, each in a
fresh subprocess so peak memory is measured cleanly:

- the baseline: ``pandas.read_csv(path, dtype=str, keep_default_na=False)``;
- hubspoke: ``hubspoke.validation.validate_file(path, format="hubspoke-cases")``
  (read, map every code column, check every rule, build the returns).

It prints both wall times and peak resident memory, and their ratios measured
in the same run (absolute times on shared machines are noise). The target is a
time ratio of at most 3; the script prints PASS or FAIL against it and exits 1
on FAIL.

Usage::

    python benchmarks/bench_import.py [--rows 1000000] [--keep FILE]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

TARGET_RATIO = 3.0

_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
path, mode = Path(sys.argv[1]), sys.argv[2]


def peak_mib():
    # VmHWM is this process's own high-water mark; ru_maxrss is not usable here
    # because Linux carries the parent's RSS at fork over the exec into the child.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


import pandas as pd
if mode == "validate":
    from hubspoke.plugins.contract import LoadOptions
    from hubspoke.validation import validate_file
    import hubspoke_importers  # noqa: F401  (warm imports outside the timed part)
    # The default size limit (50 MiB) would refuse the file before reading it.
    options = LoadOptions(max_bytes=path.stat().st_size)
start = time.perf_counter()
if mode == "baseline":
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows, extra = len(frame), {}
else:
    report = validate_file(path, format="hubspoke-cases", options=options)
    rows = report.rows_read
    extra = {"imported": report.rows_imported, "rejected": report.rows_rejected,
             "returns": len(report.returns), "errors": sum(
                 1 for d in report.diagnostics if d.severity.value == "error")}
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "peak_mib": peak_mib(), "rows": rows, **extra}))
"""


def write_cases(path: Path, rows: int, seed: int = 7) -> None:
    """Write a synthetic, valid ``hubspoke-cases`` CSV of ``rows`` rows (vectorised)."""
    rng = np.random.default_rng(seed)
    services = np.array([f"S{i:02d}" for i in range(1, 54)])
    periods = np.array(["2015-16 Q1", "2015-16 Q2", "2015-16 Q3", "2015-16 Q4"])
    q_start = pd.to_datetime(["2015-04-01", "2015-07-01", "2015-10-01", "2016-01-01"])
    q = rng.integers(0, 4, rows)
    referral = q_start.values[q] + pd.to_timedelta(rng.integers(0, 90, rows), unit="D").values
    # a case closed within the quarter it is reported in (a return cannot know later dates)
    q_end = pd.to_datetime(["2015-06-30", "2015-09-30", "2015-12-31", "2016-03-31"])
    days_left = (q_end.values[q] - referral) // np.timedelta64(1, "D")
    closed = (
        referral
        + pd.to_timedelta((rng.random(rows) * (days_left + 1)).astype(np.int64), unit="D").values
    )
    open_case = rng.random(rows) < 0.6
    frame = pd.DataFrame(
        {
            "service": services[rng.integers(0, len(services), rows)],
            "period": periods[q],
            "case_id": np.char.add("Case-", np.arange(rows).astype(str)),
            "referral_date": pd.Series(referral).dt.strftime("%d/%m/%Y"),
            "referral_source": rng.choice(["5A", "6", "2A", "3F", "1B", "8", "10"], rows),
            "risk_at_referral": rng.choice(["low", "medium", "high"], rows),
            "risk_latest": rng.choice(["low", "medium", "high", "Medium", "HIGH"], rows),
            "gender": rng.choice(["1", "2", "Female", "F", "Male", "0"], rows),
            "ethnicity": rng.choice(["WBRI", "MWBC", "White British", "REFU", "NOBT"], rows),
            "sexuality": rng.choice(["heterosexual", "declined", "not_recorded", ""], rows),
            "age": rng.integers(10, 19, rows).astype(str),
            "support_type": rng.choice(["one_to_one", "group", "1:1"], rows),
            "missing_before": rng.integers(0, 6, rows).astype(str),
            "missing_after": rng.integers(0, 4, rows).astype(str),
            "closed_on": np.where(open_case, "", pd.Series(closed).dt.strftime("%d/%m/%Y")),
            "closure_reason": np.where(
                open_case, "", rng.choice(["outcomes_achieved", "disengaged", "moved_away"], rows)
            ),
        }
    )
    frame.to_csv(path, index=False)


def measure(path: Path, mode: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), mode],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="write the CSV here and keep it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "cases.csv"
        write_cases(path, args.rows)
        size_mib = path.stat().st_size / 2**20
        base = measure(path, "baseline")
        ours = measure(path, "validate")
    ratio = ours["seconds"] / base["seconds"]
    mem_ratio = ours["peak_mib"] / base["peak_mib"]
    print(f"file: {args.rows:,} rows, {size_mib:.1f} MiB")
    print(f"pandas.read_csv          {base['seconds']:8.2f} s   peak {base['peak_mib']:8.0f} MiB")
    print(f"hubspoke validate_file   {ours['seconds']:8.2f} s   peak {ours['peak_mib']:8.0f} MiB")
    print(
        f"rows read {ours['rows']:,.0f}, imported {ours['imported']:,.0f}, "
        f"rejected {ours['rejected']:,.0f}, returns {ours['returns']:,.0f}, "
        f"errors {ours['errors']:,.0f}"
    )
    print(f"time ratio {ratio:.2f}x (target <= {TARGET_RATIO:g}x), memory ratio {mem_ratio:.2f}x")
    reconciled = ours["imported"] + ours["rejected"] == ours["rows"]
    ok = ratio <= TARGET_RATIO and ours["rows"] == args.rows and reconciled
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
