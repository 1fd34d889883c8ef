"""Reading a delimited text file into a table of strings, as a spreadsheet user sees it.

Rules (documented in ``docs/formats.md``):

- Encoding: UTF-8 with or without a byte-order mark; otherwise Windows-1252
  (what Excel's "CSV" saves on Windows), reported as an info diagnostic.
- Delimiter: comma, semicolon or tab, whichever the header row uses most
  (outside quotes).
- The first row is the header row. Header names match case- and
  space-insensitively (:func:`~hubspoke_importers._common.header_key`).
- Every cell is read as text (nothing is guessed) and trimmed. Wholly blank
  rows are skipped and not counted as data rows.
- Row numbers are those a spreadsheet shows: the header is row 1, so the first
  data row is row 2.
- A row with more non-blank cells than the header has headers is reported and
  rejected (its extra cells have no column to go to).
- Size caps (:mod:`hubspoke.limits`): a header row of more than
  :data:`~hubspoke.limits.MAX_COLUMNS` columns refuses the file before the
  body is parsed; a cell longer than :data:`~hubspoke.limits.MAX_CELL_CHARS`
  characters (Excel's own limit) rejects its row, with a finding naming the
  row, the column and the cell's length.
"""

from __future__ import annotations

import csv
import io
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Final

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from hubspoke.diagnostics import Severity
from hubspoke.errors import FileImportError
from hubspoke.limits import MAX_CELL_CHARS, MAX_COLUMNS
from hubspoke_importers._common import Column, Findings, header_key
from hubspoke_importers._text import decode, detect_delimiter, first_record_line, header_keys

if TYPE_CHECKING:
    import pyarrow as pa

_BOM = b"\xef\xbb\xbf"
#: Rows past which the fast path trims a file's columns in two threads.
PARALLEL_ROWS = 100_000
#: Header cells and the trimmed text column under each.
_Sheet = tuple[list[str], list[pd.Series]]


@attrs.frozen(kw_only=True)
class Table:
    """A sheet of text cells under a header row.

    ``frame`` has one column per distinct non-blank header, named by its
    :func:`header_key`, holding trimmed strings ("" for blank). ``rows`` holds
    the spreadsheet row number of each frame row. ``columns`` maps a key to the
    :class:`Column` the user sees. ``bad_rows`` are rows already rejected while
    reading (wrong number of cells); they are not in ``frame``.
    """

    frame: pd.DataFrame
    rows: npt.NDArray[np.int64]
    columns: dict[str, Column]
    bad_rows: tuple[int, ...] = ()
    header_row: int = 1

    @property
    def rows_read(self) -> int:
        """Data rows read: those in ``frame`` plus those rejected while reading."""
        return len(self.frame) + len(self.bad_rows)


