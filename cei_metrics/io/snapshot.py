"""Processed data as one snapshot: built aside, switched in at once, one writer at a time.

An ingest never writes into ``processed/`` table by table. It builds a complete new
snapshot -- every table, the ingest report, the synthetic marker and ``MANIFEST.json``
(each table's rows and SHA-256, each source file's SHA-256, the package version) -- in a
staging folder beside ``processed/``, then switches it in:

- on Linux (``renameat2(RENAME_EXCHANGE)``) and macOS (``renamex_np(RENAME_SWAP)``) the
  staging folder and ``processed/`` are exchanged by one atomic system call, so a reader
  or a killed process sees either the old snapshot or the new one, never a mix;
- elsewhere two renames are journalled (``.<name>.switch``); the next ingest or
  :func:`load_tables` finishes an interrupted switch before anything else.

The previous snapshot is kept beside it as ``<name>.previous/`` (one step back:
:func:`restore_previous`). :func:`ProcessedLock` holds an OS-level lock (``filelock``)
on the processed folder while an ingest runs; a second ingest waits a bounded time, then
fails naming the holder's process id, host and start time. :func:`verify` checks a
folder against its manifest; :func:`~cei_metrics.io.load_tables` refuses a folder that
does not match it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
import socket
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CEIError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "MANIFEST",
    "Manifest",
    "ProcessedLock",
    "file_sha256",
    "os_error",
    "read_manifest",
    "recover",
    "restore_previous",
    "verify",
    "write_snapshot",
]

MANIFEST = "MANIFEST.json"
SYNTHETIC_MARKER = "SYNTHETIC"
REPORT = "ingest_report.json"
MANIFEST_VERSION = 1
#: files of a snapshot that are not tables
_OWN_FILES = {MANIFEST, SYNTHETIC_MARKER, REPORT}


def file_sha256(path: str | os.PathLike, *, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, read in chunks (constant memory)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class Manifest:
    """What a snapshot holds: ``tables`` (name -> file, rows, sha256, and ``kept_from``
    when carried over from the previous snapshot), ``sources`` (raw file -> sha256,
    bytes), the package ``version``, ``created`` (UTC, ISO 8601), ``snapshot`` id and
    whether the data are the ``synthetic`` demo."""

    snapshot: str
    created: str
    version: str
    synthetic: bool
    tables: dict[str, dict[str, Any]]
    sources: dict[str, dict[str, Any]]
    notes: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps(
            {
                "manifest_version": MANIFEST_VERSION,
                "snapshot": self.snapshot,
                "created": self.created,
                "version": self.version,
                "synthetic": self.synthetic,
                "tables": self.tables,
                "sources": self.sources,
                "notes": list(self.notes),
            },
            indent=1,
            sort_keys=True,
        )


# ---------------------------------------------------------------------------------------
# paths beside processed/


def _sibling(processed: Path, suffix: str) -> Path:
    return processed.parent / f"{processed.name}{suffix}"


def previous_dir(processed: str | os.PathLike) -> Path:
    """Where the snapshot before the current one is kept."""
    return _sibling(Path(processed), ".previous")


def _journal(processed: Path) -> Path:
    return processed.parent / f".{processed.name}.switch"


def _lock_path(processed: Path) -> Path:
    return processed.parent / f".{processed.name}.lock"


# ---------------------------------------------------------------------------------------
# one writer


class ProcessedLock:
    """OS-level lock on a processed folder (``filelock``), held while an ingest builds
    and switches a snapshot.

    The lock file sits beside the folder (``.<name>.lock``), so it survives the switch;
    the holder's process id, host and start time are written next to it
    (``.<name>.lock.json``) so a second writer can say who holds it.

    Parameters
    ----------
    processed : the processed folder.
    timeout : seconds to wait for another ingest to finish before giving up.
    """

    def __init__(self, processed: str | os.PathLike, *, timeout: float = 60.0) -> None:
        from filelock import FileLock

        self.processed = Path(processed)
        self.timeout = float(timeout)
        self.path = _lock_path(self.processed)
        self.info = self.path.with_name(self.path.name + ".json")
        self._lock = FileLock(str(self.path))

    def _holder(self) -> str:
        try:
            d = json.loads(self.info.read_text())
            return f"process {d.get('pid')} on {d.get('host')}, ingesting since {d.get('started')}"
        except (OSError, ValueError):
            return "another process (its details could not be read)"

    def __enter__(self) -> ProcessedLock:
        from filelock import Timeout

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise os_error(err, self.path.parent, "create the processed folder's parent") from None
        try:
            self._lock.acquire(timeout=self.timeout)
        except Timeout:
            raise CEIError(
                f"another ingest is writing this processed folder: {self._holder()}; "
                f"waited {self.timeout:g} s",
                file=self.processed,
                fix="wait for it to finish and run again; if no such process runs any more, "
                f"delete {self.path.name} and {self.info.name} beside the folder",
            ) from None
        except OSError as err:
            raise os_error(err, self.path, "lock the processed folder") from None
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        tmp = self.info.with_name(self.info.name + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(info))
        os.replace(tmp, self.info)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.info.unlink(missing_ok=True)
        finally:
            self._lock.release()


def os_error(err: OSError, path: Path, doing: str) -> CEIError:
    """A CEIError for an operating-system refusal, with the fix for the usual causes."""
    import errno

    why = {
        errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted",
        errno.EROFS: "the file system is read-only",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.ENOSPC: "the disk is full",
        errno.EEXIST: "it already exists",
    }.get(err.errno, err.strerror or str(err))
    fix = {
        errno.EACCES: "give your user write permission there, or choose another folder",
        errno.EPERM: "give your user write permission there, or choose another folder",
        errno.EROFS: "choose a processed folder on a writable disk",
        errno.ENOTDIR: "choose a processed folder whose parents are folders",
        errno.ENOSPC: "free disk space, then run again",
    }.get(err.errno, "check the path and its permissions")
    return CEIError(f"could not {doing}: {why}", file=path, fix=fix)


# ---------------------------------------------------------------------------------------
# the switch


def _libc():
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name, use_errno=True) if name else None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two existing paths; False where the system cannot."""
    lib = _libc()
    if lib is None:
        return False
    try:
        if sys.platform.startswith("linux") and hasattr(lib, "renameat2"):
            at_fdcwd, rename_exchange = -100, 2
            lib.renameat2.argtypes = [
                ctypes.c_int,
                ctypes.c_char_p,
                ctypes.c_int,
                ctypes.c_char_p,
                ctypes.c_uint,
            ]
            rc = lib.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
        elif sys.platform == "darwin" and hasattr(lib, "renamex_np"):
            rename_swap = 0x2
            lib.renamex_np.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
            rc = lib.renamex_np(os.fsencode(a), os.fsencode(b), rename_swap)
        else:
            return False
    except (AttributeError, OSError):
        return False
    return rc == 0


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _switch(staging: Path, processed: Path) -> None:
    """Make ``staging`` the processed folder and keep the old one as ``.previous``."""
    prev = previous_dir(processed)
    if not processed.exists():
        os.replace(staging, processed)
        _fsync_dir(processed.parent)
        return
    if _exchange(staging, processed):
        # staging now holds the old snapshot: it becomes the previous one
        if prev.exists() and _exchange(staging, prev):
            shutil.rmtree(staging)
        else:
            if prev.exists():
                shutil.rmtree(prev)
            os.replace(staging, prev)
        _fsync_dir(processed.parent)
        return
    # two renames, journalled: recover() finishes them if the process dies in between
    journal = _journal(processed)
    journal.write_text(json.dumps({"staging": str(staging), "processed": str(processed)}))
    if prev.exists():
        shutil.rmtree(prev)
    os.replace(processed, prev)
    os.replace(staging, processed)
    journal.unlink(missing_ok=True)
    _fsync_dir(processed.parent)


