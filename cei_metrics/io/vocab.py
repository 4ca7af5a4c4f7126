"""Controlled vocabularies as data: answer scales, roles, languages, group flags, event types.

The vocabularies are YAML files in ``cei_metrics/instruments/vocabularies/``. Every label is
matched through :func:`vocab_key`, which ignores case, accents, spacing and punctuation,
so ``"Totalmente de acuerdo."``, ``"TOTALMENTE DE ACUERDO"`` and ``"totalmente  de acuérdo"``
are one label.

Nothing a person typed is ever kept or echoed when it is not a vocabulary label: an
unrecognised role or event type becomes ``"other"``, an unrecognised language ``"other"``,
an unrecognised flag or answer missing, and the readers report them by column, row and
count (with a category such as "a number out of range" or "not a known label"), never by
their text.

Examples
--------
>>> load_vocabulary("roles").lookup("Madre")
'family'
>>> load_vocabulary("languages").lookup("Castellano")
'es'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InstrumentError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..instruments import Instrument

__all__ = [
    "VOCAB_DIR",
    "Vocabulary",
    "answer_lookup",
    "classify_unrecognised",
    "label_languages",
    "load_vocabulary",
    "lookup_answer",
    "map_vocabulary",
    "vocab_key",
]

VOCAB_DIR = Path(__file__).resolve().parents[1] / "instruments" / "vocabularies"
_NONWORD = re.compile(r"[\W_]+", re.UNICODE)
_NUMERIC = re.compile(r"^\s*[-+]?\d+(?:[.,]0*)?\s*$")
# "5 - Strongly agree", "(5) Strongly agree", "Strongly agree (5)", "5. Strongly agree"
_CODE_AND_LABEL = re.compile(
    r"^\s*\(?(?P<a>\d{1,2})\)?\s*[-.:=)]?\s*(?P<la>\D.*?)\s*$|^\s*(?P<lb>\D.*?)\s*[-(=:]\s*(?P<b>\d{1,2})\s*\)?\s*$"
)


def vocab_key(text: object) -> str:
    """Fold a label for matching (see :func:`_fold`); cached for strings."""
    if isinstance(text, str):
        return _fold_str(text)
    return _fold(text)


@lru_cache(maxsize=200_000)
def _fold_str(text: str) -> str:
    return _fold(text)


def _fold(text: object) -> str:
    """Fold a label for matching: case, accents, spacing and punctuation removed.

    ``vocab_key(" Totalmente de Acuérdo. ") == "totalmentedeacuerdo"``; ``None`` and NaN
    give ``""``.
    """
    if text is None or (isinstance(text, float) and text != text):
        return ""
    s = unicodedata.normalize("NFKD", str(text))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return _NONWORD.sub("", s.casefold())


@dataclass(frozen=True)
class Vocabulary:
    """One controlled vocabulary: folded label -> canonical value."""

    name: str
    table: dict[str, str]
    values: tuple[str, ...]
    source: str

    def lookup(self, label: object, default: str | None = None) -> str | None:
        """The canonical value of ``label`` (``default`` when it is not in the vocabulary)."""
        return self.table.get(vocab_key(label), default)


def _read_yaml(name: str) -> dict:
    import yaml

    path = VOCAB_DIR / f"{name}.yaml"
    try:
        # BaseLoader keeps every scalar a string: "No", "Yes" and "NA" stay labels.
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except FileNotFoundError:
        raise InstrumentError(
            f"no vocabulary called {name!r}",
            file=path,
            fix=f"use one of {sorted(p.stem for p in VOCAB_DIR.glob('*.yaml'))}",
        ) from None
    if not isinstance(raw, dict):
        raise InstrumentError("a vocabulary file must hold a mapping", file=path)
    return raw


@cache
def load_vocabulary(name: str) -> Vocabulary:
    """A flat vocabulary (roles, languages, flags, event_types, missing) by file name.

    Each canonical value's own name is one of its labels too (``family`` -> ``family``).
    Labels may be listed flat or per language (``missing``). A label listed under two
    values raises :class:`InstrumentError`.
    """
    raw = _read_yaml(name)
    table: dict[str, str] = {}
    for value, labels in raw.items():
        if isinstance(labels, dict):
            labels = [x for per_lang in labels.values() for x in per_lang]
        for lab in [value, *(labels or [])]:
            k = vocab_key(lab)
            if k in table and table[k] != value:
                raise InstrumentError(
                    f"label {lab!r} is listed under both {table[k]!r} and {value!r}",
                    file=VOCAB_DIR / f"{name}.yaml",
                    fix="keep each label under one value",
                )
            table[k] = str(value)
    return Vocabulary(name, table, tuple(map(str, raw)), str(VOCAB_DIR / f"{name}.yaml"))


@cache
def _scales() -> dict[str, dict[int, dict[str, tuple[str, ...]]]]:
    """scale -> code -> language -> labels."""
    raw = _read_yaml("scales")
    return {
        str(name): {
            int(code): {str(lang): tuple(v) for lang, v in per_lang.items()}
            for code, per_lang in spec.items()
        }
        for name, spec in raw.items()
    }


@cache
def label_languages() -> dict[str, frozenset[str]]:
    """Folded answer label -> the languages it belongs to (from the scales and missing
    vocabularies); used to tell a respondent's language from their answers."""
    out: dict[str, set[str]] = {}
    for spec in _scales().values():
        for per_lang in spec.values():
            for lang, labels in per_lang.items():
                for lab in labels:
                    out.setdefault(vocab_key(lab), set()).add(lang)
    for per_lang in _read_yaml("missing").values():
        for lang, labels in per_lang.items():
            for lab in labels:
                out.setdefault(vocab_key(lab), set()).add(lang)
    return {k: frozenset(v) for k, v in out.items()}


