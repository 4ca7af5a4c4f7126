r"""The audit: read everything that leaves, report whatever should not be there.

:func:`audit` walks every file under the given folders, hidden files and folders
included, and reads each by what it is:

=====================  ======================================================================
file                   what is read
=====================  ======================================================================
CSV, TSV, TXT          a table, its delimiter sniffed (``,`` ``;`` tab ``|`` ``^``)
Parquet                a table
JSON, notebooks        every string; lists of records as tables; HTML inside as HTML
HTML                   every ``<table>`` as a table, and the page's text
SVG                    text elements and the comments matplotlib writes for each text
PDF                    the text of every page (``pypdf``)
PNG                    text chunks (``tEXt``, ``iTXt``, ``zTXt``) and other metadata
DOCX, XLSX             the XML text inside
anything else          its text when it decodes as UTF-8
=====================  ======================================================================

A *finding* is any of:

* a count column (by meaning, English or Spanish: :func:`is_count_column`) holding a
  whole number from 1 to ``threshold - 1``, or a part whose complement is that small;
* an identifying or free-text column (``email``, ``phone``, ``first_name``, ``nombre``,
  ``comments`` ...);
* in any cell or text: an e-mail address; a US phone number in any common form
  (``(562) 555-0134``, ``562.555.0134``, ``+1 562 555 0134``, ``5625550134``); a street
  address (``1234 W Maple Ave``, ``PO Box 12``, ``Calle Sol 12``); a person's name -- a
  word or name recorded at ingest (:func:`~cei_metrics.privacy.record_names`, compared as
  keyed hashes), an honorific and a surname (``Mrs. Lopez``, ``Sra. García``), a family
  named (``the Lopez family``, ``familia García``) or a common first name followed by a
  common surname (US Census name lists);
* a sidecar saying its data was not suppressed (while it holds counts) or was suppressed
  at a lower threshold, or a CSV that no longer matches its sidecar's hash.
"""

from __future__ import annotations

import functools
import io
import itertools
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._results import ResultMixin
from ..errors import PrivacyError
from ._rules import MIN_CELL, is_count_column, is_pii_column, normalise

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["AuditResult", "audit", "find_pii"]

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# written with separators or parentheses: (562) 555-0134, 562.555.0134, +1 562 555 0134
_PHONE_RE = re.compile(
    r"(?<![\w.])(?:\+?1[\s.\-]?)?(?:\(\s*\d{3}\s*\)\s*|\d{3}[\s.\-])\d{3}[\s.\-]\d{4}(?![\w])"
)
# bare digits: 5625550134, 15625550134, +15625550134 (NANP: area code and exchange 2-9)
_PHONE_BARE_RE = re.compile(r"(?<![\w.])\+?1?[2-9]\d{2}[2-9]\d{6}(?![\w.])")
_SUFFIX = (
    r"St|Street|Ave|Avenue|Av|Blvd|Boulevard|Rd|Road|Dr|Drive|Ln|Lane|Way|Ct|Court|Pl|Place|"
    r"Cir|Circle|Pkwy|Parkway|Hwy|Highway|Ter|Terrace|Trl|Trail|Sq|Square|Loop|Row|Aly"
)
_ADDRESS_RE = re.compile(
    r"(?<![\w-])\d{1,6}[A-Za-z]?\s+(?:[NSEW]\.?\s+|North\s+|South\s+|East\s+|West\s+)?"
    r"(?:[A-Z0-9][A-Za-z0-9'.-]*\s+){1,3}(?:" + _SUFFIX + r")\b\.?"
    r"|\b(?:P\.?\s?O\.?\s+Box|Apt\.?|Unit)\s+#?\d+"
    r"|\b(?:Calle|Avenida|Camino)\s+[A-Z][a-zA-Z]+(?:\s+[A-Z][a-zA-Z]+)?\s+#?\d{1,6}\b",
)
_HONORIFIC_RE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Sr|Sra|Srta|Señor|Señora|Senor|Senora|Don|Doña)\.?\s+"
    r"([A-ZÁÉÍÓÚÑ][a-záéíóúñ]+(?:[-\s][A-ZÁÉÍÓÚÑ][a-záéíóúñ]+)?)"
)
_FAMILY_RE = re.compile(
    r"\b(?:the\s+([A-ZÁÉÍÓÚÑ][a-záéíóúñ]+)\s+(?:family|household|kids|children)"
    r"|([A-ZÁÉÍÓÚÑ][a-záéíóúñ]+)\s+(?:family|household)(?:'s)?"
    r"|(?:[Ff]amilia|[Hh]ogar)\s+(?:de\s+)?([A-ZÁÉÍÓÚÑ][a-záéíóúñ]+))"
)
_CAP_PAIR_RE = re.compile(r"\b([A-Z][a-z]{1,15})\s+([A-Z][a-z]{1,20}(?:-[A-Z][a-z]+)?)\b")
_WORD_RE = re.compile(r"[A-Za-zÀ-ÿ]{3,}")
# capitalised words that are names in the census lists but ordinary words in reports
_NOT_NAMES = frozenset(
    """
    all also and are august average band best black brown can care change chance city
    close cohort count county court cross day dean early east english family fields
    first ford forest friend full gap general given golden grace grade grant green hall
    high hill home hope house island joint june king lane large less long love major
    march mark may mean median miles mill more most much new north note old over park
    parity people rose scale school see share small south spanish spring standard
    state stone story street summer table the total trust union unified valley village
    voice wave west white will wood year young
    """.split()
)


