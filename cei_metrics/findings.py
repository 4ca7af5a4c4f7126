r"""Findings written from results: every sentence that states a finding, and how it was computed.

A notebook, a caption and the report never state a finding in fixed words: they call
the small functions here, which read the computed result (value, interval, direction,
``n``, suppression) and choose the wording. The verdict rule is the same everywhere:

=====================  =================================================================
verdict                when
=====================  =================================================================
``suppressed``         the cell rests on fewer than ``min_cell`` people (or the result
                       flags it ``suppressed``): nothing about it is stated
``too few to say``     no estimate, no interval where one is expected, or fewer units
                       than ``min_units`` (e.g. one survey wave for a change)
``above`` / ``below``  the whole confidence interval lies above / below the reference
                       (parity 1 for a ratio, 0 for a difference, change or effect, a bar
                       for a threshold)
``at reference``       the interval includes the reference: "not distinguishable from
                       parity" / "no distinguishable difference" / "no change"
=====================  =================================================================

Without an interval by design (a self-rating is not a sample: ``interval=False``) the
point estimate is compared with the reference, within ``tol``.

The pieces:

- :func:`verdict` and :func:`sentence`: the rule and the words, for the kinds
  ``"parity"``, ``"difference"``, ``"effect"``, ``"change"``, ``"threshold"`` and
  ``"level"``;
- :class:`Finding` (:func:`finding`, :func:`from_frame`): one stated finding with its
  value, interval, ``n`` and the :class:`Call` that computed it; displayed in a notebook
  as its sentence, and carried in the notebook's output (MIME type :data:`MIME_FINDING`)
  so that the report collects every key finding into ``reports/findings.json``;
- :class:`Call`, :class:`Table`, :class:`Dataset` and :func:`replay`: a library call
  recorded so that it can be run again on the same data (a test does, for every
  finding of a report run);
- :func:`check_section`: whether the data support a section (the checks registry of
  :mod:`cei_metrics.io.checks`, shared with ``cei-metrics check``), showing a boxed note
  (:class:`SectionNote`: what the section would show, why it cannot, what would enable
  it) when they do not;
- :func:`released_table`: a table a notebook displays, passed through
  :func:`cei_metrics.privacy.release` first, so that a page shows what is released;
- ``describe_*``: alt text and captions of the report's figures, written from the
  released data each figure draws.

This module sits beside :mod:`cei_metrics.viz`, above :mod:`cei_metrics.privacy`: it
reads results and released data, never raw tables.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import CEIError, OptionError
from .privacy._rules import MIN_CELL

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "ABOVE",
    "AT",
    "BELOW",
    "KINDS",
    "MIME_FINDING",
    "MIME_SKIP",
    "SUPPRESSED",
    "TOO_FEW",
    "Call",
    "Dataset",
    "Finding",
    "SectionNote",
    "Table",
    "alt_coverage",
    "caption_coverage",
    "check_section",
    "describe_range",
    "finding",
    "fmt_ci",
    "fmt_value",
    "from_frame",
    "released_table",
    "replay",
    "sentence",
    "show",
    "tally",
    "verdict",
]

#: MIME type of a finding in a notebook's outputs (read by the report).
MIME_FINDING = "application/vnd.cei-metrics.finding+json"
#: MIME type of a skipped section's note in a notebook's outputs.
MIME_SKIP = "application/vnd.cei-metrics.skipped-section+json"

ABOVE = "above"
BELOW = "below"
AT = "at reference"
TOO_FEW = "too few to say"
SUPPRESSED = "suppressed"
ESTIMATE = "estimate"
VERDICTS = (ABOVE, BELOW, AT, TOO_FEW, SUPPRESSED, ESTIMATE)
#: Kinds of statement and their default reference value.
KINDS = {
    "parity": 1.0,
    "difference": 0.0,
    "effect": 0.0,
    "change": 0.0,
    "threshold": None,
    "level": None,
}


# --------------------------------------------------------------------------- the rule


def _num(x: Any) -> float | None:
    """A finite float, or None (missing, NaN, pandas NA)."""
    if x is None:
        return None
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def verdict(
    estimate: Any,
    ci_low: Any = None,
    ci_high: Any = None,
    *,
    reference: float | None = 0.0,
    n: Any = None,
    n_units: Any = None,
    min_cell: int = MIN_CELL,
    min_units: int | None = None,
    suppressed: bool = False,
    interval: bool = True,
    tol: float = 0.0,
) -> str:
    """The verdict on one estimate (see the module docstring for the rule).

    Parameters
    ----------
    estimate, ci_low, ci_high : the estimate and its confidence interval.
    reference : the value compared with (1 for parity, 0 for a difference or change);
        None for a plain estimate (verdict ``"estimate"``).
    n : people behind the estimate; ``0 < n < min_cell`` means suppressed.
    n_units : units behind it (districts, waves, clusters); fewer than ``min_units``
        means too few to say.
    suppressed : the result's own ``suppressed`` flag.
    interval : False when the estimate has no interval by design (a self-rating, a
        census): the point is compared with ``reference`` within ``tol``.

    Examples
    --------
    >>> verdict(0.62, 0.48, 0.80, reference=1.0)
    'below'
    >>> verdict(1.1, 0.9, 1.3, reference=1.0)
    'at reference'
    >>> verdict(0.5, 0.3, 0.7, reference=1.0, n=8)
    'suppressed'
    """
    people = _num(n)
    if suppressed or (people is not None and 0 < people < min_cell):
        return SUPPRESSED
    est = _num(estimate)
    if est is None:
        return TOO_FEW
    units = _num(n_units)
    if min_units is not None and (units is None or units < min_units):
        return TOO_FEW
    if reference is None:
        return ESTIMATE
    if not interval:
        if abs(est - reference) <= tol:
            return AT
        return ABOVE if est > reference else BELOW
    lo, hi = _num(ci_low), _num(ci_high)
    if lo is None or hi is None:
        return TOO_FEW
    if lo > reference:
        return ABOVE
    if hi < reference:
        return BELOW
    return AT


# -------------------------------------------------------------------------- the words


def fmt_value(x: Any, fmt: str = ".2f", unit: str = "") -> str:
    """``x`` formatted (``fmt`` a format spec: ``".2f"``, ``".0%"``, ``"+.1f"``), then
    ``unit``; "n/a" when missing. A percentage spec on a proportion gives "45%"."""
    v = _num(x)
    if v is None:
        return "n/a"
    text = format(v, fmt)
    if text.lstrip("+-").strip("0.%") == "":  # rounds to zero: no "-0.00"
        text = format(0.0, fmt)
    return f"{text}{unit}"


def fmt_ci(
    ci_low: Any, ci_high: Any, ci_level: float | None = 0.95, fmt: str = ".2f", unit: str = ""
) -> str:
    """``"95% CI 0.41 to 0.62"``; ``""`` when the interval is missing."""
    lo, hi = _num(ci_low), _num(ci_high)
    if lo is None or hi is None:
        return ""
    level = f"{ci_level:.0%} CI " if ci_level else "CI "
    return f"{level}{fmt_value(lo, fmt)} to {fmt_value(hi, fmt)}{unit}"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _abs_fmt(fmt: str) -> str:
    return fmt.replace("+", "")


def sentence(
    kind: str,
    verdict_: str,
    *,
    what: str,
    estimate: Any = None,
    ci_low: Any = None,
    ci_high: Any = None,
    ci_level: float | None = 0.95,
    reference: float | None = None,
    fmt: str = ".2f",
    unit: str = "",
    compared_with: str = "the reference group",
    first: str | None = None,
    last: str | None = None,
    reason: str = "",
    min_cell: int = MIN_CELL,
) -> str:
    """The sentence stating one finding, for every kind and verdict.

    Parameters
    ----------
    kind : ``"parity"`` (a ratio against 1), ``"difference"`` (a gap between groups,
        against 0; ``compared_with`` names the other group), ``"effect"`` (an estimated
        effect, against 0), ``"change"`` (between ``first`` and ``last``, against 0),
        ``"threshold"`` (against a bar, ``reference``), ``"level"`` (an estimate alone).
    verdict_ : what :func:`verdict` returned.
    what : the subject, e.g. "EL families' representation in Azusa Unified, 2023-24".
    fmt, unit : how values are written (``".2f"`` and ``" points"``; ``".0%"``).
    reason : why there is too little to say (default: a generic reason).

    Examples
    --------
    >>> sentence("parity", "below", what="EL families' representation", estimate=0.6,
    ...          ci_low=0.45, ci_high=0.78)
    "EL families' representation is below parity: 0.60 (95% CI 0.45 to 0.78)."
    """
    if kind not in KINDS:
        raise OptionError(f"unknown kind of finding {kind!r}", fix=f"use one of {list(KINDS)}")
    if verdict_ not in VERDICTS:
        raise OptionError(f"unknown verdict {verdict_!r}", fix=f"use one of {list(VERDICTS)}")
    W = _cap(what)
    if verdict_ == SUPPRESSED:
        return f"{W} rests on fewer than {min_cell} people and is not reported."
    if verdict_ == TOO_FEW:
        why = reason or (
            "one period only, so no change can be measured"
            if kind == "change"
            else "the estimate or its interval could not be computed from these data"
        )
        return f"{W}: too few data to say ({why})."
    est = fmt_value(estimate, fmt, unit)
    mag = fmt_value(abs(_num(estimate) or 0.0), _abs_fmt(fmt), unit)
    signed = fmt_value(estimate, "+" + _abs_fmt(fmt), unit)
    ci = fmt_ci(ci_low, ci_high, ci_level, _abs_fmt(fmt), unit)
    paren = f" ({ci})" if ci else ""
    ref = fmt_value(reference, _abs_fmt(fmt)) if reference is not None else ""
    span = f" from {first} to {last}" if first is not None and last is not None else ""
    if verdict_ == ESTIMATE or kind == "level":
        return f"{W} is {est}{paren}."
    if kind == "parity":
        if verdict_ == ABOVE:
            return f"{W} is above parity: {est}{paren}."
        if verdict_ == BELOW:
            return f"{W} is below parity: {est}{paren}."
        return f"{W} is {est}{paren}, not distinguishable from parity ({ref})."
    if kind == "difference":
        if verdict_ == ABOVE:
            return f"{W} is {mag} higher than {compared_with}{paren}."
        if verdict_ == BELOW:
            return f"{W} is {mag} lower than {compared_with}{paren}."
        return (
            f"{W} is not distinguishable from {compared_with}: the difference is {signed}{paren}."
        )
    if kind == "effect":
        if verdict_ == ABOVE:
            return f"{W} is an increase of {mag}{paren}; the interval excludes zero."
        if verdict_ == BELOW:
            return f"{W} is a decrease of {mag}{paren}; the interval excludes zero."
        return f"{W} is {signed}{paren}, not distinguishable from zero."
    if kind == "change":
        if verdict_ == ABOVE:
            return f"{W} rose by {mag}{span}{paren}."
        if verdict_ == BELOW:
            return f"{W} fell by {mag}{span}{paren}."
        return f"{W} did not change distinguishably{span}: {signed}{paren}."
    # threshold
    if verdict_ == ABOVE:
        return f"{W} is {est}{paren}, above the bar of {ref}."
    if verdict_ == BELOW:
        return f"{W} is {est}{paren}, below the bar of {ref}."
    if ci:
        return f"{W} is {est} ({ci}); the interval includes the bar of {ref}."
    return f"{W} is {est}, at the bar of {ref}."


# ------------------------------------------------------------------- recorded calls


def _plain(v: Any) -> Any:
    """A JSON-able copy of a plain argument (tuples as lists, numpy scalars as numbers)."""
    if isinstance(v, (Table, Dataset, Call)):
        return v.to_dict()
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, frozenset)):
        return [_plain(x) for x in v]
    if hasattr(v, "item") and getattr(v, "shape", None) == ():
        return v.item()
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    raise OptionError(
        f"a recorded call takes plain arguments, tables and calls, not {type(v).__name__}",
        fix="pass a canonical table as Table('survey'), a shipped dataset as "
        "Dataset('public_p3_ratings'), or the result of another library call as its Call",
    )


def _decode(v: Any) -> Any:
    if isinstance(v, Mapping):
        if "$table" in v:
            return Table(v["$table"], where=v.get("where", {}))
        if "$dataset" in v:
            return Dataset(v["$dataset"], where=v.get("where", {}))
        if "$call" in v:
            return Call.from_dict(v)
        return {k: _decode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_decode(x) for x in v]
    return v


def _filter(frame: pd.DataFrame, where: Mapping[str, Sequence[Any]], what: str):
    if not where:
        return frame
    mask = None
    for col, values in where.items():
        if col not in frame.columns:
            raise CEIError(
                f"{what} has no column {col!r} to select rows by",
                column=col,
                fix="record a filter on one of the table's columns",
            )
        vals = list(values) if isinstance(values, (list, tuple, set)) else [values]
        m = frame[col].isin(vals)
        mask = m if mask is None else mask & m
    return frame[mask]


@dataclass(frozen=True)
class Table:
    """A canonical table of the processed data (``survey``, ``participation``,
    ``outcomes``, ``ratings``, ``roster``) as a recorded argument, optionally restricted
    to rows whose columns take the given values (``where={"event_type": ["convening"]}``)."""

    name: str
    where: Mapping[str, Any] = field(default_factory=dict)

    def resolve(self, tables: Any) -> pd.DataFrame:
        frame = tables.get(self.name) if isinstance(tables, Mapping) else None
        if frame is None:
            frame = getattr(tables, self.name, None)
        if frame is None:
            raise CEIError(
                f"no table {self.name!r} to run the recorded call on",
                fix="pass the tables the finding was computed from (cm.io.load_tables)",
            )
        return _filter(frame, self.where, f"table {self.name!r}")

    def to_dict(self) -> dict:
        return {"$table": self.name, "where": _plain(dict(self.where))}


@dataclass(frozen=True)
class Dataset:
    """A dataset shipped with the package (``cm.datasets.<name>()``, e.g. the public
    Priority 3 extracts) as a recorded argument, optionally restricted like :class:`Table`."""

    name: str
    where: Mapping[str, Any] = field(default_factory=dict)

    def resolve(self, tables: Any = None) -> pd.DataFrame:
        from . import datasets

        if not self.name.startswith(("public_", "plln_")):
            raise CEIError(
                f"{self.name!r} is not a shipped public dataset",
                fix="use a cm.datasets.public_* or plln_* function name",
            )
        frame = getattr(datasets, self.name)()
        return _filter(frame, self.where, f"dataset {self.name!r}")

    def to_dict(self) -> dict:
        return {"$dataset": self.name, "where": _plain(dict(self.where))}


#: packages whose public functions a recorded call may name
_CALLABLE_PACKAGES = frozenset(
    {"indicators", "psychometrics", "impact", "compare", "text", "io", "datasets", "privacy"}
)


def _function(path: str):
    mod, _, attr = path.rpartition(".")
    if not mod or not attr or path.startswith((".", "_")) or "._" in path:
        raise CEIError(
            f"{path!r} is not a public cei_metrics function",
            fix="record calls as 'package.function', e.g. 'indicators.reach'",
        )
    if mod.split(".")[0] not in _CALLABLE_PACKAGES:
        raise CEIError(
            f"{path!r} is not a function of an analysis package of cei_metrics",
            fix=f"record calls into {sorted(_CALLABLE_PACKAGES)}",
        )
    module = importlib.import_module(f"cei_metrics.{mod}")
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise CEIError(f"cei_metrics.{path} is not a function", fix="check the recorded call")
    return fn


@dataclass(frozen=True)
class Call:
    """A library call recorded so that it can be run again on the same data.

    ``function`` is a public function of ``cei_metrics`` named from the package down
    (``"indicators.representation_index"``); ``args``/``kwargs`` are plain values,
    :class:`Table`, :class:`Dataset` or other calls (whose results are passed);
    ``then`` lists methods applied to the result in turn (``("aggregate", ("simple",),
    {})``).

    Examples
    --------
    >>> rep = Call("indicators.representation_index", Table("participation"),
    ...            Table("roster"), group="el_family", by=["district_id", "year"])
    >>> res = rep.run(tables)  # doctest: +SKIP
    """

    function: str
    args: tuple = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    then: tuple = ()

    def __init__(self, function: str, *args: Any, then: tuple = (), **kwargs: Any) -> None:
        _plain(list(args))
        _plain(kwargs)
        object.__setattr__(self, "function", function)
        object.__setattr__(self, "args", tuple(args))
        object.__setattr__(self, "kwargs", dict(kwargs))
        object.__setattr__(self, "then", tuple(then))

    def method(self, name: str, *args: Any, **kwargs: Any) -> Call:
        """The same call followed by ``result.name(*args, **kwargs)``."""
        _plain(list(args))
        _plain(kwargs)
        return Call(
            self.function,
            *self.args,
            then=(*self.then, (name, tuple(args), dict(kwargs))),
            **self.kwargs,
        )

    def run(self, tables: Any = None) -> Any:
        """Run the call on ``tables`` (``cm.io.load_tables(...)`` or a dict of frames)."""

        def arg(v: Any) -> Any:
            if isinstance(v, (Table, Dataset)):
                return v.resolve(tables)
            if isinstance(v, Call):
                return v.run(tables)
            if isinstance(v, list):
                return [arg(x) for x in v]
            return v

        out = _function(self.function)(
            *[arg(a) for a in self.args], **{k: arg(v) for k, v in self.kwargs.items()}
        )
        for name, a, k in self.then:
            if name.startswith("_"):
                raise CEIError(f"{name!r} is not a public method", fix="check the recorded call")
            out = getattr(out, name)(*[arg(x) for x in a], **{kk: arg(v) for kk, v in k.items()})
        return out

    def to_dict(self) -> dict:
        return {
            "$call": self.function,
            "args": _plain(list(self.args)),
            "kwargs": _plain(dict(self.kwargs)),
            "then": [[n, _plain(list(a)), _plain(dict(k))] for n, a, k in self.then],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Call:
        then = tuple((n, tuple(_decode(a)), dict(_decode(k))) for n, a, k in d.get("then", []))
        return cls(d["$call"], *_decode(d.get("args", [])), then=then, **_decode(d["kwargs"]))

    def text(self) -> str:
        """The call as a person would write it (data described by name)."""

        def show(v: Any) -> str:
            if isinstance(v, Table):
                w = f" where {dict(v.where)}" if v.where else ""
                return f"tables.{v.name}{w}"
            if isinstance(v, Dataset):
                return f"cm.datasets.{v.name}()"
            if isinstance(v, Call):
                return v.text()
            return repr(v)

        parts = [show(a) for a in self.args] + [f"{k}={show(v)}" for k, v in self.kwargs.items()]
        out = f"cm.{self.function}({', '.join(parts)})"
        for n, a, k in self.then:
            inner = [show(x) for x in a] + [f"{kk}={show(v)}" for kk, v in k.items()]
            out += f".{n}({', '.join(inner)})"
        return out


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Finding:
    """One stated finding: the sentence and the numbers it was written from.

    Attributes
    ----------
    key : a stable identifier ("el_representation.3066431.2023-24").
    text : the sentence.
    kind, verdict : see :func:`sentence` and :func:`verdict`.
    estimate, ci_low, ci_high, ci_level : the value and its interval (None when
        suppressed or absent).
    n : people behind the estimate (None when it counts no people, or is suppressed).
    n_units : units behind it (districts, LEAs, waves) when that is what it rests on.
    reference : the value compared with.
    unit : the unit of ``estimate``.
    source : how to compute it again: ``{"call", "frame", "row", "column", "ci", "n"}``
        (see :func:`replay`), or None.
    section : the notebook section it belongs to.
    """

    key: str
    text: str
    kind: str
    verdict: str
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float | None = None
    n: int | None = None
    n_units: int | None = None
    reference: float | None = None
    unit: str = ""
    source: Mapping[str, Any] | None = None
    section: str = ""

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "section": self.section,
            "statement": self.text,
            "kind": self.kind,
            "verdict": self.verdict,
            "estimate": self.estimate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "ci_level": self.ci_level,
            "n": self.n,
            "n_units": self.n_units,
            "reference": self.reference,
            "unit": self.unit,
            "call": self.call_text(),
            "source": _plain(dict(self.source)) if self.source else None,
        }

    def call_text(self) -> str:
        if not self.source:
            return ""
        c = Call.from_dict(self.source["call"]).text()
        fr = self.source.get("frame", "to_frame")
        row = self.source.get("row") or {}
        sel = f" row {row}" if row else ""
        return f"{c}.{fr}(){sel}, column {self.source.get('column', 'estimate')!r}"

    def __str__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        return self.text

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        return {
            "text/plain": self.text,
            "text/markdown": self.text,
            MIME_FINDING: self.to_dict(),
        }


def finding(
    key: str,
    *,
    what: str,
    kind: str,
    estimate: Any = None,
    ci_low: Any = None,
    ci_high: Any = None,
    ci_level: float | None = 0.95,
    n: Any = None,
    n_units: Any = None,
    reference: float | str | None = "default",
    fmt: str = ".2f",
    unit: str = "",
    compared_with: str = "the reference group",
    first: str | None = None,
    last: str | None = None,
    suppressed: bool = False,
    interval: bool = True,
    tol: float = 0.0,
    min_cell: int = MIN_CELL,
    min_units: int | None = None,
    reason: str = "",
    source: Mapping[str, Any] | None = None,
    section: str = "",
) -> Finding:
    """A :class:`Finding`: the verdict, the sentence and the numbers, in one step.

    A suppressed finding (the result's flag, or ``0 < n < min_cell``) keeps no number:
    estimate, interval and ``n`` are None, and the sentence says it is not reported.
    ``reference="default"`` takes the kind's (1 for parity, 0 for differences,
    effects and changes). Other parameters as in :func:`verdict` and :func:`sentence`.
    """
    if kind not in KINDS:
        raise OptionError(f"unknown kind of finding {kind!r}", fix=f"use one of {list(KINDS)}")
    ref = KINDS[kind] if reference == "default" else reference
    if kind == "threshold" and ref is None:
        raise OptionError("a threshold finding needs reference=", fix="give the bar, e.g. 0.7")
    v = verdict(
        estimate,
        ci_low,
        ci_high,
        reference=ref if kind != "level" else None,
        n=n,
        n_units=n_units,
        min_cell=min_cell,
        min_units=min_units,
        suppressed=suppressed,
        interval=interval,
        tol=tol,
    )
    text = sentence(
        kind,
        v,
        what=what,
        estimate=estimate,
        ci_low=ci_low if interval else None,
        ci_high=ci_high if interval else None,
        ci_level=ci_level,
        reference=ref,
        fmt=fmt,
        unit=unit,
        compared_with=compared_with,
        first=first,
        last=last,
        reason=reason,
        min_cell=min_cell,
    )
    hide = v == SUPPRESSED
    people = _num(n)
    units = _num(n_units)
    return Finding(
        key=key,
        text=text,
        kind=kind,
        verdict=v,
        estimate=None if hide else _num(estimate),
        ci_low=None if hide or not interval else _num(ci_low),
        ci_high=None if hide or not interval else _num(ci_high),
        ci_level=ci_level if interval else None,
        n=None if hide or people is None else int(people),
        n_units=None if units is None else int(units),
        reference=ref,
        unit=unit,
        source=source,
        section=section,
    )


def _select(frame: pd.DataFrame, row: Mapping[str, Any] | None, what: str) -> Any:
    if row:
        mask = None
        for col, val in row.items():
            if col not in frame.columns:
                raise CEIError(
                    f"the {what} has no column {col!r}",
                    column=col,
                    fix=f"select the row by columns of {list(frame.columns)}",
                )
            m = frame[col].astype(str) == str(val)
            mask = m if mask is None else mask & m
        frame = frame[mask]
    if len(frame) != 1:
        raise CEIError(
            f"{len(frame)} rows of the {what} match {dict(row or {})}; a finding states one",
            fix="name every key column of the row in row=",
        )
    return frame.iloc[0]


def from_frame(
    frame: pd.DataFrame,
    *,
    key: str,
    what: str,
    kind: str,
    row: Mapping[str, Any] | None = None,
    call: Call | None = None,
    frame_method: str = "to_frame",
    column: str = "estimate",
    ci: tuple[str, str] = ("ci_low", "ci_high"),
    n: str | None = "n",
    n_units: str | int | None = None,
    ci_level: float | None = 0.95,
    **options: Any,
) -> Finding:
    """The finding stated by one row of a result's tidy frame.

    ``row`` names the row by its key columns (compared as text); ``column`` holds the
    value, ``ci`` the interval, ``n`` the people (None when the result counts no people)
    and ``n_units`` a column or a number of units. A ``suppressed`` column is honoured.
    ``call`` is recorded (with the row and columns) so that :func:`replay` can compute the
    value again. Other options go to :func:`finding`.
    """
    r = _select(frame, row, "result")
    lo = r.get(ci[0]) if ci else None
    hi = r.get(ci[1]) if ci else None
    people = r.get(n) if n else None
    units = r.get(n_units) if isinstance(n_units, str) else n_units
    sup = bool(r.get("suppressed", False)) if "suppressed" in frame.columns else False
    source = None
    if call is not None:
        source = {
            "call": call.to_dict(),
            "frame": frame_method,
            "row": _plain(dict(row or {})),
            "column": column,
            "ci": list(ci) if ci else None,
            "n": n,
        }
    return finding(
        key,
        what=what,
        kind=kind,
        estimate=r.get(column),
        ci_low=lo,
        ci_high=hi,
        ci_level=ci_level,
        n=people,
        n_units=units,
        suppressed=sup or bool(options.pop("suppressed", False)),
        source=source,
        **options,
    )


def replay(entry: Mapping[str, Any] | Finding, tables: Any = None, *, cache: dict | None = None):
    """Compute a recorded finding again: ``{"estimate", "ci_low", "ci_high", "n",
    "suppressed"}`` read from the result of its call on ``tables``.

    ``entry`` is a :class:`Finding` or one record of ``findings.json``. ``cache`` (a dict)
    shares results between findings of the same call.
    """
    d = entry.to_dict() if isinstance(entry, Finding) else dict(entry)
    src = d.get("source")
    if not src:
        raise CEIError(f"finding {d.get('key')!r} records no call", fix="record call= with it")
    call = Call.from_dict(src["call"])
    import json

    ck = json.dumps(src["call"], sort_keys=True) + src.get("frame", "to_frame")
    if cache is not None and ck in cache:
        frame = cache[ck]
    else:
        got = getattr(call.run(tables), src.get("frame", "to_frame"))
        frame = got() if callable(got) else got
        if cache is not None:
            cache[ck] = frame
    r = _select(frame, src.get("row"), "recomputed result")
    ci = src.get("ci") or (None, None)
    return {
        "estimate": _num(r.get(src.get("column", "estimate"))),
        "ci_low": _num(r.get(ci[0])) if ci[0] else None,
        "ci_high": _num(r.get(ci[1])) if ci[1] else None,
        "n": _num(r.get(src["n"])) if src.get("n") else None,
        "suppressed": bool(r.get("suppressed", False)) if "suppressed" in frame.columns else False,
    }


# --------------------------------------------------------------------------- display


def _display(obj: Any) -> None:
    """Show ``obj`` in a notebook (rich output), else print it."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with the notebooks extra
        print(obj)
        return
    if get_ipython() is None:
        print(obj)
    else:
        display(obj)


