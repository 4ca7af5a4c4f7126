"""Export of a figure with the data behind it and its provenance.

:func:`save` writes ``NAME.png`` (300 dpi), ``NAME.svg``, ``NAME.pdf``, ``NAME.csv`` (the
data, small cells suppressed) and ``NAME.json`` (caption, alt text, data hash,
parameters, package version, source tables, synthetic flag, suppression, file list).
Every file is written to a temporary file in the same folder and renamed into place, so a
reader never sees half a figure.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._results import ResultMixin
from ..errors import CEIError, PrivacyError, SchemaError
from ..privacy._rules import MIN_CELL
from ._theme import png_bytes, themed

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["DPI", "MIME_FIGURE", "STAMP", "SavedFigure", "save"]

DPI = 300
#: Words stamped on every figure drawn from synthetic data.
STAMP = "synthetic demo data"
FORMATS = ("png", "svg", "pdf")
#: MIME type of a saved figure's record in a notebook's outputs (read by the report).
MIME_FIGURE = "application/vnd.cei-metrics.figure+json"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_STAMP_GID = "cei-synthetic-stamp"


@dataclass(frozen=True)
class SavedFigure(ResultMixin):
    """Files written by :func:`save`.

    Attributes
    ----------
    name : the figure's file stem.
    paths : ``{"png": Path, "svg": ..., "pdf": ..., "csv": ..., "json": ...}``.
    sidecar : the JSON sidecar's contents.
    n_suppressed : cells blanked in the exported data.
    """

    name: str
    paths: dict[str, Path]
    sidecar: dict[str, Any] = field(repr=False)
    n_suppressed: int = 0
    preview: bytes = field(default=b"", repr=False, compare=False)

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            {"format": list(self.paths), "path": [str(p) for p in self.paths.values()]}
        )

    def summary(self) -> str:
        return (
            f"Figure {self.name!r}: {len(self.paths)} files in {self.paths['json'].parent} "
            f"({self.n_suppressed} cell(s) suppressed)\n{self.sidecar.get('caption', '')}"
        )

    def _repr_html_(self) -> str:
        """The figure itself (its image, alt text and caption) and the files written."""
        import base64
        import html

        cap = html.escape(str(self.sidecar.get("caption", "")))
        alt = html.escape(str(self.sidecar.get("alt_text", "")), quote=True)
        img = ""
        if self.preview:
            data = base64.b64encode(self.preview).decode("ascii")
            img = (
                f'<img src="data:image/png;base64,{data}" alt="{alt}" '
                'style="max-width:100%;height:auto">'
            )
        files = ", ".join(p.name for p in self.paths.values())
        return (
            f'<figure class="cei-figure">{img}<figcaption><strong>{html.escape(self.name)}'
            f"</strong>: {cap}<br><small>Written: {html.escape(files)}"
            f" ({self.n_suppressed} cell(s) suppressed)</small></figcaption></figure>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        out = {
            "text/plain": self.summary(),
            "text/html": self._repr_html_(),
            MIME_FIGURE: {
                "name": self.name,
                "caption": self.sidecar.get("caption", ""),
                "alt_text": self.sidecar.get("alt_text", ""),
                "files": [p.name for p in self.paths.values()],
            },
        }
        return out


def _atomic_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _atomic_savefig(fig: Figure, path: Path, fmt: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=f".{fmt}", dir=path.parent)
    os.close(fd)
    meta: dict[str, Any] = {}
    if fmt == "svg":
        meta = {"Date": None}
    elif fmt == "pdf":
        meta = {"CreationDate": None, "ModDate": None}
    elif fmt == "png":
        meta = {"Software": None}
    try:
        fig.savefig(tmp, format=fmt, dpi=DPI, facecolor="white", metadata=meta)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _as_frame(data: Any) -> pd.DataFrame:
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.reset_index()
    for attr in ("plot_data", "to_frame"):
        f = getattr(data, attr, None)
        if callable(f):
            out = f()
            if isinstance(out, pd.DataFrame):
                return out
    raise SchemaError(
        f"save() needs the data behind the figure as a DataFrame, got {type(data).__name__}",
        fix="pass data= the frame the figure was drawn from (the *_data() function gives it)",
    )


def _stamp(fig: Figure) -> None:
    if any(t.get_gid() == _STAMP_GID for t in fig.texts):
        return
    eng = fig.get_layout_engine()
    if eng is not None and hasattr(eng, "set") and "rect" in eng.get():
        # keep a strip at the top for the stamp, so it never overlaps a title or label
        eng.set(rect=(0, 0, 1, 1 - 0.22 / max(fig.get_size_inches()[1], 1.0)))
    fig.text(
        0.995,
        0.995,
        STAMP,
        ha="right",
        va="top",
        fontsize=8,
        color="#B00000",
        style="italic",
        gid=_STAMP_GID,
        zorder=10,
    )


def _jsonable(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)


def save(
    fig: Figure,
    name: str,
    *,
    caption: str,
    alt_text: str,
    data: Any,
    out_dir: str | os.PathLike = "figures",
    width: float | None = None,
    height: float | None = None,
    parameters: Mapping[str, Any] | None = None,
    source_tables: Sequence[str] | None = None,
    synthetic: bool | None = None,
    min_cell: int = MIN_CELL,
    n_col: str | None = None,
    by: str | Sequence[str] | None = None,
    suppress: bool = True,
    measure: str | Mapping[str, str] | None = None,
    keys: Sequence[str] | None = None,
    cells: Mapping[str, Sequence[str]] | None = None,
) -> SavedFigure:
    """Write a figure as PNG (300 dpi), SVG and PDF, with its data (CSV) and a JSON sidecar.

    Parameters
    ----------
    fig : the matplotlib figure (the first element a plotting function returns).
    name : file stem: letters, digits, ``_``, ``-``, ``.``.
    caption : one or two sentences a report writer can print under the figure.
    alt_text : a description of what the figure shows, for screen readers.
    data : the frame behind the figure (a ``*_data()`` frame or a result with
        ``to_frame()``). It passes through :func:`cei_metrics.privacy.release` (with
        ``threshold=min_cell``, the run's ledger) before it is written, and through the
        one CSV writer (:func:`cei_metrics.privacy.to_csv_bytes`, formula injection
        neutralised). When the figure was drawn by a ``cm.viz`` function, it was drawn
        from released data, and that data must equal what is written here (else
        :class:`PrivacyError`): the image shows exactly what the CSV shows.
    out_dir : folder to write into (created when absent).
    width, height : figure size in inches (default: the figure's own). The PNG is then
        exactly ``width*300 x height*300`` pixels.
    parameters : the knobs that produced the figure (seed, years, districts ...).
    source_tables : the canonical tables the figure was drawn from.
    synthetic : True stamps "synthetic demo data" on the image and appends it to the
        caption. ``None`` reads ``data.attrs["synthetic"]`` (False when absent).
    min_cell : small-cell threshold (default :data:`~cei_metrics.privacy.MIN_CELL` = 11).
    n_col : column holding each row's number of people (default ``"n"`` when present).
    by : grouping columns for complementary suppression (rows that sum to a total).
    suppress : set False only for data that describes no people (e.g. verdicts; it
        must hold no count column); the sidecar then records that no suppression was
        applied.
    measure, keys, cells : how the data's counts link to other released tables of the
        run (see :func:`cei_metrics.privacy.release`), e.g.
        ``measure="survey respondents", keys=["district_id", "wave"]``.

    Returns
    -------
    SavedFigure with ``paths`` (png, svg, pdf, csv, json), the ``sidecar`` dict and
    ``n_suppressed``.

    Raises
    ------
    CEIError for an unsafe name, an empty caption or alt text, or non-positive sizes;
    SchemaError when the data is not a table.

    Examples
    --------
    >>> fig, ax = cm.viz.forest(effects)
    >>> cm.viz.save(fig, "effects_by_district", caption="...", alt_text="...",
    ...             data=cm.viz.forest_data(effects), width=cm.viz.FULL_WIDTH, height=4)
    """
    from .. import __version__

    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise CEIError(
            f"{name!r} is not a safe figure name",
            fix="use letters, digits, '_', '-' or '.', starting with a letter or digit",
        )
    for label, text in (("caption", caption), ("alt_text", alt_text)):
        if not isinstance(text, str) or not text.strip():
            raise CEIError(
                f"save() needs a non-empty {label}",
                fix="describe the figure: a report writer will hand it on as it is",
            )
    if not hasattr(fig, "savefig"):
        raise CEIError(
            f"save() needs a matplotlib Figure, got {type(fig).__name__}",
            fix="pass the first element of what the plotting function returned",
        )
    frame = _as_frame(data)
    if synthetic is None:
        synthetic = bool(frame.attrs.get("synthetic", False))
    w0, h0 = fig.get_size_inches()
    w = float(width) if width is not None else float(w0)
    h = float(height) if height is not None else float(h0)
    if not (w > 0 and h > 0):
        raise CEIError(
            f"figure size must be positive, got {w} x {h} inches",
            fix="give width and height in inches (e.g. cm.viz.FULL_WIDTH = 6.5)",
        )
    fig.set_size_inches(w, h)
    if synthetic:
        _stamp(fig)
        if STAMP not in caption.lower():
            caption = f"{caption.rstrip()} ({STAMP.capitalize()}.)"

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {fmt: out / f"{name}.{fmt}" for fmt in (*FORMATS, "csv", "json")}

    if suppress:
        from ..privacy.ledger import Ledger, release

        col = n_col if n_col is not None else ("n" if "n" in frame.columns else None)
        if n_col is not None and n_col not in frame.columns:
            raise SchemaError(
                f"n_col {n_col!r} is not a column of the data",
                column=n_col,
                fix=f"the data has {list(frame.columns)}",
            )
        drawn = getattr(fig, "_cei_released", None)
        led = Ledger.current(out)
        table = release(
            frame,
            name=name,
            measure=measure,
            keys=keys,
            cells=cells,
            n_col=col,
            by=by,
            min_cell=min_cell,
            ledger=led,
        )
        if drawn is not None:
            _check_drawn(drawn, table, name)
        info = dict(table.attrs.get("release", {}))
        sup = {
            "applied": True,
            "threshold": int(min_cell),
            "n_col": col,
            "by": [by] if isinstance(by, str) else list(by or []),
            "complementary": True,
            "ledger": Path(info["ledger"]).name if info.get("ledger") else None,
            "measure": info.get("measure", []),
            "suppressed_rows": int(info.get("suppressed_rows", 0)),
            "suppressed_cells": int(table.attrs.get("suppression", {}).get("suppressed_cells", 0)),
            "count_cols": info.get("count_cols", []),
        }
    else:
        from ..privacy._rules import is_count_column

        counting = [c for c in frame.columns if is_count_column(c)]
        if counting:
            raise PrivacyError(
                f"suppress=False for data that counts people (columns {counting})",
                fix="only data that describes no people (verdicts, district self-ratings) "
                "may skip the release step; drop the count columns or keep suppress=True",
            )
        table = frame
        sup = {"applied": False, "threshold": None, "suppressed_rows": 0, "suppressed_cells": 0}
    from ..privacy.csv_writer import to_csv_bytes

    table = table.copy()
    table.attrs = {}
    csv_bytes = to_csv_bytes(table)
    digest = hashlib.sha256(csv_bytes).hexdigest()

    with themed():
        for fmt in FORMATS:
            _atomic_savefig(fig, paths[fmt], fmt)
    _atomic_bytes(paths["csv"], csv_bytes)

    sidecar = {
        "name": name,
        "caption": caption,
        "alt_text": alt_text,
        "data_file": paths["csv"].name,
        "data_sha256": digest,
        "data_rows": len(table),
        "data_columns": [str(c) for c in table.columns],
        "parameters": _jsonable(dict(parameters or {})),
        "package": "cei_metrics",
        "package_version": __version__,
        "source_tables": [str(s) for s in (source_tables or [])],
        "synthetic": bool(synthetic),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "width_in": w,
        "height_in": h,
        "dpi": DPI,
        "suppression": sup,
        "files": [p.name for p in paths.values()],
    }
    _atomic_bytes(
        paths["json"], (json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    )
    return SavedFigure(
        name=name,
        paths=paths,
        sidecar=sidecar,
        n_suppressed=int(sup["suppressed_cells"]),
        preview=png_bytes(fig),
    )


def _check_drawn(drawn: pd.DataFrame, table: pd.DataFrame, name: str) -> None:
    """The figure must have been drawn from what is released: same suppressed rows, same
    values in the columns both frames have."""
    import numpy as np
    import pandas as pd

    from ..privacy._rules import FLAG

    if len(drawn) != len(table) or not set(drawn.columns) <= set(table.columns) | {FLAG}:
        return  # a different frame (e.g. the input of the drawn one); the audit reads both
    common = [c for c in drawn.columns if c in table.columns]
    for c in common:
        a, b = drawn[c], table[c]
        if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
            x = pd.to_numeric(a, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            y = pd.to_numeric(b, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            shown_not_released = ~np.isnan(x) & np.isnan(y)
            if shown_not_released.any():
                i = int(np.flatnonzero(shown_not_released)[0])
                raise PrivacyError(
                    f"figure {name!r} draws a value that its released data blanks",
                    row=i + 1,
                    column=str(c),
                    fix="draw the figure with a cm.viz function (they draw released data) "
                    "and pass the same options (min_cell) to it and to save()",
                )
    if FLAG in drawn.columns and FLAG in table.columns:
        if (table[FLAG].to_numpy(dtype=bool) & ~drawn[FLAG].to_numpy(dtype=bool)).any():
            raise PrivacyError(
                f"figure {name!r} was drawn with cells that its released data suppresses",
                fix="the run's ledger suppressed more cells than the figure shows; draw "
                "the figure from cm.privacy.release(...) of the same data, or save it "
                "under the same name it was drawn with",
            )
