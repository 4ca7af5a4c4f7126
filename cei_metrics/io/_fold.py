"""Accent- and case-insensitive text: folding that keeps track of where each folded
character came from, so a match found in folded text points back into the original."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["fold", "fold_with_map", "normalize_text"]

_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One character without accents, case-folded ("É" -> "e", "ß" -> "ss", "ñ" -> "n")."""
    decomposed = unicodedata.normalize("NFKD", ch)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.casefold()


def fold(text: str) -> str:
    """``text`` without accents and case-folded: ``fold("Comunicación") == "comunicacion"``."""
    if text.isascii():
        return text.casefold()
    return "".join(_fold_char(c) for c in text)


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Folded text and, for each of its characters, the index of the original character
    it came from (one original character can give several folded ones, "ß" -> "ss")."""
    if text.isascii():
        return text.casefold(), list(range(len(text)))
    out: list[str] = []
    where: list[int] = []
    for i, c in enumerate(text):
        f = _fold_char(c)
        out.append(f)
        where.extend([i] * len(f))
    return "".join(out), where


def span_in_original(where: list[int], start: int, end: int, n_original: int) -> tuple[int, int]:
    """The original ``[start, end)`` span of folded characters ``[start, end)``."""
    if start >= len(where):
        return n_original, n_original
    a = where[start]
    b = where[end - 1] + 1 if end > start else a
    return a, b


def normalize_text(text: object) -> str:
    """Text as compared for duplicates: folded (no accents, case-folded), punctuation
    removed, runs of white space collapsed to one space, trimmed. Missing -> ``""``.

    Examples
    --------
    >>> normalize_text("  ¡Muy   BIEN, gracias! ")
    'muy bien gracias'
    """
    if text is None or (isinstance(text, float) and text != text):
        return ""
    s = fold(str(text))
    s = _PUNCT.sub(" ", s)
    return _SPACE.sub(" ", s).strip()
