"""Malformed CDE input raises a CEIError subclass naming file, row and column, never a raw
pandas or openpyxl exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cei_metrics.errors import CEIError, SchemaError, UnknownFormatError
from cei_metrics.io import detect_cde_format, read_cde

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "cde"
GRAD = FIX / "dashboard_graddownload_2018.txt"  # LF, tab
DQ = FIX / "synthetic_dataquest_chronicabsenteeism23.txt"  # CRLF, cp1252


def _lines(p: Path) -> list[str]:
    return p.read_bytes().decode("cp1252").splitlines()


def _write(tmp_path, lines, name="f.txt", eol="\n") -> Path:
    q = tmp_path / name
    q.write_bytes((eol.join(lines) + eol).encode("cp1252"))
    return q


def test_empty_file(tmp_path):
    q = tmp_path / "empty.txt"
    q.write_bytes(b"")
    with pytest.raises(SchemaError, match="empty") as e:
        read_cde(q)
    assert e.value.file == str(q) and e.value.fix
    q.write_bytes(b"  \r\n\r\n")
    with pytest.raises(SchemaError, match="empty"):
        read_cde(q)


def test_only_comments(tmp_path):
    q = _write(tmp_path, ["# SYNTHETIC", "# nothing else"])
    with pytest.raises(SchemaError, match="header"):
        read_cde(q)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(CEIError, match="not found"):
        read_cde(tmp_path / "nope.txt")
    with pytest.raises(CEIError, match="folder"):
        read_cde(tmp_path)


def test_no_delimiter(tmp_path):
    q = _write(tmp_path, ["just one column", "1", "2"])
    with pytest.raises(UnknownFormatError, match="no tab") as e:
        read_cde(q)
    assert e.value.row == 1  # the header, as a spreadsheet numbers it


def test_wrong_delimiter_in_rows(tmp_path):
    lines = _lines(GRAD)
    lines[3] = lines[3].replace("\t", ",")
    q = _write(tmp_path, lines)
    with pytest.raises(SchemaError, match="wrong delimiter") as e:
        read_cde(q)
    assert e.value.row == 4 and e.value.column == "rtype"


def test_truncated_row(tmp_path):
    lines = _lines(GRAD)
    lines = [*lines[:6], "\t".join(lines[6].split("\t")[:9])]  # cut mid-line
    q = _write(tmp_path, lines)
    with pytest.raises(SchemaError, match="truncated") as e:
        read_cde(q)
    assert e.value.row == 7 and e.value.column == "currnumer"
    assert "download the file again" in str(e.value)


def test_extra_fields(tmp_path):
    lines = _lines(GRAD)
    lines[2] += "\tstray"
    with pytest.raises(SchemaError, match="extra") as e:
        read_cde(_write(tmp_path, lines))
    assert e.value.row == 3


def test_missing_required_column(tmp_path):
    lines = [ln.split("\t") for ln in _lines(GRAD)]
    i = lines[0].index("currstatus")
    q = _write(tmp_path, ["\t".join(r[:i] + r[i + 1 :]) for r in lines])
    with pytest.raises(SchemaError, match="currstatus") as e:
        read_cde(q)
    assert e.value.column == "currstatus" and "columns seen" in str(e.value)


def test_non_numeric_count(tmp_path):
    lines = [ln.split("\t") for ln in _lines(GRAD)]
    i = lines[0].index("currdenom")
    lines[4][i] = "12O"  # letter O for zero
    q = _write(tmp_path, ["\t".join(r) for r in lines])
    with pytest.raises(SchemaError, match="'12O' is not a finite number") as e:
        read_cde(q)
    assert (e.value.row, e.value.column) == (5, "currdenom")


def test_star_in_dataquest_is_suppression_but_text_is_not(tmp_path):
    lines = [ln.split("\t") for ln in _lines(DQ)]
    i = lines[0].index("ChronicAbsenteeismCount")
    lines[5][i] = "n/a?"
    q = _write(tmp_path, ["\t".join(r) for r in lines], eol="\r\n")
    with pytest.raises(SchemaError) as e:
        read_cde(q)
    assert e.value.column == "ChronicAbsenteeismCount"


def test_a_bad_cell_after_dropped_subset_rows_names_its_own_row(tmp_path):
    """Rows of the charter and DASS subsets are dropped before the counts are read; a bad
    count further down is still named by its row in the file, not its place among the kept."""
    lines = [ln.split("\t") for ln in _lines(DQ)]
    head = lines[0]
    charter, dass = head.index("CharterSchool"), head.index("DASS")
    dropped = [
        k for k in range(1, len(lines)) if (lines[k][charter], lines[k][dass]) != ("All", "All")
    ]
    # the first kept row with at least ten dropped rows above it
    k = next(
        k for k in range(1, len(lines)) if k not in dropped and sum(d < k for d in dropped) >= 10
    )
    lines[k][head.index("ChronicAbsenteeismCount")] = "n/a?"
    q = _write(tmp_path, ["\t".join(r) for r in lines], eol="\r\n")
    with pytest.raises(SchemaError) as e:
        read_cde(q)
    assert (e.value.row, e.value.column) == (k + 1, "ChronicAbsenteeismCount")


def test_rate_that_disagrees_with_counts(tmp_path):
    lines = [ln.split("\t") for ln in _lines(GRAD)]
    i = lines[0].index("currstatus")
    row = next(k for k in range(1, len(lines)) if lines[k][i] not in ("", "100"))
    lines[row][i] = str(float(lines[row][i]) - 1.0)
    with pytest.raises(SchemaError, match="not 100") as e:
        read_cde(_write(tmp_path, ["\t".join(r) for r in lines]))
    assert (e.value.row, e.value.column) == (row + 1, "currstatus")


def test_bad_level_code_and_bad_cds(tmp_path):
    lines = [ln.split("\t") for ln in _lines(GRAD)]
    lines[3][1] = "Q"
    with pytest.raises(SchemaError, match="level code") as e:
        read_cde(_write(tmp_path, ["\t".join(r) for r in lines]))
    assert (e.value.row, e.value.column) == (4, "rtype")
    lines = [ln.split("\t") for ln in _lines(GRAD)]
    lines[2][0] = "3066431000000X"
    with pytest.raises(SchemaError, match="CDS") as e:
        read_cde(_write(tmp_path, ["\t".join(r) for r in lines], name="g.txt"))
    assert (e.value.row, e.value.column) == (3, "cds")


def test_bad_reporting_year(tmp_path):
    lines = [ln.split("\t") for ln in _lines(GRAD)]
    lines[7][-1] = "Fall"
    with pytest.raises(SchemaError, match="year") as e:
        read_cde(_write(tmp_path, ["\t".join(r) for r in lines]))
    assert (e.value.row, e.value.column) == (8, "reportingyear")


def test_unknown_header_lists_columns_and_families(tmp_path):
    q = _write(tmp_path, ["alpha\tbeta\tgamma", "1\t2\t3"])
    with pytest.raises(UnknownFormatError) as e:
        detect_cde_format(q)
    msg = str(e.value)
    assert "alpha" in msg and "dashboard_grad_2019" in msg and "dataquest_chronic" in msg
    assert str(q) in msg


def test_census_enrollment_layout_is_read_not_refused(tmp_path):
    head = ("AcademicYear\tAggregateLevel\tCountyCode\tDistrictCode\tSchoolCode\tCountyName\t"
            "DistrictName\tSchoolName\tCharter\tReportingCategory\tTOTAL_ENR")  # fmt: skip
    q = _write(tmp_path, [head, "2023-24\tT\t00\t\t\tState\t\t\tAll\tTA\t5837690"])
    df = read_cde(q)
    assert df.attrs["cde_format"] == "dataquest_census_enrollment"
    assert df["enrollment"].tolist() == [5837690.0] and df["lea_type"].tolist() == ["state"]


def test_old_excel_and_binary(tmp_path):
    q = tmp_path / "old.xls"
    q.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(UnknownFormatError, match="xls"):
        read_cde(q)
    q = tmp_path / "z.txt"
    q.write_bytes(b"a\x00b\x00c")
    with pytest.raises(UnknownFormatError, match="binary"):
        read_cde(q)
    q = tmp_path / "broken.xlsx"
    q.write_bytes(b"PK\x03\x04" + b"garbage" * 20)
    with pytest.raises(UnknownFormatError, match="workbook"):
        read_cde(q)


def test_priority3_rating_out_of_range(tmp_path):
    lines = [ln.split("\t") for ln in _lines(FIX / "synthetic_localind_priority3_2023.txt")]
    i = lines[0].index("StrategiesInput")
    lines[2][i] = "7"
    with pytest.raises(SchemaError, match="1 to 5") as e:
        read_cde(_write(tmp_path, ["\t".join(r) for r in lines]))
    assert (e.value.row, e.value.column) == (3, "StrategiesInput")


# --- property tests -------------------------------------------------------------------------

_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_SETTINGS
@given(data=st.binary(max_size=400))
def test_random_bytes_never_raise_anything_but_ceierror(tmp_path, data):
    q = tmp_path / "random.txt"
    q.write_bytes(data)
    try:
        read_cde(q)
    except CEIError:
        pass


@_SETTINGS
@given(
    pos=st.integers(min_value=0, max_value=10_000),
    junk=st.sampled_from(["\t", "|", "^", ",", "\n", '"', "*", "x", "", "\r\n", "#", "\u2013"]),
    cut=st.booleans(),
)
def test_mutated_real_fixture_reads_or_raises_ceierror(tmp_path, pos, junk, cut):
    src = GRAD.read_bytes().decode("cp1252")
    pos = pos % len(src)
    text = src[:pos] + junk + src[pos + (1 if cut else 0) :]
    q = tmp_path / "mutated.txt"
    q.write_bytes(text.encode("cp1252"))
    try:
        df = read_cde(q)
    except CEIError as err:
        assert err.file == str(q)
        return
    assert len(df) >= 1


@_SETTINGS
@given(
    rows=st.lists(
        st.lists(st.text(alphabet="0123456789*. -abc", max_size=6), min_size=3, max_size=3),
        min_size=1,
        max_size=5,
    ),
    delim=st.sampled_from(["\t", "|", "^"]),
)
def test_random_dataquest_cells_never_leak_pandas_errors(tmp_path, rows, delim):
    head = ["AcademicYear", "AggregateLevel", "CountyCode", "DistrictCode", "SchoolCode",
            "CountyName", "DistrictName", "SchoolName", "CharterSchool", "DASS",
            "ReportingCategory", "ChronicAbsenteeismEligibleCumulativeEnrollment",
            "ChronicAbsenteeismCount", "ChronicAbsenteeismRate"]  # fmt: skip
    body = [["2022-23", "D", "30", "66431", "", "Orange", "Anaheim", "", "All", "All", "TA", *r]
            for r in rows]  # fmt: skip
    q = tmp_path / "dq.txt"
    q.write_text("\n".join(delim.join(r) for r in [head, *body]) + "\n")
    try:
        df = read_cde(q)
    except CEIError as err:
        assert err.file == str(q)
        return
    assert len(df) == len(rows)
