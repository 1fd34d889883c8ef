"""Charts for evaluators: the report's SVG charts, and PNG through matplotlib.

**SVG** (no extra dependency; what the report embeds): :func:`bar_chart`,
:func:`heat_map`, :func:`line_chart` and :func:`stacked_bar_chart` return an
``<svg>`` string, self-contained and accessible (a ``<title>`` and a
``<desc>`` listing every value), in a colour-blind-safe palette
(:data:`PALETTE`). Write one with ``Path("chart.svg").write_text(svg)``::

    from hubspoke.charts import Series, line_chart

    svg = line_chart(["2015-16 Q1", "2015-16 Q2"], [Series(name="Phase 1", values=(0.5, 0.6))],
                     title="Embeddedness", y_label="mean")

**PNG** (optional: ``pip install 'hubspoke[plot]'``, which installs
matplotlib): :func:`bar_chart_png` and :func:`line_chart_png` take the same
arguments as their SVG namesakes and return PNG bytes, for slides and
documents. Without matplotlib they raise :class:`ImportError` saying what to
install.

Charts draw what they are given: for publication, give them suppressed
figures (the report does).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from hubspoke.report.charts import (
    PALETTE,
    Segment,
    Series,
    bar_chart,
    heat_map,
    line_chart,
    stacked_bar_chart,
)

PLOT_EXTRA = "PNG charts need matplotlib: pip install 'hubspoke[plot]'"


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(PLOT_EXTRA) from exc
    return plt


def _png(figure: Any) -> bytes:
    plt = _pyplot()
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


def bar_chart_png(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    max_value: float | None = None,
    colour: str = PALETTE[0],
) -> bytes:
    """Horizontal bars, one per label (None draws no bar), as PNG bytes."""
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels but {len(values)} values")
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(7, 0.35 * max(len(labels), 3) + 1))
    shown = [0.0 if v is None else float(v) for v in values]
    axes.barh(list(range(len(labels))), shown, color=colour)
    axes.set_yticks(list(range(len(labels))), labels=list(labels))
    axes.invert_yaxis()
    if max_value is not None:
        axes.set_xlim(0, max_value)
    axes.set_title(title)
    return _png(figure)


def line_chart_png(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    y_label: str = "",
) -> bytes:
    """One line per :class:`Series` over ``x_labels`` (gaps where a value is None), as PNG."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(8, 4))
    for k, s in enumerate(series):
        if len(s.values) != len(x_labels):
            raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(x_labels)}")
        ys = [float("nan") if v is None else float(v) for v in s.values]
        axes.plot(list(x_labels), ys, marker="o", label=s.name, color=PALETTE[k % len(PALETTE)])
    axes.set_title(title)
    axes.set_ylabel(y_label)
    axes.tick_params(axis="x", labelrotation=45)
    if series:
        axes.legend()
    return _png(figure)


__all__ = [
    "PALETTE",
    "PLOT_EXTRA",
    "Segment",
    "Series",
    "bar_chart",
    "bar_chart_png",
    "heat_map",
    "line_chart",
    "line_chart_png",
    "stacked_bar_chart",
]
