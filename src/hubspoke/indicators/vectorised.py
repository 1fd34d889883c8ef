"""Vectorised scoring: rubric v1 over a DataFrame of spoke-periods, column by column.

:func:`score_frame` takes one row per spoke-period and one column per input
(named exactly as the fields of the inputs classes) and returns, with the
same index, ``value``, ``coverage`` and one column per component. It agrees
with the scalar reference (:mod:`hubspoke.indicators.scoring`) row by row:
component values are computed with the same floating-point operations in the
same order, and coverage comes from the same :func:`coverage_of`.

Input columns:

- missing values are NA/NaN/None; nullable dtypes (``Int64``, ``Float64``,
  ``boolean``, ``string``, ``category``) and plain numpy dtypes are accepted;
- flags (``formal_agreement`` ...) are booleans (0/1 numbers also pass);
- ``line_management`` holds "hub", "shared" or "host";
- sustainability's funders: either a ``funding_by_funder`` column of tuples of
  amounts (as the scalar form takes them; lists pass too), flattened and
  summed per row with ``numpy.bincount``, or, when that column is absent, the
  two precomputed columns ``funding_total`` (sum of the amounts) and
  ``funding_sum_squares`` (sum of their squares), which is what a frame built
  from a funding table naturally has (it agrees with the tuple form to 1e-12
  for money; squares of amounts below about 1e-150 would underflow). An empty tuple is a total of 0
  (diversity unavailable); a missing amount inside a tuple is an error, as in
  the scalar form.

Values breaking the same rules as in the scalar inputs classes (negative counts,
colocation days above 7, a part above its total...) raise
:class:`~hubspoke.errors.ModelError` naming the column, how many rows break
the rule and the index label of the first. A missing column is an error
naming it; no row is ever dropped.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api.types import infer_dtype

from hubspoke.errors import ModelError, RubricError
from hubspoke.indicators.inputs import (
    PART_TOLERANCE,
    PARTS_OF_TOTALS,
    EmbeddednessInputs,
    IndependenceInputs,
    SustainabilityInputs,
)
from hubspoke.indicators.rubric import COMPONENTS, DEFAULT_RUBRIC, INDICATORS, Rubric
from hubspoke.indicators.scoring import MANAGEMENT_VALUES, coverage_of

Floats = npt.NDArray[np.float64]

_INPUT_CLASSES: Final[Mapping[str, type]] = {
    "embeddedness": EmbeddednessInputs,
    "independence": IndependenceInputs,
    "sustainability": SustainabilityInputs,
}

#: Input columns each indicator needs, by kind of value.
_FLAGS: Final = frozenset(
    {
        "formal_agreement",
        "host_in_recruitment",
        "referral_mandate",
        "time_limited_work",
        "manager_funded",
    }
)
_COUNTS: Final = frozenset(
    {
        "systems_access",
        "forums_attended",
        "forums_held",
        "referrals_from_agencies",
        "referrals_total",
        "cases_below_high_risk",
        "cases_total",
        "supervision_sessions",
    }
)
_UPPER_BOUNDS: Final[Mapping[str, float]] = {"colocation_days": 7.0, "systems_access": 3.0}

#: The precomputed alternative to ``funding_by_funder``.
FUNDING_COLUMNS: Final = ("funding_total", "funding_sum_squares")


def input_columns(indicator: str) -> tuple[str, ...]:
    """The input column names of ``indicator``, in the inputs class's field order."""
    return tuple(f.name for f in attrs.fields(_INPUT_CLASSES[indicator]))


