"""One figure, one derivation: what the report prints equals what ``score --json`` prints.

Two workspaces: the bundled demo (every format, resubmissions, missing
returns), and a small multi-format set in which group reach arrives only as a
gender breakdown, training only as activity records, and referrals both as a
reported total and as case records that disagree.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from hubspoke.cli import main
from hubspoke.privacy.rounding import published_total, rounded_outcomes
from hubspoke.report.tables import NOT_PEOPLE, PEOPLE_OUTCOMES, SHARE_MEASURES
from hubspoke.workspace import Workspace

ROOT = Path(__file__).parents[1]
PROGRAMME = ROOT / "examples" / "programme.json"
COUNTS = ("referrals_received", "young_people_group_reached", "professionals_trained")
MARKER = "[c]"


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code in (0, 1), result.output
    return result.output


def _score(workspace: Path, period: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        _run("score", "-w", str(workspace), "--period", period, "--json")
    )
    return document


def _programme_values(document: dict[str, Any]) -> dict[str, float | None]:
    return {o["measure"]: o["value"] for o in document["outcomes"] if o["level"] == "programme"}


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _report(workspace: Path, period: str, out: Path) -> Path:
    _run("report", "-w", str(workspace), "--period", period, "--out", str(out), "--today",
         "2020-06-30")  # fmt: skip
    return out / "exports"


def _number(text: str) -> float | None:
    if text in ("", MARKER):
        return None
    return float(text.rstrip("%"))


def check_report_against_score(workspace: Path, period: str, out: Path) -> int:
    """Compare every count the report's exports print with ``score --json``; return how many."""
    scored = _programme_values(_score(workspace, period))
    exports = _report(workspace, period, out)
    compared = 0
    # the report publishes counts of people rounded per return (hubspoke.privacy.rounding):
    # compare through the same rounding, from the same figures score derives
    with Workspace.open(workspace) as ws:
        figures = ws.figures_by_return(period)
        frame = ws.key_outcomes(period)
    for measure, value in _programme_values_of(frame).items():
        assert value == pytest.approx(scored[measure], nan_ok=True), measure
    published = {m: published_total(figures.loc[figures["measure"] == m, "value"]) for m in COUNTS}
    totals = {r["Service"]: r for r in _csv(exports / "totals_by_service.csv")}["Total"]
    outcomes = {r["Measure"]: r for r in _csv(exports / "key_outcomes.csv")}
    for measure in COUNTS:
        expected = published[measure]
        by_period = _csv(exports / f"by_period_{measure}.csv")
        grand = next(r for r in by_period if r["Service"] == "Total")["Total"]
        label = next(k for k in totals if k != "Service" and _label_is(k, measure))
        for printed in (grand, totals[label]):
            if printed != MARKER:
                assert _number(printed) == expected, (measure, printed, expected)
                compared += 1
    # the key-outcomes table prints every programme figure of score --json, rounded
    rounded = _programme_values_of(
        rounded_outcomes(
            frame,
            people_outcomes=PEOPLE_OUTCOMES,
            not_people=NOT_PEOPLE,
            shares=SHARE_MEASURES,
            totals={m: v for m, v in published.items() if _grand_shown(exports, m)},
        )
    )
    labels = {
        str(m): str(lab)
        for m, lab in zip(frame["measure"], _labels_of(frame, outcomes), strict=True)
        if lab is not None
    }
    for measure, label in labels.items():
        printed = outcomes[label]["Value"]
        value = rounded[measure]
        if printed in ("", MARKER) or value is None:
            continue
        shown = _number(printed)
        assert shown is not None
        if printed.endswith("%"):
            assert shown == pytest.approx(100 * value, abs=0.05), measure
        else:
            assert shown == pytest.approx(value, abs=0.005), measure
        compared += 1
    return compared


