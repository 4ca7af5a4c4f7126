"""Processed data changes as one snapshot, one writer at a time, and is never mixed.

Fault injection: an ingest in a child process killed with SIGKILL at random points
leaves the processed folder as exactly the old or the new snapshot; two concurrent
ingests end with one snapshot and one clear error; raw bytes never change.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

import cei_metrics as cm
from cei_metrics.errors import CEIError
from cei_metrics.io import snapshot as snap
from cei_metrics.io.intake import ingest

FIX = Path(__file__).resolve().parents[1] / "fixtures"
ROOT = Path(__file__).resolve().parents[2]


def _raw(tmp_path: Path, name: str = "raw") -> Path:
    raw = tmp_path / name
    raw.mkdir()
    shutil.copy(FIX / "survey" / "synthetic_survey_wave1.csv", raw)
    shutil.copy(FIX / "signins" / "synthetic_signins_2019-20.csv", raw)
    shutil.copy(FIX / "signins" / "synthetic_districts.csv", raw)
    return raw


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _tables(folder: Path) -> dict[str, str]:
    """table file -> sha256 of what is in the processed folder now."""
    return {p.name: snap.file_sha256(p) for p in sorted(folder.glob("*.parquet"))}


def test_manifest_records_tables_sources_and_version(tmp_path):
    raw = _raw(tmp_path)
    out = tmp_path / "processed"
    rep = ingest(raw, out)
    man = json.loads((out / "MANIFEST.json").read_text())
    assert man["version"] == cm.__version__ and man["synthetic"] is True
    tables = {"survey", "participation", "roster", "text"}  # text: the fixture's one comment
    assert set(man["tables"]) == set(rep.tables) == tables
    for name, e in man["tables"].items():
        p = out / e["file"]
        assert e["rows"] == len(pd.read_parquet(p)) == rep.tables[name]
        assert e["sha256"] == hashlib.sha256(p.read_bytes()).hexdigest()
    assert set(man["sources"]) == {
        "synthetic_survey_wave1.csv",
        "synthetic_signins_2019-20.csv",
        "synthetic_districts.csv",
    }
    src = man["sources"]["synthetic_districts.csv"]
    assert (
        src["sha256"] == hashlib.sha256((raw / "synthetic_districts.csv").read_bytes()).hexdigest()
    )
    assert cm.io.load_tables(out).extra["manifest"]["snapshot"] == man["snapshot"]
    # no staging folder or stale lock details are left behind
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [
        ".processed.lock"
    ]


@pytest.mark.parametrize(
    "tamper, message",
    [
        ("extra_table", "not in the manifest"),
        ("changed_table", "differs from the one the manifest records"),
        ("missing_table", "listed in the manifest is missing"),
        ("marker_added", "synthetic-data marker disagrees"),
        ("no_manifest", "has no MANIFEST.json"),
        ("rows", "the manifest says"),
    ],
)
def test_load_tables_refuses_a_folder_that_does_not_match_its_manifest(tmp_path, tamper, message):
    raw = _raw(tmp_path)
    out = tmp_path / "processed"
    ingest(raw, out)
    if tamper == "extra_table":  # e.g. a table left by another ingest
        shutil.copy(out / "roster.parquet", out / "outcomes.parquet")
    elif tamper == "changed_table":
        df = pd.read_parquet(out / "roster.parquet")
        df.iloc[0, 0] = "0000000"
        df.to_parquet(out / "roster.parquet", index=False)
    elif tamper == "missing_table":
        (out / "survey.parquet").unlink()
    elif tamper == "marker_added":
        (out / "SYNTHETIC").unlink()
    elif tamper == "no_manifest":
        (out / "MANIFEST.json").unlink()
    elif tamper == "rows":
        df = pd.read_parquet(out / "roster.parquet")
        pd.concat([df, df]).to_parquet(out / "roster.parquet", index=False)
    with pytest.raises(CEIError, match=message) as err:
        cm.io.load_tables(out)
    assert "run the ingest again" in str(err.value)


def test_previous_snapshot_is_kept_one_step_back(tmp_path):
    raw = _raw(tmp_path)
    out = tmp_path / "processed"
    ingest(raw, out)
    first = _tables(out)
    first_id = snap.read_manifest(out)["snapshot"]
    (raw / "synthetic_signins_2019-20.csv").unlink()
    rep = ingest(raw, out)
    assert "participation" not in rep.tables
    assert any("had a participation table" in n for n in rep.notes)
    assert "participation.parquet" not in _tables(out)
    prev = snap.previous_dir(out)
    assert _tables(prev) == first and snap.read_manifest(prev)["snapshot"] == first_id
    snap.restore_previous(out)
    assert _tables(out) == first
    cm.io.load_tables(out)  # the restored folder matches its manifest


def test_a_table_is_never_dropped_because_its_source_failed(tmp_path):
    raw = _raw(tmp_path)
    out = tmp_path / "processed"
    ingest(raw, out)
    survey_before = pd.read_parquet(out / "survey.parquet")
    # the only survey file now fails to read (a question column appears twice)
    p = raw / "synthetic_survey_wave1.csv"
    lines = p.read_text(encoding="utf-8-sig").splitlines()
    head = lines[1].split(",")
    head[-1] = head[-2]
    lines[1] = ",".join(head)
    p.write_text("\n".join(lines) + "\n")
    raw_digest = _digest(raw)
    rep = ingest(raw, out)
    assert (rep.files["status"] == "failed").sum() == 1
    assert any("survey table was NOT updated" in n for n in rep.notes)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "survey.parquet"), survey_before)
    man = snap.read_manifest(out)
    assert man["tables"]["survey"]["kept_from"]
    cm.io.load_tables(out)
    # --replace rebuilds the table without the failed file (here: no survey table at all)
    rep = ingest(raw, out, replace=True)
    assert "survey" not in rep.tables and not (out / "survey.parquet").exists()
    assert _digest(raw) == raw_digest  # raw is only read


def test_second_ingest_waits_then_names_the_holder(tmp_path):
    raw = _raw(tmp_path)
    out = tmp_path / "processed"
    code = textwrap.dedent(
        f"""
        import time
        from cei_metrics.io.snapshot import ProcessedLock
        with ProcessedLock({str(out)!r}):
            print("locked", flush=True)
            time.sleep(30)
        """
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        t0 = time.perf_counter()
        with pytest.raises(CEIError, match=f"process {holder.pid} on") as err:
            ingest(raw, out, lock_timeout=0.5)
        assert 0.4 < time.perf_counter() - t0 < 10
        assert "ingesting since" in str(err.value) and "How to fix" in str(err.value)
        assert not out.exists()  # nothing written by the refused ingest
    finally:
        holder.kill()
        holder.wait()
    ingest(raw, out)  # the lock dies with its holder
    cm.io.load_tables(out)


_CHILD = """
import sys
from cei_metrics.io.intake import ingest
ingest(sys.argv[1], sys.argv[2])
print("done", flush=True)
"""


def _child(raw: Path, out: Path, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(raw), str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )


@pytest.mark.slow
def test_killed_ingest_leaves_exactly_the_old_or_the_new_snapshot(tmp_path, monkeypatch):
    # a fixed key, so the same raw files give byte-identical tables in every run
    monkeypatch.setenv("CEI_HASH_KEY", "fault-injection-test-key-0123456789abcdef")
    raw_old = _raw(tmp_path, "raw_old")
    raw_new = _raw(tmp_path, "raw_new")
    (raw_new / "synthetic_signins_2019-20.csv").unlink()  # the new snapshot: no sign-ins
    out = tmp_path / "processed"
    ingest(raw_old, out)
    old = _tables(out)
    probe = tmp_path / "probe"
    ingest(raw_new, probe)
    new = _tables(probe)
    assert old != new
    digests = {p: _digest(p) for p in (raw_old, raw_new)}
    rng = random.Random(7)
    # time a full child run, then kill children at random points of it; one kill lands
    # while the finished snapshot waits just before the switch
    t0 = time.perf_counter()
    assert _child(raw_new, tmp_path / "timing").wait(120) == 0
    span = time.perf_counter() - t0
    outcomes = []
    for k in range(4):
        shutil.rmtree(out)
        ingest(raw_old if k % 2 == 0 else raw_new, out)
        before = _tables(out)
        env = {"CEI_TEST_CRASH_BEFORE_SWITCH": "30"} if k == 3 else None
        child = _child(raw_new if k % 2 == 0 else raw_old, out, env)
        delay = 0.8 * span if k == 3 else rng.uniform(0.2, 1.0) * span
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        now = _tables(out)
        assert now in (old, new), f"kill {k} after {delay:.2f}s left a mixed folder"
        cm.io.load_tables(out)  # matches its manifest
        outcomes.append("old" if now == before else "new")
    assert all(_digest(p) == d for p, d in digests.items())
    # the kill held before the switch must leave the snapshot that was there
    assert outcomes[3] == "old"
    # the next ingest cleans up what the killed ones left
    ingest(raw_new, out)
    assert not list(tmp_path.glob(".processed.staging-*"))


def test_two_concurrent_ingests_end_with_one_snapshot_and_one_clear_error(tmp_path):
    raw_a = _raw(tmp_path, "raw_a")
    raw_b = _raw(tmp_path, "raw_b")
    (raw_b / "synthetic_signins_2019-20.csv").unlink()
    out = tmp_path / "processed"
    code = (
        "import sys\nfrom cei_metrics.io.intake import ingest\nfrom cei_metrics.errors import "
        "CEIError\ntry:\n    ingest(sys.argv[1], sys.argv[2], lock_timeout=float(sys.argv[3]))\n"
        "    print('ok')\nexcept CEIError as e:\n    print('refused:', e)\n"
    )
    env = {**os.environ, "CEI_TEST_CRASH_BEFORE_SWITCH": "3"}  # hold the lock a while
    a = subprocess.Popen(
        [sys.executable, "-c", code, str(raw_a), str(out), "0.5"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    time.sleep(2.5)
    b = subprocess.run(
        [sys.executable, "-c", code, str(raw_b), str(out), "0.5"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    out_a = a.communicate(timeout=120)[0]
    results = sorted([out_a.strip(), b.stdout.strip()])
    assert results[0] == "ok" and results[1].startswith("refused: ")
    assert "another ingest is writing this processed folder" in results[1]
    man = snap.read_manifest(out)
    assert "participation" in man["tables"]  # raw_a's snapshot, whole
    cm.io.load_tables(out)


def test_raw_folder_problems_are_named(tmp_path, monkeypatch):
    raw = _raw(tmp_path)
    # processed inside raw, or under a file
    with pytest.raises(CEIError, match="inside the raw folder"):
        ingest(raw, raw / "processed")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(CEIError, match="is a file"):
        ingest(raw, tmp_path / "afile" / "processed")
    # hidden files are skipped with a note; links out of the raw folder are refused
    (raw / ".hidden.csv").write_text("a,b\n1,2\n")
    outside = tmp_path / "outside.csv"
    shutil.copy(raw / "synthetic_districts.csv", outside)
    (raw / "linked.csv").symlink_to(outside)
    rep = ingest(raw, tmp_path / "processed")
    st = dict(zip(rep.files["file"].map(lambda f: Path(f).name), rep.files["status"]))
    assert st[".hidden.csv"] == "skipped" and st["linked.csv"] == "failed"
    note = rep.files.set_index(rep.files["file"].map(lambda f: Path(f).name))["note"]
    assert "outside the raw folder" in note["linked.csv"]
    # an unreadable raw folder is an error, never "0 files"
    real_iterdir = Path.iterdir

    def deny(self):
        if self == raw:
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", deny)
    with pytest.raises(CEIError, match="could not read the raw data folder: permission denied"):
        ingest(raw, tmp_path / "processed")


def test_read_only_processed_parent_is_a_named_error(tmp_path, monkeypatch):
    raw = _raw(tmp_path)
    real_mkdir = Path.mkdir

    def ro(self, *a, **k):
        if ".staging-" in self.name:
            raise OSError(30, "Read-only file system", str(self))
        return real_mkdir(self, *a, **k)

    monkeypatch.setattr(Path, "mkdir", ro)
    with pytest.raises(CEIError, match="the file system is read-only") as err:
        ingest(raw, tmp_path / "processed")
    assert "writable disk" in str(err.value)


def test_interrupted_two_rename_switch_is_finished_on_next_open(tmp_path, monkeypatch):
    # where the system cannot exchange two folders atomically, a journal lets the next
    # reader finish a switch stopped between its two renames
    raw = _raw(tmp_path)
    out = tmp_path / "processed"
    ingest(raw, out)
    old = _tables(out)
    shutil.rmtree(snap.previous_dir(out), ignore_errors=True)
    monkeypatch.setattr(snap, "_exchange", lambda a, b: False)
    monkeypatch.setattr(snap.shutil, "rmtree", lambda *a, **k: None)  # as under SIGKILL
    real_replace = os.replace

    def die_after_first(src, dst):
        real_replace(src, dst)
        if str(dst).endswith(".previous"):
            raise KeyboardInterrupt  # the process stops between the two renames

    monkeypatch.setattr(os, "replace", die_after_first)
    (raw / "synthetic_signins_2019-20.csv").unlink()
    with pytest.raises(KeyboardInterrupt):
        ingest(raw, out)
    monkeypatch.undo()
    assert not out.exists() and (tmp_path / ".processed.switch").exists()
    tabs = cm.io.load_tables(out)  # finishes the switch, then reads the new snapshot
    assert tabs.participation.empty and not tabs.survey.empty
    assert _tables(out) != old and not (tmp_path / ".processed.switch").exists()
    assert _tables(snap.previous_dir(out)) == old
