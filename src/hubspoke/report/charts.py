"""Charts as inline SVG strings: no scripts, no external resources, no gradients.

Every function is pure: data in, an ``<svg>`` string out. Each chart has
``role="img"``, an ``aria-label``, a ``<title>`` and a ``<desc>`` summing up
the data, and writes its numbers as text, so it is readable without colour.
Colours come from the Okabe-Ito palette (safe for the common forms of colour
blindness); the heat map uses viridis, which stays ordered in greyscale.
All text is escaped with :func:`html.escape`. Sizes are in CSS pixels of the
``viewBox``; the SVG scales to its container's width.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import attrs

#: Okabe-Ito colours, in the order series use them.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#000000",
)
#: Fill for a value that is not available (or suppressed).
UNAVAILABLE = "#d9d9d9"
#: Viridis at 0, 0.25, 0.5, 0.75 and 1.
_VIRIDIS: tuple[tuple[int, int, int], ...] = (
    (68, 1, 84),
    (59, 82, 139),
    (33, 145, 140),
    (94, 201, 98),
    (253, 231, 37),
)
_FONT = 13
_SMALL = 11
_MARKERS = ("circle", "square", "triangle", "diamond")


@attrs.frozen(kw_only=True)
class Series:
    """One line of a :func:`line_chart`: a ``name`` and one value per x label (None = gap)."""

    name: str
    values: tuple[float | None, ...]


@attrs.frozen(kw_only=True)
class Segment:
    """One part of a :func:`stacked_bar_chart`: a ``name``, a ``colour``, one count per row."""

    name: str
    colour: str
    values: tuple[int, ...]


def esc(text: object) -> str:
    """``text`` escaped for SVG/HTML text and attribute values."""
    return html.escape(str(text), quote=True)


def viridis(value: float) -> str:
    """The viridis colour of ``value`` in [0, 1] (clamped), as ``#rrggbb``."""
    v = min(max(value, 0.0), 1.0) * (len(_VIRIDIS) - 1)
    low = min(int(v), len(_VIRIDIS) - 2)
    t = v - low
    rgb = (round(a + (b - a) * t) for a, b in zip(_VIRIDIS[low], _VIRIDIS[low + 1], strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def text_colour_on(value: float) -> str:
    """Black or white, whichever reads better on :func:`viridis` of ``value``."""
    return "#000000" if value >= 0.55 else "#ffffff"


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    texts: Sequence[str] | None = None,
    max_value: float | None = None,
    colour: str = PALETTE[0],
    width: int = 880,
    missing_text: str = "n/a",
) -> str:
    """A horizontal bar chart, one bar per label, its value written after the bar.

    ``texts`` replaces the written value (e.g. a percentage, or "[c]" for a
    suppressed count); a None value draws no bar and writes ``missing_text``
    (or its ``texts`` entry). ``max_value`` fixes the scale (e.g. 1 for shares).
    """
    _same_length(labels, values, "labels", "values")
    if texts is not None:
        _same_length(labels, texts, "labels", "texts")
    shown = [
        texts[i] if texts is not None else (missing_text if v is None else _number(v))
        for i, v in enumerate(values)
    ]
    label_w = _label_width(labels)
    value_w = max(48, _text_width(max(shown, key=len, default=""), _SMALL) + 12)
    plot_w = width - label_w - value_w - 8
    row_h, bar_h, top = 26, 16, 8
    axis_h = 22
    height = top + row_h * max(len(labels), 1) + axis_h
    scale_max = max_value or max((v for v in values if v is not None), default=0.0) or 1.0
    ticks = _ticks(scale_max)
    parts = [_open_svg(width, height, title, _bar_desc(labels, shown))]
    for tick in ticks:
        x = label_w + plot_w * tick / scale_max
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - axis_h}" '
            'stroke="#e5e5e5" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{height - 6}" font-size="{_SMALL}" text-anchor="middle" '
            f'fill="#555">{esc(_number(tick))}</text>'
        )
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h - 3}" font-size="{_FONT}" '
            f'text-anchor="end">{esc(_truncate(label, label_w))}<title>{esc(label)}</title></text>'
        )
        if value is None:
            parts.append(
                f'<text x="{label_w + 4}" y="{y + bar_h - 3}" font-size="{_SMALL}" '
                f'fill="#555" font-style="italic">{esc(shown[i])}</text>'
            )
            continue
        bar = max(plot_w * min(value, scale_max) / scale_max, 0.0)
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{bar:.1f}" height="{bar_h}" fill="{colour}">'
            f"<title>{esc(label)}: {esc(shown[i])}</title></rect>"
            f'<text x="{label_w + bar + 5:.1f}" y="{y + bar_h - 3}" font-size="{_SMALL}">'
            f"{esc(shown[i])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def heat_map(
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    title: str,
    cell_width: int = 96,
) -> str:
    """A grid of rows (spokes) by columns (components), each cell coloured by its value in 0..1.

    None is drawn grey with "n/a"; each cell also writes its value, and a
    legend shows the scale and the grey for "not available".
    """
    _same_length(row_labels, values, "row_labels", "values")
    for row in values:
        _same_length(column_labels, row, "column_labels", "a row of values")
    label_w = _label_width(row_labels)
    cell_h, head_h, legend_h = 26, 36, 44
    width = max(label_w + cell_width * len(column_labels) + 8, label_w + 440)
    height = head_h + cell_h * len(row_labels) + legend_h
    desc = "; ".join(
        f"{r}: " + ", ".join(f"{c} {_share(v)}" for c, v in zip(column_labels, row, strict=True))
        for r, row in zip(row_labels, values, strict=True)
    )
    parts = [_open_svg(width, height, title, desc)]
    for j, column in enumerate(column_labels):
        x = label_w + j * cell_width + cell_width / 2
        lines = _wrap(column, cell_width, _SMALL)
        for k, line in enumerate(lines):
            y = head_h - 6 - (len(lines) - 1 - k) * (_SMALL + 2)
            parts.append(
                f'<text x="{x:.1f}" y="{y}" font-size="{_SMALL}" text-anchor="middle" '
                f'font-weight="600">{esc(line)}</text>'
            )
    for i, (label, row) in enumerate(zip(row_labels, values, strict=True)):
        y = head_h + i * cell_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + cell_h / 2 + 4:.1f}" font-size="{_FONT}" '
            f'text-anchor="end">{esc(_truncate(label, label_w))}<title>{esc(label)}</title></text>'
        )
        for j, value in enumerate(row):
            x = label_w + j * cell_width
            fill = UNAVAILABLE if value is None else viridis(value)
            ink = "#333" if value is None else text_colour_on(value)
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell_width - 2}" height="{cell_h - 2}" '
                f'fill="{fill}"><title>{esc(label)}, {esc(column_labels[j])}: '
                f"{esc(_share(value))}</title></rect>"
                f'<text x="{x + (cell_width - 2) / 2:.1f}" y="{y + cell_h / 2 + 3:.1f}" '
                f'font-size="{_SMALL}" text-anchor="middle" fill="{ink}">'
                f"{esc(_share(value))}</text>"
            )
    parts.append(_heat_legend(label_w, head_h + cell_h * len(row_labels) + 12))
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    y_label: str = "",
    width: int = 880,
    height: int = 320,
) -> str:
    """Lines over ordered x labels (quarters), one per series, gaps where a value is None.

    Each series has its own colour and marker shape and is named in a legend;
    every point writes its value in its ``<title>``.
    """
    for s in series:
        _same_length(x_labels, s.values, "x_labels", f"series {s.name!r}")
    rotate = len(x_labels) > 8
    left = 56
    last = _text_width(x_labels[-1], _SMALL) // 2 + 6 if x_labels and not rotate else 0
    right = max(16, last)
    legend, legend_rows = _line_legend(series, left, width - right)
    top = 16 + 18 * legend_rows + 8
    bottom = 64 if rotate else 36
    height += 18 * (legend_rows - 1)
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max((v for s in series for v in s.values if v is not None), default=0.0) or 1.0
    ticks = _ticks(top_value)
    scale_max = max(ticks[-1], top_value)
    step = plot_w / max(len(x_labels) - 1, 1)

    def xy(k: int, value: float) -> tuple[float, float]:
        x = left + (k * step if len(x_labels) > 1 else plot_w / 2)
        return x, top + plot_h - plot_h * value / scale_max

    desc = "; ".join(
        f"{s.name}: "
        + ", ".join(
            f"{x} {_number(v) if v is not None else 'n/a'}"
            for x, v in zip(x_labels, s.values, strict=True)
        )
        for s in series
    )
    parts = [_open_svg(width, height, title, desc)]
    for tick in ticks:
        _, y = xy(0, tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e5e5e5"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="{_SMALL}" text-anchor="end" '
            f'fill="#555">{esc(_number(tick))}</text>'
        )
    if y_label:
        parts.append(
            f'<text x="14" y="{top + plot_h / 2:.1f}" font-size="{_SMALL}" text-anchor="middle" '
            f'transform="rotate(-90 14 {top + plot_h / 2:.1f})" fill="#555">{esc(y_label)}</text>'
        )
    for k, label in enumerate(x_labels):
        x, _ = xy(k, 0)
        y = top + plot_h + 16
        if rotate:
            parts.append(
                f'<text x="{x:.1f}" y="{y}" font-size="{_SMALL}" text-anchor="end" fill="#555" '
                f'transform="rotate(-35 {x:.1f} {y})">{esc(label)}</text>'
            )
        else:
            parts.append(
                f'<text x="{x:.1f}" y="{y}" font-size="{_SMALL}" text-anchor="middle" '
                f'fill="#555">{esc(label)}</text>'
            )
    for n, s in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        marker = _MARKERS[n % len(_MARKERS)]
        for run in _runs(s.values):
            points = " ".join(f"{xy(k, v)[0]:.1f},{xy(k, v)[1]:.1f}" for k, v in run)
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{points}" fill="none" stroke="{colour}" '
                    'stroke-width="2.5"/>'
                )
        for k, v in enumerate(s.values):
            if v is not None:
                x, y = xy(k, v)
                tip = f"{s.name}, {x_labels[k]}: {_number(v)}"
                parts.append(_marker(marker, x, y, colour, tip))
    parts.append(legend)
    parts.append("</svg>")
    return "".join(parts)


