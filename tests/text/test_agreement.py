"""Inter-coder agreement against published examples, R (psych, vcd), statsmodels and the
krippendorff package."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cei_metrics.errors import EstimationError, SchemaError
from cei_metrics.text import cohens_kappa, fleiss_kappa, krippendorff_alpha
from cei_metrics.text.agreement import (
    _alpha_from_coincidences,
    _coincidences,
    _value_counts,
)

# --- Krippendorff's alpha -------------------------------------------------------------------


def _kripp_units(ref) -> pd.DataFrame:
    """The 2011 example with units in rows (our layout) and coders in columns."""
    obs = np.array(ref.KRIPPENDORFF_2011_DATA, dtype=object)
    return pd.DataFrame(obs.T, columns=["A", "B", "C", "D"])


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_matches_krippendorff_2011(ref, level):
    res = krippendorff_alpha(_kripp_units(ref), level=level, n_boot=200, seed=1)
    assert res.estimate == pytest.approx(ref.KRIPPENDORFF_2011_ALPHA[level], abs=5e-4)
    assert res.n == ref.KRIPPENDORFF_2011_PAIRABLE_UNITS
    assert res.n_dropped == 1
    assert res.n_raters == 4


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_equals_krippendorff_package_and_our_coincidences(ref, level):
    import krippendorff

    data = np.array(ref.KRIPPENDORFF_2011_DATA, dtype=float)  # None -> nan
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    res = krippendorff_alpha(_kripp_units(ref), level=level, n_boot=10, seed=0)
    assert res.estimate == pytest.approx(expected, abs=1e-12)
    counts, domain = _value_counts(_kripp_units(ref).to_numpy(dtype=object), level, None)
    counts = counts[counts.sum(axis=1) >= 2]
    ours = _alpha_from_coincidences(_coincidences(counts).sum(axis=0), domain, level)[0][0]
    assert ours == pytest.approx(expected, abs=1e-12)
    assert 1 - res.observed / res.expected == pytest.approx(expected, abs=1e-12)


_ratings = st.lists(
    st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=3, max_size=3),
    min_size=4,
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(rows=_ratings, level=st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_coincidence_alpha_equals_package_on_random_data(rows, level):
    """Our coincidence-matrix alpha (which the bootstrap resamples) equals the package."""
    import krippendorff

    mat = np.array(rows, dtype=object)
    counts, domain = _value_counts(mat, level, None)
    counts = counts[counts.sum(axis=1) >= 2]
    used = counts.sum(axis=0) > 0
    if len(counts) < 2 or used.sum() < 2:
        return
    counts, domain = counts[:, used], domain[used]
    ours = _alpha_from_coincidences(_coincidences(counts).sum(axis=0), domain, level)[0][0]
    pkg = krippendorff.alpha(value_counts=counts, value_domain=domain, level_of_measurement=level)
    if np.isfinite(pkg):
        assert ours == pytest.approx(pkg, abs=1e-10)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_alpha_bootstrap_statistic_equals_alpha_of_resampled_units(ref, level):
    """A bootstrap draw is alpha of the resampled units: weights W applied to per-unit
    coincidences equal krippendorff.alpha on the units repeated W times."""
    import krippendorff

    counts, domain = _value_counts(_kripp_units(ref).to_numpy(dtype=object), level, None)
    counts = counts[counts.sum(axis=1) >= 2]
    n, k = counts.shape
    rng = np.random.default_rng(7)
    w = rng.multinomial(n, np.full(n, 1 / n), size=20).astype(float)
    o = (w @ _coincidences(counts).reshape(n, k * k)).reshape(-1, k, k)
    draws = _alpha_from_coincidences(o, domain, level)[0]
    for b in range(20):
        rep = np.repeat(counts, w[b].astype(int), axis=0)
        if (rep.sum(axis=0) > 0).sum() < 2:
            assert not np.isfinite(draws[b])
            continue
        expected = krippendorff.alpha(
            value_counts=rep, value_domain=domain, level_of_measurement=level
        )
        assert draws[b] == pytest.approx(expected, abs=1e-10)


def test_alpha_bootstrap_is_reproducible_and_brackets_the_estimate(ref):
    a = krippendorff_alpha(_kripp_units(ref), n_boot=500, seed=11)
    b = krippendorff_alpha(_kripp_units(ref), n_boot=500, seed=11)
    c = krippendorff_alpha(_kripp_units(ref), n_boot=500, seed=12)
    np.testing.assert_array_equal(a.draws, b.draws)
    assert not np.array_equal(a.draws, c.draws)
    assert a.ci_low < a.estimate < a.ci_high <= 1.0
    lo, hi = np.quantile(a.draws, [0.025, 0.975])
    assert (a.ci_low, a.ci_high) == (lo, hi)
    assert a.std_error == pytest.approx(a.draws.std(ddof=1))
    assert 0 <= a.prob_below(0.8) <= 1
    assert a.seed == 11 and a.n_boot == 500


def test_alpha_bootstrap_interval_covers_truth_in_simulation():
    """Coders who copy a true nominal value with probability 0.7 (else a uniform draw):
    the population alpha is known; the 90% unit-bootstrap interval should cover it in
    roughly 90% of samples."""
    rng = np.random.default_rng(2024)
    k, copy = 4, 0.7
    # population alpha of this model: P(disagree) = 1 - [copy^2 + 2 copy (1-copy)/k + (1-copy)^2/k]
    # expected disagreement 1 - 1/k (uniform marginals)
    p_agree = copy**2 + 2 * copy * (1 - copy) / k + (1 - copy) ** 2 / k
    truth = 1 - (1 - p_agree) / (1 - 1 / k)
    covered = 0
    sims = 120
    for _ in range(sims):
        true = rng.integers(0, k, 80)
        coders = [np.where(rng.random(80) < copy, true, rng.integers(0, k, 80)) for _ in range(2)]
        res = krippendorff_alpha(
            np.column_stack(coders), ci=0.9, n_boot=300, seed=int(rng.integers(1e9))
        )
        covered += res.ci_low <= truth <= res.ci_high
    assert 0.8 <= covered / sims <= 0.97


def test_alpha_handles_labels_and_ordered_categories():
    df = pd.DataFrame(
        {"A": ["low", "mid", "high", "mid", None], "B": ["low", "high", "high", "mid", "low"]}
    )
    nominal = krippendorff_alpha(df, n_boot=50, seed=0)
    assert nominal.n == 4 and nominal.n_dropped == 1
    ordinal = krippendorff_alpha(
        df, level="ordinal", categories=["low", "mid", "high"], n_boot=50, seed=0
    )
    import krippendorff

    codes = df.replace({"low": 1, "mid": 2, "high": 3}).to_numpy(dtype=float).T
    assert ordinal.estimate == pytest.approx(
        krippendorff.alpha(reliability_data=codes, level_of_measurement="ordinal"), abs=1e-12
    )
    with pytest.raises(SchemaError, match="numeric"):
        krippendorff_alpha(df, level="interval")


def test_alpha_refuses_data_without_variation():
    with pytest.raises(EstimationError, match="two distinct values"):
        krippendorff_alpha([[1, 1], [1, 1], [1, 1]])
    with pytest.raises(SchemaError, match="level"):
        krippendorff_alpha([[1, 2], [2, 2]], level="cardinal")


def test_agreement_result_protocol(ref):
    res = krippendorff_alpha(_kripp_units(ref), n_boot=100, seed=3)
    frame = res.to_frame()
    assert list(frame.columns[:7]) == [
        "term",
        "estimate",
        "std_error",
        "ci_low",
        "ci_high",
        "p_val",
        "n",
    ]
    assert "bootstrap over units" in res.summary()
    assert "<table" in res._repr_html_()
    with pytest.raises(AttributeError):
        res.estimate = 0  # frozen


# --- Fleiss' kappa -----------------------------------------------------------------------------


def test_fleiss_matches_fleiss_1971_and_statsmodels(ref):
    from statsmodels.stats.inter_rater import aggregate_raters
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    data = np.array(ref.FLEISS_1971_DIAGNOSES)
    res = fleiss_kappa(data)
    assert res.estimate == pytest.approx(ref.FLEISS_1971_KAPPA, abs=5e-4)
    assert res.estimate == pytest.approx(sm_fleiss(aggregate_raters(data)[0]), abs=1e-12)
    assert (res.n, res.n_raters, res.n_categories) == (30, 6, 5)


def test_fleiss_counts_matches_wikipedia(ref):
    res = fleiss_kappa(ref.WIKIPEDIA_FLEISS_COUNTS, counts=True)
    assert res.estimate == pytest.approx(ref.WIKIPEDIA_FLEISS_KAPPA, abs=5e-4)
    assert res.n_raters == 14


def test_fleiss_null_standard_error_formula(ref):
    """Fleiss, Levin & Paik (2003) SE under kappa = 0, written out from the diagnoses'
    marginals; z = kappa / SE0 = 17.65 (R irr::kappam.fleiss prints z = 17.7)."""
    data = np.array(ref.FLEISS_1971_DIAGNOSES)
    n, m = data.shape
    p = np.array([(data == c).sum() for c in range(1, 6)]) / (n * m)
    q = 1 - p
    pq = (p * q).sum()
    se0 = np.sqrt(2) / (pq * np.sqrt(n * m * (m - 1))) * np.sqrt(pq**2 - (p * q * (q - p)).sum())
    res = fleiss_kappa(data)
    assert res.std_error == pytest.approx(se0, rel=1e-12)
    assert res.estimate / res.std_error == pytest.approx(17.7, abs=0.05)
    assert res.ci_low == pytest.approx(res.estimate - 1.959964 * se0, abs=1e-6)


def test_fleiss_null_standard_error_matches_simulation_under_the_null():
    """Under no agreement (ratings drawn independently from fixed category shares) the
    standard deviation of kappa over many samples matches the null SE."""
    rng = np.random.default_rng(5)
    probs = np.array([0.5, 0.3, 0.2])
    n, m, sims = 60, 5, 3000
    draws = rng.choice(3, size=(sims, n, m), p=probs)
    counts = np.stack([(draws == c).sum(axis=2) for c in range(3)], axis=2).astype(float)
    pj = counts.sum(axis=1) / (n * m)
    p_bar = (counts * (counts - 1)).sum(axis=2).mean(axis=1) / (m * (m - 1))
    pe = (pj**2).sum(axis=1)
    kappas = (p_bar - pe) / (1 - pe)
    se_formula = fleiss_kappa(counts[0], counts=True).std_error
    # the formula's SE at the sample marginals; compare with the simulated SD
    assert kappas.std() == pytest.approx(se_formula, rel=0.08)
    assert abs(kappas.mean()) < 3 * kappas.std() / np.sqrt(sims) + 0.01


def test_fleiss_bootstrap_and_missing(ref):
    data = np.array(ref.FLEISS_1971_DIAGNOSES, dtype=float)
    data[3, 2] = np.nan
    res = fleiss_kappa(data, ci_method="bootstrap", n_boot=400, seed=2)
    assert res.n == 29 and res.n_dropped == 1
    assert res.ci_low < res.estimate < res.ci_high
    assert "bootstrap" in res.method and res.seed == 2
    with pytest.raises(EstimationError, match="same number of ratings"):
        fleiss_kappa([[3, 0], [2, 0]], counts=True)


# --- Cohen's kappa ------------------------------------------------------------------------------


def _expand(table) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(table)
    i, j = np.indices(t.shape)
    return np.repeat(i.ravel(), t.ravel()), np.repeat(j.ravel(), t.ravel())


def test_cohen_matches_sas_example(ref):
    a, b = _expand(ref.SAS_TABLE)
    res = cohens_kappa(a, b, categories=[0, 1, 2])
    k, ase, lo, hi, _ase0, _z, _p1, p2 = ref.SAS_SIMPLE
    assert res.estimate == pytest.approx(k, abs=5e-5)
    assert res.std_error == pytest.approx(ase, abs=5e-5)
    assert (res.ci_low, res.ci_high) == pytest.approx((lo, hi), abs=5e-5)
    assert res.p_val == pytest.approx(p2, abs=5e-5)
    w = cohens_kappa(a, b, weights="linear", categories=[0, 1, 2])
    k, ase, lo, hi, _ase0, _z, _p1, p2 = ref.SAS_WEIGHTED_LINEAR
    assert w.estimate == pytest.approx(k, abs=5e-5)
    assert w.std_error == pytest.approx(ase, abs=5e-5)
    assert (w.ci_low, w.ci_high) == pytest.approx((lo, hi), abs=5e-5)
    assert w.p_val == pytest.approx(p2, abs=5e-5)


def test_cohen_variance_matches_fleiss_cohen_everitt_1969(kappa_tables, ref):
    t = kappa_tables[kappa_tables["table"] == "fce1969"]
    a = np.repeat(t["row"].to_numpy(), t["count"].to_numpy())
    b = np.repeat(t["col"].to_numpy(), t["count"].to_numpy())
    assert cohens_kappa(a, b).std_error ** 2 == pytest.approx(ref.FCE_1969_VAR_KAPPA, abs=2e-5)


def test_cohen_matches_r_psych_and_vcd(psych_kappa, kappa_tables):
    """Unweighted kappa, variance and 95% bounds equal psych::cohen.kappa; weighted kappa
    equals psych; its standard error equals vcd::Kappa's FCE ASE (psych's weighted
    variance is not FCE's, see text_kappa_psych.R)."""
    worst = 0.0
    for _, r in psych_kappa.iterrows():
        t = kappa_tables[kappa_tables["table"] == r["table"]]
        a = np.repeat(t["row"].to_numpy(), t["count"].to_numpy())
        b = np.repeat(t["col"].to_numpy(), t["count"].to_numpy())
        cats = sorted(t["row"].unique())
        k = cohens_kappa(a, b, categories=cats)
        kw = cohens_kappa(a, b, weights=r["weights"], categories=cats)
        diffs = [
            k.estimate - r["kappa"],
            k.std_error**2 - r["var_kappa"],
            k.ci_low - r["kappa_lower"],
            k.ci_high - r["kappa_upper"],
            k.std_error - r["vcd_ase"],
            kw.estimate - r["weighted_kappa"],
            kw.estimate - r["vcd_weighted_kappa"],
            kw.std_error - r["vcd_weighted_ase"],
        ]
        worst = max(worst, max(abs(d) for d in diffs))
    assert worst < 1e-10


