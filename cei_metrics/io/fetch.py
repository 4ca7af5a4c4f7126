"""Download public CDE files by family and year: ``cei-metrics fetch-cde``.

:func:`fetch_cde` fetches each requested file with `pooch <https://www.fatiando.org/pooch>`_
into a destination folder that doubles as a cache:

- **hashes are recorded on first download** in ``cde_registry.txt`` in the folder (pooch's
  registry format: ``file_name sha256:<hex> url`` per line); later runs verify the local
  file against it and download nothing when it matches;
- **resumable**: files already downloaded and verified are skipped, so an interrupted run
  picks up where it stopped; a download is written to a temporary file and renamed when
  complete (pooch), so no half file is ever left under the final name; a local file that
  no longer matches its recorded hash is downloaded again;
- **offline**: a file that cannot be downloaded is reported with the CDE page to fetch it
  from by hand and the name to save it under in the folder; a file put there by hand is
  then used, and its hash recorded, on the next run;
- a file whose content on the CDE site changed since its hash was recorded is refused
  (CDE re-issues files, e.g. ``-v2``); ``refresh=True`` (``--refresh``) accepts the new one.

The base address of every URL (scheme and host) is replaced by ``base_url`` or the
environment variable ``CEI_CDE_BASE_URL`` when set, keeping the path: tests serve
committed fixtures from a local HTTP server that way. Nothing else in the package touches
the network.

Families and URL patterns
-------------------------
:data:`FAMILIES` lists them; ``{Y}`` is the year a school year ends (2019 for 2018-19),
``{YY}`` its last two digits, ``{PY}`` the year before. *Verified* means the pattern was
seen in a source (the CDE file README of this project, CDE pages, or public code that
downloads the files); *unverified* patterns are inferred from the family's other names.

=========================  ==============================================================  ==========
family                     URL (first candidate; alternatives in :data:`FAMILIES`)         status
=========================  ==============================================================  ==========
dashboard-chronic          www3.cde.ca.gov/researchfiles/cadashboard/chronicdownload{Y}.txt  verified
dashboard-suspension       .../cadashboard/suspdownload{Y}.txt                              verified
dashboard-grad             .../cadashboard/graddownload{Y}.txt (2017: ...2017f.txt)         verified
dashboard-ela, -math       .../cadashboard/eladownload{Y}.txt, mathdownload{Y}.txt          verified
dashboard-elpi, -cci       .../cadashboard/elpidownload{Y}.txt, ccidownload{Y}.txt          verified
dashboard-enrollment       .../cadashboard/censusenrollratesdownload{Y}.txt                 verified
dataquest-chronic          www3.cde.ca.gov/demo-downloads/attendance/chronicabsenteeism{YY}.txt verified
dataquest-suspension       .../demo-downloads/discipline/suspension{YY}.txt                 verified
dataquest-acgr             .../demo-downloads/acgr/acgr{YY}.txt                             verified
dataquest-enrollment       .../demo-downloads/census/cdenroll{PY%100}{YY}.txt (2024 on)     verified
localind-p3                www3.cde.ca.gov/researchfiles/cadashboard/Pr3{Y}.txt             verified
localind-p6                .../cadashboard/Pr6{Y}.txt                                       unverified
da-status                  www.cde.ca.gov/fg/aa/lc/documents/assistancestatus{YY}.xlsx      verified
da-charter                 .../documents/charterassistance{YY}.xlsx (2023 on)               verified
upc                        www.cde.ca.gov/ds/ad/documents/cupc{PY%100}{YY}-k12.xlsx         verified
caaspp-sb                  caaspp-elpac.ets.org/caaspp/researchfiles/sb_ca{Y}_all_csv_v1.zip verified
directory                  www.cde.ca.gov/schooldirectory/report?rid=dl2&tp=txt (current)   verified
=========================  ==============================================================  ==========

Sources: the Dashboard, DataQuest, local-indicator and directory patterns are those of
``../shared/data/cde/README.md`` and ``LAYOUTS_UNVERIFIED.md`` (versioned names such as
``chronicabsenteeism22-v3.txt`` and ``cdenroll2324-v2.txt`` included); ``Pr3{Y}.txt`` files
of 2019 to 2025 were seen on the CDE site; the assistance-status, UPC, Census Day and
CAASPP names were read from public R scripts that download them (2017-2025), the
directory address from public Python code. ``Pr6{Y}.txt`` is inferred from ``Pr3``.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .._results import ResultMixin
from ..errors import CEIError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["FAMILIES", "REGISTRY", "FetchError", "FetchResult", "fetch_cde", "parse_years"]

#: Name of the registry file kept in the destination folder.
REGISTRY = "cde_registry.txt"
ENV_BASE = "CEI_CDE_BASE_URL"
_W3 = "https://www3.cde.ca.gov"
_WWW = "https://www.cde.ca.gov"
_ETS = "https://caaspp-elpac.ets.org"


class FetchError(CEIError):
    """A CDE file could not be downloaded or verified."""


@dataclass(frozen=True)
class Family:
    """One downloadable CDE file family.

    ``paths(year)`` gives the candidate URLs for a school year ending in ``year`` (the first
    that exists is used; CDE re-issues files under versioned names); ``page`` is the CDE
    page a person downloads the file from by hand.
    """

    name: str
    describe: str
    page: str
    paths: Callable[[int | None], list[str]]
    verified: bool = True
    yearly: bool = True
    first_year: int | None = None
    note: str = ""

    def urls(self, year: int | None) -> list[str]:
        return self.paths(year)


def _yy(y: int) -> str:
    return f"{y % 100:02d}"


def _span(y: int) -> str:
    return f"{(y - 1) % 100:02d}{y % 100:02d}"


def _dash(stem: str) -> Callable[[int | None], list[str]]:
    def f(y):
        tail = f"{y}f" if y == 2017 else str(y)
        return [f"{_W3}/researchfiles/cadashboard/{stem}download{tail}.txt"]

    return f


_VERSIONED = {
    "chronicabsenteeism": {22: "-v3", 25: "-v2"},
    "suspension": {22: "-v2", 25: "-v2"},
    "acgr": {22: "-v2", 23: "-v2"},
}


def _dq(folder: str, stem: str, older: Callable[[int], list[str]] | None = None):
    def f(y):
        out = []
        v = _VERSIONED.get(stem, {}).get(y % 100)
        if v:
            out.append(f"{_W3}/demo-downloads/{folder}/{stem}{_yy(y)}{v}.txt")
        out.append(f"{_W3}/demo-downloads/{folder}/{stem}{_yy(y)}.txt")
        if older is not None:
            out += older(y)
        return out

    return f


def _enroll(y):
    base = f"{_W3}/demo-downloads/census/cdenroll{_span(y)}"
    return [f"{base}-v2.txt", f"{base}.txt"] if y == 2024 else [f"{base}.txt", f"{base}-v2.txt"]


def _da(stem: str):
    def f(y):
        base = f"{_WWW}/fg/aa/lc/documents/"
        if stem == "assistancestatus" and y == 2019:
            return [f"{base}assistancestatus19-rev.xlsx", f"{base}assistancestatus19.xlsx"]
        if stem == "assistancestatus" and y == 2017:
            return [f"{base}assistancestatus2017.xlsx"]
        return [f"{base}{stem}{_yy(y)}.xlsx"]

    return f


_SB_VERSIONS = {2015: "v3", 2016: "v3", 2017: "v2", 2018: "v3", 2019: "v4", 2021: "v2"}


def _sb(y):
    v = _SB_VERSIONS.get(y, "v1")
    return [f"{_ETS}/caaspp/researchfiles/sb_ca{y}_all_csv_{v}.zip"]


_DASH_PAGE = "https://www.cde.ca.gov/ta/ac/cm/ (Dashboard data files, e.g. datafiles2019.asp)"
_LI_PAGE = "https://www.cde.ca.gov/ta/ac/cm/localindidatafiles.asp"

#: The downloadable families, by name.
FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("dashboard-chronic", "Dashboard chronic absenteeism download", _DASH_PAGE,
               _dash("chronic"), first_year=2018),
        Family("dashboard-suspension", "Dashboard suspension download", _DASH_PAGE,
               _dash("susp"), first_year=2017),
        Family("dashboard-grad", "Dashboard graduation download", _DASH_PAGE, _dash("grad"),
               first_year=2017),
        Family("dashboard-ela", "Dashboard ELA (distance from standard) download", _DASH_PAGE,
               _dash("ela"), first_year=2017),
        Family("dashboard-math", "Dashboard mathematics download", _DASH_PAGE, _dash("math"),
               first_year=2017),
        Family("dashboard-elpi", "Dashboard English Learner Progress Indicator download",
               _DASH_PAGE, _dash("elpi"), first_year=2017),
        Family("dashboard-cci", "Dashboard College/Career Indicator download", _DASH_PAGE,
               _dash("cci"), first_year=2017),
        Family("dashboard-enrollment", "Dashboard Census Day enrollment by student group",
               _DASH_PAGE, lambda y: [f"{_W3}/researchfiles/cadashboard/"
                                      f"censusenrollratesdownload{y}.txt"], first_year=2018),
        Family("dataquest-chronic", "DataQuest chronic absenteeism research file",
               "https://www.cde.ca.gov/ds/ad/filesabd.asp",
               _dq("attendance", "chronicabsenteeism",
                   lambda y: [f"{_W3}/demo-downloads/attendance/ChrAbsRate{_span(y)}.txt"]),
               first_year=2017),
        Family("dataquest-suspension", "DataQuest suspension research file",
               "https://www.cde.ca.gov/ds/ad/filessd.asp",
               _dq("discipline", "suspension",
                   lambda y: [f"{_W3}/demo-downloads/discipline/susp{_span(y)}.txt"]),
               first_year=2012),
        Family("dataquest-acgr", "DataQuest four-year adjusted cohort graduation rate",
               "https://www.cde.ca.gov/ds/ad/filesacgr.asp",
               _dq("acgr", "acgr",
                   lambda y: [f"{_W3}/demo-downloads/acgr/cohort{_span(y)}.txt"]),
               first_year=2017),
        Family("dataquest-enrollment", "DataQuest Census Day enrollment (2023-24 layout on)",
               "https://www.cde.ca.gov/ds/ad/filesenrcensus.asp", _enroll, first_year=2024,
               note="earlier years are in combined files of another layout "
                    "(enr201719-v2.txt, enr202022-v2.txt) that no reader here knows"),
        Family("localind-p3", "Local indicator Priority 3 (parent and family engagement)",
               _LI_PAGE, lambda y: [f"{_W3}/researchfiles/cadashboard/Pr3{y}.txt"],
               first_year=2019),
        Family("localind-p6", "Local indicator Priority 6 (school climate)", _LI_PAGE,
               lambda y: [f"{_W3}/researchfiles/cadashboard/Pr6{y}.txt"], verified=False,
               first_year=2019),
        Family("da-status", "LCFF assistance status of districts and county offices "
               "(Differentiated Assistance)", "https://www.cde.ca.gov/fg/aa/lc/",
               _da("assistancestatus"), first_year=2017),
        Family("da-charter", "LCFF assistance status of charter schools",
               "https://www.cde.ca.gov/fg/aa/lc/", _da("charterassistance"), first_year=2023),
        Family("upc", "CALPADS unduplicated pupil count source file (K-12)",
               "https://www.cde.ca.gov/ds/ad/filescupc.asp",
               lambda y: [f"{_WWW}/ds/ad/documents/cupc{_span(y)}-k12.xlsx"], first_year=2020),
        Family("caaspp-sb", "CAASPP Smarter Balanced research file, all students groups (zip)",
               "https://caaspp-elpac.ets.org/caaspp/ResearchFileListSB", _sb, first_year=2015),
        Family("directory", "CDE public districts directory (pubdistricts.txt, today's)",
               "https://www.cde.ca.gov/ds/si/ds/pubschls.asp",
               lambda y: [f"{_WWW}/schooldirectory/report?rid=dl2&tp=txt"], yearly=False),
    )
}  # fmt: skip

_DEST_NAMES = {"directory": "pubdistricts.txt"}


def parse_years(years: Iterable[str | int] | str | int | None) -> list[int]:
    """School years as the calendar year they end in.

    Accepts ``2019``, ``"2019"``, ``"2018-19"``, ``"2018-2019"`` and ranges of end years
    ``"2017:2019"`` (both ends included), or a comma-separated string of them.

    Examples
    --------
    >>> parse_years(["2018-19", "2021:2023"])
    [2019, 2021, 2022, 2023]
    """
    if years is None:
        return []
    if isinstance(years, (str, int)):
        years = [years]
    out: list[int] = []
    for item in years:
        for tok in str(item).split(","):
            t = tok.strip()
            if not t:
                continue
            m = re.fullmatch(r"(\d{4}):(\d{4})", t)
            if m:
                a, b = int(m.group(1)), int(m.group(2))
                if b < a:
                    raise CEIError(f"year range {t!r} runs backwards",
                                   fix='write ranges as "2017:2019"')  # fmt: skip
                out.extend(range(a, b + 1))
                continue
            m = re.fullmatch(r"(\d{4})-(\d{2}|\d{4})", t)
            if m and int(m.group(2)[-2:]) == (int(m.group(1)) + 1) % 100:
                out.append(int(m.group(1)) + 1)
                continue
            if re.fullmatch(r"\d{4}", t):
                out.append(int(t))
                continue
            raise CEIError(
                f"{t!r} is not a year",
                fix='give school years as "2018-19", end years as "2019", ranges as "2017:2019"',
            )
    return sorted(set(out))


def _rebase(url: str, base: str | None) -> str:
    if not base:
        return url
    parts = urlsplit(url)
    tail = parts.path + (f"?{parts.query}" if parts.query else "")
    return base.rstrip("/") + tail


def _fname(family: Family, url: str) -> str:
    if family.name in _DEST_NAMES:
        return _DEST_NAMES[family.name]
    return Path(urlsplit(url).path).name


def _read_registry(path: Path) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    if not path.exists():
        return out
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        parts = s.split()
        if len(parts) < 2 or not parts[1].startswith("sha256:"):
            raise FetchError(
                "a registry line is not 'file_name sha256:<hex> url'",
                file=path,
                row=i,
                fix="correct or delete the line; the file's hash is recorded again on download",
            )
        out[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else "")
    return out


def _write_registry(path: Path, reg: dict[str, tuple[str, str]]) -> None:
    lines = [
        "# cei-metrics fetch-cde registry: file_name sha256:<hex> url (pooch registry format)",
        "# Hashes are recorded on first download; delete a line (or pass --refresh) to accept",
        "# a new version of the file.",
    ]
    lines += [f"{k} {h} {u}".rstrip() for k, (h, u) in sorted(reg.items())]
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


@dataclass(frozen=True)
class FetchResult(ResultMixin):
    """What :func:`fetch_cde` did, one row per family and year.

    ``files`` columns: ``family``, ``year`` (end year, or NA), ``file`` (name in ``dest``),
    ``url`` (the address used or tried last), ``sha256``, ``status`` (``downloaded``,
    ``cached``: already there and verified, ``updated``: re-downloaded because the local
    copy no longer matched, ``manual``: put there by hand and now recorded,
    ``refreshed``: downloaded again on request, ``failed``)
    and ``message`` (for failures: what went wrong and where to download by hand).
    """

    files: pd.DataFrame
    dest: str
    base_url: str | None
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return bool((self.files["status"] != "failed").all())

    @property
    def n(self) -> int:
        return len(self.files)

    def to_frame(self) -> pd.DataFrame:
        return self.files.copy()

    def summary(self) -> str:
        counts = self.files["status"].value_counts()
        head = f"fetch-cde: {self.n} file(s) into {self.dest}: " + ", ".join(
            f"{int(v)} {k}" for k, v in counts.items()
        )
        lines = [head]
        if self.base_url:
            lines.append(f"base address {self.base_url} (from {ENV_BASE} or base_url=)")
        for r in self.files.itertuples(index=False):
            if r.status == "failed":
                lines.append(f"  FAILED {r.family} {r.year}: {r.message}")
        return "\n".join(lines)


def _download(url: str, fname: str, dest: Path, known: str | None, progress: bool) -> str:
    import pooch

    downloader = pooch.HTTPDownloader(progressbar=progress, timeout=60)
    return pooch.retrieve(url, known_hash=known, fname=fname, path=dest,
                          downloader=downloader, progressbar=progress)  # fmt: skip


def _http_status(err: Exception) -> int | None:
    resp = getattr(err, "response", None)
    return getattr(resp, "status_code", None)


def fetch_cde(
    families: Sequence[str] | str,
    years: Iterable[str | int] | str | int | None = None,
    dest: str | os.PathLike = "data/raw/cde",
    *,
    refresh: bool = False,
    base_url: str | None = None,
    progress: bool = False,
    strict: bool = False,
) -> FetchResult:
    """Download public CDE files by family and year into ``dest`` (a verified cache).

    Parameters
    ----------
    families : names from :data:`FAMILIES` (``"dashboard-grad"``, ``"localind-p3"``, ...),
        or ``"all"``.
    years : school years (``"2018-19"``), end years (``2019``) or ranges (``"2017:2019"``);
        ignored by families without years (``directory``).
    dest : the folder to download into; created if needed; holds :data:`REGISTRY`.
    refresh : accept a file whose content changed since its hash was recorded.
    base_url : replaces scheme and host of every URL (default: ``CEI_CDE_BASE_URL`` when
        set, else CDE's own).
    progress : show pooch's progress bars.
    strict : raise :class:`FetchError` at the first failure instead of reporting it.

    Returns
    -------
    FetchResult with one row per family and year (``.files``, ``.ok``, ``.summary()``).

    Raises
    ------
    CEIError for an unknown family or a malformed year (before anything is downloaded);
    FetchError for a failure when ``strict``.

    Examples
    --------
    >>> res = fetch_cde(["dashboard-grad", "localind-p3"], "2023:2024", "data/raw/cde")  # doctest: +SKIP
    >>> print(res.summary())                                                           # doctest: +SKIP
    """
    import pandas as pd
    import requests

    names = [families] if isinstance(families, str) else list(families)
    if names == ["all"]:
        names = list(FAMILIES)
    unknown = [f for f in names if f not in FAMILIES]
    if unknown:
        raise CEIError(
            f"unknown file famil{'y' if len(unknown) == 1 else 'ies'} {unknown}",
            fix=f"choose from {sorted(FAMILIES)}",
        )
    yrs = parse_years(years)
    if any(FAMILIES[f].yearly for f in names) and not yrs:
        raise CEIError("no years given", fix='pass --years, e.g. "2018-19" or "2017:2019"')
    base = base_url if base_url is not None else os.environ.get(ENV_BASE) or None
    out_dir = Path(dest)
    out_dir.mkdir(parents=True, exist_ok=True)
    reg_path = out_dir / REGISTRY
    reg = _read_registry(reg_path)
    rows = []
    for name in names:
        fam = FAMILIES[name]
        for year in yrs if fam.yearly else [None]:
            if fam.yearly and fam.first_year is not None and year < fam.first_year:
                msg = (f"{fam.describe} is not published for {year - 1}-{year % 100:02d} in a "
                       f"layout supported here (first: {fam.first_year})"
                       + (f"; {fam.note}" if fam.note else ""))  # fmt: skip
                rows.append((name, year, "", "", "", "failed", msg))
                if strict:
                    raise FetchError(msg, fix=f"see {fam.page}")
                continue
            tried, last_err = [], None
            done = False
            for raw_url in fam.urls(year):
                url = _rebase(raw_url, base)
                fname = _fname(fam, raw_url)
                target = out_dir / fname
                known = None if refresh else reg.get(fname, (None,))[0]
                existed = target.exists()
                before = _sha256(target) if existed else None
                backup = target.with_name(target.name + ".previous")
                if refresh and existed:
                    os.replace(target, backup)  # download again; restored if that fails
                tried.append(url)
                try:
                    _download(url, fname, out_dir, known, progress)
                except ValueError as err:  # pooch: hash mismatch after download
                    last_err = (
                        f"{fname} downloaded from {url} does not match the hash recorded "
                        f"in {reg_path} ({err}); CDE may have re-issued the file. Pass "
                        "--refresh (refresh=True) to accept the new version"
                    )
                    break
                except requests.exceptions.HTTPError as err:
                    last_err = f"{url}: HTTP {_http_status(err)}"
                    if _http_status(err) == 404:
                        continue
                    break
                except (requests.exceptions.RequestException, OSError) as err:
                    last_err = f"{url}: {type(err).__name__}: {err}"
                    break
                finally:
                    if backup.exists():
                        if target.exists():
                            backup.unlink()
                        else:
                            os.replace(backup, target)
                digest = _sha256(target)
                if not existed:
                    status = "downloaded"
                elif refresh:
                    status = "refreshed"
                elif known is None:
                    status = "manual"  # put there by hand: recorded now
                elif before == digest:
                    status = "cached"
                else:
                    status = "updated"  # the local copy no longer matched: downloaded again
                reg[fname] = (digest, raw_url)
                _write_registry(reg_path, reg)
                rows.append((name, year, fname, url, digest, status, ""))
                done = True
                break
            if not done:
                fname = _fname(fam, fam.urls(year)[0])
                msg = (
                    f"could not download {fam.describe} for "
                    f"{'the current snapshot' if year is None else f'{year - 1}-{year % 100:02d}'}"
                    f" ({last_err}; tried {', '.join(tried)}). Download it by hand from "
                    f"{fam.page} and save it as {out_dir / fname}; the next run records its hash"
                )
                rows.append((name, year, fname, tried[-1] if tried else "", "", "failed", msg))
                if strict:
                    raise FetchError(msg, file=out_dir / fname,
                                     fix=f"download it by hand from {fam.page}")  # fmt: skip
    files = pd.DataFrame(
        rows, columns=["family", "year", "file", "url", "sha256", "status", "message"]
    )
    files["year"] = files["year"].astype("Int64")
    return FetchResult(files=files, dest=str(out_dir), base_url=base)
