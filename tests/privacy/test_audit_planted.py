"""The audit catches every planted leak, in every file type it reads.

Matrix (file type x leak kind) -- each row is one planted leak in its own folder:
CSV (comma, semicolon), TSV, pipe TXT, JSON (records and strings), notebook, HTML
(table and text), SVG, PDF, PNG metadata, Parquet, DOCX, a hidden folder; leaks: e-mail,
phone numbers in seven US forms, street addresses (English, Spanish, PO Box), names
(census first + last name, honorific, family, a name recorded at ingest), count columns
by meaning (n, respondents, families, participants, total, answered, rows, numerator/
denominator complement, Spanish names conteo, familias, encuestados, participantes,
respondieron, filas, denominador), identifying columns.
"""

from __future__ import annotations

import json
import zipfile

import pandas as pd
import pytest

from cei_metrics.privacy import audit, keys


def _csv(df, sep=","):
    def w(d, name="t.csv"):
        df.to_csv(d / name, index=False, sep=sep)

    return w


def _text(name, text):
    def w(d):
        (d / name).write_text(text, encoding="utf-8")

    return w


def _html(body):
    return _text("page.html", f"<html><body>{body}</body></html>")


def _svg(text):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def w(d):
        fig, ax = plt.subplots()
        ax.set_title(text)
        fig.savefig(d / "fig.svg")
        plt.close(fig)

    return w


def _pdf(text):
    import matplotlib.pyplot as plt

    def w(d):
        fig, ax = plt.subplots()
        ax.set_title(text)
        fig.savefig(d / "fig.pdf")
        plt.close(fig)

    return w


def _png(key, text):
    from PIL import Image, PngImagePlugin

    def w(d):
        info = PngImagePlugin.PngInfo()
        info.add_text(key, text)
        Image.new("RGB", (4, 4)).save(d / "fig.png", pnginfo=info)

    return w


def _parquet(df):
    def w(d):
        df.to_parquet(d / "t.parquet")

    return w


def _docx(text):
    def w(d):
        with zipfile.ZipFile(d / "report.docx", "w") as z:
            z.writestr("word/document.xml", f"<w:document><w:t>{text}</w:t></w:document>")

    return w


def _hidden(df):
    def w(d):
        (d / ".cache" / "deep").mkdir(parents=True)
        df.to_csv(d / ".cache" / "deep" / "t.csv", index=False)

    return w


def _nb(html):
    def w(d):
        nb = {"cells": [{"cell_type": "code", "outputs": [{"data": {"text/html": [html]}}]}]}
        (d / "nb.ipynb").write_text(json.dumps(nb))

    return w


