"""Theme shares by group and code co-occurrence."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cei_metrics.errors import SchemaError
from cei_metrics.indicators import IndicatorResult, wilson_ci
from cei_metrics.text import code_cooccurrence, theme_shares


def _coded(seed: int = 0, n: int = 120) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    units = pd.DataFrame(
        {
            "respondent_id": [f"r{i}" for i in range(n)],
            "language": rng.choice(["en", "es"], n, p=[0.6, 0.4]),
            "district_id": rng.choice(["1111111", "2222222", "3333333"], n, p=[0.5, 0.45, 0.05]),
            "w": rng.uniform(0.5, 2, n),
        }
    )
    rows = []
    for r in units.itertuples():
        p_lang = 0.5 if r.language == "es" else 0.15
        if rng.random() < p_lang:
            rows.append((r.respondent_id, "language_access"))
        if rng.random() < 0.3:
            rows.append((r.respondent_id, "communication"))
        if rng.random() < 0.2:
            rows.append((r.respondent_id, "communication"))  # coded twice: counts once
    coded = pd.DataFrame(rows, columns=["respondent_id", "code"])
    return coded, units


def test_theme_shares_by_group_equal_hand_counts_and_wilson():
    coded, units = _coded()
    res = theme_shares(coded, units, by="language", unit="respondent_id")
    assert isinstance(res, IndicatorResult) and res.indicator == "theme_share"
    t = res.to_frame()
    for (lang, code), row in t.set_index(["language", "code"]).iterrows():
        ids = set(units.loc[units["language"] == lang, "respondent_id"])
        hit = set(coded.loc[coded["code"] == code, "respondent_id"]) & ids
        assert row["n"] == len(ids)
        assert row["count"] == len(hit)
        assert row["estimate"] == pytest.approx(len(hit) / len(ids))
        lo, hi = wilson_ci(len(hit), len(ids))
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((float(lo), float(hi)))
    es = t.set_index(["language", "code"]).loc[("es", "language_access"), "estimate"]
    en = t.set_index(["language", "code"]).loc[("en", "language_access"), "estimate"]
    assert es > en  # the planted difference


def test_theme_shares_flag_small_groups():
    coded, units = _coded()
    t = theme_shares(coded, units, by="district_id", unit="respondent_id").to_frame()
    small = t["n"] < 11
    assert small.any() and (t["suppressed"] == small).all()


def test_theme_shares_without_units_and_weighted():
    coded, units = _coded()
    everyone = theme_shares(coded, units, unit="respondent_id").to_frame().set_index("code")
    only_coded = (
        theme_shares(coded.merge(units, on="respondent_id"), unit="respondent_id")
        .to_frame()
        .set_index("code")
    )
    # without a units table the denominator is only the coded units
    assert only_coded.loc["communication", "n"] == coded["respondent_id"].nunique()
    assert everyone.loc["communication", "n"] == len(units)
    wt = theme_shares(coded, units, unit="respondent_id", weights="w").to_frame().set_index("code")
    x = units["respondent_id"].isin(coded.loc[coded["code"] == "communication", "respondent_id"])
    assert wt.loc["communication", "estimate"] == pytest.approx(np.average(x, weights=units["w"]))


def test_theme_shares_refuse_several_coders_and_strays():
    coded = pd.DataFrame({"segment_id": ["a", "a"], "coder": ["X", "Y"], "code": ["t", "t"]})
    with pytest.raises(SchemaError, match="reconcile"):
        theme_shares(coded)
    assert len(theme_shares(coded, coder="X").to_frame()) == 1
    with pytest.raises(SchemaError, match="not in the units table"):
        theme_shares(coded, pd.DataFrame({"segment_id": ["b"]}), coder="X")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 15), st.sampled_from(["a", "b", "c", "d"])),
        min_size=1,
        max_size=60,
    )
)
def test_cooccurrence_equals_brute_force(pairs):
    coded = pd.DataFrame(pairs, columns=["segment_id", "code"])
    res = code_cooccurrence(coded, min_cell=3)
    sets = {c: set(coded.loc[coded["code"] == c, "segment_id"]) for c in res.codes}
    t = res.to_frame()
    assert len(t) == len(res.codes) * (len(res.codes) - 1) // 2
    for a, b in itertools.combinations(res.codes, 2):
        row = t[(t["code_a"] == a) & (t["code_b"] == b)].iloc[0]
        inter = len(sets[a] & sets[b])
        assert row["count"] == inter
        assert row["jaccard"] == pytest.approx(inter / len(sets[a] | sets[b]))
        assert row["suppressed"] == (inter < 3)
    m = res.matrix("count")
    assert np.allclose(m.to_numpy(), m.to_numpy().T)
    assert [m.loc[c, c] for c in res.codes] == [len(sets[c]) for c in res.codes]
    assert np.allclose(np.diag(res.matrix("jaccard")), 1.0)


def test_cooccurrence_rows_are_keyed_by_the_pair_and_n_counts_units():
    coded = pd.DataFrame(
        {"segment_id": ["s1", "s1", "s2", "s3"], "code": ["trust", "voice", "trust", None]}
    )
    res = code_cooccurrence(coded)
    frame = res.to_frame()
    assert frame["term"].tolist() == ["trust & voice"]
    assert res.n == 3  # units examined, the uncoded s3 included
    with pytest.warns(FutureWarning, match=r"use \.n"):
        assert res.n_units == 3
