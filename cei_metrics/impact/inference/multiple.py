"""Adjusting p-values for multiple comparisons (many indicators, districts or groups)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from ...errors import EstimationError

__all__ = ["adjust_pvalues"]

_METHODS = {"holm": "holm", "bh": "fdr_bh", "bonferroni": "bonferroni", "by": "fdr_by"}


def adjust_pvalues(p, *, method: Literal["holm", "bh", "bonferroni", "by"] = "holm"):
    r"""Adjusted p-values for a family of tests, in the shape they came in.

    Holm (1979) step-down: :math:`\tilde p_{(i)} = \max_{j \le i} \min(1, (m-j+1) p_{(j)})`
    controls the family-wise error rate; Bonferroni: :math:`\min(1, m p_i)`;
    Benjamini-Hochberg (1995) "bh": :math:`\min_{j \ge i} \min(1, m p_{(j)}/j)` controls the
    false discovery rate; Benjamini-Yekutieli (2001) "by" multiplies BH by
    :math:`\sum_{k=1}^m 1/k` and holds under any dependence.

    Parameters
    ----------
    p : array-like, Series or one DataFrame column of p-values in [0, 1]. Missing values
        stay missing and are not counted in the family (as R ``p.adjust`` with ``n``
        left at its default).
    method : "holm" (default), "bh", "bonferroni" or "by".

    Returns
    -------
    Same type and shape as ``p`` (Series keep their index and name).

    References
    ----------
    Holm (1979) Scand. J. Statist. 6:65-70; Benjamini & Hochberg (1995) JRSS-B 57:289-300;
    Benjamini & Yekutieli (2001) Ann. Statist. 29:1165-1188. Wraps
    ``statsmodels.stats.multitest.multipletests``; agrees with R ``p.adjust``.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.02, 0.03, 0.04, 0.05], method="holm")
    array([0.05, 0.08, 0.09, 0.09, 0.09])
    """
    import pandas as pd
    from statsmodels.stats.multitest import multipletests

    if method not in _METHODS:
        raise EstimationError(f"unknown method {method!r}", fix=f"use one of {sorted(_METHODS)}")
    if isinstance(p, pd.DataFrame):
        raise EstimationError(
            "adjust_pvalues takes one column of p-values, not a whole DataFrame",
            fix='pass df["p_val"]',
        )
    arr = np.asarray(p, dtype=float)
    flat = arr.ravel()
    ok = ~np.isnan(flat)
    if np.any((flat[ok] < 0) | (flat[ok] > 1)):
        i = int(np.flatnonzero(ok & ((flat < 0) | (flat > 1)))[0])
        raise EstimationError(
            f"p-value {flat[i]!r} at position {i} is outside [0, 1]",
            row=i + 1,
            fix="pass p-values, not test statistics or percentages",
        )
    out = np.full_like(flat, np.nan)
    if ok.any():
        out[ok] = multipletests(flat[ok], method=_METHODS[method])[1]
    out = out.reshape(arr.shape)
    if isinstance(p, pd.Series):
        return pd.Series(out, index=p.index, name=p.name)
    if isinstance(p, list | tuple):
        return out
    return out
