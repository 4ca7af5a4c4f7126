r"""One release path: every number that leaves the analysis layer passes :func:`release`.

:func:`release` suppresses one table (:func:`~cei_metrics.privacy.suppress`: small cells,
the counts that imply them, complementary cells within the table) and then checks it
against the run's **release ledger**: every count cell released so far in the run (by any
figure, table or page), recorded as *(table, measure, cell, n)*, where the cell is the
set of key values that defines the people counted (``{"district_id": "0196511",
"wave": "1"}``). Cells of one *measure* (``"survey respondents"``) are linked: a cell
whose keys are a subset of another's is its total.

Linked-table rule (Hundepool et al. 2012, ch. 4; tau-ARGUS "linked tables"): for every
released total :math:`T` and every finer key set :math:`S` for which cells are released,
the residual

.. math:: r = T - \sum_{c \in S,\ c \subset T,\ c \text{ released}} c

is 0 or at least ``min_cell``. When it is not, cells of the new table are suppressed
(the smallest child first, else the new total itself) until it is. So a total minus its
published parts never gives 1 to 10 people, whichever figures, years or waves the total
and the parts come from; and since every released cell is 0 or at least ``min_cell``, no
difference of two nested released cells gives 1 to 10 either. A cell suppressed earlier
in the run stays suppressed in every later table.

The ledger records released values only (a suppressed cell's count is never written); it
lives in ``figures/.ledger.parquet`` by default (``CEI_LEDGER`` names another file), and a
report run starts a fresh one (:meth:`Ledger.start`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import PrivacyError, SchemaError
from ._rules import FLAG, MIN_CELL
from .suppression import KEY_NAMES, PART_PAIRS, _as_list, suppress

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["LEDGER_ENV", "LEDGER_FILE", "Ledger", "release"]

#: Environment variable naming the run's ledger file.
LEDGER_ENV = "CEI_LEDGER"
#: Default file name of the ledger inside the figures folder.
LEDGER_FILE = ".ledger.parquet"
_COLS = ["table", "measure", "cell", "n", "released"]


def _cell_key(dims: Mapping[str, Any]) -> str:
    return json.dumps({str(k): _norm(v) for k, v in sorted(dims.items())}, sort_keys=True)


def _norm(v: Any) -> str:
    try:
        f = float(v)
        if f == int(f):
            return str(int(f))
    except (TypeError, ValueError, OverflowError):
        pass
    return str(v)


class Ledger:
    """The cells released in one run: ``table, measure, cell, n, released``.

    ``n`` holds the released count (missing for a suppressed cell: a ledger never holds
    the count of a suppressed cell). With a ``path`` every change is written back (to a
    temporary file renamed into place), so separate processes of one run (the notebooks of
    a report) share it.
    """

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        import pandas as pd

        self.path = Path(path) if path is not None else None
        if self.path is not None and self.path.exists():
            self.cells = pd.read_parquet(self.path)
        else:
            self.cells = pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(_COLS, _DTYPES)})

    @classmethod
    def start(cls, path: str | os.PathLike) -> Ledger:
        """A fresh, empty ledger at ``path`` (an old one is removed), named in
        ``CEI_LEDGER`` so that every release of this process and its children uses it."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.unlink(missing_ok=True)
        led = cls(p)
        led.save()
        os.environ[LEDGER_ENV] = str(p.resolve())
        return led

    @classmethod
    def current(cls, out_dir: str | os.PathLike | None = None) -> Ledger | None:
        """The run's ledger: ``CEI_LEDGER`` when set, else ``out_dir/.ledger.parquet`` when
        ``out_dir`` is given, else None."""
        env = os.environ.get(LEDGER_ENV)
        if env:
            return cls(env)
        if out_dir is not None:
            return cls(Path(out_dir) / LEDGER_FILE)
        return None

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self.cells.to_parquet(tmp, index=False)
        os.replace(tmp, self.path)

    def add(self, rows: pd.DataFrame) -> None:
        import pandas as pd

        if rows.empty:
            return
        merged = pd.concat([self.cells, rows[_COLS]], ignore_index=True)
        self.cells = merged.drop_duplicates(["table", "measure", "cell"], keep="last")
        self.cells = self.cells.reset_index(drop=True)
        self.save()

    def violations(self, min_cell: int = MIN_CELL) -> pd.DataFrame:
        """Released cells in 1..min_cell-1, nested differences and totals-minus-parts
        residuals in 1..min_cell-1 (empty when the ledger is safe)."""
        return _violations(self.cells, min_cell)


