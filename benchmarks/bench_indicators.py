"""Speed of the engagement indicators at the scale of a large state survey.

One million respondent-waves (100 districts x 10 schools, 4 waves, EL flag, sampling
weights) and one million event attendances. Each row times one ``cm.indicators`` call
by district x wave x group with intervals, beside an anchor that computes the same
numbers the usual way (statsmodels per group, or pandas groupby + statsmodels' Wilson
interval), on the same data.

Run: ``python -m benchmarks.bench_indicators`` (full size) or ``run(quick=True)``.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd

from cei_metrics.schemas import C

N_FULL = 1_000_000
N_QUICK = 20_000
BY = [C.DISTRICT_ID, C.WAVE, C.EL_FAMILY]


def _timed(fn: Callable[[], object], *, memory: bool = True) -> tuple[float, float | None, object]:
    """Best of two wall times, then peak traced memory (MB) of one more call."""
    best, out = np.inf, None
    for _ in range(2):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    peak = None
    if memory:
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return best, peak, out


def make_survey(n: int, seed: int = 0, n_districts: int = 100) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(long item table of three items, respondent x scale scores) for n respondent-waves."""
    rng = np.random.default_rng(seed)
    dist = rng.integers(0, n_districts, n)
    school = dist * 10 + rng.integers(0, 10, n)
    base = pd.DataFrame(
        {
            C.RESPONDENT_ID: np.arange(n),
            C.WAVE: rng.integers(1, 5, n),
            C.DISTRICT_ID: pd.Categorical.from_codes(dist, [f"{1000000 + d}" for d in range(100)]),
            C.SCHOOL_ID: pd.Categorical.from_codes(
                school, [f"{10000000000000 + s}" for s in range(1000)]
            ),
            C.EL_FAMILY: rng.random(n) < 0.3,
            C.WEIGHT: rng.uniform(0.5, 2.0, n),
        }
    )
    scores = pd.concat(
        [
            base.assign(scale=s, score=rng.integers(1, 6, n) + 0.25 * rng.integers(0, 4, n))
            for s in ("trust", "communication", "voice")
        ],
        ignore_index=True,
    )
    items = []
    for it in ("trust_1", "comm_3", "voice_2"):
        v = rng.integers(1, 6, n).astype(float)
        miss = rng.random(n) < 0.08
        v[miss] = np.nan
        items.append(
            base.assign(
                **{
                    C.INSTRUMENT: "family_engagement",
                    C.ITEM: it,
                    C.VALUE: v,
                    C.MISSING_REASON: np.where(miss, "dont_know", ""),
                }
            )
        )
    survey = pd.concat(items, ignore_index=True)
    survey[C.ITEM] = survey[C.ITEM].astype("category")
    survey[C.INSTRUMENT] = survey[C.INSTRUMENT].astype("category")
    survey[C.MISSING_REASON] = survey[C.MISSING_REASON].astype("category")
    return survey, scores


