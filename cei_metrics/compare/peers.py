"""Districts like this: nearest-neighbour peers of an LEA on public characteristics.

The same peer sets serve three purposes: a benchmark (how does this LEA compare with LEAs
like it, :func:`cei_metrics.compare.benchmark`), a comparison group for impact estimates
(:func:`comparison_group`), and context for selection (:mod:`cei_metrics.compare.selection`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .._api import estimator
from .._results import ResultMixin, tidy
from ..errors import EstimationError, SchemaError
from ..schemas import C
from ._cols import BASELINE, DISTANCE, LOG_ENROLLMENT, N_FEATURES, PEER, RANK, TARGET, WEIGHT_SHARE

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "DEFAULT_PEER_WEIGHTS",
    "LOG_ENROLLMENT",
    "PeerResult",
    "comparison_group",
    "find_peers",
    "group_shares",
    "lea_features",
]

#: Default weights of the peer distance. Numeric features are compared in standard
#: deviations; a categorical feature adds 1 (one standard deviation) when the two LEAs
#: differ. LEA type is also an exact constraint by default (``exact=``).
DEFAULT_PEER_WEIGHTS: dict[str, float] = {
    LOG_ENROLLMENT: 1.0,
    C.PCT_EL: 1.0,
    C.PCT_SED: 1.0,
    BASELINE: 1.0,
    C.DISTRICT_TYPE: 1.0,
    C.COUNTY: 0.5,
}


def _frame_by_cds(df: pd.DataFrame, what: str) -> pd.DataFrame:
    if C.CDS not in df.columns:
        raise SchemaError(f"the {what} lacks a {C.CDS!r} column", column=C.CDS,
                          fix="give one row per LEA keyed by its 14-digit CDS code")  # fmt: skip
    dup = df[C.CDS].duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise SchemaError(
            f"the {what} has LEA {df[C.CDS].iloc[i]!r} twice",
            row=i + 1,
            column=C.CDS,
            fix="keep one row per LEA (filter to one year, group and indicator first)",
        )
    return df.set_index(C.CDS)


def lea_features(
    *,
    directory: pd.DataFrame | None = None,
    shares: pd.DataFrame | None = None,
    baseline: pd.Series | pd.DataFrame | None = None,
    leas: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per LEA with the features :func:`find_peers` compares.

    Parameters
    ----------
    directory : the district directory (``read_cde`` of ``pubdistricts.txt``, or a frame
        with ``cds``, ``name``, ``lea_type``, ``district_type``, ``county``); gives the
        LEA's type, district type and county.
    shares : one row per LEA with ``cds``, ``enrollment``, ``pct_el``, ``pct_sed`` (from
        the UPC file, Census Day enrollment or :func:`group_shares`); ``log_enrollment``
        is added as :math:`\\log(\\text{enrollment})`.
    baseline : a baseline outcome per LEA: a Series indexed by ``cds`` or a frame with
        ``cds`` and ``value`` (e.g. the graduation rate of the pre-period).
    leas : restrict to these codes (default: every LEA in any input).

    Returns
    -------
    DataFrame indexed by ``cds`` with whichever of ``name, lea_type, district_type,
    county, enrollment, log_enrollment, pct_el, pct_sed, baseline`` the inputs give.
    """
    import pandas as pd

    parts = []
    if directory is not None:
        d = _frame_by_cds(directory, "directory")
        keep = [c for c in (C.NAME, C.LEA_TYPE, C.DISTRICT_TYPE, C.COUNTY) if c in d.columns]
        parts.append(d[keep])
    if shares is not None:
        s = _frame_by_cds(shares, "shares table")
        keep = [c for c in (C.ENROLLMENT, C.PCT_EL, C.PCT_SED) if c in s.columns]
        s = s[keep].astype(float)
        if C.ENROLLMENT in s.columns:
            with np.errstate(divide="ignore", invalid="ignore"):
                s[LOG_ENROLLMENT] = np.where(s[C.ENROLLMENT] > 0, np.log(s[C.ENROLLMENT]), np.nan)
        parts.append(s)
    if baseline is not None:
        b = baseline
        if isinstance(b, pd.DataFrame):
            b = _frame_by_cds(b, "baseline")[C.VALUE]
        parts.append(b.astype(float).rename(BASELINE).to_frame())
    if not parts:
        raise SchemaError("no inputs", fix="give a directory, shares and/or a baseline")
    out = pd.concat(parts, axis=1, join="outer")
    out.index.name = C.CDS
    if leas is not None:
        out = out.reindex(list(leas))
    for c in (C.DISTRICT_TYPE, C.COUNTY, C.LEA_TYPE, C.NAME):
        if c in out.columns:
            out[c] = out[c].astype(object).where(out[c].notna() & (out[c] != "nan"), None)
    return out