def recover(processed: str | os.PathLike) -> str | None:
    """Finish or undo a switch that a killed process left half done (two-rename
    platforms only); returns what was done, or None when nothing was needed. Stale
    staging folders of dead processes are removed."""
    processed = Path(processed)
    done = None
    journal = _journal(processed)
    if journal.exists():
        try:
            staging = Path(json.loads(journal.read_text())["staging"])
        except (OSError, ValueError, KeyError):
            staging = None
        if not processed.exists():
            if staging is not None and (staging / MANIFEST).exists():
                os.replace(staging, processed)
                done = "finished an interrupted switch to the new snapshot"
            elif previous_dir(processed).exists():
                os.replace(previous_dir(processed), processed)
                done = "restored the previous snapshot after an interrupted switch"
        journal.unlink(missing_ok=True)
    try:
        stale_dirs = [
            *processed.parent.glob(f".{processed.name}.staging-*"),
            *processed.parent.glob(f".{processed.name}.spool-*"),
        ]
    except OSError:  # a folder we may only read
        stale_dirs = []
    for stale in stale_dirs:
        pid = stale.name.rsplit("-", 1)[-1]
        if not (pid.isdigit() and _alive(int(pid))):
            shutil.rmtree(stale, ignore_errors=True)
    return done


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def restore_previous(processed: str | os.PathLike) -> Path:
    """Go one step back: exchange the processed folder with ``<name>.previous``."""
    processed = Path(processed)
    prev = previous_dir(processed)
    if not (prev / MANIFEST).exists():
        raise CEIError(
            "there is no previous snapshot to go back to",
            file=prev,
            fix="a previous snapshot is kept after the second ingest into a folder",
        )
    with ProcessedLock(processed):
        if not _exchange(prev, processed):
            tmp = _sibling(processed, f".swap-{os.getpid()}")
            os.replace(processed, tmp)
            os.replace(prev, processed)
            os.replace(tmp, prev)
    return processed


