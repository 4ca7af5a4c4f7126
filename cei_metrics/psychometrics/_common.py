"""Input checks and the covariance kernels shared by the metric-testing functions.

Everything here works on a respondents x items float matrix. Missing cells are NaN.
The pairwise-complete covariance is built from masked matrix products in row blocks
(no pandas loop over pairs), so it runs at BLAS speed with bounded memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from ..errors import CEIError, EstimationError, SchemaError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

NanPolicy = Literal["pairwise", "listwise", "raise"]
NAN_POLICIES = ("pairwise", "listwise", "raise")
_BLOCK_ROWS = 65_536


def check_nan_policy(nan_policy: str, allowed: tuple[str, ...] = NAN_POLICIES) -> str:
    if nan_policy not in allowed:
        raise CEIError(
            f"nan_policy={nan_policy!r} is not one this function knows",
            fix=f"use one of {list(allowed)}",
        )
    return nan_policy


def check_ci(ci: float) -> float:
    if not (isinstance(ci, (int, float)) and 0 < float(ci) < 1):
        raise CEIError(
            f"ci={ci!r} is not a confidence level", fix="give a number in (0, 1), e.g. 0.95"
        )
    return float(ci)


def as_items(
    items: object, *, min_items: int = 2, min_rows: int = 2, name: str = "items"
) -> tuple[np.ndarray, list[str]]:
    """A float64 matrix and the item names from a wide respondents x items frame.

    Raises :class:`SchemaError` for a non-numeric column or infinite value and
    :class:`EstimationError` when there are too few items or respondents.
    """
    import pandas as pd

    if isinstance(items, np.ndarray):
        if items.ndim != 2:
            raise SchemaError(
                f"{name} must be two-dimensional (respondents x items), got {items.ndim} dimension(s)",
                fix="pass a DataFrame with one row per respondent and one column per item",
            )
        items = pd.DataFrame(items, columns=[f"item_{j + 1}" for j in range(items.shape[1])])
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
        return _check_matrix(x, cols, min_items, min_rows, name)
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
    return _check_matrix(x, cols, min_items, min_rows, name)


def _check_matrix(
    x: np.ndarray, cols: list[str], min_items: int, min_rows: int, name: str
) -> tuple[np.ndarray, list[str]]:
    if np.isinf(x).any():
        r, c = np.argwhere(np.isinf(x))[0]
        raise SchemaError(
            "infinite value in an item",
            row=int(r) + 1,
            column=cols[c],
            fix="replace it with a valid response code or leave the cell missing",
        )
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


@dataclass(frozen=True)
class Moments:
    """Second moments of an item matrix under one missing-data rule."""

    cov: np.ndarray  # k x k covariance (pairwise-complete or listwise)
    mean: np.ndarray  # k item means (over each item's observed cells)
    n_pair: np.ndarray  # k x k number of respondents answering both items
    n: int  # respondents used (answering at least one item)
    n_eff: float  # Kish effective n ((sum w)^2 / sum w^2); equals n unweighted
    n_dropped: int  # respondents dropped by the rule


def moments(
    x: np.ndarray,
    *,
    nan_policy: str = "pairwise",
    weights: np.ndarray | None = None,
    block: int = _BLOCK_ROWS,
) -> Moments:
    r"""Pairwise-complete (or listwise) covariance from masked matrix products.

    With :math:`X_0` the item matrix centered at the observed column means with missing
    cells set to 0, :math:`M` the 0/1 answered mask and :math:`W` the weights,

    .. math:: n_{ij} = (M^\top W M)_{ij},\quad A = X_0^\top W M,\quad
              s_{ij} = \frac{(X_0^\top W X_0)_{ij} - A_{ij} A_{ji} / n_{ij}}{n_{ij} - 1}

    which is the covariance of items *i* and *j* over the respondents answering both,
    centered at that subset's means: R ``cov(x, use = "pairwise")``. Rows are processed in
    blocks so peak memory stays a small multiple of one block.
    """
    check_nan_policy(nan_policy)
    n_all, k = x.shape
    answered = ~np.isnan(x)
    any_row = answered.any(axis=1)
    full_row = answered.all(axis=1)
    has_missing = not bool(full_row.all())
    if has_missing and nan_policy == "raise":
        r, c = np.argwhere(~answered)[0]
        raise SchemaError(
            "missing value with nan_policy='raise'",
            row=int(r) + 1,
            column=None,
            fix=f"use nan_policy='pairwise' or 'listwise', or fill the cell (item index {int(c)})",
        )
    if nan_policy == "listwise" and has_missing:
        keep = full_row
    else:
        keep = any_row
    n_dropped = int(n_all - keep.sum())
    if not keep.all():
        x = x[keep]
        answered = answered[keep]
        if weights is not None:
            weights = weights[keep]
    n = x.shape[0]
    if n < 2:
        raise EstimationError(
            f"only {n} respondent(s) left after applying nan_policy={nan_policy!r}",
            fix="use nan_policy='pairwise' or check that the items were answered",
        )
    pairwise = nan_policy == "pairwise" and not bool(answered.all())
    # first pass: observed column means (for numerical centering only)
    s1 = np.zeros(k)
    c1 = np.zeros(k)
    for lo in range(0, n, block):
        xb = x[lo : lo + block]
        mb = answered[lo : lo + block]
        wb = None if weights is None else weights[lo : lo + block, None]
        xz = np.where(mb, xb, 0.0)
        if wb is None:
            s1 += xz.sum(axis=0)
            c1 += mb.sum(axis=0)
        else:
            s1 += (xz * wb).sum(axis=0)
            c1 += (mb * wb).sum(axis=0)
    if (c1 == 0).any():
        j = int(np.flatnonzero(c1 == 0)[0])
        raise EstimationError(
            "an item has no answers",
            column=None,
            fix=f"drop the empty item (index {j}) before computing the statistic",
        )
    center = s1 / c1
    sxx = np.zeros((k, k))
    if pairwise:
        a = np.zeros((k, k))
        npair = np.zeros((k, k))
    for lo in range(0, n, block):
        xb = x[lo : lo + block] - center
        mb = answered[lo : lo + block]
        if pairwise:
            np.copyto(xb, 0.0, where=~mb)
        wb = None if weights is None else weights[lo : lo + block, None]
        xw = xb if wb is None else xb * wb
        sxx += xw.T @ xb
        if pairwise:
            mf = mb.astype(np.float32)
            a += xw.T @ mf.astype(np.float64)
            if wb is None:
                npair += (mf.T @ mf).astype(np.float64)
            else:
                npair += (mf * wb).T.astype(np.float64) @ mf.astype(np.float64)
    if pairwise:
        with np.errstate(invalid="ignore", divide="ignore"):
            cross = sxx - a * a.T / npair
    else:
        tot = float(n) if weights is None else float(weights.sum())
        colsum = (
            (x - center).sum(axis=0)
            if weights is None
            else ((x - center) * weights[:, None]).sum(axis=0)
        )
        cross = sxx - np.outer(colsum, colsum) / tot
        npair = np.full((k, k), tot)
    if weights is None:
        counts = npair
        denom = counts - 1.0
    else:
        # sampling weights: weighted cross-products / (sum w) scaled by the unweighted
        # pair count's n/(n-1) small-sample factor
        mf = answered.astype(np.float64)
        counts = mf.T @ mf if pairwise else np.full((k, k), float(n))
        denom = npair * (counts - 1.0) / counts
    if (counts < 2).any():
        i, j = np.argwhere(counts < 2)[0]
        raise EstimationError(
            f"items {int(i)} and {int(j)} are answered together by fewer than 2 respondents",
            fix="drop one of the items or use nan_policy='listwise' on a fuller sample",
        )
    cov = cross / denom
    cov = (cov + cov.T) / 2.0
    mean = center
    if weights is None:
        n_eff = float(n)
    else:
        n_eff = float(weights.sum() ** 2 / (weights**2).sum())
    return Moments(cov=cov, mean=mean, n_pair=counts, n=n, n_eff=n_eff, n_dropped=n_dropped)


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
