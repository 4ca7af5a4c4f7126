"""Speed of the engagement indicators at the scale of a large state survey.

One million respondent-waves (100 districts x 10 schools, 4 waves, EL flag, sampling
weights) and one million event attendances. Each anchored row times one
``cm.indicators`` call by district x wave x EL group with intervals beside the fastest
code a user would write for the same numbers: vectorised pandas groupby aggregations
(weighted sums, cluster totals, squared totals by group; no Python loop over groups)
with scipy's t quantile and statsmodels' vectorised Wilson interval. Estimates, standard
errors and interval limits are compared. The other indicators (reach, representation,
retention, language access, every scale at once) have no such anchor and are timed
alone.

Run: ``python -m benchmarks bench_indicators`` (full size) or ``run(quick=True)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks._harness import Settings, Side, alone, compare
from cei_metrics.schemas import C

MODULE = "bench_indicators"

N_FULL = 1_000_000
N_QUICK = 20_000
BY = [C.DISTRICT_ID, C.WAVE, C.EL_FAMILY]


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


FAVORABLE = [4, 5]
STATS = ["estimate", "std_error", "ci_low", "ci_high"]


def _pandas_weighted_mean(d: pd.DataFrame, y: str, ci: float = 0.95) -> pd.DataFrame:
    """Weighted mean by group with the CR1 (school-clustered) linearized SE and a t
    interval on clusters - 1 df, from groupby aggregations alone: what a user writes
    with pandas (the formula of ``survey::svymean`` with ``ids=~school``)."""
    from scipy.stats import t as student_t

    d = d.assign(_wy=d[C.WEIGHT] * d[y])
    g = d.groupby(BY, observed=True, sort=True)
    sw = g[C.WEIGHT].sum()
    mean = g["_wy"].sum() / sw
    row_mean = g["_wy"].transform("sum") / g[C.WEIGHT].transform("sum")
    d["_z"] = d[C.WEIGHT] * (d[y] - row_mean)
    tot = d.groupby([*BY, C.SCHOOL_ID], observed=True, sort=False)["_z"].sum()
    by_group = tot.groupby(level=list(range(len(BY))), sort=True)
    ss, n_cl = (tot * tot).groupby(level=list(range(len(BY))), sort=True).sum(), by_group.size()
    se = np.sqrt(n_cl / (n_cl - 1) * ss / (sw * sw))
    q = student_t.ppf(0.5 + ci / 2, n_cl - 1)
    return pd.DataFrame({"estimate": mean, "std_error": se, "ci_low": mean - q * se,
                         "ci_high": mean + q * se, "n": g.size(), "n_clusters": n_cl})  # fmt: skip


def _pandas_scale_score(trust: pd.DataFrame) -> pd.DataFrame:
    """Weighted mean score by district x wave x EL, CR1 by school (pandas groupby)."""
    d = trust.loc[trust["score"].notna(), [*BY, C.SCHOOL_ID, C.WEIGHT, "score"]]
    return _pandas_weighted_mean(d, "score")


def _pandas_wilson(survey: pd.DataFrame) -> pd.DataFrame:
    """Share favorable of one item by group with the Wilson interval: pandas groupby
    counts and statsmodels' vectorised ``proportion_confint``."""
    from statsmodels.stats.proportion import proportion_confint

    s = survey.loc[(survey[C.ITEM] == "trust_1") & survey[C.VALUE].notna(), [*BY, C.VALUE]]
    g = s[C.VALUE].isin(FAVORABLE).groupby([s[b] for b in BY], observed=True).agg(["sum", "size"])
    p = g["sum"] / g["size"]
    lo, hi = proportion_confint(g["sum"], g["size"], method="wilson")
    return pd.DataFrame({"estimate": p, "std_error": np.sqrt(p * (1 - p) / g["size"]),
                         "ci_low": lo, "ci_high": hi})  # fmt: skip


def _pandas_wilson_design(survey: pd.DataFrame) -> pd.DataFrame:
    """Weighted share favorable of one item, CR1 SE by school, Wilson interval at the
    effective sample size n / deff (Kish design effect)."""
    from statsmodels.stats.proportion import proportion_confint

    s = survey.loc[(survey[C.ITEM] == "trust_1") & survey[C.VALUE].notna(),
                   [*BY, C.SCHOOL_ID, C.WEIGHT, C.VALUE]]  # fmt: skip
    s["fav"] = s[C.VALUE].isin(FAVORABLE).astype(float)
    out = _pandas_weighted_mean(s, "fav")
    p, se, n = out["estimate"], out["std_error"], out["n"]
    srs = p * (1 - p) / n
    deff = (se * se / srs).where((srs > 0) & (se > 0), 1.0)
    n_eff = n / deff
    out["ci_low"], out["ci_high"] = proportion_confint(p * n_eff, n_eff, method="wilson")
    return out


