"""The read phase of ingest and check: every raw file recognised and read on its own.

:func:`read_folder` walks a raw folder, recognises each file by its content (not only its
name) and reads it with the reader that fits:

===========================  ====================================================================
recognised as                when
===========================  ====================================================================
district roster              a district column and a cohort column
survey export                a Qualtrics, SurveyMonkey or Google Forms shape, an SPSS file, or
                             a table whose columns match the instrument's questions
sign-in sheet                a header (possibly below title lines) naming people or participant
                             ids and a date or event
CDE file                     one of the CDE layouts :func:`~cei_metrics.io.cde.detect_cde_format`
                             knows (outcomes, Priority 3 ratings; directories are reference data)
ratings table                a district, a school year and Priority 3 item columns (the ``init``
                             template)
===========================  ====================================================================

One bad file never stops the others: a file that cannot be read is marked ``failed`` with
the :class:`CEIError` that names it, its row (as a spreadsheet shows it: header = row 1),
column and fix; everything else is read. With ``strict=True`` the first problem (a failed
file, or a row or cell a reader would have rejected or repaired) raises instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import CEIError, UnknownFormatError
from ..instruments import Instrument, load_instrument
from ..schemas import ALL_TABLES, C
from ._freetext import TEXT_ATTR
from ._tabular import EXCEL_SUFFIXES, SPSS_SUFFIXES, TEXT_SUFFIXES, Grid, read_grid
from .spool import SpooledTable

__all__ = ["FileRead", "FolderRead", "read_file", "read_folder"]

SNIFF_ROWS = 40
DATA_SUFFIXES = (*TEXT_SUFFIXES, *EXCEL_SUFFIXES, *SPSS_SUFFIXES, ".xls", ".yaml", ".yml")


@dataclass
class FileRead:
    """One raw file: what it was recognised as and what came of reading it."""

    path: Path
    kind: str  # survey / signins / roster / cde / ratings / "" (not recognised)
    table: str  # canonical table it feeds ("" when none)
    status: str  # "read", "skipped" or "failed"
    note: str = ""
    frame: pd.DataFrame | None = None
    error: CEIError | None = None
    recognised_as: str = ""
    spooled: SpooledTable | None = None  # a large file's table, on disk
    read_report: object = None  # the reader's report when there is no frame

    @property
    def report(self):
        if self.frame is None:
            return self.read_report
        return self.frame.attrs.get("read")

    @property
    def data(self):
        """The file's table: the frame, or the spooled table of a large file."""
        return self.spooled if self.spooled is not None else self.frame

    @property
    def rows_read(self) -> int:
        rep = self.report
        if rep is not None:
            return int(rep.rows_read)
        return 0 if self.frame is None else len(self.frame)

    @property
    def rows_kept(self) -> int:
        rep = self.report
        if rep is not None:
            return int(rep.rows_kept)
        return 0 if self.frame is None else len(self.frame)


@dataclass
class FolderRead:
    """Every file of a raw folder, read; ``tables`` holds the frames per canonical table."""

    files: list[FileRead]
    tables: dict[str, list[pd.DataFrame]]
    notes: list[str] = field(default_factory=list)
    instrument: str = ""
    instrument_obj: Instrument | None = None

    @property
    def failed(self) -> list[FileRead]:
        return [f for f in self.files if f.status == "failed"]


def _candidates(inst: Instrument) -> list[Instrument]:
    """The instrument given first, then every other shipped survey and event-feedback
    instrument (a file is read with the one whose questions it holds)."""
    from ..instruments import list_instruments

    out = [inst]
    for name in list_instruments():
        other = load_instrument(name)
        if other.name != inst.name and other.kind in ("survey", "event_feedback"):
            out.append(other)
    return out


def _survey_like(grid: Grid, inst: Instrument) -> tuple[object, Instrument]:
    """(the export, the instrument whose items it holds), or (None, inst).

    Every candidate instrument (:func:`_candidates`) is matched against the columns; the
    one with the most items matched wins, the instrument given winning ties. A
    Qualtrics, SurveyMonkey, Google Forms or SPSS export is a survey even when no
    instrument matches (the reader then says which questions it could not match)."""
    from .exports import match_questions, wide_from_grid

    wx = wide_from_grid(grid)
    best, best_n = inst, 0
    for cand in _candidates(inst):
        n = len(set(match_questions(wx, cand).items.values()))
        if n > best_n:
            best, best_n = cand, n
    if best_n >= 1 or wx.tool in ("qualtrics", "surveymonkey", "google_forms", "spss"):
        return wx, best
    return None, inst