N = "n"
PLANTED = [
    # (id, file type, leak kind, writer, expected text in a finding or column)
    ("csv-n", "csv", "count n", _csv(pd.DataFrame({"g": ["a"], N: [7]})), "n"),
    (
        "csv-respondents",
        "csv",
        "count respondents",
        _csv(pd.DataFrame({"g": ["a"], "respondents": [3]})),
        "respondents",
    ),
    (
        "semicolon-families",
        "csv ;",
        "count families",
        _csv(pd.DataFrame({"g": ["a", "b"], "families": [40, 4]}), sep=";"),
        "families",
    ),
    (
        "tsv-total",
        "tsv",
        "count total",
        lambda d: pd.DataFrame({"g": ["a"], "total": [9]}).to_csv(
            d / "t.tsv", sep="\t", index=False
        ),
        "total",
    ),
    (
        "pipe-participants",
        "txt |",
        "count participants",
        lambda d: pd.DataFrame({"g": ["a"], "participants": [2]}).to_csv(
            d / "t.txt", sep="|", index=False
        ),
        "participants",
    ),
    ("csv-answered", "csv", "count answered", _csv(pd.DataFrame({"answered": [6]})), "answered"),
    ("csv-rows", "csv", "count rows", _csv(pd.DataFrame({"rows": [8]})), "rows"),
    (
        "csv-complement",
        "csv",
        "numerator complement",
        _csv(pd.DataFrame({"numerator": [95], "denominator": [100]})),
        "numerator",
    ),
    ("csv-es-conteo", "csv", "Spanish conteo", _csv(pd.DataFrame({"Conteo": [5]})), "Conteo"),
    (
        "csv-es-familias",
        "csv ;",
        "Spanish familias",
        _csv(pd.DataFrame({"Número de familias": [4]}), sep=";"),
        "Número de familias",
    ),
    (
        "json-es-encuestados",
        "json records",
        "Spanish encuestados",
        _text("t.json", json.dumps({"tabla": [{"grupo": "a", "encuestados": 3}]})),
        "encuestados",
    ),
    (
        "parquet-participantes",
        "parquet",
        "Spanish participantes",
        _parquet(pd.DataFrame({"participantes": [2]})),
        "participantes",
    ),
    (
        "html-respondieron",
        "html table",
        "Spanish respondieron",
        _html(
            "<table><tr><th>grupo</th><th>respondieron</th></tr><tr><td>a</td><td>4</td>"
            "</tr></table>"
        ),
        "respondieron",
    ),
    (
        "nb-filas",
        "notebook",
        "Spanish filas",
        _nb("<table><tr><th>filas</th></tr><tr><td>10</td></tr></table>"),
        "filas",
    ),
    (
        "hidden-denominador",
        "hidden csv",
        "Spanish denominador",
        _hidden(pd.DataFrame({"numerador": [1], "denominador": [40]})),
        "numerador",
    ),
    (
        "csv-email-col",
        "csv",
        "identifying column",
        _csv(pd.DataFrame({"email": ["x"], N: [40]})),
        "email",
    ),
    (
        "csv-email",
        "csv",
        "e-mail",
        _csv(pd.DataFrame({"note": ["maria.lopez@gmail.com"]})),
        "e-mail",
    ),
    (
        "json-email",
        "json string",
        "e-mail",
        _text("side.json", json.dumps({"caption": "contact j.doe@district.k12.ca.us"})),
        "e-mail",
    ),
    (
        "csv-phone-paren",
        "csv",
        "phone (562) 555-0134",
        _csv(pd.DataFrame({"x": ["(562) 555-0134"]})),
        "phone",
    ),
    (
        "csv-phone-dash",
        "csv",
        "phone 562-555-0134",
        _csv(pd.DataFrame({"x": ["call 562-555-0134"]})),
        "phone",
    ),
    (
        "txt-phone-dots",
        "txt",
        "phone 562.555.0134",
        _text("notes.txt", "tel 562.555.0134"),
        "phone",
    ),
    (
        "html-phone-plus1",
        "html text",
        "phone +1 562 555 0134",
        _html("<p>Call +1 562 555 0134</p>"),
        "phone",
    ),
    ("svg-phone-bare", "svg", "phone 5625550134", _svg("text 5625550134 now"), "phone"),
    ("pdf-phone-1dash", "pdf", "phone 1-562-555-0134", _pdf("1-562-555-0134"), "phone"),
    (
        "png-phone",
        "png metadata",
        "phone +15625550134",
        _png("Comment", "owner +15625550134"),
        "phone",
    ),
    (
        "html-address",
        "html text",
        "street address",
        _html("<p>Family night at 1432 W Maple Ave</p>"),
        "street address",
    ),
    (
        "csv-address-es",
        "csv",
        "street address (Spanish)",
        _csv(pd.DataFrame({"event": ["Reunión en Calle Sol 12"]})),
        "street address",
    ),
    ("docx-pobox", "docx", "PO Box", _docx("Write to PO Box 1234"), "street address"),
    ("pdf-name", "pdf", "census first + last name", _pdf("Thanks to Maria Lopez"), "person's name"),
    ("svg-honorific", "svg", "honorific + name", _svg("Invited by Mrs. Hernandez"), "honorific"),
    (
        "csv-family",
        "csv",
        "family named",
        _csv(pd.DataFrame({"event_id": ["Familia Ramirez"]})),
        "family named",
    ),
    ("png-email", "png metadata", "e-mail", _png("Author", "ana@example.org"), "e-mail"),
]


