"""Acceptance: ``hubspoke validate`` on hostile input with the real, installed importers.

Exit 0 when there is no error, 1 when the data has errors, 2 on usage
errors; never a traceback; ``--json`` is exactly one JSON document on stdout
that reconciles for every file.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from hubspoke.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "returns"
CLEAN = EXAMPLES / "values-S12-2015-16-Q2.csv"
FLAWED = EXAMPLES / "flawed-values-unknown-codes.csv"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["validate", *args])
    # SystemExit is how click reports the exit status; anything else is a crash.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _binary(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 8)


def _nul_text(path: Path) -> None:
    path.write_bytes(b"service,period,measure,value\x00\nS12,\x00,\xff\xfe,1\n")


def _not_a_workbook(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a workbook")


def _broken_json(path: Path) -> None:
    path.write_text('{"hubspoke": "returns", "version": 1, "returns": [', encoding="utf-8")


def _only_header(path: Path) -> None:
    path.write_text("service,period,measure,value\n", encoding="utf-8")


HOSTILE: dict[str, tuple[str, Callable[[Path], None]]] = {
    "empty csv": ("empty.csv", _empty),
    "binary with a .csv name": ("binary.csv", _binary),
    "NUL bytes and bad UTF-8": ("nul.csv", _nul_text),
    "zip that is not a workbook": ("book.xlsx", _not_a_workbook),
    "truncated json": ("returns.json", _broken_json),
    "header only": ("header.csv", _only_header),
}


def _check_document(out: str) -> dict[str, Any]:
    doc = json.loads(out)  # the whole of stdout is one JSON document
    assert isinstance(doc, dict)
    assert set(doc) >= {"ok", "files"}
    for report in doc["files"]:
        assert report["rows_read"] == report["rows_imported"] + report["rows_rejected"]
        for d in report["diagnostics"]:
            assert d["location"].get("file") or d["location"].get("path"), d
    return doc


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_file_exits_1_with_one_json_document(tmp_path: Path, case: str) -> None:
    name, make = HOSTILE[case]
    path = tmp_path / name
    make(path)
    code, out, _ = invoke(str(path), "--json")
    doc = _check_document(out)
    [report] = doc["files"]
    if case == "header only":
        # A well-formed return with no rows has nothing wrong in it.
        assert code == (0 if report["ok"] else 1)
        assert report["rows_read"] == 0
    else:
        assert code == 1
        assert doc["ok"] is False
        assert report["diagnostics"], report


@pytest.mark.parametrize("case", sorted(HOSTILE))
@pytest.mark.parametrize("fmt", ["hubspoke-values", "hubspoke-cases", "hubspoke-quarterly-xlsx"])
def test_hostile_file_forced_through_an_importer_never_crashes(
    tmp_path: Path, case: str, fmt: str
) -> None:
    name, make = HOSTILE[case]
    path = tmp_path / name
    make(path)
    code, out, _ = invoke(str(path), "--format", fmt, "--json")
    assert code in (0, 1)
    _check_document(out)
    code, out, _ = invoke(str(path), "--format", fmt)  # the human report too
    assert code in (0, 1)
    assert path.name in out


def test_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    code, out, err = invoke(str(tmp_path))
    assert code == 2
    assert out == ""
    assert "directory" in err


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert invoke()[0] == 2  # no file at all
    assert invoke(str(tmp_path / "absent.csv"))[0] == 2
    assert invoke(str(CLEAN), "--no-such-option")[0] == 2
    code, out, err = invoke(str(CLEAN), "--format", "no-such-format")
    assert (code, out) == (2, "")
    assert "hubspoke-values" in err  # names the formats that do exist


def test_clean_sample_exits_0_and_flawed_exits_1() -> None:
    assert invoke(str(CLEAN))[0] == 0
    code, out, _ = invoke(str(FLAWED))
    assert code == 1
    assert "row " in out
    assert "column " in out


def test_many_files_still_give_one_json_document(tmp_path: Path) -> None:
    junk = tmp_path / "junk.csv"
    _binary(junk)
    code, out, _ = invoke(str(CLEAN), str(FLAWED), str(junk), "--json")
    assert code == 1
    doc = _check_document(out)
    assert [Path(f["path"]).name for f in doc["files"]] == [CLEAN.name, FLAWED.name, "junk.csv"]
    assert [f["ok"] for f in doc["files"]] == [True, False, False]
    assert doc["files"][0]["importer"] == "hubspoke-values"
    assert doc["files"][0]["selection_reason"]


@settings(max_examples=15, deadline=None)
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".json", ".txt"]))
def test_arbitrary_bytes_through_the_command(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("bytes") / f"return{suffix}"
    path.write_bytes(data)
    code, out, _ = invoke(str(path), "--json")
    assert code in (0, 1)
    doc = _check_document(out)
    assert code == (0 if doc["ok"] else 1)


def test_an_empty_file_says_it_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    _empty(path)
    code, out, _ = invoke(str(path), "--json")
    [report] = _check_document(out)["files"]
    assert code == 1
    assert [d["code"] for d in report["diagnostics"]] == ["file-empty"]
    assert "empty" in report["diagnostics"][0]["message"]
