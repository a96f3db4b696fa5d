"""Exact-hat GE of one trade-cost shock for a block of parameter draws at once.

The baseline is the observed flows (exact hat: t_ij^(1-sigma) rationalises them), and the
shock multiplies t_ij^(1-sigma) by exp(beta_b * D_ij) for an (N, N) shock pattern D (1 on
the pairs of a new agreement). Each draw b has its own beta_b and sigma_b. This is the
Monte Carlo engine behind ``ge montecarlo`` (the default, "exact-hat" method) and the
uncertainty band of partner screening: with beta_b = beta and sigma_b = sigma it is the
same equilibrium as :func:`tradepolicy.economics.ge.solve_ge` with the exact-hat algorithm
(tested to 1e-8).

Pure numpy; blocks can be handed to any executor's ``map`` (``solve_shock_block`` is a
module-level function of picklable arguments).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from tradepolicy.economics.ge.kernels import expenditure_rule, full_ge_exact_hat, solve_mr

__all__ = ["MEASURES", "solve_shock_block", "solve_shock_drawn"]

MEASURES = (
    "full_real_gdp",
    "full_welfare",
    "full_factory_gate_price",
    "full_exports",
    "conditional_real_gdp",
    "conditional_exports",
)


def solve_shock_drawn(consts: tuple[Any, ...], params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Solve the block of draws ``params`` (``beta`` (B, 1), ``sigma`` (B,)) of an exact-hat shock.

    The runner of :func:`tradepolicy.economics.uncertainty.monte_carlo` for ``ge montecarlo``;
    ``consts`` = (flows, delta, ref, imbalance, numeraire, tol, max_iter). Picklable through
    ``functools.partial``.
    """
    flows, delta, ref, imbalance, numeraire, tol, max_iter = consts
    r = solve_shock_block((flows, delta, np.asarray(params["beta"])[:, 0], params["sigma"], ref, imbalance,
                           numeraire, tol, max_iter))
    return {**r["samples"], "residual": np.asarray(r["residual"]), "iterations": np.array([int(r["iterations"])])}


