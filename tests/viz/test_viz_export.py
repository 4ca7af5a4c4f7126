"""cm.viz.save: sizes, formats, sidecar, synthetic stamp, suppressed CSV round trip."""

from __future__ import annotations

import hashlib
import json

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest

import cei_metrics as cm
from cei_metrics.errors import CEIError, SchemaError

V = cm.viz


def effects(n=(40, 55, 8, 30)):
    est = np.array([-1.0, 0.5, 2.0, 0.1])
    return pd.DataFrame(
        {
            "label": ["Azusa", "Oxnard", "Cajon Valley", "Ontario"],
            "estimate": est,
            "std_error": [0.3, 0.2, 0.9, 0.4],
            "ci_low": est - 0.6,
            "ci_high": est + 0.6,
            "n": list(n),
        }
    )


@pytest.mark.parametrize("width, height", [(6.5, 4.0), (3.2, 2.6)])
def test_png_has_the_requested_pixel_size(tmp_path, width, height):
    tab = effects()
    fig, _ax = V.forest(tab)
    res = V.save(
        fig,
        "fx",
        caption="Effects.",
        alt_text="Dots with bars.",
        data=V.forest_data(tab),
        out_dir=tmp_path,
        width=width,
        height=height,
    )
    img = mpimg.imread(res.paths["png"])
    assert img.shape[:2] == (round(height * 300), round(width * 300))
    for fmt in ("png", "svg", "pdf", "csv", "json"):
        assert res.paths[fmt].exists() and res.paths[fmt].stat().st_size > 0
    assert res.paths["pdf"].read_bytes()[:4] == b"%PDF"
    assert b"<svg" in res.paths["svg"].read_bytes()[:2000]
    # no temporary files left behind
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".ledger.parquet") == sorted(
        f"fx.{f}" for f in ("png", "svg", "pdf", "csv", "json")
    )


def test_sidecar_contents(tmp_path):
    tab = effects()
    fig, _ax = V.forest(tab)
    res = V.save(
        fig,
        "fx",
        caption="Effects by district.",
        alt_text="Four districts.",
        data=V.forest_data(tab),
        out_dir=tmp_path,
        width=6.5,
        height=3,
        parameters={"seed": 2019, "years": ["2019-20"]},
        source_tables=["outcomes", "roster"],
        synthetic=False,
    )
    meta = json.loads(res.paths["json"].read_text())
    assert meta["caption"] == "Effects by district."
    assert meta["alt_text"] == "Four districts."
    assert meta["data_sha256"] == hashlib.sha256(res.paths["csv"].read_bytes()).hexdigest()
    assert meta["parameters"] == {"seed": 2019, "years": ["2019-20"]}
    assert meta["package_version"] == cm.__version__
    assert meta["source_tables"] == ["outcomes", "roster"]
    assert meta["synthetic"] is False
    assert meta["created"].endswith("+00:00")
    assert meta["suppression"]["threshold"] == 11
    assert meta["suppression"]["suppressed_rows"] == 1  # Cajon Valley, n = 8
    assert meta["suppression"]["suppressed_cells"] == res.n_suppressed > 0
    assert set(meta["files"]) == {f"fx.{f}" for f in ("png", "svg", "pdf", "csv", "json")}
    assert (meta["width_in"], meta["height_in"], meta["dpi"]) == (6.5, 3.0, 300)
    assert cm.privacy.audit(tmp_path).ok


def test_csv_round_trip_is_the_suppressed_data(tmp_path):
    tab = effects()
    d = V.forest_data(tab)
    fig, _ax = V.forest(tab)
    res = V.save(fig, "fx", caption="c", alt_text="a", data=d, out_dir=tmp_path)
    back = pd.read_csv(res.paths["csv"])
    expect = cm.privacy.suppress(d)
    assert back.columns.tolist() == expect.columns.tolist()
    assert back["suppressed"].tolist() == [False, False, True, False]
    np.testing.assert_allclose(back["estimate"], expect["estimate"].astype(float))
    assert back.loc[2, ["estimate", "ci_low", "ci_high", "n"]].isna().all()
    assert back.loc[2, "label"] == "Cajon Valley"
    assert back["n"].dropna().astype(int).tolist() == [40, 55, 30]


