"""Published reference values for the engagement indicators' estimators.

Each constant names its source, the package and version that produced it (where one did)
and the call used.
"""

# --- Wilson score interval --------------------------------------------------------------
# Newcombe RG (1998). Two-sided confidence intervals for the single proportion: comparison
# of seven methods. Statistics in Medicine 17:857-872, Table I, method 3 ("score method
# without continuity correction", Wilson 1927), 95% intervals, 4 decimals as printed.
# (count, n, lower, upper)
NEWCOMBE_1998_TABLE1_WILSON = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]

# --- Kaplan-Meier with Greenwood standard errors -----------------------------------------
# Klein JP & Moeschberger ML (2003). Survival Analysis, 2nd ed., Springer. Table 4.1A:
# product-limit estimate and Greenwood standard error for the 6-MP arm of the Freireich
# et al. (1963) leukemia remission trial (Section 1.2). Times in weeks; event 1 = relapse,
# 0 = censored.
KM_6MP_TIME = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
KM_6MP_EVENT = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
# (event time, S(t), Greenwood SE), 3 decimals as printed
KM_6MP_TABLE_4_1A = [
    (6, 0.857, 0.076),
    (7, 0.807, 0.087),
    (10, 0.753, 0.096),
    (13, 0.690, 0.107),
    (16, 0.627, 0.114),
    (22, 0.538, 0.128),
    (23, 0.448, 0.135),
]

# --- Linearized (cluster) standard error of a weighted mean ------------------------------
# R package survey 4.1-1, tests/testoutput/api.Rout.saved (the output of example(api)),
# data in indicators_apiclus1.csv:
#   dclus1 <- svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc)
#   svymean(~api00, dclus1)
#           mean     SE
#   api00 644.17 23.542
# The design has a finite population correction (15 of 757 districts sampled);
# cei_metrics estimates with-replacement variances, so the test multiplies our SE by
# sqrt(1 - 15/757) before comparing. Lumley T (2010) Complex Surveys, Wiley, section 2.2.
SVYMEAN_APICLUS1 = {"mean": 644.17, "se": 23.542, "n_psu": 15, "N_psu": 757}

# --- Ratio of two proportions: Katz log (delta-method) interval --------------------------
# Fagerland MW, Lydersen S, Laake P (2015). Recommended confidence intervals for two
# independent binomial proportions. Statistical Methods in Medical Research 24(2):224-254,
# Table 5: the randomized trial of high vs standard dose epinephrine of Perondi et al.
# (2004), 7 of 34 vs 1 of 34 with the outcome; ratio of probabilities 7, Katz log 95%
# interval "7 (0.91 to 54)" as the R package presize quotes that table when validating
# against it. (The paper itself was not at hand; these digits are the packages'.) The
# same interval to more digits, from the R packages that reproduce the table:
#   contingencytables::Katz_log_CI_2x2(matrix(c(7, 27, 1, 33), nrow = 2, byrow = TRUE))
#     -> "estimate = 7.0000 (95% CI 0.9096 to 53.8695)"  (its tests/testthat/test-ch4.R)
#   presize::prec_riskratio(p1 = 7/34, p2 = 1/34, n1 = 34, r = 1, met = "katz")
#     -> rr 7, lwr 0.9096055, upr 53.86951  (documentation example of prec_riskratio)
# (x1, n1, x2, n2, estimate, lower, upper)
KATZ_PERONDI_2004 = (7, 34, 1, 34, 7.0, 0.9096055, 53.86951)