def check_units_against_score(workspace: Path, period: str, out: Path) -> int:
    """The report's phase section and hub tables print what ``score --level ... --json`` prints.

    Run after :func:`check_report_against_score` wrote the report into ``out``.
    """
    from hubspoke.report.tables import measure_label
    from hubspoke.report.units import UNIT_COUNTS, UNIT_SHARES, published_unit_count

    compared = 0
    with Workspace.open(workspace) as ws:
        by_return = ws.figures_by_return(ws.period(period))  # "all" read by the workspace
        programme = ws.programme()
    phase_of = {h.id: h.phase for h in programme.hubs}
    members = {
        ("hub", h.id): [s.id for s in programme.spokes if s.hub_id == h.id] for h in programme.hubs
    } | {
        ("phase", f"phase-{n}"): [s.id for s in programme.spokes if phase_of[s.hub_id] == n]
        for n in set(phase_of.values())
    }
    for level in ("phase", "hub"):
        document = json.loads(
            _run("score", "-w", str(workspace), "--period", period, "--level", level, "--json")
        )
        rows = document["figures"]
        units = sorted({r["unit_id"] for r in rows})
        assert units, level
        for unit in units:
            mine = {r["measure"]: r for r in rows if r["unit_id"] == unit}
            printed = {r["Measure"]: r for r in _csv(out / "exports" / f"{level}_{unit}.csv")}
            for measure in UNIT_COUNTS:
                cell = printed[measure_label(measure)]["Value"]
                if cell in ("", MARKER):
                    continue
                # published through the report's rounding, from the same figures score prints
                exact = mine[measure]["value"]
                assert isinstance(exact, int)
                shown = published_unit_count(measure, exact, members[(level, unit)], by_return)
                assert int(cell) == shown, (level, unit, measure)
                compared += 1
            for measure, label in UNIT_SHARES:
                cell = printed[label]["Value"]
                if cell == "":
                    assert mine[measure]["value"] is None
                    continue
                assert _number(cell) == pytest.approx(100 * mine[measure]["value"], abs=0.05)
                low, high = printed[label]["95% interval"].split(" to ")
                assert _number(low) == pytest.approx(100 * mine[measure]["ci_low"], abs=0.05)
                assert _number(high) == pytest.approx(100 * mine[measure]["ci_high"], abs=0.05)
                compared += 1
            got = printed["Returns received"]["Value"]
            assert int(got) == mine["referrals_received"]["returns_received"]
    return compared


def _programme_values_of(frame: Any) -> dict[str, float | None]:
    rows = frame[frame["level"] == "programme"]
    return {
        str(m): None if v is None or v is pd.NA or v != v else float(v)
        for m, v in zip(rows["measure"], rows["value"], strict=True)
    }


def _grand_shown(exports: Path, measure: str) -> bool:
    rows = _csv(exports / f"by_period_{measure}.csv")
    return next(r for r in rows if r["Service"] == "Total")["Total"] != MARKER


def _label_is(column: str, measure: str) -> bool:
    from hubspoke.report.tables import total_label

    return column == total_label(measure)


def _labels_of(frame: Any, outcomes: dict[str, dict[str, str]]) -> list[str | None]:
    from hubspoke.report.tables import _outcome_measure_label

    programme = frame[frame["level"] == "programme"]
    found = []
    for measure in frame["measure"]:
        label = _outcome_measure_label(str(measure))
        found.append(label if label in outcomes and measure in set(programme["measure"]) else None)
    return found


# -- the bundled demo ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    _run("demo", "--out", str(out))
    return out / "workspace.sqlite"


@pytest.mark.slow
@pytest.mark.parametrize("period", ["2015-16", "2016-17", "2016-17 Q2"])
def test_the_demo_report_prints_what_score_prints(
    demo_workspace: Path, period: str, tmp_path: Path
) -> None:
    assert check_report_against_score(demo_workspace, period, tmp_path / "report") >= 10
    assert check_units_against_score(demo_workspace, period, tmp_path / "report") >= 20


@pytest.mark.slow
def test_programme_to_date_by_phase_agrees_with_the_report_and_the_figures_frame(
    demo_workspace: Path, tmp_path: Path
) -> None:
    """`score --period all --level phase`, the report's phase section and Workspace.figures."""
    exports = _report(demo_workspace, "all", tmp_path / "report")
    assert (exports / "phase_phase-1.csv").exists()
    assert check_units_against_score(demo_workspace, "all", tmp_path / "report") >= 9
    document = json.loads(
        _run("score", "-w", str(demo_workspace), "--period", "all", "--level", "phase", "--json")
    )
    with Workspace.open(demo_workspace) as ws:
        frame = ws.figures("all", level="phase")
        assert document["period"]["label"] == ws.programme_to_date().label
    assert [r["measure"] for r in document["figures"]] == frame["measure"].tolist()
    assert [r["unit_label"] for r in document["figures"]] == frame["unit_label"].tolist()
    for row, value in zip(document["figures"], frame["value"], strict=True):
        assert (row["value"] is None and pd.isna(value)) or row["value"] == pytest.approx(value)


