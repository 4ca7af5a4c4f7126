r"""Small-cell suppression of exported tables, and the audit of an export folder.

Every table that leaves the analysis layer (a figure's CSV, a report table) passes
through :func:`suppress` first. :func:`audit` re-reads an export folder and reports any
cell or column that should not be there.

The rules
---------
* A count of people between 1 and ``threshold - 1`` (default :data:`MIN_CELL` = 11, the
  California Department of Education convention) is *small*. A count of 0 is shown: it
  names nobody. Dashboard colours use the larger :data:`DASHBOARD_MIN` = 30.
* A row with a small count is suppressed: its counts and every statistic computed on them
  (``estimate, std_error, ci_low, ci_high, p_val``, shares, percentages, rates) are
  blanked, and its ``suppressed`` flag is set.
* When a row holds both a numerator and a denominator, a small *complement*
  (``denominator - numerator``) suppresses the row too, since subtraction would reveal it.
* Complementary suppression: within each group of rows that add up to a known total
  (``by=``), if exactly one row is suppressed, the next-smallest row is suppressed as well,
  so the suppressed count cannot be recovered as total minus the rest; and rows keep being
  added until the suppressed rows together hold at least ``threshold`` people (or the
  whole group is suppressed), so the residual a total reveals is itself not small.

References
----------
California Department of Education, DataQuest and Dashboard data-file record layouts
("Blank if currdenom < 11"; "status level not presented when fewer than 30 students").
Federal Committee on Statistical Methodology (2005), *Statistical Policy Working Paper 22:
Report on Statistical Disclosure Limitation Methodology*, ch. 4 (primary and complementary
cell suppression).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ._results import ResultMixin
from .errors import PrivacyError, SchemaError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "DASHBOARD_MIN",
    "MIN_CELL",
    "AuditResult",
    "audit",
    "count_columns",
    "is_count_column",
    "is_pii_column",
    "suppress",
]

#: Smallest number of people a published cell may describe (CDE convention).
MIN_CELL = 11
#: Smallest number of students for which the Dashboard shows a colour.
DASHBOARD_MIN = 30

#: Name of the flag column :func:`suppress` adds.
FLAG = "suppressed"

_COUNT_NAMES = frozenset({"n", "count", "numerator", "denominator"})
#: Statistic columns blanked on a suppressed row (besides the counts themselves).
_STAT_NAMES = frozenset(
    {
        "estimate",
        "std_error",
        "ci_low",
        "ci_high",
        "p_val",
        "band_low",
        "band_high",
        "value",
        "share",
        "percent",
        "pct",
        "rate",
        "mean",
        "median",
        "sd",
        "left",
    }
)
_STAT_SUFFIXES = ("_share", "_pct", "_percent", "_rate", "_mean", "_estimate")
_PII_NAMES = frozenset(
    {
        "respondent_id",
        "participant_id",
        "student_id",
        "ssid",
        "email",
        "e-mail",
        "e_mail",
        "email_address",
        "phone",
        "phone_number",
        "telephone",
        "mobile",
        "first_name",
        "last_name",
        "firstname",
        "lastname",
        "full_name",
        "student_name",
        "parent_name",
        "participant_name",
        "respondent_name",
        "address",
        "street_address",
        "comment",
        "comments",
        "free_text",
        "freetext",
        "open_text",
        "open_response",
        "open_ended",
        "verbatim",
    }
)
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE_RE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?!\d)")


def is_count_column(name: object) -> bool:
    """Whether a column name holds a count of people: ``n``, ``count``, ``numerator``,
    ``denominator``, or a name starting ``n_`` or ending ``_n`` / ``_count``."""
    s = str(name).strip().lower()
    return (
        s in _COUNT_NAMES
        or s.endswith("_n")
        or s.startswith("n_")
        or s.endswith("_count")
        or s.endswith("_numerator")
        or s.endswith("_denominator")
    )


def is_pii_column(name: object) -> bool:
    """Whether a column name marks identifying or free-text data (ids, e-mail, phone,
    person names, comments)."""
    s = str(name).strip().lower().replace(" ", "_")
    return s in _PII_NAMES or s.endswith("_email") or s.endswith("_phone")


def _is_stat_column(name: object) -> bool:
    s = str(name).strip().lower()
    return s in _STAT_NAMES or s.endswith(_STAT_SUFFIXES)


def count_columns(table: pd.DataFrame) -> list[str]:
    """The columns of ``table`` that :func:`is_count_column` recognises."""
    return [c for c in table.columns if is_count_column(c) and c != FLAG]


def _as_list(x: str | Sequence[str] | None) -> list[str]:
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return list(x)


def _small(values: pd.Series, threshold: int):
    import numpy as np
    import pandas as pd

    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return (v > 0) & (v < threshold)


def suppress(
    table: pd.DataFrame,
    *,
    count_cols: str | Sequence[str] | None = None,
    n_col: str | None = "n",
    threshold: int = MIN_CELL,
    complementary: bool = True,
    by: str | Sequence[str] | None = None,
    total_rows: str | Sequence[bool] | None = None,
    value_cols: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    r"""Blank every cell that describes fewer than ``threshold`` people.

    A row is *primarily* suppressed when any of its count columns holds
    :math:`0 < x < t` (``t = threshold``), or when it has both a ``numerator`` and a
    ``denominator`` and :math:`0 < d - x < t`. With ``by=`` groups, complementary
    suppression then makes the number of suppressed rows in every group either 0 or at
    least 2: if exactly one row of a group is suppressed, the row with the next-smallest
    positive count (else the next-smallest count) is suppressed too, and further rows
    are added until the suppressed rows of the group hold at least ``threshold`` people
    or the whole group is suppressed.

    On a suppressed row the count columns and the statistic columns (house names
    ``estimate, std_error, ci_low, ci_high, p_val``, ``share``, ``percent``, ``rate``,
    ``value`` ... and ``value_cols``) are set to missing; key columns are kept.

    Parameters
    ----------
    table : tidy DataFrame, one row per cell.
    count_cols : columns holding counts of people. Default: every column that
        :func:`is_count_column` recognises (``n``, ``count``, ``numerator``,
        ``denominator``, ``n_*``, ``*_n``, ``*_count``).
    n_col : the column holding the number of people behind each row's statistics; it is
        always treated as a count column when present. ``None`` for none.
    threshold : smallest publishable count (default :data:`MIN_CELL` = 11).
    complementary : apply complementary suppression within ``by`` groups.
    by : columns whose value combinations define groups of rows that add up to a known
        (shown or derivable) total, e.g. ``["district_id", "item"]`` for the response
        categories of each item. Without ``by`` the whole table is one group only when
        ``total_rows`` is given; otherwise no complementary step is taken.
    total_rows : a boolean column name (or mask) marking rows that *are* the group total
        (e.g. an "All students" row). Totals are not candidates for complementary
        suppression; they are suppressed only when small themselves.
    value_cols : extra statistic columns to blank on suppressed rows.

    Returns
    -------
    DataFrame: a copy of ``table`` with suppressed cells missing, integer counts kept as
    nullable integers, and a boolean ``suppressed`` column. ``.attrs`` holds
    ``suppression = {"threshold", "suppressed_rows", "suppressed_cells",
    "complementary_rows", "count_cols"}``.

    Raises
    ------
    SchemaError if a named column is absent or a count column is not numeric.

    References
    ----------
    FCSM (2005) Statistical Policy Working Paper 22, ch. 4. CDE suppression rule
    (fewer than 11 students).

    Examples
    --------
    >>> tab = pd.DataFrame({"item": ["q1"] * 3, "response": [1, 2, 3], "count": [4, 30, 52]})
    >>> cm.privacy.suppress(tab, by="item")["suppressed"].tolist()
    [True, True, False]
    """
    import numpy as np
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise SchemaError(
            f"suppress() needs a DataFrame, got {type(table).__name__}",
            fix="convert the result with .to_frame() first",
        )
    if int(threshold) < 1:
        raise SchemaError(
            f"threshold must be a positive count, got {threshold!r}",
            fix="use the default MIN_CELL = 11 (or DASHBOARD_MIN = 30 for Dashboard colours)",
        )
    threshold = int(threshold)
    out = table.copy()
    if FLAG in out.columns:
        prior = out[FLAG].fillna(False).astype(bool).to_numpy()
    else:
        prior = np.zeros(len(out), dtype=bool)

    counts = _as_list(count_cols) if count_cols is not None else count_columns(out)
    if n_col is not None and n_col in out.columns and n_col not in counts:
        counts.append(n_col)
    if count_cols is not None and n_col is not None and n_col not in out.columns:
        pass  # an explicit count_cols list does not need the n column
    by_cols = _as_list(by)
    extra_vals = _as_list(value_cols)
    for col in [*counts, *by_cols, *extra_vals]:
        if col not in out.columns:
            raise SchemaError(
                f"column {col!r} named for suppression is not in the table",
                column=col,
                fix=f"the table has columns {list(out.columns)}; pass the right name",
            )
    for col in counts:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            conv = pd.to_numeric(out[col], errors="coerce")
            bad = conv.isna() & out[col].notna()
            if bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
                raise SchemaError(
                    f"count column holds a non-number {out[col][bad].iloc[0]!r}",
                    row=row,
                    column=col,
                    fix="counts must be whole numbers of people (blank when unknown)",
                )
            out[col] = conv

    n = len(out)
    primary = prior.copy()
    for col in counts:
        primary |= _small(out[col], threshold)
    lower = {str(c).lower(): c for c in counts}
    if "numerator" in lower and "denominator" in lower:
        num = pd.to_numeric(out[lower["numerator"]], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        den = pd.to_numeric(out[lower["denominator"]], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        comp = den - num
        primary |= (comp > 0) & (comp < threshold)

    flag = primary.copy()
    if complementary and counts and (by_cols or total_rows is not None):
        is_total = np.zeros(n, dtype=bool)
        if total_rows is not None:
            if isinstance(total_rows, str):
                if total_rows not in out.columns:
                    raise SchemaError(
                        f"total_rows column {total_rows!r} is not in the table",
                        column=total_rows,
                        fix="pass the name of a boolean column marking the total rows",
                    )
                is_total = out[total_rows].fillna(False).astype(bool).to_numpy()
            else:
                is_total = np.asarray(total_rows, dtype=bool)
                if is_total.shape != (n,):
                    raise SchemaError(
                        f"total_rows mask has {is_total.size} entries for {n} rows",
                        fix="give one True/False per row",
                    )
        key = counts[0] if n_col not in counts else n_col
        size = pd.to_numeric(out[key], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if by_cols:
            gid = out.groupby(by_cols, sort=False, dropna=False).ngroup().to_numpy()
        else:
            gid = np.zeros(n, dtype=int)
        flag = _complement(flag, size, gid, is_total, threshold)

    comp_rows = flag & ~primary
    stat_cols = [
        c for c in out.columns if c not in counts and c not in by_cols and _is_stat_column(c)
    ]
    stat_cols += [c for c in extra_vals if c not in stat_cols]
    blank = [*counts, *stat_cols]
    n_cells = 0
    for col in blank:
        s = out[col]
        was = s.notna().to_numpy()
        n_cells += int((was & flag).sum())
        if pd.api.types.is_integer_dtype(s) or (
            col in counts
            and pd.api.types.is_float_dtype(s)
            and bool(np.all(np.isnan(s[s.notna()]) | (s[s.notna()] % 1 == 0)))
        ):
            s = s.astype("Int64")
        elif pd.api.types.is_bool_dtype(s):
            s = s.astype("boolean")
        elif not pd.api.types.is_float_dtype(s):
            s = s.astype(object)
        s = s.mask(pd.Series(flag, index=out.index))
        out[col] = s
    out[FLAG] = flag
    out.attrs["suppression"] = {
        "threshold": threshold,
        "suppressed_rows": int(flag.sum()),
        "suppressed_cells": n_cells,
        "complementary_rows": int(comp_rows.sum()),
        "count_cols": list(map(str, counts)),
    }
    return out


def _complement(flag, size, gid, is_total, threshold):
    """Within each group, while exactly one non-total row is suppressed, or the suppressed
    rows together hold fewer than ``threshold`` people, also suppress the unsuppressed
    non-total row with the smallest positive size (else the smallest)."""
    import numpy as np

    flag = flag.copy()
    member = ~is_total
    n_groups = int(gid.max()) + 1 if gid.size else 0
    s = np.where(np.isnan(size), np.inf, size)
    pri = np.where(s > 0, 0, 1)
    base = np.lexsort((s, pri, gid))
    # a row suppressed earlier (count already blank) is taken to hold enough people
    fin = np.where(np.isfinite(s), s, float(threshold))
    while True:
        sup = member & flag
        n_sup = np.bincount(gid[sup], minlength=n_groups)
        tot = np.bincount(gid[sup], weights=fin[sup], minlength=n_groups)
        need = (n_sup == 1) | ((n_sup >= 1) & (tot < threshold))
        cand = member & ~flag & need[gid]
        order = base[cand[base]]
        if order.size == 0:
            return flag
        first = np.ones(order.size, dtype=bool)
        first[1:] = gid[order][1:] != gid[order][:-1]
        flag[order[first]] = True


# --------------------------------------------------------------------------- audit


@dataclass(frozen=True)
class AuditResult(ResultMixin):
    """What :func:`audit` found in an export folder.

    Attributes
    ----------
    ok : True when nothing escaped.
    findings : DataFrame with ``file, row, column, what`` (row is 1-based as a person
        counts data rows; 0 for the header or a whole file).
    n_files : how many CSV and JSON files were read.
    threshold : the small-cell threshold applied.
    root : the folder (or file) audited.
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
        for r in self.findings.head(20).itertuples(index=False):
            lines.append(f"  {r.file} row {r.row} column {r.column!r}: {r.what}")
        if len(self.findings) > 20:
            lines.append(f"  ... and {len(self.findings) - 20} more")
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
                fix="re-export the table through cm.privacy.suppress (cm.viz.save does this "
                "by default) and drop identifying or free-text columns",
            )
        return self


