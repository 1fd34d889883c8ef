"""The registry: importers by distribution, failure isolation, duplicates, selection."""

from __future__ import annotations

from pathlib import Path

import cattrs
import pytest

from hubspoke.codes import Code, CodeList, code_lists
from hubspoke.errors import FileImportError, FormatDetectionError
from hubspoke.measures import Measure, measures
from hubspoke.plugins import hookimpl
from hubspoke.plugins.manager import PluginPolicy
from hubspoke.plugins.registry import (
    AmbiguousFormatError,
    NoImporterMatchedError,
    Registry,
    UnknownFormatError,
    contract_problems,
    get_registry,
    reset_registry,
)
from plugin_fakes import FakeImporter, FakePlugin, TidyValuesImporter


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "return.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    return path


def registry_of(*importers: FakeImporter, policy: PluginPolicy | None = None) -> Registry:
    return Registry.from_plugins(
        [(f"dist-{imp.name}", FakePlugin(f"plugin-{imp.name}", imp)) for imp in importers],
        policy,
    )


def test_each_importer_is_known_with_its_distribution() -> None:
    reg = Registry.from_plugins(
        [
            ("hubspoke", FakePlugin("builtins", FakeImporter("a"))),
            ("acme", FakePlugin("acme", FakeImporter("b"))),
        ]
    )
    assert {n: (r.distribution, r.plugin_name) for n, r in reg.importers.items()} == {
        "a": ("hubspoke", "builtins"),
        "b": ("acme", "acme"),
    }
    assert [p.builtin for p in reg.plugins] == [True, False]
    assert reg.failures == []


def test_a_plugin_whose_hook_raises_does_not_hide_the_others() -> None:
    reg = Registry.from_plugins(
        [
            ("broken-dist", FakePlugin("broken", error=RuntimeError("database not found"))),
            ("good-dist", FakePlugin("good", FakeImporter("good-format"))),
        ]
    )
    assert list(reg.importers) == ["good-format"]
    [failure] = reg.failures
    assert failure.distribution == "broken-dist"
    assert failure.stage == "hubspoke_register_importers"
    assert "RuntimeError: database not found" in failure.error


def test_an_importer_breaking_the_contract_is_recorded_and_others_kept() -> None:
    bad = FakeImporter("Bad Name")
    bad.extensions = ["csv"]  # type: ignore[assignment]
    reg = Registry.from_plugins(
        [("d", FakePlugin("p", bad, FakeImporter("fine"), "not an importer"))]
    )
    assert list(reg.importers) == ["fine"]
    messages = [f.error for f in reg.failures]
    assert len(messages) == 2
    assert all(f.stage == "contract" for f in reg.failures)
    assert "name must be lower-case" in messages[0]
    assert "extensions must be a tuple" in messages[0]
    assert "sniff must be a method" in messages[1]


def test_hook_returning_junk_is_a_failure() -> None:
    class Junk:
        __name__ = "junk"

        @hookimpl
        def hubspoke_register_importers(self) -> object:
            return "hubspoke-values"

    reg = Registry.from_plugins([("junk-dist", Junk())])
    assert reg.importers == {}
    assert "must return a list or tuple, got str" in reg.failures[0].error


def test_duplicate_importer_names_name_both_distributions_and_keep_the_first() -> None:
    reg = Registry.from_plugins(
        [
            ("hubspoke", FakePlugin("builtins", FakeImporter("hubspoke-values", 0.5))),
            ("hubspoke-copycat", FakePlugin("copycat", FakeImporter("hubspoke-values", 1.0))),
        ]
    )
    assert reg.importers["hubspoke-values"].distribution == "hubspoke"
    [failure] = reg.failures
    assert "'hubspoke'" in failure.error
    assert "'hubspoke-copycat'" in failure.error
    assert failure.distribution == "hubspoke-copycat"


def test_highest_score_wins(sample: Path) -> None:
    reg = registry_of(FakeImporter("low", 0.3), FakeImporter("high", 0.8), FakeImporter("no"))
    chosen = reg.select(sample)
    assert chosen.name == "high"
    assert chosen.score == 0.8
    assert "'high'" in chosen.reason
    assert {o.importer: o.score for o in chosen.considered} == {"low": 0.3, "high": 0.8, "no": None}


