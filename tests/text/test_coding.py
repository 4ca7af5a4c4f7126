"""Coding import: CSV (long, wide) and REFI-QDA .qdpx (a hand-written fixture and
projects built here)."""

from __future__ import annotations

import re
import shutil
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cei_metrics.errors import CEIError, SchemaError, UnknownFormatError
from cei_metrics.text import agreement_by_code, presence, read_coding, read_qdpx

QDPX_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "qdpx"
FIXTURE = QDPX_DIR / "family_comments.qdpx"
NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"
GUID = re.compile(
    r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
    r"|^(\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\})$"
)

# --- CSV ------------------------------------------------------------------------------------


def test_long_layout_with_multiple_codes_and_blank(tmp_path):
    p = tmp_path / "coding.csv"
    p.write_text(
        "Segment,Coder,Code,district\n"
        "s1,Ana,trust,A\n"
        "s1,Beto,trust; voice,A\n"
        "s2,Ana,,B\n"
        "s2,Beto,communication | communication,B\n",
        encoding="utf-8",
    )
    out = read_coding(p)
    assert list(out.columns[:3]) == ["segment_id", "coder", "code"]
    got = {(r.segment_id, r.coder, None if pd.isna(r.code) else r.code) for r in out.itertuples()}
    assert got == {
        ("s1", "Ana", "trust"),
        ("s1", "Beto", "trust"),
        ("s1", "Beto", "voice"),
        ("s2", "Ana", None),
        ("s2", "Beto", "communication"),
    }
    assert set(out["district"]) == {"A", "B"}


def test_wide_layout_equals_long(tmp_path):
    wide = pd.DataFrame(
        {
            "comment_id": ["s1", "s1", "s2", "s2"],
            "rater": ["Ana", "Beto", "Ana", "Beto"],
            "trust": ["1", "x", "", "0"],
            "voice": ["0", "yes", "", "no"],
            "communication": ["", "", "", "Sí"],
            "text": ["a", "a", "b", "b"],
        }
    )
    out = read_coding(wide)
    assert "text" in out.columns and "trust" not in out.columns
    got = {(r.segment_id, r.coder, None if pd.isna(r.code) else r.code) for r in out.itertuples()}
    assert got == {
        ("s1", "Ana", "trust"),
        ("s1", "Beto", "trust"),
        ("s1", "Beto", "voice"),
        ("s2", "Ana", None),
        ("s2", "Beto", "communication"),
    }
    # one coder, named by the caller; codes given explicitly
    one = read_coding(
        wide.drop(columns="rater").iloc[[0, 2]], coder="Ana", codes=["trust", "voice"]
    )
    assert set(one["coder"]) == {"Ana"}