def _audit_csv(path: Path, threshold: int, findings: list[dict]) -> None:
    import numpy as np
    import pandas as pd

    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as err:  # unreadable CSV is itself a finding
        findings.append({"file": str(path), "row": 0, "column": "", "what": f"unreadable: {err}"})
        return
    for col in df.columns:
        if is_pii_column(col):
            findings.append(
                {
                    "file": str(path),
                    "row": 0,
                    "column": str(col),
                    "what": "identifying or free-text column present",
                }
            )
    flagged = set()
    for col in df.columns:
        if not is_count_column(col):
            continue
        v = pd.to_numeric(df[col].str.replace(",", "", regex=False), errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        for i in np.flatnonzero((v > 0) & (v < threshold)):
            flagged.add(int(i))
            findings.append(
                {
                    "file": str(path),
                    "row": int(i) + 1,
                    "column": str(col),
                    "what": f"count {v[i]:g} below the threshold {threshold}",
                }
            )
    lower = {str(c).lower(): c for c in df.columns}
    if "numerator" in lower and "denominator" in lower:
        num = pd.to_numeric(df[lower["numerator"]], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        den = pd.to_numeric(df[lower["denominator"]], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        for i in np.flatnonzero(((den - num) > 0) & ((den - num) < threshold)):
            findings.append(
                {
                    "file": str(path),
                    "row": int(i) + 1,
                    "column": str(lower["numerator"]),
                    "what": f"denominator - numerator = {den[i] - num[i]:g} below the "
                    f"threshold {threshold}",
                }
            )
    for col in df.columns:
        s = df[col]
        if s.empty:
            continue
        hit = s.str.contains(_EMAIL_RE, na=False)
        kind = "e-mail address"
        if not hit.any():
            hit = s.str.contains(_PHONE_RE, na=False)
            kind = "phone number"
        if hit.any():
            i = int(np.flatnonzero(hit.to_numpy())[0])
            findings.append(
                {
                    "file": str(path),
                    "row": i + 1,
                    "column": str(col),
                    "what": f"{kind} in a cell ({int(hit.sum())} cell(s))",
                }
            )


def _walk_strings(obj: object, where: str = "") -> Iterable[tuple[str, str]]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk_strings(v, f"{where}.{k}" if where else str(k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _walk_strings(v, f"{where}[{i}]")
    elif isinstance(obj, str):
        yield where, obj


def _audit_json(path: Path, threshold: int, findings: list[dict]) -> None:
    import hashlib

    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except Exception as err:
        findings.append({"file": str(path), "row": 0, "column": "", "what": f"unreadable: {err}"})
        return
    for key, text in _walk_strings(meta):
        if _EMAIL_RE.search(text) or _PHONE_RE.search(text):
            findings.append(
                {
                    "file": str(path),
                    "row": 0,
                    "column": key,
                    "what": "e-mail address or phone number in the sidecar",
                }
            )
    if not isinstance(meta, dict):
        return
    sup = meta.get("suppression")
    if isinstance(sup, dict):
        thr = sup.get("threshold")
        data_cols = meta.get("data_columns") or []
        if (sup.get("applied") is False or thr is None) and (
            not data_cols or any(is_count_column(c) for c in data_cols)
        ):
            findings.append(
                {
                    "file": str(path),
                    "row": 0,
                    "column": "suppression",
                    "what": "the data behind the figure was exported without suppression",
                }
            )
        elif thr is not None and float(thr) < threshold:
            findings.append(
                {
                    "file": str(path),
                    "row": 0,
                    "column": "suppression.threshold",
                    "what": f"suppressed at {thr}, below the audit threshold {threshold}",
                }
            )
    data_file = meta.get("data_file")
    digest = meta.get("data_sha256")
    if data_file and digest:
        csv = path.parent / str(data_file)
        if not csv.exists():
            findings.append(
                {
                    "file": str(path),
                    "row": 0,
                    "column": "data_file",
                    "what": f"the data file {data_file} it lists is missing",
                }
            )
        elif hashlib.sha256(csv.read_bytes()).hexdigest() != digest:
            findings.append(
                {
                    "file": str(csv),
                    "row": 0,
                    "column": "",
                    "what": "the CSV does not match the hash in its sidecar (edited after export?)",
                }
            )


def audit(
    path_or_dir: str | Path,
    *,
    threshold: int = MIN_CELL,
    raise_on_fail: bool = False,
) -> AuditResult:
    """Re-read every exported CSV and JSON sidecar under a folder and report leaks.

    A finding is any of: a count column (``n``, ``count``, ``numerator``,
    ``denominator``, ``*_n`` ...) holding a value between 1 and ``threshold - 1``; a
    numerator whose complement (denominator minus numerator) is that small; an
    identifying or free-text column (``respondent_id``, ``participant_id``, ``email``,
    ``phone``, ``first_name``, ``last_name``, ``comments`` ...); an e-mail address or
    phone number in any cell; a sidecar saying its data was suppressed at a lower
    threshold, or not at all while the data holds count columns (unsuppressed data that
    describes no people, such as district self-ratings, passes); a CSV whose bytes no
    longer match its sidecar's hash.

    Parameters
    ----------
    path_or_dir : an export folder (searched recursively) or one file.
    threshold : smallest publishable count (default :data:`MIN_CELL`).
    raise_on_fail : raise :class:`PrivacyError` instead of returning a failed result.

    Returns
    -------
    AuditResult with ``ok``, ``findings`` (file, row, column, what) and ``n_files``.

    Examples
    --------
    >>> cm.privacy.audit("figures").ok
    True
    """
    import pandas as pd

    root = Path(path_or_dir)
    if not root.exists():
        raise PrivacyError(
            "the folder to audit does not exist",
            file=root,
            fix="give the export folder, e.g. figures/ (run the report first)",
        )
    if root.is_file():
        files = [root]
    else:
        files = sorted(
            p
            for p in root.rglob("*")
            if p.is_file()
            and p.suffix.lower() in (".csv", ".json")
            and not any(part.startswith(".") for part in p.relative_to(root).parts)
        )
    findings: list[dict] = []
    for p in files:
        if p.suffix.lower() == ".csv":
            _audit_csv(p, int(threshold), findings)
        elif p.suffix.lower() == ".json":
            _audit_json(p, int(threshold), findings)
    frame = pd.DataFrame(findings, columns=["file", "row", "column", "what"])
    frame["row"] = frame["row"].astype(int)
    res = AuditResult(
        ok=frame.empty, findings=frame, n_files=len(files), threshold=int(threshold), root=str(root)
    )
    if raise_on_fail:
        res.raise_if_failed()
    return res
