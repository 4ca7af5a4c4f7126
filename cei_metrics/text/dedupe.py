r"""Collapse copied text before counting themes.

Open-ended answers are often pasted more than once: the same comment submitted by one
family in two waves, a template message forwarded by a group, a paragraph copied into
several forms. Counted as they are, copies inflate a theme. :func:`collapse_duplicates`
groups

- **exact duplicates** after normalisation (:func:`normalize_text`: case, accents,
  punctuation and white space ignored), and
- **near duplicates**: texts whose sets of character :math:`k`-shingles (:math:`k = 5`
  by default, taken on the normalised text with single spaces) have Jaccard similarity
  :math:`|A \cap B| / |A \cup B| \ge` ``threshold`` (0.7 by default). At 0.7 a
  comment of about a hundred characters with one or two words changed is still a copy
  (similarity 0.74-0.80 in the tests), while a different comment on the same topic is
  not (0.28 in the tests; unrelated comments score below 0.05).

Groups are the connected components of the "duplicate of" graph (single linkage: if
A ~ B and B ~ C, all three are one group). Each group keeps its first text in input
order as the representative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .._api import estimator
from .._results import ResultMixin, tidy
from ..errors import SchemaError
from . import _cols as T
from ._normalize import normalize_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["DuplicateResult", "collapse_duplicates", "shingles"]


def shingles(text: str, k: int = 5) -> set[str]:
    """Character ``k``-grams of a normalised text (the whole text when shorter than k)."""
    if len(text) <= k:
        return {text} if text else set()
    return {text[i : i + k] for i in range(len(text) - k + 1)}


@dataclass(frozen=True, eq=False, repr=False)
class DuplicateResult(ResultMixin):
    """Texts grouped into exact and near duplicates.

    Attributes
    ----------
    table : one row per input text, in input order: segment_id, cluster (group number),
        representative (segment_id of the group's first text), kind ("unique": first of
        its group; "exact": an exact copy after normalisation of an earlier text of its
        group; "near": a near copy), similarity (Jaccard similarity to the
        representative, 1 for exact copies).
    texts : the input texts (Series indexed by segment_id).
    threshold, k : the near-duplicate rule.
    """

    table: pd.DataFrame = field(repr=False)
    texts: pd.Series = field(repr=False)
    threshold: float
    k: int

    @property
    def n(self) -> int:
        """Texts examined."""
        return len(self.table)

    @property
    def n_kept(self) -> int:
        """Texts kept (one per group)."""
        return int((self.table[T.KIND] == "unique").sum())

    @property
    def n_exact(self) -> int:
        """Texts collapsed as exact copies."""
        return int((self.table[T.KIND] == "exact").sum())

    @property
    def n_near(self) -> int:
        """Texts collapsed as near copies."""
        return int((self.table[T.KIND] == "near").sum())

    @property
    def n_collapsed(self) -> int:
        """Texts collapsed into another (exact + near)."""
        return self.n - self.n_kept

    @property
    def kept(self) -> pd.Series:
        """The representative texts (one per group), indexed by segment_id."""
        keep = (self.table[T.KIND] == "unique").to_numpy()
        return self.texts[keep]

    def to_frame(self) -> pd.DataFrame:
        """The table with ``term`` (the segment id, as text) first."""
        return tidy(self.table, term=T.SEGMENT_ID)

    def summary(self) -> str:
        return "\n".join(
            [
                f"Copied text: {self.n} texts, {self.n_collapsed} collapsed "
                f"({self.n_exact} exact, {self.n_near} near duplicates); {self.n_kept} kept",
                f"Rule: exact after normalisation (case, accents, punctuation, spacing); near "
                f"when character {self.k}-shingle Jaccard similarity >= {self.threshold:g}; "
                "groups by single linkage, first text kept",
            ]
        )


@estimator(data=("texts",))
def collapse_duplicates(
    texts: pd.Series | Sequence[str],
    *,
    threshold: float = 0.7,
    k: int = 5,
    block: int = 2000,
) -> DuplicateResult:
    r"""Group exact and near-duplicate texts; keep one per group.

    Parameters
    ----------
    texts : a Series of texts indexed by segment id (or a list; ids are positions).
        Missing and empty texts are each their own group.
    threshold : Jaccard similarity of character shingles at or above which two texts
        are near duplicates (in (0, 1]; 1 keeps only exact duplicates).
    k : shingle length in characters.
    block : texts compared per block (memory: about ``block x n`` sparse entries).

    Returns
    -------
    DuplicateResult: ``.kept`` the texts to count, ``.n_collapsed`` how many were
    collapsed, ``.table`` which text went where.

    Notes
    -----
    Similarities of all pairs come from one sparse product of the text x shingle
    incidence matrix (scipy), in blocks of rows; exact duplicates are found first by
    hashing, so only distinct texts are compared. Suitable for the thousands of comments
    of a survey wave.

    Examples
    --------
    >>> r = collapse_duplicates(["We need more translators!", "we need more  translators",
    ...                          "The office is friendly"])
    >>> r.n_collapsed, r.n_exact
    (1, 1)
    """
    import pandas as pd
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    if not 0 < threshold <= 1:
        raise SchemaError(
            f"threshold={threshold!r} is not in (0, 1]", fix="pass e.g. threshold=0.7"
        )
    if k < 1:
        raise SchemaError(f"k={k!r} must be a positive number of characters", fix="pass e.g. k=5")
    s = texts.copy() if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    s.index.name = T.SEGMENT_ID
    norm = [normalize_text(v) for v in s.to_numpy(dtype=object)]
    n = len(norm)
    # exact duplicates: one node per distinct non-empty normalised text
    distinct: dict[str, int] = {}
    node = np.empty(n, dtype=np.int64)
    for i, t in enumerate(norm):
        if not t:
            node[i] = len(distinct) + n  # empty: its own node, never matched
            distinct[f"\x00{i}"] = node[i]
            continue
        if t not in distinct:
            distinct[t] = len(distinct) + n
        node[i] = distinct[t]
    _, node = np.unique(node, return_inverse=True)
    m = int(node.max()) + 1 if n else 0
    first_of_node = np.full(m, -1, dtype=np.int64)
    for i in range(n - 1, -1, -1):
        first_of_node[node[i]] = i
    rep_text = [norm[i] for i in first_of_node]
    # near duplicates among distinct texts
    pairs_a: list[np.ndarray] = []
    pairs_b: list[np.ndarray] = []
    if threshold < 1 and m > 1:
        vocab: dict[str, int] = {}
        rows, cols = [], []
        for j, t in enumerate(rep_text):
            if not t:
                continue
            for sh in shingles(t, k):
                rows.append(j)
                cols.append(vocab.setdefault(sh, len(vocab)))
        x = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(m, max(len(vocab), 1))
        )
        size = np.asarray(x.sum(axis=1)).ravel()
        xt = x.T.tocsc()
        for start in range(0, m, block):
            inter = (x[start : start + block] @ xt).tocoo()
            a = inter.row + start
            b = inter.col
            keep = a < b
            a, b, v = a[keep], b[keep], inter.data[keep]
            with np.errstate(divide="ignore", invalid="ignore"):
                jac = v / (size[a] + size[b] - v)
            hit = jac >= threshold - 1e-12
            pairs_a.append(a[hit])
            pairs_b.append(b[hit])
    if pairs_a:
        pa, pb = np.concatenate(pairs_a), np.concatenate(pairs_b)
    else:
        pa = pb = np.empty(0, dtype=np.int64)
    graph = sparse.coo_matrix((np.ones(len(pa)), (pa, pb)), shape=(m, m))
    _, comp = connected_components(graph, directed=False)
    cluster_of_row = comp[node] if n else np.empty(0, dtype=np.int64)
    # number clusters and pick representatives in input order
    order, cluster = np.unique(cluster_of_row, return_inverse=True)
    del order
    first_row = np.full(cluster.max() + 1 if n else 0, -1, dtype=np.int64)
    for i in range(n - 1, -1, -1):
        first_row[cluster[i]] = i
    # renumber clusters by first appearance
    rank = np.argsort(np.argsort(first_row))
    cluster = rank[cluster]
    first_row = np.sort(first_row)
    rep_row = first_row[cluster]
    kind = np.where(
        np.arange(n) == rep_row,
        "unique",
        np.where(node == node[rep_row], "exact", "near"),
    )
    sim = np.ones(n)
    for i in np.flatnonzero(kind == "near"):
        a_s, b_s = shingles(norm[i], k), shingles(norm[rep_row[i]], k)
        sim[i] = len(a_s & b_s) / len(a_s | b_s) if (a_s or b_s) else 1.0
    ids = s.index.to_numpy()
    table = pd.DataFrame(
        {
            T.SEGMENT_ID: ids,
            T.CLUSTER: cluster.astype(np.int64),
            T.REPRESENTATIVE: ids[rep_row] if n else ids,
            T.KIND: kind,
            T.SIMILARITY: sim,
        }
    )
    return DuplicateResult(table=table, texts=s, threshold=threshold, k=k)
