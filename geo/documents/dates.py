"""Dates as the archive writes them ("June 26, 1954", "26 June 1954", "1954-06-26").

Kept by hand rather than python-dateutil: dateutil's fuzzy parser reads any number as a day or a
year ("Cable No. 21680" becomes a date), while these three patterns, anchored where a date is
expected, are exactly what the archive's layouts use.
"""

from __future__ import annotations

import datetime as _dt
import re

_MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}

_ORD = r"(?:st|nd|rd|th)?"
_DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    # June 26, 1954 / Jun. 26 1954
    re.compile(
        rf"(?P<month>[A-Za-z]{{3,9}})\.?\s+(?P<day>\d{{1,2}}){_ORD},?\s+(?P<year>\d{{4}})(?!\d)"
    ),
    # 26 June 1954 / 26th June, 1954
    re.compile(
        rf"(?P<day>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<month>[A-Za-z]{{3,9}})\.?,?\s+(?P<year>\d{{4}})(?!\d)"
    ),
    # 1954-06-26
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)"),
)
_DATE_TAIL_RE = re.compile(r"[\s,.;:\u2013\u2014-]*")
_SPACE_RE = re.compile(r"\s*")


def parse_date_at(text: str, pos: int = 0) -> tuple[str, int] | None:
    """A date starting at *pos* (after spaces): its ISO form and where the text goes on.

    Nothing is sliced: a caller trying every position of a long text stays linear.
    """
    start = _SPACE_RE.match(text, pos).end()  # type: ignore[union-attr]
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text, start)
        if m is None:
            continue
        month_raw = m.group("month")
        month = int(month_raw) if month_raw.isdigit() else _MONTHS.get(month_raw.lower())
        if month is None:
            continue
        try:
            value = _dt.date(int(m.group("year")), month, int(m.group("day")))
        except ValueError:
            continue
        return value.isoformat(), _DATE_TAIL_RE.match(text, m.end()).end()  # type: ignore[union-attr]
    return None


def parse_date_prefix(text: str) -> tuple[str, str] | None:
    """A date at the start of *text*: its ISO form and the rest (separators removed)."""
    found = parse_date_at(text)
    if found is None:
        return None
    iso, end = found
    return iso, text[end:].strip()
