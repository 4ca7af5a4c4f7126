r"""Inter-coder agreement: Cohen's kappa (two coders), Fleiss' kappa (many coders, the
same number per unit) and Krippendorff's alpha (any number of coders, missing values,
four levels of measurement).

Every function returns an :class:`AgreementResult` with ``estimate``, an interval
(``ci_low``, ``ci_high``, ``ci_level``), ``n`` (units used) and ``n_dropped``; the
interval method is stated in ``method``.

=====================  =========================================  ==================================
statistic              interval                                   agrees with
=====================  =========================================  ==================================
Cohen's kappa          Wald, Fleiss-Cohen-Everitt (1969) SE       statsmodels ``cohens_kappa``,
                                                                  R ``psych::cohen.kappa``
Fleiss' kappa          Wald, SE under kappa = 0 (Fleiss, Nee &    statsmodels ``fleiss_kappa``
                       Landis 1979; Fleiss, Levin & Paik 2003),
                       or a unit bootstrap
Krippendorff's alpha   unit-level percentile bootstrap            ``krippendorff.alpha``;
                                                                  Krippendorff (2011) example
=====================  =========================================  ==================================
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np

from .._api import estimator
from .._results import ResultMixin, tidy
from ..errors import EstimationError, SchemaError
from . import _cols as T

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "AgreementResult",
    "CodeAgreementResult",
    "agreement_by_code",
    "cohens_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
]

Level = Literal["nominal", "ordinal", "interval", "ratio"]
KappaWeights = Literal["linear", "quadratic"] | None

_NAMES = {
    "cohens_kappa": "Cohen's kappa",
    "weighted_kappa": "Cohen's weighted kappa",
    "fleiss_kappa": "Fleiss' kappa",
    "krippendorff_alpha": "Krippendorff's alpha",
}


@dataclass(frozen=True, eq=False, repr=False)
class AgreementResult(ResultMixin):
    """One agreement coefficient with its interval (the tuple ``ci`` of the previous
    release is read as ``(ci_low, ci_high)`` with a warning).

    Attributes
    ----------
    statistic : "cohens_kappa", "weighted_kappa", "fleiss_kappa" or "krippendorff_alpha".
    estimate : the coefficient (1 = perfect agreement, 0 = chance agreement).
    std_error : standard error (analytic, or the bootstrap standard deviation).
    ci_low, ci_high, ci_level : the interval and its level.
    p_val : two-sided p-value of the test that the coefficient is 0 (kappas; NaN for
        alpha, whose bootstrap tests nothing).
    n : units (subjects, segments) used.
    n_dropped : units left out (missing ratings; for alpha, units with fewer than two
        values, which are not pairable).
    n_raters : coders (columns) in the data.
    n_categories : distinct values used.
    observed, expected : observed and chance agreement (kappas: proportions of agreement;
        alpha: observed and expected disagreement :math:`D_o, D_e`).
    method : how the interval was computed, in words.
    weights : kappa weights ("linear", "quadratic"), or the level of measurement of alpha.
    seed, n_boot : the bootstrap's seed and number of draws (None when analytic).
    draws : the bootstrap estimates (empty when analytic).
    notes : anything else worth saying.
    """

    statistic: str
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    ci_level: float
    p_val: float
    n: int
    n_dropped: int
    n_raters: int
    n_categories: int
    observed: float
    expected: float
    method: str
    weights: str | None = None
    seed: int | None = None
    n_boot: int | None = None
    draws: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    notes: tuple[str, ...] = ()

    _aliases: ClassVar = {"ci": (T.CI_LOW, T.CI_HIGH)}

    def prob_below(self, threshold: float = 0.8) -> float:
        """Share of bootstrap draws below ``threshold``: Hayes & Krippendorff's (2007)
        :math:`q` for the smallest acceptable alpha (0.8 for firm conclusions, 0.667 for
        tentative ones; Krippendorff 2004, 241). NaN without a bootstrap."""
        if self.draws.size == 0:
            return float("nan")
        return float(np.mean(self.draws < threshold))

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            {
                T.TERM: [self.statistic],
                T.ESTIMATE: [self.estimate],
                T.STD_ERROR: [self.std_error],
                T.CI_LOW: [self.ci_low],
                T.CI_HIGH: [self.ci_high],
                T.P_VAL: [self.p_val],
                T.N: [self.n],
                T.N_RATERS: [self.n_raters],
                T.N_CATEGORIES: [self.n_categories],
                T.OBSERVED: [self.observed],
                T.EXPECTED: [self.expected],
                T.METHOD: [self.method],
            }
        )

    def summary(self) -> str:
        name = _NAMES.get(self.statistic, self.statistic)
        if self.weights:
            name += f" ({self.weights})"
        lines = [
            f"{name} = {self.estimate:.4f}, {self.ci_level:.0%} CI [{self.ci_low:.4f}, "
            f"{self.ci_high:.4f}]",
            f"Units: {self.n} used, {self.n_dropped} dropped; coders: {self.n_raters}; "
            f"categories: {self.n_categories}",
            f"Interval: {self.method}",
        ]
        if np.isfinite(self.p_val):
            lines.append(f"Test of no agreement beyond chance: p = {self.p_val:.4g}")
        lines.extend(self.notes)
        return "\n".join(lines)


# --- helpers ---------------------------------------------------------------------------


def _z(ci: float) -> float:
    from scipy.stats import norm

    if not 0 < ci < 1:
        raise SchemaError(
            f"ci={ci!r} is not a confidence level", fix="pass ci in (0, 1), e.g. 0.95"
        )
    return float(norm.ppf(0.5 + ci / 2))


def _is_missing(values: np.ndarray) -> np.ndarray:
    import pandas as pd

    return np.asarray(pd.isna(pd.Series(values, dtype=object)).to_numpy(), dtype=bool)


def _category_codes(
    columns: Sequence[np.ndarray], categories: Sequence[object] | None, *, need_order: bool
) -> tuple[list[np.ndarray], list[object]]:
    """Integer codes (-1 = missing) of every column on one shared, ordered category set."""
    import pandas as pd

    stacked = np.concatenate([np.asarray(c, dtype=object) for c in columns])
    present = stacked[~_is_missing(stacked)]
    if categories is None:
        uniq = list(pd.unique(pd.Series(present, dtype=object)))
        numeric = all(
            isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
            for v in uniq
        )
        if need_order and not numeric:
            raise EstimationError(
                f"weighted kappa needs ordered categories, but the ratings are labels ({uniq[:4]})",
                fix="pass categories=[...] in their order (e.g. ['low', 'medium', 'high']), "
                "or code the ratings as numbers",
            )
        cats = sorted(uniq) if numeric else sorted(uniq, key=str)
    else:
        cats = list(categories)
        if len(set(cats)) != len(cats):
            raise SchemaError(
                "categories= lists a value twice", fix="list each category once, in order"
            )
        unknown = sorted({v for v in present if v not in set(cats)}, key=str)
        if unknown:
            raise SchemaError(
                f"rating {unknown[0]!r} is not among categories={cats}",
                fix="add it to categories=, or correct the rating",
            )
    where = {v: i for i, v in enumerate(cats)}
    out = []
    for c in columns:
        arr = np.asarray(c, dtype=object)
        miss = _is_missing(arr)
        codes = np.full(len(arr), -1, dtype=np.int64)
        codes[~miss] = [where[v] for v in arr[~miss]]
        out.append(codes)
    return out, cats


def _as_matrix(ratings: object, what: str) -> tuple[np.ndarray, list[str]]:
    """A units x coders object array from a DataFrame, array or list of rows."""
    import pandas as pd

    if isinstance(ratings, pd.DataFrame):
        return ratings.to_numpy(dtype=object), [str(c) for c in ratings.columns]
    arr = np.asarray(ratings, dtype=object)
    if arr.ndim != 2:
        raise SchemaError(
            f"{what} needs a table with one row per unit and one column per coder; got "
            f"{arr.ndim} dimension(s)",
            fix="pass a DataFrame (rows = units, columns = coders)",
        )
    return arr, [f"coder_{j + 1}" for j in range(arr.shape[1])]


# --- Cohen's kappa --------------------------------------------------------------------


@estimator(data=("a", "b"))
def cohens_kappa(
    a: Sequence[object],
    b: Sequence[object],
    *,
    weights: KappaWeights = None,
    categories: Sequence[object] | None = None,
    ci: float = 0.95,
) -> AgreementResult:
    r"""Cohen's kappa for two coders, unweighted or weighted.

    .. math::
        \kappa = \frac{p_o - p_e}{1 - p_e}, \qquad
        \kappa_w = 1 - \frac{\sum_{ij} v_{ij} p_{ij}}{\sum_{ij} v_{ij} p_{i\cdot} p_{\cdot j}}

    with :math:`p_{ij}` the share of units coded :math:`i` by coder A and :math:`j` by
    coder B, and disagreement weights :math:`v_{ij} = |i-j|/(k-1)` (linear) or
    :math:`(i-j)^2/(k-1)^2` (quadratic) over the :math:`k` ordered categories (equal
    spacing, as R ``psych`` and ``irr``).

    The interval is Wald, :math:`\kappa \pm z\,\mathrm{SE}`, with the large-sample
    standard error of Fleiss, Cohen & Everitt (1969) (the "ASE" of SAS ``PROC FREQ``);
    the p-value tests :math:`\kappa = 0` with the standard error under that hypothesis.

    Parameters
    ----------
    a, b : the two coders' codes for the same units, in the same order. A unit missing
        either code is dropped (``n_dropped``).
    weights : None (unweighted), "linear" or "quadratic".
    categories : the full ordered category set (needed for weights when the codes are
        labels, and to keep unused scale points in the weights' spacing).
    ci : confidence level.

    Returns
    -------
    AgreementResult (statistic "cohens_kappa", or "weighted_kappa" with weights).

    References
    ----------
    Cohen (1960) Educ Psychol Meas 20:37-46; Cohen (1968) Psychol Bull 70:213-220;
    Fleiss, Cohen & Everitt (1969) Psychol Bull 72:323-327. Computed by
    ``statsmodels.stats.inter_rater.cohens_kappa``; agrees with R
    ``psych::cohen.kappa`` (kappa, variance and bounds) and with the SAS example that
    statsmodels tests against.

    Examples
    --------
    >>> res = cohens_kappa([1, 2, 2, 3, 1, 2], [1, 2, 3, 3, 1, 1])
    >>> round(res.estimate, 2)
    0.52
    """
    from scipy.stats import norm
    from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa

    if weights not in (None, "linear", "quadratic"):
        raise SchemaError(
            f"weights={weights!r} is not a kappa weighting",
            fix='pass weights=None, "linear" or "quadratic"',
        )
    av = np.asarray(list(a) if not hasattr(a, "__array__") else a, dtype=object).ravel()
    bv = np.asarray(list(b) if not hasattr(b, "__array__") else b, dtype=object).ravel()
    if len(av) != len(bv):
        raise SchemaError(
            f"the two coders have {len(av)} and {len(bv)} codes",
            fix="pass the two coders' codes for the same units, one per unit, in the same order",
        )
    (ca, cb), cats = _category_codes([av, bv], categories, need_order=weights is not None)
    ok = (ca >= 0) & (cb >= 0)
    n = int(ok.sum())
    n_dropped = len(av) - n
    k = len(cats)
    if n < 2:
        raise EstimationError(
            f"Cohen's kappa needs at least two units coded by both coders; there are {n}",
            fix="check that the two columns hold the same units",
        )
    if k < 2:
        raise EstimationError(
            f"both coders used the single category {cats[0]!r}: kappa is undefined "
            "(no variation to agree on)",
            fix="report the percent agreement instead, or code more varied units",
        )
    table = np.bincount(ca[ok] * k + cb[ok], minlength=k * k).reshape(k, k).astype(float)
    p = table / n
    pe = float(p.sum(axis=1) @ p.sum(axis=0))
    if weights is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            res = sm_kappa(table)
        statistic = "cohens_kappa"
        observed = float(np.trace(p))
        expected = pe
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            res = sm_kappa(table, weights=np.arange(k, dtype=float), wt=weights)
        statistic = "weighted_kappa"
        v = res.weights  # disagreement weights, 0 on the diagonal, 1 at the extremes
        observed = 1.0 - float((v * p).sum())
        expected = 1.0 - float((v * np.outer(p.sum(axis=1), p.sum(axis=0))).sum())
    if not np.isfinite(res.kappa) or np.isclose(expected, 1.0):
        raise EstimationError(
            "chance agreement is 1 (each coder used one category throughout): kappa is undefined",
            fix="report the percent agreement instead",
        )
    kappa = float(res.kappa)
    var = float(res.var_kappa)
    var = 0.0 if abs(var) < 1e-12 else var  # rounding around an exact 0 (one coder constant)
    se = float(np.sqrt(var)) if var >= 0 else float("nan")
    se0 = float(np.sqrt(res.var_kappa0)) if res.var_kappa0 > 0 else float("nan")
    z = _z(ci)
    p_val = float(2 * norm.sf(abs(kappa / se0))) if np.isfinite(se0) and se0 > 0 else float("nan")
    lo, hi = kappa - z * se, kappa + z * se
    notes: tuple[str, ...] = ()
    if lo < -1 or hi > 1:  # as psych::cohen.kappa: bounds beyond +-1 are set to +-1
        lo, hi = max(lo, -1.0), min(hi, 1.0)
        notes = ("the Wald bounds passed +-1 and were set to +-1 (as R psych does)",)
    return AgreementResult(
        statistic=statistic,
        estimate=kappa,
        std_error=se,
        ci_low=lo,
        ci_high=hi,
        ci_level=ci,
        p_val=p_val,
        n=n,
        n_dropped=n_dropped,
        n_raters=2,
        n_categories=k,
        observed=observed,
        expected=expected,
        method="Wald interval, Fleiss-Cohen-Everitt (1969) asymptotic standard error; "
        "p-value from the standard error under kappa = 0",
        weights=weights,
        notes=notes,
    )


# --- Fleiss' kappa --------------------------------------------------------------------


def _fleiss_from_counts(counts: np.ndarray) -> tuple[float, float, float, float]:
    """Fleiss' kappa, its null standard error, P-bar and P-bar_e of a units x categories
    count table with the same number of ratings per unit."""
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    n_units, _ = counts.shape
    m = counts[0].sum()
    pj = counts.sum(axis=0) / (n_units * m)
    qj = 1 - pj
    p_bar = float(((counts * (counts - 1)).sum(axis=1) / (m * (m - 1))).mean())
    pe = float((pj * pj).sum())
    kappa = float(sm_fleiss(counts, method="fleiss"))
    s = float((pj * qj).sum())
    var0 = 2.0 / (s * s * n_units * m * (m - 1)) * (s * s - float((pj * qj * (qj - pj)).sum()))
    return kappa, float(np.sqrt(var0)) if var0 > 0 else float("nan"), p_bar, pe


@estimator()
def fleiss_kappa(
    ratings: pd.DataFrame | np.ndarray,
    *,
    counts: bool = False,
    ci: float = 0.95,
    ci_method: Literal["null_se", "bootstrap"] = "null_se",
    n_boot: int = 2000,
    seed: int | None = None,
) -> AgreementResult:
    r"""Fleiss' kappa: agreement of a fixed number :math:`m` of ratings per unit (the
    coders need not be the same people for every unit).

    .. math::
        \kappa = \frac{\bar P - \bar P_e}{1 - \bar P_e}, \quad
        \bar P = \frac{1}{N}\sum_i \frac{\sum_j n_{ij}(n_{ij}-1)}{m(m-1)}, \quad
        \bar P_e = \sum_j p_j^2

    with :math:`n_{ij}` the ratings of unit :math:`i` in category :math:`j` and
    :math:`p_j` the share of all ratings in category :math:`j`.

    Interval, ``ci_method="null_se"`` (default): Wald with the large-sample standard
    error **under the hypothesis** :math:`\kappa = 0` (Fleiss, Nee & Landis 1979;
    Fleiss, Levin & Paik 2003, eq. 18.17; as R ``irr::kappam.fleiss``):

    .. math::
        \mathrm{SE}_0 = \frac{\sqrt 2}{\sum_j p_j q_j \sqrt{N m (m-1)}}
            \sqrt{\Big(\sum_j p_j q_j\Big)^2 - \sum_j p_j q_j (q_j - p_j)}

    It is exact for the test (``p_val``) and only approximate for an interval away from
    0. ``ci_method="bootstrap"``: percentile interval over ``n_boot`` resamples of units
    (``seed``), the standard error their standard deviation.

    Parameters
    ----------
    ratings : one row per unit, one column per rating (coder); a unit with any missing
        rating is dropped (listwise, as ``irr``). With ``counts=True``: one row per
        unit, one column per category, the number of ratings in it.
    counts : whether ``ratings`` is already a units x categories count table.
    ci, ci_method, n_boot, seed : the interval.

    References
    ----------
    Fleiss (1971) Psychol Bull 76:378-382; Fleiss, Nee & Landis (1979) Psychol Bull
    86:974-977; Fleiss, Levin & Paik (2003) *Statistical Methods for Rates and
    Proportions*, 3rd ed., ch. 18. Kappa computed by
    ``statsmodels.stats.inter_rater.fleiss_kappa``; Fleiss' (1971) psychiatric
    diagnoses (30 patients x 6 ratings) give 0.430.

    Examples
    --------
    >>> fleiss_kappa([[1, 1, 2], [2, 2, 2], [1, 1, 1], [1, 2, 2]]).estimate  # doctest: +SKIP
    """
    from scipy.stats import norm
    from statsmodels.stats.inter_rater import aggregate_raters

    if ci_method not in ("null_se", "bootstrap"):
        raise SchemaError(
            f"ci_method={ci_method!r} is not known", fix='pass "null_se" or "bootstrap"'
        )
    z = _z(ci)
    if counts:
        import pandas as pd

        tab = (
            ratings.to_numpy(dtype=float)
            if isinstance(ratings, pd.DataFrame)
            else np.asarray(ratings, dtype=float)
        )
        if tab.ndim != 2 or not np.isfinite(tab).all() or (tab < 0).any():
            raise SchemaError(
                "a count table needs one row per unit and non-negative counts in every cell",
                fix="pass counts=False with one column per coder, or fill the table",
            )
        m_i = tab.sum(axis=1)
        n_raters = int(m_i[0]) if len(m_i) else 0
        n_dropped = 0
    else:
        mat, _ = _as_matrix(ratings, "Fleiss' kappa")
        miss = _is_missing(mat.ravel()).reshape(mat.shape)
        complete = ~miss.any(axis=1)
        n_dropped = int((~complete).sum())
        mat = mat[complete]
        n_raters = mat.shape[1]
        codes, _ = _category_codes([mat[:, j] for j in range(n_raters)], None, need_order=False)
        tab = (
            aggregate_raters(np.column_stack(codes))[0].astype(float)
            if len(mat)
            else np.empty((0, 0))
        )
        m_i = tab.sum(axis=1)
    n = len(tab)
    if n < 2 or n_raters < 2:
        raise EstimationError(
            f"Fleiss' kappa needs at least two units and two ratings per unit; there are "
            f"{n} complete units with {n_raters} ratings",
            fix="check the table: one row per unit, one column per coder",
        )
    if not np.allclose(m_i, m_i[0]):
        i = int(np.flatnonzero(~np.isclose(m_i, m_i[0]))[0])
        raise EstimationError(
            f"unit {i + 1} has {m_i[i]:g} ratings but unit 1 has {m_i[0]:g}: Fleiss' kappa "
            "needs the same number of ratings for every unit",
            row=i + 1,
            fix="use krippendorff_alpha(), which allows missing ratings",
        )
    tab = tab[:, tab.sum(axis=0) > 0]
    k = tab.shape[1]
    if k < 2:
        raise EstimationError(
            "every rating is in one category: kappa is undefined",
            fix="report the percent agreement instead",
        )
    kappa, se0, p_bar, pe = _fleiss_from_counts(tab)
    p_val = float(2 * norm.sf(abs(kappa / se0))) if np.isfinite(se0) else float("nan")
    draws = np.empty(0)
    notes: tuple[str, ...] = ()
    if ci_method == "null_se":
        se, lo, hi = se0, kappa - z * se0, kappa + z * se0
        method = (
            "Wald interval with the standard error under kappa = 0 (Fleiss, Nee & Landis "
            "1979; Fleiss, Levin & Paik 2003); exact for the test, approximate for the interval"
        )
        seed_used, nb = None, None
    else:
        rng = np.random.default_rng(seed)
        w = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(float)
        m = tab[0].sum()
        per_unit = (tab * (tab - 1)).sum(axis=1) / (m * (m - 1))
        pb = (w @ per_unit) / n
        pj = (w @ tab) / (n * m)
        pe_b = (pj * pj).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            draws = (pb - pe_b) / (1 - pe_b)
        good = np.isfinite(draws)
        if (~good).any():
            notes = (
                f"{int((~good).sum())} bootstrap draws had a single category and were left out",
            )
        draws = draws[good]
        lo, hi = (float(x) for x in np.quantile(draws, [(1 - ci) / 2, (1 + ci) / 2]))
        se = float(draws.std(ddof=1))
        method = f"percentile bootstrap over units, {n_boot} draws (seed {seed})"
        seed_used, nb = seed, n_boot
    return AgreementResult(
        statistic="fleiss_kappa",
        estimate=kappa,
        std_error=se,
        ci_low=lo,
        ci_high=hi,
        ci_level=ci,
        p_val=p_val,
        n=n,
        n_dropped=n_dropped,
        n_raters=n_raters,
        n_categories=k,
        observed=p_bar,
        expected=pe,
        method=method,
        seed=seed_used,
        n_boot=nb,
        draws=draws,
        notes=notes,
    )


# --- Krippendorff's alpha -------------------------------------------------------------


def _value_counts(
    mat: np.ndarray, level: Level, categories: Sequence[object] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Units x values count table and the value domain (numbers for distance metrics)."""
    flat = mat.ravel()
    miss = _is_missing(flat)
    if level == "nominal" or (level == "ordinal" and categories is not None):
        cols = [mat[:, j] for j in range(mat.shape[1])]
        codes, cats = _category_codes(cols, categories, need_order=False)
        code_mat = np.column_stack(codes)
        domain = np.arange(len(cats), dtype=float)
    else:
        try:
            vals = np.full(flat.shape, np.nan)
            vals[~miss] = np.asarray(flat[~miss], dtype=float)
        except (TypeError, ValueError):
            raise SchemaError(
                f"level={level!r} needs numeric ratings, but some are labels",
                fix='code the ratings as numbers, pass categories=[...] in order for "ordinal", '
                'or use level="nominal"',
            ) from None
        domain = np.unique(vals[np.isfinite(vals)])
        if level == "ratio" and (domain < 0).any():
            raise SchemaError(
                "the ratio metric needs non-negative values", fix='use level="interval"'
            )
        code_mat = np.full(flat.shape, -1, dtype=np.int64)
        fin = np.isfinite(vals)
        code_mat[fin] = np.searchsorted(domain, vals[fin])
        code_mat = code_mat.reshape(mat.shape)
    k = len(domain)
    counts = np.zeros((mat.shape[0], k), dtype=float)
    rows = np.repeat(np.arange(mat.shape[0]), mat.shape[1])
    c = code_mat.ravel()
    ok = c >= 0
    np.add.at(counts, (rows[ok], c[ok]), 1.0)
    return counts, domain


