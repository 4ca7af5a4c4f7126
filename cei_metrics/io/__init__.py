"""Readers of real formats into the canonical tables, and ingest of raw to processed.

- :func:`read_cde` reads California Department of Education files (Dashboard downloads,
  DataQuest research files, the district directory, local-indicator files, assistance
  status, Census Day enrollment, unduplicated pupil counts, CAASPP research files).
- :func:`read_p3_narratives` reads the public narratives of the Priority 3 (and
  Priority 6) local-indicator files into a text table.
- :func:`lea_type` says what kind of LEA a CDS code belongs to.
- :func:`fetch_cde` downloads public CDE files by family and year (``cei-metrics fetch-cde``).
- :func:`read_survey_export` reads any survey tool's export (Google Forms, SurveyMonkey,
  Qualtrics, SPSS ``.sav``, Excel, CSV) through one mapper to the long survey table.
- :func:`read_signins` reads event sign-in sheets (with or without ids, title lines above
  the header); :func:`read_roster` rosters; :func:`read_ratings` ratings tables;
  :func:`read_goals` each district's own goal table (CSV, Excel or YAML).
- :func:`check_folder` says what each raw file is and which analyses the data support
  (the registry :data:`CHECKS`, also :func:`run_checks` on tables); writes nothing.
- :func:`resolve_district`, :func:`parse_dates`, :func:`load_vocabulary`: districts by
  code or name, dates in California time, controlled vocabularies.
- :func:`ingest` validates raw files, drops PII, keeps free text scrubbed in the text table,
  hashes ids, writes parquet.
- :func:`load_tables` reads the processed tables back (or the demo world).

Rows in every message are numbered as a spreadsheet shows the file: header = row 1.
"""

from __future__ import annotations

from .._lazy import lazy_dir, lazy_getattr

_TABLE = {
    "read_cde": "cde",
    "detect_cde_format": "cde",
    "CDE_FORMATS": "cde",
    "read_p3_narratives": "narratives",
    "lea_type": "lea",
    "lea_type_from_doc": "lea",
    "fetch_cde": "fetch",
    "read_cde_folder": "cde_folder",
    "CDEFolder": "cde_folder",
    "FetchResult": "fetch",
    "read_survey_export": "survey",
    "read_signins": "participation",
    "read_roster": "participation",
    "read_goals": "goals",
    "ingest": "intake",
    "IngestReport": "intake",
    "coverage": "inventory",
    "read_ingest_report": "inventory",
    "build_roster": "participation",
    "read_ratings": "ratings",
    "read_wide_export": "exports",
    "read_grid": "_tabular",
    "check_folder": "checkfolder",
    "run_checks": "checks",
    "CHECKS": "checks",
    "AnalysisCheck": "checks",
    "resolve_district": "districts",
    "district_directory": "districts",
    "parse_dates": "dates",
    "load_vocabulary": "vocab",
    "write_templates": "templates",
    "read_folder": "dispatch",
    "load_tables": "tables",
    "Tables": "tables",
    "atomic_write_parquet": "tables",
}
__all__ = sorted(_TABLE)
__getattr__ = lazy_getattr(__name__, _TABLE)
__dir__ = lazy_dir(__name__, _TABLE)
