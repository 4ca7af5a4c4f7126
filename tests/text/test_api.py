"""The text and weights names of the public API, and lazy loading."""

from __future__ import annotations

import subprocess
import sys

import pytest

import cei_metrics as cm


@pytest.mark.parametrize(
    "path",
    [
        "text.cohens_kappa",
        "text.fleiss_kappa",
        "text.krippendorff_alpha",
        "text.agreement_by_code",
        "text.load_codebook",
        "text.suggest_codes",
        "text.read_coding",
        "text.read_qdpx",
        "text.theme_shares",
        "text.code_cooccurrence",
        "text.collapse_duplicates",
        "text.explore_topics",
        "text.scrub_text",
        "indicators.response_rate",
        "indicators.representativeness",
        "indicators.rake",
        "indicators.trim_weights",
    ],
)
def test_public_names(path):
    obj = cm
    for part in path.split("."):
        obj = getattr(obj, part)
    assert callable(obj)


def test_text_is_a_submodule_and_loads_lazily():
    assert "text" in dir(cm)
    code = (
        "import sys, cei_metrics, cei_metrics.text; "
        "print(','.join(m for m in ('pandas', 'numpy', 'scipy', 'sklearn', 'krippendorff') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_free_text_is_described_in_call_never_kept():
    """``call`` records the arguments of a text function, but free text only by its
    type and size: a result never carries what people wrote."""
    comment = "Call me at 555-0100, Maria Lopez"
    calls = [
        cm.text.suggest_codes(comment).call,
        cm.text.suggest_codes({"r1": comment}).call,
        cm.text.collapse_duplicates([comment, comment]).call,
        cm.text.cohens_kappa(["a", "b", "a"], ["a", "b", "b"]).call,
    ]
    for call in calls:
        assert comment not in repr(dict(call))
    assert calls[0]["texts"] == "<str of 32 characters>"
    assert calls[1]["texts"] == "<dict of 1>"
    assert calls[2]["function"] == "collapse_duplicates" and calls[2]["threshold"] == 0.7
    assert calls[3]["a"] == "<list of 3>"
