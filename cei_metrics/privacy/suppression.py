r"""Small-cell suppression of one table: primary, implied and complementary.

The rules
---------
* A count of people between 1 and ``threshold - 1`` (default :data:`MIN_CELL` = 11, the
  California Department of Education convention) is *small*. A count of 0 is shown: it
  names nobody. Dashboard colours use the larger :data:`DASHBOARD_MIN` = 30.
* Count columns are found by meaning (:func:`is_count_column`: ``n``, ``count``,
  ``respondents``, ``families``, ``rows``, ``answered``, ``total`` ... and their Spanish
  names). A row with a small count is suppressed, and so are all its counts together, so
  that ``rows`` = items x respondents cannot give back a blanked ``n``.
* Counts hidden in other columns are checked as counts: a share, percentage or rate of the
  row's ``n`` (``share x n``), a part and its whole (``count`` of ``n``, ``numerator`` of
  ``denominator``: both the part and the complement ``whole - part`` must not be small).
* On a suppressed row every value that is not a key (every statistic, share, position,
  count) is blanked; the keys are kept and the ``suppressed`` flag is set.
* Complementary suppression: within each group of rows that add up to a known total
  (``by=``), if exactly one row is suppressed, the next-smallest row is suppressed as well,
  and rows keep being added until the suppressed rows together hold at least
  ``threshold`` people (or the whole group is suppressed), so the residual a total reveals
  is itself not small. Across tables, :func:`cei_metrics.privacy.release` applies the same
  rule over a run's whole release ledger.

References
----------
California Department of Education, DataQuest and Dashboard data-file record layouts
("Blank if currdenom < 11"; "status level not presented when fewer than 30 students").
Federal Committee on Statistical Methodology (2005), *Statistical Policy Working Paper 22:
Report on Statistical Disclosure Limitation Methodology*, ch. 4 (primary and complementary
cell suppression). Hundepool et al. (2012), *Statistical Disclosure Control*, Wiley, ch. 4
(linked tables; tau-ARGUS).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..errors import SchemaError
from ._rules import (
    DASHBOARD_MIN,
    FLAG,
    MIN_CELL,
    is_count_column,
    is_pii_column,
    is_share_column,
    is_stat_column,
    normalise,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "DASHBOARD_MIN",
    "MIN_CELL",
    "count_columns",
    "is_count_column",
    "is_pii_column",
    "suppress",
]

#: numeric columns that place a row (keys), never blanked
KEY_NAMES = frozenset(
    {
        "wave",
        "year",
        "session",
        "response",
        "event_time",
        "time",
        "t",
        "period",
        "x",
        "y",
        "r",
        "c",
        "cohort",
        "cohort_start",
        "first_wave",
        "group",
        "item",
        "code",
        "n_sessions",
        "n_items",
    }
)
#: (part, whole) column pairs whose complement is checked
PART_PAIRS = (("numerator", "denominator"), ("count", "n"), ("numerador", "denominador"))


def count_columns(table: pd.DataFrame) -> list[str]:
    """The columns of ``table`` that :func:`is_count_column` recognises and that hold
    counts (not booleans, not fractions between 0 and 1)."""
    import numpy as np
    import pandas as pd

    out = []
    for c in table.columns:
        if not is_count_column(c) or c == FLAG or pd.api.types.is_bool_dtype(table[c]):
            continue
        v = pd.to_numeric(table[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        v = v[~np.isnan(v)]
        if v.size and (v % 1 != 0).any() and ((v >= 0) & (v <= 1)).all():
            continue  # a share under a count's name (e.g. the share of items answered)
        out.append(c)
    return out


def _as_list(x: str | Sequence[str] | None) -> list[str]:
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return list(x)


def _small(values: pd.Series, threshold: int):
    import numpy as np
    import pandas as pd

    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return (v > 0) & (v < threshold)


def suppress(
    table: pd.DataFrame,
    *,
    count_cols: str | Sequence[str] | None = None,
    n_col: str | None = "n",
    threshold: int = MIN_CELL,
    complementary: bool = True,
    by: str | Sequence[str] | None = None,
    total_rows: str | Sequence[bool] | None = None,
    value_cols: str | Sequence[str] | None = None,
    keys: str | Sequence[str] | None = None,
    share_cols: str | Sequence[str] | None = None,
    parts: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    r"""Blank every cell that describes fewer than ``threshold`` people.

    A row is *primarily* suppressed when any of its count columns holds
    :math:`0 < x < t` (``t = threshold``); when a part and its whole (``numerator`` and
    ``denominator``, ``count`` and ``n``, or ``parts=``) give :math:`0 < d - x < t`; or
    when a share column ``s`` (a proportion, or a percentage when its name says so) of
    the row's ``n`` implies a count :math:`k = \mathrm{round}(s n)` with :math:`0 < k < t`
    or :math:`0 < n - k < t`. With ``by=`` groups, complementary
    suppression then makes the number of suppressed rows in every group either 0 or at
    least 2: if exactly one row of a group is suppressed, the row with the next-smallest
    positive count (else the next-smallest count) is suppressed too, and further rows
    are added until the suppressed rows of the group hold at least ``threshold`` people
    or the whole group is suppressed.

    On a suppressed row the count columns and the statistic columns (house names
    ``estimate, std_error, ci_low, ci_high, p_val``, ``share``, ``percent``, ``rate``,
    ``value`` ... and ``value_cols``) are set to missing; key columns are kept.

    Parameters
    ----------
    table : tidy DataFrame, one row per cell.
    count_cols : columns holding counts of people. Default: every column that
        :func:`is_count_column` recognises (``n``, ``count``, ``numerator``,
        ``denominator``, ``n_*``, ``*_n``, ``*_count``).
    n_col : the column holding the number of people behind each row's statistics; it is
        always treated as a count column when present. ``None`` for none.
    threshold : smallest publishable count (default :data:`MIN_CELL` = 11).
    complementary : apply complementary suppression within ``by`` groups.
    by : columns whose value combinations define groups of rows that add up to a known
        (shown or derivable) total, e.g. ``["district_id", "item"]`` for the response
        categories of each item. Without ``by`` the whole table is one group only when
        ``total_rows`` is given; otherwise no complementary step is taken.
    total_rows : a boolean column name (or mask) marking rows that *are* the group total
        (e.g. an "All students" row). Totals are not candidates for complementary
        suppression; they are suppressed only when small themselves.
    value_cols : extra statistic columns to blank on suppressed rows.
    keys : columns that place a row (kept on suppressed rows). Besides these and ``by``,
        text columns and numeric columns named like keys (``wave``, ``year``,
        ``session``, ``response``, ``x``, ``y`` ...) are kept; every other numeric
        column is blanked on a suppressed row.
    share_cols : columns holding a share of the row's ``n`` (default: columns named
        ``share``, ``pct``, ``percent``, ``proportion``, ``rate`` ...).
    parts : ``{part: whole}`` count columns where ``part`` counts a subset of the people
        of ``whole`` (default: ``numerator``/``denominator`` and ``count``/``n``).

    Returns
    -------
    DataFrame: a copy of ``table`` with suppressed cells missing, integer counts kept as
    nullable integers, and a boolean ``suppressed`` column. ``.attrs`` holds
    ``suppression = {"threshold", "suppressed_rows", "suppressed_cells",
    "complementary_rows", "count_cols"}``.

    Raises
    ------
    SchemaError if a named column is absent or a count column is not numeric.

    References
    ----------
    FCSM (2005) Statistical Policy Working Paper 22, ch. 4. CDE suppression rule
    (fewer than 11 students).

    Examples
    --------
    >>> tab = pd.DataFrame({"item": ["q1"] * 3, "response": [1, 2, 3], "count": [4, 30, 52]})
    >>> cm.privacy.suppress(tab, by="item")["suppressed"].tolist()
    [True, True, False]
    """
    import numpy as np
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise SchemaError(
            f"suppress() needs a DataFrame, got {type(table).__name__}",
            fix="convert the result with .to_frame() first",
        )
    if int(threshold) < 1:
        raise SchemaError(
            f"threshold must be a positive count, got {threshold!r}",
            fix="use the default MIN_CELL = 11 (or DASHBOARD_MIN = 30 for Dashboard colours)",
        )
    threshold = int(threshold)
    out = table.copy()
    if FLAG in out.columns:
        prior = out[FLAG].fillna(False).astype(bool).to_numpy()
    else:
        prior = np.zeros(len(out), dtype=bool)

    counts = _as_list(count_cols) if count_cols is not None else count_columns(out)
    if n_col is not None and n_col in out.columns and n_col not in counts:
        counts.append(n_col)
    if count_cols is not None and n_col is not None and n_col not in out.columns:
        pass  # an explicit count_cols list does not need the n column
    by_cols = _as_list(by)
    extra_vals = _as_list(value_cols)
    for col in [*counts, *by_cols, *extra_vals]:
        if col not in out.columns:
            raise SchemaError(
                f"column {col!r} named for suppression is not in the table",
                column=col,
                fix=f"the table has columns {list(out.columns)}; pass the right name",
            )
    for col in counts:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            conv = pd.to_numeric(out[col], errors="coerce")
            bad = conv.isna() & out[col].notna()
            if bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
                raise SchemaError(
                    f"count column holds a non-number {out[col][bad].iloc[0]!r}",
                    row=row,
                    column=col,
                    fix="counts must be whole numbers of people (blank when unknown)",
                )
            out[col] = conv

    n = len(out)
    primary = prior.copy()
    for col in counts:
        primary |= _small(out[col], threshold)
    primary |= _implied_small(out, counts, n_col, share_cols, parts, threshold)

    flag = primary.copy()
    if complementary and counts and (by_cols or total_rows is not None):
        is_total = np.zeros(n, dtype=bool)
        if total_rows is not None:
            if isinstance(total_rows, str):
                if total_rows not in out.columns:
                    raise SchemaError(
                        f"total_rows column {total_rows!r} is not in the table",
                        column=total_rows,
                        fix="pass the name of a boolean column marking the total rows",
                    )
                is_total = out[total_rows].fillna(False).astype(bool).to_numpy()
            else:
                is_total = np.asarray(total_rows, dtype=bool)
                if is_total.shape != (n,):
                    raise SchemaError(
                        f"total_rows mask has {is_total.size} entries for {n} rows",
                        fix="give one True/False per row",
                    )
        part_cols = [p for p, _w in _pair_cols(out, parts) if p in counts]
        key = part_cols[0] if part_cols else (counts[0] if n_col not in counts else n_col)
        size = pd.to_numeric(out[key], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if by_cols:
            gid = out.groupby(by_cols, sort=False, dropna=False).ngroup().to_numpy()
        else:
            gid = np.zeros(n, dtype=int)
        flag = _complement(flag, size, gid, is_total, threshold)

    comp_rows = flag & ~primary
    keep = set(by_cols) | set(_as_list(keys)) | {FLAG}
    blank = [
        c
        for c in out.columns
        if c not in keep
        and (
            c in counts
            or c in extra_vals
            or is_stat_column(c)
            or is_share_column(c)
            or (
                normalise(c) not in KEY_NAMES
                and (pd.api.types.is_numeric_dtype(out[c]) or pd.api.types.is_bool_dtype(out[c]))
            )
        )
    ]
    n_cells = 0
    for col in blank:
        s = out[col]
        n_cells += int(flag.sum())
        if pd.api.types.is_integer_dtype(s) or (
            col in counts
            and pd.api.types.is_float_dtype(s)
            and bool(np.all(np.isnan(s[s.notna()]) | (s[s.notna()] % 1 == 0)))
        ):
            s = s.astype("Int64")
        elif pd.api.types.is_bool_dtype(s):
            s = s.astype("boolean")
        elif not pd.api.types.is_float_dtype(s):
            s = s.astype(object)
        s = s.mask(pd.Series(flag, index=out.index))
        out[col] = s
    out[FLAG] = flag
    out.attrs["suppression"] = {
        "threshold": threshold,
        "suppressed_rows": int(flag.sum()),
        "suppressed_cells": n_cells,
        "complementary_rows": int(comp_rows.sum()),
        "count_cols": list(map(str, counts)),
    }
    return out


def _complement(flag, size, gid, is_total, threshold):
    """Within each group, while exactly one non-total row is suppressed, or the suppressed
    rows together hold fewer than ``threshold`` people, also suppress the unsuppressed
    non-total row with the smallest positive size (else the smallest)."""
    import numpy as np

    flag = flag.copy()
    member = ~is_total
    n_groups = int(gid.max()) + 1 if gid.size else 0
    s = np.where(np.isnan(size), np.inf, size)
    pri = np.where(s > 0, 0, 1)
    base = np.lexsort((s, pri, gid))
    # a row suppressed earlier (count already blank) is taken to hold enough people
    fin = np.where(np.isfinite(s), s, float(threshold))
    while True:
        sup = member & flag
        n_sup = np.bincount(gid[sup], minlength=n_groups)
        tot = np.bincount(gid[sup], weights=fin[sup], minlength=n_groups)
        need = (n_sup == 1) | ((n_sup >= 1) & (tot < threshold))
        cand = member & ~flag & need[gid]
        order = base[cand[base]]
        if order.size == 0:
            return flag
        first = np.ones(order.size, dtype=bool)
        first[1:] = gid[order][1:] != gid[order][:-1]
        flag[order[first]] = True


def _pair_cols(out, parts):
    if parts is not None:
        return list(parts.items())
    low = {normalise(c): c for c in out.columns}
    return [(low[p], low[w]) for p, w in PART_PAIRS if p in low and w in low]


def _num(s):
    import numpy as np
    import pandas as pd

    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _implied_small(out, counts, n_col, share_cols, parts, threshold):
    """Rows where a count hidden in a share or in a part/whole complement is small."""
    import numpy as np

    flag = np.zeros(len(out), dtype=bool)

    def small(v):
        return (v > 0) & (v < threshold)

    pairs = dict(parts or {})
    if parts is None:
        low = {normalise(c): c for c in out.columns}
        for part, whole in PART_PAIRS:
            if part in low and whole in low:
                pairs[low[part]] = low[whole]
    for part, whole in pairs.items():
        for col in (part, whole):
            if col not in out.columns:
                raise SchemaError(
                    f"column {col!r} named in parts= is not in the table",
                    column=col,
                    fix=f"the table has columns {list(out.columns)}",
                )
        p, w = _num(out[part]), _num(out[whole])
        flag |= small(p) | small(w - p)
    ncol = n_col if n_col is not None and n_col in out.columns else None
    if ncol is None:
        return flag
    n = _num(out[ncol])
    cols = (
        _as_list(share_cols)
        if share_cols is not None
        else [
            c
            for c in out.columns
            if is_share_column(c)
            and c not in counts
            and not any(w in normalise(c) for w in ("enrol", "population", "district"))
        ]
    )
    for col in cols:
        if col not in out.columns:
            raise SchemaError(
                f"share column {col!r} is not in the table",
                column=col,
                fix=f"the table has columns {list(out.columns)}",
            )
        v = _num(out[col])
        name = normalise(col)
        if ("pct" in name or "percent" in name or "porcentaje" in name) or np.nanmax(
            np.abs(np.append(v, 0.0))
        ) > 1.0:
            v = v / 100.0
        with np.errstate(invalid="ignore"):
            k = np.round(v * n)
            flag |= small(k) | small(n - k)
    return flag
