"""Data quality: field completeness, reporting rate and timeliness, reconciliations.

Every total hubspoke reports must say how complete the data behind it is.
Messages count exactly ("3 of 12 expected returns missing") and say so
plainly when a check finds nothing wrong. The record frames are those of
:mod:`hubspoke.frames` (pass frames of the *current* returns, one per
service and period, as the workspace gives them).

- :func:`field_completeness`: per service and field, how many case records
  have a known value, "declined", "not recorded" (the code's
  :attr:`~hubspoke.codes.Code.status`) or nothing at all (missing).
- :func:`reporting` / :func:`reporting_rates`: each expected return
  received, late, missing or not yet due; rates per service.
- :func:`reconcile_annual_quarters`, :func:`reconcile_cases_aggregates`:
  the mismatches, one message each; ``frame.attrs["summary"]`` states what
  was checked, also when nothing is wrong.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from hubspoke.codes import code_list
from hubspoke.errors import DataValidationError
from hubspoke.measures import DIMENSIONS, measures
from hubspoke.model import MonitoringReturn, Programme

if TYPE_CHECKING:
    from hubspoke.figures.records import RecordFrames

#: Fields whose completeness is reported: field -> (cases_frame column, code list).
COMPLETENESS_FIELDS: Final = {
    "gender": ("gender", "gender"),
    "ethnicity": ("ethnicity", "ethnicity"),
    "sexuality": ("sexuality", "sexuality"),
    "age": ("age_band", "age_band"),
    "referral_source": ("referral_source", "referral_source"),
    "risk_level": ("risk_at_referral", "risk_level"),
}

TIMELY_DAYS: Final = 30
"""A return is timely when submitted within this many days of its period's end."""

#: Register statuses, in the order every output lists them (codes; see :data:`STATUS_LABELS`).
STATUSES: Final = ("on_time", "late", "undated", "partial", "missing", "not_due")
#: The one vocabulary of the register: ``returns`` text and JSON, ``score`` and the report.
STATUS_LABELS: Final = {
    "on_time": "received on time",
    "late": "received late",
    "undated": "received (date unknown)",
    "partial": "partly received",
    "missing": "missing",
    "not_due": "not yet due",
}
#: Statuses that count as received.
RECEIVED: Final = ("on_time", "late", "undated")
#: The rule every register count uses, stated wherever the counts are shown.
RECEIVED_RULE: Final = (
    "an expected return is received when returns covering its whole period have arrived "
    "(four quarters cover a year, a year covers its quarters), on time when the last of "
    "them was first submitted by the due date, and of unknown date when one of them "
    "carries no submission date; partly received when returns cover only part of it"
)


