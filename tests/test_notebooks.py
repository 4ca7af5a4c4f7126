"""Every notebook is committed clean, with its header and parameters.

That every notebook runs top to bottom on the demo data and on own-data folders is
tested by the report runs of ``tests/test_report.py``, which execute them all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS][:1] == ["01_data_intake.ipynb"]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_committed_clean_with_header_and_parameters(nb):
    doc = json.loads(nb.read_text(encoding="utf-8"))
    cells = doc["cells"]
    assert cells[0]["cell_type"] == "markdown"
    head = "".join(cells[0]["source"]).lower()
    assert "question" in head and "data" in head
    assert "parameters" in cells[1].get("metadata", {}).get("tags", [])
    params = "".join(cells[1]["source"])
    for name in ("DATA_DIR", "FIGURES_DIR", "SEED", "MIN_CELL"):
        assert name in params
    for c in cells:
        if c["cell_type"] == "code":
            assert not c.get("outputs") and c.get("execution_count") is None
    src = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert "plt.show" not in src and "import matplotlib" not in src
