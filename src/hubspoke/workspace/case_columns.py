"""A columnar copy of each return's case records, kept beside ``return_cases``.

``return_cases`` is the record of truth. Reading a million case rows out of
it costs about 0.65 s however it is done (SQLite hands each cell over
separately), so an import also stores each return's case records once more
as an Arrow IPC stream in ``return_case_columns``, one row per return: from
the frame it staged, or from the rows just stored when the records came as
model objects (``records.copy_case_rows``). Reading the copies takes about
0.1 s.

The copy can never stand in for rows it does not hold:

- it is written in the same transaction as the rows it copies, and only when
  they are the return's only case rows, so the rows are the contiguous rowids
  ``first_row`` to ``last_row``;
- triggers delete a return's copy when any of its ``return_cases`` rows is
  updated or deleted, whoever does it;
- a reader uses a copy only if the return's lowest and highest rowids are
  still ``first_row`` and ``last_row`` (rows added later would lie outside
  them, since the rowids between are taken), its ``layout`` is
  :data:`LAYOUT`, and it decodes to exactly ``last_row - first_row + 1``
  rows of the expected columns and types. Anything else is read from
  ``return_cases``.

Decoding allocates in proportion to the stored bytes: a stream whose
buffers are compressed (which could inflate without bound) is refused
before it is decoded, and the arrays are validated in full before use.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import struct
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import pyarrow as pa

    from hubspoke.workspace.records import Column, ColumnType

#: The version of the copy's column types; copies of another layout are not used.
LAYOUT: Final = 1

TABLE: Final = "return_case_columns"

#: The schema objects migration 6 creates (one statement each).
SCHEMA: Final = (
    f"""
    CREATE TABLE {TABLE} (
        return_id INTEGER PRIMARY KEY REFERENCES returns (id),
        first_row INTEGER NOT NULL,
        last_row INTEGER NOT NULL,
        layout INTEGER NOT NULL,
        data BLOB NOT NULL,
        CHECK (last_row >= first_row)
    )
    """,
    f"""
    CREATE TRIGGER return_cases_updated AFTER UPDATE ON return_cases BEGIN
        DELETE FROM {TABLE} WHERE return_id IN (OLD.return_id, NEW.return_id);
    END
    """,
    f"""
    CREATE TRIGGER return_cases_deleted AFTER DELETE ON return_cases BEGIN
        DELETE FROM {TABLE} WHERE return_id = OLD.return_id;
    END
    """,
)

#: SQL (on ``c``, a row of the copy table) true while the copy still holds exactly its rows.
_STILL_EXACT: Final = (
    f"c.layout = {LAYOUT} "
    "AND c.first_row = (SELECT min(rowid) FROM return_cases WHERE return_id = c.return_id) "
    "AND c.last_row = (SELECT max(rowid) FROM return_cases WHERE return_id = c.return_id)"
)


def copies_sql(where: str) -> str:
    """SELECT of ``return_id, first_row, last_row, data`` of the usable copies of the
    returns matching ``where`` (SQL on the returns table aliased ``r``), by return id."""
    return (
        "SELECT c.return_id, CAST(c.first_row AS INTEGER), CAST(c.last_row AS INTEGER), "
        f"CAST(c.data AS BLOB) FROM {TABLE} c "
        f"JOIN returns r ON r.id = c.return_id WHERE ({where}) AND {_STILL_EXACT} "
        "ORDER BY c.return_id"
    )


# -- writing ------------------------------------------------------------------------------------


def encode(
    table: pa.Table, types: Mapping[str, ColumnType], parts: Sequence[tuple[int, int]]
) -> list[bytes]:
    """The copies of row ranges ``(offset, length)`` of ``table`` (typed case columns).

    ``table``'s columns are as ``records.typed_arrow_column`` makes them;
    ``types`` gives each column's type. Each copy is an uncompressed Arrow
    IPC stream of one record batch. A code column is stored as its positions
    (int8 to int32) into its codes, which the field's metadata lists
    (``codes``, JSON); whole numbers and flags in the narrowest signed type
    that holds every value of the table. The columns are prepared once for
    the whole table, then each range is written.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    fields = []
    arrays = []
    for name in table.column_names:
        array = table.column(name).combine_chunks()
        meta = None
        if types[name] in ("code", "enum"):
            if not pa.types.is_dictionary(array.type):
                array = array.dictionary_encode()
            meta = {b"codes": json.dumps(array.dictionary.to_pylist()).encode()}
            size = len(array.dictionary)
            # positions in the narrowest type (dictionary_encode makes them int32)
            narrowest = pa.int8() if size <= 127 else pa.int16() if size <= 32_767 else pa.int32()
            array = array.indices.cast(narrowest)
        elif types[name] in ("int", "bool") and len(array) > array.null_count:
            bounds = pc.min_max(array)
            low, high = bounds["min"].as_py(), bounds["max"].as_py()
            narrow = next(
                (
                    t
                    for t in (pa.int8(), pa.int16(), pa.int32())
                    if -(2**t.bit_width) // 2 <= low and high < 2**t.bit_width // 2
                ),
                None,
            )
            if narrow is not None:
                array = array.cast(narrow)
        fields.append(pa.field(name, array.type, metadata=meta))
        arrays.append(array)
    whole = pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))
    out = []
    for offset, length in parts:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, whole.schema) as writer:
            writer.write_batch(whole.slice(offset, length))
        out.append(sink.getvalue().to_pybytes())
    return out


