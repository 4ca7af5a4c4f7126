"""flag_disrupted marks or drops the COVID-19 school years."""

from __future__ import annotations

import pandas as pd
import pytest

from cei_metrics.errors import SchemaError
from cei_metrics.impact.disrupted import flag_disrupted
from cei_metrics.schemas import DISRUPTED_YEARS, C


def _frame():
    years = ["2017-18", "2018-19", "2019-20", "2020-21", "2021-22"]
    return pd.DataFrame({C.YEAR: years * 2, C.VALUE: range(10)})


def test_flag_and_exclude():
    df = _frame()
    out, note = flag_disrupted(df)
    assert out["disrupted"].sum() == 4 and "disrupted" not in df.columns
    assert note.n_affected == 4 and note.n_rows == 10 and note.mode == "flag"
    assert "Flagged 4 of 10" in str(note)
    out, note = flag_disrupted(df, mode="exclude")
    assert len(out) == 6 and not out[C.YEAR].isin(DISRUPTED_YEARS).any()
    assert "Excluded 4 of 10" in note.text


def test_errors_and_empty():
    with pytest.raises(SchemaError, match="year"):
        flag_disrupted(pd.DataFrame({"x": [1]}))
    out, note = flag_disrupted(pd.DataFrame({C.YEAR: ["2015-16"]}), mode="exclude")
    assert len(out) == 1 and "No rows" in note.text
