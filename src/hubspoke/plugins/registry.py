"""The importer registry: which importers are installed, from whom, and which reads a file.

:func:`get_registry` builds the registry once per process, lazily, from the
entry points (:class:`~hubspoke.plugins.manager.PluginHost`), and caches it;
:func:`reset_registry` drops the cache (tests, or after installing a plugin).

Building calls each plugin's hook implementation separately, so every
importer is known with the distribution that supplied it, and a plugin that
raises, returns junk or breaks the importer contract is recorded as a
failure without hiding any other plugin. Two importers with the same name
are an error naming both distributions; the first loaded (built-ins load
first, then third-party plugins by distribution name) is kept, so a plugin
can never shadow a built-in format.

Selection (:meth:`Registry.select`): an explicit format name wins;
otherwise every importer sniffs the file in isolation (an exception counts
as "no" and is recorded), the highest score wins, a matching file extension
breaks ties, and a remaining tie or no match at all raises
:class:`~hubspoke.errors.FormatDetectionError` naming the candidates or
each importer's reason. Selection never falls back to another importer.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs
import cattrs

from hubspoke.codes import CodeList, code_lists, register_code_list
from hubspoke.errors import FileImportError, FormatDetectionError, HubspokeError
from hubspoke.measures import Measure, measures, register_measure
from hubspoke.plugins.contract import Importer, Probe, TemplateWriter
from hubspoke.plugins.manager import (
    HookAnswer,
    PluginFailure,
    PluginHost,
    PluginPolicy,
    PluginSource,
    SkippedPlugin,
    normalise_name,
)

_IMPORTER_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
#: Scores closer than this are equal.
SCORE_TOLERANCE = 1e-9


class UnknownFormatError(FormatDetectionError):
    """A format was named that no installed importer has; ``known`` lists those that exist."""

    def __init__(self, message: str, known: Sequence[str]) -> None:
        super().__init__(message)
        self.known = tuple(known)


class NoImporterMatchedError(FormatDetectionError):
    """No importer recognised the file; ``considered`` holds each importer's reason."""

    def __init__(self, message: str, considered: Sequence[SniffOutcome]) -> None:
        super().__init__(message)
        self.considered = tuple(considered)


class AmbiguousFormatError(FormatDetectionError):
    """Several importers claimed the file equally; ``candidates`` names them."""

    def __init__(
        self, message: str, candidates: Sequence[str], considered: Sequence[SniffOutcome]
    ) -> None:
        super().__init__(message)
        self.candidates = tuple(candidates)
        self.considered = tuple(considered)


@attrs.frozen(kw_only=True)
class RegisteredImporter:
    """An importer with the ``distribution`` and plugin (entry point) that supplied it."""

    importer: Importer
    distribution: str
    plugin_name: str

    @property
    def name(self) -> str:
        return self.importer.name

    @property
    def has_template(self) -> bool:
        """True when the importer can write a blank template of its format."""
        return isinstance(self.importer, TemplateWriter)


@attrs.frozen(kw_only=True)
class SniffOutcome:
    """One importer's answer when sniffing a file.

    ``score`` is in (0, 1] when the importer claimed the file and None when
    it did not (it said no, or raised, or answered out of contract);
    ``reason`` says which in words.
    """

    importer: str
    score: float | None
    reason: str
    extension_match: bool

    @property
    def claimed(self) -> bool:
        return self.score is not None


@attrs.frozen(kw_only=True)
class Selection:
    """The importer chosen for a file, its ``score``, why, and every importer's answer."""

    importer: Importer
    score: float
    reason: str
    considered: tuple[SniffOutcome, ...] = ()

    @property
    def name(self) -> str:
        return self.importer.name


def contract_problems(candidate: object) -> list[str]:
    """What is wrong with ``candidate`` as an :class:`Importer` (empty when nothing)."""
    problems = []
    name = getattr(candidate, "name", None)
    if not isinstance(name, str) or not _IMPORTER_NAME.match(name):
        problems.append(f"name must be lower-case letters, digits, '.', '_' or '-' (got {name!r})")
    for attr in ("description", "version"):
        value = getattr(candidate, attr, None)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{attr} must be a non-empty string (got {value!r})")
    extensions = getattr(candidate, "extensions", None)
    if not isinstance(extensions, tuple) or not all(
        isinstance(e, str) and e.startswith(".") and e == e.lower() for e in extensions
    ):
        problems.append(
            f"extensions must be a tuple of lower-case suffixes like '.csv' (got {extensions!r})"
        )
    for method in ("sniff", "load"):
        if not callable(getattr(candidate, method, None)):
            problems.append(f"{method} must be a method")
    return problems


def _described(candidate: object) -> str:
    name = getattr(candidate, "name", None)
    return repr(name) if isinstance(name, str) else f"a {type(candidate).__name__}"


