"""Change on outcome scales: distance travelled and the reliable change index.

The reliable change index (Jacobson and Truax 1991, *Clinical significance:
a statistical approach to defining meaningful change in psychotherapy
research*, J Consult Clin Psychol 59(1):12-19) divides a person's change by
the standard error of the difference between two scores::

    RCI = (x2 - x1) / (sd1 * sqrt(2) * sqrt(1 - r))

where ``sd1`` is the standard deviation of the instrument's scores at the
first assessment (in a reference sample) and ``r`` its test-retest
reliability. ``|RCI| > 1.96`` is change unlikely (p < 0.05) to be
measurement error alone.

Pure functions; no pandas.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

import attrs

from hubspoke.errors import ModelError

RELIABLE_CHANGE: Final = 1.96
"""``|RCI|`` above which a change counts as reliable (two-sided 95%)."""


def rci(x1: float, x2: float, sd1: float, r: float) -> float:
    """The reliable change index from score ``x1`` (before) to ``x2`` (after).

    ``sd1 > 0`` and ``0 <= r < 1`` (a perfectly reliable instrument has no
    measurement error, so the index is undefined). Antisymmetric:
    ``rci(x1, x2, sd1, r) == -rci(x2, x1, sd1, r)``. Raises
    :class:`~hubspoke.errors.ModelError` naming the bad argument.
    """
    for name, value in (("x1", x1), ("x2", x2), ("sd1", sd1), ("r", r)):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ModelError("rci", name, "must be a finite number", value)
    if sd1 <= 0:
        raise ModelError("rci", "sd1", "must be > 0", sd1)
    if not 0 <= r < 1:
        raise ModelError("rci", "r", "must be in [0, 1)", r)
    return (x2 - x1) / (sd1 * math.sqrt(2) * math.sqrt(1 - r))


def _positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ModelError("Instrument", attribute.name, "must be a number > 0", value)


def _reliability(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise ModelError("Instrument", attribute.name, "must be in [0, 1)", value)


@attrs.frozen(kw_only=True)
class Instrument:
    """An outcome scale whose reliable change can be judged.

    ``sd`` is the reference standard deviation of first scores and
    ``reliability`` the test-retest reliability r, both on the instrument's
    own scale; ``higher_is_better`` says which direction is improvement.
    ``source`` says where the figures come from.
    """

    name: str
    sd: float = attrs.field(validator=_positive)
    reliability: float = attrs.field(validator=_reliability)
    higher_is_better: bool = True
    source: str = ""

    def rci(self, first: float, latest: float) -> float:
        """The RCI from ``first`` to ``latest`` on this instrument (positive = higher score)."""
        return rci(first, latest, self.sd, self.reliability)

    def reliably_improved(self, first: float, latest: float) -> bool:
        """True when ``|RCI| > 1.96`` in the direction of improvement."""
        index = self.rci(first, latest)
        good = index if self.higher_is_better else -index
        return good > RELIABLE_CHANGE

    def reliably_worse(self, first: float, latest: float) -> bool:
        """True when ``|RCI| > 1.96`` in the direction of deterioration."""
        index = self.rci(first, latest)
        bad = -index if self.higher_is_better else index
        return bad > RELIABLE_CHANGE


EXAMPLE_INSTRUMENTS: Final[Mapping[str, Instrument]] = MappingProxyType(
    {
        "example_wellbeing": Instrument(
            name="example_wellbeing",
            sd=6.0,
            reliability=0.8,
            higher_is_better=True,
            source="EXAMPLE VALUES ONLY, not a published norm: replace with your instrument's",
        ),
        "example_risk_score": Instrument(
            name="example_risk_score",
            sd=4.0,
            reliability=0.75,
            higher_is_better=False,
            source="EXAMPLE VALUES ONLY, not a published norm: replace with your instrument's",
        ),
    }
)
"""Illustrative instruments with made-up figures, so the RCI path can be shown and tested.

They are not real norms. Pass your own catalogue (``instruments=``) with
the standard deviation and reliability published for the scales you use.
"""


def catalogue(instruments: Iterable[Instrument]) -> Mapping[str, Instrument]:
    """A read-only name -> instrument mapping (a repeated name is an error)."""
    out: dict[str, Instrument] = {}
    for inst in instruments:
        if inst.name in out:
            raise ModelError("Instrument", "name", "is repeated in the catalogue", inst.name)
        out[inst.name] = inst
    return MappingProxyType(out)
