"""No input ends in a traceback: the readers raise CEIError or return a valid table.

Hypothesis feeds the readers arbitrary bytes under every supported file name, and the
committed tool exports (tests/fixtures/exports) mutated byte by byte, line by line and
cell by cell (120 examples each; ``CEI_FUZZ_EXAMPLES`` sets more).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cei_metrics as cm
from cei_metrics.instruments import load_instrument
from cei_metrics.io.dispatch import read_file
from cei_metrics.io.participation import read_signins
from cei_metrics.io.survey import read_survey_export
from cei_metrics.schemas import C, validate

EX = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
SOURCES = sorted(
    p
    for p in EX.rglob("*")
    if p.suffix.lower() in (".csv", ".xlsx", ".sav") and p.parent.name != "problems"
)
INST = load_instrument("family_engagement")
# CEI_FUZZ_EXAMPLES=2000 for a longer campaign
FUZZ = settings(
    max_examples=int(os.environ.get("CEI_FUZZ_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _readers_only_raise_ceierror(path: Path) -> None:
    for reader in (read_survey_export, read_signins):
        try:
            df = reader(path)
        except cm.CEIError:
            continue
        if reader is read_survey_export and len(df):
            validate(df, "survey")
            answered = df[C.MISSING_REASON] == ""
            assert df.loc[answered, C.VALUE].between(1, INST.points).all()
    fr = read_file(path, INST)  # the dispatcher never raises
    assert fr.status in ("read", "failed", "skipped")
    if fr.status == "failed":
        assert isinstance(fr.error, cm.CEIError) and str(path.name) in str(fr.error)
        assert "could not be read (" not in fr.note, fr.note  # no internal error


@FUZZ
@given(
    data=st.binary(max_size=2000),
    name=st.sampled_from(["x_wave1.csv", "x.txt", "x.tsv", "x.xlsx", "x.sav"]),
)
def test_arbitrary_bytes_never_traceback(tmp_path, data, name):
    p = tmp_path / name
    p.write_bytes(data)
    _readers_only_raise_ceierror(p)


@FUZZ
@given(
    text=st.lists(
        st.lists(
            st.one_of(
                st.sampled_from(
                    [
                        "Response ID",
                        "Timestamp",
                        "District",
                        "Start Date",
                        "Respondent ID",
                        "Collector ID",
                        "Date",
                        "Name",
                        "Role",
                        "5672538",
                        "Oxnard",
                        "12",
                        "Totalmente de acuerdo",
                        "Agree",
                        "2024-02-05T10:00:00Z",
                        "45327.5",
                        '{"ImportId":"QID1"}',
                        "StartDate",
                        "ResponseId",
                        "Finished",
                        "",
                        "Staff at my child's school treat my family with respect.",
                        "Sí",
                        "Prefer not to say",
                        "EL Family",
                        "Language",
                        "Klingon",
                    ]
                ),
                st.text(max_size=15),
            ),
            min_size=1,
            max_size=8,
        ),
        max_size=8,
    ),
    delim=st.sampled_from([",", ";", "\t", "|"]),
    enc=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
)
def test_arbitrary_tables_never_traceback(tmp_path, text, delim, enc):
    body = "\n".join(delim.join(row) for row in text)
    p = tmp_path / "fuzz_wave1.csv"
    p.write_bytes(body.encode(enc, errors="replace"))
    _readers_only_raise_ceierror(p)


def _mutate(raw: bytes, ops: list[tuple[int, int, int]]) -> bytes:
    b = bytearray(raw)
    for kind, pos, val in ops:
        if not b:
            break
        i = pos % len(b)
        if kind == 0:  # flip a byte
            b[i] = val
        elif kind == 1:  # delete a run
            del b[i : i + (val % 40) + 1]
        elif kind == 2:  # insert bytes
            b[i:i] = bytes([val, (val * 7) % 256, 0x92])
        elif kind == 3:  # truncate
            del b[i:]
        elif kind == 4:  # duplicate a line
            j = b.find(b"\n", i)
            k = b.rfind(b"\n", 0, i)
            if j > k >= 0:
                b[j:j] = b[k:j]
        else:  # swap a delimiter
            if b[i : i + 1] in (b",", b"\t"):
                b[i] = ord(";")
    return bytes(b)


@FUZZ
@given(
    src=st.sampled_from(SOURCES),
    ops=st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 10**6), st.integers(0, 255)),
        min_size=1,
        max_size=6,
    ),
)
def test_mutated_real_exports_never_traceback(tmp_path, src, ops):
    p = tmp_path / src.name
    p.write_bytes(_mutate(src.read_bytes(), ops))
    _readers_only_raise_ceierror(p)


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_fixture_reads_cleanly_through_the_dispatcher(src):
    fr = read_file(src, INST)
    assert fr.status == "read", fr.note
