"""The documented ceilings on what a return file may hold (``docs/formats.md``).

Input decides how much memory and time reading it takes, so every size a
file can declare is capped before anything is allocated for it, and every
figure is checked for plausibility at the door, so that nothing stored can
later overflow a 64-bit integer, fall outside the dates pandas can hold,
or make a report fail. This module has no dependencies (the model layer
uses it).
"""

from __future__ import annotations

from datetime import date

#: The largest count a return may give (people, sessions, attendees...):
#: ten million, far above any one service's figures and far below
#: 2**63 / 10**6, so even a million returns summed cannot overflow int64.
MAX_COUNT = 10_000_000

#: The largest amount (hours, money in GBP, scores) a return may give.
MAX_AMOUNT = 1e12

#: The earliest and latest dates accepted anywhere in a return.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)

#: The longest text one cell may hold: Excel's own limit for a cell.
MAX_CELL_CHARS = 32_767

#: The most columns a sheet or delimited file may have: Excel's own limit (column XFD).
MAX_COLUMNS = 16_384

#: The most rows a sheet may have: Excel's own limit.
MAX_ROWS = 1_048_576

#: The most cells (rows x columns of the used range) one sheet or delimited file may span.
MAX_CELLS = 50_000_000

#: The most digits a number in a JSON file may have.
MAX_JSON_DIGITS = 30

#: Values quoted in findings are cut to this many characters.
EXCERPT_CHARS = 80

#: Messages of findings are cut to this many characters.
MAX_MESSAGE_CHARS = 2_000


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was.

    ``excerpt("A" * 400_000)`` is ``"AAAA...A... (400,000 characters)"``.
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


def date_in_window(d: date) -> bool:
    """True when ``d`` lies in the window :data:`EARLIEST_DATE` to :data:`LATEST_DATE`."""
    return EARLIEST_DATE <= d <= LATEST_DATE


#: Words for the date window, for messages.
DATE_WINDOW = f"{EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}"
