r"""Voices in the demo world: convening feedback and each district's own goal.

Two additions to :func:`~cei_metrics.datasets.load_demo`, each with planted truth
(:class:`~cei_metrics.datasets.DemoTruth`):

- **Convening feedback** on the eight 2019-20 convenings of the first cohort
  (instrument ``convening_feedback``). Every attendee of a convening (the sign-ins of
  the participation table) answers with probability :data:`FEEDBACK_RESPONSE_RATE`. An
  answer to a usefulness item is favorable (Agree or Strongly agree) with probability
  :math:`p_k = 0.58 + 0.04 (k - 1)` at the k-th convening (0.58 to 0.86: the series
  got more useful), to a relevance item with probability 0.72 at every convening;
  a favorable answer is "Strongly agree" with probability 0.45, an unfavorable one
  Strongly disagree / Disagree / Neither with 0.15 / 0.35 / 0.50; 3% of answers are
  blank. About a third of respondents say what to change and a fifth leave a comment
  (English or Spanish); 6% of respondents leave a comment holding planted personal data (the respondent's
  name, an e-mail, a phone number, a street address), all fake, which ingest must
  scrub. About 30% of respondents write their name in the form's optional name column
  (every one whose comment holds personal data does).
- **Each district's own goal** (problem of practice) for the six districts of the
  first cohort, eight goals, baseline 2019-20 and target 2023-24, with values for the
  years between at planted shares of the gap closed (:data:`GOAL_PATHS`) chosen so that
  the final year covers every goal-attainment level from -2 to +2 under the default
  rule of :func:`cei_metrics.indicators.goal_progress`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schemas import C, school_year
from .raw import _FIRST, _LAST  # the made-up names the sign-in sheets use too

__all__ = [
    "FEEDBACK_RELEVANCE",
    "FEEDBACK_RESPONSE_RATE",
    "GOAL_PATHS",
    "feedback_responses",
    "feedback_table",
    "feedback_text",
    "feedback_truth",
    "goals_table",
    "goals_truth",
    "person_name",
]

FEEDBACK_INSTRUMENT = "convening_feedback"
FEEDBACK_RESPONSE_RATE = 0.70
FEEDBACK_USEFUL_BASE = 0.58
FEEDBACK_USEFUL_STEP = 0.04
FEEDBACK_RELEVANCE = 0.72
P_STRONGLY = 0.45
P_UNFAVORABLE = (0.15, 0.35, 0.50)  # codes 1, 2, 3
P_BLANK = 0.03
P_NAME = 0.30
P_CHANGE = 0.35
P_COMMENT = 0.20
P_PII = 0.06  # of responses: a comment holding personal data
FEEDBACK_ITEMS = {
    "usefulness": ("useful_time", "useful_apply"),
    "relevance": ("relevant_practice", "relevant_families"),
}

CHANGE_EN = (
    "More time for district teams to plan together.",
    "Start on time and end on time.",
    "Provide interpretation for every session.",
    "More examples from districts like ours.",
    "Less presenting and more discussion.",
    "Send the materials a week before.",
    "Hold it closer to our district; the drive is long.",
    "Offer childcare so parents can attend.",
)
CHANGE_ES = (
    "Más tiempo para planear con nuestro equipo.",
    "Interpretación en todas las sesiones.",
    "Enviar los materiales una semana antes.",
    "Ofrecer cuidado de niños para que los padres puedan asistir.",
    "Menos presentaciones y más conversación.",
)
COMMENT_EN = (
    "Thank you, this was very useful.",
    "The family panel was the best part.",
    "I learned a lot from the other districts.",
    "The room was too crowded.",
)
COMMENT_ES = (
    "Gracias, fue muy útil.",
    "Me gustó escuchar a otras familias.",
    "Aprendí mucho de los otros distritos.",
)
#: comments with planted personal data (fake): {name}, {email}, {phone}
PII_EN = (
    "Please follow up with me, {name}, at {email} or {phone}.",
    "Our parent group meets at 1432 W Maple Ave if you want to visit. {name}",
)
PII_ES = (
    "Soy {name}; pueden llamarme al {phone}.",
    "Nos reunimos en Calle Olivo 1234, los esperamos. Escriban a {email}",
)

#: Planted goals: (district index among the 2019 cohort, goal, measure, source, unit,
#: baseline, target, shares of the gap closed in 2020-21, 2021-22, 2022-23, 2023-24, n)
GOAL_PATHS: tuple[tuple, ...] = (
    (0, "family-voice", "Families who agree the district asks for their input (%)",
     "family survey, item voice_1", "percent", 40.0, 60.0, (0.10, 0.35, 0.70, 1.05), 120),
    (1, "delac-seats", "Families of English learners at DELAC meetings (people)",
     "sign-in sheets", "count", 20.0, 40.0, (0.05, 0.25, 0.45, 0.60), None),
    (2, "two-way-communication", "Mean agreement that teachers ask about strengths (1-5)",
     "family survey, item comm_4", "score", 3.0, 3.8, (0.25, 0.50, 1.00, 1.25), 95),
    (3, "mixteco-engagement", "Mixteco families in shared decision-making (% of seats)",
     "committee rosters", "percent", 4.0, 14.0, (0.00, 0.50, 1.00, 1.60), 150),
    (4, "survey-reach", "Families answering the family survey (%)",
     "survey platform", "percent", 30.0, 50.0, (-0.10, -0.20, -0.05, -0.25), 400),
    (5, "chronic-absence", "Students chronically absent (%)",
     "DataQuest", "percent", 20.0, 12.0, (0.25, -0.50, 0.25, 0.50), 5000),
    (5, "african-american-voice", "African American families on site councils (% of seats)",
     "committee rosters", "percent", 2.0, 12.0, (0.10, 0.20, 0.30, 0.40), 8),
    (0, "welcome", "Families who feel welcome at school (%)",
     "family survey, item trust_4", "percent", 70.0, 80.0, (0.20, 0.60, 1.00, 1.00), 120),
)  # fmt: skip
GOAL_YEARS = ("2020-21", "2021-22", "2022-23", "2023-24")


def person_name(num: int) -> tuple[str, str]:
    """The fake first and last name the demo gives participant number ``num``."""
    return str(_FIRST[(num * 7 + 3) % len(_FIRST)]), str(_LAST[(num * 11 + 5) % len(_LAST)])


def _p_favorable(scale: str, k: np.ndarray) -> np.ndarray:
    if scale == "usefulness":
        return FEEDBACK_USEFUL_BASE + FEEDBACK_USEFUL_STEP * (np.asarray(k) - 1)
    return np.full(np.shape(k), FEEDBACK_RELEVANCE)


def feedback_responses(
    rng: np.random.Generator, participation: pd.DataFrame, roster: pd.DataFrame
) -> pd.DataFrame:
    """One row per feedback response to the 2019-20 convenings: the respondent's
    participant number, convening date and order, district, role, language, the four
    item codes (NaN when blank), the optional name, and the raw (unscrubbed) answers to
    the two open questions."""
    from .plln import PLLN_CONVENING_DATES

    first = roster.loc[roster[C.COHORT] == "2019-20", C.DISTRICT_ID]
    dates = pd.to_datetime(pd.Series(PLLN_CONVENING_DATES))
    p = participation[
        (participation[C.EVENT_TYPE] == "convening")
        & participation[C.DISTRICT_ID].isin(first)
        & participation[C.DATE].isin(dates)
    ].sort_values([C.DATE, C.PARTICIPANT_ID])
    p = p[rng.random(len(p)) < FEEDBACK_RESPONSE_RATE].reset_index(drop=True)
    n = len(p)
    k = p[C.DATE].map({d: i + 1 for i, d in enumerate(dates)}).to_numpy()
    out = pd.DataFrame(
        {
            "num": p[C.PARTICIPANT_ID].str[1:].astype(int).to_numpy(),
            C.DATE: p[C.DATE].to_numpy(),
            C.WAVE: k,
            C.DISTRICT_ID: p[C.DISTRICT_ID].to_numpy(),
            C.ROLE: p[C.ROLE].to_numpy(),
            C.LANGUAGE: p[C.LANGUAGE].to_numpy(),
        }
    )
    for scale, items in FEEDBACK_ITEMS.items():
        pf = _p_favorable(scale, k)
        for it in items:
            fav = rng.random(n) < pf
            top = np.where(rng.random(n) < P_STRONGLY, 5, 4)
            low = rng.choice([1, 2, 3], size=n, p=P_UNFAVORABLE)
            code = np.where(fav, top, low).astype(float)
            code[rng.random(n) < P_BLANK] = np.nan
            out[it] = code
    es = out[C.LANGUAGE].to_numpy() == "es"
    names = [" ".join(person_name(int(x))) for x in out["num"]]
    pii = rng.random(n) < P_PII
    has_comment = (rng.random(n) < P_COMMENT) | pii
    has_change = rng.random(n) < P_CHANGE
    change = np.where(
        es,
        np.array(CHANGE_ES, dtype=object)[rng.integers(0, len(CHANGE_ES), n)],
        np.array(CHANGE_EN, dtype=object)[rng.integers(0, len(CHANGE_EN), n)],
    )
    comment = np.where(
        es,
        np.array(COMMENT_ES, dtype=object)[rng.integers(0, len(COMMENT_ES), n)],
        np.array(COMMENT_EN, dtype=object)[rng.integers(0, len(COMMENT_EN), n)],
    )
    pick = rng.integers(0, 2, n)
    for i in np.flatnonzero(pii):
        first_name, last_name = names[i].split(" ", 1)
        email = f"{first_name.lower()}.{last_name.lower()}{out['num'].iat[i]}@example.com"
        phone = f"(555) 01{out['num'].iat[i] % 10}-{out['num'].iat[i] % 10000:04d}"
        tpl = (PII_ES if es[i] else PII_EN)[pick[i]]
        comment[i] = tpl.format(name=names[i], email=email, phone=phone)
    out["what_to_change"] = np.where(has_change, change, "")
    out["comments"] = np.where(has_comment, comment, "")
    gives_name = (rng.random(n) < P_NAME) | pii
    out["name"] = np.where(gives_name, np.array(names, dtype=object), "")
    out["pii"] = pii
    return out


def feedback_table(responses: pd.DataFrame) -> pd.DataFrame:
    """The demo's ``feedback`` table (long; ids ``F000001`` ...; what ingest returns but
    for the hashed ids)."""
    items = [i for its in FEEDBACK_ITEMS.values() for i in its]
    n = len(responses)
    rid = np.array([f"F{i:06d}" for i in range(1, n + 1)])
    vals = responses[items].to_numpy(dtype=float)
    rep = np.repeat(np.arange(n), len(items))
    date = responses[C.DATE].to_numpy()
    df = pd.DataFrame(
        {
            C.RESPONDENT_ID: rid[rep],
            C.WAVE: responses[C.WAVE].to_numpy()[rep].astype(np.int64),
            C.YEAR: [
                school_year(pd.Timestamp(d).year - (pd.Timestamp(d).month < 7)) for d in date[rep]
            ],
            C.DISTRICT_ID: responses[C.DISTRICT_ID].to_numpy()[rep],
            C.SCHOOL_ID: "",
            C.ROLE: responses[C.ROLE].to_numpy()[rep],
            C.LANGUAGE: responses[C.LANGUAGE].to_numpy()[rep],
            C.INSTRUMENT: FEEDBACK_INSTRUMENT,
            C.ITEM: np.tile(np.array(items), n),
            C.VALUE: vals.ravel(),
            C.MISSING_REASON: np.where(np.isnan(vals.ravel()), "no_response", ""),
            C.EVENT_ID: pd.DatetimeIndex(date[rep]).strftime("%Y-%m-%d"),
            C.DATE: date[rep].astype("datetime64[ns]"),
        }
    )
    for col in (C.RESPONDENT_ID, C.YEAR, C.DISTRICT_ID, C.SCHOOL_ID, C.ROLE, C.LANGUAGE,
                C.INSTRUMENT, C.ITEM, C.MISSING_REASON, C.EVENT_ID):  # fmt: skip
        df[col] = df[col].astype("str")
    return df


def feedback_text(responses: pd.DataFrame) -> pd.DataFrame:
    """The demo's ``text`` table: the open answers, scrubbed with the names the form
    collected (as ingest does), ids ``F000001`` ... and ``segment_id`` ``F000001:q``."""
    from ..instruments import load_instrument
    from ..io._freetext import scrub_rows

    inst = load_instrument(FEEDBACK_INSTRUMENT)
    rid = np.array([f"F{i:06d}" for i in range(1, len(responses) + 1)])
    parts = []
    for qid in ("what_to_change", "comments"):
        has = responses[qid].astype(str).str.strip().ne("").to_numpy()
        r = responses[has]
        parts.append(
            pd.DataFrame(
                {
                    C.SEGMENT_ID: [f"{x}:{qid}" for x in rid[has]],
                    C.RESPONDENT_ID: rid[has],
                    C.WAVE: pd.array(r[C.WAVE].to_numpy(), dtype="Int64"),
                    C.YEAR: [school_year(d.year - (d.month < 7)) for d in r[C.DATE]],
                    C.DISTRICT_ID: r[C.DISTRICT_ID].to_numpy(),
                    C.ROLE: r[C.ROLE].to_numpy(),
                    C.LANGUAGE: r[C.LANGUAGE].to_numpy(),
                    C.INSTRUMENT: FEEDBACK_INSTRUMENT,
                    C.QUESTION_ID: qid,
                    C.QUESTION: inst.open_questions[qid]["en"],
                    C.TEXT: r[qid].to_numpy(),
                    C.EVENT_ID: r[C.DATE].dt.strftime("%Y-%m-%d").to_numpy(),
                    C.DATE: r[C.DATE].to_numpy(),
                    C.SCHOOL_ID: None,
                }
            )
        )
    names = [x for x in responses["name"] if x]
    return scrub_rows(pd.concat(parts, ignore_index=True), names)


def feedback_truth(responses: pd.DataFrame) -> pd.DataFrame:
    """Planted truth per convening and scale: ``wave``, ``event_id``, ``scale``,
    ``p_favorable`` (the true probability of a favorable answer), ``responses``."""
    from .plln import PLLN_CONVENING_DATES

    rows = []
    for k, d in enumerate(PLLN_CONVENING_DATES, start=1):
        n = int((responses[C.WAVE] == k).sum())
        for scale in FEEDBACK_ITEMS:
            rows.append((k, d, scale, float(_p_favorable(scale, np.array(k))), n))
    return pd.DataFrame(rows, columns=[C.WAVE, C.EVENT_ID, "scale", "p_favorable", "responses"])


def goals_table(roster: pd.DataFrame) -> pd.DataFrame:
    """The demo's ``goals`` table (see :data:`GOAL_PATHS`)."""
    first = roster.loc[roster[C.COHORT] == "2019-20", C.DISTRICT_ID].tolist()
    rows = []
    for d, goal, measure, source, unit, base, target, path, n in GOAL_PATHS:
        for per, share in zip(GOAL_YEARS, path):
            rows.append(
                {
                    C.DISTRICT_ID: first[d],
                    C.GOAL_ID: goal,
                    C.MEASURE: measure,
                    C.SOURCE: source,
                    C.MEASURE_UNIT: unit,
                    C.BASELINE_PERIOD: "2019-20",
                    C.BASELINE: base,
                    C.TARGET_PERIOD: "2023-24",
                    C.TARGET: target,
                    C.PERIOD: per,
                    C.VALUE: round(base + share * (target - base), 6),
                    C.N: np.nan if n is None else float(n),
                }
            )
    return pd.DataFrame(rows)


def goals_truth(roster: pd.DataFrame) -> pd.DataFrame:
    """Planted truth per goal and year: ``district_id``, ``goal_id``, ``period``,
    ``gap_closed`` (the planted share of the gap closed)."""
    first = roster.loc[roster[C.COHORT] == "2019-20", C.DISTRICT_ID].tolist()
    rows = [
        (first[d], goal, per, share)
        for d, goal, *_rest in GOAL_PATHS
        for per, share in zip(GOAL_YEARS, _rest[5])
    ]
    return pd.DataFrame(rows, columns=[C.DISTRICT_ID, C.GOAL_ID, C.PERIOD, C.GAP_CLOSED])