def show(*items: Finding | SectionNote | str) -> None:
    """Display findings (as their sentences, carrying their records for the report)."""
    for it in items:
        _display(it)


@dataclass(frozen=True)
class SectionNote:
    """A boxed note in place of a section the data cannot support: what it would show,
    why it cannot, what data would enable it."""

    analysis: str
    title: str
    shows: str
    reason: str
    needs: str = ""

    def to_dict(self) -> dict:
        return {
            "analysis": self.analysis,
            "title": self.title,
            "shows": self.shows,
            "reason": self.reason,
            "needs": self.needs,
        }

    def text(self) -> str:
        out = f"Section not run: {self.title}. It would show {self.shows}. Why not: {self.reason}."
        if self.needs:
            out += f" What would enable it: {self.needs}."
        return out

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        import html

        e = html.escape
        needs = f"<br><strong>What would enable it:</strong> {e(self.needs)}" if self.needs else ""
        return (
            '<div class="cei-skipped" role="note" style="border:1px solid #b58900;'
            "border-left:6px solid #b58900;background:#fdf6e3;color:#222;padding:.6em 1em;"
            f'margin:.6em 0"><strong>Section not run: {e(self.title)}</strong><br>'
            f"<strong>It would show:</strong> {e(self.shows)}<br>"
            f"<strong>Why not:</strong> {e(self.reason)}{needs}</div>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        return {
            "text/plain": self.text(),
            "text/html": self._repr_html_(),
            MIME_SKIP: self.to_dict(),
        }


