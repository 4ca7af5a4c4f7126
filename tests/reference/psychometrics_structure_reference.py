"""Published reference values for exploratory factor analysis and parallel analysis
(cei_metrics.psychometrics.structure), with their sources.

Each block names the documented output, the package and version (or source-tree commit)
that produced it, and the call used. Printed factanal loadings below 0.1 in absolute
value are left blank by R's print method (``cutoff = 0.1``); they are ``None`` here and
in psychometrics_structure_harman74_factanal.csv (empty ``value``).
"""

# --- R datasets::ability.cov --------------------------------------------------------
# Smith & Stanley (1983), via Bartholomew (1987): 6 ability tests, 112 persons.
# Data: R source src/library/datasets/data/ability.cov.R
# (github.com/wch/r-source, commit 3e4023711ff4748e0198c06424a14929ba31906f).
ABILITY_ITEMS = ["general", "picture", "blocks", "maze", "reading", "vocab"]
ABILITY_N = 112
ABILITY_COV = [
    [24.641, 5.991, 33.520, 6.023, 20.755, 29.701],
    [5.991, 6.700, 18.137, 1.782, 4.936, 7.204],
    [33.520, 18.137, 149.831, 19.424, 31.430, 50.753],
    [6.023, 1.782, 19.424, 12.711, 4.757, 9.075],
    [20.755, 4.936, 31.430, 4.757, 52.604, 66.762],
    [29.701, 7.204, 50.753, 9.075, 66.762, 135.292],
]

# R's reference output of the ability.cov help-page example (the same calls are the
# factanal help page's "realistic example"), tests/Examples/datasets-Ex.Rout.save of the
# R source tree (github.com/wch/r-source, commit 0044f6e9d583aec2a826aa51f3354f64a3e63a82):
#   (ability.FA <- factanal(factors = 1, covmat = ability.cov))
#   update(ability.FA, factors = 2)
#   update(ability.FA, factors = 2, rotation = "promax")
FACTANAL_ABILITY = {
    (1, "none"): {
        "uniqueness": [0.535, 0.853, 0.748, 0.910, 0.232, 0.280],
        "loadings": [[0.682], [0.384], [0.502], [0.300], [0.877], [0.849]],
        "ss_loadings": [2.443],
        "chi2": 75.18,
        "df": 9,
        "pvalue": 1.46e-12,
    },
    (2, "varimax"): {
        "uniqueness": [0.455, 0.589, 0.218, 0.769, 0.052, 0.334],
        "loadings": [
            [0.499, 0.543],
            [0.156, 0.622],
            [0.206, 0.860],
            [0.109, 0.468],
            [0.956, 0.182],
            [0.785, 0.225],
        ],
        "ss_loadings": [1.858, 1.724],
        "chi2": 6.11,
        "df": 4,
        "pvalue": 0.191,
    },
    (2, "promax"): {
        "uniqueness": [0.455, 0.589, 0.218, 0.769, 0.052, 0.334],
        "loadings": [
            [0.364, 0.470],
            [None, 0.671],
            [None, 0.932],
            [None, 0.508],
            [1.023, None],
            [0.811, None],
        ],
        "ss_loadings": [1.853, 1.807],
        "chi2": 6.11,
        "df": 4,
        "pvalue": 0.191,
    },
}

