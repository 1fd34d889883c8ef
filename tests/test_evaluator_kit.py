"""Issue 12, the evaluator's kit: periods said out loud, views by level, uncertainty, workbooks.

A small fictional programme (tests/builders_outcomes.py: hub H1 places S1 and
S2, hub H2 places S3) is written to files and imported into a workspace, so
every check runs through the same path as an evaluator's.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from builders_outcomes import case, expected, programme, quarters, ret
from hubspoke.cli import main
from hubspoke.errors import PeriodError
from hubspoke.figures.table import COLUMNS, figures_frame
from hubspoke.figures.uncertainty import OWN_RATE, wilson_interval
from hubspoke.indicators.outcomes import key_outcomes
from hubspoke.indicators.quality import field_completeness, field_completeness_people
from hubspoke.periods import financial_year, labelled_span, parse_period, sub_periods
from hubspoke.serialization import dumps_programme, dumps_returns
from hubspoke.workspace import Workspace

ROOT = Path(__file__).parents[1]
DOC = ROOT / "docs" / "indicators.md"

# -- periods an evaluator says out loud ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2013-14 to 2016-17", date(2013, 4, 1), date(2017, 3, 31), "2013-14 to 2016-17"),
        ("2013/14 to 2016/17", date(2013, 4, 1), date(2017, 3, 31), "2013-14 to 2016-17"),
        ("2015-16 Q1 to 2015-16 Q3", date(2015, 4, 1), date(2015, 12, 31), None),
        ("2015Q1 to 2015Q3", date(2015, 1, 1), date(2015, 9, 30), "2015Q1 to 2015Q3"),
        ("2015-16 to 2015-16", date(2015, 4, 1), date(2016, 3, 31), "2015-16"),
    ],
)
def test_a_run_of_years_or_quarters_is_one_period(
    text: str, start: date, end: date, label: str | None
) -> None:
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)
    assert period.label == (label or text)
    assert parse_period(period.label) == period


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2013-14 to 2015Q1", "financial year but '2015Q1' is a calendar quarter"),
        ("2016-17 to 2013-14", "ends before"),
        ("2013-14 to", "not a recognised"),
    ],
)
def test_a_bad_run_says_what_to_write(text: str, says: str) -> None:
    with pytest.raises(PeriodError, match=re.escape(says)):
        parse_period(text)


def test_spans_are_labelled_as_an_evaluator_says_them() -> None:
    assert labelled_span(date(2013, 4, 1), date(2017, 3, 31)).label == "2013-14 to 2016-17"
    assert labelled_span(date(2015, 4, 1), date(2016, 3, 31)).label == "2015-16"
    assert labelled_span(date(2015, 4, 1), date(2015, 9, 30)).label == "2015-16 Q1 to 2015-16 Q2"
    assert labelled_span(date(2015, 4, 2), date(2015, 9, 30)).label == "2015-04-02 to 2015-09-30"
    assert [p.label for p in sub_periods(parse_period("2015-16"), "quarter")] == [
        "2015-16 Q1",
        "2015-16 Q2",
        "2015-16 Q3",
        "2015-16 Q4",
    ]


# -- a small workspace -----------------------------------------------------------------------

Q = quarters(2015)


def _returns() -> list[Any]:
    """S1 and S2 (hub H1) both support C1001; S1 sees C1002 in two quarters; S1's Q3 is
    missing; S3 (hub H2) sends aggregates only."""
    one = {"support_type": "one_to_one"}
    return [
        ret("S1", Q[0], values=[("referrals_received", 12)], cases=[
            case("C1001", gender="2", risk_at_referral="high", risk_latest="medium", **one),
            case("C1002", gender="2", risk_at_referral="high", risk_latest="high", **one)]),
        ret("S1", Q[1], values=[("referrals_received", 15)], cases=[
            case("C1002", gender="0", **one)]),
        ret("S1", Q[3], values=[("referrals_received", 9)]),
        ret("S2", Q[0], values=[("referrals_received", 7)], cases=[
            case("C1001", gender="2", **one)]),
        ret("S3", Q[0], values=[("referrals_received", 20), ("young_people_one_to_one", 6)]),
    ]  # fmt: skip


def _programme() -> Any:
    return programme(expected_returns=tuple(expected("S1", q) for q in Q))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kit")
    (folder / "programme.json").write_text(dumps_programme(_programme()), encoding="utf-8")
    (folder / "returns.json").write_text(dumps_returns(_returns()), encoding="utf-8")
    path = folder / "kit.hubspoke"
    result = CliRunner().invoke(
        main,
        ["import", str(folder / "programme.json"), str(folder / "returns.json"), "-w", str(path)],
    )
    assert result.exit_code == 0, result.output
    return path


def _value(frame: pd.DataFrame, level: str, unit: str, measure: str) -> Any:
    row = frame[
        (frame["level"] == level) & (frame["unit_id"] == unit) & (frame["measure"] == measure)
    ]
    assert len(row) == 1, (level, unit, measure)
    return row.iloc[0]


def test_a_young_person_seen_by_two_spokes_of_a_hub_counts_once(workspace: Path) -> None:
    with Workspace.open(workspace) as ws:
        figures = ws.figures("2015-16", measures=["young_people_one_to_one"])
    assert _value(figures, "spoke", "S1", "young_people_one_to_one")["value"] == 2  # SHARED, A
    assert _value(figures, "spoke", "S2", "young_people_one_to_one")["value"] == 1  # SHARED
    hub = _value(figures, "hub", "H1", "young_people_one_to_one")
    assert hub["value"] == 2  # SHARED once across S1 and S2, not 1 + 2
    assert bool(hub["distinct"])
    assert "across the hub's spokes" in hub["note"]
    assert _value(figures, "phase", "phase-1", "young_people_one_to_one")["value"] == 2
    # the programme: H1's 2 distinct young people plus S3's aggregate 6
    assert (
        _value(figures, "programme", "Northmoor Programme", "young_people_one_to_one")["value"] == 8
    )


def test_distinct_counts_are_over_the_whole_period_never_summed(workspace: Path) -> None:
    with Workspace.open(workspace) as ws:
        by_quarter = ws.figures("2015-16", level="spoke", by="quarter",
                                measures=["young_people_one_to_one"])  # fmt: skip
        year = ws.figures("2015-16", level="spoke", measures=["young_people_one_to_one"])
    s1 = by_quarter[by_quarter["unit_id"] == "S1"].set_index("period_label")["value"]
    assert s1["2015-16 Q1"] == 2
    assert s1["2015-16 Q2"] == 1
    assert _value(year, "spoke", "S1", "young_people_one_to_one")["value"] == 2  # not 3


def test_quarter_by_phase_in_one_call_equals_the_key_outcomes_of_each_quarter() -> None:
    prog, returns = _programme(), _returns()
    from hubspoke.figures.inputs import frames_of_returns

    frame = figures_frame(prog, frames_of_returns(returns), financial_year(2015),
                          level="phase", by="quarter")  # fmt: skip
    assert list(frame.columns) == list(COLUMNS)
    assert list(frame["period_label"].unique()) == [q.label for q in Q]
    for quarter in Q:
        expected_rows = key_outcomes(prog, returns, quarter)
        expected_rows = expected_rows[expected_rows["level"] == "phase"].reset_index(drop=True)
        mine = frame[frame["period_label"] == quarter.label].reset_index(drop=True)
        pd.testing.assert_series_equal(mine["value"], expected_rows["value"], check_names=False)
        assert (mine["unit_label"].str.startswith("Phase ")).all()


# -- uncertainty ---------------------------------------------------------------------------------


def test_wilson_intervals_match_published_values() -> None:
    # Newcombe (1998), Table I: 0/10 -> 0 to 0.2775; 5/10 -> 0.2366 to 0.7634
    low, high = wilson_interval([0, 5, 17], [10, 10, 53])
    assert low.round(4).tolist() == [0.0, 0.2366, 0.2109]
    assert high.round(4).tolist() == [0.2775, 0.7634, 0.4548]
    low, high = wilson_interval(0, 0)
    assert pd.isna(low)
    assert pd.isna(high)


def test_every_share_carries_its_interval(workspace: Path) -> None:
    with Workspace.open(workspace) as ws:
        figures = ws.figures("2015-16")
    shares = figures[figures["kind"] == "share"]
    known = shares[shares["denominator"].fillna(0) > 0]
    assert len(known)
    assert known["ci_low"].notna().all()
    assert known["ci_high"].notna().all()
    assert (known["ci_low"] <= known["value"]).all()
    assert (known["value"] <= known["ci_high"]).all()
    assert figures.loc[figures["kind"] != "share", "ci_low"].isna().all()


def _doc_table(marker: str) -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    block = text.split(f"<!-- {marker} -->", 1)[1].strip().split("\n\n", 1)[0]
    lines = [ln for ln in block.splitlines() if ln.startswith("|")][2:]
    return [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]


def test_the_documented_missing_returns_example(workspace: Path) -> None:
    sent = _doc_table("missing-returns-example: returns")
    by_label = {row[0]: row[2] for row in sent}
    assert by_label == {"2015-16 Q1": "12", "2015-16 Q2": "15", "2015-16 Q3": "missing",
                        "2015-16 Q4": "9"}  # fmt: skip
    ((observed, estimate, low, high, missing),) = _doc_table("missing-returns-example: result")
    with Workspace.open(workspace) as ws:
        row = _value(ws.figures("2015-16", level="spoke"), "spoke", "S1", "referrals_received")
    assert row["value"] == float(observed)
    assert row["estimate"] == pytest.approx(float(estimate), abs=0.005)
    assert row["estimate"] == pytest.approx(36 + 36 / 274 * 92)
    assert row["estimate_low"] == float(low)
    assert row["estimate_high"] == pytest.approx(float(high))
    assert row["missing_returns"] == int(missing)
    assert row["estimate_method"] == OWN_RATE


def test_estimates_never_replace_the_observed_figure(workspace: Path) -> None:
    with Workspace.open(workspace) as ws:
        figures = ws.figures("2015-16")
        outcomes = ws.key_outcomes("2015-16")
    merged = figures.merge(outcomes, on=["level", "unit_id", "measure"], suffixes=("", "_o"))
    pd.testing.assert_series_equal(merged["value"], merged["value_o"], check_names=False)
    hub = _value(figures, "hub", "H1", "referrals_received")
    assert hub["missing_returns"] == 1
    assert hub["estimate_low"] == hub["value"] == 12 + 15 + 9 + 7


# -- the command line ------------------------------------------------------------------------


def _score(workspace: Path, *args: str) -> Any:
    result = CliRunner().invoke(main, ["score", "-w", str(workspace), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_score_level_phase_prints_the_figures_frame(workspace: Path) -> None:
    document = json.loads(_score(workspace, "--period", "all", "--level", "phase", "--json"))
    assert document["period"]["label"] == "2015-16"  # programme to date
    with Workspace.open(workspace) as ws:
        frame = ws.figures("all", level="phase")
    assert len(document["figures"]) == len(frame)
    for row, (_, want) in zip(document["figures"], frame.iterrows(), strict=True):
        assert row["measure"] == want["measure"]
        value = row["value"]
        if want["kind"] == "count" and value is not None:
            assert isinstance(value, int)
        assert (value is None and pd.isna(want["value"])) or value == pytest.approx(want["value"])
    text = _score(workspace, "--level", "phase", "--measure", "young_people_one_to_one")
    assert "Period 2015-16 (2015-04-01 to 2016-03-31), the default: programme to date" in text
    assert "Phase 1  young_people_one_to_one  2 " in text
    assert "phase-1" not in text
    assert "never add them up" in text
    shares = _score(workspace, "--period", "2015-16", "--level", "programme", "--measure",
                    "embedded")  # fmt: skip
    assert "95% CI" in shares or "n/a" in shares
    estimate = _score(workspace, "--level", "spoke", "--measure", "referrals_received")
    assert "estimate 48 (36-51), 1 missing" in estimate


def test_score_csv_prints_counts_as_whole_numbers(workspace: Path) -> None:
    text = _score(workspace, "--level", "hub", "--measure", "referrals_received", "--csv")
    import csv
    import io

    rows = {r["unit_id"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["H1"]["value"] == "43"  # 12 + 15 + 9 + 7, a whole number
    assert rows["H1"]["estimate_low"] == "43.0"  # estimates are estimates, not counts


def test_score_xlsx_writes_every_table_published_or_marked_internal(
    workspace: Path, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from hubspoke.report.workbook import INTERNAL_MARK

    published = tmp_path / "published.xlsx"
    _score(workspace, "--period", "2015-16", "--xlsx", str(published))
    book = load_workbook(published)
    assert book.sheetnames[0] == "About"
    assert "suppressed" in str(book["About"]["A1"].value)
    assert "key_outcomes" in book.sheetnames
    assert "hub_H1" in book.sheetnames
    internal = tmp_path / "internal.xlsx"
    _score(workspace, "--period", "2015-16", "--xlsx", str(internal), "--internal")
    book = load_workbook(internal)
    assert book["About"]["A1"].value == INTERNAL_MARK
    assert book.properties.title == INTERNAL_MARK
    assert {"scores", "figures", "figures_by_return", "completeness_people"} <= set(book.sheetnames)
    assert book["figures"]["A1"].value == INTERNAL_MARK


def test_report_prints_its_period_and_has_phase_and_hub_sections(
    workspace: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(
        main, ["report", "-w", str(workspace), "--out", str(out), "--today", "2016-06-30"]
    )
    assert result.exit_code == 0, result.output
    assert "Period: 2015-16 (the default: programme to date" in result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="phases"' in html
    assert 'id="hubs"' in html
    assert (out / "exports" / "hub_H1.csv").exists()
    assert (out / "exports" / "field_completeness_young_people.csv").exists()


# -- field completeness per young person -----------------------------------------------------


def test_field_completeness_counts_young_people_as_well_as_records() -> None:
    from hubspoke.figures.inputs import frames_of_returns

    cases = frames_of_returns(_returns()).cases.drop(columns=["return_id"])
    records = field_completeness(cases).set_index(["service_id", "field"])
    people = field_completeness_people(cases).set_index(["service_id", "field"])
    # S1: three records (C1001, C1002 twice); C1002's gender is known in one of two
    assert records.loc[("S1", "gender"), "records"] == 3
    assert records.loc[("S1", "gender"), "not_recorded"] == 1
    assert people.loc[("S1", "gender"), "records"] == 2
    assert people.loc[("S1", "gender"), "known"] == 2
    assert (people["unit"] == "young people").all()


# -- notebooks, charts and explanations --------------------------------------------------------


def test_scores_explain_themselves_and_say_why_a_component_is_unavailable(
    workspace: Path,
) -> None:
    with Workspace.open(workspace) as ws:
        scores = ws.scores("2015-16")
        prog = ws.programme()
    unavailable = scores.components[scores.components["value"].isna()]
    assert unavailable["reason"].notna().all()
    assert scores.components.loc[scores.components["value"].notna(), "reason"].isna().all()
    assert "formal_agreement missing" in set(unavailable["reason"])
    text = scores.explain("S1")
    assert text.startswith("embeddedness ")
    assert "agreement unavailable (weight 0.20): formal_agreement missing" in text
    assert "<table" in scores._repr_html_()
    assert "S1" in scores._repr_html_()
    assert "Northmoor Programme" in prog._repr_html_()


def test_a_file_report_shows_itself_in_a_notebook(tmp_path: Path) -> None:
    from hubspoke.validation import validate_file

    path = tmp_path / "returns.json"
    path.write_text(dumps_returns(_returns()[:1]), encoding="utf-8")
    html = validate_file(path)._repr_html_()
    assert "rows read" in html


def test_charts_are_svg_and_png() -> None:
    pytest.importorskip("matplotlib")
    from hubspoke import charts

    svg = charts.bar_chart(["Phase 1", "Phase 2"], [0.5, None], title="Embedded")
    assert svg.startswith("<svg")
    png = charts.bar_chart_png(["Phase 1", "Phase 2"], [0.5, None], title="Embedded")
    assert png.startswith(b"\x89PNG")
    line = charts.line_chart_png(
        ["Q1", "Q2"], [charts.Series(name="Phase 1", values=(1.0, None))], title="Reach"
    )
    assert line.startswith(b"\x89PNG")


def test_every_workspace_figure_method_takes_programme_to_date(workspace: Path) -> None:
    with Workspace.open(workspace) as ws:
        everything = ws.period("all")
        assert ws.scores("all").period == everything
        pd.testing.assert_frame_equal(ws.key_outcomes("all"), ws.key_outcomes(everything))
        pd.testing.assert_frame_equal(ws.figures_by_return("all"), ws.figures_by_return(everything))
        pd.testing.assert_frame_equal(ws.reconciliation("all"), ws.reconciliation(everything))
