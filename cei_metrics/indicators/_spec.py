"""The indicator registry: each indicator defined once, as data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["GENERAL_EVENTS", "INDICATORS", "Indicator", "definition", "registry"]

#: Event types open to every family (LCAP input meetings, family workshops): the
#: representation index is defined on these. DELAC/ELAC exist for EL families, so
#: counting them would measure the committees' make-up, not representation.
GENERAL_EVENTS = ("lcap_input", "workshop")

Direction = Literal["higher", "lower", "parity"]


@dataclass(frozen=True)
class Indicator:
    """Specification of one engagement indicator.

    Attributes
    ----------
    name : identifier, the ``indicator`` value of its output rows.
    construct : what it measures, in words.
    inputs : canonical tables it reads.
    formula : the computation, in words and symbols.
    direction : "higher" or "lower" is better; "parity" means 1 (or 0) is the goal.
    unit : unit of ``estimate``.
    function : the ``cm.indicators`` function that computes it.
    interval : how its confidence interval is built.
    options : the arguments that complete the definition (e.g. which events count),
        passed to ``function`` by :func:`compute_all`, the notebooks and the report
        figures alike (:func:`definition`).
    """

    name: str
    construct: str
    inputs: tuple[str, ...]
    formula: str
    direction: Direction
    unit: str
    function: str
    interval: str
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


INDICATORS: dict[str, Indicator] = {
    ind.name: ind
    for ind in (
        Indicator(
            "scale_score",
            "Families' perceptions on one survey scale (trust, communication, voice)",
            ("survey",),
            "respondent score = mean of answered items (reverse-keyed recoded), missing when "
            "fewer than min_items are answered; estimate = (weighted) mean of scores in the group",
            "higher",
            "scale points (1..points), or POMP 0-100 with pomp=True",
            "scale_score",
            "t interval on the linearized (CR1 when clustered) standard error",
        ),
        Indicator(
            "percent_favorable",
            "Share of answered responses in the favorable (top-two) box",
            ("survey",),
            "favorable answered responses / answered responses; Don't know and blanks excluded",
            "higher",
            "proportion (0-1)",
            "percent_favorable",
            "Wilson; Wilson at the design-effect sample size when weighted or clustered",
        ),
        Indicator(
            "reach",
            "Share of enrolled families who took part in at least one event",
            ("participation", "roster"),
            "distinct participating families (role family) / roster n_families",
            "higher",
            "proportion (0-1)",
            "reach",
            "Wilson on the count out of n_families",
        ),
        Indicator(
            "representation_index",
            "A group's presence among participating families relative to enrollment",
            ("participation", "roster"),
            "(group share of distinct family participants) / (group share of enrollment)",
            "parity",
            "ratio (1 = parity)",
            "representation_index",
            "Wilson on the participant share, divided by the fixed enrollment share; "
            "ci_method='delta': log-scale delta method (Katz), which also carries a "
            "sampled enrollment share",
            MappingProxyType({"event_types": GENERAL_EVENTS}),
        ),
        Indicator(
            "retention",
            "Persistence of participants across a series of convenings",
            ("participation",),
            "share attending at least k of n sessions; Kaplan-Meier survival of first-session "
            "attendees where drop-out is the last session attended",
            "higher",
            "proportion (0-1)",
            "retention",
            "Wilson (at least k); Greenwood with log-log interval (survival)",
            MappingProxyType({"event_type": "convening"}),
        ),
        Indicator(
            "language_access",
            "Use of languages other than English in responses and events",
            ("survey", "participation", "roster"),
            "share of responses / attendances / events in a language; ratio to the "
            "enrollment share of Spanish-speaking families",
            "higher",
            "proportion (0-1) or ratio",
            "language_access",
            "Wilson (shares); Wilson divided by the fixed enrollment share (ratios)",
        ),
        Indicator(
            "p3_rating",
            "District self-rating on the Priority 3 family engagement tool (package summary)",
            ("ratings",),
            "mean of item ratings 1-5 per section and overall; change from the prior year; "
            "modal CDE level. The state sets no numeric score.",
            "higher",
            "rating points (1-5)",
            "p3_ratings",
            "none: a self-rating is not a sample",
        ),
    )
}


def definition(name: str) -> dict[str, Any]:
    """The arguments that complete indicator ``name``'s definition, to pass to its
    function: ``cm.indicators.representation_index(part, roster,
    **cm.indicators.definition("representation_index"))`` counts the general events
    (:data:`GENERAL_EVENTS`), as :func:`compute_all` and every figure do.

    Returns
    -------
    dict of keyword arguments (empty when the function's defaults are the definition).

    Examples
    --------
    >>> definition("representation_index")
    {'event_types': ('lcap_input', 'workshop')}
    """
    from ..errors import OptionError

    if name not in INDICATORS:
        raise OptionError(f"no indicator called {name!r}", fix=f"use one of {list(INDICATORS)}")
    return dict(INDICATORS[name].options)


def registry() -> pd.DataFrame:
    """The indicator registry as a DataFrame, one row per indicator (for reports).

    Examples
    --------
    >>> cm.indicators.registry().loc[:, ["name", "direction", "unit"]]  # doctest: +SKIP
    """
    import pandas as pd

    rows = [
        {f.name: getattr(ind, f.name) for f in fields(Indicator)} for ind in INDICATORS.values()
    ]
    out = pd.DataFrame(rows)
    out["inputs"] = out["inputs"].map(", ".join)
    out["options"] = out["options"].map(lambda o: "; ".join(f"{k}={v}" for k, v in dict(o).items()))
    return out
