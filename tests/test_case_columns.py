"""The columnar copy of case records: the frames the rows give, and never used once stale.

Every test compares the frames read with the copies against the frames read
from ``return_cases`` alone (the record of truth), after whatever was done
to the file.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubspoke.periods import financial_quarter
from hubspoke.workspace import SourceFile, Workspace, case_columns
from hubspoke.workspace import records as records_module
from hubspoke.workspace.records import KINDS, ReadSnapshot, read_frames
from workspace_fixtures import FakeReport, a_return, cases_csv, programme

COLUMNS = KINDS["cases"].columns
TYPES = {c.sql: c.type for c in COLUMNS}


def _workspace(tmp_path: Path) -> Path:
    path = tmp_path / "w.hubspoke"
    with Workspace.open(path) as ws:
        ws.set_programme(programme())
        assert ws.import_file(cases_csv(tmp_path / "cases.csv")).status == "imported"
    return path


def _frames(path: Path) -> dict[str, pd.DataFrame]:
    with ReadSnapshot(path) as reader:
        return read_frames(reader)


def _from_rows(path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, pd.DataFrame]:
    """The frames as ``return_cases`` alone gives them."""
    with monkeypatch.context() as patched:
        patched.setattr(records_module, "_read_case_copies", lambda *args: None)
        return _frames(path)


def _copied(path: Path) -> list[int]:
    """The returns whose copy a reader would use."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        sql = case_columns.copies_sql("r.superseded_by IS NULL")
        return [int(row[0]) for row in conn.execute(sql)]


def _assert_same(found: dict[str, pd.DataFrame], expected: dict[str, pd.DataFrame]) -> None:
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(found[name], frame, obj=name)


def _edit(path: Path, *statements: str) -> None:
    """Change the file as another program would (hubspoke's triggers still fire)."""
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        for statement in statements:
            conn.execute(statement)


def _frames_and_decoded(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, pd.DataFrame], list[int]]:
    """The frames, and the returns whose cases were read from their copies."""
    used: list[int] = []
    decode = case_columns.decode

    def counting(*args: Any) -> Any:
        found = decode(*args)
        used.extend(found[0])
        return found

    with monkeypatch.context() as patched:
        patched.setattr(case_columns, "decode", counting)
        return _frames(path), used


def _assert_every_return_copied(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every return with cases was read from its copy, which gave the rows' frames."""
    assert _copied(path) == _return_ids(path)
    found, used = _frames_and_decoded(path, monkeypatch)
    assert used == _return_ids(path)
    _assert_same(found, _from_rows(path, monkeypatch))


def _return_ids(path: Path) -> list[int]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        sql = "SELECT id FROM returns WHERE superseded_by IS NULL AND n_cases > 0 ORDER BY id"
        return [int(row[0]) for row in conn.execute(sql)]


def test_an_import_copies_each_return_and_the_copies_give_the_rows_frames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workspace(tmp_path)
    ids = _return_ids(path)
    assert len(ids) == 12
    assert _copied(path) == ids
    found = _frames(path)
    assert len(found["cases"]) == 3 * (4 + 5 + 6 + 7)
    _assert_same(found, _from_rows(path, monkeypatch))


def test_copies_and_rows_agree_when_staged_in_two_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records_module, "PARALLEL_STAGING", 1)
    _assert_every_return_copied(_workspace(tmp_path), monkeypatch)


def test_a_changed_case_row_drops_its_returns_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workspace(tmp_path)
    first, *others = _return_ids(path)
    _edit(
        path,
        "UPDATE return_cases SET gender = '1' WHERE rowid = "
        f"(SELECT min(rowid) FROM return_cases WHERE return_id = {first})",
    )
    assert _copied(path) == others
    found = _frames(path)
    assert found["cases"]["gender"].astype(str).tolist().count("1") == 1
    _assert_same(found, _from_rows(path, monkeypatch))


