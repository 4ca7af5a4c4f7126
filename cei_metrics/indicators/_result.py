"""Result objects of the indicators: one frozen :class:`IndicatorResult` per call, and
an :class:`IndicatorSet` holding every result of :func:`~cei_metrics.indicators.compute_all`."""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .._results import ResultMixin, tidy
from ..schemas import C
from . import _cols as K

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["IndicatorResult", "IndicatorSet", "make_result"]

#: Formulas of the estimates that are not registered indicators.
_FORMULAS = {
    "equity_gap": "estimate_group - estimate_reference; se = sqrt(se_group^2 + se_reference^2)",
    "response_rate": "respondents (answered at least one item) / invited or enrolled families",
    "theme_share": "units coded with the theme / units in the group",
}

#: Columns of an indicator table that are statistics or counts, never group keys.
STAT_COLUMNS = frozenset(
    {
        C.TERM,
        K.INDICATOR,
        K.ESTIMATE,
        K.STD_ERROR,
        K.CI_LOW,
        K.CI_HIGH,
        K.P_VAL,
        K.N,
        K.N_CLUSTERS,
        K.COUNT,
        K.SUPPRESSED,
        K.N_ITEMS,
        K.N_ANSWERED,
        K.N_DONT_KNOW,
        K.N_BLANK,
        K.N_EXCLUDED,
        K.N_SESSIONS,
        K.GROUP_SHARE,
        K.ENROLLMENT_SHARE,
        K.CHANGE,
        K.PREV_YEAR,
        K.MODAL_LEVEL,
        K.MODAL_LABEL,
        K.ESTIMATE_GROUP,
        K.ESTIMATE_REFERENCE,
        K.N_GROUP,
        K.N_REFERENCE,
        K.REFERENCE,
        "n_responses",
    }
)


@dataclass(frozen=True, eq=False, repr=False)
class IndicatorResult(ResultMixin):
    """One engagement indicator computed for every group.

    Two results compare equal only when they are the same object; compare their
    tables with ``pandas.testing.assert_frame_equal``.

    Attributes
    ----------
    table : tidy frame, one row per group (and detail such as scale, measure, session):
        the grouping columns, ``indicator``, ``estimate, std_error, ci_low, ci_high, n``,
        indicator-specific counts, and ``suppressed`` (``n < min_cell``: the estimate is
        kept here and blanked by :mod:`cei_metrics.privacy` on export).
    indicator : the indicator's name (its row in :data:`~cei_metrics.indicators.INDICATORS`),
        or ``"equity_gap"``.
    method : how the estimate and its interval are computed.
    by : grouping columns asked for.
    min_cell : small-cell threshold of the ``suppressed`` flag (None: not applicable).
    ci_level : confidence level of the intervals (None where there is no interval;
        formerly ``ci``).
    n_dropped : rows left out for a missing value (the function's docstring says which).
    caveat : what the indicator cannot say, in words ("" if nothing to add).
    details : everything else the function reports (e.g. the denominator rule and the
        counts of excluded responses of percent favorable, the weights and cluster
        columns, the group of a representation index; ``dropped`` says what
        ``n_dropped`` counts).
    """

    table: pd.DataFrame = field(repr=False)
    indicator: str
    method: str
    by: tuple[str, ...] = ()
    min_cell: int | None = 11
    ci_level: float | None = 0.95
    n_dropped: int = 0
    caveat: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    _aliases: ClassVar = {"ci": "ci_level"}

    @property
    def formula(self) -> str:
        """The computation in words (from the indicator registry)."""
        from ._spec import INDICATORS

        spec = INDICATORS.get(self.indicator)
        return spec.formula if spec is not None else _FORMULAS.get(self.indicator, "")

    @property
    def n_suppressed(self) -> int:
        """Rows flagged ``suppressed`` (fewer than ``min_cell`` people)."""
        if K.SUPPRESSED not in self.table.columns:
            return 0
        return int(self.table[K.SUPPRESSED].to_numpy(dtype=bool).sum())

    @property
    def key_columns(self) -> list[str]:
        """Columns of :attr:`table` that identify a row (grouping columns and details
        such as ``scale``, ``measure``, ``session``)."""
        return [c for c in self.table.columns if c not in STAT_COLUMNS]

    def to_frame(self) -> pd.DataFrame:
        """The tidy table with ``term`` first: the row's key (``column=value`` of each
        key column, joined by ``"; "``; the indicator's name when there is none), then
        the protocol columns, then the key columns and the rest."""
        t = self.table.drop(columns=C.TERM, errors="ignore")
        return tidy(t, term=_terms(t, self.key_columns, self.indicator))

    def summary(self) -> str:
        name = self.indicator
        if name == "equity_gap":
            of = self.details.get("of") or "an indicator"
            name = (
                f"equity gap in {of}: each {self.details.get('group_col')} group "
                f"minus {self.details.get('group_col')} = {self.details.get('reference')!r}"
            )
        lines = [f"Indicator: {name} ({len(self.table)} rows)"]
        if self.formula:
            lines.append(f"Formula: {self.formula}")
        if self.details.get("denominator"):
            lines.append(f"Denominator: {self.details['denominator']}")
        level = f", {self.ci_level:.0%} level" if self.ci_level is not None else ""
        lines.append(f"Method: {self.method}{level}")
        keys = self.key_columns
        groups = " x ".join(self.by) if self.by else "no grouping"
        extra = [k for k in keys if k not in self.by]
        lines.append(f"Groups: {groups}" + (f"; rows also by {', '.join(extra)}" if extra else ""))
        if self.min_cell is not None and K.SUPPRESSED in self.table.columns:
            lines.append(
                f"Suppressed: {self.n_suppressed} of {len(self.table)} rows have n < "
                f"{self.min_cell} (flagged; estimates blanked on export)"
            )
        if self.n_dropped:
            what = self.details.get("dropped") or "rows with a missing value"
            lines.append(f"Dropped: {self.n_dropped} {what}")
        if self.caveat:
            lines.append(f"Caveat: {self.caveat}")
        return "\n".join(lines)


