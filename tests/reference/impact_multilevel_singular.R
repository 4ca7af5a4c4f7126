# Reference fits for boundary (singular) linear mixed models, by R lme4.
#
# Run from the repository root:  Rscript tests/reference/impact_multilevel_singular.R [OUT_DIR]
# Writes tests/reference/impact_multilevel_singular_data.csv (the lme4 tests/boundary.R
# simulated data sets, regenerated with R's own generator) and
# tests/reference/impact_multilevel_singular.csv (one row per fit: theta, isSingular,
# variance components, fixed effects, REML criterion).
#
# Cases:
# - lme4 tests/boundary.R, tmpf(i): 60 rows, 6 groups, y ~ x + (1 | f), data simulated
#   with theta = 0.01, beta = (1, 1), sigma = 5 from set.seed(i), i = 1..30. The file
#   notes seeds 5, 7-13, 15, 21 as boundary fits and 16 as near-boundary.
# - Dyestuff2: lmer(Yield ~ 1 | Batch), lme4's standard boundary example.
# - impact_multilevel_slope_boundary.csv: a random slope that every group shares
#   (y ~ x + (x | g), 30 groups x 8), where lme4 puts the slope on the boundary.
# - sleepstudy, (Days | Subject): an interior fit, not singular.
suppressMessages(library(lme4))
dir <- "tests/reference"
args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args)) args[1] else dir
rows <- list()
add <- function(case, fit) {
  th <- getME(fit, "theta")
  vc <- as.data.frame(VarCorr(fit))
  fe <- fixef(fit)
  rows[[length(rows) + 1]] <<- data.frame(
    case = case,
    is_singular = isSingular(fit, tol = 1e-4),
    theta = paste(sprintf("%.10g", th), collapse = ";"),
    min_diag_theta = min(th[getME(fit, "lower") == 0]),
    vcov_re = paste(sprintf("%.10g", vc$vcov), collapse = ";"),
    fixef = paste(sprintf("%.10g", fe), collapse = ";"),
    reml_criterion = as.numeric(REMLcrit(fit)),
    stringsAsFactors = FALSE
  )
}
sim <- list()
for (i in 1:30) {
  set.seed(i)
  d <- data.frame(x = rnorm(60), f = factor(rep(1:6, each = 10)))
  d$y <- simulate(~ x + (1 | f), family = gaussian, newdata = d,
                  newparams = list(theta = 0.01, beta = c(1, 1), sigma = 5))[[1]]
  d$seed <- i
  sim[[i]] <- d
  add(sprintf("boundary_tmpf_%02d", i), lmer(y ~ x + (1 | f), data = d))
}
simd <- do.call(rbind, sim)
write.csv(simd[, c("seed", "f", "x", "y")], file.path(out_dir, "impact_multilevel_singular_data.csv"),
          row.names = FALSE)
add("dyestuff2", lmer(Yield ~ 1 + (1 | Batch), Dyestuff2))
sb <- read.csv(file.path(dir, "impact_multilevel_slope_boundary.csv"))
sb$g <- factor(sb$g)
add("slope_boundary", lmer(y ~ x + (x | g), data = sb))
add("sleepstudy", lmer(Reaction ~ Days + (Days | Subject), sleepstudy))
out <- do.call(rbind, rows)
out$lme4 <- as.character(packageVersion("lme4"))
write.csv(out, file.path(out_dir, "impact_multilevel_singular.csv"), row.names = FALSE)
print(out[, c("case", "is_singular", "min_diag_theta")])
