"""Published interrupted-time-series results on California's Proposition 99.

Data: ``prop99_california.csv`` (39 states x 1970-2000, cigarette packs per capita; see
``prop99_reference.py``). It is the Abadie, Diamond & Hainmueller (2010) series that
Linden ships with Stata ``itsa`` as ``cigsales.dta`` (California is state 3 there): the
point estimates below are reproduced to every printed digit from this file.

Linden, A. (2015) "Conducting interrupted time-series analysis for single- and
multiple-group comparisons", Stata Journal 15(2):480-500 (command ``itsa``).

Source of the numbers: Linden's help file for ``power itsa`` (SSC package s459461,
version 3.1.0 of 12 Feb 2026, section "Multiple-group ITSA", examples 1 and 2), which
re-estimates the first multiple-group example of the ``itsa`` help file

    use cigsales, clear
    tsset state year
    itsa cigsale, treatid(3) trperiod(1989) lag(1) fig posttrend replace

and copies its coefficients into ``power multi_itsa`` (printed with ``%9.7g``):

    tint(132.2258) tpre(-1.779474) tpost(-3.274126) tstep(-20.0581)
    cint(135.4995) cpre(-.5477701) cpost(-1.051279) cstep(-17.25168)

with the text "The treatment group's step change in 1989 is -20.0581 (which is the
difference between the counterfactual [i.e. no intervention] of 98.416 and the
predicted value with the intervention of 78.842 ...)", "the difference in the change in level/step (the coefficient for
_z_x1989) is not statistically significant (P = 0.631) ... (therefore _z_x =
-2.806417)" and "the difference-in-differences in trends (the coefficient for
_z_x_t1989) is not statistically significant (P = 0.136)".

In the notation of the module (Linden's equation 2): treated intercept b0+b4, treated
pre-trend b1+b5, treated post-trend b1+b3+b5+b7, treated step b2+b6; control
intercept b0, pre-trend b1, post-trend b1+b3, step b2.

Which standard errors produced the two p-values: ``itsa`` 3.x (April 2024 on; source
read in ``itsa.ado`` 3.7.0) runs ``glm2 ..., vce(hac nwest 1) vfactor(N/df)`` and prints
z statistics: a Bartlett-kernel Newey-West covariance times n/(n-k), normal reference.
Computed over the 39 stacked state series in ``itsa``'s sort order (state, year) as one
sequence, this gives p = 0.6311 and 0.1359 (the published 0.631 and 0.136); computed
within each state (no lag products across states, Stata ``newey``'s panel rule and this
package's ``comparison="pooled"``) it gives 0.6309 and 0.1366. Both agree with the
published three decimals to within 7e-4.

A second, independent anchor for the point estimates and the classical (OLS) standard
errors: an R ``lm()`` replication of Linden's models on the same data (script
"interrupted time series analysis", ``cigsales_2.csv``, in a public repository, output
pasted as comments). R 4.x ``lm``; standard errors rounded to 4 decimals.
"""

#: Linden (2015) itsa multiple-group model, coefficients as printed (%9.7g).
ITSA_MULTI = {
    "treated_intercept": 132.2258,  # b0 + b4
    "treated_pre_trend": -1.779474,  # b1 + b5
    "treated_post_trend": -3.274126,  # b1 + b3 + b5 + b7
    "treated_step": -20.0581,  # b2 + b6
    "control_intercept": 135.4995,  # b0
    "control_pre_trend": -0.5477701,  # b1
    "control_post_trend": -1.051279,  # b1 + b3
    "control_step": -17.25168,  # b2
    "z_x": -2.806417,  # b6, difference in level change
}
#: California in 1989: counterfactual (pre-period line extended). The "predicted value
#: with the intervention of 78.842" quoted with it is not used: it disagrees with the
#: same text's step (98.416 - 20.0581 = 78.358, which is what the fit gives).
ITSA_1989 = {"counterfactual": 98.416}
#: Published p-values (3 decimals): _z_x1989 and _z_x_t1989.
ITSA_MULTI_P = {"level_change": 0.631, "slope_change": 0.136}

#: R lm(cigsale ~ time + tax_dummy + tax_trend, subset = California): (estimate, SE).
R_LM_SINGLE = {
    "const": (132.2258, 2.2866),
    "time": (-1.7795, 0.2170),
    "post": (-20.0581, 3.7471),
    "time_post": (-1.4947, 0.4846),
}
#: R lm(cigsale ~ time + california + cal_trend + tax_dummy + tax_trend + cal_tax_dummy
#: + cal_tax_trend), all 39 states pooled: (estimate, SE).
R_LM_MULTI = {
    "const": (135.4995, 2.0783),
    "time": (-0.5478, 0.1973),
    "treated": (-3.2737, 12.9789),
    "treated_time": (-1.2317, 1.2319),
    "post": (-17.2517, 3.4057),
    "time_post": (-0.5035, 0.4405),
    "treated_post": (-2.8064, 21.2686),
    "treated_time_post": (-0.9911, 2.7508),
}
