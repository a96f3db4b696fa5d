"""Numerical kernels of the structural gravity GE, batched over a leading axis.

Every array carries a leading batch axis B (B = 1 for a single solve, B = draws for a Monte
Carlo), so one code path serves both. Shapes: cost tensors (B, N, N) with exporters on axis
1 and importers on axis 2; country vectors (B, N).

Notation (Anderson & van Wincoop 2003; Larch & Yotov 2016; gegravity's ``OneSectorGE``):
T_ij = t_ij^(1-sigma); y_i = Y_i / sum Y; e_j = E_j / sum E; the unknowns are
xPi_i = 1 / Pi_i^(1-sigma) and xP_j = 1 / P_j^(1-sigma), solving

    xP_j  * sum_i T_ij y_i xPi_i = 1       (IMR)
    xPi_i * sum_j T_ij e_j xP_j  = 1       (OMR)

with the reference importer's P_ref = 1. Full endowment: factory-gate prices p_i move,
Y'_i = p_i Y_i, E' follows the imbalance rule, and market clearing y'_i = (beta_i p_i
Pi'_i)^(1-sigma) holds with beta_i fixed at the baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "FixedPoint",
    "anderson",
    "expenditure_rule",
    "full_ge_exact_hat",
    "full_ge_resistance",
    "solve_mr",
]


@dataclass(frozen=True)
class FixedPoint:
    """Outcome of a batched fixed-point solve.

    Attributes
    ----------
    x
        (B, n) solution (log variables).
    iterations
        Map evaluations used.
    residual
        (B,) max |g(x) - x| at the returned point (log units).
    converged
        (B,) residual <= tol.
    """

    x: np.ndarray
    iterations: int
    residual: np.ndarray
    converged: np.ndarray


def anderson(
    g: Callable[[np.ndarray], np.ndarray],
    x0: np.ndarray,
    *,
    tol: float,
    max_iter: int,
    m: int = 6,
) -> FixedPoint:
    """Solve x = g(x) for a batch of problems by Anderson acceleration (type II).

    Walker & Ni (2011). Each batch row has its own mixing coefficients (a small regularised
    least-squares problem); the history restarts when an iterate is not finite or the
    residual grows a hundredfold over the best seen.
    """
    x = np.array(x0, dtype=float)
    bsz, n = x.shape
    # history in a ring buffer: the mixing weights do not depend on the column order
    fm = np.empty((bsz, n, m))
    gm = np.empty((bsz, n, m))
    count = 0
    f_prev = g_prev = None
    best = np.full(bsz, np.inf)
    res = np.full(bsz, np.inf)
    eye = np.eye(m)
    it = 0
    for it in range(1, max_iter + 1):
        gx = g(x)
        f = gx - x
        res = np.max(np.abs(f), axis=1)
        if not np.isfinite(res).all():
            raise FloatingPointError("fixed-point map returned non-finite values")
        if (res <= tol).all():
            return FixedPoint(gx, it, res, res <= tol)
        if (res > 100 * best).any():
            count = 0
            f_prev = g_prev = None
        np.minimum(best, res, out=best)
        if f_prev is not None and g_prev is not None:
            slot = count % m
            fm[:, :, slot] = f - f_prev
            gm[:, :, slot] = gx - g_prev
            count += 1
        f_prev, g_prev = f, gx
        k = min(count, m)
        if k:
            fk = fm[:, :, :k]
            ft = fk.transpose(0, 2, 1)
            a = ft @ fk
            rhs = ft @ f[..., None]
            scale = np.trace(a, axis1=1, axis2=2)[:, None, None] / k + 1e-300
            gamma = np.linalg.solve(a + 1e-12 * scale * eye[:k, :k], rhs)
            x = gx - (gm[:, :, :k] @ gamma)[..., 0]
            if not np.isfinite(x).all():
                x = gx
                count = 0
        else:
            x = gx
    return FixedPoint(x, it, res, res <= tol)


def _rowdot(t: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Return sum_j t[b, i, j] v[b, j] (B, N)."""
    return np.matmul(t, v[..., None])[..., 0]