def test_coding_errors_name_row_and_column(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("segment,coder,code\ns1,Ana,trust\n,Ana,voice\n", encoding="utf-8")
    with pytest.raises(SchemaError) as e:
        read_coding(p)
    assert e.value.row == 2 and e.value.column == "segment" and e.value.file == str(p)
    p.write_text("segment,coder,code\ns1,Ana,trust\ns2,Ana,trusst\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="not in codebook") as e:
        read_coding(p, codebook="family_engagement")
    assert e.value.row == 2 and e.value.column == "code"
    wide = pd.DataFrame({"id": ["s1"], "coder": ["A"], "trust": ["maybe"]})
    with pytest.raises(SchemaError, match="not a code mark") as e:
        read_coding(wide, codes=["trust"])
    assert e.value.row == 1 and e.value.column == "trust"
    with pytest.raises(SchemaError, match="no coder column"):
        read_coding(pd.DataFrame({"id": ["s1"], "code": ["trust"]}))


# --- REFI-QDA: the hand-written fixture -------------------------------------------------------


def test_fixture_zip_holds_the_committed_files():
    with zipfile.ZipFile(FIXTURE) as z:
        names = sorted(n for n in z.namelist() if not n.endswith("/"))
        assert names == ["project.qde", "sources/5E000001-0000-4000-8000-000000000001.txt"]
        for n in names:
            assert z.read(n) == (QDPX_DIR / "family_comments" / n).read_bytes()


def _check_sequence(el, order: list[str]) -> None:
    """Children of ``el`` appear in the XSD's sequence order, each a known element."""
    seen = [order.index(c.tag.replace(Q, "")) for c in el]
    assert seen == sorted(seen), f"children of {el.tag} out of order"


def test_fixture_follows_the_project_schema():
    """The parts of the REFI-QDA Project.xsd (2019) the fixture uses: namespace, element
    order of each sequence, required attributes and the GUID pattern."""
    root = ET.parse(QDPX_DIR / "family_comments" / "project.qde").getroot()
    assert root.tag == f"{Q}Project" and root.get("name")
    _check_sequence(
        root,
        ["Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets",
         "Graphs", "Description", "NoteRef"],
    )  # fmt: skip
    for u in root.iter(f"{Q}User"):
        assert GUID.match(u.get("guid"))
    for c in root.iter(f"{Q}Code"):
        assert GUID.match(c.get("guid")) and c.get("name")
        assert c.get("isCodable") in ("true", "false")
        _check_sequence(c, ["Description", "NoteRef", "Code"])
    for s in root.iter(f"{Q}TextSource"):
        assert GUID.match(s.get("guid"))
        assert (s.find(f"{Q}PlainTextContent") is None) != (s.get("plainTextPath") is None)
        _check_sequence(
            s, ["Description", "PlainTextContent", "PlainTextSelection", "Coding", "NoteRef",
                "VariableValue"]
        )  # fmt: skip
    for sel in root.iter(f"{Q}PlainTextSelection"):
        assert GUID.match(sel.get("guid"))
        assert int(sel.get("startPosition")) <= int(sel.get("endPosition"))
        _check_sequence(sel, ["Description", "Coding", "NoteRef"])
    for cod in root.iter(f"{Q}Coding"):
        assert GUID.match(cod.get("guid"))
        assert next(iter(cod)).tag == f"{Q}CodeRef"
        assert GUID.match(cod.find(f"{Q}CodeRef").get("targetGUID"))
    for attr in ("creatingUser", "creatingUserGUID"):
        for el in root.iter():
            if el.get(attr):
                assert GUID.match(el.get(attr))


def test_read_fixture():
    p = read_qdpx(FIXTURE)
    assert p.name == "Family comments (synthetic fixture)"
    assert set(p.users["coder"]) == {"Ana (coder A)", "Beto (coder B)"}
    assert list(p.codes["code"]) == [
        "communication",
        "barriers",
        "language_access",
        "trust",
        "welcoming",
    ]
    la = p.codes.set_index("code").loc["language_access"]
    assert la["code_path"] == "barriers / language_access"
    assert not p.codes.set_index("code").loc["barriers", "codable"]
    c = p.coding
    assert len(c) == 14
    # positions are zero-based character offsets, end exclusive; accents count as one
    es = c[(c["source"] == "comentarios_ola1_es") & (c["code"] == "trust")]
    assert set(es["text"]) == {"Confío en la maestra de mi hijo."}
    assert set(es["start"]) == {80} and set(es["end"]) == {112}
    en = c[(c["source"] == "comments_wave1_en") & (c["start"] == 47)]
    assert list(en["coder"]) == ["Ana (coder A)"]  # coder from the selection's creatingUser
    assert en["text"].iloc[0] == "The teacher sends a weekly text, which helps."
    whole = c[c["end"] - c["start"] == 113]
    assert list(whole["code"]) == ["welcoming"] and list(whole["coder"]) == ["Beto (coder B)"]
    assert p.summary().startswith("REFI-QDA project")


def test_qdpx_project_is_a_container_with_a_one_line_repr():
    """An imported project is data, not a result: a clear repr, its tables kept."""
    from cei_metrics._results import ResultMixin

    p = read_qdpx(FIXTURE)
    assert not isinstance(p, ResultMixin)
    text = repr(p)
    assert text.startswith("<QDPXProject ") and "\n" not in text
    assert f"{len(p.coding)} codings" in text and f"{len(p.codes)} codes" in text
    assert str(p) == p.summary()
    assert "<table" in p._repr_html_()
    pd.testing.assert_frame_equal(p.to_frame(), p.coding)


def test_fixture_agreement_by_code():
    res = agreement_by_code(read_qdpx(FIXTURE).coding, n_boot=200, seed=1)
    t = res.to_frame().set_index("code")
    assert t.loc["language_access", "estimate"] == pytest.approx(1.0)
    assert t.loc["language_access", "kappa"] == pytest.approx(1.0)
    # communication: both coders on 2 segments, Ana alone on 1 of 8 units
    pres = presence(read_qdpx(FIXTURE).coding, "communication")
    assert pres.sum().to_dict() == {"Ana (coder A)": 3.0, "Beto (coder B)": 2.0}
    assert t.loc["communication", "n"] == 8 and t.loc["communication", "n_present"] == 3
    assert t.loc["communication", "percent_agreement"] == pytest.approx(7 / 8)


# --- REFI-QDA: projects built here --------------------------------------------------------------


def _guid(rng) -> str:
    return str(
        uuid.UUID(int=int(rng.integers(0, 2**63)) << 64 | int(rng.integers(0, 2**63)), version=4)
    )


def build_qdpx(
    path: Path, sources: dict[str, str], codings: pd.DataFrame, codes: list[str], rng
) -> None:
    """Write a REFI-QDA project: ``codings`` has source, start, end, coder, code; the
    first source's text goes in the zip's sources/ folder, the others inline."""
    ET.register_namespace("", NS)
    users = {u: _guid(rng) for u in sorted(codings["coder"].unique())}
    code_ids = {c: _guid(rng) for c in codes}
    src_ids = {s: _guid(rng) for s in sources}
    root = ET.Element(f"{Q}Project", {"name": "built in a test"})
    us = ET.SubElement(root, f"{Q}Users")
    for name, g in users.items():
        ET.SubElement(us, f"{Q}User", {"guid": g, "name": name})
    cb = ET.SubElement(ET.SubElement(root, f"{Q}CodeBook"), f"{Q}Codes")
    for name, g in code_ids.items():
        ET.SubElement(cb, f"{Q}Code", {"guid": g, "name": name, "isCodable": "true"})
    srcs = ET.SubElement(root, f"{Q}Sources")
    files = {}
    for i, (name, text) in enumerate(sources.items()):
        attrs = {"guid": src_ids[name], "name": name}
        if i == 0:
            attrs["plainTextPath"] = f"internal://{src_ids[name]}.txt"
            files[f"sources/{src_ids[name]}.txt"] = text.encode("utf-8")
        el = ET.SubElement(srcs, f"{Q}TextSource", attrs)
        if i > 0:
            ET.SubElement(el, f"{Q}PlainTextContent").text = text
        for (start, end, coder), grp in codings[codings["source"] == name].groupby(
            ["start", "end", "coder"], sort=True
        ):
            sel = ET.SubElement(
                el,
                f"{Q}PlainTextSelection",
                {"guid": _guid(rng), "startPosition": str(start), "endPosition": str(end),
                 "creatingUser": users[coder]},
            )  # fmt: skip
            for code in grp["code"]:
                cod = ET.SubElement(sel, f"{Q}Coding", {"guid": _guid(rng)})
                ET.SubElement(cod, f"{Q}CodeRef", {"targetGUID": code_ids[code]})
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", ET.tostring(root, encoding="utf-8", xml_declaration=True))
        for name, data in files.items():
            z.writestr(name, data)


def test_built_project_round_trips(tmp_path):
    rng = np.random.default_rng(42)
    sources = {
        "uno": "Ñandú: la reunión fue útil. " * 4,
        "two": "Evening meetings work; childcare helped. " * 3,
        "tres": "Muy bien, gracias.",
    }
    codes = ["childcare", "logistics", "trust"]
    rows = []
    for name, text in sources.items():
        for _ in range(6):
            a = int(rng.integers(0, len(text) - 1))
            b = int(rng.integers(a + 1, len(text) + 1))
            for coder in ("A", "B", "C"):
                if rng.random() < 0.7:
                    rows.append((name, a, b, coder, codes[int(rng.integers(0, 3))]))
    codings = pd.DataFrame(
        rows, columns=["source", "start", "end", "coder", "code"]
    ).drop_duplicates()
    path = tmp_path / "built.qdpx"
    build_qdpx(path, sources, codings, codes, rng)
    got = read_qdpx(path).coding
    key = ["source", "start", "end", "coder", "code"]
    left = got[key].sort_values(key).reset_index(drop=True)
    right = codings[key].sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)
    for r in got.itertuples():
        assert r.text == sources[r.source][r.start : r.end]


def test_qdpx_errors(tmp_path):
    bad = tmp_path / "not.qdpx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UnknownFormatError):
        read_qdpx(bad)
    z = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("readme.txt", "x")
    with pytest.raises(UnknownFormatError, match=r"no project\.qde"):
        read_qdpx(z)
    xml = (QDPX_DIR / "family_comments" / "project.qde").read_text(encoding="utf-8")

    def variant(name: str, text: str) -> Path:
        folder = tmp_path / name
        shutil.copytree(QDPX_DIR / "family_comments" / "sources", folder / "sources")
        (folder / "project.qde").write_text(text, encoding="utf-8")
        return folder / "project.qde"

    dangling = variant(
        "dangling", xml.replace('<CodeRef targetGUID="C0000004', '<CodeRef targetGUID="C0000009')
    )
    with pytest.raises(CEIError, match="not in the codebook"):
        read_qdpx(dangling)
    outside = variant("outside", xml.replace('endPosition="112"', 'endPosition="500"'))
    with pytest.raises(CEIError, match="outside the text"):
        read_qdpx(outside)
    other = variant("other", xml.replace("urn:QDA-XML:project:1.0", "urn:example"))
    with pytest.raises(UnknownFormatError, match="not a REFI-QDA Project"):
        read_qdpx(other)
    nosrc = tmp_path / "nosrc.qde"
    nosrc.write_text(xml, encoding="utf-8")
    with pytest.raises(CEIError, match="not in the project"):
        read_qdpx(nosrc)


def test_unzipped_project_reads_the_same():
    zipped = read_qdpx(FIXTURE).coding
    folder = read_qdpx(QDPX_DIR / "family_comments" / "project.qde").coding
    pd.testing.assert_frame_equal(zipped, folder)
