"""Issue 9: the current figures do not depend on the order files are imported in.

A realistic set of submissions (originals, one-figure corrections, a partial
cases correction, a marked resubmission, an older resubmission arriving
late) in every built-in format: values CSV, cases CSV, annual CSV, JSON
returns and the quarterly workbook. Every permutation gives the same key
outcomes, the same current records and the same history (as a set of
versions). Each file is validated once; the property stores the reports in
a fresh workspace per permutation, so an example costs only the writes.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from hubspoke.cli import main
from hubspoke.plugins.contract import LoadOptions
from hubspoke.serialization import loads_programme
from hubspoke.validation import FileReport, validate_file
from hubspoke.workspace import SourceFile, Workspace

EXAMPLES = Path(__file__).parents[1] / "examples"
PROGRAMME = EXAMPLES / "programme.json"
PERIODS = ("2014-15", "2015-16")


def _with_submitted(source: Path, out: Path, day: str, keep: slice | None = None) -> Path:
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    if keep is not None:
        frame = frame.iloc[keep]
    frame["submitted_on"] = day
    frame.to_csv(out, index=False)
    return out


def build_files(folder: Path) -> list[Path]:
    """Originals and corrections for five services, every format, every one dated."""
    r = EXAMPLES / "returns"
    files = [
        # values CSV: the original, a one-row correction, an older one arriving late
        _with_submitted(r / "values-S12-2015-16-Q2.csv", folder / "v-orig.csv", "12/10/2015"),
    ]
    (folder / "v-fix.csv").write_text(
        "service,period,measure,value,submitted_on\n"
        "S12,2015-16 Q2,young_people_group_reached,1141,26/10/2015\n",
        encoding="utf-8",
    )
    (folder / "v-old.csv").write_text(
        "service,period,measure,value,submitted_on\n"
        "S12,2015-16 Q2,young_people_group_reached,1100,2015-10-05\n"
        "S12,2015-16 Q2,referrals_accepted,3,2015-10-05\n",
        encoding="utf-8",
    )
    files += [folder / "v-fix.csv", folder / "v-old.csv"]
    # cases CSV for the same return as the values (merged), and a partial cases correction
    (folder / "c-S12.csv").write_text(
        "service,period,case_id,referral_date,risk_at_referral,risk_latest,gender,submitted_on\n"
        "S12,2015-16 Q2,S12-C1,03/07/2015,high,medium,F,14/10/2015\n"
        "S12,2015-16 Q2,S12-C2,10/07/2015,medium,low,M,14/10/2015\n",
        encoding="utf-8",
    )
    files.append(folder / "c-S12.csv")
    cases = r / "cases-S14-2015-16.csv"
    files.append(_with_submitted(cases, folder / "c-S14.csv", "20/04/2016"))
    files.append(_with_submitted(cases, folder / "c-S14-fix.csv", "02/05/2016", slice(0, 3)))
    # annual CSV and its correction
    annual = (r / "annual-S02-2014-15.csv").read_text(encoding="utf-8")
    (folder / "a-orig.csv").write_text(annual, encoding="utf-8")
    fixed = annual.replace("28/04/2015", "15/05/2015").replace(
        "No. of referrals,64", "No. of referrals,65"
    )
    assert fixed != annual
    (folder / "a-fix.csv").write_text(fixed, encoding="utf-8")
    files += [folder / "a-orig.csv", folder / "a-fix.csv"]
    # JSON returns, and a marked resubmission of Q1 replacing everything
    document = json.loads((r / "returns-S12-2015-16.json").read_text(encoding="utf-8"))
    shutil.copyfile(r / "returns-S12-2015-16.json", folder / "j-orig.json")
    q1 = dict(document["returns"][0])
    q1 |= {"submitted_on": "2015-08-01", "replaces_earlier": True, "cases": []}
    q1["values"] = [{"measure": "referrals_received", "breakdown": {}, "value": 21}]
    (folder / "j-fix.json").write_text(
        json.dumps({"hubspoke": "returns", "version": 1, "returns": [q1]}), encoding="utf-8"
    )
    files += [folder / "j-orig.json", folder / "j-fix.json"]
    # the quarterly workbook and a later one correcting referrals accepted
    book = r / "quarterly-S21-2015-16-Q3.xlsx"
    shutil.copyfile(book, folder / "q-orig.xlsx")
    wb = load_workbook(book)
    wb["About"]["B6"] = datetime(2016, 1, 28)
    sheet = wb["Referrals"]
    row = next(c.row for c in sheet["A"] if c.value == "referrals_accepted")
    sheet.cell(row=row, column=7, value=10)
    wb.save(folder / "q-fix.xlsx")
    files += [folder / "q-orig.xlsx", folder / "q-fix.xlsx"]
    return files


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[SourceFile, FileReport]]:
    folder = tmp_path_factory.mktemp("submissions")
    programme = loads_programme(PROGRAMME.read_text(encoding="utf-8"))
    out = []
    for path in build_files(folder):
        report = validate_file(path, options=LoadOptions(programme=programme))
        assert report.returns, [str(d) for d in report.diagnostics]
        out.append((SourceFile.read(path), report))
    return out


def _frame(frame: pd.DataFrame) -> pd.DataFrame:
    kept = frame.drop(columns=[c for c in ("return_id",) if c in frame.columns])
    text = kept.astype(str)
    return text.sort_values(list(text.columns), kind="stable").reset_index(drop=True)


def state(path: Path, figures: bool = True) -> dict[str, Any]:
    """Figures, current records and the history as a set, free of ids and times.

    ``records`` holds everything the figures are derived from (the current
    returns and their records: ``Workspace.frames()``, one derivation), so
    equal records give equal figures; ``figures=False`` skips deriving them.
    """
    with Workspace.open(path, read_only=True) as ws:
        outcomes = {p: _frame(ws.key_outcomes(p)) for p in PERIODS} if figures else {}
        frames = ws.frames()
        records = {
            k: _frame(getattr(frames, k).drop(columns=["stored_at"], errors="ignore"))
            for k in ("returns", "values", "cases", "activities", "outcomes")
        }
        history = ws.history()
        names = dict(zip(history["return_id"], history["file_sha256"], strict=True))
        versions = {
            (
                str(row["service_id"]),
                str(row["period_label"]),
                str(row["submitted_on"]),
                str(row["file_sha256"]),
                bool(row["current"]),
                None if pd.isna(row["superseded_by"]) else names[int(row["superseded_by"])],
                int(row["values"]),
                int(row["cases"]),
                int(row["activities"]),
                int(row["outcomes"]),
            )
            for row in history.to_dict("records")
        }
    return {"outcomes": outcomes, "records": records, "history": versions}


def _assert_same(left: dict[str, Any], right: dict[str, Any]) -> None:
    assert left["history"] == right["history"]
    for group in ("outcomes", "records"):
        for key, frame in left[group].items():
            if key not in right[group]:
                continue
            pd.testing.assert_frame_equal(frame, right[group][key], obj=f"{group}[{key}]")


def _store_all(path: Path, items: Sequence[tuple[SourceFile, FileReport]]) -> list[tuple[str, str]]:
    programme = loads_programme(PROGRAMME.read_text(encoding="utf-8"))
    statuses: list[tuple[str, str]] = []
    with Workspace.open(path) as ws:
        ws.set_programme(programme)
        for source, report in items:
            outcome = ws.store_report(source, report)
            statuses.append((source.path.name, outcome.status))
    return statuses


@pytest.fixture(scope="module")
def reference(
    validated: list[tuple[SourceFile, FileReport]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("reference") / "w.hubspoke"
    _store_all(path, validated)
    return state(path)


@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_any_import_order_gives_the_same_figures_records_and_history(
    data: st.DataObject,
    validated: list[tuple[SourceFile, FileReport]],
    reference: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    order = data.draw(st.permutations(validated))
    path = tmp_path_factory.mktemp("perm") / "w.hubspoke"
    _store_all(path, order)
    # deriving the figures takes seconds: every fifth example derives them, every
    # example compares what they are derived from
    _CHECKED.append(path)
    _assert_same(state(path, figures=len(_CHECKED) % 5 == 1), reference)


_CHECKED: list[Path] = []


def test_the_corrections_win_and_the_originals_other_figures_stay(
    validated: list[tuple[SourceFile, FileReport]], tmp_path: Path
) -> None:
    # the worst order: every correction before its original
    _store_all(tmp_path / "w.hubspoke", list(reversed(validated)))
    with Workspace.open(tmp_path / "w.hubspoke", read_only=True) as ws:
        values = ws.values_frame()
        cases = ws.cases_frame()

    def total(service: str, period: str, measure: str) -> float:
        rows = values[
            (values["service_id"] == service)
            & (values["period_label"] == period)
            & (values["measure"] == measure)
            & values[["gender", "risk_level", "referral_source", "profession"]].isna().all(axis=1)
        ]
        assert len(rows) == 1, rows
        return float(rows["value"].iloc[0])

    # checked by hand against the files: the one-row correction (26/10) beats the
    # original (12/10) and the late older one (05/10); the original's other figures stay
    assert total("S12", "2015-16 Q2", "young_people_group_reached") == 1141
    assert total("S12", "2015-16 Q2", "professionals_trained") == 86
    assert total("S12", "2015-16 Q2", "referrals_accepted") != 3
    # the JSON Q2 (19/10) carries referrals received: it beats the original's 19
    assert total("S12", "2015-16 Q1", "referrals_received") == 21  # marked resubmission
    assert total("S02", "2014-15", "referrals_received") == 65
    assert total("S21", "2015-16 Q3", "referrals_accepted") == 10
    assert sorted(cases.loc[cases["service_id"] == "S14", "case_id"]) == [
        "S14-C0001",
        "S14-C0002",
        "S14-C0003",
    ]
    assert sorted(cases.loc[cases["service_id"] == "S12", "case_id"]) == ["S12-C1", "S12-C2"]


def test_a_one_row_correction_changes_one_figure_and_says_which(tmp_path: Path) -> None:
    files = build_files(tmp_path)
    ws = tmp_path / "w.hubspoke"
    runner = CliRunner()
    first = runner.invoke(main, ["import", str(PROGRAMME), str(files[0]), "-w", str(ws)])
    assert first.exit_code == 0, first.output
    with Workspace.open(ws, read_only=True) as opened:
        before = opened.values_frame()
    result = runner.invoke(main, ["import", str(files[1]), "-w", str(ws), "--json"])
    assert result.exit_code == 0, result.output
    (doc,) = json.loads(result.output)["files"]
    assert doc["status"] == "merged"
    (stored,) = doc["returns"]
    assert stored["replaced"] == ["young_people_group_reached: 1140 -> 1141"]
    assert len(stored["kept"]) == len(before) - 1
    assert "replaced 1 item (young_people_group_reached: 1140 -> 1141)" in stored["message"]
    text = runner.invoke(main, ["import", str(files[1]), "-w", str(tmp_path / "t.hubspoke")])
    assert text.exit_code == 0
    with Workspace.open(ws, read_only=True) as opened:
        after = opened.values_frame()
    key = ["measure", "gender", "risk_level", "referral_source", "profession"]
    merged = before.merge(after, on=[*key, "service_id", "period_label"], suffixes=("_0", "_1"))
    changed = merged[merged["value_0"] != merged["value_1"]]
    assert len(merged) == len(before) == len(after)
    assert changed["measure"].tolist() == ["young_people_group_reached"]
    # the text output says the same as the JSON
    again = tmp_path / "again.hubspoke"
    runner.invoke(main, ["import", str(PROGRAMME), str(files[0]), "-w", str(again)])
    said = runner.invoke(main, ["import", str(files[1]), "-w", str(again)])
    assert (
        "merged: S12 2015-16 Q2: replaced 1 item (young_people_group_reached: 1140 -> 1141)"
        in said.output
    )


def test_an_older_resubmission_arriving_late_is_said_to_be_history(tmp_path: Path) -> None:
    files = build_files(tmp_path)
    ws = tmp_path / "w.hubspoke"
    runner = CliRunner()
    runner.invoke(main, ["import", str(PROGRAMME), str(files[0]), str(files[1]), "-w", str(ws)])
    (tmp_path / "older.csv").write_text(
        "service,period,measure,value,submitted_on\n"
        "S12,2015-16 Q2,young_people_group_reached,1000,01/10/2015\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["import", str(tmp_path / "older.csv"), "-w", str(ws)])
    assert result.exit_code == 0
    assert result.output.startswith("history")
    assert "stored as history" in result.output


def test_the_order_of_import_arguments_does_not_change_score(tmp_path: Path) -> None:
    files = build_files(tmp_path)
    runner = CliRunner()
    printed = []
    for name, listed in (("sorted", sorted(files)), ("reversed", sorted(files, reverse=True))):
        ws = str(tmp_path / f"{name}.hubspoke")
        done = runner.invoke(main, ["import", str(PROGRAMME), *map(str, listed), "-w", ws])
        assert done.exit_code == 0, done.output
        assert "order-decided" not in done.output
        assert "import order decided" not in done.output
        scored = runner.invoke(main, ["score", "-w", ws, "--period", "2015-16", "--json"])
        assert scored.exit_code == 0, scored.output
        printed.append(json.loads(scored.output))
    assert printed[0] == printed[1]


def test_undated_files_warn_that_import_order_decided(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = str(tmp_path / "w.hubspoke")
    original = EXAMPLES / "returns" / "values-S12-2015-16-Q2.csv"
    (tmp_path / "fix.csv").write_text(
        "service,period,measure,value\nS12,2015-16 Q2,young_people_group_reached,1141\n",
        encoding="utf-8",
    )
    runner.invoke(main, ["import", str(PROGRAMME), str(original), "-w", ws])
    warned = runner.invoke(main, ["import", str(tmp_path / "fix.csv"), "-w", ws])
    assert "import order decided which figures are current" in warned.output
    # --submitted dates the files that carry no date, and the dates then decide
    dated = str(tmp_path / "dated.hubspoke")
    runner.invoke(main, ["import", str(PROGRAMME), "-w", dated])
    fix = runner.invoke(
        main, ["import", str(tmp_path / "fix.csv"), "-w", dated, "--submitted", "26/10/2015"]
    )
    late = runner.invoke(
        main, ["import", str(original), "-w", dated, "--submitted", "2015-10-12", "--json"]
    )
    assert "import order decided" not in fix.output + late.output
    (doc,) = json.loads(late.output)["files"]
    assert doc["returns"][0]["history"] == ["young_people_group_reached"]
    with Workspace.open(dated, read_only=True) as opened:
        values = opened.values_frame()
        history = opened.history()
    reach = values[(values["measure"] == "young_people_group_reached")]
    assert reach["value"].tolist() == [1141]
    assert sorted(pd.Timestamp(d).date().isoformat() for d in history["submitted_on"]) == [
        "2015-10-12",
        "2015-10-26",
        "2015-10-26",  # the merged current return takes the latest submission's date
    ]
    assert pd.Timestamp(date(2015, 10, 26)) in set(history["submitted_on"])


def test_replace_all_replaces_every_figure(tmp_path: Path) -> None:
    runner = CliRunner()
    ws = str(tmp_path / "w.hubspoke")
    original = EXAMPLES / "returns" / "values-S12-2015-16-Q2.csv"
    (tmp_path / "fix.csv").write_text(
        "service,period,measure,value\nS12,2015-16 Q2,young_people_group_reached,1141\n",
        encoding="utf-8",
    )
    runner.invoke(main, ["import", str(PROGRAMME), str(original), "-w", ws])
    done = runner.invoke(
        main, ["import", str(tmp_path / "fix.csv"), "-w", ws, "--replace-all", "--json"]
    )
    (doc,) = json.loads(done.output)["files"]
    assert doc["status"] == "superseded"
    assert "professionals_trained" in doc["returns"][0]["dropped"]
    with Workspace.open(ws, read_only=True) as opened:
        assert len(opened.values_frame()) == 1


def test_validate_submitted_dates_returns_that_carry_none(tmp_path: Path) -> None:
    original = EXAMPLES / "returns" / "values-S12-2015-16-Q2.csv"
    runner = CliRunner()
    shown = runner.invoke(main, ["validate", str(original), "--json", "--submitted", "19/10/2015"])
    (report,) = json.loads(shown.output)["files"]
    assert [r["submitted_on"] for r in report["returns"]] == ["2015-10-19"]
    bad = runner.invoke(main, ["validate", str(original), "--submitted", "10/19/2015"])
    assert bad.exit_code == 2
    assert "is not a date" in bad.output
