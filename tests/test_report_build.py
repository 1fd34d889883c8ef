"""Tests for hubspoke.report.build: sections, totals, suppression, privacy, escaping, exports."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import attrs
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubspoke.errors import PrivacyError, ReportError
from hubspoke.privacy.rounding import published_total
from hubspoke.privacy.suppression import MARKER, TOTAL, pinned_cells
from hubspoke.report import tables as t
from hubspoke.report.build import ReportData, build_report, render_report
from report_sample import QUARTERS, sample_report_data

SECTIONS = ("overview", "outcomes", "indicators", "trends", "data-quality", "provenance")
FORBIDDEN = ("http:", "https:", "src=", "<script", "@import", "url(")
#: Published tables holding counts of people (every cell is subject to suppression).
PEOPLE_TABLES = re.compile(r"^(totals_by_service|by_period_.*|.*_by_profession)$")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_report(sample_report_data(), tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def html_text(built: Path) -> str:
    return built.read_text(encoding="utf-8")


def _input_totals(data: ReportData) -> pd.DataFrame:
    values = data.values
    dims = [c for c in t.BREAKDOWN_COLUMNS if c in values.columns]
    totals = values[values[dims].isna().all(axis=1)]
    return totals.assign(value=totals["value"].astype("float64"))


def test_every_section_is_present_and_in_the_contents(html_text: str) -> None:
    for section in SECTIONS:
        assert f'<section id="{section}"' in html_text
        assert f'href="#{section}"' in html_text
    assert html_text.count("<svg") >= 8
    assert "Rubric and data provenance" in html_text
    assert "file 9f2c9f2c (spreadsheet-template 1.0)" in html_text  # never the file name
    assert "northmoor-2015-16-Q1.xlsx" not in html_text


def test_report_is_self_contained(html_text: str) -> None:
    lowered = html_text.lower()
    for token in FORBIDDEN:
        assert token not in lowered, token


def test_totals_equal_the_sums_of_the_input_values() -> None:
    data = sample_report_data()
    report = render_report(data)
    by_name = {table.name: table for table in report.tables}
    inputs = _input_totals(data)
    totals = by_name["totals_by_service"].cells.loc[TOTAL]
    for measure in t.TREND_MEASURES:
        expected = published_total(inputs.loc[inputs["measure"] == measure, "value"])
        assert totals[t.total_label(measure)] == expected
        assert f"{expected:,}" in report.html
        quarterly = by_name[f"by_period_{measure}"].cells
        for label, _ in QUARTERS:
            in_quarter = inputs[(inputs["measure"] == measure) & (inputs["period_label"] == label)]
            published = quarterly.loc[TOTAL, label]
            if published != MARKER:
                assert published == published_total(in_quarter["value"])
        # Unsuppressed service cells equal their input value.
        for service, row in quarterly.drop(index=TOTAL).iterrows():
            spoke_id = str(service).split(" ")[0]
            for label, _ in QUARTERS:
                cell = row[label]
                found = inputs[
                    (inputs["measure"] == measure)
                    & (inputs["period_label"] == label)
                    & (inputs["service_id"] == spoke_id)
                ]
                if cell is None:
                    assert found.empty
                elif cell != MARKER:
                    assert cell == published_total(found["value"])


def test_breakdown_rows_never_reach_the_totals() -> None:
    report = render_report(sample_report_data())
    # The sample's gender breakdown rows hold 999 each; no total may include them.
    totals = next(x for x in report.tables if x.name == "totals_by_service").cells
    assert all(v < 999 * 8 for v in totals.drop(index=TOTAL).iloc[:, 0] if isinstance(v, int))


def _people_cells(table: t.PublishedTable) -> pd.DataFrame:
    cells = table.cells
    return cells.drop(columns=[c for c in cells.columns if c == "Known %"])


@settings(max_examples=8)
@given(seed=st.integers(0, 10_000), min_cell=st.integers(3, 10))
def test_suppression_is_applied_in_every_published_people_table(seed: int, min_cell: int) -> None:
    report = render_report(sample_report_data(seed=seed), min_cell=min_cell)
    checked = 0
    for table in report.tables:
        if not (PEOPLE_TABLES.match(table.name) or table.name == "field_completeness"):
            continue
        checked += 1
        cells = _people_cells(table)
        for value in cells.to_numpy().ravel():
            assert not (isinstance(value, int) and 1 <= value <= min_cell), (table.name, value)
        if table.name.startswith("by_period_"):
            mask = (cells == MARKER).to_numpy()
            assert pinned_cells(mask, row_totals=True, col_totals=True) == []
        elif table.name == "field_completeness":
            mask = (cells == MARKER).to_numpy()
            assert pinned_cells(mask, row_totals=True, col_totals=False) == []
        else:
            mask = (cells == MARKER).to_numpy()
            assert pinned_cells(mask, row_totals=False, col_totals=True) == []
    assert checked >= 6
    outcomes = next(x for x in report.tables if x.name == "key_outcomes").cells
    people = outcomes[outcomes["Outcome"].isin(t.PEOPLE_OUTCOMES)]
    for column in ("Value", "Numerator", "Denominator"):
        for measure, value in zip(people["Measure"], people[column], strict=True):
            if measure in {"New local authority areas", "Agencies reached"}:
                continue
            if isinstance(value, int):
                assert not 1 <= value <= min_cell, (measure, column, value)


def test_risk_shares_cannot_be_recovered_from_their_denominator() -> None:
    report = render_report(sample_report_data())
    outcomes = next(x for x in report.tables if x.name == "key_outcomes").cells
    risk = outcomes[outcomes["Measure"].str.startswith("Risk ")]
    # 40 fell, 18 stayed, 3 rose of 61: "rose" is small, so a second one is hidden with it.
    assert list(risk["Numerator"]).count(MARKER) >= 2
    assert (risk["Value"] == MARKER).sum() >= 2


def test_no_row_level_frame_is_accepted() -> None:
    data = sample_report_data()
    values = data.values.assign(case_id="Case-0042")
    with pytest.raises(PrivacyError, match="case_id"):
        attrs.evolve(data, values=values)


def test_missing_columns_are_named() -> None:
    data = sample_report_data()
    with pytest.raises(ReportError, match="returns_status lacks column"):
        attrs.evolve(data, returns_status=data.returns_status.drop(columns=["status"]))


def test_hostile_names_are_escaped(tmp_path: Path) -> None:
    data = sample_report_data(programme_name="<script>alert('x')</script> & Co")
    spokes = data.spokes.copy()
    spokes["area_name"] = spokes["area_name"].astype(object)
    spokes.loc[0, "area_name"] = '<img src=x onerror="alert(1)">'
    spokes.loc[1, "area_name"] = '=HYPERLINK("x")'
    values = data.values.copy()
    values["service_id"] = values["service_id"].replace("SP-08", "=SUM(1+1)")
    data = attrs.evolve(data, spokes=spokes, values=values)
    path = build_report(data, tmp_path)
    text = path.read_text(encoding="utf-8")
    lowered = text.lower()
    # The hostile text is there, but only as escaped text, never as markup.
    assert "<img" not in lowered
    assert "<script" not in lowered
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co" in text
    with (tmp_path / "exports" / "totals_by_service.csv").open(encoding="utf-8-sig") as handle:
        services = [row[0] for row in csv.reader(handle)]
    assert any(s.startswith("SP-02 =HYPERLINK") for s in services)  # not a formula: "SP-02 ..."
    assert "'=SUM(1+1)" in services
    assert not any(s.startswith(("=", "+", "-", "@")) for s in services)


def test_exports_match_the_published_tables(built: Path) -> None:
    exports = built.parent / "exports"
    report = render_report(sample_report_data())
    for table in report.tables:
        csv_path = exports / f"{table.name}.csv"
        assert csv_path.exists()
        assert (exports / f"{table.name}.xlsx").exists()
        with csv_path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        assert len(rows) == len(table.cells) + 1
        if PEOPLE_TABLES.match(table.name):
            flat = [cell for row in rows[1:] for cell in row[1:]]
            assert MARKER in flat or not (table.cells == MARKER).to_numpy().any()
            numbers = [int(c) for c in flat if c.isdigit()]
            assert not any(1 <= n <= 5 for n in numbers)


def test_no_case_identifiers_anywhere(built: Path, html_text: str) -> None:
    assert not re.search(r"case[-_ ]?\d{3,}", html_text, re.IGNORECASE)
    for path in (built.parent / "exports").glob("*.csv"):
        assert not re.search(r"case[-_ ]?\d{3,}", path.read_text(encoding="utf-8-sig"), re.I)


def test_the_same_data_gives_the_same_report() -> None:
    assert render_report(sample_report_data()).html == render_report(sample_report_data()).html


def test_charts_are_accessible(html_text: str) -> None:
    svgs = re.findall(r"<svg[^>]*>", html_text)
    assert svgs
    for tag in svgs:
        assert 'role="img"' in tag
        assert "aria-label=" in tag
    assert html_text.count("<title>") >= len(svgs)


def test_annual_returns_are_in_the_totals_but_not_the_trend() -> None:
    data = sample_report_data()
    annual = data.values.assign(
        period_start=pd.Timestamp("2015-04-01"), period_end=pd.Timestamp("2016-03-31")
    )
    report = render_report(attrs.evolve(data, values=annual))
    assert "No quarterly figures were reported" in report.html
    by_name = {x.name: x for x in report.tables}
    table = by_name["by_period_referrals_received"].cells
    assert list(table.columns) == [t.OTHER_PERIODS, TOTAL]
    inputs = _input_totals(data)
    expected = published_total(inputs.loc[inputs["measure"] == "referrals_received", "value"])
    assert table.loc[TOTAL, TOTAL] == expected


def test_service_totals_repeat_their_tables_hidden_cells_exactly() -> None:
    for seed in range(5):
        report = render_report(sample_report_data(seed=seed), min_cell=8)
        by_name = {x.name: x for x in report.tables}
        totals = by_name["totals_by_service"].cells
        for measure in t.TREND_MEASURES:
            source = by_name[f"by_period_{measure}"].cells[TOTAL]
            copied = totals[t.total_label(measure)].reindex(source.index)
            assert list(copied) == list(source)


@pytest.mark.parametrize("min_cell", [5, 20, 700])
def test_outcome_totals_hidden_elsewhere_are_hidden_in_the_outcomes_table(min_cell: int) -> None:
    data = sample_report_data()
    report = render_report(data, min_cell=min_cell)  # 700 hides the professions' total (610)
    by_name = {x.name: x for x in report.tables}
    professions = by_name["professionals_trained_by_profession"].cells
    outcomes = by_name["key_outcomes"].cells.set_index("Measure")
    shown = outcomes.loc["Professionals trained", "Value"]
    if professions.loc[TOTAL].iloc[0] == MARKER:
        assert shown == MARKER
    else:
        assert shown == professions.loc[TOTAL].iloc[0]


def test_a_programme_with_no_data_yet_still_gets_a_report() -> None:
    data = sample_report_data()
    empty = attrs.evolve(
        data,
        scores=data.scores.iloc[0:0],
        components=data.components.iloc[0:0],
        key_outcomes=data.key_outcomes.iloc[0:0],
        values=data.values.iloc[0:0],
        returns_status=data.returns_status.iloc[0:0],
        field_completeness=data.field_completeness.iloc[0:0],
        provenance=(),
    )
    report = render_report(empty)
    for section in SECTIONS:
        assert f'<section id="{section}"' in report.html
    assert "No quarterly figures were reported" in report.html
    assert "No provenance was supplied" in report.html


def test_outcome_rules_hide_what_would_reveal_a_small_count() -> None:
    rows = [
        (4, "referrals_received", 40.0, None, None, None),
        (4, "referrals_received_change", 37.0, None, None, None),  # previous period: 3
        (4, "young_people_one_to_one", 50.0, None, None, None),
        (4, "young_people_one_to_one_change", 20.0, None, None, None),  # previous: 30
        (5, "confidence_improved", 28 / 30, 28.0, 30.0, "2 of 30 did not improve"),
        (6, "missing_episodes_change", -445.0, None, 884.0, "over 884 cases"),
        (6, "distance:wellbeing", 1.5, 4.5, 3.0, "3 young people"),
    ]
    frame = sample_report_data().key_outcomes.iloc[0:0]
    frame = pd.concat(
        [
            frame,
            pd.DataFrame(
                [
                    {
                        "level": "programme",
                        "unit_id": "Northern Lights Alliance",
                        "outcome": o,
                        "measure": m,
                        "value": v,
                        "numerator": n,
                        "denominator": d,
                        "returns_received": 10,
                        "returns_expected": 10,
                        "completeness": 1.0,
                        "note": note,
                    }
                    for o, m, v, n, d, note in rows
                ]
            ).astype(frame.dtypes.to_dict()),
        ]
    )
    cells = t.outcomes_table(frame, min_cell=5).cells
    by = dict(zip(frame["measure"], cells.to_dict("records"), strict=True))
    assert by["referrals_received"]["Value"] == 40
    assert by["referrals_received_change"]["Value"] == MARKER
    assert by["young_people_one_to_one_change"]["Value"] == 20
    assert by["confidence_improved"]["Value"] == MARKER  # 30 - 28 = 2 did not improve
    assert by["confidence_improved"]["Note"] == t.SUPPRESSED_NOTE
    assert by["missing_episodes_change"]["Value"] == -445
    assert by["missing_episodes_change"]["Note"] == "over 884 cases"
    assert by["distance:wellbeing"]["Value"] == MARKER  # a mean over 3 young people
    assert by["distance:wellbeing"]["Note"] == t.SUPPRESSED_NOTE
