r"""Response rates, representativeness and raking of survey weights.

Percent favorable is computed over whoever answered. This module says how many of the
invited (or enrolled) families answered (:func:`response_rate`), whether respondents
look like the families they stand for (:func:`representativeness`), and adjusts
weights so that respondents' weighted margins (language, English-learner status, ...)
match the population's (:func:`rake`). The raked weights go into the survey's
``weight`` column (:meth:`RakeResult.apply`), which every indicator accepts through
``weights="weight"``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._results import ResultMixin
from ..errors import EstimationError, SchemaError
from ..schemas import C
from . import _cols as K
from ._result import IndicatorResult, make_result
from ._stats import as_by, check_columns, finish, group_codes, wilson_ci

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "RakeResult",
    "RepresentativenessResult",
    "design_effect",
    "rake",
    "representativeness",
    "response_rate",
    "trim_weights",
]

MarginKey = str | tuple[str, ...]


# --- respondents ------------------------------------------------------------------------


def _unit_keys(df: pd.DataFrame, unit: str | Sequence[str] | None) -> list[str]:
    """The columns identifying one unit (respondent) of ``df``: ``unit`` when given, else
    ``respondent_id`` (and ``wave``) when present, else none (each row a unit)."""
    if unit is not None:
        keys = as_by(unit)
        check_columns(df, keys, "survey", why="named by unit=")
        return keys
    if C.RESPONDENT_ID in df.columns:
        return [C.RESPONDENT_ID] + ([C.WAVE] if C.WAVE in df.columns else [])
    return []


def _one_row_per_unit(
    df: pd.DataFrame, keys: list[str], constant: Sequence[str], table: str
) -> pd.DataFrame:
    """First row of each unit; the ``constant`` columns must not vary within a unit."""
    if not keys:
        return df
    codes, _ = group_codes(df, keys)
    if (codes < 0).any():
        i = int(np.flatnonzero(codes < 0)[0])
        raise SchemaError(
            f"a unit id ({', '.join(keys)}) is missing",
            row=i + 1,
            column=keys[0],
            fix="give every row its respondent id",
        )
    if len(np.unique(codes)) == len(codes):
        return df
    for col in constant:
        varies = df.groupby(codes, sort=False)[col].nunique(dropna=False)
        if (varies > 1).any():
            g = int(varies.index[(varies > 1).to_numpy()][0])
            i = int(np.flatnonzero(codes == g)[0])
            raise SchemaError(
                f"{col} takes several values within one respondent ({df[keys].iloc[i].to_dict()})",
                row=i + 1,
                column=col,
                fix=f"{col} must be a respondent-level column, the same on all of a respondent's rows",
            )
    first = np.sort(np.unique(codes, return_index=True)[1])
    return df.iloc[first]


def _respondents(
    survey: pd.DataFrame,
    by: list[str],
    *,
    wave: int | None,
    role: str | None,
    answered_only: bool,
) -> pd.DataFrame:
    """One row per respondent (x wave) of the survey, with the ``by`` columns."""
    check_columns(survey, [C.RESPONDENT_ID], "survey")
    check_columns(survey, by, "survey", why="named in by=")
    df = survey
    if wave is not None:
        check_columns(survey, [C.WAVE], "survey", why="wave= selects rows by it")
        df = df[df[C.WAVE].to_numpy() == wave]
        if df.empty:
            raise SchemaError(
                f"no survey rows in wave {wave}",
                column=C.WAVE,
                fix=f"choose a wave among {sorted(survey[C.WAVE].unique())}",
            )
    elif C.WAVE in df.columns and df[C.WAVE].nunique() > 1 and C.WAVE not in by:
        raise SchemaError(
            f"the survey holds {df[C.WAVE].nunique()} waves; a response rate is per wave",
            column=C.WAVE,
            fix="pass wave=1 (or the wave wanted)",
        )
    if role is not None:
        check_columns(survey, [C.ROLE], "survey", why="role= selects rows by it")
        df = df[(df[C.ROLE] == role).to_numpy(dtype=bool, na_value=False)]
    if answered_only and C.VALUE in df.columns:
        df = df[df[C.VALUE].notna().to_numpy()]
    keys = [C.RESPONDENT_ID] + ([C.WAVE] if C.WAVE in df.columns else [])
    return _one_row_per_unit(df, keys, by, "survey")


# --- response rates ------------------------------------------------------------------------


def _frame_counts(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Invited/enrolled families per ``by`` cell: the sum of ``n_invited`` when the frame
    is aggregated, else the number of rows."""
    import pandas as pd

    check_columns(frame, by, "frame", why="named in by=")
    if C.N_INVITED in frame.columns:
        n = pd.to_numeric(frame[C.N_INVITED], errors="coerce")
        bad = ~(np.isfinite(n.to_numpy(dtype=float)) & (n.to_numpy(dtype=float) >= 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise SchemaError(
                f"{frame[C.N_INVITED].iloc[i]!r} is not a count of families",
                row=i + 1,
                column=C.N_INVITED,
                fix="write the number of invited (or enrolled) families in each row",
            )
        w = n.to_numpy(dtype=float)
    else:
        w = np.ones(len(frame))
    codes, keys = group_codes(frame, by)
    if (codes < 0).any():
        i = int(np.flatnonzero(codes < 0)[0])
        raise SchemaError(
            "a grouping value is missing in the frame",
            row=i + 1,
            column=next(c for c in by if pd.isna(frame[c].iloc[i])),
            fix="fill the value, or drop the row",
        )
    keys[K.N] = np.bincount(codes, w, minlength=len(keys))
    return keys


def response_rate(
    survey: pd.DataFrame,
    frame: pd.DataFrame,
    *,
    by: str | Sequence[str] = (C.DISTRICT_ID,),
    wave: int | None = None,
    role: str | None = "family",
    answered_only: bool = True,
    ci: float = 0.95,
    min_cell: int = 11,
) -> IndicatorResult:
    r"""Response rate: respondents over invited (or enrolled) families, by group.

    .. math:: RR_g = \frac{\#\{\text{respondents in } g\}}{\#\{\text{families invited in } g\}}

    (AAPOR's RR1 when the frame lists every eligible family and a respondent is anyone
    who answered at least one item.) Respondents are distinct ``respondent_id`` of the
    wave and role; with ``answered_only`` only those with at least one answered item
    (a survey opened and left blank is a non-response).

    Parameters
    ----------
    survey : canonical survey table (long); the ``by`` columns must be respondent-level.
    frame : the invited / enrolled families: one row per family with the ``by`` columns,
        or one row per cell with an ``n_invited`` count column.
    by : grouping columns, present in both tables (district_id, school_id, language,
        el_family, ...).
    wave : the survey wave (required when the survey has several).
    role : respondents of this role only (default "family"; None for all).
    answered_only : count only respondents with an answered item.
    ci : confidence level.
    min_cell : rows whose frame count ``n`` is below this are flagged ``suppressed``.

    Returns
    -------
    IndicatorResult (indicator "response_rate"): the ``by`` columns, ``estimate``,
    ``std_error`` (binomial), ``ci_low``, ``ci_high`` (Wilson), ``n`` (invited),
    ``count`` (respondents), ``suppressed``; ``n_dropped`` counts respondents with a
    missing grouping value. Every frame cell appears, with 0 where nobody answered.

    Notes
    -----
    The interval treats response as a binomial draw from the invited families (a
    superpopulation view), as :func:`reach` does. The count of respondents is exact.

    References
    ----------
    AAPOR (2023) *Standard Definitions*, 10th ed., RR1. Wilson (1927) JASA 22:209-212.

    Examples
    --------
    >>> response_rate(demo.survey, invited, by=["district_id", "language"], wave=1)  # doctest: +SKIP
    """

    by_l = as_by(by)
    resp = _respondents(survey, by_l, wave=wave, role=role, answered_only=answered_only)
    inv = _frame_counts(frame, by_l)
    codes, keys = group_codes(resp, by_l)
    n_dropped = int((codes < 0).sum())
    keys["_count"] = np.bincount(codes[codes >= 0], minlength=len(keys))
    if by_l:
        merged = inv.merge(keys, on=by_l, how="outer", indicator=True)
        stray = merged[merged["_merge"] == "right_only"]
        if len(stray):
            cell = stray.iloc[0][by_l].to_dict()
            raise SchemaError(
                f"respondents in {cell} have no row in the frame of invited families",
                column=by_l[0],
                fix="add the cell to the frame, or check that ids and codes match (types too)",
            )
        merged = inv.merge(keys, on=by_l, how="left")
        merged["_count"] = merged["_count"].fillna(0)
        merged = merged.sort_values(by_l).reset_index(drop=True)
    else:
        merged = inv.assign(_count=keys["_count"].to_numpy())
    n = merged[K.N].to_numpy(dtype=float)
    count = merged["_count"].to_numpy(dtype=float)
    over = count > n
    if over.any():
        i = int(np.flatnonzero(over)[0])
        where = merged.iloc[i][by_l].to_dict() if by_l else "the whole survey"
        raise EstimationError(
            f"{int(count[i])} respondents but {n[i]:g} invited families in {where}",
            column=C.N_INVITED if C.N_INVITED in frame.columns else None,
            fix="check the frame's counts, the wave, and whether respondent ids are per family",
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
        K.N: np.rint(n).astype(np.int64),
        K.COUNT: count.astype(np.int64),
    }
    out = finish(merged[by_l], stats, indicator="response_rate", min_cell=min_cell)
    return make_result(
        out,
        indicator="response_rate",
        method="respondents / invited families; Wilson interval",
        by=by_l,
        min_cell=min_cell,
        ci=ci,
        n_dropped=n_dropped,
        caveat="families who did not answer may differ from those who did; see "
        "representativeness() and rake()",
        dropped="respondents with a missing grouping value",
        denominator="invited (or enrolled) families in the frame"
        + (" (sum of n_invited)" if C.N_INVITED in frame.columns else " (one row each)"),
        wave=wave,
        role=role,
    )


# --- population margins --------------------------------------------------------------------


def _as_key(key: MarginKey) -> tuple[str, ...]:
    if isinstance(key, str):
        return (key,)
    if isinstance(key, tuple) and key and all(isinstance(k, str) for k in key):
        return key
    raise SchemaError(
        f"margin {key!r} is not a column name or a tuple of column names",
        fix='key margins by column, e.g. {"language": {...}} or {("language", "el_family"): ...}',
    )


def _targets(key: tuple[str, ...], value: object) -> pd.Series:
    """Population totals of one margin as a Series indexed by level (tuples when joint)."""
    import pandas as pd

    label = " x ".join(key)
    if isinstance(value, pd.DataFrame):
        missing = [k for k in key if k not in value.columns]
        others = [c for c in value.columns if c not in key]
        if missing or len(others) != 1:
            raise SchemaError(
                f"population table of margin {label} needs the column(s) {list(key)} and "
                f"one count column; it has {list(value.columns)}",
                column=missing[0] if missing else None,
                fix='pass e.g. pd.DataFrame({"language": ["en", "es"], "Freq": [600, 400]})',
            )
        idx = (
            pd.MultiIndex.from_frame(value[list(key)]) if len(key) > 1 else pd.Index(value[key[0]])
        )
        s = pd.Series(pd.to_numeric(value[others[0]], errors="coerce").to_numpy(), index=idx)
    elif isinstance(value, pd.Series):
        s = pd.to_numeric(value, errors="coerce")
    elif isinstance(value, Mapping):
        s = pd.Series({k: v for k, v in value.items()}, dtype=float)
        if len(key) > 1:
            s.index = pd.MultiIndex.from_tuples(list(value.keys()))
    else:
        raise SchemaError(
            f"population margin {label} is {type(value).__name__}, not totals by level",
            fix="pass a mapping level -> total, a Series, or a DataFrame with a count column",
        )
    if s.index.has_duplicates:
        raise SchemaError(
            f"margin {label} lists level {s.index[s.index.duplicated()][0]!r} twice",
            fix="give one total per level",
        )
    vals = s.to_numpy(dtype=float)
    if not np.isfinite(vals).all() or (vals < 0).any():
        i = int(np.flatnonzero(~np.isfinite(vals) | (vals < 0))[0])
        raise SchemaError(
            f"margin {label}: total {s.iloc[i]!r} of level {s.index[i]!r} is not a "
            "non-negative number",
            fix="give each level its population count (or share)",
        )
    return s.astype(float)


def _parse_margins(margins: Mapping[MarginKey, Any]) -> list[tuple[tuple[str, ...], pd.Series]]:
    if not isinstance(margins, Mapping) or not margins:
        raise SchemaError(
            "margins must map each margin (column, or tuple of columns) to population totals",
            fix='pass e.g. {"language": {"en": 5200, "es": 4800}, "el_family": {...}}',
        )
    return [(_as_key(k), _targets(_as_key(k), v)) for k, v in margins.items()]


def _sample_codes(units: pd.DataFrame, key: tuple[str, ...], target: pd.Series) -> np.ndarray:
    """Position of each unit's level in ``target``; raises for a level with no target."""
    import pandas as pd

    check_columns(units, list(key), "survey", why="a raking margin")
    if len(key) > 1:
        idx = pd.MultiIndex.from_frame(units[list(key)])
        pos = np.asarray(target.index.get_indexer(idx))
    else:
        pos = np.asarray(target.index.get_indexer(units[key[0]]))
    bad = pos < 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        val = tuple(units[list(key)].iloc[i]) if len(key) > 1 else units[key[0]].iloc[i]
        what = "missing" if pd.isna(units[list(key)].iloc[i]).any() else f"{val!r}"
        raise SchemaError(
            f"{' x '.join(key)} is {what}, a level with no population total",
            row=i + 1,
            column=key[0],
            fix="add the level to the margin's totals, recode it, or drop the row; raking "
            "needs every respondent in a level with a known population total",
        )
    return pos


# --- trimming ---------------------------------------------------------------------------


def _trim(w: np.ndarray, lower: float, upper: float, max_rounds: int = 1000):
    """Trimmed weights and the mask of units trimmed at least once.

    A weight counts as outside only beyond a bound by more than 1e-12 x the mean weight,
    so that rounding cannot bounce units across a bound forever; the result is then
    clipped to the bounds exactly.
    """
    w = np.asarray(w, dtype=float).copy()
    n = len(w)
    total = w.sum()
    if lower > upper or lower * n > total * (1 + 1e-12) or upper * n < total * (1 - 1e-12):
        raise EstimationError(
            f"weights summing to {total:g} over {n} units cannot all lie in [{lower:g}, {upper:g}]",
            fix="widen the trimming bounds (the mean weight must lie between them)",
        )
    eps = 1e-12 * abs(total) / max(n, 1)
    touched = np.zeros(n, dtype=bool)
    for _ in range(max_rounds):
        outside = (w < lower - eps) | (w > upper + eps)
        if not outside.any():
            return np.clip(w, lower, upper), touched
        touched |= outside
        new = np.maximum(lower, np.minimum(w, upper))
        excess = float((w - new).sum())
        inside = ~outside
        if not inside.any():  # every unit was trimmed: give the excess to those that can take it
            inside = new < upper if excess > 0 else new > lower
        new[inside] = new[inside] + excess / inside.sum()
        w = new
    raise EstimationError(  # pragma: no cover - the excess shrinks geometrically
        f"trimming did not settle in {max_rounds} rounds", fix="widen the trimming bounds"
    )


def trim_weights(
    w: np.ndarray, lower: float = -np.inf, upper: float = np.inf
) -> tuple[np.ndarray, int]:
    r"""Trim weights to ``[lower, upper]`` and share the trimmed amount equally among the
    others, repeating until none is outside (R ``survey::trimWeights(strict = TRUE)``).

    Each round sets weights outside the bounds to the nearest bound and adds
    :math:`\sum_i (w_i - w_i^{trim}) / m` to each of the :math:`m` weights that were
    inside, so the total is kept. (When every weight was outside, which R does not
    handle, the amount goes to the weights not at the bound it pushes towards.)

    Returns
    -------
    (trimmed weights, number of units trimmed at least once)

    Raises
    ------
    EstimationError when the mean weight lies outside the bounds (no trimming can keep
    the total).

    References
    ----------
    Lumley T, R package ``survey``, ``trimWeights``; Potter (1990) Proc. Survey Research
    Methods Section, ASA, 225-230.

    Examples
    --------
    >>> trim_weights(np.array([1.0, 1.0, 1.0, 5.0]), upper=3.0)[0]
    array([1.66666667, 1.66666667, 1.66666667, 3.        ])
    """
    out, touched = _trim(w, lower, upper)
    return out, int(touched.sum())


def design_effect(w: np.ndarray) -> tuple[float, float]:
    r"""Kish's (1965) design effect of unequal weights and the effective sample size.

    .. math:: \text{deff} = 1 + CV^2(w) = \frac{n \sum w_i^2}{(\sum w_i)^2}, \qquad
              n_{eff} = \frac{n}{\text{deff}} = \frac{(\sum w_i)^2}{\sum w_i^2}

    (CV with the population standard deviation, divisor :math:`n`).

    Returns
    -------
    (deff, n_effective)

    References
    ----------
    Kish (1965) *Survey Sampling*, Wiley, section 11.7.

    Examples
    --------
    >>> design_effect(np.array([1.0, 1.0, 2.0, 4.0]))
    (1.375, 2.909090909090909)
    """
    w = np.asarray(w, dtype=float)
    s1, s2 = w.sum(), (w * w).sum()
    return float(len(w) * s2 / (s1 * s1)), float(s1 * s1 / s2)


# --- raking -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class RakeResult(ResultMixin):
    """Raked survey weights.

    Attributes
    ----------
    weights : the raked (and trimmed) weights, a Series indexed like the units (the
        rows of ``df``, or the unit ids when one unit spans several rows).
    initial_weights : the weights raking started from.
    unit : the columns identifying a unit (empty: each row).
    converged : whether the weighted margins reached their targets within ``tol``
        (and, with ``rerake``, the weights their bounds).
    iterations : raking sweeps over all margins (summed over rounds with ``rerake``).
    max_error : the largest absolute difference between a weighted margin total and
        its target, after trimming.
    design_effect, n_effective : Kish's :math:`1 + CV^2` and :math:`n / \\text{deff}`.
    n : units.
    n_trimmed : units whose weight was trimmed.
    margins : one row per margin level: ``margin``, ``margin_level``, ``target``,
        ``initial`` (weighted total before raking), ``estimate`` (after), ``n``
        (units in the level).
    trim : the (lower, upper) bounds applied, or None.
    tol, max_iter : the convergence rule.
    message : how raking ended, in words.
    notes : anything else.
    """

    weights: pd.Series = field(repr=False)
    initial_weights: pd.Series = field(repr=False)
    unit: tuple[str, ...]
    converged: bool
    iterations: int
    max_error: float
    design_effect: float
    n_effective: float
    n: int
    n_trimmed: int
    margins: pd.DataFrame = field(repr=False)
    trim: tuple[float, float] | None
    tol: float
    max_iter: int
    message: str
    notes: tuple[str, ...] = ()

    @property
    def adjustment(self) -> pd.Series:
        """Ratio of raked to initial weight for each unit."""
        return self.weights / self.initial_weights

    def to_frame(self) -> pd.DataFrame:
        """The margins table with ``term`` ("column=level") first, then ``estimate``
        (the raked margin total) and ``n`` (units in the level), then the rest."""
        from .._results import tidy

        out = self.margins
        return tidy(out, term=(out[K.MARGIN] + "=" + out[K.MARGIN_LEVEL].astype(str)).tolist())

    def apply(self, survey: pd.DataFrame, *, column: str = C.WEIGHT) -> pd.DataFrame:
        """A copy of ``survey`` with the raked weights in ``column`` (``weight``).

        Rows are matched by the unit columns (``respondent_id``, ``wave``) when raking
        was by unit, else by the index of the frame that was raked. Every row must find
        its weight.
        """
        import pandas as pd

        out = survey.copy()
        if self.unit:
            check_columns(survey, list(self.unit), "survey", why="the raking unit")
            idx = (
                pd.MultiIndex.from_frame(survey[list(self.unit)])
                if len(self.unit) > 1
                else pd.Index(survey[self.unit[0]])
            )
            w = self.weights.reindex(idx).to_numpy(dtype=float)
        else:
            w = self.weights.reindex(survey.index).to_numpy(dtype=float)
        missing = ~np.isfinite(w)
        if missing.any():
            i = int(np.flatnonzero(missing)[0])
            raise SchemaError(
                "a row has no raked weight (its respondent was not in the raked table)",
                row=i + 1,
                column=self.unit[0] if self.unit else None,
                fix="rake the same respondents the survey holds",
            )
        out[column] = w
        return out

    def summary(self) -> str:
        margins = ", ".join(dict.fromkeys(self.margins[K.MARGIN]))
        lines = [
            f"Raking to {margins}: {'converged' if self.converged else 'NOT converged'} "
            f"after {self.iterations} sweeps; largest margin error {self.max_error:.3g}",
            f"Units: {self.n}; weights from {self.weights.min():.4g} to "
            f"{self.weights.max():.4g} (adjustment x{self.adjustment.min():.3g} to "
            f"x{self.adjustment.max():.3g})",
            f"Design effect (Kish 1 + CV^2): {self.design_effect:.3f}; effective n "
            f"{self.n_effective:.1f}",
        ]
        if self.trim is not None:
            lines.append(
                f"Trimmed to [{self.trim[0]:.4g}, {self.trim[1]:.4g}] (survey::trimWeights, "
                f"strict): {self.n_trimmed} units trimmed"
            )
        lines.append(self.message)
        lines.extend(self.notes)
        return "\n".join(lines)


def _ipf(
    w: np.ndarray,
    codes: list[np.ndarray],
    targets: list[np.ndarray],
    tol_abs: float,
    max_iter: int,
) -> tuple[np.ndarray, int, float, bool]:
    """Iterative proportional fitting (post-stratify on each margin in turn)."""
    err = float("inf")
    for it in range(1, max_iter + 1):
        for c, t in zip(codes, targets):
            tot = np.bincount(c, w, minlength=len(t))
            with np.errstate(divide="ignore", invalid="ignore"):
                f = np.where(tot > 0, t / tot, 1.0)
            w = w * f[c]
        err = _margin_error(w, codes, targets)
        if err <= tol_abs:
            return w, it, err, True
    return w, max_iter, err, False


def _margin_error(w: np.ndarray, codes: list[np.ndarray], targets: list[np.ndarray]) -> float:
    return max(
        float(np.max(np.abs(np.bincount(c, w, minlength=len(t)) - t)))
        for c, t in zip(codes, targets)
    )


def rake(
    df: pd.DataFrame,
    margins: Mapping[MarginKey, Any],
    *,
    weight: str | None = None,
    unit: str | Sequence[str] | None = None,
    max_iter: int = 100,
    tol: float = 1e-12,
    trim: tuple[float, float] | None = None,
    cap: float | None = None,
    rerake: bool = False,
) -> RakeResult:
    r"""Rake survey weights to population margins (iterative proportional fitting).

    Starting from the initial weights :math:`w^{(0)}` (``weight`` column, or 1), each
    sweep post-stratifies on every margin in turn,

    .. math:: w_i \leftarrow w_i \, \frac{N_{m,l}}{\sum_{j : l_m(j) = l} w_j}

    for the level :math:`l` of unit :math:`i` on margin :math:`m` with population total
    :math:`N_{m,l}`, until every weighted margin is within ``tol`` x (population total)
    of its target (Deming & Stephan 1940). Margins can be single columns or
    cross-classifications (a tuple of columns). Raked weights do not depend on the scale
    of the initial weights.

    **Trimming** (optional): after raking, weights outside ``trim = (lower, upper)``
    (absolute bounds) are set to the bound and the trimmed amount is shared equally by
    the other units, repeatedly until none is outside (:func:`trim_weights`, R
    ``survey::trimWeights(strict = TRUE)``); ``cap = r`` is ``trim = (-inf, r x mean
    raked weight)``. Trimming keeps the total but moves the margins off their targets;
    ``rerake=True`` alternates raking and trimming until both hold (up to ``max_iter``
    rounds; ``converged`` says whether they did).

    Parameters
    ----------
    df : one row per respondent, or the long survey (rows sharing ``unit`` are one
        respondent, whose margin columns must agree).
    margins : ``{column or (col, col): totals}``, totals a mapping level -> population
        count, a Series, or a DataFrame with the margin column(s) and one count column
        (R's ``data.frame(x = ..., Freq = ...)``). All margins must sum to the same
        total; if every margin sums to 1 they are shares, scaled to the sum of the
        initial weights.
    weight : column of initial (design) weights; default all 1.
    unit : columns identifying a respondent; default ``respondent_id`` (and ``wave``)
        when present, else each row.
    max_iter, tol : at most ``max_iter`` sweeps; converged when the largest margin
        error is at most ``tol`` times the population total.
    trim, cap, rerake : trimming, see above.

    Returns
    -------
    RakeResult: ``.weights``, ``.converged``, ``.iterations``, ``.design_effect``,
    ``.n_effective``, ``.margins``; ``.apply(survey)`` writes the weights into the
    survey's ``weight`` column.

    References
    ----------
    Deming & Stephan (1940) Ann Math Stat 11:427-444; Kish (1965) *Survey Sampling*;
    Lumley (2010) *Complex Surveys*, ch. 7. Equal to R ``survey::rake`` (and
    ``survey::trimWeights``) at convergence.

    Examples
    --------
    >>> res = rake(apiclus1, {"stype": {"E": 4421, "H": 755, "M": 1018},
    ...                       "sch.wide": {"No": 1072, "Yes": 5122}}, weight="pw")  # doctest: +SKIP
    >>> res.weights.sum()  # doctest: +SKIP
    6194.0
    """
    import pandas as pd

    if max_iter < 1:
        raise SchemaError(f"max_iter={max_iter} must be at least 1", fix="pass e.g. max_iter=100")
    if not tol > 0:
        raise SchemaError(f"tol={tol!r} must be positive", fix="pass e.g. tol=1e-12")
    parsed = _parse_margins(margins)
    margin_cols = list(dict.fromkeys(c for key, _ in parsed for c in key))
    keys = _unit_keys(df, unit)
    constant = margin_cols + ([weight] if weight is not None else [])
    units = _one_row_per_unit(df, keys, constant, "survey")
    row_index = units.index
    units = units.reset_index(drop=True)
    if weight is not None:
        from ._stats import weight_array

        w0 = weight_array(units, weight, "survey")
    else:
        w0 = np.ones(len(units))
    n = len(units)
    if n == 0:
        raise EstimationError("no respondents to rake", fix="pass a non-empty table")
    codes, targets = [], []
    for key, t in parsed:
        codes.append(_sample_codes(units, key, t))
        targets.append(t.to_numpy(dtype=float))
    totals = np.array([t.sum() for t in targets])
    notes: list[str] = []
    if np.allclose(totals, 1.0, rtol=0, atol=1e-9):
        scale = w0.sum()
        targets = [t * scale for t in targets]
        totals = totals * scale
        notes.append("margins given as shares: scaled to the sum of the initial weights")
    if not np.allclose(totals, totals[0], rtol=1e-6, atol=0):
        listed = ", ".join(f"{' x '.join(k)} {s:g}" for (k, _), s in zip(parsed, totals))
        raise EstimationError(
            f"the margins do not sum to the same population total ({listed})",
            fix="take every margin from the same population (enrolment of one year)",
        )
    for (key, t), c, tv in zip(parsed, codes, targets):
        seen = np.bincount(c, minlength=len(tv))
        empty = (seen == 0) & (tv > 0)
        if empty.any():
            lev = t.index[int(np.flatnonzero(empty)[0])]
            raise EstimationError(
                f"no respondent is in level {lev!r} of {' x '.join(key)}, whose population "
                f"total is {tv[empty][0]:g}: raking cannot reach it",
                column=key[0],
                fix="collapse the level with a neighbouring one in the sample and the totals",
            )
    total = float(totals[0])
    tol_abs = tol * total
    if cap is not None and trim is not None:
        raise SchemaError("pass trim= or cap=, not both", fix="keep one of them")
    w, iters, err, ok = _ipf(w0.copy(), codes, targets, tol_abs, max_iter)
    bounds: tuple[float, float] | None = None
    if cap is not None:
        if not cap > 1:
            raise SchemaError(
                f"cap={cap!r} must exceed 1", fix="pass e.g. cap=5 (5 x the mean weight)"
            )
        bounds = (-np.inf, float(cap) * total / n)
    elif trim is not None:
        lo_b, hi_b = (float(x) for x in trim)
        bounds = (lo_b, hi_b)
    n_trimmed = 0
    message = (
        f"Converged: every weighted margin within {tol:g} x total of its target."
        if ok
        else f"Raking did not converge in {max_iter} sweeps (largest margin error {err:.3g})."
    )
    if bounds is not None:
        wt, touched = _trim(w, *bounds)
        slack = 1e-9 * total / n

        def in_bounds(x: np.ndarray) -> bool:
            return bool(((x >= bounds[0] - slack) & (x <= bounds[1] + slack)).all())

        if rerake:
            rounds = 1
            while rounds < max_iter:
                err = _margin_error(wt, codes, targets)
                if err <= tol_abs and in_bounds(wt):
                    break
                rounds += 1
                w, it2, err, _ = _ipf(wt, codes, targets, tol_abs, max_iter)
                iters += it2
                wt, more = _trim(w, *bounds)
                touched |= more
            err = _margin_error(wt, codes, targets)
            ok = err <= tol_abs and in_bounds(wt)
            message = f"Raking and trimming alternated for {rounds} rounds: " + (
                "margins and bounds both hold." if ok else f"margins still off by up to {err:.3g}."
            )
        else:
            err = _margin_error(wt, codes, targets)
            message += (
                f" Trimming then moved the margins by up to {err:.3g} (pass rerake=True to "
                "rake again within the bounds)."
            )
        w = wt
        n_trimmed = int(touched.sum())
    deff, n_eff = design_effect(w)
    idx = (
        pd.MultiIndex.from_frame(units[keys])
        if len(keys) > 1
        else (pd.Index(units[keys[0]]) if keys else row_index)
    )
    rows = []
    for (key, t), c, tv in zip(parsed, codes, targets):
        init = np.bincount(c, w0, minlength=len(tv))
        fin = np.bincount(c, w, minlength=len(tv))
        cnt = np.bincount(c, minlength=len(tv))
        for j, lev in enumerate(t.index):
            rows.append(
                {
                    K.MARGIN: " x ".join(key),
                    K.MARGIN_LEVEL: " x ".join(map(str, lev)) if isinstance(lev, tuple) else lev,
                    K.TARGET: tv[j],
                    K.INITIAL: init[j],
                    K.ESTIMATE: fin[j],
                    K.N: int(cnt[j]),
                }
            )
    return RakeResult(
        weights=pd.Series(w, index=idx, name=C.WEIGHT),
        initial_weights=pd.Series(w0, index=idx, name="initial_weight"),
        unit=tuple(keys),
        converged=bool(ok),
        iterations=int(iters),
        max_error=float(err),
        design_effect=deff,
        n_effective=n_eff,
        n=n,
        n_trimmed=n_trimmed,
        margins=pd.DataFrame(rows),
        trim=bounds,
        tol=tol,
        max_iter=max_iter,
        message=message,
        notes=tuple(notes),
    )


# --- representativeness ---------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class RepresentativenessResult(ResultMixin):
    """Respondent shares against population shares, per margin level.

    Attributes
    ----------
    table : one row per margin level: ``margin``, ``margin_level``, ``estimate``
        (respondent share), ``ci_low``, ``ci_high`` (Wilson), ``count`` (respondents in
        the level), ``n`` (respondents with the margin known), ``population_count``,
        ``population_share``, ``difference`` (respondent minus population share, in
        share points), ``ratio`` (respondent over population share), ``weighted_share``
        (with weights), ``suppressed`` (count < min_cell).
    ci_level, min_cell, weights : settings.
    """

    table: pd.DataFrame = field(repr=False)
    ci_level: float
    min_cell: int
    weights: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """The table with ``term`` ("margin=level") first, then the protocol columns."""
        from .._results import tidy

        t = self.table
        return tidy(t, term=(t[K.MARGIN] + "=" + t[K.MARGIN_LEVEL].astype(str)).tolist())

    def summary(self) -> str:
        t = self.table
        lines = [
            f"Representativeness: respondent vs population shares on "
            f"{t[K.MARGIN].nunique()} margins ({len(t)} levels); {int(t[K.SUPPRESSED].sum())} "
            f"levels with fewer than {self.min_cell} respondents flagged"
        ]
        worst = t.reindex(t[K.DIFFERENCE].abs().sort_values(ascending=False).index).head(3)
        for _, r in worst.iterrows():
            lines.append(
                f"  {r[K.MARGIN]} = {r[K.MARGIN_LEVEL]}: {r[K.ESTIMATE]:.1%} of respondents vs "
                f"{r[K.POPULATION_SHARE]:.1%} of the population ({r[K.DIFFERENCE]:+.1%})"
            )
        return "\n".join(lines)


def representativeness(
    respondents: pd.DataFrame,
    population: pd.DataFrame | Mapping[MarginKey, Any],
    margins: Sequence[str] | None = None,
    *,
    weights: str | None = None,
    unit: str | Sequence[str] | None = None,
    ci: float = 0.95,
    min_cell: int = 11,
) -> RepresentativenessResult:
    r"""Compare respondents' composition with the population's, margin by margin.

    For each margin (language, EL status, school ...) and level :math:`l`:
    respondent share :math:`\hat p_l = x_l / n` (Wilson interval), population share
    :math:`\pi_l = N_l / N`, difference :math:`\hat p_l - \pi_l` and ratio
    :math:`\hat p_l / \pi_l` (1 = represented in proportion). With ``weights``, the
    weighted respondent share too (e.g. after :func:`rake`, which should bring it to
    :math:`\pi_l`).

    Parameters
    ----------
    respondents : one row per respondent, or the long survey (see :func:`rake`).
    population : the population: one row per family with the margin columns, a frame
        with an ``n_invited`` count column, or a mapping ``{margin: {level: total}}`` as
        :func:`rake` takes.
    margins : margin columns (default: the mapping's keys).
    weights : column of weights for the weighted share.
    unit : columns identifying a respondent (see :func:`rake`).
    ci, min_cell : interval level; levels with fewer respondents are flagged.

    Returns
    -------
    RepresentativenessResult
    """
    import pandas as pd

    if isinstance(population, pd.DataFrame):
        if margins is None:
            raise SchemaError(
                "margins= is needed with a population table",
                fix='pass margins=["language", "el_family"]',
            )
        pop: dict[tuple[str, ...], pd.Series] = {}
        w = (
            pd.to_numeric(population[C.N_INVITED], errors="coerce").to_numpy(dtype=float)
            if C.N_INVITED in population.columns
            else np.ones(len(population))
        )
        for m in margins:
            check_columns(population, [m], "population", why="a margin")
            s = pd.Series(w).groupby(population[m].to_numpy(), dropna=True).sum()
            pop[(m,)] = s.astype(float)
        parsed = list(pop.items())
    else:
        parsed = _parse_margins(population)
        if margins is not None:
            parsed = [
                (k, t) for k, t in parsed if " x ".join(k) in set(margins) or k[0] in set(margins)
            ]
    cols = list(dict.fromkeys(c for k, _ in parsed for c in k))
    keys = _unit_keys(respondents, unit)
    units = _one_row_per_unit(
        respondents, keys, cols + ([weights] if weights else []), "survey"
    ).reset_index(drop=True)
    wts = None
    if weights is not None:
        from ._stats import weight_array

        wts = weight_array(units, weights, "survey")
    rows = []
    for key, t in parsed:
        check_columns(units, list(key), "survey", why="a margin")
        if len(key) > 1:
            vals = pd.MultiIndex.from_frame(units[list(key)])
            known = ~units[list(key)].isna().any(axis=1).to_numpy()
        else:
            vals = pd.Index(units[key[0]])
            known = units[key[0]].notna().to_numpy()
        pos = np.asarray(t.index.get_indexer(vals))
        stray = known & (pos < 0)
        if stray.any():
            i = int(np.flatnonzero(stray)[0])
            raise SchemaError(
                f"respondents' {' x '.join(key)} level {vals[i]!r} is not in the population",
                row=i + 1,
                column=key[0],
                fix="add the level to the population (or recode it)",
            )
        ok = known & (pos >= 0)
        n = int(ok.sum())
        cnt = np.bincount(pos[ok], minlength=len(t)).astype(float)
        lo, hi = wilson_ci(cnt, np.full(len(t), float(n)), ci=ci)
        share = cnt / n if n else np.full(len(t), np.nan)
        pshare = t.to_numpy() / t.to_numpy().sum()
        wshare = (
            np.bincount(pos[ok], wts[ok], minlength=len(t)) / wts[ok].sum()
            if wts is not None
            else np.full(len(t), np.nan)
        )
        for j, lev in enumerate(t.index):
            rows.append(
                {
                    K.MARGIN: " x ".join(key),
                    K.MARGIN_LEVEL: " x ".join(map(str, lev)) if isinstance(lev, tuple) else lev,
                    K.ESTIMATE: share[j],
                    K.CI_LOW: lo[j],
                    K.CI_HIGH: hi[j],
                    K.COUNT: int(cnt[j]),
                    K.N: n,
                    K.POPULATION_COUNT: float(t.iloc[j]),
                    K.POPULATION_SHARE: pshare[j],
                    K.DIFFERENCE: share[j] - pshare[j],
                    K.RATIO: share[j] / pshare[j] if pshare[j] > 0 else np.nan,
                    K.WEIGHTED_SHARE: wshare[j],
                }
            )
    table = pd.DataFrame(rows)
    table[K.SUPPRESSED] = table[K.COUNT].to_numpy() < min_cell
    return RepresentativenessResult(table=table, ci_level=ci, min_cell=min_cell, weights=weights)
