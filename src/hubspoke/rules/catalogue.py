"""The catalogue of validation rules: each rule's id, default severity and plain statement.

A rule id is the ``code`` of every :class:`~hubspoke.diagnostics.Diagnostic`
the rule emits; ``docs/formats.md`` and the validate report refer to rules
by id. Plugins may emit their own ids (prefix them with the plugin's name).
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from hubspoke.diagnostics import Severity


@attrs.frozen(kw_only=True)
class Rule:
    """A rule: ``id``, default ``severity`` and the ``statement`` of what it requires."""

    id: str
    severity: Severity
    statement: str


_E, _W = Severity.ERROR, Severity.WARNING

RULES: Mapping[str, Rule] = {
    r.id: r
    for r in (
        Rule(id="unknown-code", severity=_E, statement="Every coded cell holds a known code."),
        Rule(id="unknown-measure", severity=_E, statement="Every measure is in the catalogue."),
        Rule(
            id="breakdown-not-allowed",
            severity=_E,
            statement="A value is broken down only by dimensions its measure allows.",
        ),
        Rule(id="not-a-number", severity=_E, statement="Numeric cells hold numbers."),
        Rule(id="negative-count", severity=_E, statement="Counts and amounts are not negative."),
        Rule(
            id="non-integer-count",
            severity=_E,
            statement="Counts of people, sessions and events are whole numbers.",
        ),
        Rule(
            id="date-unreadable",
            severity=_E,
            statement="Dates are written as dd/mm/yyyy or yyyy-mm-dd.",
        ),
        Rule(
            id="date-outside-period",
            severity=_W,
            statement="Dates of events reported in a return fall within its period.",
        ),
        Rule(id="duplicate-case-id", severity=_E, statement="Each case id appears once."),
        Rule(
            id="breakdown-sum",
            severity=_W,
            statement="The rows breaking a measure down by one dimension sum to its total.",
        ),
        Rule(id="missing-column", severity=_E, statement="Every required column is present."),
        Rule(
            id="unknown-column",
            severity=_W,
            statement="Every column is one the format knows (others are not read).",
        ),
        Rule(
            id="invalid-service-id",
            severity=_E,
            statement="A service id is letters, digits and _ . : - (at most 64 characters).",
        ),
        Rule(
            id="unknown-service",
            severity=_E,
            statement="A return's service is a spoke or hub of the programme.",
        ),
        Rule(
            id="invalid-case-id",
            severity=_E,
            statement="A case id is letters, digits and _ . : - (at most 64 characters).",
        ),
        Rule(
            id="period-outside-programme",
            severity=_E,
            statement="A return's period overlaps the programme's dates.",
        ),
        Rule(
            id="period-outside-service",
            severity=_W,
            statement="A return's period overlaps the dates its service was active.",
        ),
        Rule(
            id="total-row",
            severity=Severity.INFO,
            statement="Total, subtotal and footer rows below the data are not data rows.",
        ),
        Rule(
            id="period-label",
            severity=_E,
            statement="The period label is readable and unambiguous.",
        ),
        Rule(
            id="personal-data",
            severity=_E,
            statement="Returns carry no names, emails, full postcodes or dates of birth.",
        ),
        Rule(
            id="format-not-detected",
            severity=_E,
            statement="Exactly one importer recognises the file (or --format names one).",
        ),
        Rule(
            id="count-too-large",
            severity=_E,
            statement="Counts are at most 10,000,000 and amounts at most 10^12 (hubspoke.limits).",
        ),
        Rule(
            id="cell-too-long",
            severity=_E,
            statement="A cell holds at most 32,767 characters (Excel's limit).",
        ),
        Rule(
            id="duplicate-figure",
            severity=_E,
            statement="A return gives each figure (measure and breakdown) once.",
        ),
        Rule(id="file-unreadable", severity=_E, statement="The file can be opened and read."),
        Rule(id="file-empty", severity=_E, statement="The file holds something to import."),
        Rule(id="import-failed", severity=_E, statement="The importer can read the file."),
        Rule(
            id="importer-contract",
            severity=_E,
            statement="The importer keeps the contract: rows read = imported + rejected.",
        ),
    )
}


def rule(rule_id: str) -> Rule:
    """The rule with this id (KeyError if none: rule ids are fixed in code)."""
    return RULES[rule_id]
