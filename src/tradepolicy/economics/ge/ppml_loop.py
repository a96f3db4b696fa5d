"""The Advanced Guide's GE-PPML procedure with its own stopping rule.

Yotov et al. (2016), ch. 2; Anderson, Larch & Yotov (2018).

Each "PPML" of the procedure is a cross-section ``trade ~ exporter FE + importer FE`` with
offset ln t on all N x N cells. Its first-order conditions say that the fitted flows
mu_ij = exp(pi_i + chi_j) t_ij have the row and column sums of the data, so the estimate is
the biproportional (RAS) solution, computed here to 1e-12 instead of by a GLM; the
importer FE of the reference country is the omitted one (chi_ref = 0).

Steps (economics-methods.md section 5.1, transcribed from the book's Stata code):

- baseline: fit with t_BLN; OMR = Y E_R / e^pi, IMR = E / (e^chi E_R);
- conditional: fit the same data with t_CFL;
- full endowment: with phi = E / Y, iterate
  trade_s = tradehat_(s-1) dp_i dp_j / (dOMR_i dIMR_j); refit with t_CFL; Y_s = row sums,
  E_s = phi Y_s; dp_s = ((e^pi_s / e^pi_(s-1)) / (E_R,s / E_R,(s-1)))^(1/(1-sigma));
- stopping rule (lagged): continue while sd or |max| of dp_(s-2) - dp_(s-3) over all rows
  exceeds 0.01 (``stopping="book"``); ``stopping="tight"`` iterates until the price change
  is below ``tol`` (or ``max_iter``).

Difference from the exact solution (:func:`solve_ge`): the loop converges by damped
oscillation and the book's rule stops it early (after a handful of passes), so its
full-endowment numbers differ from the exact equilibrium by a few hundredths of a percentage
point of real GDP and up to about one point of members' nominal exports; its nominal scale
drifts, so run long it can diverge. Use :func:`solve_ge` for production numbers and this
procedure to reproduce the book. Conditional results are exact (the same equations).

Validation (tests/economics/test_ge_ppml_book.py): on the book's NAFTA (1994) and
trade-without-borders (2006) applications this loop reproduces the Stata logs of the book's
own runs, pass by pass (mean, sd, min and max of the price-change differences, to the printed
7 digits), and stops after the same number of passes (3 and 5).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from tradepolicy.economics.ge.data import GEData
from tradepolicy.economics.ge.kernels import anderson
from tradepolicy.economics.ge.onesector import check_sigma, check_tau_hat
from tradepolicy.errors import ConvergenceError
from tradepolicy.literals import check_literal

__all__ = ["GEPPMLResult", "ppml_two_way", "solve_ge_ppml"]


def ppml_two_way(
    flows: np.ndarray, t: np.ndarray, ref: int, *, tol: float = 1e-12, max_iter: int = 5000
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit a PPML with exporter and importer FE and offset ln t on a square cross-section.

    Returns
    -------
    exp_pi, exp_chi, fitted
        (N,) e^pi_i, (N,) e^chi_j with chi_ref = 0, (N, N) fitted mu_ij.
    """
    rows = flows.sum(axis=1)[None, :]
    cols = flows.sum(axis=0)[None, :]
    tt = t[None]

    def chi(u: np.ndarray) -> np.ndarray:
        v = np.log(cols) - np.log(np.matmul(np.exp(u)[:, None, :], tt)[:, 0, :])
        return np.asarray(v - v[:, ref : ref + 1])

    def g(u: np.ndarray) -> np.ndarray:
        return np.asarray(np.log(rows) - np.log(np.matmul(tt, np.exp(chi(u))[..., None])[..., 0]))

    fp = anderson(g, np.log(rows), tol=tol, max_iter=max_iter)
    if not bool(np.all(fp.converged)):
        raise ConvergenceError(
            f"PPML fixed-effect solve did not converge (residual {float(fp.residual[0]):.2e})",
            details={"iterations": fp.iterations},
        )
    a = np.exp(fp.x[0])
    b = np.exp(chi(fp.x)[0])
    return a, b, a[:, None] * b[None, :] * t


