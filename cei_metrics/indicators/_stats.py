r"""Vectorized grouped statistics shared by every indicator.

Every estimator here works on integer group codes with :func:`numpy.bincount`, so one
pass over the rows serves all groups at once: no Python loop over groups, respondents
or clusters.

- :func:`wilson_ci`: Wilson (1927) score interval of a proportion.
- :func:`grouped_mean`: (weighted) group means with a linearized, optionally
  cluster-robust (CR1) standard error and a t interval.
- :func:`grouped_proportion`: group shares; Wilson interval for a simple random sample,
  design-effect-adjusted Wilson interval when weighted or clustered.
- :func:`kaplan_meier`: grouped Kaplan-Meier survival with Greenwood standard errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..errors import SchemaError
from ..schemas import C
from . import _cols as K

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

from .._api import check_ci

__all__ = ["grouped_mean", "grouped_proportion", "kaplan_meier", "wilson_ci"]


def _z(ci: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + check_ci(ci) / 2))


def check_columns(
    df: pd.DataFrame, cols: Sequence[str | None], table: str, *, why: str = ""
) -> None:
    """Raise :class:`SchemaError` naming the first column of ``cols`` absent from ``df``."""
    for col in cols:
        if col is not None and col not in df.columns:
            reason = f" ({why})" if why else ""
            raise SchemaError(
                f"the {table} table has no column {col!r}{reason}",
                column=col,
                fix=f"add the column, or choose among the columns present: {list(df.columns)}",
            )


def as_by(by: str | Sequence[str] | None) -> list[str]:
    """Normalize a ``by=`` argument to a list of column names."""
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def factorize(values: object, *, sort: bool = True) -> tuple[np.ndarray, object]:
    """Integer code of each value (-1 where missing) and the array of distinct values.

    Cheap where the dtype allows it, without hashing: a categorical's own codes (its
    categories in their order, as ``pd.factorize`` sorts them), booleans as 0/1, and
    integers over a range not much wider than the data as offsets from the minimum.
    The uniques may then include values that never occur; callers rank the occupied
    cells. Anything else is hashed by ``pd.factorize``.
    """
    import pandas as pd

    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, pd.CategoricalDtype):
        cat = values.array if isinstance(values, pd.Series) else values
        return np.array(cat.codes, dtype=np.int64), cat.categories  # type: ignore[union-attr]
    if isinstance(dtype, np.dtype):
        arr = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
        if dtype.kind == "b":
            return arr.astype(np.int64), np.array([False, True])
        if dtype.kind in "iu" and len(arr):
            lo, hi = int(arr.min()), int(arr.max())
            if hi - lo < max(2 * len(arr), 1 << 16):
                return np.subtract(arr, lo, dtype=np.int64), np.arange(lo, hi + 1).astype(dtype)
    codes, uniq = pd.factorize(values, sort=sort, use_na_sentinel=True)  # type: ignore[call-overload]
    return np.asarray(codes, dtype=np.int64), uniq


def _dense_limit(n: int) -> int:
    """Largest key space tabulated densely with bincount (else hashed)."""
    return max(4 * n, 1 << 20)


def group_codes(
    df: pd.DataFrame | Mapping[str, object], by: Sequence[str]
) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group code of each row (-1 where a grouping value is missing) and the
    frame of group keys, one row per code, sorted by the ``by`` columns. ``df`` may be a
    DataFrame or a mapping of column name to equal-length Series / Categorical.

    Each column is factorized once (:func:`factorize`: categorical codes, booleans and
    small-range integers need no hashing) and the codes are combined in mixed radix
    into one integer key; occupied cells are ranked by a bincount when the key space is
    small, by one hash pass otherwise (pandas ``groupby.ngroup`` is several times
    slower on millions of rows).
    """
    import pandas as pd

    by = list(by)
    if not by:
        return np.zeros(len(df), dtype=np.int64), pd.DataFrame(index=pd.RangeIndex(1))
    n = len(df[by[0]])
    combined = np.zeros(n, dtype=np.int64)
    missing = np.zeros(n, dtype=bool)
    uniques = []
    radix = 1
    for col in by:
        codes, uniq = factorize(df[col], sort=True)
        size = max(len(uniq), 1)  # type: ignore[arg-type]
        if codes.size and codes.min() < 0:
            missing |= codes < 0
            codes = np.maximum(codes, 0)
        uniques.append(uniq)
        combined = combined * size + codes if radix > 1 else codes.copy()
        radix *= size
        if radix > 2**62:  # pragma: no cover - astronomically many key combinations
            raise SchemaError("too many grouping combinations", fix="group by fewer columns")
    any_missing = bool(missing.any())
    if any_missing:
        combined[missing] = -1
    if radix <= _dense_limit(n):
        # dense key space: rank the occupied cells with a bincount, no hashing or sort
        present = combined[~missing] if any_missing else combined
        occupied = np.bincount(present, minlength=radix) > 0
        rank = np.cumsum(occupied) - 1
        out = rank[np.maximum(combined, 0)] if any_missing else rank[combined]
        if any_missing:
            out[missing] = -1
        cells = np.flatnonzero(occupied)
    else:
        out, cells = pd.factorize(combined, sort=True, use_na_sentinel=False)
        if any_missing:  # -1 sorts first: shift so that missing rows get -1
            has = cells[0] == -1
            out = out - int(has)
            cells = cells[int(has) :]
    keys = {}
    rest = np.asarray(cells, dtype=np.int64)
    for col, uniq in zip(reversed(by), reversed(uniques)):
        size = max(len(uniq), 1)  # type: ignore[arg-type]
        keys[col] = np.asarray(uniq)[rest % size] if len(uniq) else np.array([], dtype=object)  # type: ignore[arg-type]
        rest = rest // size
    frame = pd.DataFrame({col: keys[col] for col in by})
    for col in by:
        dtype = df[col].dtype
        if isinstance(dtype, pd.CategoricalDtype):  # plain values out, not categories
            dtype = dtype.categories.dtype
        try:
            frame[col] = frame[col].astype(dtype)
        except (TypeError, ValueError):  # pragma: no cover - exotic dtypes stay as built
            pass
    return np.asarray(out, dtype=np.int64), frame


