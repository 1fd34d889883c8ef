"""Tests for hubspoke.report.charts and hubspoke.report.html: SVG and page assembly."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hubspoke.privacy.suppression import MARKER
from hubspoke.report import charts
from hubspoke.report import html as h

HOSTILE = '<script>alert("x")</script> & "Northmoor"'


def _parse(svg: str) -> ET.Element:
    """Parse an SVG as XML: proves it is well formed (so all text was escaped)."""
    return ET.fromstring(svg)


def test_bar_chart_writes_labels_values_and_missing() -> None:
    svg = charts.bar_chart(
        ["Northmoor", "Eastvale", "Alder Trust"], [12, None, 3.5], title="Referrals"
    )
    root = _parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Referrals"
    texts = [e.text for e in root.iter("text")]
    assert "Northmoor" in texts
    assert "12" in texts
    assert "n/a" in texts
    assert "3.50" in texts
    assert len(root.findall("rect")) == 2  # no bar for the missing value


def test_bar_lengths_are_proportional() -> None:
    root = _parse(charts.bar_chart(["a", "b"], [10, 5], title="t", max_value=10))
    widths = [float(r.get("width", "0")) for r in root.findall("rect")]
    assert widths[0] == pytest.approx(2 * widths[1])


@given(text=st.text(max_size=30))
def test_any_text_is_escaped_into_well_formed_svg(text: str) -> None:
    # XML 1.0 cannot carry control characters and normalises whitespace in attributes;
    # the HTML parser tolerates both, so only printable text is checked here.
    clean = "".join(ch for ch in text if ord(ch) >= 32 and ch not in "\ufffe\uffff")
    clean = "".join(ch for ch in clean if not 0xD800 <= ord(ch) <= 0xDFFF)
    for svg in (
        charts.bar_chart([clean], [1.0], title=clean),
        charts.heat_map([clean], [clean], [[0.5]], title=clean),
        charts.line_chart(
            [clean, "Q2"], [charts.Series(name=clean, values=(1.0, 2.0))], title=clean
        ),
        charts.stacked_bar_chart(
            [clean], [charts.Segment(name=clean, colour="#009E73", values=(3,))], title=clean
        ),
    ):
        root = _parse(svg)
        assert root.get("aria-label") == clean


def test_hostile_text_never_becomes_markup() -> None:
    svg = charts.bar_chart([HOSTILE], [1], title=HOSTILE)
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg


def test_heat_map_greys_unavailable_cells_and_has_a_legend() -> None:
    svg = charts.heat_map(
        ["SP-01", "SP-02"], ["Agreement", "Forums"], [[0.0, None], [1.0, 0.5]], title="Embeddedness"
    )
    root = _parse(svg)
    fills = [r.get("fill") for r in root.findall("rect")]
    assert charts.UNAVAILABLE in fills
    assert charts.viridis(0.0) in fills
    assert charts.viridis(1.0) in fills
    texts = [e.text for e in root.iter("text")]
    assert "not available" in texts
    assert "n/a" in texts
    assert "0.50" in texts


def test_viridis_ends_and_contrast() -> None:
    assert charts.viridis(0) == "#440154"
    assert charts.viridis(1) == "#fde725"
    assert charts.viridis(-3) == charts.viridis(0)
    assert charts.text_colour_on(0.1) == "#ffffff"
    assert charts.text_colour_on(0.9) == "#000000"


def test_line_chart_breaks_at_gaps_and_names_every_series() -> None:
    svg = charts.line_chart(
        ["2015-16 Q1", "2015-16 Q2", "2015-16 Q3", "2015-16 Q4"],
        [
            charts.Series(name="Referrals received", values=(10, None, 12, 14)),
            charts.Series(name="Professionals trained", values=(30, 31, 32, 33)),
        ],
        title="Trends",
    )
    root = _parse(svg)
    assert (
        len(root.findall("polyline")) == 2
    )  # one run of 2 points, one of 4; a single point has none
    texts = [e.text for e in root.iter("text")]
    assert "Referrals received" in texts
    assert "Professionals trained" in texts
    assert "2015-16 Q4" in texts


def test_stacked_bar_writes_each_count_and_total() -> None:
    svg = charts.stacked_bar_chart(
        ["Northmoor"],
        [
            charts.Segment(name="Received", colour="#009E73", values=(6,)),
            charts.Segment(name="Late", colour="#E69F00", values=(1,)),
            charts.Segment(name="Missing", colour="#D55E00", values=(1,)),
        ],
        title="Returns",
    )
    titles = [e.text or "" for e in _parse(svg).iter("title")]
    assert any("Received 6" in x for x in titles)
    assert any(x.endswith("Missing 1") for x in titles)
    assert ">8<" in svg


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="labels has 2 items"):
        charts.bar_chart(["a", "b"], [1], title="t")


def test_charts_reference_nothing_outside() -> None:
    svg = charts.line_chart(["Q1", "Q2"], [charts.Series(name="s", values=(1, 2))], title="t")
    assert not re.search(r"https?:|url\(|href|xlink", svg)


def test_page_escapes_text_and_links_sections() -> None:
    page = h.page(
        title=HOSTILE,
        subtitle_lines=[HOSTILE],
        sections=[h.Section(id="overview", heading=HOSTILE, body=h.paragraph(HOSTILE))],
        footer=HOSTILE,
    )
    assert "<script" not in page
    assert 'href="#overview"' in page
    assert '<section id="overview"' in page


def test_section_ids_must_be_slugs() -> None:
    with pytest.raises(ValueError, match="id"):
        h.Section(id='x" onclick="y', heading="h", body="")


def test_table_marks_suppressed_cells_and_totals() -> None:
    frame = pd.DataFrame(
        {"Q1": [12, MARKER, 20], "Note": ["<b>", None, "ok"]},
        index=pd.Index(["Northmoor", "Eastvale", "Total"], name="Service"),
        dtype=object,
    )
    out = h.table(frame, caption="Referrals", total_label="Total")
    assert 'class="c"' in out
    assert '<tr class="total">' in out
    assert "&lt;b&gt;" in out
    assert "–" in out  # missing value