# ---------------------------------------------------------------------------------------
# writing and checking


def read_manifest(processed: str | os.PathLike) -> dict[str, Any] | None:
    """The manifest of a processed folder as a dict, or None when it has none."""
    p = Path(processed) / MANIFEST
    if not p.exists():
        return None
    try:
        return json.loads(p.read_text())
    except (OSError, ValueError) as err:
        raise CEIError(
            f"the manifest cannot be read ({err})",
            file=p,
            fix="run the ingest again to rebuild the processed folder",
        ) from None


def write_snapshot(
    processed: str | os.PathLike,
    tables: Mapping[str, pd.DataFrame],
    *,
    report: Mapping[str, Any],
    synthetic: bool,
    sources: Iterable[str | os.PathLike],
    raw_dir: str | os.PathLike | None = None,
    keep: Iterable[str] = (),
    notes: Iterable[str] = (),
    carry: Iterable[str] = (".gitkeep",),
) -> Manifest:
    """Build a complete snapshot beside ``processed`` and switch it in.

    Parameters
    ----------
    processed : the processed folder (need not exist yet).
    tables : table name -> validated frame, written as ``<name>.parquet``.
    report : the ingest report, written as ``ingest_report.json``.
    synthetic : whether the data are the synthetic demo (the ``SYNTHETIC`` marker).
    sources : the raw files read; their SHA-256 go into the manifest.
    raw_dir : the raw folder, so sources are recorded relative to it.
    keep : tables carried over unchanged from the current snapshot (their source failed
        this time); their files are copied and their manifest entries kept.
    notes : sentences recorded in the manifest.
    carry : files of the current folder that are not data but belong there (e.g.
        ``.gitkeep``), copied into the new snapshot.

    Call it while holding :class:`ProcessedLock`.
    """
    from .. import __version__
    from .tables import atomic_write_parquet

    processed = Path(processed)
    staging = processed.parent / f".{processed.name}.staging-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        staging.mkdir(parents=True)
    except OSError as err:
        raise os_error(
            err, staging, "create the staging folder beside the processed folder"
        ) from None
    try:
        old = read_manifest(processed) if processed.is_dir() else None
        entries: dict[str, dict[str, Any]] = {}
        for name in sorted(set(keep)):
            if old is None or name not in old.get("tables", {}):
                continue
            src = processed / old["tables"][name]["file"]
            shutil.copy2(src, staging / src.name)
            entry = dict(old["tables"][name])
            entry.setdefault("kept_from", old.get("snapshot"))
            entries[name] = entry
        for name, df in tables.items():
            if name in entries:
                continue
            target = staging / f"{name}.parquet"
            if hasattr(df, "iter_frames"):  # a table spooled to disk: moved in whole
                if _other_device(df.path, staging):
                    shutil.copyfile(df.path, target)
                else:
                    os.replace(df.path, target)
                rows = int(df.rows)
            else:
                atomic_write_parquet(df, target)
                rows = len(df)
            entries[name] = {"file": target.name, "rows": rows, "sha256": file_sha256(target)}
        for name in carry:
            src = processed / name
            if src.is_file():
                shutil.copy2(src, staging / name)
        base = Path(raw_dir) if raw_dir is not None else None
        srcs: dict[str, dict[str, Any]] = {}
        for s in sources:
            s = Path(s)
            key = (
                str(s.relative_to(base)) if base is not None and s.is_relative_to(base) else str(s)
            )
            srcs[key] = {"sha256": file_sha256(s), "bytes": s.stat().st_size}
        stamp = datetime.now(UTC)
        manifest = Manifest(
            snapshot=stamp.strftime("%Y%m%dT%H%M%S.%fZ"),
            created=stamp.isoformat(timespec="seconds"),
            version=__version__,
            synthetic=bool(synthetic),
            tables=entries,
            sources=srcs,
            notes=tuple(notes),
        )
        (staging / REPORT).write_text(json.dumps(report, indent=1, default=str))
        if synthetic:
            (staging / SYNTHETIC_MARKER).write_text(
                "These tables were built from the synthetic cei_metrics demo world.\n"
            )
        (staging / MANIFEST).write_text(manifest.to_json())
        for f in staging.iterdir():  # durable before the switch
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(staging)
        if os.environ.get("CEI_TEST_CRASH_BEFORE_SWITCH"):  # fault-injection tests
            time.sleep(float(os.environ["CEI_TEST_CRASH_BEFORE_SWITCH"]))
        _switch(staging, processed)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise os_error(err, processed, "write the processed snapshot") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _other_device(a: Path, b: Path) -> bool:
    try:
        return os.stat(a).st_dev != os.stat(b).st_dev
    except OSError:
        return True