def group_shares(outcomes: pd.DataFrame, *, indicator: str, year: str) -> pd.DataFrame:
    """Size and EL / SED shares of an indicator's denominator, per LEA.

    When Census Day enrollment or the UPC file is not at hand, the Dashboard's own
    denominators by student group give a proxy: for graduation, the four-year cohort
    (``enrollment`` = all students' cohort, ``pct_el`` = 100 x EL cohort / all,
    ``pct_sed`` = 100 x SED cohort / all). District-level rows only; codes ``ALL``/``TA``,
    ``EL``/``SE`` and ``SED``/``SS``.

    Returns
    -------
    DataFrame ``cds, enrollment, pct_el, pct_sed`` (NaN where a group's denominator is
    missing).
    """
    import pandas as pd

    o = outcomes[
        (outcomes[C.INDICATOR] == indicator)
        & (outcomes[C.YEAR] == year)
        & (outcomes[C.LEVEL] == "district")
    ]
    if o.empty:
        raise EstimationError(f"no district rows of {indicator!r} in {year}",
                              fix="check the indicator and year")  # fmt: skip
    code = o[C.GROUP_CODE].replace({"TA": "ALL", "SE": "EL", "SS": "SED"})
    wide = pd.pivot_table(
        o.assign(_g=code.to_numpy()), index=C.CDS, columns="_g", values=C.DENOMINATOR,
        aggfunc="first",
    )  # fmt: skip
    tot = wide.get("ALL")
    if tot is None:
        raise EstimationError("no all-students rows", fix="keep the ALL/TA rows")
    out = pd.DataFrame({C.ENROLLMENT: tot})
    for col, g in ((C.PCT_EL, "EL"), (C.PCT_SED, "SED")):
        out[col] = 100.0 * wide[g] / tot if g in wide.columns else np.nan
    return out.reset_index()


@dataclass(frozen=True, repr=False)
class PeerResult(ResultMixin):
    """Nearest-neighbour peers of one or more LEAs.

    ``table``: one row per target and peer: ``target``, ``rank`` (1 = nearest), ``peer``,
    ``distance`` (module formula), ``n_features`` (features both LEAs have),
    ``weight_share`` (their weight over the target's), ``name`` (the peer's, when known).
    ``to_frame()`` puts ``term`` (``"target=...; peer=..."``) before it.
    """

    table: pd.DataFrame
    k: int
    weights: dict[str, float]
    exact: tuple[str, ...]
    scale: dict[str, float]
    n: int  # LEAs in the pool
    n_dropped: int  # candidates left out for too little overlap
    notes: tuple[str, ...] = field(default=())

    def peers(self, target: str) -> list[str]:
        """The peer codes of one target, nearest first."""
        t = self.table
        return t.loc[t[TARGET] == target, PEER].tolist()

    def to_frame(self) -> pd.DataFrame:
        t = self.table
        key = TARGET + "=" + t[TARGET].astype(str) + "; " + PEER + "=" + t[PEER].astype(str)
        return tidy(t, term=key.to_numpy())

    def summary(self) -> str:
        n_t = self.table[TARGET].nunique()
        w = ", ".join(f"{k} {v:g}" for k, v in self.weights.items())
        lines = [
            f"Peers: {self.k} nearest of {self.n} LEAs for {n_t} LEA(s); weights {w}; "
            f"exact match on {', '.join(self.exact) or 'nothing'}",
            "distance = sqrt(sum_f w_f d_f^2 / sum_f w_f) over the features both LEAs "
            "have; numeric d_f in standard deviations, categorical d_f = 1 if different",
        ]
        lines += list(self.notes)
        return "\n".join(lines)


