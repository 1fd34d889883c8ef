"""Validation rules that apply to any importer's output.

Each rule has an id (the ``code`` of its diagnostics), a default severity
and a plain statement (:data:`RULES`). Column rules work on a pandas column
of raw cells at once and return a :class:`ColumnCheck` (the parsed column,
a boolean ``bad`` mask of rows to reject, one located diagnostic per bad
cell); :func:`check_return` applies the rules that need a whole return.
"""

from hubspoke.rules.catalogue import RULES, Rule, rule
from hubspoke.rules.code_values import check_codes, did_you_mean
from hubspoke.rules.columns import check_required_columns, header_key, match_headers
from hubspoke.rules.dates import DATE_FORMATS, check_dates, date_hint, parse_dates
from hubspoke.rules.identifiers import check_duplicate_ids
from hubspoke.rules.measure_ids import (
    check_breakdown_allowed,
    check_measures,
    closest_measure,
    resolve_measure,
)
from hubspoke.rules.numbers import check_numbers, parse_numbers
from hubspoke.rules.period_labels import check_period_label
from hubspoke.rules.personal import PersonalDataCheck, check_personal_data
from hubspoke.rules.place import ColumnCheck, ColumnPlace, blank_mask, cell_diagnostics
from hubspoke.rules.returns import LocationOf, Record, check_return
from hubspoke.rules.services import (
    check_case_ids,
    check_service_ids,
    check_unknown_columns,
    closest_service,
)
from hubspoke.rules.totals import check_breakdown_sums

__all__ = [
    "DATE_FORMATS",
    "RULES",
    "ColumnCheck",
    "ColumnPlace",
    "LocationOf",
    "PersonalDataCheck",
    "Record",
    "Rule",
    "blank_mask",
    "cell_diagnostics",
    "check_breakdown_allowed",
    "check_breakdown_sums",
    "check_case_ids",
    "check_codes",
    "check_dates",
    "check_duplicate_ids",
    "check_measures",
    "check_numbers",
    "check_period_label",
    "check_personal_data",
    "check_required_columns",
    "check_return",
    "check_service_ids",
    "check_unknown_columns",
    "closest_measure",
    "closest_service",
    "date_hint",
    "did_you_mean",
    "header_key",
    "match_headers",
    "parse_dates",
    "parse_numbers",
    "resolve_measure",
    "rule",
]