class Registry:
    """The installed importers (``importers``), plugin ``failures`` and ``skipped`` plugins."""

    def __init__(self, host: PluginHost) -> None:
        self.host = host
        self._importers: dict[str, RegisteredImporter] = {}
        self._skipped_importers: list[SkippedPlugin] = []
        self._register_importers()
        self._register_measures()
        self._register_codes()

    @classmethod
    def from_entry_points(cls, policy: PluginPolicy | None = None) -> Registry:
        """The registry of every permitted entry point (the policy defaults to the environment)."""
        return cls(PluginHost.from_entry_points(policy))

    @classmethod
    def from_plugins(
        cls, plugins: Sequence[tuple[str, object]], policy: PluginPolicy | None = None
    ) -> Registry:
        """A registry of in-process plugins, each ``(distribution name, plugin object)``."""
        return cls(PluginHost.from_plugins(plugins, policy))

    @property
    def importers(self) -> Mapping[str, RegisteredImporter]:
        """Importers by name, in registration order."""
        return dict(self._importers)

    @property
    def failures(self) -> list[PluginFailure]:
        """Every plugin failure, in the order found."""
        return list(self.host.failures)

    @property
    def plugins(self) -> tuple[PluginSource, ...]:
        return self.host.plugins

    @property
    def skipped(self) -> tuple[SkippedPlugin, ...]:
        """Plugins and importers not loaded because the environment said so."""
        return (*self.host.skipped, *self._skipped_importers)

    def names(self) -> tuple[str, ...]:
        return tuple(self._importers)

    def template_formats(self) -> tuple[str, ...]:
        """Names of importers that can write a blank template."""
        return tuple(n for n, r in self._importers.items() if r.has_template)

    def get(self, name: str) -> RegisteredImporter:
        """The importer called ``name`` (case-insensitive); :class:`UnknownFormatError` if none."""
        for registered in self._importers.values():
            if normalise_name(registered.name) == normalise_name(name):
                return registered
        known = ", ".join(sorted(self._importers)) or "(none installed)"
        extra = ""
        if any(normalise_name(s.plugin) == normalise_name(name) for s in self.skipped):
            extra = " (it is disabled: see HUBSPOKE_DISABLE_PLUGINS / HUBSPOKE_PLUGINS)"
        raise UnknownFormatError(
            f"no importer named {name!r}{extra}; known: {known}", known=self.names()
        )

    # -- building ---------------------------------------------------------------

    def _sequence(self, answer: HookAnswer, stage: str) -> Sequence[object] | None:
        if answer.error is not None:
            self.host.record(answer.source, stage, f"{type(answer.error).__name__}: {answer.error}")
            return None
        result = answer.result
        if result is None:
            return ()
        if isinstance(result, str | bytes) or not isinstance(result, Sequence):
            self.host.record(
                answer.source, stage, f"must return a list or tuple, got {type(result).__name__}"
            )
            return None
        return result

    def _register_importers(self) -> None:
        stage = "hubspoke_register_importers"
        for answer in self.host.importers_by_plugin():
            items = self._sequence(answer, stage)
            for candidate in items or ():
                self._register_importer(answer.source, candidate)

    def _register_importer(self, source: PluginSource, candidate: object) -> None:
        problems = contract_problems(candidate)
        if problems:
            self.host.record(
                source, "contract", f"importer {_described(candidate)}: {'; '.join(problems)}"
            )
            return
        assert isinstance(candidate, Importer)  # checked above, attribute by attribute
        if self.host.policy.disables_importer(candidate.name):
            self._skipped_importers.append(
                SkippedPlugin(
                    plugin=candidate.name,
                    distribution=source.distribution,
                    reason="importer disabled by HUBSPOKE_DISABLE_PLUGINS",
                )
            )
            return
        earlier = self._importers.get(candidate.name)
        if earlier is not None:
            self.host.record(
                source,
                "contract",
                f"importer name {candidate.name!r} is supplied by both "
                f"{earlier.distribution!r} ({earlier.plugin_name}) and "
                f"{source.distribution!r} ({source.name}); the one from "
                f"{source.distribution!r} is ignored",
            )
            return
        self._importers[candidate.name] = RegisteredImporter(
            importer=candidate, distribution=source.distribution, plugin_name=source.name
        )

    def _register_measures(self) -> None:
        stage = "hubspoke_register_measures"
        for answer in self.host.measures_by_plugin():
            for item in self._sequence(answer, stage) or ():
                if not isinstance(item, Measure):
                    self.host.record(
                        answer.source, stage, f"expected a Measure, got {type(item).__name__}"
                    )
                elif measures().get(item.id) != item:  # equal: registered by an earlier build
                    try:
                        register_measure(item)
                    except HubspokeError as exc:
                        self.host.record(answer.source, stage, str(exc))

    def _register_codes(self) -> None:
        stage = "hubspoke_register_codes"
        for answer in self.host.codes_by_plugin():
            for item in self._sequence(answer, stage) or ():
                if not isinstance(item, CodeList):
                    self.host.record(
                        answer.source, stage, f"expected a CodeList, got {type(item).__name__}"
                    )
                elif code_lists().get(item.name) != item:
                    try:
                        register_code_list(item)
                    except HubspokeError as exc:
                        self.host.record(answer.source, stage, str(exc))

    def configure_converter(self, converter: cattrs.Converter) -> cattrs.Converter:
        """Let every plugin add its hooks to ``converter`` (failures recorded); returns it."""
        for answer in self.host.configure_converter(converter):
            if answer.error is not None:
                self.host.record(
                    answer.source,
                    "hubspoke_configure_converter",
                    f"{type(answer.error).__name__}: {answer.error}",
                )
        return converter

    # -- selection --------------------------------------------------------------

    def sniff_all(self, probe: Probe) -> tuple[SniffOutcome, ...]:
        """Every importer's answer for ``probe``, each sniff isolated from the others."""
        return tuple(_sniff(r.importer, probe) for r in self._importers.values())

    def select(self, path: Path, format: str | None = None) -> Selection:
        """The importer for the file at ``path``; ``format`` names one explicitly.

        Raises :class:`UnknownFormatError` for an unknown ``format``,
        :class:`NoImporterMatchedError` or :class:`AmbiguousFormatError`
        (both :class:`~hubspoke.errors.FormatDetectionError`), and
        :class:`~hubspoke.errors.FileImportError` when the file cannot be read.
        """
        if format is not None:
            chosen = self.get(format)
            return Selection(
                importer=chosen.importer,
                score=1.0,
                reason=f"format {chosen.name!r} was named explicitly",
            )
        try:
            probe = Probe.from_path(path)
        except OSError as exc:
            raise FileImportError(f"cannot read {path}: {exc.strerror or exc}") from None
        considered = self.sniff_all(probe)
        claimed = [o for o in considered if o.score is not None]
        if not claimed:
            raise NoImporterMatchedError(_no_match_message(path, considered, probe), considered)
        best = max(o.score for o in claimed if o.score is not None)
        top = [o for o in claimed if o.score is not None and best - o.score <= SCORE_TOLERANCE]
        reason = f"{top[0].importer!r} recognised the file (score {best:.2f})"
        if len(top) > 1:
            by_extension = [o for o in top if o.extension_match]
            if len(by_extension) == 1:
                others = ", ".join(repr(o.importer) for o in top if o is not by_extension[0])
                reason = (
                    f"{by_extension[0].importer!r} recognised the file (score {best:.2f}) and "
                    f"reads {probe.suffix} files; {others} scored the same but does not"
                )
                top = by_extension
            else:
                names = [o.importer for o in (by_extension or top)]
                raise AmbiguousFormatError(
                    f"{path.name}: {len(names)} importers claim this file equally "
                    f"(score {best:.2f}): {', '.join(names)}; choose one with --format NAME",
                    candidates=names,
                    considered=considered,
                )
        return Selection(
            importer=self._importers[top[0].importer].importer,
            score=best,
            reason=reason,
            considered=considered,
        )


