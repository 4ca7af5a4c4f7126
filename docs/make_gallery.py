"""Rebuild the README gallery: one small PNG thumbnail per figure kind in docs/gallery/.

Run from the repository root::

    .venv/bin/python docs/make_gallery.py

Inputs come from the synthetic demo world (``cm.load_demo(seed=2019)``) where a figure
reads a canonical table directly (Likert items, Priority 3 ratings, Dashboard grid), and
from small fixed example frames otherwise, so the gallery is rebuilt bit for bit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import cei_metrics as cm
from cei_metrics.schemas import C

OUT = Path(__file__).resolve().parent / "gallery"
THUMB_DPI = 110


def _likert(demo) -> pd.DataFrame:
    s = demo.survey
    s = s[s[C.ITEM].str.startswith("trust_") & s[C.VALUE].notna()]
    return (
        s.groupby([C.ITEM, C.VALUE])
        .size()
        .rename("count")
        .reset_index()
        .rename(columns={C.VALUE: "response"})
        .astype({"response": int})
    )


def _dashboard(demo) -> pd.DataFrame:
    o = demo.outcomes
    o = o[(o[C.LEVEL] == "district") & (o[C.INDICATOR] == "chronic_absenteeism")]
    o = o[o[C.GROUP] == "All students"]
    cur = o[o[C.YEAR] == "2017-18"].set_index(C.CDS)
    pri = o[o[C.YEAR] == "2016-17"].set_index(C.CDS)
    both = cur.join(pri[[C.VALUE]].add_suffix("_prior"), how="inner").head(12)
    return pd.DataFrame(
        {
            "label": both[C.NAME].to_numpy(),
            "status": both[C.VALUE].to_numpy(),
            "change": (both[C.VALUE] - both[f"{C.VALUE}_prior"]).to_numpy(),
            "n": both[C.DENOMINATOR].to_numpy(),
        }
    )


def examples() -> dict[str, tuple]:
    demo = cm.load_demo(seed=2019)
    years = ["2018-19", "2020-21", "2022-23", "2024-25"]
    names = ["Azusa", "Oxnard", "Cajon Valley", "Ontario-Montclair", "East Side", "Anaheim"]
    rows = []
    for i, lab in enumerate(names):
        for j, y in enumerate(years):
            est = 3.1 + 0.05 * i + 0.12 * j * (i % 3 + 1) / 2
            rows.append(
                {
                    "label": lab,
                    "year": y,
                    "estimate": est,
                    "ci_low": est - 0.15,
                    "ci_high": est + 0.15,
                }
            )
    trends = pd.DataFrame(rows)
    ratio = np.array([0.62, 0.81, 0.95, 1.08, 1.3])
    parity = pd.DataFrame(
        {
            "label": ["EL families", "SED families", "Spanish speakers", "Staff", "Other"],
            "estimate": ratio,
            "ci_low": ratio * 0.82,
            "ci_high": ratio * 1.2,
        }
    )
    k = np.arange(1, 9)
    retention = pd.concat(
        [
            pd.DataFrame({"session": k, "share": np.round(0.97 ** (k - 1) * f, 3), "grp": g})
            for g, f in (("family", 1.0), ("staff", 1.0))
        ]
    )
    retention.loc[retention["grp"] == "family", "share"] = np.round(0.9 ** (k - 1), 3)
    score = pd.DataFrame(
        {
            "metric": ["trust", "communication", "voice", "reach", "representation"],
            "reliability": ["meets", "borderline", "meets", "not tested", "not tested"],
            "structure": ["meets", "meets", "borderline", "not tested", "not tested"],
            "invariance": ["meets", "fails", "meets", "not tested", "not tested"],
            "responsiveness": ["meets", "borderline", "meets", "meets", "borderline"],
            "validity": ["borderline", "meets", "meets", "meets", "fails"],
        }
    )
    e = np.arange(-4, 5)
    est = np.where(e < 0, 0.15 * np.sin(e), -1.2 * np.minimum(e + 1, 4))
    event = pd.DataFrame(
        {
            "event_time": e,
            "estimate": est,
            "ci_low": est - 0.9,
            "ci_high": est + 0.9,
            "band_low": est - 1.3,
            "band_high": est + 1.3,
        }
    )
    t = np.arange(2012, 2025)
    gap = pd.Series(np.where(t >= 2019, -0.8 * (t - 2018), 0.2 * np.sin(t)), index=t)
    plac = pd.DataFrame({f"d{i}": 1.2 * np.sin(0.7 * t + i) for i in range(10)}, index=t)
    fx = np.array([-3.1, -2.4, -1.0, -4.2, 0.4, -2.0])
    forest = pd.DataFrame({"label": names, "estimate": fx, "ci_low": fx - 1.5, "ci_high": fx + 1.5})
    return {
        "likert_bars": (cm.viz.likert_bars, (_likert(demo),), {"instrument": "family_engagement"}),
        "scale_trends": (cm.viz.scale_trends, (trends,), {}),
        "parity_dots": (cm.viz.parity_dots, (parity,), {}),
        "retention_curve": (cm.viz.retention_curve, (retention,), {"group_col": "grp"}),
        "p3_heatmap": (cm.viz.p3_heatmap, (demo.ratings,), {}),
        "scorecard_heatmap": (cm.viz.scorecard_heatmap, (score,), {}),
        "event_study": (cm.viz.event_study, (event,), {}),
        "synth_gap": (cm.viz.synth_gap, (gap, plac), {"start": 2019}),
        "forest": (cm.viz.forest, (forest,), {}),
        "dashboard_grid": (cm.viz.dashboard_grid, (_dashboard(demo),), {"year": 2018}),
        "feedback_trend": (
            cm.viz.feedback_trend,
            (cm.indicators.convening_feedback(demo.feedback),),
            {},
        ),
        "goal_progress": (
            cm.viz.goal_progress,
            (cm.indicators.goal_progress(demo.goals),),
            {"names": dict(zip(demo.roster[C.DISTRICT_ID], demo.roster[C.NAME]))},
        ),
    }


def main() -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (fn, args, kw) in examples().items():
        fig, _ = fn(*args, **kw)
        fig.text(
            0.995,
            0.995,
            "synthetic demo data",
            ha="right",
            va="top",
            fontsize=8,
            color="#B00000",
            style="italic",
        )
        path = OUT / f"{name}.png"
        fig.savefig(path, dpi=THUMB_DPI, metadata={"Software": None})
        written.append(path)
    return written


if __name__ == "__main__":
    for p in main():
        print(p.relative_to(Path.cwd()) if p.is_relative_to(Path.cwd()) else p)
