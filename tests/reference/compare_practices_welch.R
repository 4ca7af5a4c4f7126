# Reference values for cei_metrics.compare.practice_association (method = "welch"),
# tests/compare/test_practices.py.
#
# Data: compare_practices_welch_data.csv (public Priority 3 files of CDE, every LEA with
# narratives in 2022-23: its mean self-rating that year, the change of the mean to
# 2023-24, and whether its narratives name home visits, surveys, family liaisons).
# For each practice and outcome: t.test(y[named], y[!named], var.equal = FALSE).
#
# Run from the repository root:  Rscript tests/reference/compare_practices_welch.R
# Writes compare_practices_welch.csv next to this script.
here <- tryCatch(dirname(normalizePath(sys.frame(1)$ofile)), error = function(e) NULL)
if (is.null(here)) {
  args <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", args[grep("^--file=", args)])
  here <- dirname(normalizePath(f))
}
options(digits = 15)
d <- read.csv(file.path(here, "compare_practices_welch_data.csv"), comment.char = "#",
              colClasses = c(cds = "character"))
rows <- list()
for (practice in c("home_visits", "surveys", "family_liaisons")) {
  named <- d[[practice]] == "True"
  for (outcome in c("rating", "change")) {
    y <- d[[outcome]]
    a <- y[named & !is.na(y)]
    b <- y[!named & !is.na(y)]
    tt <- t.test(a, b, var.equal = FALSE, conf.level = 0.95)
    rows[[length(rows) + 1]] <- data.frame(
      practice = practice, outcome = outcome, estimate = mean(a) - mean(b),
      std_error = tt$stderr, ci_low = tt$conf.int[1], ci_high = tt$conf.int[2],
      p_val = tt$p.value, df = unname(tt$parameter), n_named = length(a), n_not = length(b))
  }
}
out <- do.call(rbind, rows)
f <- file.path(here, "compare_practices_welch.csv")
writeLines(paste0("# written by tests/reference/compare_practices_welch.R; R ", R.version$major,
                  ".", R.version$minor, "; stats::t.test(var.equal = FALSE)"), f)
suppressWarnings(write.table(format(out, digits = 17), f, sep = ",", row.names = FALSE,
                             append = TRUE, quote = FALSE))
