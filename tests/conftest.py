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
