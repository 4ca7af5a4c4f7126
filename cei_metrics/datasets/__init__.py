"""Datasets: the synthetic demo world with planted truth, and reference tables.

- :func:`load_demo` builds the demo world (five canonical tables + :class:`DemoTruth`),
  also available as ``cm.load_demo``;
- :func:`write_demo_raw` writes it as raw files in the formats evaluators receive;
- :func:`plln_roster` and :func:`plln_convenings` give the real inaugural PLLN cohort as a
  reference table, never mixed into synthetic numbers;
- ``public_*`` functions give shipped extracts of real public CDE files for every LEA
  (Priority 3 ratings, Met status and narrative practices 2022-23 and 2023-24, the district
  directory, Dashboard graduation and EL progress 2016-17 to 2018-19).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_dir, lazy_getattr

if TYPE_CHECKING:  # pragma: no cover
    from .demo import DemoData, DemoTruth, load_demo  # noqa: F401
    from .plln import plln_convenings, plln_roster  # noqa: F401
    from .raw import SYNTHETIC_HEADER, write_demo_raw  # noqa: F401

_TABLE = {
    "load_demo": "demo",
    "DemoData": "demo",
    "DemoTruth": "demo",
    "plln_roster": "plln",
    "plln_convenings": "plln",
    "PLLN_CD_CODES": "plln",
    "write_demo_raw": "raw",
    "synthetic_header": "raw",
    "public_p3_ratings": "public",
    "public_p3_met": "public",
    "public_p3_practices": "public",
    "public_p3_narratives": "public",
    "public_directory": "public",
    "public_dashboard": "public",
    "PUBLIC_EXTRACTS": "public",
}
__all__ = sorted(_TABLE)
__getattr__ = lazy_getattr(__name__, _TABLE)
__dir__ = lazy_dir(__name__, _TABLE)
