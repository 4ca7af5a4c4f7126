"""Published results on California's Proposition 99 (cigarette sales, packs per capita).

Data: ``prop99_california.csv`` (39 states x 1970-2000; California treated from 1989;
``treated`` = 1 for California 1989-2000). It is R ``synthdid``'s ``california_prop99``
(data/california_prop99.csv of github.com/synth-inference/synthdid), as shipped in the
PyPI package ``synthdid-py`` 0.1.0 (``synthdid/data/california_prop99.csv``, semicolon
separated; columns renamed here). Original sources: Abadie, Diamond & Hainmueller (2010),
JASA 105:493-505; Orzechowski & Walker, The Tax Burden on Tobacco.
"""

# Arkhangelsky, Athey, Hirshberg, Imbens & Wager (2021), AER 111(12), Table 1, column
# "California": estimate (placebo standard error).
PAPER_TABLE1 = {
    "did": (-27.3, 17.7),
    "sc": (-19.6, 9.9),
    "sdid": (-15.6, 8.4),
}

# R synthdid vignette (vignettes/synthdid.Rmd, rendered output), calls:
#   setup = panel.matrices(california_prop99)
#   tau.hat = synthdid_estimate(setup$Y, setup$N0, setup$T0)         # -15.60383
#   sc_estimate(...)  -19.61966    did_estimate(...)  -27.34911
#   se = sqrt(vcov(tau.hat, method = "placebo"))   # 95% CI (-32.01, 0.80) with set.seed(12345)
R_SDID_ESTIMATE = -15.60383
R_SC_ESTIMATE = -19.61966
R_DID_ESTIMATE = -27.34911
R_SDID_PLACEBO_CI = (-32.01, 0.80)  # estimate +- 1.96 se  =>  se = 8.37
# summary(tau.hat)$controls (unit weights, top 18) and $periods (time weights), rounded to 3 d.p.
R_SDID_UNIT_WEIGHTS = {
    "Nevada": 0.124,
    "New Hampshire": 0.105,
    "Connecticut": 0.078,
    "Delaware": 0.070,
    "Colorado": 0.058,
    "Illinois": 0.053,
    "Nebraska": 0.048,
    "Montana": 0.045,
    "Utah": 0.042,
    "New Mexico": 0.041,
    "Minnesota": 0.039,
    "Wisconsin": 0.037,
    "West Virginia": 0.034,
    "North Carolina": 0.033,
    "Idaho": 0.031,
    "Ohio": 0.031,
    "Maine": 0.028,
    "Iowa": 0.026,
}
R_SDID_TIME_WEIGHTS = {1988: 0.427, 1986: 0.366, 1987: 0.206}
# summary(tau.hat)$dimensions
R_SDID_N0_EFFECTIVE = 16.388
R_SDID_T0_EFFECTIVE = 2.783
