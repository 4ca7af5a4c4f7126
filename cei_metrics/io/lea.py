"""Which kind of local educational agency (LEA) a CDS code belongs to.

California's 14-digit County-District-School (CDS) code is county (2) + district (5) +
school (7). Three kinds of LEA report to the state: school districts, county offices of
education and charter schools. A directly funded charter school is an LEA of its own but
keeps the district code of the board that authorised it, so the 7-digit county+district
code is *not* a key of LEAs: in the 2024 Priority 3 file 1,281 of 2,262 LEAs share a
district code with another. The 14-digit code is the key; the type says what it is.

:func:`lea_type` applies these rules, first match wins:

1. ``00000000000000`` is the state row (``"state"``); a county aggregate row of a
   DataQuest or CAASPP file (level ``county``) is ``"county"`` (no LEA).
2. A charter flag set in the file (Dashboard ``charter_flag`` ``Y``, DataQuest
   ``CharterSchool``/``CharterYN`` ``Yes``/``Y``, UPC ``Charter School (Y/N)`` ``Y``) gives
   ``"charter"``.
3. In an LEA-level file (local indicators, assistance status, UPC LEA sheet) a school code
   other than ``0000000`` is a charter school reporting as its own LEA: ``"charter"``.
4. An LEA named ``SBE - ...`` or ``SBC - ...`` is a charter authorised by the State Board
   of Education (directory DOC 02) or a statewide benefit charter (DOC 03), which CDE gives
   a district code of its own: ``"charter"``.
5. A county-office flag (Dashboard ``coe_flag`` ``Y``) or a district code beginning
   ``10`` gives ``"county office"``: in CDE's district directory (``pubdistricts.txt``,
   December 2021) all 58 county offices (DOC 00), and nothing else, have district codes
   ``10xxx``.
6. A district code beginning ``31`` is one of the three State Special Schools (DOC 31,
   the only codes ``31xxx`` in the same directory), operated by the state: ``"state"``.
7. Everything else is ``"district"`` (elementary, high and unified districts; the few
   regional programmes and joint powers agencies with LEA codes are counted here too).

A school row of an outcomes file takes the type of the LEA that runs the school: a
charter school's rows are ``"charter"``, other schools take their district's type.
:func:`lea_type_from_doc` maps the directory's DOC code instead, where a directory is at
hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["lea_type", "lea_type_from_doc"]

STATE_CDS = "00000000000000"
_YES = frozenset({"y", "yes", "true", "1"})
_CHARTER_PREFIXES = ("sbe - ", "sbc - ")


def _flag(x) -> np.ndarray | None:
    import pandas as pd

    if x is None:
        return None
    s = pd.Series(np.asarray(x, dtype=object)).astype(str).str.strip().str.casefold()
    return s.isin(_YES).to_numpy()


def lea_type(
    cds: pd.Series | np.ndarray | list[str],
    *,
    level: pd.Series | np.ndarray | None = None,
    name: pd.Series | np.ndarray | None = None,
    charter: pd.Series | np.ndarray | None = None,
    coe: pd.Series | np.ndarray | None = None,
    lea_file: bool = False,
) -> np.ndarray:
    """Type of the LEA each 14-digit CDS code belongs to (rules in the module docstring).

    Parameters
    ----------
    cds : 14-digit CDS codes (text).
    level : the row's level (``state``/``county``/``district``/``school``), when known.
    name : the LEA's name as the file writes it (for the ``SBE -`` / ``SBC -`` rule).
    charter, coe : the file's charter and county-office flags (``Y``/``Yes`` = set).
    lea_file : True when every row of the file is an LEA (local indicators, assistance
        status, UPC LEA sheet): a school code other than ``0000000`` then means a charter.

    Returns
    -------
    numpy array of ``"state"``, ``"county"``, ``"county office"``, ``"district"`` or
    ``"charter"`` (:data:`cei_metrics.schemas.LEA_TYPES`).

    Examples
    --------
    >>> lea_type(["30664310000000", "01100170000000", "01100170112607"], lea_file=True).tolist()
    ['district', 'county office', 'charter']
    """
    import pandas as pd

    c = pd.Series(np.asarray(cds, dtype=object)).astype(str)
    n = len(c)
    out = np.full(n, "district", dtype=object)
    dc = c.str[2:4].to_numpy()
    school = c.str[7:].to_numpy()
    out[dc == "31"] = "state"
    coe_flag = _flag(coe)
    is_coe = dc == "10"
    if coe_flag is not None:
        is_coe = is_coe | coe_flag
    out[is_coe] = "county office"
    if name is not None:
        nm = pd.Series(np.asarray(name, dtype=object)).astype(str).str.strip().str.casefold()
        out[nm.str.startswith(_CHARTER_PREFIXES).to_numpy()] = "charter"
    if lea_file:
        out[school != "0000000"] = "charter"
    ch = _flag(charter)
    if ch is not None:
        out[ch] = "charter"
    if level is not None:
        lv = np.asarray(level, dtype=object)
        out[lv == "county"] = "county"
        out[lv == "state"] = "state"
    out[(c == STATE_CDS).to_numpy()] = "state"
    return out


#: CDE directory DOC (district ownership code) -> LEA type.
DOC_LEA_TYPE = {"00": "county office", "02": "charter", "03": "charter", "31": "state"}


def lea_type_from_doc(doc: pd.Series | np.ndarray) -> np.ndarray:
    """LEA type from the district directory's DOC code (00 county office; 02 State Board
    charters and 03 statewide benefit charters; 31 State Special Schools, state-run;
    every other code, 52/54/56 districts, 98 regional programmes, ..., ``"district"``).

    Examples
    --------
    >>> lea_type_from_doc(["00", "54", "02"]).tolist()
    ['county office', 'district', 'charter']
    """
    import pandas as pd

    s = pd.Series(np.asarray(doc, dtype=object)).astype(str).str.strip().str.zfill(2)
    return s.map(DOC_LEA_TYPE).fillna("district").to_numpy(dtype=object)