def test_extension_breaks_a_tie(sample: Path) -> None:
    reg = registry_of(
        FakeImporter("xlsx-reader", 0.7, extensions=(".xlsx",)), FakeImporter("csv-reader", 0.7)
    )
    chosen = reg.select(sample)
    assert chosen.name == "csv-reader"
    assert "xlsx-reader" in chosen.reason
    assert ".csv" in chosen.reason


def test_remaining_tie_is_ambiguous_and_names_the_candidates(sample: Path) -> None:
    reg = registry_of(
        FakeImporter("one", 0.7), FakeImporter("two", 0.7), FakeImporter("three", 0.2)
    )
    with pytest.raises(AmbiguousFormatError) as caught:
        reg.select(sample)
    assert caught.value.candidates == ("one", "two")
    assert "one, two" in str(caught.value)
    assert "--format" in str(caught.value)
    assert isinstance(caught.value, FormatDetectionError)


def test_no_match_lists_each_importers_reason(sample: Path) -> None:
    reg = registry_of(
        FakeImporter("plain-no"),
        FakeImporter("raiser", sniff_error=ValueError("bad header")),
        FakeImporter("xlsx-only", 0, extensions=(".xlsx",)),
        FakeImporter("out-of-range", 1.5),
    )
    with pytest.raises(NoImporterMatchedError) as caught:
        reg.select(sample)
    text = str(caught.value)
    assert "plain-no: does not recognise the content" in text
    assert "raiser: sniff raised ValueError: bad header (counted as no)" in text
    assert "xlsx-only: does not recognise the content (it reads .xlsx files, not .csv)" in text
    assert "out-of-range: sniff answered 1.5" in text
    assert [o.claimed for o in caught.value.considered] == [False] * 4


def test_a_raising_sniff_does_not_stop_another_from_winning(sample: Path) -> None:
    reg = registry_of(FakeImporter("raiser", sniff_error=KeyError("x")), FakeImporter("ok", 0.4))
    chosen = reg.select(sample)
    assert chosen.name == "ok"
    assert "sniff raised KeyError" in chosen.considered[0].reason


def test_explicit_format_wins_without_sniffing(sample: Path) -> None:
    reg = registry_of(
        FakeImporter("never", sniff_error=AssertionError("sniffed")), FakeImporter("b", 1.0)
    )
    chosen = reg.select(sample, "NEVER")
    assert chosen.name == "never"
    assert "named explicitly" in chosen.reason


def test_unknown_format_lists_known_names(sample: Path) -> None:
    reg = registry_of(FakeImporter("alpha", 1.0), FakeImporter("beta", 1.0))
    with pytest.raises(UnknownFormatError, match="no importer named 'gamma'; known: alpha, beta"):
        reg.select(sample, "gamma")


def test_unreadable_file_is_a_file_import_error(tmp_path: Path) -> None:
    reg = registry_of(FakeImporter("alpha", 1.0))
    with pytest.raises(FileImportError, match="cannot read"):
        reg.select(tmp_path / "missing.csv")


def test_no_importers_says_so(sample: Path) -> None:
    with pytest.raises(NoImporterMatchedError, match="no importers are installed or enabled"):
        Registry.from_plugins([]).select(sample)


def test_disabling_an_importer_by_name_keeps_its_siblings() -> None:
    policy = PluginPolicy.from_env({"HUBSPOKE_DISABLE_PLUGINS": "Hubspoke_Values"})
    reg = Registry.from_plugins(
        [
            (
                "hubspoke",
                FakePlugin(
                    "builtins", FakeImporter("hubspoke-values"), FakeImporter("hubspoke-json")
                ),
            )
        ],
        policy,
    )
    assert list(reg.importers) == ["hubspoke-json"]
    assert [s.plugin for s in reg.skipped] == ["hubspoke-values"]
    with pytest.raises(UnknownFormatError, match="it is disabled"):
        reg.get("hubspoke-values")


