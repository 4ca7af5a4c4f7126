r"""Theme shares by group and code co-occurrence, from final (confirmed) coding."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from .._api import estimator
from .._results import ResultMixin, tidy
from ..errors import SchemaError
from ..indicators._result import IndicatorResult, make_result
from . import _cols as T

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["CooccurrenceResult", "code_cooccurrence", "theme_shares"]


def _need(df: pd.DataFrame, cols: Sequence[str], table: str, why: str = "") -> None:
    for c in cols:
        if c not in df.columns:
            raise SchemaError(
                f"the {table} table has no column {c!r}" + (f" ({why})" if why else ""),
                column=c,
                fix=f"add the column, or choose among {list(df.columns)}",
            )


def _one_coding(coded: pd.DataFrame, coder: str | None) -> pd.DataFrame:
    """Refuse coding by several coders unless one is chosen: shares count final codes."""
    if T.CODER in coded.columns:
        coders = coded[T.CODER].dropna().unique()
        if coder is not None:
            if coder not in set(coders):
                raise SchemaError(
                    f"coder {coder!r} is not in the coding table (coders: {sorted(map(str, coders))})",
                    column=T.CODER,
                    fix="pass one of the coders, or the reconciled coding",
                )
            return coded[coded[T.CODER] == coder]
        if len(coders) > 1:
            raise SchemaError(
                f"the coding table holds {len(coders)} coders' codes; theme shares count one "
                "final code set per unit",
                column=T.CODER,
                fix="reconcile the coders first (keep the consensus codes), or pass coder='name'",
            )
    return coded


@estimator()
def theme_shares(
    coded: pd.DataFrame,
    units: pd.DataFrame | None = None,
    *,
    by: str | Sequence[str] = (),
    unit: str = T.SEGMENT_ID,
    codes: Sequence[str] | None = None,
    coder: str | None = None,
    weights: str | None = None,
    ci: float = 0.95,
    min_cell: int = 11,
) -> IndicatorResult:
    r"""Share of units (respondents or segments) coded with each code, by group.

    .. math:: \hat p_{g,c} = \frac{\#\{u \in g : u \text{ coded } c\}}{\#\{u \in g\}}

    The denominator is every unit of the group in ``units`` (e.g. every respondent who
    answered the open question, coded or not); without ``units`` it is the units present
    in ``coded``, so a unit that received no code counts only if the coding table has a
    row for it with a missing code (as :func:`read_coding` writes). The interval is
    Wilson's (reusing :func:`cei_metrics.indicators.wilson_ci`); with ``weights``, the
    weighted share and the design-effect-adjusted Wilson interval of
    :func:`cei_metrics.indicators.grouped_proportion`.

    Parameters
    ----------
    coded : final coding, one row per unit x code (``unit`` and ``code`` columns; a
        ``coder`` column with one coder, or pick one with ``coder=``). Collapse copied
        texts first (:func:`collapse_duplicates`).
    units : one row per unit with the ``by`` columns (and ``weights``); default: the
        units of ``coded``, with ``by`` columns taken from it.
    by : grouping columns (district_id, language, role, ...).
    unit : unit id column.
    codes : codes to report (default: every code in ``coded``, in order of appearance).
    coder : keep this coder's codes when ``coded`` holds several.
    weights : column of sampling weights in ``units``.
    ci : confidence level.
    min_cell : rows whose group has fewer units are flagged ``suppressed``.

    Returns
    -------
    IndicatorResult (indicator "theme_share"): the ``by`` columns, ``code``,
    ``estimate``, ``std_error``, ``ci_low``, ``ci_high``, ``n`` (units in the group),
    ``count`` (units coded), ``suppressed``.

    Examples
    --------
    >>> theme_shares(coded, respondents, by="language", unit="respondent_id")  # doctest: +SKIP
    """
    import pandas as pd

    from ..indicators._stats import as_by, group_codes, grouped_proportion, weight_array

    by_l = as_by(by)
    _need(coded, [unit, T.CODE], "coding")
    coded = _one_coding(coded, coder)
    if units is None:
        _need(coded, by_l, "coding", "named in by=")
        base = coded.drop_duplicates(unit)
        if by_l:
            varying = coded.groupby(unit, sort=False)[by_l].nunique(dropna=False).max()
            bad = varying[varying > 1]
            if len(bad):
                raise SchemaError(
                    f"column {bad.index[0]!r} takes several values within one {unit}",
                    column=str(bad.index[0]),
                    fix="pass units= (one row per unit with its groups)",
                )
    else:
        _need(units, [unit, *by_l], "units", "named in by= or unit=")
        if units[unit].duplicated().any():
            d = units[unit][units[unit].duplicated()].iloc[0]
            raise SchemaError(
                f"unit {d!r} appears twice in the units table",
                column=unit,
                fix="give one row per unit",
            )
        stray = sorted(set(coded[unit].dropna()) - set(units[unit]), key=str)
        if stray:
            raise SchemaError(
                f"coded unit {stray[0]!r} is not in the units table",
                column=unit,
                fix="add the unit to units=, or check the ids",
            )
        base = units
    base = base.reset_index(drop=True)
    w = weight_array(base, weights, "units") if weights is not None else None
    present = coded[T.CODE].dropna()
    code_list = list(pd.unique(present)) if codes is None else list(codes)
    gcodes, keys = group_codes(base, by_l)
    n_dropped = int((gcodes < 0).sum())
    pos = pd.Index(base[unit])
    frames = []
    hit = coded[coded[T.CODE].notna()][[unit, T.CODE]].drop_duplicates()
    for c in code_list:
        x = np.zeros(len(base))
        ids = hit.loc[hit[T.CODE] == c, unit]
        x[pos.get_indexer(ids)] = 1.0
        stats = grouped_proportion(x, gcodes, len(keys), weights=w, ci=ci)
        part = keys.copy()
        part[T.CODE] = c
        part[T.INDICATOR] = "theme_share"
        for k in (T.ESTIMATE, T.STD_ERROR, T.CI_LOW, T.CI_HIGH, T.N, T.COUNT):
            part[k] = stats[k]
        frames.append(part)
    cols = [*by_l, T.CODE, T.INDICATOR, T.ESTIMATE, T.STD_ERROR, T.CI_LOW, T.CI_HIGH, T.N, T.COUNT]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    out = out[cols]
    out[T.N] = out[T.N].astype(np.int64)
    out[T.COUNT] = np.rint(out[T.COUNT].astype(float)).astype(np.int64)
    out[T.SUPPRESSED] = out[T.N].to_numpy() < min_cell
    method = (
        "weighted share; design-effect-adjusted Wilson interval"
        if weights
        else "share of units coded; Wilson interval"
    )
    return make_result(
        out,
        indicator="theme_share",
        method=method,
        by=by_l,
        min_cell=min_cell,
        ci=ci,
        n_dropped=n_dropped,
        caveat="a theme's share counts units in which coders found it; silence on a theme "
        "is not disagreement with it",
        dropped="units with a missing grouping value",
        unit=unit,
        weights=weights,
        denominator="units in the units table"
        if units is not None
        else "units in the coding table",
    )


@dataclass(frozen=True, eq=False, repr=False)
class CooccurrenceResult(ResultMixin):
    """Code co-occurrence within units.

    Attributes
    ----------
    table : one row per pair of codes (code_a before code_b in code order): ``count``
        (units coded with both), ``n_a``, ``n_b`` (units with each), ``jaccard``
        (count / units with either), ``suppressed`` (count < min_cell).
    codes : the codes, in order.
    code_counts : units coded with each code, in the order of ``codes``.
    n : units examined (formerly ``n_units``).
    min_cell : small-count threshold.
    notes : anything else worth saying.
    """

    table: pd.DataFrame = field(repr=False)
    codes: tuple[str, ...]
    code_counts: tuple[int, ...]
    n: int
    min_cell: int
    notes: tuple[str, ...] = ()

    _aliases: ClassVar = {"n_units": "n"}

    def to_frame(self) -> pd.DataFrame:
        """The pairs with ``term`` (``"code_a & code_b"``) first."""
        t = self.table
        pair = t[T.CODE_A].astype(str) + " & " + t[T.CODE_B].astype(str)
        return tidy(t, term=pair.to_numpy())

    def matrix(self, kind: str = T.COUNT) -> pd.DataFrame:
        """Square code x code matrix of ``"count"`` (diagonal: units with the code) or
        ``"jaccard"`` (diagonal 1)."""
        import pandas as pd

        if kind not in (T.COUNT, T.JACCARD):
            raise SchemaError(f"kind={kind!r} is not known", fix='pass "count" or "jaccard"')
        k = len(self.codes)
        m = np.zeros((k, k))
        where = {c: i for i, c in enumerate(self.codes)}
        ia = self.table[T.CODE_A].map(where).to_numpy()
        ib = self.table[T.CODE_B].map(where).to_numpy()
        v = self.table[kind].to_numpy(dtype=float)
        m[ia, ib] = v
        m[ib, ia] = v
        if kind == T.COUNT:
            np.fill_diagonal(m, self.code_counts)
        else:
            np.fill_diagonal(m, 1.0)
        return pd.DataFrame(m, index=list(self.codes), columns=list(self.codes))

    def summary(self) -> str:
        t = self.table
        n_small = int(t[T.SUPPRESSED].sum()) if len(t) else 0
        top = t.sort_values(T.COUNT, ascending=False).head(3) if len(t) else t
        lines = [
            f"Code co-occurrence: {len(self.codes)} codes in {self.n} units; "
            f"{n_small} of {len(t)} pairs have fewer than {self.min_cell} units (flagged)",
        ]
        for _, r in top.iterrows():
            lines.append(
                f"  {r[T.CODE_A]} & {r[T.CODE_B]}: {r[T.COUNT]} units (Jaccard {r[T.JACCARD]:.2f})"
            )
        return "\n".join(lines)


@estimator()
def code_cooccurrence(
    coded: pd.DataFrame,
    *,
    unit: str = T.SEGMENT_ID,
    codes: Sequence[str] | None = None,
    coder: str | None = None,
    min_cell: int = 11,
) -> CooccurrenceResult:
    r"""How often codes appear in the same unit: counts and Jaccard similarity.

    .. math:: J(a, b) = \frac{|U_a \cap U_b|}{|U_a \cup U_b|}

    with :math:`U_a` the units coded :math:`a`.

    Parameters
    ----------
    coded : final coding, one row per unit x code (see :func:`theme_shares`).
    unit : unit column (``segment_id`` for passages, ``respondent_id`` for people).
    codes : codes to include (default: all, in order of appearance).
    coder : keep this coder's codes when ``coded`` holds several.
    min_cell : pairs seen in fewer units are flagged ``suppressed``.

    Returns
    -------
    CooccurrenceResult

    Examples
    --------
    >>> code_cooccurrence(coded).matrix("jaccard")  # doctest: +SKIP
    """
    import pandas as pd
    from scipy import sparse

    _need(coded, [unit, T.CODE], "coding")
    coded = _one_coding(coded, coder)
    all_units = pd.unique(coded[unit])
    hit = coded[coded[T.CODE].notna()][[unit, T.CODE]].drop_duplicates()
    code_list = list(pd.unique(hit[T.CODE])) if codes is None else list(codes)
    hit = hit[hit[T.CODE].isin(code_list)]
    ui = pd.Index(all_units).get_indexer(hit[unit])
    ci_ = pd.Index(code_list).get_indexer(hit[T.CODE])
    x = sparse.csr_matrix((np.ones(len(hit)), (ui, ci_)), shape=(len(all_units), len(code_list)))
    co = (x.T @ x).toarray()
    n_code = np.diag(co).copy()
    ia, ib = np.triu_indices(len(code_list), k=1)
    count = co[ia, ib]
    with np.errstate(divide="ignore", invalid="ignore"):
        jac = np.where(
            n_code[ia] + n_code[ib] - count > 0, count / (n_code[ia] + n_code[ib] - count), 0.0
        )
    table = pd.DataFrame(
        {
            T.CODE_A: [code_list[i] for i in ia],
            T.CODE_B: [code_list[i] for i in ib],
            T.COUNT: count.astype(np.int64),
            T.N_A: n_code[ia].astype(np.int64),
            T.N_B: n_code[ib].astype(np.int64),
            T.JACCARD: jac,
        }
    )
    table[T.SUPPRESSED] = table[T.COUNT].to_numpy() < min_cell
    return CooccurrenceResult(
        table=table,
        codes=tuple(code_list),
        code_counts=tuple(int(x) for x in n_code),
        n=len(all_units),
        min_cell=min_cell,
    )