def store(conn: sqlite3.Connection, return_id: int, n_rows: int, data: bytes) -> bool:
    """Store ``data`` (the copy of ``n_rows`` case rows just inserted) for ``return_id``.

    Stored only if those rows are all the return's case rows (contiguous
    rowids); True if stored. Call it in the transaction that inserted them.
    """
    first, last = conn.execute(
        "SELECT min(rowid), max(rowid) FROM return_cases WHERE return_id = ?", (return_id,)
    ).fetchone()
    if first is None or last - first + 1 != n_rows:
        return False
    conn.execute(
        f"INSERT OR REPLACE INTO {TABLE} VALUES (?, ?, ?, ?, ?)",
        (return_id, first, last, LAYOUT, data),
    )
    return True


def copy(conn: sqlite3.Connection, from_id: int, to_id: int) -> bool:
    """After ``from_id``'s case rows were copied to ``to_id``, copy its columnar copy too.

    Only a copy still exact for ``from_id`` is carried over; True if one was.
    """
    row = conn.execute(
        f"SELECT c.last_row - c.first_row + 1, c.data FROM {TABLE} c "
        f"WHERE c.return_id = ? AND {_STILL_EXACT}",
        (from_id,),
    ).fetchone()
    return row is not None and store(conn, to_id, int(row[0]), row[1])


# -- reading ------------------------------------------------------------------------------------


#: The most codes a stored code column may list.
_MAX_CODES: Final = 2**15


def decode(
    copies: Sequence[tuple[int, int, pa.Buffer]], columns: Sequence[Column]
) -> tuple[list[int], pa.Table | None]:
    """The ``columns`` of stored copies, each ``(return_id, n_rows, data)``, in that order.

    Returns the ids of the copies used and their records (``return_id``
    first, then ``columns``; None if none was used). A copy is left out if
    its stream is malformed, declares compression, lacks a column, has one
    of another type, or holds another number of rows than ``n_rows``. Every
    column decodes to the same Arrow type whatever the copy (codes as
    dictionary<int32, string>, whole numbers as int64).
    """
    import pyarrow as pa

    runs: list[list[tuple[int, pa.Table]]] = []
    for return_id, n_rows, data in copies:
        table = _read_stream(data, n_rows)
        if table is None:
            continue
        if runs and table.schema.equals(runs[-1][0][1].schema, check_metadata=True):
            runs[-1].append((return_id, table))
        else:
            runs.append([(return_id, table)])
    parts = []
    kept: list[int] = []
    for run in runs:
        whole = _typed_run(run, columns)
        tries = [(run, whole)]
        if whole is None and len(run) > 1:  # tried copy by copy: one bad copy spoils no other
            tries = [([one], _typed_run([one], columns)) for one in run]
        for tried, part in tries:
            if part is not None:
                parts.append(part)
                kept += [return_id for return_id, _ in tried]
    if not parts:
        return [], None
    return kept, pa.concat_tables(parts)


def _read_stream(data: pa.Buffer, n_rows: int) -> pa.Table | None:
    """One stored stream as read (no copy of its buffers), or None if unusable."""
    import pyarrow as pa

    try:
        if _any_compressed(data):
            return None
        table = pa.ipc.open_stream(data).read_all()
    except (pa.ArrowException, ValueError, struct.error, IndexError):
        return None
    return table if table.num_rows == n_rows else None


