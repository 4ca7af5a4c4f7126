"""Ingest: raw files in, validated and scrubbed canonical tables out.

:func:`ingest` reads every file in ``raw_dir`` with the reader that fits it, validates
each canonical table against its schema, drops personally identifying and free-text
columns, replaces respondent and participant ids by keyed hashes (HMAC-SHA-256, the key
kept outside ``processed_dir``), and writes one
parquet file per table to ``processed_dir`` -- each written to a temporary file and
renamed into place only after every table has been built and validated, so a failed run
leaves the previous processed data as it was. ``raw_dir`` is only ever read.

Which reader reads which file:

- ``*.csv`` with a participant id column: sign-in sheet (:func:`read_signins`);
- ``*.csv`` with a respondent id column: survey export (:func:`read_survey_export`);
- ``*.csv`` with the roster columns: district roster (:func:`read_roster`);
- ``*.txt``, ``*.tsv``, ``*.xlsx`` and other ``*.csv``: CDE files (:func:`read_cde`), to
  the outcomes or ratings table (directory and entity lists are reference data, reported
  and not written);
- anything else is skipped and reported.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._results import ResultMixin
from ..errors import CEIError, PrivacyError
from ..privacy.keys import KEY_ENV, hash_ids, hash_key
from ..schemas import TABLES, C, validate
from ._text import find_column, read_delimited
from .participation import PARTICIPANT, read_roster, read_signins
from .survey import RESPONDENT, read_survey_export
from .tables import atomic_write_parquet

__all__ = ["IngestReport", "hash_ids", "ingest"]

_REP_COLS = ["file", "row", "column", "reason"]


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


def _sniff_csv(path: Path) -> str:
    try:
        raw = read_delimited(path)
    except CEIError:
        return "cde"
    cols = list(raw.frame.columns)
    if find_column(cols, PARTICIPANT):
        return "signins"
    if find_column(cols, RESPONDENT):
        return "survey"
    lower = {c.lower() for c in cols}
    if {C.DISTRICT_ID, C.COHORT} <= lower:
        return "roster"
    return "cde"


def _readers(instrument: str) -> dict[str, tuple[str | None, Callable]]:
    def cde(p: Path) -> pd.DataFrame:
        from .cde import read_cde

        return read_cde(p)

    return {
        "survey": ("survey", lambda p: read_survey_export(p, instrument)),
        "signins": ("participation", read_signins),
        "roster": ("roster", read_roster),
        "cde": (None, cde),
    }


def ingest(
    raw_dir: str | os.PathLike,
    processed_dir: str | os.PathLike,
    *,
    instrument: str = "family_engagement",
    key: bytes | str | None = None,
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
    key : key of the keyed hash (HMAC-SHA-256) of respondent and participant ids, at
        least 32 random bytes; by default ``CEI_HASH_KEY``, else the key file in the
        user's configuration folder (created on first use). Never kept in
        ``processed_dir``. See :func:`cei_metrics.privacy.hash_key`.
    salt : no longer accepted (a salt kept beside the data let ids be reversed); raises
        with the fix.
    strict : raise the first reader error instead of reporting the file as failed.
    progress : show a progress bar.

    Returns
    -------
    IngestReport

    Raises
    ------
    SchemaError if a table built from the files breaks its schema (nothing is written).
    """
    id_key_arg = key  # the name `key` is reused below for table keys
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
    files = sorted(
        p for p in raw_dir.rglob("*") if p.is_file() and not p.name.startswith((".", "~$"))
    )
    readers = _readers(instrument)
    parts: dict[str, list[pd.DataFrame]] = {t: [] for t in TABLES}
    file_rows, rejections, repairs, dropped = [], [], [], []
    any_synth = False
    notes: list[str] = []

    iterator = files
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(files, desc="ingest", unit="file")
        iterator = bar
    for p in iterator:
        suffix = p.suffix.lower()
        if suffix not in (".csv", ".txt", ".tsv", ".xlsx"):
            file_rows.append((str(p), "", "", 0, 0, 0, False, "skipped", "not a data file"))
            continue
        kind = _sniff_csv(p) if suffix == ".csv" else "cde"
        table, reader = readers[kind]
        try:
            df = reader(p)
        except CEIError as err:
            if strict:
                raise
            file_rows.append((str(p), kind, "", 0, 0, 0, False, "failed", str(err)))
            rejections.append((str(p), err.row, err.column, err.message))
            continue
        if table is None:  # CDE file: outcomes, ratings or reference lists
            if C.RATING in df.columns:
                table = "ratings"
            elif C.INDICATOR in df.columns:
                table = "outcomes"
            else:
                fmt = df.attrs.get("cde_format", "reference list")
                file_rows.append(
                    (str(p), kind, "", len(df), 0, 0, False, "skipped", f"{fmt}: reference data")
                )
                continue
        synth = bool(df.attrs.get("synthetic", False))
        any_synth |= synth
        rep = df.attrs.get("read")
        n_read = rep.rows_read if rep is not None else len(df)
        n_rej = len(rep.rejected) if rep is not None else 0
        if rep is not None:
            rejections.extend(rep.rejected.itertuples(index=False, name=None))
            repairs.extend(rep.repaired.itertuples(index=False, name=None))
            dropped.extend(rep.dropped_columns.itertuples(index=False, name=None))
        n_kept = rep.rows_kept if rep is not None else len(df)
        file_rows.append((str(p), kind, table, n_read, n_kept, n_rej, synth, "read", ""))
        df = df.copy()
        df.attrs = {}
        parts[table].append(df)

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

    if salt is not None:
        raise PrivacyError(
            "ingest(salt=...) is no longer accepted: ids are keyed hashes now",
            fix=f"pass key= (at least 32 random bytes), set {KEY_ENV}, or omit it to use the "
            "key kept in your configuration folder",
        )
    if "survey" in built or "participation" in built:
        id_key = hash_key(id_key_arg, processed_dir=processed_dir)
    if "survey" in built:
        built["survey"][C.RESPONDENT_ID] = hash_ids(built["survey"][C.RESPONDENT_ID], id_key)
    if "participation" in built:
        built["participation"][C.PARTICIPANT_ID] = hash_ids(
            built["participation"][C.PARTICIPANT_ID], id_key
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
