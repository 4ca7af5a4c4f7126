"""Quotes leave the analysis layer only from a list of reviewed excerpts.

Free text stays in the snapshot's ``text`` table (scrubbed at ingest). What a report may
quote is decided by a person, not by code: the evaluator keeps a file of **approved
excerpts** -- CSV or YAML, one entry per approved answer -- and :func:`reviewed_excerpts`
returns those answers only, scrubbed again, and nothing else.

The approvals file (keep it with your working files, never in ``figures/`` or
``reports/``):

================  ===============================================================
column            meaning
================  ===============================================================
segment_id        the answer's id in the text table (required)
fingerprint       the first 12 hex digits of the SHA-256 of the answer the reviewer
                  read (:func:`excerpt_review_sheet` writes it): if the answer
                  changed since (another ingest, another scrub), the approval no
                  longer holds and the excerpt is refused
excerpt           optional: the part of the answer approved for quoting (it must occur
                  in the answer as it is now); blank quotes the whole answer
approved_by       who reviewed it (stays in the file: never copied into the result)
approved_on       when
================  ===============================================================

:func:`excerpt_review_sheet` makes the sheet a reviewer fills (answers with their
``segment_id`` and ``fingerprint``, an empty ``approved`` column); rows marked approved
(1, yes, x, sí) are read as approvals.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .._results import ResultMixin
from ..errors import CEIError, SchemaError
from ..schemas import C

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["ExcerptSet", "excerpt_review_sheet", "fingerprint", "reviewed_excerpts"]

FINGERPRINT = "fingerprint"
EXCERPT = "excerpt"
APPROVED = "approved"
APPROVED_BY = "approved_by"
APPROVED_ON = "approved_on"
QUOTE = "quote"
REASON = "reason"
_YES = {"1", "yes", "y", "x", "si", "sí", "true", "approved", "ok"}


def fingerprint(text: object) -> str:
    """First 12 hex digits of the SHA-256 of an answer (UTF-8): what an approval is tied to."""
    return hashlib.sha256(str(text).encode("utf-8")).hexdigest()[:12]


def excerpt_review_sheet(
    text: pd.DataFrame,
    *,
    question_id: str | Sequence[str] | None = None,
    instrument: str | Sequence[str] | None = None,
    n: int | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """The sheet a reviewer fills: one row per answer with ``segment_id``,
    ``fingerprint``, ``question``, ``language``, ``text`` and an empty ``approved``
    column (and ``excerpt`` to approve part of an answer).

    Parameters
    ----------
    text : the text table (``tables.text``).
    question_id, instrument : keep only these questions / instruments.
    n, seed : a random sample of ``n`` answers (reproducible with ``seed``).

    Write it to your working folder (not ``reports/``): it holds the answers themselves.
    """
    df = _check_text(text)
    for col, want in ((C.QUESTION_ID, question_id), (C.INSTRUMENT, instrument)):
        if want is not None:
            keep = [want] if isinstance(want, str) else list(want)
            df = df[df[col].isin(keep)]
    if n is not None and n < len(df):
        df = df.sample(n=n, random_state=seed)
    out = df[[C.SEGMENT_ID, C.INSTRUMENT, C.QUESTION_ID, C.QUESTION, C.LANGUAGE, C.TEXT]].copy()
    out.insert(1, FINGERPRINT, df[C.TEXT].map(fingerprint).to_numpy())
    out[APPROVED] = ""
    out[EXCERPT] = ""
    return out.reset_index(drop=True)


@dataclass(frozen=True, repr=False)
class ExcerptSet(ResultMixin):
    """Reviewed excerpts that may be quoted.

    Attributes
    ----------
    quotes : one row per approved excerpt: ``segment_id``, ``instrument``,
        ``question_id``, ``question``, ``language``, ``quote`` (scrubbed again),
        ``approved_on`` (the reviewer's name stays in the approvals file).
    refused : approvals that no longer hold: ``segment_id`` and ``reason`` (not in the
        text table; answer changed since review; excerpt not found in the answer).
    source : the approvals file.
    n : quotes returned.
    notes : what was refused, in words (counts only).
    """

    quotes: pd.DataFrame = field(repr=False)
    refused: pd.DataFrame = field(repr=False)
    source: str
    n: int
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        out = self.quotes.copy()
        out.insert(0, C.TERM, out[C.SEGMENT_ID])
        return out

    def summary(self) -> str:
        lines = [
            f"{self.n} reviewed excerpt(s) approved for quoting ({self.source}); "
            f"{len(self.refused)} approval(s) refused"
        ]
        lines.extend(self.notes)
        return "\n".join(lines)


def _check_text(text: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in (C.SEGMENT_ID, C.TEXT, C.QUESTION_ID) if c not in text.columns]
    if missing:
        raise SchemaError(
            f"the text table lacks {missing}",
            column=missing[0],
            fix="pass tables.text (the text table of cm.io.load_tables)",
        )
    return text


def _read_approvals(approved: str | os.PathLike | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    import pandas as pd

    if isinstance(approved, pd.DataFrame):
        return approved.copy(), "a table of approvals"
    path = Path(approved).expanduser()
    if not path.exists():
        raise CEIError(
            "the approvals file was not found",
            file=path,
            fix="write a CSV or YAML with a segment_id column (excerpt_review_sheet makes one)",
        )
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
        items = data.get("approved", data) if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise SchemaError(
                "the approvals YAML holds no list",
                file=path,
                row=1,
                fix="write 'approved:' and one '- segment_id: ...' item per excerpt",
            )
        rows = [it if isinstance(it, dict) else {C.SEGMENT_ID: it} for it in items]
        return pd.DataFrame(rows), str(path)
    from ..io import read_grid

    g = read_grid(path)
    if not g.rows:
        return pd.DataFrame(columns=[C.SEGMENT_ID]), str(path)
    head = [h.strip() for h in g.rows[0]]
    df = pd.DataFrame(g.rows[1:], columns=head)
    df.attrs["rows"] = g.row_numbers[1:]
    return df, str(path)


def reviewed_excerpts(
    text: pd.DataFrame,
    approved: str | os.PathLike | pd.DataFrame,
    *,
    names: Iterable[str] = (),
) -> ExcerptSet:
    """The answers a person approved for quoting, scrubbed again; nothing else.

    Parameters
    ----------
    text : the text table (``tables.text``), scrubbed at ingest.
    approved : the approvals file (CSV or YAML; see the module docstring) or a table.
        A review sheet (:func:`excerpt_review_sheet`) with an ``approved`` column counts
        only the rows marked approved.
    names : more names to remove (e.g. staff named in answers); e-mails, phone numbers,
        street addresses and these names become placeholders again, whatever the first
        scrub missed.

    Returns
    -------
    ExcerptSet with ``quotes`` (what may be shown) and ``refused`` (approvals that no
    longer hold, with the reason).

    Raises
    ------
    CEIError when the approvals file is missing; SchemaError when it has no
    ``segment_id`` column.

    Examples
    --------
    >>> ok = cm.text.reviewed_excerpts(tables.text, "approved_excerpts.csv")  # doctest: +SKIP
    >>> ok.quotes[["question", "quote"]]  # doctest: +SKIP
    """
    import pandas as pd

    from ..io.scrub import scrub_text

    df = _check_text(text)
    appr, source = _read_approvals(approved)
    appr.columns = [str(c).strip().lower() for c in appr.columns]
    if C.SEGMENT_ID not in appr.columns:
        raise SchemaError(
            "the approvals have no segment_id column",
            file=source,
            row=1,
            column=C.SEGMENT_ID,
            fix="list the approved answers by their segment_id (from the review sheet)",
        )
    if APPROVED in appr.columns:
        appr = appr[appr[APPROVED].astype(str).str.strip().str.lower().isin(_YES)]
    appr = appr[appr[C.SEGMENT_ID].astype(str).str.strip().ne("")]
    by_id = df.set_index(df[C.SEGMENT_ID].astype(str))
    quotes, refused = [], []
    for _, a in appr.iterrows():
        sid = str(a[C.SEGMENT_ID]).strip()
        if sid not in by_id.index:
            refused.append((sid, "not in the text table"))
            continue
        row = by_id.loc[sid]
        if isinstance(row, pd.DataFrame):
            row = row.iloc[0]
        answer = str(row[C.TEXT])
        fp = str(a.get(FINGERPRINT, "") or "").strip()
        if fp and fp.lower() not in ("nan", "none") and fp != fingerprint(answer):
            refused.append((sid, "the answer changed since it was reviewed"))
            continue
        part = str(a.get(EXCERPT, "") or "").strip()
        if part and part.lower() not in ("nan", "none"):
            if part not in answer:
                refused.append((sid, "the approved excerpt is not in the answer"))
                continue
            answer = part
        quotes.append(
            {
                C.SEGMENT_ID: sid,
                C.INSTRUMENT: row.get(C.INSTRUMENT, ""),
                C.QUESTION_ID: row[C.QUESTION_ID],
                C.QUESTION: row.get(C.QUESTION, ""),
                C.LANGUAGE: row.get(C.LANGUAGE, ""),
                QUOTE: answer,
                APPROVED_ON: str(a.get(APPROVED_ON, "") or ""),
            }
        )
    q = pd.DataFrame(
        quotes,
        columns=[
            C.SEGMENT_ID,
            C.INSTRUMENT,
            C.QUESTION_ID,
            C.QUESTION,
            C.LANGUAGE,
            QUOTE,
            APPROVED_ON,
        ],
    )
    if len(q):
        q[QUOTE] = scrub_text(q[QUOTE].astype(str), names=list(names))
    r = pd.DataFrame(refused, columns=[C.SEGMENT_ID, REASON])
    notes = tuple(f"{k} approval(s) refused: {why}" for why, k in r[REASON].value_counts().items())
    return ExcerptSet(quotes=q, refused=r, source=source, n=len(q), notes=notes)