def test_the_report_totals_are_the_sum_of_the_figures_by_return(demo_workspace: Path) -> None:
    with Workspace.open(demo_workspace) as ws:
        figures = ws.figures_by_return("2016-17")
        outcomes = ws.key_outcomes("2016-17")
    programme = outcomes[outcomes["level"] == "programme"].set_index("measure")["value"]
    for measure in COUNTS:
        summed = float(figures.loc[figures["measure"] == measure, "value"].sum())
        assert summed == float(programme[measure]), measure


# -- reach and training only as breakdowns and activity records -------------------------------

VALUES_CSV = """service,period,measure,value,gender,referral_source,profession
S01,2015-16 Q1,referrals_received,25,,,
S01,2015-16 Q1,young_people_group_reached,20,Female,,
S01,2015-16 Q1,young_people_group_reached,16,Male,,
"""

CASES_CSV = "service,period,case_id,referral_date,referral_source,support_type\n" + "".join(
    f"S01,2015-16 Q1,S01-T{i:03d},{5 + i % 20:02d}/05/2015,police,one_to_one\n" for i in range(19)
)


def _returns_json() -> str:
    activity = {"kind": "professional_training", "on": "2015-05-12", "hours": 3.0}
    returns = [
        {
            "service_id": "S02",
            "period": {"start": "2015-04-01", "end": "2015-06-30", "label": "2015-16 Q1"},
            "submitted_on": "2015-07-20",
            "activities": [
                activity | {"audience_profession": "health", "attendees": 12},
                activity | {"audience_profession": "police", "attendees": 9},
                {"kind": "group_work", "on": "2015-06-02", "attendees": 7, "hours": 2.0},
            ],
        }
    ]
    return json.dumps({"hubspoke": "returns", "version": 1, "returns": returns})


@pytest.fixture(scope="module")
def mixed_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mixed")
    (folder / "values-S01.csv").write_text(VALUES_CSV, encoding="utf-8")
    (folder / "cases-S01.csv").write_text(CASES_CSV, encoding="utf-8")
    (folder / "returns-S02.json").write_text(_returns_json(), encoding="utf-8")
    workspace = folder / "mixed.hubspoke"
    names = ("values-S01.csv", "cases-S01.csv", "returns-S02.json")
    _run("import", str(PROGRAMME), *(str(folder / n) for n in names), "-w", str(workspace))
    return workspace


def test_breakdowns_activities_and_reported_totals_are_used_as_documented(
    mixed_workspace: Path,
) -> None:
    values = _programme_values(_score(mixed_workspace, "2015-16 Q1"))
    assert values["young_people_group_reached"] == 20 + 16 + 7  # breakdown + activities
    assert values["professionals_trained"] == 12 + 9  # activity records only
    assert values["referrals_received"] == 25  # the reported total, not the 19 case referrals


def test_a_disagreement_is_kept_and_shown(mixed_workspace: Path) -> None:
    document = _score(mixed_workspace, "2015-16 Q1")
    (row,) = [r for r in document["reconciliation"] if r["measure"] == "referrals_received"]
    assert (row["used_source"], row["used_value"]) == ("reported", 25)
    assert (row["other_source"], row["other_value"]) == ("cases", 19)
    text = _run("score", "-w", str(mixed_workspace), "--period", "2015-16 Q1", "--table",
                "reconciliation")  # fmt: skip
    assert "referrals received: 25 reported, 19 from case records" in text


def test_the_mixed_report_prints_what_score_prints(mixed_workspace: Path, tmp_path: Path) -> None:
    assert check_report_against_score(mixed_workspace, "2015-16 Q1", tmp_path / "r") >= 3
    assert check_units_against_score(mixed_workspace, "2015-16 Q1", tmp_path / "r") >= 1
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "Figures whose sources disagree" in html
