r"""The demo world: a synthetic PLLN with planted, documented truth.

:func:`load_demo` builds five canonical tables (``survey``, ``participation``,
``outcomes``, ``ratings``, ``roster``) for 80 synthetic school districts, 28 of which join
the network in three staggered cohorts (2019-20, 2021-22, 2023-24), and a
:class:`DemoTruth` that records every effect planted in them, so that each estimator in
the package can be checked against a known answer.

What is planted (all numbers are in :class:`DemoTruth`):

- **Selection on levels, not trends.** Network districts have more English learners and
  low-income families, and higher chronic absenteeism, than never-treated districts; in
  the absence of treatment every district follows the same year effects (unit fixed
  effects + year fixed effects + AR(1) noise), so parallel trends hold in expectation.
- **Chronic absenteeism impact**, district and school level, every student group:
  :math:`\tau(g, e) = -\delta_g \min(e + 1, 4)` percentage points at event time
  :math:`e = t - g \ge 0`, zero before joining, with :math:`\delta_g` = 2.5, 1.5, 1.0
  for the 2019, 2021 and 2023 cohorts. The effect grows and differs by cohort, so a
  two-way fixed effects regression is biased while Callaway and Sant'Anna's ATT(g,t)
  is not. Suspension, graduation and assessment results carry no effect (placebos).
- **Real disruptions**: no assessment results and no chronic absenteeism for 2019-20,
  a statewide chronic absenteeism spike in 2021-22 (about +16 points) and slow recovery.
- **Survey**: a graded-response model with three correlated factors (trust,
  communication, voice), known loadings and thresholds, a latent mean that grows by a
  known amount per year in the network, and uniform DIF on one item for Spanish-language
  respondents.
- **Participation**: English-learner families under-represented at general district
  events (representation index 0.6) improving by a known amount per year in the network.
- **Priority 3 self-ratings** growing by a known amount per year in the network.
- **Convening feedback** on the eight 2019-20 convenings, its usefulness growing by a
  known amount per convening, and **each district's own goal** (problem of practice) for
  the first cohort at planted shares of the gap closed
  (:mod:`cei_metrics.datasets.voices`); the open answers to the feedback form are the
  demo's ``text`` table.

The world is rebuilt from ``seed`` bit for bit and cached per seed. Treat the returned
frames as read-only: copy a frame before changing it.

References
----------
Callaway & Sant'Anna (2021), J. Econometrics 225:200-230; Goodman-Bacon (2021),
J. Econometrics 225:254-277 (why TWFE is biased here); Samejima (1969) graded response
model; Zumbo (1999) and Jodoin & Gierl (2001) ordinal-logistic DIF effect sizes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from ..schemas import C, school_year

__all__ = ["DemoData", "DemoTruth", "load_demo"]

# ---------------------------------------------------------------------------------------
# Design constants (documented in DemoTruth)

YEARS: tuple[int, ...] = tuple(range(2015, 2025))  # school years 2015-16 .. 2024-25
N_DISTRICTS = 80
COHORT_SIZES: dict[int, int] = {2019: 6, 2021: 10, 2023: 12}
N_SURVEY_COMPARISON = 16
CA_DELTA: dict[int, float] = {2019: 2.5, 2021: 1.5, 2023: 1.0}
# chronic absenteeism: SDs of the district and school random intercepts (pp)
CA_INTERCEPT_SD: dict[str, float] = {"district": 1.8, "school": 1.0}
CA_RAMP = 4  # the effect reaches its plateau after this many years
WAVE_YEARS: dict[int, int] = {1: 2018, 2: 2020, 3: 2022, 4: 2024}
MIN_CELL = 11
STATE_CDS = "00000000000000"
SCHOOL_ZERO = "0000000"
REAL_PLLN = frozenset({"3066431", "1964279", "3767991", "4369427", "3667819", "5672538"})

#: Missing years: no CDE chronic absenteeism and no state assessment in 2019-20.
UNPUBLISHED: dict[str, tuple[int, ...]] = {
    "chronic_absenteeism": (2019,),
    "ela_dfs": (2019,),
    "math_dfs": (2019,),
}

# readable name, DataQuest ReportingCategory, Dashboard studentgroup
GROUPS: tuple[tuple[str, str, str], ...] = (
    ("All students", "TA", "ALL"),
    ("English learners", "SE", "EL"),
    ("Socioeconomically disadvantaged", "SS", "SED"),
    ("Students with disabilities", "SD", "SWD"),
    ("Hispanic or Latino", "RH", "HI"),
    ("White", "RW", "WH"),
    ("Asian", "RA", "AS"),
    ("Black or African American", "RB", "AA"),
)
G_ALL, G_EL, G_SED, G_SWD, G_HI, G_WH, G_AS, G_AA = range(8)

COUNTIES: dict[str, str] = {
    "01": "Alameda",
    "04": "Butte",
    "07": "Contra Costa",
    "10": "Fresno",
    "13": "Imperial",
    "15": "Kern",
    "16": "Kings",
    "19": "Los Angeles",
    "20": "Madera",
    "24": "Merced",
    "27": "Monterey",
    "30": "Orange",
    "31": "Placer",
    "33": "Riverside",
    "34": "Sacramento",
    "36": "San Bernardino",
    "37": "San Diego",
    "39": "San Joaquin",
    "41": "San Mateo",
    "42": "Santa Barbara",
    "43": "Santa Clara",
    "49": "Sonoma",
    "50": "Stanislaus",
    "54": "Tulare",
    "56": "Ventura",
    "57": "Yolo",
}

# survey model ---------------------------------------------------------------------------
SCALES: dict[str, tuple[str, ...]] = {
    "trust": ("trust_1", "trust_2", "trust_3", "trust_4"),
    "communication": ("comm_1", "comm_2", "comm_3", "comm_4"),
    "voice": ("voice_1", "voice_2", "voice_3", "voice_4"),
}
ITEMS: tuple[str, ...] = tuple(i for v in SCALES.values() for i in v)
LOADINGS: dict[str, float] = {
    "trust_1": 0.80,
    "trust_2": 0.76,
    "trust_3": 0.78,
    "trust_4": 0.70,
    "comm_1": 0.74,
    "comm_2": 0.66,
    "comm_3": 0.58,
    "comm_4": 0.70,
    "voice_1": 0.76,
    "voice_2": 0.78,
    "voice_3": 0.62,
    "voice_4": 0.72,
}
FACTOR_CORR = np.array([[1.0, 0.60, 0.50], [0.60, 1.0, 0.55], [0.50, 0.55, 1.0]])
BASE_THRESHOLDS = np.array([-2.0, -1.25, -0.45, 0.75])
ITEM_SHIFT: dict[str, float] = {  # + makes the item harder to endorse
    "trust_1": -0.20,
    "trust_2": 0.00,
    "trust_3": -0.10,
    "trust_4": -0.15,
    "comm_1": 0.05,
    "comm_2": 0.00,
    "comm_3": 0.25,
    "comm_4": 0.20,
    "voice_1": 0.35,
    "voice_2": 0.50,
    "voice_3": 0.30,
    "voice_4": 0.55,
}
REVERSE_ITEMS = ("comm_3",)
DIF_ITEM = "comm_2"
DIF_LANGUAGE = "es"
DIF_SHIFT = 1.0  # thresholds of DIF_ITEM move up by this (latent SD) for Spanish speakers
ENGAGEMENT_GROWTH: dict[str, float] = {"trust": 0.10, "communication": 0.12, "voice": 0.15}
DISTRICT_LATENT_SD = 0.20
WAVE_EFFECT = np.array([0.0, -0.10, -0.05, 0.0])  # common to all districts
P_NO_RESPONSE: dict[str, float] = {"trust": 0.03, "communication": 0.05, "voice": 0.08}
P_DONT_KNOW: dict[str, float] = {"trust": 0.015, "communication": 0.025, "voice": 0.06}

# participation ---------------------------------------------------------------------------
EL_REP_BASE = 0.60
EL_REP_GROWTH = 0.06  # per year in the network
EL_REP_EVENTS = ("lcap_input", "workshop")
EVENT_YEARS: tuple[int, ...] = tuple(range(2017, 2025))
EVENTS_PER_YEAR: dict[str, int] = {"lcap_input": 2, "workshop": 3, "delac": 3, "elac": 2}
LATER_CONVENINGS: dict[int, tuple[str, ...]] = {
    2021: (
        "2021-08-26",
        "2021-09-23",
        "2021-10-28",
        "2021-12-09",
        "2022-01-27",
        "2022-02-24",
        "2022-03-31",
        "2022-05-12",
    ),
    2023: (
        "2023-08-31",
        "2023-09-28",
        "2023-10-26",
        "2023-12-07",
        "2024-01-25",
        "2024-02-29",
        "2024-04-04",
        "2024-05-09",
    ),
}
# convening team: role, members per district, first-convening attendance, decay per convening
TEAM: tuple[tuple[str, int, float, float], ...] = (
    ("family", 5, 0.92, 0.90),
    ("staff", 4, 0.97, 0.97),
    ("student", 1, 0.85, 0.88),
    ("community", 2, 0.88, 0.93),
)

# ratings ---------------------------------------------------------------------------------
P3_YEARS: tuple[int, ...] = tuple(range(2017, 2025))
P3_GROWTH = 0.20  # rating points per year in the network, before rounding to 1..5
P3_MISSING = 0.01


# ---------------------------------------------------------------------------------------
# Result containers


@dataclass(frozen=True)
class DemoTruth:
    """Everything planted in the demo world, so estimates can be checked against it.

    Attributes
    ----------
    seed : the seed the world was built from.
    att : true ATT(g, t) at district level: ``indicator, cohort`` (start year, e.g. 2019),
        ``year`` ("2021-22"), ``event_time``, ``effect`` (percentage points), ``observed``
        (False where the indicator was not published, 2019-20 for chronic absenteeism).
        The same effect applies to every school and student group of a cohort district.
    att_simple : indicator -> the overall ATT as R ``did::aggte(type = "simple")`` defines
        it: the mean of ATT(g, t) over observed post-treatment cells, weighted by the
        number of districts in each cohort.
    att_simple_school : the same with schools as units (weights = schools per cohort).
    att_dynamic : ``indicator, event_time, effect``: ATT by event time, averaged over the
        cohorts observed at that event time, weighted by cohort size.
    att_by_cohort : ``indicator, cohort, effect``: mean of observed post-treatment ATT(g, t).
    twfe_estimand : indicator -> the coefficient a two-way fixed effects regression
        (district and year dummies, one treatment dummy) of the district-level panel
        converges to: a weighted mean of the true effects with weights that differ from
        ``att_simple`` (Goodman-Bacon 2021), so ``twfe_estimand - att_simple`` is the
        TWFE bias planted in this world.
    cohort_sizes : cohort start year -> number of districts.
    ca_delta : cohort start year -> :math:`\\delta_g` of the chronic absenteeism effect.
    ca_intercept_sd : ``{"district": 1.8, "school": 1.0}``, the SDs (pp) of the district
        and school random intercepts of chronic absenteeism (schools nested in
        districts), the variance components a multilevel model estimates. On top of them
        each district and school has its own AR(1) year-to-year noise (SD 0.6, rho 0.5)
        and each school x group x year cell independent noise (SD 0.7).
    scale_alpha : scale -> population Cronbach's alpha of the observed 1-5 codes (reverse
        item recoded) over the demo's respondent population, by simulation at large n.
    scale_alpha_n : number of simulated respondents behind ``scale_alpha``.
    loadings : ``item, scale, loading, reverse, shift`` (standardized loadings of the
        latent response on its factor; shift = item threshold offset).
    thresholds : the four base thresholds of the latent response (before item shifts).
    factor_corr : 3 x 3 factor correlation matrix (DataFrame, scales as labels).
    dif_item, dif_language, dif_shift : the item with uniform DIF, the language group
        affected, and the shift of its thresholds for that group (latent SD units; positive
        = harder to agree with at the same latent level).
    wave_years : survey wave -> school year.
    engagement_growth : ``scale, latent_sd_per_year, scale_mean_per_year`` (growth of the
        latent mean per year in the network, and the implied change of the expected
        item mean on the 1-5 scale in the first year, English-language respondents).
    el_representation : ``years_in_network, index``: true EL representation index at
        general district events (:data:`EL_REP_EVENTS`), EL share of family participants
        divided by the district's EL share (``pct_el / 100``).
    el_rep_events : the event types the representation index is defined on.
    p3_growth : Priority 3 self-rating growth per year in the network (rating points on
        the latent scale, before rounding and clipping to 1..5).
    convening_feedback : per 2019-20 convening and scale of the feedback form: ``wave``,
        ``event_id`` (date), ``scale``, ``p_favorable`` (true probability of a
        favorable answer), ``responses``.
    feedback_response_rate : the probability that an attendee answers the form.
    goal_progress : per district goal and year: ``district_id``, ``goal_id``,
        ``period``, ``gap_closed`` (the planted share of the gap closed).
    notes : plain-text description of the design.
    """

    seed: int
    att: pd.DataFrame
    att_simple: dict[str, float]
    att_simple_school: dict[str, float]
    att_dynamic: pd.DataFrame
    att_by_cohort: pd.DataFrame
    twfe_estimand: dict[str, float]
    cohort_sizes: dict[int, int]
    ca_delta: dict[int, float]
    ca_intercept_sd: dict[str, float]
    scale_alpha: dict[str, float]
    scale_alpha_n: int
    loadings: pd.DataFrame
    thresholds: tuple[float, ...]
    factor_corr: pd.DataFrame
    dif_item: str
    dif_language: str
    dif_shift: float
    wave_years: dict[int, str]
    engagement_growth: pd.DataFrame
    el_representation: pd.DataFrame
    el_rep_events: tuple[str, ...]
    p3_growth: float
    convening_feedback: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    feedback_response_rate: float = float("nan")
    goal_progress: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    notes: str = field(repr=False, default="")

    def summary(self) -> str:
        """Plain-text account of what is planted."""
        lines = [f"Demo world truth (seed={self.seed})"]
        lines.append(
            "Cohorts: "
            + ", ".join(f"{school_year(g)}: {n} districts" for g, n in self.cohort_sizes.items())
        )
        lines.append(
            "Chronic absenteeism effect: -delta_g * min(e+1, 4) pp, delta = "
            + ", ".join(f"{g}: {d:g}" for g, d in self.ca_delta.items())
        )
        lines.append(
            "True overall ATT (R did 'simple'): "
            + ", ".join(f"{k} {v:+.3f}" for k, v in self.att_simple.items())
        )
        lines.append(
            "Two-way fixed effects estimand: "
            + ", ".join(f"{k} {v:+.3f}" for k, v in self.twfe_estimand.items())
        )
        lines.append(
            "Population alpha: " + ", ".join(f"{k} {v:.3f}" for k, v in self.scale_alpha.items())
        )
        lines.append(
            f"DIF: {self.dif_item} thresholds +{self.dif_shift:g} SD for language "
            f"{self.dif_language!r}"
        )
        lines.append("Survey waves: " + ", ".join(f"{w}: {y}" for w, y in self.wave_years.items()))
        g = self.engagement_growth
        lines.append(
            "Engagement growth per year in network (latent SD): "
            + ", ".join(f"{s} {v:g}" for s, v in zip(g["scale"], g["latent_sd_per_year"]))
        )
        rep = self.el_representation
        lines.append(
            f"EL representation index: {rep['index'].iloc[0]:.2f} before joining, "
            f"+{EL_REP_GROWTH:g} per year in network"
        )
        lines.append(f"Priority 3 self-rating growth: {self.p3_growth:g} points per year")
        cf = self.convening_feedback
        if len(cf):
            use = cf[cf["scale"] == "usefulness"]["p_favorable"]
            lines.append(
                f"Convening feedback: {len(cf['wave'].unique())} convenings, response rate "
                f"{self.feedback_response_rate:.0%}, usefulness favorable {use.iloc[0]:.0%} -> "
                f"{use.iloc[-1]:.0%}, relevance "
                f"{cf[cf['scale'] == 'relevance']['p_favorable'].iloc[0]:.0%}"
            )
        gp = self.goal_progress
        if len(gp):
            lines.append(
                f"District goals: {len(gp.drop_duplicates(['district_id', 'goal_id']))} goals, "
                f"final shares of the gap closed "
                + ", ".join(
                    f"{v:+.2f}" for v in gp.groupby("goal_id", sort=False)["gap_closed"].last()
                )
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return f"DemoTruth(seed={self.seed})"


@dataclass(frozen=True)
class DemoData:
    """The demo world: five canonical tables and the truth planted in them.

    Treat the frames as read-only (the object is cached per seed and shared).
    """

    survey: pd.DataFrame
    participation: pd.DataFrame
    outcomes: pd.DataFrame
    ratings: pd.DataFrame
    roster: pd.DataFrame
    truth: DemoTruth
    #: extra tables (see :data:`cei_metrics.schemas.EXTRA_TABLES`): the open answers to the
    #: convening feedback form (scrubbed), the feedback itself, each district's own goal
    text: pd.DataFrame = field(default_factory=pd.DataFrame)
    feedback: pd.DataFrame = field(default_factory=pd.DataFrame)
    goals: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __repr__(self) -> str:
        return (
            f"DemoData(seed={self.truth.seed}, survey={len(self.survey)} rows, "
            f"participation={len(self.participation)}, outcomes={len(self.outcomes)}, "
            f"ratings={len(self.ratings)}, roster={len(self.roster)})"
        )

    @property
    def synthetic(self) -> bool:
        """Always True: every row is synthetic."""
        return True

    @property
    def seed(self) -> int:
        return self.truth.seed

    def summary(self) -> str:
        return (
            f"Synthetic demo world, seed={self.truth.seed}: {len(self.roster)} districts, "
            f"{self.survey[C.RESPONDENT_ID].nunique()} survey respondents, "
            f"{len(self.participation)} sign-ins, {len(self.outcomes)} outcome rows, "
            f"{len(self.ratings)} ratings\n" + self.truth.summary()
        )


# ---------------------------------------------------------------------------------------
# Helpers


def _years_in_network(cohort: np.ndarray, year: np.ndarray | int) -> np.ndarray:
    """1 in the joining year, 2 the next...; 0 before joining or when never treated."""
    cohort = np.asarray(cohort, dtype=float)
    yr = np.asarray(year, dtype=float)
    k = yr - cohort + 1
    return np.where(np.isnan(k) | (k < 1), 0, k).astype(int)


def _ca_effect(cohort: np.ndarray, year: np.ndarray) -> np.ndarray:
    """Planted chronic absenteeism effect (pp) for cohort start year(s) and year(s)."""
    cohort = np.asarray(cohort, dtype=float)
    year = np.asarray(year, dtype=float)
    delta = np.zeros(np.broadcast(cohort, year).shape)
    for g, d in CA_DELTA.items():
        delta = np.where(cohort == g, d, delta)
    e = year - cohort
    return np.where(e >= 0, -delta * np.minimum(e + 1, CA_RAMP), 0.0)


def _ar1(rng: np.random.Generator, shape: tuple[int, ...], sd: float, rho: float) -> np.ndarray:
    """Stationary AR(1) noise along the last axis (years)."""
    e = rng.standard_normal(shape) * sd
    out = np.empty(shape)
    out[..., 0] = e[..., 0]
    s = np.sqrt(1 - rho**2)
    for t in range(1, shape[-1]):  # loop over years only
        out[..., t] = rho * out[..., t - 1] + s * e[..., t]
    return out


def _segment_sum(x: np.ndarray, seg: np.ndarray, n: int) -> np.ndarray:
    """Sum rows of ``x`` (first axis) into ``n`` segments given by integer labels."""
    out = np.zeros((n, *x.shape[1:]))
    np.add.at(out, seg, x)
    return out


def _alpha(x: np.ndarray) -> float:
    k = x.shape[1]
    cov = np.cov(x, rowvar=False)
    return float(k / (k - 1) * (1 - np.trace(cov) / cov.sum()))


# ---------------------------------------------------------------------------------------
# Roster


def _roster(rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    n = N_DISTRICTS
    codes = np.array(list(COUNTIES))
    county_code = codes[rng.integers(0, len(codes), n)]
    # 5-digit district part from a range no real PLLN code uses; unique within the demo
    dist5 = rng.choice(np.arange(90000, 100000), size=n, replace=False)
    ids = np.array([f"{c}{d:05d}" for c, d in zip(county_code, dist5)])
    assert not (set(ids) & REAL_PLLN)
    dtype = rng.choice(np.array(["elementary", "high", "unified"]), size=n, p=[0.45, 0.15, 0.40])
    enroll = np.round(np.exp(rng.normal(np.log(7000), 0.75, n)).clip(900, 60000))
    pct_el = (100 * rng.beta(2.2, 7.0, n)).round(1)  # mean ~24%
    pct_sed = np.clip(25 + 1.1 * pct_el + rng.normal(0, 12, n), 5, 98).round(1)
    pct_spanish = np.clip(0.9 * pct_el + 0.35 * pct_sed + rng.normal(0, 8, n), 2, 95).round(1)
    # network membership: selection on observables (levels)
    z = lambda v: (v - v.mean()) / v.std()  # noqa: E731
    score = z(pct_el) + z(pct_sed) + 0.5 * z(np.log(enroll)) + rng.normal(0, 1.0, n)
    order = np.argsort(-score)
    n_net = sum(COHORT_SIZES.values())
    network = order[:n_net]
    cohorts = np.concatenate([np.full(k, g, float) for g, k in COHORT_SIZES.items()])
    cohort = np.full(n, np.nan)
    cohort[rng.permutation(network)] = cohorts
    never = np.flatnonzero(np.isnan(cohort))
    survey_cmp = np.zeros(n, bool)
    survey_cmp[rng.choice(never, N_SURVEY_COMPARISON, replace=False)] = True
    cohort_txt = pd.array(
        [None if np.isnan(g) else school_year(int(g)) for g in cohort], dtype="str"
    )
    roster = pd.DataFrame(
        {
            C.DISTRICT_ID: ids,
            C.NAME: [f"Demo District {i + 1:02d}" for i in range(n)],
            C.COUNTY: [COUNTIES[c] for c in county_code],
            C.COHORT: cohort_txt,
            C.DISTRICT_TYPE: dtype,
            C.ENROLLMENT: enroll.astype(float),
            C.N_FAMILIES: np.round(enroll / rng.uniform(1.45, 1.75, n)).astype(float),
            C.PCT_EL: pct_el,
            C.PCT_SED: pct_sed,
            C.PCT_SPANISH: pct_spanish,
            C.SYNTHETIC: True,
        }
    )
    meta = {
        "id": ids,
        "county_code": county_code,
        "cohort": cohort,
        "type": dtype,
        "enroll": enroll,
        "n_families": roster[C.N_FAMILIES].to_numpy(),
        "pct_el": pct_el,
        "pct_sed": pct_sed,
        "pct_spanish": pct_spanish,
        "network": ~np.isnan(cohort),
        "survey": ~np.isnan(cohort) | survey_cmp,
        "name": roster[C.NAME].to_numpy(),
        "county": roster[C.COUNTY].to_numpy(),
    }
    return roster, meta


# ---------------------------------------------------------------------------------------
# Outcomes


def _schools(rng: np.random.Generator, R: dict) -> dict[str, np.ndarray]:
    nd = N_DISTRICTS
    enroll = R["enroll"]
    n_sch = (
        2 + (enroll > 5000) + (enroll > 12000) + (enroll > 25000) + rng.integers(0, 2, nd)
    ).astype(int)
    sd = np.repeat(np.arange(nd), n_sch)
    ns = len(sd)
    first = np.r_[0, np.cumsum(n_sch)[:-1]]
    k_in = np.arange(ns) - first[sd]
    g = rng.gamma(4.0, 1.0, ns)
    share = g / _segment_sum(g, sd, nd)[sd]
    s_enroll = np.round(enroll[sd] * share)
    dtype = R["type"][sd]
    is_high = (dtype == "high") | ((dtype == "unified") & (k_in == 0))
    code7 = rng.choice(np.arange(100000, 1000000), size=ns, replace=False) + 6000000
    cds = np.array([f"{R['id'][d]}{c:07d}" for d, c in zip(sd, code7)])
    kind = np.where(is_high, "High", np.where(dtype == "unified", "Elementary", "Elementary"))
    kind = np.where((dtype == "unified") & ~is_high & (k_in == 1), "Middle", kind)
    names = np.array(
        [f"Demo {kd} {d + 1:02d}-{k + 1}" for kd, d, k in zip(kind, sd, k_in)], dtype=object
    )
    return {"sd": sd, "enroll": s_enroll, "is_high": is_high, "cds": cds, "name": names}


def _group_shares(rng: np.random.Generator, R: dict, S: dict) -> np.ndarray:
    """Share of each school's enrollment in each student group, (n_schools, 8)."""
    sd = S["sd"]
    ns = len(sd)
    nd = N_DISTRICTS

    def jit(sd_=0.25):
        return np.exp(rng.normal(0, sd_, ns))

    hisp_d = np.clip(R["pct_spanish"] / 100 * 1.15, 0.05, 0.95)
    asian_d = rng.uniform(0.01, 0.15, nd)
    black_d = rng.uniform(0.005, 0.07, nd)
    sh = np.empty((ns, 8))
    sh[:, G_ALL] = 1.0
    sh[:, G_EL] = np.clip(R["pct_el"][sd] / 100 * jit(), 0.01, 0.9)
    sh[:, G_SED] = np.clip(R["pct_sed"][sd] / 100 * jit(0.15), 0.03, 0.98)
    sh[:, G_SWD] = np.clip(0.12 * jit(0.2), 0.04, 0.3)
    sh[:, G_HI] = np.clip(hisp_d[sd] * jit(0.15), 0.03, 0.97)
    sh[:, G_WH] = np.clip((1 - sh[:, G_HI]) * 0.6 * jit(0.2), 0.01, 0.9)
    sh[:, G_AS] = np.clip(asian_d[sd] * jit(0.4), 0.002, 0.5)
    sh[:, G_AA] = np.clip(black_d[sd] * jit(0.4), 0.001, 0.3)
    return sh


