"""Priority 3 (Parent and Family Engagement) self-reflection ratings, summarized."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._api import estimator
from ..errors import InstrumentError, SchemaError
from ..schemas import P3_LEVELS, C, school_year, year_start
from . import _cols as K
from ._result import IndicatorResult, make_result
from ._stats import as_by, check_columns, group_codes, instrument_of

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..instruments import Instrument

__all__ = ["P3_CAVEAT", "p3_ratings"]

P3_CAVEAT = (
    "The state sets no numeric score for the Priority 3 self-reflection tool: these means "
    "of 1-5 item ratings are this package's summary, not a CDE measure. Ratings are a "
    "district's self-assessment, not a sample: no sampling interval is given."
)


@estimator()
def p3_ratings(
    ratings: pd.DataFrame,
    *,
    by: str | Sequence[str] = (C.DISTRICT_ID,),
    instrument: Instrument | str = "priority3_self_reflection",
    min_items: float | None = None,
) -> IndicatorResult:
    r"""Priority 3 self-reflection: section and overall mean ratings per year, their
    change from the prior school year, and the modal CDE level.

    .. math:: \bar r_{d,y,s} = \frac{1}{|A|}\sum_{j \in A_s} r_{d,y,j}, \qquad
              \Delta_{d,y,s} = \bar r_{d,y,s} - \bar r_{d,y-1,s}

    with :math:`A_s` the answered items of section :math:`s`; ``overall`` is the mean of
    all answered items (not of the section means). A section with fewer than
    ``min_items`` (share) of its items answered is left out and counted in
    ``n_dropped``. The change is against the immediately preceding school year
    and is NaN for a district's first year or after a gap (``prev_year`` says which year
    it compares with). The modal level is the most frequent rounded item rating (ties
    go to the lower level) with its CDE label from :data:`cei_metrics.schemas.P3_LEVELS`.

    **Caveat**: the state sets no numeric score for this tool (the instrument's YAML
    has ``state_score: false``); these means are this package's summary. The caveat is
    repeated in the result's ``caveat`` for every output that carries them.

    Parameters
    ----------
    ratings : canonical ratings table (district x year x tool item).
    by : grouping columns besides ``year`` (default ``district_id``). Grouped by
        ``district_id``, only each district's own LEA rows count (``cds`` = district code
        + ``0000000``), not the charters that share its district code; group by ``cds``
        to summarise every LEA.
    instrument : the rating tool's instrument (default the shipped Priority 3 tool);
        rows of other tools are ignored when a ``tool`` column is present.
    min_items : share of a section's items needed (default the instrument's).

    Returns
    -------
    IndicatorResult (no interval: ``ci`` and ``min_cell`` are None) whose table has the
    ``by`` columns, ``year``, ``section`` (each section and ``"overall"``), ``indicator``
    ("p3_rating"), ``estimate`` (mean rating 1-5), ``change``, ``prev_year``, ``n``
    (items rated), ``modal_level``, ``modal_label``, ``suppressed`` (always False:
    ratings describe a district, not people).

    Examples
    --------
    >>> res = cm.indicators.p3_ratings(demo.ratings)  # doctest: +SKIP
    >>> print(res.caveat)  # doctest: +SKIP
    """
    import pandas as pd

    by = [b for b in as_by(by) if b != C.YEAR]
    inst = instrument_of(instrument)
    share = inst.min_items if min_items is None else float(min_items)
    check_columns(ratings, [C.YEAR, C.ITEM, C.RATING, *by], "ratings")
    df = ratings
    if C.DISTRICT_ID in by and C.CDS not in by and C.CDS in df.columns:
        # charters and other LEAs share their authoriser's district code: a district's
        # ratings are those of its own code (group by cds to see every LEA)
        own = df[C.CDS].astype(str) == df[C.DISTRICT_ID].astype(str) + "0000000"
        df = df[own.to_numpy(dtype=bool)]
    if C.TOOL in df.columns and df[C.TOOL].nunique() > 1:
        df = df[(df[C.TOOL] == inst.name).to_numpy(dtype=bool, na_value=False)]
    known = df[C.ITEM].isin(list(inst.item_ids)).to_numpy(dtype=bool)
    if not known.any():
        raise InstrumentError(
            f"no ratings rows hold items of {inst.name!r}",
            column=C.ITEM,
            fix=f"the item ids must be those of the tool: {list(inst.item_ids)[:3]}...",
        )
    df = df[known]
    r = pd.to_numeric(df[C.RATING], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isnan(r) & ((r < 1) | (r > inst.points))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SchemaError(
            f"rating {r[i]!r} is outside 1..{inst.points}",
            row=i + 1,
            column=C.RATING,
            fix="ratings are the tool's levels 1-5; mark a missing rating as empty",
        )
    sections = df[C.ITEM].map({i: it.scale for i, it in inst.items.items()})
    size = {s: len(m) for s, m in inst.scales.items()}
    size[K.OVERALL] = sum(size.values())
    work = df[[*by, C.YEAR]].copy()
    work["_r"] = r
    both = pd.concat(
        [work.assign(**{K.SECTION: sections.to_numpy()}), work.assign(**{K.SECTION: K.OVERALL})],
        ignore_index=True,
    )
    both = both[~np.isnan(both["_r"].to_numpy())]
    keys_cols = [*by, C.YEAR, K.SECTION]
    codes, keys = group_codes(both, keys_cols)
    ng = len(keys)
    ok = codes >= 0
    rr = both["_r"].to_numpy()[ok]
    c = codes[ok]
    n = np.bincount(c, minlength=ng)
    mean = np.bincount(c, rr, minlength=ng) / np.maximum(n, 1)
    lev = np.clip(np.rint(rr).astype(np.int64), 1, inst.points)
    hist = np.bincount(c * inst.points + (lev - 1), minlength=ng * inst.points).reshape(
        ng, inst.points
    )
    modal = hist.argmax(axis=1) + 1  # argmax takes the first (lowest) level on ties
    out = keys.copy()
    out[K.INDICATOR] = "p3_rating"
    out[K.ESTIMATE] = mean
    out[K.N] = n
    out[K.MODAL_LEVEL] = modal
    out[K.MODAL_LABEL] = pd.Series(modal).map(P3_LEVELS).to_numpy()
    need = out[K.SECTION].map(size).to_numpy(dtype=float) * share - 1e-9
    enough = n >= need
    n_dropped = int((~enough).sum())
    out = out[enough].reset_index(drop=True)
    # change from the immediately preceding school year
    out[K.PREV_YEAR] = [school_year(year_start(y) - 1) for y in out[C.YEAR]]
    prev = out[[*by, C.YEAR, K.SECTION, K.ESTIMATE]].rename(
        columns={C.YEAR: K.PREV_YEAR, K.ESTIMATE: "_prev"}
    )
    out = out.merge(prev, on=[*by, K.PREV_YEAR, K.SECTION], how="left")
    out[K.CHANGE] = out[K.ESTIMATE] - out["_prev"]
    out[K.PREV_YEAR] = out[K.PREV_YEAR].where(out["_prev"].notna())
    out = out.drop(columns="_prev")
    out[K.SUPPRESSED] = False
    order = [
        *by,
        C.YEAR,
        K.SECTION,
        K.INDICATOR,
        K.ESTIMATE,
        K.CHANGE,
        K.PREV_YEAR,
        K.N,
        K.MODAL_LEVEL,
        K.MODAL_LABEL,
        K.SUPPRESSED,
    ]
    out = out[order].sort_values([*by, C.YEAR, K.SECTION]).reset_index(drop=True)
    return make_result(
        out,
        indicator="p3_rating",
        method="mean of answered item ratings; change vs the preceding school year",
        by=[*by, C.YEAR],
        min_cell=None,
        ci=None,
        n_dropped=n_dropped,
        dropped="district-year sections with too few items rated",
        caveat=P3_CAVEAT if not inst.state_score else "",
        state_score=inst.state_score,
        min_items=share,
        levels=dict(P3_LEVELS),
    )