@dataclass(frozen=True, eq=False)
class GEPPMLResult:
    """Result of :func:`solve_ge_ppml` (the book's procedure).

    Attributes
    ----------
    countries
        ISO3 codes.
    sigma, reference
        Settings.
    stopping
        ``book`` or ``tight``.
    iterations
        Full-endowment passes run.
    stopped_by_rule
        Whether the stopping rule fired (False: ``max_iter`` reached).
    price_path
        (iterations + 1, N) cumulative factory-gate price after each pass (first row: the
        one-step price from the conditional solve).
    factory_gate_price
        (N,) p reported (step 7).
    baseline_omr, baseline_imr, conditional_omr, conditional_imr, full_omr, full_imr
        (N,) OMR = Pi^(1-sigma) and IMR = P^(1-sigma) in the book's units (levels scaled by
        E_R).
    baseline_output, baseline_expenditure, full_output, full_expenditure
        (N,) Y and E (data units).
    baseline_flows, conditional_flows, full_flows
        (N, N) fitted flows.
    """

    countries: tuple[str, ...]
    sigma: float
    reference: str
    stopping: str
    iterations: int
    stopped_by_rule: bool
    price_path: np.ndarray
    factory_gate_price: np.ndarray
    baseline_omr: np.ndarray
    baseline_imr: np.ndarray
    conditional_omr: np.ndarray
    conditional_imr: np.ndarray
    full_omr: np.ndarray
    full_imr: np.ndarray
    baseline_output: np.ndarray
    baseline_expenditure: np.ndarray
    full_output: np.ndarray
    full_expenditure: np.ndarray
    baseline_flows: np.ndarray
    conditional_flows: np.ndarray
    full_flows: np.ndarray

    def _real_gdp(self, y: np.ndarray, imr: np.ndarray) -> np.ndarray:
        return np.asarray(y / imr ** (1.0 / (1.0 - self.sigma)))

    def to_frame(
        self,
        convention: Literal["counterfactual_vs_baseline", "baseline_vs_counterfactual"] = (
            "counterfactual_vs_baseline"
        ),
    ) -> pd.DataFrame:
        """Per-country percent changes, indexed by ISO3.

        ``counterfactual_vs_baseline``: (CFL - BLN) / BLN x 100 (the book's trade-without-
        borders tables). ``baseline_vs_counterfactual``: (BLN - CFL) / CFL x 100, the effect
        of *having* the policy (the book's NAFTA tables); there the price column is the
        book's (1 - p) x 100.
        """
        check_literal(convention, ("counterfactual_vs_baseline", "baseline_vs_counterfactual"),
                      name="convention")

        def exports(x: np.ndarray) -> np.ndarray:
            return np.asarray(x.sum(axis=1) - np.diag(x))

        pairs = {
            "conditional_exports": (exports(self.conditional_flows), exports(self.baseline_flows)),
            "conditional_omr": (self.conditional_omr ** (1 / (1 - self.sigma)),
                                self.baseline_omr ** (1 / (1 - self.sigma))),
            "conditional_imr": (self.conditional_imr ** (1 / (1 - self.sigma)),
                                self.baseline_imr ** (1 / (1 - self.sigma))),
            "conditional_real_gdp": (self._real_gdp(self.baseline_output, self.conditional_imr),
                                     self._real_gdp(self.baseline_output, self.baseline_imr)),
            "full_exports": (exports(self.full_flows), exports(self.baseline_flows)),
            "full_omr": (self.full_omr ** (1 / (1 - self.sigma)),
                         self.baseline_omr ** (1 / (1 - self.sigma))),
            "full_imr": (self.full_imr ** (1 / (1 - self.sigma)),
                         self.baseline_imr ** (1 / (1 - self.sigma))),
            "full_real_gdp": (self._real_gdp(self.full_output, self.full_imr),
                              self._real_gdp(self.baseline_output, self.baseline_imr)),
        }
        cols: dict[str, np.ndarray] = {}
        for name, (cfl, bln) in pairs.items():
            if convention == "counterfactual_vs_baseline":
                cols[name] = 100.0 * (cfl / bln - 1.0)
            else:
                cols[name] = 100.0 * (bln / cfl - 1.0)
        p = self.factory_gate_price
        cols["full_factory_gate_price"] = (
            100.0 * (p - 1.0) if convention == "counterfactual_vs_baseline" else 100.0 * (1.0 - p)
        )
        frame = pd.DataFrame(cols, index=pd.Index(self.countries, name="iso3"))
        frame.attrs["sign_convention"] = convention
        return frame


