"""Tests for hubspoke.serialization: JSON round trips, the envelope, errors with paths."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

import cattrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubspoke import serialization as ser
from hubspoke.codes import FundingCondition, FundingSourceKind, PlacementType
from hubspoke.errors import SerializationError
from hubspoke.model import (
    DataValue,
    FundingArrangement,
    Hub,
    LocalArea,
    MonitoringReturn,
    Programme,
    Provenance,
    Spoke,
)
from hubspoke.periods import financial_quarter, financial_year
from strategies import MODEL_STRATEGIES, monitoring_returns, programmes


def _programme() -> Programme:
    return Programme(
        name="Northmoor alliance",
        hubs=(
            Hub(
                id="H1",
                organisation="Alder Trust",
                service_name="Alder CSE service",
                region="North",
                phase=1,
                manager_post_funded=True,
            ),
        ),
        spokes=tuple(
            Spoke(
                id=f"S{i}",
                hub_id="H1",
                area=LocalArea(code=f"E0600012{i}", name=f"Area {i}"),
                placement=PlacementType.NEW_LOCAL_AUTHORITY,
                planned_start=date(2015, 4, 1),
            )
            for i in range(5)
        ),
        funding=(
            FundingArrangement(
                id="FA1",
                funder_id="F1",
                spoke_id="S1",
                source=FundingSourceKind.STATUTORY_CONTRACT,
                amount_gbp=42000.5,
                start=date(2015, 4, 1),
                end=date(2016, 3, 31),
                conditions=frozenset(
                    {FundingCondition.TIME_LIMITED_WORK, FundingCondition.REFERRAL_MANDATE}
                ),
            ),
        ),
    )


def _return() -> MonitoringReturn:
    return MonitoringReturn(
        service_id="S1",
        period=financial_quarter(2015, 2),
        provenance=Provenance(
            source_file="northmoor-q2.csv",
            sha256="ab" * 32,
            importer="csv",
            importer_version="1.0",
            imported_at=datetime(2015, 10, 3, 9, 30, tzinfo=timezone(timedelta(hours=1))),
        ),
        values=(
            DataValue(
                measure="referrals_received",
                breakdown={"gender": "2", "age_band": "13-15"},
                value=4,
            ),
        ),
    )


def _messages(call: Any, *args: Any) -> list[str]:
    with pytest.raises(SerializationError) as info:
        call(*args)
    return info.value.messages


# -- round trips ----------------------------------------------------------------------------


# whole programmes and returns have their own round-trip properties below
PART_CLASSES = [c for c in MODEL_STRATEGIES if c not in (Programme, MonitoringReturn)]


@pytest.mark.parametrize("cls", PART_CLASSES, ids=lambda c: c.__name__)
@given(data=st.data())
def test_every_model_class_round_trips_through_json_text(cls: type, data: st.DataObject) -> None:
    obj = data.draw(MODEL_STRATEGIES[cls])
    text = json.dumps(ser.unstructure(obj))
    assert ser.structure(json.loads(text), cls) == obj


@settings(max_examples=50)  # whole programmes are costly to generate
@given(programmes())
def test_programme_round_trips(p: Programme) -> None:
    assert ser.loads_programme(ser.dumps_programme(p)) == p


@settings(max_examples=50)
@given(monitoring_returns())
def test_return_round_trips(r: MonitoringReturn) -> None:
    assert ser.loads_return(ser.dumps_return(r)) == r


@settings(max_examples=30)
@given(st.lists(monitoring_returns(max_records=2), max_size=3))
def test_returns_round_trip_in_order(rs: list[MonitoringReturn]) -> None:
    assert ser.loads_returns(ser.dumps_returns(rs)) == tuple(rs)


def test_make_converter_is_new_each_call() -> None:
    first, second = ser.make_converter(), ser.make_converter()
    assert first is not second
    assert isinstance(first, cattrs.Converter)


# -- JSON shape ----------------------------------------------------------------------------


def test_json_shape_of_dates_periods_enums_breakdowns_and_sets() -> None:
    data = ser.unstructure(_programme())
    funding = data["funding"][0]
    assert funding["start"] == "2015-04-01"
    assert funding["source"] == "statutory_contract"
    assert funding["conditions"] == ["referral_mandate", "time_limited_work"]
    assert data["spokes"][0]["placement"] == "new_local_authority"

    r = ser.unstructure(_return())
    assert r["period"] == {"start": "2015-07-01", "end": "2015-09-30", "label": "2015-16 Q2"}
    assert r["values"][0]["breakdown"] == {"age_band": "13-15", "gender": "2"}
    assert r["provenance"]["imported_at"] == "2015-10-03T09:30:00+01:00"


def test_envelope_is_written() -> None:
    doc = json.loads(ser.dumps_returns([_return()]))
    assert doc["hubspoke"] == "returns"
    assert doc["version"] == 1
    assert len(doc["returns"]) == 1
    assert json.loads(ser.dumps_programme(_programme()))["hubspoke"] == "programme"


# -- errors with paths ---------------------------------------------------------------------


def _bad_programme(edit: Any) -> list[str]:
    data = ser.unstructure(_programme())
    edit(data)
    return _messages(ser.structure, data, Programme)


def test_bad_date_names_its_path() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["spokes"][3]["planned_start"] = "2015-13-01"

    assert _bad_programme(edit) == ["$.spokes[3].planned_start: must be a date (got '2015-13-01')"]


def test_wrong_types_are_not_coerced() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["hubs"][0]["phase"] = "1"
        d["hubs"][0]["manager_post_funded"] = "false"
        d["hubs"][0]["region"] = 7
        d["funding"][0]["amount_gbp"] = True

    messages = _bad_programme(edit)
    assert "$.hubs[0].phase: must be a whole number (got '1')" in messages
    assert "$.hubs[0].manager_post_funded: must be true or false (got 'false')" in messages
    assert "$.hubs[0].region: must be a string (got 7)" in messages
    assert "$.funding[0].amount_gbp: must be a finite number (got True)" in messages


def test_model_rule_broken_inside_init_names_field_and_rule() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["spokes"][2]["actual_end"] = "2014-01-01"
        d["spokes"][4]["area"]["code"] = "X123"

    messages = _bad_programme(edit)
    assert any(m.startswith("$.spokes[2].actual_end: must not be before start") for m in messages)
    assert any(
        m.startswith("$.spokes[4].area.code: must be an ONS local authority code") for m in messages
    )


def test_every_problem_is_reported_at_once() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["spokes"][0]["placement"] = "somewhere"
        del d["hubs"][0]["region"]
        d["funding"][0]["conditions"] = ["time_limited_work", "nope"]
        d["hosts"] = "abc"
        d["spokes"][1] = 5

    messages = _bad_programme(edit)
    assert "$.hubs[0].region: required field missing" in messages
    assert any(m.startswith("$.spokes[0].placement: must be one of:") for m in messages)
    assert any(m.startswith("$.funding[0].conditions[1]: must be one of:") for m in messages)
    assert "$.hosts: must be a list (got 'abc')" in messages
    assert "$.spokes[1]: must be an object (Spoke) (got 5)" in messages
    assert len(messages) == 5


def test_unknown_keys_are_errors_naming_the_path() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["spokes"][1]["colour"] = "red"
        d["nickname"] = "x"

    messages = _bad_programme(edit)
    assert any(m.startswith("$.spokes[1].colour: unknown key") for m in messages)
    assert any(m.startswith("$.nickname: unknown key") for m in messages)


def test_breakdown_errors() -> None:
    def value(breakdown: object) -> list[str]:
        data = {"measure": "referrals_received", "breakdown": breakdown, "value": 1}
        return _messages(ser.structure, data, DataValue)

    assert value(["gender", "2"])[0].startswith("$.breakdown: must be an object")
    assert value({"gender": 2})[0].startswith("$.breakdown: the 'gender' code must be a string")
    assert value({"gender": "7"})[0].startswith("$.breakdown: '7' is not a gender code")
    assert value({"shoe_size": "9"})[0].startswith("$.breakdown: unknown dimension 'shoe_size'")


def test_loaders_prefix_paths_with_the_envelope_key() -> None:
    doc = json.loads(ser.dumps_returns([_return(), _return()]))
    doc["returns"][1]["period"]["start"] = "not a date"
    messages = _messages(ser.loads_returns, json.dumps(doc))
    assert messages == ["$.returns[1].period.start: must be a date (got 'not a date')"]


# -- envelope errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{", "$: not valid JSON (line 1, column 2"),
        ("[]", "$: not a hubspoke programme file"),
        ('{"programme": {}}', "$: not a hubspoke programme file"),
        ('{"hubspoke": "returns", "version": 1, "returns": []}', "$.hubspoke: expected"),
        ('{"hubspoke": "programme", "version": 2, "programme": {}}', "$.version: this hubspoke"),
        ('{"hubspoke": "programme", "version": 1}', "$.programme: required field missing"),
        (
            '{"hubspoke": "programme", "version": 1, "programme": {"name": "x"}, "extra": 1}',
            "$.extra: unknown key",
        ),
        ('{"a": 1, "a": 2}', "$: the key 'a' appears twice"),
    ],
)
def test_envelope_errors_are_clear(text: str, expected: str) -> None:
    messages = _messages(ser.loads_programme, text)
    assert messages[0].startswith(expected), messages


def test_wrong_kind_names_the_right_loader() -> None:
    messages = _messages(ser.loads_programme, ser.dumps_returns([_return()]))
    assert messages == ["$.hubspoke: expected 'programme', got 'returns'; use loads_returns"]
    messages = _messages(ser.loads_returns, ser.dumps_return(_return()))
    assert messages == ["$.hubspoke: expected 'returns', got 'return'; use loads_return"]


def test_version_must_be_an_integer_not_a_boolean() -> None:
    text = json.dumps({"hubspoke": "return", "version": True, "return": {}})
    assert _messages(ser.loads_return, text)[0].startswith("$.version:")


@given(st.text(max_size=40))
def test_loaders_never_raise_anything_but_serialization_error(text: str) -> None:
    for load in (ser.loads_programme, ser.loads_return, ser.loads_returns):
        with pytest.raises(SerializationError):
            load(text)


def test_plugin_hook_adjusts_the_converter(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    calls: list[cattrs.Converter] = []
    fake = types.ModuleType("hubspoke.plugins.registry")
    fake.configure_converter = calls.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "hubspoke.plugins.registry", fake)
    converter = ser.make_converter()
    assert calls == [converter]


def test_plugin_hook_absent_is_fine(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "hubspoke.plugins.registry", None)  # import -> ImportError
    assert isinstance(ser.make_converter(), cattrs.Converter)


def test_period_round_trip_keeps_label() -> None:
    p = financial_year(2014)
    assert ser.structure(ser.unstructure(p), type(p)) == p


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def _positions(value: Any) -> list[tuple[Any, Any]]:
    """Every ``(container, key)`` position inside a JSON value, for mutation."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    found: list[tuple[Any, Any]] = []
    for key, item in items:
        found.append((value, key))
        if isinstance(item, dict | list):
            found += _positions(item)
    return found