def subset_groups(
    codes: np.ndarray, keys: pd.DataFrame, rows: np.ndarray
) -> tuple[np.ndarray, pd.DataFrame]:
    """Renumber groups to those occurring in ``rows`` (a boolean mask), keeping their
    sorted order: returns the new code of each old code (-1 for a group that is gone)
    and the remaining keys, i.e. what :func:`group_codes` gives on the subset."""
    present = np.bincount(codes[rows & (codes >= 0)], minlength=len(keys)) > 0
    new = np.where(present, np.cumsum(present) - 1, -1).astype(np.int64)
    return new, keys[present].reset_index(drop=True)


def row_codes(df: pd.DataFrame, cols: Sequence[str]) -> np.ndarray:
    """Integer code of each row's combination of ``cols`` (unsorted, -1 where a value is
    missing): the cheap form of :func:`group_codes` when no key frame is needed."""
    import pandas as pd

    n = len(df)
    combined = np.zeros(n, dtype=np.int64)
    missing = None
    radix = 1
    for col in cols:
        codes, uniq = factorize(df[col], sort=False)
        if codes.size and codes.min() < 0:
            missing = codes < 0 if missing is None else missing | (codes < 0)
            codes = np.maximum(codes, 0)
        size = max(len(uniq), 1)  # type: ignore[arg-type]
        combined = combined * size + codes if radix > 1 else codes
        radix *= size
    if radix <= _dense_limit(n):  # dense: rank occupied cells, no second hash
        occupied = np.bincount(combined, minlength=radix) > 0
        out = (np.cumsum(occupied) - 1)[combined]
    else:
        out, _ = pd.factorize(combined, sort=False)
    out = np.asarray(out, dtype=np.int64)
    if missing is not None:
        out[missing] = -1
    return out


def first_rows(codes: np.ndarray) -> np.ndarray:
    """Row positions of the first occurrence of each non-negative code, in code order
    (codes are dense ranks ``0..k-1``; a code that never occurs is skipped)."""
    k = int(codes.max(initial=-1)) + 1
    first = np.full(k, len(codes), dtype=np.int64)
    ok = codes >= 0
    np.minimum.at(first, codes[ok], np.flatnonzero(ok))
    return first[first < len(codes)]


