"""Economics engines: gravity estimation, structural gravity GE, partial equilibrium, sweeps.

Sub-packages
------------
gravity
    PPML with high-dimensional fixed effects (pyfixest) and named presets of Yotov et al.
    (2016), with separation checks and dropped-observation reports.
ge
    Structural gravity general equilibrium: one-sector conditional and full-endowment
    counterfactuals by two independent algorithms, the Advanced Guide's GE-PPML procedure,
    and a multi-sector extension.
montecarlo
    Monte Carlo over elasticities and coefficients, vectorised across draws.

Engines are pure: they take arrays and frames, return frozen dataclasses, and never touch
files, databases or Dask.
"""