def check_section(
    analysis: str,
    tables: Any,
    instrument: Any = "family_engagement",
    *,
    shows: str,
    title: str | None = None,
    display: bool = True,
    **options: Any,
) -> bool:
    """Whether the data support ``analysis`` (the checks registry, the same as
    ``cei-metrics check``); when not, show a :class:`SectionNote` saying what the section
    would show (``shows``), why it cannot run and what would enable it. ``title`` names
    the section when it is not the analysis itself (a placebo run of a design).

    Examples
    --------
    >>> if cm.findings.check_section("reach", tables, shows="the share of families "
    ...                              "taking part in district events"):  # doctest: +SKIP
    ...     reach = cm.indicators.reach(tables.participation, tables.roster)
    """
    from .io.checks import check

    res = check(analysis, tables, instrument, **options)
    if not res.supported and display:
        _display(SectionNote(res.analysis, title or res.title, shows, res.reason, res.needs))
    return res.supported


def skip_section(analysis: str, title: str, *, shows: str, reason: str, needs: str = "") -> None:
    """Show a :class:`SectionNote` for a section that cannot run for a reason found while
    running it (an estimator that refused the data)."""
    _display(SectionNote(analysis, title, shows, reason, needs))


def released_table(
    frame: pd.DataFrame,
    name: str,
    *,
    keys: Sequence[str] | None = None,
    n_col: str | None = "n",
    by: str | Sequence[str] | None = None,
    measure: str | Mapping[str, str] | None = None,
    cells: Mapping[str, Sequence[str]] | None = None,
    parts: Mapping[str, str] | None = None,
    share_cols: Sequence[str] | None = None,
    min_cell: int = MIN_CELL,
    drop: Sequence[str] = (),
) -> pd.DataFrame:
    """A table a notebook displays, released first (:func:`cei_metrics.privacy.release`
    on the run's ledger when a report is running): cells about fewer than ``min_cell``
    people are blank and flagged ``suppressed``, with their complements. A named index
    becomes columns. Options as in ``release``; ``drop`` columns decide but are not shown.
    """
    from .privacy import release

    t = frame.reset_index() if any(n is not None for n in frame.index.names) else frame
    t = t.reset_index(drop=True)
    out = release(
        t,
        name=name,
        keys=keys,
        n_col=n_col if n_col in t.columns else None,
        by=by,
        measure=measure,
        cells=cells,
        parts=parts,
        share_cols=share_cols,
        min_cell=min_cell,
        ledger=None,
    )
    out = out.drop(columns=[c for c in drop if c in out.columns])
    out.attrs = {}
    return out


