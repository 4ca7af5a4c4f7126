"""Bilingual codebooks as YAML, and keyword rules that suggest codes.

A codebook is one YAML file (the starter ``family_engagement`` ships with the package;
see its comments for the format)::

    codebook: my_codebook           # name
    version: "1.0"
    languages: [en, es]             # every code gives a label and definition in each
    title: {en: ..., es: ...}       # optional
    description: {en: ..., es: ...} # optional
    codes:
      - id: communication           # lower case, digits and _; unique
        label: {en: Communication, es: Comunicación}
        definition: {en: ..., es: ...}
        include: {en: ..., es: ...} # optional: when to use it
        exclude: {en: ..., es: ...} # optional: when not to
        examples: {en: [...], es: [...]}   # optional
        parent: another_code_id     # optional
        rules:                      # optional keyword rules per language
          en: [newsletter*, "text message*", {regex: '\\bcall(ed|s)?\\b'}]
          es: [boletin*, aviso*]

Rules only *suggest* codes (:func:`suggest_codes`): a person confirms each suggestion
before it counts. Matching ignores case and accents ("comunicación" = "Comunicacion").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from .._api import estimator
from .._results import ResultMixin, summary_html, tidy
from ..errors import CEIError
from . import _cols as T
from ._normalize import fold, fold_with_map, span_in_original

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "CODEBOOK_DIR",
    "Code",
    "CodeSuggestions",
    "Codebook",
    "CodebookError",
    "Rule",
    "available_codebooks",
    "load_codebook",
    "suggest_codes",
]

#: Folder of the codebooks shipped with the package.
CODEBOOK_DIR = Path(__file__).resolve().parent / "codebooks"

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_KEYS = {"codebook", "version", "languages", "title", "description", "codes", "notes"}
_CODE_KEYS = {"id", "label", "definition", "include", "exclude", "examples", "parent", "rules"}
_REQUIRED_TOP = ("codebook", "languages", "codes")


class CodebookError(CEIError):
    """A codebook (YAML) is malformed: the message names the file, the key and its line."""


@dataclass(frozen=True)
class Rule:
    """One keyword or regular-expression rule of a code in one language.

    ``pattern`` is the rule as written; ``kind`` is "keyword" or "regex"; ``regex`` is
    the compiled expression applied to folded (accent-free, case-folded) text.
    """

    code: str
    language: str
    pattern: str
    kind: str
    regex: re.Pattern[str] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Code:
    """One code: id, labels, definitions and examples per language, and its rules."""

    id: str
    label: Mapping[str, str]
    definition: Mapping[str, str]
    include: Mapping[str, str] = field(default_factory=dict)
    exclude: Mapping[str, str] = field(default_factory=dict)
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    parent: str | None = None
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True, eq=False, repr=False)
class Codebook:
    """A validated codebook (see the module docstring for the YAML format).

    A codebook is configuration that analyses read, not a result computed from data: it
    is a plain container (no ``call``, ``n`` or interval), with a one-line repr, a
    ``summary()``, a notebook display and ``to_frame()``, the table of its codes.

    Attributes
    ----------
    name, version, languages : from the file.
    codes : the codes, in file order.
    title, description : per language (may be empty).
    file : where it was read from (None when built from a mapping).
    """

    name: str
    version: str
    languages: tuple[str, ...]
    codes: tuple[Code, ...]
    title: Mapping[str, str] = field(default_factory=dict)
    description: Mapping[str, str] = field(default_factory=dict)
    file: str | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        """Code ids in file order."""
        return tuple(c.id for c in self.codes)

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every rule of every code."""
        return tuple(r for c in self.codes for r in c.rules)

    def code(self, code_id: str) -> Code:
        """The code with this id."""
        for c in self.codes:
            if c.id == code_id:
                return c
        raise KeyError(f"codebook {self.name!r} has no code {code_id!r}; it has {list(self.ids)}")

    def __contains__(self, code_id: object) -> bool:
        return code_id in self.ids

    def to_frame(self, language: str | None = None) -> pd.DataFrame:
        """One row per code x language: code, language, label, definition, rules (count)."""
        import pandas as pd

        langs = self.languages if language is None else (language,)
        rows = [
            {
                T.CODE: c.id,
                T.LANGUAGE: lang,
                T.LABEL: c.label.get(lang, ""),
                T.DEFINITION: c.definition.get(lang, ""),
                T.N_RULES: sum(r.language == lang for r in c.rules),
            }
            for c in self.codes
            for lang in langs
        ]
        return pd.DataFrame(rows, columns=[T.CODE, T.LANGUAGE, T.LABEL, T.DEFINITION, T.N_RULES])

    def summary(self) -> str:
        lines = [
            f"Codebook {self.name!r} version {self.version}: {len(self.codes)} codes in "
            f"{', '.join(self.languages)}; {len(self.rules)} keyword rules (suggestions only)"
        ]
        lang = self.languages[0]
        lines.extend(f"  {c.id}: {c.label.get(lang, '')}" for c in self.codes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        version = f" version {self.version}" if self.version else ""
        return (
            f"<Codebook {self.name!r}{version}: {len(self.codes)} codes in "
            f"{', '.join(self.languages)}, {len(self.rules)} keyword rules>"
        )

    def _repr_html_(self) -> str:
        return summary_html(self.summary().splitlines()[0], self.to_frame())


# --- loading ----------------------------------------------------------------------------


def available_codebooks() -> list[str]:
    """Names of the codebooks shipped with the package."""
    return sorted(p.stem for p in CODEBOOK_DIR.glob("*.yaml"))


def _line_of(node: Any, path: Sequence[object]) -> int | None:
    """1-based line of the YAML node at ``path`` (keys and list indices), or of its
    deepest existing ancestor."""
    import yaml

    line = None
    cur = node
    for step in path:
        if cur is None:
            break
        line = cur.start_mark.line + 1
        nxt = None
        if isinstance(cur, yaml.MappingNode):
            for k, v in cur.value:
                if k.value == step:
                    nxt = v
                    line = k.start_mark.line + 1
                    break
        elif isinstance(cur, yaml.SequenceNode) and isinstance(step, int):
            if 0 <= step < len(cur.value):
                nxt = cur.value[step]
        cur = nxt
    if cur is not None:
        line = cur.start_mark.line + 1
    return line


def _keypath(path: Sequence[object]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "(top level)"


class _Checker:
    """Validation with errors naming the file, the key path and the YAML line."""

    def __init__(self, file: str | None, node: Any) -> None:
        self.file = file
        self.node = node

    def fail(self, path: Sequence[object], message: str, fix: str) -> CodebookError:
        return CodebookError(
            message,
            file=self.file,
            row=_line_of(self.node, path) if self.node is not None else None,
            column=_keypath(path),
            fix=fix,
        )

    def text(self, value: object, path: Sequence[object], what: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(
                path, f"{what} must be non-empty text, got {value!r}", f"write the {what}"
            )
        return value.strip()

    def per_language(
        self,
        value: object,
        path: Sequence[object],
        what: str,
        languages: Sequence[str],
        *,
        required: bool,
    ) -> dict[str, str]:
        if value is None and not required:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(
                path,
                f"{what} must give one text per language ({', '.join(languages)}), got {value!r}",
                f"write {what}: {{{', '.join(f'{lang}: ...' for lang in languages)}}}",
            )
        out = {}
        for lang in value:
            if lang not in languages:
                raise self.fail(
                    [*path, lang],
                    f"language {lang!r} is not among the codebook's languages {list(languages)}",
                    "add it to languages:, or correct the language code",
                )
        for lang in languages:
            if lang not in value:
                if required:
                    raise self.fail(
                        path,
                        f"{what} has no {lang!r} text",
                        f"add {lang}: ... (every code is defined in every language of the codebook)",
                    )
                continue
            out[lang] = self.text(value[lang], [*path, lang], what)
        return out


def _keyword_regex(word: str) -> str:
    """Regex (on folded text) of a keyword or phrase: whole words, white space between
    words matching any run of white space; a word ending in * matches any ending."""
    parts = []
    for w in fold(word).split():
        star = w.endswith("*")
        parts.append(re.escape(w[:-1] if star else w) + (r"\w*" if star else ""))
    return r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)"


def _strip_accents(pattern: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", pattern)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _rules(
    chk: _Checker, value: object, path: list[object], code_id: str, languages
) -> tuple[Rule, ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise chk.fail(
            path,
            "rules must map each language to a list of rules",
            "write rules: {en: [...], es: [...]}",
        )
    out: list[Rule] = []
    for lang, items in value.items():
        if lang not in languages:
            raise chk.fail(
                [*path, lang],
                f"language {lang!r} is not among the codebook's languages {list(languages)}",
                "add it to languages:, or correct the language code",
            )
        if not isinstance(items, list):
            raise chk.fail(
                [*path, lang],
                "rules of a language must be a list",
                "write a YAML list: [word, other*]",
            )
        for i, item in enumerate(items):
            p = [*path, lang, i]
            if isinstance(item, Mapping):
                if set(item) != {"regex"}:
                    raise chk.fail(
                        p, f"a rule mapping has keys {sorted(item)}", "write {regex: '...'}"
                    )
                pattern = chk.text(item["regex"], [*p, "regex"], "regex")
                try:
                    rx = re.compile(_strip_accents(pattern), re.IGNORECASE)
                except re.error as err:
                    raise chk.fail(
                        [*p, "regex"],
                        f"regex {pattern!r} does not compile: {err}",
                        "correct the regular expression",
                    ) from None
                if rx.search("") is not None:
                    raise chk.fail(
                        [*p, "regex"],
                        f"regex {pattern!r} matches empty text",
                        "make the expression require at least one character",
                    )
                out.append(Rule(code_id, str(lang), pattern, "regex", rx))
            elif isinstance(item, (str, int)) and not isinstance(item, bool):
                word = str(item).strip()
                words = word.split()
                if not words or any(not w.rstrip("*") or "*" in w.rstrip("*") for w in words):
                    raise chk.fail(
                        p,
                        f"keyword {item!r} is empty or has * other than at the end of a word",
                        "write a word or phrase whose words may end in * (e.g. translat*)",
                    )
                out.append(
                    Rule(code_id, str(lang), word, "keyword", re.compile(_keyword_regex(word)))
                )
            else:
                raise chk.fail(
                    p,
                    f"rule {item!r} is neither a keyword nor {{regex: ...}}",
                    "write a word, a phrase or {regex: '...'}",
                )
    return tuple(out)


def _build(data: object, file: str | None, node: Any) -> Codebook:
    chk = _Checker(file, node)
    if not isinstance(data, Mapping):
        raise chk.fail(
            [], "a codebook must be a YAML mapping", "start the file with codebook: NAME"
        )
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise chk.fail([unknown[0]], f"unknown key {unknown[0]!r}", f"use only {sorted(_TOP_KEYS)}")
    for key in _REQUIRED_TOP:
        if key not in data:
            raise chk.fail([key], f"the codebook has no {key!r}", f"add {key}: ...")
    name = chk.text(data["codebook"], ["codebook"], "codebook name")
    langs = data["languages"]
    if not isinstance(langs, list) or not langs or not all(isinstance(x, str) and x for x in langs):
        raise chk.fail(
            ["languages"],
            f"languages must be a list of codes, got {langs!r}",
            "write languages: [en, es]",
        )
    if len(set(langs)) != len(langs):
        raise chk.fail(["languages"], "a language is listed twice", "list each language once")
    languages = tuple(langs)
    title = chk.per_language(data.get("title"), ["title"], "title", languages, required=False)
    description = chk.per_language(
        data.get("description"), ["description"], "description", languages, required=False
    )
    codes_raw = data["codes"]
    if not isinstance(codes_raw, list) or not codes_raw:
        raise chk.fail(["codes"], "codes must be a non-empty list", "list the codes under codes:")
    codes: list[Code] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(codes_raw):
        p: list[object] = ["codes", i]
        if not isinstance(raw, Mapping):
            raise chk.fail(
                p, "each code must be a mapping with id, label and definition", "write - id: ..."
            )
        bad = sorted(set(raw) - _CODE_KEYS)
        if bad:
            raise chk.fail(
                [*p, bad[0]], f"unknown key {bad[0]!r}", f"use only {sorted(_CODE_KEYS)}"
            )
        if "id" not in raw:
            raise chk.fail(p, "the code has no id", "add id: a_name (lower case, digits, _)")
        cid = raw["id"]
        if not isinstance(cid, str) or not _ID.match(cid):
            raise chk.fail(
                [*p, "id"],
                f"id {cid!r} is not lower case letters, digits and _",
                "rename it, e.g. language_access",
            )
        if cid in seen:
            raise chk.fail(
                [*p, "id"],
                f"id {cid!r} is used twice (also codes[{seen[cid]}])",
                "give every code its own id",
            )
        seen[cid] = i
        for req in ("label", "definition"):
            if req not in raw:
                raise chk.fail(
                    p,
                    f"code {cid!r} has no {req}",
                    f"add {req}: {{{', '.join(f'{lang}: ...' for lang in languages)}}}",
                )
        label = chk.per_language(raw["label"], [*p, "label"], "label", languages, required=True)
        definition = chk.per_language(
            raw["definition"], [*p, "definition"], "definition", languages, required=True
        )
        include = chk.per_language(
            raw.get("include"), [*p, "include"], "include", languages, required=False
        )
        exclude = chk.per_language(
            raw.get("exclude"), [*p, "exclude"], "exclude", languages, required=False
        )
        examples: dict[str, tuple[str, ...]] = {}
        ex = raw.get("examples")
        if ex is not None:
            if not isinstance(ex, Mapping):
                raise chk.fail(
                    [*p, "examples"],
                    "examples must map each language to a list",
                    "write examples: {en: [...], es: [...]}",
                )
            for lang, items in ex.items():
                if lang not in languages:
                    raise chk.fail(
                        [*p, "examples", lang],
                        f"language {lang!r} is not among {list(languages)}",
                        "correct the language code",
                    )
                if not isinstance(items, list):
                    raise chk.fail(
                        [*p, "examples", lang],
                        "examples of a language must be a list",
                        "write a YAML list",
                    )
                examples[str(lang)] = tuple(
                    chk.text(t, [*p, "examples", lang, j], "example") for j, t in enumerate(items)
                )
        parent = raw.get("parent")
        if parent is not None and not isinstance(parent, str):
            raise chk.fail(
                [*p, "parent"],
                f"parent {parent!r} is not a code id",
                "write parent: another_code_id",
            )
        rules = _rules(chk, raw.get("rules"), [*p, "rules"], cid, languages)
        codes.append(Code(cid, label, definition, include, exclude, examples, parent, rules))
    for i, c in enumerate(codes):
        if c.parent is not None and c.parent not in seen:
            raise chk.fail(
                ["codes", i, "parent"],
                f"parent {c.parent!r} is not a code of this codebook",
                "use the id of another code",
            )
        if c.parent == c.id:
            raise chk.fail(
                ["codes", i, "parent"],
                "a code cannot be its own parent",
                "remove parent: or name another code",
            )
    version = data.get("version", "")
    return Codebook(
        name=name,
        version=str(version) if version is not None else "",
        languages=languages,
        codes=tuple(codes),
        title=title,
        description=description,
        file=file,
    )


def load_codebook(
    source: str | Path | Mapping[str, Any] | Codebook = "family_engagement",
) -> Codebook:
    """Read and validate a codebook.

    Parameters
    ----------
    source : the name of a shipped codebook (:func:`available_codebooks`, default the
        starter ``"family_engagement"``), the path of a YAML file, an already parsed
        mapping, or a :class:`Codebook` (returned as is).

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError naming the file, the key (e.g. ``codes[2].rules.es[1]``) and its line,
    with how to fix it.

    Examples
    --------
    >>> cb = load_codebook()
    >>> "language_access" in cb
    True
    """
    import yaml

    if isinstance(source, Codebook):
        return source
    if isinstance(source, Mapping):
        return _build(source, None, None)
    path = Path(source)
    if not path.suffix and not path.exists():
        shipped = CODEBOOK_DIR / f"{path.name}.yaml"
        if not shipped.exists():
            raise CodebookError(
                f"no codebook called {str(source)!r}",
                file=source,
                fix=f"pass the path of a YAML file, or one of {available_codebooks()}",
            )
        path = shipped
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CodebookError("file not found", file=path, fix="check the path") from None
    except UnicodeDecodeError:
        raise CodebookError(
            "the file is not UTF-8 text", file=path, fix="save it as UTF-8"
        ) from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise CodebookError(
            f"the file is not valid YAML: {getattr(err, 'problem', err)}",
            file=path,
            row=None if mark is None else mark.line + 1,
            fix="correct the YAML syntax (indentation, quotes, colons) at that line",
        ) from None
    finally:
        loader.dispose()
    return _build(data, str(path), node)


# --- suggestions --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class CodeSuggestions(ResultMixin):
    """Codes suggested by keyword rules: **suggestions for a coder to confirm, never
    codes**.

    A result of :func:`suggest_codes` (computed from the texts by a stated rule, with
    the call that made it), though not an estimate: no interval, no p-value.

    Attributes
    ----------
    table : one row per rule match: segment_id, code, language (of the rule), rule (as
        written), match (the text matched, as in the original), start, end (character
        offsets in the original text), status ("suggested").
    codebook : name of the codebook.
    n : texts examined (formerly ``n_texts``).
    notes : anything else worth saying.
    """

    table: pd.DataFrame = field(repr=False)
    codebook: str
    n: int
    notes: tuple[str, ...] = ()

    STATUS: ClassVar[str] = "suggested"
    _aliases: ClassVar = {"n_texts": "n"}

    def to_frame(self) -> pd.DataFrame:
        """One row per rule match, ``term`` (the segment id, as text) first."""
        return tidy(self.table, term=T.SEGMENT_ID)

    def by_segment(self) -> pd.DataFrame:
        """One row per segment x suggested code: the rules that fired, joined."""
        t = self.table
        if t.empty:
            import pandas as pd

            return pd.DataFrame(columns=[T.SEGMENT_ID, T.CODE, T.RULE, T.N_MATCHES])
        g = t.groupby([T.SEGMENT_ID, T.CODE], sort=False, observed=True)
        out = g[T.RULE].agg(lambda s: "; ".join(dict.fromkeys(s))).reset_index()
        out[T.N_MATCHES] = g.size().to_numpy()
        return out

    def review_sheet(self) -> pd.DataFrame:
        """:meth:`by_segment` with an empty ``confirmed`` column for a coder to fill (1
        to accept, 0 to reject); only confirmed rows should be counted as codes."""
        import pandas as pd

        out = self.by_segment()
        out[T.CONFIRMED] = pd.array([pd.NA] * len(out), dtype="Int64")
        return out

    def summary(self) -> str:
        t = self.table
        n_seg = t[T.SEGMENT_ID].nunique() if len(t) else 0
        lines = [
            f"Code suggestions from codebook {self.codebook!r}: {len(t)} rule matches in "
            f"{n_seg} of {self.n} texts",
            "These are SUGGESTIONS for a coder to confirm, not codes: keyword rules miss "
            "meaning (negation, irony, context) and must not be counted as themes.",
        ]
        if len(t):
            counts = t.drop_duplicates([T.SEGMENT_ID, T.CODE])[T.CODE].value_counts()
            lines.append(
                "Texts with a suggestion, by code: "
                + ", ".join(f"{k} {v}" for k, v in counts.items())
            )
        return "\n".join(lines)


def _texts(texts: object) -> tuple[list[object], list[str]]:
    """Segment ids and texts from a Series (index = ids), mapping, str or sequence."""
    import pandas as pd

    if isinstance(texts, str):
        return [0], [texts]
    if isinstance(texts, pd.Series):
        return list(texts.index), [
            "" if pd.isna(v) else str(v) for v in texts.to_numpy(dtype=object)
        ]
    if isinstance(texts, pd.DataFrame):
        raise CEIError(
            "suggest_codes takes a column of texts, not a whole table",
            fix=f'pass df.set_index("{T.SEGMENT_ID}")["{T.TEXT}"] (a Series indexed by segment id)',
        )
    if isinstance(texts, Mapping):
        return list(texts.keys()), ["" if v is None else str(v) for v in texts.values()]
    vals = list(texts)  # type: ignore[call-overload]
    return list(range(len(vals))), [
        "" if v is None or (isinstance(v, float) and v != v) else str(v) for v in vals
    ]


@estimator(data=("texts",))
def suggest_codes(
    texts: pd.Series | Sequence[str] | Mapping[object, str] | str,
    codebook: str | Path | Codebook = "family_engagement",
    *,
    languages: Sequence[str] | None = None,
) -> CodeSuggestions:
    """Suggest codes for texts by the codebook's keyword rules.

    Each rule is matched against the text folded to lower case without accents (so
    "Comunicación", "COMUNICACION" and "comunicacion" are the same), on whole words;
    a keyword ending in * matches any ending. Every match is reported with the rule that
    fired and its position in the original text, so a coder can see why a code was
    suggested. **Suggestions are not codes**: a coder confirms or rejects each one
    (:meth:`CodeSuggestions.review_sheet`); only confirmed codes go into theme shares or
    agreement.

    Parameters
    ----------
    texts : a Series of texts indexed by segment id, a mapping id -> text, a list
        (ids are positions) or one string.
    codebook : a :class:`Codebook`, the name of a shipped one or a YAML path.
    languages : rules of these languages only (default: every language, since one
        comment may mix languages).

    Returns
    -------
    CodeSuggestions

    Examples
    --------
    >>> s = suggest_codes(["No hubo intérprete en la junta"])
    >>> s.by_segment()["code"].tolist()
    ['language_access']
    """
    import pandas as pd

    cb = load_codebook(codebook)
    ids, values = _texts(texts)
    langs = set(cb.languages if languages is None else languages)
    unknown = sorted(langs - set(cb.languages))
    if unknown:
        raise CodebookError(
            f"language {unknown[0]!r} is not among the codebook's languages {list(cb.languages)}",
            file=cb.file,
            fix="pass languages= from the codebook's languages",
        )
    rules = [r for r in cb.rules if r.language in langs]
    rows: list[tuple] = []
    for sid, text in zip(ids, values):
        if not text:
            continue
        folded, where = fold_with_map(text)
        for r in rules:
            for m in r.regex.finditer(folded):
                a, b = span_in_original(where, m.start(), m.end(), len(text))
                rows.append((sid, r.code, r.language, r.pattern, text[a:b], a, b))
    table = pd.DataFrame(
        rows, columns=[T.SEGMENT_ID, T.CODE, T.LANGUAGE, T.RULE, T.MATCH, T.START, T.END]
    )
    table[T.STATUS] = CodeSuggestions.STATUS
    return CodeSuggestions(table=table, codebook=cb.name, n=len(values))
