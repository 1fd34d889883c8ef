"""Rule ``period-label``: a return's period label is readable and unambiguous.

The message is :class:`~hubspoke.errors.PeriodError`'s, which names the
part at fault and the form to write instead; hubspoke never guesses
between financial and calendar quarters.
"""

from __future__ import annotations

from hubspoke.diagnostics import Diagnostic, Location, Severity
from hubspoke.errors import PeriodError
from hubspoke.periods import Convention, Period, parse_period


def check_period_label(
    text: str, location: Location, *, convention: Convention | None = None
) -> tuple[Period | None, Diagnostic | None]:
    """``(period, None)`` when ``text`` parses, else ``(None, error diagnostic)``."""
    try:
        return parse_period(text, convention=convention), None
    except PeriodError as exc:
        return None, Diagnostic(
            code="period-label",
            severity=Severity.ERROR,
            message=str(exc),
            location=location,
            value=text,
            suggestion="write e.g. 2015-16 Q1 (April-June 2015) or 2015-16 (a financial year)",
        )
