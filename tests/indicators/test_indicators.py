"""Behaviour of each indicator on small tables whose answers can be worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import cei_metrics as cm
import cei_metrics.indicators as ind
from cei_metrics.errors import CEIError, EstimationError, InstrumentError, OptionError, SchemaError
from cei_metrics.schemas import C

from .conftest import make_survey

STATS = ["indicator", "estimate", "std_error", "ci_low", "ci_high", "n", "suppressed"]


def one_respondent(values: dict[str, float | None], reasons: dict[str, str] | None = None):
    reasons = reasons or {}
    return pd.DataFrame(
        {
            C.RESPONDENT_ID: "R1",
            C.WAVE: 1,
            C.DISTRICT_ID: "1000000",
            C.INSTRUMENT: "family_engagement",
            C.ITEM: list(values),
            C.VALUE: [np.nan if v is None else v for v in values.values()],
            C.MISSING_REASON: [
                reasons.get(k, "" if v is not None else "no_response") for k, v in values.items()
            ],
        }
    )


def test_public_names_are_lazy_and_documented():
    for name in ind.__all__:
        obj = getattr(cm.indicators, name)
        if callable(obj) and not isinstance(obj, type):
            assert (obj.__doc__ and "Returns" in obj.__doc__) or name in {
                "registry",
                "school_year_of",
            }


def test_registry_lists_every_indicator_once():
    reg = ind.registry()
    assert list(reg.columns[:6]) == ["name", "construct", "inputs", "formula", "direction", "unit"]
    assert reg["name"].is_unique
    assert set(reg["direction"]) <= {"higher", "lower", "parity"}
    for f in reg["function"]:
        assert callable(getattr(ind, f))


def test_scale_score_reverse_codes_and_min_items():
    s = one_respondent(
        {
            "comm_1": 4,
            "comm_2": 4,
            "comm_3": 1,
            "comm_4": None,
            "trust_1": 5,
            "trust_2": None,
            "trust_3": None,
            "trust_4": None,
        }
    )
    sc = ind.respondent_scores(s, "family_engagement").set_index("scale")
    # comm_3 is reverse-keyed: 1 -> 5; mean of 4, 4, 5
    assert sc.loc["communication", "score"] == pytest.approx(13 / 3)
    assert sc.loc["communication", "n_answered"] == 3
    # 1 of 4 trust items < min_items 0.5 -> missing
    assert np.isnan(sc.loc["trust", "score"])
    assert np.isnan(sc.loc["voice", "score"])
    loose = ind.respondent_scores(s, min_items=0.25).set_index("scale")
    assert loose.loc["trust", "score"] == 5
    pomp = ind.respondent_scores(s, pomp=True).set_index("scale")
    assert pomp.loc["communication", "score"] == pytest.approx(100 * (13 / 3 - 1) / 4)


def test_dont_know_is_not_an_answer_even_with_a_value():
    s = one_respondent(
        {"trust_1": 5, "trust_2": 1, "trust_3": 5, "trust_4": 5}, {"trust_2": "dont_know"}
    )
    sc = ind.respondent_scores(s).set_index("scale")
    assert sc.loc["trust", "score"] == 5 and sc.loc["trust", "n_answered"] == 3


def test_scale_score_columns_and_unweighted_se():
    s = make_survey(80, seed=1)
    res = ind.scale_score(s, scale="trust", by=C.DISTRICT_ID)
    out = res.to_frame()
    assert STATS[0] in out.columns and set(STATS) <= set(out.columns)
    scores = ind.respondent_scores(s)
    scores = scores[scores["scale"] == "trust"]
    for _, row in out.iterrows():
        x = scores.loc[scores[C.DISTRICT_ID] == row[C.DISTRICT_ID], "score"].dropna()
        assert row["estimate"] == pytest.approx(x.mean())
        assert row["std_error"] == pytest.approx(x.std(ddof=1) / np.sqrt(len(x)))
        assert row["n"] == len(x)
    assert "n_clusters" not in out.columns
    clustered = ind.scale_score(s, scale="trust", by=C.DISTRICT_ID, cluster=C.SCHOOL_ID)
    assert (clustered.to_frame()["n_clusters"] == 3).all()


def test_scale_score_accepts_precomputed_scores():
    s = make_survey(50, seed=2)
    a = ind.scale_score(s, by=C.DISTRICT_ID, weights=C.WEIGHT)
    b = ind.scale_score(ind.respondent_scores(s), by=C.DISTRICT_ID, weights=C.WEIGHT)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    assert (a.method, a.n_dropped) == (b.method, b.n_dropped)


def test_percent_favorable_denominator_excludes_dont_know_and_blanks():
    rows = []
    vals = [5, 4, 2, None, None, 1, 4]
    reasons = ["", "", "", "dont_know", "no_response", "", ""]
    for i, (v, r) in enumerate(zip(vals, reasons)):
        rows.append(
            {
                C.RESPONDENT_ID: f"R{i}",
                C.WAVE: 1,
                C.DISTRICT_ID: "1000000",
                C.INSTRUMENT: "family_engagement",
                C.ITEM: "trust_1",
                C.VALUE: np.nan if v is None else float(v),
                C.MISSING_REASON: r,
            }
        )
    res = ind.percent_favorable(pd.DataFrame(rows), item="trust_1", by=C.DISTRICT_ID, min_cell=3)
    row = res.to_frame().iloc[0]
    assert row["estimate"] == pytest.approx(3 / 5)
    assert (row["n"], row["count"], row["n_dont_know"], row["n_blank"], row["n_excluded"]) == (
        5,
        3,
        1,
        1,
        2,
    )
    lo, hi = ind.wilson_ci(3, 5)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((float(lo), float(hi)))
    assert "Don't know" in res.details["denominator"] and res.details["n_excluded"] == 2
    assert "Denominator: " in res.summary()


def test_percent_favorable_reverse_keyed_item_counts_disagreement():
    s = one_respondent({"comm_3": 1})
    out = ind.percent_favorable(s, item="comm_3", by=[], min_cell=0).to_frame()
    assert out["estimate"].iloc[0] == 1.0


def test_percent_favorable_scale_pools_items_clustered_by_respondent():
    s = make_survey(60, seed=4, missing=0.1)
    res = ind.percent_favorable(s, scale="trust", by=C.DISTRICT_ID)
    out = res.to_frame()
    assert (out["n_responses"] > out["n"]).all()  # several items per respondent
    assert (out["n_clusters"] == out["n"]).all()
    assert res.method.startswith("Wilson at the effective sample size")


def test_percent_favorable_refuses_item_and_scale_together():
    with pytest.raises(SchemaError, match="How to fix"):
        ind.percent_favorable(make_survey(5), item="trust_1", scale="trust")


def participation_table():
    """District A: 4 families in 2019-20 (2 EL), 1 in 2020-21; district B: none."""
    rows = [
        ("E1", "2019-09-01", "workshop", "1000001", "P1", "family", "es", True),
        ("E1", "2019-09-01", "workshop", "1000001", "P2", "family", "en", False),
        ("E2", "2020-03-01", "workshop", "1000001", "P1", "family", "es", True),  # same year
        ("E2", "2020-03-01", "workshop", "1000001", "P3", "family", "es", True),
        ("E2", "2020-03-01", "workshop", "1000001", "P4", "family", "en", False),
        ("E2", "2020-03-01", "workshop", "1000001", "S1", "staff", "en", False),
        ("E3", "2020-08-15", "delac", "1000001", "P2", "family", "en", False),  # 2020-21
    ]
    cols = [
        C.EVENT_ID,
        C.DATE,
        C.EVENT_TYPE,
        C.DISTRICT_ID,
        C.PARTICIPANT_ID,
        C.ROLE,
        C.LANGUAGE,
        C.EL_FAMILY,
    ]
    df = pd.DataFrame(rows, columns=cols)
    df[C.DATE] = pd.to_datetime(df[C.DATE])
    return df


def roster_table():
    return pd.DataFrame(
        {
            C.DISTRICT_ID: ["1000001", "1000002"],
            C.N_FAMILIES: [40.0, 30.0],
            C.PCT_EL: [25.0, 10.0],
            C.PCT_SED: [50.0, 50.0],
            C.PCT_SPANISH: [50.0, 20.0],
        }
    )


def test_school_year_of():
    assert ind.school_year_of("2019-08-29") == "2019-20"
    assert ind.school_year_of("2020-06-30") == "2019-20"
    assert ind.school_year_of("2020-07-01") == "2020-21"
    s = ind.school_year_of(pd.Series(pd.to_datetime(["2019-12-10", "2021-01-05", None])))
    assert s.iloc[0] == "2019-20" and s.iloc[1] == "2020-21" and pd.isna(s.iloc[2])


def test_reach_counts_distinct_families_and_zero_districts():
    out = (
        ind.reach(participation_table(), roster_table(), min_cell=0)
        .to_frame()
        .set_index([C.DISTRICT_ID, C.YEAR])
    )
    assert out.loc[("1000001", "2019-20"), "count"] == 4
    assert out.loc[("1000001", "2019-20"), "estimate"] == pytest.approx(4 / 40)
    assert out.loc[("1000001", "2020-21"), "count"] == 1
    assert out.loc[("1000002", "2019-20"), "estimate"] == 0  # present with zero reach
    lo, hi = ind.wilson_ci(4, 40)
    assert out.loc[("1000001", "2019-20"), "ci_low"] == pytest.approx(float(lo))
    assert out.loc[("1000001", "2019-20"), "ci_high"] == pytest.approx(float(hi))
    only_delac = ind.reach(participation_table(), roster_table(), event_types="delac")
    assert only_delac.to_frame()["count"].sum() == 1


def test_reach_errors():
    with pytest.raises(SchemaError, match="district_id"):
        ind.reach(participation_table(), roster_table(), by=[C.YEAR])
    r = roster_table().iloc[[1]]
    with pytest.raises(SchemaError, match="not in the roster"):
        ind.reach(participation_table(), r)
    small = roster_table().assign(**{C.N_FAMILIES: [2.0, 30.0]})
    with pytest.raises(EstimationError, match="n_families"):
        ind.reach(participation_table(), small)


def test_representation_index_by_hand():
    out = ind.representation_index(participation_table(), roster_table(), min_cell=0)
    row = out.to_frame().set_index(C.YEAR).loc["2019-20"]
    # 2019-20 families: P1 (EL), P2, P3 (EL), P4 -> share 0.5, enrollment 0.25 -> 2
    assert row["estimate"] == pytest.approx(2.0)
    lo, hi = ind.wilson_ci(2, 4)
    assert row["ci_low"] == pytest.approx(float(lo) / 0.25)
    assert row["ci_high"] == pytest.approx(float(hi) / 0.25)
    sp = ind.representation_index(
        participation_table(), roster_table(), group="spanish", min_cell=0
    )
    assert sp.to_frame().set_index(C.YEAR).loc["2019-20", "estimate"] == pytest.approx(0.5 / 0.5)
    given = ind.representation_index(
        participation_table(), group=C.EL_FAMILY, enrollment_share=0.5, min_cell=0
    )
    assert given.to_frame().set_index(C.YEAR).loc["2019-20", "estimate"] == pytest.approx(1.0)


def test_representation_index_needs_a_share():
    p = participation_table().assign(newcomer=True)
    with pytest.raises(SchemaError, match="enrollment_share"):
        ind.representation_index(p, roster_table(), group="newcomer")
    with pytest.raises(EstimationError, match="enrollment share"):
        ind.representation_index(p, roster_table().assign(**{C.PCT_EL: [0.0, 1.0]}))


def series_table():
    """Three sessions; P1 attends all, P2 sessions 1-2, P3 session 1 and 3, P4 session 2 only."""
    att = {"P1": [1, 2, 3], "P2": [1, 2], "P3": [1, 3], "P4": [2]}
    dates = {1: "2019-08-29", 2: "2019-09-26", 3: "2019-10-29"}
    rows = [
        (f"C{s}", dates[s], "convening", "1000001", p, "family", "en")
        for p, ss in att.items()
        for s in ss
    ]
    df = pd.DataFrame(
        rows,
        columns=[
            C.EVENT_ID,
            C.DATE,
            C.EVENT_TYPE,
            C.DISTRICT_ID,
            C.PARTICIPANT_ID,
            C.ROLE,
            C.LANGUAGE,
        ],
    )
    df[C.DATE] = pd.to_datetime(df[C.DATE])
    return df


def test_retention_at_least_k_and_survival():
    out = ind.retention(series_table(), min_cell=0).to_frame()
    a = out[out["measure"] == "at_least_k"].set_index("session")
    assert a["estimate"].tolist() == pytest.approx([1.0, 3 / 4, 1 / 4])
    assert (a["n"] == 4).all() and (a["n_sessions"] == 3).all()
    s = out[out["measure"] == "survival"].set_index("session")
    # first-session attendees P1, P2, P3; last sessions 3, 2, 3 -> S = 1, 1, 2/3
    assert s["estimate"].tolist() == pytest.approx([1.0, 1.0, 2 / 3])
    assert s["count"].tolist() == [3, 3, 2]
    assert (s["n"] == 3).all()
    assert s.loc[3, "std_error"] == pytest.approx(np.sqrt((2 / 3) ** 2 * (1 / (3 * 2))))
    only2 = ind.retention(series_table(), k=2, min_cell=0).to_frame()
    assert only2.loc[only2["measure"] == "at_least_k", "session"].tolist() == [2]
    by_series = ind.retention(series_table(), series=["C1", "C2"], min_cell=0)
    assert by_series.to_frame()["n_sessions"].max() == 2


def test_language_access_measures():
    s = make_survey(40, seed=7)
    out = ind.language_access(
        s,
        series_table(),
        roster_table().assign(**{C.DISTRICT_ID: ["1000000", "1000001"]}),
        min_cell=0,
    ).to_frame()
    assert {
        "responses_in_language",
        "responses_vs_enrollment",
        "attendances_in_language",
        "events_with_language",
    } <= set(out["measure"])
    resp = s.drop_duplicates([C.RESPONDENT_ID, C.WAVE])
    first = out[
        (out["measure"] == "responses_in_language") & (out[C.DISTRICT_ID] == "1000000")
    ].iloc[0]
    r0 = resp[resp[C.DISTRICT_ID] == "1000000"]
    assert first["estimate"] == pytest.approx((r0[C.LANGUAGE] == "es").mean())
    ev = out[out["measure"] == "events_with_language"]
    assert ev["estimate"].iloc[0] == 0.0  # the series is all English
    s2 = s.assign(home_language=np.where(s[C.LANGUAGE] == "es", "es", "en"))
    out2 = ind.language_access(s2, None, min_cell=0).to_frame()
    home = out2[out2["measure"] == "responses_in_home_language"]
    assert (home["estimate"] == 1.0).all()


def ratings_table():
    p3 = cm.instruments.load_instrument("priority3_self_reflection")
    rows = []
    for year, base in [("2018-19", 2), ("2019-20", 3), ("2021-22", 4)]:
        for j, item in enumerate(p3.item_ids):
            rows.append(("1000001", year, p3.name, item, float(base + (j % 3 == 0))))
    return pd.DataFrame(rows, columns=[C.DISTRICT_ID, C.YEAR, C.TOOL, C.ITEM, C.RATING])


def test_p3_ratings_means_change_and_caveat():
    res = ind.p3_ratings(ratings_table())
    out = res.to_frame()
    ov = out[out["section"] == "overall"].set_index(C.YEAR)
    assert ov.loc["2018-19", "estimate"] == pytest.approx(2 + 4 / 12)
    assert ov.loc["2019-20", "change"] == pytest.approx(1.0)
    assert np.isnan(ov.loc["2021-22", "change"])  # 2020-21 missing: no year-over-year change
    assert (
        ov.loc["2018-19", "modal_level"] == 2
        and ov.loc["2018-19", "modal_label"] == "Beginning Development"
    )
    assert set(out["section"]) == {"relationships", "partnerships", "input", "overall"}
    assert "no numeric score" in res.caveat and "no numeric score" in res.summary()
    assert res.ci_level is None and res.min_cell is None
    assert "no numeric score" in ind.p3_ratings.__doc__.replace("\n    ", " ")


def test_p3_ratings_refuses_out_of_range():
    r = ratings_table()
    r.loc[3, C.RATING] = 7
    with pytest.raises(SchemaError, match=r"outside 1\.\.5"):
        ind.p3_ratings(r)


def test_equity_gap_by_hand():
    frame = pd.DataFrame(
        {
            C.DISTRICT_ID: ["A", "A", "B", "B"],
            C.EL_FAMILY: [True, False, True, False],
            "indicator": "x",
            "estimate": [0.3, 0.5, 0.4, 0.4],
            "std_error": [0.03, 0.04, 0.1, 0.1],
            "n": [50, 80, 5, 90],
            "suppressed": [False, False, True, False],
        }
    )
    res = ind.equity_gap(frame, group_col=C.EL_FAMILY, reference=False)
    assert res.indicator == "equity_gap" and res.details["of"] == "x"
    gap = res.to_frame().set_index(C.DISTRICT_ID)
    assert gap.loc["A", "estimate"] == pytest.approx(-0.2)
    assert gap.loc["A", "std_error"] == pytest.approx(0.05)
    assert gap.loc["A", "ci_low"] == pytest.approx(-0.2 - 1.959964 * 0.05, abs=1e-6)
    assert gap.loc["A", "p_val"] == pytest.approx(6.334e-5, rel=1e-3)
    assert gap.loc["B", "suppressed"] and not gap.loc["A", "suppressed"]
    with pytest.raises(SchemaError, match="reference"):
        ind.equity_gap(frame, group_col=C.EL_FAMILY, reference="maybe")


@pytest.mark.parametrize(
    "call, err, where",
    [
        (lambda s: ind.scale_score(s, by="nope"), SchemaError, "nope"),
        (lambda s: ind.scale_score(s, weights="nope"), SchemaError, "nope"),
        (lambda s: ind.scale_score(s, cluster="nope"), SchemaError, "nope"),
        (lambda s: ind.scale_score(s, scale="nope"), InstrumentError, "nope"),
        (lambda s: ind.scale_score(s.drop(columns=C.VALUE)), SchemaError, C.VALUE),
        (lambda s: ind.scale_score(s.assign(**{C.ITEM: "zz"})), InstrumentError, "zz"),
        (lambda s: ind.scale_score(s.assign(**{C.VALUE: 9.0})), SchemaError, "row 1"),
        (
            lambda s: ind.scale_score(s.assign(**{C.WEIGHT: -1.0}), weights=C.WEIGHT),
            SchemaError,
            "row 1",
        ),
        (
            lambda s: ind.scale_score(s.assign(**{C.SCHOOL_ID: None}), cluster=C.SCHOOL_ID),
            SchemaError,
            "row 1",
        ),
        (lambda s: ind.scale_score(s, ci=1.5), OptionError, "ci"),
        (lambda s: ind.percent_favorable(s, item="nope"), InstrumentError, "nope"),
        (lambda s: ind.scale_score(s, instrument="nope"), InstrumentError, "nope"),
    ],
)
def test_bad_input_raises_ceierror_with_location_and_fix(call, err, where):
    with pytest.raises(err) as info:
        call(make_survey(20, seed=9))
    assert isinstance(info.value, CEIError)
    assert where in str(info.value) and "How to fix" in str(info.value)


def test_compute_all_on_small_tables():
    class T:
        survey = make_survey(40, seed=3, missing=0.05)
        participation = pd.concat([participation_table(), series_table()], ignore_index=True)
        ratings = ratings_table()
        roster = roster_table().assign(**{C.DISTRICT_ID: ["1000001", "1000000"]})

    T.participation[C.EL_FAMILY] = T.participation[C.EL_FAMILY].fillna(False).astype(bool)
    every = ind.compute_all(T, min_cell=0)
    out = every.to_frame()
    assert set(out["indicator"]) == set(ind.INDICATORS)
    assert out["estimate"].notna().all()
    assert sum(len(r.table) for r in every.values()) == len(out)


def test_retention_groups_by_participant_attribute_share_session_numbers():
    df = series_table()
    df[C.EL_FAMILY] = df[C.PARTICIPANT_ID].isin(["P4"])  # P4 (EL) attends session 2 only
    out = ind.retention(df, by=[C.DISTRICT_ID, C.EL_FAMILY], min_cell=0).to_frame()
    el = out[(out["measure"] == "at_least_k") & out[C.EL_FAMILY]]
    assert (el["n_sessions"] == 3).all()  # not renumbered to a 1-session series
    surv = out[(out["measure"] == "survival") & out[C.EL_FAMILY]]
    assert surv.empty  # P4 missed the first session: no first-session cohort
