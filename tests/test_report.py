"""The report run, end to end, on the demo and on hand-made own-data folders: every
notebook runs (or says why a section cannot), every page has its charts, findings.json
equals the library's results, report.html is self-contained, report.docx is written,
earlier outputs are moved aside, a failing notebook is listed while the others run, and
the audit always runs and finds nothing.

Each folder's report is built once, by one test that checks it part by part (the helpers
``_check_*``), so that parallel workers never build the same report twice; the bootstrap
sizes are cut (``FAST``) to keep the suite short; the notebooks take them as parameters.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = ROOT / "tests" / "fixtures" / "exports"
FAST = {"N_BOOT": 199, "N_WILD": 999, "N_DRAWS": 40}
OWN = ["google_forms", "qualtrics"]
# notebooks 06-08 read only the shipped public extracts, never DATA_DIR: the Google Forms
# run executes them on own-data folders, the Qualtrics run the notebooks that read its data
OWN_ONLY = {"qualtrics": ["01_data_intake", "02_indicators", "03_metric_testing", "04_impact",
                          "05_report_figures", "09_voices"]}  # fmt: skip

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]


def _run(base: Path, raw: Path, *, demo: bool, **kw):
    from cei_metrics.report import run_report

    return run_report(
        raw,
        demo=demo,
        processed_dir=base / "processed",
        figures_dir=base / "out" / "figures",
        reports_dir=base / "out" / "reports",
        notebooks_dir=kw.pop("notebooks_dir", ROOT / "notebooks"),
        parameters=FAST,
        **kw,
    )


def _demo_run(base: Path):
    return _run(base, base / "raw", demo=True)


def _own_run(base: Path, folder: str):
    # an earlier demo run's outputs in the same folders: they must be moved aside
    figs, reps = base / "out" / "figures", base / "out" / "reports"
    figs.mkdir(parents=True)
    reps.mkdir(parents=True)
    (figs / "chronic_absenteeism_event_study.png").write_bytes(b"earlier")
    (reps / "run.json").write_text(json.dumps({"source": {"kind": "demo", "label": "demo"}}))
    raw = base / "raw"
    shutil.copytree(EXPORTS / folder, raw)
    return _run(base, raw, demo=False, only=OWN_ONLY.get(folder))


def _pages(run) -> list[Path]:
    return sorted(run.paths["reports"].glob("0[0-9]_*.html"))


# ------------------------------------------------------------------------- the demo


def _check_demo_report_is_complete(demo_run):
    n_notebooks = len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
    assert [nb.ok for nb in demo_run.notebooks] == [True] * n_notebooks, demo_run.summary()
    for key in ("html", "docx", "findings", "index"):
        assert demo_run.paths[key].exists()
    assert demo_run.audit is not None and demo_run.audit.ok, demo_run.audit.summary()
    assert (demo_run.paths["reports"] / "audit.txt").read_text().startswith("Privacy audit")
    # no notebook cell failed on the demo, and no section was skipped: it has every table
    for nb in demo_run.notebooks:
        assert not nb.skipped, (nb.name, nb.skipped)
        executed = json.loads(
            (demo_run.paths["reports"] / "executed" / f"{nb.name}.ipynb").read_text()
        )
        errors = [
            o
            for c in executed["cells"]
            for o in c.get("outputs", [])
            if o.get("output_type") == "error"
        ]
        assert not errors, nb.name


def _check_every_demo_notebook_page_shows_its_charts(demo_run):
    pages = _pages(demo_run)
    assert len(pages) == len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
    for p in pages:
        text = p.read_text()
        assert text.count("<img") > 0, p.name
        # a result's plot() displays a figure, never a printed (Figure, Axes) tuple
        assert "&lt;Figure size" not in text and "<Figure size" not in text, p.name


def _check_demo_report_holds_the_scorecard_and_synthetic_control_in_order(demo_run):
    names = list(demo_run.figures)
    for must in ("metric_scorecard", "synthetic_control_gap", "el_representation",
                 "convening_retention", "p3_self_ratings", "chronic_absenteeism_event_study"):  # fmt: skip
        assert must in names
    # report order is notebook order: intake, metric testing, impact, then notebook 05's figures
    assert names[0] == "intake_survey_coverage"
    assert names.index("metric_scorecard") < names.index("synthetic_control_gap")
    assert names.index("synthetic_control_gap") < names.index("likert_trust_items")


def _figure_meta(run, name):
    return json.loads((run.paths["figures"] / f"{name}.json").read_text())


def _check_el_representation_figure_uses_the_registry_definition_of_notebook_02(demo_run):
    import pandas as pd

    import cei_metrics as cm

    tables = cm.io.load_tables(demo_run.paths["processed"])
    data = pd.read_csv(demo_run.paths["figures"] / "el_representation.csv")
    rep = cm.indicators.representation_index(
        tables.participation,
        tables.roster,
        min_cell=11,
        **cm.indicators.definition("representation_index"),
    ).to_frame()
    latest = rep[rep["year"] == rep["year"].max()]
    names = tables.roster.set_index("district_id")["name"]
    want = latest.assign(label=latest["district_id"].map(names)).set_index("label")["estimate"]
    got = data.set_index("label")["estimate"]
    assert len(got) > 0
    for label, v in got.items():
        assert v == pytest.approx(want[label], rel=1e-9)
    # and notebook 02 stated the same values
    stated = {
        f["key"]: f["estimate"]
        for f in demo_run.findings
        if f["key"].startswith("el_representation.")
    }
    assert stated and all(
        v == pytest.approx(latest.set_index("district_id").loc[k.split(".")[1], "estimate"])
        for k, v in stated.items()
    )
    assert "general district events" in _figure_meta(demo_run, "el_representation")["caption"]


def _check_figures_say_what_they_mean(demo_run):
    import pandas as pd

    # the retention axis holds the convenings a cohort has
    ret = pd.read_csv(demo_run.paths["figures"] / "convening_retention.csv")
    assert ret["session"].max() == ret["n_sessions"].max() == 8
    # the event study claims a uniform band only when it draws one, and labels both
    es = pd.read_csv(demo_run.paths["figures"] / "chronic_absenteeism_event_study.csv")
    meta = _figure_meta(demo_run, "chronic_absenteeism_event_study")
    assert ("uniform band" in meta["caption"]) == es["band_low"].notna().any()
    svg = (demo_run.paths["figures"] / "chronic_absenteeism_event_study.svg").read_text()
    assert "uniform band" in svg and "pointwise CI" in svg
    # the Priority 3 heatmap's colours span the ratings drawn, not 1-5
    p3 = pd.read_csv(demo_run.paths["figures"] / "p3_self_ratings.csv")
    assert p3["rating"].max() - p3["rating"].min() < 2
    assert (
        "colour scale fitted to the data" in _figure_meta(demo_run, "p3_self_ratings")["alt_text"]
    )
    # alt text of the coverage heatmap says which way the colour runs (brighter = more)
    alt = _figure_meta(demo_run, "intake_survey_coverage")["alt_text"]
    assert "brighter yellow cells hold more respondents" in alt


# ----------------------------------------------------------------------- own data


def _check_own_data_report_is_complete_and_says_why_sections_did_not_run(own_run):
    assert all(nb.ok for nb in own_run.notebooks), own_run.summary()
    for key in ("html", "docx", "findings", "index"):
        assert own_run.paths[key].exists()
    assert own_run.audit.ok, own_run.audit.summary()
    skipped = [s for nb in own_run.notebooks for s in nb.skipped]
    assert skipped, "one wave, no roster: some sections cannot run"
    for s in skipped:
        assert s["reason"] and s["shows"]
    # one survey wave: no change is claimed
    change = [f for f in own_run.findings if f["key"].startswith("scale_change.")]
    assert change and all(f["verdict"] == "too few to say" for f in change)
    doc = json.loads(own_run.paths["findings"].read_text())
    assert doc["source"]["kind"] == "own data" and not doc["source"]["synthetic"]
    html = own_run.paths["html"].read_text()
    assert "What ran, and what could not" in html and "Synthetic demo data" not in html


def _check_own_data_pages_have_charts_wherever_a_section_ran(own_run):
    for nb in own_run.notebooks:
        text = (own_run.paths["reports"] / f"{nb.name}.html").read_text()
        if nb.name == "04_impact":
            # one year of graduation, no cohorts: every design says why it cannot run
            assert nb.skipped and not nb.figures and not nb.findings
        elif nb.name == "09_voices":
            # no roster of families, no feedback forms, no goals, too few open answers:
            # each section says why, and a chart shows wherever one ran
            assert nb.skipped
            assert (text.count("<img") > 0) == bool(nb.figures), nb.name
        else:
            assert text.count("<img") > 0, nb.name


def _check_an_earlier_run_is_moved_aside_never_mixed(own_run):
    figs = own_run.paths["figures"]
    assert not (figs / "chronic_absenteeism_event_study.png").exists()
    assert own_run.archived is not None
    note = (own_run.archived / "NOTE.txt").read_text()
    assert "earlier report run" in note and "demo" in note
    assert (own_run.archived / "figures" / "chronic_absenteeism_event_study.png").exists()
    for f in figs.glob("*.json"):
        assert json.loads(f.read_text())["synthetic"] is False


# --------------------------------------------------------------------- findings.json


def _replay_all(run):
    import cei_metrics as cm
    from cei_metrics.findings import replay

    tables = cm.io.load_tables(run.paths["processed"])
    doc = json.loads(run.paths["findings"].read_text())
    cache: dict = {}
    checked = 0
    for f in doc["findings"]:
        for field in ("key", "statement", "estimate", "ci_low", "ci_high", "n", "call", "verdict"):
            assert field in f, (f.get("key"), field)
        if not f.get("source"):
            assert f["estimate"] is None and f["verdict"] == "too few to say", f["key"]
            continue
        got = replay(f, tables, cache=cache)
        if f["verdict"] == "suppressed":
            assert f["estimate"] is None and f["n"] is None
            assert got["suppressed"] or (got["n"] is not None and got["n"] < 11), f["key"]
        else:
            for k in ("estimate", "ci_low", "ci_high", "n"):
                want = f[k]
                if want is None:
                    continue
                assert got[k] is not None and math.isclose(
                    got[k], want, rel_tol=1e-9, abs_tol=1e-12
                ), (
                    f["key"],
                    k,
                    got[k],
                    want,
                )
        checked += 1
    return checked


def _check_every_demo_finding_equals_the_library_result(demo_run):
    assert _replay_all(demo_run) >= 30


def _check_every_own_data_finding_equals_the_library_result(own_run):
    assert _replay_all(own_run) >= 5


# -------------------------------------------------------------- report.html, .docx


def _check_self_contained(path: Path) -> None:
    from bs4 import BeautifulSoup

    text = path.read_text()
    soup = BeautifulSoup(text, "html.parser")
    imgs = soup.find_all("img")
    assert imgs
    for img in imgs:
        assert img["src"].startswith("data:image/png;base64,")
        assert img.get("alt", "").strip()
    assert not soup.find_all(["script", "link", "iframe", "object", "embed"])
    for tag in soup.find_all(href=True):
        assert tag["href"].startswith("#"), tag["href"]
    for tag in soup.find_all(src=True):
        assert tag["src"].startswith("data:"), tag["src"][:40]
    assert "url(" not in "".join(s.get_text() for s in soup.find_all("style"))


def _check_demo_report_html_is_self_contained_with_every_part(demo_run):
    path = demo_run.paths["html"]
    _check_self_contained(path)
    text = path.read_text()
    for part in ("Data source", "Methods in brief", "Key findings", "Figures", "Privacy",
                 "Contents", "MANIFEST.json", "Synthetic demo data", "Alt text:"):  # fmt: skip
        assert part in text, part
    assert text.count("<figure") == len(demo_run.figures)
    doc = json.loads(demo_run.paths["findings"].read_text())
    for f in doc["findings"][:5]:
        assert f["statement"].replace("'", "&#x27;") in text or f["statement"] in text
    # every source file of the snapshot is listed with its hash
    man = json.loads((demo_run.paths["processed"] / "MANIFEST.json").read_text())
    for name, meta in list(man["sources"].items())[:3]:
        assert name in text and meta["sha256"] in text


def _check_own_data_report_html_is_self_contained(own_run):
    _check_self_contained(own_run.paths["html"])


def _check_demo_docx_is_an_editable_report_with_every_figure(demo_run):
    from docx import Document

    doc = Document(str(demo_run.paths["docx"]))
    heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for h in ("Data source", "Methods in brief", "Key findings", "Figures", "Privacy"):
        assert h in heads
    pics = doc.inline_shapes
    assert len(pics) == len(demo_run.figures)
    for pic in pics:
        assert pic._inline.docPr.get("descr", "").strip()
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert len(captions) == len(demo_run.figures) and captions[0].startswith("Figure 1.")


def _check_index_stays_inside_reports(demo_run):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(demo_run.paths["index"].read_text(), "html.parser")
    assert "cei_metrics report" not in soup.title.get_text()
    for a in soup.find_all(href=True):
        assert "/" not in a["href"] and (demo_run.paths["reports"] / a["href"]).exists()
    assert not soup.find_all("img")


# ---------------------------------------------------------------- failure handling


def _notebook(path: Path, source: str) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# x\n\n**Question.** data"),
            nbformat.v4.new_code_cell(
                'DATA_DIR = "."\nFIGURES_DIR = "."\nSEED = 1\nMIN_CELL = 11',
                metadata={"tags": ["parameters"]},
            ),
            nbformat.v4.new_code_cell(source),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(path))


def test_a_failing_notebook_is_listed_while_the_others_run_and_the_audit_runs(tmp_path):
    import cei_metrics as cm

    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    _notebook(
        nbs / "01_ok.ipynb",
        "import cei_metrics as cm\n"
        "cm.findings.show(cm.findings.finding('x', what='the thing', kind='level', estimate=0.5,"
        " ci_low=0.4, ci_high=0.6, n=40))",
    )
    _notebook(nbs / "02_broken.ipynb", "raise ValueError('planted failure')")
    _notebook(nbs / "03_after.ipynb", "print('still runs')")
    raw = tmp_path / "raw"
    shutil.copytree(EXPORTS / "google_forms", raw)
    with pytest.raises(cm.CEIError, match="02_broken"):
        _run(tmp_path, raw, demo=False, notebooks_dir=nbs)
    reps = tmp_path / "out" / "reports"
    html = (reps / "report.html").read_text()
    assert "planted failure" in html and "failed" in html
    doc = json.loads((reps / "findings.json").read_text())
    assert [n["status"] for n in doc["notebooks"]] == ["ran", "failed", "ran"]
    assert [f["key"] for f in doc["findings"]] == ["x"]
    assert (reps / "audit.txt").exists() and (reps / "report.docx").exists()
    assert (reps / "03_after.html").exists() and (reps / "02_broken.html").exists()
    # the run's ledger does not leak into the calling process
    import os

    assert "CEI_LEDGER" not in os.environ


def test_move_aside_keeps_gitkeep_and_writes_a_note(tmp_path):
    from cei_metrics.report import move_aside

    figs, reps = tmp_path / "figures", tmp_path / "reports"
    figs.mkdir()
    reps.mkdir()
    (figs / ".gitkeep").write_text("")
    assert move_aside(figs, reps, tmp_path / "prev", new_source="x") is None
    (figs / "a.png").write_bytes(b"1")
    (reps / "run.json").write_text(json.dumps({"source": {"kind": "own data", "label": "mine"}}))
    dest = move_aside(figs, reps, tmp_path / "prev", new_source="the demo")
    assert dest.name.endswith("own-data") and (dest / "figures" / "a.png").exists()
    assert (figs / ".gitkeep").exists() and not (figs / "a.png").exists()
    assert "mine" in (dest / "NOTE.txt").read_text()


# ---------------------------------------------------------------------- the runs


DEMO_CHECKS = [
    _check_demo_report_is_complete,
    _check_every_demo_notebook_page_shows_its_charts,
    _check_demo_report_holds_the_scorecard_and_synthetic_control_in_order,
    _check_el_representation_figure_uses_the_registry_definition_of_notebook_02,
    _check_figures_say_what_they_mean,
    _check_every_demo_finding_equals_the_library_result,
    _check_demo_report_html_is_self_contained_with_every_part,
    _check_demo_docx_is_an_editable_report_with_every_figure,
    _check_index_stays_inside_reports,
]
OWN_CHECKS = [
    _check_own_data_report_is_complete_and_says_why_sections_did_not_run,
    _check_own_data_pages_have_charts_wherever_a_section_ran,
    _check_an_earlier_run_is_moved_aside_never_mixed,
    _check_every_own_data_finding_equals_the_library_result,
    _check_own_data_report_html_is_self_contained,
]


def test_demo_report(tmp_path):
    run = _demo_run(tmp_path)
    for check in DEMO_CHECKS:
        check(run)
    if (
        CHROMIUM is not None
    ):  # the whole demo report in a browser too (skipped test below says why not)
        _check_opens_in_a_browser(run, tmp_path / "profile")


@pytest.mark.parametrize("folder", OWN)
def test_own_data_report(tmp_path, folder):
    run = _own_run(tmp_path, folder)
    for check in OWN_CHECKS:
        check(run)


# ------------------------------------------------------------------ in a browser


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _browser_check(html: Path, profile: Path, timeout: float = 60.0) -> dict:
    """Open ``html`` in headless Chromium through the DevTools protocol: every image's
    load state, console errors, uncaught exceptions, log errors and every request the
    page made (an offline, self-contained page makes none but itself)."""
    import subprocess
    import time
    import urllib.request

    websocket = pytest.importorskip("websocket", reason="websocket-client drives Chromium")
    proc = subprocess.Popen(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "--remote-allow-origins=*",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        t0 = time.monotonic()
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            assert time.monotonic() - t0 < timeout, "Chromium did not open its DevTools port"
            time.sleep(0.1)
        port = int(port_file.read_text().splitlines()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=timeout) as r:
            targets = json.load(r)
        page = next(t for t in targets if t.get("type") == "page")
        ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=timeout, suppress_origin=True
        )
        events: list[dict] = []
        ids = iter(range(1, 10**6))

        def call(method: str, **params) -> dict:
            i = next(ids)
            ws.send(json.dumps({"id": i, "method": method, "params": params}))
            while True:
                msg = json.loads(ws.recv())
                if msg.get("id") == i:
                    return msg.get("result", {})
                events.append(msg)

        for domain in ("Runtime", "Log", "Network", "Page"):
            call(f"{domain}.enable")
        url = html.resolve().as_uri()
        call("Page.navigate", url=url)
        t0 = time.monotonic()
        while not any(e.get("method") == "Page.loadEventFired" for e in events):
            assert time.monotonic() - t0 < timeout, "the page never finished loading"
            events.append(json.loads(ws.recv()))
        res = call(
            "Runtime.evaluate",
            expression="JSON.stringify(Array.from(document.images).map(i => "
            "[i.complete, i.naturalWidth, i.naturalHeight, i.currentSrc.slice(0, 22)]))",
            returnByValue=True,
        )
        images = json.loads(res["result"]["value"])
        ws.settimeout(1.0)
        try:  # late console messages
            while True:
                events.append(json.loads(ws.recv()))
        except websocket.WebSocketTimeoutException:
            pass
        ws.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
    errors = [
        e["params"]
        for e in events
        if (
            e.get("method") == "Runtime.consoleAPICalled"
            and e["params"]["type"] in ("error", "assert")
        )
        or e.get("method") == "Runtime.exceptionThrown"
        or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]
    requests = [
        e["params"]["request"]["url"]
        for e in events
        if e.get("method") == "Network.requestWillBeSent"
        and not e["params"]["request"]["url"].startswith("data:")
        and e["params"]["request"]["url"] != url
    ]
    return {"images": images, "errors": errors, "requests": requests}


def _check_opens_in_a_browser(run, profile: Path) -> None:
    got = _browser_check(run.paths["html"], profile)
    assert len(got["images"]) == len(run.figures) > 0
    for complete, width, height, src in got["images"]:
        assert complete and width > 0 and height > 0 and src.startswith("data:image/png")
    assert got["errors"] == [], got["errors"]
    assert got["requests"] == [], got["requests"]


@pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian: apt install chromium)"
)
def test_report_html_opens_offline_in_chromium_with_every_image(tmp_path):
    """A report page written from two saved figures (the demo run's whole report is also
    opened in Chromium by test_demo_report when Chromium is there)."""
    from types import SimpleNamespace

    import pandas as pd

    import cei_metrics as cm
    from cei_metrics.report import NotebookRun, _figure_list, write_report_html

    figs = tmp_path / "figures"
    tab = pd.DataFrame(
        {"label": ["A", "B"], "estimate": [0.5, 1.2], "ci_low": [0.2, 0.9], "ci_high": [0.8, 1.5]}
    )
    fig, _ = cm.viz.forest(tab)
    cm.viz.save(fig, "one", caption="c1", alt_text="a1", data=cm.viz.forest_data(tab), out_dir=figs)
    fig, _ = cm.viz.parity_dots(tab)
    cm.viz.save(
        fig, "two", caption="c2", alt_text="a2", data=cm.viz.parity_dots_data(tab), out_dir=figs
    )
    runs = [NotebookRun("01_x", True, figures=({"name": "two"}, {"name": "one"}))]
    figures = _figure_list(figs, runs)
    assert [f["name"] for f in figures] == ["two", "one"]  # report order, not alphabetical
    source = {"label": "a test", "raw_folder": str(tmp_path), "files": [], "years": {}}
    html = write_report_html(tmp_path / "report.html", source=source, runs=runs, figures=figures,
                             findings=[], created="now", min_cell=11)  # fmt: skip
    run = SimpleNamespace(paths={"html": html}, figures=tuple(f["name"] for f in figures))
    _check_self_contained(html)
    _check_opens_in_a_browser(run, tmp_path / "profile")