def test_cohen_drops_missing_pairs_and_checks_input():
    a = ["yes", "no", "yes", None, "no", "yes"]
    b = ["yes", "no", "no", "yes", np.nan, "yes"]
    res = cohens_kappa(a, b)
    assert res.n == 4 and res.n_dropped == 2
    full = cohens_kappa(["yes", "no", "yes", "yes"], ["yes", "no", "no", "yes"])
    assert res.estimate == pytest.approx(full.estimate)
    with pytest.raises(SchemaError, match="2 and 3"):
        cohens_kappa([1, 2], [1, 2, 3])
    with pytest.raises(EstimationError, match="ordered categories"):
        cohens_kappa(["a", "b", "a"], ["a", "b", "b"], weights="linear")
    with pytest.raises(EstimationError, match="undefined"):
        cohens_kappa([1, 1, 1], [1, 1, 1])
    with pytest.raises(SchemaError, match="categories"):
        cohens_kappa([1, 2, 3], [1, 2, 2], categories=[1, 2])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=5, max_size=60),
    st.sampled_from([None, "linear", "quadratic"]),
)
def test_cohen_symmetric_in_coders(pairs, weights):
    a = [p[0] for p in pairs]
    b = [p[1] for p in pairs]
    try:
        ab = cohens_kappa(a, b, weights=weights, categories=[0, 1, 2, 3])
    except EstimationError:
        return
    ba = cohens_kappa(b, a, weights=weights, categories=[0, 1, 2, 3])
    assert ab.estimate == pytest.approx(ba.estimate, abs=1e-12)
    assert ab.std_error == pytest.approx(ba.std_error, abs=1e-10)
    assert -1 <= ab.estimate <= 1


