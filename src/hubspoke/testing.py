"""The importer contract suite: checks a plugin author runs in their own tests.

Two ways to use it. In a pytest module, subclass :class:`ImporterContract`
and set three attributes; pytest collects the inherited tests::

    from pathlib import Path
    from hubspoke.testing import ImporterContract
    from hubspoke_northmoor import NorthmoorCasesImporter

    HERE = Path(__file__).parent

    class TestNorthmoorContract(ImporterContract):
        importer = NorthmoorCasesImporter()
        samples = (HERE / "data" / "northmoor-2015-16-q1.csv",)
        foreign_samples = ()   # optional: other formats' files it must not claim

Or call :func:`check_importer` from any test (it raises ``AssertionError``
naming the first broken check).

The checks: the importer has the contract's attributes with the right
types; ``sniff`` never raises and answers None or a score in [0, 1] on
arbitrary bytes (hypothesis); it claims its own samples and rejects foreign
ones (the author's plus synthetic files this suite writes: a PNG, a JSON
document, an unrelated CSV, an empty file); ``load`` of each sample gives
returns whose row counts reconcile (also against the records returned:
every imported row gives a record), whose provenance names the importer,
its version, the file and the SHA-256 of its bytes and leaves the import
time to the workspace, whose diagnostics all carry the file (and a 1-based
row or a path for each rejected row), which are deterministic (returns,
counts and diagnostics alike) and which round-trip through
:mod:`hubspoke.serialization`; ``load`` of a
foreign file raises nothing but :class:`~hubspoke.errors.FileImportError`;
and :func:`hubspoke.validation.validate_file` reads each sample through a
registry holding only this importer. Needs ``pytest`` and ``hypothesis``.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from hypothesis import given
from hypothesis import strategies as st

from hubspoke.diagnostics import Severity
from hubspoke.errors import FileImportError
from hubspoke.model import MonitoringReturn
from hubspoke.plugins.contract import Importer, LoadOptions, LoadResult, Probe
from hubspoke.plugins.hookspecs import hookimpl
from hubspoke.plugins.registry import Registry, contract_problems

_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
_FOREIGN: dict[str, bytes] = {
    "picture.png": _PNG + bytes(range(256)),
    "menu.json": b'{"menu": {"id": "file", "items": [{"value": "New"}, {"value": "Open"}]}}\n',
    "shapes.csv": b"colour,shape,sides\nred,triangle,3\nblue,square,4\ngreen,hexagon,6\n",
    "empty.csv": b"",
    "notes.txt": "Minutes of the Alder Trust steering group.\r\nNo actions.\r\n".encode("cp1252"),
}


def write_foreign_samples(directory: Path) -> list[Path]:
    """Write the suite's synthetic non-return files into ``directory``; return their paths."""
    paths = []
    for name, data in _FOREIGN.items():
        path = directory / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def check_attributes(importer: Importer) -> None:
    """The importer has every attribute of the contract with the right type."""
    problems = contract_problems(importer)
    assert not problems, f"importer breaks the contract: {'; '.join(problems)}"


def _check_score(importer: Importer, probe: Probe) -> float | None:
    try:
        score: object = importer.sniff(probe)
    except Exception as exc:  # the check is exactly that it does not raise
        raise AssertionError(
            f"{importer.name}.sniff raised {type(exc).__name__}: {exc} on {probe.path.name} "
            f"({len(probe.head)} bytes); sniff must never raise"
        ) from exc
    assert score is None or (
        isinstance(score, int | float) and not isinstance(score, bool) and 0 <= score <= 1
    ), f"{importer.name}.sniff answered {score!r}; it must answer None or a float in [0, 1]"
    return None if score is None else float(score)


def check_sniff_total(importer: Importer) -> None:
    """``sniff`` answers None or a score in [0, 1] for any bytes and any file name (hypothesis)."""
    suffixes = sorted({*importer.extensions, ".csv", ".xlsx", ".json", ".txt", ""})
    text_heads = st.text(max_size=400).map(lambda t: t.encode("utf-8"))
    csvish = st.lists(
        st.lists(st.text(max_size=12), min_size=1, max_size=6), min_size=1, max_size=8
    ).map(lambda rows: "\n".join(";".join(r) for r in rows).encode("utf-8"))

    @given(
        head=st.one_of(st.binary(max_size=2048), text_heads, csvish),
        suffix=st.sampled_from(suffixes),
    )
    def sniff_is_total(head: bytes, suffix: str) -> None:
        _check_score(importer, Probe(path=Path(f"return{suffix}"), head=head))

    sniff_is_total()