def _ratings_like(grid: Grid) -> bool:
    from .ratings import looks_like_ratings

    return looks_like_ratings(grid)


def recognise(path: Path, inst: Instrument) -> tuple[str, Grid | None, object]:
    """(kind, grid, survey WideExport or None) of one file; raises CEIError when the file
    is not a table in any supported format or not a recognised one. For a survey export
    the instrument it holds is :func:`recognise_instrument`'s answer."""
    return _recognise(path, inst)[:3]


def _recognise(path: Path, inst: Instrument) -> tuple[str, Grid | None, object, Instrument]:
    from .participation import looks_like_roster, looks_like_signins

    suffix = path.suffix.lower()
    grid = read_grid(path, max_rows=SNIFF_ROWS)  # the head is enough to recognise a file
    if suffix in SPSS_SUFFIXES or grid.kind == "spss":
        _, chosen = _survey_like(grid, inst)
        return "survey", None, None, chosen
    first = grid.rows[0] if grid.rows else []
    from .survey import MAX_COLUMNS

    if grid.width > MAX_COLUMNS:
        raise CEIError(
            f"the file has {grid.width:,} columns, more than any input this reads (at most "
            f"{MAX_COLUMNS:,}): a transposed table, or not an export",
            file=path,
            row=grid.row_numbers[0] if grid.row_numbers else 1,
            fix="check it is the export itself; remove unneeded columns in the tool before "
            "exporting",
        )
    if looks_like_roster(first):
        return "roster", None, None, inst
    from .goals import looks_like_goals

    if looks_like_goals(first):
        return "goals", None, None, inst
    wx, chosen = _survey_like(grid, inst)
    if wx is not None:
        return "survey", None, None, chosen
    if looks_like_signins(grid):
        return "signins", None, None, inst
    from .cde import detect_cde_format

    try:
        detect_cde_format(path)
    except UnknownFormatError:
        pass  # not a CDE layout either: said below
    except CEIError:
        raise  # a CDE-like file with a named problem (a truncated row, a repeated column)
    else:
        return "cde", None, None, inst
    if _ratings_like(grid):
        return "ratings", None, None, inst
    n_cols = sum(1 for c in first if c)
    raise UnknownFormatError(
        "not a recognised file: its columns fit no survey export (no column matches a question "
        f"of instrument {inst.name!r}), sign-in sheet (needs a date or event and people), "
        f"district roster (district and cohort), ratings table or CDE download "
        f"(its first row has {n_cols} filled cell(s))",
        file=path,
        row=grid.row_numbers[0] if grid.row_numbers else 1,
        fix="check the file is a survey export, sign-in sheet, roster or CDE file; for a "
        "survey of another instrument pass --instrument YOUR.yaml; `cei-metrics init DIR` "
        "writes templates of every input",
    )


