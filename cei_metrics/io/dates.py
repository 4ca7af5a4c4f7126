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

__all__ = ["CALIFORNIA", "DateParse", "parse_dates", "school_year_keys"]

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

    return _evidence(_text_array(pd.unique(values.astype(str).str.strip().fillna(""))))


def _evidence(arr) -> tuple[bool, bool, int]:
    """:func:`order_evidence` of distinct texts (an Arrow text array)."""
    import numpy as np

    parts = _extract(arr, _NUMERIC)
    if parts is None:
        return False, False, 0
    a, b = _ints(parts["a"]), _ints(parts["b"])
    day_first = bool(np.any((a > 12) & (a <= 31) & (b <= 12)))
    month_first = bool(np.any((b > 12) & (b <= 31) & (a <= 12)))
    return day_first, month_first, int(np.sum(a != b))


#: What a text must start with to be worth matching against each form (a cheap filter).
_PREFIX = {_ISO.pattern: r"^\d{4}[-/]", _NUMERIC.pattern: r"^\d{1,2}[/.-]\d{1,2}[/.-]"}


def _text_array(uniq):
    """Distinct texts as an Arrow text array (missing values as "")."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    if isinstance(uniq, pa.ChunkedArray):
        uniq = uniq.combine_chunks()
    if isinstance(uniq, pa.Array):
        return uniq.cast(pa.string()).fill_null("")
    if isinstance(uniq, pd.api.extensions.ExtensionArray) and hasattr(uniq, "__arrow_array__"):
        return _text_array(pa.array(uniq))
    return pa.array(np.asarray(uniq, dtype=object), type=pa.string(), from_pandas=True).fill_null(
        ""
    )


def _extract(arr, pattern: re.Pattern, rows=None) -> dict | None:
    """The named groups of ``pattern`` in the texts ``arr`` (only ``rows``, a mask, when
    given) that match it, by pyarrow's RE2: text arrays of the groups ("" where a group
    did not take part) and ``index``, the positions of the matching texts; None when no
    text matches."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    index = np.arange(len(arr)) if rows is None else np.flatnonzero(rows)
    if not len(index):
        return None
    if len(index) < len(arr):
        arr = arr.take(pa.array(index))
    cand = pc.match_substring_regex(arr, _PREFIX[pattern.pattern]).to_numpy(zero_copy_only=False)
    if not cand.any():
        return None
    index = index[cand]
    got = pc.extract_regex(arr.filter(pa.array(cand)), pattern.pattern)
    ok = got.is_valid().to_numpy(zero_copy_only=False)
    if not ok.any():
        return None
    got = got.filter(pa.array(ok))
    out = {f.name: got.field(f.name).fill_null("") for f in got.type}
    out["index"] = index[ok]
    return out


def _ints(texts, default: int = 0):
    """Digits as int64 ("" -> ``default``)."""
    import pyarrow.compute as pc

    filled = pc.if_else(pc.equal(texts, ""), str(default), texts)
    return pc.cast(filled, "int64").to_numpy(zero_copy_only=False)


#: The plainest ISO form ("2024-02-05 09:41:12", Qualtrics and SurveyMonkey): read from
#: its fixed character positions, without a regular expression per text.
_PLAIN = r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$"


def _plain_parts(arr, rows):
    """The parts of the texts in the plain ISO form (:data:`_PLAIN`) among ``rows``, read
    from their digits' positions; None when there are none."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    cand = pc.match_substring_regex(arr, _PLAIN).to_numpy(zero_copy_only=False) & rows
    index = np.flatnonzero(cand)
    if not len(index):
        return None
    sub = arr if len(index) == len(arr) else arr.take(pa.array(index))
    k = len(index)
    return {
        "index": index,
        **_fixed_digits(sub),
        "us": np.zeros(k, dtype=np.int64),
        "ampm": np.full(k, "", dtype=object),
        "tz": np.full(k, "", dtype=object),
    }


def _fixed_digits(sub) -> dict:
    """Year, month, day, hour, minute and second of texts all in the plain ISO form
    (19 characters each), read from their characters' positions."""
    import numpy as np
    import pyarrow as pa

    sub = sub.cast(pa.large_string())
    k = len(sub)
    offsets = np.frombuffer(sub.buffers()[1], dtype=np.int64)[sub.offset : sub.offset + k + 1]
    data = np.frombuffer(sub.buffers()[2], dtype=np.uint8)
    chars = data[offsets[0] : offsets[0] + 19 * k].reshape(-1, 19).astype(np.int64) - 48

    def num(lo: int, hi: int):
        v = np.zeros(k, dtype=np.int64)
        for j in range(lo, hi):
            v = v * 10 + chars[:, j]
        return v

    return {"y": num(0, 4), "m": num(5, 7), "d": num(8, 10), "H": num(11, 13),
            "M": num(14, 16), "S": num(17, 19)}  # fmt: skip