def pair_codes(a: np.ndarray, b: np.ndarray, n_b: int) -> tuple[np.ndarray, np.ndarray]:
    """Code of each row's (a, b) pair (-1 where either is negative) and the ``a`` of each
    pair code (callers keep the codes that occur). ``b`` is in ``0..n_b-1``. Three ways,
    cheapest first: a dense table when the pair space is small; ``b`` itself when every
    ``b`` occurs with one ``a`` only (clusters nested in groups); one hash pass otherwise.
    """
    import pandas as pd

    ok = (a >= 0) & (b >= 0)
    n_a = int(a.max(initial=-1)) + 1
    n_b = max(int(n_b), 1)
    if n_a * n_b <= _dense_limit(len(a)):
        pair = np.where(ok, a * n_b + b, -1)
        return pair, np.arange(n_a * n_b, dtype=np.int64) // n_b
    owner = np.full(n_b, -1, dtype=np.int64)
    owner[b[ok]] = a[ok]
    if np.array_equal(owner[b[ok]], a[ok]):  # nested: each b belongs to one a
        return np.where(ok, b, -1), owner
    code = np.full(len(a), -1, dtype=np.int64)
    c, uniq = pd.factorize(a[ok] * n_b + b[ok], sort=False)
    code[ok] = c
    return code, np.asarray(uniq, dtype=np.int64) // n_b


