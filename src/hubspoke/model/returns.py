"""Monitoring returns: what one service reported for one period, with provenance."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import attrs

from hubspoke.errors import ModelError
from hubspoke.model import _rules as r
from hubspoke.model.records import Activity, CaseRecord, DataValue, OutcomeRecord
from hubspoke.periods import Period

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _sha(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _SHA256.match(value):
        raise ModelError(
            type(instance).__name__, attribute.name, "must be 64 lower-case hex digits", value
        )


@attrs.frozen(kw_only=True)
class Provenance:
    """Where a return came from: the file, its SHA-256 and the importer that read it."""

    source_file: str = attrs.field(validator=r.text)
    sha256: str = attrs.field(validator=_sha)
    importer: str = attrs.field(validator=r.text)
    importer_version: str = attrs.field(validator=r.text)
    imported_at: datetime | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(datetime))
    )
    sheet: str | None = attrs.field(default=None, validator=r.opt_text)


@attrs.frozen(kw_only=True)
class MonitoringReturn:
    """One service's return for one period.

    ``service_id`` names a spoke (or a hub, for hub-level returns).
    ``replaces_earlier`` is true when the sender marked it as a resubmission.
    Records are tuples; their order carries no meaning.
    """

    service_id: str = attrs.field(validator=r.ident)
    period: Period = attrs.field(validator=attrs.validators.instance_of(Period))
    submitted_on: date | None = attrs.field(default=None, validator=r.opt_date)
    provenance: Provenance | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(Provenance))
    )
    values: tuple[DataValue, ...] = attrs.field(
        default=(), converter=r.to_tuple, validator=r.tuple_of(DataValue)
    )
    cases: tuple[CaseRecord, ...] = attrs.field(
        default=(), converter=r.to_tuple, validator=r.tuple_of(CaseRecord)
    )
    activities: tuple[Activity, ...] = attrs.field(
        default=(), converter=r.to_tuple, validator=r.tuple_of(Activity)
    )
    outcomes: tuple[OutcomeRecord, ...] = attrs.field(
        default=(), converter=r.to_tuple, validator=r.tuple_of(OutcomeRecord)
    )
    replaces_earlier: bool = attrs.field(default=False, validator=r.a_bool)

    @property
    def record_count(self) -> int:
        return len(self.values) + len(self.cases) + len(self.activities) + len(self.outcomes)