# --------------------------------------------------------------- captions, alt text


def _plural(k: int, one: str, many: str | None = None) -> str:
    return f"{k:,} {one if k == 1 else (many or one + 's')}"


def _listing(values: Sequence[Any], limit: int = 6) -> str:
    vals = [str(v) for v in values]
    if len(vals) <= limit:
        return ", ".join(vals)
    return ", ".join(vals[: limit - 1]) + f", ... {vals[-1]}"


def caption_coverage(
    data: pd.DataFrame,
    *,
    value_label: str = "respondents",
    row_label: str = "district",
    col_label: str = "wave",
    min_cell: int = MIN_CELL,
) -> str:
    """Caption of a coverage heatmap (:func:`cei_metrics.viz.coverage_heatmap_data`)."""
    return (
        f"Survey {value_label} by {row_label} and {col_label}. Blank cells: no {value_label}, "
        f"or fewer than {min_cell} (suppressed with a complementary cell of the same "
        f"{col_label})."
    )


def alt_coverage(
    data: pd.DataFrame,
    *,
    value_label: str = "respondents",
    row_label: str = "district",
    col_label: str = "wave",
    min_cell: int = MIN_CELL,
) -> str:
    """Alt text of a coverage heatmap, from the released cells it draws: the grid, the
    colour direction (viridis: brighter = more), how many cells are blank and the range
    of the cells shown."""
    import numpy as np

    rows = list(dict.fromkeys(data["row"]))
    cols = list(dict.fromkeys(data["col"]))
    shown = data["n"].dropna()
    total = len(rows) * len(cols)
    blank = total - int(shown.size)
    text = (
        f"Heatmap with one row per {row_label} ({len(rows)}) and one column per {col_label} "
        f"({_listing(cols)}); brighter yellow cells hold more {value_label}, darker purple "
        f"cells fewer. {blank} of {total} cells are blank (no {value_label}, or fewer than "
        f"{min_cell} and suppressed)."
    )
    if shown.size:
        text += (
            f" The cells shown range from {int(np.nanmin(shown)):,} to "
            f"{int(np.nanmax(shown)):,} {value_label} (median {float(np.nanmedian(shown)):,.0f})."
        )
    else:
        text += " No cell can be shown."
    return text


