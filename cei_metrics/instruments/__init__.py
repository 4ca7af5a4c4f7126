"""Instrument definitions as data.

An instrument is one YAML file: its items, the scales they form, reverse-keyed items,
response labels per language and the labels that mean "Don't know" or no response.
Three ship with the package:

- ``family_engagement``: the demo world's family engagement survey (3 scales x 4 items);
- ``convening_feedback``: feedback on a convening (usefulness, relevance, what to
  change, open comments), ``kind: event_feedback``: each response belongs to an event;
- ``priority3_self_reflection``: the state's Priority 3 (Parent and Family Engagement)
  self-reflection tool, 3 sections x 4 items rated 1-5. The state sets no numeric
  score for it; a mean computed from it is this package's summary and is labelled so.

Besides rated items an instrument may list ``open_questions`` (id -> text per language):
their answers are free text, kept scrubbed in the text table at ingest, never in the
survey table.

A user adds an instrument by writing one YAML file of the same shape and passing its path
to :func:`load_instrument`. A malformed file raises :class:`InstrumentError` naming the
file and the key at fault.

Examples
--------
>>> inst = load_instrument("family_engagement")
>>> inst.scales["trust"]
('trust_1', 'trust_2', 'trust_3', 'trust_4')
>>> inst.code("muy de acuerdo")
5
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InstrumentError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Instrument", "Item", "list_instruments", "load_instrument", "normalize_label"]

_HERE = Path(__file__).parent
_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u00b4": "'", "`": "'"})


def normalize_label(text: object) -> str:
    """Fold a response label for matching: accents removed, case folded, quotes and
    white space made plain. ``normalize_label(" Muy de Acuérdo ") == "muy de acuerdo"``."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    s = unicodedata.normalize("NFKD", str(text).translate(_QUOTES))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return _SPACE.sub(" ", s).strip().casefold()


@dataclass(frozen=True)
class Item:
    """One item of an instrument."""

    id: str
    text: dict[str, str]
    scale: str | None
    reverse: bool = False


@dataclass(frozen=True)
class Instrument:
    """A parsed instrument definition. Build with :func:`load_instrument`."""

    name: str
    title: str
    kind: str  # "survey" | "event_feedback" | "rating_tool"
    role: str
    languages: tuple[str, ...]
    points: int
    response_labels: dict[str, dict[int, str]]
    missing_labels: dict[str, dict[str, tuple[str, ...]]]
    favorable: tuple[int, ...]
    min_items: float
    scales: dict[str, tuple[str, ...]]
    scale_labels: dict[str, str]
    items: dict[str, Item]
    state_score: bool = True
    source: str = ""
    response_scale: str | None = None  # a scale of the answer vocabulary (agreement, ...)
    #: open (free-text) questions: id -> {language: text}
    open_questions: dict[str, dict[str, str]] = field(default_factory=dict)
    _lookup: dict[str, tuple[int | None, str]] = field(default_factory=dict, repr=False)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(self.items)

    @property
    def per_event(self) -> bool:
        """True for feedback on events (each response belongs to a convening, a workshop)."""
        return self.kind == "event_feedback"

    @property
    def reverse_items(self) -> tuple[str, ...]:
        return tuple(i for i, it in self.items.items() if it.reverse)

    def label_map(self) -> dict[str, tuple[int | None, str]]:
        """Normalized label -> (code or None, missing reason or "") over every language."""
        return self._lookup

    def code(self, label: object) -> int | None:
        """The numeric code of a response label in any language (None for a missing label).

        Raises
        ------
        InstrumentError if the label is not one the instrument knows.
        """
        key = normalize_label(label)
        if key in self._lookup:
            return self._lookup[key][0]
        raise InstrumentError(
            f"{label!r} is not a response label of instrument {self.name!r}",
            file=self.source,
            fix="add the label to response_labels or missing_labels in the instrument YAML",
        )

    def reverse_code(self, items: pd.DataFrame) -> pd.DataFrame:
        """Recode reverse-keyed item columns of a wide frame: ``x -> points + 1 - x``."""
        out = items.copy()
        for col in self.reverse_items:
            if col in out.columns:
                out[col] = self.points + 1 - out[col]
        return out

    def scale_of(self, item: str) -> str | None:
        return self.items[item].scale


def _fail(path: Path, msg: str, key: str | None = None) -> InstrumentError:
    return InstrumentError(
        msg,
        file=path,
        column=key,
        fix="compare with cei_metrics/instruments/family_engagement.yaml, which shows every key",
    )


