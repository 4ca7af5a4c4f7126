"""Readers of real formats into the canonical tables, and ingest of raw to processed.

- :func:`read_cde` reads California Department of Education files (Dashboard downloads,
  DataQuest research files, the district directory, local-indicator files).
- :func:`read_survey_export` reads a survey tool's wide export with text labels.
- :func:`read_signins` reads event sign-in sheets.
- :func:`ingest` validates raw files, scrubs PII and free text, hashes ids, writes parquet.
- :func:`load_tables` reads the processed tables back (or the demo world).
"""

from __future__ import annotations

from .._lazy import lazy_getattr

_TABLE = {
    "read_cde": "cde",
    "detect_cde_format": "cde",
    "read_survey_export": "survey",
    "read_signins": "participation",
    "read_roster": "participation",
    "ingest": "ingest",
    "IngestReport": "ingest",
    "coverage": "coverage",
    "read_ingest_report": "coverage",
    "load_tables": "tables",
    "Tables": "tables",
    "atomic_write_parquet": "tables",
}
__all__ = sorted(_TABLE)
__getattr__ = lazy_getattr(__name__, _TABLE)
