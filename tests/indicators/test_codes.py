"""The integer-key machinery behind the indicators, against pandas groupby."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cei_metrics.indicators import _stats

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def frame(seed: int, n: int, missing: bool) -> pd.DataFrame:
    """Columns of every dtype the fast paths treat differently."""
    rng = np.random.default_rng(seed)
    cats = ["z", "a", "m", "b"]  # category order differs from sorted order
    df = pd.DataFrame(
        {
            "cat": pd.Categorical.from_codes(rng.integers(0, 4, n), cats),
            "int": rng.integers(-3, 5, n),
            "wide": rng.integers(0, 10**12, n),  # too wide a range for offsets: hashed
            "flag": rng.random(n) < 0.4,
            "text": rng.choice(["x", "yy", "w"], n),
        }
    )
    if missing:
        df["text"] = df["text"].where(rng.random(n) > 0.1)
        df["cat"] = df["cat"].where(rng.random(n) > 0.1)
    return df


@FAST
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 300),
    missing=st.booleans(),
    by=st.lists(
        st.sampled_from(["cat", "int", "wide", "flag", "text"]), min_size=1, max_size=3, unique=True
    ),
)
def test_group_codes_equal_pandas_groupby(seed, n, missing, by):
    df = frame(seed, n, missing)
    codes, keys = _stats.group_codes(df, by)
    g = df.groupby(by, sort=True, observed=True, dropna=True)
    expect = g.ngroup().to_numpy()
    expect = np.where(np.isnan(expect.astype(float)) | (expect < 0), -1, expect)
    np.testing.assert_array_equal(codes, expect)
    ref = g.size().index.to_frame(index=False)
    for col in by:
        want = ref[col]
        if isinstance(want.dtype, pd.CategoricalDtype):
            want = want.astype(want.cat.categories.dtype)
        np.testing.assert_array_equal(keys[col].to_numpy(), want.to_numpy())


@FAST
@given(seed=st.integers(0, 10_000), n=st.integers(1, 300), missing=st.booleans())
def test_row_codes_identify_the_same_rows_as_groupby(seed, n, missing):
    df = frame(seed, n, missing)
    cols = ["text", "int", "flag"]
    codes = _stats.row_codes(df, cols)
    expect = df.groupby(cols, dropna=True).ngroup().to_numpy(dtype=float)  # NaN: dropped
    expect = np.where(np.isnan(expect), -1, expect)
    assert ((codes < 0) == (expect < 0)).all()
    ok = codes >= 0
    # same partition: a one-to-one map between the two codings
    pairs = pd.DataFrame({"a": codes[ok], "b": expect[ok]}).drop_duplicates()
    assert pairs["a"].is_unique and pairs["b"].is_unique


@pytest.mark.parametrize("limit", [10**9, 0])
@pytest.mark.parametrize("nested", [True, False])
def test_pair_codes_and_clustered_sums_agree_across_strategies(monkeypatch, limit, nested):
    """Dense table, nesting, hashing: the same (group, cluster) cells and sums."""
    rng = np.random.default_rng(3)
    n, n_groups = 2000, 12
    g = rng.integers(0, n_groups, n)
    cl = g * 50 + rng.integers(0, 50, n) if nested else rng.integers(0, 300, n)
    z = rng.normal(size=n)
    monkeypatch.setattr(_stats, "_dense_limit", lambda n: limit)
    cell, group_of = _stats.pair_codes(g, cl, int(cl.max()) + 1)
    pairs = pd.DataFrame({"g": g, "c": cl, "cell": cell})
    assert (group_of[cell] == g).all()
    assert pairs.groupby("cell")[["g", "c"]].nunique().eq(1).all().all()
    assert pairs.drop_duplicates(["g", "c"])["cell"].is_unique
    ss, n_cl = _stats._clustered_sum_sq(z, g, cl, n_groups)
    tot = pd.Series(z).groupby([g, cl]).sum()
    want = (tot**2).groupby(level=0).sum().reindex(range(n_groups), fill_value=0)
    np.testing.assert_allclose(ss, want.to_numpy(), rtol=1e-12)
    np.testing.assert_array_equal(n_cl, tot.groupby(level=0).size().reindex(range(n_groups)))


def test_pair_codes_mark_missing_pairs():
    a = np.array([0, 1, -1, 1])
    b = np.array([2, -1, 0, 2])
    cell, _ = _stats.pair_codes(a, b, 3)
    assert (cell[[1, 2]] == -1).all() and cell[0] != cell[3] and (cell[[0, 3]] >= 0).all()


def test_first_rows_and_subset_groups():
    codes = np.array([2, 0, 2, -1, 0, 3])
    np.testing.assert_array_equal(_stats.first_rows(codes), [1, 0, 5])  # code 1 absent
    keys = pd.DataFrame({"k": ["a", "b", "c", "d"]})
    remap, sub = _stats.subset_groups(codes, keys, np.array([1, 1, 1, 1, 0, 0], dtype=bool))
    np.testing.assert_array_equal(remap, [0, -1, 1, -1])
    assert sub["k"].tolist() == ["a", "c"]


def test_factorize_fast_paths_do_not_alias_categorical_codes():
    s = pd.Series(pd.Categorical(["b", "a", "b"], categories=["b", "a"]))
    codes, uniq = _stats.factorize(s)
    codes[:] = 7
    assert s.cat.codes.tolist() == [0, 1, 0] and list(uniq) == ["b", "a"]
    codes, uniq = _stats.factorize(pd.Series([5, 3, 5]))
    assert codes.tolist() == [2, 0, 2] and uniq.tolist() == [3, 4, 5]