_DTYPES = ["object", "object", "object", "float64", "bool"]


def _parse(cell: str) -> dict[str, str]:
    return json.loads(cell)


def _relations(cells: list[dict]) -> list[tuple[int, list[int]]]:
    """(total index, [child indices]) for every total and every finer key set."""
    by_sig: dict[frozenset, list[int]] = {}
    for i, c in enumerate(cells):
        by_sig.setdefault(frozenset(c["dims"]), []).append(i)
    out = []
    for i, c in enumerate(cells):
        sig = frozenset(c["dims"])
        for s2, idx in by_sig.items():
            if not sig < s2:
                continue
            kids = [j for j in idx if all(cells[j]["dims"][k] == v for k, v in c["dims"].items())]
            if kids:
                out.append((i, kids))
    return out


def _violations(frame: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for measure, g in frame.groupby("measure", sort=False):
        g = g.drop_duplicates("cell")
        cells = [
            {"dims": _parse(c), "n": n, "released": bool(r)}
            for c, n, r in zip(g["cell"], g["n"], g["released"])
        ]
        for c in cells:
            if c["released"] and 0 < c["n"] < min_cell:
                rows.append((measure, json.dumps(c["dims"]), "", "cell", c["n"]))
        for i, kids in _relations(cells):
            t = cells[i]
            if not t["released"]:
                continue
            rel = [j for j in kids if cells[j]["released"]]
            resid = t["n"] - sum(cells[j]["n"] for j in rel)
            if 0 < resid < min_cell:
                rows.append((measure, json.dumps(t["dims"]), "", "residual", resid))
            for j in rel:
                d = t["n"] - cells[j]["n"]
                if 0 < d < min_cell:
                    rows.append(
                        (measure, json.dumps(t["dims"]), json.dumps(cells[j]["dims"]), "diff", d)
                    )
    return pd.DataFrame(rows, columns=["measure", "total", "part", "kind", "value"])


def _default_keys(table: pd.DataFrame, by: list[str], counts: list[str]) -> list[str]:
    import pandas as pd

    from ._rules import normalise

    keys = list(by)
    for c in table.columns:
        if c in keys or c in counts or c == FLAG:
            continue
        s = table[c]
        if normalise(c) in KEY_NAMES or not (
            pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)
        ):
            keys.append(c)
    return keys


