"""The plugin host: finds, filters and loads plugins, each in isolation.

Plugins (hubspoke's built-ins included) are named by entry points in the
``hubspoke.importers`` group. Each entry point is loaded and registered in
its own ``try``; a failure is recorded as a :class:`PluginFailure` (shown by
``hubspoke plugins``) and never stops the others from loading.

Users choose plugins with two environment variables (names are compared
case-insensitively, ``_`` and ``-`` alike):

``HUBSPOKE_DISABLE_PLUGINS``
    Comma-separated names of plugins to skip: an entry-point name
    (``builtins``), a distribution name (``hubspoke-northmoor``), or an
    importer name (``hubspoke-values``: that importer alone is skipped, see
    :mod:`hubspoke.plugins.registry`). The word ``all`` skips every
    third-party plugin, leaving hubspoke's built-ins; built-ins are skipped
    only by name (``builtins`` or ``hubspoke``, or an importer name).
``HUBSPOKE_PLUGINS``
    When set, an allowlist: only the third-party plugins named here load
    (built-ins always do unless disabled). Disabling wins over allowing.
"""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Callable, Mapping, Sequence

import attrs
import cattrs
import pluggy

from hubspoke.plugins import hookspecs

#: The entry-point group plugins register in.
ENTRY_POINT_GROUP = "hubspoke.importers"
#: The distribution whose plugins are the built-ins.
BUILTIN_DISTRIBUTION = "hubspoke"
DISABLE_ENV = "HUBSPOKE_DISABLE_PLUGINS"
ALLOW_ENV = "HUBSPOKE_PLUGINS"


def normalise_name(name: str) -> str:
    """A plugin, distribution or importer name for comparison: folded, ``_`` as ``-``."""
    return name.strip().casefold().replace("_", "-")


def _names(text: str | None) -> frozenset[str]:
    return frozenset(normalise_name(n) for n in (text or "").split(",") if n.strip())


@attrs.frozen(kw_only=True)
class PluginSource:
    """A plugin: its ``name`` (entry-point name), ``distribution`` and version.

    ``entry_point`` is the entry point as written (``builtins = hubspoke_importers``);
    ``builtin`` is true for hubspoke's own.
    """

    name: str
    distribution: str
    version: str | None = None
    entry_point: str = ""
    builtin: bool = False

    @property
    def key(self) -> str:
        """The name the plugin is registered under: ``distribution:name``."""
        return f"{self.distribution}:{self.name}"

    def names(self) -> frozenset[str]:
        """The names a user may use for this plugin (normalised)."""
        return frozenset({normalise_name(self.name), normalise_name(self.distribution)})


@attrs.frozen(kw_only=True)
class PluginFailure:
    """A plugin (or one of its importers) that failed, and why.

    ``stage`` is where it failed: ``load`` (importing the entry point),
    ``register`` (hook signatures), a hook name, or ``contract`` (an
    importer breaking the importer contract). ``error`` is the message.
    """

    plugin: str
    distribution: str
    entry_point: str
    stage: str
    error: str

    def __str__(self) -> str:
        return f"{self.distribution} ({self.plugin}), {self.stage}: {self.error}"


@attrs.frozen(kw_only=True)
class SkippedPlugin:
    """A plugin or importer not loaded because the user said so; ``reason`` says which variable."""

    plugin: str
    distribution: str
    reason: str


@attrs.frozen(kw_only=True)
class PluginPolicy:
    """Which plugins load: ``disabled`` names, ``third_party_off`` ("all"), ``allowed`` names."""

    disabled: frozenset[str] = frozenset()
    third_party_off: bool = False
    allowed: frozenset[str] | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> PluginPolicy:
        """The policy the environment variables state (``os.environ`` by default)."""
        env = os.environ if environ is None else environ
        disabled = _names(env.get(DISABLE_ENV))
        allow_text = env.get(ALLOW_ENV)
        return cls(
            disabled=disabled - {"all"},
            third_party_off="all" in disabled,
            allowed=_names(allow_text) if allow_text is not None else None,
        )

    def refusal(self, source: PluginSource) -> str | None:
        """Why ``source`` must not load under this policy, or None when it may."""
        if self.disabled & source.names():
            return f"disabled by {DISABLE_ENV}"
        if source.builtin:
            return None
        if self.third_party_off:
            return f"{DISABLE_ENV}=all disables third-party plugins"
        if self.allowed is not None and not self.allowed & source.names():
            return f"not listed in {ALLOW_ENV}"
        return None

    def disables_importer(self, importer_name: str) -> bool:
        """True when the user disabled the importer of this name."""
        return normalise_name(importer_name) in self.disabled


@attrs.frozen(kw_only=True)
class HookAnswer:
    """One plugin's answer to a hook: its ``result``, or the ``error`` it raised."""

    source: PluginSource
    result: object = None
    error: Exception | None = None


