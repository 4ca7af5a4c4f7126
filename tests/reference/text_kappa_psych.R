# Reference values for cei_metrics.text.cohens_kappa (tests/text/test_agreement.py).
#
# R psych::cohen.kappa: kappa, weighted kappa, their Fleiss-Cohen-Everitt (1969)
# variances (var.kappa, var.weighted) and 95% confidence boundaries. psych weights are
# agreement weights: quadratic (its default) w = 1 - (i-j)^2/(k-1)^2, linear
# w = 1 - |i-j|/(k-1).
#
# R psych's weighted-kappa variance does not follow FCE (1969) (its row/column weight
# averages use the other coder's marginals, and it returns 0 when its expression goes
# negative, as for ordinal5 quadratic below); the weighted standard errors are therefore
# also taken from R vcd::Kappa, whose ASE is the FCE (1969) formula of SAS PROC FREQ.
#
# Run from the repository root:  Rscript tests/reference/text_kappa_psych.R
# Writes text_kappa_psych.csv next to this script, and the tables as text_kappa_tables.csv.
suppressMessages({library(psych); library(vcd)})
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
tables <- list(
  # Fleiss, Cohen & Everitt (1969) Psychol Bull 72:323, the example in psych's documentation
  # (FCE report var(kappa) = .00287 for it); 200 subjects, 3 categories
  fce1969 = matrix(c(106, 10, 4, 22, 28, 10, 2, 12, 6), ncol = 3, byrow = TRUE),
  # the SAS PROC FREQ example that statsmodels tests against (kappa .4842, ASE .1380)
  sas = matrix(c(0, 4, 1, 0, 8, 0, 0, 1, 5), ncol = 3, byrow = TRUE),
  # a 5-point ordinal rating by two coders (constructed), 100 units
  ordinal5 = matrix(c(10, 4, 1, 0, 0,
                      3, 12, 5, 1, 0,
                      1, 4, 15, 4, 1,
                      0, 1, 5, 14, 3,
                      0, 0, 1, 4, 6), ncol = 5, byrow = TRUE)
)
wmat <- function(k, exp) { w <- matrix(0, k, k); 1 - abs(col(w) - row(w))^exp / (k - 1)^exp }
rows <- list()
for (nm in names(tables)) {
  x <- tables[[nm]]
  k <- nrow(x)
  for (wt in c("quadratic", "linear")) {
    r <- cohen.kappa(x, w = wmat(k, if (wt == "quadratic") 2 else 1))
    v <- vcd::Kappa(x, weights = if (wt == "quadratic") "Fleiss-Cohen" else "Equal-Spacing")
    rows[[length(rows) + 1]] <- data.frame(
      table = nm, weights = wt, n = sum(x),
      kappa = r$kappa, var_kappa = r$var.kappa, kappa_lower = r$confid[1, 1], kappa_upper = r$confid[1, 3],
      weighted_kappa = r$weighted.kappa, var_weighted = r$var.weighted,
      weighted_lower = r$confid[2, 1], weighted_upper = r$confid[2, 3],
      vcd_kappa = v$Unweighted[["value"]], vcd_ase = v$Unweighted[["ASE"]],
      vcd_weighted_kappa = v$Weighted[["value"]], vcd_weighted_ase = v$Weighted[["ASE"]])
  }
}
out <- do.call(rbind, rows)
f <- file.path(here, "text_kappa_psych.csv")
writeLines(paste0("# R ", R.version$major, ".", R.version$minor, ", psych ", packageVersion("psych"),
                  ", vcd ", packageVersion("vcd"),
                  "; psych::cohen.kappa(table, w = agreement weights) and vcd::Kappa(table); written by text_kappa_psych.R"), f)
suppressWarnings(write.table(format(out, digits = 17), f, sep = ",", row.names = FALSE, append = TRUE, quote = FALSE))
tab <- do.call(rbind, lapply(names(tables), function(nm) {
  x <- tables[[nm]]
  data.frame(table = nm, row = as.vector(row(x)), col = as.vector(col(x)), count = as.vector(x))
}))
f <- file.path(here, "text_kappa_tables.csv")
writeLines("# the contingency tables of text_kappa_psych.R (row = coder A's category, col = coder B's)", f)
suppressWarnings(write.table(tab, f, sep = ",", row.names = FALSE, append = TRUE, quote = FALSE))
print(out)
