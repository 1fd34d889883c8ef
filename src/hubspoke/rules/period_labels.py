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
    """``(period, None)`` when ``text`` parses, else ``(None, error diagnostic)``.

    ``convention`` ("financial" or "calendar") reads bare years and quarters
    (``2015``, ``Q1 2015``) that way instead of refusing them as ambiguous.
    """
    try:
        return parse_period(text, convention=convention), None
    except PeriodError as exc:
        message, suggestion = split_suggestion(str(exc))
        return None, Diagnostic(
            code="period-label",
            severity=Severity.ERROR,
            message=message,
            location=location,
            value=text,
            suggestion=suggestion,
        )


_GENERIC = "write e.g. 2015-16 Q1 (April-June 2015) or 2015-16 (a financial year)"


def split_suggestion(message: str) -> tuple[str, str]:
    """``(message, suggestion)`` of a period error: its "; write ..." part, else a generic one.

    One suggestion per diagnostic: the rewrite the parser proposes (which
    names the readings of an ambiguous label) moves to ``suggestion`` rather
    than appearing beside a second, generic one.
    """
    head, sep, tail = message.partition("; write ")
    if sep:
        return head, f"write {tail}"
    if "accepted forms:" in message:
        head, _, forms = message.partition("; accepted forms: ")
        return head, f"write one of the accepted forms: {forms}"
    return message, _GENERIC
