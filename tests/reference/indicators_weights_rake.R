# Reference values for cei_metrics.indicators.rake / trim_weights (tests/indicators/test_weights.py).
#
# Data: apiclus1 from R package survey (data(api)): one-stage cluster sample of 15 of
# 757 California school districts (dnum), 183 schools; California Department of
# Education Academic Performance Index 2000. Population margins as in survey's own
# example(rake) (pop.types, pop.schwide) plus comp.imp and the stype x sch.wide table
# of apipop.
#
# Run from the repository root:  Rscript tests/reference/indicators_weights_rake.R
# Writes (next to this script):
#   indicators_weights_apiclus1.csv        the sample (row, cds, dnum, pw, fpc, stype, sch.wide, comp.imp, api00, enroll)
#   indicators_weights_rake_apiclus1.csv   raked / trimmed weights per row, one column per scenario
#   indicators_weights_rake_estimates.csv  svymean(api00), svytotal(enroll), sum of weights per scenario
suppressMessages(library(survey))
here <- tryCatch(dirname(normalizePath(sys.frame(1)$ofile)), error = function(e) NULL)
if (is.null(here)) {
  args <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", args[grep("^--file=", args)])
  here <- dirname(normalizePath(f))
}
data(api)
options(digits = 15)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
ci <- table(apipop$comp.imp)
pop.compimp <- data.frame(comp.imp = names(ci), Freq = as.numeric(ci))
jt <- as.data.frame(xtabs(~ stype + sch.wide, apipop))
pop.joint <- data.frame(stype = as.character(jt$stype), sch.wide = as.character(jt$sch.wide), Freq = jt$Freq)
ctrl <- list(maxit = 1000, epsilon = 1e-13)  # epsilon < 1: relative to the total weight

rake2 <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = ctrl)
rake3 <- rake(dclus1, list(~stype, ~sch.wide, ~comp.imp), list(pop.types, pop.schwide, pop.compimp), control = ctrl)
joint <- rake(dclus1, list(~stype + sch.wide, ~comp.imp), list(pop.joint, pop.compimp), control = ctrl)
trim2 <- trimWeights(rake2, lower = 30, upper = 50, strict = TRUE)

designs <- list(rake2 = rake2, rake3 = rake3, joint = joint, trim2 = trim2)
sample <- data.frame(row = seq_len(nrow(apiclus1)), cds = apiclus1$cds, dnum = apiclus1$dnum,
                     pw = apiclus1$pw, fpc = apiclus1$fpc, stype = apiclus1$stype,
                     sch.wide = apiclus1$sch.wide, comp.imp = apiclus1$comp.imp,
                     api00 = apiclus1$api00, enroll = apiclus1$enroll)
header <- c(
  "# apiclus1 from R package survey (data(api)), written by tests/reference/indicators_weights_rake.R",
  paste0("# R ", R.version$major, ".", R.version$minor, ", survey ", packageVersion("survey"))
)
out <- file.path(here, "indicators_weights_apiclus1.csv")
writeLines(header, out)
suppressWarnings(write.table(sample, out, sep = ",", row.names = FALSE, append = TRUE, qmethod = "double"))

w <- data.frame(row = seq_len(nrow(apiclus1)))
for (nm in names(designs)) w[[nm]] <- weights(designs[[nm]])
out <- file.path(here, "indicators_weights_rake_apiclus1.csv")
writeLines(c(header[2], "# weights(rake(dclus1, ...)) per row: rake2 = ~stype, ~sch.wide; rake3 = + ~comp.imp; joint = ~stype+sch.wide, ~comp.imp; trim2 = trimWeights(rake2, lower = 30, upper = 50, strict = TRUE)"), out)
suppressWarnings(write.table(format(w, digits = 17), out, sep = ",", row.names = FALSE, append = TRUE, quote = FALSE))

est <- do.call(rbind, lapply(names(designs), function(nm) {
  d <- designs[[nm]]
  m <- svymean(~api00, d)
  t <- svytotal(~enroll, d)
  data.frame(scenario = nm, mean_api00 = coef(m)[[1]], se_api00 = SE(m)[[1]],
             total_enroll = coef(t)[[1]], se_enroll = SE(t)[[1]], sum_weights = sum(weights(d)))
}))
out <- file.path(here, "indicators_weights_rake_estimates.csv")
writeLines(c(header[2], "# svymean(~api00, d), svytotal(~enroll, d) and sum(weights(d)) per design (SEs reflect raking; cei_metrics compares the point estimates)"), out)
suppressWarnings(write.table(format(est, digits = 17), out, sep = ",", row.names = FALSE, append = TRUE, quote = FALSE))
print(est)