# ----------------------------------------------------------------------- summaries

_TALLY_WORDS = {
    "parity": ("above parity", "below parity", "not distinguishable from parity"),
    "difference": ("higher", "lower", "not distinguishable from the reference"),
    "effect": ("positive", "negative", "not distinguishable from zero"),
    "change": ("rose", "fell", "did not change distinguishably"),
    "threshold": ("above the bar", "below the bar", "not distinguishable from the bar"),
}


def tally(
    frame: pd.DataFrame,
    *,
    kind: str = "parity",
    units: str = "districts",
    reference: float | None = None,
    estimate: str = "estimate",
    ci: tuple[str, str] = ("ci_low", "ci_high"),
    n: str | None = "n",
    min_cell: int = MIN_CELL,
    fmt: str = ".2f",
) -> str:
    """One sentence counting the verdicts of several rows (each by :func:`verdict`):
    "Of 6 districts, 2 are below parity, 1 above parity and 3 not distinguishable from
    parity (estimates 0.71 to 1.12); 1 is suppressed."

    Examples
    --------
    >>> tally(pd.DataFrame({"estimate": [0.6, 1.1], "ci_low": [0.4, 0.9],
    ...                     "ci_high": [0.8, 1.3], "n": [40, 50]}))
    'Of 2 districts, 1 is below parity and 1 is not distinguishable from parity (estimates 0.60 to 1.10).'
    """
    ref = KINDS.get(kind) if reference is None else reference
    up, down, same = _TALLY_WORDS[kind]
    vs = []
    for _, r in frame.iterrows():
        vs.append(
            verdict(
                r.get(estimate),
                r.get(ci[0]),
                r.get(ci[1]),
                reference=ref,
                n=r.get(n) if n else None,
                suppressed=bool(r.get("suppressed", False)),
                min_cell=min_cell,
            )
        )
    k = len(vs)
    if k == 0:
        return f"There are no {units} to summarise."
    counts = {v: vs.count(v) for v in (BELOW, ABOVE, AT, TOO_FEW, SUPPRESSED)}
    words = {BELOW: down, ABOVE: up, AT: same}
    parts = [
        f"{c} {'is' if c == 1 else 'are'} {words[v]}" for v, c in counts.items() if v in words and c
    ]
    shown = [
        float(r[estimate]) for (_, r), v in zip(frame.iterrows(), vs) if v in (BELOW, ABOVE, AT)
    ]
    text = f"Of {_plural(k, units.rstrip('s'), units)}, " if k > 1 else ""
    if parts:
        body = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
        text += body
        if len(shown) > 1:
            text += f" (estimates {fmt_value(min(shown), fmt)} to {fmt_value(max(shown), fmt)})"
    else:
        text += "none can be stated"
    extra = []
    if counts[SUPPRESSED]:
        extra.append(
            f"{counts[SUPPRESSED]} {'is' if counts[SUPPRESSED] == 1 else 'are'} suppressed "
            f"(fewer than {min_cell} people)"
        )
    if counts[TOO_FEW]:
        extra.append(
            f"{counts[TOO_FEW]} {'has' if counts[TOO_FEW] == 1 else 'have'} too few data to say"
        )
    if extra:
        text += "; " + " and ".join(extra)
    return _cap(text) + "."


