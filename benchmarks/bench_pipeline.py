"""Benchmark: the whole pipeline (import, score, report) on a 1M-row cases file.

Writes one synthetic ``hubspoke-cases`` CSV (1,000,000 rows by default) for
the example programme's spokes (``examples/programme.json``): a national
caseload export in one file, every row a young person open in one spoke in one
financial quarter. Cases are referred while their spoke runs, stay open for a
few months (lognormal, median about five), and appear in the return of every
quarter they are open, under the same case id, with the same referral date and
demographics; ``risk_latest``, ``age`` and ``missing_after`` move from quarter
to quarter, and ``closed_on`` and ``closure_reason`` are on the row of the
quarter the case closed in. Codes are drawn from hubspoke's code lists, mostly
as codes, some as labels or aliases (``Female``, ``police``); dates are mostly
``dd/mm/yyyy`` with some ISO and ``5 Apr 2015``. All data is synthetic.

Then it runs ``--repeat`` rounds (default 5) of these steps, interleaved so
that a busy spell on a shared machine slows them all, each step as a whole
process, with wall time and the child's peak resident memory (``ru_maxrss``
of ``RUSAGE_CHILDREN`` in a fresh ``python -c`` wrapper per step, so each
figure is one child's own; on Linux it also carries the wrapper's ~10 MiB at
fork, which is negligible here):

- the baseline: ``python -c "import pandas; pandas.read_csv(path, dtype=str)"``
  (run once before, uncounted, to warm the page cache);
- ``hubspoke import programme.json cases.csv --workspace W --json``;
- ``hubspoke score --workspace W --json``;
- ``hubspoke report --workspace W --out DIR``;
- ``hubspoke demo --out DIR`` (wall time only; no target).

Every step runs with Python's bytecode cache allowed (some machines set
``PYTHONDONTWRITEBYTECODE``), and hubspoke's modules are byte-compiled
before the rounds, as ``pip install`` leaves an installed package: an
editable install on such a machine would otherwise compile every module of
hubspoke on every command (about 0.1 s), which no user's installed copy does.

It prints a table of each step's median seconds, its highest peak MiB and
ratios to the baseline's median (every round's time shown too), with the
targets of issue 8 (import: time 3x and memory 2x; score: time 1x; report:
time 2x) marked met or NOT MET. Absolute times on shared machines are noise;
the ratios are measured in one run. A benchmark reports, it does not fail: the
exit status is 0 whatever the figures (2 only for bad arguments).

If ``hubspoke import`` has no ``--max-file-size`` option yet and the file is
over ``LoadOptions.max_bytes``, the import is run through the same CLI entry
point with that default raised in-process, and the table says so.

Usage::

    python benchmarks/bench_pipeline.py [--rows 1000000] [--repeat 5] [--keep DIR] [--json]

``--keep DIR`` writes the CSV, workspace, report and demo into DIR and keeps
them. ``--json`` prints the figures as one JSON document on stdout (the table
then goes to stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt
import pandas as pd

from hubspoke.codes import code_list
from hubspoke.serialization import loads_programme

ROOT = Path(__file__).resolve().parents[1]
PROGRAMME = ROOT / "examples" / "programme.json"

#: step -> (time ratio at most, memory ratio at most); None: no target.
TARGETS: dict[str, tuple[float | None, float | None]] = {
    "import": (3.0, 2.0),
    "score": (1.0, None),
    "report": (2.0, None),
}

#: Runs one command and prints its wall time and peak RSS (this wrapper's only child).
_WRAPPER = r"""
import json, resource, subprocess, sys, time
out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "wb") as o, open(err, "wb") as e:
    start = time.perf_counter()
    code = subprocess.call(cmd, stdout=o, stderr=e)
    seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mib": peak, "returncode": code}))