class _Columns:
    """Reads, converts and checks a frame's input columns as float arrays (NaN = missing)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def fail(
        self, column: str, rule: str, bad: npt.NDArray[np.bool_], values: Floats | None
    ) -> None:
        """Raise naming ``column``, the count of ``bad`` rows and the first one's index label."""
        positions = np.flatnonzero(bad)
        if positions.size:
            first = int(positions[0])
            label = self.frame.index[first]
            raise ModelError(
                "score_frame",
                column,
                f"{rule} ({positions.size} of {len(bad)} rows; first at index {label!r})",
                None if values is None else values[first].item(),
            )

    def series(self, column: str) -> pd.Series:
        if column not in self.frame.columns:
            raise ModelError(
                "score_frame",
                column,
                "required column is missing from the frame",
                tuple(str(c) for c in self.frame.columns),
            )
        return self.frame[column]

    def number(self, column: str) -> Floats:
        series = self.series(column)
        try:
            if isinstance(series.dtype, pd.CategoricalDtype) or series.dtype == object:
                series = series.astype("Float64")
            values: Floats = series.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise ModelError(
                "score_frame", column, "must hold numbers (NA for missing)", str(series.dtype)
            ) from exc
        present = ~np.isnan(values)
        self.fail(column, "must be finite", present & np.isinf(values), values)
        self.fail(column, "must be >= 0", present & (values < 0), values)
        if column in _COUNTS:
            whole = np.floor(values) == values
            self.fail(column, "must be a whole number", present & ~whole, values)
        if column in _UPPER_BOUNDS:
            high = _UPPER_BOUNDS[column]
            self.fail(column, f"must be at most {high:g}", present & (values > high), values)
        return values

    def flag(self, column: str) -> Floats:
        series = self.series(column)
        try:
            flags = series.astype("boolean")
            values = np.asarray(flags.to_numpy(dtype=np.float64, na_value=np.nan), np.float64)
        except (TypeError, ValueError) as exc:
            raise ModelError(
                "score_frame", column, "must hold true/false (NA for missing)", str(series.dtype)
            ) from exc
        return values

    def line_management(self, column: str = "line_management") -> Floats:
        series = self.series(column)
        text = series.astype("string")
        values = np.full(len(series), np.nan)
        for name, score in MANAGEMENT_VALUES.items():
            values[(text == name).to_numpy(dtype=bool, na_value=False)] = score
        unknown = text.notna().to_numpy(dtype=bool) & np.isnan(values)
        positions = np.flatnonzero(unknown)
        if positions.size:
            first = int(positions[0])
            raise ModelError(
                "score_frame",
                column,
                f"must be one of: hub, shared, host ({positions.size} of {len(series)} rows; "
                f"first at index {self.frame.index[first]!r})",
                text.iloc[first],
            )
        return values

    def funders(self) -> tuple[Floats, Floats]:
        """Per row: (total, Herfindahl index) of the funders' amounts; NaN when missing.

        The index is NaN (and diversity unavailable) when the total is 0.
        """
        if "funding_by_funder" in self.frame.columns:
            return self._funders_from_tuples(self.frame["funding_by_funder"])
        total = self.number("funding_total")
        squares = self.number("funding_sum_squares")
        self.fail(
            "funding_total",
            "must be missing exactly when funding_sum_squares is",
            np.isnan(total) != np.isnan(squares),
            total,
        )
        self.fail(
            "funding_sum_squares",
            "must not exceed funding_total squared",
            squares > total * total * (1 + PART_TOLERANCE),
            squares,
        )
        with np.errstate(all="ignore"):
            herfindahl = (squares / total) / total
        return total, np.where(total == 0, np.nan, herfindahl)

    def _funders_from_tuples(self, series: pd.Series) -> tuple[Floats, Floats]:
        """Total and Herfindahl index per row from a column of tuples of amounts.

        The tuples (or lists) are flattened in C (``map``/``itertools.chain``
        into ``numpy.fromiter``: no Python code runs per row; it does what
        ``Series.explode`` does at a third of the cost), checked to be numbers
        with ``infer_dtype``, then summed per row with ``numpy.bincount``.
        Only when a non-number is present does a slower per-item pass find it.
        """
        rows = len(series)
        values = series.to_numpy(dtype=object)
        kinds = pd.Series(np.fromiter(map(type, values), dtype=object, count=rows))
        sequence = kinds.isin((tuple, list)).to_numpy()
        # Only the few non-sequences need the (slower) NA test on objects.
        others = np.flatnonzero(~sequence)
        missing = np.zeros(rows, dtype=bool)
        missing[others] = pd.isna(values[others])
        self._funders_fail(np.arange(rows), ~sequence & ~missing, values)
        present_rows = np.flatnonzero(sequence)
        present = values[present_rows]
        lengths = np.fromiter(map(len, present), dtype=np.int64, count=len(present))
        flat = int(lengths.sum())
        items = np.fromiter(itertools.chain.from_iterable(present), dtype=object, count=flat)
        if infer_dtype(items, skipna=False) in _ALL_NUMBERS:
            amounts = items.astype(np.float64)
            not_numbers = np.zeros(flat, dtype=bool)
        else:  # numpy would read "12.5" and True as numbers; the scalar form refuses them
            kinds_of_items = np.fromiter(map(type, items), dtype=object, count=flat)
            not_numbers = pd.Series(kinds_of_items, dtype=object).isin(_NOT_AMOUNTS).to_numpy()
            amounts = np.array([_as_amount(v) for v in items], dtype=np.float64)
        owner = np.repeat(present_rows, lengths)
        wrong = np.bincount(
            owner, weights=not_numbers | ~np.isfinite(amounts) | (amounts < 0), minlength=rows
        )
        self._funders_fail(np.arange(rows), wrong > 0, values)
        total = np.where(missing, np.nan, np.bincount(owner, weights=amounts, minlength=rows))
        with np.errstate(all="ignore"):
            shares = amounts / total[owner]
        herfindahl = np.bincount(owner, weights=shares * shares, minlength=rows)
        return total, np.where(missing | (total == 0), np.nan, herfindahl)

    def _funders_fail(
        self, rows: npt.NDArray[np.intp], bad: npt.NDArray[np.bool_], values: npt.NDArray[Any]
    ) -> None:
        positions = np.flatnonzero(bad)
        if positions.size:
            first = int(positions[0])
            raise ModelError(
                "score_frame",
                "funding_by_funder",
                "must hold tuples of finite amounts >= 0, NA for missing "
                f"({positions.size} of {len(self.frame)} rows; "
                f"first at index {self.frame.index[int(rows[first])]!r})",
                values[first],
            )

    def parts_within_totals(self, indicator: str, values: Mapping[str, Floats]) -> None:
        for part, total, whole in PARTS_OF_TOTALS[_INPUT_CLASSES[indicator].__name__]:
            limit = values[total] if whole else values[total] * (1 + PART_TOLERANCE)
            self.fail(part, f"must not exceed {total}", values[part] > limit, values[part])


