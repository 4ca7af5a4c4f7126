"""Survey-tool exports recognised by their shape, normalised to one wide frame.

Each tool writes its export differently; :func:`read_wide_export` recognises the shape
and returns a :class:`WideExport` -- one row per response, one column per export column,
every cell text -- with each column's name and question text, so that one mapper
(:func:`cei_metrics.io.survey.read_survey_export`) builds the canonical long table from any
of them.

==================  ===========================================================================
tool                shape recognised
==================  ===========================================================================
Google Forms        CSV or xlsx whose first column is ``Timestamp`` (``Marca temporal``), then
                    ``Email Address`` when collected, then one column per question, grid
                    rows as ``Question [Row]``; no respondent id (one is made from file and row)
SurveyMonkey        ``Respondent ID, Collector ID, Start Date, End Date, IP Address, Email
                    Address, First Name, Last Name, Custom Data 1``, then questions; either one
                    header row or two (the second holds ``Response``, ``Open-Ended Response``
                    or the row/choice text of matrix and multiple-choice questions)
Qualtrics           three header rows: names (``StartDate, EndDate, Status, IPAddress, Progress,
                    Duration (in seconds), Finished, RecordedDate, ResponseId, RecipientLastName,
                    RecipientFirstName, RecipientEmail, ExternalReference, LocationLatitude,
                    LocationLongitude, DistributionChannel, UserLanguage, Q1, ...``), question
                    texts, and ``{"ImportId":"QID1"}``; answers as labels or numeric codes;
                    the legacy two-row export too
SPSS ``.sav``       variable names, variable labels (the question texts) and value labels
                    (what SurveyMonkey and Qualtrics both export)
Excel / CSV         any other table with one header row
==================  ===========================================================================

Rows are numbered as the file shows them in a spreadsheet (header = row 1); see
:mod:`cei_metrics.io._tabular`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..errors import InstrumentError
from ._tabular import Grid, read_grid
from .vocab import vocab_key

__all__ = ["QuestionMatch", "WideExport", "match_questions", "read_wide_export", "wide_from_grid"]

TOOLS = ("google_forms", "surveymonkey", "qualtrics", "spss", "excel", "csv")
TOOL_NAMES = {
    "google_forms": "Google Forms export",
    "surveymonkey": "SurveyMonkey export",
    "qualtrics": "Qualtrics export",
    "spss": "SPSS data file",
    "excel": "Excel survey table",
    "csv": "survey table",
}


@dataclass
class WideExport:
    """A survey export as one wide frame of text plus what is known about its columns.

    Attributes
    ----------
    frame : one row per response; columns 0..k-1 (positions), every cell a string.
    names : each column's name (first header row), duplicates kept.
    texts : each column's candidate question texts (question text row, matrix row text,
        variable label), used to match items.
    row_numbers : each response's row as a spreadsheet shows it.
    tool : one of ``TOOLS``.
    timezone : the zone of times written without one (Qualtrics' ``timeZone``).
    """

    frame: pd.DataFrame
    names: list[str]
    texts: list[list[str]]
    row_numbers: list[int]
    tool: str
    path: Path
    header_rows: int = 1
    timezone: str | None = None
    notes: list[str] = field(default_factory=list)
    synthetic: bool = False
    encoding: str = ""

    @property
    def tool_name(self) -> str:
        return TOOL_NAMES.get(self.tool, self.tool)


def _k(s: str) -> str:
    return vocab_key(s)


_QUALTRICS_META = {
    _k(x)
    for x in (
        "StartDate",
        "EndDate",
        "Status",
        "IPAddress",
        "Progress",
        "Duration (in seconds)",
        "Finished",
        "RecordedDate",
        "ResponseId",
        "ResponseID",
        "DistributionChannel",
        "UserLanguage",
    )
}


def _is_import_row(row: list[str]) -> bool:
    cells = [c for c in row if c]
    return bool(cells) and sum(c.startswith("{") and "importid" in c.lower() for c in cells) >= max(
        1, len(cells) // 2
    )


def wide_from_grid(g: Grid) -> WideExport:
    """Recognise the export shape of a grid read by :func:`read_grid`."""
    rows = g.rows
    if not rows:
        return WideExport(pd.DataFrame(), [], [], [], "csv", g.path, synthetic=g.synthetic)
    if g.kind == "spss":
        names = rows[0]
        texts = [[lab] if lab else [] for lab in g.labels]
        return _make(g, names, texts, 1, "spss")
    names = rows[0]
    keys = [_k(n) for n in names]
    second = rows[1] if len(rows) > 1 else []
    third = rows[2] if len(rows) > 2 else []
    tool = "excel" if g.kind == "excel" else "csv"
    # SurveyMonkey: Respondent ID and Collector ID; a second header row when the
    # respondent id cell of row 2 is blank
    if _k("Respondent ID") in keys and _k("Collector ID") in keys:
        rid = keys.index(_k("Respondent ID"))
        if second and not second[rid]:
            texts, last = [], ""
            for n, sub in zip(names, second):
                if n:
                    last = n
                q = n or last
                sub_k = _k(sub)
                if not sub or sub_k in (_k("Response"), _k("Open-Ended Response")):
                    texts.append([q])
                else:
                    texts.append([sub, f"{q} {sub}", q])
            names2 = [n or (t[0] if t else "") for n, t in zip(names, texts)]
            return _make(g, names2, texts, 2, "surveymonkey")
        return _make(g, names, [[n] for n in names], 1, "surveymonkey")
    # Qualtrics: metadata names, a question-text row, and (new exports) an ImportId row
    if len(_QUALTRICS_META & set(keys)) >= 3:
        header_rows = 1
        tz = None
        texts = [[] for _ in names]
        if second and not _is_import_row(second):
            header_rows = 2
            texts = [[t] if t else [] for t in second]
            if third and _is_import_row(third):
                header_rows = 3
                tz = _qualtrics_tz(third)
        elif second and _is_import_row(second):
            header_rows = 2
            tz = _qualtrics_tz(second)
        return _make(g, names, texts, header_rows, "qualtrics", tz)
    if keys and keys[0] in (_k("Timestamp"), _k("Marca temporal"), _k("Marca de tiempo")):
        texts = []
        for n in names:
            m = re.match(r"^(.*?)\s*\[(.*)\]\s*$", n)
            texts.append([m.group(2), n, m.group(1)] if m else [n])
        return _make(g, names, texts, 1, "google_forms")
    return _make(g, names, [[n] for n in names], 1, tool)


def _qualtrics_tz(row: list[str]) -> str | None:
    for c in row:
        if c.startswith("{"):
            try:
                j = json.loads(c)
            except (ValueError, TypeError):
                continue
            if isinstance(j, dict) and isinstance(j.get("timeZone"), str):
                return j["timeZone"]
    return None


def _make(
    g: Grid, names: list[str], texts: list[list[str]], header_rows: int, tool: str, tz=None
) -> WideExport:
    body = g.rows[header_rows:]
    nums = g.row_numbers[header_rows:]
    keep = [i for i, r in enumerate(body) if any(c for c in r)]
    body = [body[i] for i in keep]
    nums = [nums[i] for i in keep]
    w = len(names)
    frame = pd.DataFrame([r[:w] + [""] * (w - len(r)) for r in body], columns=range(w), dtype=str)
    if frame.empty:
        frame = pd.DataFrame({i: pd.Series([], dtype=str) for i in range(w)})
    return WideExport(
        frame=frame,
        names=[str(n).strip() for n in names],
        texts=[[str(t).strip() for t in ts if str(t).strip()] for ts in texts],
        row_numbers=nums,
        tool=tool,
        path=g.path,
        header_rows=header_rows,
        timezone=tz,
        notes=list(g.notes),
        synthetic=g.synthetic,
        encoding=g.encoding,
    )


def read_wide_export(path: str | Path) -> WideExport:
    """Read a survey-tool export (any format in the module docstring) as a
    :class:`WideExport`.

    A text file of more than a couple of megabytes has its header read from its head and
    its body parsed by pyarrow (:mod:`cei_metrics.io.stream`), which gives the same cells
    and row numbers many times faster than the grid reader."""
    from .stream import HEAD_ROWS, SMALL_BYTES, body_source, read_body

    path = Path(path)
    if path.suffix.lower() in (".csv", ".txt", ".tsv", ".tab", ".dat") and (
        path.exists() and path.stat().st_size > SMALL_BYTES
    ):
        head = read_grid(path, max_rows=HEAD_ROWS)
        wx = wide_from_grid(head)
        src = body_source(path, head, wx.header_rows)
        if src is not None:
            frame, rows = read_body(src)
            w = len(wx.names)
            if frame.shape[1] != w:
                frame = frame.reindex(columns=range(w), fill_value="")
            wx.frame = frame
            wx.row_numbers = rows.tolist()
            wx.notes.extend(src.notes)
            return wx
    return wide_from_grid(read_grid(path))


# question matching -----------------------------------------------------------------

_NUMBERING = re.compile(
    r"^\s*(?:(?:q|question|pregunta|p)\s*)?\d+[a-z]?(?:[._]\d+)*\s*(?:[.:)\]\-]+|\s(?=\D))\s*",
    re.IGNORECASE,
)
_BILINGUAL = re.compile(r"\s+/\s+|\s*\|\s*|\s*//\s*|\n+")


def question_keys(text: str) -> list[str]:
    """Folded forms of a header (cached; see :func:`_question_keys`)."""
    return list(_question_keys(str(text)))


@lru_cache(maxsize=50_000)
def _question_keys(text: str) -> tuple[str, ...]:
    """Folded forms of a header for matching: whole, without a numbering prefix ("Q3.",
    "3)"), and each half of a bilingual header ("Question / Pregunta")."""
    out = []
    for part in [text, *_BILINGUAL.split(text)]:
        for t in (part, _NUMBERING.sub("", part, count=1)):
            k = _k(t)
            if k and k not in out:
                out.append(k)
    return tuple(out)


@dataclass(frozen=True)
class QuestionMatch:
    """Which export columns hold which items."""

    items: dict[int, str]  # column position -> item id
    how: dict[int, str]  # column position -> "exact" / "contains" / "approximate"
    unmatched: tuple[str, ...]  # names of question-like columns that match no item
    n_items: int  # items in the instrument

    def summary(self) -> str:
        found = len(set(self.items.values()))
        text = f"{found} of {self.n_items} questions matched"
        if self.unmatched:
            shown = ", ".join(repr(u[:60]) for u in self.unmatched[:8])
            more = f" and {len(self.unmatched) - 8} more" if len(self.unmatched) > 8 else ""
            text += f"; unmatched columns: {shown}{more}"
        return text


def _item_keys(inst) -> dict[str, str]:
    out: dict[str, str] = {}
    for iid, item in inst.items.items():
        out.setdefault(_k(iid), iid)
        for t in item.text.values():
            for k in question_keys(t):
                out.setdefault(k, iid)
    return out


def match_questions(
    export: WideExport, inst, *, skip: set[int] = frozenset(), path: Path | None = None
) -> QuestionMatch:
    """Match export columns to the instrument's items by their question text.

    Exact after folding (case, accents, punctuation, numbering prefixes, either half of a
    bilingual header) first; then a header that contains an item's text (an instruction
    before it) or is a cut-off start of it (at least 30 characters); then a close
    spelling (difflib ratio >= 0.9, one best item). Columns in ``skip`` (metadata) are
    not considered.

    Raises
    ------
    InstrumentError when two columns hold the same item and cannot be merged (the same
    header twice, or both answered in one row), naming both columns.
    """
    import difflib

    keys = _item_keys(inst)
    long_keys = [(k, iid) for k, iid in keys.items() if len(k) >= 20]
    items: dict[int, str] = {}
    how: dict[int, str] = {}
    unmatched = []
    for j, name in enumerate(export.names):
        if j in skip:
            continue
        cands = [*export.texts[j], name] if j < len(export.texts) else [name]
        found, kind = None, ""
        ks = [k for c in cands for k in question_keys(c)]
        for k in ks:
            if k in keys:
                found, kind = keys[k], "exact"
                break
        if found is None:
            for k in ks:
                hits = {iid for ik, iid in long_keys if ik in k}
                hits |= {iid for ik, iid in long_keys if len(k) >= 30 and ik.startswith(k)}
                if len(hits) == 1:
                    found, kind = hits.pop(), "contains"
                    break
        if found is None:
            for k in ks:
                if len(k) < 15:
                    continue
                close = difflib.get_close_matches(k, [ik for ik, _ in long_keys], n=2, cutoff=0.9)
                ids = {keys[c] for c in close}
                if len(ids) == 1:
                    found, kind = ids.pop(), "approximate"
                    break
        if found is None:
            unmatched.append(name)
            continue
        items[j] = found
        how[j] = kind
    return QuestionMatch(items, how, tuple(unmatched), len(inst.items))


def plan_duplicate_items(
    export: WideExport, match: QuestionMatch, path: Path
) -> tuple[dict[str, int], list[tuple[int, int, str]]]:
    """One column per item: columns that hold the same item are merged when they are a
    language version each (different headers, never both answered in one row; the rows
    are checked as they are mapped).

    Returns item -> column position (the merged cells in the first column's place), and
    the (first, other, item) pairs to merge.

    Raises
    ------
    InstrumentError naming both columns when the same header appears twice (a second
    copy of a question is never silently dropped).
    """
    by_item: dict[str, list[int]] = {}
    for j, iid in match.items.items():
        by_item.setdefault(iid, []).append(j)
    out: dict[str, int] = {}
    merges: list[tuple[int, int, str]] = []
    for iid, cols in by_item.items():
        first = cols[0]
        for other in cols[1:]:
            a, b = export.names[first], export.names[other]
            if _k(a) == _k(b):
                raise InstrumentError(
                    f"two columns hold item {iid!r}: column {first + 1} {a[:60]!r} and "
                    f"column {other + 1} {b[:60]!r} (the same header appears twice)",
                    file=path,
                    row=1,
                    column=b[:80],
                    fix="remove or rename the repeated question column in the export "
                    "(a second copy of a question is never dropped silently)",
                )
            merges.append((first, other, iid))
        out[iid] = first
    return out, merges