def _sniff(importer: Importer, probe: Probe) -> SniffOutcome:
    ext = probe.suffix in importer.extensions
    try:
        raw: object = importer.sniff(probe)
    except Exception as exc:  # a plugin's sniff may raise anything; it counts as "no"
        return SniffOutcome(
            importer=importer.name,
            score=None,
            reason=f"sniff raised {type(exc).__name__}: {exc} (counted as no)",
            extension_match=ext,
        )
    if raw is None or (isinstance(raw, int | float) and not isinstance(raw, bool) and raw == 0):
        expects = ", ".join(importer.extensions) or "any"
        reason = "does not recognise the content" + (
            "" if ext else f" (it reads {expects} files, not {probe.suffix or 'no extension'})"
        )
        return SniffOutcome(importer=importer.name, score=None, reason=reason, extension_match=ext)
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 < raw <= 1:
        return SniffOutcome(
            importer=importer.name,
            score=None,
            reason=f"sniff answered {raw!r}, not a score in [0, 1] (counted as no)",
            extension_match=ext,
        )
    return SniffOutcome(
        importer=importer.name, score=float(raw), reason=f"score {raw:.2f}", extension_match=ext
    )


def _no_match_message(
    path: Path, considered: Sequence[SniffOutcome], probe: Probe | None = None
) -> str:
    if not considered:
        return f"{path.name}: no importers are installed or enabled (see `hubspoke plugins`)"
    lines = "; ".join(f"{o.importer}: {o.reason}" for o in considered)
    looks = ""
    if probe is not None:
        from hubspoke.reading import describe_file

        looks = f"; it looks like {describe_file(probe)}"
    return f"{path.name}: no installed importer recognises this file{looks} ({lines})"


_lock = threading.Lock()
_registry: Registry | None = None


def get_registry() -> Registry:
    """The process's registry, built from the entry points on first use and then cached."""
    global _registry
    with _lock:
        if _registry is None:
            _registry = Registry.from_entry_points()
        return _registry


def reset_registry() -> None:
    """Forget the cached registry; the next :func:`get_registry` rebuilds it."""
    global _registry
    with _lock:
        _registry = None