def make_participation(n: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(participation with n attendances, roster of 100 districts)."""
    rng = np.random.default_rng(seed)
    n_part = max(n // 5, 100)
    p_dist = rng.integers(0, 100, n_part)
    p_el = rng.random(n_part) < 0.3
    who = rng.integers(0, n_part, n)
    event = p_dist[who] * 40 + rng.integers(0, 40, n)
    dates = pd.Timestamp("2019-08-01") + pd.to_timedelta((event % 40) * 9, unit="D")
    df = pd.DataFrame(
        {
            C.EVENT_ID: event,
            C.DATE: dates,
            C.EVENT_TYPE: np.where(event % 40 < 8, "convening", "workshop"),
            C.DISTRICT_ID: pd.Categorical.from_codes(
                p_dist[who], [f"{1000000 + d}" for d in range(100)]
            ),
            C.PARTICIPANT_ID: who,
            C.ROLE: "family",
            C.LANGUAGE: np.where(p_el[who], "es", "en"),
            C.EL_FAMILY: p_el[who],
        }
    ).drop_duplicates([C.EVENT_ID, C.PARTICIPANT_ID])
    roster = pd.DataFrame(
        {
            C.DISTRICT_ID: [f"{1000000 + d}" for d in range(100)],
            C.N_FAMILIES: float(4 * n_part // 100 + 100),
            C.PCT_EL: 30.0,
            C.PCT_SED: 50.0,
            C.PCT_SPANISH: 30.0,
        }
    )
    return df, roster


def _anchor_scale_score(scores: pd.DataFrame) -> pd.DataFrame:
    """statsmodels WLS on a constant with cluster-robust SE, fitted group by group."""
    import statsmodels.api as sm

    rows = []
    for key, g in scores.groupby(BY, observed=True, sort=True):
        fit = sm.WLS(g["score"].to_numpy(), np.ones(len(g)), weights=g[C.WEIGHT].to_numpy()).fit(
            cov_type="cluster", cov_kwds={"groups": g[C.SCHOOL_ID].cat.codes.to_numpy()}, use_t=True
        )
        lo, hi = fit.conf_int()[0]
        rows.append((*key, fit.params[0], fit.bse[0], lo, hi, len(g)))
    return pd.DataFrame(rows, columns=[*BY, "estimate", "std_error", "ci_low", "ci_high", "n"])


def _anchor_wilson(survey: pd.DataFrame) -> pd.DataFrame:
    """pandas groupby counts + statsmodels' Wilson interval."""
    from statsmodels.stats.proportion import proportion_confint

    s = survey[(survey[C.ITEM] == "trust_1") & survey[C.VALUE].notna()]
    fav = s[C.VALUE].isin([4, 5]).rename("fav")
    g = fav.groupby([s[b] for b in BY], observed=True).agg(["sum", "size"])
    lo, hi = proportion_confint(g["sum"], g["size"], method="wilson")
    return g.assign(estimate=g["sum"] / g["size"], ci_low=lo, ci_high=hi)


def run(quick: bool = False) -> list[dict]:
    import cei_metrics.indicators as ind

    n = N_QUICK if quick else N_FULL
    survey, scores = make_survey(n, n_districts=10 if quick else 100)
    part, roster = make_participation(n)
    trust = scores[scores["scale"] == "trust"]
    ind.scale_score(trust.head(100), by=BY, min_cell=0)  # warm imports (scipy)
    rows: list[dict] = []

    def row(name, ours_s, peak, anchor="", anchor_s=None, note=""):
        rows.append(
            {
                "benchmark": name,
                "ours_s": ours_s,
                "anchor": anchor,
                "anchor_s": anchor_s,
                "ratio": None if anchor_s is None else anchor_s / ours_s,
                "peak_mb": peak,
                "note": note,
            }
        )

    # 1. scale_score, one scale, weighted + clustered, vs statsmodels per group
    t, peak, ours = _timed(
        lambda: ind.scale_score(trust, by=BY, weights=C.WEIGHT, cluster=C.SCHOOL_ID, min_cell=0)
    )
    t_anchor, _, anc = _timed(lambda: _anchor_scale_score(trust), memory=False)
    ours = ours.to_frame()
    diff = float(np.max(np.abs(ours["std_error"].to_numpy() - anc["std_error"].to_numpy())))
    row(
        f"scale_score {n:,} respondents, district x wave x EL, weighted, CR1 by school",
        t,
        peak,
        "statsmodels WLS cluster per group",
        t_anchor,
        f"{len(ours)} groups; max |SE difference| {diff:.1e}",
    )
    # 2. all three scales
    t_all_scales, peak, _ = _timed(
        lambda: ind.scale_score(scores, by=BY, weights=C.WEIGHT, cluster=C.SCHOOL_ID, min_cell=0)
    )
    row(f"scale_score {n:,} respondents x 3 scales, weighted, CR1", t_all_scales, peak)
    # 3. percent favorable of one item, Wilson, vs pandas + statsmodels
    t_fav, peak, fav = _timed(
        lambda: ind.percent_favorable(survey, item="trust_1", by=BY, min_cell=0)
    )
    t_anchor, _, anc = _timed(lambda: _anchor_wilson(survey), memory=False)
    fav = fav.to_frame()
    diff = float(np.max(np.abs(fav["ci_low"].to_numpy() - anc["ci_low"].to_numpy())))
    row(
        f"percent_favorable item, {n:,} responses, Wilson",
        t_fav,
        peak,
        "pandas groupby + statsmodels proportion_confint",
        t_anchor,
        f"max |ci_low difference| {diff:.1e}",
    )
    # 4. percent favorable pooled over the scale items, clustered by school
    t_fav3, peak, _ = _timed(
        lambda: ind.percent_favorable(survey, by=BY, cluster=C.SCHOOL_ID, min_cell=0)
    )
    row(
        f"percent_favorable 3 scales, {3 * n:,} item responses, deff-Wilson by school", t_fav3, peak
    )
    # 5. participation indicators
    t_reach, peak, _ = _timed(lambda: ind.reach(part, roster))
    row(f"reach, {len(part):,} attendances, district x year", t_reach, peak)
    t_rep, peak, _ = _timed(lambda: ind.representation_index(part, roster))
    row(f"representation_index EL, {len(part):,} attendances", t_rep, peak)
    t_ret, peak, _ = _timed(lambda: ind.retention(part, event_type="convening"))
    row(f"retention (at least k + Kaplan-Meier), {len(part):,} attendances", t_ret, peak)
    t_lang, peak, _ = _timed(lambda: ind.language_access(None, part, roster))
    row(f"language_access (attendances, events), {len(part):,} attendances", t_lang, peak)
    total = t_all_scales + t_fav3 + t_reach + t_rep + t_ret + t_lang
    row(
        f"all indicators above, {n:,} respondents + {len(part):,} attendances",
        total,
        None,
        note="sum of the rows: scale_score x3, percent_favorable x3, reach, representation, "
        "retention, language access (target: under 2 s)",
    )
    return rows


if __name__ == "__main__":  # pragma: no cover
    import sys

    out = pd.DataFrame(run(quick="--quick" in sys.argv))
    with pd.option_context("display.width", 200, "display.max_colwidth", 90):
        print(out.to_string(index=False))
