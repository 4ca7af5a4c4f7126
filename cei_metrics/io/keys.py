r"""Keyed hashing of ids, and the keyed list of names the audit looks for.

Ids are replaced at ingest by :math:`\mathrm{HMAC\text{-}SHA256}(K, \mathrm{id})` (the first
16 hex digits), with a key :math:`K` of at least 32 random bytes kept *outside*
``data/processed/``: in ``CEI_HASH_KEY`` (hex, base64 or text), else in the file
``hash.key`` of the user's configuration folder (``platformdirs``; ``CEI_CONFIG_DIR``
names another folder), created on first use with a notice and readable by its owner only.
``processed/`` holds no secret, so sharing it does not let anyone test candidate ids: an
unkeyed or salted hash with the salt beside the data can be reversed by trying every id
of the known format, a keyed hash cannot without the key.

Names seen at ingest (roster and sign-in name columns) are kept only as keyed hashes of
their normalised words, in ``names.hashes`` beside the key, so that
:func:`cei_metrics.privacy.audit` can recognise them in exported files without any file
holding a name.

This module uses only the standard library (and ``platformdirs``): it sits below
:mod:`cei_metrics.io`, which calls it.

References
----------
Krawczyk, Bellare & Canetti (1997), RFC 2104, *HMAC*. NIST SP 800-107r1 (2012), s. 5.3
(HMAC key length at least the security strength). OWASP, *Pseudonymization* guidance.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PrivacyError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

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

#: Environment variable holding the key itself.
KEY_ENV = "CEI_HASH_KEY"
#: Environment variable naming the configuration folder (tests point it at a tmp dir).
CONFIG_ENV = "CEI_CONFIG_DIR"
KEY_FILE = "hash.key"
NAMES_FILE = "names.hashes"
#: Smallest key, in bytes (256 bits, the strength of SHA-256).
MIN_KEY_BYTES = 32
_LEGACY_ENV = "CEI_SALT"


def config_dir() -> Path:
    """The folder of the key and the name list: ``CEI_CONFIG_DIR`` or the user's
    configuration folder for ``cei-metrics`` (``platformdirs.user_config_dir``)."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_config_dir("cei-metrics", appauthor=False))


