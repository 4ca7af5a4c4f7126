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

**Question.** Which family engagement practices do California's LEAs name when they reflect on
their engagement, where (strengths, focus areas, plans for under-represented families), which
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
display((100 * wide).round(0).sort_values("district", ascending=False))
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
display((100 * size_tab).round(0))
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
display((100 * by_prompt).round(0))
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
display(tab.pivot_table(index="practice", columns="outcome", values=["estimate", "p_holm"]).round(3))
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
display(mine.pivot_table(index="district", columns=C.YEAR, values="n_practices"))
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


def main() -> None:
    nbformat.write(_nb(BEST_PRACTICES), HERE / "08_best_practices.ipynb")


if __name__ == "__main__":
    main()
