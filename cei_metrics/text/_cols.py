"""Output column names of the text results (input columns live in
:mod:`cei_metrics.schemas`; statistics columns are the indicators' own)."""

from __future__ import annotations

from ..indicators import _cols as K
from ..schemas import C

SEGMENT_ID = C.SEGMENT_ID
TEXT = C.TEXT
CODE = C.CODE
CODER = C.CODER
SOURCE = C.SOURCE

# statistics, as in every result
TERM = C.TERM
ESTIMATE = K.ESTIMATE
STD_ERROR = K.STD_ERROR
CI_LOW = K.CI_LOW
CI_HIGH = K.CI_HIGH
P_VAL = K.P_VAL
N = K.N
COUNT = K.COUNT
SUPPRESSED = K.SUPPRESSED
INDICATOR = K.INDICATOR

# codebook suggestions
LANGUAGE = C.LANGUAGE
RULE = "rule"
MATCH = "match"
START = "start"  # zero-based character offset where a span begins
END = "end"  # offset one past its last character
STATUS = "status"
LABEL = "label"
DEFINITION = "definition"
N_RULES = "n_rules"
N_MATCHES = "n_matches"
CONFIRMED = "confirmed"

# coding import (REFI-QDA)
SOURCE_ID = "source_id"
CODE_ID = "code_id"
PARENT_ID = "parent_id"
CODE_PATH = "code_path"
CODABLE = "codable"
DESCRIPTION = "description"
USER_ID = "user_id"
N_CHARS = "n_chars"
SELECTION_ID = "selection_id"

# agreement
N_RATERS = "n_raters"
N_CATEGORIES = "n_categories"
METHOD = "method"
OBSERVED = C.OBSERVED  # observed agreement (alpha: observed disagreement)
EXPECTED = "expected"  # chance agreement (alpha: expected disagreement)
N_PRESENT = "n_present"
PERCENT_AGREEMENT = "percent_agreement"
KAPPA = "kappa"
KAPPA_CI_LOW = "kappa_ci_low"
KAPPA_CI_HIGH = "kappa_ci_high"

# co-occurrence
CODE_A = "code_a"
CODE_B = "code_b"
N_A = "n_a"
N_B = "n_b"
JACCARD = "jaccard"

# duplicates
CLUSTER = "cluster"
REPRESENTATIVE = "representative"
KIND = "kind"
SIMILARITY = "similarity"

# topics
TOPIC = "topic"
RANK = "rank"
WEIGHT = "weight"
EXPLORATORY = "exploratory"
