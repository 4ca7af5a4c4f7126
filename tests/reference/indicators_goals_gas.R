# Reference values for cei_metrics.indicators.gas_tscore and the interval of the share of
# the gap closed (tests/indicators/test_goals.py).
#
# GAS T-score: the formula of Kiresuk & Sherman (1968), Community Mental Health Journal
# 4:443-453, as Turner-Stokes (2009), Clinical Rehabilitation 23:362-370, writes it:
#   T = 50 + 10 * sum(w * x) / sqrt((1 - rho) * sum(w^2) + rho * sum(w)^2),  rho = 0.3
# computed here independently of the Python code, for level and weight vectors below.
# Wilson interval: stats::prop.test(x, n, correct = FALSE)$conf.int (base R), mapped to
# the share of the gap closed (v - b) / (t - b) with v = 100 * p for percent goals.
#
# Run from the repository root:  Rscript tests/reference/indicators_goals_gas.R
# Writes indicators_goals_gas.csv and indicators_goals_wilson.csv next to this script.
here <- tryCatch(dirname(normalizePath(sys.frame(1)$ofile)), error = function(e) NULL)
if (is.null(here)) {
  args <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", args[grep("^--file=", args)])
  here <- dirname(normalizePath(f))
}
options(digits = 15)
tscore <- function(x, w = rep(1, length(x)), rho = 0.3) {
  50 + 10 * sum(w * x) / sqrt((1 - rho) * sum(w^2) + rho * sum(w)^2)
}
cases <- list(
  list(id = "one_goal_plus1", x = c(1), w = c(1), rho = 0.3),
  list(id = "one_goal_minus2", x = c(-2), w = c(1), rho = 0.3),
  list(id = "three_expected", x = c(0, 0, 0), w = c(1, 1, 1), rho = 0.3),
  list(id = "three_plus1", x = c(1, 1, 1), w = c(1, 1, 1), rho = 0.3),
  list(id = "mixed_five", x = c(-2, -1, 0, 1, 2), w = c(1, 1, 1, 1, 1), rho = 0.3),
  list(id = "weighted", x = c(-1, 0, 2, 1), w = c(2, 1, 3, 4), rho = 0.3),
  list(id = "weighted_rho0", x = c(-1, 0, 2, 1), w = c(2, 1, 3, 4), rho = 0),
  list(id = "weighted_rho05", x = c(-1, -1, 2), w = c(1, 6, 2), rho = 0.5)
)
out <- do.call(rbind, lapply(cases, function(k) data.frame(
  case = k$id, levels = paste(k$x, collapse = ";"), weights = paste(k$w, collapse = ";"),
  rho = k$rho, t_score = tscore(k$x, k$w, k$rho))))
header <- paste0("# written by tests/reference/indicators_goals_gas.R; R ", R.version$major, ".",
                 R.version$minor)
f <- file.path(here, "indicators_goals_gas.csv")
writeLines(header, f)
suppressWarnings(write.table(format(out, digits = 17), f, sep = ",", row.names = FALSE,
                             append = TRUE, quote = FALSE))

goals <- data.frame(
  case = c("up", "down", "past_target", "small_n", "proportion"),
  unit = c("percent", "percent", "percent", "percent", "proportion"),
  baseline = c(40, 20, 4, 2, 0.30),
  target = c(60, 12, 14, 12, 0.50),
  value = c(54, 16, 20, 12.5, 0.40),
  n = c(150, 5000, 150, 8, 75)  # whole numbers of people in every value
)
scale <- ifelse(goals$unit == "percent", 100, 1)
ci <- t(mapply(function(v, s, n) {
  x <- v / s * n
  stopifnot(abs(x - round(x)) < 1e-9)
  suppressWarnings(prop.test(round(x), n, correct = FALSE))$conf.int  # chi-square warning at n = 8
}, goals$value, scale, goals$n))
lo <- (ci[, 1] * scale - goals$baseline) / (goals$target - goals$baseline)
hi <- (ci[, 2] * scale - goals$baseline) / (goals$target - goals$baseline)
goals$gap_closed <- (goals$value - goals$baseline) / (goals$target - goals$baseline)
goals$ci_low <- pmin(lo, hi)
goals$ci_high <- pmax(lo, hi)
f <- file.path(here, "indicators_goals_wilson.csv")
writeLines(c(header, "# prop.test(x, n, correct = FALSE)$conf.int mapped to (v - baseline) / (target - baseline)"), f)
suppressWarnings(write.table(format(goals, digits = 17), f, sep = ",", row.names = FALSE,
                             append = TRUE, quote = FALSE))
