# Reference values for raked weights in use: cei_metrics.indicators.rake(...).apply(survey)
# then scale_score / percent_favorable with weights="weight" (tests/indicators/test_weights.py).
#
# Data: indicators_weights_raked_survey.csv (278 respondents of three demo districts, wave 4,
# the four trust items, blank = no answer; synthetic, from cm.load_demo(seed = 2019)).
# Population margins (families): language en 5200, es 2800; el_family FALSE 6100, TRUE 1900.
# Raking from equal weights: survey::rake(svydesign(ids = ~1, weights = ~1), ...), then
#  - the respondent trust score (mean of the answered items, at least 2 of 4), its
#    svymean under the raked weights held fixed (svydesign(ids = ~1, weights = ~w)) and
#    under the raked design (SE with the calibration, for the record);
#  - the share of favorable answers (4 or 5) over every answered item, respondents as
#    clusters: svymean(~fav, svydesign(ids = ~respondent_id, weights = ~w, data = long)).
#
# Run from the repository root:  Rscript tests/reference/indicators_weights_raked_scores.R
# Writes indicators_weights_raked_weights.csv and indicators_weights_raked_estimates.csv.
suppressMessages(library(survey))
here <- tryCatch(dirname(normalizePath(sys.frame(1)$ofile)), error = function(e) NULL)
if (is.null(here)) {
  args <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", args[grep("^--file=", args)])
  here <- dirname(normalizePath(f))
}
options(digits = 15)
d <- read.csv(file.path(here, "indicators_weights_raked_survey.csv"), comment.char = "#",
              colClasses = c(respondent_id = "character", district_id = "character"))
d$el_family <- as.character(d$el_family == "True" | d$el_family == "TRUE")
items <- c("trust_1", "trust_2", "trust_3", "trust_4")
answered <- rowSums(!is.na(d[, items]))
d$score <- ifelse(answered / 4 >= 0.5, rowMeans(d[, items], na.rm = TRUE), NA)
d$one <- 1
des <- svydesign(ids = ~1, weights = ~one, data = d)
pop.lang <- data.frame(language = c("en", "es"), Freq = c(5200, 2800))
pop.el <- data.frame(el_family = c("FALSE", "TRUE"), Freq = c(6100, 1900))
raked <- rake(des, list(~language, ~el_family), list(pop.lang, pop.el),
              control = list(maxit = 1000, epsilon = 1e-13))
d$w <- weights(raked)
fixed <- svydesign(ids = ~1, weights = ~w, data = d)
m_fixed <- svymean(~score, fixed, na.rm = TRUE)
m_raked <- svymean(~score, raked, na.rm = TRUE)
m_unw <- svymean(~score, des, na.rm = TRUE)

long <- reshape(d[, c("respondent_id", "w", items)], direction = "long", varying = items,
                v.names = "value", timevar = "item", times = items, idvar = "respondent_id")
long <- long[!is.na(long$value), ]
long$fav <- as.numeric(long$value >= 4)
pf <- svymean(~fav, svydesign(ids = ~respondent_id, weights = ~w, data = long))
long$one <- 1
pf_unw <- svymean(~fav, svydesign(ids = ~respondent_id, weights = ~one, data = long))

header <- paste0("# written by tests/reference/indicators_weights_raked_scores.R; R ",
                 R.version$major, ".", R.version$minor, ", survey ", packageVersion("survey"))
f <- file.path(here, "indicators_weights_raked_weights.csv")
writeLines(header, f)
suppressWarnings(write.table(format(d[, c("respondent_id", "w")], digits = 17), f, sep = ",",
                             row.names = FALSE, append = TRUE, quote = FALSE))
est <- data.frame(
  statistic = c("score_fixed", "score_raked_design", "score_unweighted", "favorable",
                "favorable_unweighted"),
  estimate = c(coef(m_fixed)[[1]], coef(m_raked)[[1]], coef(m_unw)[[1]], coef(pf)[[1]],
               coef(pf_unw)[[1]]),
  std_error = c(SE(m_fixed)[[1]], SE(m_raked)[[1]], SE(m_unw)[[1]], SE(pf)[[1]], SE(pf_unw)[[1]])
)
f <- file.path(here, "indicators_weights_raked_estimates.csv")
writeLines(header, f)
suppressWarnings(write.table(format(est, digits = 17), f, sep = ",", row.names = FALSE,
                             append = TRUE, quote = FALSE))
