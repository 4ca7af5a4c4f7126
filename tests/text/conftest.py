"""Fixtures of the text tests: reference values and the committed REFI-QDA fixture."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

TESTS = Path(__file__).resolve().parents[1]
REFERENCE = TESTS / "reference"
QDPX = TESTS / "fixtures" / "qdpx"


@pytest.fixture(scope="session")
def ref():
    """The module tests/reference/text_agreement_references.py."""
    spec = importlib.util.spec_from_file_location(
        "text_agreement_references", REFERENCE / "text_agreement_references.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def psych_kappa() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "text_kappa_psych.csv", comment="#", skipinitialspace=True)


@pytest.fixture(scope="session")
def kappa_tables() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "text_kappa_tables.csv", comment="#")
