"""Benchmarks: speed and memory of cei_metrics side by side with the anchor libraries.

Run ``make bench`` (or ``python -m benchmarks [--quick] [NAME ...]``). Each module
``benchmarks/bench_<area>.py`` exposes ``run(quick=False) -> list[dict]`` with the keys
``benchmark, ours_s, anchor, anchor_s, ratio, peak_mb, note``; ``ratio`` is the anchor's
time divided by ours (above 1: we are faster). These are measurements, not tests.
"""
