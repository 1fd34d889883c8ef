"""hubspoke: evaluate hub-and-spoke service programmes.

The domain model lives in :mod:`hubspoke.model`, periods in
:mod:`hubspoke.periods`, code lists in :mod:`hubspoke.codes` and the measures
catalogue in :mod:`hubspoke.measures`. Importers arrive as plugins
(:mod:`hubspoke.plugins`); scoring is in :mod:`hubspoke.indicators`.
"""

__version__ = "0.1.0"
