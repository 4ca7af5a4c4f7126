r"""Remove personal data from free text before it is analysed or quoted.

:func:`scrub_text` replaces, in this order,

1. e-mail addresses -> ``[email]``;
2. US phone numbers -> ``[phone]``: 10 digits with or without a leading 1 / +1, the
   area code optionally in parentheses, groups separated by a space, dot, hyphen or
   nothing (``(714) 555-0134``, ``714.555.0134``, ``714 555 0134``, ``7145550134``,
   ``+1 714-555-0134``, ``1-714-555-0134``), 7-digit local numbers with a separator
   (``555-0134``), and an extension (``ext. 12``, ``x12``, ``extensión 12``);
3. street addresses -> ``[address]``: a house number, up to four words and a street
   type in English (``123 N. Main St``, ``4500 Valley View Blvd Apt 2``) or a Spanish
   street type, a name and a number (``Calle Olivo 1234``, ``Av. Reforma #45``), a
   number followed by a Spanish-named street (``123 Calle Real``), and post-office
   boxes (``P.O. Box 12``, ``Apartado Postal 7``);
4. the names given (e.g. the names seen at ingest) -> ``[name]``: whole words, case-
   and accent-insensitive, the full name first and then each part of two or more
   letters (``name_parts=False`` keeps single parts).

Patterns err on the side of removing: a 10-digit number that is not a phone number is
still replaced. What the patterns cannot see (a name not in the list, a description
that identifies someone) still needs a person's review before any quote is released.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, overload

from ._fold import fold_with_map, span_in_original

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["PLACEHOLDERS", "scrub_text"]

#: Placeholder written for each kind of personal data.
PLACEHOLDERS: dict[str, str] = {
    "email": "[email]",
    "phone": "[phone]",
    "address": "[address]",
    "name": "[name]",
}

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@(?:[\w-]+\.)+[A-Za-z]{2,}(?![\w-])", re.UNICODE)
_EXT = r"(?:\s*(?:,\s*)?(?:ext\.?|extension|extensi[oó]n|x)\s*\d{1,5})?"
_PHONE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+?1[\s.-]?)?(?:\(\s*\d{3}\s*\)\s*|\d{3}[\s.-]?)\d{3}[\s.-]?\d{4}"
    r"|\d{3}[.-]\d{4})" + _EXT + r"(?!\w)",
    re.IGNORECASE,
)
_STREET_TYPES = (
    r"street|st|avenue|ave|av|boulevard|blvd|road|rd|drive|dr|lane|ln|way|court|ct|place|pl|"
    r"circle|cir|parkway|pkwy|highway|hwy|terrace|ter|trail|trl|square|sq|loop|alley|aly|"
    r"row|path|pike|plaza|plz"
)
_UNIT = (
    r"(?:\s*,?\s*(?:apt|apartment|unit|suite|ste|space|spc|#|no\.?|depto\.?|departamento|"
    r"interior|int\.?)\s*\.?\s*#?\s*[\w-]{1,6})?"
)
_NOT_NAME = (
    r"(?!(?:the|a|an|on|in|at|to|of|for|and|or|my|our|their|his|her|your|is|are|was|"
    r"minutes?|mins?|hours?|hrs?|miles?|blocks?|times?|days?|weeks?|years?|kids?|"
    r"children|people|parents|families|students|more|less|than|from|with)\b)"
)
_WORD = _NOT_NAME + r"[^\W_][\w'.-]*"
_WORD_ES = r"[^\W_][\w'.-]*"
_ADDRESS_EN = re.compile(
    r"(?<![\w#$.,])\d{1,6}(?:-?[A-Za-z])?\s+(?:(?:[NSEW]|north|south|east|west)\.?\s+)?"
    r"(?:" + _WORD + r"\s+){1,4}?(?:" + _STREET_TYPES + r")\b\.?" + _UNIT,
    re.IGNORECASE,
)
_ES_TYPES = (
    r"calle|avenida|av\.|avda\.?|calzada|calz\.|callej[oó]n|bulevar|boulevard|camino|"
    r"carretera|privada|cerrada|prolongaci[oó]n|andador"
)
_ADDRESS_ES = re.compile(
    r"(?<!\w)(?:"
    + _ES_TYPES
    + r")\s+(?:"
    + _WORD_ES
    + r"\s+){0,4}?"
    + _WORD_ES
    + r"\s*,?\s*(?:#|no\.?|n[uú]m\.?|n[uú]mero)?\s*\d{1,6}(?:-?[A-Za-z])?\b"
    + _UNIT,
    re.IGNORECASE,
)
_ADDRESS_NUM_ES = re.compile(
    r"(?<![\w#])\d{1,6}\s+(?:calle|avenida|camino|calzada|paseo|via|vía|plaza)\s+"
    r"(?:" + _WORD_ES + r"\s+){0,2}" + _WORD_ES + r"\b" + _UNIT,
    re.IGNORECASE,
)
_PO_BOX = re.compile(
    r"(?<!\w)(?:p\.?\s*o\.?\s*box|post\s+office\s+box|apartado(?:\s+postal)?)\s*#?\s*\d{1,6}\b",
    re.IGNORECASE,
)


def _sub(pattern: re.Pattern[str], text: str, token: str, counts: Counter, kind: str) -> str:
    new, k = pattern.subn(token, text)
    if k:
        counts[kind] += k
    return new


def _name_patterns(names: Iterable[object], parts: bool) -> list[re.Pattern[str]]:
    """Regexes (on folded text) of the names, longest first, then their parts."""
    from ._fold import fold

    full: set[str] = set()
    pieces: set[str] = set()
    for name in names:
        if name is None or (isinstance(name, float) and name != name):
            continue
        words = fold(str(name)).replace(",", " ").split()
        if not words:
            continue
        full.add(" ".join(words))
        if parts:
            pieces.update(w.strip(".") for w in words if len(w.strip(".")) >= 2)
    out = []
    for group in (
        sorted(full, key=len, reverse=True),
        sorted(pieces - full, key=len, reverse=True),
    ):
        if group:
            alts = "|".join(r"\s+".join(re.escape(w) for w in g.split()) for g in group)
            out.append(re.compile(r"(?<!\w)(?:" + alts + r")(?!\w)"))
    return out


def _replace_names(text: str, patterns: list[re.Pattern[str]], token: str, counts: Counter) -> str:
    for rx in patterns:
        folded, where = fold_with_map(text)
        spans = [
            span_in_original(where, m.start(), m.end(), len(text)) for m in rx.finditer(folded)
        ]
        if not spans:
            continue
        counts["name"] += len(spans)
        pieces, last = [], 0
        for a, b in spans:
            pieces.append(text[last:a])
            pieces.append(token)
            last = b
        pieces.append(text[last:])
        text = "".join(pieces)
    return text


def _scrub_one(
    text: str, names: list[re.Pattern[str]], tokens: Mapping[str, str], counts: Counter
) -> str:
    text = _sub(_EMAIL, text, tokens["email"], counts, "email")
    text = _sub(_PHONE, text, tokens["phone"], counts, "phone")
    for rx in (_PO_BOX, _ADDRESS_ES, _ADDRESS_NUM_ES, _ADDRESS_EN):
        text = _sub(rx, text, tokens["address"], counts, "address")
    if names:
        text = _replace_names(text, names, tokens["name"], counts)
    return text


@overload
def scrub_text(
    texts: str,
    *,
    names: Iterable[object] = ...,
    name_parts: bool = ...,
    placeholders: Mapping[str, str] | None = ...,
    counts: bool = ...,
) -> str: ...
@overload
def scrub_text(
    texts: pd.Series,
    *,
    names: Iterable[object] = ...,
    name_parts: bool = ...,
    placeholders: Mapping[str, str] | None = ...,
    counts: bool = ...,
) -> pd.Series: ...
@overload
def scrub_text(
    texts: Sequence[str],
    *,
    names: Iterable[object] = ...,
    name_parts: bool = ...,
    placeholders: Mapping[str, str] | None = ...,
    counts: bool = ...,
) -> list[str]: ...


def scrub_text(
    texts,
    *,
    names: Iterable[object] = (),
    name_parts: bool = True,
    placeholders: Mapping[str, str] | None = None,
    counts: bool = False,
):
    """Replace e-mails, phone numbers, street addresses and the given names in free text
    by placeholders (see the module docstring for the patterns).

    Parameters
    ----------
    texts : one string, a Series or a list of strings (missing values stay missing).
    names : names to remove (e.g. the participant names seen at ingest); matched as
        whole words, ignoring case and accents.
    name_parts : also remove each part of a name on its own ("Lopez" of "Maria Lopez").
    placeholders : replacement per kind (keys "email", "phone", "address", "name");
        default :data:`PLACEHOLDERS`.
    counts : also return a dict of how many of each kind were replaced.

    Returns
    -------
    The scrubbed text(s), of the same type as ``texts``; with ``counts=True`` a tuple
    ``(scrubbed, {"email": n, "phone": n, "address": n, "name": n})``.

    Examples
    --------
    >>> scrub_text("Llame a Ana al (714) 555-0134 o escriba a ana.r@example.org",
    ...            names=["Ana Ruiz"])
    'Llame a [name] al [phone] o escriba a [email]'
    """
    import pandas as pd

    tokens = dict(PLACEHOLDERS)
    if placeholders:
        unknown = sorted(set(placeholders) - set(tokens))
        if unknown:
            from ..errors import CEIError

            raise CEIError(
                f"placeholder kind {unknown[0]!r} is not known",
                fix=f"use keys among {sorted(tokens)}",
            )
        tokens.update(placeholders)
    patterns = _name_patterns(names, name_parts)
    tally: Counter = Counter()

    def one(v: object) -> object:
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
            return v
        return _scrub_one(str(v), patterns, tokens, tally)

    if isinstance(texts, str):
        out: object = one(texts)
    elif isinstance(texts, pd.Series):
        out = texts.map(one)
    else:
        out = [one(v) for v in texts]
    if counts:
        return out, {k: int(tally.get(k, 0)) for k in PLACEHOLDERS}
    return out
