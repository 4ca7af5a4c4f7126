"""Missing data x weights x clustering x grouping grid, each cell against statsmodels."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import cei_metrics.indicators as ind
from cei_metrics.schemas import C

from .conftest import make_survey

GRID = list(
    itertools.product(
        [0.0, 0.25],  # share of item responses missing (half "Don't know")
        [None, C.WEIGHT],
        [None, C.SCHOOL_ID],
        [[C.DISTRICT_ID], [C.DISTRICT_ID, C.EL_FAMILY], [C.WAVE, C.LANGUAGE]],
    )
)


@pytest.mark.parametrize("missing, weights, cluster, by", GRID)
def test_scale_score_grid_matches_statsmodels(missing, weights, cluster, by):
    import statsmodels.api as sm

    s = make_survey(120, seed=11, n_districts=2, n_schools=4, waves=(1, 2), missing=missing)
    res = ind.scale_score(
        s, scale="trust", by=by, weights=weights, cluster=cluster, ci=0.95, min_cell=0
    )
    out = res.to_frame()
    scores = ind.respondent_scores(s)
    scores = scores[(scores["scale"] == "trust") & scores["score"].notna()]
    assert out["n"].sum() == len(scores)
    assert res.n_dropped == int(
        (s.drop_duplicates([C.RESPONDENT_ID, C.WAVE]).shape[0]) - len(scores)
    )
    for _, row in out.iterrows():
        m = np.ones(len(scores), dtype=bool)
        for b in by:
            m &= (scores[b] == row[b]).to_numpy()
        y = scores.loc[m, "score"].to_numpy()
        w = scores.loc[m, weights].to_numpy() if weights else np.ones(m.sum())
        model = sm.WLS(y, np.ones(len(y)), weights=w)
        if cluster:
            fit = model.fit(
                cov_type="cluster",
                cov_kwds={"groups": scores.loc[m, cluster].to_numpy()},
                use_t=True,
            )
        else:
            fit = model.fit(cov_type="HC1", use_t=True)
        assert row["estimate"] == pytest.approx(fit.params[0], rel=1e-12)
        assert row["std_error"] == pytest.approx(fit.bse[0], rel=1e-9)
        lo, hi = fit.conf_int()[0]
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), rel=1e-9)
        assert row["n"] == len(y)


@pytest.mark.parametrize("missing, weights, cluster, by", GRID[::3])
def test_percent_favorable_grid(missing, weights, cluster, by):
    import statsmodels.api as sm
    from statsmodels.stats.proportion import proportion_confint

    s = make_survey(120, seed=12, n_districts=2, n_schools=4, waves=(1, 2), missing=missing)
    out = ind.percent_favorable(
        s, item="trust_3", by=by, weights=weights, cluster=cluster, min_cell=0
    ).to_frame()
    rows = s[s[C.ITEM] == "trust_3"]
    assert out["n_excluded"].sum() == rows[C.VALUE].isna().sum()
    for _, row in out.iterrows():
        m = np.ones(len(rows), dtype=bool)
        for b in by:
            m &= (rows[b] == row[b]).to_numpy()
        sub = rows[m & rows[C.VALUE].notna().to_numpy()]
        x = sub[C.VALUE].isin([4, 5]).to_numpy(float)
        assert row["n_responses"] == len(x) and row["n_excluded"] == (m.sum() - len(x))
        if weights is None and cluster is None:
            lo, hi = proportion_confint(x.sum(), len(x), method="wilson")
            assert row["estimate"] == pytest.approx(x.mean())
            assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), rel=1e-10)
            continue
        w = sub[weights].to_numpy() if weights else np.ones(len(x))
        model = sm.WLS(x, np.ones(len(x)), weights=w)
        fit = (
            model.fit(cov_type="cluster", cov_kwds={"groups": sub[cluster].to_numpy()})
            if cluster
            else model.fit(cov_type="HC1")
        )
        assert row["estimate"] == pytest.approx(fit.params[0], rel=1e-12)
        assert row["std_error"] == pytest.approx(fit.bse[0], rel=1e-9)
        assert row["ci_low"] <= row["estimate"] <= row["ci_high"]
