"""Findings are written from results: every verdict and its wording, suppression, recorded
calls that compute the same value again, section notes and released tables."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cei_metrics as cm
from cei_metrics import findings as F
from cei_metrics.errors import CEIError, OptionError

# --------------------------------------------------------------------------- verdicts


@pytest.mark.parametrize(
    "args, kw, expect",
    [
        ((0.62, 0.48, 0.80), {"reference": 1.0}, F.BELOW),
        ((1.40, 1.10, 1.80), {"reference": 1.0}, F.ABOVE),
        ((1.10, 0.90, 1.30), {"reference": 1.0}, F.AT),
        # an interval that touches the reference includes it
        ((0.80, 0.60, 1.00), {"reference": 1.0}, F.AT),
        ((1.20, 1.00, 1.40), {"reference": 1.0}, F.AT),
        ((-0.16, -0.22, -0.10), {}, F.BELOW),
        ((0.05, -0.02, 0.12), {}, F.AT),
        # no interval where one is expected, or no estimate
        ((0.5, None, None), {}, F.TOO_FEW),
        ((0.5, float("nan"), 0.7), {}, F.TOO_FEW),
        ((None, None, None), {}, F.TOO_FEW),
        ((float("nan"), 0.1, 0.2), {}, F.TOO_FEW),
        # too few units (one wave)
        ((0.3, 0.1, 0.5), {"n_units": 1, "min_units": 2}, F.TOO_FEW),
        ((0.3, 0.1, 0.5), {"n_units": 2, "min_units": 2}, F.ABOVE),
        # suppressed: the flag or a small count of people, whatever the numbers
        ((0.3, 0.1, 0.5), {"suppressed": True}, F.SUPPRESSED),
        ((0.3, 0.1, 0.5), {"n": 10}, F.SUPPRESSED),
        ((0.3, 0.1, 0.5), {"n": 11}, F.ABOVE),
        ((None, None, None), {"n": 3}, F.SUPPRESSED),
        # no interval by design: the point against the reference
        ((3.2, None, None), {"reference": 3.0, "interval": False}, F.ABOVE),
        ((2.9, None, None), {"reference": 3.0, "interval": False}, F.BELOW),
        ((3.02, None, None), {"reference": 3.0, "interval": False, "tol": 0.05}, F.AT),
        ((3.02, 2.9, 3.1), {"reference": None}, "estimate"),
    ],
)
def test_verdict_rule(args, kw, expect):
    assert F.verdict(*args, **kw) == expect


@settings(max_examples=200, deadline=None)
@given(
    est=st.floats(-5, 5),
    a=st.floats(0, 3),
    b=st.floats(0, 3),
    ref=st.floats(-2, 2),
)
def test_verdict_agrees_with_the_interval(est, a, b, ref):
    lo, hi = est - a, est + b
    v = F.verdict(est, lo, hi, reference=ref)
    assert v == (F.ABOVE if lo > ref else F.BELOW if hi < ref else F.AT)


# ----------------------------------------------------------------------------- words

KIND_REF = {"parity": 1.0, "difference": 0.0, "effect": 0.0, "change": 0.0, "threshold": 0.7}
CASES = {F.ABOVE: (1.5, 1.2, 1.8), F.BELOW: (-0.5, -0.8, -0.2), F.AT: (0.9, -0.5, 1.2)}


@pytest.mark.parametrize("kind", list(KIND_REF))
@pytest.mark.parametrize("v", [F.ABOVE, F.BELOW, F.AT, F.TOO_FEW, F.SUPPRESSED])
def test_every_kind_and_verdict_has_its_own_sentence(kind, v):
    est, lo, hi = CASES.get(v, (0.4, 0.2, 0.6))
    text = F.sentence(
        kind,
        v,
        what="the thing",
        estimate=est,
        ci_low=lo,
        ci_high=hi,
        reference=KIND_REF[kind],
        compared_with="other families'",
        first="wave 1",
        last="wave 4",
    )
    assert text.startswith("The thing") and text.endswith(".")
    if v == F.SUPPRESSED:
        assert "fewer than 11 people" in text and "0.4" not in text
    elif v == F.TOO_FEW:
        assert "too few data to say" in text
    else:
        assert "95% CI" in text
    others = {
        F.sentence(
            kind,
            w,
            what="the thing",
            estimate=CASES.get(w, (0.4, 0.2, 0.6))[0],
            ci_low=CASES.get(w, (0.4, 0.2, 0.6))[1],
            ci_high=CASES.get(w, (0.4, 0.2, 0.6))[2],
            reference=KIND_REF[kind],
            compared_with="other families'",
            first="wave 1",
            last="wave 4",
        )
        for w in (F.ABOVE, F.BELOW, F.AT, F.TOO_FEW, F.SUPPRESSED)
    }
    assert len(others) == 5  # five different statements


def test_wording_examples():
    s = F.sentence
    assert s(
        "parity", F.BELOW, what="EL representation", estimate=0.6, ci_low=0.45, ci_high=0.78
    ) == ("EL representation is below parity: 0.60 (95% CI 0.45 to 0.78).")
    assert s(
        "parity", F.AT, what="EL representation", estimate=1.1, ci_low=0.9, ci_high=1.3,
        reference=1.0,
    ) == "EL representation is 1.10 (95% CI 0.90 to 1.30), not distinguishable from parity (1.00)."  # fmt: skip
    assert s(
        "difference",
        F.BELOW,
        what="EL families' communication score",
        estimate=-0.16,
        ci_low=-0.22,
        ci_high=-0.1,
        compared_with="other families'",
        unit=" points",
    ) == (
        "EL families' communication score is 0.16 points lower than other families' "
        "(95% CI -0.22 to -0.10 points)."
    )
    assert s(
        "change", F.AT, what="The mean voice score", estimate=-0.004, ci_low=-0.05,
        ci_high=0.04, first="wave 1", last="wave 4",
    ) == "The mean voice score did not change distinguishably from wave 1 to wave 4: +0.00 (95% CI -0.05 to 0.04)."  # fmt: skip
    assert s("change", F.TOO_FEW, what="the voice score") == (
        "The voice score: too few data to say (one period only, so no change can be measured)."
    )
    assert s(
        "effect", F.BELOW, what="the effect", estimate=-2.13, ci_low=-3.0, ci_high=-1.2,
        fmt=".1f", unit=" pp",
    ) == "The effect is a decrease of 2.1 pp (95% CI -3.0 to -1.2 pp); the interval excludes zero."  # fmt: skip
    assert (
        s("level", "estimate", what="reach", estimate=0.034, ci_low=0.03, ci_high=0.04, fmt=".1%")
        == "Reach is 3.4% (95% CI 3.0% to 4.0%)."
    )
    assert F.fmt_value(-0.001, "+.2f") == "+0.00" and F.fmt_value(None) == "n/a"
    with pytest.raises(OptionError):
        s("sideways", F.AT, what="x")
    with pytest.raises(OptionError):
        s("parity", "maybe", what="x")


def test_a_suppressed_finding_keeps_no_number():
    f = F.finding("k", what="EL families' retention", kind="level", estimate=0.4, ci_low=0.2,
                  ci_high=0.6, n=7)  # fmt: skip
    assert f.verdict == F.SUPPRESSED
    assert f.estimate is None and f.ci_low is None and f.n is None
    assert "0.4" not in f.text and "7" not in f.text
    d = f.to_dict()
    assert d["n"] is None and d["statement"] == f.text


def test_a_finding_displays_as_its_sentence_and_carries_its_record():
    f = F.finding("k", what="reach", kind="level", estimate=0.3, ci_low=0.2, ci_high=0.4, n=300)
    b = f._repr_mimebundle_()
    assert b["text/markdown"] == f.text and b[F.MIME_FINDING]["estimate"] == 0.3
    json.dumps(b[F.MIME_FINDING])  # JSON-able


# ---------------------------------------------------------------------- recorded calls


def _ratings():
    inst = cm.instruments.load_instrument("priority3_self_reflection")
    rng = np.random.default_rng(5)
    rows = [
        {
            "district_id": d,
            "year": y,
            "tool": inst.name,
            "item": it,
            "rating": float(rng.integers(1, 6)),
        }
        for d in ("0000001", "0000002")
        for y in ("2021-22", "2022-23")
        for it in inst.item_ids
    ]
    return pd.DataFrame(rows)


def test_a_recorded_call_round_trips_through_json_and_recomputes_the_value():
    tables = {"ratings": _ratings()}
    call = F.Call("indicators.p3_ratings", F.Table("ratings", where={"year": ["2022-23"]}),
                  by=["district_id"])  # fmt: skip
    res = call.run(tables)
    frame = res.to_frame()
    row = {"district_id": "0000002", "year": "2022-23", "section": "overall"}
    f = F.from_frame(frame, key="p3", what="The mean self-rating", kind="level", row=row,
                     call=call, n=None, ci=None, interval=False)  # fmt: skip
    rec = json.loads(json.dumps(f.to_dict()))
    again = F.replay(rec, tables)
    assert again["estimate"] == pytest.approx(f.estimate)
    manual = tables["ratings"].query("district_id == '0000002' and year == '2022-23'")
    assert f.estimate == pytest.approx(manual["rating"].mean())
    assert "cm.indicators.p3_ratings(tables.ratings where" in rec["call"]
    # a replay on other data gives another value: the test can fail
    other = {"ratings": tables["ratings"].assign(rating=lambda d: 6 - d["rating"])}
    assert F.replay(rec, other)["estimate"] != pytest.approx(f.estimate)


def test_a_call_chain_with_methods_and_nested_calls():
    c = F.Call("impact.att_gt", F.Call("impact.outcome_panel", F.Table("outcomes"),
                                       F.Table("roster"), "chronic_absenteeism"),
               "value", "unit", "t", "cohort_start", n_boot=99, seed=1)  # fmt: skip
    c2 = c.method("aggregate", "simple")
    back = F.Call.from_dict(json.loads(json.dumps(c2.to_dict())))
    assert back == c2 and back.then == (("aggregate", ("simple",), {}),)
    assert back.text().startswith("cm.impact.att_gt(cm.impact.outcome_panel(tables.outcomes")
    assert back.text().endswith(".aggregate('simple')")


def test_recorded_calls_refuse_data_objects_and_private_names():
    with pytest.raises(OptionError):
        F.Call("indicators.reach", pd.DataFrame({"a": [1]}))
    with pytest.raises(CEIError):
        F.Call("os.system", "echo").run({})
    with pytest.raises(CEIError):
        F.Call("indicators._spec.registry").run({})
    with pytest.raises(CEIError):
        F.Dataset("load_demo").resolve()


def test_from_frame_names_one_row():
    frame = pd.DataFrame({"g": ["a", "b"], "estimate": [1.0, 2.0], "ci_low": [0.5, 1.5],
                          "ci_high": [1.5, 2.5], "n": [30, 40]})  # fmt: skip
    f = F.from_frame(frame, key="x", what="it", kind="difference", row={"g": "b"})
    assert f.estimate == 2.0 and f.n == 40 and f.verdict == F.ABOVE
    with pytest.raises(CEIError, match="2 rows"):
        F.from_frame(frame, key="x", what="it", kind="level")


# --------------------------------------------------------------- sections and tables


def test_check_section_shows_why_and_what_would_enable_it(capsys):
    tables = {"participation": pd.DataFrame(), "roster": pd.DataFrame()}
    assert F.check_section("reach", tables, shows="the share of families at events") is False
    out = capsys.readouterr().out
    assert "Section not run: Reach" in out and "no sign-in sheets" in out
    assert "add sign-in sheets" in out
    note = F.SectionNote("reach", "Reach", "x", "no sign-in sheets", "add sign-in sheets")
    html = note._repr_mimebundle_()["text/html"]
    assert "cei-skipped" in html and "What would enable it" in html
    assert note._repr_mimebundle_()[F.MIME_SKIP]["analysis"] == "reach"


def test_released_table_blanks_small_cells_with_their_complement():
    tab = pd.DataFrame({"district_id": ["a", "b", "c"], "wave": 1, "n": [5, 40, 50],
                        "estimate": [3.1, 3.4, 3.6]})  # fmt: skip
    out = F.released_table(tab, "test scores", by="wave")
    assert out["suppressed"].tolist() == [True, True, False]
    assert out["n"].isna().tolist()[:2] == [True, True]
    assert math.isnan(out["estimate"].iloc[0]) and out["estimate"].iloc[2] == 3.6
    assert not out.attrs


# ----------------------------------------------------------- captions and alt text


def test_tally_and_range_count_only_what_may_be_shown():
    frame = pd.DataFrame(
        {
            "estimate": [0.6, 1.1, 2.0, 0.9],
            "ci_low": [0.4, 0.9, 1.5, 0.1],
            "ci_high": [0.8, 1.3, 2.5, 1.9],
            "n": [40, 50, 5, 30],
            "label": ["A", "B", "C", "D"],
        }
    )
    text = F.tally(frame)
    assert text == (
        "Of 4 districts, 1 is below parity and 2 are not distinguishable from parity "
        "(estimates 0.60 to 1.10); 1 is suppressed (fewer than 11 people)."
    )
    assert "2.00" not in text  # the suppressed row's value is never written
    rng = F.describe_range(frame, what="the ratio", label="label")
    assert rng.startswith("The ratio ranges from 0.60 (A) to 1.10 (B) across 3 districts")
    assert "C" not in rng.split(";")[0]
    assert "no value can be shown" in F.describe_range(frame.assign(n=5), what="x")


def test_alt_text_follows_the_data_drawn():
    heat = pd.DataFrame(
        {"row": ["a", "a", "b", "b"], "col": [1, 2, 1, 2], "n": [40.0, None, 25.0, 60.0],
         "suppressed": [False, True, False, False], "r": [0, 0, 1, 1], "c": [0, 1, 0, 1]}
    )  # fmt: skip
    alt = F.alt_coverage(heat)
    assert "brighter yellow cells hold more respondents" in alt  # viridis: bright = more
    assert "1 of 4 cells are blank" in alt and "from 25 to 60" in alt
    es = pd.DataFrame({"event_time": [-2, -1, 0, 1], "estimate": [0.1, -0.1, -1.0, -2.0],
                       "ci_low": [-0.5, -0.6, -1.5, -2.6], "ci_high": [0.6, 0.5, -0.4, -1.3]})  # fmt: skip
    cap = F.caption_event_study(es, outcome="absence", design="CS")
    assert "uniform" in cap and "no uniform band was computed" in cap
    banded = es.assign(band_low=es["ci_low"] - 0.2, band_high=es["ci_high"] + 0.2)
    assert "uniform band covering all event times" in F.caption_event_study(
        banded, outcome="absence", design="CS"
    )
    alt = F.alt_event_study(es, outcome="absence")
    assert "2 of 2 intervals include zero" in alt and "2 of 2 intervals exclude zero" in alt
    ret = pd.DataFrame({"group": "All", "session": [1, 2, 3], "share": [1.0, 0.6, 0.2],
                        "n_sessions": 3})  # fmt: skip
    assert "at least k of the 3 convenings" in F.alt_retention(ret)
    grid = pd.DataFrame({"metric": ["trust", "trust"], "criterion": ["reliability", "dif"],
                         "verdict": ["meets", "fails"]})  # fmt: skip
    alt = F.alt_scorecard(grid)
    assert "trust: 1 meets, 1 fails (fails dif)" in alt