@pytest.mark.parametrize(
    "writer, expect", [(p[3], p[4]) for p in PLANTED], ids=[p[0] for p in PLANTED]
)
def test_audit_catches_each_planted_leak(tmp_path, writer, expect):
    writer(tmp_path)
    res = audit(tmp_path)
    assert not res.ok, f"missed: {expect}"
    hay = " ".join(res.findings["what"]) + " " + " ".join(res.findings["column"])
    assert expect in hay, res.summary()


def test_matrix_covers_at_least_25_leaks_and_every_file_type():
    assert len(PLANTED) >= 25
    kinds = {p[1].split()[0] for p in PLANTED}
    assert {
        "csv",
        "tsv",
        "txt",
        "json",
        "html",
        "svg",
        "pdf",
        "png",
        "parquet",
        "notebook",
        "docx",
        "hidden",
    } <= kinds


def test_a_name_recorded_at_ingest_is_found_without_storing_it(tmp_path, monkeypatch):
    monkeypatch.setenv(keys.CONFIG_ENV, str(tmp_path / "cfg"))
    keys.record_names(["Xochitl Quetzalli"])  # not in any census list
    out = tmp_path / "out"
    out.mkdir()
    (out / "t.csv").write_text("event\nPotluck hosted by Xochitl\n")
    res = audit(out)
    assert "a name recorded at ingest" in " ".join(res.findings["what"])
    assert "xochitl" not in (tmp_path / "cfg" / keys.NAMES_FILE).read_text().lower()


def test_all_planted_leaks_in_one_folder_each_file_flagged(tmp_path):
    for i, p in enumerate(PLANTED):
        d = tmp_path / f"case{i:02d}"
        d.mkdir()
        p[3](d)
    res = audit(tmp_path)
    flagged = {f.split("/")[-2] if "/.cache/" not in f else "hidden" for f in res.findings["file"]}
    assert len({f for f in flagged if f.startswith("case")}) >= len(PLANTED) - 1


def test_honest_output_passes(tmp_path):
    pd.DataFrame(
        {
            "district_id": ["0196511"],
            "wave": [1],
            "n": [120],
            "respondents": [0],
            "estimate": [-0.25],
            "label": ["Anaheim Union High"],
            "cds": ["30664310000000"],
        }
    ).to_csv(tmp_path / "ok.csv", index=False)
    (tmp_path / "ok.html").write_text(
        "<p>Trust rose in Grant Joint Union and Cajon Valley Union; 2019-20 to 2023-24.</p>"
    )
    res = audit(tmp_path)
    assert res.ok, res.summary()


def test_public_lea_names_are_not_person_names(tmp_path):
    # CDE directory names that look like a first name and a surname
    labels = ["John Swett Unified", "Sierra Sands Unified", "Beverly Hills Unified"]
    pd.DataFrame({"label": labels, "need": [0.1, 0.2, 0.3]}).to_csv(
        tmp_path / "ok.csv", index=False
    )
    assert audit(tmp_path).ok
    # the same first name with a surname that names no LEA is still a person's name
    pd.DataFrame({"label": ["John Smith"]}).to_csv(tmp_path / "leak.csv", index=False)
    res = audit(tmp_path)
    assert not res.ok and "John Smith" in " ".join(res.findings["what"])


def test_html_pivot_with_a_multilevel_header_is_read_and_checked(tmp_path):
    cols = pd.MultiIndex.from_product([["estimate", "n"], ["2016-17", "2017-18"]])
    df = pd.DataFrame([[81.2, 83.0, 120, 7]], columns=cols, index=pd.Index(["A"], name="name"))
    (tmp_path / "page.html").write_text(f"<html><body>{df.to_html()}</body></html>")
    res = audit(tmp_path)
    what = " ".join(res.findings["what"])
    assert "unreadable" not in what
    # the second year's n (7) is a small count under a repeated header
    assert "count 7 below 11" in what and "count 120" not in what


def test_html_pivot_index_keeps_its_own_name_not_the_columns_name(tmp_path):
    # pandas writes the columns' name ("el_family", a count-like word) above the index's
    df = pd.DataFrame({"session": [1, 2, 3], "el_family": [True, False, True], "share": [0.5] * 3})
    piv = df.pivot(index="session", columns="el_family", values="share")
    (tmp_path / "page.html").write_text(f"<html><body>{piv.to_html()}</body></html>")
    assert audit(tmp_path).ok
