"""Benchmarks: speed and memory of cei_metrics side by side with the anchor libraries.

Run ``make bench`` (or ``python -m benchmarks [--quick] [NAME ...]``). Each module
``benchmarks/bench_<area>.py`` exposes ``run(quick=False, settings=None) -> list[dict]``
and builds its rows with the shared harness (:mod:`benchmarks._harness`): the same
warm-up, repetitions, thread settings, memory rule and result check for cei_metrics and
its anchors. A full run writes ``benchmarks/results/<date>-<host>.csv`` and a sidecar
``.json``; ``python -m benchmarks.readme`` rewrites the README's speed table from the
newest results. ``ratio`` is the anchor's median time divided by ours (above 1: we are
faster). These are measurements, not tests.
"""
