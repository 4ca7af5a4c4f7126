"""Shared test fixtures.

The real CDE files live outside the repository, in ``../shared/data/cde`` (or wherever
``CEI_SHARED_DIR`` points). Tests that use them take the ``shared_cde`` fixture and are
skipped, with the reason stated, when the folder is absent; each such test has a twin
that runs on a small committed fixture in ``tests/fixtures/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REFERENCE = Path(__file__).resolve().parent / "reference"
SHARED = Path(os.environ.get("CEI_SHARED_DIR", ROOT.parent / "shared"))
SHARED_CDE = SHARED / "data" / "cde"


def pytest_configure(config):
    """Tests never touch the user's configuration folder (hashing key, name list) nor read a
    key or ledger from the environment: each test process gets its own temporary folder."""
    import tempfile

    os.environ["CEI_CONFIG_DIR"] = tempfile.mkdtemp(prefix="cei-config-")
    for var in ("CEI_HASH_KEY", "CEI_SALT", "CEI_LEDGER"):
        os.environ.pop(var, None)


@pytest.fixture(scope="session")
def shared_cde() -> Path:
    """Folder of real CDE files; skips the test when it is not beside the repository."""
    if not SHARED_CDE.is_dir():
        pytest.skip(
            f"real CDE files not found at {SHARED_CDE} (they are not part of the repository); "
            "the committed fixtures in tests/fixtures/ cover the same readers"
        )
    return SHARED_CDE


@pytest.fixture(scope="session")
def demo():
    """The demo world at its documented seed, built once per test session."""
    import cei_metrics as cm

    return cm.load_demo(seed=2019)


#: The key of the demo pipeline's keyed hashes (tests compare hashed ids with it).
DEMO_KEY = bytes(range(100, 132))


@pytest.fixture(scope="session")
def demo_pipeline(tmp_path_factory, worker_id):
    """The demo world written as raw files and ingested, as ``make report`` does, built
    once per test run: the first worker builds it under a lock in the folder the workers
    share, the others wait and read it (tests must not change it). Returns (raw folder,
    processed folder, ingest report)."""
    from filelock import FileLock

    from cei_metrics.datasets import write_demo_raw
    from cei_metrics.io import ingest, read_ingest_report

    root = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        root = root.parent  # shared by the workers of this run
    base = root / "demo_pipeline"
    with FileLock(str(root / "demo_pipeline.lock")):
        if not (base / "done").exists():
            write_demo_raw(base / "raw", seed=2019)
            ingest(base / "raw", base / "processed", key=DEMO_KEY)
            (base / "done").write_text("")
    return base / "raw", base / "processed", read_ingest_report(base / "processed")
