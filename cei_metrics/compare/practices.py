r"""Best practices from the Priority 3 narratives: which practices LEAs name, where, and
how naming them goes with self-ratings.

Every LEA answers nine prompts of the Priority 3 (Parent and Family Engagement)
self-reflection tool each year, three per section: its **strengths** and progress (a), its
**focus areas** for improvement (b), and how it will improve the engagement of
**under-represented families** (c). :func:`code_narratives` applies a codebook (by
default ``engagement_practices``, whose English rules are those of
:data:`~cei_metrics.compare.PRACTICES`) to each kind of prompt; :func:`practice_shares`
reports the share of LEAs naming each practice by LEA type and size;
:func:`practice_association` compares the self-ratings of LEAs that name a practice with
those that do not: the mean rating in the year and its change to the next year, with
Welch intervals (or a bootstrap).

The comparison is **associational**: LEAs choose what to write and how to rate
themselves; a difference says that naming a practice goes with higher ratings or
larger gains, not that the practice caused them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .._api import estimator
from .._results import PlotMixin, ResultMixin
from ..errors import EstimationError, SchemaError
from ..schemas import C

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "PROMPT_KINDS",
    "PracticeAssociation",
    "code_narratives",
    "practice_association",
    "practice_shares",
    "prompt_kind",
    "size_bands",
]

#: The letter of a Priority 3 prompt -> its kind.
PROMPT_KINDS = {"a": "strengths", "b": "focus_areas", "c": "underrepresented_families"}
PROMPT_KIND = "prompt_kind"
ALL_PROMPTS = "all_prompts"
N_CODES = "n_codes"
N_WORDS = "n_words"
PRACTICE = "practice"
OUTCOME = "outcome"
N_NAMED, N_NOT = "n_named", "n_not"
MEAN_NAMED, MEAN_NOT = "mean_named", "mean_not"
P_HOLM = "p_holm"
SIZE = "size"
_FIELD = re.compile(r"^Narrative\s*(\d)\s*([abc])", re.IGNORECASE)


def prompt_kind(field: object, prompt: object = "") -> str:
    """The kind of a narrative prompt: strengths, focus_areas or underrepresented_families,
    from the source column (``Narrative1aRelationshipsStrength`` -> strengths) or, failing
    that, the prompt's wording; "other" when neither tells."""
    m = _FIELD.match(str(field or ""))
    if m:
        return PROMPT_KINDS[m.group(2).lower()]
    p = str(prompt or "").lower()
    if "underrepresented" in p or "under-represented" in p:
        return PROMPT_KINDS["c"]
    if "focus area" in p:
        return PROMPT_KINDS["b"]
    if "strength" in p:
        return PROMPT_KINDS["a"]
    return "other"


def _fold(s: pd.Series) -> pd.Series:
    """Lower case, accents removed, other non-ASCII symbols (dashes, curly quotes) made
    spaces so they still separate words (vectorised)."""
    return (
        s.fillna("")
        .astype(str)
        .str.normalize("NFKD")
        .str.replace("[\u0300-\u036f]", "", regex=True)
        .str.replace("[^\x00-\x7f]", " ", regex=True)
        .str.lower()
    )


def _fast_regex(rule) -> str:
    """A keyword rule as a regex on folded text, with word boundaries ``\\b`` where the
    keyword starts or ends with a letter or digit (much faster than the look-arounds of
    :func:`cei_metrics.text.suggest_codes`, and the same matches); regex rules as written."""
    if rule.kind != "keyword":
        return rule.regex.pattern
    from ..io._fold import fold

    parts = []
    for w in fold(rule.pattern).split():
        star = w.endswith("*")
        parts.append(re.escape(w[:-1] if star else w) + (r"\w*" if star else ""))
    body = r"\s+".join(parts)
    head = r"\b" if re.match(r"\w", body.lstrip("\\")) else r"(?<!\w)"
    tail = r"\b" if re.search(r"(\w|\\w\*)$", body) else r"(?!\w)"
    return head + body + tail


