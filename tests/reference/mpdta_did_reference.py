"""Published R ``did`` results on its ``mpdta`` example (county teen employment and
state minimum-wage increases, 2003-2007; Callaway & Sant'Anna 2021, J. Econometrics
225:200-230).

Data: ``tests/reference/mpdta.csv`` is R ``did``'s ``mpdta`` (500 counties x 5 years:
year, countyreal, lpop, lemp, first.treat, treat), copied from the ``mpdta_long.pkl.gz``
that the Python package ``moderndid`` 0.2.0 ships (identical to ``data(mpdta)`` in R).

Source of the numbers: the README of R package ``did`` (devel 2.5.0; github.com/bcallaway11/
did, README.md generated from README.Rmd), section "A short example":

    out <- att_gt(yname = "lemp", gname = "first.treat", idname = "countyreal",
                  tname = "year", xformla = ~1, data = mpdta, est_method = "reg")
    summary(out); summary(aggte(out, type = "dynamic")); summary(aggte(out, type = "group"))

Standard errors are multiplier-bootstrap (1000 draws, unseeded), so they carry
Monte-Carlo error (about 3.7% relative for an IQR-based SE with 1000 draws); point
estimates and the pre-test p-value (influence-function Wald test) are deterministic.
With ``xformla = ~1`` the "reg", "dr" and "ipw" estimators give the same ATT(g,t).
"""

# (group, time, ATT(g,t), bootstrap SE)
ATT_GT = [
    (2004, 2004, -0.0105, 0.0241),
    (2004, 2005, -0.0704, 0.0313),
    (2004, 2006, -0.1373, 0.0380),
    (2004, 2007, -0.1008, 0.0337),
    (2006, 2004, 0.0065, 0.0223),
    (2006, 2005, -0.0028, 0.0196),
    (2006, 2006, -0.0046, 0.0188),
    (2006, 2007, -0.0412, 0.0202),
    (2007, 2004, 0.0305, 0.0154),
    (2007, 2005, -0.0027, 0.0168),
    (2007, 2006, -0.0311, 0.0190),
    (2007, 2007, -0.0261, 0.0182),
]
PRETEST_P = 0.16812

# aggte(out, type = "dynamic"): (event time, estimate, SE); overall (mean of e >= 0)
DYNAMIC = [
    (-3, 0.0305, 0.0153),
    (-2, -0.0006, 0.0136),
    (-1, -0.0245, 0.0138),
    (0, -0.0199, 0.0115),
    (1, -0.0510, 0.0174),
    (2, -0.1373, 0.0356),
    (3, -0.1008, 0.0354),
]
DYNAMIC_OVERALL = (-0.0772, 0.0196)

# aggte(out, type = "group"): (group, estimate, SE); overall
GROUP = [
    (2004, -0.0797, 0.0277),
    (2006, -0.0229, 0.0172),
    (2007, -0.0261, 0.0177),
]
GROUP_OVERALL = (-0.031, 0.0123)

#: relative Monte-Carlo tolerance when comparing bootstrap SEs with these published ones:
#: R's own SE has ~3.7% relative MC error (B = 1000), ours is computed with many draws;
#: 15% is four of R's MC standard deviations.
SE_RTOL = 0.15
