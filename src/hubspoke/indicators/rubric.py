"""The scoring rubric: every weight, target and threshold, frozen and validated.

:data:`DEFAULT_RUBRIC` is rubric v1 as specified in ``docs/indicators.md``.
Evaluators may load their own with :func:`load_rubric` from a TOML file that
mirrors :func:`rubric_to_toml`'s output::

    version = "local-2016"        # required; must differ from "1" if anything differs
    min_coverage = 0.5

    [weights.embeddedness]        # per indicator, component -> weight; sum to 1
    agreement = 0.2
    ...

    [targets]                     # all > 0
    runway_target = 24
    ...

    [thresholds]
    o2_threshold = 0.6
    ...

A file may set any subset of keys; unset keys keep rubric v1's values. Every
indicator's weights (after merging) must sum to 1 within 1e-9. Unknown keys,
wrong types, negative weights, non-positive targets and out-of-range
thresholds raise :class:`~hubspoke.errors.RubricError` naming the key as a
dotted path (``weights.embeddedness.forums``).

This module imports neither pandas nor the plugin machinery.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from hubspoke.errors import RubricError

#: The indicators, in reporting order.
INDICATORS: Final = ("embeddedness", "independence", "sustainability")

#: Each indicator's components, in the order they are summed and reported.
COMPONENTS: Final[Mapping[str, tuple[str, ...]]] = {
    "embeddedness": (
        "agreement",
        "colocation",
        "systems_access",
        "forums",
        "referral_integration",
        "recruitment",
    ),
    "independence": (
        "funding",
        "management",
        "referral_control",
        "time_limits",
        "preventative_work",
        "cse_focus",
    ),
    "sustainability": (
        "runway",
        "diversity",
        "workforce",
        "supervision",
        "manager",
        "commitment",
    ),
}

#: Tolerance on each indicator's weights summing to 1.
WEIGHT_SUM_TOLERANCE: Final = 1e-9


def _number(key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RubricError(f"{key}: must be a finite number (got {value!r})")
    return float(value)


def _weight(key: str, value: object) -> float:
    number = _number(key, value)
    if number < 0:
        raise RubricError(f"{key}: a weight must be >= 0 (got {value!r})")
    return number


def _positive(key: str, value: object) -> float:
    number = _number(key, value)
    if number <= 0:
        raise RubricError(f"{key}: a target must be > 0 (got {value!r})")
    return number


def _unit_interval(key: str, value: object) -> float:
    number = _number(key, value)
    if not 0 <= number <= 1:
        raise RubricError(f"{key}: must be in [0, 1] (got {value!r})")
    return number


def _non_negative(key: str, value: object) -> float:
    number = _number(key, value)
    if number < 0:
        raise RubricError(f"{key}: must be >= 0 (got {value!r})")
    return number


@attrs.frozen(kw_only=True)
class IndicatorWeights:
    """The weights of one indicator's components, in component order.

    ``values`` pairs each component name with its weight; the names must be
    exactly :data:`COMPONENTS` ``[indicator]`` and the weights non-negative
    summing to 1 (within :data:`WEIGHT_SUM_TOLERANCE`).
    """

    indicator: str
    values: tuple[tuple[str, float], ...]

    def __attrs_post_init__(self) -> None:
        if self.indicator not in COMPONENTS:
            raise RubricError(
                f"weights.{self.indicator}: unknown indicator (known: {', '.join(INDICATORS)})"
            )
        expected = COMPONENTS[self.indicator]
        names = tuple(name for name, _ in self.values)
        for name in names:
            if name not in expected:
                raise RubricError(
                    f"weights.{self.indicator}.{name}: unknown component "
                    f"(known: {', '.join(expected)})"
                )
        if names != expected:
            missing = [n for n in expected if n not in names]
            raise RubricError(
                f"weights.{self.indicator}: components must be {', '.join(expected)} "
                f"in that order (missing: {', '.join(missing) or 'none'})"
            )
        for name, weight in self.values:
            _weight(f"weights.{self.indicator}.{name}", weight)
        total = math.fsum(w for _, w in self.values)
        if abs(total - 1) > WEIGHT_SUM_TOLERANCE:
            raise RubricError(
                f"weights.{self.indicator}: weights must sum to 1 (they sum to {total:.12g})"
            )

    def __getitem__(self, component: str) -> float:
        for name, weight in self.values:
            if name == component:
                return weight
        raise RubricError(f"weights.{self.indicator}.{component}: unknown component")

    def as_dict(self) -> dict[str, float]:
        """Component name -> weight, in component order."""
        return dict(self.values)


@attrs.frozen(kw_only=True)
class Targets:
    """Targets at which a component reaches 1 (all > 0).

    ``preventative_target``: share of cases below high risk (0.3).
    ``runway_target``: months of secured funding beyond the period end (24).
    ``supervision_per_month``: supervision sessions expected a month (1).
    ``commitment_months``: length of the longest funding arrangement (36).
    ``colocation_full_time_days``: days a week on host premises counted as full time (5).
    """

    preventative_target: float = 0.3
    runway_target: float = 24.0
    supervision_per_month: float = 1.0
    commitment_months: float = 36.0
    colocation_full_time_days: float = 5.0

    def __attrs_post_init__(self) -> None:
        for field in attrs.fields(Targets):
            _positive(f"targets.{field.name}", getattr(self, field.name))


@attrs.frozen(kw_only=True)
class Thresholds:
    """Thresholds of the key outcome measures.

    ``o1_months``: months of funding secured beyond the programme grant's end
    for outcome 1 (12, >= 0). ``o2_threshold``: embeddedness at or above which a
    spoke counts as embedded (0.6, in [0, 1]). ``o3_cse_focus``: cse_focus at or
    above which a spoke keeps a distinct identity (0.7, in [0, 1]).
    """

    o1_months: float = 12.0
    o2_threshold: float = 0.6
    o3_cse_focus: float = 0.7

    def __attrs_post_init__(self) -> None:
        _non_negative("thresholds.o1_months", self.o1_months)
        _unit_interval("thresholds.o2_threshold", self.o2_threshold)
        _unit_interval("thresholds.o3_cse_focus", self.o3_cse_focus)


_V1_WEIGHTS: Final[Mapping[str, tuple[float, ...]]] = {
    "embeddedness": (0.20, 0.20, 0.15, 0.15, 0.15, 0.15),
    "independence": (0.30, 0.20, 0.15, 0.10, 0.15, 0.10),
    "sustainability": (0.30, 0.15, 0.20, 0.15, 0.10, 0.10),
}


def _v1_weights(indicator: str) -> IndicatorWeights:
    return IndicatorWeights(
        indicator=indicator,
        values=tuple(zip(COMPONENTS[indicator], _V1_WEIGHTS[indicator], strict=True)),
    )


def _version(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RubricError(f"version: must be a non-blank string (got {value!r})")
    return value


def _check_version(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _version(value)


def _check_min_coverage(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    _unit_interval("min_coverage", value)


@attrs.frozen(kw_only=True)
class Rubric:
    """A complete scoring rubric: weights, targets, thresholds, ``min_coverage``, ``version``.

    ``min_coverage`` (in [0, 1]) is the least coverage (sum of the weights of
    available components) at which an indicator gets a value; below it the
    value is None ("insufficient evidence").
    """

    version: str = attrs.field(validator=_check_version)
    embeddedness: IndicatorWeights = attrs.field(factory=lambda: _v1_weights("embeddedness"))
    independence: IndicatorWeights = attrs.field(factory=lambda: _v1_weights("independence"))
    sustainability: IndicatorWeights = attrs.field(factory=lambda: _v1_weights("sustainability"))
    targets: Targets = attrs.field(factory=Targets)
    thresholds: Thresholds = attrs.field(factory=Thresholds)
    min_coverage: float = attrs.field(default=0.5, validator=_check_min_coverage)

    def __attrs_post_init__(self) -> None:
        for indicator in INDICATORS:
            weights = getattr(self, indicator)
            if not isinstance(weights, IndicatorWeights) or weights.indicator != indicator:
                raise RubricError(f"weights.{indicator}: must be the weights of {indicator}")
        if not isinstance(self.targets, Targets):
            raise RubricError(f"targets: must be Targets (got {self.targets!r})")
        if not isinstance(self.thresholds, Thresholds):
            raise RubricError(f"thresholds: must be Thresholds (got {self.thresholds!r})")

    def weights(self, indicator: str) -> IndicatorWeights:
        """The component weights of ``indicator`` (one of :data:`INDICATORS`)."""
        if indicator not in COMPONENTS:
            raise RubricError(f"unknown indicator {indicator!r} (known: {', '.join(INDICATORS)})")
        weights: IndicatorWeights = getattr(self, indicator)
        return weights


#: Rubric v1, as specified in ``docs/indicators.md``.
DEFAULT_RUBRIC: Final = Rubric(version="1")


def _unknown(key: str, known: tuple[str, ...]) -> RubricError:
    return RubricError(f"{key}: unknown key (known here: {', '.join(known)})")


def _table(key: str, value: object) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise RubricError(f"{key}: must be a table (got {value!r})")
    return value


def rubric_from_mapping(data: Mapping[str, object], *, base: Rubric = DEFAULT_RUBRIC) -> Rubric:
    """Build a rubric from parsed TOML-shaped ``data``, keys unset there taken from ``base``.

    ``version`` is required. When the result differs from ``base`` in any
    value, its version must differ from ``base.version`` (so a score's
    rubric version always identifies its weights). Raises
    :class:`~hubspoke.errors.RubricError` naming the offending key.
    """
    top = ("version", "min_coverage", "weights", "targets", "thresholds")
    for key in data:
        if key not in top:
            raise _unknown(key, top)
    if "version" not in data:
        raise RubricError('version: required (name this rubric, e.g. version = "local-1")')
    changes: dict[str, Any] = {"version": _version(data["version"])}
    if "min_coverage" in data:
        changes["min_coverage"] = _unit_interval("min_coverage", data["min_coverage"])
    if "weights" in data:
        weights_table = _table("weights", data["weights"])
        for indicator, given in weights_table.items():
            if indicator not in COMPONENTS:
                raise _unknown(f"weights.{indicator}", INDICATORS)
            table = _table(f"weights.{indicator}", given)
            merged = base.weights(indicator).as_dict()
            for name, weight in table.items():
                if name not in merged:
                    raise _unknown(f"weights.{indicator}.{name}", COMPONENTS[indicator])
                merged[name] = _weight(f"weights.{indicator}.{name}", weight)
            changes[indicator] = IndicatorWeights(indicator=indicator, values=tuple(merged.items()))
    for section, cls, check in (
        ("targets", Targets, _positive),
        ("thresholds", Thresholds, _number),
    ):
        if section not in data:
            continue
        table = _table(section, data[section])
        known = tuple(f.name for f in attrs.fields(cls))
        values: dict[str, float] = {}
        for key, value in table.items():
            if key not in known:
                raise _unknown(f"{section}.{key}", known)
            values[key] = check(f"{section}.{key}", value)
        changes[section] = attrs.evolve(getattr(base, section), **values)
    rubric = attrs.evolve(base, **changes)
    if rubric.version == base.version and rubric != base:
        raise RubricError(
            f"version: {base.version!r} names an existing rubric whose values differ from "
            "this file's; give a changed rubric its own version"
        )
    return rubric


def load_rubric(path: Path | str) -> Rubric:
    """Load a rubric from the TOML file at ``path`` (see the module docstring for the format).

    Raises :class:`~hubspoke.errors.RubricError` (naming the file and the
    key) for unreadable files, invalid TOML and invalid values.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RubricError(f"{path}: cannot read rubric file ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise RubricError(f"{path}: rubric file is not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(f"{path}: invalid TOML ({exc})") from exc
    try:
        return rubric_from_mapping(data)
    except RubricError as exc:
        raise RubricError(f"{path}: {exc}") from exc


def _toml_number(value: float) -> str:
    return repr(float(value))


def rubric_to_toml(rubric: Rubric) -> str:
    """The complete TOML text of ``rubric``; :func:`load_rubric` reads it back equal."""
    lines = [
        "# hubspoke scoring rubric (see docs/indicators.md)",
        f"version = {_toml_string(rubric.version)}",
        f"min_coverage = {_toml_number(rubric.min_coverage)}",
    ]
    for indicator in INDICATORS:
        lines += ["", f"[weights.{indicator}]"]
        lines += [f"{name} = {_toml_number(w)}" for name, w in rubric.weights(indicator).values]
    for section in ("targets", "thresholds"):
        lines += ["", f"[{section}]"]
        value = getattr(rubric, section)
        lines += [
            f"{f.name} = {_toml_number(getattr(value, f.name))}" for f in attrs.fields(type(value))
        ]
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\U{ord(c):08x}" for c in escaped)
    return f'"{escaped}"'
