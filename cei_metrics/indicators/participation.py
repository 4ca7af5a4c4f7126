"""Participation indicators: reach, representation and retention of families."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from .._api import estimator
from ..errors import EstimationError, SchemaError
from ..schemas import C, school_year
from . import _cols as K
from ._result import IndicatorResult, make_result
from ._stats import (
    _z,
    as_by,
    check_columns,
    factorize,
    finish,
    first_rows,
    group_codes,
    kaplan_meier,
    pair_codes,
    row_codes,
    subset_groups,
    wilson_ci,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "ENROLLMENT_SHARE_OF",
    "SPANISH",
    "reach",
    "representation_index",
    "retention",
    "school_year_of",
]

#: Name of the participant group "Spanish-speaking" (``language == "es"``).
SPANISH = "spanish"

#: Group -> roster column holding its share of enrollment (percent).
ENROLLMENT_SHARE_OF: dict[str, str] = {
    C.EL_FAMILY: C.PCT_EL,
    C.SED_FAMILY: C.PCT_SED,
    SPANISH: C.PCT_SPANISH,
}


def _school_years(dates: pd.Series) -> pd.Categorical:
    """School year (July-June) of each date as a categorical with sorted categories,
    labelling each distinct date once (sign-ins hold few distinct dates)."""
    import pandas as pd

    codes, uniq = pd.factorize(dates)
    u = pd.DatetimeIndex(uniq)
    labels = [school_year(y if m >= 7 else y - 1) for y, m in zip(u.year, u.month)]
    cats = sorted(set(labels))
    where = {lab: i for i, lab in enumerate(cats)}
    lab_code = np.array([where[lab] for lab in labels], dtype=np.int64)
    year = np.where(codes >= 0, lab_code[np.maximum(codes, 0)] if len(labels) else -1, -1)
    return pd.Categorical.from_codes(year, categories=pd.Index(cats, dtype=str))


def school_year_of(date: object) -> object:
    """The school year (July-June) of a date: ``school_year_of("2019-08-29") == "2019-20"``.

    Works on a scalar, or element-wise on a Series/array of dates (returns a Series of
    strings, NA where the date is missing).

    Examples
    --------
    >>> school_year_of("2020-05-13")
    '2019-20'
    """
    import pandas as pd

    if np.ndim(date) == 0 and not isinstance(date, pd.Series):
        ts = pd.Timestamp(date)  # type: ignore[arg-type]
        return school_year(ts.year if ts.month >= 7 else ts.year - 1)
    s = pd.to_datetime(pd.Series(date), errors="coerce")
    return pd.Series(_school_years(s), index=s.index).astype("string")


def _dates(values: pd.Series, rows: np.ndarray | None = None) -> pd.Series:
    """``values`` as datetimes; text is parsed once per distinct value. Raises naming
    the first row whose date cannot be read (``rows``: the row number, counted from 0,
    of each value in the caller's table)."""
    import pandas as pd

    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(
        values.dtype
    ):
        return values
    codes, uniq = pd.factorize(values)
    if not len(uniq):
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    parsed = pd.to_datetime(pd.Series(uniq, dtype=object), errors="coerce")
    bad_u = np.flatnonzero(parsed.isna().to_numpy())
    if len(bad_u):
        i = int(np.flatnonzero(np.isin(codes, bad_u))[0])
        raise SchemaError(
            f"{values.iloc[i]!r} is not a date",
            row=int(i if rows is None else rows[i]) + 1,
            column=C.DATE,
            fix="write event dates as YYYY-MM-DD",
        )
    out = parsed.take(np.maximum(codes, 0)).to_numpy(copy=True)
    out[codes < 0] = np.datetime64("NaT")
    return pd.Series(out, index=values.index)


def _participants(
    participation: pd.DataFrame,
    *,
    role: str | None,
    event_types: Sequence[str] | str | None,
    need: Sequence[str],
    extra: Sequence[str] = (),
) -> pd.DataFrame:
    """Participation rows of ``role`` at ``event_types``: the participant id, the date,
    a ``year`` derived from it (school year July-June, categorical), the ``need``
    (grouping) and ``extra`` columns. Only those columns are carried, so filtering a
    large table copies little."""
    check_columns(participation, [C.PARTICIPANT_ID, C.DATE], "participation")
    check_columns(
        participation, [c for c in need if c != C.YEAR], "participation", why="named in by="
    )
    check_columns(participation, list(extra), "participation")
    mask = None
    if role is not None:
        check_columns(participation, [C.ROLE], "participation")
        mask = (participation[C.ROLE] == role).to_numpy(dtype=bool, na_value=False)
    if event_types is not None:
        check_columns(participation, [C.EVENT_TYPE], "participation")
        types = [event_types] if isinstance(event_types, str) else list(event_types)
        m = participation[C.EVENT_TYPE].isin(types).to_numpy(dtype=bool)
        mask = m if mask is None else mask & m
    cols = list(dict.fromkeys([C.PARTICIPANT_ID, C.DATE, *need, *extra]))
    cols = [c for c in cols if c != C.YEAR]
    df = participation[cols]
    rows = None
    if mask is not None and not mask.all():
        df = df[mask]
        rows = np.flatnonzero(mask)
    else:
        df = df.copy(deep=False)
    df[C.DATE] = _dates(df[C.DATE], rows)
    df[C.YEAR] = _school_years(df[C.DATE])
    return df


def _plain_year(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the derived (categorical) ``year`` column as plain strings."""
    import pandas as pd

    if C.YEAR in frame.columns and isinstance(frame[C.YEAR].dtype, pd.CategoricalDtype):
        frame = frame.assign(**{C.YEAR: frame[C.YEAR].astype(frame[C.YEAR].cat.categories.dtype)})
    return frame


def _roster_share(roster: pd.DataFrame | None, col: str, why: str) -> pd.Series:
    """A roster column indexed by district_id, checked present and complete."""
    if roster is None:
        raise SchemaError(
            f"a roster is needed for {why}",
            fix="pass roster= (the canonical roster table), or the enrollment share directly",
        )
    check_columns(roster, [C.DISTRICT_ID, col], "roster", why=why)
    s = roster.set_index(C.DISTRICT_ID)[col]
    if s.isna().any():
        d = s.index[s.isna().to_numpy()][0]
        raise SchemaError(
            f"{col} is missing for district {d}", column=col, fix="fill the roster value"
        )
    return s.astype(float)


@estimator()
def reach(
    participation: pd.DataFrame,
    roster: pd.DataFrame,
    *,
    by: str | Sequence[str] = (C.DISTRICT_ID, C.YEAR),
    event_types: Sequence[str] | str | None = None,
    role: str = "family",
    ci: float = 0.95,
    min_cell: int = 11,
) -> IndicatorResult:
    r"""Reach: share of a district's families who took part in at least one event.

    .. math:: \text{reach}_{d,y} = \frac{\#\{\text{distinct family participants in } d, y\}}
                                        {n\_families_d}

    The school year of an event is derived from its date (July-June, see
    :func:`school_year_of`). Every roster district appears for every year observed in
    the participation table, with 0 where none of its families took part.

    Parameters
    ----------
    participation : canonical participation table.
    roster : canonical roster (``n_families`` per district).
    by : grouping columns; must include ``district_id`` (the denominator is the
        district's families); ``year`` and any participation column may be added.
    event_types : restrict to these event types (e.g. ``["lcap_input", "delac"]``).
    role : participant role counted (default ``"family"``).
    ci : confidence level.
    min_cell : rows whose denominator ``n`` is below this are flagged ``suppressed``.

    Returns
    -------
    IndicatorResult whose table has the ``by`` columns, ``indicator`` ("reach"),
    ``estimate`` (share 0-1), ``std_error`` (binomial), ``ci_low, ci_high`` (Wilson),
    ``n`` (n_families), ``count`` (distinct participating families), ``suppressed``;
    ``n_dropped`` counts participation rows with a missing grouping value.

    Notes
    -----
    The interval treats participation as a binomial draw from the district's families
    (a superpopulation view); the count itself is a census of sign-ins. It assumes one
    participant id per family: ids recorded per person over-count families with two
    attending adults.

    Examples
    --------
    >>> cm.indicators.reach(demo.participation, demo.roster).to_frame()  # doctest: +SKIP
    """
    import pandas as pd

    by = as_by(by)
    if C.DISTRICT_ID not in by:
        raise SchemaError(
            "reach needs district_id in by= (its denominator is a district's families)",
            column=C.DISTRICT_ID,
            fix='pass by=["district_id", "year"] or add "district_id"',
        )
    df = _participants(participation, role=role, event_types=event_types, need=by)
    fam = _roster_share(roster, C.N_FAMILIES, "reach's denominator")
    unknown = sorted(set(df[C.DISTRICT_ID].dropna().unique()) - set(fam.index))
    if unknown:
        raise SchemaError(
            f"district {unknown[0]} takes part but is not in the roster",
            column=C.DISTRICT_ID,
            fix="add the district to the roster, or correct its district_id",
        )
    # distinct participants per group: one (group, participant) cell each; a missing
    # participant id counts as one participant, as pandas drop_duplicates does
    codes, keys = group_codes(df, by)
    pid, uniq = factorize(df[C.PARTICIPANT_ID], sort=False)
    pid = np.where(pid >= 0, pid, len(uniq))
    cell, group_of = pair_codes(codes, pid, len(uniq) + 1)
    used = np.bincount(cell[cell >= 0], minlength=len(group_of)) > 0
    per_group = np.bincount(group_of[used], minlength=len(keys))
    key_idx = pd.MultiIndex.from_frame(keys) if len(by) > 1 else pd.Index(keys[by[0]])
    counts = pd.Series(per_group, index=key_idx)
    others = [b for b in by if b != C.DISTRICT_ID]
    districts = pd.DataFrame({C.DISTRICT_ID: fam.index.to_numpy()})
    if others:
        combos = _plain_year(df[others].iloc[first_rows(row_codes(df, others))])
        grid = districts.merge(combos, how="cross")
    else:
        grid = districts
    grid = grid[by].sort_values(by).reset_index(drop=True)
    idx = pd.MultiIndex.from_frame(grid) if len(by) > 1 else pd.Index(grid[by[0]])
    count = counts.reindex(idx, fill_value=0).to_numpy(dtype=float)
    n = fam.reindex(grid[C.DISTRICT_ID]).to_numpy(dtype=float)
    over = count > n
    if over.any():
        i = int(np.flatnonzero(over)[0])
        raise EstimationError(
            f"district {grid[C.DISTRICT_ID].iloc[i]} has {int(count[i])} participating "
            f"families but n_families = {int(n[i])}",
            column=C.N_FAMILIES,
            fix="check the roster's n_families, or whether participant ids are per person",
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        p = count / n
        se = np.sqrt(p * (1 - p) / n)
    lo, hi = wilson_ci(count, n, ci=ci)
    stats = {
        K.ESTIMATE: p,
        K.STD_ERROR: se,
        K.CI_LOW: lo,
        K.CI_HIGH: hi,
        K.N: n.astype(np.int64),
        K.COUNT: count.astype(np.int64),
    }
    out = finish(grid, stats, indicator="reach", min_cell=min_cell)
    return make_result(
        out,
        indicator="reach",
        method="distinct family participants / roster n_families; Wilson interval",
        by=by,
        min_cell=min_cell,
        ci=ci,
        n_dropped=int((codes < 0).sum()),
        dropped="participation rows with a missing grouping value",
        role=role,
        event_types=event_types,
    )


def _flag_column(df: pd.DataFrame, group: str) -> str:
    """The column of ``df`` that says who is in ``group`` (checked present)."""
    if group == SPANISH:
        check_columns(df, [C.LANGUAGE], "participation", why="group='spanish' uses language")
        return C.LANGUAGE
    check_columns(df, [group], "participation", why="named by group=")
    return group


def _equals(values: pd.Series, value: object) -> np.ndarray:
    """1.0 where ``values == value``, 0.0 elsewhere, NaN where missing; each distinct
    value is compared once."""
    codes, uniq = factorize(values, sort=False)
    hit = (np.asarray(uniq, dtype=object) == value).astype(float)
    return np.where(codes >= 0, hit[np.maximum(codes, 0)] if len(hit) else np.nan, np.nan)


def _group_flag(df: pd.DataFrame, group: str) -> np.ndarray:
    """1.0 / 0.0 / NaN (unknown) membership of each row in ``group``."""
    col = _flag_column(df, group)
    if group == SPANISH:
        return _equals(df[col], "es")
    s = df[col]
    if s.dtype == bool:
        return s.to_numpy(dtype=float)
    if str(s.dtype) == "boolean":
        return s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    raise SchemaError(
        f"group column {group!r} is not true/false",
        column=group,
        fix="pass a boolean column marking group members, or group='spanish'",
    )


def _per_district(
    value: float | pd.Series | Mapping[str, float],
    keys: pd.DataFrame,
    by: Sequence[str],
    name: str,
) -> np.ndarray:
    """A number, or a Series / mapping from district_id, as one value per key row."""
    import pandas as pd

    if np.ndim(value) == 0 and not isinstance(value, Mapping):
        return np.full(len(keys), float(value))  # type: ignore[arg-type]
    if C.DISTRICT_ID not in by:
        raise SchemaError(
            f"{name} is given per district, but district_id is not in by=",
            column=C.DISTRICT_ID,
            fix=f'add "district_id" to by=, or pass one {name} number',
        )
    series = value if isinstance(value, pd.Series) else pd.Series(value, dtype=float)
    return series.astype(float).reindex(keys[C.DISTRICT_ID].to_numpy()).to_numpy(dtype=float)


def ratio_interval(
    count: np.ndarray,
    n: np.ndarray,
    share: np.ndarray,
    *,
    share_n: np.ndarray | None = None,
    ci: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Delta-method (log-scale) standard error and interval of a ratio of proportions
    :math:`R = \hat p / \pi` with :math:`\hat p = x / n`.

    .. math::
        \widehat{\mathrm{var}}(\log R) = \frac{1-\hat p}{n\,\hat p}
            + \frac{1-\pi}{m\,\pi}, \qquad
        \exp\big(\log R \pm z\,\widehat{\mathrm{se}}(\log R)\big)

    The second term is present only when :math:`\pi` is itself a sample share of
    size :math:`m` (``share_n``); a census share has no sampling variance. With both
    terms this is the Katz et al. (1978) log interval of a risk ratio,
    :math:`\sqrt{1/x_1 - 1/n_1 + 1/x_2 - 1/n_2}`. The standard error of :math:`R`
    itself is :math:`R\,\widehat{\mathrm{se}}(\log R)`.

    Where :math:`\hat p` is 0 (log undefined) or the log variance is 0 (:math:`\hat p = 1`
    with a census share), the Wilson limits divided by :math:`\pi` are returned instead
    (flagged in the third array).

    Returns
    -------
    (std_error, ci_low, ci_high, fallback) arrays.

    References
    ----------
    Katz, Baptista, Azen & Pike (1978) Biometrics 34:469-474. Agrees with
    ``statsmodels`` ``Table2x2.riskratio_confint`` and R
    ``contingencytables::Katz_log_CI_2x2``.
    """
    z = _z(ci)
    count = np.asarray(count, dtype=float)
    n = np.asarray(n, dtype=float)
    share = np.asarray(share, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = count / n
        ratio = p / share
        var = (1 - p) / (n * p)
        if share_n is not None:
            var = var + (1 - share) / (np.asarray(share_n, dtype=float) * share)
        se_log = np.sqrt(var)
        lo = np.exp(np.log(ratio) - z * se_log)
        hi = np.exp(np.log(ratio) + z * se_log)
    fallback = (count <= 0) | ~(se_log > 0)
    fallback &= n > 0
    if fallback.any():
        wlo, whi = wilson_ci(count, n, ci=ci)
        lo = np.where(fallback, wlo / share, lo)
        hi = np.where(fallback, whi / share, hi)
    with np.errstate(invalid="ignore"):
        se = np.where(count > 0, ratio * se_log, np.sqrt(p * (1 - p) / n) / share)
    return se, lo, hi, fallback


@estimator(renamed={"enrolment_share": "enrollment_share", "enrolment_n": "enrollment_n"})
def representation_index(
    participation: pd.DataFrame,
    roster: pd.DataFrame | None = None,
    *,
    group: str = C.EL_FAMILY,
    by: str | Sequence[str] = (C.DISTRICT_ID, C.YEAR),
    enrollment_share: float | pd.Series | Mapping[str, float] | None = None,
    enrollment_n: float | pd.Series | Mapping[str, float] | None = None,
    ci_method: Literal["wilson", "delta"] = "wilson",
    event_types: Sequence[str] | str | None = None,
    role: str = "family",
    ci: float = 0.95,
    min_cell: int = 11,
) -> IndicatorResult:
    r"""Representation index: a group's share of family participants over its share of
    enrollment. 1 = parity; below 1, the group is under-represented.

    .. math:: RI_g = \frac{\hat p_g}{\pi_g}, \qquad
              \hat p_g = \frac{\#\{\text{distinct participants in the group}\}}
                              {\#\{\text{distinct participants with known status}\}}

    **Intervals** (``ci_method``):

    - ``"wilson"`` (default): Wilson (1927) on the participant share :math:`\hat p_g`,
      divided by the enrollment share :math:`\pi_g`, treated as fixed (enrollment counts
      are a census, not a sample); standard error :math:`\sqrt{\hat p(1-\hat p)/n}/\pi`.
    - ``"delta"``: the delta method on the log scale (Katz et al. 1978),

      .. math::
          \widehat{\mathrm{var}}(\log RI) = \frac{1-\hat p}{n\,\hat p}
              + \frac{1-\pi}{m\,\pi}, \qquad
          \exp\big(\log RI \pm z\,\widehat{\mathrm{se}}\big),

      where the second term enters only when the enrollment share is itself estimated
      from a sample of ``enrollment_n`` = :math:`m` families (a home-language survey,
      say); with a census share it is 0. Standard error :math:`RI\cdot\widehat{\mathrm{se}}`.
      Cells where :math:`\hat p` is 0, or 1 with a census share, have no usable log
      variance and get the Wilson limits (counted in ``details["n_wilson_fallback"]``).

    Which to use: with census enrollment shares, Wilson is the better interval in
    small cells. In simulations of 200,000 cells per setting with :math:`\pi = 0.3`
    and a true index of 1, nominal 95% Wilson intervals covered 96.0% at n = 11 and
    97.5% at n = 20, the delta intervals 90.3% and 95.1% while being 31% and 16%
    wider; from a few hundred participants the two agree. When the enrollment share
    comes from a sample, only the delta method carries its uncertainty: with a true
    index of 0.7, :math:`m = 100` sampled families and n = 200 participants, Wilson
    over a share taken as fixed covered 80.8%, the delta interval 95.3%
    (tests/indicators/test_representation.py repeats the checks on 2,000 cells). So the
    default stays Wilson; pass ``ci_method="delta"`` with ``enrollment_n`` for sampled
    shares.

    Each family counts once per cell however many events it attended, so repeated
    attendance does not shrink the interval; families who come to the same events
    are still not independent (they may come together), which both intervals ignore,
    so they are somewhat optimistic where a few events dominate.

    Participants with unknown group status (NA) are left out of the denominator and
    counted in ``details["n_unknown"]``. A participant counts as a member when any of
    their rows in the cell says so. Participation rows with a missing grouping value
    are left out and counted in ``n_dropped``.

    Parameters
    ----------
    participation : canonical participation table.
    roster : canonical roster; supplies :math:`\pi_g` from ``pct_el`` (group
        ``el_family``), ``pct_sed`` (``sed_family``) or ``pct_spanish`` (``"spanish"``:
        participants whose ``language`` is ``"es"``).
    group : a boolean participant column, or ``"spanish"``.
    by : grouping columns (``year`` is the school year of the event date).
    enrollment_share : the group's enrollment share (0-1) when the roster has none for
        it: a number, or a Series / mapping from district_id.
    enrollment_n : when the enrollment share is a sample estimate, the number of
        families it was estimated from (a number, or a Series / mapping from
        district_id); None (default) for a census share. Needs ``ci_method="delta"``.
    ci_method : ``"wilson"`` or ``"delta"`` (see above).
    event_types, role : which rows count as participation.
    ci : confidence level.
    min_cell : cells with fewer than this many participants are flagged ``suppressed``.

    Returns
    -------
    IndicatorResult whose table has the ``by`` columns, ``group``, ``indicator``
    ("representation_index"), ``estimate, std_error, ci_low, ci_high, n`` (participants
    with known status), ``count`` (group participants), ``group_share``,
    ``enrollment_share``, ``suppressed``; ``details`` hold the group, ``n_unknown``,
    ``ci_method`` and ``enrollment_n``.

    References
    ----------
    Wilson (1927) JASA 22:209-212. Katz, Baptista, Azen & Pike (1978) Biometrics
    34:469-474. Fagerland, Lydersen & Laake (2015) Stat Methods Med Res 24:224-254
    (Table 5 is the test case of the delta interval).

    Examples
    --------
    >>> res = cm.indicators.representation_index(demo.participation, demo.roster)  # doctest: +SKIP
    >>> res.to_frame()[["district_id", "year", "estimate", "ci_low", "ci_high"]]  # doctest: +SKIP
    >>> cm.indicators.representation_index(
    ...     demo.participation, group="spanish", enrollment_share=0.4, enrollment_n=250,
    ...     ci_method="delta", by="year")  # doctest: +SKIP
    """

    if ci_method not in ("wilson", "delta"):
        raise SchemaError(
            f"ci_method={ci_method!r} is not a method of this index",
            fix='pass ci_method="wilson" (default) or "delta"',
        )
    if enrollment_n is not None and ci_method != "delta":
        raise SchemaError(
            "enrollment_n= describes a sampled enrollment share, which the Wilson interval "
            "cannot carry",
            fix='pass ci_method="delta" with enrollment_n=, or drop enrollment_n for a census share',
        )
    by = as_by(by)
    flag_col = _flag_column(participation, group)
    df = _participants(participation, role=role, event_types=event_types, need=by, extra=[flag_col])
    x = _group_flag(df, group)
    # one (group, participant) cell per family: a member when any of its rows says so,
    # of unknown status when none of its rows says either way
    codes, keys = group_codes(df, by)
    pid, uniq = factorize(df[C.PARTICIPANT_ID], sort=False)
    cell, group_of = pair_codes(codes, pid, len(uniq))
    ok = cell >= 0
    k = len(group_of)
    c, xo = cell[ok], x[ok]
    used = np.bincount(c, minlength=k) > 0
    member = np.bincount(c, xo == 1, minlength=k) > 0
    known = used & (np.bincount(c, np.isfinite(xo), minlength=k) > 0)
    n_unknown = int((used & ~known).sum())
    g = group_of[known]
    n = np.bincount(g, minlength=len(keys)).astype(float)
    count = np.bincount(g, member[known], minlength=len(keys))
    present = n > 0  # groups whose participants are all of unknown status have no index
    keys = keys[present].reset_index(drop=True)
    n, count = n[present], count[present]
    # enrollment share per cell
    if enrollment_share is None:
        col = ENROLLMENT_SHARE_OF.get(group)
        if col is None:
            raise SchemaError(
                f"the roster holds no enrollment share for group {group!r}",
                column=group,
                fix="pass enrollment_share= (a number, or a mapping district_id -> share)",
            )
        share: object = _roster_share(roster, col, f"the enrollment share of {group}") / 100.0
    else:
        share = enrollment_share
    pi = _per_district(share, keys, by, "enrollment_share")  # type: ignore[arg-type]
    bad = ~np.isfinite(pi) | (pi <= 0) | (pi > 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        where = keys.iloc[i].to_dict()
        raise EstimationError(
            f"enrollment share of {group} is {pi[i]!r} for {where}: the index needs a share in (0, 1]",
            column=ENROLLMENT_SHARE_OF.get(group, group),
            fix="add the district to the roster with its enrollment share, or pass enrollment_share=",
        )
    m = None
    if enrollment_n is not None:
        m = _per_district(enrollment_n, keys, by, "enrollment_n")
        bad = ~np.isfinite(m) | (m <= 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise EstimationError(
                f"enrollment_n is {m[i]!r} for {keys.iloc[i].to_dict()}: a sample needs a "
                "positive number of families",
                column=C.DISTRICT_ID,
                fix="give the size of the sample behind each enrollment share",
            )
    with np.errstate(divide="ignore", invalid="ignore"):
        p = count / n
    n_fallback = 0
    if ci_method == "wilson":
        with np.errstate(divide="ignore", invalid="ignore"):
            se = np.sqrt(p * (1 - p) / n) / pi
        lo, hi = wilson_ci(count, n, ci=ci)
        lo, hi = lo / pi, hi / pi
        method = "Wilson interval on the participant share divided by the fixed enrollment share"
    else:
        se, lo, hi, fb = ratio_interval(count, n, pi, share_n=m, ci=ci)
        n_fallback = int(fb.sum())
        sampled = (
            "sampled enrollment share (n = enrollment_n)"
            if m is not None
            else ("census enrollment share")
        )
        method = (
            "delta method on the log scale (Katz log interval), "
            f"{sampled}; Wilson limits where the share is 0 or 1"
        )
    stats = {
        K.ESTIMATE: p / pi,
        K.STD_ERROR: se,
        K.CI_LOW: lo,
        K.CI_HIGH: hi,
        K.N: n.astype(np.int64),
        K.COUNT: count.astype(np.int64),
        K.GROUP_SHARE: p,
        K.ENROLLMENT_SHARE: pi,
    }
    out = finish(
        keys, stats, indicator="representation_index", min_cell=min_cell, extra={C.GROUP: group}
    )
    return make_result(
        out,
        indicator="representation_index",
        method=method,
        by=by,
        min_cell=min_cell,
        ci=ci,
        n_dropped=int((codes < 0).sum()),
        dropped="participation rows with a missing grouping value",
        group=group,
        n_unknown=n_unknown,
        ci_method=ci_method,
        enrollment_n=enrollment_n,
        n_wilson_fallback=n_fallback,
    )


@estimator()
def retention(
    participation: pd.DataFrame,
    *,
    series: Sequence[str] | None = None,
    event_type: str | None = "convening",
    by: str | Sequence[str] = (C.DISTRICT_ID,),
    k: int | Sequence[int] | None = None,
    role: str | None = None,
    ci: float = 0.95,
    min_cell: int = 11,
) -> IndicatorResult:
    r"""Retention across a series of sessions (e.g. a cohort's convenings).

    Sessions are the series' event dates numbered 1..n, within the ``by`` columns that
    are constant within an event (e.g. ``district_id``); events on the same date are one
    session. Grouping by a participant attribute (``el_family``, ``language``) keeps
    every group on the same session numbers.
    Two measures, stacked in one tidy frame (column ``measure``):

    - ``"at_least_k"``: share of the series' participants who attended at least
      :math:`k` of the :math:`n` sessions, for every :math:`k` (``session`` holds k);
      Wilson interval.
    - ``"survival"``: Kaplan-Meier curve of first-session attendees,
      :math:`\hat S(s) = \Pr(\text{last session attended} \ge s)`, where a participant
      "drops out" after the last session they attended and those present at session
      :math:`n` are censored there; Greenwood standard error, log-log interval.
      With a complete series no one is censored before session n, so the curve equals
      the share of first-session attendees still attending at s (intermittent absence
      does not count as drop-out).

    Parameters
    ----------
    participation : canonical participation table.
    series : event ids forming the series (ordered by their dates); default: every
        event of ``event_type``.
    event_type : event type forming the series when ``series`` is None.
    by : grouping columns (default ``district_id``).
    k : keep only these k for ``at_least_k`` (default: all 1..n).
    role : restrict to participants of this role (default: all roles).
    ci : confidence level.
    min_cell : rows whose ``n`` (participants, or first-session attendees for survival)
        is below this are flagged ``suppressed``.

    Returns
    -------
    IndicatorResult whose table has the ``by`` columns, ``indicator`` ("retention"),
    ``measure``, ``session``, ``n_sessions``, ``estimate, std_error, ci_low, ci_high, n``,
    ``count`` (participants with at least k sessions / still attending at s),
    ``suppressed``; ``n_dropped`` counts rows with a missing grouping value.

    References
    ----------
    Kaplan & Meier (1958) JASA 53:457-481; Greenwood (1926).

    Examples
    --------
    >>> res = cm.indicators.retention(demo.participation, event_type="convening")  # doctest: +SKIP
    >>> res.to_frame().query("measure == 'survival'")  # doctest: +SKIP
    """
    import pandas as pd

    by = as_by(by)
    check_columns(participation, [C.EVENT_ID], "participation")
    if series is not None:
        sel = participation[participation[C.EVENT_ID].isin(list(series)).to_numpy(dtype=bool)]
        if sel.empty:
            raise SchemaError(
                "none of the series' event ids occur in the participation table",
                column=C.EVENT_ID,
                fix="pass event ids that are in the table's event_id column",
            )
        df = _participants(sel, role=role, event_types=None, need=by, extra=[C.EVENT_ID])
    else:
        df = _participants(
            participation, role=role, event_types=event_type, need=by, extra=[C.EVENT_ID]
        )
        if df.empty:
            raise SchemaError(
                f"no events of type {event_type!r}",
                column=C.EVENT_TYPE,
                fix="pass the event_type of the series, or series= (a list of event ids)",
            )
    # Sessions are numbered by date within the event-level grouping columns (those
    # constant within an event, e.g. district_id), so that grouping by a participant
    # attribute (el_family, language) keeps every group on the same session numbers.
    ev_code, _ = pd.factorize(df[C.EVENT_ID], use_na_sentinel=False)
    ev_code = np.asarray(ev_code, dtype=np.int64)
    ev_first = first_rows(ev_code)  # first row of each event, in order of appearance

    def event_level(col: str) -> bool:
        v, _ = factorize(df[col], sort=False)
        return bool(np.array_equal(v, v[ev_first][ev_code]))

    ev_by = [b for b in by if event_level(b)]
    ev = _plain_year(df[[*ev_by, C.EVENT_ID, C.DATE]].iloc[ev_first])
    if ev_by:
        ev["_session"] = ev.groupby(ev_by, observed=True)[C.DATE].rank(method="dense")
    else:
        ev["_session"] = ev[C.DATE].rank(method="dense")
    ev["_session"] = ev["_session"].astype(np.int64)
    session = ev["_session"].to_numpy()[ev_code]
    # one cell per (group, participant): distinct sessions attended, first and last
    codes, keys = group_codes(df, by)
    pid, uniq = factorize(df[C.PARTICIPANT_ID], sort=False)
    cell, group_of = pair_codes(codes, pid, len(uniq))
    ok_row = cell >= 0
    used = np.bincount(cell[ok_row], minlength=len(group_of)) > 0
    rank = np.cumsum(used) - 1
    cidx = rank[cell[ok_row]]
    n_cells = int(used.sum())
    sess = session[ok_row]
    top = int(sess.max(initial=0)) + 1
    if n_cells * top <= max(4 * len(sess), 1 << 20):
        attended = np.bincount(cidx * top + sess, minlength=n_cells * top) > 0
        m = attended.reshape(n_cells, top).sum(axis=1)
    else:
        trip, _ = pd.factorize(cidx * top + sess)
        once = first_rows(np.asarray(trip, dtype=np.int64))
        m = np.bincount(cidx[once], minlength=n_cells)
    first = np.full(n_cells, top, dtype=np.int64)
    last = np.zeros(n_cells, dtype=np.int64)
    np.minimum.at(first, cidx, sess)
    np.maximum.at(last, cidx, sess)
    remap, keys = subset_groups(codes, keys, ok_row)  # groups that have participants
    c = remap[group_of[used]]
    ng = len(keys)
    if ev_by:
        scope = ev.groupby(ev_by, observed=True)["_session"].max().rename("_n").reset_index()
        nsess = keys[ev_by].merge(scope, on=ev_by, how="left")["_n"].to_numpy()
    else:
        nsess = np.full(ng, int(ev["_session"].max()))
    nsess = nsess.astype(np.int64)
    smax = int(nsess.max())
    n_missing_group = int((codes < 0).sum())
    # at least k of n: counts of m per group, reverse cumulative
    hist = np.bincount(c * (smax + 1) + m, minlength=ng * (smax + 1)).reshape(ng, smax + 1)
    atleast = hist[:, ::-1].cumsum(axis=1)[:, ::-1][:, 1:]  # k = 1..smax
    n_part = hist.sum(axis=1)
    ks = np.arange(1, smax + 1)
    n2 = np.repeat(n_part[:, None], smax, axis=1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = atleast / n2
        se = np.sqrt(p * (1 - p) / n2)
    lo, hi = wilson_ci(atleast, n2, ci=ci)
    valid = ks[None, :] <= nsess[:, None]
    if k is not None:
        wanted = np.atleast_1d(np.asarray(k, dtype=np.int64))
        valid &= np.isin(ks, wanted)[None, :]

    def rows(measure: str, valid, est, se, lo, hi, n, count) -> pd.DataFrame:
        """One row per (group, session) cell where ``valid``: the group keys, then the
        measure's estimate, interval, n and count."""
        gi, si = np.nonzero(valid)
        part = keys.iloc[gi].reset_index(drop=True)
        part[K.INDICATOR] = "retention"
        part[K.MEASURE] = measure
        part[K.SESSION] = ks[si]
        part[K.N_SESSIONS] = nsess[gi]
        part[K.ESTIMATE] = est[gi, si]
        part[K.STD_ERROR] = se[gi, si]
        part[K.CI_LOW] = lo[gi, si]
        part[K.CI_HIGH] = hi[gi, si]
        part[K.N] = n[gi]
        part[K.COUNT] = count[gi, si]
        return part

    part_a = rows("at_least_k", valid, p, se, lo, hi, n_part, atleast)
    # survival of first-session attendees
    coh = first == 1
    t = last[coh].astype(float)
    event = (last[coh] < nsess[c[coh]]).astype(float)
    km = kaplan_meier(t, event, c[coh], ng, ci=ci)
    times = km["time"]
    s_idx = np.searchsorted(times, ks - 1, side="right") - 1  # S(s) = KM(s - 1)
    take = np.clip(s_idx, 0, max(len(times) - 1, 0))

    def at(a: np.ndarray, one: float) -> np.ndarray:
        if len(times) == 0:
            return np.full((ng, smax), one)
        return np.where(s_idx[None, :] >= 0, a[:, take], one)

    surv = at(km["survival"], 1.0)
    sse = at(km[K.STD_ERROR], 0.0)
    slo = at(km[K.CI_LOW], 1.0)
    shi = at(km[K.CI_HIGH], 1.0)
    n_coh = np.bincount(c[coh], minlength=ng)
    still = (
        np.bincount(c[coh] * (smax + 1) + last[coh], minlength=ng * (smax + 1))
        .reshape(ng, smax + 1)[:, ::-1]
        .cumsum(axis=1)[:, ::-1][:, 1:]
    )
    valid = (ks[None, :] <= nsess[:, None]) & (n_coh[:, None] > 0)
    part_s = rows("survival", valid, surv, sse, slo, shi, n_coh, still)
    out = pd.concat([part_a, part_s], ignore_index=True)
    out[K.SUPPRESSED] = out[K.N].to_numpy() < min_cell
    return make_result(
        out,
        indicator="retention",
        method="at least k of n: Wilson; survival: Kaplan-Meier, Greenwood SE, log-log interval",
        by=by,
        min_cell=min_cell,
        ci=ci,
        n_dropped=n_missing_group,
        dropped="participation rows with a missing grouping value",
        series=list(series) if series is not None else event_type,
    )
