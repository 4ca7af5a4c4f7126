"""Small-cell suppression and the export audit."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cei_metrics as cm
from cei_metrics.errors import CEIError, PrivacyError, SchemaError
from cei_metrics.privacy import MIN_CELL, audit, is_count_column, is_pii_column, suppress

# ----------------------------------------------------------------------------- suppress


def test_row_with_small_n_blanks_its_statistics():
    tab = pd.DataFrame(
        {
            "label": ["a", "b"],
            "estimate": [1.0, 2.0],
            "std_error": [0.1, 0.2],
            "ci_low": [0.8, 1.6],
            "ci_high": [1.2, 2.4],
            "p_val": [0.01, 0.02],
            "n": [5, 50],
        }
    )
    out = suppress(tab)
    assert out["suppressed"].tolist() == [True, False]
    assert out.loc[0, ["estimate", "std_error", "ci_low", "ci_high", "p_val"]].isna().all()
    assert pd.isna(out.loc[0, "n"])
    assert out.loc[0, "label"] == "a"  # keys are kept
    assert out.loc[1, "estimate"] == 2.0 and out.loc[1, "n"] == 50
    assert out.attrs["suppression"]["suppressed_rows"] == 1
    assert out.attrs["suppression"]["suppressed_cells"] == 6
    assert str(out["n"].dtype) == "Int64"  # counts stay whole numbers in the CSV


def test_threshold_is_exclusive_and_zero_is_shown():
    tab = pd.DataFrame({"g": list("abcd"), "count": [0, 10, 11, 12]})
    out = suppress(tab, threshold=11)
    assert out["suppressed"].tolist() == [False, True, False, False]


def test_complementary_suppression_in_a_group():
    tab = pd.DataFrame({"item": ["q1"] * 4, "response": [1, 2, 3, 4], "count": [4, 30, 52, 25]})
    out = suppress(tab, by="item")
    # 4 is small; 25 is the next-smallest and is suppressed with it
    assert out["suppressed"].tolist() == [True, False, False, True]
    assert out.attrs["suppression"]["complementary_rows"] == 1


def test_complementary_prefers_a_positive_cell_over_a_zero():
    tab = pd.DataFrame({"g": ["x"] * 3, "count": [3, 0, 40]})
    out = suppress(tab, by="g")
    assert out["suppressed"].tolist() == [True, False, True]


def test_total_rows_are_not_complementary_candidates():
    tab = pd.DataFrame(
        {
            "group": ["All", "EL", "non-EL"],
            "is_total": [True, False, False],
            "n": [100, 7, 93],
        }
    )
    out = suppress(tab, total_rows="is_total")
    assert out["suppressed"].tolist() == [False, True, True]


def test_numerator_complement_is_suppressed():
    tab = pd.DataFrame(
        {"g": ["x", "y"], "numerator": [95, 50], "denominator": [100, 100], "value": [95.0, 50.0]}
    )
    out = suppress(tab)
    assert out["suppressed"].tolist() == [True, False]
    assert pd.isna(out.loc[0, "value"])


def test_suppress_errors_name_the_column():
    tab = pd.DataFrame({"g": ["x"], "count": ["many"]})
    with pytest.raises(SchemaError, match="count"):
        suppress(tab)
    with pytest.raises(SchemaError, match="district"):
        suppress(pd.DataFrame({"n": [20]}), by="district")
    with pytest.raises(SchemaError):
        suppress([1, 2, 3])
    with pytest.raises(SchemaError):
        suppress(pd.DataFrame({"n": [20]}), threshold=0)


def test_suppress_is_idempotent_and_keeps_the_input():
    tab = pd.DataFrame({"g": ["x"] * 3, "count": [3, 20, 40], "share": [0.05, 0.32, 0.63]})
    before = tab.copy()
    once = suppress(tab, by="g")
    pd.testing.assert_frame_equal(tab, before)
    twice = suppress(once, by="g")
    assert twice["suppressed"].tolist() == once["suppressed"].tolist()


def test_column_name_rules():
    for c in ["n", "count", "numerator", "denominator", "n_families", "resp_n", "Count"]:
        assert is_count_column(c)
    for c in ["estimate", "name", "year", "ncol"]:
        assert not is_count_column(c)
    for c in [
        "respondent_id",
        "participant_id",
        "email",
        "E-mail",
        "phone",
        "last_name",
        "comments",
        "parent_email",
    ]:
        assert is_pii_column(c)
    for c in ["name", "district_id", "label"]:
        assert not is_pii_column(c)


# ------------------------------------------------------------------- property tests

counts = st.integers(min_value=0, max_value=60)


@st.composite
def count_tables(draw):
    n_groups = draw(st.integers(1, 5))
    sizes = draw(st.lists(st.integers(1, 6), min_size=n_groups, max_size=n_groups))
    rows = []
    for g, k in enumerate(sizes):
        for j in range(k):
            rows.append({"group": f"g{g}", "cell": j, "count": draw(counts)})
    thr = draw(st.integers(2, 15))
    return pd.DataFrame(rows), thr


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count_tables())
def test_no_exported_cell_below_threshold(data):
    tab, thr = data
    out = suppress(tab, count_cols="count", threshold=thr, by="group")
    shown = out["count"].dropna().astype(int)
    assert not ((shown > 0) & (shown < thr)).any()
    # every small input cell is blanked, nothing else is changed
    small = (tab["count"] > 0) & (tab["count"] < thr)
    assert out.loc[small.to_numpy(), "count"].isna().all()
    kept = ~out["suppressed"].to_numpy()
    assert (
        out.loc[kept, "count"].astype(int).to_numpy() == tab.loc[kept, "count"].to_numpy()
    ).all()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count_tables())
def test_complementary_closes_the_subtraction_leak(data):
    tab, thr = data
    out = suppress(tab, count_cols="count", threshold=thr, by="group")
    for gname, g in out.groupby("group"):
        sup = g["suppressed"].to_numpy()
        k = int(sup.sum())
        # a group has no suppressed cell or at least two (a one-cell group is its total)
        assert k == 0 or k >= 2 or len(g) == 1
        if k == 0:
            continue
        orig = tab.loc[tab["group"] == gname, "count"].to_numpy()
        total = int(orig.sum())
        # what the group total minus the shown cells reveals is the sum of the hidden ones
        residual = total - int(g["count"].dropna().astype(int).sum())
        assert residual == int(orig[sup].sum())
        # and that residual is not itself a small cell, unless the whole group is hidden
        assert residual >= thr or residual == 0 or sup.all()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 200), min_size=1, max_size=30),
    st.integers(2, 30),
)
def test_statistics_on_a_suppressed_n_are_blank(ns, thr):
    tab = pd.DataFrame({"n": ns, "estimate": np.arange(len(ns), dtype=float) + 0.5})
    out = suppress(tab, threshold=thr)
    small = (tab["n"] > 0) & (tab["n"] < thr)
    assert out.loc[small.to_numpy(), "estimate"].isna().all()
    assert out.loc[(~small).to_numpy(), "estimate"].notna().all()


# ------------------------------------------------------------------------------ audit


def test_audit_passes_a_clean_folder(tmp_path):
    pd.DataFrame({"label": ["a", "b"], "estimate": [1.0, 2.0], "n": [40, 0]}).to_csv(
        tmp_path / "clean.csv", index=False
    )
    (tmp_path / "clean.json").write_text(
        json.dumps({"caption": "ok", "suppression": {"applied": True, "threshold": 11}})
    )
    res = audit(tmp_path)
    assert res.ok, res.summary()
    assert res.n_files == 2
    assert res.findings.empty
    assert "OK" in res.summary()


def test_audit_fails_on_a_small_cell(tmp_path):
    pd.DataFrame({"label": ["a", "b"], "n": [40, 5]}).to_csv(tmp_path / "leak.csv", index=False)
    res = audit(tmp_path)
    assert not res.ok
    f = res.findings.iloc[0]
    assert f["file"].endswith("leak.csv") and f["row"] == 2 and f["column"] == "n"
    with pytest.raises(PrivacyError, match=r"leak\.csv"):
        audit(tmp_path, raise_on_fail=True)
    assert isinstance(PrivacyError("x"), CEIError)


@pytest.mark.parametrize(
    "frame, column",
    [
        (pd.DataFrame({"email": ["x@y.org"], "n": [40]}), "email"),
        (pd.DataFrame({"respondent_id": ["abc"], "n": [40]}), "respondent_id"),
        (pd.DataFrame({"first_name": ["Ana"], "n": [40]}), "first_name"),
        (pd.DataFrame({"comments": ["fine"], "n": [40]}), "comments"),
        (pd.DataFrame({"note": ["call 555-123-4567"], "n": [40]}), "note"),
        (pd.DataFrame({"contact": ["ana@example.com"], "n": [40]}), "contact"),
        (pd.DataFrame({"numerator": [95], "denominator": [100]}), "numerator"),
        (pd.DataFrame({"count_n": [3]}), "count_n"),
    ],
)
def test_audit_finds_pii_and_leaks(tmp_path, frame, column):
    frame.to_csv(tmp_path / "t.csv", index=False)
    res = audit(tmp_path)
    assert not res.ok
    assert column in res.findings["column"].tolist()


def test_audit_checks_sidecars(tmp_path):
    (tmp_path / "a.csv").write_text("label,n\nx,40\n")
    (tmp_path / "a.json").write_text(
        json.dumps(
            {
                "data_file": "a.csv",
                "data_sha256": "0" * 64,
                "suppression": {"applied": True, "threshold": 5},
            }
        )
    )
    res = audit(tmp_path)
    whats = " ".join(res.findings["what"])
    assert "below the audit threshold" in whats
    assert "does not match the hash" in whats
    (tmp_path / "b.json").write_text(
        json.dumps({"data_columns": ["label", "n"], "suppression": {"applied": False}})
    )
    assert "without suppression" in " ".join(audit(tmp_path).findings["what"])


def test_unsuppressed_data_without_counts_passes(tmp_path):
    (tmp_path / "r.csv").write_text("row,year,rating\nA,2019-20,3.5\n")
    (tmp_path / "r.json").write_text(
        json.dumps({"data_columns": ["row", "year", "rating"], "suppression": {"applied": False}})
    )
    assert audit(tmp_path).ok


def test_audit_of_a_missing_folder_raises(tmp_path):
    with pytest.raises(PrivacyError, match="does not exist"):
        audit(tmp_path / "nope")


def test_min_cell_constant():
    assert MIN_CELL == 11 and cm.privacy.DASHBOARD_MIN == 30
