"""Read a folder of CDE files (e.g. what ``cei-metrics fetch-cde`` downloaded) by family."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CEIError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["CDEFolder", "read_cde_folder"]

_KINDS = ("outcomes", "ratings", "upc", "assistance", "enrollment", "directory", "narratives")
_BY_FORMAT = {
    "upc": "upc",
    "assistance_status": "assistance",
    "dataquest_census_enrollment": "enrollment",
    "dashboard_census_enrollment": "enrollment",
    "directory_pubdistricts": "directory",
}


@dataclass(frozen=True)
class CDEFolder:
    """The tables read from a folder of CDE files, concatenated by kind (None when the
    folder has no file of that kind), and ``files``: one row per file with its detected
    format, kind, rows and any error (a file that cannot be read is listed, not raised)."""

    outcomes: pd.DataFrame | None
    ratings: pd.DataFrame | None
    upc: pd.DataFrame | None
    assistance: pd.DataFrame | None
    enrollment: pd.DataFrame | None
    directory: pd.DataFrame | None
    narratives: pd.DataFrame | None
    files: pd.DataFrame = field(repr=False)


def read_cde_folder(folder: str | Path, *, narratives: bool = True) -> CDEFolder:
    """Read every CDE file in ``folder`` (and below) with :func:`~cei_metrics.io.read_cde`.

    Outcome files go to ``outcomes``, Priority 3 files to ``ratings`` (and, with
    ``narratives=True``, their text to ``narratives``; Priority 3 Met / Not Met is added
    to ``outcomes``), UPC, assistance-status, Census Day enrollment and directory files to
    their own tables. Files that are not CDE files, or are damaged, are listed in
    ``files`` with the error. ``.zip`` archives are not opened (unzip them first).

    Examples
    --------
    >>> got = read_cde_folder("data/raw/cde")                       # doctest: +SKIP
    >>> got.files[["file", "format", "kind", "rows", "error"]]       # doctest: +SKIP
    """
    import pandas as pd

    from .cde import read_cde
    from .narratives import read_p3_narratives

    root = Path(folder)
    if not root.is_dir():
        raise CEIError("folder not found", file=root, fix="give the folder of CDE files")
    parts: dict[str, list[pd.DataFrame]] = {k: [] for k in _KINDS}
    rows = []
    for p in sorted(root.rglob("*")):
        if not p.is_file() or p.suffix.lower() not in (".txt", ".xlsx", ".csv", ".tsv"):
            continue
        if p.name.startswith(".") or p.name == "cde_registry.txt":
            continue
        try:
            df = read_cde(p)
        except CEIError as err:
            rows.append((str(p), "", "", 0, str(err).splitlines()[0]))
            continue
        fmt = df.attrs.get("cde_format", "")
        kind = _BY_FORMAT.get(fmt)
        if kind is None:
            kind = "ratings" if "rating" in df.columns else (
                "outcomes" if "indicator" in df.columns else "")  # fmt: skip
        if kind:
            parts[kind].append(df)
        rows.append((str(p), fmt, kind or "reference", len(df), ""))
        if fmt == "localind_priority3":
            parts["outcomes"].append(read_cde(p, kind="local_indicator"))
            if narratives:
                try:
                    parts["narratives"].append(read_p3_narratives(p))
                except CEIError:
                    pass
    files = pd.DataFrame(rows, columns=["file", "format", "kind", "rows", "error"])

    def cat(k):
        if not parts[k]:
            return None
        out = pd.concat(parts[k], ignore_index=True)
        out.attrs = {}
        return out

    return CDEFolder(**{k: cat(k) for k in _KINDS}, files=files)
