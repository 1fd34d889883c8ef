"""``hubspoke export``: every workspace table as Parquet (by period) or CSV, read back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pytest
from click.testing import CliRunner

from hubspoke.cli import main
from hubspoke.serialization import loads_programme
from hubspoke.workspace import SourceFile, Workspace
from hubspoke.workspace import export as export_module
from hubspoke.workspace.export import TABLES, ExportTargetError, export_workspace

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RETURNS = EXAMPLES / "returns"

#: A handful of files in four formats; the second S02 annual and the H04 values
#: file supersede earlier returns, the flawed file leaves diagnostics.
FILES = (
    RETURNS / "generated" / "annual-S02-2014-15.csv",
    RETURNS / "annual-S02-2014-15.csv",
    RETURNS / "returns-S12-2015-16.json",
    RETURNS / "cases-S14-2015-16.csv",
    RETURNS / "quarterly-S21-2015-16-Q3.xlsx",
    RETURNS / "flawed-values-unknown-codes.csv",
    RETURNS / "generated" / "cases-H04-2015-16.csv",
    RETURNS / "generated" / "values-H04-2015-16.csv",
)
#: values-S12-2015-16-Q2.csv is imported under this name: a file name a
#: spreadsheet would run as a formula, to check CSV exports neutralise it.
FORMULA_NAME = "=HYPERLINK(1).csv"

#: The query docs/workspace.md shows ("Exporting for other tools").
DUCKDB_QUERY = """
SELECT service_id, measure, sum(value) AS total
FROM read_parquet('{out}/values/**/*.parquet', hive_partitioning = true)
WHERE period_start >= DATE '2015-04-01' AND period_end <= DATE '2016-03-31'
  AND gender IS NULL AND ethnicity IS NULL AND age_band IS NULL
  AND referral_source IS NULL AND risk_level IS NULL AND profession IS NULL
  AND sexuality IS NULL AND support_type IS NULL AND closure_reason IS NULL
  AND supervision_kind IS NULL
GROUP BY service_id, measure
ORDER BY service_id, measure
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    path = folder / "evaluation.hubspoke"
    renamed = folder / FORMULA_NAME
    shutil.copyfile(RETURNS / "values-S12-2015-16-Q2.csv", renamed)
    with Workspace.open(path) as ws:
        programme = EXAMPLES / "programme.json"
        ws.set_programme(
            loads_programme(programme.read_text(encoding="utf-8")),
            source=SourceFile.read(programme),
        )
        statuses = [ws.import_file(f).status for f in (*FILES, renamed)]
    assert {"superseded", "merged"} & set(statuses)  # some return replaced an earlier one
    assert "rejected" not in statuses
    return path


def _duckdb(query: str) -> duckdb.DuckDBPyRelation:
    relation = duckdb.sql(query)
    assert relation is not None
    return relation


def _export(workspace: Path, out: Path, **options: Any) -> export_module.ExportResult:
    with Workspace.open(workspace) as ws:
        return export_workspace(ws, out, **options)


def _read(out: Path, table: str) -> pd.DataFrame:
    dataset = ds.dataset(out / table, format="parquet", partitioning="hive")
    frame: pd.DataFrame = dataset.to_table().to_pandas()
    return frame


