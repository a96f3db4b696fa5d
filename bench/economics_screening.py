"""Partner screening and the GE Monte Carlo (issue 14).

Target: screening over 60 candidates with a 200-draw Monte Carlo band in <= 10 s. Measured on
agtpa 2006 (69 countries), USA as home, the first 60 other countries as candidates, serial
executor. Peer, side by side in the same process: one exact ``solve_ge`` per candidate with no
band (what screening did before). Also timed: ``ge montecarlo --rta USA:GBR`` with 200 draws on
wiod-zylkin 2000 (44 countries, exact-hat method, serial). Writes
bench/results/economics_screening.md.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _time(fn, n: int = 3) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return min(out), float(np.median(out))


def main() -> Path:
    from bench.__main__ import machine
    from tradepolicy.datasets.readers.gravity import read_agtpa
    from tradepolicy.economics.ge import GEData, solve_ge
    from tradepolicy.services import screening
    from tradepolicy.services.gravity import run_ge_montecarlo

    a = read_agtpa()
    cur = a[a["year"] == 2006]
    cands = sorted(set(cur["exporter"]) - {"USA"})[:60]

    def run_screen() -> None:
        screening._CACHE.clear()
        rep = screening.screen(home="USA", dataset="agtpa", candidates=cands, draws=200, seed=0,
                               executor="serial")
        assert len(rep.rows) == 60

    data = GEData.from_frame(cur, flow="trade")
    c = list(data.countries)
    h = c.index("USA")

    def run_peer() -> None:
        for iso in cands:
            tau = np.ones((data.n, data.n))
            j = c.index(iso)
            tau[h, j] = tau[j, h] = np.exp(0.557)
            solve_ge(data, tau_hat=tau, sigma=7, reference="USA")

    def run_mc() -> None:
        run_ge_montecarlo(rta=["USA:GBR"], draws=200, seed=0, executor="serial")

    run_screen()  # warm-up: readers, registry, imports
    s_best, s_med = _time(run_screen)
    p_best, p_med = _time(run_peer)
    m_best, m_med = _time(run_mc)
    lines = [
        "## Economics: partner screening and the GE Monte Carlo (issue 14)",
        "",
        f"Machine: {machine()}. Shared with other engineers' jobs: absolute times are noisy.",
        "",
        "| task | best (s) | median of 3 (s) | target | notes |",
        "|---|---|---|---|---|",
        f"| screen partners: 60 candidates, 200-draw band each (agtpa 2006, 69 countries, serial) | {s_best:.2f} | "
        f"{s_med:.2f} | <= 10 s | one block of 201 equilibria per candidate, full GE by low-rank products with the shared baseline shares "
        "(economics/ge/draws.py: solve_pair_shock_full); draw 0 is the central figure |",
        f"| peer: 60 exact solve_ge, no band (what screening did before) | {p_best:.2f} | {p_med:.2f} | - | "
        "conditional + full GE per candidate |",
        f"| ge montecarlo --rta USA:GBR, 200 draws (wiod-zylkin 2000, 44 countries, serial) | {m_best:.2f} | "
        f"{m_med:.2f} | - | central figure = ge solve's; blocks of 10 draws |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    out = HERE / "results" / "economics_screening.md"
    out.write_text(text + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    main()
