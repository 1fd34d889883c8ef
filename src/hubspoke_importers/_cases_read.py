"""Reading ``hubspoke-cases`` files: column checks, then case records per (service, period)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from hubspoke.codes import age_band_for
from hubspoke.errors import ModelError
from hubspoke.model import CaseRecord
from hubspoke.periods import Period
from hubspoke.plugins.contract import LoadOptions, LoadResult
from hubspoke.privacy.detect import KIND_WORDS, id_kinds, ids_to_screen
from hubspoke_importers._cells import Problem, parse_count, parse_flag
from hubspoke_importers._columns import (
    ColumnReader,
    Encoded,
    ObjectArray,
    narrow,
    objects,
    report_columns,
    spread,
)
from hubspoke_importers._common import (
    IDENTIFIER,
    Findings,
    hashed_meanwhile,
    is_identifier,
    provenance,
    read_source,
)
from hubspoke_importers._csv import read_table
from hubspoke_importers._returns import ReturnBuilder, finish
from hubspoke_importers.cases import NAME

#: Coded columns and the code list each maps to.
CODED: dict[str, str] = {
    "referral_source": "referral_source",
    "risk_at_referral": "risk_level",
    "risk_latest": "risk_level",
    "gender": "gender",
    "ethnicity": "ethnicity",
    "sexuality": "sexuality",
    "age_band": "age_band",
    "support_type": "support_type",
    "closure_reason": "closure_reason",
}
DATES = ("referral_date", "closed_on")
COUNTS = ("missing_before", "missing_after")
#: Every column a case row may have, besides ``service`` and ``period``.
CASE_COLUMNS = ("case_id", *DATES, *CODED, "age", "looked_after", *COUNTS)
KNOWN = ("service", "period", "submitted_on", *CASE_COLUMNS)


def case_id_cell(text: str) -> str | Problem | None:
    """A case id cell: required, an identifier, and never an email or postcode."""
    if not text:
        return Problem(code="missing-value", message="the case id is blank")
    kinds = id_kinds(text)
    if kinds:
        return Problem(
            code="personal-data",
            message=f"the case id holds {KIND_WORDS[kinds[0]]}; returns must be pseudonymous, "
            "so the row was not imported",
            suggestion="use the service's own pseudonymous reference, e.g. Case-0042",
            private=True,
        )
    if not is_identifier(text):
        return Problem(
            code="invalid-case-id",
            message="a case id must be letters, digits, _ . : - (no spaces, at most 64)",
            suggestion="use the service's own pseudonymous reference, e.g. Case-0042",
        )
    return text


def _age(text: str) -> int | Problem | None:
    value = parse_count(text)
    if isinstance(value, int) and value > 25:
        return Problem(code="age-out-of-range", message=f"age {value} is outside 0-25")
    return value


def _case_ids(reader: ColumnReader) -> pd.Series:
    """Case ids (``string``, NA where rejected), checked column-wise.

    Only suspect cells go through :func:`case_id_cell`; the ids stay the
    column's Arrow strings, with no Python object per row.
    """
    text = reader.cells("case_id").astype("string")
    suspect = ~(text.str.fullmatch(IDENTIFIER.pattern) & ~ids_to_screen(text)).fillna(False)
    refused: list[int] = []
    for i in np.flatnonzero(suspect.to_numpy(dtype=bool)):
        position = int(i)
        value: Any = text.iat[position]
        cell = "" if pd.isna(value) else str(value)
        found = case_id_cell(cell)
        if isinstance(found, Problem):
            reader.reject(
                position,
                found.code,
                f"{reader.table.columns['case_id'].header}: {found.message}",
                key="case_id",
                value=None if found.private else cell,
                suggestion=found.suggestion,
            )
            refused.append(position)
    ids = text.reset_index(drop=True)
    if refused:
        ids = ids.mask(pd.Series(np.isin(np.arange(len(ids)), refused)))
    return ids


def read_cases(
    reader: ColumnReader,
    services: ObjectArray | Encoded,
    periods: ObjectArray | Encoded,
    builder: ReturnBuilder,
) -> int:
    """Check case rows column-wise; add surviving rows to ``builder``; return how many.

    ``services`` and ``periods``: each row's, per row or :data:`Encoded`.
    """
    builder.columns(reader.findings.sheet, reader.table.columns)
    ids = _case_ids(reader)
    # every field stays codes into its distinct values: no value per row is made
    fields: dict[str, Encoded] = {k: reader.codes_encoded(k, v) for k, v in CODED.items()}
    for k in DATES:
        fields[k] = reader.dates_encoded(k)
    for k in COUNTS:
        fields[k] = reader.counts_encoded(k)
    fields["age"] = reader.parse_encoded("age", _age)
    fields["looked_after"] = reader.parse_encoded("looked_after", parse_flag)
    pairs = _service_periods(services, periods)
    _reject_duplicates(reader, ids, pairs)
    _reject_invalid_records(reader, ids, fields)
    # Every field of every surviving row has now passed the same rules as the
    # model's validators (codes from the code lists, identifiers, dates, whole
    # counts, ages 0-25) and, row-wise, its cross-field checks
    # (_reject_invalid_records), so the rows go into a typed frame as they are:
    # no model object per row (LoadResult.record_frames).
    builder.frame_source("cases", encoded_case_frame(ids, fields))
    del fields
    alive = np.flatnonzero(reader.alive())
    for (service_id, period), rows in _groups(alive, pairs):
        builder.extend_frame(
            service_id,
            period,
            "cases",
            rows,
            rows=reader.table.rows[rows].tolist(),
            sheet=reader.findings.sheet,
        )
    return len(alive)


def encode(values: ObjectArray) -> Encoded:
    """A column of Python values (None for missing) as :data:`Encoded` (equal values, one code)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = objects([None, *np.asarray(uniques, dtype=object).tolist()])
    return narrow(np.asarray(codes, dtype=np.int64) + 1), distinct