def _coincidences(counts: np.ndarray) -> np.ndarray:
    """Per-unit coincidence matrices :math:`o_{u,ck} = n_{uc}(n_{uk} - [c=k])/(m_u - 1)`
    of pairable units, stacked units x k x k."""
    m = counts.sum(axis=1)
    outer = counts[:, :, None] * counts[:, None, :]
    idx = np.arange(counts.shape[1])
    outer[:, idx, idx] -= counts
    return outer / (m - 1)[:, None, None]


def _alpha_from_coincidences(
    o: np.ndarray, domain: np.ndarray, level: Level
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Alpha, :math:`D_o` and :math:`D_e` from one or many (leading axis) coincidence
    matrices: :math:`\alpha = 1 - (n-1)\sum o_{ck}\delta_{ck} / \sum n_c n_k \delta_{ck}`."""
    o = np.asarray(o, dtype=float)
    single = o.ndim == 2
    if single:
        o = o[None]
    nc = o.sum(axis=2)  # B x k
    n = nc.sum(axis=1)  # B
    k = len(domain)
    if level == "nominal":
        delta = np.broadcast_to(1.0 - np.eye(k), (o.shape[0], k, k))
    elif level == "interval":
        delta = np.broadcast_to((domain[:, None] - domain[None, :]) ** 2, (o.shape[0], k, k))
    elif level == "ratio":
        s = domain[:, None] + domain[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.where(s > 0, ((domain[:, None] - domain[None, :]) / s) ** 2, 0.0)
        delta = np.broadcast_to(d, (o.shape[0], k, k))
    else:  # ordinal: depends on the marginal frequencies of each draw
        cum = np.cumsum(nc, axis=1)
        lo = np.minimum(np.arange(k)[:, None], np.arange(k)[None, :])
        hi = np.maximum(np.arange(k)[:, None], np.arange(k)[None, :])
        between = cum[:, hi] - np.where(lo > 0, cum[:, np.maximum(lo - 1, 0)], 0.0)
        delta = (between - (nc[:, :, None] + nc[:, None, :]) / 2) ** 2
    d_o = (o * delta).sum(axis=(1, 2)) / n
    d_e = (nc[:, :, None] * nc[:, None, :] * delta).sum(axis=(1, 2)) / (n * (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - d_o / d_e
    if single:
        return alpha[:1], d_o[:1], d_e[:1]
    return alpha, d_o, d_e


@estimator()
def krippendorff_alpha(
    ratings: pd.DataFrame | np.ndarray,
    *,
    level: Level = "nominal",
    categories: Sequence[object] | None = None,
    ci: float = 0.95,
    n_boot: int = 2000,
    seed: int | None = None,
) -> AgreementResult:
    r"""Krippendorff's alpha for any number of coders, with missing values.

    .. math::
        \alpha = 1 - \frac{D_o}{D_e} = 1 - (n - 1)
            \frac{\sum_{c,k} o_{ck}\,\delta^2_{ck}}{\sum_{c,k} n_c n_k\,\delta^2_{ck}}

    where :math:`o_{ck} = \sum_u n_{uc}(n_{uk} - [c = k])/(m_u - 1)` is the coincidence
    matrix over pairable units (those with :math:`m_u \ge 2` values),
    :math:`n_c = \sum_k o_{ck}`, :math:`n = \sum_c n_c`, and :math:`\delta^2` the
    level's difference function: nominal :math:`[c \ne k]`; ordinal
    :math:`(\sum_{g=c}^{k} n_g - (n_c + n_k)/2)^2`; interval :math:`(c - k)^2`; ratio
    :math:`((c - k)/(c + k))^2` (Krippendorff 2011).

    The interval is a **unit-level percentile bootstrap**: units are resampled with
    replacement ``n_boot`` times (``seed``), alpha recomputed on each resample from the
    summed per-unit coincidences (the ordinal metric with each resample's own
    frequencies), and the :math:`(1 \pm \text{ci})/2` quantiles taken. This differs
    from Hayes & Krippendorff's (2007) KALPHA macro, which resamples pairs of values;
    resampling units keeps the dependence of values within a unit.
    :meth:`AgreementResult.prob_below` gives the share of draws under a threshold.

    Parameters
    ----------
    ratings : one row per unit, one column per coder; missing values (NaN, None) are
        allowed. (Krippendorff's paper and the ``krippendorff`` package put coders in
        rows: pass the transpose of such a table.)
    level : "nominal", "ordinal", "interval" or "ratio".
    categories : ordered labels for "ordinal" when the ratings are text; also fixes
        the category set for "nominal".
    ci, n_boot, seed : the bootstrap interval.

    Returns
    -------
    AgreementResult (statistic "krippendorff_alpha"); ``n`` counts pairable units,
    ``n_dropped`` units with fewer than two values, ``observed``/``expected`` are
    :math:`D_o`/:math:`D_e`.

    References
    ----------
    Krippendorff (2011) *Computing Krippendorff's Alpha-Reliability*, Annenberg School
    for Communication; Hayes & Krippendorff (2007) Commun Methods Meas 1:77-89. Point
    estimate by the ``krippendorff`` package (``krippendorff.alpha`` on the value
    counts); Krippendorff's (2011) 4 observers x 12 units example gives 0.743
    (nominal), 0.815 (ordinal), 0.849 (interval), 0.797 (ratio).

    Examples
    --------
    >>> res = krippendorff_alpha(reliability_table.T, level="nominal", seed=1)  # doctest: +SKIP
    >>> round(res.estimate, 3)  # doctest: +SKIP
    0.743
    """
    import krippendorff

    if level not in ("nominal", "ordinal", "interval", "ratio"):
        raise SchemaError(
            f"level={level!r} is not a level of measurement",
            fix='pass "nominal", "ordinal", "interval" or "ratio"',
        )
    z_check = _z(ci)  # validates ci
    del z_check
    mat, _ = _as_matrix(ratings, "Krippendorff's alpha")
    counts, domain = _value_counts(mat, level, categories)
    m = counts.sum(axis=1)
    pairable = m >= 2
    n_dropped = int((~pairable).sum())
    counts = counts[pairable]
    n = len(counts)
    used = counts.sum(axis=0) > 0
    if n < 2 or int(used.sum()) < 2:
        raise EstimationError(
            f"Krippendorff's alpha needs at least two pairable units (two or more values) "
            f"and two distinct values; there are {n} units and {int(used.sum())} value(s)",
            fix="check the table: one row per unit, one column per coder",
        )
    counts, domain = counts[:, used], domain[used]
    estimate = float(
        krippendorff.alpha(value_counts=counts, value_domain=domain, level_of_measurement=level)
    )
    per_unit = _coincidences(counts)
    _, d_o, d_e = _alpha_from_coincidences(per_unit.sum(axis=0), domain, level)
    rng = np.random.default_rng(seed)
    draws = np.empty(0)
    k = counts.shape[1]
    flat = per_unit.reshape(n, k * k)
    chunk = max(1, int(2_000_000 // max(n * k * k, 1)))
    parts = []
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        w = rng.multinomial(n, np.full(n, 1.0 / n), size=b).astype(float)
        o = (w @ flat).reshape(b, k, k)
        parts.append(_alpha_from_coincidences(o, domain, level)[0])
    draws = np.concatenate(parts) if parts else np.empty(0)
    good = np.isfinite(draws)
    notes: tuple[str, ...] = ()
    if (~good).any():
        notes = (
            f"{int((~good).sum())} bootstrap draws had no variation (alpha undefined) and "
            "were left out",
        )
    draws = draws[good]
    if draws.size:
        lo, hi = (float(x) for x in np.quantile(draws, [(1 - ci) / 2, (1 + ci) / 2]))
        se = float(draws.std(ddof=1)) if draws.size > 1 else float("nan")
    else:
        lo = hi = se = float("nan")
    return AgreementResult(
        statistic="krippendorff_alpha",
        estimate=estimate,
        std_error=se,
        ci_low=lo,
        ci_high=hi,
        ci_level=ci,
        p_val=float("nan"),
        n=n,
        n_dropped=n_dropped,
        n_raters=mat.shape[1],
        n_categories=int(k),
        observed=float(d_o[0]),
        expected=float(d_e[0]),
        method=f"percentile bootstrap over units, {n_boot} draws (seed {seed})",
        weights=level,
        seed=seed,
        n_boot=n_boot,
        draws=draws,
        notes=notes,
    )


# --- per code of a coding table -----------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class CodeAgreementResult(ResultMixin):
    """Agreement on each code of a coding table (presence vs absence per unit).

    Attributes
    ----------
    table : one row per code: ``code``, ``estimate`` (Krippendorff's alpha, nominal),
        ``ci_low``, ``ci_high``, ``n`` (units), ``n_present`` (units where any coder
        applied the code), ``percent_agreement`` (units where all coders agreed), and,
        with exactly two coders, ``kappa`` with ``kappa_ci_low``/``kappa_ci_high``.
    coders : the coders compared.
    unit : the unit column.
    ci_level, n_boot, seed : the intervals.
    results : code -> AgreementResult (alpha).
    n : units compared (every code is judged on the same units).
    notes : anything else worth saying.
    """

    table: pd.DataFrame = field(repr=False)
    coders: tuple[str, ...]
    unit: str
    ci_level: float
    n_boot: int
    seed: int | None
    results: dict[str, AgreementResult] = field(default_factory=dict, repr=False)
    n: int | None = None
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The table with ``term`` (the code) first, then the protocol columns, then
        ``code`` and the rest."""
        return tidy(self.table, term=T.CODE)

    def summary(self) -> str:
        t = self.table
        lines = [
            f"Agreement per code: {len(t)} codes, {len(self.coders)} coders "
            f"({', '.join(self.coders)}), units = {self.unit}",
            "Krippendorff's alpha (nominal, presence/absence), unit bootstrap "
            f"{self.ci_level:.0%} intervals ({self.n_boot} draws, seed {self.seed}); "
            "alpha >= 0.8 supports conclusions, 0.667-0.8 tentative ones (Krippendorff 2004)",
        ]
        for _, r in t.iterrows():
            lines.append(
                f"  {r[T.CODE]}: alpha {r[T.ESTIMATE]:.3f} [{r[T.CI_LOW]:.3f}, {r[T.CI_HIGH]:.3f}], "
                f"applied in {int(r[T.N_PRESENT])} of {int(r[T.N])} units"
            )
        return "\n".join(lines)


@estimator()
def agreement_by_code(
    coding: pd.DataFrame,
    *,
    unit: str = T.SEGMENT_ID,
    codes: Sequence[str] | None = None,
    units: Sequence[object] | None = None,
    absent: Literal["no_code", "missing"] = "no_code",
    ci: float = 0.95,
    n_boot: int = 2000,
    seed: int | None = None,
) -> CodeAgreementResult:
    r"""Inter-coder agreement on every code of a coding table.

    For each code, every unit is 1 for a coder who applied the code and 0 for one who
    did not (:func:`~cei_metrics.text.presence`); Krippendorff's alpha (nominal) is
    computed on that units x coders table with its unit bootstrap interval
    (:func:`krippendorff_alpha`), and, when there are exactly two coders, Cohen's kappa
    (:func:`cohens_kappa`). A code no coder applied has no variation: its alpha is NaN.

    Parameters
    ----------
    coding : a coding table with several coders (:func:`read_coding`,
        :func:`read_qdpx`).
    unit : the unit column (``segment_id``; ``source`` to judge whole documents).
    codes : codes to report (default: all, in order of appearance).
    units, absent : see :func:`~cei_metrics.text.presence`.
    ci, n_boot, seed : the intervals (each code's bootstrap uses ``seed``).

    Returns
    -------
    CodeAgreementResult
    """
    import pandas as pd

    from .coding import presence

    if T.CODER not in coding.columns:
        raise SchemaError(
            f"the coding table has no {T.CODER!r} column",
            column=T.CODER,
            fix="agreement needs the codes of two or more coders",
        )
    coders = tuple(str(c) for c in pd.unique(coding[T.CODER].dropna()))
    if len(coders) < 2:
        raise EstimationError(
            f"agreement needs two or more coders; the coding table has {len(coders)}",
            column=T.CODER,
            fix="import the coding of a second coder",
        )
    code_list = list(pd.unique(coding[T.CODE].dropna())) if codes is None else list(codes)
    rows, results = [], {}
    for c in code_list:
        pres = presence(coding, c, unit=unit, units=units, absent=absent)
        mat = pres.to_numpy()
        row = {
            T.CODE: c,
            T.N: len(pres),
            T.N_PRESENT: int(np.nansum(mat, axis=1).astype(bool).sum()),
        }
        complete = ~np.isnan(mat).any(axis=1)
        agree = complete & (np.nanmax(mat, axis=1) == np.nanmin(mat, axis=1))
        row[T.PERCENT_AGREEMENT] = float(agree.sum() / max(complete.sum(), 1))
        try:
            res = krippendorff_alpha(pres, level="nominal", ci=ci, n_boot=n_boot, seed=seed)
            results[c] = res
            row.update({T.ESTIMATE: res.estimate, T.CI_LOW: res.ci_low, T.CI_HIGH: res.ci_high})
        except EstimationError:
            row.update({T.ESTIMATE: np.nan, T.CI_LOW: np.nan, T.CI_HIGH: np.nan})
        if len(coders) == 2:
            try:
                k = cohens_kappa(mat[:, 0], mat[:, 1], ci=ci)
                row.update(
                    {T.KAPPA: k.estimate, T.KAPPA_CI_LOW: k.ci_low, T.KAPPA_CI_HIGH: k.ci_high}
                )
            except EstimationError:
                row.update({T.KAPPA: np.nan, T.KAPPA_CI_LOW: np.nan, T.KAPPA_CI_HIGH: np.nan})
        rows.append(row)
    cols = [T.CODE, T.ESTIMATE, T.CI_LOW, T.CI_HIGH, T.N, T.N_PRESENT, T.PERCENT_AGREEMENT]
    if len(coders) == 2:
        cols += [T.KAPPA, T.KAPPA_CI_LOW, T.KAPPA_CI_HIGH]
    return CodeAgreementResult(
        table=pd.DataFrame(rows, columns=cols),
        coders=coders,
        unit=unit,
        ci_level=ci,
        n_boot=n_boot,
        seed=seed,
        results=results,
        n=int(rows[0][T.N]) if rows else 0,
    )
