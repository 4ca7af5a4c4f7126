"""Keyed hashing of ids and names, as the privacy package presents it.

The functions live in :mod:`cei_metrics.io.keys`, below the analysis layers, because
ingest hashes ids and records names as it reads; the audit reads the recorded names.
"""

from __future__ import annotations

from ..io.keys import (
    CONFIG_ENV,
    KEY_ENV,
    KEY_FILE,
    MIN_KEY_BYTES,
    NAMES_FILE,
    config_dir,
    hash_ids,
    hash_key,
    hmac_hex,
    keyed_hash,
    known_name_hashes,
    name_hash,
    name_tokens,
    record_names,
)

__all__ = [
    "CONFIG_ENV",
    "KEY_ENV",
    "KEY_FILE",
    "MIN_KEY_BYTES",
    "NAMES_FILE",
    "config_dir",
    "hash_ids",
    "hash_key",
    "hmac_hex",
    "keyed_hash",
    "known_name_hashes",
    "name_hash",
    "name_tokens",
    "record_names",
]
