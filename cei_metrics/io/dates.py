"""Dates as exports write them, normalised to California time.

:func:`parse_dates` reads a column of date/time text in any mix of forms:

- ISO 8601 with or without a time, with ``Z``, ``+00:00``, ``-07:00`` or ``-0800`` offsets
  (``2023-10-05T16:41:12Z``), as Qualtrics, SurveyMonkey's API and most tools write;
- Google Forms' ``2023/10/05 9:41:12 AM PDT`` (or ``GMT-7``);
- US ``10/5/2023``, ``10/05/2023 09:41:12 AM`` and two-digit years; day-first
  ``25/10/2023`` when the file shows it (a first number above 12);
- month names (``Oct 5, 2023``, ``5 octubre 2023`` is not read: use digits);
- Excel serial day numbers (``45204.69``: days since 1899-12-30).

Times with an offset or zone name are converted to California time (America/Los_Angeles,
daylight saving time included) and stored without a zone; times without one are taken
as California time already, or as the zone the export declares (Qualtrics' ``timeZone``).
A file whose numeric dates could be read month/day or day/month (every first and second
number at most 12) is read month/day, the US order, and this is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["CALIFORNIA", "DateParse", "parse_dates"]

CALIFORNIA = "America/Los_Angeles"

_TZ_ABBR = {
    "PDT": -7,
    "PST": -8,
    "PT": None,
    "MDT": -6,
    "MST": -7,
    "CDT": -5,
    "CST": -6,
    "EDT": -4,
    "EST": -5,
    "AKDT": -8,
    "AKST": -9,
    "HST": -10,
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
}
_TIME = r"(?:[T\s]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d+))?)?\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?)?"
_ZONE = r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2}|[+-]\d{2}|(?:GMT|UTC)\s*[+-]\s*\d{1,2}(?::?\d{2})?|[A-Z]{1,4}T|UTC|GMT)?"
_ISO = re.compile(r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})" + _TIME + _ZONE + r"$")
_NUMERIC = re.compile(
    r"^(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>\d{4}|\d{2})" + _TIME + _ZONE + r"$"
)
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")


@dataclass(frozen=True)
class DateParse:
    """The result of :func:`parse_dates`."""

    values: pd.Series  # datetime64[ns], California time without a zone; NaT when unread
    unreadable: pd.Series  # bool: non-blank text that is not a date
    notes: tuple[str, ...] = field(default_factory=tuple)
    order: str = "month/day"  # the order used for numeric dates


@cache
def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _offset(tz: str | None) -> timezone | str | None:
    """A fixed offset for a zone text; None for no zone; "bad" when not understood."""
    if not tz:
        return None
    t = tz.strip().upper().replace(" ", "")
    if t in _TZ_ABBR:
        h = _TZ_ABBR[t]
        return "local" if h is None else timezone(timedelta(hours=h))
    m = re.fullmatch(r"(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?", t)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        return timezone(sign * timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0)))
    return "bad"


def _build(y: int, mo: int, d: int, g: dict, src_tz: str | None) -> datetime | None:
    try:
        h = int(g.get("H") or 0)
        mi = int(g.get("M") or 0)
        s = int(g.get("S") or 0)
        ampm = (g.get("ampm") or "").replace(".", "").replace(" ", "").upper()
        if ampm:
            if not 1 <= h <= 12:
                return None
            h = (h % 12) + (12 if ampm == "PM" else 0)
        frac = g.get("f") or ""
        us = int((frac + "000000")[:6]) if frac else 0
        dt = datetime(y, mo, d, h, mi, s, us)
    except (ValueError, OverflowError):
        return None
    off = _offset(g.get("tz"))
    if off == "bad":
        return None
    if off is None and src_tz:
        dt = dt.replace(tzinfo=_zone(src_tz))
    elif off is not None and off != "local":
        dt = dt.replace(tzinfo=off)
    if dt.tzinfo is not None:
        dt = dt.astimezone(_zone(CALIFORNIA)).replace(tzinfo=None)
    return dt


def _year(y: str) -> int:
    v = int(y)
    return v + (2000 if v < 70 else 1900) if len(y) == 2 else v


def order_evidence(values: pd.Series) -> tuple[bool, bool, int]:
    """What a column's numeric dates say about their day/month order: whether a date
    shows day first (first number above 12), month first (second number above 12), and
    how many distinct dates could be read either way. :func:`parse_dates` decides the
    order of a column from this; a file read in batches adds it up over its batches."""
    import pandas as pd

    texts = values.astype(str).str.strip()
    day_first = month_first = False
    n_amb = 0
    for u in pd.unique(texts):
        m = _NUMERIC.match(u) if u else None
        if m:
            a, b = int(m.group("a")), int(m.group("b"))
            day_first |= 12 < a <= 31 and b <= 12
            month_first |= 12 < b <= 31 and a <= 12
            n_amb += a != b
    return day_first, month_first, n_amb


def parse_dates(
    values: pd.Series,
    *,
    source_tz: str | None = None,
    evidence: tuple[bool, bool, int] | None = None,
) -> DateParse:
    """Read a column of dates in any mix of forms as California time (see module doc).

    Parameters
    ----------
    values : text cells (blank cells give NaT and are not reported).
    source_tz : the IANA zone of times written without one (e.g. Qualtrics'
        ``timeZone``); by default they are California time already.
    evidence : :func:`order_evidence` of the whole column, when ``values`` is one batch
        of a file read in batches (so every batch reads dates in the same order).

    Returns
    -------
    DateParse with ``values`` (datetime64[ns], no zone), ``unreadable`` (bool mask) and
    ``notes`` (ambiguous or mixed day/month orders).
    """
    import pandas as pd

    texts = values.astype(str).str.strip()
    uniq = [u for u in pd.unique(texts) if u]
    if source_tz:
        try:
            _zone(source_tz)
        except Exception:
            source_tz = None
    # the day/month order of numeric dates, decided for the whole column
    day_first_seen, month_first_seen, n_amb = (
        evidence if evidence is not None else order_evidence(pd.Series(uniq, dtype=object))
    )
    notes = []
    order = "month/day"
    if day_first_seen and not month_first_seen:
        order = "day/month"
    elif day_first_seen and month_first_seen:
        notes.append(
            "numeric dates use both day/month and month/day orders; each unambiguous date "
            "was read as written and the ambiguous ones as month/day (US)"
        )
    else:
        if n_amb:
            notes.append(
                f"{n_amb} distinct date(s) could be read as month/day or day/month (no day "
                "above 12 shows the order); read as month/day, the US order"
            )
    parsed: dict[str, datetime | None] = {}
    for u in uniq:
        dt = None
        m = _ISO.match(u)
        if m:
            dt = _build(
                int(m.group("y")), int(m.group("m")), int(m.group("d")), m.groupdict(), source_tz
            )
        elif (m := _NUMERIC.match(u)) is not None:
            a, b, y = int(m.group("a")), int(m.group("b")), _year(m.group("y"))
            if day_first_seen and month_first_seen:
                day_first = a > 12
            else:
                day_first = order == "day/month"
            mo, d = (b, a) if day_first else (a, b)
            dt = _build(y, mo, d, m.groupdict(), source_tz)
        elif _SERIAL.match(u):
            v = float(u)
            if 20000 <= v <= 80000:  # 1954 .. 2119
                dt = datetime(1899, 12, 30) + timedelta(days=v)
                dt = dt.replace(microsecond=0) + timedelta(seconds=round(dt.microsecond / 1e6))
        else:
            dt = _fallback(u, source_tz)
        if dt is not None and not 1950 <= dt.year <= 2150:
            dt = None
        parsed[u] = dt
    out = texts.map(parsed)
    unreadable = texts.ne("") & out.isna()
    return DateParse(
        values=pd.to_datetime(out, errors="coerce").astype("datetime64[ns]"),
        unreadable=unreadable.astype(bool),
        notes=tuple(notes),
        order=order,
    )


_MONTHS = re.compile(
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?", re.IGNORECASE
)


def _fallback(u: str, source_tz: str | None) -> datetime | None:
    """Dates with month names ("Oct 5, 2023 9:41 AM PDT")."""
    if not _MONTHS.search(u) or len(u) > 60:
        return None
    from dateutil import parser

    tzinfos = {k: v * 3600 for k, v in _TZ_ABBR.items() if v is not None}
    try:
        dt = parser.parse(u, tzinfos=tzinfos, fuzzy=False)
    except (ValueError, OverflowError, TypeError, parser.ParserError):
        return None
    if dt.tzinfo is None and source_tz:
        dt = dt.replace(tzinfo=_zone(source_tz))
    if dt.tzinfo is not None:
        dt = dt.astimezone(_zone(CALIFORNIA)).replace(tzinfo=None)
    return dt
