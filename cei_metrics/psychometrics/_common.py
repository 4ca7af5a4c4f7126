"""Input checks and the covariance kernel shared by the metric-testing functions.

Everything here works on a respondents x items float matrix. Missing cells are NaN.
The pairwise-complete covariance, item means and variances and the floor and ceiling
counts come from one pass of masked matrix products in row blocks (no pandas loop over
pairs), so they run at BLAS speed with bounded memory (:func:`moments`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from .._api import estimator
from .._results import ResultMixin
from ..errors import CEIError, EstimationError, OptionError, SchemaError
from ..schemas import C

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

NanPolicy = Literal["pairwise", "listwise", "raise"]
NAN_POLICIES = ("pairwise", "listwise", "raise")
_BLOCK_ROWS = 16_384
_MAX_WORKERS = 4


def check_nan_policy(nan_policy: str, allowed: tuple[str, ...] = NAN_POLICIES) -> str:
    if nan_policy not in allowed:
        raise OptionError(
            f"nan_policy={nan_policy!r} is not one this function knows",
            fix=f"use one of {list(allowed)}",
        )
    return nan_policy


def as_items(
    items: object,
    *,
    min_items: int = 2,
    min_rows: int = 2,
    name: str = "items",
    check_finite: bool = True,
) -> tuple[np.ndarray, list[str]]:
    """A float64 matrix and the item names from a wide respondents x items frame.

    Raises :class:`SchemaError` for a non-numeric column or infinite value and
    :class:`EstimationError` when there are too few items or respondents. A frame of
    float64 columns comes back as a view, not a copy. ``check_finite=False`` leaves the
    infinite-value check to the caller (:func:`moments` does it within its own pass).
    """
    import pandas as pd

    if isinstance(items, np.ndarray):
        if items.ndim != 2:
            raise SchemaError(
                f"{name} must be two-dimensional (respondents x items), got {items.ndim} dimension(s)",
                fix="pass a DataFrame with one row per respondent and one column per item",
            )
        cols = list(_names(items.shape[1]))
        if items.dtype == np.float64:  # already the matrix wanted: no copy
            return _check_matrix(items, cols, min_items, min_rows, name, check_finite)
        items = pd.DataFrame(items, columns=cols)
    if not isinstance(items, pd.DataFrame):
        raise SchemaError(
            f"{name} must be a DataFrame, got {type(items).__name__}",
            fix="pass a wide DataFrame (one row per respondent, one numeric column per item); "
            "cei_metrics.psychometrics.to_wide builds one from the survey table",
        )
    cols = [str(c) for c in items.columns]
    if all(items[c].dtype == np.float64 for c in items.columns):
        # no conversion: a single float block comes back as a view, not a copy
        x = items.to_numpy(dtype=np.float64, copy=False)
        return _check_matrix(x, cols, min_items, min_rows, name, check_finite)
    for c in items.columns:
        kind = items[c].dtype.kind
        if kind not in "biuf":
            try:
                pd.to_numeric(items[c], errors="raise")
            except (TypeError, ValueError):
                bad = items[c][pd.to_numeric(items[c], errors="coerce").isna() & items[c].notna()]
                row = None if bad.empty else int(items.index.get_loc(bad.index[0])) + 1
                raise SchemaError(
                    f"item column holds non-numeric value {bad.iloc[0]!r}"
                    if not bad.empty
                    else "item column is not numeric",
                    row=row,
                    column=str(c),
                    fix="recode response labels to numbers first (Instrument.code or "
                    "cei_metrics.io.read_survey_export)",
                ) from None
    x = items.apply(pd.to_numeric).to_numpy(dtype=np.float64, na_value=np.nan)
    return _check_matrix(x, cols, min_items, min_rows, name, check_finite)


def _check_matrix(
    x: np.ndarray,
    cols: list[str],
    min_items: int,
    min_rows: int,
    name: str,
    check_finite: bool = True,
) -> tuple[np.ndarray, list[str]]:
    if check_finite and np.isinf(x).any():
        _raise_infinite(x, cols)
    if x.shape[1] < min_items:
        raise EstimationError(
            f"{name} has {x.shape[1]} item(s); this statistic needs at least {min_items}",
            fix="pass every item of the scale as a column",
        )
    if x.shape[0] < min_rows:
        raise EstimationError(
            f"{name} has {x.shape[0]} respondent(s); at least {min_rows} are needed",
            fix="pass more respondents",
        )
    return x, cols


def as_weights(weights: object, n: int) -> np.ndarray | None:
    """Validated sampling weights (positive, finite, one per respondent) or None."""
    if weights is None:
        return None
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.shape[0] != n:
        raise SchemaError(
            f"weights has {w.shape[0]} value(s) for {n} respondent(s)",
            column="weight",
            fix="pass one weight per row of items, in the same order",
        )
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        raise SchemaError(
            f"weight {w[bad][0]!r} is not a positive finite number",
            row=int(np.flatnonzero(bad)[0]) + 1,
            column="weight",
            fix="sampling weights must be positive; drop the respondent instead of weighting 0",
        )
    return w


def refuse_weights(weights: object, what: str) -> None:
    if weights is not None:
        raise CEIError(
            f"{what} does not support weights",
            fix="leave weights=None, or use a function that documents weight support",
        )


@dataclass(frozen=True, eq=False, repr=False)
class Moments(ResultMixin):
    """Second moments of an item matrix under one missing-data rule, computed in one pass.

    ``cov``, ``mean``, ``n_pair``, ``n``, ``n_eff`` and ``n_dropped`` follow the rule
    (``nan_policy``); the ``item_*`` fields, ``minimum``/``maximum`` and the floor and
    ceiling counts describe each item's own answered cells over every row, whatever the
    rule. :func:`cronbach_alpha`, :func:`omega`, :func:`item_stats` and
    :func:`reliability` accept a Moments in place of the item frame, so the data are
    read once for all of them.
    """

    cov: np.ndarray  # k x k covariance (pairwise-complete or listwise)
    mean: np.ndarray  # k item means (over each item's observed cells, rows kept by the rule)
    n_pair: np.ndarray  # k x k number of respondents answering both items
    n: int  # respondents used (answering at least one item; all items under listwise)
    n_eff: float  # Kish effective n ((sum w)^2 / sum w^2); equals n unweighted
    n_dropped: int  # respondents dropped by the rule
    items: tuple[str, ...] = ()
    nan_policy: str = "pairwise"
    weighted: bool = False
    n_rows: int = 0  # rows given, before any rule
    weight_total: float = 0.0  # sum of the weights over every row (n_rows unweighted)
    item_n: np.ndarray | None = None  # answered cells per item, every row
    item_weight: np.ndarray | None = None  # weighted answered cells per item
    item_mean: np.ndarray | None = None  # (weighted) mean of each item's answered cells
    item_var: np.ndarray | None = None  # its variance (divisor n - 1, weighted as cov)
    any_missing: bool = False  # a kept or dropped row had a missing cell
    minimum: float | None = None  # lowest code over every answered cell
    maximum: float | None = None  # highest code
    n_floor: np.ndarray | None = None  # (weighted) cells at the lowest code, per item
    n_ceiling: np.ndarray | None = None  # (weighted) cells at the highest code, per item

    @classmethod
    def from_cov(
        cls, cov: object, n: int, *, items: list[str] | None = None, mean: object = None
    ) -> Moments:
        """Moments of a published covariance or correlation matrix of ``n`` complete
        respondents (for reliability of a matrix without the raw data)."""
        c = np.array(cov, dtype=np.float64)
        if c.ndim != 2 or c.shape[0] != c.shape[1] or not np.allclose(c, c.T):
            raise SchemaError(
                "the covariance matrix is not square and symmetric",
                fix="pass a k x k covariance or correlation matrix",
            )
        if not np.isfinite(c).all():
            raise SchemaError("the covariance matrix has a missing or infinite cell")
        k = c.shape[0]
        if int(n) < 2:
            raise EstimationError(f"n={n!r}; at least 2 respondents are needed")
        names = tuple(items) if items is not None else _names(k)
        if hasattr(cov, "columns") and items is None:
            names = tuple(str(col) for col in cov.columns)  # type: ignore[attr-defined]
        if len(names) != k:
            raise SchemaError(f"{len(names)} item name(s) for a {k} x {k} matrix")
        m = np.zeros(k) if mean is None else np.asarray(mean, dtype=np.float64)
        return cls(
            cov=c,
            mean=m,
            n_pair=np.full((k, k), float(n)),
            n=int(n),
            n_eff=float(n),
            n_dropped=0,
            items=names,
            n_rows=int(n),
            weight_total=float(n),
            item_n=np.full(k, float(n)),
            item_weight=np.full(k, float(n)),
            item_mean=m,
            item_var=np.diag(c).copy(),
        )

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        k = len(self.items)
        i, j = np.triu_indices(k)
        names = np.asarray(self.items, dtype=object)
        return pd.DataFrame(
            {
                C.TERM: [f"{a} x {b}" for a, b in zip(names[i], names[j])],
                C.ESTIMATE: self.cov[i, j],
                C.N: self.n_pair[i, j],
                "item_a": names[i],
                "item_b": names[j],
            }
        )

    def summary(self) -> str:
        kind = "pairwise-complete" if self.nan_policy == "pairwise" else "listwise"
        w = ", weighted" if self.weighted else ""
        return (
            f"Item moments: {len(self.items)} items, {kind} covariances{w}\n"
            f"{self.n} respondents used ({self.n_dropped} dropped) of {self.n_rows} rows"
        )


def _names(k: int) -> tuple[str, ...]:
    return tuple(f"item_{j + 1}" for j in range(k))


def _raise_infinite(x: np.ndarray, cols: list[str] | tuple[str, ...]) -> None:
    r, c = np.argwhere(np.isinf(x))[0]
    raise SchemaError(
        "infinite value in an item",
        row=int(r) + 1,
        column=cols[c],
        fix="replace it with a valid response code or leave the cell missing",
    )


def _center(x: np.ndarray, block: int) -> np.ndarray:
    """A provisional center: observed means of (a strided sample of) the rows, rounded
    to whole numbers when the sampled answers are whole numbers (response codes).

    Any center gives the same covariance (the correction in :func:`moments` is exact); a
    close one keeps the cross-products small, so nothing is lost to cancellation. A whole
    center keeps whole codes whole after centering, which lets :func:`_block` use exact
    float32 products. With one block the sample is the whole matrix.
    """
    n = x.shape[0]
    s = x if n <= block else x[:: max(1, n // 8192)]
    ok = ~np.isnan(s)
    cnt = ok.sum(axis=0)
    tot = np.where(ok, s, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore"):
        c = np.where(cnt > 0, tot / np.maximum(cnt, 1), 0.0)
        whole = bool(np.all((s == np.round(s)) | ~ok))
    c = np.where(np.isfinite(c), c, 0.0)
    return np.round(c) if whole else c


def _workers(n_blocks: int) -> int:
    """Threads for the blocked pass: numpy and BLAS release the GIL, so blocks run in
    parallel; one BLAS thread each (OpenBLAS's own threads stall on a busy machine)."""
    if n_blocks < 4:
        return 1
    return max(1, min(_MAX_WORKERS, os.cpu_count() or 1, n_blocks))


_BLAS: list = []  # the threadpoolctl controller, made on first use


@contextmanager
def one_blas_thread(active: bool = True):
    """Run the block with one BLAS thread.

    The products here are small (k x k) or split in blocks run by our own threads;
    OpenBLAS's threads add nothing to them and stall badly when the machine is busy.
    The controller is built once (about a millisecond); entering costs microseconds.
    """
    if not active:
        yield
        return
    if not _BLAS:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
            _BLAS.append(None)
        else:
            _BLAS.append(ThreadpoolController())
    ctl = _BLAS[0]
    if ctl is None:  # pragma: no cover
        yield
        return
    with ctl.limit(limits=1, user_api="blas"):
        yield


@dataclass(eq=False)
class _Acc:
    """Sums of one block (or of several, merged in block order)."""

    g: np.ndarray  # [S A; A' N] of the rows with a missing cell
    c_unw: np.ndarray  # unweighted M'M of the same rows (weighted case)
    s_full: np.ndarray  # X0'WX0 of rows without a missing cell
    a_full: np.ndarray  # their column sums of WX0
    w_full: float  # their weight
    n_full: int  # their number
    n_kept: int  # rows kept by the rule
    wk_sum: float  # their weight
    wk_sq: float  # their squared weight
    it_n: np.ndarray  # listwise only: every-row answered cells per item
    it_w: np.ndarray  # weighted
    it_s1: np.ndarray  # sum of W X0 per item
    it_s2: np.ndarray  # sum of W X0^2 per item
    lo: float
    hi: float
    n_lo: np.ndarray
    n_hi: np.ndarray
    any_missing: bool

    def merge(self, o: _Acc) -> None:
        for f in ("g", "c_unw", "s_full", "a_full", "it_n", "it_w", "it_s1", "it_s2"):
            setattr(self, f, getattr(self, f) + getattr(o, f))
        self.w_full += o.w_full
        self.n_full += o.n_full
        self.n_kept += o.n_kept
        self.wk_sum += o.wk_sum
        self.wk_sq += o.wk_sq
        self.any_missing = self.any_missing or o.any_missing
        if o.lo < self.lo:
            self.lo, self.n_lo = o.lo, o.n_lo
        elif o.lo == self.lo:
            self.n_lo = self.n_lo + o.n_lo
        if o.hi > self.hi:
            self.hi, self.n_hi = o.hi, o.n_hi
        elif o.hi == self.hi:
            self.n_hi = self.n_hi + o.n_hi


def _block(
    xb: np.ndarray,
    wb: np.ndarray | None,
    r0: int,
    center: np.ndarray,
    buf: Callable[[bool], np.ndarray],
    nan_policy: str,
    extremes: bool,
    x: np.ndarray,
    cols: list[str],
) -> _Acc:
    """The sums of one block of rows (see :func:`moments`)."""
    k = xb.shape[1]
    listwise = nan_policy == "listwise"
    acc = _Acc(
        g=np.zeros((2 * k, 2 * k)),
        c_unw=np.zeros((k, k)),
        s_full=np.zeros((k, k)),
        a_full=np.zeros(k),
        w_full=0.0,
        n_full=0,
        n_kept=0,
        wk_sum=0.0,
        wk_sq=0.0,
        it_n=np.zeros(k),
        it_w=np.zeros(k),
        it_s1=np.zeros(k),
        it_s2=np.zeros(k),
        lo=np.inf,
        hi=-np.inf,
        n_lo=np.zeros(k),
        n_hi=np.zeros(k),
        any_missing=False,
    )
    nanb = np.isnan(xb)
    row_some = nanb.any(axis=1)
    has_nan = bool(row_some.any())
    acc.any_missing = has_nan
    if has_nan and nan_policy == "raise":
        if np.isinf(x).any():
            _raise_infinite(x, cols)
        r, c = np.argwhere(nanb)[0]
        raise SchemaError(
            "missing value with nan_policy='raise'",
            row=int(r0 + r) + 1,
            column=None,
            fix=f"use nan_policy='pairwise' or 'listwise', or fill the cell (item index {int(c)})",
        )
    blo = np.fmin.reduce(xb, axis=0)
    bhi = np.fmax.reduce(xb, axis=0)
    if np.isinf(blo).any() or np.isinf(bhi).any():
        _raise_infinite(x, cols)
    with np.errstate(invalid="ignore"):
        lo = np.fmin.reduce(blo)
        hi = np.fmax.reduce(bhi)
    if extremes and not np.isnan(lo):  # NaN: no answer in the block
        acc.lo, acc.hi = float(lo), float(hi)
        acc.n_lo = _count(xb, lo, wb)
        acc.n_hi = _count(xb, hi, wb)
    clean = not has_nan
    if listwise and has_nan:
        # every-row item sums, before the rule drops the incomplete rows
        ans = ~nanb
        d = np.where(ans, xb - center, 0.0)
        acc.it_n += ans.sum(axis=0)
        if wb is None:
            acc.it_s1 += d.sum(axis=0)
            acc.it_s2 += (d * d).sum(axis=0)
        else:
            acc.it_w += wb @ ans
            acc.it_s1 += wb @ d
            acc.it_s2 += wb @ (d * d)
        keep = ~row_some
        xb = xb[keep]
        if wb is not None:
            wb = wb[keep]
        has_nan = False
    elif has_nan:
        keep = ~nanb.all(axis=1)
        acc.n_kept += int(keep.sum())
        if wb is not None:
            wk = wb[keep]
            acc.wk_sum += float(wk.sum())
            acc.wk_sq += float(wk @ wk)
    b = xb.shape[0]
    if b == 0:
        return acc
    # Whole response codes around a whole center: every product and partial sum is a
    # whole number below 2^24, so float32 products are exact (and twice as fast).
    with np.errstate(invalid="ignore"):
        reach = np.fmax.reduce(np.fmax(np.abs(bhi - center), np.abs(blo - center)))
    exact32 = (
        wb is None
        and bool(np.all(center == np.rint(center)))
        and not np.isnan(reach)
        and b * max(reach * reach, reach, 1.0) < 2.0**24
        and _whole(xb, nanb if has_nan else None)
    )
    bufs = buf(exact32)
    if not has_nan:
        # no missing cell in these rows: no mask; A is the column sums, N the count
        zx = bufs[:b, :k]
        np.subtract(xb, center, out=zx, casting="same_kind")
        acc.n_kept += b
        acc.n_full += b
        if wb is None:
            colsum = zx.sum(axis=0, dtype=np.float64)
            wsum = float(b)
        else:
            colsum = wb @ zx
            wsum = float(wb.sum())
            acc.wk_sum += wsum
            acc.wk_sq += float(wb @ wb)
            zx *= np.sqrt(wb)[:, None]
        prod = (zx.T @ zx).astype(np.float64)
        acc.s_full += prod
        acc.a_full += colsum
        acc.w_full += wsum
        if listwise and clean:
            acc.it_n += b
            acc.it_w += wsum
            acc.it_s1 += colsum
            acc.it_s2 += np.diag(prod)
        return acc
    z = bufs[:b]
    zx = z[:, :k]
    np.subtract(xb, center, out=zx, casting="same_kind")
    np.copyto(zx, 0.0, where=nanb)
    np.logical_not(nanb, out=z[:, k:], casting="unsafe")
    if wb is not None:
        mf = z[:, k:].astype(np.float32)
        acc.c_unw += mf.T @ mf  # 0/1 products: exact in float32 below 2^24 rows
        z *= np.sqrt(wb)[:, None]
    acc.g += (z.T @ z).astype(np.float64)
    return acc


def _whole(xb: np.ndarray, nanb: np.ndarray | None) -> bool:
    """Every answered cell of the block is a whole number (NaN != its rint, so the
    missing cells are the only mismatches allowed)."""
    bad = np.count_nonzero(np.rint(xb) != xb)
    return bad == (0 if nanb is None else np.count_nonzero(nanb))


def _count(xb: np.ndarray, code: float, wb: np.ndarray | None) -> np.ndarray:
    """(Weighted) cells equal to ``code`` per column."""
    eq = xb == code
    if wb is not None:
        return wb @ eq
    return eq.view(np.uint8).sum(axis=0, dtype=np.intp).astype(np.float64)


@estimator()
def moments(
    items: object,
    *,
    nan_policy: str = "pairwise",
    weights: object = None,
    block: int = _BLOCK_ROWS,
    extremes: bool = True,
    columns: list[str] | None = None,
) -> Moments:
    r"""Pairwise-complete (or listwise) covariances of an item matrix in one pass.

    With :math:`X_0` the item matrix minus a provisional center :math:`c` with missing
    cells set to 0, :math:`M` the 0/1 answered mask and :math:`W` the weights, one
    symmetric product per block of rows accumulates

    .. math:: [X_0\,|\,M]^\top W\,[X_0\,|\,M] =
              \begin{pmatrix} S & A \\ A^\top & N \end{pmatrix},\qquad
              s_{ij} = \frac{S_{ij} - A_{ij} A_{ji} / N_{ij}}{n_{ij} - 1}

    which is the covariance of items *i* and *j* over the respondents answering both,
    centered at that subset's own means whatever :math:`c` is: R
    ``cov(x, use = "pairwise")``. The item means are :math:`c_i + A_{ii}/N_{ii}`. Blocks
    without missing cells skip the mask. Memory stays a small multiple of one block.

    Whole response codes around a whole center (checked block by block) make every
    product and partial sum a whole number below :math:`2^{24}`, so such blocks use
    float32 products, exact and twice as fast; other data use float64. Blocks run on a
    few threads (numpy and BLAS release the GIL; one BLAS thread each) and are merged in
    block order, so the result does not depend on the number of threads.

    Parameters
    ----------
    items : wide respondents x items frame or float array (missing cells NaN).
    nan_policy : "pairwise", "listwise" (respondents missing any item dropped) or
        "raise" (missing cells refused). Respondents with no answer are dropped always.
    weights : optional sampling weights, one per row. Weighted cross-products are
        divided by the weighted pair count and scaled by the unweighted pair count's
        :math:`n/(n-1)`; ``n_eff`` is Kish's effective size.
    block : rows per block.
    extremes : also find the lowest and highest codes and count the cells at them
        (floor and ceiling shares of :func:`item_stats`).
    columns : item names (default: the frame's columns, or ``item_1 ... item_k``).

    Returns
    -------
    Moments

    Examples
    --------
    >>> m = moments(items)                 # read the data once
    >>> cronbach_alpha(m).alpha, omega(m).omega_total
    """
    check_nan_policy(nan_policy)
    if isinstance(items, np.ndarray) and items.ndim == 2 and items.dtype == np.float64:
        x = items
        cols = list(columns) if columns is not None else list(_names(x.shape[1]))
    else:
        x, cols = as_items(items, min_items=1, min_rows=1, check_finite=False)
        if columns is not None:
            cols = list(columns)
    n_rows, k = x.shape
    w = as_weights(weights, n_rows)
    center = _center(x, block)
    starts = range(0, n_rows, block)
    tls = threading.local()

    def buf(single: bool) -> np.ndarray:
        name = "f32" if single else "f64"
        out = getattr(tls, name, None)
        if out is None:
            dtype = np.float32 if single else np.float64
            out = np.empty((min(block, n_rows), 2 * k), dtype=dtype, order="F")
            setattr(tls, name, out)
        return out

    def one(r0: int) -> _Acc:
        wb = None if w is None else w[r0 : r0 + block]
        return _block(x[r0 : r0 + block], wb, r0, center, buf, nan_policy, extremes, x, cols)

    workers = _workers(len(starts))
    with one_blas_thread(len(starts) > 1):
        if workers == 1:
            parts = [one(r0) for r0 in starts]
        else:
            from concurrent.futures import ThreadPoolExecutor

            pool = ThreadPoolExecutor(max_workers=workers)
            try:
                parts = list(pool.map(one, starts))
            finally:  # on an error in one block, drop the blocks not started yet
                pool.shutdown(wait=True, cancel_futures=True)
    acc = parts[0]
    for p in parts[1:]:
        acc.merge(p)
    g, c_unw, s_full, a_full = acc.g, acc.c_unw, acc.s_full, acc.a_full
    w_full, n_full, n_kept = acc.w_full, acc.n_full, acc.n_kept
    wk_sum, wk_sq = acc.wk_sum, acc.wk_sq
    it_n, it_w, it_s1, it_s2 = acc.it_n, acc.it_w, acc.it_s1, acc.it_s2
    lo, hi, n_lo, n_hi = acc.lo, acc.hi, acc.n_lo, acc.n_hi
    any_missing = acc.any_missing
    listwise = nan_policy == "listwise"
    if not (np.isfinite(g).all() and np.isfinite(s_full).all()):
        _raise_infinite(x, cols)
    n_dropped = n_rows - n_kept
    if n_kept < 2:
        raise EstimationError(
            f"only {n_kept} respondent(s) left after applying nan_policy={nan_policy!r}",
            fix="use nan_policy='pairwise' or check that the items were answered",
        )
    s = g[:k, :k] + s_full
    a = g[:k, k:] + a_full[:, None]
    npair = g[k:, k:] + w_full
    counts = npair if w is None else c_unw + float(n_full)
    empty = np.diag(counts) == 0
    if empty.any():
        j = int(np.flatnonzero(empty)[0])
        raise EstimationError(
            "an item has no answers",
            column=cols[j],
            fix=f"drop the empty item (index {j}) before computing the statistic",
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        cross = s - a * a.T / npair
        if w is None:
            denom = counts - 1.0
        else:
            # sampling weights: weighted cross-products / (sum w) scaled by the
            # unweighted pair count's n/(n-1) small-sample factor
            denom = npair * (counts - 1.0) / counts
    if (counts < 2).any():
        i, j = np.argwhere(counts < 2)[0]
        raise EstimationError(
            f"items {int(i)} and {int(j)} are answered together by fewer than 2 respondents",
            fix="drop one of the items or use nan_policy='listwise' on a fuller sample",
        )
    cov = cross / denom
    cov = (cov + cov.T) / 2.0
    dn = np.diag(npair)
    mean = center + np.diag(a) / dn
    n_eff = float(n_kept) if w is None else wk_sum**2 / wk_sq
    weight_total = float(n_rows) if w is None else float(w.sum())
    if listwise:
        item_n = it_n
        item_w = it_n if w is None else it_w
        with np.errstate(invalid="ignore", divide="ignore"):
            item_mean = center + it_s1 / item_w
            item_var = (it_s2 - it_s1 * it_s1 / item_w) / item_w * item_n / (item_n - 1.0)
    else:
        item_n = np.diag(counts).copy()
        item_w = dn.copy()
        item_mean = mean
        item_var = np.diag(cov).copy()
    return Moments(
        cov=cov,
        mean=mean,
        n_pair=counts,
        n=int(n_kept),
        n_eff=float(n_eff),
        n_dropped=int(n_dropped),
        items=tuple(cols),
        nan_policy=nan_policy,
        weighted=w is not None,
        n_rows=int(n_rows),
        weight_total=weight_total,
        item_n=item_n,
        item_weight=item_w,
        item_mean=item_mean,
        item_var=item_var,
        any_missing=any_missing,
        minimum=float(lo) if extremes and np.isfinite(lo) else None,
        maximum=float(hi) if extremes and np.isfinite(hi) else None,
        n_floor=np.asarray(n_lo, dtype=np.float64) if extremes else None,
        n_ceiling=np.asarray(n_hi, dtype=np.float64) if extremes else None,
    )


def cov_to_cor(cov: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.diag(cov))
    if (d <= 0).any():
        raise EstimationError(
            "an item has no variance (every respondent gave the same answer)",
            fix="drop constant items before computing the statistic",
        )
    r = cov / np.outer(d, d)
    np.fill_diagonal(r, 1.0)
    return r


def frame_items(items: pd.DataFrame | np.ndarray) -> pd.DataFrame:
    """Return items as a DataFrame (numpy input gets columns item_1..item_k)."""
    import pandas as pd

    if isinstance(items, pd.DataFrame):
        return items
    x, cols = as_items(items, min_items=1, min_rows=1)
    return pd.DataFrame(x, columns=cols)
