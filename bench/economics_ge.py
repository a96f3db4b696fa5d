"""Structural gravity GE benchmark: ours vs gegravity 0.3 side by side, Monte Carlo, multi-sector.

Run: ``.venv/bin/python -m bench.economics_ge [--quick]``. Writes bench/results/economics_ge.md.

Problem (economics-methods.md section 2.5): N countries, lognormal output, distance,
contiguity, language and PTA dummies, international = 1 off the diagonal; gegravity's example
coefficients; reference importer C000; experiment: C001 gets a PTA with everyone; sigma 5.
Each size is solved by both tools in the same process, one after the other, and the
conditional resistances are compared.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
COEFS = {"lndist": -0.3898623, "contiguity": 0.891577, "common_language": 0.0326249,
         "pta": 0.4711383, "international": -3.412584}


def synthetic(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return gegravity-style baseline and experiment frames for N countries."""
    rng = np.random.default_rng(seed)
    names = [f"C{k:03d}" for k in range(n)]
    y = rng.lognormal(11, 1.5, n)
    e = y * rng.lognormal(0, 0.1, n)
    lnd = rng.uniform(6, 9.5, (n, n))
    lnd = (lnd + lnd.T) / 2
    np.fill_diagonal(lnd, 5.0)
    cont = (rng.random((n, n)) < 0.05).astype(int)
    cont = np.triu(cont, 1) + np.triu(cont, 1).T
    lang = (rng.random((n, n)) < 0.15).astype(int)
    lang = np.triu(lang, 1) + np.triu(lang, 1).T
    pta = (rng.random((n, n)) < 0.2).astype(int)
    pta = np.triu(pta, 1) + np.triu(pta, 1).T
    intl = 1 - np.eye(n, dtype=int)
    ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    t = np.exp(COEFS["lndist"] * lnd + COEFS["contiguity"] * cont
               + COEFS["common_language"] * lang + COEFS["pta"] * pta
               + COEFS["international"] * intl)
    trade = np.outer(y, e) / y.sum() * t * rng.lognormal(0, 0.3, (n, n))
    df = pd.DataFrame({
        "exporter": np.array(names)[ii.ravel()], "importer": np.array(names)[jj.ravel()],
        "year": "2006", "trade": trade.ravel(), "Y": y[ii.ravel()], "E": e[jj.ravel()],
        "lndist": lnd.ravel(), "contiguity": cont.ravel(), "common_language": lang.ravel(),
        "pta": pta.ravel(), "international": intl.ravel(),
    })
    exp = df.copy()
    member = (exp["exporter"] == "C001") | (exp["importer"] == "C001")
    exp.loc[member & (exp["exporter"] != exp["importer"]), "pta"] = 1
    return df, exp


def ours(df: pd.DataFrame, exp: pd.DataFrame, algorithm: str = "exact_hat") -> tuple[float, object]:
    """Time our baseline + conditional + full solve, from the frames (as gegravity does)."""
    from tradepolicy.economics.ge import GEData, cost_matrix, solve_ge

    t0 = time.perf_counter()
    flows = GEData.from_frame(df, output="Y", expenditure="E")
    c0 = cost_matrix(df, COEFS, flows.countries)
    c1 = cost_matrix(exp, COEFS, flows.countries)
    data = GEData.from_arrays(flows.flows, flows.countries, costs=c0, output=flows.output,
                              expenditure=flows.expenditure)
    res = solve_ge(data, tau_hat=c1 / c0, sigma=5, reference="C000", full_algorithm=algorithm)
    return time.perf_counter() - t0, res


