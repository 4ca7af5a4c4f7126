"""One protocol for every result (cei_metrics._results): checked over every result class
of the analysis packages, found by walking them, so a new package's results are covered
as soon as it exists (and fail here until they have an example below).

Every result: ``to_frame()`` begins with ``term`` then ``estimate, std_error, ci_low,
ci_high, p_val, n`` where defined (in that order), then the extras; attributes
``ci_level``, ``n``, ``n_dropped``, ``notes``, ``call`` (and ``seed`` where random);
``summary()``, ``_repr_html_`` and a one-line repr; ``plot(ax=None)`` where a figure
exists; exported by its package; old attribute names warn and name the new one.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cei_metrics as cm
from cei_metrics._results import PlotMixin, ResultMixin, figure_for
from cei_metrics.schemas import RESULT_COLUMNS

REF = Path(__file__).resolve().parent / "reference"
ANALYSIS = ("indicators", "psychometrics", "impact", "text", "compare")


def _result_classes() -> dict[str, type]:
    found: dict[str, type] = {}
    for pkg in ANALYSIS:
        try:
            mod = importlib.import_module(f"cei_metrics.{pkg}")
        except ModuleNotFoundError:
            continue  # a package still to come
        for info in pkgutil.walk_packages(mod.__path__, f"{mod.__name__}."):
            sub = importlib.import_module(info.name)
            for obj in vars(sub).values():
                if (
                    isinstance(obj, type)
                    and issubclass(obj, ResultMixin)
                    and obj.__module__ == sub.__name__
                    and not obj.__name__.startswith("_")
                ):
                    found[obj.__name__] = obj
    return found


CLASSES = _result_classes()


# -- one example of each result, from small data ----------------------------------------


def _items(n=240, k=5, seed=1):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 1))
    x = np.clip(np.round(3 + f @ np.ones((1, k)) + rng.normal(size=(n, k)) * 0.8), 1, 5)
    return pd.DataFrame(x, columns=[f"i{j}" for j in range(k)])


def _panel(n_units=12, n_treated=4, T=6, start=3, seed=2):
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), T)
    year = np.tile(np.arange(2010, 2010 + T), n_units)
    g = np.where(unit < n_treated, 2010 + start, 0)
    d = ((g > 0) & (year >= g)).astype(float)
    y = d + rng.normal(size=n_units)[unit] + 0.1 * year + rng.normal(size=n_units * T)
    return pd.DataFrame({"y": y, "d": d, "unit": unit, "year": year, "cohort": g})


def _att():
    return cm.impact.att_gt(_panel(), "y", "unit", "year", "cohort", n_boot=99, seed=1)


def _its():
    p = _panel()
    return cm.impact.interrupted_time_series(
        p.assign(tr=(p["cohort"] > 0).astype(int)), "y", "year", start=2013, unit="unit",
        treated="tr",
    )  # fmt: skip


EXAMPLES: dict[str, Callable[[], object]] = {
    # impact
    "DiDResult": lambda: cm.impact.twfe(_panel(), "y", "unit", "year", "d"),
    "BaconResult": lambda: cm.impact.bacon_decomposition(_panel(), "y", "unit", "year", "d"),
    "ATTResult": _att,
    "ATTAggregate": lambda: _att().aggregate("dynamic"),
    "PretrendResult": lambda: _att().pretrend,
    "SynthResult": lambda: cm.impact.synthetic_control(
        _panel(), "y", "unit", "year", treated_units=0, start=2013, optim="equal", seed=1
    ),
    "SDIDResult": lambda: cm.impact.synthdid(
        _panel(), "y", "unit", "year", treated_units=[0, 1], start=2013, n_reps=20, seed=1
    ),
    "ITSResult": _its,
    "EffectSizeResult": lambda: cm.impact.effect_size([3, 4, 5, 6, 5], [2, 3, 4, 3, 2]),
    "WildBootstrapResult": lambda: cm.impact.wild_cluster_bootstrap(
        _panel(), "y", "d", "unit", fe=["unit", "year"], n_boot=99, seed=1
    ),
    "RandomizationResult": lambda: cm.impact.randomization_inference(
        _panel(n_units=8, n_treated=2), "y", "unit", "year", "cohort", n_perm=99
    ),
    "MultilevelResult": lambda: cm.impact.multilevel(
        pd.read_csv(REF / "impact_multilevel_dyestuff2.csv"), "Yield ~ 1", groups="Batch"
    ),
    # psychometrics
    "AlphaResult": lambda: cm.psychometrics.cronbach_alpha(_items()),
    "OmegaResult": lambda: cm.psychometrics.omega(_items()),
    "ReliabilityResult": lambda: cm.psychometrics.reliability(_items()),
    "Moments": lambda: cm.psychometrics.moments(_items()),
    "ParallelResult": lambda: cm.psychometrics.parallel_analysis(_items(), n_iter=5, seed=1),
    "EFAResult": lambda: cm.psychometrics.efa(_items(k=6), 1),
    "CFAResult": lambda: cm.psychometrics.cfa(_items(), "F =~ i0 + i1 + i2 + i3 + i4"),
    "InvarianceResult": lambda: cm.psychometrics.invariance(
        _items(n=400), "F =~ i0 + i1 + i2 + i3 + i4", np.repeat(["a", "b"], 200)
    ),
    "DIFResult": lambda: cm.psychometrics.dif(_items(n=300), np.repeat(["a", "b"], 150)),
    "ResponsivenessResult": lambda: cm.psychometrics.responsiveness(
        np.arange(20.0) % 5 + 1, (np.arange(20.0) * 7) % 5 + 1.5
    ),
    "ValidityResult": lambda: cm.psychometrics.validity(*_validity_data()),
    "ScorecardResult": lambda: cm.psychometrics.scorecard(
        [{"metric": "trust", "alpha": 0.85, "cfi": 0.97, "rmsea": 0.04, "srmr": 0.03}]
    ),
    # indicators
    "IndicatorResult": None,
    "IndicatorSet": None,
    "RakeResult": lambda: cm.indicators.rake(
        _respondents(), {"language": {"en": 120, "es": 80}, "el_family": {True: 60, False: 140}}
    ),
    "RepresentativenessResult": lambda: cm.indicators.representativeness(
        _respondents(), {"language": {"en": 120, "es": 80}}
    ),
    # text
    "AgreementResult": lambda: cm.text.krippendorff_alpha(
        [[1, 1], [2, 2], [1, 2], [3, 3], [2, 2], [3, 2]], n_boot=50, seed=1
    ),
    "CodeAgreementResult": lambda: cm.text.agreement_by_code(_coding(), n_boot=50, seed=1),
    "CodeSuggestions": lambda: cm.text.suggest_codes(
        ["No hubo intérprete en la junta", "We need a translator", "Nothing to add."]
    ),
    "CooccurrenceResult": lambda: cm.text.code_cooccurrence(_coding(), coder="A"),
    "DuplicateResult": lambda: cm.text.collapse_duplicates(
        ["We need more translators!", "we need more  translators", "The office is friendly"]
    ),
    "TopicResult": lambda: _topics(),
    # compare
    "PeerResult": lambda: cm.compare.find_peers(_features(), _features().index[0], k=3, exact=()),
    "BenchmarkResult": lambda: cm.compare.benchmark(
        _features()["baseline"], _features().index[0], list(_features().index[1:6])
    ),
    "SelectionResult": lambda: _selection(),
    "SensitivityResult": lambda: cm.compare.rank_stability(_selection(), n_draws=20, seed=1),
    "FeedbackResult": lambda: cm.indicators.convening_feedback(cm.load_demo().feedback),
    "ProportionDifference": lambda: cm.indicators.proportion_difference(48, 80, 56, 70),
    "GoalResult": lambda: cm.indicators.goal_progress(cm.load_demo().goals),
    # compare
    "PracticeAssociation": lambda: cm.compare.practice_association(
        cm.datasets.public_p3_practices(), cm.datasets.public_p3_ratings()
    ),
    # text
    "ExcerptSet": lambda: cm.text.reviewed_excerpts(
        cm.load_demo().text, pd.DataFrame({"segment_id": cm.load_demo().text["segment_id"][:2]})
    ),
}


def _respondents(n=200, seed=3):
    from cei_metrics.schemas import C

    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            C.RESPONDENT_ID: np.arange(n),
            C.LANGUAGE: rng.choice(["en", "es"], size=n, p=[0.7, 0.3]),
            C.EL_FAMILY: rng.random(n) < 0.25,
        }
    )


def _coding():
    from cei_metrics.schemas import C

    codes = {
        ("s1", "A"): ["trust"], ("s1", "B"): ["trust"],
        ("s2", "A"): ["trust", "voice"], ("s2", "B"): ["voice"],
        ("s3", "A"): ["voice"], ("s3", "B"): ["voice"],
        ("s4", "A"): [None], ("s4", "B"): ["trust"],
    }  # fmt: skip
    rows = [(s, c, k) for (s, c), ks in codes.items() for k in ks]
    return pd.DataFrame(rows, columns=[C.SEGMENT_ID, C.CODER, C.CODE])


def _topics():
    pytest.importorskip("sklearn")
    texts = ["childcare during meetings", "childcare for the little ones"] * 3 + [
        "an interpreter at the meeting",
        "interpreter and translated notes",
    ] * 3
    return cm.text.explore_topics(texts, n_topics=2, n_terms=3, min_df=1, seed=0)


def _features():
    return pd.read_csv(REF / "compare_features.csv", dtype={"cds": str}).set_index("cds")


def _selection():
    from cei_metrics.schemas import C

    idx = pd.Index([f"01{i:05d}0000000" for i in range(1, 7)], name=C.CDS)
    need = pd.DataFrame(
        {C.LEA_TYPE: "district", "chronic_absenteeism": [10.0, 20, 30, 12, 25, 18]}, index=idx
    )
    ready = pd.DataFrame({C.LEA_TYPE: "district", "p3_mean": [3.0, 4, 2, 5, 3.5, 4.5]}, index=idx)
    return cm.compare.selection_indices(need, ready)


def _validity_data(n_d=30, years=("2021-22", "2022-23", "2023-24")):
    from cei_metrics.schemas import C

    rng = np.random.default_rng(0)
    rows, outs = [], []
    for d in range(n_d):
        dist = f"{1900000 + d:07d}"
        base = rng.normal()
        for y in years:
            m = base + rng.normal(scale=0.5)
            rows.append({C.DISTRICT_ID: dist, C.YEAR: y, "trust": m})
            outs.append(
                {
                    C.CDS: dist + "0000000",
                    C.LEVEL: "district",
                    C.YEAR: y,
                    C.GROUP: "All students",
                    C.INDICATOR: "chronic_absenteeism",
                    C.VALUE: 20 - 2 * m + rng.normal(),
                    C.SUPPRESSED: False,
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(outs)


@pytest.fixture(scope="module")
def demo_results(demo):
    return {
        "IndicatorResult": cm.indicators.percent_favorable(demo.survey, by=["wave"]),
        "IndicatorSet": cm.indicators.compute_all(demo, by=["district_id"]),
    }


def _example(name, demo_results):
    fn = EXAMPLES.get(name)
    if fn is None:
        return demo_results[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # examples use only current names
        return fn()


def test_classes_are_found():
    assert {"ATTResult", "AlphaResult", "IndicatorResult", "DiDResult"} <= set(CLASSES)


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_every_result_class_has_an_example(name):
    assert name in EXAMPLES, f"add an example of {name} to tests/test_result_protocol.py"


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_class_is_exported_frozen_and_one_line(name):
    cls = CLASSES[name]
    pkg = cls.__module__.split(".")[1]
    assert name in getattr(cm, pkg).__all__, f"cm.{pkg} does not export {name}"
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen
    assert not cls.__dataclass_params__.repr, "declare the dataclass with repr=False"
    if issubclass(cls, PlotMixin):
        assert figure_for(object.__new__(cls)) is not None, f"no figure registered for {name}"


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_instance_follows_the_protocol(name, demo_results):
    import matplotlib as mpl

    res = _example(name, demo_results)
    assert type(res).__name__ == name
    frame = res.to_frame()
    assert isinstance(frame, pd.DataFrame) and next(iter(frame.columns)) == "term"
    present = [c for c in RESULT_COLUMNS if c in frame.columns]
    assert list(frame.columns)[: len(present)] == present, list(frame.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # protocol names are not deprecated
        level = res.ci_level
        assert level is None or 0 < level < 1
        assert res.n is None or int(res.n) >= 0
        assert int(res.n_dropped) >= 0
        assert isinstance(res.notes, tuple)
        assert isinstance(res.call, Mapping)
    if "seed" in {f.name for f in dataclasses.fields(res)}:
        assert res.seed is None or isinstance(res.seed, int | np.integer)
    text = res.summary()
    assert isinstance(text, str) and text
    assert "\n" not in repr(res) and repr(res).startswith(f"<{name}")
    assert "<table" in res._repr_html_() or "<div" in res._repr_html_()
    for old, new in type(res)._aliases.items():
        shown = new[0] if isinstance(new, tuple) else new
        with pytest.warns(FutureWarning, match=shown):
            getattr(res, old)
    if isinstance(res, PlotMixin):
        before = dict(mpl.rcParams)
        fig, ax = res.plot()
        assert fig is not None and ax is not None
        assert dict(mpl.rcParams) == before, "plot() changed matplotlib's global settings"
        res.plot(ax=ax)  # draws into given axes
        assert isinstance(res.plot_data(), pd.DataFrame)


def test_estimators_record_their_call():
    res = cm.impact.twfe(_panel(), "y", "unit", "year", "d", vcov="hc1")
    assert res.call["function"] == "twfe" and res.call["vcov"] == "hc1"
    assert res.call["df"].startswith("<DataFrame")  # data described, not kept
    assert cm.psychometrics.cronbach_alpha(_items(), ci=0.9).call["ci"] == 0.9


@pytest.mark.parametrize(
    "call",
    [
        lambda: cm.psychometrics.cronbach_alpha(_items(), ci=1.5),
        lambda: cm.psychometrics.responsiveness([1.0, 2, 3], [2.0, 3, 5], ci=0),
        lambda: cm.impact.att_gt(_panel(), "y", "unit", "year", "cohort", ci=1.5),
        lambda: cm.impact.twfe(_panel(), "y", "unit", "year", "d", ci=95),
        lambda: cm.impact.effect_size([1.0, 2, 3], [2.0, 3, 4], ci=-0.1),
        lambda: cm.impact.synthdid(
            _panel(), "y", "unit", "year", treated_units=0, start=2013, ci=2
        ),
        lambda: cm.impact.att_gt(_panel(), "y", "unit", "year", "cohort", method="ols"),
        lambda: cm.impact.twfe(_panel(), "y", "unit", "year", "d", vcov="hc3"),
    ],
)
def test_one_error_class_for_a_bad_option(call):
    with pytest.raises(cm.OptionError) as err:
        call()
    assert "How to fix" in str(err.value)