def verify(processed: str | os.PathLike, *, hashes: bool = True) -> dict[str, Any]:
    """Check a processed folder against its manifest; return the manifest.

    Raises :class:`CEIError` when a table listed is missing, has other rows or another
    SHA-256, a parquet file is not listed, or the synthetic marker disagrees with the
    manifest: a folder that was changed by hand or mixed by an interrupted writer.
    """
    import pyarrow.parquet as pq

    processed = Path(processed)
    man = read_manifest(processed)
    fix = "run the ingest again (cei-metrics ingest RAW PROCESSED) to rebuild the folder"
    if man is None:
        raise CEIError(
            f"the processed folder has no {MANIFEST}: it was not written by an ingest of "
            "this version, or was changed by hand",
            file=processed,
            fix=fix,
        )
    listed = {e["file"] for e in man.get("tables", {}).values()}
    on_disk = {p.name for p in processed.glob("*.parquet")}
    for extra in sorted(on_disk - listed):
        raise CEIError(
            f"{extra} is not in the manifest: the folder mixes files of different ingests",
            file=processed / extra,
            fix=fix,
        )
    for name, e in man.get("tables", {}).items():
        p = processed / e["file"]
        if not p.exists():
            raise CEIError(f"the {name} table listed in the manifest is missing", file=p, fix=fix)
        if pq.ParquetFile(p).metadata.num_rows != e["rows"]:
            raise CEIError(
                f"the {name} table has {pq.ParquetFile(p).metadata.num_rows} rows; the "
                f"manifest says {e['rows']}",
                file=p,
                fix=fix,
            )
        if hashes and file_sha256(p) != e["sha256"]:
            raise CEIError(
                f"the {name} table differs from the one the manifest records (SHA-256)",
                file=p,
                fix=fix,
            )
    marker = (processed / SYNTHETIC_MARKER).exists()
    if marker != bool(man.get("synthetic")):
        raise CEIError(
            "the synthetic-data marker disagrees with the manifest",
            file=processed / SYNTHETIC_MARKER,
            fix=fix,
        )
    return man


def own_files() -> frozenset[str]:
    """Names of the non-table files a snapshot holds."""
    return frozenset(_OWN_FILES)
