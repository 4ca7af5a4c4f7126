"""Write notebooks 08 and 09 from their cells (run from the repository root:
``.venv/bin/python docs/make_voices_notebooks.py``). The notebooks are committed
without outputs; this script is how their cells are kept readable in review."""

from __future__ import annotations

from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parents[1] / "notebooks"


def _nb(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    out = []
    for kind, src in cells:
        src = src.strip("\n")
        if kind == "md":
            out.append(nbformat.v4.new_markdown_cell(src))
        elif kind == "params":
            c = nbformat.v4.new_code_cell(src)
            c.metadata["tags"] = ["parameters"]
            out.append(c)
        else:
            out.append(nbformat.v4.new_code_cell(src))
    for i, c in enumerate(out):
        c["id"] = f"cell-{i:02d}"
    nb.cells = out
    return nb


BEST_PRACTICES = [
    (
        "md",
        """
# 08 · Best practices from the Priority 3 narratives

**Question.** Which practices of engaging families do California's LEAs name when they reflect
on their engagement, where (strengths, focus areas, plans for under-represented families), which
LEAs name them (by type and size), and how does naming a practice go with the LEA's own
Priority 3 self-ratings and their change from 2022-23 to 2023-24? The statute asks for "a
description of best practices for improving community engagement": this notebook reads it out
of what every LEA wrote.

**Data it needs.** Nothing beyond the package: the shipped extracts of the real CDE Priority 3
files (`cm.datasets.public_p3_practices()`: the practices every LEA's narratives name, 2022-23
and 2023-24; `public_p3_ratings()`: their self-ratings; `public_p3_narratives()`: the full text
of the six inaugural PLLN districts; `public_dashboard()`: English learners tested in 2018-19,
the size proxy). With the real files beside the repository (`CDE_DIR`, by default
`$CEI_SHARED_DIR/data/cde` or `../../shared/data/cde`), section 2 codes the full text of every
LEA prompt by prompt. `DATA_DIR` is not used.

**What it writes.** In `FIGURES_DIR`: `practices_by_lea_type.*`, `practices_by_prompt.*` and
`practice_rating_change.*` (PNG, SVG, PDF, the data as CSV, a JSON sidecar).

**How to re-run.** Change the parameters cell, or from the repository root:
`cd notebooks && ../.venv/bin/python -m papermill 08_best_practices.ipynb /tmp/08.ipynb -p CDE_DIR ../../shared/data/cde`.

The practices are found by keyword rules (the `engagement_practices` codebook): a narrative that
says "we have no home visits" still names home visits. The shares are counts of what LEAs
*wrote*, not audits of what they do, and every comparison with ratings is associational.
""",
    ),
    (
        "params",
        """
DATA_DIR = "../data/processed"  # not used: this notebook reads public CDE data only
FIGURES_DIR = "../figures"
SEED = 2019
MIN_CELL = 11
CDE_DIR = None  # folder of the real Priority 3 files (full text of every LEA); None: look beside the repository
N_BOOT = 999  # bootstrap draws of the sensitivity check
CODEBOOK = "engagement_practices"
""",
    ),
    (
        "code",
        """
import os
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

import cei_metrics as cm
from cei_metrics.io.checks import check
from cei_metrics.schemas import C

cm.viz.set_theme()
practices = cm.datasets.public_p3_practices()
ratings = cm.datasets.public_p3_ratings()
plln = cm.datasets.plln_roster()
plln_cds = (plln[C.DISTRICT_ID] + "0000000").tolist()
names = dict(zip(plln_cds, plln[C.NAME]))
codes = cm.text.load_codebook(CODEBOOK)
LABELS = {c.id: c.label["en"] for c in codes.codes}
PRACTICE_IDS = [c for c in LABELS if c in practices.columns]
YEARS = sorted(practices[C.YEAR].unique())
SAVE = dict(out_dir=FIGURES_DIR, synthetic=False, min_cell=MIN_CELL,
            parameters={"codebook": CODEBOOK, "cde_dir": CDE_DIR, "seed": SEED})


def show(table):
    \"\"\"Display a table with one header row (no axis names); column names are single words, as
    the privacy audit reads an HTML header by its last word.\"\"\"
    display(table.rename_axis(index=None, columns=None))
ok = check("best_practices", {"practices": practices, "ratings": ratings})
print(ok.line())
display(Markdown(f"{practices[C.CDS].nunique():,} LEAs wrote Priority 3 narratives in {' or '.join(YEARS)} "
                 f"({(practices[C.YEAR] == YEARS[-1]).sum():,} in {YEARS[-1]}); the codebook looks for "
                 f"{len(PRACTICE_IDS)} practices."))
""",
    ),
    (
        "md",
        """
## 1. Which practices LEAs name, by type and size

Share of LEAs whose narratives of the latest year name each practice, with 95% Wilson intervals
(`cm.compare.practice_shares`). Size is measured the only way the shipped extracts allow for
every district: the number of English learners with an ELPAC result in 2018-19 (from the
Dashboard's English Learner Progress file), in thirds; it tracks district size and EL share
together, and charters and county offices have no band.
""",
    ),
    (
        "code",
        """
latest = practices[practices[C.YEAR] == YEARS[-1]].copy()
dash = cm.datasets.public_dashboard()
el = dash[(dash[C.INDICATOR] == "elpi") & (dash[C.YEAR] == "2018-19") & (dash[C.LEVEL] == "district")]
el_tested = el.drop_duplicates(C.CDS).set_index(C.CDS)[C.DENOMINATOR]
is_district = latest[C.LEA_TYPE] == "district"
latest["size"] = "not a district"
latest.loc[is_district, "size"] = cm.compare.size_bands(latest.loc[is_district, C.CDS].map(el_tested))
by_type = cm.compare.practice_shares(latest, by=[C.LEA_TYPE], codes=PRACTICE_IDS, min_cell=MIN_CELL).to_frame()
wide = by_type.pivot_table(index="code", columns=C.LEA_TYPE, values="estimate").reindex(PRACTICE_IDS)
wide.index = [LABELS[c] for c in wide.index]
show((100 * wide).round(0).sort_values("district", ascending=False)
     .rename(columns=lambda c: c.replace(" ", "_") + "_pct"))
""",
    ),
    (
        "code",
        """
plot = by_type[by_type[C.LEA_TYPE].isin(["district", "charter"])].copy()
plot["label"] = plot["code"].map(LABELS) + " (" + plot[C.LEA_TYPE] + "s)"
plot = plot.sort_values(["code", C.LEA_TYPE])
fig, ax = cm.viz.forest(plot, xlabel="Share of LEAs whose narratives name it (95% Wilson CI)",
                        title=f"Practices named in the Priority 3 narratives, {YEARS[-1]}", min_cell=MIN_CELL)
cm.viz.save(fig, "practices_by_lea_type", data=cm.viz.forest_data(plot, min_cell=MIN_CELL),
            source_tables=[f"public CDE: Priority 3 narratives {YEARS[-1]}"],
            caption=f"Share of districts and of charter schools whose {YEARS[-1]} Priority 3 narratives name each "
                    "engagement practice (keyword rules of the engagement_practices codebook), with 95% Wilson "
                    "intervals. What LEAs wrote, not an audit of what they do.",
            alt_text="Dot-and-interval rows, two per practice (districts, charters), each dot the share of LEAs "
                     "naming the practice.", **SAVE)
d, ch = wide["district"], wide["charter"]
gap = (d - ch).sort_values()
display(Markdown(
    f"The practice districts name most is **{d.idxmax().lower()}** ({d.max():.0%} of districts); charters "
    f"most often name **{ch.idxmax().lower()}** ({ch.max():.0%}). The practice districts name more often than "
    f"charters by the most is {gap.index[-1].lower()} ({100 * gap.iloc[-1]:+.0f} percentage points), and the one "
    f"charters name more often by the most is {gap.index[0].lower()} ({100 * -gap.iloc[0]:+.0f} points). "
    f"Districts name {latest.loc[is_district, 'n_practices'].mean():.1f} of the {len(PRACTICE_IDS)} practices on "
    f"average, charters {latest.loc[latest[C.LEA_TYPE] == 'charter', 'n_practices'].mean():.1f}."))
fig
""",
    ),
    (
        "code",
        """
dist = latest[is_district & (latest["size"] != "unknown")]
by_size = cm.compare.practice_shares(dist, by=["size"], codes=PRACTICE_IDS, min_cell=MIN_CELL).to_frame()
size_tab = by_size.pivot_table(index="code", columns="size", values="estimate").reindex(PRACTICE_IDS)
size_tab = size_tab[[c for c in ("smaller", "middle", "larger") if c in size_tab.columns]]
size_tab.index = [LABELS[c] for c in size_tab.index]
show((100 * size_tab).round(0).add_suffix("_pct"))
steep = (size_tab["larger"] - size_tab["smaller"]).sort_values()
n_by = dist.groupby("size").size()
display(Markdown(
    f"Among the {len(dist)} districts with a size band ({', '.join(f'{k} {v}' for k, v in n_by.items())}), the larger "
    f"third name {dist.loc[dist['size'] == 'larger', 'n_practices'].mean():.1f} practices on average and the smaller "
    f"third {dist.loc[dist['size'] == 'smaller', 'n_practices'].mean():.1f}. The steepest size gradient is in "
    f"{steep.index[-1].lower()} ({size_tab.loc[steep.index[-1], 'smaller']:.0%} of smaller vs "
    f"{size_tab.loc[steep.index[-1], 'larger']:.0%} of larger districts). Larger districts also write longer "
    f"narratives (median {dist.loc[dist['size'] == 'larger', 'n_words'].median():.0f} words vs "
    f"{dist.loc[dist['size'] == 'smaller', 'n_words'].median():.0f}), so part of the gradient is how much they write."))
""",
    ),
    (
        "md",
        """
## 2. Where in the narrative: strengths, focus areas, under-represented families

The tool asks three things in each of its three sections: the LEA's strengths and progress (a),
its focus areas for improvement (b), and how it will improve the engagement of under-represented
families (c). The codebook is applied to each kind of prompt (`cm.compare.code_narratives`): for
the six inaugural PLLN districts from the shipped full text, and for every LEA when the real files
are beside the repository.
""",
    ),
    (
        "code",
        """
plln_text = cm.datasets.public_p3_narratives()
plln_coded = cm.compare.code_narratives(plln_text, CODEBOOK)
cde_dir = Path(CDE_DIR) if CDE_DIR else None
if cde_dir is None:
    for base in (os.environ.get("CEI_SHARED_DIR"), "../../shared"):
        if base and (Path(base) / "data" / "cde").is_dir():
            cde_dir = Path(base) / "data" / "cde"
            break
files = sorted(cde_dir.glob("localind_priority3_family_engagement_*.xlsx")) if cde_dir else []
if files:
    full = pd.concat([cm.io.read_p3_narratives(f) for f in files], ignore_index=True)
    coded = cm.compare.code_narratives(full, CODEBOOK)
    scope = f"every LEA ({coded[C.CDS].nunique():,} LEAs, {len(files)} files in {cde_dir})"
else:
    coded = plln_coded
    scope = "the six inaugural PLLN districts (the real files are not beside the repository: set CDE_DIR for every LEA)"
print("Coded by prompt:", scope)
kinds = cm.compare.practice_shares(coded[coded["prompt_kind"] != "other"], by=["prompt_kind"],
                                   codes=PRACTICE_IDS, min_cell=MIN_CELL).to_frame()
by_prompt = kinds.pivot_table(index="code", columns="prompt_kind", values="estimate").reindex(PRACTICE_IDS)
by_prompt.index = [LABELS[c] for c in by_prompt.index]
KIND_LABELS = {"strengths": "strengths_pct", "focus_areas": "focus_areas_pct",
               "underrepresented_families": "underrepresented_pct"}
show((100 * by_prompt).round(0).rename(columns=KIND_LABELS))
""",
    ),
    (
        "code",
        """
plot = kinds.copy()
plot["label"] = plot["code"].map(LABELS) + ": " + plot["prompt_kind"].str.replace("_", " ")
plot = plot.sort_values(["code", "prompt_kind"])
fig, ax = cm.viz.forest(plot, xlabel="Share of LEA-years whose answers to the prompt name it (95% Wilson CI)",
                        title="Practices by kind of Priority 3 prompt", min_cell=MIN_CELL)
cm.viz.save(fig, "practices_by_prompt", data=cm.viz.forest_data(plot, min_cell=MIN_CELL),
            source_tables=["public CDE: Priority 3 narratives"],
            caption=f"Share of LEA-years ({scope.split(' (')[0]}) whose answers to each kind of Priority 3 prompt "
                    "(strengths, focus areas, under-represented families) name each practice, with 95% Wilson "
                    "intervals.",
            alt_text="Dot-and-interval rows, three per practice (one per kind of prompt).", **SAVE)
s, f_, u = (by_prompt.get(k) for k in ("strengths", "focus_areas", "underrepresented_families"))
plan = (u - s).sort_values()
more = plan[plan > 0]
display(Markdown(
    f"In the narratives of {scope.split(' (')[0]}, strengths most often name **{s.idxmax().lower()}** ({s.max():.0%}), focus areas "
    f"**{f_.idxmax().lower()}** ({f_.max():.0%}) and the plans for under-represented families "
    f"**{u.idxmax().lower()}** ({u.max():.0%}). "
    + (f"{len(more)} practice(s) appear more often in those plans than among the strengths, "
       f"{more.index[-1].lower()} by the most ({100 * more.iloc[-1]:+.0f} percentage points): what LEAs say they will "
       "do for the families they do not yet reach, rather than what they already do."
       if len(more) else "No practice appears more often in those plans than among the strengths.")))
fig
""",
    ),
    (
        "md",
        """
## 3. Naming a practice and the self-ratings

For each practice, LEAs whose 2022-23 narratives name it are compared with those that do not: their
mean self-rating on the twelve Priority 3 items in 2022-23 and the change of that mean to 2023-24
(`cm.compare.practice_association`: difference of means with Welch's interval, equal to R
`t.test(var.equal = FALSE)`; Holm's correction over the twelve practices; a bootstrap as a check).
**This is associational.** LEAs choose what to write and how to rate themselves; an LEA that writes
more may also rate itself higher. A difference is not the effect of the practice.
""",
    ),
    (
        "code",
        """
if not ok.supported:
    raise SystemExit(ok.line())  # the shipped extracts always support it; your own data may not
assoc = cm.compare.practice_association(practices, ratings, codes=PRACTICE_IDS)
boot = cm.compare.practice_association(practices, ratings, codes=PRACTICE_IDS, method="bootstrap",
                                       n_boot=N_BOOT, seed=SEED)
print(assoc.summary())
tab = assoc.table.assign(practice=lambda d: d["practice"].map(LABELS))
wide_assoc = tab.pivot_table(index="practice", columns="outcome", values=["estimate", "p_holm"]).round(3)
wide_assoc.columns = [f"{what}_{outcome}" for what, outcome in wide_assoc.columns]
show(wide_assoc)
""",
    ),
    (
        "code",
        """
fig, ax = assoc.plot("change", min_cell=MIN_CELL)
cm.viz.save(fig, "practice_rating_change", data=assoc.plot_data("change"),
            source_tables=["public CDE: Priority 3 narratives and self-ratings 2022-23, 2023-24"],
            caption=f"Change in the mean Priority 3 self-rating from {assoc.year} to {assoc.next_year}: LEAs whose "
                    f"{assoc.year} narratives name each practice minus those that do not, with 95% Welch "
                    "intervals. Associational: not the effect of the practice.",
            alt_text="Forest plot, one row per practice, each a difference in rating change with its interval around "
                     "a dashed line at zero.", **SAVE)
ch = assoc.table[assoc.table["outcome"] == "change"].set_index("practice")
lv = assoc.table[assoc.table["outcome"] == "rating"].set_index("practice")
bch = boot.table[boot.table["outcome"] == "change"].set_index("practice")
lv_sig = lv[lv["p_holm"] < 0.05]
ch_sig = ch[ch["p_holm"] < 0.05]
agree = ((bch["ci_low"] > 0) | (bch["ci_high"] < 0)) == ((ch["ci_low"] > 0) | (ch["ci_high"] < 0))
top = ch["estimate"].abs().idxmax()
means = ratings.groupby([C.CDS, C.YEAR])[C.RATING].mean().unstack(C.YEAR)
all_change = (means[assoc.next_year] - means[assoc.year]).dropna()
verdict = (f"None of the practices goes with a different change once the {len(ch)} comparisons are corrected for: "
           "in these files, naming a practice says little about how an LEA's self-rating moved."
           if ch_sig.empty else
           "After the correction, naming " + ", ".join(LABELS[p].lower() for p in ch_sig.index)
           + " goes with a different change; read it as a lead to follow, not as an effect.")
display(Markdown(
    f"Of {assoc.n:,} LEAs rated in {assoc.year}, those naming a practice rated themselves differently from the others "
    f"for {len(lv_sig)} of {len(lv)} practices after Holm's correction"
    + (" (" + ", ".join(f"{LABELS[p].lower()} {r['estimate']:+.2f} points" for p, r in lv_sig.iterrows()) + ")"
       if len(lv_sig) else "")
    + f". Their change to {assoc.next_year} differed for {len(ch_sig)} of {len(ch)}: the largest difference, for "
    f"{LABELS[top].lower()}, is {ch.loc[top, 'estimate']:+.3f} points [{ch.loc[top, 'ci_low']:+.3f}, "
    f"{ch.loc[top, 'ci_high']:+.3f}] on the 1-5 scale, while the mean change of the {len(all_change):,} LEAs rated "
    f"both years was {all_change.mean():+.3f}. The bootstrap ({N_BOOT} draws) agrees with Welch on which intervals "
    f"exclude zero for {int(agree.sum())} of {len(agree)} practices. " + verdict))
fig
""",
    ),
    (
        "md",
        """
## 4. The six inaugural PLLN districts

How many of the practices each inaugural district's narratives name, beside all districts of the state
(public text about LEAs; counts only).
""",
    ),
    (
        "code",
        """
dist_all = practices[(practices[C.LEA_TYPE] == "district")]
mine = practices[practices[C.CDS].isin(plln_cds)].assign(district=lambda d: d[C.CDS].map(names))
show(mine.pivot_table(index="district", columns=C.YEAR, values="n_practices")
     .rename(columns=lambda y: "practices_" + y.replace("-", "_")))
med = dist_all.groupby(C.YEAR)["n_practices"].median()
now = mine[mine[C.YEAR] == YEARS[-1]].set_index(C.CDS)["n_practices"]
below = {c: (dist_all.loc[dist_all[C.YEAR] == YEARS[-1], "n_practices"] < n).mean() for c, n in now.items()}
display(Markdown(
    f"In {YEARS[-1]} the median district named {med[YEARS[-1]]:.0f} of the {len(PRACTICE_IDS)} practices; the "
    "inaugural districts named " + ", ".join(f"{names[c]} {int(n)}" for c, n in now.sort_values().items())
    + f": {int((now > med[YEARS[-1]]).sum())} of {len(now)} name more than the median district, and the share of "
    f"districts naming fewer runs from {min(below.values()):.0%} to {max(below.values()):.0%}."))
""",
    ),
]


VOICES = [
    (
        "md",
        """
# 09 · Voices: response rates and weights, convening feedback, each district's own goal

**Question.** Who answered the family survey and how much does it matter (response rates,
representativeness, raked estimates beside the unweighted ones)? What did participants say about the
convenings, one by one and over the series? How far has each district come on its own problem of
practice? What do open answers talk about (as counts; quotes only when someone approved them)?

**Data it needs.** The processed tables (`cei-metrics ingest`): the survey with language and EL
columns and a roster with each district's families and Spanish and EL shares (sections 1); the
convening feedback form's exports and the sign-ins (section 2); the district goal table (section 3);
the open answers kept, scrubbed, in the text table (section 4). Each section asks the checks registry
and says why it cannot run when the data do not support it.

**What it writes.** In `FIGURES_DIR`: `survey_raked_vs_unweighted.*`, `convening_feedback.*`,
`district_goals.*`, `open_answer_themes.*` (PNG, SVG, PDF, the data as CSV, a JSON sidecar), every
number through the privacy release path (cells of fewer than `MIN_CELL` people blanked).

**How to re-run.** Change the parameters cell, or from the repository root:
`cd notebooks && ../.venv/bin/python -m papermill 09_voices.ipynb /tmp/09.ipynb -p DATA_DIR ../data/processed`.
""",
    ),
    (
        "params",
        """
DATA_DIR = "../data/processed"
FIGURES_DIR = "../figures"
SEED = 2019
MIN_CELL = 11
INSTRUMENT = "family_engagement"
FEEDBACK_INSTRUMENT = "convening_feedback"
WAVE = None  # the survey wave of section 1; None: the latest
BASE_WEIGHT = None  # a column of design weights to rake from (e.g. "weight"); None: equal weights
CODEBOOK = "family_engagement"  # codebook whose keyword rules suggest themes of the open answers
APPROVED_EXCERPTS = None  # your file of approved excerpts (CSV or YAML); None: no quote is shown
""",
    ),
    (
        "code",
        """
import pandas as pd
from IPython.display import Markdown, display

import cei_metrics as cm
from cei_metrics.io.checks import check
from cei_metrics.schemas import C

cm.viz.set_theme()
tables = cm.io.load_tables(DATA_DIR, seed=SEED)
names = dict(zip(tables.roster[C.DISTRICT_ID], tables.roster[C.NAME]))
SAVE = dict(out_dir=FIGURES_DIR, synthetic=tables.synthetic, min_cell=MIN_CELL,
            parameters={"data_dir": DATA_DIR, "seed": SEED, "min_cell": MIN_CELL, "wave": WAVE})


def supported(analysis, **options):
    \"\"\"Whether the data support an analysis; says why not (the same checks as `cei-metrics check`).\"\"\"
    res = check(analysis, tables, INSTRUMENT, min_cell=MIN_CELL, **options)
    print(res.line())
    return res.supported


print(f"synthetic data: {tables.synthetic}; survey rows {len(tables.survey):,}, feedback rows "
      f"{len(tables.feedback):,}, goals {len(tables.goals):,} rows, open answers {len(tables.text):,}")
""",
    ),
    (
        "md",
        """
## 1. Who answered: response rates, representativeness, raked estimates

Response rate: families who answered at least one item over the district's families in the roster
(`cm.indicators.response_rate`, Wilson intervals; every family counts as invited). Representativeness:
respondents' shares by survey language and EL status against the families' shares
(`representativeness`). Raking (`rake`, equal to R `survey::rake`) then weights respondents (from equal weights, or from the design weights named by `BASE_WEIGHT`) so that, within
each district, their language and EL shares match the families'; `apply` writes the weights to
the survey's `weight` column and every indicator takes `weights="weight"`. The survey language stands
for the home language (answering in Spanish counts as a Spanish-speaking family). Raking corrects only
for what the margins measure; it costs precision (Kish's design effect, the effective sample size).
""",
    ),
    (
        "code",
        """
if supported("response_rates") and supported("raking"):
    wave = WAVE or int(tables.survey[C.WAVE].max())
    survey = tables.survey[tables.survey[C.WAVE] == wave]
    districts = sorted(survey[C.DISTRICT_ID].unique())
    rr = cm.indicators.response_rate(survey, cm.indicators.family_frame(tables.roster, districts), wave=wave,
                                     min_cell=MIN_CELL).to_frame()
    by_lang = cm.indicators.response_rate(
        survey, cm.indicators.family_frame(tables.roster, districts, by=[C.DISTRICT_ID, C.LANGUAGE]),
        by=[C.DISTRICT_ID, C.LANGUAGE], wave=wave, min_cell=MIN_CELL).to_frame()
    lang_rates = by_lang.groupby(C.LANGUAGE)[["count", "n"]].sum()
    rep = cm.indicators.representativeness(survey, cm.indicators.family_margins(tables.roster, districts,
                                                                                by_district=False))
    display(rep.to_frame()[["margin", "margin_level", "estimate", "population_share", "difference"]].round(3))
    year = survey[C.YEAR].iat[0]
    worst = rep.to_frame().loc[rep.to_frame()["difference"].abs().idxmax()]
    display(Markdown(
        f"In wave {wave} ({year}), {int(rr['count'].sum()):,} families of {int(rr['n'].sum()):,} answered across "
        f"{len(rr)} districts ({rr['count'].sum() / rr['n'].sum():.1%}); district response rates run from "
        f"{rr['estimate'].min():.1%} to {rr['estimate'].max():.1%} (median {rr['estimate'].median():.1%}). "
        f"Spanish-speaking families answered at {lang_rates.loc['es', 'count'] / lang_rates.loc['es', 'n']:.1%} and "
        f"the others at {lang_rates.loc['en', 'count'] / lang_rates.loc['en', 'n']:.1%}. The largest gap in who "
        f"answered is {worst['margin']} = {worst['margin_level']}: {worst['estimate']:.1%} of respondents against "
        f"{worst['population_share']:.1%} of families ({100 * worst['difference']:+.1f} percentage points)."))
""",
    ),
    (
        "code",
        """
if supported("raking"):
    raked = cm.indicators.rake(survey, cm.indicators.family_margins(tables.roster, districts),
                               weight=BASE_WEIGHT)
    print(raked.summary())
    weighted = raked.apply(survey)
    plain = cm.indicators.percent_favorable(weighted, INSTRUMENT, by=[C.WAVE], min_cell=MIN_CELL).to_frame()
    rk = cm.indicators.percent_favorable(weighted, INSTRUMENT, by=[C.WAVE], weights=C.WEIGHT,
                                         min_cell=MIN_CELL).to_frame()
    both = pd.concat([plain.assign(estimator="unweighted"), rk.assign(estimator="raked")], ignore_index=True)
    both["label"] = both["scale"].astype(str) + " (" + both["estimator"] + ")"
    fig, ax = cm.viz.forest(both, xlabel="Share of favorable answers (95% CI)", min_cell=MIN_CELL,
                            title=f"Family survey, wave {wave}: unweighted and raked")
    cm.viz.save(fig, "survey_raked_vs_unweighted", data=cm.viz.forest_data(both, min_cell=MIN_CELL),
                source_tables=["survey", "roster"],
                caption=f"Share of favorable answers per scale in wave {wave}, over whoever answered (unweighted) and "
                        "with respondents raked to each district's families by language and EL status, with 95% "
                        "intervals (the raked ones at the effective sample size).",
                alt_text="Forest plot: two rows per scale, unweighted and raked, dots with intervals.", **SAVE)
    diff = rk.set_index("scale")["estimate"] - plain.set_index("scale")["estimate"]
    wid = (rk.set_index("scale")["ci_high"] - rk.set_index("scale")["ci_low"]) / (
        plain.set_index("scale")["ci_high"] - plain.set_index("scale")["ci_low"])
    display(Markdown(
        f"Raking moved the share of favorable answers by {100 * diff.abs().min():.1f} to {100 * diff.abs().max():.1f} "
        f"percentage points ({', '.join(f'{k} {100 * v:+.1f}' for k, v in diff.items())}). The weights vary "
        f"(Kish design effect {raked.design_effect:.2f}), so the {raked.n:,} respondents carry the precision of "
        f"{raked.n_effective:,.0f}: the raked intervals are {wid.mean():.1f} times as wide. "
        + ("The unweighted and raked estimates tell the same story here."
           if diff.abs().max() < (rk["ci_high"] - rk["ci_low"]).min() / 2 else
           "The difference is larger than the half-width of the intervals: who answered matters here.")))
    fig
""",
    ),
    (
        "md",
        """
## 2. Convening feedback

After each convening participants rated its usefulness and relevance (two agreement items each) and
could say what to change (`cm.indicators.convening_feedback`): the share of favorable answers at each
convening (Wilson intervals at the effective sample size: a person's two answers to a scale count as one
cluster), pooled over the series, the change from the first convening to the last (Newcombe's interval),
and the response rate against the sign-ins of each convening.
""",
    ),
    (
        "code",
        """
if supported("convening_feedback"):
    inst = cm.instruments.load_instrument(FEEDBACK_INSTRUMENT)
    fb = cm.indicators.convening_feedback(tables.feedback, inst, attendance=tables.participation,
                                          min_cell=MIN_CELL)
    print(fb.summary())
    fig, ax = fb.plot(labels=inst.scale_labels, min_cell=MIN_CELL)
    cm.viz.save(fig, "convening_feedback", data=cm.viz.feedback_trend_data(fb, min_cell=MIN_CELL),
                source_tables=["feedback"],
                caption="Share of participants who agreed or strongly agreed that the convening was useful and "
                        "relevant, at each convening of the series (95% intervals); dashed: the whole series.",
                alt_text="Two lines across the convenings, one per scale, dots with error bars, and two dashed "
                         "horizontal lines at the pooled shares.", **SAVE)
    s = fb.series.set_index("scale")
    ch = fb.change.set_index("scale")
    lines = []
    for sc, r in ch.iterrows():
        moved = "rose" if r["ci_low"] > 0 else ("fell" if r["ci_high"] < 0 else "did not change clearly")
        lines.append(f"{inst.scale_labels.get(sc, sc).lower()} {moved} ({100 * r['estimate']:+.0f} points from "
                     f"{r['first_event']} to {r['last_event']}, 95% CI {100 * r['ci_low']:+.0f} to "
                     f"{100 * r['ci_high']:+.0f})")
    rr = fb.response
    display(Markdown(
        f"Over the {fb.per_event[C.EVENT_ID].nunique()} convenings, "
        + "; ".join(f"{100 * r['estimate']:.0f}% of answers on {inst.scale_labels.get(k, k).lower()} were favorable "
                    f"[{100 * r['ci_low']:.0f}, {100 * r['ci_high']:.0f}]" for k, r in s.iterrows())
        + ". From the first convening to the last, " + "; ".join(lines) + "."
        + (f" Between {rr['estimate'].min():.0%} and {rr['estimate'].max():.0%} of those who signed in answered the "
           "form, so the shares describe the participants who answered." if len(rr) else "")))
    fig
""",
    ),
    (
        "md",
        """
## 3. Each district's own goal

Each district set its own measure, baseline and target (`goals.csv`). Progress is put on two common
scales (`cm.indicators.goal_progress`): the share of the gap from baseline to target closed (0 at the
baseline, 1 at the target; a Wilson interval when the measure is a share of people), and a goal
attainment level from -2 (no progress) through 0 (target reached) to +2 (well past it; +1 from a quarter
of the gap past the target, +2 from a half). Values resting on fewer than `MIN_CELL` people are not shown.
""",
    ),
    (
        "code",
        """
if supported("goal_tracker"):
    goals = cm.indicators.goal_progress(tables.goals, min_cell=MIN_CELL)
    print(goals.summary())
    fig, axes = goals.plot(names=names, min_cell=MIN_CELL)
    cm.viz.save(fig, "district_goals", data=cm.viz.goal_progress_data(goals, names=names, min_cell=MIN_CELL),
                source_tables=["goals"],
                caption="Each district's own goal: its measure by period against the baseline (dotted) and target "
                        "(dashed); each point coloured by its goal attainment level (-2 no progress to +2 well past "
                        "the target). Values resting on fewer than 11 people are marked n<11.",
                alt_text="Small panels, one per district goal, each a line of values with a dashed target line and "
                         "coloured points.", **SAVE)
    lat = goals.latest()
    shown = lat[~lat["suppressed"]]
    lv = shown["gas_level"].astype(int).value_counts()
    ts = goals.tscores
    display(Markdown(
        f"At their latest measure, {int((shown['gap_closed'] >= 1).sum())} of {len(shown)} goals shown have reached "
        f"their target and {int((shown['gap_closed'] <= 0).sum())} made no progress toward it (or moved away); the "
        f"others closed between {shown.loc[shown['gap_closed'].between(0, 1, inclusive='neither'), 'gap_closed'].min():.0%} "
        f"and {shown.loc[shown['gap_closed'].between(0, 1, inclusive='neither'), 'gap_closed'].max():.0%} of their gap. "
        f"By level: " + ", ".join(f"{k:+d}: {lv.get(k, 0)}" for k in (-2, -1, 0, 1, 2))
        + f". District T-scores (50 = every goal met as expected) run from {ts['t_score'].min():.0f} to "
        f"{ts['t_score'].max():.0f}."
        + (f" {int(lat['suppressed'].sum())} goal(s) rest on fewer than {MIN_CELL} people and are not shown."
           if lat['suppressed'].any() else "")))
    fig
""",
    ),
    (
        "md",
        """
## 4. Open answers: themes as counts, quotes only when approved

Open answers and comments were scrubbed at ingest (names seen in the files' name columns, e-mails, phone
numbers, street addresses) and kept apart from the survey table. Here the codebook's keyword rules
**suggest** themes (`cm.text.suggest_codes`); suggestions are not codes until a coder confirms them
(`review_sheet()`), so these shares are a first look. Only counts leave this notebook; a quote leaves only
when it is in your file of approved excerpts (`APPROVED_EXCERPTS`, made from
`cm.text.excerpt_review_sheet`; `cm.text.reviewed_excerpts` returns those answers only, scrubbed again).
""",
    ),
    (
        "code",
        """
if supported("open_answers"):
    text = tables.text
    sug = cm.text.suggest_codes(text.set_index(C.SEGMENT_ID)[C.TEXT], CODEBOOK)
    units = text[[C.SEGMENT_ID, C.INSTRUMENT, C.QUESTION_ID]].assign(
        question=lambda d: d[C.INSTRUMENT] + "." + d[C.QUESTION_ID])
    shares = cm.text.theme_shares(sug.by_segment(), units[[C.SEGMENT_ID, "question"]], by="question",
                                  min_cell=MIN_CELL).to_frame()
    answered = units.groupby("question").size()
    display(shares.pivot_table(index="code", columns="question", values="estimate").round(2)
            .rename_axis(index=None, columns=None))
    top = shares[shares["estimate"].notna()].sort_values("estimate", ascending=False).head(12).copy()
    top["label"] = top["question"] + " / " + top["code"]
    fig, ax = cm.viz.forest(top, xlabel="Share of answers with the suggested theme (95% CI)", min_cell=MIN_CELL,
                            title="Themes suggested by keyword rules (to be confirmed by a coder)")
    cm.viz.save(fig, "open_answer_themes", data=cm.viz.forest_data(top, min_cell=MIN_CELL),
                source_tables=["text"],
                caption="Share of open answers in which the codebook's keyword rules suggest each theme (the twelve "
                        "most frequent question-theme pairs), with 95% Wilson intervals. Suggestions, not confirmed "
                        "codes; counts only, no answer is quoted.",
                alt_text="Forest plot, one row per question and theme, dots with intervals.", **SAVE)
    best = top.iloc[0]
    display(Markdown(
        f"{len(text):,} open answers to {len(answered)} questions were kept ({', '.join(f'{q} {n:,}' for q, n in answered.items())}). "
        f"The most frequent suggested theme is {best['code'].replace('_', ' ')} in {best['question']} "
        f"({best['estimate']:.0%} of its answers). These are keyword suggestions: read a sample before counting them."))
    fig
""",
    ),
    (
        "code",
        """
if APPROVED_EXCERPTS is None:
    display(Markdown("No file of approved excerpts was given (`APPROVED_EXCERPTS`): no answer is quoted. To quote, "
                     "write `cm.text.excerpt_review_sheet(tables.text)` to your working folder (never to reports/), "
                     "mark the answers a reviewer approved, and pass the file's path."))
elif not len(tables.text):
    display(Markdown("There are no open answers to quote."))
else:
    quotes = cm.text.reviewed_excerpts(tables.text, APPROVED_EXCERPTS)
    print(quotes.summary())
    display(quotes.quotes[[C.QUESTION, "quote"]])
""",
    ),
]


def main() -> None:
    nbformat.write(_nb(BEST_PRACTICES), HERE / "08_best_practices.ipynb")
    nbformat.write(_nb(VOICES), HERE / "09_voices.ipynb")


if __name__ == "__main__":
    main()
