"""Each district's own goal: share of the gap closed, goal attainment levels, T-scores.

Reference values: tests/reference/indicators_goals_gas.R (the Kiresuk-Sherman T-score
formula computed in R; Wilson intervals from base R ``prop.test(correct = FALSE)``).
Planted truth: the demo world's district goals (cm.datasets.voices.GOAL_PATHS).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cei_metrics as cm
from cei_metrics.errors import EstimationError, SchemaError
from cei_metrics.indicators import gas_level, gas_tscore, goal_progress
from cei_metrics.schemas import C

REF = Path(__file__).resolve().parents[1] / "reference"


def _goal(baseline, target, values, *, unit="percent", n=None, district="1234567", goal="g"):
    return pd.DataFrame(
        {
            C.DISTRICT_ID: district,
            C.GOAL_ID: goal,
            C.MEASURE: "m",
            C.SOURCE: "s",
            C.MEASURE_UNIT: unit,
            C.BASELINE_PERIOD: "2019-20",
            C.BASELINE: float(baseline),
            C.TARGET_PERIOD: "2023-24",
            C.TARGET: float(target),
            C.PERIOD: [f"{2020 + i}-{(21 + i) % 100:02d}" for i in range(len(values))],
            C.VALUE: [float(v) for v in values],
            C.N: np.nan if n is None else float(n),
        }
    )


def test_tscore_equals_the_kiresuk_sherman_formula_computed_in_r():
    ref = pd.read_csv(REF / "indicators_goals_gas.csv", comment="#")
    for _, r in ref.iterrows():
        x = [float(v) for v in str(r["levels"]).split(";")]
        w = [float(v) for v in str(r["weights"]).split(";")]
        assert gas_tscore(x, w, rho=float(r["rho"])) == pytest.approx(r["t_score"], abs=1e-10)


def test_tscore_identities():
    # one goal: 50 + 10 x whatever rho; a goal left out (NaN) does not count
    for x in (-2, -1, 0, 1, 2):
        assert gas_tscore([x], rho=0.7) == pytest.approx(50 + 10 * x)
    assert gas_tscore([1, np.nan]) == pytest.approx(60)
    assert np.isnan(gas_tscore([np.nan]))
    with pytest.raises(SchemaError, match="rho"):
        gas_tscore([0], rho=1.0)
    with pytest.raises(SchemaError, match="one weight per goal"):
        gas_tscore([0, 1], [1])


def test_gap_closed_interval_equals_r_prop_test():
    ref = pd.read_csv(REF / "indicators_goals_wilson.csv", comment="#", skipinitialspace=True)
    for _, r in ref.iterrows():
        g = _goal(r["baseline"], r["target"], [r["value"]], unit=r["unit"], n=r["n"])
        row = goal_progress(g).table.iloc[0]
        assert row[C.GAP_CLOSED] == pytest.approx(r["gap_closed"], abs=1e-12)
        assert row["ci_low"] == pytest.approx(r["ci_low"], abs=1e-9)
        assert row["ci_high"] == pytest.approx(r["ci_high"], abs=1e-9)


def test_levels_follow_the_documented_rule():
    g = np.array([-0.5, 0.0, 1e-9, 0.5, 0.999, 1.0, 1.2, 1.25, 1.49, 1.5, 3.0, np.nan])
    want = [-2, -2, -1, -1, -1, 0, 0, 1, 1, 2, 2]
    got = gas_level(g)
    assert got[:-1].tolist() == want and np.isnan(got[-1])
    assert gas_level(1.1, beyond=(0.05, 0.1)) == 2
    with pytest.raises(SchemaError, match="beyond"):
        gas_level(1.0, beyond=(0.5, 0.2))


def test_demo_goals_recover_the_planted_progress(demo):
    res = goal_progress(demo.goals)
    truth = demo.truth.goal_progress
    m = res.table.merge(truth, on=[C.DISTRICT_ID, C.GOAL_ID, C.PERIOD], suffixes=("", "_true"))
    assert len(m) == len(truth) == len(res.table)
    np.testing.assert_allclose(m[C.GAP_CLOSED], m[f"{C.GAP_CLOSED}_true"], atol=1e-9)
    np.testing.assert_array_equal(m[C.GAS_LEVEL], gas_level(m[f"{C.GAP_CLOSED}_true"]))
    lat = res.latest()
    # the final year covers every level, as planted
    assert sorted(set(lat[C.GAS_LEVEL].astype(int))) == [-2, -1, 0, 1, 2]
    # the goal resting on 8 people is flagged; lower-is-better goals count the right way
    small = lat[lat[C.GOAL_ID] == "african-american-voice"]
    assert small["suppressed"].all()
    ca = lat[lat[C.GOAL_ID] == "chronic-absence"].iloc[0]
    assert ca[C.GAP_CLOSED] == pytest.approx(0.5) and ca["ci_low"] < 0.5 < ca["ci_high"]
    assert len(res.tscores) == demo.goals[C.DISTRICT_ID].nunique()
    one = res.tscores.set_index(C.DISTRICT_ID)["t_score"]
    for d, grp in lat.groupby(C.DISTRICT_ID):
        assert one[d] == pytest.approx(gas_tscore(grp[C.GAS_LEVEL].to_numpy()))
    assert "goal attainment" in res.summary().lower() or "Goal attainment" in res.summary()


def test_weights_errors_and_goals_without_values():
    g = pd.concat(
        [_goal(10, 20, [15]), _goal(10, 20, [25], goal="h"), _goal(5, 1, [np.nan], goal="k")]
    )
    g["weight"] = [1.0, 3.0, 1.0]
    res = goal_progress(g, weights="weight")
    x = np.array([-1.0, 2.0])
    assert res.tscores["t_score"].iat[0] == pytest.approx(gas_tscore(x, [1.0, 3.0]))
    assert res.n == 2 and "no value yet" in " ".join(res.notes)
    with pytest.raises(EstimationError, match="no goal has a value"):
        goal_progress(_goal(1, 2, [np.nan]))
    with pytest.raises(SchemaError, match="no gap"):
        goal_progress(_goal(3, 3, [4]))
    with pytest.raises(SchemaError):
        goal_progress(g.drop(columns=C.TARGET))
    # a count of people below 11 is flagged: the value itself discloses a small group
    assert goal_progress(_goal(20, 40, [7], unit="count")).table["suppressed"].all()


@settings(max_examples=30, deadline=None)
@given(
    base=st.floats(-50, 50),
    gap=st.floats(0.5, 40) | st.floats(-40, -0.5),
    share=st.floats(-2, 3),
    a=st.floats(0.1, 10),
    c=st.floats(-100, 100),
)
def test_gap_closed_ignores_the_unit_and_the_direction(base, gap, share, a, c):
    """Property: the share of the gap closed is the same in any affine unit of the
    measure (a * v + c, a > 0 or < 0) and whether lower or higher is better."""
    target = base + gap
    value = base + share * gap
    one = goal_progress(_goal(base, target, [value], unit="score")).table[C.GAP_CLOSED].iat[0]
    two = (
        goal_progress(_goal(a * base + c, a * target + c, [a * value + c], unit="score"))
        .table[C.GAP_CLOSED]
        .iat[0]
    )
    flipped = goal_progress(_goal(-base, -target, [-value], unit="score")).table
    assert one == pytest.approx(share, abs=1e-6)
    assert two == pytest.approx(one, abs=1e-6)
    assert flipped[C.GAP_CLOSED].iat[0] == pytest.approx(one, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-3, 4), min_size=2, max_size=30))
def test_levels_never_decrease_with_progress(shares):
    s = np.sort(np.array(shares))
    lv = gas_level(s)
    assert (np.diff(lv) >= 0).all() and set(lv) <= {-2, -1, 0, 1, 2}


def test_live_r_reproduces_the_committed_values(tmp_path):
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript is not installed; the committed values are tested above")
    script = tmp_path / "indicators_goals_gas.R"
    shutil.copy(REF / "indicators_goals_gas.R", script)
    subprocess.run(["Rscript", str(script)], check=True, capture_output=True)
    for name in ("indicators_goals_gas.csv", "indicators_goals_wilson.csv"):
        a = pd.read_csv(tmp_path / name, comment="#", skipinitialspace=True)
        b = pd.read_csv(REF / name, comment="#", skipinitialspace=True)
        pd.testing.assert_frame_equal(a, b)


def test_figure_draws_released_data(demo, tmp_path):
    res = goal_progress(demo.goals)
    names = dict(zip(demo.roster[C.DISTRICT_ID], demo.roster[C.NAME]))
    fig, axes = cm.viz.goal_progress(res, names=names)
    data = cm.viz.goal_progress_data(res, names=names)
    assert data["label"].nunique() == res.n == len([a for a in axes.ravel() if a.get_visible()])
    # values resting on fewer than 11 people are blank and marked
    small = data[data[C.GOAL_ID] == "african-american-voice"]
    assert small.loc[small["part"] == "value", C.VALUE].isna().all()
    saved = cm.viz.save(fig, "goals", caption="c", alt_text="a", data=data, out_dir=tmp_path,
                        synthetic=True)  # fmt: skip
    assert saved.n_suppressed > 0 and cm.privacy.audit(tmp_path).ok
    fig2, _ = res.plot(names=names)
    assert fig2 is not None
