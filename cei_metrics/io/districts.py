"""Districts as users write them: CD codes, CDS codes or names.

A district cell may hold

- a 7-digit county-district (CD) code, ``5672538`` (also ``56-72538``);
- a 14-digit CDS code, ``56725380000000`` (a district's or one of its schools'; the first
  seven digits are the district);
- a name, matched to the CDE public districts directory shipped with the package
  (``cei_metrics/datasets/data/cde_pubdistricts_2021-12.csv``): ``Oxnard School District``,
  ``Oxnard SD``, ``Azusa USD``, ``Anaheim Union High School District``, ``Oxnard (Ventura)``.
  Case, accents, punctuation and the usual abbreviations (SD, USD, ESD, HSD, UHSD, JUSD,
  Elem, Jt) do not matter.

Every name match is reported. A name that fits more than one district (``Oxnard`` could
be Oxnard or Oxnard Union High) is an error listing the candidates; a code that is not 7
or 14 digits is an error naming the file and row and is never zero-padded into another
district (``12`` is not ``0000012``). A 7-digit code that is not in the directory is kept
and noted (new districts, and the synthetic demo's codes).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from .vocab import vocab_key

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["DistrictLookup", "district_directory", "resolve_district", "resolve_districts"]

DIRECTORY = (
    Path(__file__).resolve().parents[1] / "datasets" / "data" / "cde_pubdistricts_2021-12.csv"
)
_ABBR = {
    "usd": ["unified"],
    "jusd": ["joint", "unified"],
    "sd": [],
    "esd": ["elementary"],
    "uesd": ["union", "elementary"],
    "hsd": ["high"],
    "uhsd": ["union", "high"],
    "jt": ["joint"],
    "elem": ["elementary"],
    "el": ["elementary"],
    "un": ["union"],
    "coe": ["county", "office", "of", "education"],
    "h": ["high"],
}
_GENERIC = {"school", "schools", "district", "public", "the", "sd"}
_TYPE_DOC = {"elementary": "52", "unified": "54", "high": "56"}
DOC_TYPE = {"52": "elementary", "54": "unified", "56": "high"}


@cache
def district_directory() -> pd.DataFrame:
    """The shipped CDE public districts directory: cd_code, county, district, doc,
    doc_type, status (one row per LEA, 1,088 rows, December 2021)."""
    import pandas as pd

    return pd.read_csv(DIRECTORY, dtype=str, keep_default_na=False)


def _words(text: str) -> list[str]:
    import unicodedata

    s = unicodedata.normalize("NFKD", text)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold().replace("&", " and ")
    out = []
    for w in re.findall(r"[a-z0-9]+", s):
        out.extend(_ABBR.get(w, [w]))
    return out


def _core(words: list[str]) -> tuple[str, ...]:
    return tuple(w for w in words if w not in _GENERIC)


@cache
def _index() -> tuple[dict[tuple[str, ...], list[int]], list[tuple[str, ...]], set[str]]:
    d = district_directory()
    by_core: dict[tuple[str, ...], list[int]] = {}
    cores = []
    for i, name in enumerate(d["district"]):
        c = _core(_words(name))
        cores.append(c)
        by_core.setdefault(c, []).append(i)
    counties = {vocab_key(c) for c in d["county"]}
    return by_core, cores, counties


@dataclass(frozen=True)
class DistrictLookup:
    """How one cell was read: ``code`` (7 digits) or None with ``problem``."""

    code: str | None
    how: str  # "cd code", "cds code", "name", "approximate name", "" when not read
    problem: str = ""
    fix: str = ""
    name: str = ""  # the directory name and county of a match


def _label(i: int) -> str:
    d = district_directory().iloc[i]
    return f"{d['cd_code']} {d['district']} ({d['county']}, {d['doc_type']})"


def resolve_district(text: object) -> DistrictLookup:
    """Read one district cell (see the module docstring)."""
    t = "" if text is None else str(text).strip()
    if not t:
        return DistrictLookup(
            None, "", "the district is blank", "fill in the district's 7-digit CD code or name"
        )
    t = re.sub(r"\.0+$", "", t)
    if re.fullmatch(r"[\d\s\-]+", t):
        digits = re.sub(r"\D", "", t)
        d = district_directory()
        if len(digits) == 14:
            digits7 = digits[:7]
            how = "cds code"
        elif len(digits) == 7:
            digits7, how = digits, "cd code"
        else:
            fix = "write the district's 7-digit CD code or its 14-digit CDS code, as text"
            if len(digits) in (6, 13):
                guess = ("0" + digits)[:7]
                hit = d.index[d["cd_code"] == guess]
                if len(hit):
                    fix += (
                        f"; if a spreadsheet dropped a leading zero, the district may be "
                        f"{_label(int(hit[0]))}"
                    )
            return DistrictLookup(
                None, "", f"a {len(digits)}-digit number is not a CD (7) or CDS (14) code", fix
            )
        hit = d.index[d["cd_code"] == digits7]
        name = _label(int(hit[0])) if len(hit) else ""
        return DistrictLookup(digits7, how, name=name)
    return _by_name(t)


def _by_name(t: str) -> DistrictLookup:
    by_core, cores, counties = _index()
    d = district_directory()
    county = None
    m = re.search(r"\(([^)]*)\)\s*$", t)
    if m and vocab_key(m.group(1)) in counties:
        county = vocab_key(m.group(1))
        t = t[: m.start()]
    words = _words(t)
    if not words:
        return DistrictLookup(
            None, "", "the district is not a code or a name", "write the 7-digit CD code"
        )
    generic = any(w in _GENERIC for w in words) or t.strip().lower().endswith((" sd", " usd"))
    core = _core(words)

    def in_county(ix: list[int]) -> list[int]:
        if county is None:
            return ix
        return [i for i in ix if vocab_key(d["county"].iat[i]) == county]

    def result(ix: list[int], how: str) -> DistrictLookup | None:
        ix = in_county(ix)
        if len(ix) == 1:
            return DistrictLookup(str(d["cd_code"].iat[ix[0]]), how, name=_label(ix[0]))
        if len(ix) > 1:
            return _ambiguous(ix)
        return None

    exact = by_core.get(core, [])
    longer = [
        i
        for i, c in enumerate(cores)
        if len(c) > len(core) and c[: len(core)] == core and d["doc"].iat[i] in DOC_TYPE
    ]
    if exact and (generic or not in_county(longer)):
        r = result(exact, "name")
        if r:
            return r
    if exact and longer and not generic:
        return _ambiguous(in_county(exact + longer))
    # a type word (elementary, unified, high) that the directory name leaves out
    types = [w for w in core if w in _TYPE_DOC]
    if types:
        base = tuple(w for w in core if w not in _TYPE_DOC and w != "union")
        ix = [
            i
            for i, c in enumerate(cores)
            if tuple(w for w in c if w not in _TYPE_DOC and w != "union") == base
            and d["doc"].iat[i] == _TYPE_DOC[types[-1]]
        ]
        r = result(ix, "name")
        if r:
            return r
    if longer:
        r = result(longer, "name")
        if r:
            return r
    keys = [" ".join(c) for c in cores]
    close = difflib.get_close_matches(" ".join(core), keys, n=3, cutoff=0.88)
    ix = sorted({i for k in close for i, kk in enumerate(keys) if kk == k})
    r = result(ix, "approximate name")
    if r:
        return r
    return DistrictLookup(
        None,
        "",
        "the district name is not in the CDE public districts directory",
        "write the district's 7-digit CD code, or its name as the CDE directory writes it",
    )


def _ambiguous(ix: list[int]) -> DistrictLookup:
    cands = "; ".join(_label(i) for i in ix[:6])
    return DistrictLookup(
        None,
        "",
        f"the district name fits {len(ix)} districts: {cands}",
        "write the 7-digit CD code of the one meant, or its full name "
        "(e.g. 'Oxnard School District' or 'Oxnard Union High School District')",
    )


def resolve_districts(values: pd.Series) -> tuple[pd.Series, dict[str, DistrictLookup]]:
    """Resolve a column of district cells once per distinct value.

    Returns
    -------
    (codes, lookups): the 7-digit codes (None where not read) and the
    :class:`DistrictLookup` of every distinct cell text.
    """
    import pandas as pd

    uniq = pd.unique(values.astype(str))
    lookups = {u: resolve_district(u) for u in uniq}
    return values.astype(str).map({u: lk.code for u, lk in lookups.items()}), lookups
