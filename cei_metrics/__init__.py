"""cei_metrics: engagement metrics and impact analyses for California's Community
Engagement Initiative (CEI) and its Peer Leading and Learning Network (PLLN).

Submodules load on first use so that ``import cei_metrics`` stays fast::

    import cei_metrics as cm
    demo = cm.load_demo(seed=2019)
    cm.psychometrics.cronbach_alpha(items)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    CEIError,
    EstimationError,
    InstrumentError,
    OptionError,
    PrivacyError,
    SchemaError,
    SuppressionError,
    UnknownFormatError,
)

__version__ = "0.1.0"

_SUBMODULES = (
    "schemas",
    "io",
    "datasets",
    "instruments",
    "indicators",
    "psychometrics",
    "impact",
    "text",
    "compare",
    "privacy",
    "viz",
    "findings",
    "report",
    "cli",
)

__all__ = [
    "CEIError",
    "EstimationError",
    "InstrumentError",
    "OptionError",
    "PrivacyError",
    "SchemaError",
    "SuppressionError",
    "UnknownFormatError",
    "load_demo",
    "__version__",
    *_SUBMODULES,
]

if TYPE_CHECKING:  # pragma: no cover
    from . import (  # noqa: F401
        compare,
        datasets,
        findings,
        impact,
        indicators,
        instruments,
        io,
        privacy,
        psychometrics,
        schemas,
        text,
        viz,
    )
    from .datasets import DemoData


def load_demo(seed: int = 2019) -> DemoData:
    """The synthetic PLLN demo world with its planted truth (see :mod:`cei_metrics.datasets`)."""
    from .datasets import load_demo as _load

    return _load(seed=seed)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'cei_metrics' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULES))
