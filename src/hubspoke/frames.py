"""Tidy pandas views of model objects, with fixed dtypes.

Every frame has the same columns and dtypes whatever the input, including
no input at all: codes are ``category`` (categories = the code list's values,
so absent codes still show as empty categories), ids and labels ``string``,
counts ``Int64``, amounts, hours and values ``Float64``, dates
``datetime64[ns]`` and flags ``boolean``; missing is ``<NA>``/``NaT``.
Columns are built once from lists, never by appending rows.

:func:`returns_from_frames` is the inverse of the four record frames. Frames
carry records, not envelopes: a return's ``submitted_on``, ``provenance``
(beyond ``source_sha256``), ``replaces_earlier`` and case ``reviews`` are not
in them and do not come back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from enum import StrEnum
from typing import Any, Final, TypeVar

import numpy as np
import pandas as pd

from hubspoke.codes import (
    ActivityKind,
    FunderKind,
    FundingCondition,
    FundingSourceKind,
    GoalStatus,
    HostKind,
    LineManagement,
    PlacementType,
    PostRole,
    Qualification,
    SupervisionKind,
    code_list,
)
from hubspoke.errors import DataValidationError, HubspokeError
from hubspoke.measures import DIMENSIONS
from hubspoke.model import (
    Activity,
    CaseRecord,
    DataValue,
    MonitoringReturn,
    OutcomeRecord,
    Programme,
)
from hubspoke.periods import Period

T = TypeVar("T")

DATE_DTYPE: Final = "datetime64[ns]"

#: Columns of :func:`values_frame` before the breakdown dimensions / after them.
VALUES_KEYS = ("service_id", "period_label", "period_start", "period_end", "measure")
VALUES_TAIL = ("value", "source_sha256")
PERIOD_COLUMNS = ("service_id", "period_label", "period_start", "period_end")

# -- typed column builders ---------------------------------------------------------------------


def _strings(values: Sequence[str | None]) -> pd.api.extensions.ExtensionArray:
    return pd.array(values, dtype="string")


def _ints(values: Sequence[int | None]) -> pd.api.extensions.ExtensionArray:
    return pd.array(values, dtype="Int64")


def _floats(values: Sequence[float | None]) -> pd.api.extensions.ExtensionArray:
    return pd.array(values, dtype="Float64")


def _bools(values: Sequence[bool | None]) -> pd.api.extensions.ExtensionArray:
    return pd.array(values, dtype="boolean")


def _codes(values: Sequence[str | None], categories: Sequence[str]) -> pd.Categorical:
    data: list[Any] = list(values)
    return pd.Categorical(data, categories=list(categories))


def _code_column(values: Sequence[str | None], list_name: str) -> pd.Categorical:
    return _codes(values, code_list(list_name).values)


def _enum_column(values: Sequence[StrEnum | None], enum: type[StrEnum]) -> pd.Categorical:
    return _codes([None if v is None else v.value for v in values], [m.value for m in enum])


def _dates(values: Sequence[date | None], column: str) -> pd.Series:
    days = np.array(values, dtype="datetime64[D]")
    try:
        dated: pd.Series = pd.Series(days).astype(DATE_DTYPE)
    except pd.errors.OutOfBoundsDatetime:
        bad = next(d for d in values if d is not None and not 1678 <= d.year <= 2261)
        raise DataValidationError(
            f"{column}: the date {bad.isoformat()} is outside the years 1678-2261 "
            "that frames can hold"
        ) from None
    return dated


def _frame(columns: dict[str, Any]) -> pd.DataFrame:
    """A DataFrame from typed column arrays (Series are taken by position)."""
    return pd.DataFrame(
        {name: (col.array if isinstance(col, pd.Series) else col) for name, col in columns.items()}
    )


def _period_columns(rows: Sequence[tuple[MonitoringReturn, object]]) -> dict[str, Any]:
    return {
        "service_id": _strings([r.service_id for r, _ in rows]),
        "period_label": _strings([r.period.label for r, _ in rows]),
        "period_start": _dates([r.period.start for r, _ in rows], "period_start"),
        "period_end": _dates([r.period.end for r, _ in rows], "period_end"),
    }


def _records(
    returns: Iterable[MonitoringReturn], pick: Callable[[MonitoringReturn], Sequence[T]]
) -> list[tuple[MonitoringReturn, T]]:
    return [(r, item) for r in returns for item in pick(r)]


# -- return record frames ----------------------------------------------------------------------


def values_frame(returns: Iterable[MonitoringReturn]) -> pd.DataFrame:
    """One row per aggregate value.

    Columns: service_id, period_label, period_start, period_end, measure,
    one category column per breakdown dimension in
    :data:`hubspoke.measures.DIMENSIONS` (``<NA>`` = not broken down by it),
    then any other registered dimension that occurs, then value (Float64) and
    source_sha256 (``<NA>`` without provenance).
    """
    rows = _records(returns, lambda r: r.values)
    breakdowns = [dict(v.breakdown) for _, v in rows]
    extra = sorted({d for b in breakdowns for d in b} - set(DIMENSIONS))
    columns = _period_columns(rows)
    columns["measure"] = _strings([v.measure for _, v in rows])
    for dim in (*DIMENSIONS, *extra):
        columns[dim] = _code_column([b.get(dim) for b in breakdowns], dim)
    columns["value"] = _floats([v.value for _, v in rows])
    columns["source_sha256"] = _strings(
        [r.provenance.sha256 if r.provenance else None for r, _ in rows]
    )
    return _frame(columns)


def cases_frame(returns: Iterable[MonitoringReturn]) -> pd.DataFrame:
    """One row per case record (pseudonymous), codes as categories, ages in whole years."""
    rows = _records(returns, lambda r: r.cases)
    cases = [c for _, c in rows]
    columns = _period_columns(rows)
    columns |= {
        "case_id": _strings([c.case_id for c in cases]),
        "referral_date": _dates([c.referral_date for c in cases], "referral_date"),
        "referral_source": _code_column([c.referral_source for c in cases], "referral_source"),
        "risk_at_referral": _code_column([c.risk_at_referral for c in cases], "risk_level"),
        "risk_latest": _code_column([c.risk_latest for c in cases], "risk_level"),
        "gender": _code_column([c.gender for c in cases], "gender"),
        "ethnicity": _code_column([c.ethnicity for c in cases], "ethnicity"),
        "sexuality": _code_column([c.sexuality for c in cases], "sexuality"),
        "age": _ints([c.age for c in cases]),
        "age_band": _code_column([c.age_band for c in cases], "age_band"),
        "looked_after": _bools([c.looked_after for c in cases]),
        "support_type": _code_column([c.support_type for c in cases], "support_type"),
        "missing_before": _ints([c.missing_before for c in cases]),
        "missing_after": _ints([c.missing_after for c in cases]),
        "closed_on": _dates([c.closed_on for c in cases], "closed_on"),
        "closure_reason": _code_column([c.closure_reason for c in cases], "closure_reason"),
    }
    return _frame(columns)


def activities_frame(returns: Iterable[MonitoringReturn]) -> pd.DataFrame:
    """One row per activity: kind, date, audience profession, attendees, staff hours."""
    rows = _records(returns, lambda r: r.activities)
    acts = [a for _, a in rows]
    columns = _period_columns(rows)
    columns |= {
        "kind": _enum_column([a.kind for a in acts], ActivityKind),
        "on": _dates([a.on for a in acts], "on"),
        "audience_profession": _code_column([a.audience_profession for a in acts], "profession"),
        "attendees": _ints([a.attendees for a in acts]),
        "hours": _floats([a.hours for a in acts]),
    }
    return _frame(columns)


def outcomes_frame(returns: Iterable[MonitoringReturn]) -> pd.DataFrame:
    """One row per outcome observation: a scale score or an individual goal's status."""
    rows = _records(returns, lambda r: r.outcomes)
    outs = [o for _, o in rows]
    columns = _period_columns(rows)
    columns |= {
        "case_id": _strings([o.case_id for o in outs]),
        "instrument": _strings([o.instrument for o in outs]),
        "on": _dates([o.on for o in outs], "on"),
        "score": _floats([o.score for o in outs]),
        "goal": _strings([o.goal for o in outs]),
        "goal_status": _enum_column([o.goal_status for o in outs], GoalStatus),
        "subject": _strings([o.subject for o in outs]),
    }
    return _frame(columns)


