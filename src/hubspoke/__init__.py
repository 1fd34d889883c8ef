"""hubspoke: evaluate hub-and-spoke service programmes.

The domain model lives in :mod:`hubspoke.model`, periods in
:mod:`hubspoke.periods`, code lists in :mod:`hubspoke.codes` and the measures
catalogue in :mod:`hubspoke.measures`. Importers arrive as plugins
(:mod:`hubspoke.plugins`); scoring is in :mod:`hubspoke.indicators`; the
evaluator's store is :mod:`hubspoke.workspace`.

``hubspoke.hookimpl`` is the marker plugin authors decorate their hook
implementations with. It is loaded on first use, so importing the model does
not import pluggy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from pluggy import HookimplMarker

    hookimpl: HookimplMarker

__all__ = ["__version__", "hookimpl"]


def __getattr__(name: str) -> Any:
    if name == "hookimpl":
        from hubspoke.plugins import hookimpl

        return hookimpl
    raise AttributeError(f"module 'hubspoke' has no attribute {name!r}")
