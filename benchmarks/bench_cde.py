"""Reading a statewide DataQuest chronic absenteeism file: rows per second, peak memory.

CDE's 2024-25 statewide file has 341,490 rows and 33.8 MB. A synthetic file of that size
and layout (spaced identity names, Windows-1252, CRLF, ``*`` suppression, charter/DASS
subset rows, a name with a comma in quotes) is written, then read with :func:`read_cde`
(decoding, field-count check, CDS codes, school years, numbers, rate check, subset
filter). Anchors read the same file and do the least a user must to get the same rates:
``pandas.read_csv(sep="\\t", dtype=str, encoding="cp1252")`` or
``pyarrow.csv.read_csv`` (multi-threaded: its pool follows the thread setting), drop the
charter/DASS subset rows and turn the rate column into numbers (``*`` -> missing); no
other conversion and no checks. The rates of the rows kept are compared. Also timed,
ours alone: the real Dashboard graduation file when the shared CDE folder is present.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks._harness import Settings, Side, alone, compare

MODULE = "bench_cde"

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


def _keep(charter, dass) -> object:
    """Rows that are not charter/DASS subsets (what read_cde keeps by default)."""
    return (charter != "Yes") & (dass != "Yes")


def _pandas(f: Path) -> np.ndarray:
    raw = pd.read_csv(f, sep="\t", dtype=str, encoding="cp1252", quoting=3)
    raw = raw[_keep(raw["Charter School"], raw["DASS"])]
    return pd.to_numeric(raw[HEAD[13]], errors="coerce").to_numpy(float)


def _pyarrow(f: Path) -> np.ndarray:
    import pyarrow.compute as pc
    from pyarrow import csv

    t = csv.read_csv(
        f,
        read_options=csv.ReadOptions(encoding="cp1252"),
        parse_options=csv.ParseOptions(delimiter="\t", quote_char=False),
        convert_options=csv.ConvertOptions(
            column_types={h: "string" for h in HEAD if h != HEAD[13]} | {HEAD[13]: "float64"},
            null_values=["*"],
            strings_can_be_null=False,
        ),
    )
    keep = pc.and_(pc.not_equal(t["Charter School"], "Yes"), pc.not_equal(t["DASS"], "Yes"))
    return t.filter(keep)[HEAD[13]].to_numpy(zero_copy_only=False).astype(float)


def run(quick: bool = False, settings: Settings | None = None) -> list[dict]:
    from cei_metrics.io import read_cde

    settings = settings or Settings(quick=quick)
    n = 5_000 if settings.quick else 341_490
    tmp = Path(tempfile.mkdtemp())
    try:
        f = tmp / "chronicabsenteeism25.txt"
        write_chronic(f, n)
        mb = f.stat().st_size / 2**20
        rows = compare(
            MODULE,
            "read_cde, DataQuest chronic absenteeism (synthetic, statewide size)",
            f"{n:,} rows, {mb:.1f} MB",
            Side("cei_metrics", lambda th: read_cde(f)["value"].to_numpy(float),
                 "io.read_cde(path)"),
            [Side("pandas", lambda th: _pandas(f),
                  "pandas.read_csv(sep='\\t', dtype=str) + subset filter + to_numeric(rate)"),
             Side("pyarrow", lambda th: _pyarrow(f),
                  "pyarrow.csv.read_csv (rate as float, '*' null) + subset filter")],
            settings=settings,
            compared="rate of every row kept",
        )  # fmt: skip
        shared = Path(os.environ.get("CEI_SHARED_DIR", Path(__file__).resolve().parents[2]
                                     / "shared")) / "data" / "cde"  # fmt: skip
        grad = shared / "dashboard_graddownload_2019.txt"
        if grad.exists() and not settings.quick:
            rows += alone(
                MODULE,
                "read_cde, Dashboard graduation 2019 (real file)",
                f"{grad.stat().st_size / 2**20:.1f} MB",
                Side("cei_metrics", lambda th: read_cde(grad), "io.read_cde(path)"),
                settings=settings,
                threads=(settings.threads[-1],),
                note="ours alone: a real CDE file",
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


if __name__ == "__main__":  # pragma: no cover
    for r in run():
        print(r)
