"""An evaluator's analysis with the hubspoke library, as a script.

Run ``hubspoke demo`` first (it builds ``hubspoke-demo/workspace.sqlite``),
then::

    python examples/analysis.py [hubspoke-demo/workspace.sqlite] [--out analysis-out]

It loads the workspace, takes its periods from it (programme to date, its
latest financial year and every quarter in between: nothing is hard-coded),
compares the phases on each indicator, follows embeddedness and reach quarter
by quarter and draws them as SVG line charts (:mod:`hubspoke.charts`, the
report's own charts, so no plotting library is needed), and prints the
data-quality picture behind the numbers, per record and per young person. Everything it prints is
aggregate; it works on the evaluator's unsuppressed view inside the
workspace, so treat its output as internal, not for publication.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from hubspoke.charts import Series, line_chart
from hubspoke.periods import Period, financial_year_of, sub_periods
from hubspoke.workspace import Workspace


def compare_phases(ws: Workspace, period: str) -> pd.DataFrame:
    """Mean, lowest and highest value of each indicator by phase, with spokes scored."""
    scores = ws.scores(period).scores
    grouped = scores.dropna(subset=["value"]).groupby(["indicator", "phase"], observed=True)
    table: pd.DataFrame = grouped["value"].agg(["count", "mean", "min", "max"])
    table.columns = pd.Index(["spokes", "mean", "lowest", "highest"])
    return table.round(2)


def indicator_by_quarter(ws: Workspace, indicator: str, span: Period) -> pd.DataFrame:
    """Mean ``indicator`` per phase for each financial quarter of ``span``."""
    rows: list[dict[str, object]] = []
    for quarter in sub_periods(span, "quarter"):
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

        to_date = ws.programme_to_date()
        latest = ws.latest_period_start()
        year = financial_year_of(latest) if latest is not None else to_date
        print(f"Programme to date: {to_date.label} ({to_date.start} to {to_date.end})")

        print(f"\nIndicators by phase, {year.label}:")
        print(compare_phases(ws, year.label).to_string())

        reach = ws.figures(to_date, level="phase", measures=["young_people_one_to_one"])
        print(
            "\nYoung people given one-to-one support, programme to date (distinct, never summed):"
        )
        print(
            reach[["unit_label", "value", "estimate", "estimate_low", "estimate_high"]].to_string()
        )

        trend = indicator_by_quarter(ws, "embeddedness", to_date)
        print("\nEmbeddedness by quarter (mean over scored spokes):")
        print(trend.pivot(index="quarter", columns="phase", values="mean").round(2).to_string())

        order = [q.label for q in sub_periods(to_date, "quarter")]
        quarters = [q for q in order if q in set(trend["quarter"])]
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

        from hubspoke.indicators.quality import field_completeness, field_completeness_people

        cases = ws.cases_frame()
        for what, completeness in (
            ("case records", field_completeness(cases)),
            ("young people (each once per service)", field_completeness_people(cases)),
        ):
            print(f"\nField completeness, counting {what}:")
            summary = completeness.groupby("field", observed=True)[
                ["records", "known", "declined", "not_recorded", "missing"]
            ].sum()
            summary["completeness"] = (summary["known"] / summary["records"]).round(2)
            print(summary.to_string())


if __name__ == "__main__":
    main()