# -- programme structure frames -----------------------------------------------------------------


def spokes_frame(p: Programme) -> pd.DataFrame:
    """One row per spoke; ``phase`` is its hub's phase (``<NA>`` if the hub is unknown)."""
    phase_of = {h.id: h.phase for h in p.hubs}
    s = p.spokes
    return _frame(
        {
            "spoke_id": _strings([x.id for x in s]),
            "hub_id": _strings([x.hub_id for x in s]),
            "phase": _ints([phase_of.get(x.hub_id) for x in s]),
            "area_code": _strings([x.area.code for x in s]),
            "area_name": _strings([x.area.name for x in s]),
            "placement": _enum_column([x.placement for x in s], PlacementType),
            "planned_start": _dates([x.planned_start for x in s], "planned_start"),
            "actual_start": _dates([x.actual_start for x in s], "actual_start"),
            "planned_end": _dates([x.planned_end for x in s], "planned_end"),
            "actual_end": _dates([x.actual_end for x in s], "actual_end"),
        }
    )


def hubs_frame(p: Programme) -> pd.DataFrame:
    """One row per hub."""
    h = p.hubs
    return _frame(
        {
            "hub_id": _strings([x.id for x in h]),
            "organisation": _strings([x.organisation for x in h]),
            "service_name": _strings([x.service_name for x in h]),
            "region": _strings([x.region for x in h]),
            "phase": _ints([x.phase for x in h]),
            "manager_post_funded": _bools([x.manager_post_funded for x in h]),
        }
    )