def school_year_keys(texts, source_tz: str | None = None):
    """The date texts of a column cut, where that changes nothing, to their date part.

    A plain ISO time ("2024-02-05 09:41:12") whose every field is in range has the
    school year and the readability of its date ("2024-02-05"); with a source zone, so
    does one not on 30 June or 1 July (a zone moves a time by less than a day, and only
    across that night does the school year change). Counting the cut texts, a file's
    dates reduce to its days. Other texts are kept whole. ``texts`` is an Arrow text
    array; returns one.

    Examples
    --------
    >>> import pyarrow as pa
    >>> school_year_keys(pa.array(["2024-02-05 09:41:12", "2024-02-05 25:00:00"])).to_pylist()
    ['2024-02-05', '2024-02-05 25:00:00']
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
    plain = pc.match_substring_regex(arr, _PLAIN).to_numpy(zero_copy_only=False)
    if not plain.any():
        return arr
    index = np.flatnonzero(plain)
    p = _fixed_digits(arr.take(pa.array(index)))
    y, m, d = p["y"], p["m"], p["d"]
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    dim = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(m, 0, 12)]
    dim = dim + ((m == 2) & leap)
    ok = (m >= 1) & (m <= 12) & (d >= 1) & (d <= dim) & (y >= 1951) & (y <= 2149)
    ok &= (p["H"] <= 23) & (p["M"] <= 59) & (p["S"] <= 59)
    if source_tz:
        ok &= ~(((m == 6) & (d == 30)) | ((m == 7) & (d == 1)))
    cut = np.zeros(len(arr), dtype=bool)
    cut[index[ok]] = True
    return pc.if_else(pa.array(cut), pc.utf8_slice_codeunits(arr, 0, 10), arr)


def _parse_fast(uniq, order: str, both_orders: bool, source_tz: str | None):
    """ISO and numeric dates (the forms of nearly every export) parsed column-wise;
    (datetime64[ns] values, NaT where not a date; mask of the texts decided here). The
    rest -- Excel serials, month names, times in a source zone's missing hour -- is left
    to the text-by-text reader, which gives the same result more slowly."""
    import numpy as np
    import pyarrow.compute as pc

    arr = _text_array(uniq)
    n = len(arr)
    values = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    done = np.zeros(n, dtype=bool)
    for form in ("plain", _ISO, _NUMERIC):
        if form == "plain":
            p = _plain_parts(arr, ~done)
            if p is None:
                continue
            index, y, mo, d = p["index"], p["y"], p["m"], p["d"]
            h, mi, sec, us, ampm, tz = p["H"], p["M"], p["S"], p["us"], p["ampm"], p["tz"]
        else:
            parts = _extract(arr, form, rows=~done)
            if parts is None:
                continue
            index = parts["index"]
            if form is _ISO:
                y, mo, d = _ints(parts["y"]), _ints(parts["m"]), _ints(parts["d"])
            else:
                a, b = _ints(parts["a"]), _ints(parts["b"])
                y = _ints(parts["y"])
                two = pc.utf8_length(parts["y"]).to_numpy(zero_copy_only=False) == 2
                y = np.where(two, y + np.where(y < 70, 2000, 1900), y)
                day_first = (a > 12) if both_orders else np.full(len(index), order == "day/month")
                mo, d = np.where(day_first, b, a), np.where(day_first, a, b)
            h, mi, sec = _ints(parts["H"]), _ints(parts["M"]), _ints(parts["S"])
            frac = pc.binary_join_element_wise(parts["f"], "000000", "")
            us = _ints(pc.utf8_slice_codeunits(frac, 0, 6))
            ampm = pc.utf8_upper(pc.replace_substring_regex(parts["ampm"], r"[. ]", ""))
            ampm = ampm.to_numpy(zero_copy_only=False)
            tz = parts["tz"].to_numpy(zero_copy_only=False)
        out, good, decided = _assemble(y, mo, d, h, mi, sec, us, ampm, tz, source_tz)
        values[index[good]] = out[good]
        done[index[decided]] = True
    return values, done


def _assemble(y, mo, d, h, mi, sec, us, ampm, tz, source_tz):
    """Datetimes (California time, no zone) from their parts as integer arrays, AM/PM
    and zone texts; (values, valid, decided): a time in ``source_tz``'s missing hour is
    left undecided (the text-by-text reader reads it)."""
    import numpy as np
    import pandas as pd

    k = len(y)
    has_ampm = ampm != ""
    good = ~has_ampm | ((h >= 1) & (h <= 12))
    h = np.where(has_ampm, h % 12 + np.where(ampm == "PM", 12, 0), h)
    good &= (h <= 23) & (mi <= 59) & (sec <= 59) & (mo >= 1) & (mo <= 12) & (d >= 1)
    good &= (y >= 1) & (y <= 9999)
    day = pd.to_datetime(
        pd.DataFrame({"year": np.where(good, y, 2000), "month": np.where(good, mo, 1),
                      "day": np.where(good, d, 1)}),
        errors="coerce",
    ).to_numpy(dtype="datetime64[ns]")  # fmt: skip
    good &= ~np.isnat(day) & (pd.DatetimeIndex(day).day.to_numpy() == d)
    naive = day + (h * 3600 + mi * 60 + sec).astype("timedelta64[s]") + us.astype("timedelta64[us]")
    # zones: a fixed offset, "local" (PT), none (the export's zone), or not understood
    tz_code, tz_u = pd.factorize(tz)
    offs = [_offset(t or None) for t in tz_u]
    bad = np.array([o == "bad" for o in offs], dtype=bool)[tz_code]
    fixed = np.array([isinstance(o, timezone) for o in offs], dtype=bool)[tz_code]
    minutes = np.array(
        [o.utcoffset(None).total_seconds() // 60 if isinstance(o, timezone) else 0 for o in offs]
    )[tz_code].astype("int64")
    none = np.array([o is None for o in offs], dtype=bool)[tz_code]
    good &= ~bad
    out = naive.copy()
    decided = np.ones(k, dtype=bool)
    if fixed.any():
        utc = naive[fixed] - minutes[fixed].astype("timedelta64[m]")
        out[fixed] = _utc_to_california(utc)
    if source_tz and none.any():
        local = pd.DatetimeIndex(naive[none]).tz_localize(
            source_tz, ambiguous=np.ones(int(none.sum()), dtype=bool), nonexistent="NaT"
        )
        out[none] = local.tz_convert(CALIFORNIA).tz_localize(None).to_numpy("datetime64[ns]")
        gap = np.flatnonzero(none)[np.asarray(local.isna()) & good[none]]
        decided[gap] = False  # a time in the zone's missing hour: read text by text
        good[gap] = False
    year = pd.DatetimeIndex(out).year.to_numpy()
    good &= (year >= 1950) & (year <= 2150)
    return out, good, decided


def _utc_to_california(utc):
    """UTC times (datetime64, no zone) as California wall-clock times (no zone)."""
    import pandas as pd

    return (
        pd.DatetimeIndex(utc)
        .tz_localize("UTC")
        .tz_convert(CALIFORNIA)
        .tz_localize(None)
        .to_numpy("datetime64[ns]")
    )


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
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    texts = values.astype(str).str.strip().fillna("")
    enc = _text_array(texts.array).dictionary_encode()  # each distinct text once, in Arrow
    codes, uniq_all = enc.indices.to_numpy(zero_copy_only=False), enc.dictionary
    if not isinstance(uniq_all, pa.StringArray):
        uniq_all = uniq_all.cast(pa.string())
    if source_tz:
        try:
            _zone(source_tz)
        except Exception:
            source_tz = None
    # the day/month order of numeric dates, decided for the whole column
    day_first_seen, month_first_seen, n_amb = (
        evidence if evidence is not None else _evidence(uniq_all)
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
    parsed, done = _parse_fast(uniq_all, order, day_first_seen and month_first_seen, source_tz)
    for i in np.flatnonzero(~done):  # the other forms, text by text
        u = uniq_all[int(i)].as_py()
        if u:
            dt = _parse_one(u, order, day_first_seen, month_first_seen, source_tz)
            parsed[i] = np.datetime64("NaT") if dt is None else np.datetime64(dt, "ns")
    out = pd.Series(parsed[codes], index=texts.index)
    unreadable = texts.ne("") & out.isna()
    return DateParse(
        values=out.astype("datetime64[ns]"),
        unreadable=unreadable.astype(bool),
        notes=tuple(notes),
        order=order,
    )


def _parse_one(
    u: str, order: str, day_first_seen: bool, month_first_seen: bool, source_tz: str | None
) -> datetime | None:
    """One date text (any form), as California time without a zone; None when not a date."""
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
    return dt


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
