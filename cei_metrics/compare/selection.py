r"""Criteria for selecting teams: a need index and a readiness index for every LEA.

AB 1808 (2018), section 140, asks the network to "develop criteria for selecting other
teams that would benefit from and be successful in improving community engagement". Two
questions, two axes, never collapsed into one score:

- **need** (would benefit): chronic absenteeism and suspension and the number of student
  groups the Dashboard colours red, English-learner and unduplicated-pupil shares,
  Differentiated Assistance, and, where those are missing, low graduation or EL progress;
- **readiness** (would be successful): the LEA's Priority 3 self-ratings, their change
  from the year before, the engagement practices its public narratives name, and whether
  it met the Priority 3 local indicator.

Each index is a weighted mean of standardised components,

.. math:: I_i = \frac{\sum_{c \in A_i} w_c\, s_c\, z_{ic}}{\sum_{c \in A_i} w_c},
          \qquad z_{ic} = \frac{x_{ic} - \bar x_{c,t(i)}}{\operatorname{sd}_{c,t(i)}},

where :math:`z` standardises component *c* within the LEA's type *t(i)* (districts with
districts, charters with charters), :math:`s_c = \pm 1` orients it (higher = more need or
more readiness), and :math:`A_i` is the set of components the LEA has. **Missing
components** are handled by re-weighting over the available ones (the formula above);
``n_need`` and ``n_readiness`` count them, and an LEA with fewer than ``min_components``
gets no index. LEAs are ranked within their type (1 = most need, most ready).
:func:`rank_stability` re-draws the weights to show how much the ranks depend on them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .._api import estimator
from .._results import PlotMixin, ResultMixin, tidy
from ..errors import EstimationError, SchemaError
from ..schemas import LOWER_IS_BETTER, C
from ._cols import (
    AXIS,
    N_IN_TYPE,
    N_NEED,
    N_PRACTICES,
    N_READINESS,
    N_WORDS,
    NEED,
    NEED_RANK,
    P3_CHANGE,
    P3_MEAN,
    P3_MET,
    PRACTICES_N,
    QUADRANT,
    RANK,
    RANK_P05,
    RANK_P50,
    RANK_P95,
    READINESS,
    READINESS_RANK,
    RED_GROUPS,
    TAU_P05,
    TAU_P95,
    TOP_K,
    TOP_K_OVERLAP,
    TOP_K_P05,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "NEED_DIRECTIONS",
    "NEED_WEIGHTS",
    "PRACTICES",
    "READINESS_DIRECTIONS",
    "READINESS_WEIGHTS",
    "SelectionResult",
    "SensitivityResult",
    "narrative_practices",
    "need_components",
    "rank_stability",
    "readiness_components",
    "selection_indices",
]

#: Need components and their direction (+1: a higher value is more need).
NEED_DIRECTIONS: dict[str, int] = {
    "chronic_absenteeism": +1,
    "suspension": +1,
    RED_GROUPS: +1,
    C.PCT_EL: +1,
    C.PCT_UPC: +1,
    C.DA: +1,
    "graduation": -1,
    "elpi": -1,
}
#: Default need weights: the brief's components 1 each; graduation and EL progress, used
#: where the others are missing, 0.5.
NEED_WEIGHTS: dict[str, float] = {
    "chronic_absenteeism": 1.0,
    "suspension": 1.0,
    RED_GROUPS: 1.0,
    C.PCT_EL: 1.0,
    C.PCT_UPC: 1.0,
    C.DA: 1.0,
    "graduation": 0.5,
    "elpi": 0.5,
}
READINESS_DIRECTIONS: dict[str, int] = {P3_MEAN: +1, P3_CHANGE: +1, PRACTICES_N: +1, P3_MET: +1}
READINESS_WEIGHTS: dict[str, float] = {P3_MEAN: 1.0, P3_CHANGE: 0.5, PRACTICES_N: 1.0,
                                       P3_MET: 0.5}  # fmt: skip

#: Engagement practices looked for in the Priority 3 narratives: name -> phrases.
#: Simple keyword presence (case-insensitive, whole words; ``*`` ends a word stem), not a
#: reading of the text: a practice counts when any phrase occurs in any of the LEA's
#: narratives of the year. The list follows the practices the tool itself names
#: (two-way communication, advisory groups, family capacity building, partnering with
#: teachers, input from under-represented groups) and the common ways LEAs describe them.
PRACTICES: dict[str, tuple[str, ...]] = {
    "family_liaisons": ("liaison*", "community aide*", "promotor*"),
    "home_visits": ("home visit*",),
    "family_centers": ("family resource center*", "parent center*", "family center*",
                       "parent resource center*", "family engagement center*"),
    "parent_education": ("parent universit*", "parent academ*", "parent institute*",
                         "parent education", "parent workshop*", "family workshop*",
                         "parent class*", "piqe"),
    "advisory_groups": ("delac", "elac", "dac", "parent advisory", "advisory committee*",
                        "school site council*", "lcap advisory"),
    "surveys": ("survey*",),
    "language_access": ("translat*", "interpret*", "multilingual", "home language*",
                        "bilingual"),
    "two_way_communication": ("two-way", "2-way", "parentsquare", "parent square",
                              "text messag*", "talkingpoints", "remind app"),
    "community_partners": ("community partner*", "community-based organization*",
                           "community based organization*", "cbo*", "community organization*"),
    "teacher_family_partnering": ("academic parent teacher team*", "aptt",
                                  "parent-teacher conference*", "parent teacher conference*",
                                  "student-led conference*"),
    "community_schools": ("community school*",),
    "staff_capacity": ("professional development", "professional learning", "staff training",
                       "training for staff"),
}  # fmt: skip


def _pattern(phrases: Sequence[str]) -> re.Pattern:
    parts = []
    for p in phrases:
        stem = p.endswith("*")
        body = re.escape(p.rstrip("*")).replace(r"\ ", r"\s+")
        parts.append(rf"\b{body}" + (r"\w*" if stem else r"\b"))
    return re.compile("|".join(parts), re.IGNORECASE)


def narrative_practices(
    narratives: pd.DataFrame, *, practices: Mapping[str, Sequence[str]] | None = None
) -> pd.DataFrame:
    """Which engagement practices each LEA's narratives name, per year.

    Parameters
    ----------
    narratives : the text table of :func:`cei_metrics.io.read_p3_narratives`.
    practices : practice -> phrases (default :data:`PRACTICES`; ``*`` ends a stem).

    Returns
    -------
    DataFrame, one row per LEA and year: ``cds``, ``year``, ``lea_type`` (when given),
    one boolean column per practice, ``n_practices`` (how many are named) and
    ``n_words`` (words written, all prompts). Counts only: no text leaves this function.

    Examples
    --------
    >>> prac = cm.compare.narrative_practices(cm.io.read_p3_narratives("Pr32024.txt"))  # doctest: +SKIP
    """

    spec = dict(PRACTICES if practices is None else practices)
    for col in (C.CDS, C.YEAR, C.TEXT):
        if col not in narratives.columns:
            raise SchemaError(f"the narratives table lacks {col!r}", column=col,
                              fix="give the table read_p3_narratives returns")  # fmt: skip
    keys = [C.CDS, C.YEAR] + ([C.LEA_TYPE] if C.LEA_TYPE in narratives.columns else [])
    joined = narratives.groupby(keys, sort=True)[C.TEXT].agg(lambda s: "\n".join(s))
    out = joined.index.to_frame(index=False)
    text = joined.reset_index(drop=True)
    for name, phrases in spec.items():
        out[name] = text.str.contains(_pattern(phrases), regex=True).to_numpy()
    out[N_PRACTICES] = out[list(spec)].sum(axis=1).astype(int)
    out[N_WORDS] = text.str.split().str.len().astype(int).to_numpy()
    return out


def _latest(df: pd.DataFrame, year: str | None) -> str:
    years = sorted(df[C.YEAR].dropna().unique())
    if not years:
        raise EstimationError("no years in the table", fix="check the inputs")
    if year is None:
        return years[-1]
    if year not in years:
        raise EstimationError(f"year {year!r} is not in the table (years: {years})",
                              fix="pick one of them")  # fmt: skip
    return year


def need_components(
    *,
    outcomes: pd.DataFrame | None = None,
    upc: pd.DataFrame | None = None,
    enrollment: pd.DataFrame | None = None,
    assistance: pd.DataFrame | None = None,
    year: str | None = None,
    indicators: Sequence[str] = ("chronic_absenteeism", "suspension", "graduation", "elpi"),
) -> pd.DataFrame:
    """Raw need components per LEA (one row per ``cds``).

    - from ``outcomes`` (Dashboard or DataQuest, district-level rows and charter schools'
      own rows), for ``year`` (default: the latest with rows): the all-students value of
      each of ``indicators`` (``elpi`` from its English-learner row), and ``red_groups``,
      the number of student-group x indicator cells the Dashboard colours Red (1) that
      year, among the cells it colours (NaN for an LEA without a coloured cell: files
      without colours, suppressed groups);
    - from ``upc`` (:func:`cei_metrics.io.read_cde` of the UPC file): ``pct_el`` and
      ``pct_upc``; else from ``enrollment`` (Census Day): ``pct_el`` (EL / all students);
    - from ``assistance``: ``da`` (1 if in Differentiated Assistance, else 0).

    Returns
    -------
    DataFrame indexed by ``cds`` with ``lea_type`` (when any input gives it) and the
    component columns present in the inputs; ``df.attrs["year"]`` is the outcomes year.
    """
    import pandas as pd

    parts, types = [], []
    attrs = {}
    if outcomes is not None:
        o = outcomes
        lea_rows = (o[C.LEVEL] == "district") | (
            (o[C.LEVEL] == "school") & (o.get(C.LEA_TYPE, "") == "charter")
        )
        o = o[lea_rows]
        y = _latest(o, year)
        attrs["year"] = y
        o = o[o[C.YEAR] == y]
        allg = o[C.GROUP_CODE].isin(["ALL", "TA"]) | (
            (o[C.INDICATOR] == "elpi") & (o[C.GROUP_CODE] == "EL")
        )
        for ind in indicators:
            v = o[allg & (o[C.INDICATOR] == ind)].drop_duplicates(C.CDS).set_index(C.CDS)
            if len(v):
                parts.append(v[C.VALUE].rename(ind))
        if C.COLOR in o.columns and o[C.COLOR].notna().any():
            colored = o[o[C.COLOR].notna()]  # an LEA with no coloured cell has no count
            red = (colored[C.COLOR] == 1).groupby(colored[C.CDS]).sum().astype(float)
            parts.append(red.rename(RED_GROUPS))
        if C.LEA_TYPE in o.columns:
            types.append(o.drop_duplicates(C.CDS).set_index(C.CDS)[C.LEA_TYPE])
    if upc is not None:
        u = upc.drop_duplicates(C.CDS, keep="last").set_index(C.CDS)
        parts += [u[C.PCT_EL].rename(C.PCT_EL), u[C.PCT_UPC].rename(C.PCT_UPC)]
        types.append(u[C.LEA_TYPE])
    elif enrollment is not None:
        e = enrollment[enrollment[C.GROUP_CODE].isin(["SE", "EL"])]
        e = e.drop_duplicates(C.CDS, keep="last").set_index(C.CDS)
        parts.append(e[C.PCT_OF_TOTAL].rename(C.PCT_EL))
        types.append(e[C.LEA_TYPE])
    if assistance is not None:
        a = assistance.drop_duplicates(C.CDS, keep="last").set_index(C.CDS)
        parts.append(a[C.DA].astype(float).rename(C.DA))
        types.append(a[C.LEA_TYPE])
    if not parts:
        raise EstimationError("no need component could be built",
                              fix="give outcomes, upc/enrollment or assistance tables")  # fmt: skip
    out = pd.concat(parts, axis=1)
    if types:
        t = pd.concat(types)
        out.insert(0, C.LEA_TYPE, t[~t.index.duplicated()].reindex(out.index))
    out.index.name = C.CDS
    out.attrs.update(attrs)
    return out


def readiness_components(
    *,
    ratings: pd.DataFrame | None = None,
    practices: pd.DataFrame | None = None,
    p3_met: pd.DataFrame | None = None,
    year: str | None = None,
) -> pd.DataFrame:
    """Raw readiness components per LEA (one row per ``cds``).

    - from ``ratings`` (Priority 3, canonical ratings table): ``p3_mean``, the mean of the
      answered items in ``year`` (default: the latest), and ``p3_change``, that mean minus
      the mean of the preceding school year (NaN without both); only LEAs that reported
      in ``year`` are kept;
    - from ``practices`` (:func:`narrative_practices`): ``practices``, how many practices
      the narratives of ``year`` name;
    - from ``p3_met`` (``read_cde(..., kind="local_indicator")`` of the Priority 3 file):
      ``p3_met``, 1 when the LEA met the indicator that year, 0 when not.

    Returns
    -------
    DataFrame indexed by ``cds`` with ``lea_type`` and the components present;
    ``df.attrs["year"]`` the year used.
    """
    import pandas as pd

    from ..schemas import school_year, year_start

    parts, types = [], []
    y = None
    if ratings is not None:
        r = ratings
        if C.TOOL in r.columns:
            r = r[r[C.TOOL] == "priority3_self_reflection"]
        y = _latest(r, year)
        prev = school_year(year_start(y) - 1)
        means = r.groupby([C.CDS, C.YEAR])[C.RATING].mean().unstack(C.YEAR)
        in_year = r.loc[r[C.YEAR] == y, C.CDS].unique()  # LEAs that reported that year
        means = means.reindex(in_year)
        parts.append(means[y].rename(P3_MEAN))
        if prev in means.columns:
            parts.append((means[y] - means[prev]).rename(P3_CHANGE))
        if C.LEA_TYPE in r.columns:
            types.append(r[r[C.YEAR] == y].drop_duplicates(C.CDS).set_index(C.CDS)[C.LEA_TYPE])
    if practices is not None:
        y = y or _latest(practices, year)
        p = practices[practices[C.YEAR] == y].set_index(C.CDS)
        parts.append(p[N_PRACTICES].astype(float).rename(PRACTICES_N))
        if C.LEA_TYPE in p.columns:
            types.append(p[C.LEA_TYPE])
    if p3_met is not None:
        y = y or _latest(p3_met, year)
        m = p3_met[p3_met[C.YEAR] == y].drop_duplicates(C.CDS).set_index(C.CDS)
        parts.append(m[C.VALUE].astype(float).rename(P3_MET))
        if C.LEA_TYPE in m.columns:
            types.append(m[C.LEA_TYPE])
    if not parts:
        raise EstimationError("no readiness component could be built",
                              fix="give ratings, practices or p3_met tables")  # fmt: skip
    out = pd.concat(parts, axis=1)
    if types:
        t = pd.concat(types)
        out.insert(0, C.LEA_TYPE, t[~t.index.duplicated()].reindex(out.index))
    out.index.name = C.CDS
    out.attrs["year"] = y
    return out


def _standardise(x: pd.DataFrame, types: pd.Series) -> pd.DataFrame:
    """z-scores of each column within LEA type (ddof=1); a column constant within a type
    gives 0 there (it does not separate those LEAs)."""
    g = x.groupby(types.to_numpy(), dropna=False)
    mean = g.transform("mean")
    sd = g.transform("std")  # ddof=1
    z = (x - mean) / sd
    return z.where(~((sd == 0) & x.notna()), 0.0)


def _index(z: pd.DataFrame, weights: Mapping[str, float], directions: Mapping[str, int],
           min_components: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    cols = [c for c in z.columns if weights.get(c, 0) > 0]
    if not cols:
        return np.full(len(z), np.nan), np.zeros(len(z), int)
    zz = z[cols].to_numpy(dtype=float) * np.array([directions.get(c, 1) for c in cols])
    w = np.array([weights[c] for c in cols], dtype=float)
    avail = ~np.isnan(zz)
    wsum = (avail * w).sum(axis=1)
    num = np.where(avail, zz * w, 0.0).sum(axis=1)
    n = avail.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        idx = np.where((n >= min_components) & (wsum > 0), num / wsum, np.nan)
    return idx, n


def _rank_within(values: np.ndarray, types: np.ndarray) -> np.ndarray:
    """Rank 1 = largest value, within each type; ties share the lowest rank; NaN stays NaN
    (pandas ``groupby(types).rank(ascending=False, method="min")``)."""
    from scipy.stats import rankdata

    out = np.full(len(values), np.nan)
    for t in np.unique(types.astype(str)):
        m = (types.astype(str) == t) & ~np.isnan(values)
        if m.any():
            out[m] = rankdata(-values[m], method="min")
    return out


@dataclass(frozen=True, repr=False)
class SelectionResult(ResultMixin, PlotMixin):
    """Need and readiness of every LEA, ranked within LEA type (two axes, no single score).

    ``table``: ``cds``, ``name``, ``lea_type``, ``need``, ``readiness`` (indices, in
    within-type standard deviations), ``need_rank``, ``readiness_rank`` (1 = most need /
    most ready within the type), ``n_need``, ``n_readiness`` (components used),
    ``n_in_type`` (LEAs of the type) and ``quadrant`` (above or below the type's median on
    each axis). ``to_frame()`` puts ``term`` (the LEA's code) before it.
    """

    table: pd.DataFrame
    need_z: pd.DataFrame
    readiness_z: pd.DataFrame
    need_weights: dict[str, float]
    readiness_weights: dict[str, float]
    need_directions: dict[str, int]
    readiness_directions: dict[str, int]
    min_components: int
    n: int
    n_dropped: int
    notes: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        return tidy(self.table, term=C.CDS)

    def summary(self) -> str:
        t = self.table
        per = t.groupby(C.LEA_TYPE).size().to_dict()
        lines = [
            f"Selection criteria: need and readiness of {self.n} LEAs "
            f"({', '.join(f'{v} {k}' for k, v in per.items())}), ranked within LEA type",
            "index = weighted mean of within-type z-scores over the components an LEA has; "
            f"at least {self.min_components} component(s) needed",
            "need weights: " + ", ".join(f"{k} {v:g}" for k, v in self.need_weights.items()),
            "readiness weights: "
            + ", ".join(f"{k} {v:g}" for k, v in self.readiness_weights.items()),
            f"{int(t[NEED].isna().sum())} LEA(s) without a need index, "
            f"{int(t[READINESS].isna().sum())} without a readiness index",
        ]
        return "\n".join(lines + list(self.notes))

    def plot_data(self, **kw) -> pd.DataFrame:
        """What :meth:`plot` draws (:func:`cei_metrics.viz.need_readiness_data`)."""
        from .plotdata import need_readiness_data

        return need_readiness_data(self, **kw)


@estimator()
def selection_indices(
    need: pd.DataFrame,
    readiness: pd.DataFrame,
    *,
    need_weights: Mapping[str, float] | None = None,
    readiness_weights: Mapping[str, float] | None = None,
    need_directions: Mapping[str, int] | None = None,
    readiness_directions: Mapping[str, int] | None = None,
    min_components: int = 1,
    names: Mapping[str, str] | pd.Series | None = None,
    lea_types: pd.Series | None = None,
) -> SelectionResult:
    """Need and readiness indices of every LEA (module docstring: formula, missing rule).

    Parameters
    ----------
    need, readiness : component tables indexed by ``cds`` (:func:`need_components`,
        :func:`readiness_components`, or your own with a ``lea_type`` column).
    need_weights, readiness_weights : component -> weight (defaults
        :data:`NEED_WEIGHTS`, :data:`READINESS_WEIGHTS`); edit them to change the
        criteria; 0 leaves a component out.
    need_directions, readiness_directions : component -> +1 / -1 (higher = more need or
        readiness); defaults :data:`NEED_DIRECTIONS` (graduation and EL progress -1, other
        outcomes by :data:`cei_metrics.schemas.LOWER_IS_BETTER`) and
        :data:`READINESS_DIRECTIONS`.
    min_components : least components an LEA needs for an index.
    names : code -> LEA name.
    lea_types : code -> LEA type, where the component tables lack ``lea_type``.

    Returns
    -------
    SelectionResult (``.table``, ``.plot()``; :func:`rank_stability` for sensitivity).

    Examples
    --------
    >>> sel = cm.compare.selection_indices(need, ready)         # doctest: +SKIP
    >>> sel.table.sort_values(["lea_type", "need_rank"]).head()  # doctest: +SKIP
    """
    import pandas as pd

    nw = dict(NEED_WEIGHTS if need_weights is None else need_weights)
    rw = dict(READINESS_WEIGHTS if readiness_weights is None else readiness_weights)
    nd = {**NEED_DIRECTIONS, **(need_directions or {})}
    for c in nw:
        nd.setdefault(c, +1 if c in LOWER_IS_BETTER else -1 if c in (
            "graduation", "elpi", "ela_dfs", "math_dfs", "college_career") else +1)  # fmt: skip
    rd = {**READINESS_DIRECTIONS, **(readiness_directions or {})}
    for w in (*nw.values(), *rw.values()):
        if not np.isfinite(w) or w < 0:
            raise SchemaError(f"weight {w}", fix="weights are finite and >= 0")
    idx = need.index.union(readiness.index)
    types = pd.Series(None, index=idx, dtype=object)
    for src in (lea_types, readiness.get(C.LEA_TYPE), need.get(C.LEA_TYPE)):
        if src is not None:
            types = types.fillna(src.reindex(idx))
    if types.isna().any():
        missing = types.index[types.isna()][:3].tolist()
        raise SchemaError(f"LEA type unknown for {int(types.isna().sum())} LEA(s), e.g. "
                          f"{missing}", column=C.LEA_TYPE,
                          fix="give lea_types= or component tables with a lea_type column")  # fmt: skip
    nx = need.reindex(idx).drop(columns=[C.LEA_TYPE], errors="ignore").astype(float)
    rx = readiness.reindex(idx).drop(columns=[C.LEA_TYPE], errors="ignore").astype(float)
    unused = [c for c in nx.columns if nw.get(c, 0) == 0] + [
        c for c in rx.columns if rw.get(c, 0) == 0
    ]
    nz = _standardise(nx, types)
    rz = _standardise(rx, types)
    n_idx, n_n = _index(nz, nw, nd, min_components)
    r_idx, r_n = _index(rz, rw, rd, min_components)
    t = types.to_numpy(dtype=object)
    table = pd.DataFrame(
        {
            C.CDS: idx.to_numpy(dtype=object),
            C.NAME: pd.Series(names).reindex(idx).to_numpy(dtype=object)
            if names is not None else None,
            C.LEA_TYPE: t,
            NEED: n_idx,
            READINESS: r_idx,
            NEED_RANK: _rank_within(n_idx, t),
            READINESS_RANK: _rank_within(r_idx, t),
            N_NEED: n_n,
            N_READINESS: r_n,
        }
    )  # fmt: skip
    table[N_IN_TYPE] = table.groupby(C.LEA_TYPE)[C.CDS].transform("size")
    med_n = table.groupby(C.LEA_TYPE)[NEED].transform("median")
    med_r = table.groupby(C.LEA_TYPE)[READINESS].transform("median")
    hi_n = np.where(table[NEED] > med_n, "higher need", "lower need")
    hi_r = np.where(table[READINESS] > med_r, "higher readiness", "lower readiness")
    quad = pd.Series(hi_n, dtype=object) + ", " + pd.Series(hi_r, dtype=object)
    table[QUADRANT] = quad.where(table[NEED].notna() & table[READINESS].notna(), "")
    notes = []
    if unused:
        notes.append(f"components with weight 0 or no weight, left out: {unused}")
    n_drop = int((table[NEED].isna() | table[READINESS].isna()).sum())
    return SelectionResult(
        table=table,
        need_z=nz,
        readiness_z=rz,
        need_weights={c: nw[c] for c in nx.columns if nw.get(c, 0) > 0},
        readiness_weights={c: rw[c] for c in rx.columns if rw.get(c, 0) > 0},
        need_directions={c: nd.get(c, 1) for c in nx.columns},
        readiness_directions={c: rd.get(c, 1) for c in rx.columns},
        min_components=min_components,
        n=len(table),
        n_dropped=n_drop,
        notes=tuple(notes),
    )


@dataclass(frozen=True, repr=False)
class SensitivityResult(ResultMixin):
    """How stable the within-type ranks are when the weights are re-drawn.

    ``table``: one row per axis and LEA type: ``term`` (``"need: district"``), ``axis``,
    ``lea_type``, ``estimate`` (mean Kendall's tau-b between the ranks under the chosen
    weights and under re-drawn weights), ``tau_p05``, ``tau_p95``, ``top_k_overlap``
    (mean share of the top ``k`` kept), ``top_k_p05``, ``top_k``, ``n`` (LEAs ranked);
    ``to_frame()`` has the same columns with ``term, estimate, n`` first.
    ``lea_ranks``: per LEA and axis the 5th, 50th and 95th percentile of its rank across
    draws.
    """

    table: pd.DataFrame
    lea_ranks: pd.DataFrame
    n_draws: int
    spread: float
    top_k: int
    seed: int | None
    n: int
    notes: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        return tidy(self.table)

    def summary(self) -> str:
        lines = [
            f"Rank stability over {self.n_draws} re-drawn weight sets (each weight times "
            f"exp(N(0, {self.spread:g}^2)), seed {self.seed}); Kendall's tau-b and "
            f"top-{self.top_k} overlap against the chosen weights"
        ]
        return "\n".join(lines + list(self.notes))


@estimator()
def rank_stability(
    result: SelectionResult,
    *,
    n_draws: int = 200,
    spread: float = 0.5,
    top_k: int = 20,
    seed: int | None = None,
) -> SensitivityResult:
    r"""Sensitivity of the rankings to the weights.

    Each draw multiplies every weight by :math:`\exp(\sigma \varepsilon_c)`,
    :math:`\varepsilon_c \sim N(0, 1)` independent, :math:`\sigma` = ``spread`` (0.5: a
    weight typically moves by a factor between 0.6 and 1.6), recomputes both indices with
    the same standardised components and missing-data rule, and ranks within LEA type.
    Per axis and type it reports Kendall's :math:`\tau_b` between the chosen and the
    re-drawn ranking (LEAs with an index) and the share of the chosen top ``k`` still in
    the re-drawn top ``k`` (``k`` capped at half the LEAs of the type).

    Parameters
    ----------
    result : a :class:`SelectionResult`.
    n_draws, spread : number of draws and log-scale spread of the weights.
    top_k : size of the "selected" set compared.
    seed : for the draws (stored in the result).

    Returns
    -------
    SensitivityResult.

    References
    ----------
    Saisana, Saltelli & Tarantola (2005), Uncertainty and sensitivity analysis techniques
    as tools for the quality assessment of composite indicators, *JRSS A* 168:307-323.
    Kendall's tau-b as scipy ``kendalltau`` (R ``cor(method = "kendall")``).

    Examples
    --------
    >>> cm.compare.rank_stability(sel, n_draws=200, seed=2019).to_frame()  # doctest: +SKIP
    """
    import pandas as pd
    from scipy.stats import kendalltau

    if n_draws < 1 or spread < 0 or top_k < 1:
        raise SchemaError("n_draws >= 1, spread >= 0 and top_k >= 1 are needed",
                          fix="check the arguments")  # fmt: skip
    rng = np.random.default_rng(seed)
    t = result.table
    types = t[C.LEA_TYPE].to_numpy(dtype=object)
    axes = {
        NEED: (result.need_z, result.need_weights, result.need_directions, NEED_RANK),
        READINESS: (result.readiness_z, result.readiness_weights, result.readiness_directions,
                    READINESS_RANK),
    }  # fmt: skip
    rows, rank_rows = [], []
    for axis, (z, w, d, rank_col) in axes.items():
        cols = list(w)
        base_rank = t[rank_col].to_numpy(dtype=float)
        draws = np.empty((n_draws, len(t)))
        zz = z[cols].to_numpy(dtype=float) * np.array([d.get(c, 1) for c in cols])
        avail = ~np.isnan(zz)
        zz0 = np.where(avail, zz, 0.0)
        n_avail = avail.sum(axis=1)
        w0 = np.array([w[c] for c in cols], dtype=float)
        for b in range(n_draws):
            wb = w0 * np.exp(spread * rng.standard_normal(len(cols)))
            with np.errstate(invalid="ignore", divide="ignore"):
                idx = np.where(n_avail >= result.min_components, (zz0 @ wb) / (avail @ wb),
                               np.nan)  # fmt: skip
            draws[b] = _rank_within(idx, types)
        for lt in sorted(set(types)):
            m = (types == lt) & ~np.isnan(base_rank)
            nm = int(m.sum())
            if nm < 2:
                continue
            k = max(1, min(top_k, nm // 2))
            base_top = set(np.flatnonzero(m)[np.argsort(base_rank[m], kind="stable")[:k]])
            taus, overlap = [], []
            for b in range(n_draws):
                r = draws[b, m]
                taus.append(kendalltau(base_rank[m], r).statistic)
                top = set(np.flatnonzero(m)[np.argsort(r, kind="stable")[:k]])
                overlap.append(len(base_top & top) / k)
            taus = np.asarray(taus, dtype=float)
            overlap = np.asarray(overlap, dtype=float)
            rows.append((f"{axis}: {lt}", axis, lt, float(np.nanmean(taus)),
                         float(np.nanpercentile(taus, 5)), float(np.nanpercentile(taus, 95)),
                         float(overlap.mean()), float(np.percentile(overlap, 5)), k, nm))  # fmt: skip
        q = np.full((3, len(t)), np.nan)
        has = ~np.isnan(base_rank)  # an LEA has an index in every draw or in none
        if has.any():
            q[:, has] = np.percentile(draws[:, has], [5, 50, 95], axis=0)
        rank_rows.append(pd.DataFrame({C.CDS: t[C.CDS].to_numpy(), AXIS: axis,
                                       RANK: base_rank, RANK_P05: q[0],
                                       RANK_P50: q[1], RANK_P95: q[2]}))  # fmt: skip
    table = pd.DataFrame(rows, columns=[C.TERM, AXIS, C.LEA_TYPE, C.ESTIMATE, TAU_P05,
                                        TAU_P95, TOP_K_OVERLAP, TOP_K_P05, TOP_K,
                                        C.N])  # fmt: skip
    return SensitivityResult(
        table=table,
        lea_ranks=pd.concat(rank_rows, ignore_index=True),
        n_draws=n_draws,
        spread=float(spread),
        top_k=top_k,
        seed=seed,
        n=len(t),
    )
