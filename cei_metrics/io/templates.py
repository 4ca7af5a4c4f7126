"""``cei-metrics init DIR``: template files for every input, with a README of the columns."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from ..instruments import Instrument, load_instrument

__all__ = ["write_templates"]

ROSTER_HEADER = [
    "district_id",
    "name",
    "county",
    "cohort",
    "district_type",
    "enrollment",
    "n_families",
    "pct_el",
    "pct_sed",
    "pct_spanish",
]
GOALS_HEADER = [
    "District",
    "Goal",
    "Measure",
    "Source",
    "Unit",
    "Baseline Period",
    "Baseline",
    "Target Period",
    "Target",
    "2020-21",
    "2021-22",
    "2022-23",
    "2023-24",
    "n 2020-21",
    "n 2021-22",
    "n 2022-23",
    "n 2023-24",
]
SIGNIN_HEADER = [
    "Event ID",
    "Event Name",
    "Date",
    "Event Type",
    "District",
    "Participant ID",
    "Role",
    "Language",
    "EL Family",
    "Low Income",
]


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _write(path: Path, text: str, overwrite: bool) -> Path | None:
    if path.exists() and not overwrite:
        return None
    path.write_text(text, encoding="utf-8")
    return path


def write_templates(
    folder: str | os.PathLike,
    instrument: str | os.PathLike | Instrument = "family_engagement",
    *,
    overwrite: bool = False,
) -> list[Path]:
    """Write a template of every input to ``folder`` (created if absent).

    ``roster.csv``, ``signins_template.csv``, ``survey_<lang>_wave1.csv`` (one per language
    of the instrument, headed by its question texts in that language), ``ratings.csv``
    (Priority 3 items), ``convening_feedback.csv`` (the bilingual convening feedback
    form), ``goals.csv`` (each district's own goal) and ``README.md`` describing every
    column. Existing files are kept unless ``overwrite``.

    Returns
    -------
    the paths written.
    """
    inst = instrument if isinstance(instrument, Instrument) else load_instrument(instrument)
    p3 = load_instrument("priority3_self_reflection")
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    written: list[Path | None] = []
    written.append(
        _write(
            root / "roster.csv",
            _csv(
                [
                    ROSTER_HEADER,
                    ["5672538", "Oxnard", "Ventura", "2019-20", "elementary", "", "", "", "", ""],
                ]
            ),
            overwrite,
        )
    )
    written.append(
        _write(
            root / "signins_template.csv",
            _csv(
                [
                    SIGNIN_HEADER,
                    [
                        "CONV-1",
                        "Convening 1",
                        "08/29/2019",
                        "convening",
                        "Oxnard School District",
                        "P0001",
                        "Parent",
                        "Spanish",
                        "Yes",
                        "Prefer not to say",
                    ],
                ]
            ),
            overwrite,
        )
    )
    answers = {"en": inst.response_labels.get("en", {}), "es": inst.response_labels.get("es", {})}
    for lang in inst.languages:
        texts = [it.text.get(lang) or it.text.get("en") or iid for iid, it in inst.items.items()]
        header = [
            "Response ID",
            "Start Date",
            "District",
            "School Code",
            "Survey Language",
            *texts,
            "EL Family",
            "Low Income",
        ]
        labels = answers.get(lang) or inst.response_labels[inst.languages[0]]
        example = [
            "R0001",
            "2024-02-05 09:30",
            "5672538",
            "",
            "Español" if lang == "es" else "English",
            *[labels.get(inst.points, "") for _ in texts],
            "Yes",
            "No",
        ]
        written.append(
            _write(root / f"survey_{lang}_wave1.csv", _csv([header, example]), overwrite)
        )
    ratings_header = ["District", "School Year", *p3.item_ids]
    written.append(
        _write(
            root / "ratings.csv",
            _csv([ratings_header, ["5672538", "2023-24", *["3"] * len(p3.item_ids)]]),
            overwrite,
        )
    )
    fb = load_instrument("convening_feedback")
    fb_items = [f"{it.text['en']} / {it.text['es']}" for it in fb.items.values()]
    fb_open = [f"{t['en']} / {t['es']}" for t in fb.open_questions.values()]
    written.append(
        _write(
            root / "convening_feedback.csv",
            _csv(
                [
                    ["Timestamp", "Convening", "District", "Role", "Language", *fb_items, *fb_open],
                    [
                        "08/29/2019 15:10:00",
                        "08/29/2019",
                        "5672538",
                        "Parent",
                        "Español",
                        *["De acuerdo"] * len(fb_items),
                        "Más tiempo para conversar en equipo",
                        "",
                    ],
                ]
            ),
            overwrite,
        )
    )
    written.append(
        _write(
            root / "goals.csv",
            _csv(
                [
                    GOALS_HEADER,
                    [
                        "5672538",
                        "family-voice",
                        "Families who agree the district asks for their input (%)",
                        "family survey, item voice_1",
                        "percent",
                        "2019-20",
                        "40",
                        "2023-24",
                        "60",
                        "42",
                        "47",
                        "",
                        "",
                        "120",
                        "118",
                        "",
                        "",
                    ],
                ]
            ),
            overwrite,
        )
    )
    langs = ", ".join(inst.languages)
    scale = "; ".join(f"{k} = {v}" for k, v in inst.response_labels[inst.languages[0]].items())
    readme = f"""# Input templates

Put your raw files in one folder (these templates show the columns the readers expect;
real exports from Google Forms, SurveyMonkey, Qualtrics, SPSS and Excel are read as they are)
and run `cei-metrics check FOLDER`, then `cei-metrics report --data FOLDER`.
Delete the example row of each template before use. Rows are counted as a spreadsheet
shows them: the header is row 1, the first data row is row 2.

## roster.csv (one row per district)

| column | meaning |
|---|---|
| district_id | 7-digit county-district (CD) code, 14-digit CDS code, or the district's name as the CDE directory writes it |
| name, county, district_type | optional: filled from the CDE public districts directory when blank |
| cohort | first PLLN school year ("2019-20" or 2019); blank for districts never in the network. Impact analyses need it |
| enrollment, n_families | optional: students and families (reach needs n_families) |
| pct_el, pct_sed, pct_spanish | optional: percent of families of English learners, low income, Spanish-speaking (0-100) |

Without a roster, one is built from the districts in the data (cohorts unknown: the
analyses that need cohorts say so).

## signins_template.csv (one row per person per event)

| column | meaning |
|---|---|
| Event ID | optional code of the event (e.g. CONV-1); without it, events are told apart by date and type |
| Event Name | free text, used to tell the event type and then dropped |
| Date | MM/DD/YYYY, YYYY-MM-DD, or Excel dates; a "Date: ..." line above the header also works |
| Event Type | convening, LCAP input, DELAC, ELAC, workshop, SSC, PAC, ... (anything else: other) |
| District | CD code, CDS code or name |
| Participant ID | optional; without it a person is keyed by name (else e-mail or phone), then the key is hashed |
| Role | Parent, Padre, Madre, Guardian, Tutor, Grandparent, Family member -> family; teacher, staff, administrator, student, community member |
| Language | English, Spanish/Español, Vietnamese, Tagalog, Mandarin, ... (anything else: other) |
| EL Family, Low Income | Yes/No/Sí; blank or "Prefer not to say" is missing |

Names, e-mails, phones and addresses may be on the sheet: they are never stored.

## survey_<language>_wave1.csv (one row per respondent)

The instrument `{inst.name}` ({len(inst.items)} questions; languages {langs}). The question
columns are headed by the question text in that language (numbering such as "Q3." and
bilingual headers "English / Español" are fine). Answers: {scale}, in any language of
the instrument and their usual variants ("Totalmente de acuerdo"); "Don't know", "No sé",
"No aplica" and "Prefer not to say" are kept as reasons for a missing answer.

| column | meaning |
|---|---|
| Response ID | optional: without it each row is one respondent |
| Start Date | when the response was given (any time zone; stored as California time) |
| District | CD code, CDS code or name |
| School Code | optional 14-digit CDS code |
| Survey Language | optional: without it, the language is told from the answer labels |
| EL Family, Low Income | optional Yes/No |

Put `wave<k>` in the file name (or add a Wave column) to number survey waves.

## ratings.csv (one row per district and school year)

Priority 3 self-reflection ratings: `District`, `School Year` ("2023-24"), then one column
per item ({", ".join(p3.item_ids[:3])}, ...) rated 1-5 or with the level names
("Full Implementation"). CDE's own Priority 3 files are read as downloaded.

## convening_feedback.csv (one row per person per convening)

The convening feedback form (instrument `convening_feedback`, English and Spanish): how
useful and how relevant the convening was (four agreement items), what to change and any
other comments. Google Forms, SurveyMonkey and Qualtrics exports are read as they are;
the questions are matched by their text in either language. `Convening` holds the
convening's date (or its name); without it the response date stands for the convening.
One file for the whole series or one per convening: the convenings are numbered in date
order. A `Name` column may be there (optional on the form): names are used to scrub the
comments and never stored. Answers to the two open questions are kept, scrubbed of names,
e-mails, phones and addresses, apart from the ratings (the text table); they leave the
analysis only as coded counts or as excerpts someone approved.

## goals.csv (one row per district goal)

Each district's own goal (problem of practice) and its local measure.

| column | meaning |
|---|---|
| District | CD code, CDS code or name |
| Goal | a short name of the goal (a district may have several) |
| Measure | what is measured, in the district's words |
| Source | where the number comes from (a survey item, sign-ins, a CDE file) |
| Unit | percent, proportion, count, score or rate |
| Baseline Period, Baseline | the starting value and when it was measured ("2019-20" or "wave 1") |
| Target Period, Target | the value aimed for and by when (below the baseline if lower is better) |
| 2020-21, 2021-22, ... | the measured value in each period (blank until measured) |
| n 2020-21, ... | optional: how many people the value rests on, when it is a share of people |

Progress is reported as the share of the gap from baseline to target closed and as a goal
attainment level from -2 (no progress) to +2 (well past the target); a value resting on
fewer than 11 people is not shown. A YAML file with a `goals:` list works too (see
`cei_metrics.io.goals`).

## CDE files

Downloads from CDE (Dashboard, DataQuest, local indicators) are read as downloaded.
"""
    written.append(_write(root / "README.md", readme, overwrite))
    return [p for p in written if p is not None]