def describe_range(
    frame: pd.DataFrame,
    *,
    what: str,
    label: str | None = None,
    estimate: str = "estimate",
    n: str | None = "n",
    fmt: str = ".2f",
    unit: str = "",
    units: str = "districts",
    min_cell: int = MIN_CELL,
) -> str:
    """ "{What} ranges from a (label) to b (label) across k districts", over the rows that
    are not suppressed; says so when none can be shown."""
    rows = []
    for _, r in frame.iterrows():
        people = _num(r.get(n)) if n else None
        v = _num(r.get(estimate))
        if bool(r.get("suppressed", False)) or v is None:
            continue
        if people is not None and 0 < people < min_cell:
            continue
        rows.append((v, str(r.get(label)) if label else ""))
    hidden = len(frame) - len(rows)
    tail = (
        f"; {hidden} more rest on fewer than {min_cell} people or have no estimate"
        if hidden
        else ""
    )
    if not rows:
        return f"{_cap(what)}: no value can be shown ({len(frame)} {units}, none with {min_cell} or more people)."
    if len(rows) == 1:
        v, lab = rows[0]
        at = f" ({lab})" if lab else ""
        return f"{_cap(what)} is {fmt_value(v, fmt, unit)}{at}{tail}."
    lo, hi = min(rows), max(rows)
    la = f" ({lo[1]})" if label else ""
    lb = f" ({hi[1]})" if label else ""
    return (
        f"{_cap(what)} ranges from {fmt_value(lo[0], fmt, unit)}{la} to "
        f"{fmt_value(hi[0], fmt, unit)}{lb} across {len(rows)} {units}{tail}."
    )


