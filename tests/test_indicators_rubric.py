"""The rubric: v1's values, validation, TOML loading and writing."""

from __future__ import annotations

import math
import re
from pathlib import Path

import attrs
import pytest
from hypothesis import given

from hubspoke.errors import RubricError
from hubspoke.indicators import (
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
from indicator_strategies import rubrics


def test_default_rubric_is_v1() -> None:
    r = DEFAULT_RUBRIC
    assert r.version == "1"
    assert r.min_coverage == 0.5
    assert r.embeddedness.as_dict() == {
        "agreement": 0.20,
        "colocation": 0.20,
        "systems_access": 0.15,
        "forums": 0.15,
        "referral_integration": 0.15,
        "recruitment": 0.15,
    }
    assert r.independence.as_dict() == {
        "funding": 0.30,
        "management": 0.20,
        "referral_control": 0.15,
        "time_limits": 0.10,
        "preventative_work": 0.15,
        "cse_focus": 0.10,
    }
    assert r.sustainability.as_dict() == {
        "runway": 0.30,
        "diversity": 0.15,
        "workforce": 0.20,
        "supervision": 0.15,
        "manager": 0.10,
        "commitment": 0.10,
    }
    assert r.targets == Targets(
        preventative_target=0.3,
        runway_target=24,
        supervision_per_month=1,
        commitment_months=36,
        colocation_full_time_days=5,
    )
    assert r.thresholds == Thresholds(o1_months=12, o2_threshold=0.6, o3_cse_focus=0.7)
    for indicator in INDICATORS:
        assert math.fsum(r.weights(indicator).as_dict().values()) == pytest.approx(1.0)
        assert tuple(r.weights(indicator).as_dict()) == COMPONENTS[indicator]


def test_rubric_is_frozen_and_hashable() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        DEFAULT_RUBRIC.min_coverage = 0.1  # type: ignore[misc]
    assert hash(DEFAULT_RUBRIC) == hash(Rubric(version="1"))
    assert Rubric(version="1") == DEFAULT_RUBRIC


@given(rubric=rubrics())
def test_rubrics_round_trip_through_toml(
    rubric: Rubric, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("rubric") / "rubric.toml"
    path.write_text(rubric_to_toml(rubric), encoding="utf-8")
    assert load_rubric(path) == rubric


def test_default_rubric_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "v1.toml"
    path.write_text(rubric_to_toml(DEFAULT_RUBRIC), encoding="utf-8")
    assert load_rubric(path) == DEFAULT_RUBRIC
    assert load_rubric(str(path)) is not DEFAULT_RUBRIC


def test_version_text_with_quotes_round_trips(tmp_path: Path) -> None:
    rubric = attrs.evolve(DEFAULT_RUBRIC, version='local "2016"\\a\tb', min_coverage=0.4)
    path = tmp_path / "r.toml"
    path.write_text(rubric_to_toml(rubric), encoding="utf-8")
    assert load_rubric(path) == rubric


def _load(tmp_path: Path, text: str) -> Rubric:
    path = tmp_path / "rubric.toml"
    path.write_text(text, encoding="utf-8")
    return load_rubric(path)


def test_a_partial_file_overrides_only_what_it_sets(tmp_path: Path) -> None:
    rubric = _load(
        tmp_path,
        """
version = "northmoor-2016"
min_coverage = 0.6

[weights.embeddedness]
agreement = 0.30
colocation = 0.10

[targets]
runway_target = 36
""",
    )
    assert rubric.version == "northmoor-2016"
    assert rubric.min_coverage == 0.6
    assert rubric.embeddedness["agreement"] == 0.30
    assert rubric.embeddedness["colocation"] == 0.10
    assert rubric.embeddedness["forums"] == 0.15
    assert rubric.independence == DEFAULT_RUBRIC.independence
    assert rubric.targets.runway_target == 36
    assert rubric.targets.commitment_months == 36
    assert rubric.thresholds == DEFAULT_RUBRIC.thresholds


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("min_coverage = 0.5", "version"),
        ('version = ""', "version"),
        ("version = 1", "version"),
        ('version = "x"\ncolour = "red"', "colour"),
        (
            'version = "x"\n[weights.embeddedness]\ncolocaton = 0.2',
            "weights.embeddedness.colocaton",
        ),
        ('version = "x"\n[weights.embededness]\nagreement = 0.2', "weights.embededness"),
        ('version = "x"\n[weights.independence]\nfunding = 0.4', "weights.independence"),
        (
            'version = "x"\n[weights.sustainability]\nrunway = -0.1\ndiversity = 0.55',
            "weights.sustainability.runway",
        ),
        (
            'version = "x"\n[weights.sustainability]\nrunway = "0.3"',
            "weights.sustainability.runway",
        ),
        ('version = "x"\n[weights.sustainability]\nrunway = true', "weights.sustainability.runway"),
        ('version = "x"\n[targets]\nrunway_target = 0', "targets.runway_target"),
        ('version = "x"\n[targets]\npreventative_target = -0.3', "targets.preventative_target"),
        ('version = "x"\n[targets]\nrunway_months = 24', "targets.runway_months"),
        ('version = "x"\n[thresholds]\no2_threshold = 1.5', "thresholds.o2_threshold"),
        ('version = "x"\n[thresholds]\no1_months = -1', "thresholds.o1_months"),
        ('version = "x"\n[thresholds]\no4 = 1', "thresholds.o4"),
        ('version = "x"\nmin_coverage = 1.2', "min_coverage"),
        ('version = "x"\nmin_coverage = -0.1', "min_coverage"),
        ('version = "x"\nmin_coverage = nan', "min_coverage"),
        ('version = "x"\ntargets = 3', "targets"),
        ('version = "1"\nmin_coverage = 0.4', "version"),
    ],
)
def test_invalid_rubric_files_raise_naming_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(RubricError) as caught:
        _load(tmp_path, text)
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "rubric.toml") + ": ")
    assert f": {key}:" in message


