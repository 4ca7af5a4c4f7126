"""Multiplier bootstrap on influence functions (R ``did::mboot``), as one matrix product.

Given the n x k influence-function matrix ``inf`` (scaled so that the estimator's
variance is ``mean(inf**2)/n``), units are summed within clusters (Callaway & Sant'Anna
2021, Remark 10), and each of ``n_boot`` draws multiplies the cluster sums by
independent Rademacher weights (+1/-1 with probability 1/2, as R ``BMisc::
multiplier_bootstrap`` draws). Standard errors are the interquartile range of the draws
divided by ``qnorm(.75) - qnorm(.25)``; the uniform critical value is the ``ci`` quantile
of the sup-t statistic ``max_j |draw_j / se_j|`` (both with R quantile type 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_IQR_Z = 1.3489795003921634  # qnorm(.75) - qnorm(.25)


@dataclass(frozen=True)
class Clusters:
    """Which cluster each unit belongs to (0..n_clusters-1)."""

    index: np.ndarray
    n_clusters: int

    def sums(self, inf: np.ndarray) -> np.ndarray:
        """Cluster sums of the rows of ``inf`` (n x k -> n_clusters x k)."""
        inf = np.asarray(inf, dtype=float)
        if inf.ndim == 1:
            inf = inf[:, None]
        if self.n_clusters == len(self.index):
            out = np.empty_like(inf)
            out[self.index] = inf
            return out
        out = np.zeros((self.n_clusters, inf.shape[1]))
        np.add.at(out, self.index, inf)
        return out


def multipliers(seed: int, n_boot: int, n_clusters: int) -> np.ndarray:
    """The n_boot x n_clusters Rademacher weights drawn from ``seed`` (reproducible),
    stored as 0/1 bytes: the weight is ``2 * bit - 1``. Kept as int8 (one byte per
    weight) so that 999 draws over many clusters stay small; :func:`bootstrap` converts
    them block by block."""
    rng = np.random.default_rng(seed)
    # eight fair bits per random byte: far faster than drawing each weight on its own
    raw = rng.integers(0, 256, size=(n_boot, (n_clusters + 7) // 8), dtype=np.uint8)
    return np.unpackbits(raw, axis=1, count=n_clusters).view(np.int8)


_DRAW_BLOCK = 256  # draws converted to float at a time: a block of weights stays in cache


def _draws(mult: np.ndarray, s: np.ndarray) -> np.ndarray:
    """``(2 * mult - 1) @ s`` for 0/1 ``mult`` (int8), computed as ``2 * (mult @ s) -
    colsum(s)`` over blocks of draws: no full float copy of the weights and no pass to
    turn bits into +-1."""
    out = np.empty((mult.shape[0], s.shape[1]))
    buf = np.empty((min(_DRAW_BLOCK, mult.shape[0]), mult.shape[1]))
    for lo in range(0, mult.shape[0], _DRAW_BLOCK):
        blk = mult[lo : lo + _DRAW_BLOCK]
        b = buf[: len(blk)]
        b[...] = blk
        out[lo : lo + len(blk)] = b @ s
    out *= 2.0
    out -= s.sum(axis=0)
    return out


def analytic_se(inf: np.ndarray, clusters: Clusters) -> np.ndarray:
    """Influence-function (cluster-robust) standard errors: ``sqrt(sum_c S_c^2) / n``."""
    n = len(clusters.index)
    s = clusters.sums(inf)
    return np.sqrt((s**2).sum(axis=0)) / n


def analytic_cov(inf: np.ndarray, clusters: Clusters) -> np.ndarray:
    """Covariance of the estimates from the influence functions: ``S'S / n^2``."""
    n = len(clusters.index)
    s = clusters.sums(inf)
    return s.T @ s / n**2


def bootstrap(
    inf: np.ndarray, clusters: Clusters, mult: np.ndarray, ci: float
) -> tuple[np.ndarray, float, np.ndarray]:
    """Bootstrap standard errors, the sup-t critical value and the draws.

    Returns ``(se, crit, draws)``; ``draws`` is n_boot x k on the estimate's scale (the
    bootstrap deviations ``theta* - theta``). Columns with no variation (e.g. the
    reference period under a universal base) get ``se = nan`` and are left out of the
    critical value, as in R ``did``.
    """
    n = len(clusters.index)
    s = clusters.sums(inf)
    draws = _draws(mult, s) / n  # theta*_b - theta: matrix products over blocks of draws
    ok = (draws**2).sum(axis=0) * n**2 / clusters.n_clusters > np.sqrt(np.finfo(float).eps) * 10
    se = np.full(s.shape[1], np.nan)
    if ok.any():
        q = np.quantile(draws[:, ok], [0.25, 0.75], axis=0, method="inverted_cdf")
        se[ok] = (q[1] - q[0]) / _IQR_Z
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.abs(draws[:, ok] / se[ok])
        tmax = np.max(t, axis=1)
        tmax = tmax[np.isfinite(tmax)]
        crit = float(np.quantile(tmax, ci, method="inverted_cdf")) if len(tmax) else np.nan
    else:
        crit = np.nan
    return se, crit, draws