def solve_ge_ppml(
    data: GEData,
    *,
    tau_hat: np.ndarray,
    sigma: float,
    reference: str,
    stopping: Literal["book", "tight"] = "book",
    threshold: float = 0.01,
    tol: float = 1e-8,
    max_iter: int = 50,
) -> GEPPMLResult:
    """Run the Advanced Guide's GE-PPML counterfactual (baseline, conditional, full).

    Parameters
    ----------
    data
        Observed flows of one year and baseline costs ``data.costs`` = t_BLN^(1-sigma)
        (required: the procedure uses the flows themselves, not model flows).
    tau_hat
        (N, N) change from t_BLN^(1-sigma) to t_CFL^(1-sigma).
    sigma, reference
        As in the book: sigma = 7, reference importer DEU.
    stopping
        ``book``: the lagged rule with ``threshold`` (0.01); ``tight``: until
        max |dp - 1| <= ``tol``.
    max_iter
        Cap on full-endowment passes; reaching it with ``stopping="tight"`` raises.
    """
    s = check_sigma(sigma)
    check_literal(stopping, ("book", "tight"), name="stopping")
    ref = data.index_of(reference)
    if data.costs is None:
        raise ConvergenceError(
            "GE-PPML needs baseline costs t_BLN (GEData.costs); with costs that rationalise "
            "the flows use solve_ge",
            field="costs",
        ) from None
    t_bln = np.asarray(data.costs)
    t_cfl = t_bln * check_tau_hat(tau_hat, data.n, t_bln)
    x = np.asarray(data.flows)
    y = x.sum(axis=1)
    e = x.sum(axis=0)
    phi = e / y
    er0 = e[ref]
    pow_ = 1.0 / (1.0 - s)

    a_b, b_b, fit_b = ppml_two_way(x, t_bln, ref)
    omr_b = y * er0 / a_b
    imr_b = e / (b_b * er0)
    a_c, b_c, fit_c = ppml_two_way(x, t_cfl, ref)
    omr_c = y * er0 / a_c
    imr_c = e / (b_c * er0)

    # state "1" = conditional (the book's first step); dp_0 = 0 seeds the lagged rule
    dp_hist = [np.zeros_like(y), ((a_c / a_b) / (er0 / er0)) ** pow_]
    d_omr, d_imr = np.ones_like(y), np.ones_like(y)  # change_OMR_FULL_1 = exp(0) in the book
    fit_prev, a_prev, er_prev, omr_prev, imr_prev = fit_c, a_c, er0, omr_c, imr_c
    b_prev, e_prev = b_c, e
    path = [((a_c / a_b) / (er0 / er0)) ** pow_]
    passes = 0
    stopped = False
    n = data.n
    while passes < max_iter:
        if stopping == "book" and len(dp_hist) >= 3:
            dif = np.repeat(dp_hist[-2] - dp_hist[-3], n)
            if np.std(dif, ddof=1) <= threshold and abs(dif.max()) <= threshold:
                stopped = True
                break
        if stopping == "tight" and passes > 0 and np.max(np.abs(dp_hist[-1] - 1.0)) <= tol:
            stopped = True
            break
        dp = dp_hist[-1]
        trade = fit_prev * dp[:, None] * dp[None, :] / (d_omr[:, None] * d_imr[None, :])
        a_s, b_s, fit_s = ppml_two_way(trade, t_cfl, ref)
        y_s = fit_s.sum(axis=1)
        e_s = phi * y_s
        er_s = e_s[ref]
        dp_s = ((a_s / a_prev) / (er_s / er_prev)) ** pow_
        omr_s = y_s * er_s / a_s
        imr_s = e_s / (b_s * er_s)
        d_omr, d_imr = omr_s / omr_prev, imr_s / imr_prev
        dp_hist.append(dp_s)
        fit_prev, a_prev, er_prev, omr_prev, imr_prev = fit_s, a_s, er_s, omr_s, imr_s
        b_prev, e_prev = b_s, e_s
        path.append(((a_s / a_b) / (er_s / er0)) ** pow_)
        passes += 1
    if stopping == "tight" and not stopped:
        raise ConvergenceError(
            f"GE-PPML loop did not reach tol {tol:g} in {max_iter} passes (it converges by "
            "damped oscillation and its nominal scale drifts); use solve_ge for the exact "
            "equilibrium",
            field="max_iter",
            details={"last_price_change": float(np.max(np.abs(dp_hist[-1] - 1.0)))},
        )
    p = path[-1]
    y_full = p * y
    e_full = phi * y_full
    omr_f = y_full * er_prev / a_prev
    imr_f = e_prev / (b_prev * er_prev)  # the book uses E_S, not E_FULL
    x_full = (y_full[:, None] * e_full[None, :] * t_cfl) / (imr_f[None, :] * omr_f[:, None])
    return GEPPMLResult(
        countries=data.countries,
        sigma=s,
        reference=reference,
        stopping=stopping,
        iterations=passes,
        stopped_by_rule=stopped,
        price_path=np.vstack(path),
        factory_gate_price=p,
        baseline_omr=omr_b,
        baseline_imr=imr_b,
        conditional_omr=omr_c,
        conditional_imr=imr_c,
        full_omr=omr_f,
        full_imr=imr_f,
        baseline_output=y,
        baseline_expenditure=e,
        full_output=y_full,
        full_expenditure=e_full,
        baseline_flows=fit_b,
        conditional_flows=fit_c,
        full_flows=x_full,
    )
