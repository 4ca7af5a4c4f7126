"""Write environment.yml from requirements/lock.txt, so conda users get the locked set.

Run by ``make lock``: ``python requirements/environment.py > environment.yml``. Every
package the project asks for directly (pyproject.toml: core, notebooks, dev, anchors and
bench) is pinned to the version the lock gives for Python 3.11 on Linux; packages
conda-forge does not carry go in the pip section with the same pin. The rest of the lock
(transitive packages) is installed by pip from the lock itself, so nothing floats.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
PYTHON = "3.11"
#: the environment the pins are taken for (the lock is universal)
ENV = {
    "python_version": PYTHON,
    "python_full_version": f"{PYTHON}.7",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "os_name": "posix",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
}
#: on PyPI only (not on conda-forge under this name)
PIP_ONLY = {"semopy", "csdid", "differences", "moderndid", "pysyncon", "names", "uv"}
#: conda-forge spells these differently
CONDA_NAME = {"factor-analyzer": "factor_analyzer"}
EXTRAS = ("notebooks", "anchors", "text", "dev", "bench")


def canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_versions(lock: Path = LOCK) -> dict[str, str]:
    """Package -> version the lock gives for :data:`ENV`."""
    out: dict[str, str] = {}
    for line in lock.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        spec, _, marker = line.partition(";")
        if marker.strip() and not Marker(marker.strip()).evaluate(ENV):
            continue
        name, _, version = spec.strip().partition("==")
        out[canon(name)] = version.strip()
    return out


def direct_requirements() -> list[str]:
    """The distributions pyproject.toml names, in order, without the project itself."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for extra in EXTRAS:
        reqs += meta["optional-dependencies"].get(extra, [])
    names: list[str] = []
    for r in reqs:
        name = canon(Requirement(r).name)
        if name != "cei-metrics" and name not in names:
            names.append(name)
    return names


def render() -> str:
    versions = locked_versions()
    conda, pip = [], []
    for name in direct_requirements():
        pin = f"{CONDA_NAME.get(name, name)}=={versions[name]}"
        (pip if name in PIP_ONLY else conda).append(pin)
    lines = [
        "# conda users: `conda env create -f environment.yml && conda activate cei-metrics`",
        "# Generated from requirements/lock.txt by `make lock` (requirements/environment.py):",
        f"# the direct dependencies pinned to the lock's versions for Python {PYTHON}; pip",
        "# then installs the rest of the lock, so conda and `make` give the same set.",
        "name: cei-metrics",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        f"  - python={PYTHON}",
        *(f"  - {p}" for p in conda),
        "  - pip",
        "  - pip:",
        "      - -c requirements/lock.txt",
        *(f"      - {p}" for p in pip),
        '      - -e ".[dev,bench]"',
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
