"""Economics PE benchmark: SMART over every shrimp market and at 5,000 lines x 200 partners,
GSIM at 100 x 100 and on the shrimp world matrix, and Monte Carlo with 10,000 draws.

Peers are measured by ratio in the same run: SMART's vectorised kernel against a scalar
loop of the same closed forms; GSIM's one linear solve against a damped finite-difference
Newton iteration in the style of the published GSIM 4x4 script; the batched Newton of the
enforcement PE against one solve per draw. Writes bench/results/economics_pe.md.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _best(fn: Callable[[], object], n: int = 5) -> float:
    """Best of n wall times in seconds (the least noisy on a shared machine)."""
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return min(out)


def _smart_scalar(m0: np.ndarray, t0: np.ndarray, t1: np.ndarray, eps: float, sig: float) -> float:
    """The same closed forms, one market at a time in plain Python (the peer)."""
    total = 0.0
    for p in range(m0.shape[0]):
        row_m, row_t0, row_t1 = m0[p].tolist(), t0[p].tolist(), t1[p].tolist()
        r = [(1 + b) / (1 + a) for a, b in zip(row_t0, row_t1, strict=True)]
        ref = max(rr for rr, mm in zip(r, row_m, strict=True) if mm > 0)
        w = [1 + sig * (ref / rr - 1) for rr in r]
        den = sum(mm * ww for mm, ww in zip(row_m, w, strict=True))
        tot = sum(row_m)
        for k in range(len(row_m)):
            tc = row_m[k] * eps * (row_t0[k] - row_t1[k]) / (1 + row_t0[k])
            td = row_m[k] * (w[k] * tot - den) / den
            total += tc + td
    return total


def _gsim_fd_newton(M: np.ndarray, T0: np.ndarray, T1: np.ndarray, em: float, es: float, ex: float) -> np.ndarray:
    """Damped Newton with a finite-difference Jacobian and step 1/1024 (published-script style)."""
    th = M * T0 / (M * T0).sum(axis=0)
    phi = M / M.sum(axis=1, keepdims=True)
    dT = T1 / T0 - 1
    own = th * em - (1 - th) * es
    cross = th * (em + es)

    def excess(x: np.ndarray) -> np.ndarray:
        P = dT + x[:, None]
        mhat = own * P + (cross * P).sum(axis=0)[None, :] - cross * P
        return (phi * mhat).sum(axis=1) - ex * x

    x = np.zeros(M.shape[0])
    f = excess(x)
    h = 1 / 32768
    while True:
        J = np.empty((len(x), len(x)))
        for i in range(len(x)):
            x1 = x.copy()
            x1[i] += h
            J[i] = (excess(x1) - f) / h
        x1 = x - np.linalg.solve(J.T, f) / 1024
        f1 = excess(x1)
        if f1 @ f1 < f @ f:
            x, f = x1, f1
        else:
            return x


def main() -> None:
    """Measure and write bench/results/economics_pe.md (in a child with BLAS on one thread)."""
    if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        import subprocess
        import sys

        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        subprocess.run([sys.executable, "-m", "bench.economics_pe"], env=env, check=True,
                       cwd=str(HERE.parent))
        return
    _measure()


def _measure() -> None:
    from bench.__main__ import machine

    os.environ.setdefault("TRADEPOLICY_DATA_MIRROR", str(HERE.parent.parent / "shared" / "data"))
    from tradepolicy.datasets.readers.baci import read_baci_shrimp_2018
    from tradepolicy.economics.pe import enforcement_tariff, gsim, smart
    from tradepolicy.economics.pe.gsim import gsim_from_frame

    lines: list[str] = ["## Economics: partial equilibrium (SMART, GSIM, enforcement PE)\n",
                        f"Machine: {machine()}. Best of 5 runs unless stated; other engineers share the 2 cores,"
                        " so single timings are noisy (±30%) and the ratios, measured in the same run, are the"
                        " figures to quote. BLAS runs on one thread (OPENBLAS_NUM_THREADS=1): with OpenBLAS's"
                        " default 2 threads on this loaded 2-core machine, small dense solves were about 20x"
                        " slower (GSIM Monte Carlo below: 34.6 s vs 1.8 s, measured side by side).\n"]
    rng = np.random.default_rng(7)

    # 1. SMART on every (importer x HS6) market of baci-shrimp-2018: a +25% duty on the largest supplier.
    df = read_baci_shrimp_2018()
    df["exporter"] = df["exporter"].fillna("TWN")
    wide = df.pivot_table(index=["importer", "hs6"], columns="exporter", values="value_kusd", aggfunc="sum",
                          fill_value=0.0)
    m0 = wide.to_numpy(float)
    t0 = np.full_like(m0, 0.05)
    t1 = t0 + 0.25 * (m0 == m0.max(axis=1, keepdims=True))
    nmk, nk = m0.shape
    t_vec = _best(lambda: smart(m0, t0, t1, import_demand_elasticity=1.2, substitution_elasticity=1.5))
    t_sca = _best(lambda: _smart_scalar(m0, t0, t1, 1.2, 1.5), n=3)
    v = smart(m0, t0, t1, import_demand_elasticity=1.2, substitution_elasticity=1.5).total_effect.sum()
    assert abs(v - _smart_scalar(m0, t0, t1, 1.2, 1.5)) < 1e-6 * abs(v)
    lines += ["| task | size | ours | peer | ratio |", "|---|---|---|---|---|",
              f"| SMART, every shrimp market (importer x HS6) | {nmk:,} markets x {nk} partners | {t_vec * 1e3:.1f} ms |"
              f" scalar loop {t_sca * 1e3:.0f} ms | {t_sca / t_vec:.0f}x |"]
    # 2. SMART at the methods-note target: 5,000 lines x 200 partners (target <= 1 s).
    M = rng.lognormal(3, 2, size=(5000, 200))
    T0 = rng.uniform(0, 0.3, size=M.shape)
    T1 = np.where(rng.uniform(size=M.shape) < 0.3, T0 * 0.5, T0)
    t_big = _best(lambda: smart(M, T0, T1, import_demand_elasticity=1.3, substitution_elasticity=1.5,
                                export_supply_elasticity=50.0), n=3)
    t_big_sca = _best(lambda: _smart_scalar(M, T0, T1, 1.3, 1.5), n=1)
    lines.append(f"| SMART, synthetic | 5,000 lines x 200 partners | {t_big * 1e3:.0f} ms (target <= 1 s) |"
                 f" scalar loop {t_big_sca:.1f} s | {t_big_sca / t_big:.0f}x |")
    # 3. GSIM: 4x4 published example vs the damped FD-Newton style; 100x100; shrimp world matrix.
    M4 = np.array([[0, 50, 200, 300], [500, 0, 150, 200], [300, 100, 200, 200], [50, 100, 110, 20]], float)
    T04 = np.array([[1, 1.21, 1.41, 1.22], [1.37, 1, 1.31, 1.23], [1.32, 1.36, 1, 1.18], [1.57, 1.41, 1.25, 1.15]])
    T14 = T04.copy()
    T14[2, 0] = T14[0, 2] = 1.0
    t_g4 = _best(lambda: gsim(M4, T04, T14, import_demand_elasticity=-1.25, substitution_elasticity=5,
                              export_supply_elasticity=1.5), n=20)
    t_fd = _best(lambda: _gsim_fd_newton(M4, T04, T14, -1.25, 5.0, 1.5), n=1)
    x_fd = _gsim_fd_newton(M4, T04, T14, -1.25, 5.0, 1.5)
    x_ls = gsim(M4, T04, T14, import_demand_elasticity=-1.25, substitution_elasticity=5,
                export_supply_elasticity=1.5).world_price_change
    lines.append(f"| GSIM 4x4 (published example) | 4 regions | {t_g4 * 1e3:.2f} ms | damped FD-Newton"
                 f" {t_fd * 1e3:.0f} ms (max diff {np.abs(x_fd - x_ls).max():.1e}) | {t_fd / t_g4:.0f}x |")
    M100 = rng.lognormal(3, 1.5, size=(100, 100))
    T0100 = 1 + rng.uniform(0, 0.3, size=M100.shape)
    T1100 = np.where(rng.uniform(size=M100.shape) < 0.1, 1.0, T0100)
    t_g100 = _best(lambda: gsim(M100, T0100, T1100, import_demand_elasticity=-1.25, substitution_elasticity=5,
                                export_supply_elasticity=1.5))
    lines.append(f"| GSIM | 100 x 100 | {t_g100 * 1e3:.2f} ms | — | — |")
    s = df[df["hs6"] == "030617"].rename(columns={"value_kusd": "value"}).copy()
    s["importer"] = s["importer"].fillna("TWN")
    s["t0"] = 1.0
    s["t1"] = np.where((s["exporter"] == "IND") & (s["importer"] == "USA"), 1.25, 1.0)
    regs, Ms, T0s, T1s = gsim_from_frame(s, t0="t0", t1="t1")
    t_gs = _best(lambda: gsim(Ms, T0s, T1s, import_demand_elasticity=-1.25, substitution_elasticity=5,
                              export_supply_elasticity=1.5))
    lines.append(f"| GSIM, shrimp 030617 world matrix | {len(regs)} x {len(regs)} | {t_gs * 1e3:.2f} ms | — | — |")
    es_d = rng.triangular(2.5, 5.0, 10.0, size=(1000, 1))
    chunk = 56

    def gsim_mc() -> None:
        for lo in range(0, 1000, chunk):
            gsim(Ms, T0s, T1s, import_demand_elasticity=-1.25, substitution_elasticity=es_d[lo:lo + chunk],
                 export_supply_elasticity=1.5)

    def gsim_loop() -> None:
        for d in range(200):
            gsim(Ms, T0s, T1s, import_demand_elasticity=-1.25, substitution_elasticity=float(es_d[d, 0]),
                 export_supply_elasticity=1.5)

    t_gmc = _best(gsim_mc, n=2)
    t_gl = _best(gsim_loop, n=1) * 5
    lines.append(f"| GSIM Monte Carlo, shrimp world matrix | 1,000 draws x {len(regs)} x {len(regs)}, batches of"
                 f" {chunk} | {t_gmc:.2f} s | one solve per draw {t_gl:.2f} s (200 timed, x5) | {t_gl / t_gmc:.1f}x |")
    # 4. Monte Carlo, 10,000 draws: SMART on the US frozen-shrimp market; enforcement PE.
    us = wide.loc[("USA", "030617")].to_numpy(float)[None, :]
    tu0 = np.zeros_like(us)
    tu1 = tu0 + 0.25 * (us == us.max())
    D = 10_000
    eps = rng.triangular(0.6, 1.2, 2.4, size=(D, 1, 1))
    sig = rng.triangular(0.75, 1.5, 3.0, size=(D, 1, 1))
    t_mc = _best(lambda: smart(us, tu0, tu1, import_demand_elasticity=eps, substitution_elasticity=sig), n=3)
    t_mc_loop = _best(lambda: [smart(us, tu0, tu1, import_demand_elasticity=float(eps[d, 0, 0]),
                                     substitution_elasticity=float(sig[d, 0, 0])) for d in range(1000)], n=1) * 10
    lines.append(f"| SMART Monte Carlo (US 030617) | {D:,} draws x {us.shape[1]} partners | {t_mc * 1e3:.0f} ms |"
                 f" loop of single runs {t_mc_loop:.1f} s (1,000 timed, x10) | {t_mc_loop / t_mc:.0f}x |")
    v0 = np.array([2500.0, 7500.0, 30000.0])
    e0 = np.array([0.05, 0.05, 0.0])
    e1 = np.array([0.30, 0.05, 0.0])
    de = rng.triangular(0.5, 1.0, 2.0, size=(D, 1))
    ds = rng.triangular(1.5, 3.0, 6.0, size=(D, 1))
    deta = np.column_stack([rng.triangular(2, 5, 20, size=D), np.full(D, 10.0), np.full(D, 3.0)])

    def enf_batch() -> object:
        return enforcement_tariff(v0, e0, e1, demand_elasticity=de, substitution_elasticity=ds,
                                  supply_elasticities=deta, sources=["subject", "non-subject", "domestic"],
                                  domestic=[False, False, True])

    def enf_loop(n: int) -> None:
        for d in range(n):
            enforcement_tariff(v0, e0, e1, demand_elasticity=float(de[d, 0]), substitution_elasticity=float(ds[d, 0]),
                               supply_elasticities=deta[d], sources=["subject", "non-subject", "domestic"],
                               domestic=[False, False, True])

    t_eb = _best(enf_batch, n=3)
    t_el = _best(lambda: enf_loop(500), n=1) * (D / 500)
    lines.append(f"| Enforcement PE Monte Carlo (Newton, batched) | {D:,} draws x 3 sources | {t_eb * 1e3:.0f} ms |"
                 f" one solve per draw {t_el:.1f} s (500 timed, scaled) | {t_el / t_eb:.0f}x |")
    lines += ["", "Notes: the SMART scalar peer is the same Laird-Yeats closed forms written as a per-market"
              " Python loop (results agree to 1e-6 relative); the GSIM peer iterates the published 4x4"
              " script's damped Newton (finite-difference Jacobian, step /1024, stop when the squared"
              " excess demand stops falling) where our engine solves the linear system once. The batched"
              " GSIM Monte Carlo draws elasticities that are equal across regions, so market clearing for"
              " every draw is solved from one eigendecomposition of K = phi theta' (each draw's residual"
              " checked; a direct solve otherwise); the rest of the cost is the (draws x R x V) welfare"
              " arithmetic. The loop peer is one dense LAPACK solve per draw.", ""]
    text = "\n".join(lines)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "economics_pe.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
