"""Output column names of the indicator frames (canonical input columns live in
:mod:`cei_metrics.schemas`)."""

from __future__ import annotations

from ..schemas import C

INDICATOR = C.INDICATOR
SUPPRESSED = C.SUPPRESSED
ESTIMATE = "estimate"
STD_ERROR = "std_error"
CI_LOW = "ci_low"
CI_HIGH = "ci_high"
P_VAL = "p_val"
N = "n"
N_CLUSTERS = "n_clusters"
COUNT = "count"  # numerator of a share
SCALE = "scale"
SCORE = "score"
N_ITEMS = "n_items"
N_ANSWERED = "n_answered"
N_DONT_KNOW = "n_dont_know"
N_BLANK = "n_blank"
N_EXCLUDED = "n_excluded"
MEASURE = "measure"
SESSION = "session"
K = "k"
N_SESSIONS = "n_sessions"
SERIES = "series"
ENROLMENT_SHARE = "enrolment_share"
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
