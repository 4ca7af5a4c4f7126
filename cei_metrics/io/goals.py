"""Each district's own goal: the problem-of-practice table a district fills in.

Every PLLN district chose a *problem of practice* with a local measure of its own (one
district tracked a single item of its parent survey; another the engagement of African
American and Mixteco families in shared decision-making). :func:`read_goals` reads the
table the districts fill in -- CSV, Excel or YAML -- into the ``goals`` table
(:data:`cei_metrics.schemas.GOALS_COLUMNS`): one row per district x goal x period.

CSV / Excel, one row per goal (``cei-metrics init`` writes ``goals.csv``):

===================  ===========================================================================
column               meaning
===================  ===========================================================================
District             7-digit CD code, 14-digit CDS code or the district's name
Goal                 a short name of the goal (optional: ``goal-1``, ``goal-2`` ... by order)
Measure              what is measured, in the district's words
Source               where the number comes from (a survey item, sign-ins, a CDE file)
Unit                 percent, proportion, count, score or rate (blank: percent when the
                     measure says "%" or "percent", else score)
Baseline Period      the period of the baseline ("2019-20", "wave 1")
Baseline             the baseline value
Target Period        the period of the target ("2023-24")
Target               the target value (lower than the baseline when lower is better)
one column a period  the value in that period: headers ``2020-21``, ``2021-2022``, ``2021``
                     or ``Wave 2``; ``n 2020-21`` (or ``N (2020-21)``) the number of people
                     the value rests on, when it is a share of people
===================  ===========================================================================

The same table may be long, one row per goal and period, with ``Period``, ``Value`` and
``N`` columns. YAML::

    goals:
      - district: "5672538"
        goal: mixteco-voice
        measure: Mixteco families at DELAC and ELAC meetings (% of seats)
        source: sign-in sheets
        unit: percent
        baseline: {period: 2019-20, value: 4}
        target: {period: 2023-24, value: 15}
        values: {2020-21: 5, 2021-22: 9}
        n: {2020-21: 80, 2021-22: 92}

Measure and source are free text written by staff: they are scrubbed (e-mails, phones,
addresses) as they are read. Values may carry a ``%`` sign or thousands separators.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SchemaError
from ..schemas import GOALS_COLUMNS, MEASURE_UNITS, C
from .vocab import vocab_key

__all__ = ["looks_like_goals", "read_goals"]

ALIASES: dict[str, tuple[str, ...]] = {
    C.DISTRICT_ID: ("District", "District Code", "District ID", "district_id", "Distrito"),
    C.GOAL_ID: ("Goal", "Goal ID", "goal_id", "Problem of practice", "Meta"),
    C.MEASURE: ("Measure", "Local measure", "Indicator", "Medida", "Indicador"),
    C.SOURCE: ("Source", "Data source", "Fuente"),
    C.MEASURE_UNIT: ("Unit", "Units", "measure_unit", "Unidad"),
    C.BASELINE_PERIOD: ("Baseline Period", "Baseline Year", "Baseline Wave", "baseline_period"),
    C.BASELINE: ("Baseline", "Baseline Value", "Linea base", "Linea de base"),
    C.TARGET_PERIOD: ("Target Period", "Target Year", "Target Wave", "target_period"),
    C.TARGET: ("Target", "Target Value", "Objetivo"),
    C.PERIOD: ("Period", "Year", "School Year", "Wave", "Periodo"),
    C.VALUE: ("Value", "Valor"),
    C.N: ("N", "Respondents", "People", "Families", "Personas"),
}
_UNITS = {
    "percent": "percent",
    "pct": "percent",
    "%": "percent",
    "percentage": "percent",
    "porcentaje": "percent",
    "proportion": "proportion",
    "share": "proportion",
    "proporcion": "proportion",
    "count": "count",
    "number": "count",
    "people": "count",
    "families": "count",
    "conteo": "count",
    "numero": "count",
    "score": "score",
    "mean": "score",
    "average": "score",
    "promedio": "score",
    "rate": "rate",
    "tasa": "rate",
}
_SY = re.compile(r"^(\d{4})\s*[-–/]\s*(\d{2}|\d{4})$")
_WAVE = re.compile(r"^(?:wave|ola)\s*(\d+)$", re.IGNORECASE)
_N_PREFIX = re.compile(r"^\s*n\s*[\(\[]?\s*(.+?)\s*[\)\]]?\s*$", re.IGNORECASE)


def _col(names: list[str], field: str) -> int | None:
    from .survey import find_col

    return find_col(names, ALIASES[field])


def looks_like_goals(header: list[str]) -> bool:
    """A header naming a district, a baseline and a target (and a measure or goal)."""
    names = [str(h) for h in header]
    need = (C.DISTRICT_ID, C.BASELINE, C.TARGET)
    return all(_col(names, f) is not None for f in need) and (
        _col(names, C.MEASURE) is not None or _col(names, C.GOAL_ID) is not None
    )


def period_label(text: object) -> str | None:
    """A period as the goals table writes it: school years as ``2019-20`` (from
    ``2019-2020``, ``2019/20``), waves as ``wave 2``, anything else as written; None when
    blank."""
    s = "" if text is None else str(text).strip()
    if not s or s.lower() in ("nan", "none"):
        return None
    m = _SY.match(s)
    if m:
        a, b = int(m.group(1)), int(m.group(2)) % 100
        if (a + 1) % 100 == b:
            return f"{a}-{b:02d}"
    m = _WAVE.match(s)
    if m:
        return f"wave {int(m.group(1))}"
    return s


def _is_period(header: str) -> bool:
    s = str(header).strip()
    return bool(_SY.match(s) or _WAVE.match(s) or re.fullmatch(r"(?:19|20)\d\d", s))


def _number(v: object, path: Path, row: int | None, column: str) -> float:
    s = "" if v is None else str(v).strip().replace(",", "").replace("%", "").strip()
    if not s or s.lower() == "nan":
        return np.nan
    try:
        return float(s)
    except ValueError:
        raise SchemaError(
            "not a number",
            file=path,
            row=row,
            column=column,
            fix="write the value as a number (45, 45.5 or 45%)",
        ) from None


def _unit(v: object, measure: str, path: Path, row: int | None, column: str) -> str:
    k = vocab_key(v)
    if not k:
        m = str(measure).lower()
        return "percent" if ("%" in m or "percent" in m or "porcentaje" in m) else "score"
    if str(v).strip() == "%":
        return "percent"
    if k in _UNITS:
        return _UNITS[k]
    raise SchemaError(
        f"unit {str(v)[:20]!r} is not known",
        file=path,
        row=row,
        column=column,
        fix=f"write one of {', '.join(MEASURE_UNITS)}",
    )


def _district(v: object, path: Path, row: int | None, column: str) -> str:
    from .districts import resolve_district

    lk = resolve_district(v)
    if lk.code is None:
        raise SchemaError(lk.problem, file=path, row=row, column=column, fix=lk.fix)
    return lk.code


def _goal_rows(spec: dict[str, Any], path: Path, row: int | None, k: int) -> list[dict]:
    """Long rows of one goal from its fields (see the module docstring)."""
    from .scrub import scrub_text

    dist = _district(spec.get(C.DISTRICT_ID), path, row, "District")
    measure = scrub_text(str(spec.get(C.MEASURE) or "").strip())
    goal = str(spec.get(C.GOAL_ID) or "").strip() or f"goal-{k}"
    base = _number(spec.get(C.BASELINE), path, row, "Baseline")
    target = _number(spec.get(C.TARGET), path, row, "Target")
    for what, v in (("Baseline", base), ("Target", target)):
        if np.isnan(v):
            raise SchemaError(
                f"the goal has no {what.lower()}",
                file=path,
                row=row,
                column=what,
                fix=f"write the goal's {what.lower()} value",
            )
    if base == target:
        raise SchemaError(
            "the target equals the baseline: there is no gap to close",
            file=path,
            row=row,
            column="Target",
            fix="write the value the district aims for (above or below the baseline)",
        )
    unit = _unit(spec.get(C.MEASURE_UNIT), measure, path, row, "Unit")
    common = {
        C.DISTRICT_ID: dist,
        C.GOAL_ID: goal,
        C.MEASURE: measure or goal,
        C.SOURCE: scrub_text(str(spec.get(C.SOURCE) or "").strip()),
        C.MEASURE_UNIT: unit,
        C.BASELINE_PERIOD: period_label(spec.get(C.BASELINE_PERIOD)) or "baseline",
        C.BASELINE: base,
        C.TARGET_PERIOD: period_label(spec.get(C.TARGET_PERIOD)) or "target",
        C.TARGET: target,
    }
    values: dict[str, float] = spec.get("values", {})
    ns: dict[str, float] = spec.get("ns", {})
    out = []
    for per, v in values.items():
        nv = ns.get(per, np.nan)
        if not np.isnan(nv) and nv < 0:
            raise SchemaError(
                "a number of people is negative", file=path, row=row, column=f"n {per}",
                fix="write how many people the value rests on",
            )  # fmt: skip
        out.append({**common, C.PERIOD: per, C.VALUE: v, C.N: nv})
    if not out:
        out.append({**common, C.PERIOD: None, C.VALUE: np.nan, C.N: np.nan})
    return out


def _from_grid(path: Path) -> tuple[list[dict], bool]:
    from ._tabular import read_grid

    g = read_grid(path)
    if not g.rows:
        raise SchemaError("the goal table is empty", file=path, fix="fill in one row per goal")
    names = [str(x) for x in g.rows[0]]
    pos = {f: _col(names, f) for f in ALIASES}
    long = pos[C.VALUE] is not None and pos[C.PERIOD] is not None
    period_cols: dict[int, str] = {}
    n_cols: dict[int, str] = {}
    if not long:
        used = {j for j in pos.values() if j is not None}
        for j, h in enumerate(names):
            if j in used:
                continue
            if _is_period(h):
                period_cols[j] = period_label(h) or h
            else:
                m = _N_PREFIX.match(h)
                if m and _is_period(m.group(1)):
                    n_cols[j] = period_label(m.group(1)) or m.group(1)
    goals: dict[tuple, dict] = {}
    first_row: dict[tuple, int] = {}
    for r, num in zip(g.rows[1:], g.row_numbers[1:]):
        if not any(c.strip() for c in r):
            continue

        def cell(f: str, r: list[str] = r) -> str:
            j = pos[f]
            return r[j].strip() if j is not None and j < len(r) else ""

        spec = {f: cell(f) for f in ALIASES if f not in (C.PERIOD, C.VALUE, C.N)}
        key = (cell(C.DISTRICT_ID), spec[C.GOAL_ID] or spec[C.MEASURE])
        entry = goals.setdefault(key, {**spec, "values": {}, "ns": {}})
        first_row.setdefault(key, num)
        if long:
            per = period_label(cell(C.PERIOD))
            if per is not None and per in entry["values"]:
                raise SchemaError(
                    f"goal {key[1]!r} of district {key[0]} has two values for {per}",
                    file=path,
                    row=num,
                    column=names[pos[C.PERIOD]],
                    fix="keep one value per goal and period (give each goal its own Goal name)",
                )
            if per is not None:
                entry["values"][per] = _number(cell(C.VALUE), path, num, names[pos[C.VALUE]])
                if pos[C.N] is not None:
                    entry["ns"][per] = _number(cell(C.N), path, num, names[pos[C.N]])
        else:
            for j, per in period_cols.items():
                v = _number(r[j] if j < len(r) else "", path, num, names[j])
                if not np.isnan(v):
                    entry["values"][per] = v
            for j, per in n_cols.items():
                v = _number(r[j] if j < len(r) else "", path, num, names[j])
                if not np.isnan(v):
                    entry["ns"][per] = v
    rows: list[dict] = []
    k_by_district: dict[str, int] = {}
    for key, spec in goals.items():
        k_by_district[key[0]] = k_by_district.get(key[0], 0) + 1
        rows.extend(_goal_rows(spec, path, first_row[key], k_by_district[key[0]]))
    return rows, g.synthetic


def _from_yaml(path: Path) -> tuple[list[dict], bool]:
    import yaml

    text = path.read_text(encoding="utf-8-sig")
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise SchemaError(
            f"not valid YAML: {getattr(err, 'problem', err)}",
            file=path,
            row=None if mark is None else mark.line + 1,
            fix="correct the YAML syntax at that line",
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("goals"), list):
        raise SchemaError(
            "a goal file holds a list under the key 'goals'",
            file=path,
            row=1,
            fix="start the file with 'goals:' and one '- district: ...' item per goal",
        )
    items = next(v for k, v in node.value if k.value == "goals").value
    rows: list[dict] = []
    k_by_district: dict[str, int] = {}
    for i, (g, gnode) in enumerate(zip(data["goals"], items)):
        line = gnode.start_mark.line + 1
        if not isinstance(g, dict):
            raise SchemaError(f"goals[{i}] is not a mapping", file=path, row=line,
                              fix="give each goal its district, measure, baseline and target")  # fmt: skip
        base, target = g.get("baseline") or {}, g.get("target") or {}
        if not isinstance(base, dict):
            base = {"value": base}
        if not isinstance(target, dict):
            target = {"value": target}
        spec = {
            C.DISTRICT_ID: g.get("district"),
            C.GOAL_ID: g.get("goal"),
            C.MEASURE: g.get("measure"),
            C.SOURCE: g.get("source"),
            C.MEASURE_UNIT: g.get("unit"),
            C.BASELINE_PERIOD: base.get("period"),
            C.BASELINE: base.get("value"),
            C.TARGET_PERIOD: target.get("period"),
            C.TARGET: target.get("value"),
            "values": {
                period_label(p): _number(v, path, line, f"goals[{i}].values")
                for p, v in (g.get("values") or {}).items()
            },
            "ns": {
                period_label(p): _number(v, path, line, f"goals[{i}].n")
                for p, v in (g.get("n") or {}).items()
            },
        }
        d = str(spec[C.DISTRICT_ID])
        k_by_district[d] = k_by_district.get(d, 0) + 1
        rows.extend(_goal_rows(spec, path, line, k_by_district[d]))
    synthetic = text.lstrip("\ufeff").startswith("# SYNTHETIC")
    return rows, synthetic


def looks_like_goals_yaml(path: str | Path) -> bool:
    """A YAML file whose top level has a ``goals`` list."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and isinstance(data.get("goals"), list)