# GPArotation's regression test tests/MASSoblimin.R ("test MASS 4th ed. p 322-324"),
# r-forge project optimizer, GPArotation/trunk (git mirror commit
# 0eed641f71d439fb78d8b5a095b860841fd8a785): R's own output printed to 18 digits and
# checked there with fuzz 1e-6.
#   ability.FA <- factanal(factors = 2, covmat = ability.cov)   # varimax
#   oblirot <- oblimin(loadings(ability.FA))                    # GPArotation::oblimin
GPAROTATION_ABILITY_VARIMAX = [
    [0.499437829039896530, 0.54344904693111962],
    [0.156070079431279873, 0.62153798991197484],
    [0.205786989958578748, 0.85992588538426895],
    [0.108530754440558652, 0.46776101732283504],
    [0.956242470279811574, 0.18209631992182243],
    [0.784768183877880943, 0.22482213687364205],
]
GPAROTATION_ABILITY_OBLIMIN = [
    [0.386361590474061101, 0.474512774149631611],
    [-0.011005941876921766, 0.645872076963384889],
    [-0.026292627235061605, 0.896114110568434263],
    [-0.018020052681093589, 0.488292828169565873],
    [0.990094493910239404, -0.037071828254432074],
    [0.790565727426538301, 0.052610955005508719],
]

# --- R stats::factanal help-page example: raw data with Heywood cases --------------
# tests/Examples/stats-Ex.Rout.save (same r-source commit as above):
#   m1 <- cbind(v1, v2, v3, v4, v5, v6); cor(m1)
#   factanal(m1, factors = 3)                       # varimax
#   factanal(m1, factors = 3, rotation = "promax")
# Three factors for six variables leave 0 degrees of freedom: R prints "The degrees of
# freedom for the model is 0 and the fit was 0.4755" and no chi-square.
FACTANAL_M1_DATA = {
    "v1": [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 4, 5, 6],
    "v2": [1, 2, 1, 1, 1, 1, 2, 1, 2, 1, 3, 4, 3, 3, 3, 4, 6, 5],
    "v3": [3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 5, 4, 6],
    "v4": [3, 3, 4, 3, 3, 1, 1, 2, 1, 1, 1, 1, 2, 1, 1, 5, 6, 4],
    "v5": [1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 6, 4, 5],
    "v6": [1, 1, 1, 2, 1, 3, 3, 3, 4, 3, 1, 1, 1, 2, 1, 6, 5, 4],
}
FACTANAL_M1_COR_V1 = [1.0000000, 0.9393083, 0.5128866, 0.4320310, 0.4664948, 0.4086076]
FACTANAL_M1 = {
    "varimax": {
        "uniqueness": [0.005, 0.101, 0.005, 0.224, 0.084, 0.005],
        "loadings": [
            [0.944, 0.182, 0.267],
            [0.905, 0.235, 0.159],
            [0.236, 0.210, 0.946],
            [0.180, 0.242, 0.828],
            [0.242, 0.881, 0.286],
            [0.193, 0.959, 0.196],
        ],
        "ss_loadings": [1.893, 1.886, 1.797],
    },
    "promax": {
        "uniqueness": [0.005, 0.101, 0.005, 0.224, 0.084, 0.005],
        "loadings": [
            [None, 0.985, None],
            [None, 0.951, None],
            [None, None, 1.003],
            [None, None, 0.867],
            [0.910, None, None],
            [1.033, None, None],
        ],
        "ss_loadings": [1.903, 1.876, 1.772],
    },
    "objective": 0.4755,
    "df": 0,
}

# --- R datasets::Harman74.cor -------------------------------------------------------
# Holzinger & Swineford's 24 psychological tests, 145 Grant-White seventh- and
# eighth-graders (Harman 1976, Modern Factor Analysis, Table 7.4). Correlations:
# psychometrics_structure_harman74.csv, from src/library/datasets/data/Harman74.cor.R
# (r-source commit e39f435141143c3eca248a5171ac4861ec123c17); R keeps the published
# spelling "PargraphComprehension".
HARMAN74_N = 145
HARMAN74_CSV = "psychometrics_structure_harman74.csv"
# datasets-Ex.Rout.save (r-source commit 0044f6e9...): the Harman74.cor help example
#   (Harman74.FA <- factanal(factors = 1, covmat = Harman74.cor))
#   for(factors in 2:5) print(update(Harman74.FA, factors = factors))   # varimax
#   Harman74.FA <- factanal(factors = 5, covmat = Harman74.cor, rotation = "promax")
#   print(Harman74.FA$loadings, sort = TRUE)
# Uniquenesses and loadings of every printed solution are in
# psychometrics_structure_harman74_factanal.csv (columns factors, rotation, item,
# quantity = uniqueness | loading, factor, value); the tests of the number of factors:
HARMAN74_FACTANAL_CSV = "psychometrics_structure_harman74_factanal.csv"
FACTANAL_HARMAN74_TESTS = {  # factors: (chi2, df, p-value)
    1: (622.91, 252, 2.28e-33),
    2: (420.24, 229, 2.01e-13),
    3: (295.59, 207, 5.12e-05),
    4: (226.68, 186, 0.0224),
    5: (186.82, 166, 0.128),
}