def read_file(
    path: str | os.PathLike,
    inst: Instrument,
    *,
    strict: bool = False,
    spool: Path | None = None,
    key: bytes | None = None,
) -> FileRead:
    """Recognise and read one raw file; never raises unless ``strict`` (then the first
    problem raises its CEIError).

    A survey export in a text file larger than :data:`~cei_metrics.io.stream.STREAM_BYTES`
    is read batch by batch into ``spool`` (a parquet file; ids hashed with ``key``) or, with
    no ``spool``, mapped and counted without being kept."""
    from .stream import STREAM_BYTES

    path = Path(path)
    errors = "raise" if strict else "report"
    kind, table = "", ""
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            from .goals import looks_like_goals_yaml

            if not looks_like_goals_yaml(path):
                return FileRead(
                    path,
                    "",
                    "",
                    "skipped",
                    "a YAML file that is no goal table (an instrument is passed with --instrument)",
                )
            kind, grid, wx, chosen = "goals", None, None, inst
        else:
            kind, grid, wx, chosen = _recognise(path, inst)
        table = {
            "survey": "feedback" if chosen.per_event else "survey",
            "signins": "participation",
            "roster": "roster",
            "ratings": "ratings",
            "goals": "goals",
        }.get(kind, "")
        if (
            kind == "survey"
            and not chosen.per_event
            and path.suffix.lower() in TEXT_SUFFIXES
            and path.stat().st_size > STREAM_BYTES
        ):
            from .survey import stream_survey_export

            spooled, rep, synth = stream_survey_export(
                path, chosen, spool=spool, key=key, errors=errors
            )
            if rep.rows_kept == 0 and rep.rows_read > 0:
                first = rep.rejected.iloc[0] if len(rep.rejected) else None
                e = CEIError(
                    f"every row was rejected ({rep.rows_read})",
                    file=path,
                    row=None if first is None else int(first["row"]),
                    column=None if first is None else str(first["column"]),
                    fix="see the per-row reasons in the ingest report",
                )
                return FileRead(path, kind, table, "failed", str(e), None, e, rep.recognised_as)
            spooled.synthetic = synth
            return FileRead(
                path,
                kind,
                table,
                "read",
                "",
                None,
                None,
                rep.recognised_as,
                spooled=spooled,
                read_report=rep,
            )
        if kind == "survey":
            from .survey import read_survey_export

            df = read_survey_export(path, chosen, errors=errors, export=wx)
        elif kind == "goals":
            from .goals import read_goals

            df = read_goals(path)
        elif kind == "signins":
            from .participation import read_signins

            df = read_signins(path, errors=errors, grid=grid)
        elif kind == "roster":
            from .participation import read_roster

            df = read_roster(path, grid=grid)
        elif kind == "ratings":
            from .ratings import read_ratings

            df = read_ratings(path, grid=grid)
        else:
            from .cde import read_cde

            df = read_cde(path)
            if C.RATING in df.columns:
                table = "ratings"
            elif C.INDICATOR in df.columns:
                table = "outcomes"
            else:
                fmt = df.attrs.get("cde_format", "reference list")
                return FileRead(
                    path,
                    "cde",
                    "",
                    "skipped",
                    f"{fmt}: reference data",
                    None,
                    recognised_as=f"CDE {fmt}",
                )
            fmt = df.attrs.get("cde_format", "")
            df.attrs.setdefault("recognised_as", f"CDE file ({fmt})" if fmt else "CDE file")
    except CEIError as err:
        if strict:
            raise
        return FileRead(path, kind, table, "failed", str(err), None, err)
    except OSError as err:  # the file vanished or cannot be opened while reading
        from .snapshot import os_error

        e = os_error(err, path, "read the file")
        if strict:
            raise e from None
        return FileRead(path, kind, table, "failed", str(e), None, e)
    except Exception as err:  # a reader bug must not stop the other files
        if strict:
            raise CEIError(
                f"could not be read ({type(err).__name__}: {str(err)[:120]})",
                file=path,
                fix="check the file opens in a spreadsheet; report the problem if it does",
            ) from err
        e = CEIError(
            f"could not be read ({type(err).__name__})",
            file=path,
            fix="check the file opens in a spreadsheet; report the problem if it does",
        )
        return FileRead(path, "", "", "failed", str(e), None, e)
    if kind in ("survey", "signins", "roster", "ratings", "goals") and len(df):
        # each file against its table's schema, so one bad file is rejected alone
        from ..schemas import validate

        try:
            validate(df, table, file=path)
        except CEIError as err:
            if strict:
                raise
            e = CEIError(
                f"the rows read break the {table} table's rules: {err.message}",
                file=path,
                column=err.column,
                fix=err.fix or "correct the file",
            )
            return FileRead(path, kind, table, "failed", str(e), None, e)
    rep = df.attrs.get("read")
    if strict and rep is not None:
        for frame, what in ((rep.rejected, "rejected"), (rep.repaired, "repaired")):
            if len(frame):
                r = frame.iloc[0]
                raise CEIError(
                    f"a row would be {what}: {r['reason']}",
                    file=path,
                    row=int(r["row"]),
                    column=str(r["column"]),
                    fix="correct the file, or ingest without --strict to reject and report it",
                )
    recognised = getattr(rep, "recognised_as", "") or df.attrs.get("recognised_as", kind)
    if (
        kind in ("survey", "signins", "roster", "ratings")
        and len(df) == 0
        and (rep is None or rep.rows_read == 0)
    ):
        e = CEIError(
            "the file has a header but no data rows",
            file=path,
            fix="export the file again with its rows (responses, sign-ins or districts)",
        )
        if strict:
            raise e
        return FileRead(path, kind, table, "failed", str(e), None, e, recognised)
    if rep is not None and rep.rows_kept == 0 and rep.rows_read > 0:
        first = rep.rejected.iloc[0] if len(rep.rejected) else None
        e = CEIError(
            f"every row was rejected ({rep.rows_read}); first: {first['reason']}"
            if first is not None
            else "every row was rejected",
            file=path,
            row=None if first is None else int(first["row"]),
            column=None if first is None else str(first["column"]),
            fix="see the per-row reasons in the ingest report",
        )
        return FileRead(path, kind, table, "failed", str(e), df, e, recognised)
    return FileRead(path, kind, table, "read", "", df, None, recognised)


