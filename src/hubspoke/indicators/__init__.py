"""Indicators: the scoring rubric and the pure scoring functions.

Scalar forms (one spoke-period, the reference implementation) are
:func:`score_embeddedness`, :func:`score_independence` and
:func:`score_sustainability`; :func:`score_frame` is the vectorised form over a
pandas DataFrame, imported lazily so that ``import hubspoke.indicators`` does
not import pandas. The rubric is in :mod:`hubspoke.indicators.rubric` and
``docs/indicators.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hubspoke.indicators.inputs import (
    EmbeddednessInputs,
    IndependenceInputs,
    SustainabilityInputs,
)
from hubspoke.indicators.rubric import (
    COMPONENTS,
    DEFAULT_RUBRIC,
    INDICATORS,
    IndicatorWeights,
    Rubric,
    Targets,
    Thresholds,
    load_rubric,
    rubric_to_toml,
)
from hubspoke.indicators.scoring import (
    Component,
    IndicatorScore,
    score_embeddedness,
    score_independence,
    score_sustainability,
)

if TYPE_CHECKING:
    from hubspoke.indicators.vectorised import score_frame

__all__ = [
    "COMPONENTS",
    "DEFAULT_RUBRIC",
    "INDICATORS",
    "Component",
    "EmbeddednessInputs",
    "IndependenceInputs",
    "IndicatorScore",
    "IndicatorWeights",
    "Rubric",
    "SustainabilityInputs",
    "Targets",
    "Thresholds",
    "load_rubric",
    "rubric_to_toml",
    "score_embeddedness",
    "score_frame",
    "score_independence",
    "score_sustainability",
]


def __getattr__(name: str) -> Any:
    if name == "score_frame":
        from hubspoke.indicators.vectorised import score_frame

        return score_frame
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
