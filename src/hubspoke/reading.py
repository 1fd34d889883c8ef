"""Reading workbooks for importer plugins: sniffing, a hardened reader, title and total rows.

Three public pieces, so a plugin for a spreadsheet export needs nothing private:

- :func:`glance_workbook` (for ``sniff``): an ``.xlsx`` file's sheet names and
  the first rows of each, read from a :class:`~hubspoke.plugins.Probe` with
  bounded memory (the zip directory from the file's tail, at most
  :data:`~hubspoke.plugins.contract.PROBE_READ_LIMIT` bytes read, at most
  :data:`GLANCE_XML_BYTES` of XML inflated per member, no XML parser: nothing
  a hostile file declares is expanded). Never raises.
- :func:`read_sheet` (for ``load``): one sheet as a frame under its header
  row, wherever the header is (title rows above it are skipped), with every
  row's spreadsheet row number and a :class:`~hubspoke.rules.ColumnPlace`
  per column, so :mod:`hubspoke.rules` locate findings by sheet, row and
  column letter. Safety: the file's size is bounded by
  ``LoadOptions.max_bytes``, the zip's inflated size by
  :data:`UNCOMPRESSED_FACTOR` times that (a zip bomb is refused before any
  XML is parsed), XML is parsed through defusedxml (refused without it),
  openpyxl runs read-only with cached values only (formulas are never
  evaluated, links never followed).
- :func:`split_total_rows`: the convention for rows that are not data.
  Blank rows are skipped (not counted as rows read). A row whose first
  non-blank cell is "Total", "Totals", "Grand total", "Subtotal" or "Sum"
  is a **total row**, and a row after the last data row holding a single
  cell of text (an "Exported by..." line) a **footer row**: neither is
  read as data nor counted in rows read; each gets one ``total-row`` info
  diagnostic naming its row, so the sender sees it was recognised.

Cells keep their type where it matters: date cells stay ``datetime`` (so
:func:`~hubspoke.rules.check_dates` reads them as dates and shows them as the
sheet does), everything else becomes text as a user would type it (``12``
not ``12.0``, booleans as yes/no).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import attrs
import pandas as pd

from hubspoke.diagnostics import Diagnostic, Location, Severity, column_letter
from hubspoke.errors import FileImportError
from hubspoke.plugins.contract import Probe
from hubspoke.rules.columns import header_key
from hubspoke.rules.place import ColumnPlace

__all__ = [
    "GLANCE_XML_BYTES",
    "HEADER_SEARCH_ROWS",
    "UNCOMPRESSED_FACTOR",
    "SheetTable",
    "WorkbookGlance",
    "cell_text",
    "describe_file",
    "find_header_row",
    "glance_workbook",
    "open_workbook",
    "read_sheet",
    "split_total_rows",
]

#: The uncompressed workbook may be at most this many times ``LoadOptions.max_bytes``.
UNCOMPRESSED_FACTOR = 4
#: How many rows from the top are searched for the header row.
HEADER_SEARCH_ROWS = 30
#: How much XML :func:`glance_workbook` inflates per zip member.
GLANCE_XML_BYTES = 256 * 1024

_ZIP = b"PK\x03\x04"
_TOTAL = re.compile(r"^\s*(grand\s+|sub\s*-?\s*)?(totals?|sum)\b", re.IGNORECASE)


# -- sniffing ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class WorkbookGlance:
    """What :func:`glance_workbook` saw: sheet names in order, and each sheet's first rows.

    ``rows[sheet]`` holds up to the requested number of non-blank rows, each
    a tuple of cell texts (shared strings and inline strings resolved,
    numbers as written in the XML, blank cells as ``""``).
    """

    sheets: tuple[str, ...]
    rows: Mapping[str, tuple[tuple[str, ...], ...]] = attrs.field(factory=dict)

    def has_sheet(self, name: str) -> bool:
        """True when a sheet has this name (case- and space-insensitive)."""
        return header_key(name) in {header_key(s) for s in self.sheets}

    def headers(self, sheet: str | None = None, *, within: int = HEADER_SEARCH_ROWS) -> set[str]:
        """Matching keys (:func:`~hubspoke.rules.header_key`) of every cell in a sheet's first rows.

        ``sheet`` defaults to the first sheet. For "does this sheet have my
        headers": ``{"client ref", "quarter"} <= glance.headers()`` after
        keying your names with ``header_key``.
        """
        name = sheet if sheet is not None else (self.sheets[0] if self.sheets else "")
        return {header_key(c) for row in self.rows.get(name, ())[:within] for c in row if c}


def glance_workbook(probe: Probe, *, rows: int = 12) -> WorkbookGlance | None:
    """Sheet names and the first ``rows`` non-blank rows of each sheet; None if not a workbook.

    Bounded: reads the zip directory and at most :data:`GLANCE_XML_BYTES` of
    each member it looks at (workbook, relationships, shared strings, the
    top of each sheet), through :meth:`Probe.open`. Never raises.
    """
    if not probe.head.startswith(_ZIP):
        return None
    try:
        with probe.open() as raw, zipfile.ZipFile(raw) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names:
                return None
            book = _inflate(archive, "xl/workbook.xml")
            rels_name = "xl/_rels/workbook.xml.rels"
            rels = _inflate(archive, rels_name) if rels_name in names else ""
            targets = {
                m["id"]: m["target"]
                for m in re.finditer(
                    r'<Relationship\b[^>]*?Id="(?P<id>[^"]+)"[^>]*?Target="(?P<target>[^"]+)"',
                    rels,
                )
            } | {
                m["id"]: m["target"]
                for m in re.finditer(
                    r'<Relationship\b[^>]*?Target="(?P<target>[^"]+)"[^>]*?Id="(?P<id>[^"]+)"',
                    rels,
                )
            }
            sheets: list[tuple[str, str | None]] = []
            for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)/?>", book):
                attrs_text = m[1]
                name = re.search(r'\bname="([^"]*)"', attrs_text)
                rid = re.search(r'\br:id="([^"]*)"|\b\w+:id="([^"]*)"', attrs_text)
                if name is None:
                    continue
                target = None
                if rid is not None:
                    target = targets.get(rid[1] or rid[2])
                sheets.append((_unescape(name[1]), target))
            shared = (
                _shared_strings(_inflate(archive, "xl/sharedStrings.xml"))
                if "xl/sharedStrings.xml" in names
                else []
            )
            found: dict[str, tuple[tuple[str, ...], ...]] = {}
            for sheet, target in sheets:
                if target is None or rows <= 0:
                    continue
                member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                if member in names:
                    found[sheet] = _sheet_rows(_inflate(archive, member), shared, rows)
            return WorkbookGlance(sheets=tuple(s for s, _ in sheets), rows=found)
    except Exception:  # a sniffer's helper must never raise: not readable means "not a workbook"
        return None


def _inflate(archive: zipfile.ZipFile, member: str) -> str:
    """The first :data:`GLANCE_XML_BYTES` of a member, inflated (a prefix: may cut a tag)."""
    with archive.open(member) as fh:
        return fh.read(GLANCE_XML_BYTES).decode("utf-8", errors="replace")


_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&"}


def _unescape(text: str) -> str:
    return re.sub(r"&(lt|gt|quot|apos|amp);", lambda m: _ENTITIES[m[0]], text)


def _shared_strings(xml: str) -> list[str]:
    out = []
    for si in re.finditer(r"<si>(.*?)</si>", xml, re.DOTALL):
        parts = re.findall(r"<t(?:\s[^>]*)?>(.*?)</t>", si[1], re.DOTALL)
        out.append(_unescape("".join(parts)))
    return out


def _sheet_rows(xml: str, shared: Sequence[str], limit: int) -> tuple[tuple[str, ...], ...]:
    rows: list[tuple[str, ...]] = []
    for row in re.finditer(r"<row\b[^>]*>(.*?)</row>", xml, re.DOTALL):
        cells: dict[int, str] = {}
        for cell in re.finditer(r"<c\b([^>]*?)(?:/>|>(.*?)</c>)", row[1], re.DOTALL):
            ref = re.search(r'\br="([A-Z]+)\d+"', cell[1])
            kind = re.search(r'\bt="(\w+)"', cell[1])
            body = cell[2] or ""
            value = re.search(r"<v>(.*?)</v>", body, re.DOTALL)
            text = ""
            if kind is not None and kind[1] == "s" and value is not None:
                index = int(value[1])
                text = shared[index] if 0 <= index < len(shared) else ""
            elif kind is not None and kind[1] == "inlineStr":
                text = _unescape("".join(re.findall(r"<t(?:\s[^>]*)?>(.*?)</t>", body)))
            elif value is not None:
                text = _unescape(value[1])
            column = _column_number(ref[1]) if ref is not None else len(cells) + 1
            cells[column] = text.strip()
        if any(cells.values()):
            width = max(cells)
            rows.append(tuple(cells.get(i, "") for i in range(1, width + 1)))
            if len(rows) >= limit:
                break
    return tuple(rows)


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def describe_file(probe: Probe) -> str:
    """A short description of what a file looks like, for "no importer recognises it".

    A workbook: its sheets and the first row of the first sheet; a text file:
    its first line; anything else: its size and kind. Cut to about 100
    characters per part (a first line should be a title or headers).
    """
    glance = glance_workbook(probe, rows=1)
    if glance is not None:
        sheets = ", ".join(repr(s) for s in glance.sheets[:8]) or "none"
        text = f"a workbook with sheets {sheets}"
        first = glance.rows.get(glance.sheets[0], ()) if glance.sheets else ()
        if first:
            text += f"; its first row reads {_cut(' | '.join(c for c in first[0] if c))!r}"
        return text
    if probe.head.startswith(_ZIP):
        return "a zip file that is not an .xlsx workbook"
    if not probe.head:
        return "an empty file"
    if b"\x00" in probe.head[:1024]:
        return f"binary data, not text ({len(probe.head):,} bytes looked at)"
    first_line = probe.text().lstrip().splitlines()[0] if probe.text().strip() else ""
    return f"text whose first line reads {_cut(first_line)!r}"


def _cut(text: str, width: int = 100) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


# -- the hardened reader -----------------------------------------------------------------


def open_workbook(source: Path, *, max_bytes: int) -> Any:
    """An openpyxl read-only, values-only workbook of ``source``, after the safety checks.

    Raises :class:`~hubspoke.errors.FileImportError` for a file over
    ``max_bytes``, not a zip, inflating past :data:`UNCOMPRESSED_FACTOR`
    times ``max_bytes``, declaring XML entities or a DTD, or damaged; and
    when defusedxml is not installed. The caller closes the workbook.
    """
    import openpyxl

    file = source.name
    if not openpyxl.DEFUSEDXML:
        raise FileImportError("reading workbooks needs defusedxml installed (XML hardening)")
    try:
        from hubspoke.plugins.contract import MAX_WORKBOOK_BYTES

        if source.stat().st_size > min(max_bytes, MAX_WORKBOOK_BYTES):
            raise FileImportError(
                f"{file}: larger than {min(max_bytes, MAX_WORKBOOK_BYTES):,} bytes, the most "
                "a workbook may be; export large returns as CSV"
            )
        data = source.read_bytes()
    except OSError as exc:
        raise FileImportError(f"{file}: cannot read the file ({exc.strerror or exc})") from None
    return workbook_from_bytes(data, file, max_bytes=max_bytes)


def workbook_from_bytes(data: bytes, file: str, *, max_bytes: int) -> Any:
    """An openpyxl read-only, values-only workbook of ``data`` (the bytes of ``file``).

    The same safety checks as :func:`open_workbook`: the workbook limit
    (:data:`hubspoke.plugins.contract.MAX_WORKBOOK_BYTES`), a zip whose members
    inflate past :data:`UNCOMPRESSED_FACTOR` times it refused before parsing,
    XML entities and DTDs refused (defusedxml), damage reported.
    """
    import openpyxl

    from hubspoke.plugins.contract import MAX_WORKBOOK_BYTES

    if not openpyxl.DEFUSEDXML:
        raise FileImportError("reading workbooks needs defusedxml installed (XML hardening)")
    if len(data) > MAX_WORKBOOK_BYTES:
        raise FileImportError(
            f"{file}: a workbook of {len(data):,} bytes is over the workbook limit of "
            f"{MAX_WORKBOOK_BYTES:,} bytes; export large returns as CSV"
        )
    limit = min(max_bytes, MAX_WORKBOOK_BYTES) * UNCOMPRESSED_FACTOR
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileImportError(f"{file}: not an .xlsx workbook (not a valid zip: {exc})") from None
    if total > limit:
        raise FileImportError(
            f"{file}: the workbook would inflate to {total:,} bytes, over the limit of "
            f"{limit:,} bytes ({UNCOMPRESSED_FACTOR} x the workbook limit); "
            "it is refused as a possible zip bomb"
        )
    try:
        return openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except Exception as exc:  # openpyxl raises many types for damaged files
        if _defused(exc):
            raise FileImportError(
                f"{file}: the workbook cannot be read safely: its XML declares entities or a "
                "DTD, which hubspoke refuses (XML hardening)"
            ) from None
        raise FileImportError(f"{file}: the workbook cannot be read ({exc})") from None


def _defused(exc: BaseException | None) -> bool:
    from defusedxml import DefusedXmlException

    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def cell_text(value: object) -> str:
    """The text of a (non-date) cell value as a user would have typed it; blank is ``""``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, time):
        return value.isoformat()
    return cell_text(value)


