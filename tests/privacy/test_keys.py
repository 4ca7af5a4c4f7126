"""Keyed hashing of ids: the key, its refusals, the migration message, and a brute force
over a 10^6 id space with only processed/ in hand."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cei_metrics as cm
from cei_metrics.errors import PrivacyError
from cei_metrics.privacy import keys as K

KEY = bytes(range(7, 39))


@pytest.fixture
def cfg(tmp_path, monkeypatch):
    """A private configuration folder, never the user's."""
    d = tmp_path / "config"
    monkeypatch.setenv(K.CONFIG_ENV, str(d))
    monkeypatch.delenv(K.KEY_ENV, raising=False)
    monkeypatch.delenv("CEI_SALT", raising=False)
    return d


def test_key_created_on_first_use_with_a_notice_owner_only(cfg, capsys):
    k = K.hash_key()
    assert len(k) == 32 and (cfg / K.KEY_FILE).exists()
    assert "created a new key" in capsys.readouterr().err
    if os.name == "posix":
        assert stat.S_IMODE((cfg / K.KEY_FILE).stat().st_mode) == 0o600
    assert K.hash_key() == k  # the same key next time, no new notice
    assert capsys.readouterr().err == ""


def test_config_folder_is_the_env_var_in_tests(cfg):
    assert K.config_dir() == cfg


@pytest.mark.parametrize(
    "value", ["", " ", "abc", "00" * 32, "a" * 40, "0123456789abcdef" * 3, "short-secret"]
)
def test_short_or_empty_or_repetitive_keys_are_refused(cfg, monkeypatch, value):
    monkeypatch.setenv(K.KEY_ENV, value)
    with pytest.raises(PrivacyError, match="hashing key"):
        K.hash_key()
    with pytest.raises(PrivacyError):
        K.hash_key(value)


def test_env_key_hex_and_base64_are_read(cfg, monkeypatch):
    monkeypatch.setenv(K.KEY_ENV, KEY.hex())
    assert K.hash_key() == KEY
    import base64

    monkeypatch.setenv(K.KEY_ENV, base64.urlsafe_b64encode(KEY).decode())
    assert K.hash_key() == KEY
    assert not (cfg / K.KEY_FILE).exists()  # an env key creates no file


def test_key_file_readable_by_others_is_refused(cfg):
    K.hash_key()
    if os.name != "posix":
        pytest.skip("file modes are POSIX")
    (cfg / K.KEY_FILE).chmod(0o644)
    with pytest.raises(PrivacyError, match="chmod 600"):
        K.hash_key()


def test_legacy_salt_gets_a_migration_message(cfg, tmp_path, monkeypatch):
    proc = tmp_path / "processed"
    proc.mkdir()
    (proc / ".salt").write_text("0123456789abcdef")
    with pytest.raises(PrivacyError, match=r"delete the \.salt file") as info:
        K.hash_key(processed_dir=proc)
    assert "older version" in str(info.value)
    (proc / ".salt").unlink()
    monkeypatch.setenv("CEI_SALT", "x")
    with pytest.raises(PrivacyError, match="CEI_SALT is no longer read"):
        K.hash_key(processed_dir=proc)


def test_key_inside_processed_is_refused(tmp_path, monkeypatch):
    proc = tmp_path / "processed"
    monkeypatch.setenv(K.CONFIG_ENV, str(proc / "cfg"))
    monkeypatch.delenv(K.KEY_ENV, raising=False)
    with pytest.raises(PrivacyError, match="inside the processed data"):
        K.hash_key(processed_dir=proc)


def test_keyed_hash_is_hmac_sha256():
    s = pd.Series(["R1", "R2", "R1", None])
    h = K.keyed_hash(s, KEY)
    assert h.iat[0] == hmac.new(KEY, b"R1", hashlib.sha256).hexdigest()[:16]
    assert h.iat[0] == h.iat[2] and h.iat[0] != h.iat[1] and pd.isna(h.iat[3])
    assert K.keyed_hash(s, bytes(range(1, 33))).iat[0] != h.iat[0]


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.text(max_size=80), max_size=5),
    key=st.binary(min_size=1, max_size=150),
    length=st.integers(1, 64),
)
def test_hmac_hex_equals_the_standard_library_for_any_text_and_key(texts, key, length):
    """The prepared-state HMAC equals ``hmac.new`` for any message (unicode included),
    any key length (longer than a SHA-256 block: hashed first) and any prefix length."""
    want = [hmac.new(key, t.encode("utf-8"), hashlib.sha256).hexdigest()[:length] for t in texts]
    assert K.hmac_hex(texts, key, length) == want