def code_narratives(
    narratives: pd.DataFrame,
    codebook: object = "engagement_practices",
    *,
    languages: Sequence[str] = ("en",),
    by_prompt: bool = True,
) -> pd.DataFrame:
    """Which codes each LEA's narratives name, per year and kind of prompt.

    A code is present when any of its keyword rules (of ``languages``) matches the text,
    the way :func:`cei_metrics.text.suggest_codes` matches them (whole words, case and
    accents ignored), computed for all texts at once.

    Parameters
    ----------
    narratives : the text table of :func:`cei_metrics.io.read_p3_narratives` (``cds``,
        ``year``, ``text`` and ``field`` or ``prompt``; ``lea_type`` kept when present).
    codebook : a codebook (:func:`cei_metrics.text.load_codebook`) or its name.
    languages : rules of these languages (the narratives are written in English).
    by_prompt : one row per kind of prompt (strengths, focus areas, under-represented
        families); False pools the nine prompts of a year.

    Returns
    -------
    DataFrame, one row per LEA x year (x ``prompt_kind``): ``cds``, ``year``,
    ``lea_type``, ``prompt_kind``, one boolean column per code, ``n_codes`` and
    ``n_words``. Counts only: no text leaves this function.
    """
    import pandas as pd

    from ..text import load_codebook

    cb = load_codebook(codebook)
    for col in (C.CDS, C.YEAR, C.TEXT):
        if col not in narratives.columns:
            raise SchemaError(
                f"the narratives table lacks {col!r}",
                column=col,
                fix="give the table cm.io.read_p3_narratives returns",
            )
    df = narratives
    if by_prompt:
        field_col = df[C.FIELD] if C.FIELD in df.columns else pd.Series("", index=df.index)
        prompt_col = df[C.PROMPT] if C.PROMPT in df.columns else pd.Series("", index=df.index)
        kinds = [prompt_kind(f, p) for f, p in zip(field_col, prompt_col)]
        df = df.assign(**{PROMPT_KIND: kinds})
    else:
        df = df.assign(**{PROMPT_KIND: ALL_PROMPTS})
    keys = [C.CDS, C.YEAR] + ([C.LEA_TYPE] if C.LEA_TYPE in df.columns else []) + [PROMPT_KIND]
    joined = df.groupby(keys, sort=True)[C.TEXT].agg(lambda s: "\n".join(s.astype(str)))
    out = joined.index.to_frame(index=False)
    raw = joined.reset_index(drop=True)
    text = _fold(raw)
    langs = set(languages)
    for code in cb.codes:
        rules = [r for r in cb.rules if r.code == code.id and r.language in langs]
        if not rules:
            out[code.id] = False
            continue
        flags = re.IGNORECASE if any(r.kind != "keyword" for r in rules) else 0
        rx = re.compile("|".join(f"(?:{_fast_regex(r)})" for r in rules), flags)
        out[code.id] = text.str.contains(rx, regex=True).to_numpy()
    ids = [c.id for c in cb.codes]
    out[N_CODES] = out[ids].sum(axis=1).astype(int)
    out[N_WORDS] = raw.str.split().str.len().fillna(0).astype(int).to_numpy()
    return out


def size_bands(
    sizes: pd.Series, *, labels: Sequence[str] = ("smaller", "middle", "larger")
) -> pd.Series:
    """Bands of equal count (terciles by default) of a size measure: the band of each
    LEA, "unknown" where the measure is missing."""
    import pandas as pd

    s = pd.to_numeric(sizes, errors="coerce")
    out = pd.Series("unknown", index=sizes.index, dtype=object)
    ok = s.notna()
    if ok.sum() >= len(labels):
        out[ok] = pd.qcut(s[ok].rank(method="first"), len(labels), labels=list(labels)).astype(str)
    return out