def test_disabled_plugins_are_skipped_not_failed() -> None:
    policy = PluginPolicy.from_env({"HUBSPOKE_DISABLE_PLUGINS": "all"})
    reg = Registry.from_plugins(
        [
            ("hubspoke", FakePlugin("builtins", FakeImporter("a"))),
            ("acme", FakePlugin("acme", FakeImporter("b"))),
        ],
        policy,
    )
    assert list(reg.importers) == ["a"]
    assert [(s.distribution, s.reason) for s in reg.skipped] == [
        ("acme", "HUBSPOKE_DISABLE_PLUGINS=all disables third-party plugins")
    ]
    assert reg.failures == []


def test_measures_and_codes_hooks_register_into_the_catalogues() -> None:
    extra_measure = Measure(id="test_plugin_drop_ins", label="Drop-in visits", unit="count")
    extra_codes = CodeList(
        name="test_plugin_venue",
        label="Venue",
        source="test",
        codes=(Code(value="hub", label="At the hub"), Code(value="school", label="At school")),
    )

    class Catalogue:
        __name__ = "catalogue"

        @hookimpl
        def hubspoke_register_measures(self) -> list[Measure]:
            return [extra_measure]

        @hookimpl
        def hubspoke_register_codes(self) -> list[object]:
            return [extra_codes, 42]

    reg = Registry.from_plugins([("catalogue-dist", Catalogue())])
    assert measures()["test_plugin_drop_ins"] == extra_measure
    assert code_lists()["test_plugin_venue"] == extra_codes
    assert [f.error for f in reg.failures] == ["expected a CodeList, got int"]
    # Building again (as after reset_registry) is not a duplicate registration.
    assert Registry.from_plugins([("catalogue-dist", Catalogue())]).failures == reg.failures


def test_a_measure_clashing_with_a_builtin_is_refused() -> None:
    class Clash:
        __name__ = "clash"

        @hookimpl
        def hubspoke_register_measures(self) -> list[Measure]:
            return [Measure(id="referrals_received", label="Mine", unit="hours")]

    reg = Registry.from_plugins([("clash-dist", Clash())])
    assert measures()["referrals_received"].unit == "count"
    assert "already registered" in reg.failures[0].error


def test_configure_converter_runs_each_plugin_and_records_failures() -> None:
    calls: list[str] = []

    class Hooks:
        __name__ = "hooks"

        @hookimpl
        def hubspoke_configure_converter(self, converter: cattrs.Converter) -> None:
            calls.append(type(converter).__name__)

    class Broken:
        __name__ = "broken"

        @hookimpl
        def hubspoke_configure_converter(self, converter: cattrs.Converter) -> None:
            raise TypeError("no hooks today")

    reg = Registry.from_plugins([("a", Hooks()), ("b", Broken())])
    converter = cattrs.Converter()
    assert reg.configure_converter(converter) is converter
    assert calls == ["Converter"]
    assert reg.failures[0].stage == "hubspoke_configure_converter"


def test_misspelt_hook_is_a_registration_failure() -> None:
    class Misspelt:
        __name__ = "misspelt"

        @hookimpl
        def hubspoke_register_importer(self) -> list[object]:  # missing "s"
            return []

    reg = Registry.from_plugins(
        [("typo-dist", Misspelt()), ("ok", FakePlugin("ok", FakeImporter("x")))]
    )
    assert list(reg.importers) == ["x"]
    [failure] = reg.failures
    assert failure.stage == "register"
    assert "hubspoke_register_importer" in failure.error


def test_template_formats_are_importers_with_write_template() -> None:
    class WithTemplate(FakeImporter):
        def write_template(self, out: Path) -> None:
            out.write_text("blank")

    reg = registry_of(FakeImporter("plain"), WithTemplate("templated"))
    assert reg.template_formats() == ("templated",)


def test_get_registry_is_cached_until_reset() -> None:
    first = get_registry()
    assert get_registry() is first
    reset_registry()
    assert get_registry() is not first


def test_contract_problems_accepts_a_real_importer() -> None:
    assert contract_problems(TidyValuesImporter()) == []