def _constant(obj: object) -> Callable[[], object]:
    return lambda: obj


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class PluginHost:
    """The loaded plugins behind a typed facade over pluggy's ``pm.hook``.

    Build with :meth:`from_entry_points` (what hubspoke does) or
    :meth:`from_plugins` (tests, embedding). Each ``*_by_plugin`` method
    calls every plugin's implementation separately and returns one
    :class:`HookAnswer` per plugin, so the caller knows who gave what and
    one plugin raising cannot hide another's answer.
    """

    def __init__(self, policy: PluginPolicy | None = None) -> None:
        self.policy = policy if policy is not None else PluginPolicy()
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.sources: dict[str, PluginSource] = {}
        self.failures: list[PluginFailure] = []
        self.skipped: list[SkippedPlugin] = []

    @classmethod
    def from_entry_points(cls, policy: PluginPolicy | None = None) -> PluginHost:
        """Load every entry point of :data:`ENTRY_POINT_GROUP` the policy permits.

        Built-ins first, then third-party plugins by distribution and name.
        """
        host = cls(policy if policy is not None else PluginPolicy.from_env())
        found: dict[tuple[str, str, str], importlib.metadata.EntryPoint] = {}
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            dist = ep.dist.name if ep.dist is not None else "(unknown distribution)"
            found.setdefault((dist, ep.name, ep.value), ep)
        for (dist, name, value), ep in sorted(
            found.items(),
            key=lambda item: (
                normalise_name(item[0][0]) != BUILTIN_DISTRIBUTION,
                normalise_name(item[0][0]),
                item[0][1],
            ),
        ):
            source = PluginSource(
                name=name,
                distribution=dist,
                version=ep.dist.version if ep.dist is not None else None,
                entry_point=f"{name} = {value}",
                builtin=normalise_name(dist) == BUILTIN_DISTRIBUTION,
            )
            host._add(source, ep.load)
        return host

    @classmethod
    def from_plugins(
        cls, plugins: Sequence[tuple[str, object]], policy: PluginPolicy | None = None
    ) -> PluginHost:
        """Register in-process plugin objects, each as ``(distribution name, plugin)``.

        The plugin's name is its ``__name__`` (a module) or class name; the
        distribution ``hubspoke`` marks a built-in. For tests and embedding.
        """
        host = cls(policy)
        for dist, obj in plugins:
            name = str(getattr(obj, "__name__", type(obj).__name__))
            source = PluginSource(
                name=name,
                distribution=dist,
                entry_point=f"{name} (registered in-process)",
                builtin=normalise_name(dist) == BUILTIN_DISTRIBUTION,
            )
            host._add(source, _constant(obj))
        return host

    def _add(self, source: PluginSource, load: Callable[[], object]) -> None:
        refusal = self.policy.refusal(source)
        if refusal is not None:
            self.skipped.append(
                SkippedPlugin(plugin=source.name, distribution=source.distribution, reason=refusal)
            )
            return
        if source.key in self.sources:
            self._fail(source, "load", "a plugin of this name is already loaded")
            return
        try:
            plugin = load()
        except Exception as exc:  # a plugin's import may raise anything
            self._fail(source, "load", _error_text(exc))
            return
        try:
            self.pm.register(plugin, name=source.key)
        except Exception as exc:  # pluggy's PluginValidationError, or a duplicate object
            self._fail(source, "register", _error_text(exc))
            return
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            self.pm.unregister(name=source.key)
            self._fail(source, "register", f"{exc} (a misspelt hook name?)")
            return
        self.sources[source.key] = source

    def _fail(self, source: PluginSource, stage: str, error: str) -> None:
        self.failures.append(
            PluginFailure(
                plugin=source.name,
                distribution=source.distribution,
                entry_point=source.entry_point,
                stage=stage,
                error=error,
            )
        )

    @property
    def plugins(self) -> tuple[PluginSource, ...]:
        """The plugins loaded, in load order."""
        return tuple(self.sources.values())

    def _answers(self, hook_name: str, **kwargs: object) -> list[HookAnswer]:
        caller: pluggy.HookCaller = getattr(self.pm.hook, hook_name)
        answers = []
        # get_hookimpls() lists implementations in registration (load) order.
        for impl in caller.get_hookimpls():
            source = self.sources[impl.plugin_name]
            try:
                answers.append(HookAnswer(source=source, result=impl.function(**kwargs)))
            except Exception as exc:  # a plugin's hook may raise anything
                answers.append(HookAnswer(source=source, error=exc))
        return answers

    def importers_by_plugin(self) -> list[HookAnswer]:
        """Each plugin's answer to ``hubspoke_register_importers`` (unchecked)."""
        return self._answers("hubspoke_register_importers")

    def measures_by_plugin(self) -> list[HookAnswer]:
        """Each plugin's answer to ``hubspoke_register_measures`` (unchecked)."""
        return self._answers("hubspoke_register_measures")

    def codes_by_plugin(self) -> list[HookAnswer]:
        """Each plugin's answer to ``hubspoke_register_codes`` (unchecked)."""
        return self._answers("hubspoke_register_codes")

    def configure_converter(self, converter: cattrs.Converter) -> list[HookAnswer]:
        """Run every plugin's ``hubspoke_configure_converter`` on ``converter``."""
        return self._answers("hubspoke_configure_converter", converter=converter)

    def record(self, source: PluginSource, stage: str, error: str) -> None:
        """Record a failure of ``source`` found after loading (by the registry)."""
        self._fail(source, stage, error)