def hosting_frame(p: Programme) -> pd.DataFrame:
    """One row per hosting arrangement, with the host's kind and statutory flag.

    ``host_kind``/``host_statutory`` are ``<NA>`` when the host id is unknown;
    ``systems_access`` counts desk, IT and records access (0 to 3).
    """
    hosts = {h.id: h for h in p.hosts}
    a = p.hosting
    known = [hosts.get(x.host_id) for x in a]
    return _frame(
        {
            "hosting_id": _strings([x.id for x in a]),
            "spoke_id": _strings([x.spoke_id for x in a]),
            "host_id": _strings([x.host_id for x in a]),
            "host_kind": _enum_column([h.kind if h else None for h in known], HostKind),
            "host_statutory": _bools([h.statutory if h else None for h in known]),
            "start": _dates([x.start for x in a], "start"),
            "end": _dates([x.end for x in a], "end"),
            "formal_agreement": _bools([x.formal_agreement for x in a]),
            "agreement_date": _dates([x.agreement_date for x in a], "agreement_date"),
            "colocation_days": _floats([x.colocation_days for x in a]),
            "desk_access": _bools([x.desk_access for x in a]),
            "it_access": _bools([x.it_access for x in a]),
            "records_access": _bools([x.records_access for x in a]),
            "systems_access": _ints([x.systems_access for x in a]),
            "line_management": _enum_column([x.line_management for x in a], LineManagement),
            "host_in_recruitment": _bools([x.host_in_recruitment for x in a]),
        }
    )


def funding_frame(p: Programme) -> pd.DataFrame:
    """One row per funding arrangement; one boolean column per funding condition.

    ``amount_gbp`` is the whole arrangement's amount; ``independent`` is the
    source kind's independence (charitable, lottery, reserves).
    """
    kinds = {f.id: f.kind for f in p.funders}
    f = p.funding
    columns: dict[str, Any] = {
        "funding_id": _strings([x.id for x in f]),
        "funder_id": _strings([x.funder_id for x in f]),
        "funder_kind": _enum_column([kinds.get(x.funder_id) for x in f], FunderKind),
        "spoke_id": _strings([x.spoke_id for x in f]),
        "hub_id": _strings([x.hub_id for x in f]),
        "source": _enum_column([x.source for x in f], FundingSourceKind),
        "independent": _bools([x.source.independent for x in f]),
        "amount_gbp": _floats([x.amount_gbp for x in f]),
        "start": _dates([x.start for x in f], "start"),
        "end": _dates([x.end for x in f], "end"),
        "dedicated": _bools([x.dedicated for x in f]),
    }
    for condition in FundingCondition:
        columns[condition.value] = _bools([condition in x.conditions for x in f])
    return _frame(columns)


