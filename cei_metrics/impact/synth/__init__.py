"""Synthetic control (:mod:`.control`) and synthetic difference in differences
(:mod:`.sdid`) for one treated district or a block treated together."""

from __future__ import annotations

from ..._lazy import lazy_dir, lazy_getattr

_TABLE = {
    "synthetic_control": "control",
    "SynthResult": "control",
    "synthdid": "sdid",
    "SDIDResult": "sdid",
}
__all__ = sorted(_TABLE)
__getattr__ = lazy_getattr(__name__, _TABLE)
__dir__ = lazy_dir(__name__, _TABLE)
