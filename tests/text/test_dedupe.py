"""Copied text collapsed before counting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cei_metrics.errors import SchemaError
from cei_metrics.text import collapse_duplicates, normalize_text
from cei_metrics.text.dedupe import shingles

BASE = [
    "We would love more meetings in the evening because most of us work during the day.",
    "The front office staff are always friendly and greet my children by name.",
    "Necesitamos más intérpretes en las juntas del distrito, por favor.",
    "Please send the newsletter in Spanish as well as in English.",
    "Childcare at the LCAP meeting made it possible for me to attend.",
]


def test_planted_copies_are_collapsed():
    texts = list(BASE)
    texts.append(BASE[0].upper())  # exact after normalisation
    texts.append("  necesitamos mas interpretes en las juntas del distrito por favor ")  # exact
    texts.append(BASE[1].replace("children", "kids"))  # near
    texts.append(BASE[3].replace("Please send", "Could you send"))  # near
    s = pd.Series(texts, index=[f"c{i}" for i in range(len(texts))])
    res = collapse_duplicates(s)
    assert (res.n, res.n_kept, res.n_exact, res.n_near, res.n_collapsed) == (9, 5, 2, 2, 4)
    assert list(res.kept.index) == ["c0", "c1", "c2", "c3", "c4"]
    t = res.to_frame().set_index("segment_id")
    assert t.loc["c5", "representative"] == "c0" and t.loc["c5", "kind"] == "exact"
    assert t.loc["c7", "representative"] == "c1" and t.loc["c7", "kind"] == "near"
    assert 0.7 <= t.loc["c7", "similarity"] < 1
    assert "4 collapsed (2 exact, 2 near" in res.summary()


def test_threshold_one_keeps_near_copies_and_distinct_texts_survive():
    texts = [*BASE, BASE[1].replace("children", "kids")]
    assert collapse_duplicates(texts, threshold=1.0).n_collapsed == 0
    assert collapse_duplicates(BASE).n_collapsed == 0
    # a different comment on the same topic is not a copy
    other = "Evening meetings would help families who work during the day."
    assert collapse_duplicates([BASE[0], other]).n_collapsed == 0


def test_missing_and_empty_texts_are_their_own_groups():
    res = collapse_duplicates(pd.Series(["", None, "", "ok thanks", "OK, thanks!"]))
    assert res.n_kept == 4 and res.n_exact == 1
    with pytest.raises(SchemaError):
        collapse_duplicates(BASE, threshold=0)


def test_normalize_text():
    assert normalize_text("  ¡Muy   BIEN, gracias! ") == "muy bien gracias"
    assert normalize_text(None) == "" and normalize_text(float("nan")) == ""


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(alphabet="abcde ", min_size=0, max_size=14), min_size=2, max_size=12))
def test_groups_match_brute_force_jaccard(raw):
    """Two texts share a group iff a chain of pairs at or above the threshold joins them
    (single linkage), with similarities computed by brute force on shingle sets."""
    thr, k = 0.6, 3
    res = collapse_duplicates(raw, threshold=thr, k=k)
    norm = [normalize_text(t) for t in raw]
    n = len(raw)
    adj = np.eye(n, dtype=bool)
    for i in range(n):
        for j in range(n):
            if norm[i] and norm[j]:
                a, b = shingles(norm[i], k), shingles(norm[j], k)
                if norm[i] == norm[j] or len(a & b) / len(a | b) >= thr:
                    adj[i, j] = True
    reach = adj.copy()
    for m in range(n):  # transitive closure
        reach |= reach[:, [m]] & reach[[m], :]
    cluster = res.to_frame()["cluster"].to_numpy()
    assert np.array_equal(cluster[:, None] == cluster[None, :], reach)