# ------------------------------------------------------------ figure descriptions

_MARKS = {"meets": "\u2713", "borderline": "~", "fails": "\u2717", "not tested": "\u2013"}


def caption_scorecard(grid: pd.DataFrame) -> str:
    """Caption of the metric scorecard (:func:`cei_metrics.viz.scorecard_heatmap_data`)."""
    crit = list(dict.fromkeys(grid["criterion"]))
    return (
        f"Metric scorecard: the verdict on each survey scale for {len(crit)} criteria "
        f"({', '.join(map(str, crit))}); 'not tested' where these data cannot test a criterion."
    )


def alt_scorecard(grid: pd.DataFrame) -> str:
    """Alt text of the scorecard: the grid and, per scale, how many criteria it meets,
    fails or leaves untested, and which it fails."""
    metrics = list(dict.fromkeys(grid["metric"]))
    crit = list(dict.fromkeys(grid["criterion"]))
    parts = []
    for m in metrics:
        g = grid[grid["metric"] == m]
        counts = g["verdict"].value_counts()
        bits = [f"{int(counts[v])} {v}" for v in _MARKS if v in counts]
        fails = g.loc[g["verdict"] == "fails", "criterion"].tolist()
        parts.append(f"{m}: {', '.join(bits)}" + (f" (fails {', '.join(fails)})" if fails else ""))
    marks = ", ".join(f"{s} {v}" for v, s in _MARKS.items())
    return (
        f"Grid of {len(metrics)} scales (rows) by {len(crit)} criteria (columns); each cell's "
        f"colour and symbol give the verdict ({marks}). " + "; ".join(parts) + "."
    )


def alt_likert(data: pd.DataFrame, *, what: str = "items") -> str:
    """Alt text of Likert bars (:func:`cei_metrics.viz.likert_bars_data`): the items and
    the share of answers in the top two categories, item by item."""
    items = list(dict.fromkeys(data["item"]))
    top = data["response"].max()
    agree = data[data["response"] >= top - 1].groupby("item", sort=False)["share"].sum(min_count=1)
    shown = agree.dropna()
    text = (
        f"Diverging stacked bars, one per {what.rstrip('s')} ({len(items)}): disagreement to the "
        "left of zero, agreement to the right, the neutral answer centred on zero."
    )
    if len(shown):
        lo, hi = shown.idxmin(), shown.idxmax()
        text += (
            f" The two agreeing answers take from {shown.min():.0%} ({lo}) to {shown.max():.0%} "
            f"({hi}) of the answers."
        )
    if data.get("suppressed") is not None and data["suppressed"].any():
        text += " Some small answer categories are suppressed."
    return text


def alt_trends(data: pd.DataFrame, *, what: str, time_label: str = "wave") -> str:
    """Alt text of small-multiple trends (:func:`cei_metrics.viz.scale_trends_data`)."""
    labels = list(dict.fromkeys(data["label"]))
    times = list(dict.fromkeys(data["time"]))
    last = data[data["time"] == times[-1]]["estimate"].dropna()
    text = (
        f"{len(labels)} small panels, one per district, each a line of the mean {what} across "
        f"{len(times)} {time_label}(s) ({_listing(times)}) with 95% intervals as error bars."
    )
    if len(last):
        text += (
            f" In {time_label} {times[-1]} the means run from {last.min():.2f} to {last.max():.2f}."
        )
    return text


def alt_parity(
    data: pd.DataFrame, *, units: str = "districts", what: str = "representation"
) -> str:
    """Alt text of a parity dot plot (:func:`cei_metrics.viz.parity_dots_data`)."""
    return (
        f"Dot plot of {len(data)} {units}' {what} ratios with 95% intervals on a log scale, a "
        "dashed line at parity (1). " + tally(data, kind="parity", units=units)
    )


def alt_retention(data: pd.DataFrame, *, series: str = "convenings") -> str:
    """Alt text of a retention curve (:func:`cei_metrics.viz.retention_curve_data`)."""
    groups = list(dict.fromkeys(data["group"]))
    top = int(data["n_sessions"].max()) if "n_sessions" in data else int(data["session"].max())
    parts = []
    for g in groups:
        s = data[data["group"] == g].dropna(subset=["share"]).sort_values("session")
        if len(s):
            parts.append(
                f"{g}: {s['share'].iloc[0]:.0%} at k = {int(s['session'].iloc[0])}, "
                f"{s['share'].iloc[-1]:.0%} at k = {int(s['session'].iloc[-1])}"
            )
        else:
            parts.append(f"{g}: suppressed")
    return (
        f"Line chart of the share of participants who attended at least k of the {top} "
        f"{series} (k from 1 to {top} on the horizontal axis), one line per group. "
        + "; ".join(parts)
        + "."
    )


