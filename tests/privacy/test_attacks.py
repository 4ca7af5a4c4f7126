"""Each disclosure attack measured on a report run, reproduced on planted data: it now
recovers nothing."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from matplotlib.container import BarContainer

import cei_metrics as cm
from cei_metrics.privacy import Ledger, audit, release

V = cm.viz
SMALL = range(1, 11)


def _csv(path):
    return pd.read_csv(path, keep_default_na=True)


# 1. coverage: rows = items x respondents gives back a blanked n
def test_attack_rows_give_back_a_suppressed_n(tmp_path):
    cov = pd.DataFrame(
        {
            "district_id": ["0100001", "0100002", "0100003"],
            "wave": [1, 1, 1],
            "rows": [60, 1200, 960],  # 12 items x 5, x 100, x 80
            "n": [5, 100, 80],
        }
    )
    out = release(cov, name="intake_survey_coverage", keys=["district_id", "wave"], ledger=False)
    small = out[out["district_id"] == "0100001"].iloc[0]
    assert pd.isna(small["n"]) and pd.isna(small["rows"])
    # nothing left in the table divides back to 5
    shown = out[["rows", "n"]].dropna()
    assert not any(r / 12 in SMALL for r in shown["rows"])


# 2. notebook 01's wave total minus the other districts' published counts
@pytest.mark.parametrize("total_first", [True, False])
def test_attack_wave_total_minus_other_districts(tmp_path, total_first):
    led = Ledger(tmp_path / ".ledger.parquet")
    by_district = pd.DataFrame(
        {
            "district_id": [f"01000{i:02d}" for i in range(6)],
            "wave": 1,
            "n": [5, 900, 800, 760, 700, 821],
        }
    )
    total = by_district.groupby("wave", as_index=False)["n"].sum()  # 3981 + 5 = 3986
    assert int(total["n"].iat[0]) == 3986

    def parts():
        return release(
            by_district,
            name="coverage",
            measure="survey respondents",
            keys=["district_id", "wave"],
            ledger=led,
        )

    def tot():
        return release(
            total, name="wave totals", measure="survey respondents", keys=["wave"], ledger=led
        )

    if total_first:
        t, p = tot(), parts()
    else:
        p, t = parts(), tot()
    published_total = t["n"].dropna().sum()
    residual = published_total - p["n"].dropna().sum()
    assert residual not in SMALL and (residual == 0 or residual >= 11 or pd.isna(t["n"].iat[0]))
    assert pd.isna(p.loc[p["district_id"] == "0100000", "n"]).all()
    assert led.violations().empty


# 3. estimate x the district's EL share x n gives 3 EL families
def test_attack_representation_estimate_times_share_times_n(tmp_path):
    rep = pd.DataFrame(
        {
            "label": ["Small EL", "Other"],
            "estimate": [(3 / 40) / 0.25, (30 / 120) / 0.2],
            "ci_low": [0.1, 1.0],
            "ci_high": [0.9, 1.5],
            "n": [40, 120],
            "count": [3, 30],
            "group_share": [3 / 40, 30 / 120],
            "enrolment_share": [0.25, 0.2],
        }
    )
    fig, _ax = V.parity_dots(rep)
    res = V.save(
        fig,
        "el_representation",
        caption="c",
        alt_text="a",
        data=V.parity_dots_data(rep),
        out_dir=tmp_path,
    )
    back = _csv(res.paths["csv"])
    row = back[back["label"] == "Small EL"].iloc[0]
    assert row[["estimate", "n"]].isna().all()
    # the attack: estimate x EL share x n
    for _, r in back.dropna(subset=["estimate", "n"]).iterrows():
        share = rep.set_index("label").loc[r["label"], "enrolment_share"]
        assert round(r["estimate"] * share * r["n"]) not in SMALL
    assert audit(tmp_path).ok


# 4. a retention CSV's share x n gives 3 attendees
def test_attack_retention_share_times_n(tmp_path):
    ret = pd.DataFrame({"session": [1, 2, 3, 4], "count": [40, 25, 14, 3], "n": 40})
    ret["share"] = ret["count"] / ret["n"]
    fig, _ax = V.retention_curve(ret)
    res = V.save(
        fig,
        "convening_retention",
        caption="c",
        alt_text="a",
        data=V.retention_curve_data(ret),
        out_dir=tmp_path,
    )
    back = _csv(res.paths["csv"])
    shown = back.dropna(subset=["share", "n"])
    k = np.round(shown["share"] * shown["n"])
    assert not k.isin(SMALL).any() and not (shown["n"] - k).isin(SMALL).any()
    assert pd.isna(back.loc[back["session"] == 4, "share"]).all()
    # the image draws what the CSV shows: the line has no point at session 4
    line = next(ln for ln in _ax.get_lines() if ln.get_gid() == "retention-0")
    assert np.isnan(np.asarray(line.get_ydata(), dtype=float)[3])


# 5. the Likert SVG's bar widths give the suppressed counts 3 and 50
def test_attack_likert_bar_widths(tmp_path):
    tab = pd.DataFrame(
        {"item": ["q1"] * 5, "response": [1, 2, 3, 4, 5], "count": [3, 80, 60, 50, 90]}
    )
    n = tab["count"].sum()
    fig, ax = V.likert_bars(tab)
    widths = [
        p.get_width() for c in ax.containers if isinstance(c, BarContainer) for p in c.patches
    ]
    lefts = sorted(
        p.get_x() for c in ax.containers if isinstance(c, BarContainer) for p in c.patches
    )
    recovered = {round(w * n) for w in widths} | {round(b * n) for b in np.diff(lefts)}
    assert 3 not in recovered and 50 not in recovered
    res = V.save(
        fig,
        "likert",
        caption="c",
        alt_text="a",
        data=V.likert_bars_data(tab),
        by="item",
        out_dir=tmp_path,
    )
    back = _csv(res.paths["csv"])
    assert back.loc[back["suppressed"], "response"].tolist() == [1, 4]
    svg = res.paths["svg"].read_text()
    assert "n&lt;11" in svg or "n<11" in svg  # the empty mark is labelled
    assert audit(tmp_path).ok


# 6. the trust-trends PNG plots a 5-respondent mean that its CSV blanks
def test_attack_trend_image_draws_a_small_mean(tmp_path):
    tab = pd.DataFrame(
        {
            "label": ["A", "A", "A"],
            "year": ["2019-20", "2021-22", "2023-24"],
            "estimate": [3.5, 3.98, 3.7],
            "ci_low": [3.3, 2.00, 3.5],
            "ci_high": [3.7, 5.96, 3.9],
            "n": [80, 5, 90],
        }
    )
    fig, ax = V.scale_trends(tab, ax=None)
    a = ax.ravel()[0]
    ys = np.concatenate([np.asarray(ln.get_ydata(), dtype=float) for ln in a.get_lines()])
    assert not np.isclose(ys, 3.98).any() and not np.isclose(ys, 5.96).any()
    segs = [
        np.asarray(s, dtype=float).reshape(-1, 2)
        for col in a.collections
        if hasattr(col, "get_segments")
        for s in col.get_segments()
    ]
    assert not any(np.isclose(s[:, 1], 5.96).any() or np.isclose(s[:, 1], 2.0).any() for s in segs)
    assert any(t.get_text() == "n<11" for t in a.texts)
    res = V.save(
        fig,
        "trust_trends",
        caption="c",
        alt_text="a",
        data=V.scale_trends_data(tab),
        out_dir=tmp_path,
    )
    back = _csv(res.paths["csv"])
    assert back.loc[1, ["estimate", "ci_low", "ci_high", "n"]].isna().all()


def test_a_figure_drawn_from_unreleased_data_is_refused(tmp_path):
    import matplotlib.pyplot as plt

    tab = pd.DataFrame(
        {
            "label": ["A", "B"],
            "estimate": [1.0, 2.0],
            "ci_low": [0.5, 1.5],
            "ci_high": [1.5, 2.5],
            "n": [5, 50],
            "y": [1.0, 0.0],
            "suppressed": [False, False],
        }
    )
    fig, ax = plt.subplots()
    ax.plot(tab["estimate"], tab["y"], "o")
    fig._cei_released = tab  # what was drawn: the small row too
    with pytest.raises(cm.PrivacyError, match="blanks"):
        V.save(fig, "bad", caption="c", alt_text="a", data=tab, out_dir=tmp_path)


# 7. formula injection reaches figure CSVs unchanged
def test_attack_formula_injection_is_neutralised(tmp_path):
    tab = pd.DataFrame(
        {
            "label": [
                '=HYPERLINK("http://x","y")',
                "+cmd|' /C calc'!A0",
                "@SUM(1+1)",
                "-2+3",
                "\tx",
                "\rx",
                "plain",
            ],
            "estimate": [-0.25, 1.0, 2.0, -3.5, 0.0, 1.0, 2.0],
            "ci_low": [-0.5, 0.5, 1.5, -4.0, -0.1, 0.5, 1.5],
            "ci_high": [0.0, 1.5, 2.5, -3.0, 0.1, 1.5, 2.5],
            "n": [40, 40, 40, 40, 40, 40, 40],
        }
    )
    fig, _ax = V.forest(tab)
    res = V.save(fig, "inj", caption="c", alt_text="a", data=V.forest_data(tab), out_dir=tmp_path)
    import csv

    rows = list(csv.DictReader(res.paths["csv"].open(newline="")))
    for r in rows:
        assert not r["label"].startswith(("=", "+", "-", "@", "\t", "\r")), r["label"]
    assert rows[0]["label"].startswith("'=")
    assert rows[0]["estimate"] == "-0.25" and rows[3]["estimate"] == "-3.5"  # numbers stay
    assert float(rows[3]["ci_low"]) == -4.0
    assert cm.privacy.to_csv_bytes(pd.DataFrame({"=x": [1]})).startswith(b"'=x")


# 8. the HTML reports leak and are never audited
def test_attack_reports_are_audited(tmp_path):
    figs, reps = tmp_path / "figures", tmp_path / "reports"
    figs.mkdir()
    (reps / "executed").mkdir(parents=True)
    (reps / "report.html").write_text(
        "<html><body><p>Questions: maria.lopez@gmail.com or (562) 555-0134.</p>"
        "<table><thead><tr><th>event</th><th>participants</th></tr></thead>"
        "<tbody><tr><td>Meeting at 1432 W Maple Ave</td><td>2</td></tr></tbody></table>"
        "<table><thead><tr><th>group</th><th>share</th><th>respondents</th></tr></thead>"
        "<tbody><tr><td>EL</td><td>0.5</td><td>6</td></tr></tbody></table>"
        "</body></html>"
    )
    res = audit(figs, reps)
    whats = " ".join(res.findings["what"])
    assert "e-mail" in whats and "phone" in whats and "street address" in whats
    assert {"participants", "respondents"} <= set(res.findings["column"])
    # the report runner audits both folders
    import inspect

    from cei_metrics import report

    assert "run_audit(figures_dir, reports_dir" in inspect.getsource(report.run_report)


def test_sidecar_names_the_ledger_and_the_audit_reads_hidden_files(tmp_path):
    tab = pd.DataFrame(
        {"label": ["A"], "estimate": [1.0], "ci_low": [0.5], "ci_high": [1.5], "n": [50]}
    )
    fig, _ = V.forest(tab)
    res = V.save(fig, "f", caption="c", alt_text="a", data=V.forest_data(tab), out_dir=tmp_path)
    meta = json.loads(res.paths["json"].read_text())
    assert meta["suppression"]["ledger"] == ".ledger.parquet"
    led = pd.read_parquet(tmp_path / ".ledger.parquet")
    assert led["n"].tolist() == [50.0]
    hidden = tmp_path / ".cache"
    hidden.mkdir()
    pd.DataFrame({"families": [4]}).to_csv(hidden / "x.csv", index=False)
    assert not audit(tmp_path).ok