def test_a_deleted_case_row_drops_its_returns_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workspace(tmp_path)
    ids = _return_ids(path)
    _edit(
        path,
        "DELETE FROM return_cases WHERE rowid = "
        f"(SELECT max(rowid) FROM return_cases WHERE return_id = {ids[5]})",
    )
    assert _copied(path) == ids[:5] + ids[6:]
    found = _frames(path)
    assert len(found["cases"]) == 3 * (4 + 5 + 6 + 7) - 1
    _assert_same(found, _from_rows(path, monkeypatch))


@pytest.mark.parametrize("rowid", ["NULL", "(SELECT min(rowid) FROM return_cases) - 5"])
def test_a_case_row_added_outside_hubspoke_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rowid: str
) -> None:
    path = _workspace(tmp_path)
    ids = _return_ids(path)
    listed = ", ".join(c.sql for c in COLUMNS)
    _edit(
        path,
        f"INSERT INTO return_cases (rowid, return_id, {listed}) SELECT {rowid}, return_id, "
        f"{listed} FROM return_cases WHERE return_id = {ids[3]} LIMIT 1",
    )
    assert _copied(path) == ids[:3] + ids[4:]
    found = _frames(path)
    assert len(found["cases"]) == 3 * (4 + 5 + 6 + 7) + 1
    _assert_same(found, _from_rows(path, monkeypatch))


def _compressed(data: bytes) -> bytes:
    table = pa.ipc.open_stream(data).read_all()
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression="zstd")
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def _one_more_row(data: bytes) -> bytes:
    table = pa.ipc.open_stream(data).read_all()
    return case_columns_stream(pa.concat_tables([table, table.slice(0, 1)]))


def _without_codes(data: bytes) -> bytes:
    table = pa.ipc.open_stream(data).read_all()
    bare = pa.schema([f.remove_metadata() for f in table.schema])
    return case_columns_stream(pa.Table.from_arrays(table.columns, schema=bare))


def _codes_out_of_range(data: bytes) -> bytes:
    table = pa.ipc.open_stream(data).read_all()
    index = table.schema.get_field_index("gender")
    field = table.schema.field(index)
    return case_columns_stream(
        table.set_column(index, field, pa.array([99] * table.num_rows, field.type))
    )


def _age_as_text(data: bytes) -> bytes:
    table = pa.ipc.open_stream(data).read_all()
    index = table.schema.get_field_index("age")
    return case_columns_stream(
        table.set_column(index, "age", pa.array(["x"] * table.num_rows, pa.string()))
    )


def case_columns_stream(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "not a stream": lambda data: b"not arrow at all",
    "empty": lambda data: b"",
    "cut short": lambda data: data[: len(data) // 2],
    "compressed": _compressed,
    "one row more": _one_more_row,
    "codes list gone": _without_codes,
    "codes out of range": _codes_out_of_range,
    "a column of another type": _age_as_text,
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_copy_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    path = _workspace(tmp_path)
    ids = _return_ids(path)
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        (data,) = conn.execute(
            "SELECT data FROM return_case_columns WHERE return_id = ?", (ids[2],)
        ).fetchone()
        conn.execute(
            "UPDATE return_case_columns SET data = ? WHERE return_id = ?",
            (DAMAGE[damage](bytes(data)), ids[2]),
        )
    found, used = _frames_and_decoded(path, monkeypatch)
    _assert_same(found, _from_rows(path, monkeypatch))
    assert used == ids[:2] + ids[3:]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE return_case_columns SET data = 'text, not bytes'",
        "UPDATE return_case_columns SET data = X''",
        "UPDATE return_case_columns SET last_row = 'the end'",
        "UPDATE return_case_columns SET layout = 99",
        "DROP TABLE return_case_columns",
    ],
)
def test_copies_changed_outside_hubspoke_are_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, statement: str
) -> None:
    path = _workspace(tmp_path)
    _edit(path, statement)
    _assert_same(_frames(path), _from_rows(path, monkeypatch))


def test_a_compressed_stream_is_refused_before_it_is_decoded() -> None:
    table = pa.table({"case_id": ["C-1", "C-2"], "age": pa.array([14, 15], pa.int32())})
    plain = case_columns_stream(table)
    assert not case_columns._any_compressed(pa.py_buffer(plain))
    assert case_columns._any_compressed(pa.py_buffer(_compressed(plain)))


