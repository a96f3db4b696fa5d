"""Monte Carlo over gravity coefficients and the elasticity, vectorised across draws.

Each draw b takes beta_b ~ N(beta_hat, V) (the PPML estimates and their covariance) and,
optionally, sigma_b ~ N(sigma, sigma_sd) truncated to sigma > 1. It rebuilds the baseline
costs T_b = exp(Z beta_b) and counterfactual costs T'_b = exp(Z' beta_b), solves the baseline
resistances, the conditional and the full-endowment equilibria, exactly as
:func:`tradepolicy.economics.ge.solve_ge` with the exact-hat algorithm, for a whole block of
draws at once (the draws are a leading tensor axis; economics-methods.md section 9.1).
Blocks can be handed to any ``map`` (e.g. ``get_executor("dask").map``): the engine itself
never imports Dask.

Reported quantities are relative changes (decimal) from the baseline, per draw and country;
bands are quantiles over draws.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import numpy as np
import pandas as pd

from tradepolicy.economics.ge.data import GEData
from tradepolicy.economics.ge.draws import MEASURES
from tradepolicy.economics.ge.kernels import expenditure_rule, full_ge_exact_hat, solve_mr
from tradepolicy.economics.ge.onesector import check_sigma, check_tolerance
from tradepolicy.economics.uncertainty import monte_carlo
from tradepolicy.errors import ConvergenceError, InputError
from tradepolicy.literals import check_literal

__all__ = ["MEASURES", "MonteCarloResult", "draw_parameters", "monte_carlo_ge", "normal_draws", "solve_block",
           "solve_drawn"]


MapFn = Callable[[Callable[[Any], Any], Sequence[Any]], list[Any]]


@dataclass(frozen=True, eq=False)
class MonteCarloResult:
    """Draws and bands of a Monte Carlo GE.

    Attributes
    ----------
    countries
        ISO3 codes (N).
    coefficient_names
        Cost variables, in the column order of ``coefficient_draws``.
    coefficient_draws
        (D, K) drawn coefficients.
    sigma_draws
        (D,) drawn elasticities of substitution.
    samples
        measure -> (D, N) relative changes (decimal) from the baseline.
    seed
        Seed of ``np.random.default_rng``.
    iterations
        Largest iteration count over blocks and stages.
    max_residual
        Largest final residual over all draws and stages (log units).
    quantiles
        Quantiles reported by :meth:`bands`.
    """

    countries: tuple[str, ...]
    coefficient_names: tuple[str, ...]
    coefficient_draws: np.ndarray
    sigma_draws: np.ndarray
    samples: dict[str, np.ndarray]
    seed: int
    iterations: int
    max_residual: float
    quantiles: tuple[float, ...]

    @property
    def draws(self) -> int:
        """Number of draws D."""
        return int(self.sigma_draws.shape[0])

    def bands(self, measure: str = "full_real_gdp", unit: str = "percent") -> pd.DataFrame:
        """Mean, standard deviation and quantiles over draws, per country (ISO3 index)."""
        if measure not in self.samples:
            raise InputError(f"unknown measure {measure!r}", field="measure",
                             expected=" | ".join(self.samples))
        check_literal(unit, ("percent", "decimal"), name="unit")
        scale = 100.0 if unit == "percent" else 1.0
        x = scale * self.samples[measure]
        cols: dict[str, np.ndarray] = {"mean": x.mean(axis=0), "std": x.std(axis=0, ddof=1)
                                       if self.draws > 1 else np.zeros(x.shape[1])}
        for q in self.quantiles:
            cols[f"q{round(q * 100):02d}"] = np.quantile(x, q, axis=0)
        frame = pd.DataFrame(cols, index=pd.Index(self.countries, name="iso3"))
        frame.attrs["unit"] = unit
        frame.attrs["measure"] = measure
        return frame

    def to_frame(self, unit: str = "percent") -> pd.DataFrame:
        """Long table of bands: one row per (measure, country)."""
        parts = [self.bands(m, unit).assign(measure=m).reset_index() for m in self.samples]
        return pd.concat(parts, ignore_index=True).set_index(["measure", "iso3"])


def normal_draws(
    coefficients: Mapping[str, float],
    covariance: np.ndarray | None,
    sigma: float,
    sigma_sd: float,
) -> Callable[[np.random.Generator, int], dict[str, np.ndarray]]:
    """Return ``draw(rng, D)`` -> ``{"beta": (D, K), "sigma": (D,)}``: beta ~ N(mean, V), sigma ~ N(σ, sd) > 1.

    The draw function of :func:`tradepolicy.economics.uncertainty.monte_carlo` for the GE
    Monte Carlo (``covariance=None`` fixes the coefficients; ``sigma_sd=0`` fixes σ).
    """
    mean = np.array([float(v) for v in coefficients.values()])
    k = mean.size
    cov = None
    if covariance is not None:
        cov = np.asarray(covariance, dtype=float)
        if cov.shape != (k, k) or not np.allclose(cov, cov.T, atol=1e-12):
            raise InputError(
                f"covariance must be a symmetric ({k}, {k}) matrix in coefficient order",
                field="covariance",
            )
        evals = np.linalg.eigvalsh(cov)
        if evals.min() < -1e-10 * max(1.0, abs(evals.max())):
            raise InputError("covariance is not positive semi-definite", field="covariance")
    if not np.isfinite(sigma_sd) or sigma_sd < 0:
        raise InputError(f"sigma_sd must be a finite number >= 0; got {sigma_sd!r}",
                         field="sigma_sd", expected="0 (fixed sigma) or a positive standard "
                         "deviation", example="0.5")

    def draw(rng: np.random.Generator, draws: int) -> dict[str, np.ndarray]:
        beta = (np.tile(mean, (draws, 1)) if cov is None
                else rng.multivariate_normal(mean, cov, size=draws, method="eigh"))
        sig = np.full(draws, sigma)
        if sigma_sd > 0:
            sig = rng.normal(sigma, sigma_sd, size=draws)
            bad = sig <= 1.0
            tries = 0
            while bad.any():
                sig[bad] = rng.normal(sigma, sigma_sd, size=int(bad.sum()))
                bad = sig <= 1.0
                tries += 1
                if tries > 1000:
                    raise InputError("sigma draws keep falling at or below 1", field="sigma_sd")
        return {"beta": beta, "sigma": sig}

    return draw


def draw_parameters(
    coefficients: Mapping[str, float],
    covariance: np.ndarray | None,
    sigma: float,
    sigma_sd: float,
    draws: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (D, K) coefficient draws and (D,) sigma draws (sigma > 1 by rejection)."""
    d = normal_draws(coefficients, covariance, sigma, sigma_sd)(np.random.default_rng(seed), draws)
    return d["beta"], d["sigma"]


