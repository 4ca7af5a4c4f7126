"""Reference values for multiple-comparison adjustment and power.

Benjamini & Hochberg (1995), JRSS-B 57:289-300, section 4.1 example: 15 p-values from a
study of myocardial infarction treatment. At q = 0.05 the BH step-up procedure rejects
the four smallest; Bonferroni (0.05/15) and Holm reject the three smallest.

R ``p.adjust`` (stats, R 4.x), documented behaviour on c(0.01, 0.02, 0.03, 0.04, 0.05):
  p.adjust(p, "holm")        -> 0.05 0.08 0.09 0.09 0.09
  p.adjust(p, "bonferroni")  -> 0.05 0.10 0.15 0.20 0.25
  p.adjust(p, "BH")          -> 0.05 0.05 0.05 0.05 0.05
  p.adjust(p, "BY")          -> 0.1141667 (all five; 0.05 * (1 + 1/2 + 1/3 + 1/4 + 1/5))

Bloom (1995), Evaluation Review 19:547-556, Table 1: with a two-sided test at 0.05 and
power 0.80 the minimum detectable effect is 2.80 standard errors for large df (1.96 + 0.84).
"""

BH1995_P = [
    0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
    0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000,
]  # fmt: skip
BH1995_REJECT_BH = 4
BH1995_REJECT_BONFERRONI = 3
BH1995_REJECT_HOLM = 3

PADJUST_P = [0.01, 0.02, 0.03, 0.04, 0.05]
PADJUST = {
    "holm": [0.05, 0.08, 0.09, 0.09, 0.09],
    "bonferroni": [0.05, 0.10, 0.15, 0.20, 0.25],
    "bh": [0.05, 0.05, 0.05, 0.05, 0.05],
    "by": [0.1141667] * 5,
}
BLOOM1995_MULTIPLIER_LARGE_DF = 2.80
