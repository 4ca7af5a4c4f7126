"""Output column names of the comparison results: the shared result columns come from
:class:`cei_metrics.schemas.C` (named once there); the comparison-specific ones are
here, each spelled once."""

from __future__ import annotations

from ..schemas import C

TERM = C.TERM
ESTIMATE = C.ESTIMATE
N = C.N
LABEL = C.LABEL

# peers (features and the peer table)
LOG_ENROLLMENT = "log_enrollment"
BASELINE = "baseline"
TARGET = "target"
PEER = "peer"
RANK = "rank"
DISTANCE = "distance"
N_FEATURES = "n_features"
WEIGHT_SHARE = "weight_share"

# benchmarks
PEER_MEDIAN = "peer_median"
PEER_Q25 = "peer_q25"
PEER_Q75 = "peer_q75"
N_PEERS = "peers_used"  # peers with a value; not a count of people
STATE = "state"
PERCENTILE = "percentile"
POSITION = "position"
Y = "y"  # vertical position of a row in the benchmark figure

# selection: indices, ranks and their components
NEED = "need"
READINESS = "readiness"
N_NEED = "n_need"
N_READINESS = "n_readiness"
NEED_RANK = "need_rank"
READINESS_RANK = "readiness_rank"
N_IN_TYPE = "n_in_type"
QUADRANT = "quadrant"
HIGHLIGHT = "highlight"
NEED_MEDIAN = "need_median"
READINESS_MEDIAN = "readiness_median"
RED_GROUPS = "red_groups"
P3_MEAN = "p3_mean"
P3_CHANGE = "p3_change"
P3_MET = "p3_met"
PRACTICES_N = "practices"
N_PRACTICES = "n_practices"
N_WORDS = "n_words"

# rank stability
AXIS = "axis"
TAU_P05 = "tau_p05"
TAU_P95 = "tau_p95"
TOP_K_OVERLAP = "top_k_overlap"
TOP_K_P05 = "top_k_p05"
TOP_K = "top_k"
RANK_P05 = "rank_p05"
RANK_P50 = "rank_p50"
RANK_P95 = "rank_p95"