def _discover(raw_dir: Path) -> tuple[list[Path], list[FileRead]]:
    """The raw files to read, and a row for every entry skipped or refused.

    Hidden files and folders (names starting with ``.``) and office lock files (``~$``)
    are skipped with a note; a link that leads outside the raw folder is refused (a raw
    folder is read whole, and only it); a file that cannot be opened is refused with the
    operating system's reason. An unreadable raw folder is an error, never "0 files".
    """
    from .snapshot import os_error

    raw_real = raw_dir.resolve()
    files: list[Path] = []
    rows: list[FileRead] = []

    def refuse(p: Path, why: str, fix: str) -> None:
        err = CEIError(why, file=p, fix=fix)
        rows.append(FileRead(p, "", "", "failed", str(err), None, err))

    def walk(folder: Path) -> None:
        try:
            entries = sorted(folder.iterdir())
        except OSError as err:
            if folder == raw_dir:
                raise os_error(err, folder, "read the raw data folder") from None
            e = os_error(err, folder, "read the folder")
            rows.append(FileRead(folder, "", "", "failed", str(e), None, e))
            return
        for p in entries:
            if p.name.startswith((".", "~$")):
                rows.append(FileRead(p, "", "", "skipped", "hidden or lock file: not read"))
                continue
            if p.is_symlink():
                target = p.resolve()
                if not target.is_relative_to(raw_real):
                    refuse(
                        p,
                        "a link to a file outside the raw folder",
                        "copy the file into the raw folder instead of linking to it",
                    )
                    continue
                if target.is_dir():
                    rows.append(FileRead(p, "", "", "skipped", "link to a folder: not followed"))
                    continue
            if p.is_dir():
                walk(p)
            elif p.is_file():
                if not os.access(p, os.R_OK):
                    refuse(
                        p,
                        "the file cannot be read: permission denied",
                        "give your user read permission on the file",
                    )
                    continue
                files.append(p)
            else:
                rows.append(FileRead(p, "", "", "skipped", "not a regular file"))

    walk(raw_dir)
    return files, rows