def map_vocabulary(
    values: pd.Series, vocabulary: str | Vocabulary, *, other: str | None = None
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Map a column through a vocabulary, once per distinct value.

    Returns
    -------
    (mapped, blank, unrecognised): the canonical values (``other`` for labels not in the
    vocabulary, None for blanks), and boolean masks of blank and unrecognised cells.
    """
    import numpy as np
    import pandas as pd

    voc = load_vocabulary(vocabulary) if isinstance(vocabulary, str) else vocabulary
    # each distinct value looked up once, then gathered by position (no per-row lookups)
    codes, uniq = pd.factorize(values, use_na_sentinel=False)
    keys = [vocab_key(u) for u in uniq]
    mapped = np.array([None if not k else voc.table.get(k, other) for k in keys] + [None])
    unknown = np.array([bool(k) and k not in voc.table for k in keys] + [False], dtype=bool)
    blank = np.array([not k for k in keys] + [True], dtype=bool)
    idx = values.index
    return (
        pd.Series(mapped[codes], index=idx, dtype=object),
        pd.Series(blank[codes], index=idx, dtype=bool),
        pd.Series(unknown[codes], index=idx, dtype=bool),
    )


def _scale_of(inst: Instrument) -> str | None:
    """The vocabulary scale whose labels hold the instrument's labels (or its
    ``response_scale``)."""
    named = getattr(inst, "response_scale", None)
    scales = _scales()
    if named:
        if named not in scales:
            raise InstrumentError(
                f"response_scale {named!r} is not a vocabulary scale",
                file=inst.source,
                column="response_scale",
                fix=f"use one of {sorted(scales)}",
            )
        return named
    for name, labels in scales.items():
        if len(labels) != inst.points:
            continue
        ok = all(
            vocab_key(text) in {vocab_key(x) for per in labels.get(code, {}).values() for x in per}
            for per_lang in inst.response_labels.values()
            for code, text in per_lang.items()
        )
        if ok:
            return name
    return None


def answer_lookup(inst: Instrument) -> dict[str, tuple[int | None, str]]:
    """Folded answer label -> (code, missing reason) for an instrument.

    The instrument's own labels and missing labels win; then the variants of its response
    scale in the vocabulary (``Totalmente de acuerdo`` for ``Muy de acuerdo``); then the
    shared missing-answer vocabulary (``No aplica``, ``Prefer not to say``); then the
    codes ``1`` .. ``points`` themselves.
    """
    out: dict[str, tuple[int | None, str]] = {}
    scale = _scale_of(inst)
    if scale is not None:
        for code, per_lang in _scales()[scale].items():
            for labels in per_lang.values():
                for lab in labels:
                    out[vocab_key(lab)] = (code, "")
    for k, reason in load_vocabulary("missing").table.items():
        out[k] = (None, reason)
    for code in range(1, inst.points + 1):
        out[str(code)] = (code, "")
    for label, (code, reason) in inst.label_map().items():
        out[vocab_key(label)] = (code, reason)
    out.pop("", None)
    return out


def lookup_answer(
    text: object, table: dict[str, tuple[int | None, str]], points: int
) -> tuple[int | None, str] | None:
    """The (code, missing reason) of one answer cell, or None when unrecognised.

    Besides the labels in ``table`` this reads a whole-number code (``"4"``, ``"4.0"``)
    within 1..``points`` and a code written beside its label (``"5 - Strongly agree"``,
    ``"Strongly agree (5)"``) when code and label agree.
    """
    k = vocab_key(text)
    if not k:
        return (None, "no_response")
    hit = table.get(k)
    if hit is not None:
        return hit
    s = str(text)
    parts = [p for p in re.split(r"\s*[/|]\s*|\n", s) if vocab_key(p)]
    if len(parts) > 1:
        hits = {table.get(vocab_key(p)) for p in parts}
        if len(hits) == 1 and None not in hits:
            return hits.pop()
    if _NUMERIC.match(s):
        v = int(float(s.strip().replace(",", ".")))
        return (v, "") if 1 <= v <= points else None
    m = _CODE_AND_LABEL.match(s)
    if m:
        num = int(m.group("a") or m.group("b"))
        lab = table.get(vocab_key(m.group("la") or m.group("lb")))
        if lab is not None and lab[0] == num:
            return lab
        if lab is None and 1 <= num <= points and vocab_key(m.group("la") or m.group("lb")):
            return None
    return None


def classify_unrecognised(text: object, points: int) -> str:
    """A category for an answer that is not a label, safe to report (never the text).

    "a number out of range", "a label of the <name> scale" (another vocabulary scale's
    label, e.g. a frequency label in an agreement item), or "not a known label".
    """
    s = str(text)
    if _NUMERIC.match(s) or re.fullmatch(r"\s*[-+]?\d+([.,]\d+)?\s*", s):
        return f"a number outside 1-{points}"
    k = vocab_key(s)
    for name, labels in _scales().items():
        if any(k == vocab_key(x) for v in labels.values() for per in v.values() for x in per):
            return f"a label of the {name} scale"
    return "not a known label"