def _outcomes(rng: np.random.Generator, R: dict) -> tuple[pd.DataFrame, dict]:
    S = _schools(rng, R)
    sd = S["sd"]
    ns, nd, ng, nt = len(sd), N_DISTRICTS, len(GROUPS), len(YEARS)
    years = np.array(YEARS, float)
    shares = _group_shares(rng, R, S)
    net = R["network"].astype(float)
    cohort = R["cohort"]
    growth = (1 - 0.01) ** (years - years[0]) * np.exp(rng.normal(0, 0.02, (ns, 1, nt)))
    base_n = S["enroll"][:, None, None] * shares[:, :, None] * growth  # (ns, ng, nt)

    pct_sed, pct_el = R["pct_sed"], R["pct_el"]
    eff_d = _ca_effect(cohort[:, None], years[None, :])  # (nd, nt)
    out: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    # chronic absenteeism (%): additive model, planted effect --------------------------
    mu = (
        6.0
        + 0.07 * pct_sed
        + 0.03 * pct_el
        + 2.0 * net
        + rng.normal(0, CA_INTERCEPT_SD["district"], nd)
    )
    g_off = np.array([0.0, 1.0, 3.0, 6.0, 2.0, -1.0, -3.0, 8.0])
    y_fe = np.array([0.0, 0.2, 0.4, 0.6, 1.5, 2.5, 17.0, 12.5, 8.5, 7.0])
    rate = (
        mu[sd, None, None]
        + rng.normal(0, CA_INTERCEPT_SD["school"], (ns, 1, 1))
        + g_off[None, :, None]
        + y_fe[None, None, :]
        + _ar1(rng, (nd, 1, nt), 0.6, 0.5)[sd]
        + _ar1(rng, (ns, 1, nt), 0.6, 0.5)
        + rng.normal(0, 0.7, (ns, ng, nt))
        + eff_d[sd, None, :]
    )
    den = np.round(base_n * 0.97)
    num = rng.binomial(den.astype(np.int64), np.clip(rate, 0.2, 99) / 100).astype(float)
    out["chronic_absenteeism"] = (num, den, rate)

    # suspension (%): multiplicative model, no planted effect --------------------------
    mu = (1.6 + 0.025 * pct_sed + 0.4 * net) * np.exp(rng.normal(0, 0.2, nd))
    g_fac = np.array([1.0, 1.1, 1.3, 1.9, 1.1, 0.9, 0.35, 2.6])
    y_fac = np.array([1.0, 0.98, 0.96, 0.95, 0.72, 0.12, 0.92, 0.98, 0.97, 0.96])
    rate = (
        mu[sd, None, None]
        * g_fac[None, :, None]
        * y_fac[None, None, :]
        * np.exp(_ar1(rng, (nd, 1, nt), 0.08, 0.5)[sd] + rng.normal(0, 0.1, (ns, ng, nt)))
    )
    den = np.round(base_n * 1.04)
    num = rng.binomial(den.astype(np.int64), np.clip(rate, 0.01, 99) / 100).astype(float)
    out["suspension"] = (num, den, rate)

    # graduation (%): high schools only, no planted effect --------------------------------
    mu = 86.0 - 0.04 * pct_sed - 2.0 * net + rng.normal(0, 2.5, nd)
    g_off = np.array([0.0, -12.0, -3.0, -16.0, -2.0, 3.0, 8.0, -8.0])
    y_fe = np.array([0.0, 0.5, 1.0, 1.5, 2.2, 2.5, 1.8, 2.2, 2.5, 2.8])
    rate = (
        mu[sd, None, None]
        + g_off[None, :, None]
        + y_fe[None, None, :]
        + _ar1(rng, (nd, 1, nt), 0.8, 0.5)[sd]
        + rng.normal(0, 1.0, (ns, ng, nt))
    )
    den = np.round(base_n * 0.24) * S["is_high"][:, None, None]
    num = rng.binomial(den.astype(np.int64), np.clip(rate, 5, 99.5) / 100).astype(float)
    out["graduation"] = (num, den, rate)

    # assessment distance from standard (points), no planted effect ----------------------
    for ind, offs, yfe in (
        (
            "ela_dfs",
            [0.0, -45.0, -30.0, -95.0, -25.0, 20.0, 60.0, -55.0],
            [0.0, 2.0, 4.0, 5.0, 0.0, -4.0, -10.0, -9.0, -7.0, -6.0],
        ),
        (
            "math_dfs",
            [0.0, -50.0, -35.0, -110.0, -32.0, 18.0, 75.0, -70.0],
            [0.0, 2.0, 3.0, 4.0, 0.0, -8.0, -17.0, -15.0, -13.0, -12.0],
        ),
    ):
        mu = -8.0 - 0.6 * (pct_sed - 50) - 0.3 * (pct_el - 20) + rng.normal(0, 10, nd)
        if ind == "math_dfs":
            mu = mu - 20.0
        den = np.round(base_n * 0.45)
        val = (
            mu[sd, None, None]
            + rng.normal(0, 6, (ns, 1, 1))
            + np.asarray(offs)[None, :, None]
            + np.asarray(yfe)[None, None, :]
            + _ar1(rng, (nd, 1, nt), 3.0, 0.5)[sd]
            + rng.normal(0, 4.0, (ns, ng, nt))
            + rng.standard_normal((ns, ng, nt)) * 90.0 / np.sqrt(np.maximum(den, 1))
        )
        out[ind] = (np.full_like(val, np.nan), den, val)

    frames = []
    cat = np.concatenate
    unit_cds = cat([[STATE_CDS], [f"{d}{SCHOOL_ZERO}" for d in R["id"]], S["cds"]])
    unit_level = cat([["state"], np.repeat("district", nd), np.repeat("school", ns)])
    unit_name = cat([["California (synthetic)"], R["name"], S["name"]])
    unit_has_high = cat(
        [[True], _segment_sum(S["is_high"].astype(float), sd, nd) > 0, S["is_high"]]
    )
    for ind, (num, den, val) in out.items():
        dfs = ind.endswith("_dfs")
        if dfs:
            w = den * val
            d_den = _segment_sum(den, sd, nd)
            d_val = _segment_sum(w, sd, nd) / np.maximum(d_den, 1)
            s_den = den.sum(0, keepdims=True)
            s_val = w.sum(0, keepdims=True) / s_den
            a_den = np.concatenate([s_den, d_den, den])
            a_val = np.round(np.concatenate([s_val, d_val, val]), 1)
            a_num = np.full_like(a_den, np.nan)
        else:
            d_num, d_den = _segment_sum(num, sd, nd), _segment_sum(den, sd, nd)
            a_num = np.concatenate([num.sum(0, keepdims=True), d_num, num])
            a_den = np.concatenate([den.sum(0, keepdims=True), d_den, den])
            with np.errstate(invalid="ignore", divide="ignore"):
                a_val = np.round(100 * a_num / a_den, 1)
        keep_u = unit_has_high if ind == "graduation" else np.ones(len(unit_cds), bool)
        keep_t = np.array([y not in UNPUBLISHED.get(ind, ()) for y in YEARS])
        a_num, a_den, a_val = (a[keep_u][:, :, keep_t] for a in (a_num, a_den, a_val))
        nu, _, nt_k = a_den.shape
        u_idx = np.repeat(np.arange(nu), ng * nt_k)
        g_idx = np.tile(np.repeat(np.arange(ng), nt_k), nu)
        t_idx = np.tile(np.arange(nt_k), nu * ng)
        sup = (a_den < MIN_CELL).ravel()
        num_f = np.where(sup, np.nan, a_num.ravel())
        val_f = np.where(sup, np.nan, a_val.ravel())
        code_col = 1 if ind in ("chronic_absenteeism", "suspension") else 2
        yrs = np.array([school_year(y) for y in np.array(YEARS)[keep_t]])
        frames.append(
            pd.DataFrame(
                {
                    C.CDS: unit_cds[keep_u][u_idx],
                    # every demo school belongs to a district; the state row is "state"
                    C.LEA_TYPE: np.where(unit_level[keep_u][u_idx] == "state", "state", "district"),
                    C.LEVEL: unit_level[keep_u][u_idx],
                    C.YEAR: yrs[t_idx],
                    C.GROUP: np.array([g[0] for g in GROUPS])[g_idx],
                    C.GROUP_CODE: np.array([g[code_col] for g in GROUPS])[g_idx],
                    C.INDICATOR: ind,
                    C.NUMERATOR: num_f,
                    C.DENOMINATOR: a_den.ravel(),
                    C.VALUE: val_f,
                    C.SUPPRESSED: sup,
                    C.NAME: unit_name[keep_u][u_idx].astype(str),
                }
            )
        )
    outcomes = pd.concat(frames, ignore_index=True)
    for col in (C.CDS, C.LEA_TYPE, C.LEVEL, C.YEAR, C.GROUP, C.GROUP_CODE, C.INDICATOR, C.NAME):
        outcomes[col] = outcomes[col].astype("str")
    return outcomes, S


