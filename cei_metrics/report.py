"""The whole pipeline in one call: demo data (or yours) -> ingest -> notebooks -> reports.

:func:`run_report` is what ``make report`` and ``cei-metrics report`` run. It

1. writes the synthetic demo world to ``data/raw/`` (unless given your own raw folder)
   and ingests the raw files into ``data/processed/``;
2. moves the outputs of an earlier run (``figures/``, ``reports/``) aside to
   ``previous_runs/<time>-<source>/`` with a note, so that a run never mixes its outputs
   with another's (demo and own data above all);
3. executes every notebook in ``notebooks/`` with papermill (parameters ``DATA_DIR``,
   ``FIGURES_DIR``, ``SEED``, ``MIN_CELL``); a notebook that fails is recorded with its
   error and the others still run; each executed notebook becomes an HTML page;
4. collects what the notebooks showed -- the figures they saved (in order), the findings
   they stated (:mod:`cei_metrics.findings`) and the sections the data could not
   support -- from the executed notebooks' outputs;
5. writes ``reports/findings.json`` (every key finding with its value, interval, n and
   the call that computed it), ``reports/report.html`` (self-contained: images embedded,
   no external reference), ``reports/report.docx`` (editable) and ``reports/index.html``;
6. audits ``figures/`` and ``reports/`` (every file, hidden ones included) for small
   cells and personal data -- always, whatever failed before -- and writes
   ``reports/audit.txt``;
7. fails (after writing everything) when the audit found anything or a notebook failed.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import CEIError, PrivacyError

__all__ = [
    "NotebookRun",
    "ReportRun",
    "collect_outputs",
    "execute_notebook",
    "move_aside",
    "run_report",
    "write_docx",
    "write_index",
    "write_report_html",
]

TITLE = "Community Engagement Initiative: engagement metrics and impact"
RUN_FILE = "run.json"
NOTE_FILE = "NOTE.txt"
PREVIOUS = "previous_runs"
#: width (pixels) of the figure images embedded in report.html
HTML_IMAGE_WIDTH = 1100


def _atomic_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _atomic_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def execute_notebook(
    notebook: Path,
    executed: Path,
    parameters: dict,
    *,
    cwd: Path | None = None,
    timeout: int = 900,
) -> Path:
    """Execute one notebook with papermill, writing the executed copy to ``executed``.

    Raises
    ------
    CEIError naming the notebook and the failing cell when execution fails (the executed
    copy, with the error in its cell, is still written).
    """
    import papermill as pm

    executed.parent.mkdir(parents=True, exist_ok=True)
    try:
        pm.execute_notebook(
            str(notebook),
            str(executed),
            parameters=parameters,
            cwd=str(cwd or notebook.parent),
            kernel_name="python3",
            progress_bar=False,
            execution_timeout=timeout,
            log_output=False,
        )
    except pm.PapermillExecutionError as err:
        raise CEIError(
            f"the notebook failed in cell {err.exec_count}: {err.ename}: {err.evalue}",
            file=notebook,
            fix=f"open {executed} to see the failing cell and its traceback",
        ) from None
    return executed


def _to_html(executed: Path, out: Path) -> Path:
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(executed), as_version=4)
    body, _ = HTMLExporter().from_notebook_node(nb)
    _atomic_text(out, body)
    return out


# ------------------------------------------------------------------ one run's outputs


@dataclass(frozen=True)
class NotebookRun:
    """One notebook of a report run: whether it ran, and what it showed."""

    name: str
    ok: bool
    error: str = ""
    seconds: float = 0.0
    page: Path | None = None
    figures: tuple = ()
    findings: tuple = ()
    skipped: tuple = ()

    def status(self) -> str:
        if not self.ok:
            return "failed"
        return f"ran ({len(self.skipped)} section(s) not run)" if self.skipped else "ran"


@dataclass(frozen=True)
class ReportRun:
    """What :func:`run_report` did: the source, each notebook, the files, the audit."""

    source: dict
    notebooks: tuple
    paths: dict
    audit: Any = None
    archived: Path | None = None
    created: str = ""
    figures: tuple = ()
    findings: tuple = ()
    notes: tuple = field(default=())

    @property
    def ok(self) -> bool:
        return all(nb.ok for nb in self.notebooks) and (self.audit is None or self.audit.ok)

    def summary(self) -> str:
        ran = sum(nb.ok for nb in self.notebooks)
        lines = [
            f"Report of {self.source.get('label', '?')}: {ran} of {len(self.notebooks)} "
            f"notebook(s) ran, {len(self.figures)} figure(s), {len(self.findings)} finding(s)",
        ]
        for nb in self.notebooks:
            lines.append(f"  {nb.name}: {nb.status()}" + (f": {nb.error}" if nb.error else ""))
        if self.audit is not None:
            lines.append(self.audit.summary().splitlines()[0])
        return "\n".join(lines)


def _heading(cell: dict) -> str | None:
    for line in "".join(cell.get("source", "")).splitlines():
        if line.startswith("## "):
            return line[3:].strip()
    return None


def collect_outputs(executed: Path) -> dict[str, list[dict]]:
    """The figures saved, findings stated and sections not run in an executed notebook,
    in the order they appear (read from their MIME records in the cells' outputs); each
    record gets the notebook section (its last ``##`` heading)."""
    from .findings import MIME_FINDING, MIME_SKIP
    from .viz.export import MIME_FIGURE

    out: dict[str, list[dict]] = {"figures": [], "findings": [], "skipped": []}
    try:
        nb = json.loads(executed.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return out
    section = ""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            section = _heading(cell) or section
            continue
        for o in cell.get("outputs", []):
            data = o.get("data") or {}
            for mime, key in (
                (MIME_FIGURE, "figures"),
                (MIME_FINDING, "findings"),
                (MIME_SKIP, "skipped"),
            ):
                rec = data.get(mime)
                if isinstance(rec, dict):
                    rec = dict(rec)
                    if not rec.get("section"):
                        rec["section"] = section
                    out[key].append(rec)
    return out


def _user_items(folder: Path) -> list[Path]:
    if not folder.exists():
        return []
    return [p for p in folder.iterdir() if p.name != ".gitkeep"]


def move_aside(
    figures_dir: Path,
    reports_dir: Path,
    previous_dir: Path,
    *,
    new_source: str,
) -> Path | None:
    """Move an earlier run's outputs (everything in ``figures_dir`` and ``reports_dir``
    but ``.gitkeep``) to ``previous_dir/<time>-<source>/`` with a ``NOTE.txt`` saying what
    they are; returns that folder, or None when there was nothing to move."""
    items = {"figures": _user_items(figures_dir), "reports": _user_items(reports_dir)}
    if not any(items.values()):
        return None
    earlier: dict[str, Any] = {}
    try:
        earlier = json.loads((reports_dir / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        pass
    src = earlier.get("source", {})
    kind = str(src.get("kind", "unknown")).replace(" ", "-")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    dest = previous_dir / f"{stamp}-{kind}"
    k = 1
    while dest.exists():
        k += 1
        dest = previous_dir / f"{stamp}-{kind}-{k}"
    for sub, paths in items.items():
        if not paths:
            continue
        (dest / sub).mkdir(parents=True, exist_ok=True)
        for p in paths:
            shutil.move(str(p), str(dest / sub / p.name))
    note = (
        f"Outputs of an earlier report run, moved here unchanged on "
        f"{datetime.now(UTC).isoformat(timespec='seconds')} by a new run on {new_source}.\n"
        f"Earlier run: {src.get('label', 'unknown source (no run.json)')}"
        f", created {earlier.get('created', 'at an unknown time')}.\n"
        f"figures/ and reports/ hold the outputs of that run only; the new run writes a "
        f"fresh set.\n"
    )
    _atomic_text(dest / NOTE_FILE, note)
    return dest


def _source(raw_dir: Path, processed_dir: Path, demo: bool, seed: int) -> dict:
    """Where the data came from: demo or own folder, the files and their hashes from the
    snapshot's MANIFEST.json, the years covered."""
    man: dict[str, Any] = {}
    try:
        man = json.loads((processed_dir / "MANIFEST.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        pass
    files = [
        {"file": name, "sha256": meta.get("sha256", ""), "bytes": meta.get("bytes")}
        for name, meta in sorted((man.get("sources") or {}).items())
    ]
    tables = {k: v.get("rows") for k, v in (man.get("tables") or {}).items()}
    years: dict[str, str] = {}
    try:
        from .io import load_tables
        from .schemas import C, school_year

        t = load_tables(processed_dir, seed=seed)
        for name in ("outcomes", "ratings", "survey"):
            df = getattr(t, name)
            if not df.empty and C.YEAR in df:
                ys = sorted(df[C.YEAR].dropna().astype(str).unique())
                if ys:
                    years[name] = ys[0] if len(ys) == 1 else f"{ys[0]} to {ys[-1]}"
        p = t.participation
        if not p.empty and C.DATE in p:
            d = p[C.DATE].dropna()
            if len(d):
                lo = school_year(d.min().year - (d.min().month < 7))
                hi = school_year(d.max().year - (d.max().month < 7))
                years["participation"] = lo if lo == hi else f"{lo} to {hi}"
        if not t.survey.empty and C.WAVE in t.survey:
            years["survey waves"] = ", ".join(map(str, sorted(t.survey[C.WAVE].unique())))
    except Exception:  # the report still says what it can
        pass
    kind = "demo" if demo else "own data"
    label = (
        f"the synthetic demo world (seed {seed})"
        if demo
        else f"own data from {raw_dir.resolve().name}/"
    )
    return {
        "kind": kind,
        "label": label,
        "synthetic": bool(man.get("synthetic", demo)),
        "raw_folder": str(raw_dir.resolve()) if not demo else str(raw_dir),
        "snapshot": man.get("snapshot", ""),
        "files": files,
        "tables": tables,
        "years": years,
        "seed": seed if demo else None,
    }


def _figure_list(figures_dir: Path, runs: Sequence[NotebookRun]) -> list[dict]:
    """Every figure with a sidecar, in report order: the order the notebooks saved
    them, then any other sidecar in ``figures_dir`` by name."""
    seen: dict[str, dict] = {}
    for nb in runs:
        for f in nb.figures:
            name = str(f.get("name", ""))
            if name and name not in seen:
                seen[name] = {"notebook": nb.name, "section": f.get("section", "")}
    order = list(seen)
    others = sorted(p.stem for p in figures_dir.glob("*.json") if p.stem not in seen)
    out = []
    for name in order + others:
        side = figures_dir / f"{name}.json"
        png = figures_dir / f"{name}.png"
        try:
            meta = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if "caption" not in meta or not png.exists():
            continue
        out.append(
            {
                "name": name,
                "caption": str(meta.get("caption", "")),
                "alt_text": str(meta.get("alt_text", "")),
                "png": png,
                "synthetic": bool(meta.get("synthetic")),
                "suppressed_cells": int((meta.get("suppression") or {}).get("suppressed_cells", 0)),
                "files": [f for f in meta.get("files", []) if (figures_dir / f).exists()],
                **seen.get(name, {"notebook": "", "section": ""}),
            }
        )
    return out


def _png_data_uri(png: Path, width: int = HTML_IMAGE_WIDTH) -> str:
    """The PNG, scaled down to ``width`` pixels when wider, as a ``data:`` URI."""
    from PIL import Image

    with Image.open(png) as im:
        im.load()
        if im.width > width:
            im = im.resize((width, round(im.height * width / im.width)), Image.LANCZOS)
        buf = io.BytesIO()
        im.save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


# --------------------------------------------------------------------- shared text


def _indicator_definitions() -> list[str]:
    """One line per indicator of the registry: formula, interval, defining options."""
    from .indicators import registry

    out = []
    for _, r in registry().iterrows():
        opts = f" Definition: {r['options']}." if r.get("options") else ""
        out.append(
            f"{r['name'].replace('_', ' ').capitalize()}: {r['formula'].rstrip('.')}. "
            f"Interval: {r['interval'].rstrip('.')}.{opts}"
        )
    return out


def _methods() -> list[tuple[str, str]]:
    """Methods in brief: (heading, text); the indicators' definitions are listed from
    their registry beside it (:func:`_indicator_definitions`)."""
    return [
        (
            "Engagement indicators",
            "Each indicator has one definition, in the package's registry "
            "(cm.indicators.registry()), used by the notebooks and the figures alike:",
        ),
        (
            "Metric testing",
            "Reliability: Cronbach's alpha with the Feldt interval and "
            "McDonald's omega. Structure: parallel analysis, exploratory and confirmatory "
            "factor analysis (CFI, TLI, RMSEA, SRMR). Fairness across languages: differential "
            "item functioning by ordinal logistic regression (Jodoin-Gierl effect-size classes) "
            "and multi-group invariance. Responsiveness: standardized response mean of "
            "district means between the first and last wave. Validity: the association of "
            "district scores with chronic absenteeism, net of statewide year shocks. The "
            "scorecard puts the verdicts side by side.",
        ),
        (
            "Impact",
            "Changes, not levels, are compared: network districts against similar "
            "districts not (yet) in the network. Two-way fixed effects with the Goodman-Bacon "
            "decomposition show why the naive estimate can mislead under staggered joining; "
            "the headline is Callaway and Sant'Anna's group-time estimator (not-yet-treated "
            "comparison, doubly robust, multiplier bootstrap clustered by district, uniform "
            "bands), with an event study, a pre-trend test, a placebo outcome and the "
            "disrupted school years dropped as checks; synthetic control, synthetic "
            "difference-in-differences and a comparative interrupted time series "
            "(Driscoll-Kraay errors) as cross-checks; a multilevel model for the variance "
            "between districts and schools; the wild cluster bootstrap (Webb weights) and "
            "randomization inference for few treated districts; Holm's adjustment across "
            "outcomes.",
        ),
        (
            "Public data",
            "The inaugural network districts are compared with districts like "
            "them (nearest neighbours on enrolment proxies, baseline outcome, district type "
            "and county) on Priority 3 self-ratings and graduation. Need and readiness indices "
            "of every LEA are built from public Dashboard and Priority 3 files, standardised "
            "within LEA type and kept apart.",
        ),
        (
            "Wording of findings",
            "Every sentence stating a finding is written by "
            "cm.findings from the computed result: above or below the reference only when the "
            "whole confidence interval is; otherwise not distinguishable from it; too few to "
            "say when there is no estimate or interval; and nothing about cells of fewer than "
            "the threshold of people.",
        ),
    ]


def _privacy(min_cell: int, figures: list[dict]) -> str:
    cells = sum(f["suppressed_cells"] for f in figures)
    return (
        f"Nothing in this report describes fewer than {min_cell} people. Every number that "
        "left the analysis passed one release path: cells with fewer than "
        f"{min_cell} people are suppressed, counts that imply them are suppressed with them, "
        "and complementary suppression runs over the whole run's release ledger, so that no "
        f"total minus its parts recovers a cell ({cells} cell(s) were suppressed in the "
        "figures' data). Figures are drawn from released data only; tables shown in the "
        "notebook pages are released the same way; findings about a suppressed cell state "
        "no number. Respondent and participant ids were replaced by keyed hashes "
        "(HMAC-SHA-256) at ingest, with the key kept outside the processed data; names, "
        "e-mail addresses, phone numbers, street addresses and free text never reached the "
        "analysis tables. The run ends with an audit of every file in figures/ and reports/ "
        "(small counts, identifying columns, e-mails, phone numbers, addresses, names); its "
        "result is in audit.txt beside this report, and the run fails on any finding."
    )


def _fmt_num(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"
    return str(x)


def _finding_numbers(f: dict) -> str:
    """The numbers behind a stated finding ("" when it states none)."""
    if f.get("estimate") is None:
        return ""
    parts = []
    if f.get("estimate") is not None:
        parts.append(f"estimate {_fmt_num(f['estimate'])}")
    if f.get("ci_low") is not None and f.get("ci_high") is not None:
        lvl = f"{f['ci_level']:.0%} " if f.get("ci_level") else ""
        parts.append(f"{lvl}CI {_fmt_num(f['ci_low'])} to {_fmt_num(f['ci_high'])}")
    if f.get("n") is not None:
        parts.append(f"n = {f['n']:,}")
    return "; ".join(parts)


# -------------------------------------------------------------------------- outputs


def _css() -> str:
    return (
        "body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:52rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.45;color:#222}h1{font-size:1.6rem}"
        "h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}"
        "figure{margin:1.5rem 0;page-break-inside:avoid}figure img{max-width:100%;height:auto;"
        "border:1px solid #eee}figcaption{font-size:.92rem}.alt{font-size:.85rem;color:#555}"
        "table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #ddd;"
        "padding:.2rem .4rem;text-align:left;vertical-align:top}.mono{font-family:monospace;"
        "font-size:.8rem;word-break:break-all}.box{border:1px solid #b58900;border-left:6px "
        "solid #b58900;background:#fdf6e3;padding:.5rem 1rem;margin:.5rem 0}"
        ".fail{color:#b00000;font-weight:bold}.num{color:#555;font-size:.85rem}"
        "nav ol{columns:2}@media print{nav ol{columns:1}}"
    )


def write_report_html(
    out: Path,
    *,
    source: dict,
    runs: Sequence[NotebookRun],
    figures: list[dict],
    findings: list[dict],
    created: str,
    min_cell: int,
) -> Path:
    """``report.html``: one self-contained file (images embedded as ``data:`` URIs, styles
    inline, no script, no link to another file) with title, date, data source, methods,
    key findings, every figure in report order with caption and alt text, the sections
    not run and the notebooks that failed, and the privacy statement."""
    e = html.escape
    toc = [
        ("source", "Data source"),
        ("methods", "Methods in brief"),
        ("findings", "Key findings"),
        ("figures", "Figures"),
        ("coverage", "What ran, and what could not"),
        ("privacy", "Privacy"),
    ]
    fig_toc = "".join(
        f'<li><a href="#fig-{i}">Figure {i}. {e(f["name"])}</a></li>'
        for i, f in enumerate(figures, 1)
    )
    nav = "".join(f'<li><a href="#{a}">{e(t)}</a></li>' for a, t in toc)
    # source
    years = "".join(f"<li>{e(k)}: {e(v)}</li>" for k, v in source.get("years", {}).items())
    files = "".join(
        f"<tr><td>{e(f['file'])}</td><td class='mono'>{e(f['sha256'])}</td></tr>"
        for f in source.get("files", [])
    )
    synthetic = (
        "<p class='box'><strong>Synthetic demo data.</strong> Every number below comes from "
        "the package's synthetic demo world and says nothing about real districts.</p>"
        if source.get("synthetic")
        else ""
    )
    src_html = (
        f"{synthetic}<p>Data: {e(source['label'])}. Raw folder: <span class='mono'>"
        f"{e(source['raw_folder'])}</span>; processed snapshot {e(source.get('snapshot', ''))} "
        "(MANIFEST.json).</p>"
        f"<p>Years covered:</p><ul>{years or '<li>not known</li>'}</ul>"
        f"<details><summary>{len(source.get('files', []))} source file(s) with their SHA-256 "
        f"hashes</summary><table><tr><th>file</th><th>sha256</th></tr>{files}</table>"
        "</details>"
    )
    defs = "".join(f"<li>{e(d)}</li>" for d in _indicator_definitions())
    methods = "".join(
        f"<h3>{e(h)}</h3><p>{e(t)}</p>" + (f"<ul>{defs}</ul>" if i == 0 else "")
        for i, (h, t) in enumerate(_methods())
    )
    # findings
    by_nb: dict[str, list[dict]] = {}
    for f in findings:
        by_nb.setdefault(f.get("notebook", ""), []).append(f)
    fin = []
    for nb, fs in by_nb.items():
        items = "".join(
            f"<li>{e(f['statement'])}"
            + (
                f" <span class='num'>[{e(_finding_numbers(f))}]</span>"
                if _finding_numbers(f)
                else ""
            )
            + "</li>"
            for f in fs
        )
        fin.append(f"<h3>{e(nb)}</h3><ul>{items}</ul>")
    fin_html = "".join(fin) or "<p>No finding could be stated from these data.</p>"
    # figures
    figs = []
    for i, f in enumerate(figures, 1):
        figs.append(
            f'<figure id="fig-{i}"><img src="{_png_data_uri(f["png"])}" alt="{e(f["alt_text"])}">'
            f"<figcaption><strong>Figure {i}.</strong> {e(f['caption'])}"
            f"<br><span class='alt'>Alt text: {e(f['alt_text'])}</span>"
            f"<br><span class='alt'>Files in figures/: {e(', '.join(f['files']))}"
            f" (from {e(f['notebook'] or 'figures/')}).</span></figcaption></figure>"
        )
    figs_html = "".join(figs) or "<p>No figure was exported.</p>"
    # coverage
    rows = []
    for nb in runs:
        status = f"<span class='fail'>failed</span>: {e(nb.error)}" if not nb.ok else e(nb.status())
        skipped = "".join(
            f"<li><strong>{e(s.get('title', ''))}</strong>: would show {e(s.get('shows', ''))}; "
            f"not run because {e(s.get('reason', ''))}"
            + (f"; needs {e(s['needs'])}" if s.get("needs") else "")
            + "</li>"
            for s in nb.skipped
        )
        page = f"{nb.name}.html" if nb.page else "no page"
        rows.append(
            f"<tr><td>{e(nb.name)}<br><span class='num'>{e(page)}</span></td><td>{status}"
            f"{'<ul>' + skipped + '</ul>' if skipped else ''}</td></tr>"
        )
    cov_html = (
        "<p>Each notebook checks, section by section, whether the data can support the "
        "analysis (the same checks as <code>cei-metrics check</code>); a section that cannot "
        "run says why and what would enable it. The notebook pages, with every table, are "
        "the HTML files beside this report.</p>"
        f"<table><tr><th>notebook</th><th>status</th></tr>{''.join(rows)}</table>"
    )
    doc = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(TITLE)}</title><style>{_css()}</style></head><body>
<header><h1>{e(TITLE)}</h1>
<p>Report of {e(source["label"])}, created {e(created)} by cei_metrics.</p></header>
<nav aria-label="Contents"><h2>Contents</h2><ol>{nav}</ol>
<h3>Figures</h3><ol>{fig_toc or "<li>none</li>"}</ol></nav>
<main>
<section id="source"><h2>Data source</h2>{src_html}</section>
<section id="methods"><h2>Methods in brief</h2>{methods}</section>
<section id="findings"><h2>Key findings</h2>
<p>Each sentence is written from the computed result; the numbers in brackets, and the
call that computed each one, are in findings.json.</p>{fin_html}</section>
<section id="figures"><h2>Figures</h2>{figs_html}</section>
<section id="coverage"><h2>What ran, and what could not</h2>{cov_html}</section>
<section id="privacy"><h2>Privacy</h2><p>{e(_privacy(min_cell, figures))}</p></section>
</main></body></html>
"""
    _atomic_text(out, doc)
    return out


def write_docx(
    out: Path,
    *,
    source: dict,
    runs: Sequence[NotebookRun],
    figures: list[dict],
    findings: list[dict],
    created: str,
    min_cell: int,
) -> Path:
    """``report.docx`` (python-docx): the same content as ``report.html`` in an editable
    Word file; headings in Word's heading styles, a table of contents (a Word field,
    filled when the document is opened and fields updated, and a written list of the
    sections and figures), each figure at 6 inches with its caption and its alt text as
    the picture's description."""
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Inches, Pt

    doc = Document()
    doc.core_properties.title = TITLE
    doc.core_properties.author = "cei_metrics"
    doc.add_heading(TITLE, level=0)
    doc.add_paragraph(f"Report of {source['label']}, created {created} by cei_metrics.")
    if source.get("synthetic"):
        p = doc.add_paragraph()
        p.add_run("Synthetic demo data. ").bold = True
        p.add_run(
            "Every number comes from the synthetic demo world and says nothing about real districts."
        )

    doc.add_heading("Contents", level=1)
    p = doc.add_paragraph()
    run = p.add_run()
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), 'TOC \\o "1-2" \\h \\z \\u')
    run._r.append(fld)
    sections = [
        "Data source",
        "Methods in brief",
        "Key findings",
        "Figures",
        "What ran, and what could not",
        "Privacy",
    ]
    for s in sections:
        doc.add_paragraph(s, style="List Number")
    for i, f in enumerate(figures, 1):
        doc.add_paragraph(f"Figure {i}. {f['name']}", style="List Bullet")

    doc.add_heading("Data source", level=1)
    doc.add_paragraph(
        f"Data: {source['label']}. Raw folder: {source['raw_folder']}; processed snapshot "
        f"{source.get('snapshot', '')} (MANIFEST.json)."
    )
    for k, v in source.get("years", {}).items():
        doc.add_paragraph(f"{k}: {v}", style="List Bullet")
    files = source.get("files", [])
    if files:
        t = doc.add_table(rows=1, cols=2)
        t.style = "Table Grid"
        t.rows[0].cells[0].text, t.rows[0].cells[1].text = "source file", "sha256"
        for f in files:
            cells = t.add_row().cells
            cells[0].text, cells[1].text = f["file"], f["sha256"]
            for c in cells:
                for par in c.paragraphs:
                    for r in par.runs:
                        r.font.size = Pt(7)

    doc.add_heading("Methods in brief", level=1)
    for i, (h, text) in enumerate(_methods()):
        doc.add_heading(h, level=2)
        doc.add_paragraph(text)
        if i == 0:
            for d in _indicator_definitions():
                doc.add_paragraph(d, style="List Bullet")

    doc.add_heading("Key findings", level=1)
    if not findings:
        doc.add_paragraph("No finding could be stated from these data.")
    current = None
    for f in findings:
        if f.get("notebook") != current:
            current = f.get("notebook")
            doc.add_heading(str(current), level=2)
        p = doc.add_paragraph(style="List Bullet")
        p.add_run(f["statement"] + " ")
        nums = _finding_numbers(f)
        if nums:
            r = p.add_run(f"[{nums}]")
            r.font.size = Pt(8)

    doc.add_heading("Figures", level=1)
    for i, f in enumerate(figures, 1):
        pic = doc.add_picture(str(f["png"]), width=Inches(6.0))
        pic._inline.docPr.set("descr", f["alt_text"])
        pic._inline.docPr.set("title", f["name"])
        cap = doc.add_paragraph(style="Caption")
        cap.add_run(f"Figure {i}. ").bold = True
        cap.add_run(f["caption"])
        alt = doc.add_paragraph()
        r = alt.add_run(f"Alt text: {f['alt_text']}")
        r.font.size = Pt(8)
        r.italic = True
        if i < len(figures):
            alt.add_run().add_break(WD_BREAK.LINE)

    doc.add_heading("What ran, and what could not", level=1)
    for nb in runs:
        p = doc.add_paragraph(style="List Bullet")
        p.add_run(f"{nb.name}: ").bold = True
        p.add_run("failed: " + nb.error if not nb.ok else nb.status())
        for s in nb.skipped:
            q = doc.add_paragraph(style="List Bullet 2")
            q.add_run(f"{s.get('title', '')}: ").bold = True
            q.add_run(
                f"would show {s.get('shows', '')}; not run because {s.get('reason', '')}"
                + (f"; needs {s['needs']}" if s.get("needs") else "")
            )

    doc.add_heading("Privacy", level=1)
    doc.add_paragraph(_privacy(min_cell, figures))
    buf = io.BytesIO()
    doc.save(buf)
    _atomic_bytes(out, buf.getvalue())
    return out


def write_index(
    reports_dir: Path,
    *,
    source: dict,
    runs: Sequence[NotebookRun],
    figures: list[dict],
    findings: list[dict],
    created: str,
    audit_line: str = "",
) -> Path:
    """``reports/index.html``: what this run produced, with links to the files beside it
    (report.html, report.docx, findings.json, the notebook pages); no image, no link
    outside ``reports/``."""
    e = html.escape
    ran = sum(nb.ok for nb in runs)
    skipped = sum(len(nb.skipped) for nb in runs)

    def page(nb: NotebookRun) -> str:
        name = e(nb.name)
        link = f'<a href="{name}.html">{name}</a>' if nb.page else name
        status = e(nb.status()) if nb.ok else "<strong>failed</strong>: " + e(nb.error)
        return f"<li>{link}: {status}</li>"

    pages = "".join(page(nb) for nb in runs)
    fin = "".join(f"<li>{e(f['statement'])}</li>" for f in findings[:12])
    more = f"<p>{len(findings) - 12} more in the report.</p>" if len(findings) > 12 else ""
    figs = "".join(f"<li>{e(f['name'])}: {e(f['caption'])}</li>" for f in figures)
    doc = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(TITLE)}: index</title>
<style>{_css()}</style></head><body>
<h1>{e(TITLE)}</h1>
<p>Report of {e(source["label"])}, created {e(created)}.</p>
<p>{ran} of {len(runs)} notebook(s) ran; {skipped} section(s) could not run on these data;
{len(figures)} figure(s); {len(findings)} finding(s). {e(audit_line)}</p>
<ul><li><a href="report.html">report.html</a>: the whole report in one file</li>
<li><a href="report.docx">report.docx</a>: the same, to edit</li>
<li><a href="findings.json">findings.json</a>: every key finding with its value, interval,
n and the call that computed it</li></ul>
<h2>Key findings</h2><ul>{fin or "<li>none</li>"}</ul>{more}
<h2>Notebook pages</h2><ul>{pages}</ul>
<h2>Figures, in report order</h2><ol>{figs or "<li>none</li>"}</ol>
</body></html>
"""
    out = reports_dir / "index.html"
    _atomic_text(out, doc)
    return out


# ------------------------------------------------------------------------- the run


def run_report(
    raw_dir: str | os.PathLike = "data/raw",
    *,
    demo: bool = True,
    processed_dir: str | os.PathLike = "data/processed",
    figures_dir: str | os.PathLike = "figures",
    reports_dir: str | os.PathLike = "reports",
    notebooks_dir: str | os.PathLike = "notebooks",
    previous_dir: str | os.PathLike | None = None,
    seed: int = 2019,
    min_cell: int = 11,
    only: list[str] | None = None,
    audit: bool = True,
    instrument: str | os.PathLike = "family_engagement",
    parameters: dict | None = None,
    raise_on_failure: bool = True,
) -> ReportRun:
    """Run the whole pipeline; see the module docstring.

    Parameters
    ----------
    raw_dir : your raw folder (``demo=False``), or where the demo's raw files go.
    previous_dir : where an earlier run's outputs are moved (default
        ``previous_runs/`` beside ``reports_dir``).
    parameters : extra notebook parameters (e.g. ``{"N_BOOT": 199}``).
    raise_on_failure : raise (after writing everything) when the audit found anything
        (:class:`PrivacyError`) or a notebook failed (:class:`CEIError`).

    Returns
    -------
    ReportRun with the source, each notebook's status, the figures and findings, the
    audit and the paths written.
    """
    from rich.console import Console

    console = Console(stderr=False, highlight=False)
    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    figures_dir, reports_dir = Path(figures_dir), Path(reports_dir)
    notebooks_dir = Path(notebooks_dir)
    previous = Path(previous_dir) if previous_dir is not None else reports_dir.parent / PREVIOUS
    t0 = time.perf_counter()

    notebooks = sorted(notebooks_dir.glob("[0-9][0-9]_*.ipynb"))
    if only:
        notebooks = [nb for nb in notebooks if nb.name in only or nb.stem in only]
    if not notebooks:
        raise CEIError(
            "no notebooks to run", file=notebooks_dir, fix="run from the repository root"
        )
    if demo:
        from .datasets import write_demo_raw

        with console.status("Writing the synthetic demo world to " + str(raw_dir)):
            paths = write_demo_raw(raw_dir, seed=seed)
        console.print(f"[1/5] demo data: {len(paths)} raw files in {raw_dir}")
    from .io import ingest

    rep = ingest(raw_dir, processed_dir, progress=True, instrument=instrument)
    console.print(f"[2/5] ingest: {rep.summary().splitlines()[0]}")
    # the data are in: an earlier run's outputs go aside only now, so a failed ingest
    # leaves them where they were
    label = "the synthetic demo world" if demo else f"own data from {raw_dir}"
    archived = move_aside(figures_dir, reports_dir, previous, new_source=label)
    if archived is not None:
        console.print(
            f"      an earlier run's outputs were moved to {archived} (see {NOTE_FILE} "
            "there); this run writes a fresh set"
        )
    figures_dir.mkdir(parents=True, exist_ok=True)
    reports_dir.mkdir(parents=True, exist_ok=True)
    source = _source(raw_dir, processed_dir, demo, seed)
    created = datetime.now(UTC).isoformat(timespec="seconds")
    _atomic_text(
        reports_dir / RUN_FILE,
        json.dumps({"source": {k: source[k] for k in ("kind", "label")}, "created": created}),
    )

    from .privacy import LEDGER_ENV, LEDGER_FILE, Ledger

    before = os.environ.get(LEDGER_ENV)
    Ledger.start(figures_dir / LEDGER_FILE)  # one release ledger per report run
    params = {
        "DATA_DIR": str(processed_dir.resolve()),
        "FIGURES_DIR": str(figures_dir.resolve()),
        "SEED": seed,
        "MIN_CELL": min_cell,
        **(parameters or {}),
    }
    if str(instrument) != "family_engagement":
        from .instruments import load_instrument

        inst_path = Path(instrument)
        params["INSTRUMENT"] = str(inst_path.resolve()) if inst_path.exists() else str(instrument)
        load_instrument(params["INSTRUMENT"])
    runs: list[NotebookRun] = []
    from tqdm import tqdm

    for nb in tqdm(notebooks, desc="[3/5] notebooks", unit="nb"):
        executed = reports_dir / "executed" / nb.name
        t1 = time.perf_counter()
        error = ""
        try:
            execute_notebook(nb, executed, params, cwd=notebooks_dir)
        except CEIError as err:
            error = err.args[0] if err.args else str(err)
        except Exception as err:  # a kernel that died, a timeout: listed, the others run
            error = f"{type(err).__name__}: {err}"
        page = None
        if executed.exists():
            try:
                page = _to_html(executed, reports_dir / f"{nb.stem}.html")
            except Exception as err:  # pragma: no cover - nbconvert on a written notebook
                error = error or f"the page could not be written ({type(err).__name__}: {err})"
        got = collect_outputs(executed) if executed.exists() else {}
        runs.append(
            NotebookRun(
                name=nb.stem,
                ok=not error,
                error=str(error).splitlines()[0][:500] if error else "",
                seconds=time.perf_counter() - t1,
                page=page,
                figures=tuple(got.get("figures", [])),
                findings=tuple(got.get("findings", [])),
                skipped=tuple(got.get("skipped", [])),
            )
        )
        if error:
            console.print(f"  {nb.stem} FAILED: {runs[-1].error}")

    if before is None:  # the run's ledger is the run's: the calling process gets its own back
        os.environ.pop(LEDGER_ENV, None)
    else:
        os.environ[LEDGER_ENV] = before
    figures = _figure_list(figures_dir, runs)
    findings = [
        {"notebook": nb.name, **f} for nb in runs for f in nb.findings if isinstance(f, dict)
    ]
    doc = {
        "title": TITLE,
        "created": created,
        "source": source,
        "min_cell": min_cell,
        "notebooks": [
            {
                "name": nb.name,
                "status": "ran" if nb.ok else "failed",
                "error": nb.error,
                "sections_not_run": list(nb.skipped),
            }
            for nb in runs
        ],
        "findings": findings,
    }
    out = {
        "findings": reports_dir / "findings.json",
        "html": reports_dir / "report.html",
        "docx": reports_dir / "report.docx",
        "index": reports_dir / "index.html",
    }
    _atomic_text(out["findings"], json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    common = dict(source=source, runs=runs, figures=figures, findings=findings, created=created)
    write_report_html(out["html"], min_cell=min_cell, **common)
    write_docx(out["docx"], min_cell=min_cell, **common)
    write_index(reports_dir, **common)
    console.print(
        f"[4/5] reports: {sum(nb.page is not None for nb in runs)} notebook page(s), "
        f"report.html, report.docx, findings.json ({len(findings)} finding(s)), "
        f"{len(figures)} figure(s)"
    )

    result = None
    if audit:
        from .privacy import audit as run_audit

        result = run_audit(figures_dir, reports_dir, threshold=min_cell)
        _atomic_text(reports_dir / "audit.txt", result.summary() + "\n")
        console.print(f"[5/5] {result.summary()}")
    run = ReportRun(
        source=source,
        notebooks=tuple(runs),
        paths={"processed": processed_dir, "figures": figures_dir, "reports": reports_dir, **out},
        audit=result,
        archived=archived,
        created=created,
        figures=tuple(f["name"] for f in figures),
        findings=tuple(findings),
    )
    failed = [nb for nb in runs if not nb.ok]
    console.print(
        f"Done in {time.perf_counter() - t0:.0f} s.\n"
        f"  processed data: {processed_dir}\n  figures:        {figures_dir}\n"
        f"  reports:        {reports_dir} (open {out['html']})"
    )
    if raise_on_failure:
        if result is not None and not result.ok:
            raise PrivacyError(
                "the privacy audit of the exported figures and reports failed",
                file=f"{figures_dir}, {reports_dir}",
                fix="see the findings above (and audit.txt); release tables through "
                "cm.privacy.release (cm.viz.save and cm.findings.released_table do) and keep "
                "personal data out of notebook outputs",
            )
        if failed:
            raise CEIError(
                f"{len(failed)} notebook(s) failed: "
                + "; ".join(f"{nb.name}: {nb.error}" for nb in failed),
                file=reports_dir / "report.html",
                fix="the report lists them with their errors and the other notebooks' "
                "results; open reports/executed/<notebook>.ipynb for the traceback",
            )
    return run