def _parse_key(value: bytes | str, source: str) -> bytes:
    if not isinstance(value, (bytes, str)):
        raise PrivacyError(
            f"the hashing key from {source} must be bytes or text, got {type(value).__name__}",
            fix="pass at least 32 random bytes, or their hex",
        )
    if isinstance(value, bytes):
        raw = value
    else:
        text = str(value).strip()
        raw = b""
        if text and re.fullmatch(r"[0-9a-fA-F]+", text) and len(text) % 2 == 0:
            raw = bytes.fromhex(text)
        elif text and re.fullmatch(r"[A-Za-z0-9+/_-]+={0,2}", text) and len(text) >= 43:
            try:
                raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_")
                if len(text.rstrip("=")) % 4 == 1:
                    raw = b""
            except (binascii.Error, ValueError):
                raw = b""
        if not raw:
            raw = text.encode("utf-8")
    if len(raw) < MIN_KEY_BYTES or len(set(raw)) < 16:
        raise PrivacyError(
            f"the hashing key from {source} is "
            + ("empty" if not raw else f"too short or not random ({len(raw)} bytes)"),
            fix=f"use at least {MIN_KEY_BYTES} random bytes, e.g. "
            '`python -c "import secrets; print(secrets.token_hex(32))"`, or unset '
            f"{KEY_ENV} to use the key kept in {config_dir() / KEY_FILE}",
        )
    return raw


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def hash_key(
    key: bytes | str | None = None,
    *,
    processed_dir: str | os.PathLike | None = None,
    create: bool = True,
) -> bytes:
    """The key of keyed hashing: ``key`` if given, else ``CEI_HASH_KEY``, else the key file
    in :func:`config_dir` (created on first use, with a notice on standard error).

    Parameters
    ----------
    key : the key itself (bytes, or hex / base64 / text).
    processed_dir : the processed-data folder the hashes go to: the key file must not be
        inside it, and a ``.salt`` left there by an older version stops the run with a
        migration message.
    create : create the key file when there is none (else raise).

    Raises
    ------
    PrivacyError for an empty or short key (fewer than 32 bytes, or fewer than 16
    distinct byte values), a key file inside ``processed_dir`` or readable by others,
    a legacy ``.salt`` or ``CEI_SALT``, or no key when ``create=False``.
    """
    if processed_dir is not None:
        legacy = Path(processed_dir) / ".salt"
        if legacy.exists():
            raise PrivacyError(
                "this processed folder holds a salt from an older version (ids hashed with a "
                "salt kept beside the data can be reversed by trying candidate ids)",
                file=legacy,
                fix="delete the .salt file and run `cei-metrics ingest` again: ids are now keyed "
                f"hashes (HMAC-SHA-256) with a key kept outside the data, in {KEY_ENV} or "
                f"{config_dir() / KEY_FILE}. Hashed ids change once; re-run anything that "
                "joined on the old ones",
            )
    if key is not None:
        return _parse_key(key, "the key= argument")
    if _LEGACY_ENV in os.environ and KEY_ENV not in os.environ:
        raise PrivacyError(
            f"{_LEGACY_ENV} is no longer read: a salt is not a secret key",
            fix=f"unset {_LEGACY_ENV}; set {KEY_ENV} to at least 32 random bytes (hex), or "
            f"leave it unset to use the key file in {config_dir()}",
        )
    if KEY_ENV in os.environ:
        return _parse_key(os.environ[KEY_ENV], KEY_ENV)
    folder = config_dir()
    path = folder / KEY_FILE
    if processed_dir is not None and _inside(path, Path(processed_dir)):
        raise PrivacyError(
            "the key file would sit inside the processed data",
            file=path,
            fix=f"point {CONFIG_ENV} at a folder outside {processed_dir}",
        )
    if path.exists():
        if os.name == "posix" and path.stat().st_mode & 0o077:
            raise PrivacyError(
                "the hashing key file can be read by other users",
                file=path,
                fix=f"chmod 600 {path}",
            )
        return _parse_key(path.read_text(encoding="ascii").strip(), str(path))
    if not create:
        raise PrivacyError(
            "no hashing key",
            file=path,
            fix=f"set {KEY_ENV} or run `cei-metrics ingest` once to create the key",
        )
    folder.mkdir(parents=True, exist_ok=True)
    value = secrets.token_bytes(MIN_KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return hash_key(processed_dir=processed_dir, create=False)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value.hex() + "\n")
    print(
        f"cei-metrics: created a new key for hashing ids in {path} (readable by you only). "
        "Keep it: the same key links ids across runs; without it nobody can reverse them. "
        f"Back it up, or set {KEY_ENV} to share it with a colleague who ingests the same data.",
        file=sys.stderr,
    )
    return value


def keyed_hash(values: pd.Series, key: bytes | str, *, length: int = 16) -> pd.Series:
    r"""Replace each value by the first ``length`` hex digits of HMAC-SHA-256(key, value).

    The same value and key always give the same hash, so waves and files link up; without
    the key no candidate value can be tested. Missing values stay missing.

    Agrees with Python's ``hmac.new(key, value.encode(), hashlib.sha256).hexdigest()``.

    Examples
    --------
    >>> import pandas as pd
    >>> keyed_hash(pd.Series(["R1", None]), bytes(range(32))).tolist()[1] is None
    True
    """
    k = key if isinstance(key, bytes) else _parse_key(key, "the key argument")
    if len(k) < MIN_KEY_BYTES:
        k = _parse_key(k, "the key argument")
    import numpy as np
    import pandas as pd

    codes, uniq = pd.factorize(values, use_na_sentinel=True)  # each distinct value once
    hashed = np.array([*hmac_hex([str(u) for u in uniq.tolist()], k, length), None], dtype=object)
    return pd.Series(hashed[codes], index=values.index, dtype=object)  # -1: missing


