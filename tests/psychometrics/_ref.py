"""Load tests/reference/psychometrics_reference.py as a module."""

import importlib.util
from pathlib import Path

_path = Path(__file__).resolve().parents[1] / "reference" / "psychometrics_reference.py"
_spec = importlib.util.spec_from_file_location("psychometrics_reference", _path)
R = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(R)
