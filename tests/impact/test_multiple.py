"""adjust_pvalues against Benjamini & Hochberg (1995) and R p.adjust."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cei_metrics.errors import EstimationError
from cei_metrics.impact.inference.multiple import adjust_pvalues

_p = Path(__file__).resolve().parents[1] / "reference" / "impact_mixed_power_multiple.py"
_spec = importlib.util.spec_from_file_location("ref_pm", _p)
REF = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(REF)


@pytest.mark.parametrize("method", ["holm", "bonferroni", "bh", "by"])
def test_matches_r_p_adjust(method):
    got = adjust_pvalues(REF.PADJUST_P, method=method)
    assert got == pytest.approx(REF.PADJUST[method], abs=5e-8)


@pytest.mark.parametrize(
    ("method", "k"),
    [
        ("bh", REF.BH1995_REJECT_BH),
        ("bonferroni", REF.BH1995_REJECT_BONFERRONI),
        ("holm", REF.BH1995_REJECT_HOLM),
    ],
)
def test_benjamini_hochberg_1995_example(method, k):
    adj = adjust_pvalues(REF.BH1995_P, method=method)
    assert int((adj <= 0.05).sum()) == k


def test_shapes_nan_and_errors():
    s = pd.Series([0.01, np.nan, 0.04], index=list("abc"), name="p_val")
    out = adjust_pvalues(s, method="bonferroni")
    assert isinstance(out, pd.Series) and list(out.index) == list("abc") and out.name == "p_val"
    assert out["a"] == pytest.approx(0.02) and np.isnan(out["b"])
    m = adjust_pvalues(np.array([[0.01, 0.02], [0.03, 0.04]]), method="holm")
    assert m.shape == (2, 2)
    with pytest.raises(EstimationError, match="outside"):
        adjust_pvalues([0.5, 1.5])
    with pytest.raises(EstimationError):
        adjust_pvalues([0.5], method="sidak-ish")
    with pytest.raises(EstimationError):
        adjust_pvalues(pd.DataFrame({"p": [0.1]}))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=40))
def test_adjusted_values_dominate_and_keep_order(ps):
    p = np.array(ps)
    for method in ("holm", "bh", "bonferroni", "by"):
        adj = adjust_pvalues(p, method=method)
        assert np.all(adj >= p - 1e-12) and np.all(adj <= 1 + 1e-12)
        order = np.argsort(p, kind="stable")
        assert np.all(np.diff(adj[order]) >= -1e-12)
