"""Dashboard grids against the California Department of Education's published grids and
placements (tests/reference/viz_dashboard_cde.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, QuadMesh

import cei_metrics as cm
from cei_metrics.errors import SchemaError
from cei_metrics.viz.dashboard import CHANGE_LEVELS, STATUS_LEVELS

V = cm.viz
_spec = importlib.util.spec_from_file_location(
    "viz_dashboard_cde", Path(__file__).resolve().parents[1] / "reference" / "viz_dashboard_cde.py"
)
REF = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(REF)


def test_shipped_grids_equal_the_cde_pages():
    g = V.get_grid("chronic_absenteeism", 2018)
    assert g.colors == REF.CHRONIC_2018_COLORS
    assert g.status_cuts == REF.CHRONIC_2018_STATUS_CUTS
    assert V.get_grid("suspension", 2018, "unified").colors == REF.SUSP_UNIFIED_2018_COLORS
    assert V.get_grid("suspension", 2019, "elementary_school").colors == REF.SUSP_ES_2019_COLORS
    assert V.get_grid("chronic_absenteeism", "2017-18") is g  # school year of the data
    for grid in V.DASHBOARD_GRIDS.values():
        assert grid.source


def test_reproduces_the_2023_state_suspension_report():
    rows = pd.DataFrame(
        REF.SUSP_UNIFIED_STATE_2023,
        columns=["label", "color", "status_level", "change_level", "status", "change"],
    )
    d = V.dashboard_grid_data(
        rows[["label", "status", "change"]],
        indicator="suspension",
        year=2023,
        district_type="unified",
    )
    assert d["color"].tolist() == rows["color"].tolist()
    assert d["status_level"].tolist() == rows["status_level"].tolist()
    assert d["change_level"].tolist() == rows["change_level"].tolist()


def test_reproduces_the_2022_state_suspension_status_levels():
    g = V.get_grid("suspension", 2018, "unified")
    rows = REF.SUSP_UNIFIED_STATE_2022_STATUS
    si, _, _ = V.dashboard_levels([r[1] for r in rows], [0.0] * len(rows), g)
    assert [STATUS_LEVELS[i] for i in si] == [r[2] for r in rows]


@pytest.mark.parametrize(
    "status, change, level, change_level, color",
    [
        (2.5, 0.0, "Very Low", "Maintained", "Blue"),
        (2.6, 0.0, "Low", "Maintained", "Green"),
        (10.0, 3.0, "Medium", "Increased", "Orange"),
        (10.04, 3.04, "Medium", "Increased", "Orange"),  # rounded to 10.0 and 3.0 first
        (10.05, 3.05, "High", "Increased Significantly", "Red"),
        (20.1, -3.0, "Very High", "Declined Significantly", "Yellow"),
        (7.0, -0.5, "Medium", "Declined", "Green"),
        (7.0, -0.4, "Medium", "Maintained", "Yellow"),
        (7.0, 0.5, "Medium", "Increased", "Orange"),
        # Temple Middle School example of the CDE calculation page: 7.0 %, +3 points
        (7.0, 3.0, "Medium", "Increased", "Orange"),
    ],
)
def test_chronic_cut_points_at_their_edges(status, change, level, change_level, color):
    d = V.dashboard_grid_data(
        pd.DataFrame({"label": ["x"], "status": [status], "change": [change]})
    )
    assert d.loc[0, ["status_level", "change_level", "color"]].tolist() == [
        level,
        change_level,
        color,
    ]


def test_uncovered_years_and_types_raise():
    with pytest.raises(SchemaError, match="no Dashboard grid") as e:
        V.get_grid("suspension", 2019, "high")
    assert "DashboardGrid" in str(e.value)
    with pytest.raises(SchemaError):
        V.get_grid("chronic_absenteeism", 2025)
    with pytest.raises(SchemaError):
        V.dashboard_grid_data(pd.DataFrame({"label": ["x"], "status": [150.0], "change": [0.0]}))


def test_custom_grid():
    g = V.DashboardGrid(
        indicator="chronic_absenteeism",
        year=2030,
        entity="all",
        status_cuts=(2.0, 5.0, 10.0, 20.0),
        change_cuts=(-3.0, -0.5, 0.5, 3.0),
        colors=REF.CHRONIC_2018_COLORS,
        source="user",
    )
    d = V.dashboard_grid_data(
        pd.DataFrame({"label": ["x"], "status": [2.3], "change": [0.0]}), grid=g
    )
    assert d.loc[0, "status_level"] == "Low"
    with pytest.raises(SchemaError):
        V.DashboardGrid("x", 1, "all", (3, 2, 1, 0), (0, 1, 2, 3), REF.CHRONIC_2018_COLORS, "")


def test_dashboard_grid_draws_its_data():
    tab = pd.DataFrame(
        {
            "label": ["A", "B", "C", "D", "E", "F"],
            "status": [2.0, 7.0, 15.3, 25.0, 8.0, 7.2],
            "change": [-0.2, 3.5, -1.0, -4.0, 0.0, 3.4],
            "n": [500, 800, 1200, 40, 12, 300],
        }
    )
    d = V.dashboard_grid_data(tab)
    assert d.loc[d["label"] == "E", "placed"].item() is False or not d.loc[4, "placed"]
    assert d.loc[4, "color"] == ""  # fewer than 30 students: no colour
    _fig, ax = V.dashboard_grid(tab)
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    names = list(V.DASHBOARD_COLORS)
    arr = np.ma.getdata(mesh.get_array()).reshape(5, 5)
    drawn = [[names[int(v)] for v in row] for row in arr]
    assert tuple(map(tuple, drawn)) == REF.CHRONIC_2018_COLORS
    (pts,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    p = d[d["placed"]]
    np.testing.assert_allclose(pts.get_offsets(), p[["x", "y"]].to_numpy())
    # every marker sits inside its own cell, two units sharing a cell do not overlap
    assert ((p["x"] > p["c"]) & (p["x"] < p["c"] + 1)).all()
    assert ((p["y"] > p["r"]) & (p["y"] < p["r"] + 1)).all()
    assert not p.duplicated(["x", "y"]).any()
    assert next(t.get_text() for t in ax.get_xticklabels()).startswith("Increased")
    assert len(CHANGE_LEVELS) == 5