"""

_BASELINE = "import sys, pandas; pandas.read_csv(sys.argv[1], dtype=str)"

#: The ``hubspoke`` command with ``LoadOptions.max_bytes``' default raised (argv[1]).
_RAISED_LIMIT = r"""
import sys
from hubspoke.plugins.contract import LoadOptions
LoadOptions.__init__.__kwdefaults__["max_bytes"] = int(sys.argv[1])
from hubspoke.cli import main
sys.argv = ["hubspoke", *sys.argv[2:]]
main()
"""

# Realistic shares of codes (others in a list get a small share); see hubspoke.codes.
_CODE_WEIGHTS: dict[str, dict[str, float]] = {
    "gender": {"2": 80, "1": 17, "9": 1, "0": 2},
    "ethnicity": {
        "WBRI": 70,
        "MWBC": 5,
        "WOTH": 3,
        "APKN": 3,
        "BCRB": 2,
        "BAFR": 2,
        "MOTH": 3,
        "AOTH": 1,
        "REFU": 2,
        "NOBT": 4,
    },
    "referral_source": {
        "5A": 38,
        "6": 18,
        "2A": 12,
        "3F": 8,
        "1B": 5,
        "5D": 5,
        "8": 4,
        "7": 3,
        "1A": 2,
        "10": 2,
    },
    "sexuality": {
        "heterosexual": 55,
        "bisexual": 5,
        "gay_or_lesbian": 3,
        "other": 2,
        "declined": 10,
        "not_recorded": 25,
    },
    "risk_level": {"low": 20, "medium": 45, "high": 33, "not_recorded": 2},
    "support_type": {"one_to_one": 75, "group": 5, "both": 20},
    "closure_reason": {
        "outcomes_achieved": 55,
        "disengaged": 15,
        "moved_away": 8,
        "transferred": 10,
        "age_limit": 6,
        "other": 4,
        "not_recorded": 2,
    },
}
#: How a code is written: the code itself, its label, or one of its aliases.
_FORM_SHARES = (0.85, 0.10, 0.05)
_DATE_FORMATS = (("%d/%m/%Y", 0.8), ("%Y-%m-%d", 0.15), ("%d %b %Y", 0.05))

StrArray = npt.NDArray[np.str_]
IntArray = npt.NDArray[np.int64]


# --------------------------------------------------------------------------- data


def _surface_forms(list_name: str) -> tuple[StrArray, list[str], npt.NDArray[np.float64]]:
    """Every way a code of ``list_name`` is written, the code each means, and a probability."""
    weights = _CODE_WEIGHTS.get(list_name, {})
    texts: list[str] = []
    codes: list[str] = []
    probs: list[float] = []
    for code in code_list(list_name):
        share = weights.get(code.value, 0.5 if not weights else 0.0)
        if share <= 0:
            continue
        forms = [(code.value, _FORM_SHARES[0]), (code.label, _FORM_SHARES[1])]
        forms += [(a, _FORM_SHARES[2] / len(code.aliases)) for a in code.aliases]
        total = sum(s for _, s in forms)
        for text, s in forms:
            texts.append(text)
            codes.append(code.value)
            probs.append(share * s / total)
    p = np.array(probs)
    return np.array(texts), codes, p / p.sum()


def _draw(rng: np.random.Generator, list_name: str, n: int) -> StrArray:
    """``n`` cells of code list ``list_name`` as senders write them."""
    texts, _, p = _surface_forms(list_name)
    drawn: StrArray = texts[rng.choice(len(texts), size=n, p=p)]
    return drawn


def _draw_codes(rng: np.random.Generator, list_name: str, n: int) -> IntArray:
    """``n`` indices into ``_surface_forms(list_name)``."""
    texts, _, p = _surface_forms(list_name)
    return rng.choice(len(texts), size=n, p=p).astype(np.int64)


def _day_text(rng: np.random.Generator, days: IntArray, epoch: np.datetime64) -> StrArray:
    """Dates (days since ``epoch``) as text, in a realistic mix of accepted formats."""
    lo, hi = int(days.min()), int(days.max())
    stamps = pd.Series(pd.to_datetime(epoch) + pd.to_timedelta(np.arange(lo, hi + 1), "D"))
    tables = [stamps.dt.strftime(fmt).to_numpy(dtype=str) for fmt, _ in _DATE_FORMATS]
    which = rng.choice(len(tables), size=len(days), p=[p for _, p in _DATE_FORMATS])
    out = np.empty(len(days), dtype=object)
    for i, table in enumerate(tables):
        sel = which == i
        out[sel] = table[days[sel] - lo]
    result: StrArray = out.astype(str)
    return result


def _fiscal_quarter(days: IntArray, epoch: np.datetime64) -> IntArray:
    """Absolute UK financial quarter of each day (4 * starting year + quarter - 1)."""
    months = (epoch + days.astype("timedelta64[D]")).astype("datetime64[M]").astype(np.int64)
    # months since 1970-01; April 1970 is the first month of 1970-71 Q1
    quarters: IntArray = (months - 3) // 3 + 1970 * 4
    return quarters


def _quarter_bounds(quarters: IntArray, epoch: np.datetime64) -> tuple[IntArray, IntArray]:
    """First and last day (days since ``epoch``) of each absolute financial quarter."""
    first_month = (quarters - 1970 * 4) * 3 + 3
    start = np.array(first_month, dtype="datetime64[M]").astype("datetime64[D]")
    end = np.array(first_month + 3, dtype="datetime64[M]").astype("datetime64[D]")
    day = np.timedelta64(1, "D")
    return (
        ((start - epoch) // day).astype(np.int64),
        ((end - epoch) // day).astype(np.int64) - 1,
    )


def _quarter_labels(quarters: IntArray) -> StrArray:
    distinct = np.unique(quarters)
    names = np.array([f"{q // 4}-{(q // 4 + 1) % 100:02d} Q{q % 4 + 1}" for q in distinct])
    labels: StrArray = names[np.searchsorted(distinct, quarters)]
    return labels


def write_cases(path: Path, rows: int, seed: int = 8) -> dict[str, int]:
    """Write a synthetic, valid ``hubspoke-cases`` CSV of exactly ``rows`` rows.

    Returns counts describing it (services, periods, service-periods, cases).
    """
    rng = np.random.default_rng(seed)
    programme = loads_programme(PROGRAMME.read_text(encoding="utf-8"))
    epoch = np.datetime64("2010-01-01", "D")

    def days(d: date) -> int:
        return int((np.datetime64(d, "D") - epoch) // np.timedelta64(1, "D"))

    spokes = np.array([s.id for s in programme.spokes])
    first = np.array([days(s.actual_start or s.planned_start) for s in programme.spokes])
    last = np.array(
        [days(s.actual_end or s.planned_end or date(2019, 3, 31)) for s in programme.spokes]
    )
    # Busier and quieter spokes; referrals spread over each spoke's working life.
    busy = rng.lognormal(0.0, 0.5, len(spokes)) * (last - first + 1)
    busy /= busy.sum()

    # Cases, drawn in batches until their quarter-rows reach ``rows``.
    parts: list[dict[str, Any]] = []
    total = 0
    while total < rows:
        n = max(1000, int((rows - total) / 2.5 * 1.05))
        spoke = rng.choice(len(spokes), size=n, p=busy)
        referral = first[spoke] + (rng.random(n) * (last[spoke] - first[spoke] + 1)).astype(
            np.int64
        )
        closed = referral + rng.lognormal(np.log(150), 0.7, n).astype(np.int64)
        is_closed = closed <= last[spoke]
        end = np.where(is_closed, closed, last[spoke])
        q_first = _fiscal_quarter(referral, epoch)
        span = _fiscal_quarter(end, epoch) - q_first + 1
        parts.append(
            {"spoke": spoke, "referral": referral, "closed": closed,
             "is_closed": is_closed, "q_first": q_first, "span": span}
        )  # fmt: skip
        total += int(span.sum())
    case = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    # Keep cases until ``rows`` quarter-rows; the last one kept loses its later quarters.
    cum = np.cumsum(case["span"])
    keep = int(np.searchsorted(cum, rows)) + 1
    case = {k: v[:keep] for k, v in case.items()}
    overshoot = int(cum[keep - 1]) - rows
    if overshoot:
        case["span"][-1] -= overshoot
        case["is_closed"][-1] = False
    n_cases = keep

    # Case ids per spoke, numbered in referral order: S14-C000001.
    order = np.lexsort((case["referral"], case["spoke"]))
    sorted_spoke = case["spoke"][order]
    starts = np.searchsorted(sorted_spoke, sorted_spoke, side="left")
    number = np.empty(n_cases, dtype=np.int64)
    number[order] = np.arange(n_cases) - starts + 1
    case_id = np.char.add(
        np.char.add(spokes[case["spoke"]], "-C"), np.char.zfill(number.astype(str), 6)
    )

    # What stays with a young person across quarters.
    gender = _draw(rng, "gender", n_cases)
    ethnicity = _draw(rng, "ethnicity", n_cases)
    sexuality = _draw(rng, "sexuality", n_cases)
    sexuality[rng.random(n_cases) < 0.1] = ""  # not supplied
    source = _draw(rng, "referral_source", n_cases)
    support = _draw(rng, "support_type", n_cases)
    risk_texts, risk_codes, _ = _surface_forms("risk_level")
    risk_idx = _draw_codes(rng, "risk_level", n_cases)
    looked_after = rng.choice(np.array(["no", "yes", ""]), size=n_cases, p=[0.7, 0.2, 0.1])
    age_at_referral = rng.choice(
        np.arange(10, 19), size=n_cases, p=[0.02, 0.05, 0.1, 0.17, 0.22, 0.21, 0.14, 0.07, 0.02]
    )
    missing_before = np.minimum(rng.poisson(1.5, n_cases), 20)
    referral_text = _day_text(rng, case["referral"], epoch)

    # One row per case per quarter it is open.
    row_case = np.repeat(np.arange(n_cases), case["span"])
    step = np.arange(len(row_case)) - np.repeat(
        np.cumsum(case["span"]) - case["span"], case["span"]
    )
    quarter = case["q_first"][row_case] + step
    q_start, q_end = _quarter_bounds(quarter, epoch)
    n_rows = len(row_case)
    closes_here = case["is_closed"][row_case] & (step == case["span"][row_case] - 1)

    # Risk often falls while a case is open; written the way the referral risk was.
    level = {"low": 0, "medium": 1, "high": 2}
    ref_code = np.array(risk_codes)[risk_idx]
    ref_level = np.array([level.get(c, -1) for c in ref_code])[row_case]
    fall = rng.binomial(step, 0.25)
    latest_level = np.where(ref_level < 0, -1, np.maximum(ref_level - fall, 0))
    plain = np.array(["low", "medium", "high"])
    alias = np.array(["Low", "Medium", "High"])
    shown = latest_level.clip(0)
    risk_latest = np.where(rng.random(n_rows) < 0.9, plain[shown], alias[shown])
    risk_latest = np.where(latest_level < 0, "not_recorded", risk_latest)

    age = age_at_referral[row_case] + (q_end - case["referral"][row_case]) // 365
    age = np.minimum(age, 25)
    closed_text = np.full(n_rows, "", dtype=object)
    reason = np.full(n_rows, "", dtype=object)
    shut = np.flatnonzero(closes_here)
    if len(shut):
        closed_text[shut] = _day_text(rng, case["closed"][row_case[shut]], epoch)
        reason[shut] = _draw(rng, "closure_reason", len(shut))
    assert (q_start <= q_end).all()

    frame = pd.DataFrame(
        {
            "service": spokes[case["spoke"]][row_case],
            "period": _quarter_labels(quarter),
            "case_id": case_id[row_case],
            "referral_date": referral_text[row_case],
            "referral_source": source[row_case],
            "risk_at_referral": risk_texts[risk_idx][row_case],
            "risk_latest": risk_latest,
            "gender": gender[row_case],
            "ethnicity": ethnicity[row_case],
            "sexuality": sexuality[row_case],
            "age": age.astype(str),
            "looked_after": looked_after[row_case],
            "support_type": support[row_case],
            "missing_before": missing_before[row_case].astype(str),
            "missing_after": np.minimum(rng.poisson(0.5, n_rows), 15).astype(str),
            "closed_on": closed_text,
            "closure_reason": reason,
        }
    )
    # A national export: by period, then service, then case id.
    frame = frame.iloc[np.lexsort((case_id[row_case], frame["service"], quarter))]
    frame.to_csv(path, index=False)
    return {
        "rows": n_rows,
        "cases": n_cases,
        "services": len(np.unique(case["spoke"])),
        "periods": len(np.unique(quarter)),
        "service_periods": len(np.unique(case["spoke"][row_case] * 100_000 + quarter)),
    }


# ---------------------------------------------------------------------- measuring


def hubspoke_command() -> list[str]:
    """How to run the installed ``hubspoke`` command (the console script if present)."""
    script = Path(sys.executable).with_name("hubspoke")
    if script.exists():
        return [str(script)]
    found = shutil.which("hubspoke")
    return [found] if found else [sys.executable, "-m", "hubspoke"]


def size_limit_workaround(path: Path) -> int | None:
    """A raised size limit to run ``import`` with, or None when the CLI needs none."""
    helptext = subprocess.run(
        [*hubspoke_command(), "import", "--help"], capture_output=True, text=True, check=False
    ).stdout
    if "--max-file-size" in helptext:
        return None  # the CLI has its own limit, whose default must let the file through
    try:
        from hubspoke.plugins.contract import LoadOptions

        limit = int(LoadOptions().max_bytes)
    except (ImportError, AttributeError, TypeError):
        return None
    size = path.stat().st_size
    return 2 * size if size > limit else None


def step_environment() -> dict[str, str]:
    """The environment every step runs in: this one, with Python's bytecode cache allowed.

    Some machines set ``PYTHONDONTWRITEBYTECODE``; a user's installed hubspoke
    has its bytecode (pip compiles it), so no step should compile its modules.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compile_hubspoke() -> None:
    """Byte-compile hubspoke's packages, as ``pip install`` does (editable installs skip it)."""
    import compileall

    import hubspoke
    import hubspoke_importers

    for package in (hubspoke, hubspoke_importers):
        for folder in package.__path__:
            compileall.compile_dir(folder, quiet=1)