def read_goals(path: str | Path) -> pd.DataFrame:
    """Read a district goal table (CSV, TSV, Excel or YAML; see the module docstring).

    Returns
    -------
    DataFrame with :data:`~cei_metrics.schemas.GOALS_COLUMNS` and ``n``: one row per
    district x goal x period with a value (a goal without values yet: one row with period
    and value missing). ``df.attrs["read"]`` reports rows read and kept.

    Raises
    ------
    SchemaError naming the file, row (as a spreadsheet shows it; the YAML line) and
    column of a value that is not a number, an unknown district or unit, a goal without
    baseline or target, or a target equal to its baseline.
    """
    from .survey import ReadReport

    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        rows, synthetic = _from_yaml(path)
    else:
        rows, synthetic = _from_grid(path)
    df = pd.DataFrame(rows, columns=[*GOALS_COLUMNS, C.N])
    dup = df.duplicated([C.DISTRICT_ID, C.GOAL_ID, C.PERIOD])
    if dup.any():
        r = df[dup].iloc[0]
        raise SchemaError(
            f"goal {r[C.GOAL_ID]!r} of district {r[C.DISTRICT_ID]} has two values for "
            f"{r[C.PERIOD]}",
            file=path,
            column=C.PERIOD,
            fix="keep one value per goal and period (give each goal its own Goal name)",
        )
    n_goals = len(df.drop_duplicates([C.DISTRICT_ID, C.GOAL_ID]))
    df.attrs["read"] = ReadReport(
        rows_read=n_goals,
        rows_kept=n_goals,
        rejected=pd.DataFrame(columns=["file", "row", "column", "reason"]),
        repaired=pd.DataFrame(columns=["file", "row", "column", "reason"]),
        dropped_columns=pd.DataFrame(columns=["file", "column", "kind"]),
        synthetic=synthetic,
        recognised_as=f"district goal table ({n_goals} goal(s))",
    )
    df.attrs["synthetic"] = synthetic
    return df
