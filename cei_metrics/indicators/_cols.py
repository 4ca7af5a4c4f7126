"""Output column names of the indicator frames: the shared result columns come from
:class:`cei_metrics.schemas.C` (named once there); the indicator-specific ones are
here."""

from __future__ import annotations

from ..schemas import C

INDICATOR = C.INDICATOR
SUPPRESSED = C.SUPPRESSED
ESTIMATE = C.ESTIMATE
STD_ERROR = C.STD_ERROR
CI_LOW = C.CI_LOW
CI_HIGH = C.CI_HIGH
P_VAL = C.P_VAL
N = C.N
N_CLUSTERS = C.N_CLUSTERS
COUNT = "count"  # numerator of a share
SCALE = "scale"
SCORE = "score"
N_ITEMS = C.N_ITEMS
N_ANSWERED = "n_answered"
N_DONT_KNOW = "n_dont_know"
N_BLANK = "n_blank"
N_EXCLUDED = "n_excluded"
MEASURE = "measure"
SESSION = "session"
K = "k"
N_SESSIONS = "n_sessions"
SERIES = "series"
ENROLLMENT_SHARE = "enrollment_share"
GROUP_SHARE = "group_share"
REFERENCE = "reference"
GROUP_VALUE = "group_value"
ESTIMATE_GROUP = "estimate_group"
ESTIMATE_REFERENCE = "estimate_reference"
N_GROUP = "n_group"
N_REFERENCE = "n_reference"
CHANGE = C.CHANGE
PREV_YEAR = "prev_year"
MODAL_LEVEL = "modal_level"
MODAL_LABEL = "modal_label"
SECTION = C.SECTION
OVERALL = "overall"

STAT_COLUMNS = (ESTIMATE, STD_ERROR, CI_LOW, CI_HIGH, N, SUPPRESSED)

# response rates, representativeness and raking (indicators.weights)
MARGIN = "margin"
MARGIN_LEVEL = "margin_level"  # a level of a margin (e.g. "es" of language)
POPULATION_COUNT = "population_count"
POPULATION_SHARE = "population_share"
RESPONDENT_SHARE = "respondent_share"
WEIGHTED_SHARE = "weighted_share"
DIFFERENCE = "difference"
RATIO = "ratio"
TARGET = "target"
INITIAL = "initial"
