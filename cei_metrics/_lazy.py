"""Lazy attribute loading for subpackages, so that importing a package stays cheap."""

from __future__ import annotations

import importlib
from typing import Any


def lazy_getattr(package: str, table: dict[str, str]):
    """Build a module ``__getattr__`` that imports ``name`` from ``table[name]`` on first use."""

    def __getattr__(name: str) -> Any:
        mod = table.get(name)
        if mod is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{mod}"), name)

    return __getattr__
