"""Readers of the convening feedback form and of district goal tables, and their path
through ingest (recognised by their content, whatever --instrument says)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cei_metrics as cm
from cei_metrics.errors import InstrumentError, SchemaError
from cei_metrics.instruments import list_instruments, load_instrument
from cei_metrics.io import ingest
from cei_metrics.io.goals import period_label, read_goals
from cei_metrics.schemas import C, validate

FIX = Path(__file__).resolve().parents[1] / "fixtures"

GOALS_WIDE = """\
District,Goal,Measure,Source,Unit,Baseline Period,Baseline,Target Period,Target,2020-2021,\
2021-22,Wave 3,n 2020-2021,n 2021-22
1234567,voice,Families asked for input (%),survey,%,2019-20,40%,2023-24,60%,42%,"47",,120,118
1234567,,Seats held by Mixteco families,rosters,count,2019-20,12,2023-24,30,,,,,
7654321,attendance,Mean rating of welcome (1-5),survey,,wave 1,3.0,wave 4,3.5,,,3.3,,
"""
GOALS_LONG = """\
District,Goal,Measure,Source,Unit,Baseline,Target,Period,Value,N
1234567,voice,Families asked (%),survey,percent,40,60,2020-21,42,120
1234567,voice,Families asked (%),survey,percent,40,60,2021-22,47,118
"""
GOALS_YAML = """\
goals:
  - district: "1234567"
    goal: voice
    measure: Families asked for input (%)
    source: survey
    unit: percent
    baseline: {period: 2019-20, value: 40}
    target: {period: 2023-24, value: 60}
    values: {2020-21: 42, 2021-22: 47}
    n: {2020-21: 120}
  - district: "7654321"
    measure: Mean rating of welcome
    baseline: 3.0
    target: 3.5