# R psych::fa, maximum likelihood, unrotated, on Harman74.cor, four decimals, as
# recorded ("true values from psych package in R") in the test suite of J. Patrick
# Meyer's jMetrik psychometrics library: github.com/meyerjp3/psychometrics
# src/test/java/com/itemanalysis/psychometrics/factoranalysis/
# ExploratoryFactorAnalysisTest.java (commit 55fccad45f56e16fed8c9bf5ad8eb0d9960c4b4d),
#   fa(Harman74.cor$cov, 4, fm = "ml", rotate = "none")
# fmt: off
_PSYCH_ML_HARMAN74_UNIQUENESS = [
    0.4385, 0.7801, 0.6435, 0.6512, 0.3520, 0.3115, 0.2826, 0.4854, 0.2566, 0.2397,
    0.5510, 0.4351, 0.4907, 0.6460, 0.6960, 0.5491, 0.5982, 0.5926, 0.7615, 0.5916,
    0.5829, 0.6010, 0.4973, 0.4998,
]
# fmt: on
PSYCH_ML_HARMAN74_UNROTATED = {
    "loadings": [
        [0.5534, 0.0437, 0.4538, -0.2179],
        [0.3439, -0.0104, 0.2890, -0.1343],
        [0.3769, -0.1113, 0.4209, -0.1578],
        [0.4648, -0.0710, 0.2976, -0.1978],
        [0.7408, -0.2251, -0.2170, -0.0376],
        [0.7370, -0.3473, -0.1452, 0.0601],
        [0.7379, -0.3245, -0.2416, -0.0959],
        [0.6961, -0.1206, -0.0335, -0.1201],
        [0.7492, -0.3910, -0.1599, 0.0605],
        [0.4861, 0.6170, -0.3782, -0.0136],
        [0.5401, 0.3700, -0.0393, 0.1375],
        [0.4474, 0.5716, -0.0401, -0.1910],
        [0.5785, 0.3068, 0.1174, -0.2583],
        [0.4039, 0.0447, 0.0823, 0.4268],
        [0.3648, 0.0708, 0.1617, 0.3738],
        [0.4523, 0.0724, 0.4193, 0.2555],
        [0.4384, 0.1901, 0.0806, 0.4086],
        [0.4644, 0.3145, 0.2446, 0.1813],
        [0.4155, 0.0930, 0.1743, 0.1639],
        [0.6019, -0.0907, 0.1909, 0.0370],
        [0.5608, 0.2705, 0.1461, -0.0898],
        [0.5949, -0.0806, 0.1926, 0.0379],
        [0.6695, -0.0006, 0.2155, -0.0902],
        [0.6544, 0.2373, -0.1125, 0.0555],
    ],
    "uniqueness": _PSYCH_ML_HARMAN74_UNIQUENESS,
}