def release(
    table: pd.DataFrame,
    *,
    name: str,
    measure: str | Mapping[str, str] | None = None,
    keys: str | Sequence[str] | None = None,
    cells: Mapping[str, Sequence[str]] | None = None,
    n_col: str | None = "n",
    by: str | Sequence[str] | None = None,
    parts: Mapping[str, str] | None = None,
    share_cols: str | Sequence[str] | None = None,
    count_cols: str | Sequence[str] | None = None,
    total_rows: str | Sequence[bool] | None = None,
    min_cell: int = MIN_CELL,
    ledger: Ledger | str | os.PathLike | bool | None = None,
    drop: Sequence[str] = (),
) -> pd.DataFrame:
    r"""Release one table: suppress it, check it against the run's ledger, record it.

    Parameters
    ----------
    table : tidy frame, one row per cell.
    name : the table's name in the ledger (a figure's file stem, a report table's title).
    measure : what the counts count, e.g. ``"survey respondents"``; tables that give the
        same measure are linked (their totals and parts are checked together). A mapping
        gives one measure per count column. Default: the table's own name (linked only
        within the table).
    keys : the columns that define each row's cell (default: ``by``, the text columns and
        numeric columns named like keys: ``wave``, ``year``, ``session``, ``response``...).
    cells : ``{count column: [key columns]}`` when a count column counts a coarser cell than
        the row (e.g. ``{"n": ["item"]}`` for the item total repeated on each response
        row). Default: a part/whole pair's whole (``n`` of ``count``) counts the ``by``
        cell, every other count the row's cell.
    n_col, by, parts, share_cols, count_cols, total_rows : as in
        :func:`~cei_metrics.privacy.suppress`.
    min_cell : smallest publishable count (default 11).
    ledger : a :class:`Ledger`, a ledger file, None for the run's ledger
        (``CEI_LEDGER``), or False for none; without a ledger the table is suppressed on
        its own.
    drop : columns used for the decision but not released (e.g. a hidden count).

    Returns
    -------
    The released frame (suppressed cells missing, a boolean ``suppressed`` column);
    ``.attrs["release"]`` records the name, threshold, ledger file and counts.

    Raises
    ------
    SchemaError for a named column that is absent; PrivacyError if the ledger cannot be
    made consistent (a bug, never expected).

    Examples
    --------
    >>> rel = cm.privacy.release(cov, name="intake_survey_coverage",
    ...                          measure="survey respondents", keys=["district_id", "wave"])
    """
    import numpy as np
    import pandas as pd

    t = int(min_cell)
    out = suppress(
        table,
        count_cols=count_cols,
        n_col=n_col,
        threshold=t,
        by=by,
        total_rows=total_rows,
        keys=keys,
        share_cols=share_cols,
        parts=parts,
    )
    counts = list(out.attrs["suppression"]["count_cols"])
    by_cols = _as_list(by)
    key_cols = _as_list(keys) if keys is not None else _default_keys(table, by_cols, counts)
    for c in key_cols:
        if c not in table.columns:
            raise SchemaError(
                f"key column {c!r} is not in the table",
                column=c,
                fix=f"the table has columns {list(table.columns)}",
            )
    if ledger is False:
        led = None
    elif isinstance(ledger, Ledger):
        led = ledger
    elif ledger is not None and ledger is not True:
        led = Ledger(ledger)
    else:
        led = Ledger.current()
    if not counts:
        led = None  # nothing that counts people: nothing to link

    cell_keys: dict[str, list[str]] = {c: list(key_cols) for c in counts}
    wholes = {w for p, w in _pairs(table, parts) if p in counts and w in counts}
    for c in wholes:
        cell_keys[c] = [k for k in by_cols if k in key_cols] if by_cols else list(key_cols)
    for c, ks in (cells or {}).items():
        if c not in counts:
            raise SchemaError(
                f"cells= names {c!r}, which is not a count column of the table",
                column=c,
                fix=f"count columns found: {counts}",
            )
        cell_keys[c] = list(ks)
    if isinstance(measure, Mapping):
        meas = {c: str(measure.get(c, f"{name}:{c}")) for c in counts}
    else:
        base = str(measure) if measure is not None else name
        pair_cols = {c for pw in _pairs(table, parts) for c in pw}
        meas = {
            c: base if (c in pair_cols or c == n_col or len(counts) == 1) else f"{base}:{c}"
            for c in counts
        }
        for c in wholes:  # a whole counted on the same keys as its part is another measure
            parts_of = [p for p, w in _pairs(table, parts) if w == c and p in counts]
            if any(cell_keys[p] == cell_keys[c] for p in parts_of):
                meas[c] = f"{base}:{c}"

    flag = out[FLAG].to_numpy(dtype=bool).copy()
    true = {c: pd.to_numeric(table[c], errors="coerce").to_numpy(dtype=float) for c in counts}
    # one record per (count column, row)
    recs = []
    for c in counts:
        kc = cell_keys[c]
        sub = table[kc].astype(object).to_numpy() if kc else np.empty((len(table), 0))
        for i in range(len(table)):
            if np.isnan(true[c][i]):
                continue
            recs.append((meas[c], _cell_key(dict(zip(kc, sub[i]))), c, i, float(true[c][i])))

    if led is not None and recs:
        flag = _link(recs, flag, led, t, name)

    if not np.array_equal(flag, out[FLAG].to_numpy(dtype=bool)):
        out = suppress(
            table.assign(**{FLAG: flag}),
            count_cols=counts,
            n_col=n_col,
            threshold=t,
            by=by,
            total_rows=total_rows,
            keys=keys,
            share_cols=share_cols,
            parts=parts,
            complementary=False,
        )
    if led is not None and recs:
        shown: dict[tuple[str, str], list] = {}
        for m, ck, _c, i, v in recs:
            shown.setdefault((m, ck), [v, False])
            shown[(m, ck)][1] |= not flag[i]
        new = pd.DataFrame(
            [(name, m, ck, v if rel else np.nan, bool(rel)) for (m, ck), (v, rel) in shown.items()],
            columns=_COLS,
        )
        led.add(new)
    out = out.drop(columns=[c for c in drop if c in out.columns])
    out.attrs["release"] = {
        "name": name,
        "threshold": t,
        "ledger": str(led.path) if led is not None and led.path is not None else None,
        "suppressed_rows": int(flag.sum()),
        "count_cols": counts,
        "measure": sorted(set(meas.values())),
    }
    return out


