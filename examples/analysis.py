"""An evaluator's analysis with the hubspoke library, as a script.

Run ``hubspoke demo`` first (it builds ``hubspoke-demo/workspace.sqlite``),
then::

    python examples/analysis.py [hubspoke-demo/workspace.sqlite] [--out analysis-out]

It loads the workspace, compares the three phases on each indicator, follows
embeddedness quarter by quarter and draws it as an SVG line chart (with the
report's own chart functions, so no plotting library is needed), and prints
the data-quality picture behind the numbers. Everything it prints is
aggregate; it works on the evaluator's unsuppressed view inside the
workspace, so treat its output as internal, not for publication.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from hubspoke.periods import financial_quarter, parse_period, periods_between
from hubspoke.report.charts import Series, line_chart
from hubspoke.workspace import Workspace


def compare_phases(ws: Workspace, period: str) -> pd.DataFrame:
    """Mean, lowest and highest value of each indicator by phase, with spokes scored."""
    scores = ws.scores(period).scores
    grouped = scores.dropna(subset=["value"]).groupby(["indicator", "phase"], observed=True)
    table: pd.DataFrame = grouped["value"].agg(["count", "mean", "min", "max"])
    table.columns = pd.Index(["spokes", "mean", "lowest", "highest"])
    return table.round(2)


def indicator_by_quarter(ws: Workspace, indicator: str, first: str, last: str) -> pd.DataFrame:
    """Mean ``indicator`` per phase for each financial quarter from ``first`` to ``last``."""
    rows: list[dict[str, object]] = []
    for quarter in periods_between(parse_period(first), parse_period(last)):
        scores = ws.scores(quarter).scores
        part = scores[scores["indicator"] == indicator].dropna(subset=["value"])
        for phase, group in part.groupby("phase"):
            rows.append(
                {
                    "quarter": quarter.label,
                    "phase": phase,
                    "mean": float(group["value"].mean()),
                    "spokes": len(group),
                }
            )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "workspace", nargs="?", type=Path, default=Path("hubspoke-demo/workspace.sqlite")
    )
    parser.add_argument("--out", type=Path, default=Path("analysis-out"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    with Workspace.open(args.workspace) as ws:
        programme = ws.programme()
        print(f"{programme.name}: {len(ws.returns())} current returns")

        print("\nIndicators by phase, 2016-17:")
        print(compare_phases(ws, "2016-17").to_string())

        first = financial_quarter(2014, 1).label
        last = financial_quarter(2017, 4).label
        trend = indicator_by_quarter(ws, "embeddedness", first, last)
        print("\nEmbeddedness by quarter (mean over scored spokes):")
        print(trend.pivot(index="quarter", columns="phase", values="mean").round(2).to_string())

        quarters = sorted(set(trend["quarter"]), key=lambda q: parse_period(q).start)
        means = trend.pivot(index="quarter", columns="phase", values="mean")
        series = [
            Series(
                name=f"Phase {phase}",
                values=tuple(
                    None if pd.isna(v) else float(v) for v in means[phase].reindex(quarters)
                ),
            )
            for phase in means.columns
        ]
        svg = line_chart(
            quarters,
            series,
            title="Embeddedness by quarter and phase",
            y_label="mean embeddedness (0 to 1)",
        )
        chart = args.out / "embeddedness-by-quarter.svg"
        chart.write_text(svg, encoding="utf-8")
        print(f"\nChart: {chart}")

        print("\nField completeness of case records:")
        from hubspoke.indicators.quality import field_completeness

        completeness = field_completeness(ws.cases_frame())
        summary = completeness.groupby("field", observed=True)[
            ["records", "known", "declined", "not_recorded", "missing"]
        ].sum()
        summary["completeness"] = (summary["known"] / summary["records"]).round(2)
        print(summary.to_string())


if __name__ == "__main__":
    main()
