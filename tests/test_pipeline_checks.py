"""Checks the pipeline makes on every importer's result (issue 11, item 1).

Services and periods against the programme, and rows imported against the
records actually returned, whatever importer (built-in or plugin) read the
file; ``hubspoke validate --programme/--period/--service``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from hubspoke.cli import main
from hubspoke.diagnostics import Severity
from hubspoke.model import CaseRecord, MonitoringReturn, Programme, Provenance
from hubspoke.periods import parse_period
from hubspoke.plugins import LoadOptions, LoadResult
from hubspoke.plugins import registry as registry_module
from hubspoke.plugins.registry import Registry
from hubspoke.serialization import loads_programme
from hubspoke.validation import pipeline_checks, programme_span, service_span, validate_file
from plugin_fakes import NORTHMOOR_DATA, FakeImporter, plugin_of, rules_registry

ROOT = Path(__file__).parents[1]
PROGRAMME_FILE = ROOT / "examples" / "programme.json"
NORTHMOOR = NORTHMOOR_DATA / "northmoor-2015-16-q1.csv"


@pytest.fixture(scope="module")
def programme() -> Programme:
    return loads_programme(PROGRAMME_FILE.read_text(encoding="utf-8"))


def _return(service: str, period: str, cases: int) -> MonitoringReturn:
    return MonitoringReturn(
        service_id=service,
        period=parse_period(period),
        provenance=Provenance(
            source_file="x.csv", sha256="0" * 64, importer="fake", importer_version="1"
        ),
        cases=[CaseRecord(case_id=f"C{i}") for i in range(cases)],
    )


def _result(*returns: MonitoringReturn, imported: int | None = None) -> LoadResult:
    records = sum(len(r.cases) for r in returns)
    n = records if imported is None else imported
    return LoadResult(
        returns=returns, diagnostics=(), rows_read=n, rows_imported=n, rows_rejected=0
    )


def test_northmoor_with_the_example_programme_rejects_unknown_services_at_their_rows(
    programme: Programme,
) -> None:
    report = validate_file(
        NORTHMOOR, options=LoadOptions(programme=programme), registry=rules_registry()
    )
    assert report.importer == "northmoor-casebook"
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (9, 0, 9)
    assert report.returns == ()
    unknown = [d for d in report.diagnostics if d.code == "unknown-service"]
    assert len(unknown) == 9
    first = unknown[0]
    assert first.severity is Severity.ERROR
    assert (first.location.row, first.location.column, first.location.column_letter) == (
        3,
        "Team",
        "B",
    )
    assert "'northmoor-leeds' is not a spoke or hub" in first.message
    assert first.value == "northmoor-leeds"


def test_without_a_programme_northmoor_is_still_imported() -> None:
    report = validate_file(NORTHMOOR, registry=rules_registry())
    assert (report.rows_imported, len(report.returns)) == (9, 2)


def test_unknown_service_suggests_the_closest_id(programme: Programme) -> None:
    result = _result(_return("S7", "2015-16 Q1", 2), _return("S07", "2015-16 Q1", 1))
    checked = pipeline_checks(
        result, file="x.csv", importer="fake", options=LoadOptions(programme=programme)
    )
    assert [r.service_id for r in checked.returns] == ["S07"]
    assert checked.kept == (1,)
    assert (checked.rows_imported, checked.rows_rejected) == (1, 2)
    assert {d.suggestion for d in checked.diagnostics} == {"did you mean 'S07'?"}
    assert [d.location.path for d in checked.diagnostics] == [
        "$.returns[0].cases[0]",
        "$.returns[0].cases[1]",
    ]


def test_period_outside_the_programme_is_rejected(programme: Programme) -> None:
    span = programme_span(programme)
    assert span is not None
    assert span.end == date(2019, 12, 31)
    checked = pipeline_checks(
        _result(_return("S07", "2030-31 Q1", 3)),
        file="x.csv",
        importer="fake",
        options=LoadOptions(programme=programme),
    )
    assert checked.returns == ()
    assert (checked.rows_imported, checked.rows_rejected) == (0, 3)
    assert {d.code for d in checked.diagnostics} == {"period-outside-programme"}


def test_period_outside_the_service_dates_is_a_warning(programme: Programme) -> None:
    active = service_span(programme, "S30")  # planned 2015-04-01, actual end 2019-06-30
    assert active is not None
    assert active.start == date(2015, 4, 1)
    checked = pipeline_checks(
        _result(_return("S30", "2014-15 Q1", 1)),
        file="x.csv",
        importer="fake",
        options=LoadOptions(programme=programme),
    )
    assert len(checked.returns) == 1
    (d,) = checked.diagnostics
    assert (d.code, d.severity) == ("period-outside-service", Severity.WARNING)
    assert d.value == "2014-15 Q1"


def test_rows_imported_must_match_the_records_returned() -> None:
    # claims 5 rows imported, returns 3 records: two rows were lost on the way
    checked = pipeline_checks(
        _result(_return("S07", "2015-16 Q1", 3), imported=5), file="x.csv", importer="fake"
    )
    assert checked.returns == ()
    assert (checked.rows_imported, checked.rows_rejected) == (0, 5)
    (d,) = checked.diagnostics
    assert d.code == "importer-contract"
    assert "5 rows were imported but returned 3 records" in d.message


def test_formats_whose_rows_are_returns_reconcile() -> None:
    # the native JSON format counts one row per return, each holding several records
    result = _result(_return("S07", "2015-16 Q1", 3), _return("S07", "2015-16 Q2", 4), imported=2)
    checked = pipeline_checks(result, file="x.json", importer="fake")
    assert len(checked.returns) == 2
    assert not checked.diagnostics


def test_a_lying_importer_is_caught_through_validate_file(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("anything\n", encoding="utf-8")
    liar = FakeImporter(
        "liar",
        0.9,
        load=lambda _p, _o: _result(_return("S07", "2015-16 Q1", 2), imported=4),
    )
    registry = Registry.from_plugins([("liar", plugin_of("liar", liar))])
    report = validate_file(path, registry=registry)
    assert report.returns == ()
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (4, 0, 4)
    assert [d.code for d in report.diagnostics] == ["importer-contract"]


@pytest.fixture
def fake_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry_module, "_registry", rules_registry())


@pytest.mark.usefixtures("fake_registry")
def test_validate_programme_option_rejects_unknown_services() -> None:
    result = CliRunner().invoke(
        main, ["validate", str(NORTHMOOR), "--programme", str(PROGRAMME_FILE), "--json"]
    )
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    (file,) = document["files"]
    assert file["rows_rejected"] == 9
    assert {d["code"] for d in file["diagnostics"]} == {"unknown-service"}


@pytest.mark.usefixtures("fake_registry")
def test_validate_service_option_names_the_service_of_every_row(tmp_path: Path) -> None:
    # an export without the Team column: --service says whose it is
    lines = NORTHMOOR.read_text(encoding="utf-8").splitlines()
    rows = [";".join(c for i, c in enumerate(line.split(";")) if i != 1) for line in lines[1:]]
    path = tmp_path / "no-team.csv"
    path.write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["validate", str(path), "--service", "S07", "--programme", str(PROGRAMME_FILE), "--json"],
    )
    assert result.exit_code == 0, result.output
    (file,) = json.loads(result.stdout)["files"]
    assert [r["service_id"] for r in file["returns"]] == ["S07"]


@pytest.mark.usefixtures("fake_registry")
def test_validate_period_option_overrides_the_banner(tmp_path: Path) -> None:
    lines = NORTHMOOR.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "no-banner.csv"
    path.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path), "--period", "2015-16 Q1", "--json"])
    assert result.exit_code == 0, result.output
    (file,) = json.loads(result.stdout)["files"]
    assert {r["period"] for r in file["returns"]} == {"2015-16 Q1"}


@pytest.mark.usefixtures("fake_registry")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "Q1"], "--period: cannot read period 'Q1'"),
        (["--service", "S7", "--programme", str(PROGRAMME_FILE)], "did you mean 'S07'?"),
        (["--programme", str(NORTHMOOR)], "not a readable programme file"),
    ],
)
def test_validate_bad_options_are_usage_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["validate", str(NORTHMOOR), *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_import_with_the_example_programme_stores_no_unknown_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry_module, "_registry", rules_registry())
    ws = tmp_path / "w.hubspoke"
    result = CliRunner().invoke(
        main, ["import", str(PROGRAMME_FILE), str(NORTHMOOR), "--workspace", str(ws), "--json"]
    )
    document = json.loads(result.stdout)
    returns_file = next(f for f in document["files"] if f["kind"] == "returns")
    assert returns_file["status"] == "rejected"
    codes = {d["code"] for d in returns_file["diagnostics"]}
    assert "unknown-service" in codes
    located = next(d for d in returns_file["diagnostics"] if d["code"] == "unknown-service")
    assert located["location"]["row"] == 3