@estimator()
def practice_shares(
    coded: pd.DataFrame,
    *,
    by: str | Sequence[str] = (C.LEA_TYPE,),
    codes: Sequence[str] | None = None,
    ci: float = 0.95,
    min_cell: int = 11,
):
    r"""Share of LEAs naming each practice, by group, with Wilson intervals.

    .. math:: \hat p_{g,c} = \frac{\#\{\text{LEAs of } g \text{ naming } c\}}{\#\{\text{LEAs of } g\}}

    Parameters
    ----------
    coded : :func:`code_narratives` (or :func:`narrative_practices`) output: one row per
        LEA x year (x prompt kind) with one boolean column per practice.
    by : grouping columns (``lea_type``, ``year``, ``prompt_kind``, a size band ...).
    codes : the practice columns (default: every boolean column).
    ci, min_cell : interval level; groups of fewer LEAs are flagged (LEAs are not people,
        but the flag keeps tables of small groups honest about their precision).

    Returns
    -------
    IndicatorResult (indicator "theme_share"): the ``by`` columns, ``code``, ``estimate``,
    ``ci_low``, ``ci_high``, ``n`` (LEAs), ``count`` (LEAs naming it), ``suppressed``.

    References
    ----------
    Wilson (1927) JASA 22:209-212 (via :func:`cei_metrics.text.theme_shares`).
    """
    import pandas as pd

    from ..text import theme_shares

    by_l = [by] if isinstance(by, str) else list(by)
    missing = [c for c in by_l if c not in coded.columns]
    if missing:
        raise SchemaError(
            f"the coded table lacks {missing}",
            column=missing[0],
            fix="group by columns of the table (lea_type, year, prompt_kind) or add them",
        )
    if codes is None:
        codes = [c for c in coded.columns if coded[c].dtype == bool and c not in by_l]
    unit = "_unit"
    units = coded[by_l].copy()
    units[unit] = np.arange(len(coded))
    long = pd.DataFrame(
        {
            unit: np.repeat(units[unit].to_numpy(), len(codes)),
            C.CODE: np.tile(np.array(codes, dtype=object), len(coded)),
            "_has": coded[list(codes)].to_numpy(dtype=bool).ravel(),
        }
    )
    hit = long[long["_has"]].drop(columns="_has")
    res = theme_shares(hit, units, by=by_l, unit=unit, codes=list(codes), ci=ci, min_cell=min_cell)
    return res


@dataclass(frozen=True, eq=False, repr=False)
class PracticeAssociation(ResultMixin, PlotMixin):
    """Self-ratings of LEAs naming a practice against those not naming it.

    Attributes
    ----------
    table : one row per practice x outcome (``rating`` in ``year``; ``change`` from
        ``year`` to ``next_year``): ``estimate`` (mean of LEAs naming it minus mean of
        the others), ``std_error``, ``ci_low``, ``ci_high``, ``p_val`` (Welch), ``n``
        (LEAs), ``n_named``, ``n_not``, ``mean_named``, ``mean_not``, ``p_holm`` (Holm
        over the practices, per outcome), ``df``.
    method : "welch" or "bootstrap".
    year, next_year : the practices' (and level's) year and the year of the change.
    ci_level, seed, n_boot, n (LEAs with a rating in ``year``), notes.
    """

    table: pd.DataFrame = field(repr=False)
    method: str
    year: str
    next_year: str | None
    ci_level: float
    n: int
    seed: int | None = None
    n_boot: int | None = None
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        from .._results import tidy

        t = self.table
        term = (t[PRACTICE].astype(str) + "; " + t[OUTCOME].astype(str)).tolist()
        return tidy(t, term=term)

    def plot_data(self, outcome: str = "change") -> pd.DataFrame:
        """What the forest plot draws: one row per practice of one outcome, ``label``."""
        d = self.table[self.table[OUTCOME] == outcome].copy()
        d[C.LABEL] = d[PRACTICE].str.replace("_", " ")
        return d.sort_values(C.ESTIMATE, ascending=False).reset_index(drop=True)

    def summary(self) -> str:
        lines = [
            f"Self-ratings of LEAs naming a practice minus the others' ({self.method}"
            f"{'' if self.method == 'welch' else f', {self.n_boot} draws'}, "
            f"{self.ci_level:.0%} intervals; {self.n} LEAs rated in {self.year}"
            + (f", change to {self.next_year}" if self.next_year else "")
            + ")",
            "Associational: LEAs choose what they write and how they rate themselves; a "
            "difference is not an effect of the practice.",
        ]
        for outcome, g in self.table.groupby(OUTCOME, sort=False):
            sig = g[g[P_HOLM] < 0.05] if P_HOLM in g else g.iloc[0:0]
            lines.append(
                f"{outcome}: {len(sig)} of {len(g)} practices differ after Holm's correction"
                + (
                    " ("
                    + ", ".join(f"{r[PRACTICE]} {r[C.ESTIMATE]:+.2f}" for _, r in sig.iterrows())
                    + ")"
                    if len(sig)
                    else ""
                )
            )
        lines.extend(self.notes)
        return "\n".join(lines)


