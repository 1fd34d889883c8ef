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
"""

from __future__ import annotations

import csv
import io
import warnings

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from hubspoke.diagnostics import Severity
from hubspoke.errors import FileImportError
from hubspoke_importers._common import Column, Findings, header_key
from hubspoke_importers._text import decode, detect_delimiter, header_keys


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
    bad: tuple[int, ...] = ()
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
    return build_table(header_cells, records.iloc[1:], first_row=2, findings=findings, bad=bad)


def build_table(
    header_cells: list[str],
    body: pd.DataFrame,
    *,
    first_row: int,
    findings: Findings,
    bad: tuple[int, ...] = (),
    aliases: dict[str, str] | None = None,
) -> Table:
    """A :class:`Table` from header texts and a body of text cells starting at ``first_row``.

    Headers are matched by :func:`header_key` (then ``aliases``); a column
    with no header but with values is warned about and not read; a header
    repeated is a :class:`FileImportError`. Wholly blank rows are dropped.
    """
    aliases = aliases or {}
    rows = np.arange(first_row, first_row + len(body), dtype=np.int64)
    columns: dict[str, Column] = {}
    data_columns: dict[str, pd.Series] = {}
    nonblank_any = np.zeros(len(body), dtype=bool)
    for position, header in enumerate(header_cells):
        cells = body.iloc[:, position].astype(str).str.strip().reset_index(drop=True)
        nonblank = (cells != "").to_numpy()
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
        if key in columns:
            other = columns[key]
            raise FileImportError(
                f"{findings.file}: column {header!r} ({column.letter}) repeats column "
                f"{other.header!r} ({other.letter}); each column may appear once"
            )
        columns[key] = column
        data_columns[key] = cells
    frame = pd.DataFrame(data_columns, index=pd.RangeIndex(len(body)))
    keep = nonblank_any
    return Table(
        frame=frame.loc[keep].reset_index(drop=True),
        rows=rows[keep],
        columns=columns,
        bad_rows=bad,
        header_row=first_row - 1,
    )


__all__ = ["Table", "build_table", "decode", "detect_delimiter", "header_keys", "read_table"]