def stacked_bar_chart(
    row_labels: Sequence[str],
    segments: Sequence[Segment],
    *,
    title: str,
    width: int = 880,
) -> str:
    """One horizontal bar per row split into coloured segments, counts written inside.

    Used for returns received / late / missing per service. A legend names
    the segments; each segment's count is also in its ``<title>``.
    """
    for seg in segments:
        _same_length(row_labels, seg.values, "row_labels", f"segment {seg.name!r}")
    label_w = _label_width(row_labels)
    row_h, bar_h, top = 24, 18, 30
    height = top + row_h * max(len(row_labels), 1) + 6
    plot_w = width - label_w - 48
    totals = [sum(seg.values[i] for seg in segments) for i in range(len(row_labels))]
    scale_max = max(totals, default=0) or 1
    desc = "; ".join(
        f"{r}: " + ", ".join(f"{seg.name} {seg.values[i]}" for seg in segments)
        for i, r in enumerate(row_labels)
    )
    parts = [_open_svg(width, height, title, desc)]
    x = float(label_w)
    for seg in segments:
        parts.append(
            f'<rect x="{x:.1f}" y="6" width="12" height="12" fill="{seg.colour}"/>'
            f'<text x="{x + 16:.1f}" y="16" font-size="{_SMALL}">{esc(seg.name)}</text>'
        )
        x += 16 + _text_width(seg.name, _SMALL) + 18
    for i, label in enumerate(row_labels):
        y = top + i * row_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h - 4}" font-size="{_FONT}" '
            f'text-anchor="end">{esc(_truncate(label, label_w))}<title>{esc(label)}</title></text>'
        )
        x = float(label_w)
        for seg in segments:
            count = seg.values[i]
            if count <= 0:
                continue
            w = plot_w * count / scale_max
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{seg.colour}" '
                f'stroke="#fff" stroke-width="1"><title>{esc(label)}: {esc(seg.name)} {count}'
                "</title></rect>"
            )
            if w >= _text_width(str(count), _SMALL) + 6:
                ink = (
                    "#000000" if seg.colour.upper() in {"#E69F00", "#56B4E9", "#F0E442"} else "#fff"
                )
                parts.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + bar_h - 5}" font-size="{_SMALL}" '
                    f'text-anchor="middle" fill="{ink}">{count}</text>'
                )
            x += w
        parts.append(
            f'<text x="{x + 5:.1f}" y="{y + bar_h - 5}" font-size="{_SMALL}" fill="#555">'
            f"{totals[i]}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------------------


def _open_svg(width: int, height: int, title: str, desc: str) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{esc(title)}" '
        'class="chart" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">'
        f"<title>{esc(title)}</title><desc>{esc(desc)}</desc>"
    )


