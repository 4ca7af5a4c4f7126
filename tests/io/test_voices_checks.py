"""The checks of the voices analyses say whether the data support them, and why not."""

from __future__ import annotations

import pandas as pd

import cei_metrics as cm
from cei_metrics.io.checks import CHECKS, check
from cei_metrics.schemas import C

NEW = ("response_rates", "raking", "convening_feedback", "goal_tracker", "open_answers",
       "best_practices")  # fmt: skip


def test_registered_and_supported_on_the_demo():
    assert set(NEW) <= set(CHECKS)
    tables = cm.io.load_tables("demo")
    for name in NEW:
        res = check(name, tables)
        assert res.supported, res.line()


def test_each_says_why_not():
    empty: dict[str, pd.DataFrame] = {}
    for name in ("response_rates", "raking"):
        assert "no survey" in check(name, empty).reason
    assert check("convening_feedback", empty).needs.startswith("the convening feedback")
    assert "no district goal table" in check("goal_tracker", empty).reason
    assert "no open answers" in check("open_answers", empty).reason
    demo = cm.load_demo()
    no_fam = demo.roster.drop(columns=C.N_FAMILIES)
    r = check("response_rates", {"survey": demo.survey, "roster": no_fam})
    assert not r.supported and "n_families" in r.needs
    no_el = demo.survey.drop(columns=C.EL_FAMILY)
    r = check("raking", {"survey": no_el, "roster": demo.roster})
    assert not r.supported and "el_family" in r.reason
    few = demo.feedback[demo.feedback[C.RESPONDENT_ID].isin(demo.feedback[C.RESPONDENT_ID][:40])]
    r = check("convening_feedback", {"feedback": few}, min_cell=11)
    assert not r.supported and "one convening" in r.reason
    blank = demo.goals.assign(**{C.VALUE: float("nan")})
    r = check("goal_tracker", {"goals": blank})
    assert not r.supported and "0 of 8 goal(s)" in r.reason
    small = demo.text.head(5)
    assert not check("open_answers", {"text": small}, min_cell=11).supported
    prac = cm.datasets.public_p3_practices()
    r = check("best_practices", {"practices": prac, "ratings": demo.ratings.iloc[0:0]})
    assert not r.supported and "no self-ratings" in r.reason
