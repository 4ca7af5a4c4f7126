"""fetch-cde against a local HTTP server serving committed fixtures.

No network is reachable from the test machine, so the real CDE addresses cannot be tested:
``CEI_CDE_BASE_URL`` (or ``base_url=``) points every download at a ``http.server`` running
in a thread, whose folder mirrors the CDE paths.
"""

from __future__ import annotations

import hashlib
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from cei_metrics.cli import main
from cei_metrics.errors import CEIError
from cei_metrics.io import read_cde
from cei_metrics.io.fetch import FAMILIES, REGISTRY, FetchError, fetch_cde, parse_years

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "cde"

SERVED = {
    "researchfiles/cadashboard/graddownload2019.txt": "dashboard_graddownload_2019.txt",
    "researchfiles/cadashboard/graddownload2018.txt": "dashboard_graddownload_2018.txt",
    "researchfiles/cadashboard/graddownload2017f.txt": "dashboard_graddownload_2017fall.txt",
    "researchfiles/cadashboard/Pr32025.txt": "synthetic_localind_priority3_2025.txt",
    "demo-downloads/attendance/chronicabsenteeism22-v3.txt":
        "synthetic_dataquest_chronicabsenteeism23.txt",
    "demo-downloads/attendance/chronicabsenteeism23.txt":
        "synthetic_dataquest_chronicabsenteeism23.txt",
    "fg/aa/lc/documents/assistancestatus23.xlsx": "synthetic_assistancestatus23.xlsx",
    "ds/ad/documents/cupc2324-k12.xlsx": "synthetic_cupc2324-k12.xlsx",
    "schooldirectory/report": "directory_pubdistricts_2021-12.txt",
}  # fmt: skip


class _Server:
    def __init__(self, root: Path):
        self.root = root
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=str(root), **kw)

            def do_GET(self):
                outer.requests.append(self.path)
                super().do_GET()

            def log_message(self, *a):  # quiet
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "site"
    for rel, name in SERVED.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIX / name, p)
    s = _Server(root)
    yield s
    s.stop()


def _sha(p: Path) -> str:
    return "sha256:" + hashlib.sha256(p.read_bytes()).hexdigest()


def test_download_records_hashes_and_files_read(server, tmp_path):
    dest = tmp_path / "cde"
    res = fetch_cde(["dashboard-grad", "localind-p3"], ["2018-19", "2025"], dest,
                    base_url=server.url)  # fmt: skip
    f = res.to_frame()
    # localind-p3 for 2019 and dashboard-grad for 2025 are not on the server
    got = f[f.status == "downloaded"][["family", "year", "file"]].values.tolist()
    assert got == [["dashboard-grad", 2019, "graddownload2019.txt"],
                   ["localind-p3", 2025, "Pr32025.txt"]]  # fmt: skip
    assert not res.ok and (f.status == "failed").sum() == 2
    failed = f[f.status == "failed"].iloc[0]
    assert "HTTP 404" in failed.message and "localindidatafiles.asp" not in failed.message
    assert "Download it by hand from https://www.cde.ca.gov/ta/ac/cm/" in failed.message
    reg = (dest / REGISTRY).read_text().splitlines()
    lines = [ln.split() for ln in reg if not ln.startswith("#")]
    assert {ln[0] for ln in lines} == {"graddownload2019.txt", "Pr32025.txt"}
    for name, digest, url in lines:
        assert digest == _sha(dest / name)
        assert url.startswith("https://www3.cde.ca.gov/researchfiles/cadashboard/")
    # the downloaded files are the fixtures, and read as such
    assert (dest / "graddownload2019.txt").read_bytes() == (
        FIX / "dashboard_graddownload_2019.txt").read_bytes()  # fmt: skip
    assert read_cde(dest / "graddownload2019.txt").attrs["cde_format"] == "dashboard_grad_2019"
    assert read_cde(dest / "Pr32025.txt")["year"].unique().tolist() == ["2024-25"]