@dataclass(frozen=True)
class AuditResult(ResultMixin):
    """What :func:`audit` found.

    Attributes
    ----------
    ok : True when nothing escaped.
    findings : DataFrame ``file, row, column, what`` (row 1-based as a person counts data
        rows; 0 for a header, a whole file or text outside a table).
    n_files : how many files were read.
    threshold : the small-cell threshold applied.
    root : the folder(s) audited.
    """

    ok: bool
    findings: pd.DataFrame
    n_files: int
    threshold: int
    root: str

    def to_frame(self) -> pd.DataFrame:
        return self.findings.copy()

    def summary(self) -> str:
        head = (
            f"Privacy audit of {self.root}: {'OK' if self.ok else 'FAILED'} "
            f"({self.n_files} files, threshold {self.threshold}, "
            f"{len(self.findings)} finding(s))"
        )
        lines = [head]
        for r in self.findings.head(30).itertuples(index=False):
            lines.append(f"  {r.file} row {r.row} column {r.column!r}: {r.what}")
        if len(self.findings) > 30:
            lines.append(f"  ... and {len(self.findings) - 30} more")
        return "\n".join(lines)

    def raise_if_failed(self) -> AuditResult:
        """Raise :class:`PrivacyError` naming the first finding when the audit failed."""
        if not self.ok:
            f = self.findings.iloc[0]
            raise PrivacyError(
                f"{len(self.findings)} privacy finding(s); first: {f['what']}",
                file=f["file"],
                row=int(f["row"]) or None,
                column=str(f["column"]) or None,
                fix="export tables and figures through cm.privacy.release (cm.viz.save does "
                "this) and keep identifying or free-text data out of reports",
            )
        return self


# ------------------------------------------------------------------------- names


@functools.lru_cache(maxsize=1)
def _census() -> tuple[frozenset[str], frozenset[str]]:
    """Common US first names and surnames (1990 Census lists shipped by ``names``)."""
    try:
        import names as _names
    except ImportError:  # pragma: no cover - a declared dependency
        return frozenset(), frozenset()
    base = Path(_names.__file__).parent

    def read(fname: str, top: int) -> frozenset[str]:
        out = []
        for ln in (base / fname).read_text().splitlines()[:top]:
            if ln.strip():
                out.append(ln.split()[0].lower())
        return frozenset(out)

    first = read("dist.male.first", 600) | read("dist.female.first", 1200)
    last = read("dist.all.last", 8000)
    return first - _NOT_NAMES, last - _NOT_NAMES


_WORDS_RE = re.compile(r"[A-Za-z][A-Za-z'.-]*")


@functools.lru_cache(maxsize=1)
def _public_names() -> tuple[str, ...]:
    """Names of public LEAs and schools from the CDE extracts shipped with the package
    (the Priority 3, Dashboard and directory extracts of :mod:`cei_metrics.datasets` and
    the 2021 public districts directory): "John Swett Unified" names a district, not a
    person."""
    import pandas as pd

    from ..datasets import public as pub

    out: set[str] = set()
    for fn in (
        pub.public_directory,
        pub.public_p3_ratings,
        pub.public_p3_met,
        pub.public_dashboard,
    ):
        try:
            frame = fn()
        except Exception:  # pragma: no cover - shipped files; a broken install is no leak
            continue
        for col in frame.columns:
            if "name" in str(col).lower() and frame[col].dtype == object:
                out.update(str(v) for v in frame[col].dropna().unique())
    data = Path(pub.__file__).parent / "data" / "cde_pubdistricts_2021-12.csv"
    if data.exists():
        frame = pd.read_csv(data, dtype=str, usecols=lambda c: c == "district")
        out.update(frame["district"].dropna().tolist())
    return tuple(sorted(out))


