"""Pseudonymous identifiers and coarsened dates of birth.

:func:`pseudonymise` replaces an identifier with a keyed HMAC-SHA256 of it.
The same key and identifier always give the same pseudonym (so records of
one young person still link up across returns), while without the key a
pseudonym cannot be reversed by trying likely identifiers, and pseudonyms
made with different keys cannot be linked. The key lives in the workspace
(``Workspace.secret_key()``); :func:`new_key` makes one.

Dates of birth are never kept: :func:`dob_to_age_band` and
:func:`dob_to_month` reduce them to an age band on a given day, or to a
year and month.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date

from hubspoke.codes import age_band_for
from hubspoke.errors import PrivacyError

#: Length in bytes of keys made by :func:`new_key` (and the minimum accepted).
KEY_BYTES = 32
#: Hex digits of the HMAC kept in a pseudonym (64 bits: collisions are negligible
#: for the tens of thousands of young people a programme could ever hold).
PSEUDONYM_HEX_DIGITS = 16
#: Prefix that marks a value as a pseudonym.
PREFIX = "P-"


def new_key() -> bytes:
    """A fresh random key of :data:`KEY_BYTES` bytes from the OS's secure generator."""
    return secrets.token_bytes(KEY_BYTES)


def pseudonymise(identifier: str, key: bytes, *, namespace: str = "case") -> str:
    """The pseudonym of ``identifier`` under ``key``, e.g. ``"P-3f9a2c41d07be815"``.

    ``namespace`` separates kinds of identifier (a case id and a worker id
    that happen to be equal get different pseudonyms). Surrounding
    whitespace of ``identifier`` is ignored; case is kept. Raises
    :class:`~hubspoke.errors.PrivacyError` for a key shorter than
    :data:`KEY_BYTES` bytes or an empty identifier.
    """
    if len(key) < KEY_BYTES:
        raise PrivacyError(f"pseudonymisation key must be at least {KEY_BYTES} bytes")
    text = identifier.strip()
    if not text:
        raise PrivacyError("cannot pseudonymise an empty identifier")
    if "\x00" in namespace:
        raise PrivacyError("namespace must not contain a NUL character")
    message = namespace.encode("utf-8") + b"\x00" + text.encode("utf-8")
    digest = hmac.new(key, message, hashlib.sha256).hexdigest()
    return PREFIX + digest[:PSEUDONYM_HEX_DIGITS]


def age_on(dob: date, on: date) -> int:
    """Age in whole years on day ``on`` (birthdays on 29 February count from 1 March)."""
    if on < dob:
        raise PrivacyError(f"date of birth {dob.isoformat()} is after {on.isoformat()}")
    had_birthday = (on.month, on.day) >= (dob.month, dob.day)
    return on.year - dob.year - (0 if had_birthday else 1)


def dob_to_age_band(dob: date, on: date) -> str:
    """The age-band code (see :data:`hubspoke.codes.AGE_BAND`) of someone born ``dob``, on ``on``.

    Ages outside the bands (0 to 25) give ``"not_recorded"`` rather than an
    error, since a date of birth that far off is a recording mistake and the
    band must not reveal it; a date of birth after ``on`` raises.
    """
    age = age_on(dob, on)
    try:
        return age_band_for(age)
    except ValueError:
        return "not_recorded"


def dob_to_month(dob: date) -> str:
    """The year and month of a date of birth, ``"YYYY-MM"`` (the day is dropped)."""
    return f"{dob.year:04d}-{dob.month:02d}"