def _pairs(table: pd.DataFrame, parts: Mapping[str, str] | None) -> list[tuple[str, str]]:
    from ._rules import normalise

    if parts is not None:
        return list(parts.items())
    low = {normalise(c): c for c in table.columns}
    return [(low[p], low[w]) for p, w in PART_PAIRS if p in low and w in low]


def _link(recs, flag, led: Ledger, t: int, name: str):
    """Suppress rows of the new table until every relation over the ledger is safe."""

    flag = flag.copy()
    old = led.cells[led.cells["table"] != name]
    measures = {m for m, *_ in recs}
    for m in measures:
        mine = [r for r in recs if r[0] == m]
        prev = old[old["measure"] == m]
        # cells: old ones fixed; new ones carry the rows that show them
        cells: list[dict] = []
        index: dict[str, int] = {}
        for ck, n, rel in zip(prev["cell"], prev["n"], prev["released"]):
            if ck in index:
                j = index[ck]
                cells[j]["released"] |= bool(rel)
                if rel:
                    cells[j]["n"] = float(n)
                continue
            index[ck] = len(cells)
            cells.append(
                {"dims": _parse(ck), "n": float(n), "released": bool(rel), "rows": [], "old": True}
            )
        for _m, ck, _c, i, v in mine:
            j = index.get(ck)
            if j is None:
                index[ck] = j = len(cells)
                cells.append({"dims": _parse(ck), "n": v, "released": False, "rows": []})
                cells[j]["old"] = False
            c = cells[j]
            if c["old"]:
                if not c["released"]:
                    flag[i] = True  # suppressed before: stays suppressed
                elif abs(c["n"] - v) > 1e-9:
                    raise PrivacyError(
                        f"table {name!r} gives {v:g} for a cell of measure {m!r} that an "
                        f"earlier table released as {c['n']:g} ({ck})",
                        fix="give the two tables different measure names: they do not count "
                        "the same people",
                    )
            c.setdefault("new_rows", []).append(i)
        rels = _relations(cells)
        for _ in range(10 * len(cells) + 10):

            def shown(c):
                if c["old"]:
                    return c["released"] or any(not flag[i] for i in c.get("new_rows", []))
                return any(not flag[i] for i in c.get("new_rows", []))

            bad = None
            for ti, kids in rels:
                tc = cells[ti]
                if not shown(tc):
                    continue
                resid = tc["n"] - sum(cells[j]["n"] for j in kids if shown(cells[j]))
                if 0 < resid < t:
                    bad = (ti, kids)
                    break
            if bad is None:
                break
            ti, kids = bad
            cand = [
                j for j in kids if shown(cells[j]) and not cells[j]["old"] and cells[j]["n"] > 0
            ]
            if not cand:
                cand = [j for j in kids if shown(cells[j]) and not cells[j]["old"]]
            if cand:
                j = min(cand, key=lambda j: cells[j]["n"])
            elif not cells[ti]["old"]:
                j = ti
            else:
                raise PrivacyError(
                    f"the ledger already holds an unsafe relation for measure {m!r}",
                    fix="start a fresh ledger for the run (cm.privacy.Ledger.start)",
                )
            for i in cells[j].get("new_rows", []):
                flag[i] = True
        else:  # pragma: no cover - the loop suppresses one cell per pass
            raise PrivacyError("complementary suppression over the ledger did not settle")
    return flag
