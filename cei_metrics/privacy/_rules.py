"""Names and thresholds shared by the disclosure-control modules (standard library only).

A column *counts people* when its name says so, in English or Spanish: ``n``,
``count``, ``respondents``, ``families``, ``participants``, ``total``, ``answered``,
``rows``, ``numerator``, ``denominator`` (``n``, ``conteo``, ``encuestados``,
``familias``, ``participantes``, ``total``, ``respondieron``, ``filas``, ``numerador``,
``denominador``), a name made of such a word and a qualifier (``n_families``,
``el_families``, ``total_participants``, ``numero_de_familias``), unless the qualifier
names something that is not people (``n_sessions``, ``n_items``, ``n_clusters``).
"""

from __future__ import annotations

import re
import unicodedata

#: Smallest number of people a published cell may describe (CDE convention).
MIN_CELL = 11
#: Smallest number of students for which the Dashboard shows a colour.
DASHBOARD_MIN = 30
#: Name of the flag column added to every released table.
FLAG = "suppressed"
#: Label drawn beside a suppressed cell in a figure.
SUPPRESSED_LABEL = "n<11"

# words that, alone or as a name's head, mean "a number of people"
_PEOPLE = frozenset(
    {
        # English
        "n",
        "count",
        "counts",
        "respondents",
        "respondent",
        "families",
        "family",
        "participants",
        "participant",
        "people",
        "persons",
        "students",
        "parents",
        "attendees",
        "members",
        "households",
        "answered",
        "rows",
        "numerator",
        "denominator",
        "total",
        "totals",
        "responses",
        "signins",
        "sign_ins",
        "enrolled",
        "enrollment",
        "enrolment",
        "headcount",
        "freq",
        "frequency",
        # Spanish
        "conteo",
        "cuenta",
        "recuento",
        "encuestados",
        "encuestadas",
        "familias",
        "participantes",
        "respondieron",
        "respuestas",
        "filas",
        "numerador",
        "denominador",
        "personas",
        "estudiantes",
        "alumnos",
        "padres",
        "asistentes",
        "miembros",
        "hogares",
        "frecuencia",
        "inscritos",
    }
)
# heads that make a count when followed by a qualifier: n_families, number_of_people
_HEADS = frozenset(
    {"n", "num", "number", "count", "total", "numero", "conteo", "cantidad", "nr", "no"}
)
# qualifiers that are not people
_NOT_PEOPLE = frozenset(
    {
        "sessions",
        "session",
        "items",
        "item",
        "clusters",
        "cluster",
        "schools",
        "districts",
        "events",
        "waves",
        "years",
        "boot",
        "perm",
        "permutations",
        "draws",
        "groups",
        "scales",
        "categories",
        "codes",
        "cells",
        "factors",
        "iter",
        "iterations",
        "obs_periods",
        "periods",
        "donors",
        "units",
        "leas",
        "files",
        "columns",
        "cols",
        "params",
        "parameters",
        "execution",
        "exec",
        "words",
        "chars",
        "lines",
        "pages",
        "figures",
        "version",
        "sesiones",
        "escuelas",
        "distritos",
        "eventos",
        "preguntas",
    }
)
# columns of a table that hold a statistic of the people in its row
_STAT_WORDS = frozenset(
    {
        "estimate",
        "std_error",
        "ci_low",
        "ci_high",
        "p_val",
        "band_low",
        "band_high",
        "value",
        "share",
        "percent",
        "pct",
        "proportion",
        "rate",
        "mean",
        "median",
        "sd",
        "score",
        "ratio",
        "gap",
        "change",
    }
)
_SHARE_WORDS = frozenset(
    {"share", "percent", "pct", "proportion", "rate", "porcentaje", "proporcion", "tasa"}
)
_PII_WORDS = frozenset(
    {
        "respondent_id",
        "participant_id",
        "student_id",
        "ssid",
        "email",
        "e_mail",
        "email_address",
        "correo",
        "correo_electronico",
        "phone",
        "phone_number",
        "telephone",
        "mobile",
        "cell_phone",
        "telefono",
        "celular",
        "first_name",
        "last_name",
        "firstname",
        "lastname",
        "full_name",
        "student_name",
        "parent_name",
        "participant_name",
        "respondent_name",
        "nombre",
        "apellido",
        "apellidos",
        "nombre_completo",
        "address",
        "street_address",
        "street",
        "direccion",
        "domicilio",
        "comment",
        "comments",
        "comentario",
        "comentarios",
        "notes",
        "note_text",
        "notas",
        "free_text",
        "freetext",
        "open_text",
        "open_response",
        "open_ended",
        "verbatim",
    }
)


def normalise(name: object) -> str:
    """Lower-case ASCII with runs of other characters as ``_`` (``"Número de familias"`` ->
    ``"numero_de_familias"``; ``"# families"`` -> ``"number_families"``)."""
    s = str(name).strip().replace("#", " number ")
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def is_count_column(name: object) -> bool:
    """Whether a column name holds a number of people (see the module docstring)."""
    s = normalise(name)
    if not s:
        return False
    if s in _PEOPLE:
        return True
    toks = [t for t in s.split("_") if t not in ("of", "de", "del", "la", "los", "las")]
    if len(toks) < 2:
        return False
    rest_head = toks[1:]
    if toks[0] in _HEADS and not any(t in _NOT_PEOPLE for t in rest_head):
        return True
    if toks[-1] in _PEOPLE and not any(t in _NOT_PEOPLE for t in toks[:-1]):
        return True
    return toks[-1] in ("n", "count", "conteo") and not any(t in _NOT_PEOPLE for t in toks[:-1])


def is_share_column(name: object) -> bool:
    """Whether a column holds a share, percentage or rate (of the row's people)."""
    toks = normalise(name).split("_")
    return any(t in _SHARE_WORDS for t in toks)


def is_stat_column(name: object) -> bool:
    """Whether a column holds a statistic computed on the row's people."""
    s = normalise(name)
    return s in _STAT_WORDS or any(t in _STAT_WORDS for t in s.split("_"))


def is_pii_column(name: object) -> bool:
    """Whether a column name marks identifying or free-text data (ids, e-mail, phone,
    person names, addresses, comments), in English or Spanish."""
    s = normalise(name)
    return s in _PII_WORDS or s.endswith(
        ("_email", "_phone", "_telefono", "_correo", "_address", "_first_name", "_last_name")
    )