def _same_length(a: Sequence[object], b: Sequence[object], a_name: str, b_name: str) -> None:
    if len(a) != len(b):
        raise ValueError(f"{a_name} has {len(a)} items but {b_name} has {len(b)}")


def _text_width(text: str, size: int) -> int:
    """A generous estimate of rendered text width in px (0.6 em a character)."""
    return math.ceil(len(text) * size * 0.6)


def _label_width(labels: Sequence[str]) -> int:
    longest = max((_text_width(label, _FONT) for label in labels), default=40)
    return min(max(longest + 14, 60), 300)


def _truncate(label: str, width: int) -> str:
    room = max(int((width - 14) / (_FONT * 0.6)), 4)
    return label if len(label) <= room else label[: room - 1] + "…"


def _wrap(text: str, width: int, size: int) -> list[str]:
    """Split ``text`` into at most two lines that fit ``width`` px (the second truncated)."""
    room = max(width // math.ceil(size * 0.6) - 1, 4)
    words, lines, current = text.split(), [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if len(candidate) <= room or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return [line if len(line) <= room else line[: room - 1] + "…" for line in lines]


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _ticks(top: float) -> list[float]:
    """Round tick values from 0 covering ``top`` (about five of them)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    count = math.ceil(top / step - 1e-9)
    return [round(k * step, 10) for k in range(count + 1)]


def _runs(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    runs: list[list[tuple[int, float]]] = [[]]
    for k, v in enumerate(values):
        if v is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((k, v))
    return [r for r in runs if r]


def _marker(shape: str, x: float, y: float, colour: str, tip: str) -> str:
    title = f"<title>{esc(tip)}</title>"
    if shape == "square":
        return (
            f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}">'
            f"{title}</rect>"
        )
    if shape == "triangle":
        pts = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
        return f'<polygon points="{pts}" fill="{colour}">{title}</polygon>'
    if shape == "diamond":
        pts = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
        return f'<polygon points="{pts}" fill="{colour}">{title}</polygon>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}">{title}</circle>'


def _line_legend(series: Sequence[Series], left: int, right_edge: int) -> tuple[str, int]:
    """The legend markup, wrapped onto as many rows as it needs, and the number of rows."""
    parts, x, y, rows = [], float(left), 16, 1
    for n, s in enumerate(series):
        entry = 28 + _text_width(s.name, _SMALL)
        if x > left and x + entry > right_edge:
            x, y, rows = float(left), y + 18, rows + 1
        colour = PALETTE[n % len(PALETTE)]
        parts.append(
            f'<line x1="{x:.1f}" y1="{y - 4}" x2="{x + 22:.1f}" y2="{y - 4}" stroke="{colour}" '
            'stroke-width="2.5"/>'
        )
        parts.append(_marker(_MARKERS[n % len(_MARKERS)], x + 11, y - 4, colour, s.name))
        parts.append(f'<text x="{x + 28:.1f}" y="{y}" font-size="{_SMALL}">{esc(s.name)}</text>')
        x += entry + 18
    return "".join(parts), rows


def _heat_legend(x: int, y: int) -> str:
    parts = [f'<text x="{x}" y="{y + 12}" font-size="{_SMALL}" fill="#555">Scale:</text>']
    left = x + 44
    for k in range(6):
        value = k / 5
        cx = left + k * 40
        parts.append(
            f'<rect x="{cx}" y="{y}" width="38" height="16" fill="{viridis(value)}"/>'
            f'<text x="{cx + 19}" y="{y + 12}" font-size="{_SMALL - 1}" text-anchor="middle" '
            f'fill="{text_colour_on(value)}">{value:.1f}</text>'
        )
    gx = left + 6 * 40 + 16
    parts.append(
        f'<rect x="{gx}" y="{y}" width="38" height="16" fill="{UNAVAILABLE}"/>'
        f'<text x="{gx + 19}" y="{y + 12}" font-size="{_SMALL - 1}" text-anchor="middle" '
        'fill="#333">n/a</text>'
        f'<text x="{gx + 44}" y="{y + 12}" font-size="{_SMALL}" fill="#555">not available</text>'
    )
    return "".join(parts)


def _bar_desc(labels: Sequence[str], shown: Sequence[str]) -> str:
    return "; ".join(f"{label}: {text}" for label, text in zip(labels, shown, strict=True))