def _records_arrow(text: str, encoded: bytes, delimiter: str) -> _Sheet | None:
    """Header cells and trimmed body columns read by pyarrow's CSV reader, or None.

    The fast path, used only when pyarrow is installed (it is optional) and
    only for files it reads exactly as the C parser of :func:`_records_fast`
    would: every record as wide as the header row (a blank line or a short
    row makes it give up), every quote closed, every column read as text, a
    non-blank first row. Anything else returns None and the pandas parsers
    decide. ``encoded`` is ``text`` as UTF-8 bytes. Cells are trimmed as
    pandas trims pyarrow-backed text (``utf8_trim_whitespace``).
    """
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pa_csv
    except ImportError:
        return None
    # an unterminated quote: the pandas parsers decide what it means (most files hold no quote,
    # and finding one is a memchr, a sixth of a count)
    if b'"' in encoded and encoded.count(b'"') % 2:
        return None
    # An upper bound on the header row's width (quoted delimiters only lower it);
    # every column is read as text, never guessed.
    width = first_record_line(text).count(delimiter) + 1
    try:
        table = pa_csv.read_csv(
            io.BytesIO(encoded),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(width)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    if table.num_rows == 0 or any(not pa.types.is_string(t) for t in table.schema.types):
        return None
    header_cells = [str(column[0].as_py()).strip() for column in table.columns]
    if not any(header_cells):
        return None  # a blank first row: the pandas parsers word that diagnosis
    text_dtype = pd.StringDtype("pyarrow", na_value=np.nan)

    def trimmed(column: pa.ChunkedArray) -> pd.Series:
        body = column.slice(1)
        if _may_need_trimming(body):
            body = pc.utf8_trim_whitespace(body)
        # pd.array wraps the Arrow column; pd.Series(column, dtype=...) would copy it cell by cell
        return pd.Series(pd.array(body, dtype=text_dtype))

    if table.num_rows < PARALLEL_ROWS:
        return header_cells, [trimmed(column) for column in table.columns]
    # Arrow's kernels release the GIL: two threads trim the columns in about half the time
    with ThreadPoolExecutor(max_workers=2) as pool:
        body = list(pool.map(trimmed, table.columns))
    return header_cells, body


#: Bytes a cell that needs trimming may start or end with: ASCII whitespace and separators,
#: and any byte of a multi-byte character (Unicode spaces are never one byte).
_MAY_BE_SPACE: Final = np.array(
    [b in (9, 10, 11, 12, 13, 28, 29, 30, 31, 32) or b >= 0x80 for b in range(256)], dtype=bool
)


def _may_need_trimming(column: pa.ChunkedArray) -> bool:
    """False only when no cell of an Arrow text column starts or ends with whitespace.

    Reads each cell's first and last byte off the offsets: a cell whose first
    and last bytes are neither ASCII whitespace nor part of a multi-byte
    character is unchanged by ``utf8_trim_whitespace``.
    """
    import pyarrow as pa

    for chunk in column.chunks:
        if not len(chunk):
            continue
        if not pa.types.is_string(chunk.type):  # another layout: trim, to be sure
            return True
        _, offsets, data = chunk.buffers()
        if data is None:  # every cell empty
            continue
        ends = np.frombuffer(offsets, dtype=np.int32)[chunk.offset : chunk.offset + len(chunk) + 1]
        filled = ends[1:] > ends[:-1]
        text = np.frombuffer(data, dtype=np.uint8)
        if (
            _MAY_BE_SPACE[text[ends[:-1][filled]]].any()
            or _MAY_BE_SPACE[text[ends[1:][filled] - 1]].any()
        ):
            return True
    return False


def _records_fast(text: str, delimiter: str) -> pd.DataFrame | None:
    """All records with the C parser, or None when rows are ragged (use the slow path)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            return pd.read_csv(
                io.StringIO(text),
                sep=delimiter,
                header=None,
                dtype=str,
                na_filter=False,
                skip_blank_lines=False,
                index_col=False,
                engine="c",
            )
        except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError):
            return None
        except pd.errors.EmptyDataError:
            return pd.DataFrame()


def _records_slow(
    text: str, delimiter: str, findings: Findings
) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """All records with :mod:`csv`, rejecting rows longer than the header."""
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise FileImportError(f"{findings.file}: not a readable delimited file ({exc})") from None
    if not records:
        return pd.DataFrame(), ()
    width = len(records[0])
    kept: list[list[str]] = [records[0]]
    bad: list[int] = []
    for number, record in enumerate(records[1:], start=2):
        extra = [c for c in record[width:] if c.strip()]
        if extra:
            findings.reject(
                "row-shape",
                f"row has {len(record)} cells but the header row has {width}; "
                f"the extra cells have no column",
                row=number,
                value=extra[0][:80],
                suggestion="check for an unquoted delimiter inside a value",
            )
            bad.append(number)
            kept.append([""] * width)  # keeps row numbering; dropped as blank below
            continue
        kept.append(record[:width] + [""] * (width - len(record)))
    return pd.DataFrame(kept, dtype=str), tuple(bad)


def read_table(data: bytes, findings: Findings) -> Table:
    """Read delimited ``data`` into a :class:`Table`; problems go to ``findings``.

    Raises :class:`FileImportError` when there is no header row at all or the
    same column appears twice (the file as a whole cannot be read then).
    """
    text, encoding = decode(data)
    if encoding != "utf-8":
        findings.note(
            "encoding",
            Severity.INFO,
            "the file is not UTF-8; it was read as Windows-1252 (Excel's CSV encoding)",
        )
    delimiter = detect_delimiter(text)
    _check_width(text, delimiter, findings.file)
    bad: tuple[int, ...] = ()
    encoded = data.removeprefix(_BOM) if encoding == "utf-8" else text.encode("utf-8")
    sheet = _records_arrow(text, encoded, delimiter)
    if sheet is not None:
        # Arrow columns are measured in C, one pass each: cheaper than any bound on the bytes
        return table_from_columns(*sheet, first_row=2, findings=findings, check_lengths=True)
    long_cells = _may_hold_long_cells(encoded, delimiter)
    records = _records_fast(text, delimiter)
    if records is None:
        records, bad = _records_slow(text, delimiter, findings)
    if records.empty or records.shape[0] == 0:
        raise FileImportError(f"{findings.file}: the file is empty (no header row)")
    records = records.fillna("")
    header_cells = [str(v).strip() for v in records.iloc[0]]
    if not any(header_cells):
        raise FileImportError(
            f"{findings.file}: row 1 is blank; the first row must be the header row"
        )
    return build_table(
        header_cells,
        records.iloc[1:],
        first_row=2,
        findings=findings,
        bad=bad,
        check_lengths=long_cells,
    )


def _check_width(text: str, delimiter: str, file: str) -> None:
    """Refuse a file whose header row has more than :data:`MAX_COLUMNS` columns, before parsing.

    Counting delimiters on the first line gives an upper bound (quoted ones
    only lower the count); only over the cap is the line parsed exactly.
    """
    end = text.find("\n")
    line = text if end < 0 else text[:end]
    if line.count(delimiter) < MAX_COLUMNS:
        return
    try:
        width = len(next(csv.reader([line], delimiter=delimiter)))
    except (csv.Error, StopIteration):
        width = line.count(delimiter) + 1
    if width > MAX_COLUMNS:
        raise FileImportError(
            f"{file}: row 1 has {width:,} columns; hubspoke reads at most {MAX_COLUMNS:,} "
            "columns (Excel's limit), so the file is refused. Is it a return file?"
        )


def _may_hold_long_cells(encoded: bytes, delimiter: str) -> bool:
    """False only when no cell of the file can be longer than :data:`MAX_CELL_CHARS`.

    ``encoded`` is the file as UTF-8. Without quotes a cell cannot hold a
    delimiter or a newline, so the longest run of bytes between two of
    those bounds every cell's length (one vectorised pass); with quotes the
    cells themselves are measured.
    """
    if len(encoded) <= MAX_CELL_CHARS:
        return False
    if b'"' in encoded:
        return True
    # a cell is never longer than its line: most files are settled by the longest line
    if max(map(len, encoded.split(b"\n"))) <= MAX_CELL_CHARS:
        return False
    raw = np.frombuffer(encoded, dtype=np.uint8)
    stops = np.flatnonzero((raw == ord(delimiter)) | (raw == 0x0A))
    edges = np.concatenate(([-1], stops, [len(raw)]))
    return int(np.diff(edges).max()) - 1 > MAX_CELL_CHARS


def _any_too_long(cells: pd.Series) -> bool:
    """Whether a text cell of ``cells`` has more than :data:`MAX_CELL_CHARS` characters."""
    if not len(cells):
        return False
    array = cells.array
    if hasattr(array, "__arrow_array__"):
        import pyarrow as pa
        import pyarrow.compute as pc

        arrow = pa.chunked_array(array.__arrow_array__())
        # no cell has more characters than bytes, and bytes are read off the offsets
        if int(pc.max(pc.binary_length(arrow)).as_py() or 0) <= MAX_CELL_CHARS:
            return False
        return int(pc.max(pc.utf8_length(arrow)).as_py() or 0) > MAX_CELL_CHARS
    return any(len(c) > MAX_CELL_CHARS for c in cells.tolist() if isinstance(c, str))


def _nonblank(cells: pd.Series) -> npt.NDArray[np.bool_]:
    """Where ``cells`` is not the empty text (a missing cell counts as not blank, as ``!=``)."""
    array = cells.array
    if hasattr(array, "__arrow_array__"):
        import pyarrow as pa
        import pyarrow.compute as pc

        sizes = pc.binary_length(pa.chunked_array(array.__arrow_array__()))
        found = pc.fill_null(pc.greater(sizes, 0), True)
        return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
    return (cells != "").to_numpy(dtype=bool)


def _cell_lengths(cells: pd.Series) -> npt.NDArray[np.int64]:
    """Length of each text cell (0 where missing)."""
    return np.fromiter((len(c) if isinstance(c, str) else 0 for c in cells), np.int64, len(cells))


def _long_cells(
    header_cells: list[str],
    columns: list[pd.Series],
    rows: npt.NDArray[np.int64],
    findings: Findings,
) -> npt.NDArray[np.bool_]:
    """Reject rows holding a cell over :data:`MAX_CELL_CHARS`; True where a row is rejected."""
    rejected = np.zeros(len(rows), dtype=bool)
    for position, cells in enumerate(columns):
        if not _any_too_long(cells):
            continue
        lengths = _cell_lengths(cells)
        column = Column(header=header_cells[position], index=position + 1)
        for i in np.flatnonzero(lengths > MAX_CELL_CHARS):
            findings.reject(
                "cell-too-long",
                f"the cell holds {int(lengths[i]):,} characters; hubspoke reads at most "
                f"{MAX_CELL_CHARS:,} in a cell (Excel's limit), so the row is not imported",
                row=int(rows[i]),
                column=column,
                suggestion="check for a missing closing quote, or text pasted by mistake",
            )
            rejected[i] = True
    return rejected


def build_table(
    header_cells: list[str],
    body: pd.DataFrame,
    *,
    first_row: int,
    findings: Findings,
    bad: tuple[int, ...] = (),
    aliases: dict[str, str] | None = None,
    check_lengths: bool = True,
) -> Table:
    """A :class:`Table` from header texts and a body of text cells starting at ``first_row``.

    Each cell is read as text and trimmed; then see :func:`table_from_columns`.
    """
    columns = [
        body.iloc[:, position].astype(str).str.strip().reset_index(drop=True)
        for position in range(len(header_cells))
    ]
    return table_from_columns(
        header_cells,
        columns,
        first_row=first_row,
        findings=findings,
        bad=bad,
        aliases=aliases,
        check_lengths=check_lengths,
    )


def table_from_columns(
    header_cells: list[str],
    columns: list[pd.Series],
    *,
    first_row: int,
    findings: Findings,
    bad: tuple[int, ...] = (),
    aliases: dict[str, str] | None = None,
    check_lengths: bool = True,
) -> Table:
    """A :class:`Table` from header texts and one trimmed text column per header.

    ``columns[i]`` (default index, one entry per row from ``first_row`` on)
    holds the trimmed cells under ``header_cells[i]``. Headers are matched by
    :func:`header_key` (then ``aliases``); a column with no header but with
    values is warned about and not read; a header repeated is a
    :class:`FileImportError`. Wholly blank rows are dropped. With
    ``check_lengths``, a row holding a cell over :data:`MAX_CELL_CHARS` is
    rejected (a finding each) and left out (pass False only when no cell can
    be that long).
    """
    aliases = aliases or {}
    length = len(columns[0]) if columns else 0
    rows = np.arange(first_row, first_row + length, dtype=np.int64)
    too_long = np.zeros(length, dtype=bool)
    if length and check_lengths:
        too_long = _long_cells(header_cells, columns, rows, findings)
        if too_long.any():
            blank = pd.Series(too_long)
            columns = [c.mask(blank, "") for c in columns]
            bad = tuple(sorted({*bad, *(int(r) for r in rows[too_long])}))
    found: dict[str, Column] = {}
    data_columns: dict[str, pd.Series] = {}
    nonblank_any = np.zeros(length, dtype=bool)
    for position, (header, cells) in enumerate(zip(header_cells, columns, strict=True)):
        nonblank = _nonblank(cells)
        nonblank_any |= nonblank
        column = Column(header=header, index=position + 1)
        key = header_key(header)
        key = aliases.get(key, key)
        if not key:
            if nonblank.any():
                findings.note(
                    "unnamed-column",
                    Severity.WARNING,
                    f"column {column.letter} has {int(nonblank.sum())} values but no header; "
                    "its values were not read",
                    row=int(rows[nonblank.argmax()]),
                    column=column,
                    suggestion="give the column a header, or delete it",
                )
            continue
        if key in found:
            other = found[key]
            raise FileImportError(
                f"{findings.file}: column {header!r} ({column.letter}) repeats column "
                f"{other.header!r} ({other.letter}); each column may appear once"
            )
        found[key] = column
        data_columns[key] = cells
    frame = pd.DataFrame(data_columns, index=pd.RangeIndex(length))
    keep = nonblank_any & ~too_long
    if not keep.all():
        frame = frame.loc[keep].reset_index(drop=True)
    return Table(
        frame=frame,
        rows=rows[keep],
        columns=found,
        bad_rows=bad,
        header_row=first_row - 1,
    )


__all__ = [
    "Table",
    "build_table",
    "decode",
    "detect_delimiter",
    "header_keys",
    "read_table",
    "table_from_columns",
]
