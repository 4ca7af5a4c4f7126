"""Every ```python block of README.md runs.

Each block is executed in a fresh namespace holding the names it uses but does not define
(built from the demo pipeline, the shipped public extracts and the committed fixtures, the
way the notebooks and the tests of each package build them), in a temporary working folder
that holds the files it reads under the names it uses. A new block is tested as soon as it
is written: it needs a namespace below (the test fails until it has one). A block may opt
out only with ``<!-- not run: reason -->`` on the line before it, and at most one may.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FIXTURES = ROOT / "tests" / "fixtures"
REFERENCE = ROOT / "tests" / "reference"

FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
OPT_OUT = re.compile(r"<!--\s*not run:\s*(.+?)\s*-->\s*$")
#: How many blocks may opt out of running.
MAX_OPT_OUTS = 1


def readme_blocks(text: str | None = None) -> list[dict]:
    """Every ```python block of the README: its first line number, code and opt-out reason."""
    text = README.read_text(encoding="utf-8") if text is None else text
    blocks = []
    for m in FENCE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        above = text[: m.start()].split("\n")
        before = above[-2] if len(above) >= 2 else ""  # the line just before the fence
        opt = OPT_OUT.search(before)
        blocks.append({"line": line, "code": m.group(1), "skip": opt.group(1) if opt else None})
    return blocks


# --- the names each block uses, from real objects ----------------------------------------------


def _ns_findings(env):
    return {"tables": env.tables}


def _ns_library(env):
    shutil.copy(FIXTURES / "cde" / "dashboard_graddownload_2019.txt", "graddownload2019.txt")
    shutil.copytree(env.raw, "data/raw")
    return {}


def _ns_compare(env):
    import cei_metrics as cm
    from cei_metrics.schemas import C

    shutil.copy(FIXTURES / "cde" / "localind_priority3_family_engagement_2024.xlsx", "Pr32024.xlsx")
    dash = cm.datasets.public_dashboard()
    grad = dash[
        (dash[C.INDICATOR] == "graduation")
        & (dash[C.GROUP_CODE] == "ALL")
        & dash[C.LEVEL].isin(["state", "district"])
    ]
    ratings = cm.datasets.public_p3_ratings()
    plln = [d + "0000000" for d in cm.datasets.plln_roster()[C.DISTRICT_ID]]
    return {
        # notebook 07_plln_public: directory, shares and a pre-period baseline
        "d": cm.datasets.public_directory(),
        "upc": cm.compare.group_shares(dash, indicator="graduation", year="2018-19"),
        "grad_2017": grad[grad[C.YEAR] == "2016-17"][[C.CDS, C.VALUE]],
        "values": grad[grad[C.YEAR] == "2018-19"][[C.CDS, C.VALUE]],
        "treated": [c for c in plln if c in set(grad.loc[grad[C.YEAR] == "2018-19", C.CDS])],
        # notebook 06_selection: the two axes
        "need": cm.compare.need_components(outcomes=dash),
        "readiness": cm.compare.readiness_components(
            ratings=ratings,
            practices=cm.datasets.public_p3_practices(),
            p3_met=cm.datasets.public_p3_met(),
        ),
    }


def _ns_impact(env):
    import cei_metrics as cm
    from cei_metrics.schemas import C

    # notebook 04_impact: the first cohort against never-network districts, and schools
    tables = env.tables
    panel = cm.impact.outcome_panel(tables.outcomes, tables.roster, "chronic_absenteeism")
    first = int(panel.loc[panel["cohort_start"] > 0, "cohort_start"].min())
    keep = panel["cohort_start"].isin([0, first])
    cohort_vs_never = panel[keep].assign(network=(panel["cohort_start"] == first).astype(int))
    o = tables.outcomes
    schools = o[
        (o[C.LEVEL] == "school")
        & (o[C.INDICATOR] == "chronic_absenteeism")
        & (o[C.GROUP] == "All students")
    ].copy()
    schools[C.DISTRICT_ID] = schools[C.CDS].map(cm.schemas.district_of)
    schools = schools.merge(
        panel[[C.DISTRICT_ID, C.YEAR, "treated"]].drop_duplicates(),
        on=[C.DISTRICT_ID, C.YEAR],
        how="left",
    )
    return {"cohort_vs_never": cohort_vs_never, "schools": schools}


def _ns_text(env):
    import numpy as np
    import pandas as pd

    import cei_metrics as cm
    from cei_metrics.schemas import C

    shutil.copy(FIXTURES / "qdpx" / "family_comments.qdpx", "project.qdpx")
    tables = env.tables
    text = tables.text
    comments = text.set_index(C.SEGMENT_ID)[C.TEXT]
    # the coded units: keyword suggestions of notebook 09_voices, one row per respondent
    coded = cm.text.suggest_codes(comments).by_segment()
    who = text[[C.SEGMENT_ID, C.RESPONDENT_ID, C.LANGUAGE]]
    final_codes = coded.merge(who, on=C.SEGMENT_ID)[[C.RESPONDENT_ID, "code"]]
    respondents = who.drop_duplicates(C.RESPONDENT_ID)[[C.RESPONDENT_ID, C.LANGUAGE]]
    # two coders' long coding sheet (tests/text/test_coding.py's layout), from the .qdpx
    coding = cm.text.read_qdpx(FIXTURES / "qdpx" / "family_comments.qdpx").coding
    coding.rename(columns={C.SEGMENT_ID: "Segment", "coder": "Coder", "code": "Code"}).to_csv(
        "coding.csv", index=False
    )
    # published reliability data (tests/text/test_agreement.py)
    ref = _module(REFERENCE / "text_agreement_references.py")
    kripp = pd.DataFrame(
        np.array(ref.KRIPPENDORFF_2011_DATA, dtype=object).T, columns=["A", "B", "C", "D"]
    )
    kt = pd.read_csv(REFERENCE / "text_kappa_tables.csv", comment="#")
    kt = kt[kt["table"] == "fce1969"]
    # notebook 09_voices: one wave of the survey, its invited families and margins
    wave = int(tables.survey[C.WAVE].min())
    survey = tables.survey[tables.survey[C.WAVE] == wave]
    districts = sorted(survey[C.DISTRICT_ID].unique())
    return {
        "tables": tables,
        "comments": comments,
        # the names a reader saw in a sign-in sheet's name columns
        "names_seen": cm.io.read_signins(env.raw / "synthetic_signins_2019-20.csv").attrs[
            "names_seen"
        ],
        "table": kripp,
        "a": np.repeat(kt["row"].to_numpy(), kt["count"].to_numpy()),
        "b": np.repeat(kt["col"].to_numpy(), kt["count"].to_numpy()),
        "ratings": pd.DataFrame(ref.FLEISS_1971_DIAGNOSES),
        "final_codes": final_codes,
        "respondents": respondents,
        "survey": survey,
        "invited": cm.indicators.family_frame(
            tables.roster, districts, by=[C.DISTRICT_ID, C.LANGUAGE]
        ),
        "enrolment_margins": cm.indicators.family_margins(
            tables.roster, districts, by_district=False
        ),
    }


def _ns_excerpts(env):
    return {"tables": env.tables}


def _ns_voices(env):
    from cei_metrics.schemas import C

    roster = env.tables.roster
    return {"tables": env.tables, "names": dict(zip(roster[C.DISTRICT_ID], roster[C.NAME]))}


def _ns_practices(env):
    shutil.copy(FIXTURES / "cde" / "localind_priority3_family_engagement_2024.xlsx", "Pr32024.xlsx")
    return {}


#: The namespace of each block: (a call only that block makes, the function building the
#: names it uses but does not define).
NAMESPACES = [
    ("F.check_section(", _ns_findings),
    ("cm.io.ingest(", _ns_library),
    ("cm.compare.lea_features(", _ns_compare),
    ("cm.impact.interrupted_time_series(", _ns_impact),
    ("cm.text.load_codebook(", _ns_text),
    ("cm.text.excerpt_review_sheet(", _ns_excerpts),
    ("cm.indicators.convening_feedback(", _ns_voices),
    ("cm.compare.practice_association(", _ns_practices),
]


def namespace_of(code: str):
    """The one namespace builder whose marker call the block makes."""
    found = [build for marker, build in NAMESPACES if marker in code]
    return found[0] if len(found) == 1 else None


def _module(path: Path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class _Env:
    def __init__(self, raw, processed):
        self.raw, self.processed = raw, processed
        self._tables = None

    @property
    def tables(self):
        import cei_metrics as cm

        if self._tables is None:
            self._tables = cm.io.load_tables(self.processed)
        return self._tables


BLOCKS = readme_blocks()


def test_the_readme_has_python_blocks_and_few_opt_outs():
    opted = [(b["line"], b["skip"]) for b in BLOCKS if b["skip"]]
    print("blocks not run:", opted or "none")
    assert len(BLOCKS) >= 8
    assert len(opted) <= MAX_OPT_OUTS, f"more than {MAX_OPT_OUTS} block(s) opt out: {opted}"


def test_block_extraction_and_opt_out():
    text = (
        "x\n```python\na = 1\n```\n<!-- not run: needs the real CDE files -->\n"
        "```python\nb = 2\n```\n```bash\nc\n```\n"
    )
    got = readme_blocks(text)
    assert [(b["line"], b["code"], b["skip"]) for b in got] == [
        (2, "a = 1\n", None),
        (6, "b = 2\n", "needs the real CDE files"),
    ]


@pytest.mark.parametrize("block", BLOCKS, ids=[f"line{b['line']}" for b in BLOCKS])
def test_readme_block_runs(block, demo_pipeline, tmp_path, monkeypatch):
    if block["skip"]:
        pytest.skip(f"README block at line {block['line']} opts out: {block['skip']}")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import cei_metrics as cm

    build = namespace_of(block["code"])
    assert build is not None, (
        f"README block at line {block['line']} matches no single namespace in "
        "tests/test_readme_examples.py: add one that builds the names it uses"
    )
    raw, processed, _report = demo_pipeline
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    env = _Env(raw, processed)
    ns = {"__name__": "__readme__", "cm": cm, **build(env)}
    code = compile(block["code"], f"README.md:{block['line']}", "exec")
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(code, ns)
    finally:
        plt.close("all")
    printed = out.getvalue()
    if build is _ns_findings:
        _check_findings_comment(block["code"], printed)


def _check_findings_comment(code: str, printed: str) -> None:
    """Block 1 prints one finding; its commented output line shows that sentence."""
    comment = re.search(r'^# -> "(.*)"$', code, re.M)
    assert comment, "block 1 lost its commented output line"
    shape = re.compile(
        r"^EL families' representation in .+, 2023-24 is (below|above|not distinguishable from) "
        r"parity: (\d\.\d\d) \(95% CI (\d\.\d\d) to (\d\.\d\d)\)\.$"
    )
    said = printed.strip()
    m = shape.match(said)
    assert m, f"block 1 printed {said!r}"
    shown = comment.group(1)
    assert shown.split(" is ", 1)[1] == said.split(" is ", 1)[1], (
        f"README comment {shown!r} differs from what block 1 prints: {said!r}"
    )
