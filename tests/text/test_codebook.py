"""Codebook loading and validation, and keyword suggestions."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from cei_metrics.text import (
    CodebookError,
    available_codebooks,
    load_codebook,
    suggest_codes,
)

STARTER_CODES = {
    "communication",
    "language_access",
    "trust",
    "voice",
    "logistics",
    "childcare",
    "welcoming",
    "partnership",
}


def test_starter_codebook_ships_bilingual():
    assert "family_engagement" in available_codebooks()
    cb = load_codebook()
    assert set(cb.ids) == STARTER_CODES
    assert cb.languages == ("en", "es")
    for code in cb.codes:
        assert set(code.label) == set(code.definition) == {"en", "es"}
        assert {r.language for r in code.rules} == {"en", "es"}
        assert set(code.examples) == {"en", "es"}
    frame = cb.to_frame()
    assert len(frame) == 2 * len(cb.codes)
    assert "suggestions only" in cb.summary()


def test_codebook_is_a_container_with_a_one_line_repr():
    """A codebook is configuration, not a result: no result protocol, but a clear repr,
    a summary and a notebook display."""
    from cei_metrics._results import ResultMixin

    cb = load_codebook()
    assert not isinstance(cb, ResultMixin)
    text = repr(cb)
    assert text.startswith("<Codebook 'family_engagement'") and "\n" not in text
    assert f"{len(cb.codes)} codes in en, es" in text
    assert str(cb) == cb.summary()
    assert "<table" in cb._repr_html_() and "language_access" in cb._repr_html_()
    with pytest.raises(AttributeError):
        cb.name = "other"  # frozen


def test_suggestions_keep_the_old_name_of_n_with_a_warning():
    s = suggest_codes(["No hubo intérprete en la junta", "Nothing"])
    assert s.n == 2
    with pytest.warns(FutureWarning, match=r"use \.n"):
        assert s.n_texts == 2
    frame = s.to_frame()
    assert list(frame.columns[:2]) == ["term", "segment_id"]
    assert frame["term"].tolist() == ["0", "0"]  # the segment id, as text


def test_starter_rules_recognise_their_own_examples():
    """Every example of a code, in either language, gets that code suggested."""
    cb = load_codebook()
    for code in cb.codes:
        for lang, examples in code.examples.items():
            for text in examples:
                got = set(suggest_codes([text], cb).to_frame()["code"])
                assert code.id in got, f"{code.id} ({lang}) not suggested for {text!r}"


def test_package_data_is_declared():
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    data = pyproject["tool"]["setuptools"]["package-data"]["cei_metrics"]
    assert "text/codebooks/*.yaml" in data


def test_suggestions_ignore_case_and_accents_and_report_the_rule():
    texts = pd.Series(
        {
            "r1": "No había INTÉRPRETE en la junta",
            "r2": "no habia interprete en la junta",
            "r3": "We need a TRANSLATOR at meetings",
            "r4": "Nothing to add.",
        }
    )
    s = suggest_codes(texts)
    t = s.to_frame()
    assert set(t["segment_id"]) == {"r1", "r2", "r3"}
    assert set(t["code"]) == {"language_access"}
    assert (t["status"] == "suggested").all()
    r1 = t[(t["segment_id"] == "r1") & (t["rule"] == "interprete*")].iloc[0]
    assert r1["match"] == "INTÉRPRETE"  # reported as written in the original text
    assert texts["r1"][r1["start"] : r1["end"]] == "INTÉRPRETE"
    r3 = t[t["segment_id"] == "r3"].iloc[0]
    assert r3["rule"] == "translat*" and r3["match"] == "TRANSLATOR"
    assert "not codes" in s.summary()
    sheet = s.review_sheet()
    assert sheet["confirmed"].isna().all() and len(sheet) == 3


def test_keywords_match_whole_words_and_phrases():
    cb = load_codebook(
        {
            "codebook": "tiny",
            "languages": ["en"],
            "codes": [
                {
                    "id": "care",
                    "label": {"en": "Care"},
                    "definition": {"en": "Childcare"},
                    "rules": {"en": ["child care", "sitter*", {"regex": r"\bnann(y|ies)\b"}]},
                }
            ],
        }
    )
    hits = suggest_codes(
        ["Child   care please", "babysitters", "the sitters", "Nannies help", "childcareless"], cb
    ).to_frame()
    assert sorted(hits["segment_id"]) == [0, 2, 3]


def _write(tmp_path, text: str):
    p = tmp_path / "cb.yaml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


GOOD = """\
    codebook: test
    languages: [en, es]
    codes:
      - id: trust
        label: {en: Trust, es: Confianza}
        definition: {en: Trust in staff, es: Confianza en el personal}
        rules:
          en: [trust*]
          es: [confian*]
    """


def test_good_file_loads(tmp_path):
    cb = load_codebook(_write(tmp_path, GOOD))
    assert cb.ids == ("trust",) and cb.file.endswith("cb.yaml")


@pytest.mark.parametrize(
    ("change", "where", "line", "what"),
    [
        (("es: Confianza}", "fr: Confiance}"), "codes[0].label.fr", 5, "not among"),
        (
            (
                "definition: {en: Trust in staff, es: Confianza en el personal}",
                "definition: {en: Trust in staff}",
            ),
            "codes[0].definition",
            6,
            "no 'es' text",
        ),
        (("- id: trust", "- id: Trust"), "codes[0].id", 4, "lower case"),
        (
            ("es: [confian*]", "es: [{regex: '(unclosed'}]"),
            "codes[0].rules.es[0].regex",
            9,
            "does not compile",
        ),
        (
            ("es: [confian*]", "es: [{regex: 'x*'}]"),
            "codes[0].rules.es[0].regex",
            9,
            "matches empty text",
        ),
        (
            ("es: [confian*]", "es: ['con*fian']"),
            "codes[0].rules.es[0]",
            9,
            "other than at the end",
        ),
        (("en: [trust*]", "de: [trust*]"), "codes[0].rules.de", 8, "not among"),
        (("  - id: trust", "  - id: trust\n    colour: red"), "codes[0].colour", 5, "unknown key"),
    ],
)
def test_bad_files_name_file_key_and_line(tmp_path, change, where, line, what):
    old, new = change
    text = textwrap.dedent(GOOD)
    assert old in text
    p = _write(tmp_path, text.replace(old, new))
    with pytest.raises(CodebookError) as err:
        load_codebook(p)
    e = err.value
    assert e.file == str(p)
    assert e.column == where
    assert e.row == line
    assert what in str(e)
    assert "How to fix" in str(e)


def test_duplicate_ids_and_yaml_syntax(tmp_path):
    dup = textwrap.dedent(GOOD) + textwrap.indent(
        textwrap.dedent(
            """\
            - id: trust
              label: {en: T, es: C}
              definition: {en: T, es: C}
            """
        ),
        "  ",
    )
    with pytest.raises(CodebookError, match="used twice"):
        load_codebook(_write(tmp_path, dup))
    with pytest.raises(CodebookError) as err:
        load_codebook(_write(tmp_path, "codebook: x\nlanguages: [en\ncodes: []\n"))
    assert "not valid YAML" in str(err.value) and err.value.row is not None
    with pytest.raises(CodebookError, match="no codebook called"):
        load_codebook("no_such_codebook")
    with pytest.raises(CodebookError, match="not found"):
        load_codebook(tmp_path / "missing.yaml")


def test_suggest_codes_language_filter_and_errors():
    s = suggest_codes(["I trust the teacher; confío en ella"], languages=["es"])
    assert set(s.to_frame()["language"]) == {"es"}
    with pytest.raises(CodebookError, match="language 'fr'"):
        suggest_codes(["x"], languages=["fr"])