def check_claims(importer: Importer, samples: Sequence[Path]) -> None:
    """``sniff`` gives each of the importer's own samples a positive score."""
    for sample in samples:
        score = _check_score(importer, Probe.from_path(sample))
        assert score, f"{importer.name}.sniff does not claim its own sample {sample.name}"


def check_rejects(importer: Importer, foreign: Sequence[Path]) -> None:
    """``sniff`` says no (None or 0) to every file of another format."""
    for path in foreign:
        score = _check_score(importer, Probe.from_path(path))
        assert not score, (
            f"{importer.name}.sniff claims {path.name}, a file of another format "
            f"(score {score}); sniff must recognise its own format's content, not just "
            "the file extension"
        )


def check_load(
    importer: Importer,
    sample: Path,
    *,
    options: LoadOptions | None = None,
    expect_clean: bool = True,
) -> LoadResult:
    """Load ``sample`` and check the result (see the module docstring); returns it."""
    from hubspoke.serialization import dumps_returns, loads_returns

    opts = options if options is not None else LoadOptions()
    result: object = importer.load(sample, options=opts)
    assert isinstance(result, LoadResult), f"load returned {type(result).__name__}"
    assert result.rows_read == result.rows_imported + result.rows_rejected, "rows do not reconcile"
    assert result.returns or result.rows_imported == 0, "rows imported but no return"
    sha256 = hashlib.sha256(sample.read_bytes()).hexdigest()
    for ret in result.returns:
        assert isinstance(ret, MonitoringReturn)
        assert ret.provenance is not None, "every return must carry its provenance"
        assert ret.provenance.importer == importer.name, (
            f"provenance names importer {ret.provenance.importer!r}, not {importer.name!r}"
        )
        assert ret.provenance.importer_version == importer.version, (
            f"provenance names version {ret.provenance.importer_version!r}, "
            f"not the importer's {importer.version!r}"
        )
        assert ret.provenance.sha256 == sha256, (
            "provenance.sha256 is not the SHA-256 of the file's bytes "
            "(hash the bytes you read: hashlib.sha256(data).hexdigest())"
        )
        assert ret.provenance.source_file == sample.name, (
            f"provenance.source_file is {ret.provenance.source_file!r}, not the file's name "
            f"{sample.name!r}"
        )
        assert ret.provenance.imported_at is None, (
            "provenance.imported_at must be left None: the workspace records when a file "
            "was imported, and a load that reads the clock gives a different result each time"
        )
    for d in result.diagnostics:
        assert d.location.file, f"diagnostic without a file in its location: {d}"
        assert d.location.row is None or d.location.row >= 1, (
            f"diagnostic at row {d.location.row}: rows are 1-based, as a spreadsheet shows them"
        )
    _check_records_match_rows(importer, result)
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    located = [d for d in errors if d.location.row is not None or d.location.path is not None]
    assert len(located) >= result.rows_rejected, (
        f"{result.rows_rejected} rows rejected but only {len(located)} errors name a row or path"
    )
    if expect_clean:
        assert not errors, f"sample {sample.name} has errors: " + "; ".join(map(str, errors[:5]))
    again = importer.load(sample, options=opts)
    full, full_again = result.materialised_returns(), again.materialised_returns()
    assert full_again == full, (
        "load is not deterministic: two loads of the same file gave different returns"
        + (
            " (their provenance differs: is it reading the clock?)"
            if _without_provenance(full_again) == _without_provenance(full)
            else ""
        )
    )
    assert (again.rows_read, again.rows_imported, again.rows_rejected) == (
        result.rows_read,
        result.rows_imported,
        result.rows_rejected,
    ), "load is not deterministic: two loads of the same file counted different rows"
    assert again.diagnostics == result.diagnostics, (
        "load is not deterministic: two loads of the same file gave different diagnostics"
    )
    text = dumps_returns(full)
    assert loads_returns(text) == full, "returns do not round-trip through JSON"
    return result


