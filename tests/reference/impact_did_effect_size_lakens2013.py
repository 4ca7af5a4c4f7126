"""Lakens (2013), "Calculating and reporting effect sizes to facilitate cumulative
science", Frontiers in Psychology 4:863, worked example (Table 1): ratings of two
movies by ten people.

Independent-groups reading: t(18) = 2.52, Cohen's d_s = 1.13, Hedges' g_s = 1.08,
95% CI of d_s [0.16, 2.06] (noncentral t). Paired reading: t(9) = 4.74, d_z = 1.50.
"""

MOVIE_1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
MOVIE_2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]
T_INDEPENDENT = 2.52
D_S = 1.13
G_S = 1.08
D_S_CI = (0.16, 2.06)
T_PAIRED = 4.74
D_Z = 1.50
