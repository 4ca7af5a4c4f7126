"""Disclosure control: one release path, a run-level ledger, keyed hashing and the audit.

=============================  ===========================================================
name                           what it does
=============================  ===========================================================
:func:`release`                suppress one table and check it against the run's ledger
:class:`Ledger`                every cell released in one run (table, measure, cell, n)
:func:`suppress`               small cells, implied counts, complementary cells (one table)
:func:`to_csv_bytes`           the one CSV writer: formula injection neutralised (OWASP)
:func:`hash_key`               the keyed-hashing key (user config folder or CEI_HASH_KEY)
:func:`keyed_hash`             HMAC-SHA-256 of ids (``hash_ids`` is the same function)
:func:`record_names`           keep names seen at ingest as keyed hashes, for the audit
:func:`audit`                  read every exported file and report what should not be there
=============================  ===========================================================

The rules, and the attacks they stop, are in the README's "Privacy" section.
"""

from __future__ import annotations

from .._lazy import lazy_getattr

_TABLE = {
    "MIN_CELL": "_rules",
    "DASHBOARD_MIN": "_rules",
    "FLAG": "_rules",
    "SUPPRESSED_LABEL": "_rules",
    "is_count_column": "_rules",
    "is_pii_column": "_rules",
    "is_share_column": "_rules",
    "normalise": "_rules",
    "suppress": "suppression",
    "count_columns": "suppression",
    "release": "ledger",
    "Ledger": "ledger",
    "LEDGER_ENV": "ledger",
    "LEDGER_FILE": "ledger",
    "to_csv_bytes": "csv_writer",
    "write_csv": "csv_writer",
    "neutralise": "csv_writer",
    "hash_key": "keys",
    "keyed_hash": "keys",
    "hash_ids": "keys",
    "record_names": "keys",
    "known_name_hashes": "keys",
    "config_dir": "keys",
    "KEY_ENV": "keys",
    "CONFIG_ENV": "keys",
    "audit": "auditing",
    "AuditResult": "auditing",
}

__all__ = sorted(_TABLE)
__getattr__ = lazy_getattr(__name__, _TABLE)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_TABLE))
