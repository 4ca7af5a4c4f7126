"""Exploratory topics (TF-IDF + NMF, scikit-learn optional)."""

from __future__ import annotations

import builtins

import numpy as np
import pytest

from cei_metrics.errors import CEIError, EstimationError
from cei_metrics.text import explore_topics

pytest.importorskip("sklearn", reason="scikit-learn is the optional [text] extra")

CHILDCARE = [
    "childcare at the meeting helped me attend",
    "no childcare so I could not attend the meeting",
    "please offer childcare for younger siblings",
    "with childcare and dinner more parents would attend",
    "babysitting for siblings would help us attend",
]
INTERPRET = [
    "we need an interpreter at every council session",
    "the interpreter translated everything clearly",
    "no interpreter was there and I left",
    "spanish interpreter and translated flyers please",
    "the translated notes from the interpreter were late",
]


def test_planted_topics_separate_and_are_marked_exploratory():
    texts = CHILDCARE * 3 + INTERPRET * 3
    res = explore_topics(texts, n_topics=2, n_terms=6, seed=0, min_df=1)
    t = res.to_frame()
    assert (t["status"] == "exploratory").all()
    assert res.summary().startswith("EXPLORATORY")
    top = t[t["rank"] <= 2].groupby("topic")["term"].apply(lambda v: " ".join(sorted(v)))
    assert sorted(top.str.contains("childcare|attend")) == [False, True]
    assert sorted(top.str.contains("interpreter|translated")) == [False, True]
    a = res.assignments()
    assert (a["status"] == "exploratory").all()
    first = a["topic"].to_numpy()
    half = len(CHILDCARE) * 3
    assert len(set(first[:half])) == 1 and len(set(first[half:])) == 1
    assert first[0] != first[-1]
    again = explore_topics(texts, n_topics=2, n_terms=6, seed=0, min_df=1)
    np.testing.assert_allclose(again.doc_topics, res.doc_topics)


def test_accents_and_case_are_folded():
    texts = ["Intérprete en la junta", "interprete en la JUNTA", "INTERPRETE junta"] * 2
    res = explore_topics(texts, n_topics=1, n_terms=3, min_df=1, max_df=1.0)
    assert set(res.to_frame()["term"]) >= {"interprete", "junta"}
    assert "intérprete" not in set(res.to_frame()["term"])


def test_too_few_texts():
    with pytest.raises(EstimationError):
        explore_topics(["one text"], n_topics=3)


def test_clear_error_without_scikit_learn(monkeypatch):
    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(CEIError, match=r"cei-metrics\[text\]"):
        explore_topics(CHILDCARE + INTERPRET)