#: Types numpy would convert to a float but that are not amounts.
_NOT_AMOUNTS: Final = (str, bytes, bool, np.bool_)

#: ``infer_dtype`` results of object arrays holding only numbers (NaN included).
_ALL_NUMBERS: Final = frozenset({"floating", "integer", "mixed-integer-float", "empty"})


def _as_amount(value: object) -> float:
    """Error path only: ``value`` as a float, NaN (reported as an error) when it is not one."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _ratio(part: Floats, total: Floats, target: float = 1.0) -> Floats:
    with np.errstate(all="ignore"):
        value = np.minimum((part / total) / target, 1.0)
    return np.where(total == 0, np.nan, value)


def _scaled(given: Floats, full: float) -> Floats:
    with np.errstate(all="ignore"):
        return np.minimum(given / full, 1.0)


def _embeddedness(cols: _Columns, rubric: Rubric) -> dict[str, Floats]:
    v = {c: cols.number(c) for c in input_columns("embeddedness") if c not in _FLAGS}
    cols.parts_within_totals("embeddedness", v)
    return {
        "agreement": cols.flag("formal_agreement"),
        "colocation": _scaled(v["colocation_days"], rubric.targets.colocation_full_time_days),
        "systems_access": v["systems_access"] / 3,
        "forums": _ratio(v["forums_attended"], v["forums_held"]),
        "referral_integration": _ratio(v["referrals_from_agencies"], v["referrals_total"]),
        "recruitment": cols.flag("host_in_recruitment"),
    }


def _independence(cols: _Columns, rubric: Rubric) -> dict[str, Floats]:
    skip = _FLAGS | {"line_management"}
    v = {c: cols.number(c) for c in input_columns("independence") if c not in skip}
    cols.parts_within_totals("independence", v)
    return {
        "funding": _ratio(v["independent_funding"], v["total_funding"]),
        "management": cols.line_management(),
        "referral_control": 1.0 - cols.flag("referral_mandate"),
        "time_limits": 1.0 - cols.flag("time_limited_work"),
        "preventative_work": _ratio(
            v["cases_below_high_risk"], v["cases_total"], rubric.targets.preventative_target
        ),
        "cse_focus": _ratio(v["cse_hours"], v["total_hours"]),
    }


def _sustainability(cols: _Columns, rubric: Rubric) -> dict[str, Floats]:
    skip = _FLAGS | {"funding_by_funder"}
    v = {c: cols.number(c) for c in input_columns("sustainability") if c not in skip}
    cols.parts_within_totals("sustainability", v)
    _, herfindahl = cols.funders()
    diversity = np.clip(1.0 - herfindahl, 0.0, 1.0)
    with np.errstate(all="ignore"):
        expected = v["period_months"] * rubric.targets.supervision_per_month
        supervision = np.minimum(v["supervision_sessions"] / expected, 1.0)
    return {
        "runway": _scaled(v["months_funded_ahead"], rubric.targets.runway_target),
        "diversity": diversity,
        "workforce": _ratio(v["post_months_filled"], v["post_months"]),
        "supervision": np.where(expected == 0, np.nan, supervision),
        "manager": cols.flag("manager_funded"),
        "commitment": _scaled(v["longest_funding_months"], rubric.targets.commitment_months),
    }


_COMPONENT_BUILDERS: Final[Mapping[str, Callable[[_Columns, Rubric], dict[str, Floats]]]] = {
    "embeddedness": _embeddedness,
    "independence": _independence,
    "sustainability": _sustainability,
}


def _as_nullable(values: Floats) -> pd.arrays.FloatingArray:
    """``values`` as a ``Float64`` array, NaN becoming <NA> (no copy of the data)."""
    return pd.arrays.FloatingArray(values, np.isnan(values))


def score_frame(
    frame: pd.DataFrame, indicator: str, rubric: Rubric = DEFAULT_RUBRIC
) -> pd.DataFrame:
    """Score every row of ``frame`` (one spoke-period each) for ``indicator``.

    Returns a DataFrame with ``frame``'s index and columns ``value``
    (``Float64``, NA for insufficient evidence), ``coverage`` (``float64``)
    and one ``Float64`` column per component (NA when unavailable), in rubric
    order. Equal to :func:`~hubspoke.indicators.scoring.score_embeddedness`
    (and the others) applied row by row.
    """
    if indicator not in COMPONENTS:
        raise ModelError(
            "score_frame", "indicator", f"must be one of: {', '.join(INDICATORS)}", indicator
        )
    if not isinstance(rubric, Rubric):
        raise RubricError(f"score_frame: rubric must be a Rubric (got {rubric!r})")
    if not isinstance(frame, pd.DataFrame):
        raise ModelError("score_frame", "frame", "must be a pandas DataFrame", type(frame).__name__)
    components = _COMPONENT_BUILDERS[indicator](_Columns(frame), rubric)
    weights = rubric.weights(indicator).values
    rows = len(frame)
    numerator = np.zeros(rows)
    denominator = np.zeros(rows)
    pattern = np.zeros(rows, dtype=np.int64)
    for bit, (name, weight) in enumerate(weights):
        value = components[name]
        available = ~np.isnan(value)
        # Adding 0.0 for an unavailable component is exact, so these sums equal
        # the scalar form's sums over the available components in the same order.
        numerator = numerator + np.where(available, weight * value, 0.0)
        denominator = denominator + np.where(available, weight, 0.0)
        pattern |= available.astype(np.int64) << bit
    # Coverage depends only on which components are available: 2**6 patterns,
    # each computed by the scalar form's own function.
    table = np.array(
        [
            coverage_of([w for bit, (_, w) in enumerate(weights) if mask >> bit & 1])
            for mask in range(1 << len(weights))
        ]
    )
    coverage = table[pattern]
    sufficient = (coverage >= rubric.min_coverage) & (denominator > 0)
    with np.errstate(all="ignore"):
        mean = np.clip(numerator / denominator, 0.0, 1.0)
    result = {
        "value": _as_nullable(np.where(sufficient, mean, np.nan)),
        "coverage": coverage,
    }
    result.update({name: _as_nullable(components[name]) for name, _ in weights})
    return pd.DataFrame(result, index=frame.index, copy=False)
