"""Fuzz suite (issue 10): hostile CSV, JSON and workbook files built by hypothesis, run
through validate, import, score, report and returns in-process, plus one import under a
memory limit in a subprocess.

Structure-aware: files are built from the formats' own headers, labels, codes and
measures, mixed with hostile tokens (huge and non-finite numbers, dates far outside the
window, personal data, formula text, control characters, bidirectional overrides,
unbalanced quotes, long cells, ragged rows, byte-order marks, odd line ends, repeated
JSON keys, deep nesting), so most examples reach the rules rather than the parser.

Every example asserts: no traceback from any command, ``rows_read = rows_imported +
rows_rejected`` for the file, and score, report and returns still work afterwards. Each
example runs the whole pipeline, so it runs a fifteenth of the profile's examples: ten
per format in ``ci``, 133 with ``--hypothesis-profile=long``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hostile_files as h
from hubspoke.cli import main
from hubspoke.model import ExpectedReturn
from hubspoke.periods import parse_period
from hubspoke.serialization import dumps_programme
from importer_fixtures import fictional_programme

EXAMPLES = max(3, settings().max_examples // 15)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)

TOKENS = [
    "S01",
    "S02",
    "S99",
    "2015-16 Q1",
    "2015-16 Q2",
    "2015-16",
    "Q1",
    "2011-12",
    "referrals_received",
    "young_people_supported",
    "professionals_trained",
    "not_a_measure",
    "F",
    "M",
    "declined",
    "police",
    "WBRI",
    "",
    "0",
    "4",
    "40",
    "-1",
    "15.5",
    "1e400",
    "NaN",
    "inf",
    "9e18",
    "9223372036854775808",
    "1" * 400,
    "07/04/2015",
    "2015-04-07",
    "07/04/2999",
    "31/02/2015",
    "01/01/1677",
    h.FAKE_NAME,
    h.FAKE_NHS,
    h.FAKE_PHONE,
    h.FAKE_EMAIL,
    h.FAKE_POSTCODE,
    '=HYPERLINK("http://example.invalid")',
    "+1",
    "@SUM(A1)",
    "\x1b[31mred",
    "line\nbreak",
    "\u202eevil",
    "Ynys Môn",
    '"unbalanced',
    "A" * 33_000,
]
#: Cells openpyxl can write (no control characters).
WORKBOOK_TOKENS = [t for t in TOKENS if t.isprintable() or t == ""]

cell = st.one_of(
    st.sampled_from(TOKENS),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=12),
)


def _quote(text: str, quoted: bool) -> str:
    return '"' + text.replace('"', '""') + '"' if quoted else text


@st.composite
def hostile_csv(draw: st.DrawFn) -> bytes:
    header = draw(
        st.sampled_from(
            [
                h.VALUES_HEADER,
                h.CASES_HEADER,
                "service,period,measure,value",
                "Service ID;Period;Measure;Value",
                ",".join(draw(st.lists(st.sampled_from(TOKENS[:20]), min_size=1, max_size=8))),
            ]
        )
    )
    width = header.count(",") + 1
    rows = draw(
        st.lists(
            st.lists(cell, min_size=max(0, width - 2), max_size=width + 2), min_size=0, max_size=8
        )
    )
    quoting = draw(st.booleans())
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = [header] + [",".join(_quote(c, quoting) for c in row) for row in rows]
    text = end.join(lines) + draw(st.sampled_from([end, ""]))
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(st.integers(0, 9)) == 0:
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=8)) + data[cut:]
    return data


number: st.SearchStrategy[int | float] = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["40", None, [], {}, True]),
)


@st.composite
def hostile_json(draw: st.DrawFn) -> bytes:
    returns: list[dict[str, object]] = []
    for _ in range(draw(st.integers(0, 3))):
        quarter = draw(st.integers(1, 4))
        period = parse_period(f"2015-16 Q{quarter}")
        changes: dict[str, object] = {
            "service_id": draw(st.sampled_from(["S01", "S02", "S99", h.FAKE_NHS, ""])),
            "period": {
                "start": draw(st.sampled_from([period.start.isoformat(), "2999-01-01"])),
                "end": period.end.isoformat(),
                "label": draw(st.sampled_from([period.label, "2015-16 Q4", "nonsense"])),
            },
            "submitted_on": draw(st.sampled_from(["2015-07-20", "9999-12-31", None, "1600-01-01"])),
            "values": [
                {
                    "measure": draw(st.sampled_from(TOKENS[8:12])),
                    "breakdown": draw(st.sampled_from([{}, {"gender": "F"}, {"gender": 3}])),
                    "value": draw(number),
                }
                for _ in range(draw(st.integers(0, 4)))
            ],
        }
        if draw(st.booleans()):
            changes["outcomes"] = [
                {
                    "case_id": draw(st.sampled_from(["S01-C0001", h.FAKE_NAME, h.FAKE_PHONE])),
                    "instrument": draw(st.sampled_from(["outcome_star", h.FAKE_EMAIL])),
                    "on": "2015-05-01",
                    "goal": draw(st.sampled_from(["stay safe", h.FAKE_NAME, None])),
                    "goal_status": "met",
                    "subject": "young_person",
                }
            ]
        returns.append(h.json_return(**changes))
    text = json.dumps({"hubspoke": "returns", "version": 1, "returns": returns})
    kind = draw(st.integers(0, 5))
    if kind == 0:  # a repeated key
        text = text.replace('"version": 1', '"version": 1, "version": 2', 1)
    elif kind == 1:  # deep nesting
        depth = draw(st.integers(1, 5000))
        text = text[:-1] + ', "deep": ' + "[" * depth + "]" * depth + "}"
    elif kind == 2:  # a huge literal
        text = text[:-1] + ', "big": ' + "9" * draw(st.integers(1, 6000)) + "}"
    elif kind == 3:  # a lone surrogate, escaped
        text = text[:-1] + ', "s": "\\ud800"}'
    elif kind == 4:  # cut short
        text = text[: draw(st.integers(0, len(text)))]
    return text.encode("utf-8")


@st.composite
def hostile_workbook(draw: st.DrawFn, folder: Path) -> Path:
    token = st.one_of(st.sampled_from(WORKBOOK_TOKENS), st.integers(-(2**40), 2**40))
    about = [
        ("Service id", draw(st.sampled_from(["S01", "S99", h.FAKE_NAME, ""]))),
        ("Period", draw(st.sampled_from(["2015-16 Q1", "2015-16", "Q1", "2011-12"]))),
        ("Submitted on", draw(st.sampled_from(["20/07/2015", "31/12/9999", "", 42]))),
    ]
    rows = draw(st.lists(st.lists(token, min_size=2, max_size=6), max_size=6))
    extra = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["Young people.", "young  people", "About ", "Notes"]),
                st.sampled_from(["visible", "hidden", "veryHidden"]),
            ),
            max_size=2,
            unique_by=lambda t: t[0],
        )
    )
    far = draw(st.sampled_from([None, None, "XFD1048576", "Z200"]))
    return h.workbook(
        folder, name="fuzz.xlsx", about=about, young_people=rows, far_cell=far, extra_sheets=extra
    )


# -- the pipeline ------------------------------------------------------------------------------


def _programme(folder: Path) -> Path:
    quarters = [parse_period(f"2015-16 Q{q}") for q in range(1, 5)]
    expected = [ExpectedReturn(service_id="S01", period=p, due_on=p.end) for p in quarters]
    programme = folder / "programme.json"
    programme.write_text(
        dumps_programme(attrs.evolve(fictional_programme(), expected_returns=tuple(expected))),
        encoding="utf-8",
    )
    return programme


def _no_traceback(result: Result, allowed: tuple[int, ...]) -> None:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in allowed, result.output
    assert "Traceback" not in result.output


def run_pipeline(folder: Path, hostile: Path) -> dict[str, Any]:
    """validate, import (beside a good return), then score, report and returns."""
    runner = CliRunner()
    _no_traceback(runner.invoke(main, ["validate", str(hostile)]), (0, 1, 2))
    _no_traceback(runner.invoke(main, ["validate", str(hostile), "--json"]), (0, 1, 2))
    workspace = folder / "w.hubspoke"
    good = h.values_csv(folder, ["S01,2015-16 Q1,referrals_received,40,"], name="good.csv")
    done = runner.invoke(main, ["import", str(_programme(folder)), str(good), "-w", str(workspace)])
    _no_traceback(done, (0,))
    done = runner.invoke(main, ["import", str(hostile), "-w", str(workspace), "--json"])
    _no_traceback(done, (0, 1, 2))
    document: dict[str, Any] = {}
    if done.exit_code in (0, 1):
        document = json.loads(done.stdout)
        for found in document["files"]:
            assert found["rows_read"] == found["rows_imported"] + found["rows_rejected"]
    again = runner.invoke(main, ["import", str(hostile), "-w", str(workspace)])
    _no_traceback(again, (0, 1, 2))
    for args in (
        ["score", "-w", str(workspace), "--period", "2015-16", "--json"],
        ["returns", "-w", str(workspace)],
        [
            "report",
            "-w",
            str(workspace),
            "--period",
            "2015-16",
            "--out",
            str(folder / "out"),
            "--today",
            "2016-06-30",
        ],
    ):
        _no_traceback(runner.invoke(main, args), (0,))
    return document


@FUZZ
@given(data=hostile_csv())
def test_fuzz_csv(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    folder = tmp_path_factory.mktemp("csv")
    path = folder / "fuzz.csv"
    path.write_bytes(data)
    run_pipeline(folder, path)


@FUZZ
@given(data=hostile_json())
def test_fuzz_json(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    folder = tmp_path_factory.mktemp("json")
    path = folder / "fuzz.json"
    path.write_bytes(data)
    run_pipeline(folder, path)


@FUZZ
@given(data=st.data())
def test_fuzz_workbook(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    folder = tmp_path_factory.mktemp("xlsx")
    path = data.draw(hostile_workbook(folder))
    run_pipeline(folder, path)


# -- memory bound --------------------------------------------------------------------------------

#: Address space allowed to the importing process (virtual: pyarrow and numpy reserve a lot).
MEMORY_LIMIT = 3 * 1024**3


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def test_hostile_files_import_within_a_memory_limit(tmp_path: Path) -> None:
    """Files that once took gigabytes import under a 3 GB address-space limit, no traceback."""
    folder = tmp_path / "files"
    folder.mkdir()
    files = [
        h.workbook(folder, name="far.xlsx", far_cell="XFD1048576"),
        h.wide_csv(folder, columns=100_000),
        h.cases_csv(folder, [f"S01,2015-16,{'A' * 400_000},07/04/2015,police,F,14"], "long.csv"),
        h.write(folder / "deep.json", '{"hubspoke": "returns", "returns": ' + "[" * 100_000),
        h.values_csv(
            folder,
            ["S01,2015-16 Q1,referrals_received,-1,"] * 200_000,
            name="all-errors.csv",
        ),
    ]
    workspace = tmp_path / "w.hubspoke"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for path in files:
        done = subprocess.run(
            [sys.executable, "-m", "hubspoke", "import", str(path), "-w", str(workspace)],
            capture_output=True,
            text=True,
            preexec_fn=_limit_memory,
            env=env,
            timeout=300,
            check=False,
        )
        assert done.returncode in (0, 1), (path.name, done.stderr[-2000:])
        assert "Traceback" not in done.stderr, (path.name, done.stderr[-2000:])
        assert "MemoryError" not in done.stdout + done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "hubspoke", "returns", "-w", str(workspace)],
        capture_output=True,
        text=True,
        preexec_fn=_limit_memory,
        env=env,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr
