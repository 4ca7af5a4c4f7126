"""The metric scorecard: one row per candidate metric, one verdict per criterion.

Criteria and default thresholds (``DEFAULT_THRESHOLDS``; each is ``(meets, borderline)``,
override any with ``thresholds={...}``):

==================  ============================  =========  ============  =====================
criterion           statistic                     meets      borderline    source
==================  ============================  =========  ============  =====================
reliability         Cronbach's alpha              >= .70     >= .60        Nunnally (1978)
fit                 CFI / RMSEA / SRMR            >= .90 / <= .08 / <= .08 ; .85 / .10 / .10  Hu & Bentler (1999)
invariance          delta CFI (worst step)        >= -.010   >= -.020      Cheung & Rensvold (2002)
dif                 worst item class (JG)         A          B             Jodoin & Gierl (2001)
responsiveness      SRM                           >= .20     >= .10        Cohen (1988) small effect
validity            p of the expected-sign slope  < .05      < .20
missingness         share of item cells missing   <= .10     <= .20
group_size          smallest group's respondents  >= 100     >= 30
==================  ============================  =========  ============  =====================

A criterion with no statistic is "not tested". The overall verdict is "fails" if any
criterion fails, else "borderline" if any is borderline, else "meets" (criteria not
tested are listed, not counted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .._api import estimator
from .._results import PlotMixin, ResultMixin, tidy
from ..errors import CEIError, SchemaError
from ..schemas import LOWER_IS_BETTER, C

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["DEFAULT_THRESHOLDS", "ScorecardResult", "scorecard", "scorecard_from_survey"]

DEFAULT_THRESHOLDS: dict[str, tuple[float, float]] = {
    "alpha": (0.70, 0.60),
    "cfi": (0.90, 0.85),
    "rmsea": (0.08, 0.10),
    "srmr": (0.08, 0.10),
    "delta_cfi": (-0.010, -0.020),
    "dif_class": (0.0, 1.0),  # 0 = A, 1 = B, 2 = C
    "srm": (0.20, 0.10),
    "validity_p": (0.05, 0.20),
    "missing_share": (0.10, 0.20),
    "min_group_n": (100.0, 30.0),
}
_HIGHER = {"alpha", "cfi", "delta_cfi", "srm", "min_group_n"}
CRITERIA = (
    "reliability",
    "fit",
    "invariance",
    "dif",
    "responsiveness",
    "validity",
    "missingness",
    "group_size",
)
_INPUTS = (
    "alpha",
    "omega",
    "cfi",
    "rmsea",
    "srmr",
    "delta_cfi",
    "dif_class",
    "dif_items",
    "srm",
    "validity_estimate",
    "validity_p",
    "validity_expected_sign",
    "missing_share",
    "min_group_n",
)


def _grade(value: object, key: str, th: dict) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "not tested"
    meets, border = th[key]
    v = float(value)
    if key in _HIGHER:
        return "meets" if v >= meets else "borderline" if v >= border else "fails"
    if key == "validity_p":
        return "meets" if v < meets else "borderline" if v < border else "fails"
    return "meets" if v <= meets else "borderline" if v <= border else "fails"


def _worst(verdicts: list[str]) -> str:
    tested = [v for v in verdicts if v != "not tested"]
    if not tested:
        return "not tested"
    for level in ("fails", "borderline"):
        if level in tested:
            return level
    return "meets"


@dataclass(frozen=True, repr=False)
class ScorecardResult(PlotMixin, ResultMixin):
    """Scorecard table and the thresholds it used."""

    table: pd.DataFrame
    thresholds: dict
    details: dict = field(default_factory=dict, repr=False)
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per metric (``term``), one column per criterion."""
        return tidy(self.table, term="metric")

    def plot_data(self) -> pd.DataFrame:
        """What :meth:`plot` draws: ``metric`` and one column of verdicts per criterion."""
        return self.table[["metric", *CRITERIA]].copy()

    def summary(self) -> str:
        lines = [
            "Metric scorecard: "
            + ", ".join(f"{r['metric']} {r['overall']}" for _, r in self.table.iterrows())
        ]
        for _, r in self.table.iterrows():
            bad = [c for c in CRITERIA if r[c] in ("fails", "borderline")]
            untested = [c for c in CRITERIA if r[c] == "not tested"]
            lines.append(
                f"{r['metric']}: {r['overall']}"
                + (f"; weak on {', '.join(bad)}" if bad else "")
                + (f"; not tested: {', '.join(untested)}" if untested else "")
            )
        return "\n".join(lines)


@estimator()
def scorecard(
    metrics: pd.DataFrame | list[dict],
    *,
    thresholds: dict | None = None,
) -> ScorecardResult:
    """Grade candidate metrics against the criteria in the module notes.

    Parameters
    ----------
    metrics : one row (or dict) per metric with a ``metric`` name and any of the
        statistics ``alpha, omega, cfi, rmsea, srmr, delta_cfi, dif_class`` (0/1/2 for
        A/B/C), ``dif_items, srm, validity_estimate, validity_p,
        validity_expected_sign`` (+1/-1; a slope of the other sign fails),
        ``missing_share, min_group_n``. Missing statistics are "not tested".
    thresholds : overrides of :data:`DEFAULT_THRESHOLDS`, e.g. ``{"alpha": (0.8, 0.7)}``.

    Returns
    -------
    ScorecardResult whose ``to_frame()`` has the statistics, one verdict column per
    criterion (``reliability, fit, invariance, dif, responsiveness, validity,
    missingness, group_size``) and ``overall``.
    """
    import pandas as pd

    th = dict(DEFAULT_THRESHOLDS)
    for k, v in (thresholds or {}).items():
        if k not in th:
            raise CEIError(f"unknown threshold {k!r}", fix=f"use keys of {list(th)}")
        if not (isinstance(v, (tuple, list)) and len(v) == 2):
            raise CEIError(
                f"threshold {k!r} must be a (meets, borderline) pair", fix="e.g. (0.8, 0.7)"
            )
        th[k] = (float(v[0]), float(v[1]))
    df = pd.DataFrame(metrics).copy()
    if "metric" not in df.columns:
        raise SchemaError("metrics lacks a 'metric' column", column="metric", fix="name each row")
    for c in _INPUTS:
        if c not in df.columns:
            df[c] = np.nan
    rows = []
    for _, r in df.iterrows():
        v = {
            "reliability": _grade(r["alpha"], "alpha", th),
            "fit": _worst(
                [
                    _grade(r["cfi"], "cfi", th),
                    _grade(r["rmsea"], "rmsea", th),
                    _grade(r["srmr"], "srmr", th),
                ]
            ),
            "invariance": _grade(r["delta_cfi"], "delta_cfi", th),
            "dif": _grade(r["dif_class"], "dif_class", th),
            "responsiveness": _grade(r["srm"], "srm", th),
            "missingness": _grade(r["missing_share"], "missing_share", th),
            "group_size": _grade(r["min_group_n"], "min_group_n", th),
        }
        val = _grade(r["validity_p"], "validity_p", th)
        sign = r["validity_expected_sign"]
        est = r["validity_estimate"]
        if (
            val != "not tested"
            and pd.notna(sign)
            and pd.notna(est)
            and np.sign(est) != np.sign(sign)
        ):
            val = "fails"
        v["validity"] = val
        v["overall"] = _worst([v[c] for c in CRITERIA])
        rows.append(v)
    verdicts = pd.DataFrame(rows, index=df.index)
    out = pd.concat([df[["metric", *[c for c in df.columns if c != "metric"]]], verdicts], axis=1)
    return ScorecardResult(table=out.reset_index(drop=True), thresholds=th)


def _scale_scores(wide: pd.DataFrame, items: list[str], min_share: float) -> pd.Series:
    x = wide[items]
    ok = x.notna().mean(axis=1) >= min_share
    return x.mean(axis=1).where(ok)


@estimator()
def scorecard_from_survey(
    survey_long: pd.DataFrame,
    instrument: object,
    *,
    group_col: str = C.LANGUAGE,
    outcomes: pd.DataFrame | None = None,
    outcome: str = "chronic_absenteeism",
    waves: tuple[int, int] | None = None,
    thresholds: dict | None = None,
    min_cell: int = 11,
) -> ScorecardResult:
    """Compute every criterion for each scale of an instrument from the survey table.

    Steps per scale (items reverse-coded with ``Instrument.reverse_code``; all waves
    pooled unless stated): alpha and omega; a one-factor CFA of the scale (fit);
    configural/metric/scalar invariance by ``group_col`` (worst delta CFI); DIF by
    ``group_col`` with matching within each scale (worst Jodoin-Gierl class, flagged
    items); responsiveness as the SRM of the change in district mean scale score between
    ``waves`` (default the first and last), districts with at least ``min_cell`` respondents
    in both; validity as the district-year association of the mean scale score with
    ``outcome`` (when ``outcomes`` is given), expected sign negative for indicators where
    lower is better; missingness as the share of the scale's item cells left missing;
    and the smallest ``group_col`` group's respondent count.

    Parameters
    ----------
    survey_long : the canonical survey table.
    instrument : an :class:`~cei_metrics.instruments.Instrument` or its name.
    group_col : respondent grouping for invariance and DIF (language by default).
    outcomes : the canonical outcomes table, for validity (optional).
    outcome : the outcome indicator.
    waves : (before, after) waves for responsiveness.
    thresholds : overrides of :data:`DEFAULT_THRESHOLDS`.
    min_cell : smallest district-wave cell used for district means.
    """

    from ..instruments import Instrument, load_instrument
    from .change import responsiveness
    from .confirmatory import cfa
    from .consistency import cronbach_alpha, omega
    from .criterion import validity
    from .item_bias import dif
    from .multigroup import invariance
    from .wide import respondent_info, to_wide

    inst = instrument if isinstance(instrument, Instrument) else load_instrument(str(instrument))
    if C.INSTRUMENT in survey_long.columns and (survey_long[C.INSTRUMENT] == inst.name).any():
        name = inst.name
    else:
        name = None
    wide = inst.reverse_code(to_wide(survey_long, instrument=name, items=list(inst.item_ids)))
    cols = tuple(dict.fromkeys((C.DISTRICT_ID, C.YEAR, C.LANGUAGE, group_col)))
    info = respondent_info(survey_long, instrument=name, columns=cols)
    if group_col not in info.columns:
        raise SchemaError(
            f"the survey table lacks the group column {group_col!r}",
            column=group_col,
            fix="pass group_col= a respondent-level column of the survey table",
        )
    groups = info[group_col]
    scales = {k: list(v) for k, v in inst.scales.items()}
    dif_res = dif(wide, groups.to_numpy(), scales=scales) if groups.nunique() == 2 else None
    all_waves = sorted(info.index.get_level_values(C.WAVE).unique())
    wv = waves or ((all_waves[0], all_waves[-1]) if len(all_waves) > 1 else None)
    rows, details = [], {}
    for sname, its in scales.items():
        x = wide[its]
        answered_any = x.notna().any(axis=1)
        xa = x[answered_any]
        g_a = groups[answered_any]
        row: dict = {"metric": sname, "label": inst.scale_labels.get(sname, sname)}
        a = cronbach_alpha(xa)
        row["alpha"] = a.alpha
        row["alpha_ci_low"], row["alpha_ci_high"] = a.ci_low, a.ci_high
        row["omega"] = omega(xa).omega_total if len(its) >= 3 else np.nan
        det: dict = {"alpha": a}
        if len(its) >= 4:
            f = cfa(xa, {sname: its}, nan_policy="listwise")
            row.update(cfi=f.cfi, rmsea=f.rmsea, srmr=f.srmr)
            det["cfa"] = f
            counts = g_a.value_counts()
            keep = counts[counts >= 30].index
            if len(keep) >= 2:
                sel = g_a.isin(keep).to_numpy()
                inv = invariance(xa[sel], {sname: its}, g_a[sel].to_numpy())
                row["delta_cfi"] = float(np.nanmin(inv.table["delta_cfi"].to_numpy()))
                det["invariance"] = inv
        if dif_res is not None:
            t = dif_res.table[dif_res.table["item"].isin(its)]
            cls = t["class_jg"].map({"A": 0, "B": 1, "C": 2})
            row["dif_class"] = float(cls.max())
            row["dif_items"] = ", ".join(t.loc[t["flag"], "item"]) or ""
        score = _scale_scores(wide, its, inst.min_items).rename("score")
        sc = info.join(score)
        if wv is not None and C.DISTRICT_ID in sc.columns:
            wave_idx = sc.index.get_level_values(C.WAVE)
            dm = (
                sc.assign(_w=wave_idx)
                .groupby([C.DISTRICT_ID, "_w"])["score"]
                .agg(["mean", "count"])
            )
            dm = dm[dm["count"] >= min_cell]["mean"].unstack("_w")
            if wv[0] in dm.columns and wv[1] in dm.columns:
                both = dm[[wv[0], wv[1]]].dropna()
                if len(both) >= 3:
                    rr = responsiveness(both[wv[0]], both[wv[1]], paired=True)
                    row["srm"] = rr.srm
                    det["responsiveness"] = rr
        if outcomes is not None and C.DISTRICT_ID in sc.columns and C.YEAR in sc.columns:
            md = sc.groupby([C.DISTRICT_ID, C.YEAR])["score"].agg(["mean", "count"])
            md = md[md["count"] >= min_cell]["mean"].rename(sname).reset_index()
            try:
                v = validity(md, outcomes, outcome=outcome, metric=sname)
                row["validity_estimate"] = v.std_estimate
                row["validity_p"] = v.p_val
                row["validity_expected_sign"] = -1.0 if outcome in LOWER_IS_BETTER else 1.0
                det["validity"] = v
            except CEIError:
                pass
        row["missing_share"] = float(x.isna().to_numpy().mean())
        row["min_group_n"] = float(g_a.value_counts().min()) if len(g_a) else np.nan
        rows.append(row)
        details[sname] = det
    res = scorecard(rows, thresholds=thresholds)
    return ScorecardResult(table=res.table, thresholds=res.thresholds, details=details)
