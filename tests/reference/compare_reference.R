# Reference values for cei_metrics.compare (peers, benchmark, rank stability).
# Run from the repository root:  Rscript tests/reference/compare_reference.R
# Writes tests/reference/compare_reference.json (read by tests/compare/test_reference.py).
#
# Data: tests/reference/compare_features.csv, 30 real California school districts (Los
# Angeles, Orange and San Diego counties) with log graduation-cohort size, EL and SED
# shares of the 2018-19 cohort and the 2016-17 graduation rate (California School
# Dashboard, via cei_metrics.compare.group_shares on the shipped extract).
x <- read.csv("tests/reference/compare_features.csv", colClasses = c(cds = "character"))
X <- as.matrix(x[, c("log_enrollment", "pct_el", "pct_sed", "baseline")])
p <- ncol(X)

# 1. peer distance with equal weights: standardised Euclidean / sqrt(p)
D <- as.matrix(dist(scale(X))) / sqrt(p)
# 2. weighted: sqrt(sum w_f ((x_if - x_jf) / s_f)^2 / sum w_f), weights 2, 1, 1, 0.5
w <- c(2, 1, 1, 0.5)
S <- sweep(X, 2, apply(X, 2, sd), "/")
Dw <- matrix(0, nrow(X), nrow(X))
for (f in seq_len(p)) Dw <- Dw + w[f] * outer(S[, f], S[, f], "-")^2
Dw <- sqrt(Dw / sum(w))
target <- 4  # Azusa Unified, 19642790000000
nearest <- function(d) { o <- order(d[target, ], x$cds); o <- o[o != target]; x$cds[o[1:5]] }

# 3. quartiles (type 7) and percentile rank (ties half) of the baseline
peers <- match(nearest(D), x$cds)
q <- quantile(x$baseline[peers], c(0.25, 0.5, 0.75), type = 7)
v <- x$baseline; xv <- v[target]
pct <- 100 * (sum(v < xv) + 0.5 * sum(v == xv)) / length(v)

# 4. Kendall's tau-b between two rankings with ties
r1 <- rank(-x$pct_sed, ties.method = "min")
r2 <- rank(-(x$pct_sed + 5 * x$pct_el), ties.method = "min")
tau <- cor(r1, r2, method = "kendall")

out <- list(
  target = x$cds[target],
  distance_equal = unname(D[target, ]),
  distance_weighted = unname(Dw[target, ]),
  weights = w,
  peers_equal = nearest(D),
  peers_weighted = nearest(Dw),
  peer_quartiles = unname(q),
  percentile = pct,
  kendall_tau_b = tau,
  r_version = R.version.string
)
json <- paste0("{\n", paste(sprintf('  "%s": %s', names(out), sapply(out, function(v) {
  if (is.character(v) && length(v) == 1) sprintf('"%s"', v)
  else if (is.character(v)) paste0("[", paste(sprintf('"%s"', v), collapse = ", "), "]")
  else if (length(v) == 1) sprintf("%.15g", v)
  else paste0("[", paste(sprintf("%.15g", v), collapse = ", "), "]")
})), collapse = ",\n"), "\n}\n")
writeLines(json, "tests/reference/compare_reference.json", sep = "")
cat(json)