# --- psych::smc: the squared multiple correlations of a 12 x 12 matrix ---------------
# Same jMetrik test file (smcTest): the matrix is printed in its comment, and
#   library(psych); options(digits = 15); smc(R)
# to 15 digits (checked there at 1e-15). These are the diagonal of psych's
# ``fa.parallel(..., SMC = TRUE)`` factor matrix.
PSYCH_SMC_R = [
    [1, 0.6602, 0.5649, 0.5324, 0.5203, 0.3789, 0.2628, 0.3069, 0.4448, 0.3101, 0.531, 0.4303],
    [0.6602, 1, 0.6265, 0.4898, 0.5344, 0.4143, 0.3082, 0.3089, 0.4194, 0.3109, 0.5374, 0.431],
    [0.5649, 0.6265, 1, 0.5135, 0.5708, 0.4618, 0.3659, 0.3491, 0.4782, 0.3528, 0.5738, 0.4344],
    [0.5324, 0.4898, 0.5135, 1, 0.5736, 0.3951, 0.318, 0.3284, 0.4206, 0.3305, 0.454, 0.4174],
    [0.5203, 0.5344, 0.5708, 0.5736, 1, 0.5663, 0.4524, 0.3863, 0.5677, 0.4309, 0.6025, 0.4988],
    [0.3789, 0.4143, 0.4618, 0.3951, 0.5663, 1, 0.6306, 0.457, 0.5393, 0.5091, 0.559, 0.4551],
    [0.2628, 0.3082, 0.3659, 0.318, 0.4524, 0.6306, 1, 0.4096, 0.4777, 0.4629, 0.4331, 0.3561],
    [0.3069, 0.3089, 0.3491, 0.3284, 0.3863, 0.457, 0.4096, 1, 0.3895, 0.3754, 0.3984, 0.356],
    [0.4448, 0.4194, 0.4782, 0.4206, 0.5677, 0.5393, 0.4777, 0.3895, 1, 0.4878, 0.605, 0.4814],
    [0.3101, 0.3109, 0.3528, 0.3305, 0.4309, 0.5091, 0.4629, 0.3754, 0.4878, 1, 0.4922, 0.4348],
    [0.531, 0.5374, 0.5738, 0.454, 0.6025, 0.559, 0.4331, 0.3984, 0.605, 0.4922, 1, 0.6827],
    [0.4303, 0.431, 0.4344, 0.4174, 0.4988, 0.4551, 0.3561, 0.356, 0.4814, 0.4348, 0.6827, 1],
]
# fmt: off
PSYCH_SMC = [
    0.531585981070840, 0.551247464024654, 0.527292132264549, 0.432978821972321,
    0.566918817558485, 0.559797287040695, 0.453127105279017, 0.284772895724122,
    0.493299407818581, 0.377457545259643, 0.645814037220527, 0.497023187312404,
]
# fmt: on

# --- psych::fa, minres, one factor: the exact congeneric matrix ---------------------
# W. Revelle's course notes for the psych package, "Factor analysis as a data
# description tool" (personality-project.org/courses/350/psych.sourcecode/wk.4.fa.html):
#   R <- sim.congeneric()   # default loadings .8, .7, .6, .5
#   f1 <- fa(R)             # minres, 1 factor
# prints R (below), MR1 = 0.8 0.7 0.6 0.5, h2 = 0.64 0.49 0.36 0.25,
# u2 = 0.36 0.51 0.64 0.75 and "SS loadings 1.74". The one-factor communalities
# reproduce R exactly, so psych's default parallel-analysis factor eigenvalues
# (SMC = FALSE: eigenvalues of R with these communalities on the diagonal) are
# 1.74, 0, 0, 0; with SMCs on the diagonal they are not.
PSYCH_CONGENERIC_R = [
    [1.00, 0.56, 0.48, 0.40],
    [0.56, 1.00, 0.42, 0.35],
    [0.48, 0.42, 1.00, 0.30],
    [0.40, 0.35, 0.30, 1.00],
]
PSYCH_CONGENERIC_FA = {
    "loadings": [0.8, 0.7, 0.6, 0.5],
    "h2": [0.64, 0.49, 0.36, 0.25],
    "u2": [0.36, 0.51, 0.64, 0.75],
    "ss_loadings": 1.74,
}