def _welch(a: np.ndarray, b: np.ndarray, ci: float) -> tuple[float, ...]:
    """Welch difference mean(a) - mean(b): estimate, se, low, high, p, df."""
    from scipy import stats

    n1, n2 = len(a), len(b)
    v1, v2 = a.var(ddof=1) / n1, b.var(ddof=1) / n2
    se = float(np.sqrt(v1 + v2))
    d = float(a.mean() - b.mean())
    df = float((v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1)))
    t = stats.t.ppf(0.5 + ci / 2, df)
    p = float(2 * stats.t.sf(abs(d / se), df))
    return d, se, d - t * se, d + t * se, p, df


def _bootstrap(a: np.ndarray, b: np.ndarray, ci: float, n_boot: int, rng) -> tuple[float, ...]:
    """Percentile bootstrap of mean(a) - mean(b), resampling LEAs within each group."""
    ia = rng.integers(0, len(a), (n_boot, len(a)))
    ib = rng.integers(0, len(b), (n_boot, len(b)))
    draws = a[ia].mean(axis=1) - b[ib].mean(axis=1)
    lo, hi = np.quantile(draws, [0.5 - ci / 2, 0.5 + ci / 2])
    d = float(a.mean() - b.mean())
    return d, float(draws.std(ddof=1)), float(lo), float(hi), float("nan"), float("nan")


