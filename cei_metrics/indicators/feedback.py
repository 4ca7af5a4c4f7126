r"""Convening feedback: per convening and over the series.

Participants answer a short form after each convening (instrument
``convening_feedback``: usefulness and relevance, what to change, open comments; the open
answers live in the text table). :func:`convening_feedback` reports, for each scale,

- **per convening**: the share of favorable answers (Agree or Strongly agree) with the
  Wilson interval at the effective sample size (a respondent's answers to the items of
  a scale are one cluster; :func:`~cei_metrics.indicators.percent_favorable`), flagged
  when fewer than ``min_cell`` people answered;
- **over the series**: the same share pooled over every convening, and the change from
  the first convening to the last with Newcombe's (1998) hybrid score interval built from
  the two Wilson intervals (:func:`proportion_difference` for two plain proportions);
- **response rates** (with the sign-ins): respondents over attendees of each convening,
  Wilson interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .._api import estimator
from .._results import PlotMixin, ResultMixin
from ..errors import EstimationError, SchemaError
from ..schemas import C
from . import _cols as K
from ._stats import as_by, check_ci, check_columns, wilson_ci

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..instruments import Instrument

__all__ = [
    "FeedbackResult",
    "ProportionDifference",
    "convening_feedback",
    "newcombe_interval",
    "proportion_difference",
]

PART = "part"  # "convening", "series", "change", "response_rate"
FIRST_EVENT = "first_event"
LAST_EVENT = "last_event"
N_FIRST = "n_first"
N_LAST = "n_last"
ATTENDEES = "attendees"


def newcombe_interval(
    p1: np.ndarray | float,
    lo1: np.ndarray | float,
    hi1: np.ndarray | float,
    p2: np.ndarray | float,
    lo2: np.ndarray | float,
    hi2: np.ndarray | float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Newcombe's hybrid score interval of :math:`\delta = p_2 - p_1` from each
    proportion's own interval :math:`[l_j, u_j]`:

    .. math:: \delta - \sqrt{(p_2 - l_2)^2 + (u_1 - p_1)^2},\qquad
              \delta + \sqrt{(u_2 - p_2)^2 + (p_1 - l_1)^2}

    With Wilson intervals this is Newcombe (1998) method 10; with Wilson intervals at an
    effective sample size (clustered or weighted shares) it carries the design effect.

    Returns
    -------
    (difference, low, high) arrays.
    """
    p1, lo1, hi1, p2, lo2, hi2 = (np.asarray(x, dtype=float) for x in (p1, lo1, hi1, p2, lo2, hi2))
    d = p2 - p1
    low = d - np.sqrt((p2 - lo2) ** 2 + (hi1 - p1) ** 2)
    high = d + np.sqrt((hi2 - p2) ** 2 + (p1 - lo1) ** 2)
    return d, low, high


@dataclass(frozen=True, repr=False)
class ProportionDifference(ResultMixin):
    """Difference of two independent proportions, ``p2 - p1``, with Newcombe's interval.

    Attributes
    ----------
    estimate, ci_low, ci_high : the difference and its interval.
    p1, p2 : the two proportions; ``count1, n1, count2, n2`` their counts.
    ci_level : confidence level.
    """

    estimate: float
    ci_low: float
    ci_high: float
    p1: float
    p2: float
    count1: float
    n1: float
    count2: float
    n2: float
    ci_level: float = 0.95
    notes: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return round(self.n1 + self.n2)

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(
            {
                C.TERM: ["p2 - p1"],
                C.ESTIMATE: [self.estimate],
                C.CI_LOW: [self.ci_low],
                C.CI_HIGH: [self.ci_high],
                C.N: [self.n],
                "p1": [self.p1],
                "p2": [self.p2],
                "count1": [self.count1],
                "n1": [self.n1],
                "count2": [self.count2],
                "n2": [self.n2],
            }
        )

    def summary(self) -> str:
        return (
            f"Difference of proportions {self.p2:.3f} - {self.p1:.3f} = {self.estimate:+.4f}, "
            f"{self.ci_level:.0%} Newcombe hybrid score interval [{self.ci_low:.4f}, "
            f"{self.ci_high:.4f}] (n = {self.n1:g} and {self.n2:g})"
        )