# ---------------------------------------------------------------------------------------
# Survey


def _draw_codes(rng: np.random.Generator, mu: np.ndarray, es: np.ndarray) -> np.ndarray:
    """Graded-response codes 1..5 (n, 12) for latent means ``mu`` (n, 3); raw coding
    (the reverse-keyed item is stored reversed)."""
    n = len(mu)
    chol = np.linalg.cholesky(FACTOR_CORR)
    eta = mu + rng.standard_normal((n, 3)) @ chol.T
    fac = np.repeat(np.arange(3), 4)
    lam = np.array([LOADINGS[i] for i in ITEMS])
    ystar = eta[:, fac] * lam + rng.standard_normal((n, 12)) * np.sqrt(1 - lam**2)
    tau = BASE_THRESHOLDS[None, :] + np.array([ITEM_SHIFT[i] for i in ITEMS])[:, None]
    # uniform DIF: the item's thresholds sit DIF_SHIFT higher for the focal language,
    # i.e. its latent response sits DIF_SHIFT lower
    ystar[:, ITEMS.index(DIF_ITEM)] -= DIF_SHIFT * es
    codes = 1 + (ystar[:, :, None] > tau[None]).sum(-1, dtype=np.int8).astype(np.int64)
    for r in REVERSE_ITEMS:
        k = ITEMS.index(r)
        codes[:, k] = 6 - codes[:, k]
    return codes


