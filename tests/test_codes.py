"""Tests for hubspoke.codes: free text to codes, whole columns, declined vs not recorded."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hubspoke import codes
from hubspoke.codes import (
    BUILTIN_CODE_LISTS,
    CodeList,
    Mapped,
    Unmapped,
    code_list,
    map_series,
    map_value,
    normalise,
)
from hubspoke.errors import CodeError

LIST_NAMES = [cl.name for cl in BUILTIN_CODE_LISTS]
list_names = st.sampled_from(LIST_NAMES)


def _spellings(cl: CodeList) -> list[str]:
    """Every value, label and alias of every code in ``cl``."""
    return [text for c in cl for text in (c.value, c.label, *c.aliases)]


# -- map_value ------------------------------------------------------------------------------


@given(name=list_names, text=st.text())
def test_map_value_never_raises_and_never_maps_an_unknown_value(name: str, text: str) -> None:
    cl = code_list(name)
    result = map_value(name, text)
    assert result.original == text
    assert result.code_list == name
    if isinstance(result, Mapped):
        assert normalise(text) in cl.lookup
        assert result.code == cl.lookup[normalise(text)]
        assert result.code in cl
    else:
        assert isinstance(result, Unmapped)
        assert normalise(text) not in cl.lookup
        assert result.suggestion is None or result.suggestion in cl


@given(name=list_names, data=st.data())
def test_known_spellings_map_whatever_the_case_and_punctuation(
    name: str, data: st.DataObject
) -> None:
    cl = code_list(name)
    code = data.draw(st.sampled_from(cl.codes))
    spelling = data.draw(st.sampled_from((code.value, code.label, *code.aliases)))
    decorated = data.draw(
        st.sampled_from([spelling.upper(), f"  {spelling} ", f"{spelling}.", spelling.title()])
    )
    result = map_value(cl, decorated)
    assert isinstance(result, Mapped), decorated
    assert result.code == code.value


@pytest.mark.parametrize("name", LIST_NAMES)
def test_every_code_maps_to_itself_through_value_label_and_aliases(name: str) -> None:
    cl = code_list(name)
    for c in cl:
        for text in (c.value, c.label, *c.aliases):
            result = map_value(cl, text)
            assert isinstance(result, Mapped), (name, text)
            assert result.code == c.value, (name, text, result.code)


def test_free_text_examples_from_the_brief() -> None:
    assert map_value("gender", "Female") == Mapped(code="2", original="Female", code_list="gender")
    assert map_value("gender", "F").ok
    assert map_value("gender", "girl").ok
    white = map_value("ethnicity", "White British")
    assert isinstance(white, Mapped)
    assert white.code == "WBRI"


def test_unmapped_keeps_the_text_and_suggests_a_close_code() -> None:
    result = map_value("risk_level", "Meduim")
    assert isinstance(result, Unmapped)
    assert result.original == "Meduim"
    assert result.suggestion == "medium"
    assert map_value("risk_level", "   ") == Unmapped(original="   ", code_list="risk_level")


def test_unknown_code_list_is_a_code_error_naming_the_lists() -> None:
    with pytest.raises(CodeError, match="no code list 'shoe_size'; known: "):
        map_value("shoe_size", "9")


# -- declined vs not recorded ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "declined_text", "not_recorded_text"),
    [
        ("ethnicity", "Refused", "Not obtained"),
        ("ethnicity", "prefer not to say", "unknown"),
        ("sexuality", "Declined", "Not recorded"),
        ("sexuality", "prefer not to say", "not asked"),
    ],
)
def test_declined_and_not_recorded_stay_distinct(
    name: str, declined_text: str, not_recorded_text: str
) -> None:
    cl = code_list(name)
    declined = map_value(cl, declined_text)
    not_recorded = map_value(cl, not_recorded_text)
    assert isinstance(declined, Mapped)
    assert isinstance(not_recorded, Mapped)
    assert declined.code != not_recorded.code
    assert cl.status_of(declined.code) == "declined"
    assert cl.status_of(not_recorded.code) == "not_recorded"


@pytest.mark.parametrize("name", LIST_NAMES)
def test_no_spelling_is_both_declined_and_not_recorded(name: str) -> None:
    cl = code_list(name)
    statuses: dict[str, set[str]] = {}
    for c in cl:
        for text in (c.value, c.label, *c.aliases):
            statuses.setdefault(normalise(text), set()).add(c.status)
    assert all(len(s) == 1 for s in statuses.values())


# -- map_series -----------------------------------------------------------------------------

cells = st.one_of(
    st.none(),
    st.sampled_from(["", "  ", "\t"]),
    st.text(max_size=12),
    st.sampled_from(_spellings(code_list("gender")) + _spellings(code_list("ethnicity"))),
)


@given(
    name=st.sampled_from(["gender", "ethnicity", "sexuality", "risk_level"]),
    column=st.lists(cells, max_size=30),
)
def test_map_series_agrees_with_map_value_elementwise(name: str, column: list[Any]) -> None:
    series = pd.Series(column, dtype="object", index=range(100, 100 + len(column)))
    result = map_series(name, series)
    assert list(result.codes.index) == list(series.index)
    assert list(result.codes.cat.categories) == list(code_list(name).values)
    for text, code, unmapped in zip(column, result.codes, result.unmapped, strict=True):
        if text is None or normalise(text) == "":
            assert pd.isna(code)
            assert not unmapped
            continue
        single = map_value(name, text)
        if isinstance(single, Mapped):
            assert code == single.code, text
            assert not unmapped
        else:
            assert pd.isna(code), text
            assert unmapped


def test_map_series_reports_unmapped_originals_in_first_seen_order() -> None:
    series = pd.Series(["F", "Mail", None, "girl", "Mail", "Xyz"])
    result = map_series("gender", series)
    assert result.codes.tolist()[0] == "2"
    assert result.unmapped.tolist() == [False, True, False, False, True, True]
    assert result.unmapped_values(series) == ["Mail", "Xyz"]


def test_map_series_is_vectorised(monkeypatch: pytest.MonkeyPatch) -> None:
    """No per-row Python calls: normalise and CodeList.map are never called row by row."""
    calls = {"normalise": 0, "map": 0}
    real_normalise, real_map = codes.normalise, CodeList.map

    def counting_normalise(text: str) -> str:
        calls["normalise"] += 1
        return real_normalise(text)

    def counting_map(self: CodeList, text: str) -> Any:
        calls["map"] += 1
        return real_map(self, text)

    monkeypatch.setattr(codes, "normalise", counting_normalise)
    monkeypatch.setattr(CodeList, "map", counting_map)
    distinct = ["Female", "male", "F", "boy", "unknown", "Other", None, "", "Xyz"]
    rows = 200_000
    series = pd.Series([distinct[i % len(distinct)] for i in range(rows)])
    result = map_series("gender", series)
    assert len(result.codes) == rows
    assert calls["map"] == 0
    assert calls["normalise"] <= len(distinct)
    cycle = [distinct[i % len(distinct)] for i in range(rows)]
    assert int((result.codes == "2").sum()) == sum(1 for t in cycle if t in ("Female", "F"))
    assert int(result.unmapped.sum()) == cycle.count("Xyz")