@estimator()
def practice_association(
    practices: pd.DataFrame,
    ratings: pd.DataFrame,
    *,
    year: str | None = None,
    next_year: str | None = None,
    codes: Sequence[str] | None = None,
    method: str = "welch",
    n_boot: int = 1999,
    ci: float = 0.95,
    min_group: int = 5,
    seed: int | None = None,
) -> PracticeAssociation:
    r"""How naming a practice goes with Priority 3 self-ratings and their change.

    For each practice :math:`c`, LEAs are split into those whose narratives of ``year``
    name it (:math:`N`) and those that do not (:math:`O`); compared are their mean
    self-rating in ``year`` (the mean of the tool's items) and their mean change to
    ``next_year``:

    .. math:: \hat\Delta_c = \bar y_N - \bar y_O, \qquad
              SE = \sqrt{s_N^2/n_N + s_O^2/n_O}

    with Welch's t interval on the Welch-Satterthwaite degrees of freedom (equal to R
    ``t.test(var.equal = FALSE)``), or with ``method="bootstrap"`` a percentile interval
    from resampling LEAs within each group (``seed``). Holm-adjusted p-values over the
    practices are given per outcome. **Associational**: it says which practices go with
    higher ratings or larger gains, not what the practices caused.

    Parameters
    ----------
    practices : one row per LEA x year with one boolean column per practice
        (:func:`code_narratives` with ``by_prompt=False``, or the shipped
        :func:`cei_metrics.datasets.public_p3_practices`).
    ratings : the canonical ratings table of the Priority 3 tool.
    year : the year of the narratives and of the rating level (default: the earliest
        year both tables have).
    next_year : the year of the change (default: the school year after ``year`` when
        the ratings have it; None: no change outcome).
    codes : the practice columns (default: every boolean column).
    method : "welch" or "bootstrap".
    n_boot, seed : bootstrap draws and seed.
    ci : confidence level.
    min_group : a practice named (or not named) by fewer LEAs is left out, with a note.

    Returns
    -------
    PracticeAssociation

    References
    ----------
    Welch (1947) Biometrika 34:28-35; Satterthwaite (1946) Biometrics Bulletin 2:110-114;
    Holm (1979) Scand J Stat 6:65-70; Efron & Tibshirani (1993) *An Introduction to the
    Bootstrap*, ch. 13.
    """
    import pandas as pd

    from ..impact import adjust_pvalues
    from ..schemas import school_year, year_start

    if method not in ("welch", "bootstrap"):
        raise SchemaError(f"method={method!r} is not known", fix='use "welch" or "bootstrap"')
    for col in (C.CDS, C.YEAR):
        for name, df in (("practices", practices), ("ratings", ratings)):
            if col not in df.columns:
                raise SchemaError(f"the {name} table lacks {col!r}", column=col,
                                  fix="pass the tables the package builds")  # fmt: skip
    r = ratings
    if C.TOOL in r.columns:
        r = r[r[C.TOOL] == "priority3_self_reflection"]
    means = r.groupby([C.CDS, C.YEAR])[C.RATING].mean().unstack(C.YEAR)
    common = sorted(set(practices[C.YEAR]) & set(means.columns))
    if year is None:
        if not common:
            raise EstimationError(
                "the practices and the ratings share no year",
                fix="give narratives and ratings of the same school year",
            )
        year = common[0]
    if next_year is None:
        nxt = school_year(year_start(year) + 1)
        next_year = nxt if nxt in means.columns else None
    p = practices[practices[C.YEAR] == year].drop_duplicates(C.CDS).set_index(C.CDS)
    if p.empty or year not in means.columns:
        raise EstimationError(
            f"no practices or no ratings in {year}", fix="choose a year both tables have"
        )
    if codes is None:
        codes = [c for c in p.columns if p[c].dtype == bool]
    outcomes = {"rating": means[year]}
    if next_year is not None:
        outcomes["change"] = means[next_year] - means[year]
    rng = np.random.default_rng(seed)
    rows, notes = [], []
    for outcome, y in outcomes.items():
        y = y.reindex(p.index)
        for c in codes:
            named = p[c].astype(bool)
            a = y[named & y.notna()].to_numpy(float)
            b = y[~named & y.notna()].to_numpy(float)
            if min(len(a), len(b)) < min_group:
                notes.append(
                    f"{c} ({outcome}): {len(a)} LEAs name it and {len(b)} do not; fewer than "
                    f"{min_group} on one side, left out"
                )
                continue
            est = _welch(a, b, ci) if method == "welch" else _bootstrap(a, b, ci, n_boot, rng)
            d, se, lo, hi, pv, df = est
            rows.append(
                {
                    PRACTICE: c,
                    OUTCOME: outcome,
                    C.ESTIMATE: d,
                    C.STD_ERROR: se,
                    C.CI_LOW: lo,
                    C.CI_HIGH: hi,
                    C.P_VAL: pv,
                    C.N: len(a) + len(b),
                    N_NAMED: len(a),
                    N_NOT: len(b),
                    MEAN_NAMED: float(a.mean()),
                    MEAN_NOT: float(b.mean()),
                    C.DF: df,
                }
            )
    table = pd.DataFrame(rows)
    if len(table) and method == "welch":
        table[P_HOLM] = np.nan
        for _, g in table.groupby(OUTCOME):
            table.loc[g.index, P_HOLM] = adjust_pvalues(g[C.P_VAL].to_numpy(), method="holm")
    notes.append(
        "Associational: a difference says that naming the practice goes with the ratings, "
        "not that the practice caused them; LEAs choose what they write and how they rate."
    )
    return PracticeAssociation(
        table=table,
        method=method,
        year=year,
        next_year=next_year,
        ci_level=ci,
        n=int(means[year].reindex(p.index).notna().sum()),
        seed=seed if method == "bootstrap" else None,
        n_boot=n_boot if method == "bootstrap" else None,
        notes=tuple(notes),
    )