def case_frame(fields: dict[str, ObjectArray]) -> pd.DataFrame:
    """Checked case columns (Python values, None for missing) as a typed record frame.

    :func:`encoded_case_frame` of the same columns (``case_id`` as it is, the rest encoded).
    """
    encoded = {name: encode(fields[name]) for name in CASE_COLUMNS[1:]}
    return encoded_case_frame(pd.Series(fields["case_id"], dtype="string"), encoded)


def encoded_case_frame(ids: pd.Series, fields: Mapping[str, Encoded]) -> pd.DataFrame:
    """Checked case ids and :data:`Encoded` case columns as a typed record frame.

    Dtypes as :func:`hubspoke.frames.cases_frame`: ids ``string``, codes
    categorical over their code list, dates ``datetime64[ns]``, counts and
    ages ``Int64``, flags ``boolean``. Each column is converted through its
    distinct values (a column of a million cells holds a few hundred dates),
    so no Python work is done per row.
    """
    from hubspoke.codes import code_list

    data: dict[str, Any] = {"case_id": ids.astype("string").array}
    for name in CASE_COLUMNS[1:]:
        if name in CODED:
            raw, values = fields[name]
            categories = pd.Index(list(code_list(CODED[name]).values))
            found = categories.get_indexer(pd.Index(values, dtype=object))  # -1: None
            data[name] = pd.Categorical.from_codes(
                found[raw] if len(values) else np.full(len(raw), -1), categories=categories
            )
            continue
        codes, distinct = _without_missing(*fields[name])
        if name in DATES:
            typed: Any = pd.Series(
                np.array(list(distinct), dtype="datetime64[D]").astype("datetime64[ns]")
            )
        elif name == "looked_after":
            typed = pd.Series(list(distinct), dtype="boolean")
        else:
            typed = pd.Series(list(distinct), dtype="Int64")
        data[name] = typed.array.take(codes, allow_fill=True)
    return pd.DataFrame(data, copy=False)  # the arrays are new: no copy, no consolidation


def _without_missing(
    codes: npt.NDArray[np.integer[Any]], values: ObjectArray
) -> tuple[npt.NDArray[np.intp], ObjectArray]:
    """``(codes, values)`` as :func:`pandas.factorize` gives them: missing values coded -1."""
    missing = np.asarray(pd.isna(values), dtype=bool)
    kept = np.flatnonzero(~missing)
    position = np.full(len(values), -1, dtype=np.intp)
    position[kept] = np.arange(len(kept), dtype=np.intp)
    found: ObjectArray = values[kept]
    return (position[codes] if len(values) else codes.astype(np.intp)), found


def _cross_field_suspects(fields: Mapping[str, ObjectArray | Encoded]) -> npt.NDArray[np.bool_]:
    """Rows that might break :class:`CaseRecord`'s cross-field checks (a superset of them).

    The checks (``CaseRecord.__attrs_post_init__``): ``closed_on`` not before
    ``referral_date``; ``age_band`` matching ``age``; no ``closure_reason``
    without ``closed_on``; ``age`` a whole number. Tested against the model.
    Fields are per-row arrays or :data:`Encoded`; each check runs once per
    distinct value (or pair of values), never per row.
    """
    column = {
        k: v if isinstance(v, tuple) else encode(v)
        for k, v in fields.items()
        if k in ("referral_date", "closed_on", "closure_reason", "age", "age_band")
    }
    referral, closed = column["referral_date"], column["closed_on"]
    has_closed = _present(closed)
    suspect = _present(column["closure_reason"]) & ~has_closed
    both = has_closed & _present(referral)
    if both.any():
        suspect |= both & (_ordinals(closed) < _ordinals(referral))
    return suspect | _age_suspects(*column["age"], *column["age_band"])