def read_folder(
    raw_dir: str | os.PathLike,
    instrument: str | os.PathLike | Instrument = "family_engagement",
    *,
    strict: bool = False,
    progress: bool = False,
    spool: Path | None = None,
    key: bytes | None = None,
) -> FolderRead:
    """Read every file of ``raw_dir`` (see the module docstring); build a roster from the
    data's districts and the CDE directory when none was given; number survey waves by
    school year where the files do not say them."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise CEIError(
            "raw data folder not found",
            file=raw_dir,
            fix="give the folder that holds the raw files (e.g. data/raw)",
        )
    inst = instrument if isinstance(instrument, Instrument) else load_instrument(instrument)
    files, out = _discover(raw_dir)
    iterator = files
    if progress:
        from tqdm import tqdm

        iterator = tqdm(files, desc="read", unit="file")
    for p in iterator:
        if p.suffix.lower() not in DATA_SUFFIXES:
            out.append(FileRead(p, "", "", "skipped", "not a data file"))
            continue
        target = None if spool is None else Path(spool) / f"{len(out):05d}-{p.stem[:40]}.parquet"
        out.append(read_file(p, inst, strict=strict, spool=target, key=key))
    tables: dict[str, list[pd.DataFrame]] = {t: [] for t in ALL_TABLES}
    for fr in out:
        if fr.status == "read" and fr.table:
            tables[fr.table].append(fr.data)
    notes: list[str] = []
    _number_waves(out, tables, notes)
    _number_events(out, notes)
    if not tables["roster"]:
        from .participation import build_roster

        ids = set()
        for t in ("survey", "participation", "ratings", "feedback", "goals"):
            for df in tables[t]:
                if isinstance(df, SpooledTable):
                    ids |= set(df.districts)
                else:
                    ids |= set(df[C.DISTRICT_ID].dropna().astype(str).unique().tolist())
        for df in tables["outcomes"]:
            lvl = df[C.LEVEL] if C.LEVEL in df else pd.Series("district", index=df.index)
            ids |= set(
                df.loc[lvl.isin(["district", "school"]), C.CDS]
                .astype(str)
                .str[:7]
                .unique()
                .tolist()
            )
        if ids:
            roster = build_roster(ids)
            roster.attrs["synthetic"] = False
            tables["roster"].append(roster)
            notes.append(
                f"no roster file: a roster of the {len(roster)} district(s) in the data was built "
                "from the CDE directory; cohorts are unknown, so analyses that compare network "
                "districts with others say they cannot run (add a roster with a cohort column)"
            )
    return FolderRead(out, tables, notes, inst.name, inst)


def _number_waves(files: list[FileRead], tables: dict, notes: list[str]) -> None:
    """Survey files that did not say their wave get it from their school year's order."""
    surveys = [f for f in files if f.status == "read" and f.table == "survey"]

    def wave_from(f: FileRead) -> str:
        return f.spooled.wave_from if f.spooled is not None else f.frame.attrs.get("wave_from")

    def year(f: FileRead) -> str | None:
        if f.spooled is not None:
            return f.spooled.year
        return str(f.frame[C.YEAR].iat[0]) if len(f.frame) else None

    undated = [f for f in surveys if wave_from(f) == "default"]
    if not undated or len(surveys) < 2:
        return
    years = sorted({y for f in surveys if (y := year(f)) is not None})
    for f in undated:
        y = year(f)
        if y is None:
            continue
        if f.spooled is not None:
            f.spooled.wave = years.index(y) + 1
            if f.spooled.text is not None and len(f.spooled.text):
                f.spooled.text[C.WAVE] = years.index(y) + 1
        else:
            f.frame[C.WAVE] = years.index(y) + 1
            text = f.frame.attrs.get(TEXT_ATTR)
            if text is not None and len(text):
                text[C.WAVE] = years.index(y) + 1
    notes.append(
        f"{len(undated)} survey file(s) without a wave number were numbered by school year "
        f"({', '.join(f'{y} = wave {i + 1}' for i, y in enumerate(years))})"
    )


def _number_events(files: list[FileRead], notes: list[str]) -> None:
    """Event feedback read from several files (one per convening, say): the events of
    each instrument are numbered across files in date order, so ``wave`` k is the k-th
    event of the series (the text rows follow)."""
    fb = [f for f in files if f.status == "read" and f.table == "feedback" and len(f.frame)]
    if len(fb) < 2:
        return
    for name in sorted({str(f.frame[C.INSTRUMENT].iat[0]) for f in fb}):
        mine = [f for f in fb if str(f.frame[C.INSTRUMENT].iat[0]) == name]
        ev = pd.concat(
            [f.frame[[C.EVENT_ID, C.DATE]].drop_duplicates(C.EVENT_ID) for f in mine]
        ).drop_duplicates(C.EVENT_ID)
        order = ev.sort_values([C.DATE, C.EVENT_ID], na_position="last")[C.EVENT_ID].tolist()
        pos = {e: i + 1 for i, e in enumerate(order)}
        for f in mine:
            f.frame[C.WAVE] = f.frame[C.EVENT_ID].map(pos).astype("int64")
            text = f.frame.attrs.get(TEXT_ATTR)
            if text is not None and len(text) and C.EVENT_ID in text:
                text[C.WAVE] = text[C.EVENT_ID].map(pos).astype("Int64")
        notes.append(
            f"{name}: {len(order)} event(s) from {len(mine)} file(s) numbered in date order "
            "(wave k = the k-th event of the series)"
        )
