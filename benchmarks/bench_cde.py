"""Reading a statewide DataQuest chronic absenteeism file: rows per second, peak memory.

CDE's 2024-25 statewide file has 341,490 rows and 33.8 MB. A synthetic file of that size
and layout (spaced identity names, Windows-1252, CRLF, ``*`` suppression, charter/DASS
subset rows, a name with a comma in quotes) is written, then read with :func:`read_cde`
(decoding, field-count check, CDS codes, school years, numbers, rate check, subset
filter). Anchor: plain ``pandas.read_csv(..., sep="\\t", dtype=str)`` of the same file
(no conversion, no checks). Also timed: the real Dashboard graduation file when the
shared CDE folder is present.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

HEAD = ["Academic Year", "Aggregate Level", "County Code", "District Code", "School Code",
        "County Name", "District Name", "School Name", "Charter School", "DASS",
        "Reporting Category", "ChronicAbsenteeismEligibleCumulativeEnrollment",
        "ChronicAbsenteeismCount", "ChronicAbsenteeismRate"]  # fmt: skip
CATS = np.array(["TA", "RB", "RI", "RA", "RF", "RH", "RP", "RT", "RW", "RD", "GM", "GF", "GX",
                 "SE", "SD", "SS", "SM", "SF", "SH", "GRTKKN", "GR13", "GR46", "GR78",
                 "GR912"])  # fmt: skip


def write_chronic(path: Path, n_rows: int, seed: int = 1) -> None:
    """A synthetic statewide chronic absenteeism file of about ``n_rows`` rows."""
    rng = np.random.default_rng(seed)
    n_ent = max(1, n_rows // len(CATS))
    k = n_ent * len(CATS)
    ent = np.repeat(np.arange(n_ent), len(CATS))
    lvl = np.where(ent % 40 == 0, "D", "S")
    lvl[0 : len(CATS)] = "T"
    county = (ent % 58 + 1).astype(str)
    county = np.char.zfill(county, 2)
    dist = np.char.zfill((10000 + ent // 9).astype(str), 5)
    school = np.where(lvl == "S", np.char.zfill((100000 + ent).astype(str), 7), "")
    dist = np.where(lvl == "T", "", dist)
    county = np.where(lvl == "T", "00", county)
    den = rng.integers(5, 900, k)
    num = rng.binomial(den, 0.25)
    supp = den < 11
    rate = np.round(100 * num / den, 1).astype(str)
    cols = {
        HEAD[0]: "2024-25",
        HEAD[1]: lvl,
        HEAD[2]: county,
        HEAD[3]: dist,
        HEAD[4]: school,
        HEAD[5]: "Los Angeles",
        HEAD[6]: np.where(ent % 97 == 0, '"Lincoln, Unified"', "Alpine Union Elementary"),
        HEAD[7]: np.where(lvl == "S", "Niños Elementary School", ""),
        HEAD[8]: np.where(lvl == "S", "No", np.where(ent % 3 == 0, "Yes", "All")),
        HEAD[9]: np.where(lvl == "S", "No", "All"),
        HEAD[10]: CATS[np.arange(k) % len(CATS)],
        HEAD[11]: den.astype(str),
        HEAD[12]: np.where(supp, "*", num.astype(str)),
        HEAD[13]: np.where(supp, "*", rate),
    }
    df = pd.DataFrame(cols)
    text = df.to_csv(sep="\t", index=False, lineterminator="\r\n", quoting=3, escapechar=None)
    path.write_bytes(text.encode("cp1252"))


def _measure(fn) -> tuple[float, float, object]:
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return dt, peak / 2**20, out


def run(quick: bool = False) -> list[dict]:
    from cei_metrics.io import read_cde

    n = 5_000 if quick else 341_490
    tmp = Path(tempfile.mkdtemp())
    rows: list[dict] = []
    try:
        f = tmp / "chronicabsenteeism25.txt"
        write_chronic(f, n)
        mb = f.stat().st_size / 2**20
        t_ours, m_ours, df = _measure(lambda: read_cde(f))
        t_pd, m_pd, raw = _measure(lambda: pd.read_csv(f, sep="\t", dtype=str,
                                                       encoding="cp1252", quoting=3))  # fmt: skip
        rows.append(
            {
                "benchmark": f"read_cde DataQuest chronic, {len(raw):,} rows ({mb:.1f} MB)",
                "ours_s": t_ours,
                "anchor": "pandas.read_csv (text only)",
                "anchor_s": t_pd,
                "ratio": t_pd / t_ours,
                "peak_mb": m_ours,
                "note": f"{len(raw) / t_ours:,.0f} rows/s; {len(df):,} rows out; "
                f"anchor peak {m_pd:.0f} MB",
            }
        )
        shared = Path(os.environ.get("CEI_SHARED_DIR", Path(__file__).resolve().parents[2]
                                     / "shared")) / "data" / "cde"  # fmt: skip
        grad = shared / "dashboard_graddownload_2019.txt"
        if grad.exists() and not quick:
            t_g, m_g, g = _measure(lambda: read_cde(grad))
            t_gp, _, _ = _measure(lambda: pd.read_csv(grad, sep="\t", dtype=str, quoting=3,
                                                      encoding="cp1252"))  # fmt: skip
            rows.append(
                {
                    "benchmark": f"read_cde Dashboard graduation 2019 ({len(g):,} rows, real)",
                    "ours_s": t_g,
                    "anchor": "pandas.read_csv (text only)",
                    "anchor_s": t_gp,
                    "ratio": t_gp / t_g,
                    "peak_mb": m_g,
                    "note": f"{len(g) / t_g:,.0f} rows/s",
                }
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


if __name__ == "__main__":  # pragma: no cover
    for r in run():
        print(r)
