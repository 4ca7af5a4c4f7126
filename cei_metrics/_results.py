"""The one protocol every result object follows, and the registry its ``plot()`` goes through.

A result is a small frozen dataclass mixing in :class:`ResultMixin`:

- ``to_frame()``: a tidy DataFrame whose first column is ``term`` (the row key), then
  ``estimate, std_error, ci_low, ci_high, p_val, n`` where the result defines them (in
  that order), then the extras (:data:`RESULT_COLUMNS`; names from
  :class:`cei_metrics.schemas.C`);
- attributes ``ci_level`` (the confidence level, None where there is no interval),
  ``n``, ``n_dropped``, ``seed`` (where the result is random), ``notes`` (tuple of
  sentences) and ``call`` (the arguments the estimator was called with; data frames are
  described, not kept);
- ``summary()`` (plain text), ``_repr_html_()`` (notebooks) and a one-line ``repr``;
- ``plot(ax=None)`` and ``plot_data()`` where a figure exists (:class:`PlotMixin`).

Older attribute names stay readable for one release through ``_aliases`` (old name ->
new name, or a tuple of new names for the old ``ci`` tuple); reading one issues a
``FutureWarning`` naming the new one.

Drawing lives in :mod:`cei_metrics.viz`, a higher layer that analysis code never
imports. ``plot()`` looks its figure function up in a registry filled by
:mod:`cei_metrics.viz._registry`, which is loaded by name on first use.
"""

from __future__ import annotations

import html
import importlib
import warnings
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from .schemas import RESULT_COLUMNS, C

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "RESULT_COLUMNS",
    "PlotMixin",
    "ResultMixin",
    "figure_for",
    "register_figure",
    "summary_html",
    "tidy",
]


#: The module that registers the figure functions (loaded by name: see the module doc).
FIGURE_MODULE = "cei_metrics.viz._registry"

_FIGURES: dict[str, Callable[..., Any]] = {}

#: What a result reads for a protocol attribute it does not carry.
PROTOCOL_DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {
        "ci_level": None,
        "n": None,
        "n_dropped": 0,
        "notes": (),
        "call": MappingProxyType({}),
    }
)


