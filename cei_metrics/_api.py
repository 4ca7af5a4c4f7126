"""One argument vocabulary for every estimator, and the checks of its options.

Every estimator names its arguments from one list (see README, "Argument names"):

================  ======================================================================
name              meaning
================  ======================================================================
``df``            the data, a long DataFrame (one row per observation or unit-period)
``y``             the outcome column
``unit``          the unit identifier column (district, school)
``time``          the period column (integers or school years ``"2019-20"``)
``cohort``        the first treated period of each unit (0 / NA = never treated)
``treated``       a 0/1 column marking the treated units (constant within a unit)
``treatment``     a 0/1 column, the treatment status of each unit-period
``covariates``    numeric control columns
``cluster``       the column standard errors are clustered on
``weights``       sampling weights, a column (never anything else)
``ci``            the confidence level of the intervals, strictly between 0 and 1
``seed``          the seed of any random draw, stored in the result
``exclude_years`` periods dropped before estimation
================  ======================================================================

:func:`estimator` decorates a public estimator: it accepts the old names of renamed
arguments for one release (with a ``FutureWarning`` naming the new one, as seaborn does),
adapts an old positional order where one changed, and records the call in the result.
:func:`check_ci` and :func:`check_choice` check options and raise
:class:`~cei_metrics.errors.OptionError`, the one error for a bad option.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable, Collection, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

from .errors import OptionError

__all__ = ["check_choice", "check_ci", "estimator", "rename_warning"]

F = TypeVar("F", bound=Callable[..., Any])


def check_ci(ci: object, *, name: str = "ci") -> float:
    """The confidence level ``ci`` as a float; :class:`OptionError` unless 0 < ci < 1."""
    try:
        level = float(ci)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        level = float("nan")
    if isinstance(ci, bool) or not (0.0 < level < 1.0):
        raise OptionError(
            f"{name}={ci!r} is not a confidence level",
            fix=f"pass a level strictly between 0 and 1, e.g. {name}=0.95",
        )
    return level


def check_choice(name: str, value: object, choices: Collection[object]) -> None:
    """:class:`OptionError` unless ``value`` is one of ``choices``."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise OptionError(f"{name}={value!r} is not an option", fix=f"use one of {listed}")


def rename_warning(func: str, old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn that argument ``old`` of ``func`` is now ``new``."""
    warnings.warn(
        f"{func}(): the argument {old!r} is deprecated and will be removed in the next "
        f"release; use {new}=",
        FutureWarning,
        stacklevel=stacklevel,
    )


def _sized(value: object) -> str:
    """A data argument as ``call`` records it: its type and size, not its content."""
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple) and shape:
        return f"<{type(value).__name__} {' x '.join(str(s) for s in shape)}>"
    if isinstance(value, str):
        return f"<str of {len(value)} characters>"
    try:
        return f"<{type(value).__name__} of {len(value)}>"  # type: ignore[arg-type]
    except TypeError:
        return f"<{type(value).__name__}>"


def estimator(
    *,
    renamed: Mapping[str, str] | None = None,
    legacy: Callable[[tuple, dict], tuple[tuple, dict]] | None = None,
    data: Collection[str] = (),
) -> Callable[[F], F]:
    """Decorator for public estimators.

    Parameters
    ----------
    renamed : old argument name -> new name. An old name given as a keyword is moved to
        the new one with a ``FutureWarning``; giving both is an :class:`OptionError`.
    legacy : ``(args, kwargs) -> (args, kwargs)`` translating a call written for an old
        signature (e.g. an old positional order) into the current one; it warns itself
        when it changes anything.
    data : arguments that hold data even when they are plain values (free text, a list
        of codes): ``call`` records their type and size, never their content.

    The decorated function's result gets ``call``: the arguments after renaming, with
    defaults filled in (data frames described, not kept).
    """
    renamed = dict(renamed or {})
    data = frozenset(data)

    def deco(fn: F) -> F:
        sig = inspect.signature(fn)
        name = fn.__name__

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if legacy is not None:
                args, kwargs = legacy(args, kwargs)
            for old, new in renamed.items():
                if old in kwargs:
                    if new in kwargs:
                        raise OptionError(
                            f"{name}() got both {old!r} (its old name) and {new!r}",
                            fix=f"pass {new}= only",
                        )
                    rename_warning(name, old, new)
                    kwargs[new] = kwargs.pop(old)
            try:
                bound = sig.bind(*args, **kwargs)
            except TypeError as err:
                raise OptionError(f"{name}(): {err}", fix=f"call it as {name}{sig}") from None
            bound.apply_defaults()
            res = fn(*bound.args, **bound.kwargs)
            record = getattr(res, "_record_call", None)
            if callable(record):
                args = {
                    k: _sized(v) if k in data and v is not None else v
                    for k, v in bound.arguments.items()
                }
                record({"function": name, **args})
            return res

        wrapper.__signature__ = sig  # type: ignore[attr-defined]
        wrapper.renamed_arguments = MappingProxyType(renamed)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return deco
