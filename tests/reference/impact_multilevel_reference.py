"""Published R ``lme4`` fits for the multilevel-model tests, with their data.

Data (all three CSVs are the Rdatasets exports of the ``lme4`` package data, copied
byte for byte from github.com/vincentarelbundock/Rdatasets at commit
cc03c29690889dbe83089f5206e2422db8c3f71f, ``csv/lme4/<name>.csv``; the first column
``rownames`` is R's row name):

- ``impact_multilevel_sleepstudy.csv``: ``lme4::sleepstudy``, average reaction time (ms)
  by day of sleep deprivation, 18 subjects x 10 days = 180 rows (Belenky et al. 2003,
  J. Sleep Research 12:1-12). Known values: subject 308, day 0: 249.5600 (the first row
  of ``head(sleepstudy)`` in every lme4 tutorial).
- ``impact_multilevel_pastes.csv``: ``lme4::Pastes``, paste strength, 10 delivery
  batches x 3 casks x 2 assays = 60 rows (Davies & Goldsmith 1972, *Statistical
  Methods in Research and Production*, 4th ed., section 6.5). Cask labels a-c repeat
  across batches: casks are nested in batches.
- ``impact_multilevel_dyestuff2.csv``: ``lme4::Dyestuff2``, constructed yields, 6
  batches x 5 = 30 rows, whose between-batch mean square is below the within-batch one
  (Box & Tiao 1973, *Bayesian Inference in Statistical Analysis*, section 5.1.2, as
  cited by lme4 ``man/Dyestuff.Rd``): the standard example of a boundary fit.

Reference values and where they were read:

SLEEPSTUDY (REML): ``summary(lmer(Reaction ~ Days + (Days | Subject), sleepstudy))``,
lme4 1.1-x, as printed in lme4 summaries reproduced in course material (e.g. D. Barr,
University of Glasgow, https://dalejbarr.github.io/stat-models-2023/slides/05_lmms_1/)
and in the README of github.com/yjunechoe/jlme (``print(fit)`` there shows the REML
criterion to three decimals, 1743.628). lme4's own regression tests
(github.com/lme4/lme4, ``tests/lmer-1.R`` and ``tests/lmer-1.Rout.save``) assert the fixed
effects 251.405104848485 and 10.467285959595 (tolerance 1e-13) and the correlation of the
two fixed-effect estimates -0.13755 (tolerance 1e-4). Older lme4 releases print the
intercept SD as 24.740 and variance 612.09 for the same fit: the REML surface is flat
in the 4th digit of that SD.

SLEEPSTUDY_ML: the same model with ``REML = FALSE`` (lme4 ``tests/lmer-1.Rout.save``,
``fm1a``, printed with ``options(digits = 2)``): AIC 1764, BIC 1783, logLik -876, SDs
23.78 and 5.72, correlation 0.08, residual SD 25.59. The same ML fit by Julia
MixedModels.jl (README of yjunechoe/jlme): SDs 23.78047, 5.71683, residual 25.59182,
standard errors 6.63226 and 1.50224.

PASTES (REML): ``lmer(strength ~ (1 | batch/cask), Pastes)``, the call of the
``?Pastes`` help page example (lme4 ``man/Pastes.Rd``, ``fm2``). Printed summary (lme4
1.1-x and 2.0, as reproduced in public write-ups of that example): REML criterion 247;
``cask:batch`` variance 8.434, SD 2.9041; ``batch`` variance 1.657, SD 1.2874; residual
variance 0.678, SD 0.8234; intercept 60.0533, SE 0.6769. Because the design is balanced
and all estimates are interior, REML equals the nested analysis of variance of Davies &
Goldsmith; the tests recompute those closed-form estimates from the data and find the
printed digits.

DYESTUFF2 (REML, boundary): ``lmer(Yield ~ 1 | Batch, Dyestuff2)``, lme4
``tests/lmer-1.R`` / ``.Rout.save`` (``fm3``): batch SD 0.00, residual SD 3.72 (printed
with ``digits = 2``), and ``coef(summary(fm3))`` asserted equal to estimate 5.6656,
SE 0.67838803150, t 8.3515624346.
"""

LME4_SOURCE = "R lme4 1.1-x (summary.merMod output and lme4 tests/lmer-1.Rout.save)"

SLEEPSTUDY_N = 180
SLEEPSTUDY_SUBJECT308_DAY0 = 249.5600
SLEEPSTUDY = {
    "fixef": (251.405, 10.467),
    "se": (6.825, 1.546),
    "sd": (24.741, 5.922),
    "variance": (612.10, 35.07),
    "corr": 0.07,
    "residual_sd": 25.592,
    "residual_variance": 654.94,
    "reml_criterion": 1743.628,
    "fixef_corr": -0.138,
}
SLEEPSTUDY_FIXEF_EXACT = (251.405104848485, 10.467285959595)
SLEEPSTUDY_FIXEF_CORR_EXACT = -0.13755

SLEEPSTUDY_ML = {
    "aic": 1764.0,
    "bic": 1783.0,
    "loglik": -876.0,
    "sd": (23.78, 5.72),
    "corr": 0.08,
    "residual_sd": 25.59,
}
SLEEPSTUDY_ML_JULIA = {
    "sd": (23.78047, 5.71683),
    "residual_sd": 25.59182,
    "se": (6.63226, 1.50224),
}

PASTES_N = 60
PASTES = {
    "intercept": 60.0533,
    "se": 0.6769,
    "sd_cask": 2.9041,
    "sd_batch": 1.2874,
    "residual_sd": 0.8234,
    "var_cask": 8.434,
    "var_batch": 1.657,
    "residual_variance": 0.678,
    "reml_criterion": 247.0,
}

DYESTUFF2_N = 30
DYESTUFF2 = {"intercept": 5.6656, "se": 0.67838803150, "t": 8.3515624346, "residual_sd": 3.72}