def hmac_hex(texts: list[str], key: bytes, length: int = 16) -> list[str]:
    r"""The first ``length`` hex digits of HMAC-SHA-256(key, text) of each text (UTF-8).

    RFC 2104 with the two padded key blocks hashed once:
    :math:`H((K \oplus opad) \| H((K \oplus ipad) \| m))`, each message continuing a
    copy of the two prepared SHA-256 states (a third of the time of ``hmac.digest`` per
    message, which prepares them every call). Equal to
    ``hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:length]``.

    Examples
    --------
    >>> import hashlib, hmac
    >>> k = bytes(range(32))
    >>> hmac_hex(["R1"], k) == [hmac.new(k, b"R1", hashlib.sha256).hexdigest()[:16]]
    True
    """
    block = 64  # SHA-256 block size (bytes)
    k = hashlib.sha256(key).digest() if len(key) > block else key
    k = k.ljust(block, b"\0")
    inner_copy = hashlib.sha256(bytes(b ^ 0x36 for b in k)).copy
    outer_copy = hashlib.sha256(bytes(b ^ 0x5C for b in k)).copy
    out: list[str] = []
    add = out.append
    for text in texts:
        inner = inner_copy()
        inner.update(text.encode("utf-8"))
        outer = outer_copy()
        outer.update(inner.digest())
        add(outer.hexdigest()[:length])
    return out


#: Same function under the name ingest has always used.
hash_ids = keyed_hash

_SKIP_WORDS = frozenset({"de", "del", "la", "las", "los", "y", "van", "von", "da", "di", "le"})


def name_tokens(name: str) -> list[str]:
    """Normalised words of a person's name (accents removed, lower case, 2+ letters), and
    the whole name: ``"María López-García"`` -> ``["maria", "lopez", "garcia",
    "maria lopez garcia"]``."""
    s = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    words = [w for w in re.findall(r"[a-z]+", s) if len(w) >= 2 and w not in _SKIP_WORDS]
    out = list(dict.fromkeys(words))
    if len(words) > 1:
        out.append(" ".join(words))
    return out


def name_hash(token: str, key: bytes) -> str:
    """Keyed hash of one normalised name word (domain-separated from id hashes)."""
    return hmac.new(key, b"name:" + token.encode("utf-8"), hashlib.sha256).hexdigest()[:20]


def record_names(
    names: Iterable[str], *, key: bytes | str | None = None, parts: bool = True
) -> int:
    """Add the names seen at ingest (a roster's or a sign-in sheet's name column) to the
    keyed name list beside the key; only keyed hashes of their words are stored.

    ``parts=False`` records whole names of two words or more only ("maria garcia", not
    "maria" and "garcia"): the audit then finds a full name anywhere, without reading a
    place or a word that shares a single word with a name ("San Diego", "Grace") as one.
    Ingest records names that way.

    Returns the number of new hashes. Call it from a reader before the name column is
    dropped: ``record_names(frame["parent_name"].dropna())``.
    """
    k = hash_key(key)
    path = config_dir() / NAMES_FILE
    have = known_name_hashes(k)
    new = set()
    for nm in names:
        if nm is None or (isinstance(nm, float) and nm != nm):
            continue
        toks = name_tokens(str(nm))
        if not parts:
            toks = [t for t in toks if " " in t]
        for tok in toks:
            if len(tok) >= 3:
                h = name_hash(tok, k)
                if h not in have:
                    new.add(h)
    if new:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write("\n".join(sorted(have | new)) + "\n")
        os.replace(tmp, path)
    return len(new)


def known_name_hashes(key: bytes | None = None) -> set[str]:
    """The keyed name hashes recorded so far (empty when none)."""
    path = config_dir() / NAMES_FILE
    if not path.exists():
        return set()
    return {ln.strip() for ln in path.read_text(encoding="ascii").splitlines() if ln.strip()}
