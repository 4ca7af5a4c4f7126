"""Published reference values for omega hierarchical (Schmid-Leiman) of R ``psych::omega``.

Two documented examples, each with its source, the call and the package that printed it.

1. Thurstone's nine ability tests (correlation matrix in
   ``psychometrics_omega_thurstone.csv``; psych's ``Thurstone`` data set, n = 213;
   Bechtoldt 1961 via McDonald 1999, Test Theory, and the SAS PROC CALIS manual).

   Matrix: R ``psych`` data ``Thurstone``, as exported by the Rdatasets project
   (github.com/vincentarelbundock/Rdatasets, file csv/psych/Thurstone.csv, commit
   aa1ee3f77778e95ac0d8909f2f1cf129f5b49bde). Checked cell by cell against two other
   transcriptions of the same data set (a C# port of the psych data sets and a Python
   project quoting psych's ``Thurstone``) and against rows 3-11 of psych's
   ``Bechtoldt.2``; all agree.

   Printed output: W. Revelle, "Using R and the psych package to find omega", the
   vignette ``omega.Rnw`` of the CRAN package psychTools (github.com/cran/psychTools,
   vignettes/omega.Rnw, commits af2917388275e2637d6d88ebfc0456fbdc5159bc and
   7dc591f8ac11c0ef1764cf853f3065aa60653d09, section "Using the omega function"), which
   keeps the transcript of

       omega(Thurstone)        # nfactors = 3, fm = "minres", rotate = "oblimin"

   as a commented Routput block. Its row label ``4.Letter.Words`` (``Four.Letter.Words``
   in current psych) dates the transcript to an older psych release; the version is not
   printed. Values are as printed, to two decimals.

2. Jensen & Weng (1994), Intelligence 18:231-258: the hierarchical population model that
   ``psych::sim.hierarchical()`` builds by default (general loadings .9, .8, .7 of three
   group factors; group loadings .8 .7 .6 / .7 .6 .5 / .6 .5 .4; psych R/sim.hierarchical.R,
   github.com/cran/psych commit 0443714ae316553443f078104a915e1830c2b07a). psych's own
   test (tests/testthat/test_omega.r, commit 364998fd9f1849adc6dd13299346fca320d51fc7)
   checks ``omega(sim.hierarchical())$schmid$sl`` against Jensen & Weng's Schmid-Leiman
   loadings with tolerance .001 on the summed absolute difference; the same psychTools
   vignette prints ``omega(jen)``: Alpha 0.76, Omega Hierarchical 0.69, Omega Total 0.8.
"""

from pathlib import Path

THURSTONE_CSV = Path(__file__).with_name("psychometrics_omega_thurstone.csv")
THURSTONE_N = 213

# omega(Thurstone), psychTools vignette transcript (see above)
THURSTONE_OMEGA = {
    "alpha": 0.89,
    "G6": 0.91,
    "omega_h": 0.74,
    "omega_h_asymptotic": 0.79,
    "omega_total": 0.93,
}
# Schmid Leiman factor loadings greater than 0.2: item: (g, F1*, F2*, F3*, h2, u2);
# None = below .2, not printed
THURSTONE_SL = {
    "Sentences": (0.71, 0.57, None, None, 0.82, 0.18),
    "Vocabulary": (0.73, 0.55, None, None, 0.84, 0.16),
    "Sent.Completion": (0.68, 0.52, None, None, 0.73, 0.27),
    "First.Letters": (0.65, None, 0.56, None, 0.73, 0.27),
    "Four.Letter.Words": (0.62, None, 0.49, None, 0.63, 0.37),
    "Suffixes": (0.56, None, 0.41, None, 0.50, 0.50),
    "Letter.Series": (0.59, None, None, 0.61, 0.72, 0.28),
    "Pedigrees": (0.58, 0.23, None, 0.34, 0.50, 0.50),
    "Letter.Group": (0.54, None, None, 0.46, 0.53, 0.47),
}
# "With eigenvalues of": sums of squared loadings of g, F1*, F2*, F3*
THURSTONE_SS = (3.58, 0.96, 0.74, 0.71)

# Entries of the transcript that differ from the exact minres (unweighted least squares)
# solution by more than the rounding. Our extraction reaches the least-squares optimum:
# an independent minimisation over the loadings, from 40 random starts, finds the same
# unique minimum (communalities .8175 .8350 .7382 .7289 .6318 .4953 .7255 .5052 .5236).
# The transcript's communalities are not a rounding of it: .73 (Sent.Completion, .008
# away), .53 (Letter.Group, .006), .72 (Letter.Series, .0055) and .50 (Pedigrees,
# .0052); their residual sum of squares (1.2518e-3) is above that of every point within
# rounding distance of the optimum (at most 1.2466e-3 in 2,000 draws; the optimum is
# 1.2284e-3). The older psych release that printed the transcript most likely stopped
# its minres iterations short of the optimum; the loadings inherit the difference, by
# at most .0101 (Sentences on F1*). Everything else agrees to the printed digits.
THURSTONE_OFF_OPTIMUM = {
    ("Sentences", "F1*"),
    ("Pedigrees", "F1*"),
    ("Letter.Series", "F3*"),
    ("Sent.Completion", "h2"),
    ("Sent.Completion", "u2"),
    ("Letter.Series", "h2"),
    ("Letter.Series", "u2"),
    ("Pedigrees", "h2"),
    ("Pedigrees", "u2"),
    ("Letter.Group", "h2"),
    ("Letter.Group", "u2"),
    ("SS", "F3*"),
}

# Jensen & Weng (1994) population model, psych::sim.hierarchical() defaults
JENSEN_WENG_GLOAD = (0.9, 0.8, 0.7)
JENSEN_WENG_FLOAD = ((0.8, 0.7, 0.6), (0.7, 0.6, 0.5), (0.6, 0.5, 0.4))
# psych tests/testthat/test_omega.r: Jensen & Weng's Schmid-Leiman solution
JENSEN_WENG_SL = {
    "g": (0.72, 0.63, 0.54, 0.56, 0.48, 0.40, 0.42, 0.35, 0.28),
    "F1": (0.3487, 0.3051, 0.2615),
    "F2": (0.42, 0.36, 0.30),
    "F3": (0.428, 0.3570, 0.2856),
    "h2": (0.64, 0.49, 0.36, 0.49, 0.36, 0.25, 0.36, 0.25, 0.16),
}
JENSEN_WENG_TOLERANCE = 0.001  # psych's test: summed absolute difference
# psychTools vignette transcript of omega(sim.hierarchical())
JENSEN_WENG_OMEGA = {"alpha": 0.76, "omega_h": 0.69, "omega_total": 0.80}
