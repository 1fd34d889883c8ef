"""Personal-data detection: names and dates of birth by header, emails and postcodes by value."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from hubspoke.privacy.detect import find_in_column, find_personal_data, header_kind, text_kinds


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("Name", "name"),
        ("First name", "name"),
        ("SURNAME", "name"),
        ("Full_Name", "name"),
        ("Client name", "name"),
        ("Young person's name", "name"),
        ("Forenames", "name"),
        ("DOB", "date_of_birth"),
        ("D.O.B.", "date_of_birth"),
        ("Date of birth", "date_of_birth"),
        ("Service name", None),
        ("Area name", None),
        ("File name", None),
        ("Referral date", None),
    ],
)
def test_header_kind(header: str, kind: str | None) -> None:
    assert header_kind(header) == kind


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("contact sam.example@example.org", ("email",)),
        ("LS6 1AB", ("postcode",)),
        ("ls61ab", ("postcode",)),
        ("LS6", ()),
        ("Case-0042", ()),
        ("2015-16 Q1", ()),
    ],
)
def test_text_kinds(text: str, kinds: tuple[str, ...]) -> None:
    assert text_kinds(text) == kinds


def test_a_named_column_that_is_empty_is_not_flagged() -> None:
    assert find_in_column("Surname", pd.Series(["", None])) == []


def test_dates_of_birth_by_value_need_a_reference() -> None:
    births = pd.Series(["01/02/2001", "15/06/2000", "30/11/2002"])
    assert find_in_column("Born", births) != []  # by header ("born")
    assert find_in_column("Date 2", births) == []  # no reference: values not judged
    [finding] = find_in_column("Date 2", births, reference=date(2015, 6, 30))
    assert (finding.kind, finding.positions) == ("date_of_birth", (0, 1, 2))
    referrals = pd.Series(["01/02/2015", "15/06/2015"])
    assert find_in_column("Date 2", referrals, reference=date(2015, 6, 30)) == []


def test_find_personal_data_reports_positions_per_column() -> None:
    frame = pd.DataFrame(
        {"Case": ["C-1", "C-2", "C-3"], "Notes": ["", "met at LS6 1AB", "x@example.org"]}
    )
    found = {(f.column, f.kind, f.positions) for f in find_personal_data(frame)}
    assert found == {("Notes", "postcode", (1,)), ("Notes", "email", (2,))}


def test_screening_the_same_ids_again_gives_the_same_answer() -> None:
    """The screen is remembered for one column's Arrow data, never for other data."""
    import pandas as pd

    from hubspoke.privacy.detect import ids_to_screen

    ids = pd.Series(["Case-0001", "someone@example.org", "Case-0002", "Aname"], dtype="string")
    first = ids_to_screen(ids).tolist()
    assert first == [False, True, False, True]
    assert ids_to_screen(ids.astype("string")).tolist() == first  # the same data again
    changed = ids.copy()
    changed.iloc[0] = "Bname"
    assert ids_to_screen(changed).tolist() == [True, True, False, True]
    assert ids_to_screen(ids.iloc[1:]).tolist() == [True, False, True]
    assert ids_to_screen(ids).tolist() == first
    shown = ids_to_screen(ids.set_axis([10, 11, 12, 13]))
    assert shown.index.tolist() == [10, 11, 12, 13]
