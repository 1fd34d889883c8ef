"""The reliable change index (Jacobson and Truax 1991) and the instrument catalogue."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hubspoke.errors import ModelError
from hubspoke.indicators.change import EXAMPLE_INSTRUMENTS, Instrument, catalogue, rci

scores = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
sds = st.floats(min_value=1e-3, max_value=1e3)
reliabilities = st.floats(min_value=0.0, max_value=0.99)


@given(scores, scores, sds, reliabilities)
def test_rci_is_antisymmetric(x1: float, x2: float, sd: float, r: float) -> None:
    assert rci(x1, x2, sd, r) == -rci(x2, x1, sd, r)


@given(scores, sds, reliabilities)
def test_no_change_is_zero(x: float, sd: float, r: float) -> None:
    assert rci(x, x, sd, r) == 0


def test_rci_by_hand() -> None:
    # sd 6, r 0.8: standard error of the difference = 6 x sqrt(2) x sqrt(0.2) = 3.7947
    assert rci(10, 20, 6, 0.8) == pytest.approx(10 / (6 * math.sqrt(2) * math.sqrt(0.2)))
    assert rci(10, 20, 6, 0.8) == pytest.approx(2.6352, abs=1e-4)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((1, 2, 0, 0.5), "sd1"),
        ((1, 2, 1, 1.0), "r"),
        ((1, 2, 1, -0.1), "r"),
        ((math.nan, 2, 1, 0.5), "x1"),
    ],
)
def test_bad_arguments_name_the_argument(args: tuple[float, ...], field: str) -> None:
    with pytest.raises(ModelError, match=f"rci.{field}"):
        rci(*args)


def test_direction_of_improvement() -> None:
    lower_better = Instrument(name="worry", sd=2, reliability=0.5, higher_is_better=False)
    # threshold: 1.96 x 2 x sqrt(2) x sqrt(0.5) = 3.92
    assert lower_better.reliably_improved(10, 6)
    assert not lower_better.reliably_improved(10, 6.5)
    assert lower_better.reliably_worse(6, 10)
    assert not lower_better.reliably_improved(6, 10)


def test_examples_are_marked_and_catalogue_rejects_repeats() -> None:
    assert all("EXAMPLE" in i.source for i in EXAMPLE_INSTRUMENTS.values())
    one = Instrument(name="a", sd=1, reliability=0.5)
    assert dict(catalogue([one])) == {"a": one}
    with pytest.raises(ModelError, match="repeated"):
        catalogue([one, one])
    with pytest.raises(ModelError, match="reliability"):
        Instrument(name="b", sd=1, reliability=1.0)
