"""How fast would a compiled engine do the large-export ingest on this machine?

A probe, not part of ``make bench``: DuckDB (``pip install duckdb``; not a dependency)
reads the benchmark's 2,000,000-respondent export, keys its ids with HMAC-SHA-256 built
from DuckDB's ``sha256`` (the same hashes as :func:`cei_metrics.io.keys.hmac_hex`),
unpivots the 12 items, maps two labels and writes zstd parquet -- a lower bound on the
work of :func:`cei_metrics.io.ingest`, which also maps every label, rejects bad rows
with their row numbers, checks the schema and writes a snapshot. Run it from the
repository root: ``python -m benchmarks.probes.duckdb_ingest [N_RESPONDENTS]``.

Measured on the 2-core machine of ``benchmarks/results/2026-12-04-vm-2342.csv``
(DuckDB 2.0.1, 2 threads): 9.26 s with the keyed hash, 4.62 s without it;
``pyarrow.csv.read_csv`` of the same file took 1.68 s in that run, cei_metrics 8.42 s.
"""

from __future__ import annotations

import hashlib
import hmac
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_ingest import _write_export


def main(n_resp: int = 2_000_000) -> None:
    import duckdb

    tmp = Path(tempfile.mkdtemp())
    f = tmp / "survey_wave1.csv"
    _write_export(f, n_resp)
    key = bytes(range(32))
    block = key.ljust(64, b"\0")
    ipad = bytes(b ^ 0x36 for b in block).hex()
    opad = bytes(b ^ 0x5C for b in block).hex()
    con = duckdb.connect()
    con.execute("PRAGMA threads=2")
    src = f"read_csv('{f}', all_varchar=true, header=true)"
    names = [c[0] for c in con.execute(f"SELECT * FROM {src} LIMIT 0").description]
    items = ", ".join('"' + i.replace('"', '""') + '"' for i in names[6:])
    keyed = (
        f"substr(sha256(unhex('{opad}') || unhex(sha256(unhex('{ipad}') || "
        'encode("Response ID")))), 1, 16)'
    )
    for label, hid in (("with the keyed hash", keyed), ("without it", '"Response ID"')):
        t0 = time.perf_counter()
        con.execute(f"""
            COPY (
              WITH ids AS (SELECT {hid} AS hid, * EXCLUDE ("Response ID") FROM {src}),
              l AS (UNPIVOT ids ON {items} INTO NAME item VALUE label)
              SELECT hid AS respondent_id, 1 AS wave, '2021-22' AS year,
                     "District Code" AS district_id, item,
                     CASE label WHEN 'Strongly agree' THEN 5 WHEN 'Agree' THEN 4 END AS value
              FROM l
            ) TO '{tmp / "out.parquet"}' (FORMAT parquet, COMPRESSION zstd)""")
        print(f"DuckDB {duckdb.__version__}, {label}: {time.perf_counter() - t0:.2f} s")
        if hid == keyed:  # the same keyed hash as cei_metrics
            got = con.execute(f"SELECT respondent_id FROM '{tmp / 'out.parquet'}' LIMIT 1")
            want = hmac.new(key, b"R0000000", hashlib.sha256).hexdigest()[:16]
            assert got.fetchone()[0] == want


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000)