def _prepare(features: pd.DataFrame, weights: Mapping[str, float]):
    import pandas as pd

    num, cat = {}, {}
    for f, w in weights.items():
        if w < 0 or not np.isfinite(w):
            raise SchemaError(f"weight of {f!r} is {w}", fix="weights are >= 0")
        if f not in features.columns or w == 0:
            continue
        col = features[f]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            x = col.to_numpy(dtype=float)
            sd = float(np.nanstd(x, ddof=1)) if np.sum(~np.isnan(x)) > 1 else np.nan
            if not np.isfinite(sd) or sd == 0:
                continue  # no variation: says nothing about similarity
            num[f] = (x, sd, float(w))
        else:
            vals = col.astype(object).where(col.notna(), None).to_numpy()
            if len({v for v in vals if v is not None}) < 2:
                continue  # one category only: says nothing about similarity
            cat[f] = (vals, float(w))
    if not num and not cat:
        raise EstimationError(
            f"none of the weighted features {list(weights)} is in the features table "
            f"(columns: {list(features.columns)}) with variation",
            fix="build the table with lea_features() or name your columns in weights=",
        )
    return num, cat


def _distances(i: int, num, cat, n: int):
    """Weighted distance from row i to every row, the features both have, the weight share."""
    wsum = np.zeros(n)
    acc = np.zeros(n)
    nfeat = np.zeros(n, dtype=int)
    w_target = 0.0
    for x, sd, w in num.values():
        if np.isnan(x[i]):
            continue
        w_target += w
        ok = ~np.isnan(x)
        d = np.where(ok, (x - x[i]) / sd, 0.0)
        acc += np.where(ok, w * d * d, 0.0)
        wsum += np.where(ok, w, 0.0)
        nfeat += ok
    for x, w in cat.values():
        if x[i] is None:
            continue
        w_target += w
        ok = np.fromiter((v is not None for v in x), bool, n)
        diff = np.fromiter((v != x[i] for v in x), float, n)
        acc += np.where(ok, w * diff, 0.0)
        wsum += np.where(ok, w, 0.0)
        nfeat += ok
    with np.errstate(invalid="ignore", divide="ignore"):
        dist = np.sqrt(acc / wsum)
        share = wsum / w_target if w_target > 0 else np.zeros(n)
    return dist, nfeat, share


