"""The layers of DESIGN.md hold: import-linter's contracts (pyproject.toml) are kept.

A lower layer never imports a higher one (schemas <- io/datasets <- indicators,
psychometrics, impact, text, compare <- privacy <- viz <- report/cli), and the
infrastructure modules (errors, the result protocol, argument checks, lazy loading)
import no layer. Results reach viz only through the figure registry, loaded by name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_are_kept(capsys):
    importlinter = pytest.importorskip(
        "importlinter.cli", reason="import-linter is a dev dependency (pip install -e .[dev])"
    )
    code = importlinter.lint_imports(
        config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "3 kept, 0 broken" in out


def test_analysis_packages_never_name_viz():
    # the registry loads viz by name; no analysis module imports it, even lazily
    for pkg in ("impact", "psychometrics", "indicators"):
        for path in (ROOT / "cei_metrics" / pkg).rglob("*.py"):
            text = path.read_text()
            assert "import viz" not in text and ".viz import" not in text, path
