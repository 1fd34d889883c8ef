"""Page assembly for the report: one HTML file, inline CSS, escaped text everywhere.

Functions taking *text* escape it with :func:`html.escape`; functions taking
*markup* (``body``, ``figure``) expect HTML built by this module or by
:mod:`hubspoke.report.charts`. Nothing here refers to anything outside the
file: no scripts, stylesheets, fonts, images or links other than in-page
anchors.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import attrs
import pandas as pd

from hubspoke.privacy.suppression import MARKER

_SLUG = re.compile(r"^[a-z][a-z0-9-]*$")

CSS = """
:root { --ink: #1a1a1a; --muted: #555; --rule: #d0d0d0; --accent: #0072B2; --band: #f4f6f8; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 32px 48px; }
header.report { border-bottom: 4px solid var(--accent); padding-bottom: 12px; margin-bottom: 20px; }
header.report h1 { margin: 0 0 4px; font-size: 28px; }
header.report p { margin: 2px 0; color: var(--muted); }
nav.toc { background: var(--band); border: 1px solid var(--rule); padding: 10px 18px;
  margin: 0 0 28px; }
nav.toc h2 { font-size: 15px; margin: 4px 0; border: 0; }
nav.toc ol { margin: 4px 0; padding-left: 22px; columns: 2; }
nav.toc a { color: var(--accent); }
section { margin: 0 0 36px; }
h2 { font-size: 22px; border-bottom: 1px solid var(--rule); padding-bottom: 4px;
  margin: 28px 0 12px; }
h3 { font-size: 17px; margin: 22px 0 8px; }
p.note { color: var(--muted); font-size: 13px; }
figure { margin: 12px 0 20px; }
figure svg.chart { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
table { border-collapse: collapse; margin: 8px 0 18px; font-size: 13px; width: auto; }
caption { text-align: left; font-weight: 600; padding: 4px 0; caption-side: top; }
th, td { border-bottom: 1px solid var(--rule); padding: 4px 10px; text-align: left;
  vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); background: var(--band); }
tbody th { min-width: 8em; }
td.text { min-width: 10em; overflow-wrap: anywhere; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td.c { color: var(--muted); text-align: right; }
tr.total td, tr.total th { font-weight: 700; border-top: 2px solid var(--ink); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0 20px; }
.card { flex: 1 1 180px; border: 1px solid var(--rule); border-top: 4px solid var(--accent);
  padding: 10px 14px; background: #fff; }
.card .value { font-size: 26px; font-weight: 700; }
.card .label { font-size: 13px; color: var(--muted); }
.wide { overflow-x: auto; }
footer { border-top: 1px solid var(--rule); margin-top: 36px; padding-top: 10px;
  font-size: 13px; color: var(--muted); }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav.toc { break-after: page; }
  section { break-before: page; }
  h2, h3 { break-after: avoid; }
  figure, table, .cards { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


@attrs.frozen(kw_only=True)
class Section:
    """A top-level section: ``id`` (a slug, its anchor), ``heading`` text, ``body`` markup."""

    id: str = attrs.field(validator=attrs.validators.matches_re(_SLUG))
    heading: str
    body: str


def esc(text: object) -> str:
    """``text`` escaped for HTML text and attribute values."""
    return html.escape(str(text), quote=True)


def page(
    *, title: str, subtitle_lines: Sequence[str], sections: Sequence[Section], footer: str
) -> str:
    """The whole HTML document: header, table of contents, sections, ``footer`` text.

    ``title``, ``subtitle_lines`` and ``footer`` are text (escaped here).
    """
    toc = "".join(f'<li><a href="#{s.id}">{esc(s.heading)}</a></li>' for s in sections)
    body = "".join(
        f'<section id="{s.id}" aria-labelledby="{s.id}-h"><h2 id="{s.id}-h">{esc(s.heading)}</h2>'
        f"{s.body}</section>"
        for s in sections
    )
    subtitle = "".join(f"<p>{esc(line)}</p>" for line in subtitle_lines)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body><main>"
        f'<header class="report"><h1>{esc(title)}</h1>{subtitle}</header>'
        f'<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>{toc}</ol></nav>'
        f"{body}<footer>{esc(footer)}</footer></main></body></html>\n"
    )


def paragraph(text: str, *, note: bool = False) -> str:
    """A paragraph of escaped text (``note`` makes it small and muted)."""
    cls = ' class="note"' if note else ""
    return f"<p{cls}>{esc(text)}</p>"


def heading(text: str) -> str:
    """A sub-heading (``<h3>``) of escaped text."""
    return f"<h3>{esc(text)}</h3>"


def figure(svg: str, caption: str) -> str:
    """A chart (SVG markup) with an escaped caption."""
    return f'<figure class="wide">{svg}<figcaption>{esc(caption)}</figcaption></figure>'


def cards(items: Sequence[tuple[str, str]]) -> str:
    """Key figures as cards: ``(value text, label text)`` pairs."""
    inner = "".join(
        f'<div class="card"><div class="value">{esc(value)}</div>'
        f'<div class="label">{esc(label)}</div></div>'
        for value, label in items
    )
    return f'<div class="cards">{inner}</div>'


def table(
    frame: pd.DataFrame,
    *,
    caption: str,
    index: bool = True,
    total_label: str | None = None,
) -> str:
    """``frame`` as an HTML table; numbers right-aligned, suppressed markers styled.

    Cells are written with ``str`` (missing values as an en dash), escaped.
    A row whose index label equals ``total_label`` is styled as a total.
    """
    aligns = [_align(frame.iloc[:, k]) for k in range(frame.shape[1])]
    head_cells = ([f'<th scope="col">{esc(frame.index.name or "")}</th>'] if index else []) + [
        f'<th scope="col" class="{align}">{esc(c)}</th>'
        for c, align in zip(frame.columns, aligns, strict=True)
    ]
    rows = []
    for label, values in zip(frame.index, frame.itertuples(index=False), strict=True):
        cells = [f'<th scope="row">{esc(label)}</th>'] if index else []
        for align, value in zip(aligns, values, strict=True):
            cells.append(_cell(value, align))
        cls = ' class="total"' if total_label is not None and label == total_label else ""
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return (
        f'<div class="wide"><table><caption>{esc(caption)}</caption>'
        f"<thead><tr>{''.join(head_cells)}</tr></thead><tbody>{''.join(rows)}</tbody>"
        "</table></div>"
    )


def _align(series: pd.Series) -> str:
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return "num"
    non_null = [v for v in series if not _missing(v)]
    numeric = all(isinstance(v, int | float) or v == MARKER for v in non_null)
    return "num" if non_null and numeric else "text"


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _cell(value: object, align: str) -> str:
    if _missing(value):
        return f'<td class="{align}">–</td>'
    if value == MARKER:
        return f'<td class="c" title="suppressed: small number">{esc(MARKER)}</td>'
    if isinstance(value, float):
        text = f"{value:,.3f}".rstrip("0").rstrip(".")
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = str(value)
    return f'<td class="{align}">{esc(text)}</td>'
