"""Shared behaviour of result objects: small frozen dataclasses with ``to_frame``,
``summary`` and an HTML repr for notebooks."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


class ResultMixin:
    """Mixin for frozen result dataclasses.

    Subclasses implement :meth:`to_frame` (tidy DataFrame) and :meth:`summary` (plain
    text); the notebook repr shows the summary's first line as a caption over the frame.
    """

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def summary(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def __str__(self) -> str:
        return self.summary()

    #: rows shown in the notebook display (head and tail); ``to_frame()`` has them all
    html_max_rows: int = 40

    def _repr_html_(self) -> str:
        lines = self.summary().splitlines() or [type(self).__name__]
        head = html.escape(lines[0])
        rest = "<br>".join(html.escape(x) for x in lines[1:])
        table = self.to_frame().to_html(
            float_format=lambda v: f"{v:.4g}", border=0, max_rows=self.html_max_rows
        )
        note = f"<p style='font-size:90%'>{rest}</p>" if rest else ""
        return f"<div><strong>{head}</strong>{note}{table}</div>"