@pytest.fixture(scope="module")
def current(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exports") / "current"
    _export(workspace, out)
    return out


@pytest.fixture(scope="module")
def frames(workspace: Path) -> dict[str, pd.DataFrame]:
    with Workspace.open(workspace) as ws:
        return ws.record_frames()


def test_parquet_export_has_every_table_with_the_workspace_row_counts(
    workspace: Path, current: Path, frames: dict[str, pd.DataFrame]
) -> None:
    manifest = json.loads((current / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["tables"]) == set(TABLES)
    for kind in ("returns", "values", "cases", "activities", "outcomes"):
        table = ds.dataset(current / kind, format="parquet", partitioning="hive").to_table()
        assert table.num_rows == len(frames[kind]) > 0, kind
        assert manifest["tables"][kind]["rows"] == len(frames[kind])
    with Workspace.open(workspace) as ws:
        imports = ws.imports()
        diagnostics = sum(len(ws.file_diagnostics(sha)) for sha in imports["sha256"])
        programme = ws.programme()
    assert ds.dataset(current / "files").count_rows() == len(imports)
    assert ds.dataset(current / "file_diagnostics").count_rows() == diagnostics > 0
    assert ds.dataset(current / "spokes").count_rows() == len(programme.spokes) == 53
    assert ds.dataset(current / "hubs").count_rows() == len(programme.hubs)
    assert ds.dataset(current / "posts").count_rows() == len(programme.posts)
    assert ds.dataset(current / "expected_returns", partitioning="hive").count_rows() == len(
        programme.expected_returns
    )
    # hive-partitioned by the period's first day, one folder per start date
    folders = sorted(p.name for p in (current / "values").iterdir())
    starts = sorted({f"period_start={d:%Y-%m-%d}" for d in frames["values"]["period_start"]})
    assert folders == starts


def test_parquet_totals_per_measure_equal_the_workspace_frames(
    current: Path, frames: dict[str, pd.DataFrame]
) -> None:
    exported = _read(current, "values")
    got = exported.groupby("measure")["value"].sum()
    want = frames["values"].astype({"measure": str, "value": float}).groupby("measure")["value"]
    pd.testing.assert_series_equal(got.sort_index(), want.sum().sort_index(), check_names=False)
    assert got["referrals_received"] == want.sum()["referrals_received"] > 0
    # cases per service and activity attendees agree too
    cases = _read(current, "cases")
    assert cases.groupby("service_id").size().to_dict() == (
        frames["cases"].astype({"service_id": str}).groupby("service_id").size().to_dict()
    )
    attendees = _read(current, "activities")["attendees"].sum()
    assert attendees == frames["activities"]["attendees"].sum() > 0


def test_returns_carry_provenance_and_codes_come_back_as_strings(
    current: Path, frames: dict[str, pd.DataFrame]
) -> None:
    returns = ds.dataset(current / "returns", format="parquet", partitioning="hive").to_table()
    for name in ("file_name", "file_sha256", "importer", "importer_version", "stored_at"):
        assert returns.column(name).null_count == 0, name
    assert pa.types.is_timestamp(returns.schema.field("stored_at").type)
    assert returns.column("current").to_pylist() == [True] * returns.num_rows
    assert FORMULA_NAME in returns.column("file_name").to_pylist()  # exact, not neutralised

    cases = ds.dataset(current / "cases", format="parquet").to_table()
    assert pa.types.is_dictionary(cases.schema.field("gender").type)
    assert pa.types.is_date32(cases.schema.field("referral_date").type)
    got = cases.select(["return_id", "case_id", "gender", "ethnicity"]).to_pandas()
    want = frames["cases"][["return_id", "case_id", "gender", "ethnicity"]]
    key = ["return_id", "case_id"]
    got = got.astype({"return_id": int}).sort_values(key, ignore_index=True)
    want = want.astype({"return_id": int}).sort_values(key, ignore_index=True)
    for column in ("case_id", "gender", "ethnicity"):
        assert got[column].astype(object).where(got[column].notna(), None).tolist() == (
            want[column].astype(object).where(want[column].notna(), None).tolist()
        ), column


def test_history_export_includes_superseded_returns_and_their_records(
    workspace: Path, tmp_path: Path, current: Path
) -> None:
    out = tmp_path / "history"
    result = _export(workspace, out, history=True)
    with Workspace.open(workspace) as ws:
        every = ws.record_frames(include_superseded=True)
        history = ws.history()
    rows = {t.name: t.rows for t in result.tables}
    returns = _read(out, "returns")
    assert len(returns) == len(history) == len(every["returns"])
    assert (~returns["current"]).sum() == (~history["current"]).sum() > 0
    for kind in ("values", "cases", "activities", "outcomes"):
        frame = _read(out, kind)
        assert rows[kind] == len(frame) == len(every[kind]), kind
        assert frame["current"].sum() == ds.dataset(current / kind).count_rows(), kind
    assert not _read(out, "cases")["current"].all()  # superseded case records are there


def test_csv_export_neutralises_formula_text(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    result = _export(workspace, out, format="csv")
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{t}.csv" for t in TABLES] + ["manifest.json"]
    )
    files = pd.read_csv(out / "files.csv", encoding="utf-8-sig", dtype=str)
    assert "'" + FORMULA_NAME in set(files["file_name"])
    for path in out.glob("*.csv"):
        text = path.read_text(encoding="utf-8-sig")
        assert ",=" not in text, path.name
        assert not text.startswith("="), path.name
    values = pd.read_csv(out / "values.csv", encoding="utf-8-sig")
    assert len(values) == {t.name: t.rows for t in result.tables}["values"]


def test_duckdb_reads_the_parquet_export(current: Path, frames: dict[str, pd.DataFrame]) -> None:
    got = _duckdb(DUCKDB_QUERY.format(out=current.as_posix())).df()
    values = frames["values"]
    dims = [
        "gender",
        "ethnicity",
        "age_band",
        "referral_source",
        "risk_level",
        "profession",
        "sexuality",
        "support_type",
        "closure_reason",
        "supervision_kind",
    ]
    totals = values[values[dims].isna().all(axis=1)]
    totals = totals[
        (totals["period_start"] >= "2015-04-01") & (totals["period_end"] <= "2016-03-31")
    ]
    want = (
        totals.astype({"service_id": str, "measure": str, "value": float})
        .groupby(["service_id", "measure"], as_index=False)["value"]
        .sum()
    )
    assert len(got) == len(want) > 10
    assert got["service_id"].tolist() == want["service_id"].tolist()
    assert got["measure"].tolist() == want["measure"].tolist()
    assert got["total"].tolist() == pytest.approx(want["value"].tolist())
    # a join on return_id gives every case record its source file
    joined = _duckdb(
        f"SELECT count(*) FROM read_parquet('{current}/cases/**/*.parquet') c "
        f"JOIN read_parquet('{current}/returns/**/*.parquet') r USING (return_id)"
    ).fetchall()
    assert joined == [(len(frames["cases"]),)]


def test_the_docs_show_the_query_the_test_runs() -> None:
    doc = (EXAMPLES.parent / "docs" / "workspace.md").read_text(encoding="utf-8")
    assert DUCKDB_QUERY.format(out="evaluation-export") in doc


def test_cli_export_json_warns_and_refuses_to_overwrite(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    run = runner.invoke(main, ["export", "-w", str(workspace), "--out", str(out), "--json"])
    assert run.exit_code == 0, run.output
    assert "row-level pseudonymous records" in run.stderr
    document = json.loads(run.stdout)
    assert [t["name"] for t in document["tables"]] == list(TABLES)
    assert document["files"] == sum(len(t["files"]) for t in document["tables"])
    for table in document["tables"]:
        for name in table["files"]:
            assert (out / name).is_file(), name
    before = sorted(p.relative_to(out) for p in out.rglob("*"))

    again = runner.invoke(main, ["export", "-w", str(workspace), "--out", str(out)])
    assert again.exit_code == 2
    assert "not empty" in again.stderr
    assert "--replace" in again.stderr
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before

    replaced = runner.invoke(
        main, ["export", "-w", str(workspace), "-o", str(out), "--replace", "--history"]
    )
    assert replaced.exit_code == 0, replaced.output
    assert "every version of every return" in replaced.stdout
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["history"] is True

    other = tmp_path / "not-an-export"
    other.mkdir()
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    refused = runner.invoke(main, ["export", "-w", str(workspace), "-o", str(other), "--replace"])
    assert refused.exit_code == 2
    assert (other / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-an-export", "out"]


def test_a_failed_export_leaves_nothing_and_keeps_an_earlier_one(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    real = export_module._write_parquet
    calls = 0

    def failing(name: str, frame: pd.DataFrame, folder: Path) -> export_module.ExportedTable:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError("disk full")
        return real(name, frame, folder)

    monkeypatch.setattr(export_module, "_write_parquet", failing)
    with pytest.raises(OSError, match="disk full"):
        _export(workspace, out)
    assert list(tmp_path.iterdir()) == []

    monkeypatch.setattr(export_module, "_write_parquet", real)
    _export(workspace, out)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    monkeypatch.setattr(export_module, "_write_parquet", failing)
    calls = 0
    with pytest.raises(OSError, match="disk full"):
        _export(workspace, out, replace=True, history=True)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    with pytest.raises(ExportTargetError, match="not empty"):
        _export(workspace, out)


def test_an_empty_workspace_exports_every_table_with_its_columns(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "empty.hubspoke") as ws:
        result = export_workspace(ws, tmp_path / "out")
    assert {t.name: t.rows for t in result.tables} == dict.fromkeys(TABLES, 0)
    cases = ds.dataset(tmp_path / "out" / "cases", format="parquet", partitioning="hive")
    assert {"case_id", "gender", "period_start", "current", "reviews"} <= set(cases.schema.names)
    count = _duckdb(
        f"SELECT count(*) FROM read_parquet('{tmp_path}/out/values/**/*.parquet')"
    ).fetchall()
    assert count == [(0,)]


def test_exported_reported_totals_equal_what_score_prints(workspace: Path, current: Path) -> None:
    # referrals received: a service's reported total is the figure score uses (its documented
    # precedence), so summing the exported total rows per spoke gives score's spoke figures
    result = CliRunner().invoke(
        main, ["score", "-w", str(workspace), "--period", "2015-16", "--level", "spoke", "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    scored = {
        o["unit_id"]: o["value"]
        for o in document["outcomes"]
        if o["level"] == "spoke" and o["measure"] == "referrals_received"
    }
    programme = loads_programme((EXAMPLES / "programme.json").read_text(encoding="utf-8"))
    h04 = sorted(s.id for s in programme.spokes if s.hub_id == "H04")
    exported = _duckdb(DUCKDB_QUERY.format(out=current)).df()
    totals = exported[exported["measure"] == "referrals_received"].set_index("service_id")
    compared = 0
    for spoke in h04:
        if spoke in totals.index and scored.get(spoke) is not None:
            assert float(totals.loc[spoke, "total"]) == scored[spoke], spoke
            compared += 1
    assert compared >= 2