def _recode(codes: np.ndarray) -> np.ndarray:
    out = codes.astype(float).copy()
    for r in REVERSE_ITEMS:
        k = ITEMS.index(r)
        out[:, k] = 6 - out[:, k]
    return out


def _survey(
    rng: np.random.Generator, R: dict, S: dict
) -> tuple[pd.DataFrame, dict[str, float], int]:
    dist = np.flatnonzero(R["survey"])
    waves = np.array(list(WAVE_YEARS))
    cell_d = np.repeat(dist, len(waves))
    cell_w = np.tile(waves, len(dist))
    n_cell = rng.integers(60, 121, len(cell_d))
    d = np.repeat(cell_d, n_cell)
    w = np.repeat(cell_w, n_cell)
    n = len(d)
    wyear = np.array([WAVE_YEARS[k] for k in waves])[w - 1]
    # respondent characteristics
    p_es = np.clip(R["pct_spanish"][d] / 100 * 0.82, 0.02, 0.9)
    es = rng.random(n) < p_es
    el = rng.random(n) < np.where(es, 0.65, 0.08)
    sed = rng.random(n) < np.where(es, 0.85, np.clip(R["pct_sed"][d] / 100 * 0.7, 0.05, 0.95))
    wt = np.exp(rng.normal(0, 0.35, n))
    wt = (
        wt
        / np.bincount(np.repeat(np.arange(len(cell_d)), n_cell), wt)[
            np.repeat(np.arange(len(cell_d)), n_cell)
        ]
        * n_cell.repeat(n_cell)
    )
    # school: uniform among the district's schools
    sd = S["sd"]
    first = np.searchsorted(sd, np.arange(N_DISTRICTS))
    count = np.bincount(sd, minlength=N_DISTRICTS)
    school = first[d] + (rng.random(n) * count[d]).astype(int)
    # latent means
    a_d = rng.normal(0, DISTRICT_LATENT_SD, (N_DISTRICTS, 3))
    yin = _years_in_network(R["cohort"][d], wyear)
    gr = np.array(list(ENGAGEMENT_GROWTH.values()))
    mu = a_d[d] + WAVE_EFFECT[w - 1][:, None] + yin[:, None] * gr[None, :]
    codes = _draw_codes(rng, mu, es)
    # population alpha: the same mixture of respondents, simulated at large n
    big = rng.integers(0, n, 10 * n)
    big_codes = _recode(_draw_codes(rng, mu[big], es[big]))
    alpha = {
        s: _alpha(big_codes[:, [ITEMS.index(i) for i in items]]) for s, items in SCALES.items()
    }
    # missingness
    scale_of = np.repeat(np.array(list(SCALES)), 4)
    p_nr = np.array([P_NO_RESPONSE[s] for s in scale_of])
    p_dk = np.array([P_DONT_KNOW[s] for s in scale_of])
    u = rng.random((n, 12))
    nr = u < p_nr
    dk = (u >= p_nr) & (u < p_nr + p_dk)
    value = np.where(nr | dk, np.nan, codes.astype(float))
    reason = np.where(nr, "no_response", np.where(dk, "dont_know", ""))
    rid = np.array([f"R{i:06d}" for i in range(1, n + 1)])
    years_txt = np.array([school_year(y) for y in WAVE_YEARS.values()])
    rep = np.repeat(np.arange(n), 12)
    survey = pd.DataFrame(
        {
            C.RESPONDENT_ID: rid[rep],
            C.WAVE: w[rep].astype(np.int64),
            C.YEAR: years_txt[w - 1][rep],
            C.DISTRICT_ID: R["id"][d][rep],
            C.SCHOOL_ID: S["cds"][school][rep],
            C.ROLE: "family",
            C.LANGUAGE: np.where(es, "es", "en")[rep],
            C.INSTRUMENT: "family_engagement",
            C.ITEM: np.tile(np.array(ITEMS), n),
            C.VALUE: value.ravel(),
            C.MISSING_REASON: reason.ravel(),
            C.WEIGHT: wt[rep],
            C.EL_FAMILY: el[rep],
            C.SED_FAMILY: sed[rep],
        }
    )
    for col in (
        C.RESPONDENT_ID,
        C.YEAR,
        C.DISTRICT_ID,
        C.SCHOOL_ID,
        C.ROLE,
        C.LANGUAGE,
        C.INSTRUMENT,
        C.ITEM,
        C.MISSING_REASON,
    ):
        survey[col] = survey[col].astype("str")
    return survey, alpha, len(big)


