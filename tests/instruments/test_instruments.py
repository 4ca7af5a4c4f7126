import pytest

import cei_metrics as cm
from cei_metrics.instruments import list_instruments, load_instrument, normalize_label


def test_shipped_instruments_load():
    assert {"family_engagement", "priority3_self_reflection"} <= set(list_instruments())
    fe = load_instrument("family_engagement")
    assert fe.scales["trust"] == ("trust_1", "trust_2", "trust_3", "trust_4")
    assert fe.reverse_items == ("comm_3",)
    p3 = load_instrument("priority3_self_reflection")
    assert len(p3.items) == 12 and len(p3.scales) == 3
    assert p3.state_score is False
    assert p3.response_labels["en"][5] == "Full Implementation and Sustainability"


@pytest.mark.parametrize(
    "label, code",
    [
        ("Strongly agree", 5),
        (" muy DE acuerdo ", 5),
        ("Muy de Acuérdo", 5),
        ("De acuerdo", 4),
        ("En desacuerdo", 2),
        ("4", 4),
    ],
)
def test_labels_map_to_codes_in_both_languages(label, code):
    assert load_instrument("family_engagement").code(label) == code


def test_dont_know_is_missing_with_reason():
    fe = load_instrument("family_engagement")
    assert fe.code("Don\u2019t know") is None
    assert fe.label_map()[normalize_label("No sé")] == (None, "dont_know")


def test_unknown_label_raises_with_fix():
    with pytest.raises(cm.InstrumentError, match="How to fix"):
        load_instrument("family_engagement").code("Sometimes")


def test_reverse_code():
    import pandas as pd

    fe = load_instrument("family_engagement")
    out = fe.reverse_code(pd.DataFrame({"comm_3": [1, 5, 2], "comm_1": [1, 5, 2]}))
    assert out["comm_3"].tolist() == [5, 1, 4]
    assert out["comm_1"].tolist() == [1, 5, 2]


@pytest.mark.parametrize(
    "text, key",
    [
        ("name: x\n", "languages"),
        (
            "name: x\nlanguages: [en]\npoints: 4\nresponse_labels: {en: {1: a, 2: b}}\nscales: {}\nitems: {}\n",
            "response_labels",
        ),
        (
            "name: x\nlanguages: [en]\npoints: 2\nresponse_labels: {en: {1: a, 2: b}}\n"
            "scales: {s: {items: [q9]}}\nitems: {q1: {}}\n",
            "scales",
        ),
        ("name: [x\n", None),
    ],
)
def test_malformed_instrument_names_file_and_key(tmp_path, text, key):
    p = tmp_path / "bad.yaml"
    p.write_text(text)
    with pytest.raises(cm.InstrumentError) as info:
        load_instrument(p)
    assert str(p) in str(info.value)
    if key:
        assert info.value.column == key
