"""Published reference values for cei_metrics.psychometrics, with their sources.

Each block names the publication or documented software output, the package and version
where one produced the numbers, and the call used.
"""

# --- Cronbach's alpha -----------------------------------------------------------------
# Shrout & Fleiss (1979), Psychological Bulletin 86:420-428, Table 2: 6 targets x 4
# judges. ICC(3,k) = .91, which equals Cronbach's alpha; Feldt 95% CI as R
# psych::alpha (psych 2.x) reports for these data: .909 (.676, .986).
SHROUT_FLEISS = {
    "J1": [9, 6, 8, 7, 10, 6],
    "J2": [2, 1, 4, 1, 5, 2],
    "J3": [5, 3, 6, 2, 6, 4],
    "J4": [8, 2, 8, 6, 9, 7],
}
SHROUT_FLEISS_ALPHA = 0.909
SHROUT_FLEISS_CI = (0.676, 0.986)

# pingouin 0.5.x documentation of pingouin.cronbach_alpha (the dataset ships with
# pingouin; the docstring says the pairwise value is R psych::alpha(data, use="pairwise")):
#   pg.cronbach_alpha(data=pg.read_dataset("cronbach_wide_missing"))
#       -> (0.732660835214447, array([0.435, 0.909]))
#   pg.cronbach_alpha(data=..., nan_policy="listwise") -> 0.8016949152542373
#   pg.cronbach_alpha(data=pg.read_dataset("cronbach_alpha"), items="Items",
#                     scores="Scores", subject="Subj") -> (0.5917188485995826, [0.195, 0.84])
# (pingouin keeps n = all rows in the listwise interval; only the point value is used.)
PINGOUIN_WIDE_MISSING_PAIRWISE = (0.732660835214447, (0.435, 0.909))
PINGOUIN_WIDE_MISSING_LISTWISE = 0.8016949152542373
PINGOUIN_LONG = (0.5917188485995826, (0.195, 0.84))

# --- CFA: Holzinger & Swineford (1939), lavaan tutorial -------------------------------
# R lavaan 0.6-x, documented output of
#   HS.model <- 'visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9'
#   fit <- cfa(HS.model, data = HolzingerSwineford1939); summary(fit, fit.measures = TRUE,
#   standardized = TRUE)
# Data: semopy.examples.holzinger39 (the same 301 children).
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
HS_FIT = {
    "chi2": 85.306,
    "df": 24,
    "cfi": 0.931,
    "tli": 0.896,
    "rmsea": 0.092,
    "rmsea_ci": (0.071, 0.114),
    "srmr": 0.065,
}
HS_STD_LOADINGS = {  # std.all
    "x1": 0.772,
    "x2": 0.424,
    "x3": 0.581,
    "x4": 0.852,
    "x5": 0.855,
    "x6": 0.838,
    "x7": 0.570,
    "x8": 0.723,
    "x9": 0.665,
}
HS_UNSTD = {  # item: (estimate, std.err)
    "x2": (0.554, 0.100),
    "x3": (0.729, 0.109),
    "x5": (1.113, 0.065),
    "x6": (0.926, 0.055),
    "x8": (1.180, 0.165),
    "x9": (1.082, 0.151),
}
HS_FACTOR_VARCOV = {  # (lhs, rhs): (estimate, std.err) from the same summary
    ("visual", "visual"): (0.809, 0.145),
    ("textual", "textual"): (0.979, 0.112),
    ("speed", "speed"): (0.384, 0.086),
    ("textual", "visual"): (0.408, 0.074),
    ("speed", "visual"): (0.262, 0.056),
    ("speed", "textual"): (0.173, 0.049),
}

# R semTools::reliability(fit) on the same fitted model (semTools 0.5-x documentation
# example): omega (model-implied total variance) per factor.
HS_OMEGA = {"visual": 0.6253180, "textual": 0.8851754, "speed": 0.6877600}

# lavaan tutorial "Multiple groups": measurement invariance across the two schools,
#   fit1 <- cfa(HS.model, data = HolzingerSwineford1939, group = "school")
#   fit2 <- ... group.equal = "loadings"; fit3 <- ... group.equal = c("loadings","intercepts")
#   lavTestLRT(fit1, fit2, fit3)
HS_INVARIANCE = {
    "configural": {"chi2": 115.85, "df": 48},
    "metric": {"chi2": 124.04, "df": 54, "delta_chi2": 8.192, "delta_df": 6, "delta_p": 0.2244},
    "scalar": {"chi2": 164.10, "df": 60, "delta_chi2": 40.059, "delta_df": 6, "delta_p": 4.435e-07},
}

# --- Responsiveness / standardized mean change ----------------------------------------
# Lakens (2013), Frontiers in Psychology 4:863, Tables 1-2: ten people rate two movies.
# Paired: t(9) = 4.74, d_z = 1.50. Independent: t(18) = 2.52, p = .022, d_s = 1.13.
LAKENS_MOVIE_1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
LAKENS_MOVIE_2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]
LAKENS = {"t_paired": 4.74, "d_z": 1.50, "t_independent": 2.52, "p_independent": 0.022, "d_s": 1.13}
