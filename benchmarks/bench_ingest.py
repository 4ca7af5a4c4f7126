"""Ingest of a 1,000,000-row long survey (respondent x item): rows per second, peak memory.

The survey is written as the wide export evaluators receive (83,334 respondents x 12
items = 1,000,008 item rows), then read with :func:`read_survey_export` and ingested
(validated, hashed, written to parquet). Anchor: ``pandas.read_csv`` of the same file
(no label mapping, no validation), for scale.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd


def _write_export(path: Path, n_resp: int, seed: int = 1) -> None:
    from cei_metrics.instruments import load_instrument

    inst = load_instrument("family_engagement")
    rng = np.random.default_rng(seed)
    lang = rng.random(n_resp) < 0.35
    cols = {
        "Response ID": [f"R{i:07d}" for i in range(n_resp)],
        "Start Date": "2022-04-01 10:00",
        "District Code": rng.choice(["1234567", "7654321", "1111111"], n_resp),
        "School Code": "12345670000001",
        "Survey Language": np.where(lang, "Español", "English"),
        "Email Address": "x@example.org",
    }
    en = np.array([inst.response_labels["en"][k] for k in range(1, 6)] + ["Don't know", ""])
    es = np.array([inst.response_labels["es"][k] for k in range(1, 6)] + ["No sé", ""])
    for item in inst.items.values():
        k = rng.choice(7, n_resp, p=[0.05, 0.1, 0.2, 0.35, 0.22, 0.04, 0.04])
        cols[item.text["en"]] = np.where(lang, es[k], en[k])
    pd.DataFrame(cols).to_csv(path, index=False, encoding="utf-8-sig")


def _measure(fn) -> tuple[float, float]:
    """Wall time of one call, then peak traced memory of a second call (tracing slows
    Python-level code, so the two are measured separately)."""
    t0 = time.perf_counter()
    fn()
    dt = time.perf_counter() - t0
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return dt, peak / 2**20


def run(quick: bool = False) -> list[dict]:
    from cei_metrics.io import ingest, read_survey_export

    n_resp = 2_000 if quick else 83_334
    tmp = Path(tempfile.mkdtemp())
    try:
        raw = tmp / "raw"
        raw.mkdir()
        f = raw / "survey_wave1.csv"
        _write_export(f, n_resp)
        n_rows = n_resp * 12
        t_read, m_read = _measure(lambda: read_survey_export(f, "family_engagement"))
        t_csv, _ = _measure(lambda: pd.read_csv(f, dtype=str))
        t_ing, m_ing = _measure(lambda: ingest(raw, tmp / "processed", key=bytes(range(32))))
        return [
            {
                "benchmark": f"read survey export, {n_rows:,} item rows",
                "ours_s": t_read,
                "anchor": "pandas.read_csv (no mapping)",
                "anchor_s": t_csv,
                "ratio": t_csv / t_read,
                "peak_mb": m_read,
                "note": f"{n_rows / t_read:,.0f} rows/s",
            },
            {
                "benchmark": f"ingest (read+validate+hash+parquet), {n_rows:,} rows",
                "ours_s": t_ing,
                "anchor": "",
                "anchor_s": None,
                "ratio": None,
                "peak_mb": m_ing,
                "note": f"{n_rows / t_ing:,.0f} rows/s",
            },
        ]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
