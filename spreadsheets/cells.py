"""One function decides what a spreadsheet cell may hold: ``cell_safe``.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice or Google Sheets (``=HYPERLINK(...)`` in a group's name becomes a link
that leaks data). Following the OWASP advice on CSV injection, such text gets a leading single quote,
so it is shown, never run. Real numbers, dates and booleans stay what they are: a negative number
stored as a number cannot carry a formula, and a spreadsheet must still be able to sum it.
"""

import datetime
import re
from decimal import Decimal

# The OWASP list (= + - @ TAB CR), plus a line feed: some importers trim leading line breaks.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_NATIVE_TYPES = (bool, int, float, Decimal, datetime.date, datetime.time, datetime.timedelta)
# Control characters an XLSX file cannot hold at all (openpyxl refuses the whole file otherwise).
_XLSX_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

Cell = str | int | float | Decimal | datetime.date | datetime.time | datetime.timedelta | None


def cell_safe(value: object) -> Cell:
    """``value`` as a spreadsheet may hold it: numbers and dates as they are, text neutralised."""
    if value is None or isinstance(value, _NATIVE_TYPES):
        return value  # type: ignore[return-value]
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def xlsx_safe(value: object) -> Cell:
    """``cell_safe`` plus what the XLSX format itself cannot store (control characters → U+FFFD)."""
    value = cell_safe(value)
    if isinstance(value, str):
        return _XLSX_ILLEGAL.sub("\N{REPLACEMENT CHARACTER}", value)
    return value