def _merge_values_into_sp_nm1_q1(path: Path, folder: Path) -> int:
    """Send values alone for SP-NM1's first quarter, after its cases: the merged return's id."""
    values_only = attrs.evolve(
        a_return("SP-NM1", financial_quarter(2015, 1), referrals=5),
        activities=(),
        cases=(),
        outcomes=(),
    )
    src = folder / "values.json"
    src.write_text("values for one quarter", encoding="utf-8")
    with Workspace.open(path) as ws:
        outcome = ws.store_report(SourceFile.read(src), FakeReport(returns=(values_only,)))
        assert outcome.status == "merged"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        (merged,) = conn.execute("SELECT id FROM returns WHERE merged = 1").fetchone()
    return int(merged)


def test_a_merged_return_carries_the_copy_of_the_cases_it_keeps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workspace(tmp_path)
    merged = _merge_values_into_sp_nm1_q1(path, tmp_path)
    assert merged in _copied(path)
    _assert_same(_frames(path), _from_rows(path, monkeypatch))


# -- the copy's stream on its own -----------------------------------------------------------

_CODES = {c.sql: c.categories() for c in COLUMNS if c.type in ("code", "enum")}


@st.composite
def _case_frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 30))
    frame: dict[str, object] = {}
    for column in COLUMNS:
        if column.type == "string":
            frame[column.name] = pd.array(
                draw(st.lists(st.text(min_size=1, max_size=8), min_size=n, max_size=n)),
                dtype="string",
            )
        elif column.type == "date":
            days = draw(st.lists(st.none() | st.integers(16_000, 17_500), min_size=n, max_size=n))
            frame[column.name] = pd.Series(
                [pd.NaT if d is None else pd.Timestamp(d, unit="D") for d in days],
                dtype="datetime64[ns]",
            )
        elif column.type in ("int", "bool"):
            top = 1 if column.type == "bool" else 2**40
            whole = draw(st.lists(st.none() | st.integers(-top, top), min_size=n, max_size=n))
            frame[column.name] = pd.array(whole, dtype="Int64")
        else:
            codes = _CODES[column.sql]
            picked = draw(st.lists(st.none() | st.sampled_from(codes), min_size=n, max_size=n))
            as_categories = draw(st.booleans())
            frame[column.name] = (
                pd.Categorical(picked, categories=codes)
                if as_categories
                else pd.array(picked, dtype="string")
            )
    return pd.DataFrame(frame)


@settings(max_examples=60, deadline=None)
@given(_case_frames(), st.floats(0, 1))
def test_copies_decode_to_what_the_stored_rows_read_as(frame: pd.DataFrame, at: float) -> None:
    """Two returns' copies of one frame's rows (cut at ``at``), against the rows as stored."""
    typed = pa.table(
        {c.sql: records_module.typed_arrow_column(frame[c.name], c.type) for c in COLUMNS}
    )
    cut = round(at * len(frame))
    sizes = [cut, len(frame) - cut]
    copies = case_columns.encode(typed, TYPES, [(0, cut), (cut, sizes[1])])
    ids, decoded = case_columns.decode(
        [(7, sizes[0], pa.py_buffer(copies[0])), (8, sizes[1], pa.py_buffer(copies[1]))],
        COLUMNS,
    )
    assert ids == [7, 8]
    assert decoded is not None
    specs = {c.sql: c for c in COLUMNS}
    names = [("return_id", "int"), *((c.sql, c.type) for c in COLUMNS)]
    from_copy = records_module.to_frame(decoded, names, specs)
    stored = pa.table(
        {"return_id": pa.array([7] * sizes[0] + [8] * sizes[1], pa.int64())}
        | {
            c.sql: records_module.stored_arrow_column(typed.column(c.sql).combine_chunks(), c.type)
            for c in COLUMNS
        }
    )
    from_rows = records_module.to_frame(stored, names, specs)
    pd.testing.assert_frame_equal(from_copy, from_rows)


# -- copies made from stored rows ------------------------------------------------------------


