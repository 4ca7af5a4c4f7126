"""Free text as readers find it: which columns hold names and open answers, and the
scrubbed text rows a reader hands to ingest.

Readers never keep free text in a canonical table. They find

- **name columns** (``First Name``, ``Last Name``, ``Student Name``, ``Nombre``,
  ``Apellido``, Qualtrics' ``RecipientFirstName`` ...): their values are the names seen in
  the file, used to scrub the file's text and then dropped;
- **text columns**: the instrument's open questions (matched by their text, like items)
  and comment columns (``Comments``, ``Notes``, ``Feedback``, ``Suggestions``, ``Other
  (please specify)``, ``Comentarios``, ``Sugerencias`` ...);

and return the answers as rows of the text table (:data:`cei_metrics.schemas.TEXT_COLUMNS`,
ids still as in the file: ingest hashes them), each answer already scrubbed by
:func:`cei_metrics.io.scrub.scrub_text` with the names seen in the file. Ingest scrubs
again with every name seen in the run.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..schemas import C
from .vocab import vocab_key

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "NAMES_ATTR",
    "TEXT_ATTR",
    "comment_kind",
    "name_columns",
    "names_in",
    "open_question_columns",
    "question_id",
    "scrub_rows",
]

#: ``df.attrs`` keys under which a reader leaves its text rows and the names it saw.
TEXT_ATTR = "text"
NAMES_ATTR = "names_seen"

_NAME_WORDS = ("name", "nombre", "apellido", "surname", "signature", "firma")
_NOT_A_PERSON = (
    "district",
    "distrito",
    "school",
    "escuela",
    "event",
    "evento",
    "meeting",
    "reunion",
    "file",
    "user",
    "organization",
    "organizacion",
    "agency",
    "program",
    "county",
    "condado",
    "company",
    "session",
    "convening",
    "convocatoria",
)
_COMMENT_WORDS = (
    "comment",
    "comentario",
    "suggest",
    "sugerencia",
    "feedback",
    "specify",
    "especifique",
    "notes",
    "notas",
    "anythingelse",
    "algomas",
    "otherthoughts",
    "otrasideas",
    "openended",
    "openresponse",
    "respuestaabierta",
)


def is_name_column(header: str) -> bool:
    """A column holding people's names (not a district's, school's or event's)."""
    k = vocab_key(header)
    return any(w in k for w in _NAME_WORDS) and not any(w in k for w in _NOT_A_PERSON)


def name_columns(names: Sequence[str], skip: Iterable[int] = ()) -> list[int]:
    """Positions of the name columns among ``names`` (headers), ``skip`` excluded."""
    sk = set(skip)
    return [j for j, nm in enumerate(names) if j not in sk and is_name_column(nm)]


def comment_kind(header: str) -> bool:
    """True for a comment-like column (free text by its header)."""
    k = vocab_key(header)
    return any(w in k for w in _COMMENT_WORDS)


_NOT_NAMES = frozenset(
    "na n a none no yes si anonymous anonimo anonima prefer prefiero not to say decir "
    "parent parents mom dad mother father padre madre guardian tutor family familia unknown "
    "desconocido test the and y".split()
)
_NAME_WORD = re.compile(r"^[^\W\d_][\w'’.-]*$")


def _plausible_name(value: str) -> bool:
    """A cell that looks like a person's name: 1 to 5 words of letters, none of them a
    word that is no name ("Prefer not to say", "N/A", "Parent")."""
    words = value.replace(",", " ").split()
    if not 1 <= len(words) <= 5:
        return False
    folded = [vocab_key(w) for w in words]
    return all(_NAME_WORD.match(w) for w in words) and not any(f in _NOT_NAMES for f in folded)


def names_in(frame: pd.DataFrame, cols: Iterable[int]) -> list[str]:
    """The distinct names in the given columns of a wide frame; the names of two columns
    side by side are also joined ("Ana" + "Ruiz" -> "Ana Ruiz"). Cells that are no names
    ("Prefer not to say", "N/A") are left out, so they do not blank ordinary words."""
    cols = list(cols)
    out: dict[str, None] = {}
    for j in cols:
        for v in frame[j].astype(str).str.strip():
            if v and _plausible_name(v):
                out[v] = None
    for a, b in itertools.pairwise(cols):  # first and last name side by side
        if not len(frame):
            break
        joined = frame[a].astype(str).str.strip() + " " + frame[b].astype(str).str.strip()
        for v in joined.str.split().str.join(" "):
            if v and v not in out and _plausible_name(v):
                out[v] = None
    return list(out)


def open_question_columns(
    names: Sequence[str], texts: Sequence[Sequence[str]], inst, skip: Iterable[int] = ()
) -> dict[int, str]:
    """Columns holding the instrument's open questions: position -> question id.

    Matched like items (:func:`cei_metrics.io.exports.question_keys`): the header (or its
    question text, or one half of a bilingual header) equal to the question's text in any
    language after folding, or containing it (an instruction before it)."""
    from .exports import question_keys

    qs = getattr(inst, "open_questions", {}) or {}
    if not qs:
        return {}
    keys: dict[str, str] = {}
    for qid, per_lang in qs.items():
        keys.setdefault(vocab_key(qid), qid)
        for t in per_lang.values():
            for k in question_keys(t):
                keys.setdefault(k, qid)
    long_keys = [(k, q) for k, q in keys.items() if len(k) >= 15]
    sk = set(skip)
    out: dict[int, str] = {}
    for j, nm in enumerate(names):
        if j in sk:
            continue
        cands = [*(texts[j] if j < len(texts) else []), nm]
        ks = [k for c in cands for k in question_keys(c)]
        hit = next((keys[k] for k in ks if k in keys), None)
        if hit is None:
            found = {q for k in ks for lk, q in long_keys if lk in k}
            hit = found.pop() if len(found) == 1 else None
        if hit is not None:
            out[j] = hit
    return out


def question_id(header: str, j: int) -> str:
    """Id of a comment column that is no open question of the instrument: its folded
    header ("Comments" -> "comments"), or ``column<j>``."""
    k = vocab_key(header)[:40]
    return k or f"column{j + 1}"


def scrub_rows(text: pd.DataFrame, names: Iterable[str]) -> pd.DataFrame:
    """``text`` with its ``text`` and ``question`` columns scrubbed (names given, e-mails,
    phones, addresses) and blank answers dropped."""
    from .scrub import scrub_text

    names = [n for n in names if n]
    out = text.copy()
    if out.empty:
        return out
    out[C.TEXT] = scrub_text(out[C.TEXT].astype(str), names=names)
    out[C.QUESTION] = scrub_text(out[C.QUESTION].astype(str), names=names)
    keep = out[C.TEXT].str.strip().ne("")
    return out[keep].reset_index(drop=True)