def _without_provenance(returns: Sequence[MonitoringReturn]) -> list[MonitoringReturn]:
    import attrs

    return [attrs.evolve(r, provenance=None) for r in returns]


def _check_records_match_rows(importer: Importer, result: LoadResult) -> None:
    """Rows imported agree with the records returned (hubspoke's pipeline check)."""
    from hubspoke.validation import pipeline_checks

    checked = pipeline_checks(result, file="sample", importer=importer.name)
    broken = [d.message for d in checked.diagnostics if d.code == "importer-contract"]
    assert not broken, broken[0]


def check_load_foreign(importer: Importer, foreign: Sequence[Path]) -> None:
    """``load`` of a file of another format raises nothing but FileImportError."""
    for path in foreign:
        try:
            result: object = importer.load(path, options=LoadOptions())
        except FileImportError:
            continue
        except Exception as exc:  # the check is exactly that it raises nothing else
            raise AssertionError(
                f"{importer.name}.load raised {type(exc).__name__}: {exc} on {path.name}; "
                "a file it cannot read must give FileImportError or diagnostics"
            ) from exc
        assert isinstance(result, LoadResult), f"load returned {type(result).__name__}"


class _SinglePlugin:
    def __init__(self, importer: Importer) -> None:
        self.importer = importer
        self.__name__ = f"contract-suite-{importer.name}"

    @hookimpl
    def hubspoke_register_importers(self) -> Sequence[Importer]:
        return [self.importer]


def check_validate(importer: Importer, sample: Path) -> None:
    """``validate_file`` chooses this importer for ``sample`` and its counts reconcile."""
    from hubspoke.validation import validate_file

    registry = Registry.from_plugins([("contract-suite", _SinglePlugin(importer))])
    assert not registry.failures, "; ".join(map(str, registry.failures))
    report = validate_file(sample, registry=registry)
    assert report.importer == importer.name, "; ".join(map(str, report.diagnostics))
    assert report.rows_read == report.rows_imported + report.rows_rejected


def check_importer(
    importer: Importer,
    samples: Sequence[Path],
    *,
    foreign_samples: Sequence[Path] = (),
    options: LoadOptions | None = None,
    expect_clean: bool = True,
) -> None:
    """Run every contract check; raises AssertionError naming the first one broken."""
    assert samples, "give at least one sample file of the importer's format"
    check_attributes(importer)
    check_sniff_total(importer)
    check_claims(importer, samples)
    with tempfile.TemporaryDirectory() as tmp:
        foreign = [*foreign_samples, *write_foreign_samples(Path(tmp))]
        check_rejects(importer, foreign)
        check_load_foreign(importer, foreign)
    for sample in samples:
        check_load(importer, sample, options=options, expect_clean=expect_clean)
        check_validate(importer, sample)


class ImporterContract:
    """Subclass in a ``Test*`` class and set ``importer`` and ``samples`` to run the suite.

    ``foreign_samples``: other formats' files the importer must not claim;
    ``options``: the :class:`LoadOptions` samples are loaded with;
    ``expect_clean``: False when a sample deliberately holds bad rows.
    """

    importer: ClassVar[Importer]
    samples: ClassVar[Sequence[Path]] = ()
    foreign_samples: ClassVar[Sequence[Path]] = ()
    options: ClassVar[LoadOptions | None] = None
    expect_clean: ClassVar[bool] = True

    def test_contract_attributes(self) -> None:
        check_attributes(self.importer)

    def test_sniff_never_raises(self) -> None:
        check_sniff_total(self.importer)

    def test_sniff_claims_own_samples(self) -> None:
        assert self.samples, "set `samples` to at least one file of the importer's format"
        check_claims(self.importer, self.samples)

    def test_sniff_rejects_foreign_files(self, tmp_path: Path) -> None:
        check_rejects(self.importer, [*self.foreign_samples, *write_foreign_samples(tmp_path)])

    def test_load_foreign_files_fails_cleanly(self, tmp_path: Path) -> None:
        check_load_foreign(self.importer, [*self.foreign_samples, *write_foreign_samples(tmp_path)])

    def test_load_samples(self) -> None:
        for sample in self.samples:
            check_load(self.importer, sample, options=self.options, expect_clean=self.expect_clean)

    def test_validate_samples(self) -> None:
        for sample in self.samples:
            check_validate(self.importer, sample)
