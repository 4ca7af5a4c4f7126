"""Published reference values for the inter-coder agreement statistics (cei_metrics.text).

Each constant names its source and how it was obtained. R-generated values are in
text_kappa_psych.csv (script text_kappa_psych.R).
"""

# --- Krippendorff's alpha ----------------------------------------------------------------
# Krippendorff K (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
# Communication, University of Pennsylvania, section C: reliability data of 4 observers
# (rows) x 12 units (columns) with missing values (None), values 1-5.
KRIPPENDORFF_2011_DATA = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
# alpha as printed in the paper (3 decimals): nominal (section C.1), ordinal, interval
# and ratio (section E); unit 12 has one value and is not pairable (11 units used).
KRIPPENDORFF_2011_ALPHA = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}
KRIPPENDORFF_2011_PAIRABLE_UNITS = 11

# --- Fleiss' kappa ---------------------------------------------------------------------------
# Fleiss JL (1971). Measuring nominal scale agreement among many raters. Psychological
# Bulletin 76:378-382, Table 1: 30 patients, each diagnosed by 6 of a pool of
# psychiatrists into 5 categories (1 depression, 2 personality disorder, 3 schizophrenia,
# 4 neurosis, 5 other); one row per patient, one column per rating. As the `diagnoses`
# data of R irr and statsmodels' tests (statsmodels/stats/tests/test_inter_rater.py).
FLEISS_1971_DIAGNOSES = [
    [4, 4, 4, 4, 4, 4],
    [2, 2, 2, 5, 5, 5],
    [2, 3, 3, 3, 3, 5],
    [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3],
    [3, 3, 3, 3, 5, 5],
    [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4],
    [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4],
    [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3],
    [1, 4, 4, 4, 4, 4],
    [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5],
    [1, 1, 1, 1, 1, 2],
    [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5],
    [2, 4, 4, 4, 4, 4],
    [2, 2, 4, 5, 5, 5],
    [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4],
    [1, 1, 1, 1, 5, 5],
    [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3],
    [5, 5, 5, 5, 5, 5],
]
FLEISS_1971_KAPPA = 0.430  # as printed (p. 381)
# Wikipedia "Fleiss' kappa" worked example (statsmodels test table1): 10 subjects x 5
# categories, 14 ratings each, counts per category; kappa 0.210.
WIKIPEDIA_FLEISS_COUNTS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]
WIKIPEDIA_FLEISS_KAPPA = 0.210

# --- Cohen's kappa -----------------------------------------------------------------------------
# SAS PROC FREQ output for a 3 x 3 table, as statsmodels' tests quote it
# (statsmodels/stats/tests/test_inter_rater.py, TestUnweightedCohens / TestWeightedCohens):
# (kappa, ASE, 95% lower, 95% upper, ASE under H0, Z, one-sided p, two-sided p),
# 4 decimals; weighted = Cicchetti-Allison (linear) weights.
SAS_TABLE = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]
SAS_SIMPLE = (0.4842, 0.1380, 0.2137, 0.7547, 0.1484, 3.2626, 0.0006, 0.0011)
SAS_WEIGHTED_LINEAR = (0.4701, 0.1457, 0.1845, 0.7558, 0.1426, 3.2971, 0.0005, 0.0010)
# Fleiss, Cohen & Everitt (1969), as quoted in R psych's cohen.kappa documentation: the
# variance of kappa for their example (table fce1969 of text_kappa_tables.csv) is .00287.
FCE_1969_VAR_KAPPA = 0.00287