"""

FEEDBACK = """\
Timestamp,Convening,District,Role,Language,\
Today's convening was a good use of my time. / La convocatoria de hoy fue un buen uso de mi tiempo.,\
I will use something I learned today in my district.,\
The content was relevant to our district's problem of practice.,\
La convocatoria reflejó las necesidades de las familias de nuestra comunidad.,\
¿Qué deberíamos cambiar para la próxima convocatoria?,Any other comments?
10/29/2019 14:00:00,Convening 3,1234567,Parent,English,Agree,Agree,Strongly agree,Agree,More time,
10/29/2019 14:02:00,Convening 3,1234567,Padre,Español,De acuerdo,Muy de acuerdo,De acuerdo,En desacuerdo,,Gracias
08/29/2019 14:03:00,08/29/2019,1234567,Staff,English,Disagree,Agree,Agree,Agree,,
09/26/2019 14:03:00,,1234567,Staff,English,Agree,Agree,Agree,Agree,,
,,1234567,Staff,English,Agree,Agree,Agree,Agree,,
"""


def test_shipped_instruments_and_open_questions():
    assert "convening_feedback" in list_instruments()
    assert list_instruments("event_feedback") == ["convening_feedback"]
    inst = load_instrument("convening_feedback")
    assert inst.per_event and set(inst.scales) == {"usefulness", "relevance"}
    assert set(inst.open_questions) == {"what_to_change", "comments"}
    assert all(set(q) == {"en", "es"} for q in inst.open_questions.values())
    assert all(set(it.text) == {"en", "es"} for it in inst.items.values())
    assert not load_instrument("family_engagement").per_event


def test_malformed_open_questions_and_kind_are_refused(tmp_path):
    src = (Path(cm.instruments.__file__).parent / "convening_feedback.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(src.replace("kind: event_feedback", "kind: party"))
    with pytest.raises(InstrumentError, match="kind"):
        load_instrument(bad)
    bad2 = tmp_path / "bad2.yaml"
    bad2.write_text(src.replace("  comments:\n    text:", "  useful_time:\n    text:"))
    with pytest.raises(InstrumentError, match="both an item and an open question"):
        load_instrument(bad2)


def test_goals_wide_long_and_yaml(tmp_path):
    (tmp_path / "g.csv").write_text(GOALS_WIDE)
    g = read_goals(tmp_path / "g.csv")
    validate(g, "goals")
    voice = g[g[C.GOAL_ID] == "voice"]
    assert voice[C.PERIOD].tolist() == ["2020-21", "2021-22"]
    assert voice[C.VALUE].tolist() == [42.0, 47.0] and voice[C.N].tolist() == [120.0, 118.0]
    assert voice[C.MEASURE_UNIT].iat[0] == "percent" and voice[C.BASELINE].iat[0] == 40.0
    # a goal without a name gets one by order; one without values keeps one row
    second = g[g[C.GOAL_ID] == "goal-2"]
    assert len(second) == 1 and second[C.VALUE].isna().all()
    welcome = g[g[C.DISTRICT_ID] == "7654321"]
    assert welcome[C.PERIOD].tolist() == ["wave 3"] and welcome[C.MEASURE_UNIT].iat[0] == "score"
    assert welcome[C.BASELINE_PERIOD].iat[0] == "wave 1"
    (tmp_path / "l.csv").write_text(GOALS_LONG)
    long = read_goals(tmp_path / "l.csv")
    assert long[C.PERIOD].tolist() == ["2020-21", "2021-22"] and long[C.N].tolist() == [120, 118]
    (tmp_path / "g.yaml").write_text(GOALS_YAML)
    y = read_goals(tmp_path / "g.yaml")
    validate(y, "goals")
    assert y[C.VALUE].tolist()[:2] == [42.0, 47.0] and y[C.N].iat[0] == 120
    assert y[y[C.DISTRICT_ID] == "7654321"][C.GOAL_ID].iat[0] == "goal-1"
    assert period_label("2019-2020") == "2019-20" and period_label("Wave 2") == "wave 2"
    assert period_label(" ") is None and period_label("spring") == "spring"


@pytest.mark.parametrize(
    ("edit", "match", "row", "column"),
    [
        (("42%", "forty"), "not a number", 2, "2020-2021"),
        ((",%,", ",furlongs,"), "unit", 2, "Unit"),
        (("2023-24,60%", "2023-24,40%"), "no gap", 2, "Target"),
        (("1234567,voice", "12,voice"), "not a CD", 2, "District"),
        (("2019-20,12,", "2019-20,,"), "no baseline", 3, "Baseline"),
    ],
)
def test_goal_errors_name_file_row_and_column(tmp_path, edit, match, row, column):
    (tmp_path / "g.csv").write_text(GOALS_WIDE.replace(*edit, 1))
    with pytest.raises(SchemaError, match=match) as e:
        read_goals(tmp_path / "g.csv")
    assert e.value.row == row and e.value.column == column and "g.csv" in str(e.value)


def test_goal_yaml_errors_give_the_line(tmp_path):
    (tmp_path / "g.yaml").write_text(GOALS_YAML.replace("value: 60", "value: sixty"))
    with pytest.raises(SchemaError, match="not a number") as e:
        read_goals(tmp_path / "g.yaml")
    assert e.value.row == 2
    (tmp_path / "h.yaml").write_text("goals: 3\n")
    with pytest.raises(SchemaError, match="list under the key 'goals'"):
        read_goals(tmp_path / "h.yaml")
    dup = GOALS_LONG + "1234567,voice,Families asked (%),survey,percent,40,60,2021-22,48,118\n"
    (tmp_path / "d.csv").write_text(dup)
    with pytest.raises(SchemaError, match="two values") as e:
        read_goals(tmp_path / "d.csv")
    assert e.value.row == 4 and e.value.column == "Period"


def test_feedback_form_read_by_its_questions(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "feedback.csv").write_text(FEEDBACK)
    (raw / "g.csv").write_text(GOALS_WIDE)
    (raw / "instrument.yaml").write_text("name: mine\n")  # no goal table: skipped
    rep = ingest(raw, tmp_path / "out")
    f = rep.files.set_index(rep.files["file"].map(lambda s: Path(s).name))
    assert f.loc["feedback.csv", "table"] == "feedback" and f.loc["g.csv", "table"] == "goals"
    assert f.loc["instrument.yaml", "status"] == "skipped"
    tabs = cm.io.load_tables(tmp_path / "out")
    fb = tabs.feedback
    # the row with neither a convening nor a date is rejected; the others are read
    assert fb[C.RESPONDENT_ID].nunique() == 4
    assert len(rep.rejections) == 1 and "no convening named" in rep.rejections["reason"].iat[0]
    ev = fb.drop_duplicates(C.RESPONDENT_ID).set_index(C.EVENT_ID)[C.WAVE].sort_index()
    # a named convening is dated by its responses; the blank one by the response date
    assert ev.to_dict() == {"2019-08-29": 1, "2019-09-26": 2, "convening-3": 3}
    assert set(fb[C.ITEM]) == set(load_instrument("convening_feedback").item_ids)
    assert set(fb[C.ROLE]) == {"family", "staff"} and set(fb[C.LANGUAGE]) == {"en", "es"}
    t = tabs.text
    assert sorted(t[C.QUESTION_ID]) == ["comments", "what_to_change"]
    assert set(t[C.RESPONDENT_ID]) <= set(fb[C.RESPONDENT_ID])
    assert len(tabs.goals) == 4 and tabs.survey.empty
    assert set(tabs.roster[C.DISTRICT_ID]) == {"1234567", "7654321"}


def test_instrument_option_and_files_per_convening(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    head, *rows = FEEDBACK.splitlines()
    (raw / "a.csv").write_text("\n".join([head, rows[2]]) + "\n")
    (raw / "b.csv").write_text("\n".join([head, rows[0], rows[1]]) + "\n")
    for src in (FIX / "survey" / "synthetic_survey_wave1.csv",):
        (raw / src.name).write_bytes(src.read_bytes())
    # --instrument convening_feedback: the family survey is still recognised by its items
    rep = ingest(raw, tmp_path / "out", instrument="convening_feedback")
    assert set(rep.files["table"]) == {"feedback", "survey"}
    fb = cm.io.load_tables(tmp_path / "out").feedback
    waves = fb.drop_duplicates(C.EVENT_ID).set_index(C.EVENT_ID)[C.WAVE].to_dict()
    assert waves == {"2019-08-29": 1, "convening-3": 2}  # numbered across the two files
    assert "numbered in date order" in " ".join(rep.notes)


def test_demo_feedback_and_goals_come_back_whole(tmp_path, demo):
    from cei_metrics.datasets import write_demo_raw

    raw = tmp_path / "raw"
    paths = write_demo_raw(raw)
    names = {p.name for p in paths}
    assert sum(n.startswith("synthetic_convening_feedback_") for n in names) == 8
    assert "synthetic_district_goals.csv" in names
    keep = [p for p in paths if "convening_feedback" in p.name or "goals" in p.name]
    keep.append(raw / "synthetic_districts.csv")
    only = tmp_path / "only"
    only.mkdir()
    for p in keep:
        (only / p.name).write_bytes(p.read_bytes())
    ingest(only, tmp_path / "out")
    tabs = cm.io.load_tables(tmp_path / "out")
    a = demo.feedback.groupby([C.EVENT_ID, C.ITEM, C.VALUE], dropna=False).size()
    b = tabs.feedback.groupby([C.EVENT_ID, C.ITEM, C.VALUE], dropna=False).size()
    pd.testing.assert_series_equal(a, b)
    assert (tabs.feedback.groupby(C.EVENT_ID)[C.WAVE].first() == np.arange(1, 9)).all()
    cols = [C.DISTRICT_ID, C.GOAL_ID, C.PERIOD, C.VALUE, C.BASELINE, C.TARGET, C.MEASURE_UNIT]
    pd.testing.assert_frame_equal(
        demo.goals[cols].sort_values(cols[:3]).reset_index(drop=True),
        tabs.goals[cols].sort_values(cols[:3]).reset_index(drop=True),
        check_dtype=False,
    )
    # the demo's text table is what ingest gives, ids aside
    assert sorted(tabs.text[C.TEXT]) == sorted(demo.text[C.TEXT])