@given(r=monitoring_returns(max_records=2), data=st.data())
def test_any_mutation_of_a_return_structures_or_fails_with_paths(
    r: MonitoringReturn, data: st.DataObject
) -> None:
    doc = ser.unstructure(r)
    container, key = data.draw(st.sampled_from(_positions(doc)))
    container[key] = data.draw(json_values)
    messages: list[str] | None = None
    try:
        ser.structure(doc, MonitoringReturn)
    except SerializationError as error:
        messages = error.messages
    if messages is not None:
        assert messages
        assert all(m.startswith("$") and ": " in m for m in messages)


@given(json_values)
def test_arbitrary_json_payload_fails_cleanly(payload: Any) -> None:
    text = json.dumps({"hubspoke": "programme", "version": 1, "programme": payload})
    with pytest.raises(SerializationError) as info:
        ser.loads_programme(text)
    # Non-finite numbers (Infinity, NaN) are refused while parsing, before any path is known.
    assert all(m.startswith(("$.programme", "$: ")) for m in info.value.messages)


def test_numbers_beyond_float_range_and_deep_nesting_fail_cleanly() -> None:
    huge = {"measure": "referrals_received", "value": 10**400}
    assert _messages(ser.structure, huge, DataValue)[0].startswith(
        "$.value: must be a finite number"
    )
    assert _messages(ser.loads_returns, "[" * 100_000) == ["$: JSON nested too deeply to read"]
    assert _messages(ser.loads_returns, '{"hubspoke": "returns", "version": 1, "returns": NaN}')