def test_weights_must_sum_to_one_message_gives_the_sum(tmp_path: Path) -> None:
    with pytest.raises(
        RubricError, match=r"weights.independence: weights must sum to 1 \(they sum to 1.1\)"
    ):
        _load(tmp_path, 'version = "x"\n[weights.independence]\nfunding = 0.4')


def test_weights_within_tolerance_are_accepted(tmp_path: Path) -> None:
    rubric = _load(
        tmp_path,
        'version = "x"\n[weights.sustainability]\nrunway = 0.3000000000001\ndiversity = 0.15',
    )
    assert rubric.sustainability["runway"] == 0.3000000000001


def test_restating_v1_under_its_own_version_is_allowed(tmp_path: Path) -> None:
    assert _load(tmp_path, 'version = "1"\n[targets]\nrunway_target = 24') == DEFAULT_RUBRIC


def test_unreadable_and_malformed_files_are_rubric_errors(tmp_path: Path) -> None:
    with pytest.raises(RubricError, match="cannot read rubric file"):
        load_rubric(tmp_path / "absent.toml")
    with pytest.raises(RubricError, match="invalid TOML"):
        _load(tmp_path, "version = ")
    path = tmp_path / "latin1.toml"
    path.write_bytes('version = "caf\xe9"'.encode("latin-1"))
    with pytest.raises(RubricError, match="not UTF-8"):
        load_rubric(path)


def test_constructing_invalid_rubrics_directly_is_refused() -> None:
    with pytest.raises(
        RubricError, match=re.escape("targets.commitment_months: a target must be > 0")
    ):
        Targets(commitment_months=0)
    with pytest.raises(RubricError, match=re.escape("weights.embeddedness: components must be")):
        IndicatorWeights(indicator="embeddedness", values=(("agreement", 1.0),))
    with pytest.raises(RubricError, match=re.escape("weights.reach: unknown indicator")):
        IndicatorWeights(indicator="reach", values=())
    with pytest.raises(RubricError, match="min_coverage: must be in"):
        Rubric(version="x", min_coverage=2)
    with pytest.raises(RubricError, match=re.escape("weights.independence: must be the weights")):
        Rubric(version="x", independence=DEFAULT_RUBRIC.embeddedness)
    with pytest.raises(RubricError, match="unknown indicator 'reach'"):
        DEFAULT_RUBRIC.weights("reach")
