"""Lazy attribute loading for subpackages, so that importing a package stays cheap.

A public name may share its name with the module that defines it
(``cei_metrics.impact.effect_size`` is both a function and a module). Python's import
system sets a package attribute to the submodule whenever the submodule is imported,
which would hide the function; the package's module class therefore refuses to let a
submodule overwrite a public name, so ``cm.impact.effect_size`` is always the function.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any


class _LazyPackage(types.ModuleType):
    _lazy_table: dict[str, str]

    def __setattr__(self, name: str, value: Any) -> None:
        table = self.__dict__.get("_lazy_table", {})
        if name in table and isinstance(value, types.ModuleType):
            return  # keep the public function/class reachable through __getattr__
        super().__setattr__(name, value)


def lazy_getattr(package: str, table: dict[str, str]):
    """Build a module ``__getattr__`` that imports ``name`` from ``table[name]`` on first use."""
    mod = sys.modules.get(package)
    if mod is not None and not isinstance(mod, _LazyPackage):
        mod.__class__ = _LazyPackage
    if mod is not None:
        mod.__dict__["_lazy_table"] = table

    def __getattr__(name: str) -> Any:
        target = table.get(name)
        if target is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{target}"), name)

    return __getattr__