def _require(frame: pd.DataFrame, what: str, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataValidationError(f"{what}: the frame lacks column(s) {', '.join(missing)}")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# -- field completeness -------------------------------------------------------------------------


#: Field statuses, best first: a young person's field takes the best of their records.
_RANK: Final = ("known", "declined", "not_recorded", "missing")


def _status_ranks(frame: pd.DataFrame, field: str) -> npt.NDArray[np.int64]:
    """Per record, the position in :data:`_RANK` of ``field``'s status.

    Worked out once per distinct code, then taken per record (codes are
    categoricals in record frames), so a million records cost no Python per row.
    """
    column, list_name = COMPLETENESS_FIELDS[field]
    codes = code_list(list_name)
    rank_of = {c.value: _RANK.index(c.status) for c in codes}
    values = frame[column]
    if isinstance(values.dtype, pd.CategoricalDtype):
        positions = values.cat.codes.to_numpy()
        distinct = [str(c) for c in values.cat.categories]
    else:
        found, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
        positions = np.asarray(found, dtype=np.int64)
        distinct = [str(c) for c in uniques]
    unknown = [i for i, c in enumerate(distinct) if c not in rank_of]
    if unknown:
        used = np.bincount(positions[positions >= 0], minlength=len(distinct)) > 0
        bad = [distinct[i] for i in unknown if used[i]]
        if bad:
            raise DataValidationError(f"{column}: {bad[0]!r} is not a {list_name} code")
    # one rank per distinct code, and a last one (missing) that position -1 (no value) takes
    per_code = np.array([rank_of.get(c, 3) for c in distinct] + [3], dtype=np.int64)
    ranks = per_code[positions]
    if field == "age":  # a whole-years age is known even where no band was given
        ranks = np.where(frame["age"].notna().to_numpy(dtype=bool), 0, ranks)
    return ranks


def _statuses(frame: pd.DataFrame, field: str) -> pd.Series:
    """Per record: "known", "declined", "not_recorded" or "missing" for ``field``."""
    names = np.array(_RANK, dtype=object)
    return pd.Series(names[_status_ranks(frame, field)], dtype="string")


def _services(
    cases: pd.DataFrame, given: tuple[npt.NDArray[Any], Sequence[str]] | None
) -> tuple[npt.NDArray[np.int64], Sequence[str]]:
    """Each record's service as a code into the sorted service ids (``given``, if made)."""
    if given is not None:
        return np.asarray(given[0], dtype=np.int64), given[1]
    codes, services = pd.factorize(cases["service_id"].astype("string"), sort=True)
    return np.asarray(codes, dtype=np.int64), [str(s) for s in services]


def field_completeness(
    cases: pd.DataFrame, *, service_codes: tuple[npt.NDArray[Any], Sequence[str]] | None = None
) -> pd.DataFrame:
    """Completeness of each field per service, over case records as returned.

    Columns: service_id, field, records, known, declined, not_recorded,
    missing (``Int64``), completeness (``Float64``, known / records). Age is
    known when the age or a known age band is given. Risk level is the level
    at referral. A case listed in four quarterly returns counts four times.
    ``service_codes``: each record's service as ``(codes, sorted service ids)``,
    if already made (as :func:`pandas.factorize` with ``sort=True`` makes them).
    """
    needed = {"service_id", "age"} | {c for c, _ in COMPLETENESS_FIELDS.values()}
    _require(cases, "field_completeness", sorted(needed))
    codes, services = _services(cases, service_codes)
    width = len(_RANK)
    grids = {
        field: np.bincount(
            codes * width + _status_ranks(cases, field), minlength=len(services) * width
        )
        for field in COMPLETENESS_FIELDS
    }
    return _completeness_frame(services, grids)


def _completeness_frame(services: Any, grids: Mapping[str, npt.NDArray[Any]]) -> pd.DataFrame:
    """The completeness frame from each field's counts (flat: service by :data:`_RANK` status)."""
    kinds = list(_RANK)
    fields = list(grids)
    n = len(services)
    if not fields or not n:
        return completeness_from_counts(
            pd.DataFrame({c: [] for c in ["service_id", "field", *kinds]})
        )
    # rows service by service, each service's fields in order
    counts = np.stack([grids[f].reshape(n, len(kinds)) for f in fields], axis=1)
    out = pd.DataFrame(counts.reshape(n * len(fields), len(kinds)), columns=kinds)
    out.insert(0, "field", fields * n)
    out.insert(
        0, "service_id", np.repeat(np.array([str(x) for x in services], object), len(fields))
    )
    return completeness_from_counts(out)


def completeness_from_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """Counts per service and field (``service_id, field`` and the four statuses) as published.

    Adds ``records`` (their sum) and ``completeness`` (known / records), orders
    rows by service then :data:`COMPLETENESS_FIELDS`, and fixes the dtypes of
    :func:`field_completeness`.
    """
    kinds = list(_RANK)
    out = counts.copy()
    out.insert(2, "records", out[kinds].sum(axis=1) if len(out) else [])
    order = {f: i for i, f in enumerate(COMPLETENESS_FIELDS)}
    out = out.assign(_o=out["field"].map(order)).sort_values(["service_id", "_o"], kind="stable")
    columns = ["service_id", "field", "records", *kinds]
    out = out.loc[:, columns].reset_index(drop=True)
    out = out.astype(
        {"service_id": "string", "field": "string", **dict.fromkeys(columns[2:], "Int64")}
    )
    out["completeness"] = (out["known"] / out["records"]).astype("Float64")
    return out


def _people(
    case_id: pd.Series, service: npt.NDArray[np.int64], codes: npt.NDArray[Any] | None = None
) -> tuple[npt.NDArray[np.int64], int, npt.NDArray[np.int64]]:
    """Each record's young person, as ``(person code per record, people, service per person)``.

    A young person is a distinct ``case_id`` within a service; a record
    without an id is a person of its own. Codes are dense from 0. ``codes``:
    the case ids as integer codes (-1 for none), if already made.
    """
    if codes is None:
        codes = np.asarray(pd.factorize(case_id, use_na_sentinel=True)[0])
    ids = np.asarray(codes, dtype=np.int64)
    top = int(ids.max(initial=-1)) + 1  # ids are 0 .. top - 1
    alone = top + np.arange(len(ids), dtype=np.int64)  # a record without an id: its own key
    span = top + len(ids) + 1
    key = service * span + np.where(ids >= 0, ids, alone)
    person, people = pd.factorize(key)
    return np.asarray(person, dtype=np.int64), len(people), np.asarray(people) // span


def _best_rank(
    person: npt.NDArray[np.int64], n_people: int, rank: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Each person's best (lowest) rank in :data:`_RANK` over their records.

    Every person has a record: a mark per (person, rank) seen, then the first
    mark of each person's row.
    """
    width = len(_RANK)
    seen = np.zeros(n_people * width, dtype=bool)
    seen[person * width + rank] = True
    best: npt.NDArray[np.int64] = seen.reshape(n_people, width).argmax(axis=1).astype(np.int64)
    return best


def field_completeness_people(
    cases: pd.DataFrame,
    *,
    case_codes: npt.NDArray[Any] | None = None,
    service_codes: tuple[npt.NDArray[Any], Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Completeness of each field per service, counting each young person once.

    A young person is a distinct ``case_id`` within a service (a record
    without an id counts as its own person). Their field is ``known`` if any
    of their records gives a known value, else ``declined`` if any says
    declined, else ``not_recorded``, else ``missing``. Columns as
    :func:`field_completeness`, with ``records`` counting young people and a
    ``unit`` column saying so ("young people"); compare the per-record figure.
    ``case_codes`` (the case ids as integer codes, -1 for none) and
    ``service_codes`` (as for :func:`field_completeness`): if already made.
    """
    needed = {"service_id", "case_id", "age"} | {c for c, _ in COMPLETENESS_FIELDS.values()}
    _require(cases, "field_completeness_people", sorted(needed))
    service, services = _services(cases, service_codes)
    person, n_people, person_service = _people(cases["case_id"], service, case_codes)
    width = len(_RANK)
    grids = {
        field: np.bincount(
            person_service * width + _best_rank(person, n_people, _status_ranks(cases, field)),
            minlength=len(services) * width,
        )
        for field in COMPLETENESS_FIELDS
    }
    out = _completeness_frame(services, grids)
    out.insert(2, "unit", pd.Series(["young people"] * len(out), dtype="string"))
    return out


def completeness_messages(completeness: pd.DataFrame) -> tuple[str, ...]:
    """One exact message per row of :func:`field_completeness`."""
    messages = []
    for row in completeness.to_dict("records"):
        known, records = int(row["known"]), int(row["records"])
        head = f"{row['service_id']}: {row['field']} known for {known} of {records} records"
        rest = [
            f"{int(row[k])} {label}"
            for k, label in (
                ("declined", "declined"),
                ("not_recorded", "not recorded"),
                ("missing", "missing"),
            )
            if int(row[k])
        ]
        messages.append(head + (f" ({', '.join(rest)})" if rest else ""))
    return tuple(messages)


# -- reporting rate and timeliness ----------------------------------------------------------------


def _first_submission(
    returns: Sequence[MonitoringReturn],
) -> dict[tuple[str, date, date], date | None]:
    """Per service and dates: the earliest known submission date (None if none is known)."""
    out: dict[tuple[str, date, date], date | None] = {}
    for r in returns:
        key = (r.service_id, r.period.start, r.period.end)
        held = out.get(key)
        if key not in out or (
            r.submitted_on is not None and (held is None or r.submitted_on < held)
        ):
            out[key] = r.submitted_on
    return out


def _covering(
    first: Mapping[tuple[str, date, date], date | None], service_id: str, start: date, end: date
) -> tuple[bool, bool, date | None]:
    """(any, whole, received on): how returns for ``service_id`` cover ``start``-``end``.

    ``received on`` is when the last covering return was first submitted (None
    when one of them has no date); an exact match is used alone.
    """
    if (service_id, start, end) in first:
        return True, True, first[(service_id, start, end)]
    spans = sorted(
        (max(s, start), min(e, end), day)
        for (sid, s, e), day in first.items()
        if sid == service_id and s <= end and e >= start
    )
    if not spans:
        return False, False, None
    reach = start - timedelta(days=1)
    dates: list[date | None] = []
    for s, e, day in spans:
        if s > reach + timedelta(days=1):
            return True, False, None  # a gap: partly received
        reach = max(reach, e)
        dates.append(day)
    if reach < end:
        return True, False, None
    known = [d for d in dates if d is not None]
    return True, True, max(known) if len(known) == len(dates) else None


def reporting(
    programme: Programme, returns: Sequence[MonitoringReturn], today: date
) -> pd.DataFrame:
    """Each expected return's status as of ``today``, by service then period start.

    Columns: service_id, period_label, due_on, status, label, submitted_on,
    days_late. Statuses (:data:`STATUSES`, read as :data:`STATUS_LABELS`)
    follow :data:`RECEIVED_RULE`: an entry is received when returns for the
    service cover its whole period (an exact match, or quarters covering a
    year); ``on_time``/``late`` by the first submission of the last covering
    return against ``due_on``; ``undated`` when one of them carries no
    submission date (nothing says it was on time); ``partial`` when returns
    cover part of it and ``due_on`` has passed; ``missing`` when none does and
    ``due_on`` has passed; ``not_due`` otherwise. ``days_late``: days after
    ``due_on`` of the submission (late) or of ``today`` (missing, partial).
    """
    first = _first_submission(returns)
    seen: set[tuple[str, date, date]] = set()
    rows = []
    for e in sorted(
        programme.expected_returns, key=lambda e: (e.service_id, e.period.sort_key, e.due_on)
    ):
        key = (e.service_id, e.period.start, e.period.end)
        if key in seen:
            continue
        seen.add(key)
        days_late: int | None = None
        some, whole, submitted = _covering(first, e.service_id, e.period.start, e.period.end)
        if whole:
            if submitted is None:
                status = "undated"
            elif submitted > e.due_on:
                status, days_late = "late", (submitted - e.due_on).days
            else:
                status = "on_time"
        elif today > e.due_on:
            status, days_late = ("partial" if some else "missing"), (today - e.due_on).days
        else:
            status = "not_due"
        rows.append(
            {
                "service_id": e.service_id,
                "period_label": e.period.label,
                "due_on": pd.Timestamp(e.due_on),
                "status": status,
                "label": STATUS_LABELS[status],
                "submitted_on": pd.NaT if submitted is None else pd.Timestamp(submitted),
                "days_late": days_late,
            }
        )
    columns = [
        "service_id",
        "period_label",
        "due_on",
        "status",
        "label",
        "submitted_on",
        "days_late",
    ]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    return frame.astype(
        {
            "service_id": "string",
            "period_label": "string",
            "due_on": "datetime64[ns]",
            "status": pd.CategoricalDtype(list(STATUSES)),
            "label": "string",
            "submitted_on": "datetime64[ns]",
            "days_late": "Int64",
        }
    )


def register_counts(status: pd.DataFrame) -> dict[str, int]:
    """How many register entries have each status (every status, zeros included)."""
    counts = status["status"].astype(str).value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def register_line(counts: Mapping[str, int]) -> str:
    """The register in one line, in :data:`STATUS_LABELS` words (``returns`` and ``score``)."""
    received = sum(counts[s] for s in RECEIVED)
    due = received + counts["partial"] + counts["missing"]
    parts = ", ".join(f"{counts[s]} {STATUS_LABELS[s]}" for s in STATUSES if s != "not_due")
    return (
        f"{received} of {due} expected returns due received ({parts}); "
        f"{counts['not_due']} {STATUS_LABELS['not_due']}."
    )


def reporting_rates(
    programme: Programme, returns: Sequence[MonitoringReturn], today: date
) -> pd.DataFrame:
    """Reporting rate and timeliness per service, then ``"all"``, with a message each.

    Counted from :func:`reporting` (so under :data:`RECEIVED_RULE`): partly
    received returns count as missing here.

    Columns: service_id, due (expected returns due by ``today``, or already
    received), received (including late), late, missing, reporting_rate
    (received / due), timely (received within :data:`TIMELY_DAYS` days of
    the period's end), dated (received with a known submission date),
    timeliness (timely / dated), message.
    """
    register = reporting(programme, returns, today)
    per: dict[str, Counter[str]] = {}
    for e in programme.expected_returns:
        per.setdefault(e.service_id, Counter())
    ends = {(e.service_id, e.period.label): e.period.end for e in programme.expected_returns}
    for sid, label, status, submitted_on in zip(
        register["service_id"].astype(str),
        register["period_label"].astype(str),
        register["status"].astype(str),
        register["submitted_on"],
        strict=True,
    ):
        c = per[sid]
        if status in RECEIVED:
            c["due"] += 1
            c["received"] += 1
            if status != "undated":
                c["dated"] += 1
                c["late"] += status == "late"
                end = ends[(sid, label)]
                c["timely"] += pd.Timestamp(submitted_on).date() <= end + timedelta(
                    days=TIMELY_DAYS
                )
        elif status in ("missing", "partial"):
            c["due"] += 1
            c["missing"] += 1
    tallies = [(sid, per[sid]) for sid in sorted(per)]
    if tallies:
        tallies.append(("all", sum((c for _, c in tallies), Counter())))
    rows: list[dict[str, Any]] = []
    for sid, c in tallies:
        row: dict[str, Any] = {"service_id": sid, **{k: c[k] for k in _TALLIES}}
        row["reporting_rate"] = c["received"] / c["due"] if c["due"] else None
        row["timeliness"] = c["timely"] / c["dated"] if c["dated"] else None
        row["message"] = _reporting_message(sid, c)
        rows.append(row)
    columns = [
        "service_id",
        "due",
        "received",
        "late",
        "missing",
        "reporting_rate",
        "timely",
        "dated",
        "timeliness",
        "message",
    ]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    return frame.astype(
        {
            "service_id": "string",
            **dict.fromkeys(_TALLIES, "Int64"),
            "reporting_rate": "Float64",
            "timeliness": "Float64",
            "message": "string",
        }
    )


_TALLIES: Final = ("due", "received", "late", "missing", "timely", "dated")


def _reporting_message(sid: str, c: Counter[str]) -> str:
    due, received, missing = c["due"], c["received"], c["missing"]
    if not due:
        return f"{sid}: no expected return is due yet"
    if missing:
        head = f"{sid}: {missing} of {_plural(due, 'expected return')} missing"
    else:
        head = f"{sid}: all {_plural(due, 'expected return')} received"
    parts = [head]
    if c["late"]:
        parts.append(f"{c['late']} of {received} received late")
    if c["dated"]:
        parts.append(
            f"{c['timely']} of {c['dated']} received within {TIMELY_DAYS} days of the period's end"
        )
    return "; ".join(parts)


# -- reconciliation ------------------------------------------------------------------------------

_RECONCILE_COLUMNS: Final = [
    "service_id",
    "measure",
    "breakdown",
    "period_label",
    "annual",
    "quarters_sum",
    "quarters_found",
    "difference",
    "message",
]


def _breakdown_labels(values: pd.DataFrame) -> pd.Series:
    dims = [d for d in values.columns if d in DIMENSIONS]
    if not dims:
        return pd.Series("total", index=values.index, dtype="string")
    parts = [(d + "=" + values[d].astype("string")).fillna("") for d in dims]
    joined = parts[0]
    for p in parts[1:]:
        joined = joined.str.cat(p, sep=", ")
    cleaned = joined.str.replace(r"(, )+", ", ", regex=True).str.strip(", ")
    return cleaned.mask(cleaned == "", "total").astype("string")


def _financial_year_of_periods(start: pd.Series, end: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``(fy start year or NA, kind)`` where kind is "year", "quarter" or "other"."""
    s, e = pd.to_datetime(start), pd.to_datetime(end)
    fy = np.where(s.dt.month >= 4, s.dt.year, s.dt.year - 1)
    is_year = (
        (s.dt.month == 4)
        & (s.dt.day == 1)
        & (e == s + pd.DateOffset(years=1) - pd.Timedelta(days=1))
    )
    quarter_end = s + pd.DateOffset(months=3) - pd.Timedelta(days=1)
    is_quarter = (s.dt.day == 1) & s.dt.month.isin([1, 4, 7, 10]) & (e == quarter_end)
    kind = pd.Series(
        np.select([is_year, is_quarter], ["year", "quarter"], "other"), index=start.index
    )
    return pd.Series(fy, index=start.index), kind


def reconcile_annual_quarters(values: pd.DataFrame) -> pd.DataFrame:
    """Annual (financial-year) totals that disagree with the sum of their four quarters.

    Compared per service, measure and breakdown. For a count, the annual
    figure must equal the quarters' sum when all four quarters are present,
    and may not be below it when some are missing. For a distinct count
    (young people), the same person may appear in several quarters: the
    annual figure must lie between the largest quarter and the quarters' sum.
    Columns: service_id, measure, breakdown, period_label, annual,
    quarters_sum, quarters_found, difference (annual - quarters_sum), message.
    """
    _require(
        values,
        "reconcile_annual_quarters",
        ["service_id", "period_label", "period_start", "period_end", "measure", "value"],
    )
    frame = values.assign(
        breakdown=_breakdown_labels(values), value=values["value"].astype("float64")
    )
    fy, kind = _financial_year_of_periods(frame["period_start"], frame["period_end"])
    frame = frame.assign(_fy=fy, _kind=kind)
    keys = ["service_id", "measure", "breakdown", "_fy"]
    annual = (
        frame[frame["_kind"] == "year"]
        .groupby(keys, observed=True, dropna=False)
        .agg(annual=("value", "sum"), period_label=("period_label", "first"))
    )
    quarters = frame[frame["_kind"] == "quarter"]
    per_quarter = quarters.groupby([*keys, "period_start"], observed=True)["value"].sum()
    q = per_quarter.groupby(level=keys).agg(["sum", "max", "count"])
    q.columns = ["quarters_sum", "quarters_max", "quarters_found"]
    both = annual.join(q, how="inner").reset_index()
    checked = len(both)
    distinct_ids = {m.id for m in measures().values() if m.unit == "distinct_count"}
    is_distinct = both["measure"].isin(distinct_ids)
    tol = 1e-9 * np.maximum(1.0, both["annual"].abs())
    complete = both["quarters_found"] == 4
    count_bad = np.where(
        complete,
        (both["annual"] - both["quarters_sum"]).abs() > tol,
        both["quarters_sum"] > both["annual"] + tol,
    )
    distinct_bad = (both["quarters_max"] > both["annual"] + tol) | (
        complete & (both["annual"] > both["quarters_sum"] + tol)
    )
    bad = both[np.where(is_distinct, distinct_bad, count_bad)].copy()
    bad["difference"] = bad["annual"] - bad["quarters_sum"]
    bad["message"] = [
        _annual_message(r, r["measure"] in distinct_ids) for r in bad.to_dict("records")
    ]
    out = bad.loc[:, _RECONCILE_COLUMNS].sort_values(
        ["service_id", "measure", "breakdown", "period_label"], kind="stable"
    )
    out = out.reset_index(drop=True).astype(
        {
            "service_id": "string",
            "measure": "string",
            "breakdown": "string",
            "period_label": "string",
            "annual": "Float64",
            "quarters_sum": "Float64",
            "quarters_found": "Int64",
            "difference": "Float64",
            "message": "string",
        }
    )
    out.attrs["checked"] = checked
    out.attrs["summary"] = (
        "no annual total has quarters of the same financial year to compare with"
        if not checked
        else f"all {_plural(checked, 'annual total')} agree with their quarters"
        if out.empty
        else f"{len(out)} of {_plural(checked, 'annual total')} disagree with their quarters"
    )
    return out


def _num(x: Any) -> str:
    return f"{float(x):g}"


def _annual_message(r: dict[Any, Any], distinct: bool) -> str:
    where = f"{r['service_id']} {r['measure']} ({r['breakdown']}) {r['period_label']}"
    head = f"{where}: annual {_num(r['annual'])}"
    found = int(r["quarters_found"])
    if distinct:
        return (
            f"{head} should lie between its largest quarter ({_num(r['quarters_max'])}) and the "
            f"sum of its {found} quarters ({_num(r['quarters_sum'])}), as it counts distinct people"
        )
    if found == 4:
        return f"{head} but its 4 quarters sum to {_num(r['quarters_sum'])}"
    return f"{head} is below the sum of its {found} quarters present ({_num(r['quarters_sum'])})"


_CASES_COLUMNS: Final = [
    "service_id",
    "period_label",
    "check",
    "from_cases",
    "aggregate",
    "difference",
    "message",
]


_WHAT: Final = {
    "young_people_one_to_one": "one-to-one cases",
    "referrals_received": "cases referred in the period",
}


def reconcile_cases_aggregates(values: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """Service-periods whose case records disagree with their aggregate counts.

    Two checks, wherever a service-period has both case records and the
    aggregate total: distinct one-to-one cases (support type one-to-one, both
    or not given) against ``young_people_one_to_one``; distinct cases
    referred within the period against ``referrals_received``. Columns:
    service_id, period_label, check, from_cases, aggregate, difference
    (from_cases - aggregate), message.
    """
    keys = ["service_id", "period_label", "period_start", "period_end"]
    _require(values, "reconcile_cases_aggregates (values)", [*keys, "measure", "value"])
    _require(
        cases,
        "reconcile_cases_aggregates (cases)",
        [*keys, "case_id", "referral_date", "support_type"],
    )
    dims = [d for d in values.columns if d in DIMENSIONS]
    totals = values[values[dims].isna().all(axis=1)] if dims else values
    aggregates = (
        totals.assign(value=totals["value"].astype("float64"))
        .groupby([*keys, "measure"], observed=True)["value"]
        .sum()
        .unstack("measure")
    )
    support = cases["support_type"].astype("string")
    one_to_one = cases[support.isna() | support.isin(["one_to_one", "both"])]
    referred = cases[
        cases["referral_date"].notna()
        & (cases["referral_date"] >= cases["period_start"])
        & (cases["referral_date"] <= cases["period_end"])
    ]
    from_cases = pd.DataFrame(
        {
            "young_people_one_to_one": one_to_one.groupby(keys, observed=True)["case_id"].nunique(),
            "referrals_received": referred.groupby(keys, observed=True)["case_id"].nunique(),
        }
    )
    with_cases = cases.groupby(keys, observed=True).size().rename("_n")
    rows: list[dict[str, object]] = []
    checked = 0
    for check in ("young_people_one_to_one", "referrals_received"):
        if check not in aggregates.columns:
            continue
        agg = aggregates[check].dropna()
        counted = from_cases[check].reindex(with_cases.index).fillna(0)
        joined = pd.concat(
            [counted.rename("from_cases"), agg.rename("aggregate")], axis=1, join="inner"
        )
        checked += len(joined)
        for key, r in joined.iterrows():
            if abs(r["from_cases"] - r["aggregate"]) > 1e-9:
                sid, label = key[0], key[1]  # type: ignore[index]
                rows.append(
                    {
                        "service_id": sid,
                        "period_label": label,
                        "check": check,
                        "from_cases": r["from_cases"],
                        "aggregate": r["aggregate"],
                        "difference": r["from_cases"] - r["aggregate"],
                        "message": (
                            f"{sid} {label}: {_num(r['from_cases'])} distinct {_WHAT[check]}"
                            f" in case records but {check} is {_num(r['aggregate'])}"
                        ),
                    }
                )
    out = pd.DataFrame.from_records(rows, columns=_CASES_COLUMNS)
    out = out.sort_values(["service_id", "period_label", "check"], kind="stable").reset_index(
        drop=True
    )
    out = out.astype(
        {
            "service_id": "string",
            "period_label": "string",
            "check": "string",
            "from_cases": "Float64",
            "aggregate": "Float64",
            "difference": "Float64",
            "message": "string",
        }
    )
    out.attrs["checked"] = checked
    out.attrs["summary"] = (
        "no service-period has both case records and the aggregate counts to compare"
        if not checked
        else f"case records agree with aggregates in all {_plural(checked, 'comparison')}"
        if out.empty
        else f"{len(out)} of {_plural(checked, 'comparison')} of case records with "
        "aggregates disagree"
    )
    return out


# -- completeness per measure ----------------------------------------------------------------------


def measure_completeness(frames: RecordFrames) -> pd.DataFrame:
    """Of the returns received, how many carry each key-outcome measure and case field.

    One row per measure of the catalogue that evidences a key outcome
    (``kind`` "measure": returns with a figure for it, any breakdown, among
    all ``received`` current returns) and per case field a key outcome needs
    (:data:`hubspoke.measures.KEY_OUTCOME_FIELDS`, ``kind`` "field": returns
    with the field known for at least one case, among returns with case
    records). Columns: kind, name, outcome, received, carrying, share, rule.
    """
    from hubspoke.measures import KEY_OUTCOME_FIELDS

    received = int(frames.returns["return_id"].nunique())
    rows: list[dict[str, Any]] = []
    values = frames.values
    for m in sorted(measures().values(), key=lambda m: (m.outcome or 0, m.id)):
        if m.outcome is None:
            continue
        carrying = int(values.loc[values["measure"] == m.id, "return_id"].nunique())
        rows.append(
            {
                "kind": "measure",
                "name": m.id,
                "outcome": m.outcome,
                "received": received,
                "carrying": carrying,
            }
        )
    cases = frames.cases
    with_cases = int(cases["return_id"].nunique())
    for field, (outcome, _) in KEY_OUTCOME_FIELDS.items():
        known = cases.loc[cases[field].notna(), "return_id"]
        rows.append(
            {
                "kind": "field",
                "name": field,
                "outcome": outcome,
                "received": with_cases,
                "carrying": int(known.nunique()),
            }
        )
    frame = pd.DataFrame.from_records(
        rows, columns=["kind", "name", "outcome", "received", "carrying"]
    )
    frame["share"] = (frame["carrying"] / frame["received"].where(frame["received"] > 0)).astype(
        "Float64"
    )
    frame["rule"] = [
        "current returns received that give a figure for the measure (any breakdown)"
        if k == "measure"
        else "current returns with case records that give the field for at least one case"
        for k in frame["kind"]
    ]
    return frame.astype({"kind": "string", "name": "string", "rule": "string"})