def find_header_row(
    rows: Sequence[Sequence[object]],
    headers: Collection[str],
    *,
    need: int | None = None,
    within: int = HEADER_SEARCH_ROWS,
) -> int | None:
    """0-based index of the first of the top ``within`` rows naming ``need`` of ``headers``.

    Headers compare by :func:`~hubspoke.rules.header_key`. ``need`` defaults
    to two (or one when fewer than three headers are given).
    """
    wanted = {header_key(h) for h in headers}
    need = need if need is not None else (2 if len(wanted) > 2 else 1)
    for i, row in enumerate(rows[:within]):
        keys = {header_key(v) for v in row if isinstance(v, str)}
        if len(keys & wanted) >= need:
            return i
    return None


@attrs.frozen(kw_only=True)
class SheetTable:
    """A sheet read under its header row.

    ``frame`` has one column per header (as written, in order; unnamed
    columns are left out) and one row per data row: text cells as text,
    date cells as ``datetime``. ``rows`` gives each frame row's spreadsheet
    row number (1-based, as Excel shows it); ``places[header]`` is the
    column's :class:`~hubspoke.rules.ColumnPlace` (file, sheet, header,
    letter, rows) for the rules. ``header_row`` is the header's spreadsheet
    row. ``notes`` holds info diagnostics for rows that are not data (title
    rows above the header, total and footer rows below the data).
    ``title`` is the title rows' text, top to bottom (where a period or a
    service is often written).
    """

    file: str
    sheet: str
    header_row: int
    frame: pd.DataFrame = attrs.field(eq=False)
    rows: pd.Series = attrs.field(eq=False)
    places: Mapping[str, ColumnPlace]
    notes: tuple[Diagnostic, ...] = ()
    title: tuple[str, ...] = ()
    letters: Mapping[str, str] = attrs.field(factory=dict)

    def location(self, row: int | None = None, header: str | None = None) -> Location:
        """The location of a cell (or a row, or the sheet) in the user's file."""
        place = self.places.get(header or "")
        if place is not None:
            return place.location(row)
        return Location(file=self.file, sheet=self.sheet, row=row)


