"""The hook specifications: every hook a hubspoke plugin may implement.

A plugin is a module (or object) named by an entry point in the
``hubspoke.importers`` group; its functions marked with
:data:`hookimpl` and named like a hook below are called by the plugin
manager. Each hook's docstring is its contract. ``docs/hooks.md`` documents
each one with its exact signature (a test checks they agree).
"""

from __future__ import annotations

from collections.abc import Sequence

import cattrs
import pluggy

from hubspoke.codes import CodeList
from hubspoke.measures import Measure
from hubspoke.plugins.contract import Importer

#: The pluggy project name shared by hook specifications and implementations.
PROJECT_NAME = "hubspoke"

#: Marks a function below as a hook specification.
hookspec = pluggy.HookspecMarker(PROJECT_NAME)

#: Marks a plugin's function as the implementation of the hook of the same name.
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def hubspoke_register_importers() -> Sequence[Importer]:
    """Return the importers this plugin supplies (possibly none).

    Each must satisfy :class:`hubspoke.plugins.contract.Importer`; its
    ``name`` must be unique across all installed plugins. Called once per
    registry build; must not read files or do slow work. An exception or a
    non-conforming importer is recorded as a failure of this plugin alone.
    """
    raise NotImplementedError  # a specification: pluggy never calls its body


@hookspec
def hubspoke_register_measures() -> Sequence[Measure]:
    """Return extra measures this plugin's returns report (possibly none).

    Each is added to :mod:`hubspoke.measures` with
    :func:`~hubspoke.measures.register_measure`; an ``id`` that already
    exists is a failure of this plugin (built-in measures cannot be replaced).
    """
    raise NotImplementedError  # a specification: pluggy never calls its body


@hookspec
def hubspoke_register_codes() -> Sequence[CodeList]:
    """Return extra code lists this plugin's returns use (possibly none).

    Each is added to :mod:`hubspoke.codes` with
    :func:`~hubspoke.codes.register_code_list`; a ``name`` that already
    exists is a failure of this plugin (built-in lists cannot be replaced).
    """
    raise NotImplementedError  # a specification: pluggy never calls its body


@hookspec
def hubspoke_configure_converter(converter: cattrs.Converter) -> None:
    """Add structure/unstructure hooks for this plugin's own types to ``converter``.

    Called on each converter the registry is asked to configure. Must only
    register hooks for the plugin's own types; must not replace hubspoke's.
    Returns nothing.
    """