@dataclass(frozen=True, eq=False, repr=False)
class IndicatorSet(ResultMixin, Mapping):
    """Every indicator computed from one set of tables: a read-only mapping from a name
    to its :class:`IndicatorResult`.

    The names are the indicators' names (``"scale_score"``, ``"percent_favorable"``,
    ``"reach"``, ``"retention"``, ``"language_access"``, ``"p3_rating"``), with the
    group after a colon for representation indices (``"representation_index:el_family"``).
    :meth:`to_frame` stacks all tables into one long frame (union of their columns).

    Attributes
    ----------
    results : name -> IndicatorResult, in the order computed.
    by : grouping columns common to the tables.
    min_cell : small-cell threshold.
    ci_level : confidence level (formerly ``ci``).
    """

    results: Mapping[str, IndicatorResult]
    by: tuple[str, ...] = ()
    min_cell: int = 11
    ci_level: float = 0.95
    notes: tuple[str, ...] = ()

    _aliases: ClassVar = {"ci": "ci_level"}

    def __getitem__(self, name: str) -> IndicatorResult:
        try:
            return self.results[name]
        except KeyError:
            raise KeyError(f"no indicator {name!r} in this set; it holds {list(self)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __repr__(self) -> str:
        return f"<IndicatorSet: {len(self)} results: {', '.join(self.results)}>"

    def to_frame(self) -> pd.DataFrame:
        """All results stacked in one long frame (union of their columns), one row per
        indicator x group x detail; empty results are left out."""
        import pandas as pd

        frames = [r.to_frame() for r in self.results.values() if len(r.table)]
        if not frames:
            return pd.DataFrame(columns=[C.TERM])
        return tidy(pd.concat(frames, ignore_index=True, sort=False))

    def overview(self) -> pd.DataFrame:
        """One row per result: name, indicator, rows, suppressed rows, method."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "name": name,
                    K.INDICATOR: r.indicator,
                    "rows": len(r.table),
                    K.SUPPRESSED: r.n_suppressed,
                    "method": r.method,
                }
                for name, r in self.results.items()
            ],
            columns=["name", K.INDICATOR, "rows", K.SUPPRESSED, "method"],
        )

    def summary(self) -> str:
        lines = [
            f"{len(self)} indicator results by {' x '.join(self.by) or 'no grouping'}, "
            f"{self.ci_level:.0%} intervals, cells with n < {self.min_cell} flagged"
        ]
        for name, r in self.results.items():
            lines.append(f"{name}: {len(r.table)} rows, {r.n_suppressed} suppressed")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = html.escape(self.summary().splitlines()[0])
        table = self.overview().to_html(index=False, border=0)
        return f"<div><strong>{head}</strong>{table}</div>"


def make_result(
    table: pd.DataFrame,
    *,
    indicator: str,
    method: str,
    by: object = (),
    min_cell: int | None = None,
    ci: float | None = None,
    n_dropped: int = 0,
    caveat: str = "",
    **details: Any,
) -> IndicatorResult:
    """An :class:`IndicatorResult` around ``table`` (whose ``attrs`` are cleared: the
    result object carries the metadata)."""
    table.attrs = {}
    by_t = (by,) if isinstance(by, str) else tuple(by)  # type: ignore[arg-type]
    return IndicatorResult(
        table=table,
        indicator=indicator,
        method=method,
        by=by_t,
        min_cell=min_cell,
        ci_level=ci,
        n_dropped=int(n_dropped),
        caveat=caveat,
        details=details,
    )


def _terms(table: pd.DataFrame, keys: list[str], indicator: str) -> list[str]:
    """Row keys: ``"col=value; col=value"`` over the key columns."""
    if not keys:
        return [indicator] * len(table)
    cols = [table[k].astype(str).radd(f"{k}=") for k in keys]
    out = cols[0]
    for c in cols[1:]:
        out = out + "; " + c
    return out.tolist()
