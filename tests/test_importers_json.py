"""hubspoke-json: envelopes, per-return rejection with paths, provenance, service checks."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from hubspoke.model import DataValue, MonitoringReturn
from hubspoke.periods import financial_quarter
from hubspoke.plugins.contract import LoadOptions, LoadResult, Probe
from hubspoke.serialization import dumps_return, dumps_returns
from hubspoke_importers.native_json import JsonImporter
from importer_fixtures import fictional_programme

RET = MonitoringReturn(
    service_id="S02",
    period=financial_quarter(2015, 3),
    submitted_on=date(2016, 1, 10),
    values=(DataValue(measure="referrals_received", value=6),),
)


def load(tmp_path: Path, text: str, **options: object) -> LoadResult:
    path = tmp_path / "r.json"
    path.write_text(text, encoding="utf-8")
    return JsonImporter().load(path, options=LoadOptions(**options))  # type: ignore[arg-type]


def test_single_return_envelope(tmp_path: Path) -> None:
    r = load(tmp_path, dumps_return(RET))
    assert (r.rows_read, r.rows_imported) == (1, 1)
    (got,) = r.returns
    assert got.values == RET.values
    assert got.provenance is not None
    assert (got.provenance.source_file, got.provenance.importer) == ("r.json", "hubspoke-json")


def test_bad_return_is_rejected_and_good_one_kept(tmp_path: Path) -> None:
    doc = json.loads(dumps_returns([RET, RET]))
    doc["returns"][1]["period"]["start"] = "2015-13-01"
    r = load(tmp_path, json.dumps(doc))
    assert (r.rows_read, r.rows_imported, r.rows_rejected) == (2, 1, 1)
    assert [d.location.path for d in r.diagnostics] == ["$.returns[1].period.start"]


def test_wrong_envelope_reads_nothing_and_says_why(tmp_path: Path) -> None:
    r = load(tmp_path, '{"hubspoke": "programme", "version": 1, "programme": {}}')
    assert (r.rows_read, r.rows_imported, r.rows_rejected) == (0, 0, 0)
    assert r.diagnostics[0].location.path == "$.hubspoke"
    assert not r.ok


def test_invalid_json_is_a_diagnostic(tmp_path: Path) -> None:
    r = load(tmp_path, '{"hubspoke": "returns", ')
    assert not r.ok
    assert "not valid JSON" in r.diagnostics[0].message


def test_unknown_service_rejects_the_return(tmp_path: Path) -> None:
    other = MonitoringReturn(service_id="S99", period=RET.period)
    r = load(tmp_path, dumps_returns([RET, other]), programme=fictional_programme())
    assert (r.rows_imported, r.rows_rejected) == (1, 1)
    assert [(d.code, d.location.path) for d in r.diagnostics] == [
        ("unknown-service", "$.returns[1].service_id")
    ]


def test_sniff_only_claims_hubspoke_envelopes() -> None:
    def score(text: str) -> float | None:
        return JsonImporter().sniff(Probe(path=Path("x.json"), head=text.encode()))

    assert score(dumps_returns([RET])) == 0.95
    assert score('{"menu": []}') is None
    assert score("[1, 2]") is None