def test_second_run_is_a_cache_and_heals_a_damaged_copy(server, tmp_path):
    dest = tmp_path / "cde"
    fetch_cde("dashboard-grad", "2017:2019", dest, base_url=server.url)
    n = len(server.requests)
    res = fetch_cde("dashboard-grad", "2017:2019", dest, base_url=server.url)
    assert res.to_frame().status.tolist() == ["cached"] * 3 and len(server.requests) == n
    assert res.to_frame().file.tolist()[0] == "graddownload2017f.txt"  # Fall 2017 name
    # a damaged local copy (an interrupted copy, an edit) is downloaded again
    p = dest / "graddownload2018.txt"
    p.write_bytes(p.read_bytes()[:1000])
    res = fetch_cde("dashboard-grad", "2018", dest, base_url=server.url)
    assert res.to_frame().status.tolist() == ["updated"] and len(server.requests) == n + 1
    assert _sha(p) == _sha(FIX / "dashboard_graddownload_2018.txt")


def test_changed_upstream_file_is_refused_until_refresh(server, tmp_path):
    dest = tmp_path / "cde"
    fetch_cde("dashboard-grad", "2019", dest, base_url=server.url)
    (dest / "graddownload2019.txt").unlink()
    site = server.root / "researchfiles/cadashboard/graddownload2019.txt"
    site.write_bytes(site.read_bytes() + b"00000000000001\tX\n")
    res = fetch_cde("dashboard-grad", "2019", dest, base_url=server.url)
    assert not res.ok and "does not match the hash recorded" in res.files.message[0]
    assert "--refresh" in res.files.message[0]
    with pytest.raises(FetchError, match="re-issued"):
        fetch_cde("dashboard-grad", "2019", dest, base_url=server.url, strict=True)
    res = fetch_cde("dashboard-grad", "2019", dest, base_url=server.url, refresh=True)
    assert res.ok and res.files.status.tolist() == ["downloaded"]
    assert res.files.sha256[0] == _sha(site)


def test_refresh_downloads_again(server, tmp_path):
    dest = tmp_path / "cde"
    fetch_cde("dashboard-grad", "2019", dest, base_url=server.url)
    n = len(server.requests)
    res = fetch_cde("dashboard-grad", "2019", dest, base_url=server.url, refresh=True)
    assert res.files.status.tolist() == ["refreshed"] and len(server.requests) == n + 1


def test_versioned_names_are_tried_first(server, tmp_path):
    res = fetch_cde("dataquest-chronic", ["2021-22", "2022-23"], tmp_path / "d",
                    base_url=server.url)  # fmt: skip
    assert res.files.file.tolist() == ["chronicabsenteeism22-v3.txt", "chronicabsenteeism23.txt"]
    # 2022-23 has no versioned name: one request; 2021-22's -v3 exists: one request
    assert len(server.requests) == 2


def test_workbooks_and_directory(server, tmp_path):
    dest = tmp_path / "d"
    res = fetch_cde(["da-status", "upc", "directory"], "2023:2024", dest, base_url=server.url)
    f = res.files
    assert f[(f.family == "da-status") & (f.year == 2023)].status.tolist() == ["downloaded"]
    assert f[(f.family == "upc") & (f.year == 2024)].file.tolist() == ["cupc2324-k12.xlsx"]
    d = f[f.family == "directory"]
    assert d.file.tolist() == ["pubdistricts.txt"] and d.year.isna().all()  # one snapshot
    assert read_cde(dest / "assistancestatus23.xlsx").attrs["cde_format"] == "assistance_status"
    assert read_cde(dest / "pubdistricts.txt").attrs["cde_format"] == "directory_pubdistricts"
    assert read_cde(dest / "cupc2324-k12.xlsx").attrs["cde_format"] == "upc"


