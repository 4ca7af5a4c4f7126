"""Large text exports are ingested batch by batch with the same result as in memory.

The batch path is forced on small files by lowering its thresholds; the tables, the row
numbers of every rejection and the reports must equal those of the in-memory path.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cei_metrics as cm
import cei_metrics.io.stream as stream
from cei_metrics.instruments import load_instrument
from cei_metrics.io import ingest
from cei_metrics.io.survey import read_survey_export, stream_survey_export
from cei_metrics.io.tables import nullable_flags

KEY = bytes(range(32))


def _export(path, n=3000, seed=3, *, comment=True, quote_newlines=True):
    """A survey export with what real ones hold: a comment line, Spanish and English
    labels, blanks, unknown labels, a repeated respondent far from its first row, a blank
    id, an unreadable district, free text with line breaks in quotes."""
    inst = load_instrument("family_engagement")
    rng = np.random.default_rng(seed)
    es = rng.random(n) < 0.4
    en_l = [inst.response_labels["en"][k] for k in range(1, 6)] + ["Don't know", "", "maybe"]
    es_l = [inst.response_labels["es"][k] for k in range(1, 6)] + ["No sé", "", "quizás"]
    ids = [f"R{i:05d}" for i in range(n)]
    ids[n - 5] = ids[7]  # repeated, batches apart
    ids[100] = ""
    dist = rng.choice(["1964279", "3066431", "5672538"], n).astype(object)
    dist[200] = "12"  # not a district code
    cols = {
        "Response ID": ids,
        "Start Date": [f"2022-0{1 + i % 5}-1{i % 10} 10:00" for i in range(n)],
        "District Code": dist,
        "Survey Language": np.where(es, "Español", "English"),
        "Comments": [
            "line one\nline two" if (quote_newlines and i % 50 == 0) else "" for i in range(n)
        ],
    }
    for item in inst.items.values():
        k = rng.choice(8, n, p=[0.05, 0.1, 0.2, 0.3, 0.2, 0.05, 0.05, 0.05])
        cols[item.text["en"]] = np.where(es, np.array(es_l)[k], np.array(en_l)[k])
    text = pd.DataFrame(cols).to_csv(index=False)
    if comment:
        text = "# SYNTHETIC test export\n" + text
    path.write_text(text, encoding="utf-8")
    return path


def _small_batches(monkeypatch, batch=64 * 1024):
    monkeypatch.setattr(stream, "STREAM_BYTES", 1024)
    monkeypatch.setattr(stream, "SMALL_BYTES", 1024)
    monkeypatch.setattr(stream, "BATCH_BYTES", batch)


def test_batches_give_the_in_memory_table_and_report(tmp_path, monkeypatch):
    f = _export(tmp_path / "survey_wave1.csv")
    whole = read_survey_export(f)  # the grid reader: small file
    whole[cm.schemas.C.RESPONDENT_ID] = cm.io.keys.hash_ids(whole[cm.schemas.C.RESPONDENT_ID], KEY)
    _small_batches(monkeypatch)
    table, rep, synth = stream_survey_export(f, spool=tmp_path / "s.parquet", key=KEY)
    got = pd.read_parquet(table.path)
    assert synth and table.rows == len(got) == len(whole)
    pd.testing.assert_frame_equal(got, whole.reset_index(drop=True), check_dtype=False)
    ref = whole.attrs["read"]
    assert (rep.rows_read, rep.rows_kept) == (ref.rows_read, ref.rows_kept)

    def rows(df):  # the same rows and reasons, in batch order rather than column order
        return df.sort_values(["row", "column"]).reset_index(drop=True)

    pd.testing.assert_frame_equal(rows(rep.rejected), rows(ref.rejected))
    pd.testing.assert_frame_equal(rows(rep.repaired), rows(ref.repaired))
    assert rep.rejected["reason"].str.contains("repeated respondent").sum() == 1
    assert pd.read_parquet(table.path).shape[0] < 3000 * 12  # rejected rows are not kept


def test_ingest_of_a_large_file_equals_ingest_in_memory(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    _export(raw / "survey_wave1.csv")
    a = ingest(raw, tmp_path / "a", key=KEY)
    _small_batches(monkeypatch)
    b = ingest(raw, tmp_path / "b", key=KEY)
    assert a.tables == b.tables
    ta, tb = cm.io.load_tables(tmp_path / "a"), cm.io.load_tables(tmp_path / "b")
    pd.testing.assert_frame_equal(ta.survey, tb.survey)
    pd.testing.assert_frame_equal(ta.roster, tb.roster)
    assert not list(tmp_path.glob(".b.spool-*"))  # the spool is gone


def test_ragged_rows_are_read_by_the_csv_module(tmp_path, monkeypatch):
    f = _export(tmp_path / "survey_wave1.csv", n=400)
    lines = f.read_text().split("\n")
    lines[150] = lines[150].rsplit(",", 2)[0]  # a row missing its last two fields
    f.write_text("\n".join(lines))
    whole = read_survey_export(f)
    _small_batches(monkeypatch, batch=16 * 1024)
    table, _rep, _ = stream_survey_export(f, spool=tmp_path / "s.parquet")
    got = pd.read_parquet(table.path)
    pd.testing.assert_frame_equal(got, whole.reset_index(drop=True), check_dtype=False)


def test_a_stray_byte_in_a_large_file_is_read_alone(tmp_path, monkeypatch):
    f = _export(tmp_path / "survey_wave1.csv", n=400, quote_newlines=False)
    raw = f.read_bytes().replace("Español".encode(), "Espa\xf1ol".encode("cp1252"), 1)
    f.write_bytes(raw)
    _small_batches(monkeypatch, batch=16 * 1024)
    table, rep, _ = stream_survey_export(f, spool=tmp_path / "s.parquet")
    assert any("read as Windows-1252" in n for n in rep.notes)
    got = pd.read_parquet(table.path)
    assert (got["language"] == "es").sum() > 0 and (got["language"] == "und").sum() == 0


def test_wave_numbering_and_rosters_work_for_spooled_tables(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    _export(raw / "survey_2021-22.csv", n=300, comment=False)
    g = raw / "survey_2022-23.csv"
    _export(g, n=300, seed=4, comment=False)
    g.write_text(g.read_text().replace("2022-0", "2023-0"))
    _small_batches(monkeypatch, batch=16 * 1024)
    rep = ingest(raw, tmp_path / "p", key=KEY)
    t = cm.io.load_tables(tmp_path / "p")
    assert sorted(t.survey.groupby("wave")["year"].first().items()) == [
        (1, "2021-22"),
        (2, "2022-23"),
    ]
    assert set(t.roster["district_id"]) == {"1964279", "3066431", "5672538"}
    assert any("numbered by school year" in n for n in rep.notes)


@pytest.mark.parametrize("engine", ["arrow", "csv"])
def test_body_row_numbers_are_the_spreadsheet_rows(tmp_path, engine):
    f = tmp_path / "t.csv"
    f.write_text('# comment\nA,B\n1,"x\ny"\n\n3,4\n', encoding="utf-8")
    head = cm.io._tabular.read_grid(f)
    src = stream.body_source(f, head, 1)
    frames = list(stream.iter_body(src, engine=engine))
    cells = pd.concat([fr for fr, _ in frames])
    rows = np.concatenate([r for _, r in frames])
    assert cells.values.tolist() == [["1", "x\ny"], ["3", "4"]]
    assert rows.tolist() == [3, 5] == [r for r in head.row_numbers[1:] if r != 4]
    shutil.rmtree(tmp_path)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    parts=st.lists(
        st.one_of(st.text(max_size=20).map(lambda t: t.encode("utf-8")), st.binary(max_size=4)),
        max_size=12,
    ),
    block=st.integers(1, 9),
)
def test_utf8_check_in_chunks_agrees_with_decoding_the_whole_file(tmp_path, parts, block):
    """The file's bytes are checked chunk by chunk; a character cut by a chunk's end is
    carried to the next: the verdict is that of decoding the whole file."""
    data = b"".join(parts)
    f = tmp_path / "bytes.csv"
    f.write_bytes(data)
    try:
        data.decode("utf-8")
        want = "utf-8"
    except UnicodeDecodeError:
        want = "not"
    saved = stream.KIND_BLOCK
    stream.KIND_BLOCK = block
    try:
        kind, nul = stream._bytes_kind(f)
    finally:
        stream.KIND_BLOCK = saved
    assert (kind == "utf-8") == (want == "utf-8")
    assert nul == (b"\x00" in data)


def test_a_write_that_fails_in_the_writer_thread_is_raised_and_nothing_is_left(tmp_path):
    """Row groups are written by a second thread; its failure reaches the caller (at
    the next write or at close) and ``abort`` leaves no file."""
    import pyarrow as pa

    from cei_metrics.io.spool import SpoolWriter

    w = SpoolWriter(tmp_path / "t.parquet", background=True)
    w.write(pa.table({"a": pa.array([1, 2])}))
    w.write(pa.table({"a": pa.array(["not", "a number"])}))  # cannot take the first schema
    with pytest.raises(pa.ArrowInvalid):
        for _ in range(50):  # raised by a later write, or by close
            w.write(pa.table({"a": pa.array([3])}))
        w.close()
    w.abort()
    assert not (tmp_path / "t.parquet").exists()

    ok = SpoolWriter(tmp_path / "u.parquet", background=True)
    for i in range(5):
        ok.write(pa.table({"a": pa.array([i, i])}))
    ok.close()
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "u.parquet")["a"].to_pylist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]


def test_read_ahead_keeps_order_raises_errors_and_stops_early():
    def items():
        yield from range(5)
        raise ValueError("bad batch")

    got = []
    with pytest.raises(ValueError, match="bad batch"):
        for x in stream._read_ahead(items()):
            got.append(x)
    assert got == [0, 1, 2, 3, 4]

    closed = []

    def endless():
        try:
            i = 0
            while True:
                yield i
                i += 1
        finally:
            closed.append(True)

    it = stream._read_ahead(endless())
    assert [next(it) for _ in range(3)] == [0, 1, 2]
    it.close()  # the consumer stops: the thread stops and the source is closed
    assert closed == [True]


EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
REAL_SHAPES = {
    "google_forms": "Family Survey (Responses) - Form Responses 1.csv",  # 4/1/2024 9:41:12
    "surveymonkey": "Family Engagement Survey.csv",  # two header rows, AM/PM times
    "surveymonkey_one_row": "Family Engagement Survey (condensed).csv",
    "qualtrics": "Family_Survey_February 2024.csv",  # three header rows, timeZone
    "qualtrics_numeric": "Family_Survey_February 2024_numeric.csv",
    "problems": "mixed_dates_wave1.csv",  # day/month and month/day in one column
}


@pytest.mark.parametrize("folder", sorted(REAL_SHAPES))
def test_real_export_shapes_read_in_batches_equal_the_file_read_whole(
    tmp_path, monkeypatch, folder
):
    """Each tool's export, read batch by batch (the date column first, alone), gives the
    table, year and report of the file read whole."""
    f = EXPORTS / folder / REAL_SHAPES[folder]
    whole = read_survey_export(f)
    whole[cm.schemas.C.RESPONDENT_ID] = cm.io.keys.hash_ids(whole[cm.schemas.C.RESPONDENT_ID], KEY)
    _small_batches(monkeypatch, batch=2048)
    table, rep, _ = stream_survey_export(f, spool=tmp_path / "s.parquet", key=KEY)
    got = nullable_flags(pd.read_parquet(table.path)) if table.rows else whole.iloc[:0]
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), whole.reset_index(drop=True), check_dtype=False
    )
    ref = whole.attrs["read"]
    assert (rep.rows_read, rep.rows_kept) == (ref.rows_read, ref.rows_kept)
    assert sorted(rep.rejected["row"]) == sorted(ref.rejected["row"])
    assert [n for n in rep.notes if "date" in n.lower()] == [
        n for n in ref.notes if "date" in n.lower()
    ] or folder == "problems"


def test_a_large_google_forms_export_loads_as_the_same_tables(tmp_path, monkeypatch):
    """Ingest of an export read batch by batch and read whole give the same processed
    tables, dtypes included (blank EL-family cells: nullable booleans either way)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(EXPORTS / "google_forms" / REAL_SHAPES["google_forms"], raw / "survey.csv")
    ingest(raw, tmp_path / "a", key=KEY)
    _small_batches(monkeypatch, batch=2048)
    ingest(raw, tmp_path / "b", key=KEY)
    a, b = cm.io.load_tables(tmp_path / "a").survey, cm.io.load_tables(tmp_path / "b").survey
    assert str(b[cm.schemas.C.EL_FAMILY].dtype) == "boolean"
    pd.testing.assert_frame_equal(a, b)


@settings(max_examples=200, deadline=None)
@given(
    batches=st.lists(st.lists(st.sampled_from(["a", "b", "é", "", "2024-01-01"]), max_size=6)),
    merge_at=st.integers(1, 8),
)
def test_distinct_texts_counted_across_batches_equal_a_plain_count(batches, merge_at):
    """The date pass counts a column's distinct texts batch by batch, merging now and then:
    the counts are those of counting the whole column at once, each text once."""
    from collections import Counter

    from cei_metrics.io.survey import _DistinctCounts

    d = _DistinctCounts()
    d.MERGE_AT = merge_at
    for b in batches:
        d.add(pd.Series(b, dtype="str"))
    texts, counts = d.result()
    assert dict(zip(texts.tolist(), counts.tolist(), strict=True)) == Counter(
        t for b in batches for t in b
    )
    assert texts.is_unique