def solve_drawn(consts: tuple[Any, ...], params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Solve the block of draws ``params`` (``beta`` (B, K), ``sigma`` (B,)).

    The runner of :func:`tradepolicy.economics.uncertainty.monte_carlo` for the GE Monte
    Carlo; ``consts`` = (z0, z1, y, e, ref, imbalance, tol, max_iter). Picklable through
    ``functools.partial``.
    """
    z0, z1, y, e, ref, imbalance, tol, max_iter = consts
    r = solve_block((z0, z1, y, e, params["beta"], params["sigma"], ref, imbalance, tol, max_iter))
    return {**r["samples"], "residual": np.asarray(r["residual"]),
            "iterations": np.array([int(r["iterations"])])}


def solve_block(args: tuple[Any, ...]) -> dict[str, Any]:
    """Solve one block of draws (picklable entry point for executors).

    ``args`` = (z0, z1, y, e, beta, sigma, ref, imbalance, tol, max_iter) with z0, z1 of
    shape (K, N, N), beta (B, K), sigma (B,).
    """
    z0, z1, y_lev, e_lev, beta, sig, ref, imbalance, tol, max_iter = args
    bsz, n = beta.shape[0], y_lev.shape[0]
    t0 = np.exp(np.einsum("bk,kij->bij", beta, z0))
    bhat = np.exp(np.einsum("bk,kij->bij", beta, z1 - z0))
    y_b = np.broadcast_to(y_lev, (bsz, n)).copy()
    e_b = np.broadcast_to(e_lev, (bsz, n)).copy()
    ysh = y_b / y_b.sum(axis=1, keepdims=True)
    esh = e_b / e_b.sum(axis=1, keepdims=True)
    u0, v0, fp0 = solve_mr(t0, ysh, esh, ref, tol=tol, max_iter=max_iter)
    diag = np.arange(n)

    def matvec(t: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.asarray(np.matmul(t, v[..., None])[..., 0])

    # baseline import shares pi_ij = X_ij / E_j = y_i T_ij xPi_i xP_j; foreign exports
    # sum_{j != i} E_j pi_ij by matrix-vector products (no flow tensors are built)
    pi = t0 * (ysh * np.exp(u0))[:, :, None] * np.exp(v0)[:, None, :]
    ex0 = matvec(pi, e_b) - e_b * pi[:, diag, diag]
    t1 = t0 * bhat
    del t0
    uc, vc, fpc = solve_mr(t1, ysh, esh, ref, tol=tol, max_iter=max_iter, u0=u0)
    xpc = np.exp(vc)
    rowc = ysh * np.exp(uc)
    exc = rowc * (matvec(t1, e_b * xpc) - e_b * t1[:, diag, diag] * xpc)
    del t1
    a = pi * bhat
    del pi, bhat
    theta = sig - 1.0
    # first-order start: p^(-sigma) ~ xPi_cond / xPi_0 (economics-methods section 2.3)
    lw, lph, fpf = full_ge_exact_hat(a, None, y_b, e_b, theta, ref, imbalance, tol=tol,
                                     max_iter=max_iter, z0=-(uc - u0) / sig[:, None])
    th = theta[:, None]
    w = np.exp(lw)
    p_hat = np.exp(-lph / th)  # change in P (lph = log hat P^(1-sigma))
    e_new = expenditure_rule(w * y_b, y_b, e_b, imbalance)
    dem = e_new / np.exp(lph)
    ex1 = np.exp(-th * lw) * (matvec(a, dem) - a[:, diag, diag] * dem)
    p_cond = np.exp((vc - v0) / th)
    out = {
        "full_real_gdp": w / p_hat - 1.0,
        "full_welfare": (e_new / e_b) / p_hat - 1.0,
        "full_factory_gate_price": w - 1.0,
        "full_exports": ex1 / ex0 - 1.0,
        "conditional_real_gdp": 1.0 / p_cond - 1.0,
        "conditional_exports": exc / ex0 - 1.0,
    }
    residual = np.maximum(np.maximum(fp0.residual, fpc.residual), fpf.residual)
    return {
        "samples": out,
        "residual": residual,
        "iterations": max(fp0.iterations, fpc.iterations, fpf.iterations),
    }


def monte_carlo_ge(
    data: GEData,
    *,
    cost_variables: Mapping[str, np.ndarray],
    counterfactual: Mapping[str, np.ndarray],
    coefficients: Mapping[str, float],
    covariance: np.ndarray | None,
    sigma: float,
    reference: str,
    sigma_sd: float = 0.0,
    draws: int = 1000,
    seed: int = 0,
    imbalance: Literal["multiplicative", "additive"] = "multiplicative",
    quantiles: Sequence[float] = (0.05, 0.5, 0.95),
    block: int = 10,
    tol: float = 1e-10,
    max_iter: int = 5000,
    map_fn: MapFn | None = None,
) -> MonteCarloResult:
    """Run a Monte Carlo GE over coefficient (and elasticity) draws.

    Parameters
    ----------
    data
        Flows, output and expenditure (``data.costs`` is ignored: costs come from the draws).
    cost_variables
        name -> (N, N) baseline value of each cost variable z_k (country order of ``data``).
    counterfactual
        name -> (N, N) counterfactual values; variables not named keep their baseline.
    coefficients
        name -> PPML estimate beta_k (keys must match ``cost_variables``).
    covariance
        (K, K) covariance in the order of ``coefficients``; ``None`` fixes the coefficients.
    sigma, sigma_sd
        Elasticity of substitution and the standard deviation of its draws (0: fixed).
    draws, seed
        Number of draws and the seed of ``np.random.default_rng``.
    block
        Draws solved together (memory ~ 8 x block x N^2 x 8 bytes). The default 10 keeps a
        block's tensors inside a 32 MiB L3 cache at N = 200, which was twice as fast as 50.
    map_fn
        ``map(fn, items) -> list`` used to solve the blocks (e.g. an executor's ``map``);
        default: in-process.

    Raises
    ------
    InputError
        Bad shapes, names, sigma <= 1, unknown reference.
    ConvergenceError
        Any draw failed to converge (details give the count and the worst residual).
    """
    check_sigma(sigma)
    check_tolerance(tol, max_iter)
    check_literal(imbalance, ("multiplicative", "additive"), name="imbalance")
    ref = data.index_of(reference)
    names = tuple(coefficients)
    unknown = [k for k in (*cost_variables, *counterfactual) if k not in coefficients]
    missing = [k for k in names if k not in cost_variables]
    if unknown or missing:
        raise InputError(
            f"cost variables and coefficients do not match (no coefficient: {unknown}; no "
            f"data: {missing})",
            field="coefficients",
            expected="the same names in cost_variables, counterfactual and coefficients",
        )
    for name, val in (("draws", draws), ("block", block)):
        if isinstance(val, bool) or not isinstance(val, int | np.integer) or val < 1:
            raise InputError(f"{name} must be an integer >= 1; got {val!r}", field=name,
                             expected="an integer >= 1", example="1000")
    n = data.n
    z0 = np.stack([np.asarray(cost_variables[k], dtype=float) for k in names])
    z1 = np.stack([np.asarray(counterfactual.get(k, cost_variables[k]), dtype=float)
                   for k in names])
    if z0.shape != (len(names), n, n) or z1.shape != z0.shape:
        raise InputError(f"every cost variable must be an ({n}, {n}) matrix",
                         field="cost_variables")
    if not (np.all(np.isfinite(z0)) and np.all(np.isfinite(z1))):
        raise InputError("cost variables must be finite", field="cost_variables")
    itol = max(tol * 1e-2, 1e-14)
    consts = (z0, z1, np.asarray(data.output), np.asarray(data.expenditure), ref, imbalance, itol, max_iter)
    mc = monte_carlo(partial(solve_drawn, consts), normal_draws(coefficients, covariance, float(sigma),
                                                                float(sigma_sd)),
                     draws=int(draws), seed=seed, block=int(block), map_fn=map_fn)
    residual = mc.samples["residual"]
    bad = ~(residual <= tol)
    if bad.any():
        raise ConvergenceError(
            f"{int(bad.sum())} of {draws} draws did not converge",
            field="max_iter",
            details={"failed_draws": np.flatnonzero(bad)[:20].tolist(),
                     "max_residual": float(np.nanmax(residual))},
        )
    samples = {m: mc.samples[m] for m in MEASURES}
    return MonteCarloResult(
        countries=data.countries,
        coefficient_names=names,
        coefficient_draws=mc.parameters["beta"],
        sigma_draws=mc.parameters["sigma"],
        samples=samples,
        seed=seed,
        iterations=int(mc.samples["iterations"].max()),
        max_residual=float(residual.max()),
        quantiles=tuple(float(q) for q in quantiles),
    )