def posts_frame(p: Programme) -> pd.DataFrame:
    """One row per post: spoke, role, FTE, dates (``end`` NaT = continuing)."""
    x = p.posts
    return _frame(
        {
            "post_id": _strings([o.id for o in x]),
            "spoke_id": _strings([o.spoke_id for o in x]),
            "role": _enum_column([o.role for o in x], PostRole),
            "fte": _floats([o.fte for o in x]),
            "start": _dates([o.start for o in x], "start"),
            "end": _dates([o.end for o in x], "end"),
        }
    )


def occupancies_frame(p: Programme) -> pd.DataFrame:
    """One row per (pseudonymous) worker's occupancy of a post."""
    x = p.occupancies
    return _frame(
        {
            "post_id": _strings([o.post_id for o in x]),
            "worker_id": _strings([o.worker_id for o in x]),
            "start": _dates([o.start for o in x], "start"),
            "end": _dates([o.end for o in x], "end"),
            "qualification": _enum_column([o.qualification for o in x], Qualification),
            "transferred_from_hub": _bools([o.transferred_from_hub for o in x]),
            "recruitment_rounds": _ints([o.recruitment_rounds for o in x]),
        }
    )


def supervision_frame(p: Programme) -> pd.DataFrame:
    """One row per supervision session."""
    x = p.supervision
    return _frame(
        {
            "post_id": _strings([o.post_id for o in x]),
            "on": _dates([o.on for o in x], "on"),
            "kind": _enum_column([o.kind for o in x], SupervisionKind),
        }
    )


def expected_returns_frame(p: Programme) -> pd.DataFrame:
    """The register of expected returns: service, period and due date."""
    x = p.expected_returns
    return _frame(
        {
            "service_id": _strings([e.service_id for e in x]),
            "period_label": _strings([e.period.label for e in x]),
            "period_start": _dates([e.period.start for e in x], "period_start"),
            "period_end": _dates([e.period.end for e in x], "period_end"),
            "due_on": _dates([e.due_on for e in x], "due_on"),
        }
    )


# -- the inverse ------------------------------------------------------------------------------

_ReturnKey = tuple[str, str, date, date]


def _python_column(frame: pd.DataFrame, name: str) -> list[Any]:
    """A column as Python values: dates as ``date``, missing as None."""
    col = frame[name]
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        col = col.dt.date
    return [None if v is None or v is pd.NaT or pd.isna(v) else v for v in col.astype(object)]


def _require(frame: pd.DataFrame, which: str, names: Iterable[str]) -> None:
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise DataValidationError(f"{which} frame lacks column(s): {', '.join(missing)}")


def _grouped(
    frame: pd.DataFrame | None,
    which: str,
    fields: Sequence[str],
    build: Callable[[dict[str, Any]], T],
    into: dict[_ReturnKey, dict[str, list[Any]]],
) -> None:
    """Build ``which`` records row by row from ``frame`` and file them by return key."""
    if frame is None:
        return
    _require(frame, which, (*PERIOD_COLUMNS, *fields))
    keys = zip(*(_python_column(frame, c) for c in PERIOD_COLUMNS), strict=True)
    data = {f: _python_column(frame, f) for f in fields}
    for i, key in enumerate(keys):
        row = {f: data[f][i] for f in fields}
        try:
            record = build(row)
        except (HubspokeError, ValueError, TypeError) as exc:
            raise DataValidationError(f"{which} row {i}: {exc}") from exc
        into.setdefault(key, {}).setdefault(which, []).append(record)