def register_figure(*class_names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: ``fn(result, *args, ax=None, **kwargs) -> (fig, ax)`` draws results of
    the named classes (class names, so the registering module need not import them)."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        for name in class_names:
            _FIGURES[name] = fn
        return fn

    return deco


def figure_for(result: object) -> Callable[..., Any] | None:
    """The figure function registered for ``result``'s class (or a base class)."""
    if not _FIGURES:
        importlib.import_module(FIGURE_MODULE)
    for klass in type(result).__mro__:
        fn = _FIGURES.get(klass.__name__)
        if fn is not None:
            return fn
    return None


def tidy(frame: pd.DataFrame, *, term: Any = None) -> pd.DataFrame:
    """``frame`` with ``term`` first, then the protocol columns it has, then the rest.

    ``term`` (a column name, or values) gives the row key when ``frame`` has no ``term``
    column; a named column is copied (as text) and kept among the extras, so code that
    reads it by its own name keeps working.
    """
    out = frame.copy()
    if term is not None:
        if isinstance(term, str) and term in out.columns:
            out.insert(0, C.TERM, out[term].astype(str))
        else:
            out.insert(0, C.TERM, term)
    if C.TERM not in out.columns:
        raise KeyError(f"a result frame needs a {C.TERM!r} column")
    lead = [c for c in RESULT_COLUMNS if c in out.columns]
    rest = [c for c in out.columns if c not in lead]
    return out[lead + rest]


_PLAIN = (str, int, float, bool, complex, type(None))


def _describe(value: Any) -> Any:
    """How ``call`` records an argument: plain values as they are; data (frames, arrays,
    table bundles) described by type and shape, never kept."""
    if isinstance(value, _PLAIN):
        return value
    shape = getattr(value, "shape", None)
    if shape == () and hasattr(value, "item"):  # a numpy scalar
        return value.item()
    if isinstance(shape, tuple):
        return f"<{type(value).__name__} {' x '.join(str(s) for s in shape)}>"
    if isinstance(value, list | tuple):
        if len(value) <= 20 and all(isinstance(v, _PLAIN) for v in value):
            return value
        return f"<{type(value).__name__} of {len(value)}>"
    if isinstance(value, Mapping) and len(value) <= 20:
        return {k: _describe(v) for k, v in value.items()}
    return f"<{type(value).__name__}>"


def summary_html(summary: str, frame: pd.DataFrame, *, max_rows: int = 40, name: str = "") -> str:
    """The notebook display of an object with a summary and a table: the summary's first
    line in bold, its other lines below, then the table (head and tail of ``max_rows``)."""
    lines = summary.splitlines() or [name]
    head = html.escape(lines[0])
    rest = "<br>".join(html.escape(x) for x in lines[1:])
    table = frame.to_html(float_format=lambda v: f"{v:.4g}", border=0, max_rows=max_rows)
    note = f"<p style='font-size:90%'>{rest}</p>" if rest else ""
    return f"<div><strong>{head}</strong>{note}{table}</div>"


class ResultMixin:
    """Mixin for frozen result dataclasses (see the module doc for the protocol).

    Subclasses implement :meth:`to_frame` (tidy, ``term`` first) and :meth:`summary`.
    Results declare the protocol attributes they carry as dataclass fields; the others
    read as their defaults (:data:`PROTOCOL_DEFAULTS`: no interval level, no ``n``, none
    dropped, no notes; ``call`` is set by :func:`cei_metrics._api.estimator`). They are
    not class attributes, which dataclasses would take for field defaults.
    """

    #: old attribute name -> new name (or tuple of names); reading the old one warns
    _aliases: ClassVar[Mapping[str, str | tuple[str, ...]]] = {}

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def summary(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        try:
            first = self.summary().splitlines()[0]
        except Exception:  # a repr never fails
            first = ""
        return f"<{type(self).__name__}: {first}>" if first else f"<{type(self).__name__}>"

    def __getattr__(self, name: str) -> Any:
        # only called when ordinary lookup fails: the deprecated names
        if name.startswith("__"):
            raise AttributeError(name)
        if name in PROTOCOL_DEFAULTS:
            return PROTOCOL_DEFAULTS[name]
        new = type(self)._aliases.get(name)
        if new is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        shown = " and ".join(new) if isinstance(new, tuple) else new
        warnings.warn(
            f"{type(self).__name__}.{name} is deprecated and will be removed in the next "
            f"release; use .{shown}",
            FutureWarning,
            stacklevel=2,
        )
        if isinstance(new, tuple):
            return tuple(getattr(self, x) for x in new)
        return getattr(self, new)

    def _record_call(self, call: Mapping[str, Any]) -> None:
        """Store the arguments used (frozen dataclasses: set once, after construction)."""
        object.__setattr__(
            self, "call", MappingProxyType({k: _describe(v) for k, v in call.items()})
        )

    #: rows shown in the notebook display (head and tail); ``to_frame()`` has them all
    html_max_rows: int = 40

    def _repr_html_(self) -> str:
        return summary_html(
            self.summary(), self.to_frame(), max_rows=self.html_max_rows, name=type(self).__name__
        )


class PlotMixin:
    """``plot()`` for results that have a figure: drawn by the function
    :mod:`cei_metrics.viz` registers for the class, from :meth:`plot_data`."""

    def plot_data(self, *args: Any, **kwargs: Any) -> pd.DataFrame:  # pragma: no cover
        raise NotImplementedError

    def plot(self, *args: Any, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the result (house theme, no global style change); returns ``(fig, ax)``.

        ``ax`` draws into existing axes; other arguments go to the figure function."""
        fn = figure_for(self)
        if fn is None:  # pragma: no cover - every PlotMixin class is registered (tested)
            from .errors import OptionError

            raise OptionError(
                f"no figure is registered for {type(self).__name__}",
                fix="draw plot_data() with a function of cei_metrics.viz",
            )
        return fn(self, *args, ax=ax, **kwargs)
