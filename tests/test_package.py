"""Package-level promises: fast import, the public API contract, the command line."""

from __future__ import annotations

import subprocess
import sys

import pytest

import cei_metrics as cm
from cei_metrics.cli import main

HEAVY = ("pandas", "numpy", "scipy", "statsmodels", "matplotlib", "pandera", "semopy", "seaborn")


def test_import_is_light():
    code = f"import sys, cei_metrics; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize(
    "path",
    [
        "load_demo",
        "io.read_cde",
        "io.ingest",
        "io.read_survey_export",
        "psychometrics.cronbach_alpha",
        "psychometrics.omega",
        "psychometrics.item_stats",
        "psychometrics.cfa",
        "psychometrics.dif",
        "psychometrics.scorecard",
        "psychometrics.reliability",
        "psychometrics.moments",
        "indicators.compute_all",
        "indicators.representation_index",
        "impact.effect_size",
        "impact.att_gt",
        "impact.synthetic_control",
        "impact.interrupted_time_series",
        "impact.multilevel",
        "viz.save",
    ],
)
def test_public_api_contract(path):
    obj = cm
    for part in path.split("."):
        obj = getattr(obj, part)
    assert callable(obj)


PACKAGES = (
    "io",
    "datasets",
    "indicators",
    "psychometrics",
    "impact",
    "impact.did",
    "impact.synth",
    "impact.inference",
    "viz",
)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_shadows_a_public_name(package):
    # a submodule named like a public function would replace it on import
    import importlib
    import pkgutil

    mod = importlib.import_module(f"cei_metrics.{package}")
    modules = {m.name for m in pkgutil.iter_modules(mod.__path__)}
    public = [n for n in mod.__all__ if not isinstance(getattr(mod, n), type(cm))]
    assert not modules & set(public), f"cm.{package}: {sorted(modules & set(public))}"
    for name in modules:
        importlib.import_module(f"cei_metrics.{package}.{name}")
    for name in public:
        obj = getattr(mod, name)
        assert not isinstance(obj, type(cm)), f"cm.{package}.{name}"


@pytest.mark.parametrize("package", PACKAGES)
def test_dir_lists_the_public_names(package):
    import importlib

    mod = importlib.import_module(f"cei_metrics.{package}")
    assert set(mod.__all__) <= set(dir(mod))


def test_cli_help_and_version(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    assert "report" in capsys.readouterr().out
    for sub in ("demo", "ingest", "report", "audit"):
        with pytest.raises(SystemExit) as e:
            main([sub, "--help"])
        assert e.value.code == 0


def test_cli_reports_input_errors_cleanly(tmp_path, capsys):
    code = main(["ingest", str(tmp_path / "nowhere"), str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err
    assert "raw data folder not found" in err and "How to fix" in err


@pytest.mark.slow
def test_cli_demo_ingest_audit(tmp_path, capsys):
    raw, out = tmp_path / "raw", tmp_path / "processed"
    assert main(["demo", "--raw", str(raw)]) == 0
    assert main(["ingest", str(raw), str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "synthetic demo data" in text and "Tables written" in text
    tabs = cm.io.load_tables(out)
    assert tabs.synthetic and not tabs.survey.empty and not tabs.outcomes.empty
    assert not tabs.ratings.empty and not tabs.participation.empty and not tabs.roster.empty


@pytest.mark.parametrize("package", PACKAGES)
def test_every_listed_public_name_resolves(package):
    import importlib

    mod = importlib.import_module(f"cei_metrics.{package}")
    for name in mod.__all__:
        assert getattr(mod, name) is not None, f"cm.{package}.{name}"