def _present(encoded: Encoded) -> npt.NDArray[np.bool_]:
    """True for rows whose value is not missing."""
    codes, values = encoded
    known: npt.NDArray[np.bool_] = ~np.asarray(pd.isna(values), dtype=bool)
    return known[codes] if len(values) else np.zeros(len(codes), dtype=bool)


def _ordinals(encoded: Encoded) -> npt.NDArray[np.int64]:
    """Each row's date as a day number (0 where missing)."""
    codes, values = encoded
    days = np.array([0 if pd.isna(v) else v.toordinal() for v in values], dtype=np.int64)
    found: npt.NDArray[np.int64] = days[codes]
    return found


def _age_suspects(
    age_codes: npt.NDArray[np.integer[Any]],
    ages: ObjectArray,
    band_codes: npt.NDArray[np.integer[Any]],
    bands: ObjectArray,
) -> npt.NDArray[np.bool_]:
    """The age checks of :func:`_cross_field_suspects`, once per distinct (age, band) pair."""
    width = max(len(bands), 1)
    row_pair, distinct = pd.factorize(age_codes.astype(np.int64) * width + band_codes)
    verdict = np.zeros(len(distinct), dtype=bool)
    for k, key in enumerate(np.asarray(distinct).tolist()):
        a, b = ages[key // width], bands[key % width]
        if a is None or pd.isna(a):
            continue
        verdict[k] = type(a) is not int or (
            not pd.isna(b) and (age_band_for(a) if 0 <= a <= 25 else None) != b
        )
    found: npt.NDArray[np.bool_] = verdict[np.asarray(row_pair, dtype=np.intp)]
    return found


def _reject_invalid_records(
    reader: ColumnReader, ids: pd.Series, fields: Mapping[str, Encoded]
) -> None:
    """Reject surviving rows the model refuses as a whole (``invalid-record``).

    Only rows :func:`_cross_field_suspects` flags are built, with the model's
    own constructor, so the message is the model's.
    """
    suspect = _cross_field_suspects(fields)
    for position in np.flatnonzero(suspect & reader.alive()):
        i = int(position)
        values = {n: v[int(c[i])] for n, (c, v) in fields.items()}
        try:
            CaseRecord(case_id=str(ids.iat[i]), **values)
        except ModelError as exc:
            key = exc.field if reader.has(exc.field) else "case_id"
            reader.reject(i, "invalid-record", exc.rule, key=key, value=str(exc.value))


def _service_periods(services: ObjectArray | Encoded, periods: ObjectArray | Encoded) -> _Pairs:
    """Each row's (service, period) as one integer code, with the values it stands for."""
    service_codes, service_values = _value_codes(services)
    period_codes, period_values = _value_codes(periods)
    codes = service_codes.astype(np.int64) * max(len(period_values), 1) + period_codes
    return _Pairs(codes=codes, services=service_values, periods=period_values)


@attrs.frozen(eq=False)
class _Pairs:
    """Rows' (service, period) codes: ``codes[i] = service * len(periods) + period``."""

    codes: npt.NDArray[np.int64]
    services: list[Any]
    periods: list[Any]

    def value(self, code: int) -> tuple[Any, Any]:
        width = max(len(self.periods), 1)
        return self.services[code // width], self.periods[code % width]


def _groups(
    rows: npt.NDArray[np.intp], pairs: _Pairs
) -> list[tuple[tuple[str, Period], npt.NDArray[np.intp]]]:
    """``rows`` grouped by (service, period), groups in first-seen order, rows in order."""
    if not len(rows):
        return []
    group_of_row, firsts = pd.factorize(pairs.codes[rows])
    order = np.argsort(group_of_row, kind="stable")
    bounds = np.cumsum(np.bincount(group_of_row, minlength=len(firsts)))[:-1]
    return [
        (pairs.value(int(pair)), rows[chunk])
        for pair, chunk in zip(firsts, np.split(order, bounds), strict=True)
    ]


def _value_codes(values: ObjectArray | Encoded) -> tuple[npt.NDArray[np.intp], list[Any]]:
    """Codes of ``values`` into their distinct values (equal values share a code).

    :data:`Encoded` values are merged per distinct value (two texts may read
    as one). Per-row values read from the same text hold the same object, so
    objects are told apart by identity first (no per-row hashing), then
    equal ones are merged.
    """
    merged: dict[Any, int] = {}
    if isinstance(values, tuple):
        codes_, distinct = values
        canonical = np.array([merged.setdefault(v, len(merged)) for v in distinct], dtype=np.intp)
        found = canonical[codes_] if len(distinct) else np.zeros(len(codes_), dtype=np.intp)
        return found, list(merged)
    identity = np.fromiter(map(id, values), dtype=np.uint64, count=len(values))
    codes, distinct_ids = pd.factorize(identity)
    first = np.zeros(len(distinct_ids), dtype=np.intp)
    first[codes] = np.arange(len(codes))  # any row of an id holds that very object
    remap = np.array([merged.setdefault(v, len(merged)) for v in values[first]], dtype=np.intp)
    return remap[codes], list(merged)


def _reject_duplicates(reader: ColumnReader, ids: pd.Series, pairs: _Pairs) -> None:
    """Reject repeated case ids within each (service, period) among surviving rows.

    One (service, period) uses the generic ``duplicate-case-id`` rule directly;
    several are checked at once on integer (service, period, case id) keys,
    with the same rule id and wording.
    """
    live = np.flatnonzero(reader.alive() & ids.notna().to_numpy(dtype=bool))
    if not len(live):
        return
    pair = pairs.codes[live].astype(np.int64)
    if (pair == pair[0]).all():
        reader.duplicate_ids("case_id")
        return
    # the ids' texts as read: rows still live hold them unchanged, so equal codes, equal ids
    id_codes, distinct_ids = reader.factorized("case_id")
    key = pd.Series(pair * len(distinct_ids) + id_codes[live].astype(np.int64))
    repeated = key.duplicated(keep="first").to_numpy()
    if not repeated.any():
        return
    firsts = reader.table.rows[live[~repeated]].tolist()
    first_row = dict(zip(key[~repeated].tolist(), firsts, strict=True))
    for position, k in zip(live[repeated].tolist(), key[repeated].tolist(), strict=True):
        case_id = ids.iat[position]
        reader.reject(
            position,
            "duplicate-case-id",
            f"case id {case_id!r} already appears in row {first_row[k]}",
            key="case_id",
            value=str(case_id),
            suggestion="give each young person one row, or correct the id",
        )


def _outcome_columns(reader: ColumnReader, findings: Findings) -> None:
    """Warn for each column a key outcome needs that the file leaves out (issue 9)."""
    from hubspoke.diagnostics import Severity
    from hubspoke.measures import KEY_OUTCOME_FIELDS

    for column, (outcome, what) in KEY_OUTCOME_FIELDS.items():
        if not reader.has(column):
            findings.note(
                "outcome-column-missing",
                Severity.WARNING,
                f"no {column} column: outcome {outcome} cannot show {what} for these cases",
                suggestion=f"add a {column} column",
            )


def load_cases(source: Path, options: LoadOptions) -> LoadResult:
    """Load a ``hubspoke-cases`` file (the importer's ``load``)."""
    data = read_source(source, options)
    findings = Findings(source.name)
    with hashed_meanwhile(data) as sha256:
        table = read_table(data, findings)
        builder = ReturnBuilder(provenance=provenance(source, data, NAME, sha256=sha256()))
    reader = ColumnReader(table, findings)
    del data  # the table holds what was read; the bytes need not outlive it
    reader.distinct_ahead(KNOWN)
    required = ["case_id"]
    if not options.service_id:
        required.insert(0, "service")
    if not options.period and not reader.has("period"):
        required.append("period")
    extra = [k for k in table.columns if k not in KNOWN]
    reference = options.period.end if options.period else None
    flagged = reader.personal_data(extra, reference)
    report_columns(table, findings, KNOWN, ignore=flagged)
    imported = 0
    if reader.required_columns(required):
        _outcome_columns(reader, findings)
        services = reader.services_encoded("service", options)
        periods = reader.periods_encoded("period", options)
        submitted = reader.dates("submitted_on")
        imported = read_cases(reader, services, periods, builder)
        if reader.has("submitted_on"):
            alive = reader.alive()
            builder.submitted(
                spread(services)[alive], spread(periods)[alive], submitted[alive], findings
            )
    return finish(
        builder.build(),
        [findings],
        table.rows_read,
        imported,
        builder.locations(),
        record_frames=builder.record_frames(),
    )