def ours_solve_only(df: pd.DataFrame, exp: pd.DataFrame, repeat: int = 20) -> float:
    """Median time of solve_ge alone (arrays prepared once)."""
    from tradepolicy.economics.ge import GEData, cost_matrix, solve_ge

    flows = GEData.from_frame(df, output="Y", expenditure="E")
    c0 = cost_matrix(df, COEFS, flows.countries)
    c1 = cost_matrix(exp, COEFS, flows.countries)
    data = GEData.from_arrays(flows.flows, flows.countries, costs=c0, output=flows.output,
                              expenditure=flows.expenditure)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        solve_ge(data, tau_hat=c1 / c0, sigma=5, reference="C000")
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def peer(df: pd.DataFrame, exp: pd.DataFrame, omr_rescale: float) -> tuple[float, object]:
    """Time gegravity's build_baseline + define_experiment + simulate.

    ``omr_rescale`` is gegravity's scaling knob (its solver fails unscaled on these data);
    it is set to the power of ten nearest the median 1/Pi^(1-sigma) of our solution, which
    a gegravity user would find with ``check_omr_rescale``.
    """
    import gegravity

    est = pd.DataFrame({"var": list(COEFS), "coeff": list(COEFS.values()),
                        "se": [0.1] * len(COEFS)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        base = gegravity.BaselineData(df.copy(), trade_var_name="trade", expend_var_name="E",
                                      output_var_name="Y")
        model = gegravity.OneSectorGE(
            base, year="2006", expend_var_name="E", output_var_name="Y",
            reference_importer="C000", sigma=5, cost_variables=list(COEFS),
            cost_coeff_values=gegravity.CostCoeffs(est, identifier_col="var",
                                                   coeff_col="coeff", stderr_col="se"),
            quiet=True)
        model.build_baseline(omr_rescale=omr_rescale, mr_tolerance=1e-12)
        model.define_experiment(exp.copy())
        model.simulate(ge_tolerance=1e-12)
        return time.perf_counter() - t0, model


def conditional_diff(res: object, model: object) -> float:
    """Max relative difference of baseline and conditional IMR/OMR and one-step prices."""
    names = list(res.countries)  # type: ignore[attr-defined]
    mr = model.country_mr_terms.loc[names]  # type: ignore[attr-defined]
    fgp = model.factory_gate_prices.loc[names].iloc[:, 0].to_numpy()  # type: ignore[attr-defined]
    pairs = [
        (res.baseline.imr, mr["baseline imr"]), (res.baseline.omr, mr["baseline omr"]),  # type: ignore[attr-defined]
        (res.conditional.imr, mr["conditional imr"]),  # type: ignore[attr-defined]
        (res.conditional.omr, mr["conditional omr"]),  # type: ignore[attr-defined]
        (res.one_step_price, fgp),  # type: ignore[attr-defined]
    ]
    return max(float(np.max(np.abs(np.asarray(a) / np.asarray(b) - 1))) for a, b in pairs)


def monte_carlo(n: int = 200, draws: int = 1000) -> tuple[float, int]:
    from tradepolicy.economics.ge import GEData
    from tradepolicy.economics.montecarlo import monte_carlo_ge

    df, exp = synthetic(n)
    flows = GEData.from_frame(df, output="Y", expenditure="E")

    def mat(frame: pd.DataFrame, col: str) -> np.ndarray:
        return flows.matrix(frame.assign(**{col: frame[col].astype(float)}), col)

    z = {k: mat(df, k) for k in COEFS}
    cf = {"pta": mat(exp, "pta")}
    cov = np.diag([0.02, 0.08, 0.06, 0.05, 0.1]) ** 2
    t0 = time.perf_counter()
    res = monte_carlo_ge(flows, cost_variables=z, counterfactual=cf, coefficients=COEFS,
                         covariance=cov, sigma=5, sigma_sd=0.5, reference="C000", draws=draws)
    return time.perf_counter() - t0, res.iterations


def multisector(n: int = 200, s: int = 100) -> tuple[float, int]:
    from tradepolicy.economics.ge import MultiSectorData, solve_ge_multisector

    rng = np.random.default_rng(3)
    lnd = rng.uniform(6, 9.5, (n, n))
    lnd = (lnd + lnd.T) / 2
    np.fill_diagonal(lnd, 5.0)
    y = rng.lognormal(11, 1.5, n)
    x = np.stack([np.outer(y * rng.lognormal(0, 0.5, n), y * rng.lognormal(0, 0.3, n))
                  * np.exp(-rng.uniform(0.5, 1.2) * lnd - 3.0 * (1 - np.eye(n)))
                  for _ in range(s)])
    data = MultiSectorData.from_arrays(x, [f"C{k:03d}" for k in range(n)],
                                       [f"S{k:03d}" for k in range(s)])
    b = np.ones((n, n))
    b[1, :] *= np.exp(0.47)
    b[:, 1] *= np.exp(0.47)
    b[1, 1] = 1.0
    sig = rng.uniform(3, 9, s)
    solve_ge_multisector(data, tau_hat=b, sigma=sig, reference="C000")  # warm-up
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        res = solve_ge_multisector(data, tau_hat=b, sigma=sig, reference="C000")
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), res.diagnostics.iterations


def ppml_loop_vs_exact() -> list[str]:
    """The book's GE-PPML loop vs the exact solver on agtpa 2006 (CAN-USA border removed)."""
    from tradepolicy.datasets import is_available

    if not is_available("agtpa"):
        return ["(agtpa absent: GE-PPML comparison skipped)"]
    from tradepolicy.datasets.readers.gravity import read_agtpa
    from tradepolicy.economics.ge import GEData, cost_matrix, solve_ge, solve_ge_ppml

    raw = read_agtpa()
    df = raw[raw["year"] == 2006].copy()
    df["ln_DIST"] = np.log(df["dist"])
    df["INTL_BRDR"] = (df["exporter"] != df["importer"]).astype(int)
    coefs = {"ln_DIST": -0.791288, "cntg": 0.673646, "INTL_BRDR": -2.474450}
    flows = GEData.from_frame(df)
    t0 = cost_matrix(df, coefs, flows.countries)
    data = GEData.from_arrays(flows.flows, flows.countries, costs=t0)
    tau = np.ones((flows.n, flows.n))
    i, j = flows.index_of("CAN"), flows.index_of("USA")
    tau[i, j] = tau[j, i] = np.exp(2.474450)
    t_start = time.perf_counter()
    book = solve_ge_ppml(data, tau_hat=tau, sigma=7, reference="DEU")
    t_book = time.perf_counter() - t_start
    t_start = time.perf_counter()
    exact = solve_ge(data, tau_hat=tau, sigma=7, reference="DEU")
    t_exact = time.perf_counter() - t_start
    bf, ef = book.to_frame(), exact.to_frame()
    lines = [
        "### The book's GE-PPML procedure vs the exact solver",
        "",
        "agtpa 2006 (69 countries), the book's 2006 coefficients, sigma 7, reference DEU; "
        "counterfactual: the CAN-USA border removed (Advanced Guide ch. 2 exercise 1 style). "
        f"Book loop: {book.iterations} passes until its lagged 0.01 rule fired "
        f"({t_book * 1e3:.0f} ms); exact: {exact.diagnostics.iterations} map evaluations "
        f"({t_exact * 1e3:.0f} ms). Percent changes, (counterfactual - baseline)/baseline.",
        "",
        "| country | real GDP book | real GDP exact | price book | price exact "
        "| exports book | exports exact |",
        "|---|---|---|---|---|---|---|",
    ]
    for iso in ("CAN", "USA", "MEX", "DEU"):
        lines.append(
            f"| {iso} | {bf.loc[iso, 'full_real_gdp']:.3f} | {ef.loc[iso, 'full_real_gdp']:.3f} "
            f"| {bf.loc[iso, 'full_factory_gate_price']:.3f} "
            f"| {ef.loc[iso, 'full_factory_gate_price']:.3f} "
            f"| {bf.loc[iso, 'full_exports']:.3f} | {ef.loc[iso, 'full_exports']:.3f} |")
    gap = (bf["full_real_gdp"] - ef["full_real_gdp"]).abs()
    lines += [
        "",
        f"Max |real GDP gap| over the 69 countries: {gap.max():.3f} pp (median "
        f"{gap.median():.4f} pp). The loop oscillates around the exact equilibrium "
        "(price path of CAN: " + ", ".join(f"{v:.4f}" for v in book.price_path[:, i]) + "; "
        f"exact {exact.full.factory_gate_price[i]:.4f}) and the book's rule stops it early; "
        "the conditional stage is identical in both. The exact solver is the default; the "
        "book's procedure is offered to reproduce the book.",
        "",
    ]
    return lines


NOTES = """### Notes

- gegravity's time is the most load-sensitive figure (pandas row loops plus MINPACK on a
  shared 2-core machine); on this machine its N=200 run took between 73 s and 203 s across
  runs on the same day, so the ratio moved between about 3,000x and 7,500x. The conditional
  resistances agreed to 1e-13 to 5e-13 in every run.
- gegravity 0.3 runs under the project's pandas 3.1.1 / numpy 2.4.6 unchanged (no separate
  venv was needed). Two usage notes: `BaselineData` turns the frame's `year` column into
  str in place, so the experiment frame must use str years too; and its MR solver needs
  `omr_rescale` near the typical 1/Pi^(1-sigma) (we pass the power of ten nearest the
  median of our solution), otherwise it stops with "IMR or OMR values problematic".
- Monte Carlo: blocks of 10 draws keep each block's tensors in the 32 MiB L3 (blocks of 50
  were about twice as slow); the draws can also be spread over
  `get_executor("process" | "dask")` (`services.gravity.run_monte_carlo_ge`).
- PPML with three-way fixed effects on 1M rows: bench/results/economics_ppml.md
  (`python -m bench.economics_ppml`).

### Validation behind these figures (tests/economics/test_ge*.py, test_gravity*.py)

- Conditional GE vs gegravity 0.3 run side by side: baseline and conditional IMR/OMR and
  its one-step prices equal ours to 1e-8 (observed 1e-11 to 5e-13) on gegravity's sample
  (CAN-JPN PTA) and on agtpa 2006 (CAN-USA border removed), and in every benchmark size.
- Full endowment GE: the exact-hat iteration and the price/resistance nested fixed point
  agree to 1e-8 (observed ~1e-10); both reproduce the published output of Zylkin's
  `ge_gravity` EU-enlargement example (WIOD 2000, theta 4, additive imbalances,
  world-output numeraire): welfare, real and nominal wage and price index to the printed
  7 decimals, new flows to 1e-7.
- The book's GE-PPML loop reproduces the Advanced Guide's own Stata logs pass by pass
  (NAFTA 1994: 3 passes; trade without borders 2006: 5 passes; mean/sd/min/max of the
  price-change differences to the printed digits).
- PPML presets: Table 1 col (4) and Table 3 col (4) coefficients and pair-clustered SEs to
  the published 3 decimals (Stata small-sample convention G/(G-1)), the ch. 2 2006 stage,
  gegravity's sample PPML (7 digits) and the WIOD EU-enlargement 0.22424901 (8 decimals).
"""


def main() -> None:
    """Measure and write bench/results/economics_ge.md (``--quick`` skips N=200 gegravity)."""
    from bench.__main__ import machine

    quick = "--quick" in sys.argv
    sizes = [20, 50, 100] if quick else [20, 50, 100, 200]
    rows = []
    for n in sizes:
        df, exp = synthetic(n)
        ours(df, exp)  # warm-up
        runs = [ours(df, exp) for _ in range(7)]
        t_ours, res = min(runs, key=lambda r: r[0])
        t_ours_med = float(np.median([r[0] for r in runs]))
        t_res = min(ours(df, exp, "resistance")[0] for _ in range(3))
        t_solve = ours_solve_only(df, exp)
        xpi = np.asarray(res.baseline.omr) ** 4.0  # type: ignore[attr-defined]
        rescale = 10.0 ** round(float(np.log10(np.median(xpi))))
        t_peer, model = peer(df, exp, rescale)
        diff = conditional_diff(res, model)
        rows.append((n, t_peer, t_ours, t_ours_med, t_res, t_solve, t_peer / t_ours,
                     t_peer / t_ours_med, t_peer / t_solve, diff))
        print(f"N={n}: gegravity {t_peer:.2f} s, ours {t_ours * 1e3:.1f} ms "
              f"(solve only {t_solve * 1e3:.1f} ms), ratio {t_peer / t_ours:,.0f}x; "
              f"max rel diff {diff:.1e}", flush=True)
    t_mc, it_mc = monte_carlo()
    print(f"Monte Carlo 1000 draws N=200: {t_mc:.2f} s", flush=True)
    t_ms, it_ms = multisector()
    print(f"multi-sector N=200 S=100: {t_ms:.2f} s", flush=True)
    import numpy
    lines = [
        "## Economics: structural gravity GE (part A)",
        "",
        f"Machine: {machine()}; numpy {numpy.__version__}. Other engineers were running jobs "
        "on the same 2 cores, so absolute times are noisy; ratios are measured side by side "
        "in one process, one after the other.",
        "",
        "### One-sector GE (baseline + conditional + full endowment) vs gegravity 0.3",
        "",
        "Same problem for both (economics-methods 2.5: synthetic N countries, gegravity's "
        "example coefficients, sigma 5, C001 gets a PTA with everyone). Ours starts from the "
        "same long frame (pivot + cost matrix + solve). gegravity runs `build_baseline`, "
        "`define_experiment`, `simulate` with MINPACK tolerance 1e-12. 'diff' is the max "
        "relative difference of baseline and conditional IMR/OMR and of gegravity's one-step "
        "prices vs ours (`one_step_price`). gegravity's 'full GE' is not an equilibrium "
        "(economics-methods 2.3); ours is the exact full-endowment GE (tol 1e-10).",
        "",
        "Ours is timed 7 times (best and median reported) and the resistance-algorithm "
        "variant 3 times (best); gegravity once (a run takes seconds to minutes). 'solve "
        "only' is the median of 20 `solve_ge` calls on prepared arrays.",
        "",
        "| N | gegravity (s) | ours from frame, best / median (ms) "
        "| ours, resistance algorithm (ms) | ours solve only (ms) "
        "| ratio (best / median) | ratio (solve only) | diff |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, tp, to, tm, tr, ts, r1, r1m, r2, d in rows:
        lines.append(f"| {n} | {tp:.2f} | {to * 1e3:.1f} / {tm * 1e3:.1f} | {tr * 1e3:.1f} "
                     f"| {ts * 1e3:.1f} | {r1:,.0f}x / {r1m:,.0f}x | {r2:,.0f}x | {d:.1e} |")
    lines += [
        "",
        "### Monte Carlo and multi-sector",
        "",
        "| task | time | target | notes |",
        "|---|---|---|---|",
        f"| Monte Carlo, 1,000 draws of beta ~ N(beta, V) and sigma ~ N(5, 0.5), N=200, "
        f"baseline + conditional + full per draw | {t_mc:.2f} s | <= 10 s | blocks of 10 "
        f"draws as a tensor axis; max iterations per stage {it_mc} |",
        f"| Multi-sector GE, N=200, S=100, sector sigmas in [3, 9], conditional + full "
        f"| {t_ms:.2f} s (median of 3) | <= 2 s | {it_ms} map evaluations |",
        "",
    ]
    lines += ppml_loop_vs_exact()
    lines += [NOTES]
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "economics_ge.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