def _value_fields(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    dims = [c for c in frame.columns if c not in {*VALUES_KEYS, *VALUES_TAIL}]
    return ["measure", "value", *dims], dims


def returns_from_frames(
    values: pd.DataFrame | None = None,
    cases: pd.DataFrame | None = None,
    activities: pd.DataFrame | None = None,
    outcomes: pd.DataFrame | None = None,
) -> tuple[MonitoringReturn, ...]:
    """Monitoring returns rebuilt from the record frames (the inverse of the ``*_frame``s).

    Rows are grouped by service_id and period (label, start, end); returns
    come out in order of first appearance (values, then cases, activities,
    outcomes) and records in row order. Every column other than the keys,
    ``measure``, ``value`` and ``source_sha256`` of ``values`` is a breakdown
    dimension. A row that breaks a model rule raises DataValidationError
    naming the frame and row position.
    """
    found: dict[_ReturnKey, dict[str, list[Any]]] = {}
    if values is not None:
        fields, dims = _value_fields(values)
        _grouped(
            values,
            "values",
            fields,
            lambda row: DataValue(
                measure=row["measure"],
                breakdown={d: row[d] for d in dims if row[d] is not None},
                value=row["value"],
            ),
            found,
        )
    _grouped(cases, "cases", _CASE_FIELDS, lambda row: CaseRecord(**row), found)
    _grouped(activities, "activities", _ACTIVITY_FIELDS, _activity, found)
    _grouped(outcomes, "outcomes", _OUTCOME_FIELDS, _outcome, found)
    return tuple(
        MonitoringReturn(
            service_id=service_id,
            period=Period(start=start, end=end, label=label),
            values=tuple(records.get("values", ())),
            cases=tuple(records.get("cases", ())),
            activities=tuple(records.get("activities", ())),
            outcomes=tuple(records.get("outcomes", ())),
        )
        for (service_id, label, start, end), records in found.items()
    )


_CASE_FIELDS = (
    "case_id",
    "referral_date",
    "referral_source",
    "risk_at_referral",
    "risk_latest",
    "gender",
    "ethnicity",
    "sexuality",
    "age",
    "age_band",
    "looked_after",
    "support_type",
    "missing_before",
    "missing_after",
    "closed_on",
    "closure_reason",
)
_ACTIVITY_FIELDS = ("kind", "on", "audience_profession", "attendees", "hours")
_OUTCOME_FIELDS = ("case_id", "instrument", "on", "score", "goal", "goal_status", "subject")


def _activity(row: dict[str, Any]) -> Activity:
    return Activity(**(row | {"kind": ActivityKind(row["kind"])}))


def _outcome(row: dict[str, Any]) -> OutcomeRecord:
    status = row["goal_status"]
    return OutcomeRecord(**(row | {"goal_status": None if status is None else GoalStatus(status)}))


def records_from_frame(kind: str, frame: pd.DataFrame) -> list[Any]:
    """Model records of ``kind`` from the record columns of a frame, in row order.

    ``frame`` holds a record frame's columns (the period columns are not
    needed; any other column of a values frame is a breakdown dimension).
    Row by row: for tests and single records, not for the bulk path.
    """
    if kind == "values":
        _, dims = _value_fields(frame.drop(columns=list(PERIOD_COLUMNS), errors="ignore"))
        dims = [d for d in dims if d not in ("return_index", "return_id")]

        def build(row: dict[str, Any]) -> Any:
            return DataValue(
                measure=row["measure"],
                breakdown={d: row[d] for d in dims if row[d] is not None},
                value=row["value"],
            )

        names: Sequence[str] = ["measure", "value", *dims]
    else:
        names, build = {
            "cases": (_CASE_FIELDS, lambda row: CaseRecord(**row)),
            "activities": (_ACTIVITY_FIELDS, _activity),
            "outcomes": (_OUTCOME_FIELDS, _outcome),
        }[kind]
    _require(frame, kind, names)
    data = {f: _python_column(frame, f) for f in names}
    return [build({f: data[f][i] for f in names}) for i in range(len(frame))]