@functools.lru_cache(maxsize=1)
def _public_pairs() -> frozenset[str]:
    """Every pair of adjacent words (lower case) in a public LEA or school name: a
    first-name-and-surname pair found there is the LEA's name, not a person's."""
    pairs = set()
    for name in _public_names():
        words = [w.strip(".'-").lower() for w in _WORDS_RE.findall(name)]
        pairs.update(f"{a} {b}" for a, b in itertools.pairwise(words))
    return frozenset(pairs)


@functools.lru_cache(maxsize=1)
def _recorded() -> tuple[bytes | None, frozenset[str]]:
    from .keys import hash_key, known_name_hashes

    hashes = known_name_hashes()
    if not hashes:
        return None, frozenset()
    try:
        key = hash_key(create=False)
    except PrivacyError:
        return None, frozenset()
    return key, frozenset(hashes)


def _name_hits(text: str) -> list[str]:
    hits = []
    first, last = _census()
    for m in _HONORIFIC_RE.finditer(text):
        hits.append(f"honorific and name {m.group(0)!r}")
    for m in _FAMILY_RE.finditer(text):
        nm = next(g for g in m.groups() if g)
        if nm.lower() not in _NOT_NAMES:
            hits.append(f"family named {m.group(0)!r}")
    public = None
    for m in _CAP_PAIR_RE.finditer(text):
        a, b = m.group(1).lower(), m.group(2).lower()
        if a in first and b.split("-")[0] in last:
            public = _public_pairs() if public is None else public
            if f"{a} {b}" not in public:
                hits.append(f"person's name {m.group(0)!r}")
    key, known = _recorded()
    if key is not None:
        from .keys import name_hash, name_tokens

        words = [w for w in _WORD_RE.findall(text) if w[0].isupper()]
        toks = set()
        for w in words:
            toks.update(name_tokens(w))
        for i in range(len(words) - 1):
            toks.update(name_tokens(f"{words[i]} {words[i + 1]}")[-1:])
        for tok in sorted(toks):
            if len(tok) >= 3 and name_hash(tok, key) in known:
                hits.append("a name recorded at ingest")
                break
    return hits


def find_pii(text: str) -> list[str]:
    """What personal data ``text`` holds: e-mails, phone numbers, street addresses and
    names, each as a short description (the value itself is not repeated in full)."""
    if not text or not isinstance(text, str):
        return []
    out = []
    for m in _EMAIL_RE.finditer(text):
        out.append(f"e-mail address {_mask(m.group(0))}")
    for m in [*_PHONE_RE.finditer(text), *_PHONE_BARE_RE.finditer(text)]:
        out.append(f"phone number {_mask(m.group(0))}")
    for m in _ADDRESS_RE.finditer(text):
        out.append(f"street address {_mask(m.group(0))}")
    out.extend(_name_hits(text))
    return out


def _mask(s: str) -> str:
    s = s.strip()
    return repr(s[:3] + "..." if len(s) > 6 else s[:1] + "...")


# ------------------------------------------------------------------------ tables


def _whole_small(v, threshold: int):
    import numpy as np

    with np.errstate(invalid="ignore"):
        return (v >= 1) & (v < threshold) & (np.abs(v - np.round(v)) < 1e-9)


