"""Each sample in examples/returns/ is claimed by its importer alone and loads as described.

The expected figures below are those the README in examples/returns/ states
for each sample; flawed samples list each diagnostic's rule and location.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hubspoke.diagnostics import Severity
from hubspoke.plugins.contract import Importer, LoadOptions, LoadResult, Probe
from hubspoke_importers import hubspoke_register_importers

SAMPLES = Path(__file__).resolve().parents[1] / "examples" / "returns"
IMPORTERS: dict[str, Importer] = {i.name: i for i in hubspoke_register_importers()}

#: sample file -> (importer, rows read, imported, rejected)
EXPECTED: dict[str, tuple[str, int, int, int]] = {
    "values-S12-2015-16-Q2.csv": ("hubspoke-values", 22, 22, 0),
    "flawed-values-unknown-codes.csv": ("hubspoke-values", 10, 3, 7),
    "cases-S14-2015-16.csv": ("hubspoke-cases", 12, 12, 0),
    "flawed-cases-personal-data.csv": ("hubspoke-cases", 5, 3, 2),
    "annual-S02-2014-15.csv": ("annual-summary-csv", 15, 15, 0),
    "flawed-annual-unmatched-labels.csv": ("annual-summary-csv", 7, 3, 4),
    "quarterly-S21-2015-16-Q3.xlsx": ("hubspoke-quarterly-xlsx", 20, 20, 0),
    "quarterly-S30-2016-17-Q1-messy.xlsx": ("hubspoke-quarterly-xlsx", 10, 10, 0),
    "flawed-quarterly-S33-2016-17-Q2.xlsx": ("hubspoke-quarterly-xlsx", 7, 2, 5),
    "returns-S12-2015-16.json": ("hubspoke-json", 2, 2, 0),
    "flawed-json-S12.json": ("hubspoke-json", 2, 0, 2),
}


def load(name: str) -> LoadResult:
    return IMPORTERS[EXPECTED[name][0]].load(SAMPLES / name, options=LoadOptions())


def test_every_sample_is_listed() -> None:
    on_disk = {p.name for p in SAMPLES.iterdir() if p.suffix in {".csv", ".xlsx", ".json"}}
    assert on_disk == set(EXPECTED)


def test_registration_gives_five_distinct_importers() -> None:
    importers = hubspoke_register_importers()
    assert [i.name for i in importers] == [
        "hubspoke-values",
        "hubspoke-cases",
        "hubspoke-quarterly-xlsx",
        "annual-summary-csv",
        "hubspoke-json",
    ]
    assert all(isinstance(i, Importer) for i in importers)
    assert all(i.version == "0.1.0" for i in importers)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_only_its_own_importer_claims_a_sample_with_the_top_score(name: str) -> None:
    probe = Probe.from_path(SAMPLES / name)
    scores = {n: (i.sniff(probe) or 0.0) for n, i in IMPORTERS.items()}
    best = max(scores.values())
    assert [n for n, s in scores.items() if s == best] == [EXPECTED[name][0]]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_reconciles_with_a_located_error_per_rejected_row(name: str) -> None:
    _, read, imported, rejected = EXPECTED[name]
    result = load(name)
    assert (result.rows_read, result.rows_imported, result.rows_rejected) == (
        read,
        imported,
        rejected,
    )
    if name.endswith(".json"):  # a JSON "row" is one whole return
        assert len(result.returns) == imported
    else:
        assert sum(result.record_counts()) == imported
    for d in result.diagnostics:
        assert d.location.file == name
        if d.severity is Severity.ERROR:
            assert d.location.row is not None or d.location.path is not None
    for ret in result.materialised_returns():
        assert ret.provenance is not None
        assert ret.provenance.source_file == name
        assert ret.provenance.importer == EXPECTED[name][0]
        assert len(ret.provenance.sha256) == 64


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if not n.startswith("flawed-")))
def test_clean_samples_have_no_errors(name: str) -> None:
    assert load(name).ok


def where(result: LoadResult) -> list[tuple[str, str | None, int | None, str | None]]:
    """(rule, sheet, row, column letter) of each error and warning."""
    return [
        (d.code, d.location.sheet, d.location.row, d.location.column_letter)
        for d in result.diagnostics
        if d.severity is not Severity.INFO
    ]


def test_flawed_values_diagnostics() -> None:
    result = load("flawed-values-unknown-codes.csv")
    assert where(result) == [
        ("unknown-code", None, 3, "F"),
        ("unknown-measure", None, 4, "C"),
        ("breakdown-not-allowed", None, 5, "E"),
        ("non-integer-count", None, 6, "D"),
        ("negative-count", None, 7, "D"),
        ("period-label", None, 8, "B"),
        ("duplicate-value", None, 9, "C"),
    ]
    by_code = {d.code: d for d in result.diagnostics}
    assert by_code["unknown-code"].value == "meduim"
    assert by_code["unknown-code"].suggestion is not None
    assert "'medium'" in by_code["unknown-code"].suggestion
    assert by_code["unknown-measure"].suggestion == "did you mean 'referrals_received'?"


def test_flawed_cases_diagnostics() -> None:
    result = load("flawed-cases-personal-data.csv")
    assert where(result) == [
        ("personal-data", None, 2, "D"),
        ("personal-data", None, 2, "E"),
        ("duplicate-case-id", None, 4, "C"),
        ("date-unreadable", None, 5, "F"),
    ]
    personal = [d for d in result.diagnostics if d.code == "personal-data"]
    assert all("@" not in d.message and "Example" not in d.message for d in personal)
    date_error = next(d for d in result.diagnostics if d.code == "date-unreadable")
    assert date_error.suggestion == "write 25/04/2016"
    (ret,) = result.materialised_returns()
    assert [c.case_id for c in ret.cases] == ["S14-C0101", "S14-C0102", "S14-C0105"]


def test_flawed_annual_diagnostics() -> None:
    result = load("flawed-annual-unmatched-labels.csv")
    assert where(result) == [
        ("unmatched-labels", None, None, None),
        ("unmatched-label", None, 9, "A"),
        ("unmatched-label", None, 10, "A"),
        ("non-integer-count", None, 11, "B"),
        ("not-a-number", None, 12, "B"),
    ]
    summary = result.diagnostics[0]
    assert summary.severity is Severity.WARNING
    assert "2 of 7 labels" in summary.message


def test_flawed_workbook_diagnostics() -> None:
    result = load("flawed-quarterly-S33-2016-17-Q2.xlsx")
    assert where(result) == [
        ("unknown-code", "Referrals", 5, "D"),
        ("not-a-number", "Referrals", 6, "G"),
        ("personal-data", "Young people", 4, "P"),
        ("date-unreadable", "Young people", 5, "B"),
        ("unknown-code", "Activities", 4, "B"),
        ("non-integer-count", "Activities", 5, "D"),
    ]


def test_flawed_json_diagnostics_carry_json_paths() -> None:
    result = load("flawed-json-S12.json")
    paths = [d.location.path for d in result.diagnostics]
    assert "$.returns[0].cases[0].referral_date" in paths
    assert "$.returns[1].values[0].value" in paths
    assert all(d.severity is Severity.ERROR for d in result.diagnostics)


def test_registering_and_sniffing_do_not_import_pandas_or_openpyxl() -> None:
    """Choosing a format stays cheap: the reading machinery loads only with ``load``."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from hubspoke.plugins.contract import Probe\n"
        "from hubspoke_importers import hubspoke_register_importers\n"
        f"root = Path({str(SAMPLES)!r})\n"
        "for importer in hubspoke_register_importers():\n"
        "    for sample in sorted(root.iterdir()):\n"
        "        if sample.is_file():\n"
        "            importer.sniff(Probe.from_path(sample))\n"
        "print(sorted({'pandas', 'numpy', 'openpyxl'} & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
