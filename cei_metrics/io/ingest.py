"""Ingest: raw files in, validated and scrubbed canonical tables out.

:func:`ingest` reads every file in ``raw_dir`` with the reader that fits it, validates
each canonical table against its schema, drops personally identifying and free-text
columns, replaces respondent and participant ids by salted hashes, and writes one
parquet file per table to ``processed_dir`` -- each written to a temporary file and
renamed into place only after every table has been built and validated, so a failed run
leaves the previous processed data as it was. ``raw_dir`` is only ever read.

Which reader reads which file is decided by the file's content
(:mod:`cei_metrics.io.dispatch`): survey-tool exports (Google Forms, SurveyMonkey,
Qualtrics, SPSS, Excel), sign-in sheets, rosters, ratings tables and CDE files. One bad
file never stops the others: it is listed as failed with the error naming its row (as a
spreadsheet shows it: header = row 1), column and fix, and :meth:`IngestReport.failed`
is true. Without a roster one is built from the data's districts and the CDE directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._results import ResultMixin
from ..errors import CEIError
from ..schemas import TABLES, C, validate
from .dispatch import read_folder
from .tables import atomic_write_parquet

__all__ = ["IngestReport", "hash_ids", "ingest"]

_REP_COLS = ["file", "row", "column", "reason"]
SALT_ENV = "CEI_SALT"


@dataclass(frozen=True)
class IngestReport(ResultMixin):
    """What :func:`ingest` read, kept, rejected and removed.

    Attributes
    ----------
    files : one row per raw file: file, reader, table, rows_read, rows_kept,
        rows_rejected, synthetic, status ("read", "skipped" or "failed").
    rejections : rows rejected whole, with file, row, column and reason.
    repairs : cells repaired (made missing) with file, row, column and reason.
    pii_removed : columns dropped: file, column, kind ("pii", "free_text", "unmapped").
    tables : rows written per canonical table.
    processed_dir : where the parquet files are.
    synthetic : whether any input declared itself synthetic demo data.
    """

    files: pd.DataFrame
    rejections: pd.DataFrame
    repairs: pd.DataFrame
    pii_removed: pd.DataFrame
    tables: dict[str, int]
    processed_dir: str
    synthetic: bool
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> bool:
        """True when a file was rejected (``cei-metrics ingest`` then exits non-zero)."""
        return bool((self.files["status"] == "failed").any())

    @property
    def rows_read(self) -> int:
        return int(self.files["rows_read"].sum())

    @property
    def rows_kept(self) -> int:
        return int(self.files["rows_kept"].sum())

    @property
    def rows_rejected(self) -> int:
        return len(self.rejections)

    def to_frame(self) -> pd.DataFrame:
        return self.files.copy()

    def summary(self) -> str:
        f = self.files
        lines = [
            f"Ingest into {self.processed_dir}: {len(f)} file(s), "
            f"{self.rows_read:,} rows read, {self.rows_kept:,} kept, "
            f"{self.rows_rejected:,} rejected, {len(self.repairs):,} cells repaired"
            + (" (synthetic demo data)" if self.synthetic else ""),
            "Tables written: " + ", ".join(f"{t} {n:,}" for t, n in self.tables.items()),
        ]
        pii = self.pii_removed[self.pii_removed["kind"].isin(["pii", "free_text"])]
        if len(pii):
            cols = sorted(set(pii["column"]))
            lines.append(f"Removed personal / free-text columns: {', '.join(cols)}")
        bad = f[f["status"] != "read"]
        for _, r in bad.iterrows():
            lines.append(f"{r['status']}: {Path(r['file']).name}: {r['note']}")
        if len(self.rejections):
            top = self.rejections["reason"].value_counts().head(5)
            lines.append(
                "Rejected rows by reason: " + "; ".join(f"{k} ({v})" for k, v in top.items())
            )
        lines.extend(self.notes)
        return "\n".join(lines)


def _salt(processed_dir: Path, salt: str | None) -> str:
    if salt:
        return salt
    if os.environ.get(SALT_ENV):
        return os.environ[SALT_ENV]
    p = processed_dir / ".salt"
    if p.exists():
        return p.read_text().strip()
    value = secrets.token_hex(16)
    processed_dir.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".tmp")
    tmp.write_text(value)
    os.replace(tmp, p)
    return value


def hash_ids(ids: pd.Series, salt: str, *, length: int = 16) -> pd.Series:
    """Replace ids by the first ``length`` hex digits of sha256(salt + ":" + id).

    The same id and salt always give the same hash (so waves link up); without the salt
    the hash cannot be reversed by trying likely ids. Missing ids stay missing.
    """
    uniq = pd.unique(ids.dropna())
    table = {u: hashlib.sha256(f"{salt}:{u}".encode()).hexdigest()[:length] for u in uniq}
    return ids.map(table)


def ingest(
    raw_dir: str | os.PathLike,
    processed_dir: str | os.PathLike,
    *,
    instrument: str | os.PathLike = "family_engagement",
    salt: str | None = None,
    strict: bool = False,
    progress: bool = False,
) -> IngestReport:
    """Read, validate and scrub every raw file; write the canonical tables as parquet.

    Parameters
    ----------
    raw_dir : folder of raw files (read only; never modified).
    processed_dir : folder for ``survey.parquet``, ``participation.parquet``,
        ``outcomes.parquet``, ``ratings.parquet``, ``roster.parquet`` and
        ``ingest_report.json``.
    instrument : the instrument of the survey exports.
    salt : salt for hashing ids; by default the ``CEI_SALT`` environment variable, else a
        random salt created once and kept in ``processed_dir/.salt``.
    strict : stop at the first problem: a file that cannot be read, or a row or cell a
        reader would reject or repair, raises its :class:`CEIError`.
    progress : show a progress bar.

    Returns
    -------
    IngestReport

    Raises
    ------
    SchemaError if a table built from the files breaks its schema (nothing is written).
    """
    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    if not raw_dir.is_dir():
        raise CEIError(
            "raw data folder not found",
            file=raw_dir,
            fix="give the folder that holds the raw files (e.g. data/raw)",
        )
    if processed_dir.resolve() == raw_dir.resolve():
        raise CEIError(
            "the processed folder is the raw folder",
            file=processed_dir,
            fix="write processed data to its own folder so raw data is never touched",
        )
    folder = read_folder(raw_dir, instrument, strict=strict, progress=progress)
    parts: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES}
    file_rows, rejections, repairs, dropped = [], [], [], []
    any_synth = False
    notes: list[str] = list(folder.notes)
    for fr in folder.files:
        rep = fr.report
        if fr.status != "read":
            file_rows.append(
                (
                    str(fr.path),
                    fr.kind,
                    fr.table,
                    fr.rows_read if fr.frame is not None else 0,
                    0,
                    0,
                    False,
                    fr.status,
                    fr.note,
                    fr.recognised_as,
                )
            )
            if fr.status == "failed":
                err = fr.error
                rejections.append(
                    (
                        str(fr.path),
                        getattr(err, "row", None),
                        getattr(err, "column", None),
                        getattr(err, "message", fr.note),
                    )
                )
            continue
        df = fr.frame
        synth = bool(df.attrs.get("synthetic", False))
        any_synth |= synth
        n_rej = len(rep.rejected) if rep is not None else 0
        if rep is not None:
            rejections.extend(rep.rejected.itertuples(index=False, name=None))
            repairs.extend(rep.repaired.itertuples(index=False, name=None))
            dropped.extend(rep.dropped_columns.itertuples(index=False, name=None))
        file_rows.append(
            (
                str(fr.path),
                fr.kind,
                fr.table,
                fr.rows_read,
                fr.rows_kept,
                n_rej,
                synth,
                "read",
                "; ".join(getattr(rep, "notes", ()) or ()),
                fr.recognised_as,
            )
        )
    for t, frames in folder.tables.items():
        for df in frames:
            df = df.copy()
            df.attrs = {}
            parts[t].append(df)

    built: dict[str, pd.DataFrame] = {}
    for t in TABLES:
        if not parts[t]:
            continue
        df = pd.concat(parts[t], ignore_index=True)
        if t == "survey":
            key = [C.RESPONDENT_ID, C.WAVE, C.INSTRUMENT, C.ITEM]
            dup = df.duplicated(key)
            if dup.any():
                notes.append(
                    f"{int(dup.sum()):,} survey rows repeated a respondent-wave-item already "
                    "read from another file and were dropped"
                )
                df = df[~dup]
        if t == "participation":
            dup = df.duplicated([C.EVENT_ID, C.PARTICIPANT_ID])
            if dup.any():
                notes.append(f"{int(dup.sum()):,} repeated sign-ins across files were dropped")
                df = df[~dup]
        built[t] = df.reset_index(drop=True)

    salt_value = (
        _salt(processed_dir, salt) if ("survey" in built or "participation" in built) else ""
    )
    if "survey" in built:
        built["survey"][C.RESPONDENT_ID] = hash_ids(built["survey"][C.RESPONDENT_ID], salt_value)
    if "participation" in built:
        built["participation"][C.PARTICIPANT_ID] = hash_ids(
            built["participation"][C.PARTICIPANT_ID], salt_value
        )
    for t, df in built.items():
        built[t] = validate(df, t, file=f"{raw_dir} ({t} table)")

    processed_dir.mkdir(parents=True, exist_ok=True)
    for t, df in built.items():
        atomic_write_parquet(df, processed_dir / f"{t}.parquet")
    for t in TABLES:
        if t not in built:
            (processed_dir / f"{t}.parquet").unlink(missing_ok=True)
    marker = processed_dir / "SYNTHETIC"
    if any_synth:
        marker.write_text("These tables were built from the synthetic cei_metrics demo world.\n")
    else:
        marker.unlink(missing_ok=True)

    report = IngestReport(
        files=pd.DataFrame(
            file_rows,
            columns=[
                "file",
                "reader",
                "table",
                "rows_read",
                "rows_kept",
                "rows_rejected",
                "synthetic",
                "status",
                "note",
                "recognised_as",
            ],
        ),
        rejections=pd.DataFrame(rejections, columns=_REP_COLS),
        repairs=pd.DataFrame(repairs, columns=_REP_COLS),
        pii_removed=pd.DataFrame(dropped, columns=["file", "column", "kind"]),
        tables={t: len(df) for t, df in built.items()},
        processed_dir=str(processed_dir),
        synthetic=any_synth,
        notes=tuple(notes),
    )
    _write_report_json(report, processed_dir / "ingest_report.json")
    return report


def _write_report_json(report: IngestReport, path: Path) -> None:
    def records(df: pd.DataFrame) -> list[dict]:
        return json.loads(df.to_json(orient="records"))

    payload = {
        "summary": report.summary(),
        "files": records(report.files),
        "rejections": records(report.rejections),
        "repairs": records(report.repairs),
        "pii_removed": records(report.pii_removed),
        "tables": report.tables,
        "synthetic": report.synthetic,
    }
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(payload, indent=1))
    os.replace(tmp, path)
