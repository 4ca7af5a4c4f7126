"""Personal data scrubbed from free text (planted in English and Spanish)."""

from __future__ import annotations

import pandas as pd
import pytest

from cei_metrics.errors import CEIError
from cei_metrics.text import scrub_text

PHONES = [
    "(714) 555-0134",
    "(714)555-0134",
    "714-555-0134",
    "714.555.0134",
    "714 555 0134",
    "7145550134",
    "+1 714 555 0134",
    "+1-714-555-0134",
    "1-714-555-0134",
    "1 (714) 555-0134",
    "714-555-0134 ext. 22",
    "714-555-0134 x22",
    "555-0134",
]


@pytest.mark.parametrize("phone", PHONES)
def test_phone_numbers_in_every_common_form(phone):
    assert scrub_text(f"Call me at {phone} please") == "Call me at [phone] please"
    assert scrub_text(f"Llámeme al {phone}, gracias") == "Llámeme al [phone], gracias"


@pytest.mark.parametrize(
    "email",
    ["maria.lopez@gmail.com", "M.Lopez+school@district.k12.ca.us", "jose_ñ@correo.mx"],
)
def test_emails(email):
    assert scrub_text(f"write to {email}.") == "write to [email]."


@pytest.mark.parametrize(
    "address",
    [
        "123 Main St",
        "123 N. Main Street Apt 4",
        "4500 Valley View Blvd",
        "77 W 5th Ave #2",
        "1600 Pennsylvania Avenue",
        "9 Oak Ln",
        "Calle Olivo 1234",
        "Av. Reforma #45",
        "Avenida de los Insurgentes 120",
        "123 Calle Real",
        "P.O. Box 77",
        "Apartado Postal 12",
    ],
)
def test_street_addresses(address):
    assert scrub_text(f"I live at {address}, near school") == "I live at [address], near school"


def test_names_case_and_accent_insensitive_with_parts():
    text = "María José Pérez dijo que la Sra. PEREZ y jose no vinieron; Josefina sí."
    out = scrub_text(text, names=["Maria Jose Perez"])
    assert out == "[name] dijo que la Sra. [name] y [name] no vinieron; Josefina sí."
    assert scrub_text(text, names=["Maria Jose Perez"], name_parts=False).count("[name]") == 1


def test_planted_mixed_comment_and_counts():
    comment = (
        "My name is Ana Ruiz and my son Diego goes to Lincoln. Call me at (909) 555-0199 or "
        "email ana.ruiz@example.org. We live at 45 Pine Ct. Mi esposo, Luis Ruiz, prefiere "
        "el 909.555.0142 o vernos en Calle Hidalgo 12."
    )
    out, counts = scrub_text(comment, names=["Ana Ruiz", "Diego Ruiz", "Luis Ruiz"], counts=True)
    for leaked in ("Ana", "Ruiz", "Diego", "Luis", "555", "example.org", "Pine", "Hidalgo"):
        assert leaked not in out
    assert counts == {"email": 1, "phone": 2, "address": 2, "name": 3}  # Ana Ruiz, Diego, Luis Ruiz
    assert "Lincoln" in out  # a school name is not personal data


def test_ordinary_text_is_left_alone():
    texts = [
        "Meetings at 6 pm in room 101 are hard; it is a 20 minutes drive.",
        "The 2019-20 school year had 8 convenings and 30 parents came.",
        "Took 2 kids on the road to the LCAP meeting on 12/05/2020.",
        "Nuestra calle estaba oscura; la junta duró 2 horas.",
    ]
    assert scrub_text(texts) == texts


def test_types_and_placeholders():
    s = pd.Series(["mail x@y.org", None, "ok"], index=["a", "b", "c"])
    out = scrub_text(s)
    assert isinstance(out, pd.Series) and list(out.index) == ["a", "b", "c"]
    assert out["a"] == "mail [email]" and pd.isna(out["b"])
    assert scrub_text("x@y.org", placeholders={"email": "<correo>"}) == "<correo>"
    with pytest.raises(CEIError, match="placeholder kind"):
        scrub_text("x", placeholders={"ssn": "[ssn]"})