def read_sheet(
    source: Path,
    *,
    headers: Collection[str],
    sheet: str | None = None,
    max_bytes: int = 50 * 1024 * 1024,
    need: int | None = None,
) -> SheetTable:
    """Read one sheet of an ``.xlsx`` file under its header row (see the module docstring).

    ``headers``: column names the format knows; the header row is the first
    of the top :data:`HEADER_SEARCH_ROWS` rows naming ``need`` of them (see
    :func:`find_header_row`). ``sheet``: its name (case-insensitive), else
    the first sheet. Raises :class:`~hubspoke.errors.FileImportError` when
    the file cannot be read safely, the sheet is missing or no header row
    is found (the message says which headers were looked for).
    """
    book = open_workbook(source, max_bytes=max_bytes)
    file = source.name
    try:
        names = list(book.sheetnames)
        if sheet is None:
            chosen = names[0] if names else None
        else:
            chosen = next((n for n in names if header_key(n) == header_key(sheet)), None)
        if chosen is None:
            raise FileImportError(
                f"{file}: no sheet {sheet!r} (sheets: {', '.join(map(repr, names)) or 'none'})"
            )
        raw = [tuple(r) for r in book[chosen].iter_rows(values_only=True)]
    finally:
        book.close()
    top = [tuple(cell_text(v) for v in r) for r in raw[:HEADER_SEARCH_ROWS]]
    index = find_header_row(top, headers, need=need)
    if index is None:
        raise FileImportError(
            f"{file}: sheet {chosen!r} has no header row naming the expected columns "
            f"({', '.join(sorted(headers))}) in its first {HEADER_SEARCH_ROWS} rows"
        )
    header_row = index + 1
    header_cells = [cell_text(v) for v in raw[index]]
    keep = [(i, h) for i, h in enumerate(header_cells) if h]
    body = [[_cell(r[i]) if i < len(r) else "" for i, _ in keep] for r in raw[index + 1 :]]
    columns = [h for _, h in keep]
    frame = pd.DataFrame(body, columns=columns, dtype=object)
    if frame.empty:
        frame = pd.DataFrame({h: pd.Series([], dtype=object) for h in columns})
    rows = pd.Series(range(header_row + 1, header_row + 1 + len(frame)), index=frame.index)
    letters = {h: column_letter(i + 1) for i, h in keep}
    title = tuple(" ".join(c for c in r if c) for r in top[:index] if any(c for c in r))
    notes: list[Diagnostic] = []
    if title:
        notes.append(
            Diagnostic(
                code="title-rows",
                severity=Severity.INFO,
                message=f"rows 1 to {index} are titles above the header row {header_row}; "
                "they were not read as data",
                location=Location(file=file, sheet=chosen, row=1),
            )
        )
    frame, rows, dropped = split_total_rows(frame, rows, file=file, sheet=chosen)
    notes += dropped
    places = {
        h: ColumnPlace(file=file, sheet=chosen, header=h, index=i + 1, rows=rows) for i, h in keep
    }
    return SheetTable(
        file=file,
        sheet=chosen,
        header_row=header_row,
        frame=frame,
        rows=rows,
        places=places,
        notes=tuple(notes),
        title=title,
        letters=letters,
    )