def test_synthetic_stamp_on_image_and_caption(tmp_path):
    tab = effects()
    fig, _ax = V.forest(tab)
    res = V.save(
        fig, "fx", caption="Effects.", alt_text="a", data=tab, out_dir=tmp_path, synthetic=True
    )
    assert any(t.get_text() == "synthetic demo data" for t in fig.texts)
    assert "synthetic demo data" in res.sidecar["caption"].lower()
    assert b"synthetic demo data" in res.paths["svg"].read_bytes()
    # saving again does not stamp twice
    V.save(fig, "fx", caption="Effects.", alt_text="a", data=tab, out_dir=tmp_path, synthetic=True)
    assert sum(t.get_text() == "synthetic demo data" for t in fig.texts) == 1
    # real data: no stamp
    fig2, _ = V.forest(tab)
    res2 = V.save(fig2, "real", caption="Effects.", alt_text="a", data=tab, out_dir=tmp_path)
    assert b"synthetic demo data" not in res2.paths["svg"].read_bytes()
    assert res2.sidecar["synthetic"] is False


def test_complementary_groups_in_export(tmp_path):
    tab = pd.DataFrame({"item": ["q1"] * 5, "response": range(1, 6), "count": [3, 20, 40, 30, 12]})
    d = V.likert_bars_data(tab)
    fig, _ax = V.likert_bars(tab)
    res = V.save(fig, "lik", caption="c", alt_text="a", data=d, out_dir=tmp_path, by="item")
    back = pd.read_csv(res.paths["csv"])
    assert back["suppressed"].sum() == 2  # 3 and its complement 12
    assert back.loc[back["suppressed"], "response"].tolist() == [1, 5]
    assert res.sidecar["suppression"]["by"] == ["item"]
    assert cm.privacy.audit(tmp_path).ok


def test_unsuppressed_export_is_refused_and_flagged_by_the_audit(tmp_path):
    tab = effects()
    fig, _ax = V.forest(tab)
    with pytest.raises(cm.PrivacyError, match="counts people"):
        V.save(fig, "raw", caption="c", alt_text="a", data=tab, out_dir=tmp_path, suppress=False)
    # a file written around the release path is caught by the audit
    tab.to_csv(tmp_path / "raw.csv", index=False)
    (tmp_path / "raw.json").write_text(
        json.dumps({"data_columns": list(tab.columns), "suppression": {"applied": False}})
    )
    res = cm.privacy.audit(tmp_path)
    assert not res.ok
    assert {"n", "suppression"} <= set(res.findings["column"])


def test_bad_arguments_raise(tmp_path):
    fig, _ax = V.forest(effects())
    d = V.forest_data(effects())
    with pytest.raises(CEIError, match="safe figure name"):
        V.save(fig, "../x", caption="c", alt_text="a", data=d, out_dir=tmp_path)
    with pytest.raises(CEIError, match="alt_text"):
        V.save(fig, "x", caption="c", alt_text=" ", data=d, out_dir=tmp_path)
    with pytest.raises(CEIError, match="positive"):
        V.save(fig, "x", caption="c", alt_text="a", data=d, out_dir=tmp_path, width=0)
    with pytest.raises(SchemaError):
        V.save(fig, "x", caption="c", alt_text="a", data=[1, 2], out_dir=tmp_path)
    with pytest.raises(SchemaError, match="n_col"):
        V.save(fig, "x", caption="c", alt_text="a", data=d, out_dir=tmp_path, n_col="people")
    with pytest.raises(CEIError):
        V.save("not a figure", "x", caption="c", alt_text="a", data=d, out_dir=tmp_path)