def _frame(res) -> pd.DataFrame:
    """Our result's table indexed like the pandas anchors (by the group keys)."""
    return res.to_frame().set_index(BY).sort_index()


def _diff(ours: pd.DataFrame, theirs: pd.DataFrame) -> float:
    """Largest |difference| of estimate, SE and interval limits over matching groups
    (inf when the groups differ)."""

    def key(df: pd.DataFrame) -> pd.Index:
        return pd.MultiIndex.from_arrays([df.index.get_level_values(b).astype(str) for b in BY])

    a = ours.set_axis(key(ours))[STATS]
    b = theirs.set_axis(key(theirs))[STATS]
    if len(a) != len(b) or not a.index.sort_values().equals(b.index.sort_values()):
        return float("inf")
    b = b.reindex(a.index)
    return float(np.nanmax(np.abs(a.to_numpy(float) - b.to_numpy(float))))


def run(quick: bool = False, settings: Settings | None = None) -> list[dict]:
    import cei_metrics.indicators as ind

    settings = settings or Settings(quick=quick)
    n = N_QUICK if settings.quick else N_FULL
    survey, scores = make_survey(n, n_districts=10 if settings.quick else 100)
    part, roster = make_participation(n)
    trust = scores[scores["scale"] == "trust"]
    size = f"{n:,} respondents, district x wave x EL"
    rows = compare(
        MODULE,
        "scale_score, weighted, CR1 by school, t interval",
        size,
        Side("cei_metrics", lambda th: _frame(ind.scale_score(
            trust, by=BY, weights=C.WEIGHT, cluster=C.SCHOOL_ID, min_cell=0)),
            "indicators.scale_score(by=..., weights=, cluster='school_id')"),
        [Side("pandas", lambda th: _pandas_scale_score(trust),
              "groupby sums + cluster totals + scipy t (vectorised)")],
        settings=settings,
        compared="estimate, SE, CI limits",
        diff=_diff,
    )  # fmt: skip
    rows += compare(
        MODULE,
        "percent_favorable one item, Wilson interval",
        f"{n:,} responses, district x wave x EL",
        Side("cei_metrics", lambda th: _frame(ind.percent_favorable(
            survey, item="trust_1", by=BY, min_cell=0)),
            "indicators.percent_favorable(item='trust_1', by=...)"),
        [Side("pandas", lambda th: _pandas_wilson(survey),
              "groupby sum/size + statsmodels proportion_confint (vectorised)")],
        settings=settings,
        compared="estimate, SE, CI limits",
        diff=_diff,
    )  # fmt: skip
    rows += compare(
        MODULE,
        "percent_favorable one item, weighted, CR1 by school, Wilson at n/deff",
        f"{n:,} responses, district x wave x EL",
        Side("cei_metrics", lambda th: _frame(ind.percent_favorable(
            survey, item="trust_1", by=BY, weights=C.WEIGHT, cluster=C.SCHOOL_ID,
            min_cell=0)),
            "indicators.percent_favorable(item=, weights=, cluster='school_id')"),
        [Side("pandas", lambda th: _pandas_wilson_design(survey),
              "groupby sums + cluster totals + proportion_confint at n/deff")],
        settings=settings,
        compared="estimate, SE, CI limits",
        diff=_diff,
    )  # fmt: skip
    # no anchor: every scale at once, the pooled share favorable, participation
    default = (settings.threads[-1],)  # pandas and numpy code: one thread setting
    cases = [
        ("scale_score, 3 scales, weighted, CR1 by school", f"{n:,} respondents x 3 scales",
         lambda th: ind.scale_score(scores, by=BY, weights=C.WEIGHT, cluster=C.SCHOOL_ID,
                                    min_cell=0)),
        ("percent_favorable, 3 scales pooled, CR1 by school, Wilson at n/deff",
         f"{3 * n:,} item responses",
         lambda th: ind.percent_favorable(survey, by=BY, cluster=C.SCHOOL_ID, min_cell=0)),
        ("reach, district x year", f"{len(part):,} attendances",
         lambda th: ind.reach(part, roster)),
        ("representation_index, EL", f"{len(part):,} attendances",
         lambda th: ind.representation_index(part, roster)),
        ("retention (at least k + Kaplan-Meier)", f"{len(part):,} attendances",
         lambda th: ind.retention(part, event_type="convening")),
        ("language_access (attendances, events)", f"{len(part):,} attendances",
         lambda th: ind.language_access(None, part, roster)),
    ]  # fmt: skip
    for name, what, fn in cases:
        rows += alone(MODULE, name, what, Side("cei_metrics", fn, name.split(",")[0]),
                      settings=settings, threads=default)  # fmt: skip
    return rows


if __name__ == "__main__":  # pragma: no cover
    import sys

    out = pd.DataFrame(run(quick="--quick" in sys.argv))
    with pd.option_context("display.width", 200, "display.max_colwidth", 90):
        print(out.to_string(index=False))
