"""Lazy attribute loading for packages, so that importing a package stays cheap.

A package lists its public names in a table ``name -> module`` (relative to the package)
and builds its module-level ``__getattr__`` and ``__dir__`` from it::

    _TABLE = {"att_gt": "did.staggered", "ATTResult": "did.staggered"}
    __all__ = sorted(_TABLE)
    __getattr__ = lazy_getattr(__name__, _TABLE, submodules=("did",))
    __dir__ = lazy_dir(__name__, _TABLE, submodules=("did",))

No module shares its name with a public function or class of its package (the
``cei_metrics.impact.att_gt`` function lives in ``cei_metrics.impact.did.staggered``), so
importing a submodule never hides a public name; a test checks it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from typing import Any


def lazy_getattr(
    package: str,
    table: dict[str, str],
    *,
    submodules: Iterable[str] = (),
    deprecated: dict[str, str] | None = None,
) -> Callable[[str], Any]:
    """Build a module ``__getattr__`` that imports ``name`` from ``table[name]`` on first use.

    ``submodules`` are public subpackages or modules returned as themselves
    (``cm.impact.did``); ``deprecated`` maps names of the previous release to their new
    names, which they return with a ``FutureWarning`` (they are not listed by ``dir``).
    """
    subs = frozenset(submodules)
    old = dict(deprecated or {})

    def __getattr__(name: str) -> Any:
        if name in old:
            import warnings

            warnings.warn(
                f"{package}.{name} is deprecated and will be removed in the next release; "
                f"use {package}.{old[name]}",
                FutureWarning,
                stacklevel=2,
            )
            return __getattr__(old[name])
        target = table.get(name)
        if target is None:
            if name in subs:
                return importlib.import_module(f"{package}.{name}")
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{target}"), name)
        # cache it on the package, so the next access is a plain attribute lookup
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__


def lazy_dir(
    package: str, table: dict[str, str], *, submodules: Iterable[str] = ()
) -> Callable[[], list[str]]:
    """Build a module ``__dir__`` listing the package's public names (loaded or not)."""
    names = frozenset(table) | frozenset(submodules)

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | names)

    return __dir__