def measure(cmd: Sequence[str], work: Path, name: str) -> dict[str, Any]:
    """Run ``cmd`` as a grandchild; its wall time, peak RSS, exit status and output files."""
    out, err = work / f"{name}.stdout", work / f"{name}.stderr"
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(out), str(err), *cmd],
        check=True,
        capture_output=True,
        text=True,
        cwd=work,
        env=step_environment(),
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["stdout"], result["stderr"] = out, err
    return result


def _tail(path: Path, lines: int = 5) -> str:
    text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return "\n".join("    " + line for line in text[-lines:])


def _import_check(stdout: Path, csv: Path) -> dict[str, Any]:
    """Rows read, imported and rejected for ``csv``, from ``import --json``."""
    try:
        doc = json.loads(stdout.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    for f in doc.get("files", []):
        if Path(str(f.get("path", ""))).name == csv.name:
            keys = ("status", "rows_read", "rows_imported", "rows_rejected", "returns_stored")
            found: dict[str, Any] = {k: f.get(k) for k in keys}
            found["errors"] = sum(
                1 for d in f.get("diagnostics", []) if d.get("severity") == "error"
            )
            found["message"] = f.get("message")
            return found
    return {}


def _fresh(*paths: Path) -> None:
    """Remove what an earlier round left, so every round starts from the same state."""
    for old in paths:
        if old.is_dir():
            shutil.rmtree(old)
        elif old.exists():
            old.unlink()
        for extra in (old.with_name(old.name + "-wal"), old.with_name(old.name + "-shm")):
            extra.unlink(missing_ok=True)


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median wall time (its memory and outputs), with every round's times."""
    ordered = sorted(runs, key=lambda r: r["seconds"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    failed = [r for r in runs if r["returncode"] != 0]
    if failed:
        chosen = dict(failed[0])
    chosen["rounds"] = [round(r["seconds"], 2) for r in runs]
    chosen["peak_mib"] = max(r["peak_mib"] for r in runs)
    return chosen


def run_pipeline(work: Path, rows: int, out: TextIO, repeat: int = 5) -> dict[str, Any]:
    csv = work / "cases.csv"
    started = time.perf_counter()
    shape = write_cases(csv, rows)
    size_mib = csv.stat().st_size / 2**20
    print(
        f"file: {csv} - {shape['rows']:,} rows, {size_mib:.1f} MiB; {shape['cases']:,} cases "
        f"in {shape['services']} spokes x {shape['periods']} quarters "
        f"({shape['service_periods']} service-periods); written in "
        f"{time.perf_counter() - started:.1f} s",
        file=out,
        flush=True,
    )
    hub = hubspoke_command()
    ws = work / "workspace.sqlite"
    _fresh(ws, work / "report", work / "demo")
    raised = size_limit_workaround(csv)
    importer = hub if raised is None else [sys.executable, "-c", _RAISED_LIMIT, str(raised)]
    steps: list[tuple[str, list[str]]] = [
        ("read_csv", [sys.executable, "-c", _BASELINE, str(csv)]),
        (
            "import",
            [*importer, "import", str(PROGRAMME), str(csv), "--workspace", str(ws), "--json"],
        ),
        ("score", [*hub, "score", "--workspace", str(ws), "--json"]),
        ("report", [*hub, "report", "--workspace", str(ws), "--out", str(work / "report")]),
        ("demo", [*hub, "demo", "--out", str(work / "demo")]),
    ]
    # Warm the page cache for the interpreter, pandas and the file, and compile hubspoke's
    # modules as an installed package has them (not counted).
    measure(steps[0][1], work, "warm-up")
    compile_hubspoke()
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in steps}
    for round_ in range(1, repeat + 1):
        # rounds interleave the steps, so a busy spell on a shared machine hits them all
        _fresh(ws, work / "report", work / "demo")
        for name, cmd in steps:
            print(f"round {round_} of {repeat}: running {name} ...", file=out, flush=True)
            runs[name].append(measure(cmd, work, name))
    results = {name: _median_run(found) for name, found in runs.items()}
    base = results["read_csv"]
    figures: dict[str, Any] = {
        "rows": shape["rows"],
        "file_mib": round(size_mib, 1),
        "shape": shape,
        "size_limit_raised_in_process": raised is not None,
        "repeat": repeat,
        "steps": {},
    }
    for name, r in results.items():
        time_target, mem_target = TARGETS.get(name, (None, None))
        entry: dict[str, Any] = {
            "seconds": round(r["seconds"], 2),
            "rounds": r["rounds"],
            "peak_mib": round(r["peak_mib"], 1),
            "returncode": r["returncode"],
        }
        if name not in ("read_csv", "demo"):
            entry["time_ratio"] = round(r["seconds"] / base["seconds"], 2)
            entry["memory_ratio"] = round(r["peak_mib"] / base["peak_mib"], 2)
            entry["time_target"], entry["memory_target"] = time_target, mem_target
            met = r["returncode"] == 0
            if time_target is not None:
                met = met and entry["time_ratio"] <= time_target
            if mem_target is not None:
                met = met and entry["memory_ratio"] <= mem_target
            entry["met"] = met
        figures["steps"][name] = entry
    figures["import"] = _import_check(results["import"]["stdout"], csv)
    report_html = work / "report" / "report.html"
    figures["report_written"] = report_html.exists()
    try:
        json.loads(results["score"]["stdout"].read_text(encoding="utf-8"))
        figures["score_json_ok"] = True
    except (OSError, ValueError):
        figures["score_json_ok"] = False
    figures["failures"] = {
        name: _tail(r["stderr"]) for name, r in results.items() if r["returncode"] != 0
    }
    return figures


# ---------------------------------------------------------------------- printing


def _target_text(entry: dict[str, Any]) -> str:
    parts = []
    if entry.get("time_target") is not None:
        parts.append(f"time <= {entry['time_target']:g}x")
    if entry.get("memory_target") is not None:
        parts.append(f"mem <= {entry['memory_target']:g}x")
    return ", ".join(parts) or "-"


def print_table(figures: dict[str, Any], out: TextIO) -> None:
    header = (
        f"{'step':<10}{'seconds':>9}{'peak MiB':>10}{'time x':>8}{'mem x':>8}  {'target':<22}result"
    )
    print(
        f"\nEach step run {figures['repeat']} time(s), rounds interleaved; seconds are each "
        "step's median, peak memory its highest; ratios divide by the baseline's median.",
        file=out,
    )
    print(header, file=out)
    print("-" * (len(header) + 8), file=out)
    for name, e in figures["steps"].items():
        if "time_ratio" in e:
            ratios = f"{e['time_ratio']:>8.2f}{e['memory_ratio']:>8.2f}"
            result = "met" if e["met"] else "NOT MET"
        else:
            one = "1.00" if name == "read_csv" else "-"
            ratios = f"{one:>8}{one:>8}"
            result = "baseline" if name == "read_csv" else "(wall time only)"
        if e["returncode"] != 0:
            result = f"FAILED (exit {e['returncode']})" + ("" if name == "demo" else ", NOT MET")
        target = _target_text(e)
        print(
            f"{name:<10}{e['seconds']:>9.2f}{e['peak_mib']:>10.0f}{ratios}  {target:<22}{result}"
            f"  (rounds: {', '.join(f'{x:.2f}' for x in e['rounds'])} s)",
            file=out,
        )
    imp = figures.get("import") or {}
    if imp:
        print(
            f"\nimport of the cases file: {imp.get('status')}; rows read {imp.get('rows_read')}, "
            f"imported {imp.get('rows_imported')}, rejected {imp.get('rows_rejected')}, "
            f"returns stored {imp.get('returns_stored')}, errors {imp.get('errors')}",
            file=out,
        )
    else:
        print("\nimport of the cases file: no outcome found in `import --json`", file=out)
    if figures["size_limit_raised_in_process"]:
        print(
            "note: `hubspoke import` has no --max-file-size option yet and the file is over "
            "LoadOptions.max_bytes, so import ran through the same CLI entry point with that "
            "default raised in-process.",
            file=out,
        )
    print(
        f"score --json parsed: {'yes' if figures['score_json_ok'] else 'NO'}; "
        f"report.html written: {'yes' if figures['report_written'] else 'NO'}",
        file=out,
    )
    for name, tail in figures["failures"].items():
        print(f"\n{name} failed; last lines of its stderr:\n{tail}", file=out)
    graded = [e for e in figures["steps"].values() if "met" in e]
    met = sum(1 for e in graded if e["met"])
    print(f"\n{met} of {len(graded)} targets met.", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the cases file")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep its files")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON on stdout")
    parser.add_argument(
        "--repeat", type=int, default=5, help="rounds of every step; each step's median counts"
    )
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    out = sys.stderr if args.json else sys.stdout
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        figures = run_pipeline(args.keep.resolve(), args.rows, out, args.repeat)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
            figures = run_pipeline(Path(tmp), args.rows, out, args.repeat)
    print_table(figures, out)
    if args.json:
        print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
