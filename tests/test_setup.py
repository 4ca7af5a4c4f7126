"""The set-up a fresh machine gets: the lock, the extras it covers, and environment.yml
mirroring it."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"

spec = importlib.util.spec_from_file_location(
    "environment", ROOT / "requirements" / "environment.py"
)
environment = importlib.util.module_from_spec(spec)
spec.loader.exec_module(environment)


def test_every_requirement_is_locked_within_its_range():
    locked = environment.locked_versions()
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for extra in environment.EXTRAS:
        reqs += meta["optional-dependencies"][extra]
    checked = 0
    for text in reqs:
        req = Requirement(text)
        name = environment.canon(req.name)
        if name == "cei-metrics":
            continue
        assert name in locked, f"{name} is not in {LOCK.name}: run `make lock`"
        assert req.specifier.contains(locked[name], prereleases=True), (
            f"{name}=={locked[name]} in the lock is outside {req.specifier}: run `make lock`"
        )
        checked += 1
    assert checked >= 30


def test_lock_pins_exact_versions_and_was_made_with_the_makefile_arguments():
    text = LOCK.read_text()
    pins = [ln for ln in text.splitlines() if ln and not ln.startswith((" ", "#"))]
    assert pins and all(re.match(r"^[A-Za-z0-9_.\-]+==[^ ;]+( ;.*)?$", p) for p in pins)
    make = (ROOT / "Makefile").read_text()
    args = re.search(r"^LOCK_ARGS := (.*)$", make, re.M).group(1).strip()
    assert f"uv pip compile {args}" in text, "the lock was not made by `make lock`"
    # both commands of the README install from the lock
    for target in ("$(STAMP)-notebooks:", "$(STAMP)-dev:"):
        body = make.split(target, 1)[1].split("\n\n", 1)[0]
        assert "-c $(LOCK)" in body, target


def test_environment_yml_mirrors_the_lock():
    assert (ROOT / "environment.yml").read_text() == environment.render(), (
        "environment.yml differs from the lock: run `make lock` "
        "(or `python requirements/environment.py > environment.yml`)"
    )


@pytest.mark.parametrize("name", ["moderndid", "csdid", "pingouin", "pysyncon", "differences"])
def test_anchor_libraries_of_the_cross_checks_are_installed(name):
    # `make test` installs the extra `anchors`, so the comparisons with them run
    assert importlib.util.find_spec(name) is not None, f"{name} missing: pip install -e .[dev]"