def _from_objects(tmp_path: Path) -> Path:
    """A workspace whose case records arrived as model objects (as a plugin may send them)."""
    path = tmp_path / "objects.hubspoke"
    q1, q2 = financial_quarter(2015, 1), financial_quarter(2015, 2)
    with Workspace.open(path) as ws:
        ws.set_programme(programme())
        for k, quarter in enumerate((q1, q2)):
            src = tmp_path / f"objects{k}.json"
            src.write_text(f"quarter {k}", encoding="utf-8")
            returns = tuple(
                a_return(sid, quarter, cases=4 + j, seed=10 * k + j)
                for j, sid in enumerate(["SP-NM1", "SP-NM2", "SP-AL1"])
            )
            ws.store_report(SourceFile.read(src), FakeReport(returns=returns))
    return path


@pytest.mark.parametrize("at_once", [20_000, 2])
def test_case_records_sent_as_objects_get_a_copy_from_their_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, at_once: int
) -> None:
    monkeypatch.setattr(records_module, "_ROWS_AT_ONCE", at_once)  # 2: read in several parts
    _assert_every_return_copied(_from_objects(tmp_path), monkeypatch)


def test_migration_6_copies_the_cases_already_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A version-5 workspace (no copies) gains one copy per return when it is upgraded."""
    path = _workspace(tmp_path)
    expected = _from_rows(path, monkeypatch)
    _edit(
        path,
        "DROP TRIGGER return_cases_updated",
        "DROP TRIGGER return_cases_deleted",
        "DROP TABLE return_case_columns",
        "PRAGMA user_version = 5",
    )
    with Workspace.open(path):  # upgrades
        pass
    _assert_every_return_copied(path, monkeypatch)
    _assert_same(_frames(path), expected)


def test_a_merged_return_without_a_copy_to_take_over_is_copied_from_its_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _from_objects(tmp_path)
    _edit(path, "DELETE FROM return_case_columns")  # as stored before the copies existed
    merged = _merge_values_into_sp_nm1_q1(path, tmp_path)
    assert _copied(path) == [merged]
    found, used = _frames_and_decoded(path, monkeypatch)
    assert used == [merged]
    _assert_same(found, _from_rows(path, monkeypatch))


@pytest.mark.parametrize("rows", [3, 400, 70_000])  # int8, int16, too many to list
def test_a_code_column_of_many_distinct_texts_decodes_as_its_rows_read(rows: int) -> None:
    """Positions take the narrowest type their list allows; texts off the list read as missing."""
    valid = _CODES["referral_source"]
    texts = [valid[i % len(valid)] if i % 2 else f"not a code {i}" for i in range(rows)]
    n = len(texts)
    typed = pa.table(
        {
            c.sql: (
                pa.array(texts, pa.string())
                if c.sql == "referral_source"
                else pa.array([f"C-{i}" for i in range(n)], pa.string())
                if c.type == "string"
                else pa.nulls(n, pa.date32())
                if c.type == "date"
                else pa.nulls(n, pa.int64())
                if c.type in ("int", "bool")
                else pa.nulls(n, pa.string())
            )
            for c in COLUMNS
        }
    )
    (data,) = case_columns.encode(typed, TYPES, [(0, n)])
    ids, decoded = case_columns.decode([(1, n, pa.py_buffer(data))], COLUMNS)
    if len(set(texts)) > 2**15:  # more codes than a copy may list: read from the rows instead
        assert (ids, decoded) == ([], None)
        return
    assert ids == [1]
    assert decoded is not None
    names = [("return_id", "int"), *((c.sql, c.type) for c in COLUMNS)]
    specs = {c.sql: c for c in COLUMNS}
    stored = pa.table(
        {"return_id": pa.array([1] * n, pa.int64())}
        | {
            c.sql: records_module.stored_arrow_column(typed.column(c.sql).combine_chunks(), c.type)
            for c in COLUMNS
        }
    )
    pd.testing.assert_frame_equal(
        records_module.to_frame(decoded, names, specs),
        records_module.to_frame(stored, names, specs),
    )