@pytest.mark.slow
def test_live_r_reproduces_the_committed_kappa_values(tmp_path):
    """Re-run text_kappa_psych.R (when R, psych and vcd are installed)."""
    import shutil
    import subprocess
    from pathlib import Path

    if shutil.which("Rscript") is None:
        pytest.skip("Rscript is not installed; the committed values are tested above")
    ok = subprocess.run(
        [
            "Rscript",
            "-e",
            "quit(status = !all(sapply(c('psych', 'vcd'), requireNamespace, quietly = TRUE)))",
        ],
        capture_output=True,
    )
    if ok.returncode != 0:
        pytest.skip("R packages psych and vcd are not both installed")
    ref_dir = Path(__file__).resolve().parents[1] / "reference"
    shutil.copy(ref_dir / "text_kappa_psych.R", tmp_path)
    subprocess.run(
        ["Rscript", str(tmp_path / "text_kappa_psych.R")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    for name in ("text_kappa_psych.csv", "text_kappa_tables.csv"):
        new = pd.read_csv(tmp_path / name, comment="#", skipinitialspace=True)
        old = pd.read_csv(ref_dir / name, comment="#", skipinitialspace=True)
        num = new.select_dtypes("number").columns
        np.testing.assert_allclose(new[num].to_numpy(), old[num].to_numpy(), rtol=1e-12)


def test_the_old_ci_tuple_is_a_deprecated_alias():
    res = cohens_kappa([1, 2, 2, 3, 1, 2], [1, 2, 3, 3, 1, 1])
    with pytest.warns(FutureWarning, match="ci_low"):
        assert res.ci == (res.ci_low, res.ci_high)
    assert res.call["function"] == "cohens_kappa" and res.call["weights"] is None
