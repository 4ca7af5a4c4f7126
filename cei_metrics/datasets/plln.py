"""The real inaugural Peer Leading and Learning Network (PLLN): a reference table only.

These are public facts about the first PLLN cohort, kept apart from the synthetic demo
world: no synthetic number is ever attached to a real district, and no demo district
uses one of these codes.

Source: California Collaborative for Educational Excellence (CCEE), *Community
Engagement Initiative* summary (https://ccee-ca.org/), which lists the six inaugural
PLLN districts (2019-20) and the cohort's convening calendar; county-district (CD) codes
and district types from the CDE public districts directory (``pubdistricts.txt``).
"""

from __future__ import annotations

import pandas as pd

from ..schemas import C

__all__ = ["PLLN_CD_CODES", "PLLN_CONVENING_DATES", "plln_convenings", "plln_roster"]

#: 7-digit county+district codes of the six inaugural PLLN districts.
PLLN_CD_CODES: tuple[str, ...] = (
    "3066431",
    "1964279",
    "3767991",
    "4369427",
    "3667819",
    "5672538",
)

#: The eight convenings of the inaugural cohort (2019-20).
PLLN_CONVENING_DATES: tuple[str, ...] = (
    "2019-08-29",
    "2019-09-26",
    "2019-10-29",
    "2019-12-10",
    "2020-01-23",
    "2020-02-27",
    "2020-04-02",
    "2020-05-13",
)

_ROWS = (
    ("3066431", "Anaheim Union High School District", "Orange", "high"),
    ("1964279", "Azusa Unified School District", "Los Angeles", "unified"),
    ("3767991", "Cajon Valley Union School District", "San Diego", "elementary"),
    ("4369427", "East Side Union High School District", "Santa Clara", "high"),
    ("3667819", "Ontario-Montclair School District", "San Bernardino", "elementary"),
    ("5672538", "Oxnard School District", "Ventura", "elementary"),
)


def plln_roster() -> pd.DataFrame:
    """The real inaugural PLLN cohort (2019-20): six districts, their CD codes and counties.

    A reference table, never mixed into the synthetic demo world. Enrollment and
    demographic columns are not included: take them from CDE files when needed.

    Returns
    -------
    DataFrame with ``district_id`` (7-digit CD code), ``name``, ``county``, ``cohort``
    ("2019-20"), ``district_type`` (elementary / high / unified) and ``synthetic`` (False).

    References
    ----------
    CCEE, Community Engagement Initiative summary (https://ccee-ca.org/); CD codes and
    district types from CDE's public districts directory (``pubdistricts.txt``, DOC 52
    elementary, 54 unified, 56 high school district).

    Examples
    --------
    >>> plln_roster()["district_id"].tolist()[:2]
    ['3066431', '1964279']
    """
    df = pd.DataFrame(_ROWS, columns=[C.DISTRICT_ID, C.NAME, C.COUNTY, C.DISTRICT_TYPE])
    df.insert(3, C.COHORT, "2019-20")
    df[C.SYNTHETIC] = False
    return df


def plln_convenings() -> pd.DataFrame:
    """The eight convenings of the inaugural PLLN cohort (2019-20).

    Returns
    -------
    DataFrame with ``event_id`` ("PLLN1-1".."PLLN1-8"), ``date`` (datetime64), ``year``
    ("2019-20") and ``event_type`` ("convening").

    References
    ----------
    CCEE, Community Engagement Initiative summary (https://ccee-ca.org/).

    Examples
    --------
    >>> plln_convenings()[C.DATE].dt.strftime("%Y-%m-%d").iloc[0]
    '2019-08-29'
    """
    dates = pd.to_datetime(list(PLLN_CONVENING_DATES)).astype("datetime64[ns]")
    return pd.DataFrame(
        {
            C.EVENT_ID: [f"PLLN1-{k}" for k in range(1, 9)],
            C.DATE: dates,
            C.YEAR: "2019-20",
            C.EVENT_TYPE: "convening",
        }
    )