@estimator()
def proportion_difference(
    count1: float, n1: float, count2: float, n2: float, *, ci: float = 0.95
) -> ProportionDifference:
    r"""Difference of two independent binomial proportions, :math:`p_2 - p_1`, with
    Newcombe's hybrid score interval (Wilson intervals combined,
    :func:`newcombe_interval`).

    Parameters
    ----------
    count1, n1 : successes and trials of the first proportion (e.g. the first convening).
    count2, n2 : those of the second (the last convening).
    ci : confidence level.

    Returns
    -------
    ProportionDifference with ``estimate``, ``ci_low``, ``ci_high``.

    References
    ----------
    Newcombe (1998) Stat Med 17:873-890, method 10. Agrees with statsmodels
    ``confint_proportions_2indep(count2, n2, count1, n1, method="newcomb")``.

    Examples
    --------
    >>> r = proportion_difference(48, 80, 56, 70)  # Newcombe (1998) example (a)
    >>> round(r.ci_low, 4), round(r.ci_high, 4)
    (0.0524, 0.3339)
    """
    check_ci(ci)
    for name, x, n in (("1", count1, n1), ("2", count2, n2)):
        if not (n > 0 and 0 <= x <= n):
            raise SchemaError(
                f"count{name}={x!r} and n{name}={n!r} are no proportion's counts",
                fix="give 0 <= count <= n and n > 0",
            )
    lo1, hi1 = wilson_ci(count1, n1, ci=ci)
    lo2, hi2 = wilson_ci(count2, n2, ci=ci)
    p1, p2 = count1 / n1, count2 / n2
    d, lo, hi = newcombe_interval(p1, lo1, hi1, p2, lo2, hi2)
    return ProportionDifference(
        estimate=float(d),
        ci_low=float(lo),
        ci_high=float(hi),
        p1=float(p1),
        p2=float(p2),
        count1=float(count1),
        n1=float(n1),
        count2=float(count2),
        n2=float(n2),
        ci_level=ci,
    )


