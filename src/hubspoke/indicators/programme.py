"""Score every spoke of a programme over one period: inputs frames and tidy score frames.

:func:`inputs_frame` derives one row of inputs per spoke (the scalar
derivations of :mod:`hubspoke.indicators.derive`); :func:`score_programme`
scores them with the vectorised form
(:func:`~hubspoke.indicators.vectorised.score_frame`, equal row by row to
the scalar reference). Only spokes active during the period (running on at
least one day of it, by their actual dates where known) are included: a
spoke that has not started, or has ended, has nothing to score and would
otherwise show as "insufficient evidence".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
import pandas as pd

from hubspoke.errors import ModelError
from hubspoke.indicators.derive import (
    embeddedness_inputs,
    independence_inputs,
    spoke_active,
    sustainability_inputs,
)
from hubspoke.indicators.inputs import (
    EmbeddednessInputs,
    IndependenceInputs,
    SustainabilityInputs,
)
from hubspoke.indicators.rubric import DEFAULT_RUBRIC, INDICATORS, Rubric
from hubspoke.indicators.vectorised import score_frame
from hubspoke.model import MonitoringReturn, Programme, Spoke
from hubspoke.periods import Period

if TYPE_CHECKING:
    from hubspoke.figures.inputs import ReturnInputs
    from hubspoke.figures.records import RecordFrames

Inputs = EmbeddednessInputs | IndependenceInputs | SustainabilityInputs
Derivation = Callable[[Programme, Sequence[MonitoringReturn], str, Period], Inputs]

DERIVATIONS: Final[dict[str, tuple[type, Derivation]]] = {
    "embeddedness": (EmbeddednessInputs, embeddedness_inputs),
    "independence": (IndependenceInputs, independence_inputs),
    "sustainability": (SustainabilityInputs, sustainability_inputs),
}

KEY_COLUMNS: Final = ("spoke_id", "hub_id", "phase", "period_label")

_FLAG_INPUTS: Final = frozenset(
    {
        "formal_agreement",
        "host_in_recruitment",
        "referral_mandate",
        "time_limited_work",
        "manager_funded",
    }
)
_COUNT_INPUTS: Final = frozenset(
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


#: Each component's inputs and, for a ratio, the input whose 0 makes it unavailable.
COMPONENT_INPUTS: Final[dict[tuple[str, str], tuple[tuple[str, ...], str | None]]] = {
    ("embeddedness", "agreement"): (("formal_agreement",), None),
    ("embeddedness", "colocation"): (("colocation_days",), None),
    ("embeddedness", "systems_access"): (("systems_access",), None),
    ("embeddedness", "forums"): (("forums_attended", "forums_held"), "forums_held"),
    ("embeddedness", "referral_integration"): (
        ("referrals_from_agencies", "referrals_total"),
        "referrals_total",
    ),
    ("embeddedness", "recruitment"): (("host_in_recruitment",), None),
    ("independence", "funding"): (("independent_funding", "total_funding"), "total_funding"),
    ("independence", "management"): (("line_management",), None),
    ("independence", "referral_control"): (("referral_mandate",), None),
    ("independence", "time_limits"): (("time_limited_work",), None),
    ("independence", "preventative_work"): (
        ("cases_below_high_risk", "cases_total"),
        "cases_total",
    ),
    ("independence", "cse_focus"): (("cse_hours", "total_hours"), "total_hours"),
    ("sustainability", "runway"): (("months_funded_ahead",), None),
    ("sustainability", "diversity"): (("funding_by_funder",), "funding_by_funder"),
    ("sustainability", "workforce"): (("post_months_filled", "post_months"), "post_months"),
    ("sustainability", "supervision"): (("supervision_sessions", "period_months"), "period_months"),
    ("sustainability", "manager"): (("manager_funded",), None),
    ("sustainability", "commitment"): (("longest_funding_months",), None),
}


def _absent(frame: pd.DataFrame, name: str) -> np.ndarray[Any, Any]:
    if name not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    column = frame[name]
    if column.dtype == object:
        return np.array([v is None or v is pd.NA for v in column], dtype=bool)
    return column.isna().to_numpy(dtype=bool)


def _reasons(frame: pd.DataFrame, indicator: str, component: str) -> pd.Series:
    """Why each row's component would be unavailable (NA where nothing is missing or 0)."""
    found = COMPONENT_INPUTS.get((indicator, component))
    if found is None:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    inputs, denominator = found
    gone = [_absent(frame, name) for name in inputs]
    text = np.full(len(frame), None, dtype=object)
    if len(inputs) == 1:
        text[gone[0]] = f"{inputs[0]} missing"
    else:
        a, b = gone
        text[a & ~b] = f"{inputs[0]} missing"
        text[~a & b] = f"{inputs[1]} missing"
        text[a & b] = f"{inputs[0]} and {inputs[1]} missing"
    if denominator is not None and denominator in frame.columns:
        column = frame[denominator]
        if column.dtype == object:
            zero = np.array(
                [v is not None and v is not pd.NA and sum(v) == 0 for v in column], dtype=bool
            )
            said = "funding total is 0"
        else:
            zero = (column == 0).to_numpy(dtype=bool, na_value=False)
            said = f"{denominator} is 0"
        unset = np.array([t is None for t in text], dtype=bool)
        text[zero & unset] = said
    return pd.Series(text, index=frame.index, dtype="string")


