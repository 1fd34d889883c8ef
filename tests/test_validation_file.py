"""validate_file never raises for bad input, always reconciles, and explains its choice."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubspoke.diagnostics import Severity
from hubspoke.errors import FileImportError
from hubspoke.plugins import LoadOptions, LoadResult
from hubspoke.plugins.registry import Registry, get_registry
from hubspoke.validation import FileReport, validate_file
from plugin_fakes import NORTHMOOR_DATA, FakeImporter, FakePlugin, rules_registry

NORTHMOOR_SAMPLE = NORTHMOOR_DATA / "northmoor-2015-16-q1.csv"


def single(importer: FakeImporter) -> Registry:
    return Registry.from_plugins([("fake-dist", FakePlugin("fake", importer))])


def only_error(report: FileReport) -> str:
    [d] = report.diagnostics
    assert d.severity is Severity.ERROR
    assert d.location.file == report.path.name
    return d.code


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "return.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    return path


def test_a_clean_file_reports_its_importer_and_counts() -> None:
    report = validate_file(NORTHMOOR_SAMPLE, registry=rules_registry())
    assert report.ok
    assert report.importer == "northmoor-casebook"
    assert "recognised the file (score 0.95)" in report.selection_reason
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (9, 9, 0)
    data = report.to_json()
    json.dumps(data)  # JSON-ready
    assert data["importer"] == "northmoor-casebook"
    assert {c["importer"] for c in data["considered"]} == {"northmoor-casebook", "test-values"}
    assert [r["cases"] for r in data["returns"]] == [5, 4]


def test_missing_file(tmp_path: Path) -> None:
    report = validate_file(tmp_path / "nowhere.csv", registry=rules_registry())
    assert only_error(report) == "file-unreadable"
    assert report.importer is None


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    assert only_error(validate_file(tmp_path, registry=rules_registry())) == "file-unreadable"


def test_undetected_format_lists_reasons(csv_file: Path) -> None:
    report = validate_file(csv_file, registry=rules_registry())
    assert only_error(report) == "format-not-detected"
    assert "northmoor-casebook: does not recognise the content" in report.diagnostics[0].message
    assert len(report.considered) == 2


def test_ambiguous_format(csv_file: Path) -> None:
    reg = Registry.from_plugins(
        [("d", FakePlugin("p", FakeImporter("one", 0.5), FakeImporter("two", 0.5)))]
    )
    report = validate_file(csv_file, registry=reg)
    assert only_error(report) == "format-not-detected"
    assert "one, two" in report.diagnostics[0].message


def test_unknown_explicit_format_is_a_diagnostic(csv_file: Path) -> None:
    report = validate_file(csv_file, format="nope", registry=rules_registry())
    assert only_error(report) == "format-not-detected"
    assert "known: northmoor-casebook, test-values" in report.diagnostics[0].message


def raise_import(source: Path, options: LoadOptions) -> object:
    raise FileImportError(f"{source.name}: the workbook is password-protected")


def crash(source: Path, options: LoadOptions) -> object:
    raise ZeroDivisionError("division by zero")


def junk(source: Path, options: LoadOptions) -> object:
    return {"rows": 3}


def broken_reconciliation(source: Path, options: LoadOptions) -> object:
    return LoadResult(returns=(), diagnostics=(), rows_read=3, rows_imported=1, rows_rejected=1)


@pytest.mark.parametrize(
    ("load", "code", "text"),
    [
        (raise_import, "import-failed", "password-protected"),
        (crash, "importer-contract", "failed unexpectedly (ZeroDivisionError"),
        (junk, "importer-contract", "returned a dict, not a LoadResult"),
        (broken_reconciliation, "importer-contract", "reconciliation broken: 3 rows read"),
    ],
)
def test_importer_failures_become_diagnostics_without_fallback(
    csv_file: Path, load: object, code: str, text: str
) -> None:
    reg = Registry.from_plugins(
        [
            ("d", FakePlugin("p", FakeImporter("chosen", 0.9, load=load))),  # type: ignore[arg-type]
            ("e", FakePlugin("q", FakeImporter("runner-up", 0.5))),
        ]
    )
    report = validate_file(csv_file, registry=reg)
    assert report.importer == "chosen"  # never falls back to the runner-up
    assert only_error(report) == code
    assert text in report.diagnostics[0].message


def check_invariants(report: FileReport) -> None:
    assert report.rows_read == report.rows_imported + report.rows_rejected
    errors = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    assert len(errors) >= report.rows_rejected
    assert all(d.location.file == report.path.name for d in report.diagnostics)
    json.dumps(report.to_json())


ALL_REGISTRIES = (rules_registry(), get_registry())


@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".xlsx", ".json", ".txt"]))
def test_arbitrary_bytes_never_crash_and_reconcile(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("bytes") / f"return{suffix}"
    path.write_bytes(data)
    for reg in ALL_REGISTRIES:
        check_invariants(validate_file(path, registry=reg))


@given(
    banner=st.sampled_from(["NYPP CaseBook export;Period: 2015-16 Q1", "NYPP CaseBook export"]),
    head=st.binary(max_size=200),
)
def test_arbitrary_bytes_after_a_real_header_never_crash(
    tmp_path_factory: pytest.TempPathFactory, banner: str, head: bytes
) -> None:
    path = tmp_path_factory.mktemp("header") / "cases.csv"
    header = "Client Ref;Team;Ref Date;Risk Start;Risk Now\n"
    path.write_bytes(f"{banner}\n{header}".encode() + head)
    check_invariants(validate_file(path, registry=ALL_REGISTRIES[0]))


CELL_JUNK = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "-1", "2.5", "31/02/2015", "Q", "R", "x@y.org", "LS6 1AB", "NM-0001"]),
)
VALUES_FILE = (
    "service,period,measure,value,gender\n"
    "sp-1,2015-16 Q1,referrals_received,10,\n"
    "sp-1,2015-16 Q1,referrals_received,6,female\n"
    "sp-1,2015-16 Q1,young_people_one_to_one,4,male\n"
)


@settings(max_examples=30)  # each example reads a file through pandas (~0.2 s)
@given(
    which=st.sampled_from(["cases", "values"]),
    seed=st.integers(0, 10_000),
    junk=st.lists(CELL_JUNK, min_size=1, max_size=6),
)
def test_valid_files_with_corrupted_cells_never_crash_and_reconcile(
    tmp_path_factory: pytest.TempPathFactory, which: str, seed: int, junk: list[str]
) -> None:
    rng = random.Random(seed)
    if which == "cases":
        lines = NORTHMOOR_SAMPLE.read_text(encoding="utf-8").splitlines()
        sep, first = ";", 2
    else:
        lines, sep, first = VALUES_FILE.splitlines(), ",", 1
    rows = [line.split(sep) for line in lines]
    for value in junk:
        row = rng.randrange(first, len(rows))
        rows[row][rng.randrange(len(rows[row]))] = " ".join(value.replace(sep, " ").splitlines())
    path = tmp_path_factory.mktemp("corrupt") / f"{which}.csv"
    path.write_text("\n".join(sep.join(r) for r in rows) + "\n", encoding="utf-8")
    report = validate_file(path, registry=ALL_REGISTRIES[0], format=None)
    check_invariants(report)
    if report.importer is not None and not any(
        d.code == "import-failed" for d in report.diagnostics
    ):
        assert report.rows_read == len(rows) - first - sum(
            1 for r in rows[first:] if not "".join(r).strip()
        )
