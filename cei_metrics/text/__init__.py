"""Free text, offline: codebooks, coding import, inter-coder agreement, theme shares.

The initiative's qualitative work (empathy interviews, convening feedback, open-ended
comments) enters the analysis here, never through the five canonical tables.

=============================  ===========================================================
function                       what it does
=============================  ===========================================================
:func:`load_codebook`          read and validate a bilingual (en/es) YAML codebook
:func:`suggest_codes`          keyword rules SUGGEST codes for a coder to confirm
:func:`read_coding`            human coding from CSV (long or wide)
:func:`read_qdpx`              human coding from a REFI-QDA project (.qdpx)
:func:`presence`               units x coders 0/1 table of one code
:func:`cohens_kappa`           two coders (unweighted, linear, quadratic); FCE (1969) SE
:func:`fleiss_kappa`           many coders; SE under kappa = 0, or bootstrap
:func:`krippendorff_alpha`     any coders, missing values, four levels; unit bootstrap
:func:`agreement_by_code`      alpha (and kappa for two coders) per code of a coding table
:func:`theme_shares`           share of units with each code by group, Wilson interval
:func:`code_cooccurrence`      codes in the same unit: counts and Jaccard
:func:`collapse_duplicates`    exact and near-duplicate texts collapsed before counting
:func:`explore_topics`         TF-IDF + NMF topics, exploratory (needs scikit-learn)
:func:`scrub_text`             e-mails, phones, addresses, names -> placeholders
:func:`excerpt_review_sheet`   the sheet a reviewer fills to approve excerpts for quoting
:func:`reviewed_excerpts`      the approved excerpts only, scrubbed again
=============================  ===========================================================

Quotes leave the analysis layer only through :func:`reviewed_excerpts`: a person
approves each one in a file the evaluator keeps; everything else leaves as counts.
"""

from __future__ import annotations

from .._lazy import lazy_getattr

_TABLE = {
    "Code": "codebook",
    "Codebook": "codebook",
    "CodebookError": "codebook",
    "CodeSuggestions": "codebook",
    "Rule": "codebook",
    "available_codebooks": "codebook",
    "load_codebook": "codebook",
    "suggest_codes": "codebook",
    "QDPXProject": "coding",
    "read_coding": "coding",
    "read_qdpx": "coding",
    "presence": "coding",
    "AgreementResult": "agreement",
    "CodeAgreementResult": "agreement",
    "cohens_kappa": "agreement",
    "fleiss_kappa": "agreement",
    "krippendorff_alpha": "agreement",
    "agreement_by_code": "agreement",
    "theme_shares": "themes",
    "code_cooccurrence": "themes",
    "CooccurrenceResult": "themes",
    "collapse_duplicates": "dedupe",
    "DuplicateResult": "dedupe",
    "normalize_text": "_normalize",
    "explore_topics": "topics",
    "TopicResult": "topics",
    "scrub_text": "scrub",
    "PLACEHOLDERS": "scrub",
    "ExcerptSet": "excerpts",
    "excerpt_review_sheet": "excerpts",
    "reviewed_excerpts": "excerpts",
    "fingerprint": "excerpts",
}
__all__ = sorted(_TABLE)
__getattr__ = lazy_getattr(__name__, _TABLE)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_TABLE))