def _to_num(s: pd.Series):
    import numpy as np
    import pandas as pd

    t = s.astype(str).str.replace(",", "", regex=False).str.strip().str.lstrip("'")
    return pd.to_numeric(t, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _check_table(df: pd.DataFrame, file: str, threshold: int, out: list[dict], where: str = ""):
    import numpy as np
    import pandas as pd

    pre = f"{where}: " if where else ""
    cols = [str(c) for c in df.columns]
    df = df.copy()
    df.columns = cols
    for c in cols:
        if is_pii_column(c):
            out.append(_f(file, 0, c, f"{pre}identifying or free-text column present"))
    for c in cols:
        if not is_count_column(c):
            continue
        v = _to_num(df[c])
        small = _whole_small(v, threshold)
        for i in np.flatnonzero(small)[:5]:
            out.append(_f(file, int(i) + 1, c, f"{pre}count {v[i]:g} below {threshold}"))
    low = {normalise(c): c for c in cols}
    for part, whole in (("numerator", "denominator"), ("count", "n"), ("numerador", "denominador")):
        if part in low and whole in low:
            d = _to_num(df[low[whole]]) - _to_num(df[low[part]])
            for i in np.flatnonzero(_whole_small(d, threshold))[:5]:
                out.append(
                    _f(
                        file,
                        int(i) + 1,
                        low[part],
                        f"{pre}{whole} - {part} = {d[i]:g} below {threshold}",
                    )
                )
    for c in cols:
        for m in find_pii(c):
            out.append(_f(file, 0, c, f"{pre}{m} in a column name"))
        s = df[c]
        if not (s.dtype == object or pd.api.types.is_string_dtype(s)):
            continue
        seen = 0
        for i, val in enumerate(s.tolist()):
            if not isinstance(val, str) or not val:
                continue
            for m in find_pii(val):
                out.append(_f(file, i + 1, c, f"{pre}{m}"))
                seen += 1
            if seen >= 5:
                break


def _f(file: str, row: int, column: str, what: str) -> dict:
    return {"file": file, "row": int(row), "column": str(column), "what": what}


def _text_findings(text: str, file: str, out: list[dict], where: str = "") -> None:
    pre = f"{where}: " if where else ""
    for m in find_pii(text)[:20]:
        out.append(_f(file, 0, "", f"{pre}{m}"))


# ------------------------------------------------------------------------ readers


def _read_delimited(path: Path) -> pd.DataFrame:
    import csv

    import pandas as pd

    raw = path.read_bytes()
    for enc in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    sample = text[:20000]
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=",;\t|^").delimiter
    except csv.Error:
        counts = {d: sample.splitlines()[0].count(d) if sample else 0 for d in ",;\t|^"}
        sep = max(counts, key=counts.get) if any(counts.values()) else ","
    return pd.read_csv(
        io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, engine="python"
    )


def _html_rows(tab) -> list[tuple[bool, list[str], list[bool]]]:
    """The table's rows as (header row?, cells, which cells are ``<th>``), each cell
    repeated over its colspan."""
    out = []
    for tr in tab.find_all("tr"):
        cells = tr.find_all(["th", "td"])
        if not cells:
            continue
        texts: list[str] = []
        is_th: list[bool] = []
        for c in cells:
            try:
                span = max(1, min(int(c.get("colspan", 1)), 1000))
            except (TypeError, ValueError):
                span = 1
            texts.extend([c.get_text(" ", strip=True)] * span)
            is_th.extend([c.name == "th"] * span)
        out.append((not tr.find_all("td"), texts, is_th))
    return out


def _column_name(labels: list[str], i: int, index: bool = False) -> str:
    """One name for a column from its header labels (one per header row). A data column
    takes a label that names a count of people when there is one (a pivot's ``n`` above
    its years), else the deepest label. An index column (``<th>`` cells in the body) takes
    the deepest label: pandas writes the index's name on the last header row and the
    columns' name above it."""
    labels = [x for x in labels if x]
    if not labels:
        return f"col{i}"
    if index:
        return labels[-1]
    counting = [x for x in labels if is_count_column(x)]
    return counting[-1] if counting else labels[-1]


