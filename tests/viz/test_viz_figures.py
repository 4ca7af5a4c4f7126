"""Every figure kind draws exactly its ``*_data`` frame, returns (fig, ax), uses a given
ax, never touches pyplot, and names a missing column in its error."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import QuadMesh
from matplotlib.container import BarContainer, ErrorbarContainer

import cei_metrics as cm
from cei_metrics.errors import CEIError, SchemaError

V = cm.viz


@pytest.fixture(autouse=True)
def _no_pyplot(monkeypatch):
    """The library must neither show nor register figures with pyplot."""

    def boom(*a, **k):  # pragma: no cover - called only on failure
        raise AssertionError("plt.show() called")

    monkeypatch.setattr(plt, "show", boom)
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before
    plt.close("all")


# ----------------------------------------------------------------------- inputs


def likert_tab():
    rng = np.random.default_rng(1)
    rows = []
    for item in ["trust_1", "trust_2", "comm_3"]:
        c = rng.integers(0, 60, 5)
        rows += [{"item": item, "response": k + 1, "count": int(c[k])} for k in range(5)]
    rows[0]["count"] = 0
    return pd.DataFrame(rows)


def trends_tab():
    rows = []
    for i, lab in enumerate(["Azusa", "Oxnard", "Cajon Valley", "Ontario-Montclair"]):
        for j, y in enumerate(["2018-19", "2020-21", "2022-23"]):
            est = 3.0 + 0.1 * i + 0.15 * j
            rows.append(
                {
                    "label": lab,
                    "year": y,
                    "estimate": est,
                    "ci_low": est - 0.2,
                    "ci_high": est + 0.25,
                    "n": 120,
                }
            )
    return pd.DataFrame(rows)


def ci_tab(center=1.0):
    est = np.array([0.6, 0.9, 1.2, 1.5]) * center if center else np.array([-1.0, 0.5, 2.0, 0.1])
    return pd.DataFrame(
        {
            "label": ["EL families", "SED families", "Spanish", "Other"],
            "estimate": est,
            "ci_low": est - np.abs(est) * 0.2 - 0.05,
            "ci_high": est + np.abs(est) * 0.3 + 0.05,
            "n": [40, 55, 80, 30],
        }
    )


def retention_tab():
    k = np.arange(1, 9)
    return pd.concat(
        [
            pd.DataFrame({"session": k, "share": np.linspace(1, 0.4, 8), "grp": "family"}),
            pd.DataFrame({"session": k, "share": np.linspace(1, 0.7, 8), "grp": "staff"}),
        ]
    )


def ratings_tab():
    inst = cm.instruments.load_instrument("priority3_self_reflection")
    rng = np.random.default_rng(3)
    rows = []
    for d in ["0000001", "0000002"]:
        for y in ["2019-20", "2020-21", "2021-22"]:
            for it in inst.item_ids:
                rows.append(
                    {
                        "district_id": d,
                        "year": y,
                        "tool": inst.name,
                        "item": it,
                        "rating": float(rng.integers(1, 6)),
                    }
                )
    return pd.DataFrame(rows)


def scorecard_tab():
    return pd.DataFrame(
        {
            "metric": ["trust", "communication", "voice"],
            "reliability": ["meets", "borderline", "meets"],
            "invariance": ["fails", None, "meets"],
            "responsiveness": ["not tested", "meets", "fails"],
        }
    )


def event_tab():
    e = np.arange(-3, 4)
    est = np.where(e < 0, 0.1 * e, -1.0 * (e + 1))
    return pd.DataFrame(
        {
            "event_time": e,
            "estimate": est,
            "ci_low": est - 0.5,
            "ci_high": est + 0.5,
            "band_low": est - 0.8,
            "band_high": est + 0.8,
        }
    )


def synth_inputs():
    t = np.arange(2012, 2024)
    gap = pd.Series(np.where(t >= 2019, -2.0, 0.1) + 0.01 * (t - 2012), index=t)
    plac = pd.DataFrame({f"d{i}": np.sin(t + i) for i in range(4)}, index=t)
    return gap, plac


def dash_tab():
    return pd.DataFrame(
        {
            "label": ["A", "B", "C", "D", "E"],
            "status": [2.0, 7.0, 15.3, 25.0, 8.0],
            "change": [-0.2, 3.5, -1.0, -4.0, 0.0],
            "n": [500, 800, 1200, 40, 12],
        }
    )


# ------------------------------------------------------------------- helpers


def f(x):
    return np.asarray(x, dtype=float)


def errorbar_of(ax):
    cs = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(cs) == 1
    return cs[0]


def bar_segments(container):
    segs = container.lines[2][0].get_segments()
    return np.array([[s[0][0], s[0][1], s[1][0], s[1][1]] for s in segs])


def meshes(ax):
    return [c for c in ax.collections if isinstance(c, QuadMesh)]


# ------------------------------------------------------------ drawn == data


def test_likert_bars_draws_its_data():
    tab = likert_tab()
    d = V.likert_bars_data(tab, instrument="family_engagement")
    _fig, ax = V.likert_bars(tab, instrument="family_engagement")
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(bars) == 5
    for code, bc in zip(range(1, 6), bars):
        s = d[(d["response"] == code) & d["share"].notna()]  # released cells are drawn
        np.testing.assert_allclose([p.get_width() for p in bc.patches], s["share"])
        np.testing.assert_allclose([p.get_x() for p in bc.patches], s["left"])
        np.testing.assert_allclose([p.get_y() + p.get_height() / 2 for p in bc.patches], s["y"])
    # shares of an item without suppressed cells sum to one; the neutral bar straddles zero
    full = d.groupby("item")["suppressed"].sum() == 0
    assert full.any()
    assert np.allclose(d.groupby("item")["share"].sum()[full], 1.0)
    neutral = d[(d["response"] == 3) & d["share"].notna()]
    np.testing.assert_allclose(neutral["left"] + neutral["share"] / 2, 0.0, atol=1e-12)
    assert d["label"].iloc[0] == "Strongly disagree"
    assert {"count", "n"} <= set(d.columns)


def test_likert_bars_with_shares_and_labels():
    tab = likert_tab().rename(columns={"count": "share"})
    d = V.likert_bars_data(tab, labels={1: "no", 2: "meh", 3: "yes", 4: "4", 5: "5"})
    assert d["label"].iloc[1] == "meh" and "count" not in d.columns


def test_scale_trends_small_multiples_draw_their_data():
    tab = trends_tab()
    d = V.scale_trends_data(tab)
    _fig, axes = V.scale_trends(tab)
    assert axes.shape == (2, 3)
    assert not axes.ravel()[-1].get_visible()
    for lab, a in zip(d["label"].unique(), axes.ravel()):
        s = d[d["label"] == lab]
        c = errorbar_of(a)
        np.testing.assert_allclose(f(c.lines[0].get_ydata()), s["estimate"])
        np.testing.assert_allclose(f(c.lines[0].get_xdata()), s["x"])
        seg = bar_segments(c)
        np.testing.assert_allclose(seg[:, 1], s["ci_low"])
        np.testing.assert_allclose(seg[:, 3], s["ci_high"])
        assert a.get_title() == lab


def test_scale_trends_on_one_ax_overlays():
    fig0, ax0 = V.forest(ci_tab(0))  # any Agg axes
    fig, ax = V.scale_trends(trends_tab(), ax=ax0)
    assert ax is ax0 and fig is fig0
    assert sum(isinstance(c, ErrorbarContainer) for c in ax.containers) == 1 + 4


@pytest.mark.parametrize("fn", ["parity_dots", "forest"])
def test_dot_plots_draw_their_data(fn):
    tab = ci_tab(1.0 if fn == "parity_dots" else 0)
    d = getattr(V, f"{fn}_data")(tab)
    _fig, ax = getattr(V, fn)(tab)
    c = errorbar_of(ax)
    np.testing.assert_allclose(f(c.lines[0].get_xdata()), d["estimate"])
    np.testing.assert_allclose(f(c.lines[0].get_ydata()), d["y"])
    seg = bar_segments(c)
    np.testing.assert_allclose(seg[:, 0], d["ci_low"])
    np.testing.assert_allclose(seg[:, 2], d["ci_high"])
    ref = 1.0 if fn == "parity_dots" else 0.0
    vlines = [ln for ln in ax.get_lines() if np.allclose(ln.get_xdata(), ref)]
    assert vlines, "reference line missing"
    assert [t.get_text() for t in ax.get_yticklabels()] == d["label"].tolist()


def test_parity_dots_uses_log_axis_for_ratios():
    _fig, ax = V.parity_dots(ci_tab(1.0))
    assert ax.get_xscale() == "log"


def test_retention_curve_draws_its_data():
    tab = retention_tab()
    d = V.retention_curve_data(tab, group_col="grp")
    _fig, ax = V.retention_curve(tab, group_col="grp")
    lines = {ln.get_gid(): ln for ln in ax.get_lines() if ln.get_gid()}
    for i, g in enumerate(d["group"].unique()):
        s = d[d["group"] == g]
        np.testing.assert_allclose(f(lines[f"retention-{i}"].get_ydata()), s["share"])
        np.testing.assert_allclose(f(lines[f"retention-{i}"].get_xdata()), s["session"])


def test_p3_heatmap_draws_its_data_with_level_labels_and_note():
    tab = ratings_tab()
    d = V.p3_heatmap_data(tab)
    assert set(d["row"]) == {
        "Building Relationships Between School Staff and Families",
        "Building Partnerships for Student Outcomes",
        "Seeking Input for Decision-Making",
    }
    # the mean of each section x year is the mean of its ratings
    inst = cm.instruments.load_instrument("priority3_self_reflection")
    sec = {i: inst.scale_labels[it.scale] for i, it in inst.items.items()}
    manual = tab.assign(row=tab["item"].map(sec)).groupby(["row", "year"])["rating"].mean()
    for r in d.itertuples():
        assert r.rating == pytest.approx(manual[(r.row, r.year)])
    fig, ax = V.p3_heatmap(tab)
    (mesh,) = meshes(ax)
    arr = np.ma.getdata(mesh.get_array()).reshape(3, 3)
    np.testing.assert_allclose(arr[d["r"], d["c"]], d["rating"])
    # colours fitted to the ratings drawn (never one flat grey over 1-5), within 1-5
    lo, hi = mesh.norm.vmin, mesh.norm.vmax
    assert 1 <= lo <= d["rating"].min() and d["rating"].max() <= hi <= 5
    assert hi - lo <= max(0.5, d["rating"].max() - d["rating"].min()) + 1e-9
    texts = " ".join(t.get_text() for t in ax.texts) + ax.get_xlabel()
    assert "not a state score" in texts
    # the CDE level names of the levels inside the colour range are named on the figure
    for k, name in cm.schemas.P3_LEVELS.items():
        assert (f"{k} = {name}" in texts) == (lo <= k <= hi)
    # the colour bar's label never collides with the title: it sits beside the axes
    fig.canvas.draw()
    title = ax.title.get_window_extent()
    assert all(
        not title.overlaps(t.get_window_extent())
        for t in [*fig.axes[1].get_yticklabels(), fig.axes[1].yaxis.label]
        if t.get_text()
    )


def test_p3_colour_range_fits_the_data():
    assert V.p3_color_range([2.74, 3.04]) == pytest.approx((2.64, 3.14))
    assert V.p3_color_range([1.5, 4.5]) == pytest.approx((1.5, 4.5))
    assert V.p3_color_range([5.0, 5.0]) == pytest.approx((4.5, 5.0))
    assert V.p3_color_range([1.0]) == pytest.approx((1.0, 1.5))


def test_p3_heatmap_by_item_and_bad_rating():
    tab = ratings_tab()
    d = V.p3_heatmap_data(tab, by="item")
    assert len(d) == 12 * 3
    bad = tab.copy()
    bad.loc[3, "rating"] = 7
    with pytest.raises(SchemaError, match="rating") as e:
        V.p3_heatmap_data(bad)
    assert e.value.row == 4


def test_scorecard_heatmap_draws_its_data():
    tab = scorecard_tab()
    d = V.scorecard_heatmap_data(tab)
    assert len(d) == 9
    assert (
        d.loc[(d["metric"] == "communication") & (d["criterion"] == "invariance"), "verdict"].item()
        == "not tested"
    )
    _fig, ax = V.scorecard_heatmap(tab)
    (mesh,) = meshes(ax)
    arr = np.ma.getdata(mesh.get_array()).reshape(3, 3)
    np.testing.assert_array_equal(arr[d["r"], d["c"]], d["code"])
    long = d[["metric", "criterion", "verdict"]]
    pd.testing.assert_frame_equal(V.scorecard_heatmap_data(long), d)
    with pytest.raises(SchemaError, match="unknown verdict"):
        V.scorecard_heatmap_data(tab.assign(invariance="maybe"))


def test_event_study_draws_its_data():
    tab = event_tab().sample(frac=1, random_state=0)
    d = V.event_study_data(tab)
    assert d["event_time"].is_monotonic_increasing
    _fig, ax = V.event_study(tab)
    c = errorbar_of(ax)
    np.testing.assert_allclose(f(c.lines[0].get_ydata()), d["estimate"])
    seg = bar_segments(c)
    np.testing.assert_allclose(seg[:, 1], d["ci_low"])
    np.testing.assert_allclose(seg[:, 3], d["ci_high"])
    band = next(col for col in ax.collections if col.get_gid() == "event-band")
    verts = band.get_paths()[0].vertices
    for r in d.itertuples():
        ys = verts[np.isclose(verts[:, 0], r.event_time), 1]
        assert ys.min() == pytest.approx(r.band_low) and ys.max() == pytest.approx(r.band_high)
    assert any(np.allclose(ln.get_xdata(), -0.5) for ln in ax.get_lines())
    assert any(np.allclose(ln.get_ydata(), 0) for ln in ax.get_lines())


def test_synth_gap_draws_its_data():
    gap, plac = synth_inputs()
    d = V.synth_gap_data(gap, plac)
    _fig, ax = V.synth_gap(gap, plac, start=2019)
    lines = {ln.get_gid(): ln for ln in ax.get_lines() if ln.get_gid()}
    t = d[d["role"] == "treated"]
    np.testing.assert_allclose(f(lines["treated"].get_ydata()), t["gap"])
    for u in plac.columns:
        np.testing.assert_allclose(f(lines[f"placebo-{u}"].get_ydata()), d[d["unit"] == u]["gap"])
        assert lines[f"placebo-{u}"].get_color() == "#999999"
    assert any(np.allclose(ln.get_xdata(), 2019) for ln in ax.get_lines())
    long = plac.rename_axis("time").reset_index().melt("time", var_name="unit", value_name="gap")
    pd.testing.assert_frame_equal(V.synth_gap_data(gap, long), d)


def test_synth_gap_accepts_a_result_object():
    gap, plac = synth_inputs()

    class Res:
        pass

    r = Res()
    r.gap, r.placebos, r.start = gap, plac, 2019
    _fig, ax = V.synth_gap(r)
    assert any(np.allclose(ln.get_xdata(), 2019) for ln in ax.get_lines())


# --------------------------------------------------------------- shared promises

KINDS = {
    "likert_bars": (likert_tab, {"instrument": "family_engagement"}),
    "scale_trends": (trends_tab, {}),
    "parity_dots": (lambda: ci_tab(1.0), {}),
    "retention_curve": (retention_tab, {"group_col": "grp"}),
    "p3_heatmap": (ratings_tab, {}),
    "scorecard_heatmap": (scorecard_tab, {}),
    "event_study": (event_tab, {}),
    "forest": (lambda: ci_tab(0), {}),
    "dashboard_grid": (dash_tab, {}),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_returns_fig_ax_and_uses_the_given_ax(kind):
    make, kw = KINDS[kind]
    fn = getattr(V, kind)
    fig, ax = fn(make(), **kw)
    assert fig.__class__.__name__ == "Figure"
    assert ax is not None
    from matplotlib.figure import Figure

    host = Figure(figsize=(6, 4))
    mine = host.add_subplot()
    fig2, ax2 = fn(make(), ax=mine, **kw)
    assert fig2 is host and ax2 is mine
    assert len(mine.get_children()) > 10  # something was drawn on it
    # fonts are readable
    for t in fig.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "get_text")):
        if t.get_text():
            assert t.get_fontsize() >= 8


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_names_a_missing_column(kind):
    make, kw = KINDS[kind]
    tab = make()
    col = {
        "likert_bars": "item",
        "scale_trends": "year",
        "parity_dots": "ci_low",
        "retention_curve": "share",
        "p3_heatmap": "year",
        "scorecard_heatmap": "metric",
        "event_study": "estimate",
        "forest": "ci_high",
        "dashboard_grid": "status",
    }[kind]
    with pytest.raises(SchemaError) as e:
        getattr(V, f"{kind}_data")(tab.drop(columns=col), **kw)
    assert e.value.column == col
    assert "How to fix" in str(e.value)
    assert isinstance(e.value, CEIError)


def test_estimate_outside_ci_is_refused():
    tab = ci_tab(0)
    tab.loc[1, "ci_low"] = tab.loc[1, "estimate"] + 1
    with pytest.raises(SchemaError, match="outside its confidence interval"):
        V.forest(tab)


def test_theme_constants_and_set_theme():
    assert (V.FULL_WIDTH, V.HALF_WIDTH) == (6.5, 3.2)
    assert V.OKABE_ITO[5] == "#0072B2"
    with matplotlib.rc_context():
        V.set_theme()
        assert matplotlib.rcParams["font.size"] >= 8
        assert matplotlib.rcParams["figure.facecolor"] == "white"
        assert matplotlib.rcParams["savefig.dpi"] == 300


def test_retention_axis_holds_the_series_sessions_only():
    tab = pd.DataFrame(
        {"session": [1, 2, 3], "share": [1.0, 0.8, 0.5], "n": [40, 40, 40], "n_sessions": 8}
    )
    _fig, ax = V.retention_curve(tab)
    assert ax.get_xlim() == pytest.approx((0.5, 8.5))
    assert [int(t) for t in ax.get_xticks()] == list(range(1, 9))


def test_event_study_labels_pointwise_and_uniform_bands():
    es = pd.DataFrame(
        {
            "event_time": [-1, 0, 1],
            "estimate": [0.0, -1.0, -2.0],
            "ci_low": [-0.5, -1.5, -2.6],
            "ci_high": [0.5, -0.5, -1.4],
            "band_low": [-0.8, -1.8, -2.9],
            "band_high": [0.8, -0.2, -1.1],
        }
    )
    _fig, ax = V.event_study(es, ci_level=0.9)
    labels = ax.get_legend_handles_labels()[1]
    assert "90% uniform band (all event times at once)" in labels
    assert "estimate and 90% pointwise CI" in labels
    _fig, ax = V.event_study(es.drop(columns=["band_low", "band_high"]))
    assert not any("uniform" in t for t in ax.get_legend_handles_labels()[1])


def test_figure_functions_display_as_images_and_still_unpack():
    out = V.forest(
        pd.DataFrame({"label": ["a"], "estimate": [1.0], "ci_low": [0.5], "ci_high": [1.5]})
    )
    fig, ax = out
    bundle = out._repr_mimebundle_()
    assert bundle["image/png"][:8] == b"\x89PNG\r\n\x1a\n" and fig is out.fig and ax is out.ax