@dataclass(frozen=True, eq=False, repr=False)
class FeedbackResult(ResultMixin, PlotMixin):
    """Convening feedback per convening and over the series.

    Attributes
    ----------
    per_event : one row per convening (x ``by`` group) x scale: ``wave`` (its order in
        the series), ``event_id``, ``scale``, ``estimate`` (share favorable), ``std_error``,
        ``ci_low``, ``ci_high`` (Wilson at the effective n), ``n`` (respondents who
        answered), ``n_responses``, ``count``, ``suppressed``.
    series : the share pooled over the series, one row per scale (x group).
    change : last convening minus first, one row per scale (x group): ``estimate``,
        ``ci_low``, ``ci_high`` (Newcombe hybrid score), ``first_event``, ``last_event``,
        ``n_first``, ``n_last``, ``suppressed`` (either end has fewer than ``min_cell``).
    response : respondents over attendees per convening (when sign-ins were given):
        ``event_id``, ``estimate``, ``ci_low``, ``ci_high``, ``n`` (attendees),
        ``count`` (respondents), ``suppressed``; empty otherwise.
    instrument, by, min_cell, ci_level, n (respondent-convenings), notes.
    """

    per_event: pd.DataFrame = field(repr=False)
    series: pd.DataFrame = field(repr=False)
    change: pd.DataFrame = field(repr=False)
    response: pd.DataFrame = field(repr=False)
    instrument: str
    by: tuple[str, ...]
    min_cell: int
    ci_level: float
    n: int
    n_dropped: int = 0
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Every part stacked, ``part`` saying which (convening, series, change,
        response_rate), ``term`` its key."""
        import pandas as pd

        from .._results import tidy

        frames = []
        for part, df in (
            ("convening", self.per_event),
            ("series", self.series),
            ("change", self.change),
            ("response_rate", self.response),
        ):
            if len(df):
                frames.append(df.assign(**{PART: part}))
        out = pd.concat(frames, ignore_index=True, sort=False)
        keys = [c for c in (PART, *self.by, C.EVENT_ID, K.SCALE) if c in out.columns]
        term = out[keys[0]].astype(str)
        for k in keys[1:]:
            term = term + "; " + out[k].astype(str).where(out[k].notna(), "all").radd(f"{k}=")
        return tidy(out, term=term.tolist())

    def plot_data(self, scale: str | None = None) -> pd.DataFrame:
        """What the figure draws: per convening shares (one line per scale) and the
        pooled share of the series."""
        d = self.per_event
        if scale is not None:
            d = d[d[K.SCALE] == scale]
        cols = [C.WAVE, C.EVENT_ID, K.SCALE, *self.by, K.ESTIMATE, K.CI_LOW, K.CI_HIGH, K.N,
                K.COUNT, "n_responses"]  # fmt: skip
        return d[[c for c in cols if c in d.columns]].reset_index(drop=True)

    def summary(self) -> str:
        lines = [
            f"Convening feedback ({self.instrument}): {self.per_event[C.EVENT_ID].nunique()} "
            f"convenings, {self.n} responses; share favorable (Agree or Strongly agree), "
            f"{self.ci_level:.0%} Wilson intervals at the effective n; cells under "
            f"{self.min_cell} respondents flagged"
        ]
        s = self.series
        for _, r in s.iterrows():
            lines.append(
                f"  {r[K.SCALE]}: {r[K.ESTIMATE]:.1%} [{r[K.CI_LOW]:.1%}, {r[K.CI_HIGH]:.1%}] "
                f"over the series (n = {int(r[K.N])})"
            )
        for _, r in self.change.iterrows():
            lines.append(
                f"  {r[K.SCALE]}: {r[K.ESTIMATE]:+.1%} from the first convening to the last "
                f"[{r[K.CI_LOW]:+.1%}, {r[K.CI_HIGH]:+.1%}] (Newcombe)"
            )
        if len(self.response):
            rr = self.response
            lines.append(
                f"  response rate {rr[K.ESTIMATE].min():.0%} to {rr[K.ESTIMATE].max():.0%} "
                "of attendees per convening"
            )
        lines.extend(self.notes)
        return "\n".join(lines)


def _attendance(participation: pd.DataFrame, event_type: str, by: list[str]) -> pd.DataFrame:
    """Distinct attendees per convening day (x group)."""
    check_columns(participation, [C.DATE, C.EVENT_TYPE, C.PARTICIPANT_ID, *by], "participation")
    p = participation[participation[C.EVENT_TYPE] == event_type]
    day = p[C.DATE].dt.strftime("%Y-%m-%d")
    g = p.assign(**{C.EVENT_ID: day}).groupby([C.EVENT_ID, *by])[C.PARTICIPANT_ID].nunique()
    return g.rename(ATTENDEES).reset_index()


@estimator()
def convening_feedback(
    feedback: pd.DataFrame,
    instrument: Instrument | str = "convening_feedback",
    *,
    attendance: pd.DataFrame | None = None,
    event_type: str = "convening",
    by: str | Sequence[str] = (),
    ci: float = 0.95,
    min_cell: int = 11,
) -> FeedbackResult:
    r"""Feedback on a series of convenings: each convening, the series, the change.

    For each scale of the instrument and each convening :math:`k`,

    .. math:: \hat p_k = \frac{\#\{\text{favorable answers at } k\}}{\#\{\text{answered}\}}

    with the Wilson interval at the effective sample size :math:`n / \text{deff}` (a
    respondent's answers to the scale's items are one cluster; see
    :func:`~cei_metrics.indicators.percent_favorable`, whose denominator rule applies:
    "don't know" and blanks excluded). Over the series: the same share pooled over every
    convening, and the change from the first convening to the last,
    :math:`\hat p_K - \hat p_1`, with Newcombe's hybrid score interval built from the two
    intervals (:func:`newcombe_interval`). With ``attendance`` (the sign-ins), the
    response rate of each convening: respondents over distinct attendees of the
    ``event_type`` on that day, Wilson interval.

    Parameters
    ----------
    feedback : the feedback table (``tables.feedback``): the survey columns plus
        ``event_id`` (the convening: its date ``YYYY-MM-DD`` or name) and ``date``;
        ``wave`` orders the convenings.
    instrument : the feedback instrument (default the shipped ``convening_feedback``).
    attendance : the participation table, for response rates (matched by the convening
        day; events named without a date get none).
    event_type : the event type of the convenings in ``attendance``.
    by : groups to break every part by (role, language, district_id).
    ci : confidence level.
    min_cell : rows resting on fewer respondents are flagged ``suppressed``.

    Returns
    -------
    FeedbackResult with ``per_event``, ``series``, ``change``, ``response``.

    Raises
    ------
    SchemaError when the table lacks ``event_id`` or a ``by`` column; EstimationError
    when it holds no answer of the instrument.

    References
    ----------
    Wilson (1927) JASA 22:209-212; Newcombe (1998) Stat Med 17:873-890 (method 10);
    Kish (1965) *Survey Sampling* (design effect). The difference agrees with
    statsmodels ``confint_proportions_2indep(method="newcomb")`` for single items.

    Examples
    --------
    >>> res = cm.indicators.convening_feedback(tables.feedback, attendance=tables.participation)  # doctest: +SKIP
    >>> res.series  # doctest: +SKIP
    """
    import pandas as pd

    from ._stats import instrument_of
    from .favorable import percent_favorable
    from .scales import _instrument_rows

    check_ci(ci)
    by_l = as_by(by)
    inst = instrument_of(instrument)
    check_columns(feedback, [C.EVENT_ID, C.WAVE, *by_l], "feedback")
    rows = _instrument_rows(feedback, inst)
    if rows.empty or rows[C.VALUE].notna().sum() == 0:
        raise EstimationError(
            f"no answered item of instrument {inst.name!r} in the feedback table",
            fix="ingest the convening feedback exports (or pass the right instrument)",
        )
    pe = percent_favorable(rows, inst, by=[C.WAVE, C.EVENT_ID, *by_l], ci=ci, min_cell=min_cell)
    per = pe.table.drop(columns=[K.INDICATOR], errors="ignore")
    per = per.sort_values([C.WAVE, *by_l, K.SCALE], kind="stable").reset_index(drop=True)
    if by_l:
        se = percent_favorable(rows, inst, by=by_l, ci=ci, min_cell=min_cell).table
    else:
        se = percent_favorable(
            rows.assign(_series="all"), inst, by=["_series"], ci=ci, min_cell=min_cell
        ).table.drop(columns="_series")
    series = se.drop(columns=[K.INDICATOR], errors="ignore").reset_index(drop=True)
    change = _change(per, by_l, min_cell)
    response = pd.DataFrame()
    notes: list[str] = []
    if attendance is not None:
        response, note = _response(rows, attendance, event_type, by_l, ci, min_cell)
        notes.extend(note)
    n = int(rows.loc[rows[C.VALUE].notna()].drop_duplicates([C.RESPONDENT_ID, C.EVENT_ID]).shape[0])
    return FeedbackResult(
        per_event=per,
        series=series,
        change=change,
        response=response,
        instrument=inst.name,
        by=tuple(by_l),
        min_cell=min_cell,
        ci_level=ci,
        n=n,
        n_dropped=pe.n_dropped,
        notes=tuple(notes),
    )


def _change(per: pd.DataFrame, by: list[str], min_cell: int) -> pd.DataFrame:
    """Last convening minus first, per scale (x group), Newcombe from the Wilson limits."""
    import pandas as pd

    out = []
    for key, g in per.groupby([*by, K.SCALE], sort=False):
        g = g.dropna(subset=[K.ESTIMATE]).sort_values(C.WAVE)
        if len(g) < 2:
            continue
        a, b = g.iloc[0], g.iloc[-1]
        d, lo, hi = newcombe_interval(
            a[K.ESTIMATE], a[K.CI_LOW], a[K.CI_HIGH], b[K.ESTIMATE], b[K.CI_LOW], b[K.CI_HIGH]
        )
        rec = dict(zip([*by, K.SCALE], key if isinstance(key, tuple) else (key,)))
        rec.update(
            {
                K.ESTIMATE: float(d),
                K.CI_LOW: float(lo),
                K.CI_HIGH: float(hi),
                K.N: int(a[K.N] + b[K.N]),
                FIRST_EVENT: a[C.EVENT_ID],
                LAST_EVENT: b[C.EVENT_ID],
                N_FIRST: int(a[K.N]),
                N_LAST: int(b[K.N]),
                K.SUPPRESSED: bool(min(a[K.N], b[K.N]) < min_cell),
            }
        )
        out.append(rec)
    cols = [*by, K.SCALE, K.ESTIMATE, K.CI_LOW, K.CI_HIGH, K.N, FIRST_EVENT, LAST_EVENT,
            N_FIRST, N_LAST, K.SUPPRESSED]  # fmt: skip
    return pd.DataFrame(out, columns=cols)


def _response(
    rows: pd.DataFrame,
    participation: pd.DataFrame,
    event_type: str,
    by: list[str],
    ci: float,
    min_cell: int,
) -> tuple[pd.DataFrame, list[str]]:
    att = _attendance(participation, event_type, by)
    resp = (
        rows.loc[rows[C.VALUE].notna()]
        .groupby([C.WAVE, C.EVENT_ID, *by])[C.RESPONDENT_ID]
        .nunique()
        .rename(K.COUNT)
        .reset_index()
    )
    m = resp.merge(att, on=[C.EVENT_ID, *by], how="left")
    notes = []
    unmatched = m[ATTENDEES].isna()
    if unmatched.any():
        notes.append(
            f"{int(unmatched.sum())} convening(s) without sign-ins of type {event_type!r} on "
            "their date: no response rate"
        )
    over = m[ATTENDEES].notna() & (m[K.COUNT] > m[ATTENDEES])
    if over.any():
        notes.append(
            f"{int(over.sum())} convening(s) have more feedback respondents than sign-ins: "
            "the rate is capped at 100% (people who did not sign in answered)"
        )
    m = m[~unmatched].copy()
    n = m[ATTENDEES].to_numpy(dtype=float)
    x = np.minimum(m[K.COUNT].to_numpy(dtype=float), n)
    lo, hi = wilson_ci(x, n, ci=ci)
    out = m[[C.WAVE, C.EVENT_ID, *by]].copy()
    out[K.ESTIMATE] = x / n
    out[K.CI_LOW] = lo
    out[K.CI_HIGH] = hi
    out[K.N] = n.astype(int)
    out[K.COUNT] = x.astype(int)
    out[K.SUPPRESSED] = (
        (n < min_cell) | ((n - x > 0) & (n - x < min_cell)) | ((x > 0) & (x < min_cell))
    )
    return out.reset_index(drop=True), notes