def alt_p3(data: pd.DataFrame) -> str:
    """Alt text of the Priority 3 heatmap (:func:`cei_metrics.viz.p3_heatmap_data`)."""
    rows = list(dict.fromkeys(data["row"]))
    years = list(dict.fromkeys(data.sort_values("c")["year"]))
    r = data["rating"].dropna()
    last = data[data["year"] == years[-1]]["rating"].dropna()
    return (
        f"Heatmap of {len(rows)} Priority 3 sections (rows) by {len(years)} school year(s) "
        f"({years[0]} to {years[-1]}); cells give the mean 1-5 self-rating, darker blue lower "
        f"and yellow higher on a colour scale fitted to the data. Cell means range from "
        f"{r.min():.2f} to {r.max():.2f}; in {years[-1]} they run from {last.min():.2f} to "
        f"{last.max():.2f}."
    )


def caption_p3(data: pd.DataFrame, *, districts: str = "districts") -> str:
    years = list(dict.fromkeys(data.sort_values("c")["year"]))
    return (
        f"Mean Priority 3 (family engagement) self-rating of the {districts} by section and "
        f"school year, {years[0]} to {years[-1]}. The mean is this package's summary of 1-5 "
        "ratings, not a state score; self-ratings carry no sampling interval."
    )


def caption_event_study(
    data: pd.DataFrame, *, outcome: str, design: str, ci_level: float = 0.95
) -> str:
    """Caption of an event study: it names the uniform band only when one is drawn."""
    band = "band_low" in data.columns and data["band_low"].notna().any()
    return (
        f"Change in {outcome} by years since joining the network ({design}), with "
        f"{ci_level:.0%} pointwise intervals (error bars)"
        + (
            f" and a {ci_level:.0%} uniform band covering all event times at once (shaded)."
            if band
            else "; no uniform band was computed."
        )
    )


def alt_event_study(data: pd.DataFrame, *, outcome: str) -> str:
    """Alt text of an event study (:func:`cei_metrics.viz.event_study_data`)."""
    pre = data[data["event_time"] < 0]
    post = data[data["event_time"] >= 0]
    band = "band_low" in data.columns and data["band_low"].notna().any()

    def excl(d):
        return int(((d["ci_low"] > 0) | (d["ci_high"] < 0)).sum())

    text = (
        f"Points with error bars for {outcome} at event times {int(data['event_time'].min())} to "
        f"{int(data['event_time'].max())}"
        + (", with a shaded uniform band" if band else "")
        + "; a horizontal line at zero and a dashed line just before joining."
    )
    if len(pre):
        text += f" Before joining, {len(pre) - excl(pre)} of {len(pre)} intervals include zero."
    if len(post):
        text += (
            f" From joining on, estimates run from {post['estimate'].min():+.2f} to "
            f"{post['estimate'].max():+.2f}; {excl(post)} of {len(post)} intervals exclude zero."
        )
    return text


def alt_forest(data: pd.DataFrame, *, units: str = "cohorts", what: str = "effect") -> str:
    """Alt text of a forest plot (:func:`cei_metrics.viz.forest_data`)."""
    return (
        f"Forest plot, one row per {units.rstrip('s')} ({len(data)}), each an estimated {what} "
        "with its 95% interval, a dashed line at zero. " + tally(data, kind="effect", units=units)
    )


def alt_dashboard(data: pd.DataFrame, *, outcome: str) -> str:
    """Alt text of the Dashboard grid (:func:`cei_metrics.viz.dashboard_grid_data`)."""
    placed = data[data["placed"].astype(bool)] if "placed" in data else data
    colours = placed["color"].value_counts()
    bits = ", ".join(f"{int(k)} {c.lower()}" for c, k in colours.items())
    return (
        f"A five-by-five coloured grid of {outcome}: rows are status levels from Very Low to "
        f"Very High, columns change levels; numbered markers place {len(placed)} district(s) in "
        f"their cells ({bits or 'none placed'})."
    )


def alt_synth_gap(data: pd.DataFrame, *, start: Any, unit: str = "the district") -> str:
    """Alt text of a synthetic-control gap figure (:func:`cei_metrics.viz.synth_gap_data`)."""
    t = data[data["role"] == "treated"]
    pl = data.loc[data["role"] == "placebo", "unit"].nunique()
    before = t[t["time"] < start]["gap"]
    after = t[t["time"] >= start]["gap"]
    text = (
        f"Line chart over time of {unit} minus its synthetic control (black), over {pl} placebo "
        f"gaps of donor districts (grey), with a dashed line at the start ({start})."
    )
    if len(before):
        text += f" Before the start the gap runs from {before.min():+.2f} to {before.max():+.2f}"
    if len(after):
        text += f"; from the start on, from {after.min():+.2f} to {after.max():+.2f}."
    return text


def alt_benchmark(data: pd.DataFrame, *, what: str, reference: str = "the state") -> str:
    """Alt text of a peer benchmark (:func:`cei_metrics.viz.peer_benchmark_data`)."""
    above = int((data["estimate"] > data["peer_q75"]).sum())
    below = int((data["estimate"] < data["peer_q25"]).sum())
    within = len(data) - above - below
    return (
        f"{len(data)} rows, one per district, each a shaded band (its peers' middle half), a "
        f"tick (the peers' median) and a dot (the district's {what}); a dashed vertical line "
        f"marks {reference}. {above} district(s) lie above their peers' band, {within} within "
        f"it and {below} below."
    )


def alt_need_readiness(data: pd.DataFrame, *, lea_type: str = "district") -> str:
    """Alt text of the need-readiness scatter (:func:`cei_metrics.viz.need_readiness_data`)."""
    hi = data[data["highlight"].astype(bool)]
    up = (data["need"] > data["need_median"]) & (data["readiness"] > data["readiness_median"])
    hi_up = int(up[data["highlight"].astype(bool)].sum())
    return (
        f"Scatter of {len(data):,} {lea_type}s, the need index on the horizontal axis and "
        "readiness on the vertical, with dashed median lines dividing four quadrants; "
        f"{int(up.sum()):,} lie in the higher-need, higher-readiness quadrant. {len(hi)} "
        f"highlighted, labelled points; {hi_up} of them in that quadrant."
    )