def input_dtype(name: str) -> str:
    """The pandas dtype of an input column in :func:`inputs_frame`."""
    if name in _FLAG_INPUTS:
        return "boolean"
    if name in _COUNT_INPUTS:
        return "Int64"
    if name == "line_management":
        return "string"
    if name == "funding_by_funder":
        return "object"
    return "Float64"


def _indicator(indicator: str) -> tuple[type, Derivation]:
    try:
        return DERIVATIONS[indicator]
    except KeyError:
        raise ModelError(
            "inputs_frame", "indicator", f"must be one of: {', '.join(INDICATORS)}", indicator
        ) from None


def active_spokes(programme: Programme, period: Period) -> tuple[Spoke, ...]:
    """Spokes running on at least one day of ``period``, by id."""
    return tuple(
        sorted((s for s in programme.spokes if spoke_active(s, period)), key=lambda s: s.id)
    )


def _phase(programme: Programme, hub_id: str) -> int | None:
    return next((h.phase for h in programme.hubs if h.id == hub_id), None)


def inputs_frame(
    programme: Programme,
    returns: Sequence[MonitoringReturn],
    period: Period,
    indicator: str,
) -> pd.DataFrame:
    """One row per active spoke (by id): ``spoke_id, hub_id, phase, period_label`` then the inputs.

    Input columns are named exactly as the fields of the indicator's inputs
    class; dtypes: flags ``boolean``, counts ``Int64``, ``line_management``
    ``string``, ``funding_by_funder`` tuples (object), the rest ``Float64``;
    NA where the input is missing. An adapter over :func:`inputs_frame_from_frames`.
    """
    from hubspoke.figures.inputs import frames_of_returns

    return inputs_frame_from_frames(programme, frames_of_returns(returns), period, indicator)


def inputs_frame_from_frames(
    programme: Programme, frames: RecordFrames, period: Period, indicator: str
) -> pd.DataFrame:
    """:func:`inputs_frame` over record frames (returns read column-wise for all spokes)."""
    from hubspoke.figures.inputs import return_inputs_of

    return _inputs_frame(programme, period, indicator, return_inputs_of(frames, period))


def _inputs_frame(
    programme: Programme, period: Period, indicator: str, found: ReturnInputs
) -> pd.DataFrame:
    from hubspoke.figures.inputs import inputs_for

    cls, _ = _indicator(indicator)
    names = [f.name for f in attrs.fields(cls)]
    rows: list[dict[str, Any]] = []
    for spoke in active_spokes(programme, period):
        inputs = inputs_for(programme, spoke.id, period, indicator, found)
        row: dict[str, Any] = {
            "spoke_id": spoke.id,
            "hub_id": spoke.hub_id,
            "phase": _phase(programme, spoke.hub_id),
            "period_label": period.label,
        }
        row.update(attrs.asdict(inputs, recurse=False))
        rows.append(row)
    frame = pd.DataFrame(rows, columns=[*KEY_COLUMNS, *names])
    dtypes = {"spoke_id": "string", "hub_id": "string", "phase": "Int64", "period_label": "string"}
    dtypes.update({n: input_dtype(n) for n in names})
    return frame.astype(dtypes)


