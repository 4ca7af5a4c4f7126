import numpy as np
import pandas as pd
import pytest

import cei_metrics as cm
from cei_metrics.viz.coverage import coverage_heatmap, coverage_heatmap_data


def _tab():
    return pd.DataFrame(
        {
            "district_id": ["a", "a", "b", "b", "c"],
            "wave": [1, 2, 1, 2, 1],
            "n": [50, 40, 5, 30, 12],
        }
    )


def test_drawn_cells_equal_data_and_small_cells_blank():
    d = coverage_heatmap_data(_tab(), row="district_id", col="wave")
    # b's 5 in wave 1 is small; c's 12 is suppressed with it (complementary within the
    # wave), so the wave total minus the drawn cells cannot give back 5
    assert d["suppressed"].tolist() == [False, False, True, False, True]
    _fig, ax = coverage_heatmap(_tab(), row="district_id", col="wave")
    mesh = next(c for c in ax.collections if c.get_gid() == "coverage-mesh")
    arr = np.ma.filled(mesh.get_array().reshape(3, 2), np.nan)
    expect = np.array([[50, 40], [np.nan, 30], [np.nan, np.nan]])
    np.testing.assert_array_equal(arr, expect)


def test_missing_column_named():
    with pytest.raises(cm.SchemaError) as info:
        coverage_heatmap_data(_tab(), row="school_id", col="wave")
    assert info.value.column == "school_id"