def test_ingest_salt_argument_is_refused(tmp_path, cfg):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "synthetic_districts.csv").write_text(
        "district_id,name,county,cohort,district_type,enrollment,n_families,pct_el,pct_sed,"
        "pct_spanish\n0196511,A,C,2019-20,unified,1000,800,20,50,30\n"
    )
    (raw / "signins.csv").write_text(
        "participant_id,event_id,date,event_type,district_id,role,language\n"
        "P1,E1,2019-08-29,convening,0196511,parent,en\n"
    )
    with pytest.raises(PrivacyError, match="no longer accepted"):
        cm.io.ingest(raw, tmp_path / "p", salt="s")


def _planted_processed(tmp_path, n_ids=1000):
    """Ids drawn from a space of 10^6 ("P000000" .. "P999999") ingested as `make report`
    would: processed/ is what an attacker holding a shared copy sees."""
    import numpy as np

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "synthetic_districts.csv").write_text(
        "district_id,name,county,cohort,district_type,enrollment,n_families,pct_el,pct_sed,"
        "pct_spanish\n0196511,A,C,2019-20,unified,1000,800,20,50,30\n"
    )
    rng = np.random.default_rng(1)
    ids = [f"P{i:06d}" for i in rng.choice(10**6, size=n_ids, replace=False)]
    rows = "".join(f"{i},E1,2019-08-29,convening,0196511,parent,en\n" for i in ids)
    (raw / "signins.csv").write_text(
        "participant_id,event_id,date,event_type,district_id,role,language\n" + rows
    )
    proc = tmp_path / "processed"
    cm.io.ingest(raw, proc)
    return proc, set(ids)


@pytest.mark.slow
def test_attack_brute_force_of_ids_with_processed_only_recovers_none(cfg, tmp_path):
    proc, truth = _planted_processed(tmp_path)
    published = set(pd.read_parquet(proc / "participation.parquet")["participant_id"])
    assert len(published) == len(truth)
    # every secret an attacker could take from processed/: nothing, and each small file
    guesses = [b""] + [
        p.read_bytes().strip() for p in proc.rglob("*") if p.is_file() and p.stat().st_size < 4096
    ]
    guesses = list(dict.fromkeys(guesses))  # each distinct secret once
    assert not any(p.name.startswith(".salt") for p in proc.rglob("*"))
    cands = [f"P{i:06d}".encode() for i in range(10**6)]
    targets = {bytes.fromhex(h) for h in published}  # the 8 bytes the 16 hex digits hold
    digest, sha256 = hmac.digest, hashlib.sha256
    recovered = set()
    for g in guesses:
        # keyed (HMAC-SHA-256) and salted (SHA-256 of salt:id) guesses of every id
        recovered |= {c for c in cands if digest(g, c, "sha256")[:8] in targets}
        salted = sha256(g + b":")
        recovered |= {
            c for c in cands if (h := salted.copy(), h.update(c))[0].digest()[:8] in targets
        }
    assert recovered == set()
    # the check itself finds an id whose key it is given
    key = cm.privacy.hash_key()
    mine = hmac.digest(key, b"P000042", "sha256")[:8]
    assert {c for c in cands[:100] if digest(key, c, "sha256")[:8] == mine} == {b"P000042"}


@pytest.mark.slow
def test_the_same_brute_force_reverses_the_old_salted_scheme(tmp_path):
    """The attack is real: with the salt beside the data (the old scheme) every id falls."""
    salt = "5f2c1e0a9b8d7c6e"
    (tmp_path / ".salt").write_text(salt)
    ids = [f"P{i:06d}" for i in (17, 123456, 999999)]
    published = {hashlib.sha256(f"{salt}:{i}".encode()).hexdigest()[:16] for i in ids}
    g = (tmp_path / ".salt").read_bytes().strip()
    recovered = {
        f"P{i:06d}"
        for i in range(10**6)
        if hashlib.sha256(g + b":" + f"P{i:06d}".encode()).hexdigest()[:16] in published
    }
    assert recovered == set(ids)


def test_recorded_names_are_keyed_hashes_only(cfg):
    n = K.record_names(["María López-García", "John Smith", None])
    text = (cfg / K.NAMES_FILE).read_text()
    assert n >= 4 and "lopez" not in text.lower() and "smith" not in text.lower()
    key = K.hash_key()
    assert K.name_hash("lopez", key) in K.known_name_hashes()
    assert K.record_names(["John Smith"]) == 0  # nothing new
