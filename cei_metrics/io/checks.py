"""Can the data support each analysis? One registry of checks for check, notebooks and report.

Each check is a function of the canonical tables (and the instrument) returning an
:class:`AnalysisCheck`: the analysis, whether the data support it, why (or why not, with
the counts found), and what would enable it. The checks only count; they import no
analysis module, so every layer above ``io`` may call them::

    >>> from cei_metrics.io.checks import run_checks
    >>> for c in run_checks(tables, "family_engagement"):  # doctest: +SKIP
    ...     print(c.line())
    DIF by language: needs 30 complete Spanish responses per scale; found 26 (trust)

Thresholds (module constants) are the usual minimums of each method:

- ``MIN_CELL`` = 11: an indicator cell is published only with 11 people or more;
- reliability: ``MIN_RELIABILITY`` = 30 complete responses per scale (Feldt interval);
- factor structure: EFA ``max(100, 5 x items)`` and CFA ``MIN_CFA`` = 200 complete responses;
- DIF by language: ``MIN_DIF`` = 30 complete responses per language per scale;
- measurement invariance: ``MIN_INVARIANCE`` = 100 complete responses per language;
- responsiveness: two waves and ``MIN_DISTRICTS`` = 3 districts with 11+ respondents in both;
- validity: ``MIN_DISTRICTS`` districts with survey scores and outcomes of the same year;
- impact designs: cohorts in the roster, a comparison group, and enough years;
- response rates: the roster's families (``n_families``) for the survey's districts;
  raking: the survey's language and EL columns and the roster's shares to rake them to;
- convening feedback: ``MIN_CELL`` respondents at a convening (two convenings for the
  change over the series); district goals: a goal with a value; open answers:
  ``MIN_CELL`` answers to count themes over; best practices: practices and
  self-ratings of the same year, ``MIN_GROUP`` LEAs naming a practice and not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..schemas import C

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["CHECKS", "AnalysisCheck", "check", "run_checks"]

MIN_CELL = 11
MIN_RELIABILITY = 30
MIN_CFA = 200
MIN_DIF = 30
MIN_INVARIANCE = 100
MIN_DISTRICTS = 3
MIN_GROUP = 5
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "vi": "Vietnamese",
    "zh": "Chinese",
    "tl": "Tagalog",
    "ko": "Korean",
    "other": "other-language",
    "und": "no-language",
}


@dataclass(frozen=True)
class AnalysisCheck:
    """Whether the data support one analysis.

    Attributes
    ----------
    analysis : a short name ("reliability", "dif_language", "att_gt", ...).
    title : what a person calls it ("DIF by language").
    supported : True when it can run.
    reason : the counts behind the answer ("needs 30 complete Spanish responses per scale;
        found 26").
    needs : what would enable it ("" when supported).
    """

    analysis: str
    title: str
    supported: bool
    reason: str
    needs: str = ""

    def line(self) -> str:
        mark = "yes" if self.supported else "no "
        text = f"[{mark}] {self.title}: {self.reason}"
        if self.needs and not self.supported:
            text += f" -> {self.needs}"
        return text

    def to_dict(self) -> dict:
        return {
            "analysis": self.analysis,
            "title": self.title,
            "supported": self.supported,
            "reason": self.reason,
            "needs": self.needs,
        }


CheckFn = Callable[..., AnalysisCheck]
CHECKS: dict[str, CheckFn] = {}


def _register(name: str) -> Callable[[CheckFn], CheckFn]:
    def deco(fn: CheckFn) -> CheckFn:
        CHECKS[name] = fn
        return fn

    return deco


def _people(k: int, min_cell: int = MIN_CELL) -> str:
    """A count of people as a check may say it: "fewer than 11" for 1..min_cell-1, so
    that a reason printed in a report never states a small cell."""
    return f"fewer than {min_cell}" if 0 < k < min_cell else str(k)


def _get(tables, name: str) -> pd.DataFrame:
    import pandas as pd

    df = getattr(tables, name, None) if not isinstance(tables, dict) else tables.get(name)
    return df if isinstance(df, pd.DataFrame) else pd.DataFrame()


def _inst(instrument):
    from ..instruments import Instrument, load_instrument

    return instrument if isinstance(instrument, Instrument) else load_instrument(instrument)


def _wide(survey: pd.DataFrame, inst) -> pd.DataFrame:
    s = survey[survey[C.INSTRUMENT] == inst.name] if C.INSTRUMENT in survey else survey
    if s.empty:
        return s
    return s.pivot_table(
        index=[C.RESPONDENT_ID, C.WAVE], columns=C.ITEM, values=C.VALUE, aggfunc="first"
    )


def _complete(survey: pd.DataFrame, inst) -> dict[str, pd.Series]:
    """Per scale: complete responses (every item answered), indexed like the wide frame."""
    w = _wide(survey, inst)
    out = {}
    for s, items in inst.scales.items():
        cols = [i for i in items if i in w.columns]
        if len(cols) < len(items) or w.empty:
            out[s] = w.iloc[0:0, 0:0].index.to_series() if not w.empty else None
            continue
        done = w[cols].notna().all(axis=1)
        out[s] = done[done].index.to_series()
    return out


def _lang(survey: pd.DataFrame) -> pd.Series:
    return survey.drop_duplicates([C.RESPONDENT_ID, C.WAVE]).set_index([C.RESPONDENT_ID, C.WAVE])[
        C.LANGUAGE
    ]


def _no_survey(name: str, title: str) -> AnalysisCheck:
    return AnalysisCheck(
        name, title, False, "no survey responses of the instrument", "add a survey export"
    )


@_register("scale_score")
def check_scale_score(
    tables,
    instrument="family_engagement",
    *,
    min_cell=MIN_CELL,
    by: tuple[str, ...] | list[str] = (C.DISTRICT_ID, C.WAVE),
) -> AnalysisCheck:
    """Scale scores and % favorable by ``by`` (district and wave by default): cells of
    ``min_cell``+ respondents."""
    s = _get(tables, "survey")
    if s.empty:
        return _no_survey("scale_score", "Scale scores and % favorable")
    by = [by] if isinstance(by, str) else list(by)
    missing = [c for c in by if c not in s.columns]
    if missing:
        return AnalysisCheck(
            "scale_score",
            "Scale scores and % favorable",
            False,
            f"the survey has no {', '.join(missing)} column",
            f"a survey with {', '.join(missing)}",
        )
    n = s.groupby(by)[C.RESPONDENT_ID].nunique()
    ok = int((n >= min_cell).sum())
    cell = "-".join(c.replace("district_id", "district") for c in by)
    reason = f"{ok} of {len(n)} {cell} cells have {min_cell}+ respondents"
    return AnalysisCheck(
        "scale_score",
        "Scale scores and % favorable",
        ok > 0,
        reason,
        "" if ok else f"needs {min_cell}+ respondents in a {cell.replace('-', ' and ')}",
    )


@_register("reliability")
def check_reliability(
    tables, instrument="family_engagement", *, minimum=MIN_RELIABILITY
) -> AnalysisCheck:
    """Reliability (alpha, omega) per scale: ``minimum`` complete responses per scale."""
    s = _get(tables, "survey")
    if s.empty:
        return _no_survey("reliability", "Reliability (alpha, omega)")
    inst = _inst(instrument)
    comp = _complete(s, inst)
    counts = {k: (0 if v is None else len(v)) for k, v in comp.items()}
    low = {k: v for k, v in counts.items() if v < minimum}
    found = ", ".join(f"{k} {_people(v)}" for k, v in counts.items())
    if low:
        return AnalysisCheck(
            "reliability",
            "Reliability (alpha, omega)",
            False,
            f"needs {minimum} complete responses per scale; found {found}",
            f"more complete responses for {', '.join(low)}",
        )
    return AnalysisCheck(
        "reliability", "Reliability (alpha, omega)", True, f"complete responses per scale: {found}"
    )


@_register("factor_structure")
def check_factor_structure(
    tables, instrument="family_engagement", *, minimum=MIN_CFA
) -> AnalysisCheck:
    """EFA and CFA of all items: ``max(100, 5 x items)`` (EFA) and ``minimum`` (CFA) complete
    responses to every item."""
    s = _get(tables, "survey")
    if s.empty:
        return _no_survey("factor_structure", "Factor structure (EFA, CFA)")
    inst = _inst(instrument)
    w = _wide(s, inst)
    items = [i for i in inst.item_ids if i in w.columns]
    n = int(w[items].notna().all(axis=1).sum()) if items else 0
    efa = max(100, 5 * len(inst.item_ids))
    need = max(efa, minimum)
    if len(items) < len(inst.item_ids):
        return AnalysisCheck(
            "factor_structure",
            "Factor structure (EFA, CFA)",
            False,
            f"{len(items)} of {len(inst.item_ids)} items in the data",
            "every item of the instrument in the survey export",
        )
    ok = n >= need
    return AnalysisCheck(
        "factor_structure",
        "Factor structure (EFA, CFA)",
        ok,
        f"needs {need} complete responses to every item; found {_people(n)}",
        "" if ok else f"{need - n} more complete responses",
    )


def _language_counts(s, inst, focal, reference):
    comp = _complete(s, inst)
    lang = _lang(s)
    out = {}
    for scale, idx in comp.items():
        if idx is None:
            out[scale] = {focal: 0, reference: 0}
            continue
        lg = lang.reindex(idx.index)
        out[scale] = {focal: int((lg == focal).sum()), reference: int((lg == reference).sum())}
    return out


@_register("dif_language")
def check_dif_language(
    tables, instrument="family_engagement", *, focal="es", reference="en", minimum=MIN_DIF
) -> AnalysisCheck:
    """DIF between two languages (``focal`` vs ``reference``; other languages set aside):
    ``minimum`` complete responses per language per scale."""
    title = f"DIF by language ({LANGUAGE_NAMES.get(focal, focal)} vs {LANGUAGE_NAMES.get(reference, reference)})"
    s = _get(tables, "survey")
    if s.empty:
        return _no_survey("dif_language", title)
    inst = _inst(instrument)
    counts = _language_counts(s, inst, focal, reference)
    short = []
    for lg in (focal, reference):
        low = {k: v[lg] for k, v in counts.items() if v[lg] < minimum}
        if low:
            found = ", ".join(f"{_people(v)} ({k})" for k, v in low.items())
            short.append(
                f"needs {minimum} complete {LANGUAGE_NAMES.get(lg, lg)} responses per scale; found {found}"
            )
    others = sorted(set(_lang(s).unique()) - {focal, reference})
    extra = f"; other languages set aside: {', '.join(others)}" if others else ""
    if short:
        return AnalysisCheck(
            "dif_language",
            title,
            False,
            "; ".join(short) + extra,
            "more complete responses in the language(s) named",
        )
    mins = {lg: min(v[lg] for v in counts.values()) for lg in (focal, reference)}
    return AnalysisCheck(
        "dif_language",
        title,
        True,
        f"at least {mins[focal]} {focal} and {mins[reference]} {reference} complete "
        f"responses per scale{extra}",
    )


@_register("invariance_language")
def check_invariance(
    tables, instrument="family_engagement", *, focal="es", reference="en", minimum=MIN_INVARIANCE
) -> AnalysisCheck:
    """Measurement invariance across two languages: ``minimum`` complete responses per
    language per scale."""
    title = "Measurement invariance by language"
    s = _get(tables, "survey")
    if s.empty:
        return _no_survey("invariance_language", title)
    counts = _language_counts(s, _inst(instrument), focal, reference)
    worst = min((min(v.values()) for v in counts.values()), default=0)
    found = "; ".join(
        f"{k}: {_people(v[focal])} {focal}, {_people(v[reference])} {reference}"
        for k, v in counts.items()
    )
    ok = worst >= minimum
    return AnalysisCheck(
        "invariance_language",
        title,
        ok,
        f"needs {minimum} complete responses per language per scale; found {found}",
        "" if ok else "more complete responses in each language",
    )


@_register("responsiveness")
def check_responsiveness(
    tables, instrument="family_engagement", *, min_cell=MIN_CELL, minimum=MIN_DISTRICTS
) -> AnalysisCheck:
    """Responsiveness: two waves or more and ``minimum`` districts with ``min_cell``+
    respondents in the first and the last wave."""
    title = "Responsiveness (change between waves)"
    s = _get(tables, "survey")
    if s.empty:
        return _no_survey("responsiveness", title)
    waves = sorted(s[C.WAVE].unique())
    if len(waves) < 2:
        return AnalysisCheck(
            "responsiveness",
            title,
            False,
            f"needs two waves; found {len(waves)}",
            "a second survey wave",
        )
    n = s.groupby([C.DISTRICT_ID, C.WAVE])[C.RESPONDENT_ID].nunique().unstack()
    both = int(((n[waves[0]] >= min_cell) & (n[waves[-1]] >= min_cell)).sum())
    ok = both >= minimum
    return AnalysisCheck(
        "responsiveness",
        title,
        ok,
        f"needs {minimum} districts with {min_cell}+ respondents in waves {waves[0]} "
        f"and {waves[-1]}; found {both}",
        "" if ok else "more districts in both waves",
    )


@_register("validity")
def check_validity(
    tables,
    instrument="family_engagement",
    *,
    min_cell=MIN_CELL,
    minimum=MIN_DISTRICTS,
    outcome: str | None = None,
) -> AnalysisCheck:
    """Validity against outcomes: ``minimum`` districts with survey scores and outcomes of
    the same school year."""
    title = "Validity against outcomes"
    s, o = _get(tables, "survey"), _get(tables, "outcomes")
    if s.empty:
        return _no_survey("validity", title)
    if o.empty:
        return AnalysisCheck("validity", title, False, "no outcome files", "add CDE outcome files")
    n = s.groupby([C.DISTRICT_ID, C.YEAR])[C.RESPONDENT_ID].nunique()
    keys = set(n[n >= min_cell].index)
    od = o[o[C.LEVEL] == "district"] if C.LEVEL in o else o
    if outcome is not None and C.INDICATOR in od:
        od = od[od[C.INDICATOR] == outcome]
        if od.empty:
            return AnalysisCheck(
                "validity",
                title,
                False,
                f"no district rows of outcome {outcome!r}",
                f"a CDE file of {outcome}, or another OUTCOME",
            )
    okeys = set(zip(od[C.CDS].astype(str).str[:7], od[C.YEAR]))
    found = len({d for d, y in keys & okeys})
    ok = found >= minimum
    return AnalysisCheck(
        "validity",
        title,
        ok,
        f"needs {minimum} districts with {min_cell}+ respondents and outcomes of the "
        f"same year; found {found}",
        "" if ok else "outcome files of the survey years",
    )


@_register("reach")
def check_reach(tables, instrument=None, **_) -> AnalysisCheck:
    """Reach: sign-ins and each district's number of families in the roster."""
    p, r = _get(tables, "participation"), _get(tables, "roster")
    if p.empty:
        return AnalysisCheck("reach", "Reach", False, "no sign-in sheets", "add sign-in sheets")
    if r.empty or C.N_FAMILIES not in r or r[C.N_FAMILIES].isna().all():
        return AnalysisCheck(
            "reach",
            "Reach",
            False,
            "the roster has no number of families per district",
            "a roster with n_families",
        )
    have = set(r.loc[r[C.N_FAMILIES].notna(), C.DISTRICT_ID])
    d = set(p[C.DISTRICT_ID])
    return AnalysisCheck(
        "reach",
        "Reach",
        bool(have & d),
        f"{len(have & d)} of {len(d)} districts with sign-ins have n_families",
        "" if have & d else "n_families in the roster for the sign-in districts",
    )


@_register("representation")
def check_representation(tables, instrument=None, **_) -> AnalysisCheck:
    """EL-family representation: EL flags on sign-ins and each district's EL share."""
    title = "Representation of EL families"
    p, r = _get(tables, "participation"), _get(tables, "roster")
    if p.empty:
        return AnalysisCheck(
            "representation", title, False, "no sign-in sheets", "add sign-in sheets"
        )
    if C.EL_FAMILY not in p or p[C.EL_FAMILY].isna().all():
        return AnalysisCheck(
            "representation",
            title,
            False,
            "the sign-ins have no EL Family column",
            "an EL Family column (Yes/No) on the sign-in sheets",
        )
    if r.empty or C.PCT_EL not in r or r[C.PCT_EL].isna().any():
        return AnalysisCheck(
            "representation",
            title,
            False,
            "the roster has no pct_el",
            "a roster with each district's share of EL families (pct_el)",
        )
    known = int(p[C.EL_FAMILY].notna().sum())
    return AnalysisCheck("representation", title, True, f"{known} sign-ins with an EL flag")


@_register("retention")
def check_retention(tables, instrument=None, *, event_type="convening", **_) -> AnalysisCheck:
    """Retention across a series of events: two or more events of ``event_type``."""
    title = f"Retention across {event_type}s"
    p = _get(tables, "participation")
    if p.empty:
        return AnalysisCheck("retention", title, False, "no sign-in sheets", "add sign-in sheets")
    n = p.loc[p[C.EVENT_TYPE] == event_type, C.EVENT_ID].nunique()
    ok = n >= 2
    return AnalysisCheck(
        "retention",
        title,
        ok,
        f"needs 2 {event_type}s or more; found {n}",
        "" if ok else f"sign-ins of at least two {event_type}s",
    )


@_register("language_access")
def check_language_access(tables, instrument=None, **_) -> AnalysisCheck:
    """Language access: survey or sign-in languages, and each district's Spanish share."""
    title = "Language access"
    s, p, r = _get(tables, "survey"), _get(tables, "participation"), _get(tables, "roster")
    if s.empty and p.empty:
        return AnalysisCheck(
            "language_access",
            title,
            False,
            "no survey or sign-ins",
            "a survey export or sign-in sheets with a language column",
        )
    if r.empty or C.PCT_SPANISH not in r or r[C.PCT_SPANISH].isna().any():
        return AnalysisCheck(
            "language_access",
            title,
            False,
            "the roster has no pct_spanish",
            "a roster with each district's share of Spanish-speaking families",
        )
    return AnalysisCheck(
        "language_access", title, True, "languages and the roster's shares present"
    )


@_register("p3_ratings")
def check_p3(tables, instrument=None, **_) -> AnalysisCheck:
    """Priority 3 self-ratings: a ratings table."""
    r = _get(tables, "ratings")
    if r.empty:
        return AnalysisCheck(
            "p3_ratings",
            "Priority 3 self-ratings",
            False,
            "no ratings",
            "a CDE Priority 3 file or a ratings table",
        )
    return AnalysisCheck(
        "p3_ratings",
        "Priority 3 self-ratings",
        True,
        f"{r[C.DISTRICT_ID].nunique()} districts, {r[C.YEAR].nunique()} year(s)",
    )


@_register("equity_gap")
def check_equity_gap(tables, instrument=None, *, min_cell=MIN_CELL, **_) -> AnalysisCheck:
    """EL vs other families' scale scores: ``min_cell``+ respondents in both groups."""
    title = "Equity gap (EL vs other families)"
    s = _get(tables, "survey")
    if s.empty:
        return _no_survey("equity_gap", title)
    if C.EL_FAMILY not in s:
        return AnalysisCheck(
            "equity_gap",
            title,
            False,
            "the survey has no EL Family column",
            "an EL Family question (Yes/No) in the survey",
        )
    first = s.drop_duplicates([C.RESPONDENT_ID, C.WAVE])
    el = int((first[C.EL_FAMILY] == True).sum())  # noqa: E712 - nullable boolean
    other = int((first[C.EL_FAMILY] == False).sum())  # noqa: E712
    ok = min(el, other) >= min_cell
    return AnalysisCheck(
        "equity_gap",
        title,
        ok,
        f"needs {min_cell}+ respondents in each group; found {_people(el, min_cell)} EL, "
        f"{_people(other, min_cell)} other",
        "" if ok else "more respondents with the EL question answered",
    )


def _district_outcomes(o: pd.DataFrame, outcome: str | None, group: str = "All students"):
    """District rows of one outcome (All students, unsuppressed, with a value)."""
    d = o[o[C.LEVEL] == "district"] if C.LEVEL in o else o
    if outcome is not None and C.INDICATOR in d:
        d = d[d[C.INDICATOR] == outcome]
        if C.GROUP in d:
            d = d[d[C.GROUP] == group]
        if C.SUPPRESSED in d:
            d = d[~d[C.SUPPRESSED].fillna(False).astype(bool)]
        if C.VALUE in d:
            d = d[d[C.VALUE].notna()]
    return d


def _panel_facts(tables, outcome: str | None = None):
    o, r = _get(tables, "outcomes"), _get(tables, "roster")
    if o.empty:
        return None, "no CDE outcome files", "add CDE outcome files (e.g. chronic absenteeism)"
    d = _district_outcomes(o, outcome)
    if d.empty:
        have = sorted(o[C.INDICATOR].dropna().unique()) if C.INDICATOR in o else []
        return (
            None,
            f"no district rows of {outcome!r} for All students (the outcome files hold: "
            f"{', '.join(map(str, have)) or 'nothing'})",
            f"CDE files of {outcome} by district for several years",
        )
    years = sorted(d[C.YEAR].unique())
    if r.empty or C.COHORT not in r or r[C.COHORT].isna().all():
        return (
            None,
            (
                f"outcomes for {len(years)} year(s), but no district has a cohort "
                "(no roster, or a roster without cohorts)"
            ),
            "a roster whose cohort column gives each network district's first PLLN school year",
        )
    treated = set(r.loc[r[C.COHORT].notna(), C.DISTRICT_ID])
    units = set(d[C.CDS].astype(str).str[:7])
    return (
        {
            "years": years,
            "treated": treated & units,
            "control": units - treated,
            "cohorts": sorted(set(r.loc[r[C.COHORT].notna(), C.COHORT])),
        },
        "",
        "",
    )


def _design(
    name: str,
    title: str,
    tables,
    *,
    min_years: int,
    min_treated: int = 1,
    min_control: int = 1,
    pre: int = 1,
    outcome: str | None = None,
) -> AnalysisCheck:
    f, why, needs = _panel_facts(tables, outcome)
    if f is None:
        return AnalysisCheck(name, title, False, why, needs)
    yrs, tr, co = f["years"], f["treated"], f["control"]
    first = min(f["cohorts"])
    n_pre = sum(y < first for y in yrs)
    probs = []
    if len(yrs) < min_years:
        probs.append(f"needs {min_years} years of outcomes; found {len(yrs)}")
    if len(tr) < min_treated:
        probs.append(f"needs {min_treated} network district(s) with outcomes; found {len(tr)}")
    if len(co) < min_control:
        probs.append(f"needs {min_control} comparison district(s); found {len(co)}")
    if n_pre < pre:
        probs.append(f"needs {pre} year(s) before {first}; found {n_pre}")
    if probs:
        return AnalysisCheck(
            name, title, False, "; ".join(probs), "more outcome years or districts"
        )
    return AnalysisCheck(
        name,
        title,
        True,
        f"{len(tr)} network and {len(co)} comparison districts, {len(yrs)} years "
        f"({n_pre} before {first})",
    )


@_register("did")
def check_did(tables, instrument=None, *, outcome: str | None = None, **_) -> AnalysisCheck:
    """Difference-in-differences (2x2, TWFE, Goodman-Bacon, few-cluster inference): two
    years of ``outcome`` (any outcome when None), network and comparison districts."""
    return _design(
        "did", "Difference-in-differences (2x2, TWFE)", tables, min_years=2, outcome=outcome
    )


@_register("att_gt")
def check_att_gt(tables, instrument=None, *, outcome: str | None = None, **_) -> AnalysisCheck:
    """Staggered DiD (Callaway-Sant'Anna) and event study: two pre-years of ``outcome``."""
    return _design(
        "att_gt",
        "Staggered DiD and event study (att_gt)",
        tables,
        min_years=3,
        pre=2,
        outcome=outcome,
    )


@_register("synthetic_control")
def check_synth(tables, instrument=None, *, outcome: str | None = None, **_) -> AnalysisCheck:
    """Synthetic control and synthetic DiD: 3 pre-years and 2 donor districts."""
    return _design(
        "synthetic_control",
        "Synthetic control and synthetic DiD",
        tables,
        min_years=5,
        min_control=2,
        pre=3,
        outcome=outcome,
    )


@_register("its")
def check_its(tables, instrument=None, *, outcome: str | None = None, **_) -> AnalysisCheck:
    """Interrupted time series: 3 years before and 3 after (disrupted years aside)."""
    return _design(
        "its",
        "Interrupted time series",
        tables,
        min_years=6,
        min_control=0,
        pre=3,
        outcome=outcome,
    )


@_register("multilevel")
def check_multilevel(tables, instrument=None, *, outcome: str | None = None, **_) -> AnalysisCheck:
    """Multilevel model of schools in districts: school-level outcomes."""
    o = _get(tables, "outcomes")
    title = "Multilevel model (schools in districts)"
    sch = o[o[C.LEVEL] == "school"] if not o.empty and C.LEVEL in o else o.iloc[0:0]
    if outcome is not None and C.INDICATOR in sch:
        sch = sch[sch[C.INDICATOR] == outcome]
    if sch.empty:
        what = f" of {outcome!r}" if outcome else ""
        return AnalysisCheck(
            "multilevel",
            title,
            False,
            f"no school-level outcomes{what}",
            "CDE files with school rows",
        )
    return _design("multilevel", title, tables, min_years=2, outcome=outcome)


@_register("survey_coverage")
def check_survey_coverage(tables, instrument=None, **_) -> AnalysisCheck:
    """Survey coverage by district, wave and language: any survey response."""
    title = "Survey coverage"
    s = _get(tables, "survey")
    if s.empty:
        return _no_survey("survey_coverage", title)
    n = s[C.RESPONDENT_ID].nunique() if C.RESPONDENT_ID in s else len(s)
    waves = s[C.WAVE].nunique() if C.WAVE in s else 1
    return AnalysisCheck(
        "survey_coverage", title, True, f"{_people(int(n))} respondents, {waves} wave(s)"
    )


@_register("signins")
def check_signins(tables, instrument=None, **_) -> AnalysisCheck:
    """Sign-in summaries: any sign-in sheet."""
    p = _get(tables, "participation")
    if p.empty:
        return AnalysisCheck(
            "signins", "Sign-in sheets", False, "no sign-in sheets", "add sign-in sheets"
        )
    return AnalysisCheck(
        "signins",
        "Sign-in sheets",
        True,
        f"{p[C.EVENT_ID].nunique()} event(s) of {p[C.EVENT_TYPE].nunique()} type(s)",
    )


@_register("outcome_files")
def check_outcome_files(tables, instrument=None, **_) -> AnalysisCheck:
    """Outcome coverage: any CDE outcome file."""
    o = _get(tables, "outcomes")
    if o.empty:
        return AnalysisCheck(
            "outcome_files",
            "Public outcome files",
            False,
            "no CDE outcome files",
            "add CDE outcome files (chronic absenteeism, suspension, graduation ...)",
        )
    return AnalysisCheck(
        "outcome_files",
        "Public outcome files",
        True,
        f"{o[C.INDICATOR].nunique()} outcome(s), {o[C.YEAR].nunique()} year(s)",
    )


@_register("likert")
def check_likert(
    tables, instrument="family_engagement", *, scale: str = "trust", min_cell=MIN_CELL, **_
) -> AnalysisCheck:
    """Likert bars of one scale's items: every item of ``scale`` answered by ``min_cell``
    people or more."""
    title = f"Answers to the {scale} items"
    s = _get(tables, "survey")
    if s.empty:
        return _no_survey("likert", title)
    inst = _inst(instrument)
    items = list(inst.scales.get(scale, ()))
    if not items:
        return AnalysisCheck(
            "likert",
            title,
            False,
            f"the instrument has no scale {scale!r}",
            f"one of {sorted(inst.scales)}",
        )
    ans = s[s[C.ITEM].isin(items) & s[C.VALUE].notna()].groupby(C.ITEM)[C.RESPONDENT_ID].nunique()
    low = [i for i in items if int(ans.get(i, 0)) < min_cell]
    if low:
        return AnalysisCheck(
            "likert",
            title,
            False,
            f"needs {min_cell}+ answers to every item; {len(low)} of {len(items)} items have fewer",
            "more survey responses",
        )
    return AnalysisCheck(
        "likert", title, True, f"{len(items)} items, each with {min_cell}+ answers"
    )


@_register("engagement_did")
def check_engagement_did(tables, instrument=None, *, min_cell=MIN_CELL, **_) -> AnalysisCheck:
    """Staggered DiD of survey scale scores by wave: three waves or more, network
    districts (a roster cohort) whose first treated wave follows a surveyed wave, and
    comparison districts, each with ``min_cell``+ respondents in a wave."""
    title = "Engagement scales: network vs comparison districts (att_gt)"
    s, r = _get(tables, "survey"), _get(tables, "roster")
    if s.empty:
        return _no_survey("engagement_did", title)
    waves = sorted(s[C.WAVE].unique())
    if r.empty or C.COHORT not in r or r[C.COHORT].isna().all():
        return AnalysisCheck(
            "engagement_did",
            title,
            False,
            "no district has a cohort (no roster, or a roster without cohorts)",
            "a roster whose cohort column gives each network district's first PLLN school year",
        )
    n = s.groupby([C.DISTRICT_ID, C.WAVE])[C.RESPONDENT_ID].nunique()
    ok = {d for (d, _w), k in n.items() if k >= min_cell}
    treated = set(r.loc[r[C.COHORT].notna(), C.DISTRICT_ID]) & ok
    control = ok - set(r.loc[r[C.COHORT].notna(), C.DISTRICT_ID])
    probs = []
    if len(waves) < 3:
        probs.append(f"needs 3 survey waves; found {len(waves)}")
    if not treated:
        probs.append(f"needs a network district with {min_cell}+ respondents in a wave")
    if not control:
        probs.append(f"needs a comparison district with {min_cell}+ respondents in a wave")
    if probs:
        return AnalysisCheck(
            "engagement_did",
            title,
            False,
            "; ".join(probs),
            "survey waves before and after joining, in network and comparison districts",
        )
    return AnalysisCheck(
        "engagement_did",
        title,
        True,
        f"{len(waves)} waves; {len(treated)} network and {len(control)} comparison districts",
    )


@_register("dashboard_grid")
def check_dashboard_grid(
    tables,
    instrument=None,
    *,
    outcome: str = "chronic_absenteeism",
    year: str | None = None,
    **_,
) -> AnalysisCheck:
    """The Dashboard status x change grid: district rows of ``outcome`` for ``year`` (the
    latest when None) and the year before, for at least one network district."""
    from ..schemas import school_year, year_start

    title = "Dashboard status and change"
    o, r = _get(tables, "outcomes"), _get(tables, "roster")
    if o.empty:
        return AnalysisCheck("dashboard_grid", title, False, "no CDE outcome files",
                             f"CDE files of {outcome} for two consecutive years")  # fmt: skip
    d = _district_outcomes(o, outcome)
    years = sorted(d[C.YEAR].unique())
    if not years:
        return AnalysisCheck("dashboard_grid", title, False, f"no district rows of {outcome!r}",
                             f"CDE files of {outcome} by district")  # fmt: skip
    y = year or years[-1]
    prior = school_year(year_start(y) - 1)
    if y not in years or prior not in years:
        return AnalysisCheck(
            "dashboard_grid",
            title,
            False,
            f"needs {outcome} for {y} and {prior}; found {', '.join(years)}",
            f"the CDE {outcome} files of {prior} and {y}",
        )
    if r.empty or C.COHORT not in r or r[C.COHORT].isna().all():
        return AnalysisCheck(
            "dashboard_grid",
            title,
            False,
            "no district has a cohort, so no network district to place",
            "a roster with each network district's cohort",
        )
    net = set(r.loc[r[C.COHORT].notna(), C.DISTRICT_ID])
    both = set(d.loc[d[C.YEAR] == y, C.CDS].astype(str).str[:7]) & set(
        d.loc[d[C.YEAR] == prior, C.CDS].astype(str).str[:7]
    )
    k = len(net & both)
    return AnalysisCheck(
        "dashboard_grid",
        title,
        k > 0,
        f"{k} network district(s) with {outcome} in {prior} and {y}",
        "" if k else f"{outcome} rows of the network districts for {prior} and {y}",
    )


@_register("scorecard")
def check_scorecard(tables, instrument="family_engagement", **_) -> AnalysisCheck:
    """The metric scorecard: survey responses to every item of the instrument (criteria
    the data cannot test are reported as not tested)."""
    title = "Metric scorecard"
    s = _get(tables, "survey")
    if s.empty:
        return _no_survey("scorecard", title)
    inst = _inst(instrument)
    have = set(s[C.ITEM].unique())
    missing = [i for i in inst.item_ids if i not in have]
    if missing:
        return AnalysisCheck(
            "scorecard",
            title,
            False,
            f"{len(inst.item_ids) - len(missing)} of {len(inst.item_ids)} items in the data",
            "every item of the instrument in the survey export",
        )
    return AnalysisCheck("scorecard", title, True, f"all {len(inst.item_ids)} items present")


@_register("peer_benchmark")
def check_peer_benchmark(
    tables,
    instrument=None,
    *,
    targets: list[str] | None = None,
    year: str | None = None,
    outcome: str | None = None,
    **_,
) -> AnalysisCheck:
    """Peer benchmarks of public data: ratings (``outcome`` None) or outcome rows of
    ``year`` for at least one of the ``targets`` (14-digit CDS codes)."""
    title = "Benchmarks against districts like them"
    frame = _get(tables, "ratings" if outcome is None else "outcomes")
    what = "Priority 3 ratings" if outcome is None else f"{outcome} rows"
    if frame.empty:
        return AnalysisCheck("peer_benchmark", title, False, f"no {what}",
                             "the shipped extracts or files from cei-metrics fetch-cde")  # fmt: skip
    if outcome is not None and C.INDICATOR in frame:
        frame = frame[frame[C.INDICATOR] == outcome]
    if year is not None:
        frame = frame[frame[C.YEAR] == year]
    codes = set(frame[C.CDS].astype(str))
    hit = [t for t in (targets or []) if t in codes] if targets else sorted(codes)
    return AnalysisCheck(
        "peer_benchmark",
        title,
        bool(hit),
        f"{len(hit)} of {len(targets or codes)} target LEAs have {what}"
        + (f" for {year}" if year else ""),
        "" if hit else f"{what} of the target LEAs for {year or 'the chosen year'}",
    )


@_register("selection")
def check_selection(tables, instrument=None, **_) -> AnalysisCheck:
    """Need and readiness indices: outcome rows (need) and Priority 3 ratings (readiness)."""
    title = "Need and readiness of every LEA"
    o, r = _get(tables, "outcomes"), _get(tables, "ratings")
    probs = []
    if o.empty:
        probs.append("no Dashboard outcomes for the need index")
    if r.empty:
        probs.append("no Priority 3 ratings for the readiness index")
    if probs:
        return AnalysisCheck("selection", title, False, "; ".join(probs),
                             "the shipped extracts or files from cei-metrics fetch-cde")  # fmt: skip
    return AnalysisCheck(
        "selection",
        title,
        True,
        f"{o[C.CDS].nunique():,} LEAs with outcomes, {r[C.CDS].nunique():,} with ratings",
    )


@_register("response_rates")
def check_response_rates(tables, instrument=None, **_) -> AnalysisCheck:
    """Response rates: survey respondents and each district's families in the roster."""
    title = "Response rates (respondents over families)"
    s, r = _get(tables, "survey"), _get(tables, "roster")
    if s.empty:
        return _no_survey("response_rates", title)
    if r.empty or C.N_FAMILIES not in r or r[C.N_FAMILIES].isna().all():
        return AnalysisCheck(
            "response_rates",
            title,
            False,
            "the roster gives no number of families per district",
            "a roster with n_families (or a table of invited families per district)",
        )
    have = set(r.loc[r[C.N_FAMILIES].notna(), C.DISTRICT_ID])
    d = set(s[C.DISTRICT_ID])
    ok = bool(have & d)
    return AnalysisCheck(
        "response_rates",
        title,
        ok,
        f"{len(have & d)} of {len(d)} surveyed districts have their number of families",
        "" if ok else "n_families in the roster for the surveyed districts",
    )


@_register("raking")
def check_raking(tables, instrument=None, **_) -> AnalysisCheck:
    """Raking to family margins: the survey's language and EL columns, the roster's
    families and their Spanish and EL shares."""
    title = "Raking weights to family margins (language, EL)"
    s, r = _get(tables, "survey"), _get(tables, "roster")
    if s.empty:
        return _no_survey("raking", title)
    missing = [c for c in (C.LANGUAGE, C.EL_FAMILY) if c not in s or s[c].isna().all()]
    if missing:
        return AnalysisCheck(
            "raking",
            title,
            False,
            f"the survey has no {' or '.join(missing)} answers",
            "a language column and an EL Family question in the survey",
        )
    need = (C.N_FAMILIES, C.PCT_SPANISH, C.PCT_EL)
    if r.empty or any(c not in r for c in need):
        return AnalysisCheck(
            "raking", title, False, "the roster has no family margins",
            "a roster with n_families, pct_spanish and pct_el",
        )  # fmt: skip
    known = r.dropna(subset=list(need))
    d = set(s[C.DISTRICT_ID]) & set(known[C.DISTRICT_ID])
    ok = bool(d)
    return AnalysisCheck(
        "raking",
        title,
        ok,
        f"{len(d)} surveyed district(s) have families, Spanish and EL shares in the roster",
        "" if ok else "n_families, pct_spanish and pct_el for the surveyed districts",
    )


@_register("convening_feedback")
def check_convening_feedback(
    tables, instrument=None, *, min_cell=MIN_CELL, feedback_instrument="convening_feedback", **_
) -> AnalysisCheck:
    """Convening feedback: ``min_cell`` respondents at a convening; two convenings for the
    change over the series."""
    title = "Convening feedback (per convening and over the series)"
    f = _get(tables, "feedback")
    if f.empty or C.INSTRUMENT not in f or not (f[C.INSTRUMENT] == feedback_instrument).any():
        return AnalysisCheck(
            "convening_feedback",
            title,
            False,
            "no convening feedback",
            "the convening feedback form's exports (cei-metrics init writes the form)",
        )
    f = f[(f[C.INSTRUMENT] == feedback_instrument) & f[C.VALUE].notna()]
    n = f.groupby(C.EVENT_ID)[C.RESPONDENT_ID].nunique()
    ok_events = int((n >= min_cell).sum())
    ok = ok_events >= 1
    return AnalysisCheck(
        "convening_feedback",
        title,
        ok,
        f"{ok_events} of {len(n)} convenings have {min_cell}+ respondents"
        + ("" if len(n) >= 2 else "; one convening: no change over the series"),
        "" if ok else f"{min_cell}+ respondents at a convening",
    )


@_register("goal_tracker")
def check_goal_tracker(tables, instrument=None, **_) -> AnalysisCheck:
    """Each district's own goal: a goal table with a measured value."""
    title = "Each district's own goal (problem of practice)"
    g = _get(tables, "goals")
    if g.empty:
        return AnalysisCheck(
            "goal_tracker", title, False, "no district goal table",
            "a goals.csv (cei-metrics init writes the template)",
        )  # fmt: skip
    with_value = g[g[C.VALUE].notna()].drop_duplicates([C.DISTRICT_ID, C.GOAL_ID])
    n_goals = len(g.drop_duplicates([C.DISTRICT_ID, C.GOAL_ID]))
    ok = len(with_value) > 0
    return AnalysisCheck(
        "goal_tracker",
        title,
        ok,
        f"{len(with_value)} of {n_goals} goal(s) of {g[C.DISTRICT_ID].nunique()} district(s) "
        "have a measured value",
        "" if ok else "the measured values of the goals, by year or wave",
    )


@_register("open_answers")
def check_open_answers(tables, instrument=None, *, min_cell=MIN_CELL, **_) -> AnalysisCheck:
    """Themes of open answers: ``min_cell`` answers to a question (counts of fewer are
    suppressed)."""
    title = "Themes of open answers and comments"
    t = _get(tables, "text")
    if t.empty:
        return AnalysisCheck(
            "open_answers", title, False, "no open answers or comments",
            "open questions or comment columns in the survey or feedback exports",
        )  # fmt: skip
    n = t.groupby([C.INSTRUMENT, C.QUESTION_ID]).size()
    ok = int((n >= min_cell).sum())
    return AnalysisCheck(
        "open_answers",
        title,
        ok > 0,
        f"{ok} of {len(n)} questions have {min_cell}+ answers",
        "" if ok else f"{min_cell}+ answers to a question",
    )


@_register("best_practices")
def check_best_practices(
    tables, instrument=None, *, minimum=MIN_GROUP, year: str | None = None, **_
) -> AnalysisCheck:
    """Best practices from the narratives: practices (``practices``) and self-ratings of
    the same year, ``minimum`` LEAs naming a practice and as many not."""
    title = "Best practices: named practices and self-ratings"
    p, r = _get(tables, "practices"), _get(tables, "ratings")
    shipped = ""
    if p.empty:  # the public practice counts and ratings of every LEA ship with the package
        from ..datasets import public_p3_practices, public_p3_ratings

        p, r = public_p3_practices(), public_p3_ratings()
        shipped = " (the shipped public extracts)"
    if r.empty:
        return AnalysisCheck(
            "best_practices", title, False, "no self-ratings", "Priority 3 ratings"
        )
    years = sorted(set(p[C.YEAR]) & set(r[C.YEAR]))
    if not years:
        return AnalysisCheck(
            "best_practices", title, False, "the practices and the ratings share no year",
            "narratives and ratings of the same school year",
        )  # fmt: skip
    y = year or years[0]
    py = p[p[C.YEAR] == y]
    flags = [c for c in py.columns if py[c].dtype == bool]
    both = [c for c in flags if minimum <= int(py[c].sum()) <= len(py) - minimum]
    ok = bool(both)
    nxt = [x for x in sorted(set(r[C.YEAR])) if x > y]
    return AnalysisCheck(
        "best_practices",
        title,
        ok,
        f"{len(py)} LEAs with narratives in {y}{shipped}; {len(both)} of {len(flags)} "
        "practices named "
        f"by {minimum}+ LEAs and not named by {minimum}+"
        + (f"; ratings of {nxt[0]} for the change" if nxt else "; no later ratings: no change"),
        "" if ok else "more LEAs naming (and not naming) a practice",
    )


def run_checks(tables, instrument="family_engagement", **options) -> list[AnalysisCheck]:
    """Every registered check on the tables (a :class:`~cei_metrics.io.Tables`, a
    ``DemoData`` or a dict of frames). ``options`` go to the checks that take them
    (``focal``, ``reference``, ``min_cell``)."""
    import inspect

    out = []
    for fn in CHECKS.values():
        params = inspect.signature(fn).parameters
        kw = {k: v for k, v in options.items() if k in params}
        out.append(fn(tables, instrument, **kw))
    return out


def check(analysis: str, tables, instrument="family_engagement", **options) -> AnalysisCheck:
    """One check by name (see :data:`CHECKS`)."""
    from ..errors import CEIError

    if analysis not in CHECKS:
        raise CEIError(f"no check called {analysis!r}", fix=f"use one of {sorted(CHECKS)}")
    import inspect

    fn = CHECKS[analysis]
    params = inspect.signature(fn).parameters
    return fn(tables, instrument, **{k: v for k, v in options.items() if k in params})