def split_total_rows(
    frame: pd.DataFrame,
    rows: pd.Series,
    *,
    file: str,
    sheet: str | None = None,
) -> tuple[pd.DataFrame, pd.Series, list[Diagnostic]]:
    """Drop blank, total and footer rows from a frame of raw cells; say which were dropped.

    Returns the data rows, their spreadsheet row numbers, and one
    ``total-row`` info diagnostic per total or footer row (blank rows are
    dropped silently: they are not rows). See the module docstring for the
    convention. Works on any frame of raw cells (CSV too).
    """
    text = frame.map(lambda v: v.strip() if isinstance(v, str) else ("" if v is None else "x"))
    filled = (text != "").sum(axis=1)
    blank = filled == 0
    first = text.apply(lambda r: next((c for c in r if c), ""), axis=1)
    total = ~blank & first.str.match(_TOTAL.pattern, case=False).fillna(False).astype(bool)
    data = ~blank & ~total
    footer = pd.Series(False, index=frame.index)
    if bool(data.any()):
        last = (
            data[data & (filled >= 2)].index.max() if bool((data & (filled >= 2)).any()) else None
        )
        if last is not None:
            after = frame.index > last
            footer = pd.Series(after, index=frame.index) & data & (filled == 1)
            footer &= first.map(lambda c: bool(re.search(r"[A-Za-z]{3}", c)))
    notes = []
    for position in (total | footer).to_numpy().nonzero()[0].tolist():
        label = frame.index[position]
        row = int(rows.loc[label])
        kind = "a total row" if bool(total.loc[label]) else "a footer row"
        notes.append(
            Diagnostic(
                code="total-row",
                severity=Severity.INFO,
                message=f"row {row} is {kind} ({_cut(str(first.loc[label]), 40)!r}); "
                "it was not read as data",
                location=Location(file=file, sheet=sheet, row=row),
            )
        )
    keep = data & ~footer
    return frame[keep], rows[keep], notes