def _unique(names: list[str]) -> list[str]:
    """Column names made unique (``n``, ``n_2``, ``n_3``: a repeated count name stays a
    count name)."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        k = seen.get(n, 0) + 1
        seen[n] = k
        out.append(n if k == 1 else f"{n}_{k}")
    return out


def _html_tables(html: str) -> list[pd.DataFrame]:
    """Every ``<table>`` of a page as a frame of text cells. Header rows (only ``<th>``,
    before the first row with a ``<td>``) name the columns, right-aligned (the index
    columns may have no header cell), with ``colspan`` expanded, so a pivot's
    multi-level header gives one name per column; repeated names are made unique."""
    import pandas as pd
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    frames = []
    for tab in soup.find_all("table"):
        heads, body, kinds = [], [], []
        for is_head, r, th in _html_rows(tab):
            if is_head and not body:
                heads.append(r)
            else:
                body.append(r)
                kinds.append(th)
        if not body or len(heads) + len(body) < 2:
            continue
        width = max(len(r) for r in body)
        labels: list[list[str]] = [[] for _ in range(width)]
        for h in heads:  # right-align header cells (the index column has none)
            h = h[-width:] if len(h) >= width else [""] * (width - len(h)) + h
            for j, x in enumerate(h):
                labels[j].append(x)
        first = kinds[0] + [False] * (width - len(kinds[0]))
        names = _unique([_column_name(lab, i, first[i]) for i, lab in enumerate(labels)])
        body = [r[:width] + [""] * (width - len(r)) for r in body]
        frames.append(pd.DataFrame(body, columns=names))
    return frames


def _html_text(html: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for s in soup(["script", "style"]):
        s.decompose()
    return soup.get_text(" ")


def _audit_html(html: str, file: str, threshold: int, out: list[dict], where: str = ""):
    for i, df in enumerate(_html_tables(html)):
        _check_table(df, file, threshold, out, where=f"{where}table {i + 1}".strip())
    _text_findings(_html_text(html), file, out, where)


def _walk(obj: Any, where: str = "") -> Iterable[tuple[str, Any]]:
    if isinstance(obj, dict):
        yield where, obj
        for k, v in obj.items():
            yield from _walk(v, f"{where}.{k}" if where else str(k))
    elif isinstance(obj, list):
        yield where, obj
        for i, v in enumerate(obj):
            yield from _walk(v, f"{where}[{i}]")
    else:
        yield where, obj


#: sidecar fields that count rows or cells of a file, not people
_META_KEYS = frozenset(
    {"data_rows", "suppressed_rows", "suppressed_cells", "complementary_rows", "threshold"}
)


def _audit_json_obj(obj: Any, file: str, threshold: int, out: list[dict]) -> None:
    import pandas as pd

    for where, v in _walk(obj):
        if isinstance(v, list) and v and all(isinstance(r, dict) for r in v):
            try:
                df = pd.DataFrame(v).astype(str)
            except (ValueError, TypeError):
                continue
            _check_table(df, file, threshold, out, where=where or "records")
        elif isinstance(v, dict):
            for k, x in v.items():
                if (
                    isinstance(x, (int, float))
                    and not isinstance(x, bool)
                    and k not in _META_KEYS
                    and is_count_column(k)
                ):
                    if 1 <= x < threshold and float(x).is_integer():
                        out.append(
                            _f(file, 0, f"{where}.{k}".strip("."), f"count {x:g} below {threshold}")
                        )
                if is_pii_column(k) and x not in (None, "", [], {}):
                    out.append(
                        _f(
                            file,
                            0,
                            f"{where}.{k}".strip("."),
                            "identifying or free-text field present",
                        )
                    )
        elif isinstance(v, str) and v:
            if "<table" in v or "<div" in v or "<p>" in v:
                _audit_html(v, file, threshold, out, where=where)
            else:
                for m in find_pii(v)[:10]:
                    out.append(_f(file, 0, where, m))


def _audit_sidecar(meta: dict, path: Path, threshold: int, out: list[dict]) -> None:
    import hashlib

    sup = meta.get("suppression")
    if isinstance(sup, dict):
        thr = sup.get("threshold")
        data_cols = meta.get("data_columns") or []
        if (sup.get("applied") is False or thr is None) and (
            not data_cols or any(is_count_column(c) for c in data_cols)
        ):
            out.append(
                _f(
                    str(path),
                    0,
                    "suppression",
                    "the data behind the figure was exported without suppression",
                )
            )
        elif thr is not None and float(thr) < threshold:
            out.append(
                _f(
                    str(path),
                    0,
                    "suppression.threshold",
                    f"suppressed at {thr}, below the audit threshold {threshold}",
                )
            )
    data_file, digest = meta.get("data_file"), meta.get("data_sha256")
    if data_file and digest:
        csv = path.parent / str(data_file)
        if not csv.exists():
            out.append(_f(str(path), 0, "data_file", f"the data file {data_file} is missing"))
        elif hashlib.sha256(csv.read_bytes()).hexdigest() != digest:
            out.append(
                _f(
                    str(csv),
                    0,
                    "",
                    "the CSV does not match the hash in its sidecar (edited after export?)",
                )
            )


def _svg_text(raw: str) -> str:
    from xml.etree import ElementTree as ET

    parts = re.findall(r"<!--(.*?)-->", raw, flags=re.S)
    try:
        root = ET.fromstring(raw)
        for el in root.iter():
            if el.text and el.text.strip():
                parts.append(el.text)
    except ET.ParseError:
        parts.append(re.sub(r"<[^>]+>", " ", raw))
    return "\n".join(parts)


def _png_text(path: Path) -> str:
    from PIL import Image

    with Image.open(path) as im:
        im.load()
        info = dict(getattr(im, "text", {}) or {})
        for k, v in im.info.items():
            if isinstance(v, (str, bytes)) and k not in info:
                info[k] = v
    return "\n".join(
        f"{k}: {v.decode('utf-8', 'replace') if isinstance(v, bytes) else v}"
        for k, v in info.items()
    )


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    parts = [page.extract_text() or "" for page in reader.pages]
    meta = reader.metadata or {}
    parts.extend(str(v) for v in meta.values())
    return "\n".join(parts)


def _audit_file(p: Path, threshold: int, out: list[dict]) -> None:
    import pandas as pd

    suf = p.suffix.lower()
    f = str(p)
    if suf in (".csv", ".tsv", ".tab", ".psv"):
        _check_table(_read_delimited(p), f, threshold, out)
    elif suf == ".txt":
        try:
            df = _read_delimited(p)
            if df.shape[1] > 1:
                _check_table(df, f, threshold, out)
        except Exception:  # not a table: its text is still read below
            pass
        _text_findings(p.read_text(encoding="utf-8", errors="replace"), f, out)
    elif suf == ".parquet":
        _check_table(pd.read_parquet(p).astype(str), f, threshold, out)
    elif suf in (".json", ".ipynb", ".geojson"):
        obj = json.loads(p.read_text(encoding="utf-8"))
        _audit_json_obj(obj, f, threshold, out)
        if isinstance(obj, dict) and "suppression" in obj:
            _audit_sidecar(obj, p, threshold, out)
    elif suf in (".html", ".htm", ".xhtml"):
        _audit_html(p.read_text(encoding="utf-8", errors="replace"), f, threshold, out)
    elif suf == ".svg":
        _text_findings(_svg_text(p.read_text(encoding="utf-8", errors="replace")), f, out)
    elif suf == ".pdf":
        _text_findings(_pdf_text(p), f, out)
    elif suf == ".png":
        _text_findings(_png_text(p), f, out, "PNG metadata")
    elif suf in (".docx", ".xlsx", ".pptx", ".odt"):
        with zipfile.ZipFile(p) as z:
            text = " ".join(
                re.sub(r"<[^>]+>", " ", z.read(n).decode("utf-8", "replace"))
                for n in z.namelist()
                if n.endswith(".xml")
            )
        _text_findings(text, f, out)
    elif suf in (".jpg", ".jpeg", ".gif", ".webp", ".ico", ".woff", ".woff2", ".ttf"):
        return
    else:
        raw = p.read_bytes()
        if b"\x00" in raw[:4096]:
            return
        _text_findings(raw.decode("utf-8", errors="replace"), f, out)


def audit(
    *paths: str | Path,
    threshold: int = MIN_CELL,
    raise_on_fail: bool = False,
) -> AuditResult:
    """Read every file under the given folders (hidden ones included) and report leaks.

    Parameters
    ----------
    paths : folders (searched recursively) or files, e.g. ``"figures", "reports"``.
    threshold : smallest publishable count (default :data:`MIN_CELL`).
    raise_on_fail : raise :class:`PrivacyError` instead of returning a failed result.

    Returns
    -------
    AuditResult with ``ok``, ``findings`` (file, row, column, what) and ``n_files``.

    Examples
    --------
    >>> cm.privacy.audit("figures", "reports").ok
    True
    """
    import pandas as pd

    if not paths:
        paths = ("figures",)
    files: list[Path] = []
    for root in map(Path, paths):
        if not root.exists():
            raise PrivacyError(
                "the folder to audit does not exist",
                file=root,
                fix="give the export folders, e.g. figures/ reports/ (run the report first)",
            )
        files.extend(
            [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        )
    _recorded.cache_clear()
    findings: list[dict] = []
    for p in files:
        if p.name.endswith(".tmp"):
            continue
        try:
            _audit_file(p, int(threshold), findings)
        except Exception as err:  # a file the audit cannot read is itself a finding
            findings.append(_f(str(p), 0, "", f"unreadable ({type(err).__name__}): {err}"))
    frame = pd.DataFrame(findings, columns=["file", "row", "column", "what"])
    frame = frame.drop_duplicates().reset_index(drop=True)
    frame["row"] = frame["row"].astype(int)
    res = AuditResult(
        ok=frame.empty,
        findings=frame,
        n_files=len(files),
        threshold=int(threshold),
        root=", ".join(map(str, paths)),
    )
    if raise_on_fail:
        res.raise_if_failed()
    return res


def _as_paths(x: str | Path | Sequence[str | Path]) -> list[Path]:
    if isinstance(x, (str, Path)):
        return [Path(x)]
    return [Path(p) for p in x]
