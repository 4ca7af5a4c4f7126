r"""Exploratory topics in free text: TF-IDF and non-negative matrix factorisation.

Topics are word lists a machine found to co-occur; they are **exploratory**: prompts
for building or checking a codebook, never findings and never codes. Needs
scikit-learn, an optional dependency (``pip install "cei-metrics[text]"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .._api import estimator
from .._results import ResultMixin, tidy
from ..errors import CEIError, EstimationError, SchemaError
from . import _cols as T
from ._normalize import fold

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["SPANISH_STOP_WORDS", "TopicResult", "explore_topics"]

#: Common Spanish function words, written without accents (texts are folded first).
SPANISH_STOP_WORDS = frozenset(
    """
    a al algo algun alguna algunas alguno algunos ante antes aqui asi aun bien cada casi
    como con contra cual cuales cuando de del desde donde dos el ella ellas ello ellos en
    entre era eran es esa esas ese eso esos esta estaba estaban estamos estan estar este
    esto estos estoy fue fueron ha habia han hasta hay he la las le les lo los mas me mi
    mis mucho muchos muy nada ni no nos nosotras nosotros nuestra nuestras nuestro
    nuestros o os otra otras otro otros para pero poco por porque que quien quienes se
    sea ser si sido sin sobre solo son su sus tambien tan tanto te tenemos tener tengo
    ti tiene tienen todo todos tu tus un una unas uno unos usted ustedes y ya yo
    """.split()
)


@dataclass(frozen=True, eq=False, repr=False)
class TopicResult(ResultMixin):
    """Exploratory topics (TF-IDF + NMF): word lists, not findings.

    Attributes
    ----------
    terms : one row per topic x rank: ``topic``, ``rank``, ``term`` (the word),
        ``weight`` (NMF component loading), and ``status`` = "exploratory".
    doc_topics : texts x topics weights (rows in the order of the texts).
    segment_ids : ids of the texts.
    n_topics, seed : the factorisation's settings.
    reconstruction_error : NMF's Frobenius reconstruction error.
    n : texts modelled (property; the length of ``segment_ids``).
    n_dropped : missing or blank texts left out.
    notes : anything else worth saying.
    """

    terms: pd.DataFrame = field(repr=False)
    doc_topics: np.ndarray = field(repr=False)
    segment_ids: tuple[object, ...]
    n_topics: int
    seed: int | None
    reconstruction_error: float
    status: str = T.EXPLORATORY
    n_dropped: int = 0
    notes: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        """Texts modelled."""
        return len(self.segment_ids)

    def to_frame(self) -> pd.DataFrame:
        """One row per topic x rank: ``term`` (the word) first, then ``topic``,
        ``rank``, ``weight``, ``status``."""
        return tidy(self.terms)

    def assignments(self) -> pd.DataFrame:
        """Each text's strongest topic and its weight (``status`` "exploratory")."""
        import pandas as pd

        top = self.doc_topics.argmax(axis=1)
        return pd.DataFrame(
            {
                T.SEGMENT_ID: list(self.segment_ids),
                T.TOPIC: top + 1,
                T.WEIGHT: self.doc_topics[np.arange(len(top)), top],
                T.STATUS: self.status,
            }
        )

    def summary(self) -> str:
        lines = [
            f"EXPLORATORY topics: TF-IDF + NMF, {self.n_topics} topics from "
            f"{self.n} texts (seed {self.seed})"
            + (f"; {self.n_dropped} blank texts left out" if self.n_dropped else ""),
            "Word lists for building or checking a codebook, not findings and not codes; "
            "read the texts before naming a topic.",
        ]
        for k, g in self.terms.groupby(T.TOPIC, sort=True):
            lines.append(f"  topic {k}: {', '.join(g[T.TERM])}")
        return "\n".join(lines)


