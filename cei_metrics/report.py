"""The whole pipeline in one call: demo data (or yours) -> ingest -> notebooks -> reports.

:func:`run_report` is what ``make report`` and ``cei-metrics report`` run. It

1. writes the synthetic demo world to ``data/raw/`` (unless given your own raw folder),
2. ingests the raw files into ``data/processed/``,
3. executes every notebook in ``notebooks/`` with papermill, passing the parameters
   ``DATA_DIR``, ``FIGURES_DIR``, ``SEED`` and ``MIN_CELL``,
4. writes each executed notebook as HTML to ``reports/`` and a ``reports/index.html``
   listing every figure in ``figures/`` with its caption and links to its files,
5. audits ``figures/`` and ``reports/`` (every file, hidden ones included) for small cells
   and personal data, and fails on any finding,
6. prints where everything is.
"""

from __future__ import annotations

import html
import json
import os
import time
from pathlib import Path

from .errors import CEIError, PrivacyError

__all__ = ["execute_notebook", "run_report", "write_index"]


def _atomic_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
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
    CEIError naming the notebook and the failing cell when execution fails.
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


def write_index(reports_dir: Path, figures_dir: Path, notebook_pages: list[Path]) -> Path:
    """Write ``reports/index.html``: the executed notebooks and every figure with its caption."""
    rel = os.path.relpath(figures_dir, reports_dir)
    items = []
    for side in sorted(figures_dir.glob("*.json")):
        try:
            meta = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        name = side.stem
        links = " · ".join(
            f'<a href="{rel}/{name}.{ext}">{ext.upper()}</a>'
            for ext in ("png", "svg", "pdf", "csv", "json")
            if (figures_dir / f"{name}.{ext}").exists()
        )
        cap = html.escape(str(meta.get("caption", "")))
        alt = html.escape(str(meta.get("alt_text", "")))
        stamp = " <em>(synthetic demo data)</em>" if meta.get("synthetic") else ""
        items.append(
            f'<figure><a href="{rel}/{name}.png"><img src="{rel}/{name}.png" alt="{alt}" '
            f'width="480"></a><figcaption><strong>{html.escape(name)}</strong>{stamp}: {cap}'
            f"<br>{links}</figcaption></figure>"
        )
    pages = "".join(
        f'<li><a href="{html.escape(p.name)}">{html.escape(p.stem)}</a></li>'
        for p in notebook_pages
    )
    doc = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cei_metrics report</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
figure{{display:inline-block;vertical-align:top;width:30rem;margin:1rem}}
figcaption{{font-size:90%}}</style></head><body>
<h1>cei_metrics report</h1>
<h2>Notebooks</h2><ul>{pages}</ul>
<h2>Figures ({len(items)})</h2>
{"".join(items) or "<p>No figures were exported.</p>"}
</body></html>
"""
    out = reports_dir / "index.html"
    _atomic_text(out, doc)
    return out


def run_report(
    raw_dir: str | os.PathLike = "data/raw",
    *,
    demo: bool = True,
    processed_dir: str | os.PathLike = "data/processed",
    figures_dir: str | os.PathLike = "figures",
    reports_dir: str | os.PathLike = "reports",
    notebooks_dir: str | os.PathLike = "notebooks",
    seed: int = 2019,
    min_cell: int = 11,
    only: list[str] | None = None,
    audit: bool = True,
    instrument: str | os.PathLike = "family_engagement",
) -> dict[str, Path]:
    """Run the whole pipeline; see the module docstring. Returns the output folders."""
    from rich.console import Console

    console = Console(stderr=False, highlight=False)
    raw_dir, processed_dir = Path(raw_dir), Path(processed_dir)
    figures_dir, reports_dir = Path(figures_dir), Path(reports_dir)
    notebooks_dir = Path(notebooks_dir)
    t0 = time.perf_counter()

    if demo:
        from .datasets import write_demo_raw

        with console.status("Writing the synthetic demo world to " + str(raw_dir)):
            paths = write_demo_raw(raw_dir, seed=seed)
        console.print(f"[1/4] demo data: {len(paths)} raw files in {raw_dir}")
    from .io import ingest

    report = ingest(raw_dir, processed_dir, progress=True, instrument=instrument)
    console.print(f"[2/4] ingest: {report.summary().splitlines()[0]}")

    notebooks = sorted(notebooks_dir.glob("[0-9][0-9]_*.ipynb"))
    if only:
        notebooks = [nb for nb in notebooks if nb.name in only or nb.stem in only]
    if not notebooks:
        raise CEIError(
            "no notebooks to run", file=notebooks_dir, fix="run from the repository root"
        )
    figures_dir.mkdir(parents=True, exist_ok=True)
    from .privacy import LEDGER_FILE, Ledger

    Ledger.start(figures_dir / LEDGER_FILE)  # one release ledger per report run
    params = {
        "DATA_DIR": str(processed_dir.resolve()),
        "FIGURES_DIR": str(figures_dir.resolve()),
        "SEED": seed,
        "MIN_CELL": min_cell,
    }
    if str(instrument) != "family_engagement":
        from .instruments import load_instrument

        inst_path = Path(instrument)
        params["INSTRUMENT"] = str(inst_path.resolve()) if inst_path.exists() else str(instrument)
        load_instrument(params["INSTRUMENT"])
    pages = []
    from tqdm import tqdm

    for nb in tqdm(notebooks, desc="[3/4] notebooks", unit="nb"):
        executed = reports_dir / "executed" / nb.name
        execute_notebook(nb, executed, params, cwd=notebooks_dir)
        pages.append(_to_html(executed, reports_dir / f"{nb.stem}.html"))
    index = write_index(reports_dir, figures_dir, pages)
    console.print(f"[4/4] reports: {len(pages)} notebook page(s) and {index}")

    if audit:
        from .privacy import audit as run_audit

        result = run_audit(figures_dir, reports_dir, threshold=min_cell)
        console.print(result.summary())
        if not result.ok:
            raise PrivacyError(
                "the privacy audit of the exported figures and reports failed",
                file=f"{figures_dir}, {reports_dir}",
                fix="see the findings above; release tables through cm.privacy.release "
                "(cm.viz.save does) and keep personal data out of notebook outputs",
            )
    console.print(
        f"Done in {time.perf_counter() - t0:.0f} s.\n"
        f"  processed data: {processed_dir}\n  figures:        {figures_dir}\n"
        f"  reports:        {reports_dir} (open {index})"
    )
    return {"processed": processed_dir, "figures": figures_dir, "reports": reports_dir}