def solve_shock_block(args: tuple[Any, ...]) -> dict[str, Any]:
    """Solve one block of draws of an exact-hat shock.

    ``args`` = (flows, delta, beta, sigma, ref, imbalance, numeraire, tol, max_iter[,
    conditional]) with flows and delta (N, N), beta and sigma (B,); ``conditional=False``
    skips the conditional stage (its measures are then NaN). Returns ``samples`` (measure -> (B, N)
    relative changes, decimal), ``bilateral`` ((B, N, N) counterfactual flows over baseline
    flows, NaN where the baseline flow is 0), ``residual`` (B,) and ``iterations``.
    """
    flows, delta, beta, sig, ref, imbalance, numeraire, tol, max_iter = args[:9]
    conditional = bool(args[9]) if len(args) > 9 else True
    x = np.asarray(flows, dtype=float)
    n = x.shape[0]
    bsz = int(np.asarray(beta).shape[0])
    y = x.sum(axis=1)
    e = x.sum(axis=0)
    y_b = np.broadcast_to(y, (bsz, n)).copy()
    e_b = np.broadcast_to(e, (bsz, n)).copy()
    ysh = y_b / y_b.sum(axis=1, keepdims=True)
    esh = e_b / e_b.sum(axis=1, keepdims=True)
    pi0 = x / e[None, :]  # baseline import shares
    # costs that rationalise the flows with xPi = xP = 1 (u0 = v0 = 0): T0_ij = pi_ij / y_i
    t0 = pi0 / (y / y.sum())[:, None]
    bhat = np.exp(np.asarray(beta, dtype=float)[:, None, None] * np.asarray(delta, float)[None])
    diag = np.arange(n)

    def matvec(t: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.asarray(np.matmul(t, v[..., None])[..., 0])

    pi = np.broadcast_to(pi0, (bsz, n, n))
    ex0 = matvec(pi, e_b) - e_b * pi[:, diag, diag]
    sig_arr = np.asarray(sig, dtype=float)
    theta = sig_arr - 1.0
    if conditional:
        t1 = t0[None] * bhat
        uc, vc, fpc = solve_mr(t1, ysh, esh, ref, tol=tol, max_iter=max_iter)
        xpc = np.exp(vc)
        rowc = ysh * np.exp(uc)
        exc = rowc * (matvec(t1, e_b * xpc) - e_b * t1[:, diag, diag] * xpc)
        del t1
        start = -uc / sig_arr[:, None]
        cond_res, cond_it = fpc.residual, fpc.iterations
    else:
        vc = exc = np.full((bsz, n), np.nan)
        start = None
        cond_res, cond_it = np.zeros(bsz), 0
    a = pi * bhat
    lw, lph, fpf = full_ge_exact_hat(a, None, y_b, e_b, theta, ref, imbalance, tol=tol,
                                     max_iter=max_iter, z0=start, numeraire=numeraire)
    th = theta[:, None]
    w = np.exp(lw)
    p_hat = np.exp(-lph / th)
    e_new = expenditure_rule(w * y_b, y_b, e_b, imbalance)
    dem = e_new / np.exp(lph)
    # counterfactual flows X'_ij = A_ij w_i^(-theta) E'_j / Phat_j
    new_flows = a * np.exp(-th * lw)[:, :, None] * dem[:, None, :]
    ex1 = new_flows.sum(axis=2) - new_flows[:, diag, diag]
    p_cond = np.exp(vc / th)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(x[None] > 0, new_flows / np.where(x > 0, x, 1.0)[None], np.nan)
    out = {
        "full_real_gdp": w / p_hat - 1.0,
        "full_welfare": (e_new / e_b) / p_hat - 1.0,
        "full_factory_gate_price": w - 1.0,
        "full_exports": ex1 / ex0 - 1.0,
        "conditional_real_gdp": 1.0 / p_cond - 1.0,
        "conditional_exports": exc / ex0 - 1.0,
    }
    return {
        "samples": out,
        "flows": new_flows,
        "ratio": ratio,
        "residual": np.maximum(cond_res, fpf.residual),
        "iterations": max(cond_it, fpf.iterations),
    }


def solve_pair_shock_full(args: tuple[Any, ...]) -> dict[str, Any]:
    """Full-endowment GE of a shock on a few cells, for a block of draws, by low-rank products.

    The same fixed point as :func:`tradepolicy.economics.ge.kernels.full_ge_exact_hat`
    (Zylkin's exact-hat update), but A_b = pi + sum over the shocked cells c of
    pi_c (exp(beta_b) - 1) e_c is never built: each product with A_b is one product with the
    shared baseline shares pi (a matrix product over the whole block) plus a correction on
    the shocked cells. ``args`` = (flows, cells, beta, sigma, ref, imbalance, numeraire, tol,
    max_iter) with ``cells`` a list of (exporter index, importer index) and beta, sigma (B,).
    Returns ``welfare`` and ``real_gdp`` (B, N) relative changes (decimal), ``residual`` (B,)
    and ``iterations``. Tested equal to :func:`solve_shock_block` (and so to ``solve_ge``).
    """
    from tradepolicy.economics.ge.kernels import anderson

    flows, cells, beta, sig, ref, imbalance, numeraire, tol, max_iter = args
    x = np.asarray(flows, dtype=float)
    n = x.shape[0]
    beta = np.asarray(beta, dtype=float)
    bsz = beta.shape[0]
    out_lev = x.sum(axis=1)
    exp_lev = x.sum(axis=0)
    pi = x / exp_lev[None, :]
    pi_t = np.ascontiguousarray(pi.T)
    y_b = np.broadcast_to(out_lev, (bsz, n)).copy()
    e_b = np.broadcast_to(exp_lev, (bsz, n)).copy()
    y = y_b / y_b.sum(-1, keepdims=True)
    d = np.exp(beta) - 1.0                        # (B,) change of A on the shocked cells
    ci = np.array([c[0] for c in cells], dtype=np.int64)
    cj = np.array([c[1] for c in cells], dtype=np.int64)
    pc = pi[ci, cj]                               # (K,)
    th = (np.asarray(sig, dtype=float) - 1.0)[:, None]

    def phat(z: np.ndarray) -> np.ndarray:
        v = np.exp(-th * z)
        out = v @ pi
        for k in range(len(pc)):  # the few shocked cells
            out[:, cj[k]] += pc[k] * d * v[:, ci[k]]
        return np.asarray(out)

    def g(z: np.ndarray) -> np.ndarray:
        w = np.exp(z)
        ph = phat(z)
        e_new = expenditure_rule(w * y_b, y_b, e_b, imbalance)
        u = (e_new / e_new.sum(-1, keepdims=True)) / ph
        s = u @ pi_t
        for k in range(len(pc)):
            s[:, ci[k]] += pc[k] * d * u[:, cj[k]]
        yw = (y * w).sum(-1, keepdims=True)
        zh = (np.log(s) + np.log(yw) - np.log(y)) / (1.0 + th)
        if numeraire == "world_output":
            return np.asarray(zh - np.log((y * np.exp(zh)).sum(-1, keepdims=True)))
        v = np.exp(-th * zh)
        ph_ref = v @ pi[:, ref]
        at_ref = cj == ref
        if at_ref.any():
            ph_ref = ph_ref + ((pc[at_ref][None, :] * d[:, None]) * v[:, ci[at_ref]]).sum(-1)
        return np.asarray(zh + np.log(ph_ref)[:, None] / th)

    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        fp = anderson(g, np.zeros((bsz, n)), tol=tol, max_iter=max_iter)
        lph = np.log(phat(fp.x))
    w = np.exp(fp.x)
    p_hat = np.exp(-lph / th)
    e_new = expenditure_rule(w * y_b, y_b, e_b, imbalance)
    return {"welfare": (e_new / e_b) / p_hat - 1.0, "real_gdp": w / p_hat - 1.0,
            "residual": fp.residual, "iterations": fp.iterations}
