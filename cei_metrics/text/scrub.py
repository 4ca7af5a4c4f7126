"""Personal data removed from free text, as the text package presents it.

The scrubber lives in :mod:`cei_metrics.io.scrub`, below the analysis layers, because
ingest scrubs open-ended answers and comments as it reads them (see
:func:`cei_metrics.io.ingest`); :func:`scrub_text` is the same function.
"""

from __future__ import annotations

from ..io.scrub import PLACEHOLDERS, scrub_text

__all__ = ["PLACEHOLDERS", "scrub_text"]
