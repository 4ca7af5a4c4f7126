"""``cei-metrics check RAW``: what each file is and what each analysis can do. Writes nothing."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..schemas import ALL_TABLES
from ._freetext import TEXT_ATTR
from .checks import AnalysisCheck, run_checks
from .dispatch import FolderRead, read_folder
from .spool import SpooledTable

__all__ = ["FolderCheck", "check_folder", "folder_tables"]


def folder_tables(folder: FolderRead) -> dict[str, pd.DataFrame]:
    """The canonical tables of a read folder and the extra ones (text, feedback, goals),
    in memory (ids not hashed: nothing is written)."""
    out = {}
    texts = [
        f.frame.attrs[TEXT_ATTR]
        for f in folder.files
        if f.status == "read" and f.frame is not None and len(f.frame.attrs.get(TEXT_ATTR, ()))
    ] + [
        f.spooled.text
        for f in folder.files
        if f.status == "read"
        and f.spooled is not None
        and f.spooled.text is not None
        and len(f.spooled.text)
    ]
    for t in ALL_TABLES:
        frames = []
        for f in folder.tables.get(t, []) if t != "text" else texts:
            if isinstance(f, SpooledTable):  # a large export, kept on disk while checking
                f = f.load() if f.rows else pd.DataFrame()
            if len(f):
                f = f.copy(deep=False)
                f.attrs = {}
                frames.append(f)
        if frames:
            df = pd.concat(frames, ignore_index=True)
            df.attrs = {}
            out[t] = df
        else:
            out[t] = pd.DataFrame()
    return out


@dataclass
class FolderCheck:
    """The answer of :func:`check_folder`."""

    raw_dir: str
    instrument: str
    files: list[dict]
    analyses: list[AnalysisCheck]
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return all(f["status"] != "failed" for f in self.files)

    def to_dict(self) -> dict:
        return {
            "raw_dir": self.raw_dir,
            "instrument": self.instrument,
            "files": self.files,
            "analyses": [a.to_dict() for a in self.analyses],
            "notes": self.notes,
        }

    def text(self) -> str:
        lines = [f"Checked {self.raw_dir} (instrument {self.instrument}); nothing was written.", ""]
        lines.append("Files")
        for f in self.files:
            head = f"- {f['file']}: "
            if f["status"] == "failed":
                lines.append(head + "REJECTED")
                lines.extend("    " + x for x in f["error"].splitlines())
                continue
            if f["status"] == "skipped":
                lines.append(head + f"skipped ({f['note']})")
                continue
            lines.append(
                head
                + f"{f['recognised_as']}: {f['rows_read']} rows read, {f['rows_kept']} kept"
                + (f", {f['rows_rejected']} rejected" if f["rows_rejected"] else "")
            )
            if f.get("matched"):
                lines.append(f"    {f['matched']}")
            for u in f.get("unrecognised", []):
                lines.append(
                    f"    unrecognised {u['what']} in column {u['column']!r}, rows {u['rows']} "
                    f"({u['count']} cell{'s' if u['count'] != 1 else ''}): {u['category']}"
                )
            for why, n in f.get("rejected_by_reason", {}).items():
                lines.append(f"    rejected rows: {why} ({n})")
            for d in f.get("districts", []):
                lines.append(
                    f"    district {d['text']!r} -> {d['directory']} ({d['how']}, {d['rows']} rows)"
                )
            if f.get("dropped"):
                lines.append(f"    columns dropped: {f['dropped']}")
            for n in f.get("notes", []):
                lines.append(f"    note: {n}")
        if self.notes:
            lines.append("")
            lines.extend(f"Note: {n}" for n in self.notes)
        lines.append("")
        lines.append("Analyses")
        lines.extend("  " + a.line() for a in self.analyses)
        return "\n".join(lines)


def check_folder(
    raw_dir: str | os.PathLike,
    instrument: str | os.PathLike = "family_engagement",
    **options,
) -> FolderCheck:
    """Read every file of ``raw_dir`` (writing nothing) and say what each file is and which
    analyses the data support (:mod:`cei_metrics.io.checks`)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="cei-check-") as spool:
        folder = read_folder(raw_dir, instrument, spool=Path(spool))
        return _check(folder, raw_dir, options)


def _check(folder: FolderRead, raw_dir, options: dict) -> FolderCheck:
    files = []
    root = Path(raw_dir)
    for fr in folder.files:
        rep = fr.report
        entry = {
            "file": str(fr.path.relative_to(root))
            if fr.path.is_relative_to(root)
            else str(fr.path),
            "status": fr.status,
            "recognised_as": fr.recognised_as,
            "table": fr.table,
            "rows_read": fr.rows_read,
            "rows_kept": fr.rows_kept,
            "rows_rejected": 0 if rep is None else len(rep.rejected),
            "note": fr.note if fr.status != "failed" else "",
            "error": str(fr.error) if fr.error is not None else "",
        }
        if rep is not None:
            entry["matched"] = getattr(rep, "matched", "")
            u = getattr(rep, "unrecognised", None)
            entry["unrecognised"] = [] if u is None or u.empty else u.to_dict("records")
            d = getattr(rep, "districts", None)
            entry["districts"] = [] if d is None or d.empty else d.to_dict("records")
            entry["rejected_by_reason"] = (
                rep.rejected["reason"].value_counts().to_dict() if len(rep.rejected) else {}
            )
            drop = rep.dropped_columns
            entry["dropped"] = ", ".join(f"{c} ({k})" for c, k in zip(drop["column"], drop["kind"]))
            entry["notes"] = list(getattr(rep, "notes", ()))
        files.append(entry)
    tables = folder_tables(folder)
    analyses = run_checks(tables, folder.instrument_obj, **options)
    return FolderCheck(str(raw_dir), folder.instrument, files, analyses, folder.notes)
