"""Family counts of the roster as a sampling frame and as raking margins.

The roster gives, per district, its number of families (``n_families``) and the shares of
families whose home language is Spanish (``pct_spanish``) and of English-learner families
(``pct_el``). :func:`family_frame` turns them into the invited-families frame of
:func:`~cei_metrics.indicators.response_rate`; :func:`family_margins` into the population
margins of :func:`~cei_metrics.indicators.rake` and
:func:`~cei_metrics.indicators.representativeness`.

Two approximations, said wherever the numbers are used: families are the frame (every
family invited), and the survey language stands for the home language (a family answering
in Spanish counts as a Spanish-speaking family; every other language is "not Spanish",
coded ``en``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..errors import SchemaError
from ..schemas import C

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["family_frame", "family_margins"]

NOT_SPANISH = "en"


def _roster(roster: pd.DataFrame, districts: Iterable[str] | None, need: Sequence[str]):
    missing = [c for c in (C.DISTRICT_ID, *need) if c not in roster.columns]
    if missing:
        raise SchemaError(
            f"the roster lacks {missing}",
            column=missing[0],
            fix="add the district's number of families and its Spanish and EL shares",
        )
    r = roster
    if districts is not None:
        keep = set(map(str, districts))
        r = r[r[C.DISTRICT_ID].astype(str).isin(keep)]
        absent = keep - set(r[C.DISTRICT_ID].astype(str))
        if absent:
            raise SchemaError(
                f"{len(absent)} district(s) are not in the roster (e.g. {sorted(absent)[0]})",
                column=C.DISTRICT_ID,
                fix="add them to the roster with their families",
            )
    bad = r[list(need)].isna().any(axis=1)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise SchemaError(
            f"district {r[C.DISTRICT_ID].iat[i]} has no {', '.join(need)} in the roster",
            row=i + 2,
            column=next(c for c in need if np.isnan(float(r[c].iat[i]))),
            fix="fill in the district's families and shares",
        )
    return r


def family_frame(
    roster: pd.DataFrame,
    districts: Iterable[str] | None = None,
    *,
    by: str | Sequence[str] = (C.DISTRICT_ID,),
) -> pd.DataFrame:
    """The families of each district (and language) as a frame of invited families.

    Parameters
    ----------
    roster : the roster (``n_families`` and, for ``language``, ``pct_spanish``).
    districts : the districts to keep (default all).
    by : ``district_id``, or ``district_id`` and ``language`` (Spanish ``es`` and not
        Spanish ``en``).

    Returns
    -------
    DataFrame with the ``by`` columns and ``n_invited`` (families), for
    :func:`~cei_metrics.indicators.response_rate`.
    """
    import pandas as pd

    by_l = [by] if isinstance(by, str) else list(by)
    if by_l not in ([C.DISTRICT_ID], [C.DISTRICT_ID, C.LANGUAGE]):
        raise SchemaError(
            f"by={by_l} is not available from the roster",
            fix='pass by="district_id" or by=["district_id", "language"]',
        )
    need = [C.N_FAMILIES] + ([C.PCT_SPANISH] if C.LANGUAGE in by_l else [])
    r = _roster(roster, districts, need)
    n = r[C.N_FAMILIES].to_numpy(dtype=float)
    if C.LANGUAGE not in by_l:
        return pd.DataFrame({C.DISTRICT_ID: r[C.DISTRICT_ID].to_numpy(), C.N_INVITED: n})
    es = np.round(n * r[C.PCT_SPANISH].to_numpy(dtype=float) / 100)
    ids = r[C.DISTRICT_ID].to_numpy()
    return pd.DataFrame(
        {
            C.DISTRICT_ID: np.repeat(ids, 2),
            C.LANGUAGE: np.tile(["es", NOT_SPANISH], len(ids)),
            C.N_INVITED: np.column_stack([es, n - es]).ravel(),
        }
    )


def family_margins(
    roster: pd.DataFrame,
    districts: Iterable[str] | None = None,
    *,
    by_district: bool = True,
) -> dict:
    """Raking margins of families: language (Spanish or not) and EL status, within each
    district (``by_district``, so each district's weighted total is its families) or
    pooled over the districts.

    Returns
    -------
    ``{("district_id", "language"): DataFrame, ("district_id", "el_family"): DataFrame}``
    (or ``{"language": ..., "el_family": ...}`` pooled), each with a ``families`` count
    column, as :func:`~cei_metrics.indicators.rake` takes them. Both margins add up to
    the same families.
    """
    import pandas as pd

    r = _roster(roster, districts, [C.N_FAMILIES, C.PCT_SPANISH, C.PCT_EL])
    n = r[C.N_FAMILIES].to_numpy(dtype=float)
    es = n * r[C.PCT_SPANISH].to_numpy(dtype=float) / 100
    el = n * r[C.PCT_EL].to_numpy(dtype=float) / 100
    ids = r[C.DISTRICT_ID].to_numpy()
    lang = pd.DataFrame(
        {
            C.DISTRICT_ID: np.repeat(ids, 2),
            C.LANGUAGE: np.tile(["es", NOT_SPANISH], len(ids)),
            "families": np.column_stack([es, n - es]).ravel(),
        }
    )
    elf = pd.DataFrame(
        {
            C.DISTRICT_ID: np.repeat(ids, 2),
            C.EL_FAMILY: np.tile([True, False], len(ids)),
            "families": np.column_stack([el, n - el]).ravel(),
        }
    )
    if by_district:
        return {(C.DISTRICT_ID, C.LANGUAGE): lang, (C.DISTRICT_ID, C.EL_FAMILY): elf}
    return {
        C.LANGUAGE: lang.groupby(C.LANGUAGE)["families"].sum(),
        C.EL_FAMILY: elf.groupby(C.EL_FAMILY)["families"].sum(),
    }
