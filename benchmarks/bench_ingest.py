"""Ingest of survey exports: rows per second, peak memory.

A 1,000,000-row long survey (respondent x item) read in memory, and a statewide-size
export of 2,000,000 respondents (24,000,000 item rows) ingested batch by batch, whose
peak resident memory must stay under 1 GB.

The survey is written as the wide export evaluators receive (83,334 respondents x 12
items = 1,000,008 item rows), then read with :func:`read_survey_export` and ingested
(validated, hashed, written to parquet). Anchors: ``pandas.read_csv(dtype=str)`` and
``pyarrow.csv.read_csv`` of the same file: the parse alone, no label mapping, no
reshaping to long, no validation, so the ratio is the price of those steps (below 1:
we are slower). The number of respondents read is compared.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks._harness import Settings, Side, alone, compare

MODULE = "bench_ingest"


def _write_export(path: Path, n_resp: int, seed: int = 1) -> None:
    from cei_metrics.instruments import load_instrument

    inst = load_instrument("family_engagement")
    rng = np.random.default_rng(seed)
    lang = rng.random(n_resp) < 0.35
    # distinct response times over three weeks, to the second, as real exports have
    start = np.datetime64("2022-04-01T07:00:00") + rng.integers(0, 21 * 86400, n_resp).astype(
        "timedelta64[s]"
    )
    cols = {
        "Response ID": [f"R{i:07d}" for i in range(n_resp)],
        "Start Date": pd.Series(start).astype(str),
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


def _pyarrow(f: Path) -> int:
    from pyarrow import csv

    t = csv.read_csv(f, convert_options=csv.ConvertOptions(strings_can_be_null=False))
    return t.num_rows


def _large(tmp: Path, settings: Settings) -> list[dict]:
    """A statewide-size export ingested batch by batch (constant memory), beside parsing
    the same file with pyarrow and pandas, in the same run: wall time, peak resident
    memory (the process and its children, measured apart from the timing) and rows/s.
    Quick mode uses 5,000 respondents and forces the batch path."""
    import cei_metrics.io.stream as stream
    from cei_metrics.io import ingest

    n_resp = 5_000 if settings.quick else 2_000_000
    raw = tmp / "raw_large"
    raw.mkdir()
    f = raw / "survey_wave1.csv"
    _write_export(f, n_resp)
    mb = f.stat().st_size / 2**20
    n_rows = n_resp * 12
    saved = stream.STREAM_BYTES
    if settings.quick:
        stream.STREAM_BYTES = 1024

    def ours(th: int) -> int:
        rep = ingest(raw, tmp / "processed_large", key=bytes(range(32)))
        return rep.files["rows_kept"].sum()

    try:
        rows = compare(
            MODULE,
            "ingest of a large export, batch by batch (read + map + hash + validate + parquet)",
            f"{n_resp:,} respondents ({mb:,.0f} MB) -> {n_rows:,} item rows",
            Side("cei_metrics", ours, "io.ingest(raw_dir, processed_dir)"),
            [Side("pyarrow", lambda th: _pyarrow(f), "pyarrow.csv.read_csv(path) (parse only)"),
             Side("pandas", lambda th: len(pd.read_csv(f, dtype=str)),
                  "pandas.read_csv(path, dtype=str) (parse only)")],
            settings=settings,
            compared="respondents read",
            threads=(settings.threads[-1],),
            note=f"peak_mb is resident memory; {n_rows:,} long rows written",
        )  # fmt: skip
    finally:
        stream.STREAM_BYTES = saved
    for r in rows:
        r["note"] = (r.get("note") or "") + f"; {n_resp / r['median_s']:,.0f} respondents/s"
    return rows


def run(quick: bool = False, settings: Settings | None = None) -> list[dict]:
    from cei_metrics.io import ingest, read_survey_export

    settings = settings or Settings(quick=quick)
    n_resp = 2_000 if settings.quick else 83_334
    tmp = Path(tempfile.mkdtemp())
    try:
        raw = tmp / "raw"
        raw.mkdir()
        f = raw / "survey_wave1.csv"
        _write_export(f, n_resp)
        n_rows = n_resp * 12
        size = f"{n_resp:,} respondents x 12 items = {n_rows:,} item rows"
        rows = compare(
            MODULE,
            "read_survey_export (wide export to canonical long table)",
            size,
            Side("cei_metrics",
                 lambda th: read_survey_export(f, "family_engagement")["respondent_id"].nunique(),
                 "io.read_survey_export(path, 'family_engagement')"),
            [Side("pandas", lambda th: len(pd.read_csv(f, dtype=str)),
                  "pandas.read_csv(path, dtype=str) (parse only)"),
             Side("pyarrow", lambda th: _pyarrow(f), "pyarrow.csv.read_csv(path) (parse only)")],
            settings=settings,
            compared="respondents read",
        )  # fmt: skip
        rows += alone(
            MODULE,
            "ingest (read + validate + hash + parquet)",
            size,
            Side("cei_metrics", lambda th: ingest(raw, tmp / "processed", key=bytes(range(32))),
                 "io.ingest(raw_dir, processed_dir)"),
            settings=settings,
            threads=(settings.threads[-1],),
        )  # fmt: skip
        rows += _large(tmp, settings)
        return rows
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
