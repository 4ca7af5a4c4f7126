"""Ingest: raw files in, validated and scrubbed canonical tables out.

:func:`ingest` reads every file in ``raw_dir`` with the reader that fits it, validates
each canonical table against its schema, drops personally identifying and free-text
columns from them, keeps open-ended answers and comments apart in the ``text`` table
(scrubbed of the names seen in the run's name columns, e-mails, phone numbers and street
addresses), replaces respondent and participant ids by keyed hashes (HMAC-SHA-256, the key
kept outside the data), and writes the tables to ``processed_dir`` as one snapshot
(:mod:`cei_metrics.io.snapshot`): built beside it with ``MANIFEST.json`` and switched in
at once, one writer at a time, so a failed or interrupted run leaves the previous
processed data as it was. ``raw_dir`` is only ever read.

Which reader reads which file is decided by the file's content
(:mod:`cei_metrics.io.dispatch`): survey-tool exports (Google Forms, SurveyMonkey,
Qualtrics, SPSS, Excel), sign-in sheets, rosters, ratings tables and CDE files. One bad
file never stops the others: it is listed as failed with the error naming its row (as a
spreadsheet shows it: header = row 1), column and fix, and :meth:`IngestReport.failed`
is true. Without a roster one is built from the data's districts and the CDE directory.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._results import ResultMixin
from ..errors import CEIError, PrivacyError
from ..schemas import ALL_TABLES, TEXT_COLUMNS, TEXT_OPTIONAL, C, validate
from ._freetext import NAMES_ATTR, TEXT_ATTR, scrub_rows
from .dispatch import read_folder
from .keys import KEY_ENV, hash_ids, hash_key, keyed_hash, record_names
from .snapshot import (
    MANIFEST,
    ProcessedLock,
    previous_dir,
    read_manifest,
    recover,
    write_snapshot,
)
from .spool import SpooledTable, SpoolWriter

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


def _tables_fed_by(kind: str, table: str | None, path: Path) -> set[str]:
    """The canonical tables a file that failed to read would have fed."""
    if table is not None:
        return {table}
    try:  # a CDE file: its layout often tells, even when its rows do not read
        from .cde import detect_cde_format

        fmt = detect_cde_format(path)
        if "priority3" in fmt:
            return {"ratings"}
        if fmt.startswith(("directory", "caaspp_entities", "caaspp_studentgroups")):
            return set()  # reference lists feed no table
        return {"outcomes"}
    except Exception:  # detection is a best guess here
        pass
    return {"outcomes", "ratings"}


def ingest(
    raw_dir: str | os.PathLike,
    processed_dir: str | os.PathLike,
    *,
    instrument: str | os.PathLike = "family_engagement",
    key: bytes | str | None = None,
    salt: str | None = None,
    strict: bool = False,
    replace: bool = False,
    progress: bool = False,
    lock_timeout: float = 60.0,
) -> IngestReport:
    """Read, validate and scrub every raw file; write the canonical tables as parquet.

    Parameters
    ----------
    raw_dir : folder of raw files (read only; never modified).
    processed_dir : folder for ``survey.parquet``, ``participation.parquet``,
        ``outcomes.parquet``, ``ratings.parquet``, ``roster.parquet``, the extra tables
        ``text.parquet`` (open answers and comments, scrubbed), ``feedback.parquet``
        (convening feedback) and ``goals.parquet`` (district goals) when the raw files
        hold them, and ``ingest_report.json``.
    instrument : the instrument of the survey exports.
    key : key of the keyed hash (HMAC-SHA-256) of respondent and participant ids, at
        least 32 random bytes; by default ``CEI_HASH_KEY``, else the key file in the
        user's configuration folder (created on first use). Never kept in
        ``processed_dir``. See :func:`cei_metrics.privacy.hash_key`.
    salt : no longer accepted (a salt kept beside the data let ids be reversed); raises
        with the fix.
    strict : stop at the first problem: a file that cannot be read, or a row or cell a
        reader would reject or repair, raises its :class:`CEIError`.
    replace : rebuild a table even when one of its files was rejected (by default the
        previous version of that table is kept and the report says so).
    progress : show a progress bar.
    lock_timeout : seconds to wait for another ingest into the same folder to finish.

    The processed folder changes as one snapshot (:mod:`cei_metrics.io.snapshot`): every
    table, the report and ``MANIFEST.json`` are built beside it and switched in at once;
    the snapshot before is kept as ``<processed>.previous``. One ingest writes a folder
    at a time.

    Returns
    -------
    IngestReport

    Raises
    ------
    SchemaError if a table built from the files breaks its schema (nothing is written).
    """
    if salt is not None:
        raise PrivacyError(
            "ingest(salt=...) is no longer accepted: ids are keyed hashes now",
            fix=f"pass key= (at least 32 random bytes), set {KEY_ENV}, or omit it to use the "
            "key kept in your configuration folder",
        )
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
    if processed_dir.resolve().is_relative_to(raw_dir.resolve()):
        raise CEIError(
            "the processed folder is inside the raw folder, so an ingest would write into "
            "raw data and read its own output next time",
            file=processed_dir,
            fix="choose a processed folder outside the raw folder (e.g. data/processed beside "
            "data/raw)",
        )
    for parent in [processed_dir, *processed_dir.parents]:
        if parent.exists():
            if not parent.is_dir():
                raise CEIError(
                    f"{parent} is a file, so the processed folder cannot be created under it",
                    file=processed_dir,
                    fix="choose a processed folder whose parents are folders",
                )
            break
    with ProcessedLock(processed_dir, timeout=lock_timeout):
        done = recover(processed_dir)
        return _ingest_locked(
            raw_dir,
            processed_dir,
            instrument=instrument,
            id_key_arg=key,
            strict=strict,
            replace=replace,
            progress=progress,
            notes=[done] if done else [],
        )


def _ingest_locked(
    raw_dir: Path,
    processed_dir: Path,
    *,
    instrument: str | os.PathLike,
    id_key_arg: bytes | str | None,
    strict: bool,
    replace: bool,
    progress: bool,
    notes: list[str],
) -> IngestReport:
    spool_dir = processed_dir.parent / f".{processed_dir.name}.spool-{os.getpid()}"
    try:
        return _ingest_read_write(
            raw_dir,
            processed_dir,
            spool_dir,
            instrument=instrument,
            id_key_arg=id_key_arg,
            strict=strict,
            replace=replace,
            progress=progress,
            notes=notes,
        )
    finally:
        shutil.rmtree(spool_dir, ignore_errors=True)


def _ingest_read_write(
    raw_dir: Path,
    processed_dir: Path,
    spool_dir: Path,
    *,
    instrument: str | os.PathLike,
    id_key_arg: bytes | str | None,
    strict: bool,
    replace: bool,
    progress: bool,
    notes: list[str],
) -> IngestReport:
    keys: dict[str, bytes] = {}

    def id_key() -> bytes:  # resolved when first needed (it may be created then)
        if "k" not in keys:
            keys["k"] = hash_key(id_key_arg, processed_dir=processed_dir)
        return keys["k"]

    folder = read_folder(
        raw_dir, instrument, strict=strict, progress=progress, spool=spool_dir, key=id_key
    )
    parts: dict[str, list] = {t: [] for t in ALL_TABLES if t != "text"}
    texts: list[pd.DataFrame] = []
    names_seen: dict[str, None] = {}
    file_rows, rejections, repairs, dropped = [], [], [], []
    any_synth = False
    failed_tables: set[str] = set()
    notes = [*notes, *folder.notes]
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
                if fr.path.is_file():
                    failed_tables.update(_tables_fed_by(fr.kind, fr.table or None, fr.path))
            continue
        if fr.spooled is not None:
            t_part, names_part = fr.spooled.text, fr.spooled.names
            synth = bool(fr.spooled.synthetic)
        else:
            t_part = fr.frame.attrs.get(TEXT_ATTR)
            names_part = fr.frame.attrs.get(NAMES_ATTR, ())
            synth = bool(fr.frame.attrs.get("synthetic", False))
        if t_part is not None and len(t_part):
            texts.append(t_part)
        names_seen.update(dict.fromkeys(names_part))
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
        if t not in parts:
            continue
        for df in frames:
            if isinstance(df, SpooledTable):
                parts[t].append(df)
                continue
            df = df.copy()
            df.attrs = {}
            parts[t].append(df)

    built: dict[str, pd.DataFrame | SpooledTable] = {}
    for t in parts:
        if not parts[t]:
            continue
        spools = [p for p in parts[t] if isinstance(p, SpooledTable)]
        frames = [p for p in parts[t] if not isinstance(p, SpooledTable)]
        if spools:  # a large export: the table is joined on disk
            built[t] = _join_spooled(frames, spools, spool_dir / f"{t}.parquet", id_key(), notes)
            continue
        df = pd.concat(frames, ignore_index=True)
        if t == "survey":
            key = [C.RESPONDENT_ID, C.WAVE, C.INSTRUMENT, C.ITEM]
            dup = df.duplicated(key)
            if dup.any():
                notes.append(
                    f"{int(dup.sum()):,} survey rows repeated a respondent-wave-item already "
                    "read from another file and were dropped"
                )
                df = df[~dup]
        if t == "feedback":
            dup = df.duplicated([C.RESPONDENT_ID, C.EVENT_ID, C.INSTRUMENT, C.ITEM])
            if dup.any():
                notes.append(
                    f"{int(dup.sum()):,} feedback rows repeated a respondent-event-item already "
                    "read from another file and were dropped"
                )
                df = df[~dup]
        if t == "participation":
            dup = df.duplicated([C.EVENT_ID, C.PARTICIPANT_ID])
            if dup.any():
                notes.append(f"{int(dup.sum()):,} repeated sign-ins across files were dropped")
                df = df[~dup]
        built[t] = df.reset_index(drop=True)

    for t in ("survey", "feedback"):
        if isinstance(built.get(t), pd.DataFrame):  # spooled tables were hashed as read
            built[t][C.RESPONDENT_ID] = hash_ids(built[t][C.RESPONDENT_ID], id_key())
    if texts:
        built["text"] = _text_table(texts, list(names_seen), id_key())
        notes.append(
            f"{len(built['text']):,} open answer(s) and comment(s) kept in the text table, "
            "scrubbed of the names seen in the files' name columns, e-mails, phone numbers "
            "and street addresses"
        )
    if names_seen:
        record_names(names_seen, key=id_key(), parts=False)
    if "participation" in built:
        built["participation"][C.PARTICIPANT_ID] = hash_ids(
            built["participation"][C.PARTICIPANT_ID], id_key()
        )
    for t, df in built.items():
        if isinstance(df, pd.DataFrame):  # spooled tables were validated batch by batch
            built[t] = validate(df, t, file=f"{raw_dir} ({t} table)")
            built[t].attrs = {}  # parquet would keep attrs: nothing but the table is written

    # a table whose source failed this time keeps its previous version (unless replace):
    # a bad file never silently removes data that was there
    keep: set[str] = set()
    previous = read_manifest(processed_dir) if (processed_dir / MANIFEST).exists() else None
    before = set(previous["tables"]) if previous else set()
    if failed_tables & {"survey", "participation", "feedback"}:
        failed_tables.add("text")  # the text table is built from the same files
    for t in sorted(failed_tables):
        if t not in before:
            continue
        if replace:
            notes.append(
                f"The {t} table was rebuilt without the file(s) that failed (--replace); "
                "the previous snapshot keeps the old one."
            )
            continue
        keep.add(t)
        built.pop(t, None)
        notes.append(
            f"The {t} table was NOT updated: a file it is built from was rejected, so the "
            f"previous {t} table is kept. Fix the file, or run with --replace to rebuild the "
            "table without it."
        )
    for t in sorted(before - set(built) - keep):
        notes.append(
            f"The previous snapshot had a {t} table and no {t} file was read this time: the "
            f"new snapshot has none (the previous one is kept in {previous_dir(processed_dir).name})."
        )

    counts = {t: df.rows if isinstance(df, SpooledTable) else len(df) for t, df in built.items()}
    for t in keep:
        counts[t] = int(previous["tables"][t]["rows"])
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
        tables=dict(sorted(counts.items())),
        processed_dir=str(processed_dir),
        synthetic=any_synth,
        notes=tuple(notes),
    )
    sources = [Path(r[0]) for r in file_rows if r[7] == "read" and Path(r[0]).is_file()]
    write_snapshot(
        processed_dir,
        built,
        report=_report_payload(report),
        synthetic=any_synth,
        sources=sources,
        raw_dir=raw_dir,
        keep=keep,
        notes=notes,
        carry=(".gitkeep",),
    )
    return report


def _join_spooled(
    frames: list[pd.DataFrame],
    spools: list[SpooledTable],
    out: Path,
    key: bytes,
    notes: list[str],
) -> SpooledTable:
    """One survey table on disk from the frames of small files and the spooled tables of
    large ones, row group by row group: ids of the frames keyed-hashed (spooled ids were
    hashed as they were read), each respondent-wave kept from the first file that holds
    it, as for tables joined in memory."""
    import numpy as np

    if not frames and len(spools) == 1 and spools[0].wave is None:
        return spools[0]  # one large file: its table as it was written
    cols = [C.RESPONDENT_ID, C.WAVE, C.INSTRUMENT]
    seen = np.zeros(0, dtype=np.uint64)
    dropped = 0
    writer = SpoolWriter(out)

    def add(df: pd.DataFrame) -> None:
        nonlocal seen, dropped
        h = pd.util.hash_pandas_object(df[cols], index=False).to_numpy()
        old = np.isin(h, seen)
        if old.any():
            dropped += int(old.sum())
            df, h = df[~old], h[~old]
        if len(df):
            writer.write(df)
            seen = np.union1d(seen, np.unique(h))

    try:
        if frames:
            df = pd.concat(frames, ignore_index=True)
            df = df[~df.duplicated([C.RESPONDENT_ID, C.WAVE, C.INSTRUMENT, C.ITEM])]
            df[C.RESPONDENT_ID] = hash_ids(df[C.RESPONDENT_ID], key)
            add(validate(df.reset_index(drop=True), "survey"))
        for sp in spools:
            for df in sp.iter_frames():
                add(df)
    except BaseException:
        writer.abort()
        raise
    writer.close()
    if dropped:
        notes.append(
            f"{dropped:,} survey rows repeated a respondent-wave-item already read from "
            "another file and were dropped"
        )
    return SpooledTable(writer.path, writer.rows)


def _text_table(parts: list[pd.DataFrame], names: list[str], key: bytes) -> pd.DataFrame:
    """The text table: every reader's scrubbed text rows, scrubbed again with every name
    seen in the run, respondent ids hashed like the survey's (so answers join their
    respondent), and a stable ``segment_id`` (keyed hash of respondent, wave, instrument,
    question and event) that reviewed-excerpt lists refer to."""
    cols = [c for c in (*TEXT_COLUMNS[1:], *TEXT_OPTIONAL)]
    frames = []
    for p in parts:
        p = p.copy()
        p.attrs = {}
        for c in cols:
            if c not in p:
                p[c] = None
        frames.append(p[cols])
    df = pd.concat(frames, ignore_index=True)
    df = scrub_rows(df, names)
    df[C.RESPONDENT_ID] = hash_ids(df[C.RESPONDENT_ID].astype(str), key)
    df[C.WAVE] = pd.array(pd.to_numeric(df[C.WAVE], errors="coerce"), dtype="Int64")
    df[C.DATE] = pd.to_datetime(df[C.DATE], errors="coerce")
    for c in (C.EVENT_ID, C.SCHOOL_ID, C.YEAR):
        df[c] = df[c].astype(object).where(df[c].notna() & df[c].astype(str).ne(""), None)

    def part(col: str) -> pd.Series:
        return df[col].astype("string").fillna("")

    seg = (
        part(C.RESPONDENT_ID)
        + "|"
        + part(C.WAVE)
        + "|"
        + part(C.INSTRUMENT)
        + "|"
        + part(C.QUESTION_ID)
        + "|"
        + part(C.EVENT_ID)
    ).astype(object)
    df.insert(0, C.SEGMENT_ID, keyed_hash(seg, key))
    dup = df.duplicated(C.SEGMENT_ID)
    return df[~dup].reset_index(drop=True)


def _report_payload(report: IngestReport) -> dict:
    def records(df: pd.DataFrame) -> list[dict]:
        return json.loads(df.to_json(orient="records"))

    return {
        "summary": report.summary(),
        "files": records(report.files),
        "rejections": records(report.rejections),
        "repairs": records(report.repairs),
        "pii_removed": records(report.pii_removed),
        "tables": report.tables,
        "synthetic": report.synthetic,
    }
