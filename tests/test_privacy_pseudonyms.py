"""Tests for hubspoke.privacy.pseudonyms: keyed pseudonyms and dates of birth."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hubspoke.errors import PrivacyError
from hubspoke.privacy.pseudonyms import (
    KEY_BYTES,
    age_on,
    dob_to_age_band,
    dob_to_month,
    new_key,
    pseudonymise,
)

keys = st.binary(min_size=KEY_BYTES, max_size=64)
identifiers = st.text(min_size=1, max_size=40).filter(lambda s: s.strip() != "")

PSEUDONYM = re.compile(r"^P-[0-9a-f]{16}$")


@given(identifier=identifiers, key=keys)
def test_pseudonym_is_deterministic_and_well_formed(identifier: str, key: bytes) -> None:
    first = pseudonymise(identifier, key)
    assert first == pseudonymise(identifier, key)
    assert PSEUDONYM.match(first)


@given(identifier=identifiers, key_a=keys, key_b=keys)
def test_different_keys_give_unlinkable_pseudonyms(
    identifier: str, key_a: bytes, key_b: bytes
) -> None:
    if key_a != key_b:
        assert pseudonymise(identifier, key_a) != pseudonymise(identifier, key_b)


@given(a=identifiers, b=identifiers, key=keys)
def test_different_identifiers_give_different_pseudonyms(a: str, b: str, key: bytes) -> None:
    if a.strip() != b.strip():
        assert pseudonymise(a, key) != pseudonymise(b, key)


def test_known_vector_pins_the_construction() -> None:
    # HMAC-SHA256(key=32 x 0x01, "case\0Case-0042"), first 16 hex digits.
    import hashlib
    import hmac

    key = b"\x01" * KEY_BYTES
    expected = hmac.new(key, b"case\x00Case-0042", hashlib.sha256).hexdigest()[:16]
    assert pseudonymise("Case-0042", key) == "P-" + expected
    assert pseudonymise("  Case-0042 ", key) == "P-" + expected


def test_namespaces_separate_kinds_of_identifier() -> None:
    key = new_key()
    assert pseudonymise("0042", key, namespace="case") != pseudonymise(
        "0042", key, namespace="worker"
    )


def test_new_keys_are_random_and_long_enough() -> None:
    a, b = new_key(), new_key()
    assert len(a) == KEY_BYTES
    assert a != b


@pytest.mark.parametrize(
    ("identifier", "key", "message"),
    [("Case-0042", b"short", "at least"), ("   ", b"\x00" * KEY_BYTES, "empty")],
)
def test_bad_input_is_refused(identifier: str, key: bytes, message: str) -> None:
    with pytest.raises(PrivacyError, match=message):
        pseudonymise(identifier, key)


@pytest.mark.parametrize(
    ("dob", "on", "band"),
    [
        (date(2003, 5, 10), date(2015, 5, 9), "10-12"),  # 11, the day before turning 12
        (date(2003, 5, 10), date(2016, 5, 10), "13-15"),  # 13 on the birthday
        (date(2000, 2, 29), date(2016, 2, 28), "13-15"),  # leap-day birthday not yet reached
        (date(2000, 2, 29), date(2016, 3, 1), "16-17"),
        (date(1980, 1, 1), date(2016, 1, 1), "not_recorded"),  # 36: outside every band
    ],
)
def test_dob_to_age_band(dob: date, on: date, band: str) -> None:
    assert dob_to_age_band(dob, on) == band


@given(
    dob=st.dates(min_value=date(1990, 1, 1), max_value=date(2020, 12, 31)),
    days=st.integers(0, 9000),
)
def test_age_matches_counting_birthdays(dob: date, days: int) -> None:
    on = dob + timedelta(days=days)
    age = age_on(dob, on)
    birthdays = 0
    for year in range(dob.year + 1, on.year + 1):
        try:
            anniversary = dob.replace(year=year)
        except ValueError:  # 29 February in a common year: counted from 1 March
            anniversary = date(year, 3, 1)
        if anniversary <= on:
            birthdays += 1
    assert age == birthdays


def test_dob_after_the_day_is_refused() -> None:
    with pytest.raises(PrivacyError, match="after"):
        dob_to_age_band(date(2016, 1, 2), date(2016, 1, 1))


def test_dob_to_month_drops_the_day() -> None:
    assert dob_to_month(date(2004, 7, 9)) == "2004-07"