def _parse(raw: Any, path: Path) -> Instrument:
    if not isinstance(raw, dict):
        raise _fail(path, "the file does not hold a YAML mapping")
    for key in ("name", "languages", "points", "response_labels", "scales", "items"):
        if key not in raw:
            raise _fail(path, f"required key {key!r} is missing", key)
    langs = tuple(str(x) for x in raw["languages"])
    try:
        points = int(raw["points"])
    except (TypeError, ValueError):
        raise _fail(path, "points must be a whole number", "points") from None
    labels: dict[str, dict[int, str]] = {}
    for lang in langs:
        lab = raw["response_labels"].get(lang)
        if not isinstance(lab, dict):
            raise _fail(path, f"no response_labels for language {lang!r}", "response_labels")
        try:
            labels[lang] = {int(k): str(v) for k, v in lab.items()}
        except (TypeError, ValueError):
            raise _fail(
                path, f"response codes for {lang!r} must be integers", "response_labels"
            ) from None
        if sorted(labels[lang]) != list(range(1, points + 1)):
            raise _fail(
                path,
                f"response_labels[{lang!r}] must give codes 1..{points}, got {sorted(labels[lang])}",
                "response_labels",
            )
    missing: dict[str, dict[str, tuple[str, ...]]] = {}
    for reason, per_lang in (raw.get("missing_labels") or {}).items():
        if reason not in ("dont_know", "no_response", "not_asked"):
            raise _fail(path, f"unknown missing reason {reason!r}", "missing_labels")
        missing[reason] = {lang: tuple(str(x) for x in v) for lang, v in per_lang.items()}
    items: dict[str, Item] = {}
    for iid, spec in raw["items"].items():
        spec = spec or {}
        if not isinstance(spec, dict):
            raise _fail(path, f"item {iid!r} must be a mapping", "items")
        text = spec.get("text") or {}
        items[str(iid)] = Item(str(iid), dict(text), None, bool(spec.get("reverse", False)))
    scales: dict[str, tuple[str, ...]] = {}
    scale_labels: dict[str, str] = {}
    for sname, spec in raw["scales"].items():
        if not isinstance(spec, dict) or "items" not in spec:
            raise _fail(path, f"scale {sname!r} needs an 'items' list", "scales")
        members = tuple(str(x) for x in spec["items"])
        unknown = [m for m in members if m not in items]
        if unknown:
            raise _fail(path, f"scale {sname!r} names unknown items {unknown}", "scales")
        scales[str(sname)] = members
        scale_labels[str(sname)] = str(spec.get("label", sname))
        for m in members:
            if items[m].scale is not None:
                raise _fail(path, f"item {m!r} is in two scales", "scales")
            items[m] = Item(m, items[m].text, str(sname), items[m].reverse)
    kind = str(raw.get("kind", "survey"))
    if kind not in ("survey", "event_feedback", "rating_tool"):
        raise _fail(path, f"kind {kind!r} is not survey, event_feedback or rating_tool", "kind")
    open_q: dict[str, dict[str, str]] = {}
    for qid, spec in (raw.get("open_questions") or {}).items():
        text = (spec or {}).get("text") if isinstance(spec, dict) else None
        if not isinstance(text, dict) or not text:
            raise _fail(path, f"open question {qid!r} needs a text per language", "open_questions")
        if str(qid) in items:
            raise _fail(path, f"{qid!r} is both an item and an open question", "open_questions")
        open_q[str(qid)] = {str(k): str(v) for k, v in text.items()}
    favorable = tuple(int(x) for x in raw.get("favorable", ()))
    if any(not 1 <= f <= points for f in favorable):
        raise _fail(path, f"favorable codes must lie in 1..{points}", "favorable")
    min_items = float(raw.get("min_items", 0.5))
    if not 0 < min_items <= 1:
        raise _fail(
            path, "min_items is the share of a scale's items needed, in (0, 1]", "min_items"
        )
    lookup: dict[str, tuple[int | None, str]] = {}
    for lab in labels.values():
        for c, text in lab.items():
            lookup[normalize_label(text)] = (c, "")
            lookup[normalize_label(str(c))] = (c, "")
    for reason, per_lang in missing.items():
        for texts in per_lang.values():
            for t in texts:
                key = normalize_label(t)
                if key in lookup and lookup[key][0] is not None:
                    raise _fail(
                        path, f"{t!r} is both a response and a missing label", "missing_labels"
                    )
                lookup[key] = (None, reason)
    return Instrument(
        name=str(raw["name"]),
        title=str(raw.get("title", raw["name"])),
        kind=kind,
        role=str(raw.get("role", "")),
        languages=langs,
        points=points,
        response_labels=labels,
        missing_labels=missing,
        favorable=favorable,
        min_items=min_items,
        scales=scales,
        scale_labels=scale_labels,
        items=items,
        state_score=bool(raw.get("state_score", True)),
        source=str(path),
        response_scale=None if raw.get("response_scale") is None else str(raw["response_scale"]),
        open_questions=open_q,
        _lookup=lookup,
    )


@cache
def _load_path(path: Path) -> Instrument:
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InstrumentError(
            "instrument file not found", file=path, fix="check the path or the instrument name"
        ) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InstrumentError(
            f"not valid YAML: {getattr(err, 'problem', err)}",
            file=path,
            row=None if mark is None else mark.line + 1,
            fix="fix the YAML syntax at that line (indentation, a missing colon or quote)",
        ) from None
    return _parse(raw, path)


def load_instrument(name_or_path: str | Path) -> Instrument:
    """Load an instrument by its shipped name or from a YAML file path.

    Parameters
    ----------
    name_or_path : a shipped instrument name (see :func:`list_instruments`) or a path to a
        YAML file.

    Returns
    -------
    Instrument
    """
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return _load_path(p.resolve())
    shipped = _HERE / f"{name_or_path}.yaml"
    if not shipped.exists():
        raise InstrumentError(
            f"no instrument called {name_or_path!r}",
            fix=f"use one of {list_instruments()} or give the path of a YAML file",
        )
    return _load_path(shipped)


def list_instruments(kind: str | None = None) -> list[str]:
    """Names of the instruments shipped with the package (of one ``kind`` when given:
    "survey", "event_feedback" or "rating_tool")."""
    names = sorted(p.stem for p in _HERE.glob("*.yaml"))
    if kind is None:
        return names
    return [n for n in names if load_instrument(n).kind == kind]
