"""Benchmarks: one module per engine, run by ``make bench`` (``python -m bench``)."""