def wilson_ci(
    count: np.ndarray | float, n: np.ndarray | float, *, ci: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    r"""Wilson (1927) score interval of a binomial proportion.

    .. math:: \frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n}

    Parameters
    ----------
    count, n : successes and trials (arrays broadcast; ``n`` may be an effective,
        non-integer sample size).
    ci : confidence level.

    Returns
    -------
    (low, high) arrays; NaN where ``n`` is 0.

    References
    ----------
    Wilson (1927) JASA 22:209-212. Newcombe (1998) Stat Med 17:857-872, method 3.
    Agrees with ``statsmodels.stats.proportion.proportion_confint(method="wilson")``.

    Examples
    --------
    >>> lo, hi = wilson_ci(81, 263)  # Newcombe (1998) Table I: 0.2553, 0.3662
    """
    z = _z(ci)
    count = np.asarray(count, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = count / n
        z2n = z * z / n
        centre = (p + z2n / 2) / (1 + z2n)
        half = z / (1 + z2n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # at p = 0 (p = 1) the lower (upper) limit is exactly 0 (1); avoid rounding residue
    lo = np.where(count <= 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    hi = np.where(count >= n, 1.0, np.clip(centre + half, 0.0, 1.0))
    lo = np.where(n > 0, lo, np.nan)
    hi = np.where(n > 0, hi, np.nan)
    return lo, hi


def _clustered_sum_sq(z: np.ndarray, codes: np.ndarray, cluster: np.ndarray | None, n_groups: int):
    """Sum over clusters (within each group) of the squared cluster totals of ``z``, and
    the number of clusters per group. Without ``cluster`` every row is its own cluster.
    Cluster totals come from one bincount over the (group, cluster) cells of
    :func:`pair_codes`; no loop over groups or clusters."""
    if cluster is None:
        return np.bincount(codes, z * z, minlength=n_groups), np.bincount(codes, minlength=n_groups)
    n_cl = int(cluster.max(initial=0)) + 1
    if n_groups * n_cl <= _dense_limit(len(z)):  # dense groups x clusters table
        pair = codes.astype(np.int64) * n_cl + cluster
        tot = np.bincount(pair, z, minlength=n_groups * n_cl).reshape(n_groups, n_cl)
        used = np.bincount(pair, minlength=n_groups * n_cl).reshape(n_groups, n_cl) > 0
        return (tot * tot).sum(axis=1), used.sum(axis=1)
    cell, group_of = pair_codes(codes, cluster, n_cl)
    k = len(group_of)
    tot = np.bincount(cell, z, minlength=k)
    used = np.bincount(cell, minlength=k) > 0
    grp = group_of[used]
    return (
        np.bincount(grp, tot[used] * tot[used], minlength=n_groups),
        np.bincount(grp, minlength=n_groups),
    )


def grouped_mean(
    y: np.ndarray,
    codes: np.ndarray,
    n_groups: int,
    *,
    weights: np.ndarray | None = None,
    cluster: np.ndarray | None = None,
    ci: float = 0.95,
) -> dict[str, np.ndarray]:
    r"""Group means with linearized (Taylor) standard errors, in one pass.

    For group :math:`g` with weights :math:`w_i` (1 when unweighted):

    .. math::
        \bar y_g = \frac{\sum_i w_i y_i}{\sum_i w_i}, \qquad
        \widehat{V}(\bar y_g) = \frac{G_g}{G_g - 1}
            \sum_{c} \Big(\sum_{i \in c} \frac{w_i (y_i - \bar y_g)}{\sum_i w_i}\Big)^2

    where :math:`c` runs over the :math:`G_g` clusters of the group (each row its own
    cluster when ``cluster`` is None). This is the CR1 sandwich of an intercept-only
    WLS fitted on the group alone (``statsmodels`` ``cov_type="cluster"``; ``"HC1"``
    without clusters), and the with-replacement linearization of ``survey::svymean``
    with ``ids=~cluster, weights=~w`` on the group's rows. Unweighted and unclustered it
    reduces to :math:`s/\sqrt{n}`. The interval is Student t with :math:`G_g - 1`
    degrees of freedom (few-cluster practice; Cameron & Miller 2015).

    Parameters
    ----------
    y : values; rows where ``y`` is NaN or ``codes`` is -1 are dropped.
    codes : group code per row in ``0..n_groups-1`` (-1: no group).
    weights : sampling weights (positive), or None.
    cluster : integer cluster code per row (e.g. factorized school_id), or None.
    ci : confidence level.

    Returns
    -------
    dict of arrays (length ``n_groups``): estimate, std_error, ci_low, ci_high, n,
    n_clusters. A group with a single cluster (or a single row) has no estimable
    variance: its std_error and interval are NaN (such a group is also far below any
    small-cell threshold, so it is flagged suppressed).
    """
    from scipy.stats import t as student_t

    y = np.asarray(y, dtype=float)
    keep = (codes >= 0) & np.isfinite(y)
    if weights is not None:
        keep &= np.isfinite(weights)
    if cluster is not None:
        keep &= cluster >= 0
    every = bool(keep.all())  # no copies when every row counts

    def kept(a: np.ndarray) -> np.ndarray:
        return a if every else a[keep]

    y = kept(y)
    g = kept(codes)
    cl = None if cluster is None else kept(np.asarray(cluster, dtype=np.int64))
    n = np.bincount(g, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        if weights is None:  # unit weights: the same sums without the multiplications
            sw = n.astype(float)
            mean = np.bincount(g, y, minlength=n_groups) / sw
            z = y - mean[g]
        else:
            w = kept(np.asarray(weights, dtype=float))
            sw = np.bincount(g, w, minlength=n_groups)
            mean = np.bincount(g, w * y, minlength=n_groups) / sw
            z = w * (y - mean[g])
        ss, n_cl = _clustered_sum_sq(z, g, cl, n_groups)
        var = n_cl / (n_cl - 1) * ss / (sw * sw)
        se = np.sqrt(var)
        df = np.where(n_cl > 1, n_cl - 1, np.nan)
        q = student_t.ppf(0.5 + ci / 2, df)
    _z(ci)  # validates ci
    return {
        K.ESTIMATE: mean,
        K.STD_ERROR: se,
        K.CI_LOW: mean - q * se,
        K.CI_HIGH: mean + q * se,
        K.N: n,
        K.N_CLUSTERS: n_cl,
    }


def grouped_proportion(
    x: np.ndarray,
    codes: np.ndarray,
    n_groups: int,
    *,
    weights: np.ndarray | None = None,
    cluster: np.ndarray | None = None,
    ci: float = 0.95,
) -> dict[str, np.ndarray]:
    r"""Group shares of a 0/1 outcome with Wilson intervals.

    Simple random sample (no weights, no clusters): :math:`\hat p = x/n`,
    standard error :math:`\sqrt{\hat p(1-\hat p)/n}`, Wilson (1927) interval.

    Weighted or clustered: :math:`\hat p` is the weighted share, its standard error the
    linearized (CR1) one of :func:`grouped_mean`, and the interval is Wilson's at the
    effective sample size :math:`n_{eff} = n / \text{deff}` with
    :math:`\text{deff} = \widehat V(\hat p) / [\hat p(1-\hat p)/n]` (Kish 1965;
    the effective-n approach of Korn & Graubard 1998). Where :math:`\hat p` is 0 or 1
    the design effect is undefined and taken as 1.

    Returns
    -------
    dict of arrays: estimate, std_error, ci_low, ci_high, n, n_clusters, count
    (unweighted number of 1s).
    """
    x = np.asarray(x, dtype=float)
    keep = (codes >= 0) & np.isfinite(x)
    count = np.bincount(codes[keep], x[keep], minlength=n_groups)
    if weights is None and cluster is None:
        n = np.bincount(codes[keep], minlength=n_groups)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = count / n
            se = np.sqrt(p * (1 - p) / n)
        lo, hi = wilson_ci(count, n, ci=ci)
        return {
            K.ESTIMATE: p,
            K.STD_ERROR: se,
            K.CI_LOW: lo,
            K.CI_HIGH: hi,
            K.N: n,
            K.N_CLUSTERS: n.copy(),
            K.COUNT: count,
        }
    out = grouped_mean(x, codes, n_groups, weights=weights, cluster=cluster, ci=ci)
    p, se, n = out[K.ESTIMATE], out[K.STD_ERROR], out[K.N]
    with np.errstate(divide="ignore", invalid="ignore"):
        srs_var = p * (1 - p) / n
        deff = np.where((srs_var > 0) & (se > 0), se * se / srs_var, 1.0)
        n_eff = n / deff
    lo, hi = wilson_ci(p * n_eff, n_eff, ci=ci)
    out[K.CI_LOW], out[K.CI_HIGH] = lo, hi
    out[K.COUNT] = count
    return out


def kaplan_meier(
    time: np.ndarray,
    event: np.ndarray,
    codes: np.ndarray | None = None,
    n_groups: int | None = None,
    *,
    ci: float = 0.95,
) -> dict[str, np.ndarray]:
    r"""Kaplan-Meier survival with Greenwood standard errors, for many groups at once.

    .. math::
        \hat S(t) = \prod_{t_j \le t} \Big(1 - \frac{d_j}{r_j}\Big), \qquad
        \widehat V[\hat S(t)] = \hat S(t)^2 \sum_{t_j \le t} \frac{d_j}{r_j (r_j - d_j)}

    with :math:`d_j` events and :math:`r_j` at risk at the distinct time :math:`t_j`.
    The interval is the log-log one, :math:`\hat S^{\exp(\pm z\,\sigma)}` with
    :math:`\sigma = \mathrm{se}(\hat S)/(\hat S\,|\log \hat S|)` (Kalbfleisch & Prentice
    2002), as ``statsmodels`` ``SurvfuncRight.conf_int(transform="cloglog")``.

    Parameters
    ----------
    time : observed time of each subject.
    event : 1 where the subject had the event at ``time``, 0 where censored.
    codes, n_groups : group code per subject (default: one group).

    Returns
    -------
    dict of 2-D arrays (groups x distinct times, times in ``"time"``): survival,
    std_error, ci_low, ci_high, at_risk, events.

    References
    ----------
    Kaplan & Meier (1958) JASA 53:457-481; Greenwood (1926). Klein & Moeschberger (2003)
    *Survival Analysis*, Table 4.1A (6-MP arm of Freireich et al. 1963) is the test case.
    """
    import pandas as pd

    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=float)
    if codes is None:
        codes = np.zeros(len(time), dtype=np.int64)
        n_groups = 1
    assert n_groups is not None
    keep = (codes >= 0) & np.isfinite(time) & np.isfinite(event)
    tcode, times = pd.factorize(time[keep], sort=True)
    nt = len(times)
    flat = codes[keep] * nt + tcode
    shape = (n_groups, nt)
    events = np.bincount(flat, event[keep], minlength=n_groups * nt).reshape(shape)
    leaving = np.bincount(flat, minlength=n_groups * nt).reshape(shape)
    at_risk = leaving[:, ::-1].cumsum(axis=1)[:, ::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(at_risk > 0, 1 - events / at_risk, 1.0)
        surv = np.cumprod(frac, axis=1)
        term = np.where(at_risk > events, events / (at_risk * (at_risk - events)), 0.0)
        term = np.where((at_risk == events) & (events > 0), np.inf, term)
        gw = np.cumsum(term, axis=1)
        se = surv * np.sqrt(gw)
        z = _z(ci)
        sigma = np.sqrt(gw) / np.abs(np.log(surv))
        lo = surv ** np.exp(z * sigma)
        hi = surv ** np.exp(-z * sigma)
    lo = np.where(surv >= 1, 1.0, np.where(surv <= 0, 0.0, lo))
    hi = np.where(surv >= 1, 1.0, np.where(surv <= 0, 0.0, hi))
    se = np.where(surv <= 0, 0.0, se)
    return {
        "time": np.asarray(times),
        "survival": surv,
        K.STD_ERROR: se,
        K.CI_LOW: lo,
        K.CI_HIGH: hi,
        "at_risk": at_risk,
        "events": events,
    }


def finish(
    keys: pd.DataFrame,
    stats: dict[str, np.ndarray],
    *,
    indicator: str,
    min_cell: int,
    extra: dict[str, object] | None = None,
    drop_empty: bool = True,
) -> pd.DataFrame:
    """Assemble the tidy output: group keys, ``indicator``, statistics, ``suppressed``."""
    import pandas as pd

    if min_cell < 0:
        raise SchemaError(f"min_cell={min_cell} is negative", fix="pass min_cell >= 0, e.g. 11")
    out = keys.reset_index(drop=True).copy()
    out.insert(len(out.columns), K.INDICATOR, indicator)
    for k, v in (extra or {}).items():
        out[k] = v
    for k, v in stats.items():
        out[k] = v
    out[K.SUPPRESSED] = out[K.N].to_numpy() < min_cell
    if drop_empty:
        out = out[out[K.N].to_numpy() > 0].reset_index(drop=True)
    return pd.DataFrame(out)


def instrument_of(instrument: object):
    """An :class:`~cei_metrics.instruments.Instrument` from itself or its name/path."""
    from ..instruments import Instrument, load_instrument

    if isinstance(instrument, Instrument):
        return instrument
    return load_instrument(instrument)  # type: ignore[arg-type]


def weight_array(df: pd.DataFrame, weights: str | None, table: str) -> np.ndarray | None:
    """The sampling weights of ``df`` as floats, checked positive and finite."""
    if weights is None:
        return None
    if not isinstance(weights, str):
        raise SchemaError(
            f"weights={weights!r} is not a column name",
            fix=f'pass the name of the weight column, e.g. weights="{C.WEIGHT}"',
        )
    check_columns(df, [weights], table, why="named by weights=")
    import pandas as pd

    w = pd.to_numeric(df[weights], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~(np.isfinite(w) & (w > 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SchemaError(
            f"weight {df[weights].iloc[i]!r} is not a positive number",
            row=i + 1,
            column=weights,
            fix="sampling weights must be positive and present on every row; drop or impute the row",
        )
    return w


def cluster_array(df: pd.DataFrame, cluster: str | None, table: str) -> np.ndarray | None:
    """Integer cluster codes of ``df[cluster]``; refuses missing cluster ids."""
    if cluster is None:
        return None
    check_columns(df, [cluster], table, why="named by cluster=")
    import pandas as pd

    codes, uniq = factorize(df[cluster], sort=False)
    missing = codes < 0
    if len(uniq) and (
        pd.api.types.is_string_dtype(getattr(uniq, "dtype", None))
        or np.asarray(uniq).dtype == object
    ):  # an empty string is no cluster id either
        empty = np.flatnonzero(
            pd.Series(np.asarray(uniq, dtype=object)).fillna("").eq("").to_numpy()
        )
        if len(empty):
            missing |= np.isin(codes, empty)
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise SchemaError(
            f"cluster id is missing in the {table} table",
            row=i + 1,
            column=cluster,
            fix="give every row a cluster id (e.g. its school), or pass cluster=None",
        )
    return codes
