"""Reading ``hubspoke-values`` files: column checks, then one return per (service, period)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hubspoke.errors import ModelError
from hubspoke.measures import DIMENSIONS, measures
from hubspoke.model import DataValue
from hubspoke.plugins.contract import LoadOptions, LoadResult
from hubspoke_importers._columns import ColumnReader, ObjectArray, report_columns
from hubspoke_importers._common import Findings, hashed_meanwhile, provenance, read_source
from hubspoke_importers._csv import read_table
from hubspoke_importers._returns import ReturnBuilder, finish
from hubspoke_importers.values import NAME

REQUIRED = ("service", "period", "measure", "value")
KNOWN = (*REQUIRED, *DIMENSIONS, "submitted_on")


def read_values(
    reader: ColumnReader,
    services: ObjectArray,
    periods: ObjectArray,
    builder: ReturnBuilder,
) -> int:
    """Check value rows column-wise and add the surviving ones to ``builder``.

    ``services`` and ``periods`` give each row's service id and period (None
    where already rejected). Returns the number of rows imported.
    """
    builder.columns(reader.findings.sheet, reader.table.columns)
    measure_ids = reader.measures("measure")
    catalogue = measures()
    whole = measure_ids.map(
        {m: catalogue[m].whole for m in measure_ids.dropna().unique().tolist()}
    ).astype("boolean")
    amounts = reader.numbers("value", whole=whole.fillna(True).astype(bool), required=True)
    dims = [d for d in DIMENSIONS if reader.has(d)]
    codes = {d: reader.codes(d, d) for d in dims}
    for d in dims:
        reader.breakdown_allowed(measure_ids, d, d)
    ids = measure_ids.astype(object).where(measure_ids.notna(), None).to_numpy()
    breakdowns = [
        tuple((d, codes[d][i]) for d in dims if codes[d][i] is not None) for i in range(reader.size)
    ]
    seen: dict[tuple[object, ...], int] = {}
    imported = 0
    for position in np.flatnonzero(reader.alive()):
        i = int(position)
        key = (services[i], periods[i], ids[i], breakdowns[i])
        first = seen.setdefault(key, int(reader.table.rows[i]))
        if first != int(reader.table.rows[i]):
            reader.reject(
                i,
                "duplicate-value",
                f"{ids[i]} for {services[i]} in {periods[i].label} with this breakdown "
                f"is already given in row {first}",
                key="measure",
                value=str(reader.cells("measure").iat[i]),
                suggestion="give each figure once, or add the breakdown column that tells "
                "these rows apart",
            )
            continue
        try:
            record = DataValue(measure=ids[i], breakdown=breakdowns[i], value=float(amounts[i]))
        except ModelError as exc:
            reader.reject(i, "invalid-record", str(exc), key="measure")
            continue
        builder.add(
            services[i],
            periods[i],
            record,
            row=int(reader.table.rows[i]),
            sheet=reader.findings.sheet,
        )
        imported += 1
    return imported


def load_values(source: Path, options: LoadOptions) -> LoadResult:
    """Load a ``hubspoke-values`` file (the importer's ``load``)."""
    data = read_source(source, options)
    findings = Findings(source.name)
    with hashed_meanwhile(data) as sha256:
        table = read_table(data, findings)
        builder = ReturnBuilder(provenance=provenance(source, data, NAME, sha256=sha256()))
    reader = ColumnReader(table, findings)
    required = [
        c
        for c in REQUIRED
        if not (c == "service" and options.service_id) and not (c == "period" and options.period)
    ]
    extra = [k for k in table.columns if k not in KNOWN]
    flagged = reader.personal_data(extra, None)
    report_columns(table, findings, KNOWN, ignore=flagged)
    imported = 0
    if reader.required_columns(required):
        services = reader.services("service", options)
        periods = reader.periods("period", options)
        submitted = reader.dates("submitted_on")
        imported = read_values(reader, services, periods, builder)
        if reader.has("submitted_on"):
            alive = reader.alive()
            builder.submitted(services[alive], periods[alive], submitted[alive], findings)
    return finish(builder.build(), [findings], table.rows_read, imported, builder.locations())
