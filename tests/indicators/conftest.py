"""Fixtures of the indicator tests: published reference values and small hand-made tables."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cei_metrics.schemas import C

REFERENCE = Path(__file__).resolve().parents[1] / "reference"


@pytest.fixture(scope="session")
def ref():
    """The module tests/reference/indicators_references.py."""
    spec = importlib.util.spec_from_file_location(
        "indicators_references", REFERENCE / "indicators_references.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def apiclus1() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "indicators_apiclus1.csv", comment="#", dtype={"cds": str})


def make_survey(
    n_resp: int = 60,
    *,
    seed: int = 0,
    n_districts: int = 2,
    n_schools: int = 3,
    waves: tuple[int, ...] = (1,),
    missing: float = 0.0,
    items: tuple[str, ...] = (
        "trust_1",
        "trust_2",
        "trust_3",
        "trust_4",
        "comm_1",
        "comm_2",
        "comm_3",
        "comm_4",
    ),
) -> pd.DataFrame:
    """A small canonical long survey of the family_engagement instrument."""
    rng = np.random.default_rng(seed)
    rows = []
    for w in waves:
        rid = np.arange(n_resp)
        dist = rng.integers(0, n_districts, n_resp)
        school = dist * n_schools + rng.integers(0, n_schools, n_resp)
        lang = np.where(rng.random(n_resp) < 0.4, "es", "en")
        el = rng.random(n_resp) < 0.3
        weight = rng.uniform(0.5, 2.0, n_resp)
        for it in items:
            v = rng.integers(1, 6, n_resp).astype(float)
            reason = np.full(n_resp, "", dtype=object)
            drop = rng.random(n_resp) < missing
            dk = drop & (rng.random(n_resp) < 0.5)
            v[drop] = np.nan
            reason[dk] = "dont_know"
            reason[drop & ~dk] = "no_response"
            rows.append(
                pd.DataFrame(
                    {
                        C.RESPONDENT_ID: [f"R{r:04d}" for r in rid],
                        C.WAVE: w,
                        C.YEAR: "2019-20",
                        C.DISTRICT_ID: [f"{1000000 + d}" for d in dist],
                        C.SCHOOL_ID: [f"{10000000000000 + s}" for s in school],
                        C.ROLE: "family",
                        C.LANGUAGE: lang,
                        C.INSTRUMENT: "family_engagement",
                        C.ITEM: it,
                        C.VALUE: v,
                        C.MISSING_REASON: reason,
                        C.WEIGHT: weight,
                        C.EL_FAMILY: el,
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)