@estimator()
def find_peers(
    features: pd.DataFrame,
    targets: str | Sequence[str],
    *,
    k: int = 10,
    weights: Mapping[str, float] | None = None,
    exact: Sequence[str] = (C.LEA_TYPE,),
    exclude: Sequence[str] = (),
    min_weight_share: float = 0.5,
) -> PeerResult:
    r"""The ``k`` LEAs most like each target on public characteristics.

    .. math:: D_{ij} = \sqrt{\frac{\sum_{f \in F_{ij}} w_f\, d_f(i,j)^2}
                                   {\sum_{f \in F_{ij}} w_f}}, \qquad
              d_f(i,j) = \begin{cases} (x_{if} - x_{jf}) / s_f & f \text{ numeric} \\
                                       \mathbf 1[x_{if} \neq x_{jf}] & f \text{ categorical}
                         \end{cases}

    with :math:`s_f` the standard deviation of feature *f* over every LEA in
    ``features`` (``ddof=1``), and :math:`F_{ij}` the features both LEAs have (missing
    values leave a feature out of that pair, and the weights are re-normalised over the
    rest). A candidate whose shared features carry less than ``min_weight_share`` of the
    target's feature weight is not a peer. With every feature present and equal weights
    this is the standardised Euclidean distance divided by :math:`\sqrt{p}` (R
    ``dist(scale(X)) / sqrt(p)``; scipy ``cdist(..., "seuclidean")``).

    Parameters
    ----------
    features : one row per LEA indexed by ``cds`` (:func:`lea_features`).
    targets : the LEA(s) whose peers are wanted.
    k : peers per target.
    weights : feature -> weight (default :data:`DEFAULT_PEER_WEIGHTS`: log enrolment, EL
        and SED shares and the baseline outcome 1 each; district type 1; county 0.5).
        Features not in ``features`` are skipped; a weight of 0 drops a feature.
    exact : columns on which a peer must equal the target (default LEA type: districts
        are compared with districts, charters with charters).
    exclude : codes never chosen as peers (e.g. other treated LEAs).
    min_weight_share : least share of the target's feature weight a pair must share.

    Returns
    -------
    PeerResult (``.table``, ``.peers(cds)``, ``.summary()``). Ties in distance go to the
    lower code.

    Raises
    ------
    SchemaError for a target not in ``features``; EstimationError when no weighted
    feature is usable.

    References
    ----------
    Stuart (2010), Matching methods for causal inference, *Statistical Science* 25:1-21
    (distance measures; exact matching on key covariates). Agrees with R
    ``as.matrix(dist(scale(X)))/sqrt(p)`` and scipy ``cdist(X, X, "seuclidean")`` on
    complete data (tests/reference/compare_peers_reference.R).

    Examples
    --------
    >>> feats = cm.compare.lea_features(directory=d, shares=upc, baseline=grad)  # doctest: +SKIP
    >>> cm.compare.find_peers(feats, "30664310000000", k=5).peers("30664310000000")  # doctest: +SKIP
    """
    import pandas as pd

    w = dict(DEFAULT_PEER_WEIGHTS if weights is None else weights)
    tg = [targets] if isinstance(targets, str) else list(targets)
    feats = features
    if C.CDS in feats.columns:
        feats = _frame_by_cds(feats, "features table")
    missing = [t for t in tg if t not in feats.index]
    if missing:
        raise SchemaError(f"target LEA(s) {missing} are not in the features table",
                          column=C.CDS, fix="build the features for every LEA of the pool")  # fmt: skip
    if k < 1:
        raise SchemaError(f"k={k}", fix="k is the number of peers, at least 1")
    num, cat = _prepare(feats, w)
    codes = feats.index.to_numpy(dtype=object)
    n = len(codes)
    pos = {c: i for i, c in enumerate(codes)}
    ex = set(exclude)
    names = feats[C.NAME] if C.NAME in feats.columns else None
    rows = []
    dropped = 0
    for t in tg:
        i = pos[t]
        dist, nfeat, share = _distances(i, num, cat, n)
        ok = np.ones(n, bool)
        ok[i] = False
        for col in exact:
            if col in feats.columns:
                ok &= feats[col].to_numpy(dtype=object) == feats[col].iloc[i]
        ok &= ~np.isin(codes, list(ex))
        enough = share >= min_weight_share - 1e-12
        dropped += int((ok & ~enough).sum())
        ok &= enough & np.isfinite(dist)
        cand = np.flatnonzero(ok)
        order = cand[np.lexsort((codes[cand].astype(str), dist[cand]))][:k]
        for r, j in enumerate(order, 1):
            rows.append((t, r, codes[j], float(dist[j]), int(nfeat[j]), float(share[j]),
                         None if names is None else names.iloc[j]))  # fmt: skip
    table = pd.DataFrame(rows, columns=[TARGET, RANK, PEER, DISTANCE, N_FEATURES,
                                        WEIGHT_SHARE, C.NAME])  # fmt: skip
    notes = []
    short = table.groupby(TARGET).size().reindex(tg, fill_value=0)
    for t, m in short.items():
        if m < k:
            notes.append(f"{t}: only {m} candidate(s) met the constraints (k={k})")
    used = [f for f in w if f in num or f in cat]
    skipped = [f for f in w if f not in used and w[f] > 0]
    if skipped:
        notes.append(f"features not used (absent or without variation): {skipped}")
    return PeerResult(
        table=table,
        k=k,
        weights={f: w[f] for f in used},
        exact=tuple(c for c in exact if c in feats.columns),
        scale={f: v[1] for f, v in num.items()},
        n=n,
        n_dropped=dropped,
        notes=tuple(notes),
    )


def comparison_group(
    features: pd.DataFrame,
    treated: Sequence[str],
    *,
    k: int = 5,
    weights: Mapping[str, float] | None = None,
    exact: Sequence[str] = (C.LEA_TYPE,),
    min_weight_share: float = 0.5,
) -> list[str]:
    """Peer codes for a set of treated LEAs: the union of each one's ``k`` nearest
    untreated peers (:func:`find_peers` with the treated excluded), sorted.

    Use as the comparison units of a difference-in-differences or as the donor pool of a
    synthetic control. A peer of several treated LEAs appears once.

    Examples
    --------
    >>> donors = cm.compare.comparison_group(feats, plln_cds, k=5)  # doctest: +SKIP
    """
    res = find_peers(features, list(treated), k=k, weights=weights, exact=exact,
                     exclude=list(treated), min_weight_share=min_weight_share)  # fmt: skip
    return sorted(set(res.table[PEER]))
