"""PPML with three-way fixed effects on a balanced panel: pyfixest vs our paths, side by side.

Run: ``.venv/bin/python -m bench.economics_ppml [--rows 1000000]``. Appends its table to
bench/results/economics_ppml.md.

Panel (economics-methods.md section 6.2): 200 exporters x 200 importers x T years
(T = 25 gives 1,000,000 rows), FE exporter-year, importer-year and pair; regressors a
time-varying PTA dummy and a border x year trend; about a third zeros; clustered by pair.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def make_panel(n: int = 200, years: int = 25, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    i, j, t = np.meshgrid(np.arange(n), np.arange(n), np.arange(years), indexing="ij")
    i, j, t = i.ravel(), j.ravel(), t.ravel()
    intl = (i != j).astype(float)
    start = rng.integers(0, years * 2, (n, n))
    start = np.minimum(start, start.T)
    pta = ((t >= start[i, j]) & (intl > 0)).astype(float)
    brdr_t = intl * t / years
    a = rng.normal(0, 1, (n, years))
    b = rng.normal(0, 1, (n, years))
    pair = rng.normal(0, 1.5, (n, n))
    pair = (pair + pair.T) / 2
    eta = 1.0 + a[i, t] + b[j, t] + pair[i, j] - 2.0 * intl + 0.4 * pta - 0.3 * brdr_t
    trade = rng.poisson(np.exp(eta) * rng.gamma(2.0, 0.5, eta.size)).astype(float)
    return pd.DataFrame({
        "exporter": i, "importer": j, "year": t, "trade": trade, "pta": pta,
        "brdr_t": brdr_t, "exp_year": i * years + t, "imp_year": j * years + t,
        "pair": i * n + j,
    })


def main() -> None:
    """Measure and write bench/results/economics_ppml.md."""
    import pyfixest as pf

    from bench.__main__ import machine
    from tradepolicy.economics.gravity import estimate_ppml, estimate_ppml_panel

    rows = 1_000_000
    if "--rows" in sys.argv:
        rows = int(sys.argv[sys.argv.index("--rows") + 1])
    years = max(1, rows // 40_000)
    df = make_panel(200, years)
    fml = "trade ~ pta + brdr_t | exp_year + imp_year + pair"
    print(f"{len(df):,} rows, zeros {float((df['trade'] == 0).mean()):.1%}", flush=True)

    # warm-up (numba JIT of pyfixest, first-call imports) on a small panel
    small = make_panel(20, 3)
    pf.fepois(fml, data=small, vcov={"CRV1": "pair"})
    estimate_ppml(small, fml, cluster="pair")
    estimate_ppml_panel(small, "trade", ["pta", "brdr_t"])

    def timed(label: str, fn):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t0
        print(f"{label}: {dt:.1f} s", flush=True)
        return dt, out

    # pyfixest, estimate_ppml as a user calls it (balanced three-way panel detected: dense
    # path) and estimate_ppml forced onto pyfixest are interleaved twice and the best of each
    # is kept: on the shared machine single runs varied by +-30%
    pf_runs, auto_runs, gen_runs = [], [], []
    for _ in range(2):
        pf_runs.append(timed("pyfixest defaults",
                             lambda: pf.fepois(fml, data=df, vcov={"CRV1": "pair"})))
        auto_runs.append(timed("estimate_ppml (as called; auto-detected dense path)",
                               lambda: estimate_ppml(df, fml, cluster="pair")))
        gen_runs.append(timed("estimate_ppml(fast_path=False) (pyfixest + checks)",
                              lambda: estimate_ppml(df, fml, cluster="pair", fast_path=False)))
    t_pf, pf_default = min(pf_runs, key=lambda r: r[0])
    t_auto, auto = min(auto_runs, key=lambda r: r[0])
    t_gen, gen = min(gen_runs, key=lambda r: r[0])
    t_fast, fast = timed("estimate_ppml_panel",
                         lambda: estimate_ppml_panel(df, "trade", ["pta", "brdr_t"]))
    t_tight, tight = timed("pyfixest tight (reference)", lambda: pf.fepois(
        fml, data=df, vcov={"CRV1": "pair"}, iwls_tol=1e-10, demeaner=pf.MapDemeaner(fixef_tol=1e-10)))
    ref = tight.coef().to_numpy()
    assert "fast path" in auto.vcov_type and "fast path" not in gen.vcov_type

    def diff(coefs: np.ndarray) -> float:
        return float(np.max(np.abs(np.asarray(coefs) - ref)))

    def runs(rs: list) -> str:  # type: ignore[type-arg]
        return ", ".join(f"{t:.1f}" for t, _ in rs)

    lines = [
        "## Economics: PPML with three-way fixed effects (part A)",
        "",
        f"Machine: {machine()}. Shared with other engineers' jobs (noisy; load average "
        f"{os.getloadavg()[0]:.1f} at the end of the run); the runs are side by side in one "
        "process, after a warm-up on a small panel; the first three rows are the best of two "
        "interleaved runs each, the others single runs.",
        "",
        f"Panel: 200 x 200 x {years} = {len(df):,} rows, "
        f"{float((df['trade'] == 0).mean()):.0%} zeros, FE exporter-year, importer-year, pair "
        "(pre-built integer codes, as users usually have them); "
        f"CRV1 by pair. pyfixest {pf.__version__}. Reference for the coefficient column: "
        "pyfixest with iwls_tol 1e-10 and fixef_tol 1e-10.",
        "",
        "| implementation | wall time (s) | ratio vs pyfixest defaults | rows used "
        "| max abs coef diff vs reference |",
        "|---|---|---|---|---|",
        f"| pyfixest `fepois`, defaults (iwls_tol 1e-8, fixef_tol 1e-6, fe check) "
        f"| {t_pf:.1f} | 1.00 | {pf_default._N:,} | {diff(pf_default.coef().to_numpy()):.1e} |",
        f"| `estimate_ppml(df, fml, cluster=\"pair\")` as a user calls it: the balanced "
        f"three-way structure is detected (no `panel=` given), dense fast path "
        f"| {t_auto:.1f} | {t_pf / t_auto:.2f} | {auto.n_obs:,} "
        f"| {diff(auto.coefficients.to_numpy()):.1e} |",
        f"| `estimate_ppml(..., fast_path=False)`: pyfixest with its default tolerances, "
        f"fe + singleton + ir checks, drop report (the route of any non-three-way model) "
        f"| {t_gen:.1f} | {t_pf / t_gen:.2f} | {gen.n_obs:,} "
        f"| {diff(gen.coefficients.to_numpy()):.1e} |",
        f"| `estimate_ppml_panel` dense fast path alone (tol 1e-10, fixef 1e-11) "
        f"| {t_fast:.1f} | {t_pf / t_fast:.2f} | {fast.n_obs:,} "
        f"| {diff(fast.coefficients.to_numpy()):.1e} |",
        f"| pyfixest, iwls_tol 1e-10, fixef_tol 1e-10 (reference) | {t_tight:.1f} "
        f"| {t_pf / t_tight:.2f} | {tight._N:,} | 0 |",
        "",
        f"Individual runs (s): pyfixest defaults {runs(pf_runs)}; `estimate_ppml` as called "
        f"{runs(auto_runs)}; `estimate_ppml(fast_path=False)` {runs(gen_runs)}.",
        "",
        "On this panel `estimate_ppml` detects the three-way structure by itself (the FE and "
        "the cluster are checked as partitions of the rows against exporter x year, importer "
        "x year and exporter x importer; the rows fill at least half of the cells; one row per "
        "cell) and takes the dense path; the check costs well under a second at 1M rows. "
        "`fast_path=False` (and any model that is not the three-way one, e.g. the book's "
        "Table 3 pair FE shared by domestic pairs) is pyfixest itself plus our fe/singleton "
        "pre-pass (two bincounts per FE per pass, ~0.1 s at 1M rows) and pyfixest's own ir "
        "check: its time is pyfixest's within the noise of this machine, not faster.",
        "",
        "The fast path treats the panel as a dense exporter x importer x year tensor: the "
        "three fixed effects are its three margins, so each alternating-projection step is "
        "an axis sum (no scatter/gather), extrapolated by Irons-Tuck and warm-started across "
        "IRLS iterations with a loose-to-tight demeaning tolerance. Rows that are absent, "
        "missing, FE-separated or singletons get zero weight; it does not run the ir check "
        "and hands the problem to pyfixest (which does) if its IRLS does not converge or zero "
        "cells look separated by a regressor. CRV1 by pair with "
        "G/(G-1), as `estimate_ppml(ssc=\"stata\")`.",
        "",
    ]
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "economics_ppml.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