def test_offline_error_names_the_page_and_a_hand_copy_is_used(tmp_path):
    s = _Server(tmp_path / "empty")
    url = s.url
    s.stop()  # nothing listens there any more: a connection error, as offline
    dest = tmp_path / "d"
    res = fetch_cde("localind-p3", "2024", dest, base_url=url)
    msg = res.files.message[0]
    assert res.files.status[0] == "failed" and "ConnectionError" in msg
    assert "https://www.cde.ca.gov/ta/ac/cm/localindidatafiles.asp" in msg
    assert str(dest / "Pr32024.txt") in msg
    with pytest.raises(FetchError) as e:
        fetch_cde("localind-p3", "2024", dest, base_url=url, strict=True)
    assert "How to fix" in str(e.value)
    # the user downloads the file by hand and puts it where the message said
    shutil.copy(FIX / "synthetic_localind_priority3_2025.txt", dest / "Pr32024.txt")
    res = fetch_cde("localind-p3", "2024", dest, base_url=url)
    assert res.ok and res.files.status.tolist() == ["manual"]
    assert _sha(dest / "Pr32024.txt") in (dest / REGISTRY).read_text()
    res = fetch_cde("localind-p3", "2024", dest, base_url=url)
    assert res.files.status.tolist() == ["cached"]


def test_base_url_from_environment_and_cli(server, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CEI_CDE_BASE_URL", server.url)
    dest = tmp_path / "d"
    code = main(["fetch-cde", "dashboard-grad", "--years", "2018-19", "--dest", str(dest)])
    out = capsys.readouterr().out
    assert code == 0 and "1 downloaded" in out and server.url in out
    assert (dest / "graddownload2019.txt").exists()
    code = main(["fetch-cde", "dashboard-grad", "--years", "2020", "--dest", str(dest)])
    assert code == 1 and "FAILED dashboard-grad 2020" in capsys.readouterr().out


def test_bad_requests_fail_before_downloading(tmp_path, capsys):
    with pytest.raises(CEIError, match="unknown file family"):
        fetch_cde("dashboard-gradd", "2019", tmp_path)
    with pytest.raises(CEIError, match="not a year"):
        fetch_cde("dashboard-grad", "19", tmp_path)
    with pytest.raises(CEIError, match="no years"):
        fetch_cde("dashboard-grad", None, tmp_path)
    assert main(["fetch-cde", "nonsense", "--years", "2019", "--dest", str(tmp_path)]) == 2
    assert "choose from" in capsys.readouterr().err
    res = fetch_cde("dataquest-enrollment", "2019", tmp_path, base_url="http://127.0.0.1:9")
    assert "enr201719-v2.txt" in res.files.message[0]  # an older layout, said so


def test_parse_years():
    assert parse_years(["2018-19", "2021:2023", "2024-2025"]) == [2019, 2021, 2022, 2023, 2025]
    assert parse_years("2019,2019") == [2019]
    with pytest.raises(CEIError):
        parse_years("2019:2017")
    with pytest.raises(CEIError):
        parse_years("2018-20")


def test_every_family_has_a_page_and_urls():
    for fam in FAMILIES.values():
        assert fam.page.startswith("https://")
        urls = fam.urls(2024 if fam.yearly else None)
        assert urls and all(u.startswith("https://") for u in urls)
    assert not FAMILIES["localind-p6"].verified


def test_fetched_folder_is_read_by_family(server, tmp_path):
    from cei_metrics.io import read_cde_folder

    dest = tmp_path / "d"
    fetch_cde(["dashboard-grad", "localind-p3", "da-status", "upc"], "2019:2025", dest,
              base_url=server.url)  # fmt: skip
    (dest / "notes.txt").write_text("not a CDE file\n")
    got = read_cde_folder(dest)
    kinds = got.files.set_index("file")["kind"].rename(lambda p: Path(p).name).to_dict()
    assert kinds["graddownload2019.txt"] == "outcomes" and kinds["Pr32025.txt"] == "ratings"
    assert kinds["assistancestatus23.xlsx"] == "assistance" and kinds["cupc2324-k12.xlsx"] == "upc"
    assert got.files.set_index("file")["error"].rename(lambda p: Path(p).name)["notes.txt"]
    assert set(got.outcomes["indicator"]) == {"graduation", "local_indicator"}
    assert got.narratives is not None and got.enrollment is None