def _coldot(t: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Return sum_i t[b, i, j] v[b, i] (B, N)."""
    return np.matmul(v[:, None, :], t)[:, 0, :]


def solve_mr(
    t: np.ndarray,
    y: np.ndarray,
    e: np.ndarray,
    ref: int,
    *,
    tol: float,
    max_iter: int,
    u0: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, FixedPoint]:
    """Solve the multilateral resistances for a batch of cost tensors.

    Sinkhorn (biproportional) iteration in logs, Anderson-accelerated, on u = log xPi; the
    inward resistances are normalised at every step so that xP_ref = 1.

    Returns
    -------
    log_xpi, log_xp, diagnostics
        (B, N) log(1 / Pi_i^(1-sigma)), (B, N) log(1 / P_j^(1-sigma)), and the solve.
    """
    # vector @ matrix is about twice as fast as matrix @ vector for stacked matrices, so
    # keep a transposed copy for the row products
    t_t = np.ascontiguousarray(np.swapaxes(t, 1, 2))

    def imr(u: np.ndarray) -> np.ndarray:
        v = -np.log(_coldot(t, y * np.exp(u)))
        return np.asarray(v - v[:, ref : ref + 1])

    def g(u: np.ndarray) -> np.ndarray:
        return np.asarray(-np.log(_coldot(t_t, e * np.exp(imr(u)))))

    start = np.zeros_like(y) if u0 is None else u0
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        fp = anderson(g, start, tol=tol, max_iter=max_iter)
        v = imr(fp.x)
    return fp.x, v, fp


def expenditure_rule(
    y_new: np.ndarray,
    output: np.ndarray,
    expenditure: np.ndarray,
    imbalance: str,
) -> np.ndarray:
    """Return counterfactual expenditure E' (B, N) from counterfactual output Y' (B, N).

    ``additive``: E'_j = Y'_j + D_j with the deficit D_j = E_j - Y_j fixed in numeraire
    units. ``multiplicative``: E'_j proportional to phi_j Y'_j, phi_j = E_j / Y_j, scaled so
    that the world ratio sum E' / sum Y' stays at its baseline value.
    """
    if imbalance == "additive":
        return np.asarray(y_new + (expenditure - output))
    phi = expenditure / output
    raw = phi * y_new
    kappa = (expenditure.sum(-1) / output.sum(-1))[..., None] * y_new.sum(-1, keepdims=True)
    return np.asarray(raw * kappa / raw.sum(-1, keepdims=True))


def full_ge_exact_hat(
    pi: np.ndarray,
    bhat: np.ndarray | None,
    output: np.ndarray,
    expenditure: np.ndarray,
    theta: np.ndarray,
    ref: int,
    imbalance: str,
    *,
    tol: float,
    max_iter: int,
    z0: np.ndarray | None = None,
    numeraire: str = "reference",
) -> tuple[np.ndarray, np.ndarray, FixedPoint]:
    """Full-endowment GE by exact-hat algebra (Zylkin's ``ge_gravity`` update).

    Parameters
    ----------
    pi
        (B, N, N) baseline import shares pi_ij = X_ij / E_j of model-consistent flows.
    bhat
        (B, N, N) change in T_ij (phi-hat); ``None`` when ``pi`` already holds
        pi_ij * phi-hat_ij.
    output, expenditure
        (B, N) baseline Y and E (numeraire units).
    theta
        (B,) trade elasticity sigma - 1.
    ref
        Reference importer: its price index is the numeraire (P'_ref = P_ref).
    numeraire
        ``reference`` (P'_ref = P_ref) or ``world_output`` (sum Y' = sum Y, as Zylkin's
        ``ge_gravity``); only additive imbalances make real results depend on it.

    Returns
    -------
    log_w, log_phat, diagnostics
        log factory-gate price changes, log of hat(P_j^(1-sigma)).

    Notes
    -----
    Update: w_i^(1+theta) = (sum_k y_k w_k) / y_i * sum_j A_ij e'_j / Phat_j, with
    A = pi * bhat, Phat_j = sum_i A_ij w_i^(-theta), then a rescale of w so that
    Phat_ref = 1. Walras' law makes the rescaled fixed point an equilibrium.
    """
    a = pi if bhat is None else pi * bhat
    a_ref = np.ascontiguousarray(a[:, :, ref])
    a_t = np.ascontiguousarray(np.swapaxes(a, 1, 2))
    th = theta[:, None]
    y = output / output.sum(-1, keepdims=True)

    def phat(z: np.ndarray) -> np.ndarray:
        return _coldot(a, np.exp(-th * z))

    def g(z: np.ndarray) -> np.ndarray:
        w = np.exp(z)
        ph = phat(z)
        e_new = expenditure_rule(w * output, output, expenditure, imbalance)
        e_sh = e_new / e_new.sum(-1, keepdims=True)
        s = _coldot(a_t, e_sh / ph)
        yw = (y * w).sum(-1, keepdims=True)
        zh = (np.log(s) + np.log(yw) - np.log(y)) / (1.0 + th)
        if numeraire == "world_output":  # sum_i Y_i w_i = sum_i Y_i (ge_gravity)
            return np.asarray(zh - np.log((y * np.exp(zh)).sum(-1, keepdims=True)))
        # normalise with the reference column only: Phat_ref = sum_i A_i,ref w_i^(-theta)
        ph_ref = np.einsum("bi,bi->b", a_ref, np.exp(-th * zh))[:, None]
        return np.asarray(zh + np.log(ph_ref) / th)

    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        start = np.zeros_like(output) if z0 is None else z0
        fp = anderson(g, start, tol=tol, max_iter=max_iter)
        lp = np.log(phat(fp.x))
    return fp.x, lp, fp


def full_ge_resistance(
    t_new: np.ndarray,
    output: np.ndarray,
    expenditure: np.ndarray,
    log_xpi0: np.ndarray,
    sigma: np.ndarray,
    ref: int,
    imbalance: str,
    *,
    tol: float,
    max_iter: int,
    numeraire: str = "reference",
) -> tuple[np.ndarray, np.ndarray, np.ndarray, FixedPoint, int]:
    """Full-endowment GE by a nested fixed point on prices and resistances (levels).

    Outer map on log p: p_i^(-sigma) = xPi'_i / (xPi_i^0 * sum_k y_k p_k), where xPi' solves
    the MR system under the new costs with y' = y p / sum(y p) and e' from the imbalance
    rule (gegravity's market-clearing block with the output and expenditure feedback it
    leaves out; economics-methods section 2.3). Independent of :func:`full_ge_exact_hat`.

    Returns
    -------
    log_p, log_xpi, log_xp, diagnostics, inner_iterations
    """
    y = output / output.sum(-1, keepdims=True)
    sg = sigma[:, None]
    arrays = {"u": log_xpi0.copy(), "v": np.zeros_like(output)}
    inner = [0]

    def g(lp: np.ndarray) -> np.ndarray:
        p = np.exp(lp)
        yp = y * p
        y_sh = yp / yp.sum(-1, keepdims=True)
        e_new = expenditure_rule(p * output, output, expenditure, imbalance)
        e_sh = e_new / e_new.sum(-1, keepdims=True)
        u, v, fp_in = solve_mr(t_new, y_sh, e_sh, ref, tol=tol * 1e-2, max_iter=2000,
                               u0=arrays["u"])
        arrays["u"], arrays["v"] = u, v
        inner[0] += fp_in.iterations
        lp_new = -(u - log_xpi0 - np.log(yp.sum(-1, keepdims=True))) / sg
        if numeraire == "world_output":  # sum_i y_i p_i = 1 instead of P'_ref = 1
            lp_new = lp_new - np.log((y * np.exp(lp_new)).sum(-1, keepdims=True))
        return np.asarray(lp_new)

    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        fp = anderson(g, np.zeros_like(output), tol=tol, max_iter=max_iter)
        g(fp.x)  # resistances at the returned prices
    u, v = arrays["u"], arrays["v"]
    if numeraire == "world_output":
        # the MR pair is normalised by xP'_ref = 1; rescale it (xPi c, xP / c) so that
        # p_i^(-sigma) = xPi'_i / (xPi_i^0 sum y p) holds in levels
        lp = fp.x
        log_c = np.mean(-sg * lp + log_xpi0 + np.log((y * np.exp(lp)).sum(-1, keepdims=True))
                        - u, axis=-1, keepdims=True)
        u, v = u + log_c, v - log_c
    return fp.x, u, v, fp, inner[0]