@estimator(data=("texts",))
def explore_topics(
    texts: pd.Series | Sequence[str],
    *,
    n_topics: int = 5,
    n_terms: int = 8,
    seed: int | None = 0,
    min_df: int | float = 2,
    max_df: float = 0.9,
    ngram_range: tuple[int, int] = (1, 2),
    stop_words: Iterable[str] | None = None,
) -> TopicResult:
    r"""Exploratory topics of free text by TF-IDF and non-negative matrix factorisation.

    Texts are folded (lower case, no accents), turned into TF-IDF vectors of words and
    word pairs (``ngram_range``) without English and Spanish stop words, and factorised
    as :math:`X \approx W H` with :math:`W, H \ge 0` (``n_topics`` columns of
    :math:`W`; NNDSVD start, coordinate descent, ``seed``). Each topic is shown by its
    ``n_terms`` heaviest words in :math:`H`.

    Results are **exploratory** (``status`` in every row, and the summary says so).

    Parameters
    ----------
    texts : Series of texts indexed by segment id, or a list. Collapse copies first
        (:func:`collapse_duplicates`) and scrub personal data (:func:`scrub_text`).
    n_topics, n_terms : topics and words per topic.
    seed : random state of the factorisation.
    min_df, max_df, ngram_range : scikit-learn ``TfidfVectorizer`` options.
    stop_words : words to drop (default: scikit-learn's English list and
        :data:`SPANISH_STOP_WORDS`).

    Raises
    ------
    CEIError when scikit-learn is not installed (it is an optional dependency).

    References
    ----------
    Lee & Seung (1999) Nature 401:788-791; scikit-learn ``NMF`` and
    ``TfidfVectorizer``.
    """
    import pandas as pd

    try:
        from sklearn.decomposition import NMF
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
    except ImportError:
        raise CEIError(
            "topic exploration needs scikit-learn, which is not installed",
            fix='pip install "cei-metrics[text]" (or pip install scikit-learn)',
        ) from None
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    n_given = len(s)
    s = s[s.notna() & s.astype(str).str.strip().ne("")]
    if n_topics < 1 or n_terms < 1:
        raise SchemaError("n_topics and n_terms must be positive", fix="pass e.g. n_topics=5")
    if len(s) < max(n_topics, 2):
        raise EstimationError(
            f"{len(s)} non-empty texts cannot support {n_topics} topics",
            fix="pass more texts or fewer topics",
        )
    stops = (
        sorted(set(ENGLISH_STOP_WORDS) | SPANISH_STOP_WORDS)
        if stop_words is None
        else sorted({fold(w) for w in stop_words})
    )
    vec = TfidfVectorizer(
        preprocessor=lambda t: fold(str(t)),
        stop_words=stops,
        min_df=min_df,
        max_df=max_df,
        ngram_range=ngram_range,
        token_pattern=r"(?u)\b[^\W\d_][^\W\d_]+\b",
    )
    try:
        x = vec.fit_transform(s.astype(str).tolist())
    except ValueError as err:  # empty vocabulary after pruning
        raise EstimationError(
            f"no words left to model ({err})",
            fix="pass min_df=1, or more texts",
        ) from None
    k = min(n_topics, x.shape[1])
    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500)
    w = model.fit_transform(x)
    h = model.components_
    vocab = np.asarray(vec.get_feature_names_out())
    rows = []
    for t in range(k):
        order = np.argsort(-h[t])[:n_terms]
        for r, j in enumerate(order, start=1):
            rows.append((t + 1, r, vocab[j], float(h[t, j])))
    terms = pd.DataFrame(rows, columns=[T.TOPIC, T.RANK, T.TERM, T.WEIGHT])
    terms[T.STATUS] = T.EXPLORATORY
    return TopicResult(
        terms=terms,
        doc_topics=w,
        segment_ids=tuple(s.index),
        n_topics=k,
        seed=seed,
        reconstruction_error=float(model.reconstruction_err_),
        n_dropped=n_given - len(s),
    )