def _scale_mean_change() -> dict[str, float]:
    """Expected change of the mean item code (1-5, reverse item recoded) after one year
    of growth, for an English-language respondent at latent mean 0."""
    from math import erf, sqrt

    def ndtr(x: np.ndarray) -> np.ndarray:
        return np.array([0.5 * (1 + erf(v / sqrt(2))) for v in np.ravel(x)])

    res = {}
    for s, items in SCALES.items():
        g = ENGAGEMENT_GROWTH[s]
        diffs = []
        for i in items:
            lam = LOADINGS[i]
            tau = BASE_THRESHOLDS + ITEM_SHIFT[i]
            e0 = 1 + ndtr(-tau).sum()
            e1 = 1 + ndtr(lam * g - tau).sum()
            diffs.append(e1 - e0)
        res[s] = float(np.mean(diffs))
    return res


# ---------------------------------------------------------------------------------------
# Participation


def _random_dates(rng: np.random.Generator, start_years: np.ndarray) -> np.ndarray:
    """Dates within the school year (Sep 1 .. May 31) starting in each given year."""
    start = (start_years - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    start = start + np.timedelta64(243, "D")  # Sep 1 (Jan 1 + 243 days, non-leap)
    return start + rng.integers(0, 272, len(start_years)).astype("timedelta64[D]")


def _participation(rng: np.random.Generator, R: dict, S: dict) -> pd.DataFrame:
    from .plln import PLLN_CONVENING_DATES

    parts: list[pd.DataFrame] = []
    pid_next = 1
    eid_next = 1
    pct_es = R["pct_spanish"] / 100
    el_share = R["pct_el"] / 100

    # convenings: a team per cohort district, retention decays over the year ------------
    conv = {2019: PLLN_CONVENING_DATES, **LATER_CONVENINGS}
    for g, dates in conv.items():
        dist = np.flatnonzero(R["cohort"] == g)
        roles = np.concatenate([np.repeat(r, k) for r, k, _, _ in TEAM])
        p0 = np.concatenate([np.repeat(p, k) for _, k, p, _ in TEAM])
        dec = np.concatenate([np.repeat(q, k) for _, k, _, q in TEAM])
        m_d = np.repeat(dist, len(roles))
        m_role = np.tile(roles, len(dist))
        m_p0 = np.tile(p0, len(dist))
        m_dec = np.tile(dec, len(dist))
        nm = len(m_d)
        fam = m_role == "family"
        m_es = rng.random(nm) < np.where(fam, pct_es[m_d] * 0.8, 0.05)
        m_el = np.where(fam, rng.random(nm) < np.where(m_es, 0.6, 0.1), False)
        m_sed = np.where(fam, rng.random(nm) < np.where(m_es, 0.8, 0.4), False)
        pid = np.array([f"P{i:06d}" for i in range(pid_next, pid_next + nm)])
        pid_next += nm
        k = np.arange(len(dates))
        p = m_p0[:, None] * m_dec[:, None] ** k[None, :]
        att = rng.random((nm, len(dates))) < p
        mi, ei = np.nonzero(att)
        eids = np.array([f"E{i:04d}" for i in range(eid_next, eid_next + len(dates))])
        eid_next += len(dates)
        parts.append(
            pd.DataFrame(
                {
                    C.EVENT_ID: eids[ei],
                    C.DATE: pd.to_datetime(np.array(dates)[ei]),
                    C.EVENT_TYPE: "convening",
                    C.DISTRICT_ID: R["id"][m_d[mi]],
                    C.PARTICIPANT_ID: pid[mi],
                    C.ROLE: m_role[mi],
                    C.LANGUAGE: np.where(m_es[mi], "es", "en"),
                    C.SCHOOL_ID: pd.NA,
                    C.EL_FAMILY: m_el[mi],
                    C.SED_FAMILY: m_sed[mi],
                }
            )
        )

    # district family events --------------------------------------------------------------
    dist = np.flatnonzero(R["survey"])
    yrs = np.array(EVENT_YEARS)
    dy_d = np.repeat(dist, len(yrs))
    dy_y = np.tile(yrs, len(dist))
    ndy = len(dy_d)
    yin = _years_in_network(R["cohort"][dy_d], dy_y)
    rep_idx = EL_REP_BASE + EL_REP_GROWTH * yin
    types = np.concatenate([np.repeat(t, k) for t, k in EVENTS_PER_YEAR.items()])
    ne = len(types)
    ev_dy = np.repeat(np.arange(ndy), ne)
    ev_type = np.tile(types, ndy)
    ev_id = np.array([f"E{i:04d}" for i in range(eid_next, eid_next + len(ev_dy))])
    ev_date = _random_dates(rng, dy_y[ev_dy])
    # ELAC is a school committee: give it a school
    sd = S["sd"]
    first = np.searchsorted(sd, np.arange(N_DISTRICTS))
    count = np.bincount(sd, minlength=N_DISTRICTS)
    ev_school = S["cds"][
        first[dy_d[ev_dy]] + (rng.random(len(ev_dy)) * count[dy_d[ev_dy]]).astype(int)
    ]
    ev_school = np.where(ev_type == "elac", ev_school, None)

    def pools(size: np.ndarray, p_el: np.ndarray, ev_mask: np.ndarray, p_attend: np.ndarray):
        """Members of each district-year pool x that pool's events in ev_mask."""
        nonlocal pid_next
        m_dy = np.repeat(np.arange(ndy), size)
        nm = len(m_dy)
        m_el = rng.random(nm) < p_el[m_dy]
        m_es = rng.random(nm) < np.where(m_el, 0.85, np.clip(pct_es[dy_d[m_dy]] * 0.4, 0, 1))
        m_sed = rng.random(nm) < np.where(m_el, 0.85, np.clip(R["pct_sed"][dy_d[m_dy]] / 100, 0, 1))
        pid = np.array([f"P{i:06d}" for i in range(pid_next, pid_next + nm)])
        pid_next += nm
        # candidate pairs (member, event of the same district-year)
        evs = np.flatnonzero(ev_mask)
        k_ev = np.bincount(ev_dy[evs], minlength=ndy)  # events per district-year
        ev_start = np.r_[0, np.cumsum(k_ev)[:-1]]
        evs_sorted = evs[np.argsort(ev_dy[evs], kind="stable")]
        npair = k_ev[m_dy]
        pm = np.repeat(np.arange(nm), npair)
        within = np.arange(len(pm)) - np.repeat(np.r_[0, np.cumsum(npair)[:-1]], npair)
        pe = evs_sorted[ev_start[m_dy[pm]] + within]
        keep = rng.random(len(pm)) < p_attend[pm]
        pm, pe = pm[keep], pe[keep]
        return pd.DataFrame(
            {
                C.EVENT_ID: ev_id[pe],
                C.DATE: ev_date[pe].astype("datetime64[ns]"),
                C.EVENT_TYPE: ev_type[pe],
                C.DISTRICT_ID: R["id"][dy_d[m_dy[pm]]],
                C.PARTICIPANT_ID: pid[pm],
                C.ROLE: "family",
                C.LANGUAGE: np.where(m_es[pm], "es", "en"),
                C.SCHOOL_ID: ev_school[pe],
                C.EL_FAMILY: m_el[pm],
                C.SED_FAMILY: m_sed[pm],
            }
        )

    nfam = R["n_families"][dy_d]
    general = np.isin(ev_type, EL_REP_EVENTS)
    size = np.round(40 + 0.004 * nfam + 10 * yin).astype(int)
    p_el = np.clip(rep_idx * el_share[dy_d], 0, 0.98)
    m_att = rng.uniform(0.2, 0.45, int(size.sum()))
    parts.append(pools(size, p_el, general, m_att))
    # DELAC / ELAC members: mostly English-learner families
    size = rng.integers(12, 26, ndy)
    parts.append(pools(size, np.full(ndy, 0.9), ~general, rng.uniform(0.55, 0.9, int(size.sum()))))
    # staff at every district event
    k_staff = rng.integers(1, 5, len(ev_dy))
    si = np.repeat(np.arange(len(ev_dy)), k_staff)
    spid = np.array([f"P{i:06d}" for i in range(pid_next, pid_next + len(si))])
    pid_next += len(si)
    parts.append(
        pd.DataFrame(
            {
                C.EVENT_ID: ev_id[si],
                C.DATE: ev_date[si].astype("datetime64[ns]"),
                C.EVENT_TYPE: ev_type[si],
                C.DISTRICT_ID: R["id"][dy_d[ev_dy[si]]],
                C.PARTICIPANT_ID: spid,
                C.ROLE: "staff",
                C.LANGUAGE: np.where(rng.random(len(si)) < 0.15, "es", "en"),
                C.SCHOOL_ID: ev_school[si],
                C.EL_FAMILY: False,
                C.SED_FAMILY: False,
            }
        )
    )
    df = pd.concat(parts, ignore_index=True)
    df[C.DATE] = df[C.DATE].astype("datetime64[ns]")
    for col in (C.EVENT_ID, C.EVENT_TYPE, C.DISTRICT_ID, C.PARTICIPANT_ID, C.ROLE, C.LANGUAGE):
        df[col] = df[col].astype("str")
    df[C.SCHOOL_ID] = df[C.SCHOOL_ID].astype("str")
    df[C.EL_FAMILY] = df[C.EL_FAMILY].astype(bool)
    df[C.SED_FAMILY] = df[C.SED_FAMILY].astype(bool)
    return df.sort_values([C.DATE, C.EVENT_ID, C.PARTICIPANT_ID], ignore_index=True)


# ---------------------------------------------------------------------------------------
# Ratings


def _ratings(rng: np.random.Generator, R: dict) -> pd.DataFrame:
    from ..instruments import load_instrument

    inst = load_instrument("priority3_self_reflection")
    items = np.array(inst.item_ids)
    sections = np.array([inst.scale_labels[inst.items[i].scale] for i in items])
    nd, ny, ni = N_DISTRICTS, len(P3_YEARS), len(items)
    years = np.array(P3_YEARS)
    base = rng.normal(2.9, 0.45, nd)
    item_off = rng.normal(0, 0.25, ni)
    yin = _years_in_network(R["cohort"][:, None], years[None, :])  # (nd, ny)
    latent = (
        base[:, None, None]
        + item_off[None, None, :]
        + P3_GROWTH * yin[:, :, None]
        + _ar1(rng, (nd, 1, ny), 0.2, 0.5).transpose(0, 2, 1)
        + rng.normal(0, 0.45, (nd, ny, ni))
    )
    rating = np.clip(np.round(latent), 1, 5)
    rating[rng.random(rating.shape) < P3_MISSING] = np.nan
    d_i, y_i, i_i = (a.ravel() for a in np.indices((nd, ny, ni)))
    df = pd.DataFrame(
        {
            C.CDS: np.char.add(R["id"][d_i].astype(str), SCHOOL_ZERO),
            C.DISTRICT_ID: R["id"][d_i],
            C.LEA_TYPE: "district",
            C.YEAR: np.array([school_year(y) for y in years])[y_i],
            C.TOOL: "priority3_self_reflection",
            C.SECTION: sections[i_i],
            C.ITEM: items[i_i],
            C.RATING: rating.ravel(),
        }
    )
    for col in (C.CDS, C.DISTRICT_ID, C.LEA_TYPE, C.YEAR, C.TOOL, C.SECTION, C.ITEM):
        df[col] = df[col].astype("str")
    return df


# ---------------------------------------------------------------------------------------
# Truth


def _att_truth(R: dict, S: dict) -> dict:
    rows = []
    for ind in ("chronic_absenteeism", "suspension"):
        for g in COHORT_SIZES:
            for y in YEARS:
                eff = (
                    float(_ca_effect(np.array(g), np.array(y)))
                    if ind == "chronic_absenteeism"
                    else 0.0
                )
                rows.append(
                    (ind, g, school_year(y), y - g, eff + 0.0, y not in UNPUBLISHED.get(ind, ()))
                )
    att = pd.DataFrame(
        rows, columns=["indicator", "cohort", C.YEAR, "event_time", "effect", "observed"]
    )
    sizes = pd.Series(COHORT_SIZES)
    n_sch = pd.Series(
        {g: int(np.isin(S["sd"], np.flatnonzero(R["cohort"] == g)).sum()) for g in COHORT_SIZES}
    )
    post = att[att["observed"] & (att["event_time"] >= 0)]

    def wmean(df: pd.DataFrame, w: pd.Series) -> float:
        ww = df["cohort"].map(w).to_numpy(float)
        return float((df["effect"].to_numpy() * ww).sum() / ww.sum())

    simple = {ind: wmean(post[post.indicator == ind], sizes) for ind in att.indicator.unique()}
    simple_s = {ind: wmean(post[post.indicator == ind], n_sch) for ind in att.indicator.unique()}
    for ind in ("graduation", "ela_dfs", "math_dfs"):
        simple[ind] = 0.0
        simple_s[ind] = 0.0
    obs = att[att["observed"]]
    dyn = (
        obs.assign(w=obs["cohort"].map(sizes), we=lambda d: d["w"] * d["effect"])
        .groupby(["indicator", "event_time"], as_index=False)[["we", "w"]]
        .sum()
    )
    dyn["effect"] = dyn["we"] / dyn["w"]
    dyn = dyn[["indicator", "event_time", "effect"]]
    by_g = post.groupby(["indicator", "cohort"], as_index=False)["effect"].mean()
    # what a two-way fixed effects regression of the district panel estimates: the
    # regression of the true effects on the treatment dummy net of unit and year effects
    twfe = {}
    for ind in ("chronic_absenteeism", "suspension"):
        yrs = np.array([y for y in YEARS if y not in UNPUBLISHED.get(ind, ())], float)
        g = R["cohort"][:, None]
        dmy = (~np.isnan(g) & (yrs[None, :] >= g)).astype(float)
        tau = _ca_effect(g, yrs[None, :]) if ind == "chronic_absenteeism" else 0 * dmy
        dd = dmy - dmy.mean(1, keepdims=True) - dmy.mean(0, keepdims=True) + dmy.mean()
        twfe[ind] = float((dd * tau).sum() / (dd * dmy).sum())
    return {
        "twfe_estimand": twfe,
        "att": att,
        "att_simple": simple,
        "att_simple_school": simple_s,
        "att_dynamic": dyn,
        "att_by_cohort": by_g,
    }


_NOTES = """\
Synthetic demo world of the cei_metrics package: 80 school districts (not real), 28 of them
joining the network in three cohorts (2019-20: 6, 2021-22: 10, 2023-24: 12); the other 52
never join. Network districts were selected on levels (more English learners and
low-income families, higher absenteeism), not on trends.

Outcomes (2015-16..2024-25; state, district and 2-6 schools per district; 8 student
groups): chronic absenteeism carries the planted effect -delta_g*min(e+1,4) pp for
e = year - cohort >= 0 (delta 2.5/1.5/1.0 for cohorts 2019/2021/2023), identical in
every school and student group of a cohort district; no anticipation. Suspension,
graduation (high and unified districts only) and ELA/math distance from standard carry
no effect. Chronic absenteeism and assessment results are absent for 2019-20; chronic
absenteeism jumps about 16 pp statewide in 2021-22 and recovers slowly. Counts are
binomial draws around the rate; cells with denominator < 11 are suppressed.

Survey: family_engagement instrument, waves 1-4 = 2018-19, 2020-21, 2022-23, 2024-25,
every network district and 16 never-treated comparison districts, 60-120 families per
district-wave. Graded response model: 3 factors (correlations .60/.50/.55), loadings
in `loadings`, thresholds BASE + item shift; latent means = district intercept (SD .2)
+ common wave effect + growth per year in network (joining year counts as 1). comm_2
thresholds shift up for Spanish-language respondents (uniform DIF). Item nonresponse
3-8% and "don't know" 1.5-6%, both highest on voice items, completely at random.

Participation: cohort convening teams (family/staff/student/community) with decaying
attendance; district events 2017-18..2024-25 in network and survey-comparison districts.
At lcap_input and workshop events, EL families are represented at index 0.6 + 0.06 x
years in network (EL share of family participants / district pct_el). DELAC and ELAC
members are mostly EL families.

Priority 3 self-ratings 2017-18..2024-25 for every district: latent rating = district
base + item offset + 0.20 x years in network + AR(1) + noise, rounded and clipped to
1..5; about 1% missing.

Convening feedback (2019-20 cohort, 8 convenings): each attendee answers with probability
0.70; usefulness items favorable with probability 0.58 + 0.04 (k - 1) at convening k,
relevance items 0.72; open answers in English and Spanish, some with fake personal data
that ingest scrubs. District goals: 8 goals of the 6 first-cohort districts, baseline
2019-20, target 2023-24, values at planted shares of the gap closed.
"""


def _build(seed: int) -> DemoData:
    from . import voices

    root = np.random.SeedSequence(seed)
    # the first five streams are those of the five canonical tables (unchanged when
    # streams are added after them)
    r_roster, r_out, r_survey, r_part, r_rat, r_fb = (
        np.random.default_rng(s) for s in root.spawn(6)
    )
    roster, R = _roster(r_roster)
    outcomes, S = _outcomes(r_out, R)
    survey, alpha, n_big = _survey(r_survey, R, S)
    participation = _participation(r_part, R, S)
    ratings = _ratings(r_rat, R)
    responses = voices.feedback_responses(r_fb, participation, roster)
    t = _att_truth(R, S)
    smc = _scale_mean_change()
    loadings = pd.DataFrame(
        {
            C.ITEM: list(ITEMS),
            "scale": np.repeat(list(SCALES), 4),
            "loading": [LOADINGS[i] for i in ITEMS],
            "reverse": [i in REVERSE_ITEMS for i in ITEMS],
            "shift": [ITEM_SHIFT[i] for i in ITEMS],
        }
    )
    k = np.arange(0, 7)
    truth = DemoTruth(
        seed=seed,
        att=t["att"],
        att_simple=t["att_simple"],
        att_simple_school=t["att_simple_school"],
        att_dynamic=t["att_dynamic"],
        att_by_cohort=t["att_by_cohort"],
        twfe_estimand=t["twfe_estimand"],
        cohort_sizes=dict(COHORT_SIZES),
        ca_delta={int(g): d for g, d in CA_DELTA.items()},
        ca_intercept_sd=dict(CA_INTERCEPT_SD),
        scale_alpha=alpha,
        scale_alpha_n=n_big,
        loadings=loadings,
        thresholds=tuple(float(x) for x in BASE_THRESHOLDS),
        factor_corr=pd.DataFrame(FACTOR_CORR, index=list(SCALES), columns=list(SCALES)),
        dif_item=DIF_ITEM,
        dif_language=DIF_LANGUAGE,
        dif_shift=DIF_SHIFT,
        wave_years={w: school_year(y) for w, y in WAVE_YEARS.items()},
        engagement_growth=pd.DataFrame(
            {
                "scale": list(SCALES),
                "latent_sd_per_year": list(ENGAGEMENT_GROWTH.values()),
                "scale_mean_per_year": [smc[s] for s in SCALES],
            }
        ),
        el_representation=pd.DataFrame(
            {"years_in_network": k, "index": EL_REP_BASE + EL_REP_GROWTH * k}
        ),
        el_rep_events=EL_REP_EVENTS,
        p3_growth=P3_GROWTH,
        convening_feedback=voices.feedback_truth(responses),
        feedback_response_rate=voices.FEEDBACK_RESPONSE_RATE,
        goal_progress=voices.goals_truth(roster),
        notes=_NOTES,
    )
    tables = {
        "survey": survey,
        "participation": participation,
        "outcomes": outcomes,
        "ratings": ratings,
        "roster": roster,
    }
    return DemoData(
        truth=truth,
        **tables,
        text=voices.feedback_text(responses),
        feedback=voices.feedback_table(responses),
        goals=voices.goals_table(roster),
    )


@lru_cache(maxsize=4)
def _cached(seed: int) -> DemoData:
    return _build(seed)


def load_demo(seed: int = 2019) -> DemoData:
    """The synthetic PLLN demo world with its planted truth.

    Builds the five canonical tables for 80 synthetic districts (28 joining the network in
    cohorts 2019-20, 2021-22 and 2023-24) and a :class:`DemoTruth` recording every planted
    effect. Deterministic bit for bit from ``seed`` (``numpy.random.default_rng`` streams
    spawned from it); cached per seed, so repeated calls return the same object: treat
    its frames as read-only.

    Parameters
    ----------
    seed : the world's seed; 2019 is the documented default.

    Returns
    -------
    DemoData with ``survey``, ``participation``, ``outcomes``, ``ratings``, ``roster``
    (each valid against :func:`cei_metrics.schemas.validate`) and ``truth``.

    Examples
    --------
    >>> demo = load_demo(seed=2019)
    >>> demo.truth.att_simple["chronic_absenteeism"] < 0
    True
    """
    return _cached(int(seed))