@attrs.frozen(kw_only=True, eq=False)
class ProgrammeScores:
    """Every active spoke's scores for one period.

    ``scores``: one row per spoke and indicator, columns ``spoke_id, hub_id,
    phase, period_label, indicator, value`` (``Float64``, NA for insufficient
    evidence), ``coverage`` (``float64``), ``rubric_version``.
    ``components``: one row per spoke, indicator and component, columns
    ``spoke_id, hub_id, phase, period_label, indicator, component, value``
    (``Float64``, NA when unavailable), ``weight`` (``float64``) and
    ``reason`` (why it is unavailable, e.g. "cse_hours missing" or
    "forums_held is 0"; NA when available).
    ``inputs`` maps each indicator to its :func:`inputs_frame`, so every
    score can be traced to the inputs behind it.
    """

    period: Period
    rubric_version: str
    scores: pd.DataFrame
    components: pd.DataFrame
    inputs: dict[str, pd.DataFrame]

    def explain(self, spoke_id: str, indicator: str | None = None) -> str:
        """One spoke's scores in words, one line per indicator (as ``IndicatorScore.explain``).

        Each line gives the value and coverage, each available component as
        ``value x weight``, and each unavailable one with its weight and reason.
        """
        lines = []
        scores = self.scores[self.scores["spoke_id"] == spoke_id]
        if scores.empty:
            raise KeyError(f"no scores for spoke {spoke_id!r} in {self.period.label}")
        for rec in scores.to_dict("records"):
            name = str(rec["indicator"])
            if indicator is not None and name != indicator:
                continue
            value = rec["value"]
            shown = "insufficient evidence" if pd.isna(value) else f"{float(value):.2f}"
            head = (
                f"{name} {shown} (coverage {float(rec['coverage']):.2f}, "
                f"rubric {rec['rubric_version']})"
            )
            parts = self.components[
                (self.components["spoke_id"] == spoke_id) & (self.components["indicator"] == name)
            ]
            have = [
                f"{c['component']} {float(c['value']):.2f} x {float(c['weight']):.2f}"
                for c in parts.to_dict("records")
                if not pd.isna(c["value"])
            ]
            gone = [
                f"{c['component']} unavailable (weight {float(c['weight']):.2f}): {c['reason']}"
                for c in parts.to_dict("records")
                if pd.isna(c["value"])
            ]
            lines.append(head + ": " + ", ".join(have) + ("; " + "; ".join(gone) if gone else ""))
        return "\n".join(lines)

    def wide(self) -> pd.DataFrame:
        """One row per spoke: each indicator's value and coverage side by side."""
        frame: pd.DataFrame = pd.DataFrame(
            self.scores.set_index(["spoke_id", "hub_id", "phase", "indicator"])[
                ["value", "coverage"]
            ].unstack("indicator")
        )
        frame.columns = pd.Index(
            [
                f"{pair[1]} {pair[0]}" if pair[0] == "coverage" else str(pair[1])
                for pair in frame.columns.to_list()
            ]
        )
        return frame.reset_index()

    def _repr_html_(self) -> str:
        from hubspoke.notebook import scores_html

        return scores_html(self)


def score_programme(
    programme: Programme,
    returns: Sequence[MonitoringReturn],
    period: Period,
    rubric: Rubric = DEFAULT_RUBRIC,
) -> ProgrammeScores:
    """Score every active spoke on every indicator over ``period``.

    Rows are ordered by indicator (rubric order), then spoke id; components by
    indicator, spoke id, then rubric component order. An adapter over
    :func:`score_programme_from_frames`.
    """
    from hubspoke.figures.inputs import frames_of_returns

    return score_programme_from_frames(programme, frames_of_returns(returns), period, rubric)


def score_programme_from_frames(
    programme: Programme,
    frames: RecordFrames,
    period: Period,
    rubric: Rubric = DEFAULT_RUBRIC,
) -> ProgrammeScores:
    """:func:`score_programme` over record frames (what the workspace calls)."""
    from hubspoke.figures.inputs import return_inputs_of

    found = return_inputs_of(frames, period)
    score_parts: list[pd.DataFrame] = []
    component_parts: list[pd.DataFrame] = []
    inputs: dict[str, pd.DataFrame] = {}
    for indicator in INDICATORS:
        frame = _inputs_frame(programme, period, indicator, found)
        inputs[indicator] = frame
        scored = score_frame(frame, indicator, rubric)
        keys = frame.loc[:, list(KEY_COLUMNS)].reset_index(drop=True)
        scored = scored.reset_index(drop=True)
        part = keys.assign(
            indicator=indicator,
            value=scored["value"],
            coverage=scored["coverage"].astype("float64"),
            rubric_version=rubric.version,
        )
        score_parts.append(part)
        for name, weight in rubric.weights(indicator).values:
            why = _reasons(frame.reset_index(drop=True), indicator, name)
            component_parts.append(
                keys.assign(
                    indicator=indicator,
                    component=name,
                    value=scored[name],
                    weight=float(weight),
                    reason=why.where(scored[name].isna(), pd.NA),
                )
            )
    scores = pd.concat(score_parts, ignore_index=True).astype(
        {"indicator": "string", "value": "Float64", "rubric_version": "string"}
    )
    components = pd.concat(component_parts, ignore_index=True)
    if len(components):
        order = {n: i for i, (n, _) in enumerate(_all_components(rubric))}
        components = components.assign(
            _i=components["indicator"].map(INDICATORS.index),
            _c=components["indicator"] + "." + components["component"],
        )
        components = (
            components.assign(_c=components["_c"].map(order))
            .sort_values(["_i", "spoke_id", "_c"], kind="stable")
            .drop(columns=["_i", "_c"])
            .reset_index(drop=True)
        )
    components = components.astype(
        {
            "indicator": "string",
            "component": "string",
            "value": "Float64",
            "weight": "float64",
            "reason": "string",
        }
    )
    return ProgrammeScores(
        period=period,
        rubric_version=rubric.version,
        scores=scores,
        components=components,
        inputs=inputs,
    )


def _all_components(rubric: Rubric) -> list[tuple[str, float]]:
    return [
        (f"{indicator}.{name}", weight)
        for indicator in INDICATORS
        for name, weight in rubric.weights(indicator).values
    ]
