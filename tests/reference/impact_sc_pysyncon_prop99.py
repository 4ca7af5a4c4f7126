"""pysyncon 1.7.0 (Python port of R ``Synth``) on Proposition 99, outcome-only predictors.

Data: ``prop99_california.csv`` (see ``prop99_reference.py``). Call::

    from pysyncon import Dataprep, Synth
    sp = [("packs_per_capita", [1975], "mean"), ("packs_per_capita", [1980], "mean"),
          ("packs_per_capita", [1988], "mean"),
          ("packs_per_capita", range(1970, 1989), "mean")]
    dp = Dataprep(foo=df, predictors=[], predictors_op="mean",
                  time_predictors_prior=range(1970, 1989), special_predictors=sp,
                  dependent="packs_per_capita", unit_variable="state", time_variable="year",
                  treatment_identifier="California",
                  controls_identifier=sorted(set(df.state) - {"California"}),
                  time_optimize_ssr=range(1970, 1989))
    s = Synth(); s.fit(dp)      # Nelder-Mead over V from equal weights, SLSQP inner

Predictor weights V are not identified here (California sits inside the donors' convex
hull in these four predictors), so the two implementations pick different exact fits; what
must hold is that ours reaches a pre-period MSPE (``loss_V``) no worse than pysyncon's.
"""

PYSYNCON_VERSION = "1.7.0"
PYSYNCON_LOSS_V = 8.913968789990932  # mean squared pre-period gap, 1970-1988
PYSYNCON_AVG_POST_GAP = -20.09834883924955  # mean gap 1989-2000

# Abadie, Diamond & Hainmueller (2010), JASA 105:493-505, Table 2 (state weights in the
# synthetic California, with covariates lnincome, beer, age15to24, retprice and lagged
# cigarette sales). Recorded for reference; the covariates are not in the committed data,
# so the tests check only that outcome-only weights concentrate on the same states.
ADH2010_TABLE2 = {
    "Colorado": 0.164,
    "Connecticut": 0.069,
    "Montana": 0.199,
    "Nevada": 0.234,
    "Utah": 0.334,
}
