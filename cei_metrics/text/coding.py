"""Human coding imported from spreadsheets (CSV, long or wide) and from the REFI-QDA
project exchange format (``.qdpx``) that NVivo, ATLAS.ti, MAXQDA and QualCoder export.

Every reader returns the **coding table**: one row per segment x coder x code, with
columns ``segment_id``, ``coder``, ``code`` (missing where the coder read the segment
and applied no code), and any other columns of the source (``text``, ``respondent_id``,
groups...). Applying the same code twice to a segment counts once.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Literal

from .._results import summary_html
from ..errors import CEIError, SchemaError, UnknownFormatError
from . import _cols as T

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .codebook import Codebook

__all__ = [
    "QDA_NAMESPACE",
    "QDPXProject",
    "presence",
    "read_coding",
    "read_qdpx",
]

#: XML namespace of a REFI-QDA project (``project.qde``).
QDA_NAMESPACE = "urn:QDA-XML:project:1.0"

_SEGMENT_ALIASES = (
    "segment_id", "segment", "segment id", "unit", "unit_id", "comment_id", "response_id",
    "id", "segmento", "respondent_id",
)  # fmt: skip
_CODER_ALIASES = (
    "coder", "coder_id", "rater", "coded_by", "coded by", "annotator", "user", "codificador",
    "codificadora",
)  # fmt: skip
_CODE_ALIASES = ("code", "codes", "theme", "themes", "codigo", "codigos", "tema", "temas")
_PRESENT = {"1", "1.0", "x", "yes", "y", "true", "t", "si", "sí", "✓", "✔"}
_ABSENT = {"", "0", "0.0", "no", "n", "false", "f"}
_SPLIT = re.compile(r"\s*[;|]\s*")


def _find(columns: Sequence[str], aliases: Sequence[str]) -> str | None:
    from ._normalize import fold

    normed = {re.sub(r"[^0-9a-z]+", "_", fold(c)).strip("_"): c for c in columns}
    for a in aliases:
        key = re.sub(r"[^0-9a-z]+", "_", fold(a)).strip("_")
        if key in normed:
            return normed[key]
    return None


def _frame(source: object) -> tuple[pd.DataFrame, str | None]:
    """The source as a frame of strings, and its file name (None for a frame)."""
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        out = source.copy()
        for c in out.columns:
            if not pd.api.types.is_string_dtype(out[c]) or out[c].isna().any():
                out[c] = out[c].map(
                    lambda v: (
                        ""
                        if v is None or v is pd.NA or (isinstance(v, float) and v != v)
                        else str(v)
                    )
                )
        out.columns = [str(c) for c in out.columns]
        return out, None
    from ..io._text import read_delimited

    raw = read_delimited(source)  # type: ignore[arg-type]
    return raw.frame, str(raw.path)


def _check_codes(out: pd.DataFrame, codebook: Codebook | None, file: str | None, rows, col) -> None:
    if codebook is None:
        return
    known = set(codebook.ids)
    vals = out[T.CODE]
    bad = vals.notna() & ~vals.isin(known)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise SchemaError(
            f"code {vals.iloc[i]!r} is not in codebook {codebook.name!r}",
            file=file,
            row=int(rows[i]) + 1,
            column=col,
            fix=f"use one of {list(codebook.ids)}, or add the code to the codebook",
        )


def read_coding(
    source: str | Path | pd.DataFrame,
    *,
    layout: Literal["auto", "long", "wide"] = "auto",
    codes: Sequence[str] | None = None,
    coder: str | None = None,
    codebook: str | Path | Codebook | None = None,
) -> pd.DataFrame:
    """Read human coding from a spreadsheet (CSV or a DataFrame).

    Two layouts:

    - **long**: one row per segment x code x coder, with columns for the segment
      (``segment_id``; also ``segment``, ``unit``, ``comment_id``, ``response_id``,
      ``id``, ``respondent_id``), the coder (``coder``; also ``rater``, ``coded_by``,
      ``annotator``, ``user``) and the code (``code``; also ``codes``, ``theme``). A
      cell may hold several codes separated by ``;`` or ``|``; a blank code means the
      coder read the segment and applied none.
    - **wide**: one row per segment x coder, one column per code marked ``1``/``x``/
      ``yes``/``true``/``sí`` (applied) or ``0``/blank/``no``/``false`` (not). Code
      columns are ``codes=`` when given, else every column (other than the segment and
      coder) whose cells are all such marks.

    ``layout="auto"`` picks long when a code column is present. Without a coder column,
    every row is attributed to ``coder=`` (required then).

    Parameters
    ----------
    source : CSV path (any delimiter or encoding :mod:`cei_metrics.io` reads) or a
        DataFrame.
    layout, codes, coder : see above.
    codebook : when given, every code must be one of its ids.

    Returns
    -------
    DataFrame: ``segment_id``, ``coder``, ``code`` (NA: no code), then the other
    columns of the source, one row per segment x coder x code.

    Raises
    ------
    SchemaError naming the file, row and column of the first problem.

    Examples
    --------
    >>> read_coding(pd.DataFrame({"segment": ["s1", "s1"], "coder": ["A", "B"],
    ...                           "code": ["trust", "trust; voice"]}))  # doctest: +SKIP
    """
    import pandas as pd

    cb = None
    if codebook is not None:
        from .codebook import load_codebook

        cb = load_codebook(codebook)
    df, file = _frame(source)
    cols = list(df.columns)
    seg = _find(cols, _SEGMENT_ALIASES)
    if seg is None:
        raise SchemaError(
            "no segment id column",
            file=file,
            row=0,
            fix=f"name the column of segment ids {T.SEGMENT_ID!r} (or segment, unit, id)",
        )
    cod = _find([c for c in cols if c != seg], _CODER_ALIASES)
    code_col = (
        _find([c for c in cols if c not in (seg, cod)], _CODE_ALIASES) if codes is None else None
    )
    if layout == "auto":
        layout = "long" if code_col is not None else "wide"
    if layout not in ("long", "wide"):
        raise SchemaError(f"layout={layout!r} is not known", fix='pass "auto", "long" or "wide"')
    if cod is None and coder is None:
        raise SchemaError(
            "no coder column",
            file=file,
            row=0,
            fix=f"add a {T.CODER!r} column, or pass coder='name' when one person coded the file",
        )
    seg_vals = df[seg].str.strip()
    blank = seg_vals.eq("")
    if blank.any():
        i = int(blank.to_numpy().nonzero()[0][0])
        raise SchemaError(
            "segment id is blank",
            file=file,
            row=i + 1,
            column=seg,
            fix="give every row its segment id",
        )
    coder_vals = df[cod].str.strip() if cod is not None else pd.Series(coder, index=df.index)
    if cod is not None and coder_vals.eq("").any():
        i = int(coder_vals.eq("").to_numpy().nonzero()[0][0])
        raise SchemaError(
            "coder is blank", file=file, row=i + 1, column=cod, fix="name the coder on every row"
        )
    if layout == "long":
        if code_col is None:
            raise SchemaError(
                "no code column for the long layout",
                file=file,
                row=0,
                fix=f"name the column of codes {T.CODE!r}, or pass layout='wide'",
            )
        extra = [c for c in cols if c not in (seg, cod, code_col)]
        parts = df[code_col].str.strip().map(lambda v: [p for p in _SPLIT.split(v) if p] or [None])
        rows = parts.map(len)
        rep = rows.index.repeat(rows.to_numpy())
        out = pd.DataFrame(
            {
                T.SEGMENT_ID: seg_vals.loc[rep].to_numpy(),
                T.CODER: coder_vals.loc[rep].to_numpy(),
                T.CODE: pd.array([p for ps in parts for p in ps], dtype="string"),
            }
        )
        src_rows = rep.to_numpy()
        for c in extra:
            out[c] = df[c].loc[rep].to_numpy()
        bad_col = code_col
    else:
        skip = {seg, cod, code_col}
        if codes is not None:
            missing = [c for c in codes if c not in cols]
            if missing:
                raise SchemaError(
                    f"code column {missing[0]!r} is not in the file",
                    file=file,
                    row=0,
                    column=missing[0],
                    fix=f"choose code columns among {cols}",
                )
            code_cols = list(codes)
        else:
            marks = _PRESENT | _ABSENT
            code_cols = [
                c for c in cols
                if c not in skip and df[c].str.strip().str.casefold().isin(marks).all()
                and df[c].str.strip().ne("").any()
            ]  # fmt: skip
        if not code_cols:
            raise SchemaError(
                "no code columns found for the wide layout",
                file=file,
                row=0,
                fix="mark codes with 1/0 (or x / blank) in one column per code, or pass codes=[...]",
            )
        extra = [c for c in cols if c not in skip and c not in code_cols]
        recs = []
        for c in code_cols:
            v = df[c].str.strip().str.casefold()
            odd = ~v.isin(_PRESENT | _ABSENT)
            if odd.any():
                i = int(odd.to_numpy().nonzero()[0][0])
                raise SchemaError(
                    f"{df[c].iloc[i]!r} is not a code mark",
                    file=file,
                    row=i + 1,
                    column=c,
                    fix="mark an applied code with 1 (or x, yes) and leave it blank or 0 otherwise",
                )
            hit = v.isin(_PRESENT).to_numpy()
            recs.append(pd.DataFrame({"_row": hit.nonzero()[0], T.CODE: c}))
        applied = pd.concat(recs, ignore_index=True)
        none = sorted(set(range(len(df))) - set(applied["_row"]))
        applied = pd.concat(
            [applied, pd.DataFrame({"_row": none, T.CODE: pd.NA})], ignore_index=True
        ).sort_values("_row", kind="stable")
        src_rows = applied["_row"].to_numpy()
        out = pd.DataFrame(
            {
                T.SEGMENT_ID: seg_vals.to_numpy()[src_rows],
                T.CODER: coder_vals.to_numpy()[src_rows],
                T.CODE: pd.array(applied[T.CODE].tolist(), dtype="string"),
            }
        )
        for c in extra:
            out[c] = df[c].to_numpy()[src_rows]
        bad_col = None
    _check_codes(out, cb, file, src_rows, bad_col)
    key = [T.SEGMENT_ID, T.CODER, T.CODE]
    out = out.drop_duplicates(key).reset_index(drop=True)
    # a segment x coder with codes needs no "no code" row
    has_code = out.groupby([T.SEGMENT_ID, T.CODER], sort=False)[T.CODE].transform("count") > 0
    out = out[out[T.CODE].notna() | ~has_code].reset_index(drop=True)
    return out


def presence(
    coding: pd.DataFrame,
    code: str,
    *,
    unit: str = T.SEGMENT_ID,
    coder: str = T.CODER,
    units: Sequence[object] | None = None,
    absent: Literal["no_code", "missing"] = "no_code",
) -> pd.DataFrame:
    """Units x coders table of 1 (coder applied ``code`` to the unit) and 0 (did not).

    Parameters
    ----------
    coding : a coding table (:func:`read_coding`, :func:`read_qdpx`).
    code : the code.
    unit : column identifying units (``segment_id``; ``source`` for whole documents).
    units : every unit that was coded (default: those in ``coding``).
    absent : a coder with no row at all for a unit applied no code to it ("no_code",
        the reading of QDA exports, where coders mark only what they code) or did not
        code it ("missing": NaN).
    """
    import numpy as np
    import pandas as pd

    for col in (unit, coder, T.CODE):
        if col not in coding.columns:
            raise SchemaError(
                f"the coding table has no column {col!r}",
                column=col,
                fix="pass a table from read_coding() or read_qdpx(), or name the column",
            )
    all_units = pd.Index(pd.unique(coding[unit]) if units is None else list(units))
    coders = pd.Index(pd.unique(coding[coder]))
    seen = (
        pd.crosstab(coding[unit], coding[coder]).reindex(
            index=all_units, columns=coders, fill_value=0
        )
        > 0
    )
    hit = coding[coding[T.CODE] == code]
    applied = (
        pd.crosstab(hit[unit], hit[coder]).reindex(index=all_units, columns=coders, fill_value=0)
        > 0
    )
    out = applied.astype(float)
    if absent == "missing":
        out = out.where(seen, np.nan)
    out.index.name = unit
    out.columns.name = coder
    return out


# --- REFI-QDA ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class QDPXProject:
    """A REFI-QDA project read from a ``.qdpx`` file.

    The project is imported data (human coding, as a reader returns it), not a result
    computed from data: a plain container with a one-line repr, a ``summary()``, a
    notebook display and ``to_frame()``, the coding table.

    Attributes
    ----------
    coding : one row per text selection x coding: ``segment_id`` (source guid and
        character span), ``source_id``, ``source`` (name), ``coder`` (user name),
        ``code`` (code name), ``code_id``, ``start``, ``end`` (zero-based character
        offsets, end exclusive), ``text`` (the selected text).
    codes : the codebook: ``code_id``, ``code``, ``parent_id``, ``code_path``
        (names from the root, joined by " / "), ``codable``, ``description``.
    sources : ``source_id``, ``source``, ``n_chars``.
    users : ``user_id``, ``coder``.
    name : the project's name.
    file : the file read.
    """

    coding: pd.DataFrame = field(repr=False)
    codes: pd.DataFrame = field(repr=False)
    sources: pd.DataFrame = field(repr=False)
    users: pd.DataFrame = field(repr=False)
    name: str
    file: str

    def to_frame(self) -> pd.DataFrame:
        return self.coding.copy()

    def summary(self) -> str:
        return (
            f"REFI-QDA project {self.name!r} ({self.file}): {len(self.sources)} text "
            f"sources, {len(self.codes)} codes, {len(self.users)} users, "
            f"{len(self.coding)} codings"
        )

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return (
            f"<QDPXProject {self.name!r}: {len(self.sources)} text sources, "
            f"{len(self.codes)} codes, {len(self.users)} users, {len(self.coding)} codings>"
        )

    def _repr_html_(self) -> str:
        return summary_html(self.summary(), self.to_frame())


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_qdpx(path: str | Path) -> QDPXProject:
    """Read the text codings of a REFI-QDA project exchange file (``.qdpx``).

    A ``.qdpx`` is a zip holding ``project.qde`` (XML in the namespace
    ``urn:QDA-XML:project:1.0``) and the sources' plain text under ``sources/``. Read:
    ``Users/User`` (coders: ``name``, else ``id``, else the guid), ``CodeBook/Codes/Code``
    (nested codes, ``isCodable``, ``Description``), ``Sources/TextSource`` (text from
    ``PlainTextContent`` or ``plainTextPath``, ``internal://`` meaning the zip's
    ``sources/`` folder) with its ``PlainTextSelection`` elements (``startPosition``,
    ``endPosition``: zero-based character offsets, end exclusive) and their
    ``Coding/CodeRef`` (the code's guid). The coder of a coding is its
    ``creatingUser``, else the selection's, else the source's. A coding placed on a whole
    source (``TextSource/Coding``) spans the source. Picture, PDF, audio and video
    sources are counted and skipped.

    Parameters
    ----------
    path : the ``.qdpx`` file, or the ``project.qde`` of an unzipped project (its
        ``sources/`` folder beside it).

    Returns
    -------
    QDPXProject (``.coding`` is a coding table, see :func:`read_coding`).

    Raises
    ------
    UnknownFormatError when the file is not a REFI-QDA project; CEIError naming the
    element's guid when a reference is dangling or a selection lies outside its text.

    References
    ----------
    REFI-QDA Project exchange standard 1.0 (Project.xsd, 2019), www.qdasoftware.org.
    """
    import xml.etree.ElementTree as ET

    import pandas as pd

    path = Path(path)
    file = str(path)
    if not path.exists():
        raise CEIError("file not found", file=file, fix="check the path")
    zf = None
    texts_in_zip: dict[str, str] = {}
    if zipfile.is_zipfile(path):
        zf = zipfile.ZipFile(path)
        names = {n.lower(): n for n in zf.namelist()}
        qde_name = names.get("project.qde") or next(
            (n for k, n in names.items() if k.endswith(".qde")), None
        )
        if qde_name is None:
            raise UnknownFormatError(
                "the zip holds no project.qde: not a REFI-QDA project file",
                file=file,
                fix="export the project from your QDA software as REFI-QDA (.qdpx)",
            )
        xml_bytes = zf.read(qde_name)
        texts_in_zip = names
    else:
        xml_bytes = path.read_bytes()
    try:
        root = ET.fromstring(xml_bytes)
    except ET.ParseError as err:
        raise UnknownFormatError(
            f"project.qde is not well-formed XML: {err}",
            file=file,
            row=err.position[0] if hasattr(err, "position") else None,
            fix="export the project again from the QDA software",
        ) from None
    ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if _local(root.tag) != "Project" or ns != QDA_NAMESPACE:
        raise UnknownFormatError(
            f"the root element is {root.tag!r}, not a REFI-QDA Project in namespace {QDA_NAMESPACE}",
            file=file,
            fix="export the project as REFI-QDA (.qdpx); a codebook-only .qdc file holds no coding",
        )
    q = f"{{{ns}}}"
    users = {}
    for u in root.iterfind(f"{q}Users/{q}User"):
        guid = u.get("guid", "")
        users[guid.strip("{}").lower()] = u.get("name") or u.get("id") or guid
    codes_rows: list[dict] = []

    def walk(el, parent: str | None, trail: tuple[str, ...]) -> None:
        for c in el.iterfind(f"{q}Code"):
            guid = (c.get("guid") or "").strip("{}").lower()
            name = c.get("name") or guid
            desc = c.find(f"{q}Description")
            codes_rows.append(
                {
                    T.CODE_ID: guid,
                    T.CODE: name,
                    T.PARENT_ID: parent,
                    T.CODE_PATH: " / ".join((*trail, name)),
                    T.CODABLE: (c.get("isCodable", "true").strip().lower() in ("true", "1")),
                    T.DESCRIPTION: (desc.text or "").strip() if desc is not None else "",
                }
            )
            walk(c, guid, (*trail, name))

    codes_el = root.find(f"{q}CodeBook/{q}Codes")
    if codes_el is not None:
        walk(codes_el, None, ())
    code_name = {r[T.CODE_ID]: r[T.CODE] for r in codes_rows}
    sources_rows = []
    coding_rows = []
    n_skipped = 0
    sources_el = root.find(f"{q}Sources")
    for src in list(sources_el) if sources_el is not None else []:
        kind = _local(src.tag)
        if kind != "TextSource":
            n_skipped += 1
            continue
        sid = (src.get("guid") or "").strip("{}").lower()
        sname = src.get("name") or sid
        content = src.find(f"{q}PlainTextContent")
        if content is not None:
            text = content.text or ""
        else:
            ref = src.get("plainTextPath")
            if not ref:
                raise CEIError(
                    f"text source {sname!r} (guid {sid}) has neither PlainTextContent nor plainTextPath",
                    file=file,
                    fix="export the project again with its sources",
                )
            if ref.startswith("internal://"):
                inner = "sources/" + ref[len("internal://") :]
                key = inner.lower()
                if zf is not None and key in texts_in_zip:
                    raw = zf.read(texts_in_zip[key])
                elif zf is None and (path.parent / inner).exists():  # an unzipped project
                    raw = (path.parent / inner).read_bytes()
                else:
                    raise CEIError(
                        f"text source {sname!r}: {inner} is not in the project",
                        file=file,
                        fix="export the project again with its sources included",
                    )
            else:
                local = Path(re.sub(r"^file://", "", ref))
                local = local if local.is_absolute() else path.parent / PurePosixPath(ref)
                if not local.exists():
                    raise CEIError(
                        f"text source {sname!r}: external file {ref} not found",
                        file=file,
                        fix="place the source file at that path, or export with sources included",
                    )
                raw = local.read_bytes()
            text = raw.decode("utf-8-sig", errors="replace")
        sources_rows.append({T.SOURCE_ID: sid, T.SOURCE: sname, T.N_CHARS: len(text)})
        src_user = src.get("creatingUser")

        pending: list[tuple] = []  # (coding element, start, end, selection user, id)
        for sel in src.iterfind(f"{q}PlainTextSelection"):
            gid = (sel.get("guid") or "").strip("{}").lower()
            try:
                start = int(sel.get("startPosition", ""))
                end = int(sel.get("endPosition", ""))
            except ValueError:
                raise CEIError(
                    f"selection {gid} in source {sname!r} has no integer startPosition/endPosition",
                    file=file,
                    fix="export the project again",
                ) from None
            if not 0 <= start <= end <= len(text):
                raise CEIError(
                    f"selection {gid} in source {sname!r} spans characters {start}-{end}, "
                    f"outside the text's {len(text)} characters",
                    file=file,
                    fix="check that the source text exported is the one that was coded",
                )
            for c_el in sel.iterfind(f"{q}Coding"):
                pending.append((c_el, start, end, sel.get("creatingUser"), gid))
        pending.extend((c_el, 0, len(text), None, sid) for c_el in src.iterfind(f"{q}Coding"))
        for coding_el, start, end, sel_user, sel_id in pending:
            ref = coding_el.find(f"{q}CodeRef")
            target = (ref.get("targetGUID") or "").strip("{}").lower() if ref is not None else ""
            if target not in code_name:
                raise CEIError(
                    f"coding {coding_el.get('guid')} in source {sname!r} refers to code "
                    f"{target or '(none)'}, which is not in the codebook",
                    file=file,
                    fix="export the project again; its codebook and codings disagree",
                )
            user = coding_el.get("creatingUser") or sel_user or src_user or ""
            coding_rows.append(
                {
                    T.SEGMENT_ID: f"{sid}:{start}-{end}",
                    T.SOURCE_ID: sid,
                    T.SOURCE: sname,
                    T.CODER: users.get(user.strip("{}").lower(), user or "unknown"),
                    T.CODE: code_name[target],
                    T.CODE_ID: target,
                    T.START: start,
                    T.END: end,
                    T.TEXT: text[start:end],
                    T.SELECTION_ID: sel_id,
                }
            )
    if zf is not None:
        zf.close()
    cols = [
        T.SEGMENT_ID,
        T.SOURCE_ID,
        T.SOURCE,
        T.CODER,
        T.CODE,
        T.CODE_ID,
        T.START,
        T.END,
        T.TEXT,
        T.SELECTION_ID,
    ]
    coding = pd.DataFrame(coding_rows, columns=cols).drop_duplicates(
        [T.SEGMENT_ID, T.CODER, T.CODE]
    )
    coding = coding.drop(columns=T.SELECTION_ID).reset_index(drop=True)
    coding[T.START] = coding[T.START].astype("int64")
    coding[T.END] = coding[T.END].astype("int64")
    return QDPXProject(
        coding=coding,
        codes=pd.DataFrame(
            codes_rows,
            columns=[T.CODE_ID, T.CODE, T.PARENT_ID, T.CODE_PATH, T.CODABLE, T.DESCRIPTION],
        ),
        sources=pd.DataFrame(sources_rows, columns=[T.SOURCE_ID, T.SOURCE, T.N_CHARS]),
        users=pd.DataFrame(
            [{T.USER_ID: k, T.CODER: v} for k, v in users.items()], columns=[T.USER_ID, T.CODER]
        ),
        name=root.get("name", ""),
        file=file,
    )
