"""Wild cluster restricted bootstrap reference from the ``wildboottest`` package.

Package: wildboottest 0.3.2 (PyPI; Python port of Stata ``boottest`` / R
``fwildclusterboot``), run once on the data below. Data recipe (numpy 2.x)::

    rng = np.random.default_rng(1); G = 20; n = 30
    cl = np.repeat(np.arange(G), n)
    x = rng.normal(size=G * n) + rng.normal(size=G)[cl]
    y = 0.05 * x + rng.normal(size=G * n) + rng.normal(size=G)[cl]

Call::

    m = statsmodels.formula.api.ols("y ~ x", data=df)
    wildboottest(m, param="x", cluster=df.cl, B=9999, seed=3)   # Rademacher, WCR, H0: b=0
"""

WILDBOOTTEST_VERSION = "0.3.2"
T_STAT = 1.38922
P_VALUE = 0.216022
N_BOOT = 9999