def _typed_run(run: Sequence[tuple[int, pa.Table]], columns: Sequence[Column]) -> pa.Table | None:
    """Copies of one schema, concatenated and typed as :func:`decode` says; None if unusable."""
    import numpy as np
    import pyarrow as pa

    read_as = _read_types()
    # one chunk, so each column below is typed by one call
    whole = pa.concat_tables([table for _, table in run]).combine_chunks()
    counts = [table.num_rows for _, table in run]
    ids = np.repeat(np.array([return_id for return_id, _ in run], dtype=np.int64), counts)
    picked: list[pa.ChunkedArray | pa.Array] = [pa.array(ids)]
    try:
        for column in columns:
            if column.sql not in whole.schema.names:
                return None
            field = whole.schema.field(column.sql)
            found = whole.column(column.sql)
            if column.type in ("code", "enum"):
                codes = _codes(field)
                if codes is None or not pa.types.is_signed_integer(field.type):
                    return None
                found = pa.chunked_array(
                    [pa.DictionaryArray.from_arrays(c, codes, safe=True) for c in found.chunks],
                    pa.dictionary(field.type, pa.string()),
                )
            elif not _expected(field.type, column.type):
                return None
            picked.append(found.cast(read_as[column.type]))
        out = pa.table(picked, names=["return_id", *(c.sql for c in columns)])
        out.validate(full=True)
    except (pa.ArrowException, ValueError):
        return None
    return out


def _codes(field: pa.Field) -> pa.Array | None:
    """The codes a stored code column's positions point into, or None if not a list of text."""
    import pyarrow as pa

    raw = (field.metadata or {}).get(b"codes")
    if raw is None or len(raw) > 64 * _MAX_CODES:
        return None
    try:
        codes = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(codes, list) or len(codes) > _MAX_CODES:
        return None
    if not all(isinstance(c, str) for c in codes):
        return None
    return pa.array(codes, pa.string())


@functools.cache
def _read_types() -> dict[str, pa.DataType]:
    """The Arrow type each kind of column decodes to."""
    import pyarrow as pa

    code = pa.dictionary(pa.int32(), pa.string())
    return {
        "string": pa.string(),
        "date": pa.date32(),
        "int": pa.int64(),
        "bool": pa.int64(),
        "float": pa.float64(),
        "code": code,
        "enum": code,
    }


def _expected(found: pa.DataType, type_: ColumnType) -> bool:
    """Whether a stored column of Arrow type ``found`` may hold a non-code column of ``type_``."""
    import pyarrow as pa

    if type_ == "string":
        return bool(found == pa.string())
    if type_ == "date":
        return bool(found == pa.date32())
    if type_ in ("int", "bool"):
        return bool(pa.types.is_signed_integer(found))
    return bool(found == pa.float64())


# Arrow IPC metadata is a flatbuffer ``Message``: field 1 is the header's type
# (2 DictionaryBatch, 3 RecordBatch), field 2 the header; a RecordBatch's
# field 3 is its ``compression``, and a DictionaryBatch holds a RecordBatch
# in its field 1. See format/Message.fbs in the Arrow repository.
_DICTIONARY_BATCH: Final = 2
_RECORD_BATCH: Final = 3


def _any_compressed(data: pa.Buffer) -> bool:
    """Whether any message of the IPC stream ``data`` declares compressed buffers.

    Raises struct.error, IndexError or ArrowException on malformed metadata.
    """
    import pyarrow as pa

    reader = pa.ipc.MessageReader.open_stream(data)
    for message in reader:
        meta = message.metadata.to_pybytes()
        root = _u32(meta, 0)
        kind_at, header_at = _field(meta, root, 1), _field(meta, root, 2)
        kind = meta[kind_at] if kind_at else 0
        if kind not in (_DICTIONARY_BATCH, _RECORD_BATCH) or not header_at:
            continue
        batch = header_at + _u32(meta, header_at)
        if kind == _DICTIONARY_BATCH:
            inner = _field(meta, batch, 1)
            if not inner:
                continue
            batch = inner + _u32(meta, inner)
        if _field(meta, batch, 3):
            return True
    return False


def _unpack(form: str, buf: bytes, at: int) -> int:
    """One number at ``at``; IndexError outside ``buf`` (never counted from its end)."""
    if at < 0 or at + struct.calcsize(form) > len(buf):
        raise IndexError(at)
    value: int = struct.unpack_from(form, buf, at)[0]
    return value


def _u32(buf: bytes, at: int) -> int:
    return _unpack("<I", buf, at)


def _field(buf: bytes, table: int, index: int) -> int:
    """The position of field ``index`` of the flatbuffer table at ``table`` (0 if absent)."""
    vtable = table - _unpack("<i", buf, table)
    size = _unpack("<H", buf, vtable)
    if 4 + 2 * index + 2 > size:
        return 0
    offset = _unpack("<H", buf, vtable + 4 + 2 * index)
    return table + offset if offset else 0
