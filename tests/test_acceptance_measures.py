"""Acceptance: the built-in measures catalogue holds every measure the brief lists.

Brief, "Measures (aggregate returns)": referrals received and accepted (by
source, risk level, gender, age band, ethnicity); young people given
one-to-one support (distinct); young people reached by group work;
professionals trained or attending awareness sessions (by profession);
training and awareness sessions; multi-agency meetings held and attended;
supervision sessions (by kind); cases closed (by reason); risk reduced /
unchanged / increased at closure; hours of direct work, training and other
duties.
"""

from __future__ import annotations

import pytest

from hubspoke.measures import measure, measures

REFERRAL_DIMENSIONS = {"referral_source", "risk_level", "gender", "age_band", "ethnicity"}
#: measure id -> (unit, dimensions the brief requires it to allow)
BRIEF: dict[str, tuple[str, set[str]]] = {
    "referrals_received": ("count", REFERRAL_DIMENSIONS),
    "referrals_accepted": ("count", REFERRAL_DIMENSIONS),
    "young_people_one_to_one": ("distinct_count", set()),
    "young_people_group_reached": ("count", set()),
    "professionals_trained": ("count", {"profession"}),
    "professionals_awareness": ("count", {"profession"}),
    "training_sessions": ("sessions", set()),
    "awareness_sessions": ("sessions", set()),
    "multi_agency_meetings_held": ("sessions", set()),
    "multi_agency_meetings_attended": ("sessions", set()),
    "supervision_sessions": ("sessions", {"supervision_kind"}),
    "cases_closed": ("count", {"closure_reason"}),
    "risk_reduced_at_closure": ("count", set()),
    "risk_unchanged_at_closure": ("count", set()),
    "risk_increased_at_closure": ("count", set()),
    "hours_direct_work": ("hours", set()),
    "hours_training": ("hours", set()),
    "hours_other_duties": ("hours", set()),
}


@pytest.mark.parametrize("measure_id", sorted(BRIEF))
def test_brief_measure_is_built_in_with_unit_and_dimensions(measure_id: str) -> None:
    unit, dimensions = BRIEF[measure_id]
    m = measure(measure_id)
    assert m.unit == unit
    assert dimensions <= set(m.dimensions)
    assert m.label


def test_counts_of_people_are_whole_and_hours_are_not() -> None:
    catalogue = measures()
    assert catalogue["referrals_received"].whole
    assert catalogue["young_people_one_to_one"].whole
    assert not catalogue["hours_direct_work"].whole


def test_a_measure_is_not_broken_down_by_a_dimension_it_does_not_allow() -> None:
    assert "profession" not in measure("referrals_received").dimensions
    assert measure("hours_direct_work").dimensions == frozenset()
