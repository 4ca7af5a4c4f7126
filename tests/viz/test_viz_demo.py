"""Figures and suppression on the demo world, checked against its planted truth."""

from __future__ import annotations

import numpy as np
import pytest

import cei_metrics as cm
from cei_metrics.schemas import C


def test_p3_heatmap_recovers_the_planted_rating_growth(demo):
    r, ro = demo.ratings, demo.roster
    first = ro[ro[C.COHORT] == "2019-20"][C.DISTRICT_ID]
    never = ro[ro[C.COHORT].isna()][C.DISTRICT_ID]
    a = cm.viz.p3_heatmap_data(r[r[C.DISTRICT_ID].isin(first)]).groupby(C.YEAR)[C.RATING].mean()
    b = cm.viz.p3_heatmap_data(r[r[C.DISTRICT_ID].isin(never)]).groupby(C.YEAR)[C.RATING].mean()
    gap = (a - b).loc["2019-20":]
    years = np.arange(len(gap))
    slope = np.polyfit(years, gap.to_numpy(), 1)[0]
    # planted: +0.2 rating points per year in the network (before rounding to 1..5)
    assert slope == pytest.approx(demo.truth.p3_growth, abs=0.06)
    # districts never in the network do not drift
    assert abs(np.polyfit(np.arange(len(b)), b.to_numpy(), 1)[0]) < 0.03


def test_suppressed_participation_counts_equal_the_true_small_free_counts(demo):
    p = demo.participation
    tab = p.groupby([C.DISTRICT_ID, C.EVENT_TYPE]).size().rename("count").reset_index()
    out = cm.privacy.suppress(tab, by=C.DISTRICT_ID)
    shown = ~out["suppressed"]
    # every shown count is the true count, every true small count is hidden
    assert (
        out.loc[shown, "count"].astype(int).to_numpy() == tab.loc[shown, "count"].to_numpy()
    ).all()
    small = (tab["count"] > 0) & (tab["count"] < cm.privacy.MIN_CELL)
    assert out.loc[small, "count"].isna().all()
    per = out.groupby(C.DISTRICT_ID)["suppressed"].sum()
    assert ((per == 0) | (per >= 2)).all()
