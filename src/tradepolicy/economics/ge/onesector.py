"""One-sector structural gravity GE: baseline, conditional and full-endowment equilibria.

Model: Anderson & van Wincoop (2003), Anderson & Yotov (2010), Larch & Yotov (2016); the
GE counterfactual of Yotov et al. (2016), *An Advanced Guide to Trade Policy Analysis*,
ch. 2. Levels follow gegravity 0.3 (``OneSectorGE``); the full endowment equilibrium is the
exact one (Baier, Yotov & Zylkin 2019), not gegravity's one-step price update, which is
reported separately as ``one_step_price`` for comparison (economics-methods.md section 2.3).

Sign convention: every change is (counterfactual - baseline) / baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from tradepolicy.economics.ge.data import GEData
from tradepolicy.economics.ge.kernels import (
    FixedPoint,
    expenditure_rule,
    full_ge_exact_hat,
    full_ge_resistance,
    solve_mr,
)
from tradepolicy.errors import ConvergenceError, InputError
from tradepolicy.literals import check_literal

__all__ = [
    "GEDiagnostics",
    "GEResult",
    "GEState",
    "StageDiagnostics",
    "check_sigma",
    "check_tau_hat",
    "check_tolerance",
    "solve_ge",
]

Imbalance = Literal["multiplicative", "additive"]
FullAlgorithm = Literal["exact_hat", "resistance"]


@dataclass(frozen=True)
class StageDiagnostics:
    """Convergence record of one solve stage.

    Attributes
    ----------
    stage
        ``baseline``, ``conditional`` or ``full``.
    algorithm
        The method used (e.g. ``sinkhorn+anderson``, ``exact_hat+anderson``).
    iterations
        Map evaluations (outer iterations for nested solves).
    residual
        Max |x_(k+1) - x_k| at the end, in log units.
    converged
        ``residual <= tol``.
    tol
        The tolerance asked for.
    """

    stage: str
    algorithm: str
    iterations: int
    residual: float
    converged: bool
    tol: float

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        return {
            "stage": self.stage,
            "algorithm": self.algorithm,
            "iterations": self.iterations,
            "residual": self.residual,
            "converged": self.converged,
            "tol": self.tol,
        }


@dataclass(frozen=True)
class GEDiagnostics:
    """Diagnostics of every stage of a GE solve."""

    stages: tuple[StageDiagnostics, ...]

    @property
    def iterations(self) -> int:
        """Total map evaluations over the stages."""
        return sum(s.iterations for s in self.stages)

    @property
    def residual(self) -> float:
        """Largest final residual over the stages (log units)."""
        return max(s.residual for s in self.stages)

    @property
    def converged(self) -> bool:
        """Whether every stage converged."""
        return all(s.converged for s in self.stages)

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        return {
            "iterations": self.iterations,
            "residual": self.residual,
            "converged": self.converged,
            "stages": [s.to_dict() for s in self.stages],
        }


@dataclass(frozen=True, eq=False)
class GEState:
    """One equilibrium (baseline, conditional or full), per country in ``countries`` order.

    Attributes
    ----------
    omr
        (N,) outward multilateral resistance Pi_i (level; P_ref = 1 normalisation).
    imr
        (N,) inward multilateral resistance P_j (level; P_ref = 1).
    factory_gate_price
        (N,) p_i relative to the baseline (baseline and conditional: 1).
    output
        (N,) Y_i (data currency units).
    expenditure
        (N,) E_j (data currency units).
    flows
        (N, N) model flows X_ij (data currency units), exporter rows.
    """

    omr: np.ndarray
    imr: np.ndarray
    factory_gate_price: np.ndarray
    output: np.ndarray
    expenditure: np.ndarray
    flows: np.ndarray

    @property
    def exports(self) -> np.ndarray:
        """Foreign exports sum_{j != i} X_ij."""
        return np.asarray(self.flows.sum(axis=1) - np.diag(self.flows))

    @property
    def imports(self) -> np.ndarray:
        """Foreign imports sum_{i != j} X_ij."""
        return np.asarray(self.flows.sum(axis=0) - np.diag(self.flows))

    @property
    def real_gdp(self) -> np.ndarray:
        """Y_i / P_i (numeraire units deflated by the consumer price index)."""
        return np.asarray(self.output / self.imr)

    @property
    def welfare(self) -> np.ndarray:
        """Real expenditure E_i / P_i."""
        return np.asarray(self.expenditure / self.imr)

    @property
    def terms_of_trade(self) -> np.ndarray:
        """p_i / P_i."""
        return np.asarray(self.factory_gate_price / self.imr)


# columns of GEResult.to_frame: (name, attribute, in conditional?)
_MEASURES: tuple[tuple[str, str, bool], ...] = (
    ("real_gdp", "real_gdp", True),
    ("welfare", "welfare", True),
    ("exports", "exports", True),
    ("imports", "imports", True),
    ("omr", "omr", True),
    ("imr", "imr", True),
    ("terms_of_trade", "terms_of_trade", True),
    ("factory_gate_price", "factory_gate_price", False),
    ("output", "output", False),
    ("expenditure", "expenditure", False),
)


@dataclass(frozen=True, eq=False)
class GEResult:
    """Result of :func:`solve_ge`.

    Attributes
    ----------
    countries
        ISO3 codes.
    sigma
        Elasticity of substitution used.
    reference
        Reference importer (P_ref = 1 in every equilibrium: the numeraire).
    imbalance
        ``multiplicative`` or ``additive``.
    baseline, conditional, full
        The three equilibria. Conditional: resistances adjust, Y and E fixed. Full:
        factory-gate prices, output and expenditure adjust too.
    one_step_price
        (N,) gegravity 0.3's "full GE" factory-gate price p_i = Pi_i^0 / Pi_i^cond (one
        price step after the conditional solve; economics-methods section 2.3). Not an
        equilibrium; kept for side-by-side comparison only.
    diagnostics
        Convergence record of every stage.
    full_algorithm
        ``exact_hat`` or ``resistance``.
    """

    countries: tuple[str, ...]
    sigma: float
    reference: str
    imbalance: str
    baseline: GEState
    conditional: GEState
    full: GEState
    one_step_price: np.ndarray
    diagnostics: GEDiagnostics
    full_algorithm: str

    def change(self, stage: str, measure: str) -> np.ndarray:
        """Relative change (decimal) of ``measure`` from the baseline to ``stage``."""
        new = getattr(getattr(self, stage), measure)
        old = getattr(self.baseline, measure)
        return np.asarray(new / old - 1.0)

    def to_frame(self, unit: Literal["percent", "decimal"] = "percent") -> pd.DataFrame:
        """Per-country changes, indexed by ISO3.

        Columns ``conditional_<m>`` for m in real_gdp, welfare, exports, imports, omr, imr,
        terms_of_trade and ``full_<m>`` for those plus factory_gate_price, output and
        expenditure. Values are (counterfactual - baseline) / baseline, in percent
        (default; 1.5 means +1.5%) or as decimals (``unit="decimal"``: 0.015). Exports and
        imports are foreign flows only. Real GDP is Y/P; welfare is real expenditure E/P
        (a gain is positive, unlike gegravity's inverse welfare statistic).
        """
        check_literal(unit, ("percent", "decimal"), name="unit")
        scale = 100.0 if unit == "percent" else 1.0
        cols: dict[str, np.ndarray] = {}
        for stage in ("conditional", "full"):
            for name, attr, in_cond in _MEASURES:
                if stage == "conditional" and not in_cond:
                    continue
                cols[f"{stage}_{name}"] = scale * self.change(stage, attr)
        frame = pd.DataFrame(cols, index=pd.Index(self.countries, name="iso3"))
        frame.attrs["unit"] = unit
        frame.attrs["sign_convention"] = "(counterfactual - baseline) / baseline"
        return frame

    def summary(self, top: int = 5) -> str:
        """Return a short text summary: settings, diagnostics and the largest movers."""
        frame = self.to_frame()
        order = frame["full_real_gdp"].abs().sort_values(ascending=False).index[:top]
        lines = [
            f"Structural gravity GE: N={len(self.countries)}, sigma={self.sigma:g}, "
            f"reference={self.reference}, imbalance={self.imbalance}, "
            f"full algorithm={self.full_algorithm}",
            f"diagnostics: converged={self.diagnostics.converged}, "
            f"iterations={self.diagnostics.iterations}, "
            f"max residual={self.diagnostics.residual:.2e}",
            "largest real GDP changes (%, conditional -> full):",
        ]
        for iso in order:
            row = frame.loc[iso]
            lines.append(
                f"  {iso}: {row['conditional_real_gdp']:+.4f} -> {row['full_real_gdp']:+.4f} "
                f"(price {row['full_factory_gate_price']:+.4f}, "
                f"exports {row['full_exports']:+.4f})"
            )
        return "\n".join(lines)


# ---------------------------------------------------------------------- validation
def check_sigma(sigma: float) -> float:
    """Return sigma as float if 1 < sigma < inf; raise InputError otherwise."""
    try:
        s = float(sigma)
    except (TypeError, ValueError):
        s = float("nan")
    if not np.isfinite(s) or s <= 1.0:
        raise InputError(
            f"sigma must be a finite number greater than 1; got {sigma!r}",
            field="sigma",
            expected="1 < sigma (elasticity of substitution; trade elasticity sigma - 1 > 0)",
            example="7 (Yotov et al. 2016 ch. 2), 5 (gegravity example)",
        )
    return s


def check_tolerance(tol: float, max_iter: int) -> None:
    """Raise InputError unless 0 < tol < 1 (finite) and max_iter is an integer >= 1."""
    if not (isinstance(tol, int | float) and np.isfinite(tol) and 0 < tol < 1):
        raise InputError(f"tol must be a number between 0 and 1; got {tol!r}", field="tol",
                         expected="0 < tol < 1 (log units)", example="1e-10")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int | np.integer) or max_iter < 1:
        raise InputError(f"max_iter must be an integer >= 1; got {max_iter!r}",
                         field="max_iter", expected="an integer >= 1", example="5000")


def check_tau_hat(tau_hat: np.ndarray, n: int, costs: np.ndarray) -> np.ndarray:
    """Validate the (N, N) multiplicative change in T_ij = t_ij^(1-sigma)."""
    b = np.asarray(tau_hat, dtype=float)
    if b.shape != (n, n):
        raise InputError(
            f"tau_hat must have shape ({n}, {n}); got {b.shape}",
            field="tau_hat",
            expected="an N x N matrix of multiplicative changes in t_ij^(1-sigma)",
            example="np.ones((N, N)) for no change; exp(beta_rta) on new RTA pairs",
        )
    if not np.all(np.isfinite(b)) or np.any(b < 0):
        raise InputError(
            "tau_hat must be finite and non-negative",
            field="tau_hat",
            expected="phi-hat_ij >= 0",
        )
    t_new = costs * b
    if np.any(t_new.sum(axis=0) <= 0) or np.any(t_new.sum(axis=1) <= 0):
        raise InputError(
            "tau_hat shuts a country off from every partner (a zero row or column)",
            field="tau_hat",
            expected="each country keeps at least one positive flow, e.g. its domestic one",
        )
    return b


def _stage(name: str, algorithm: str, fp: FixedPoint, tol: float) -> StageDiagnostics:
    return StageDiagnostics(
        stage=name,
        algorithm=algorithm,
        iterations=int(fp.iterations),
        residual=float(np.max(fp.residual)),
        converged=bool(np.max(fp.residual) <= tol),
        tol=tol,
    )


def _raise_if_failed(stage: StageDiagnostics, done: list[StageDiagnostics]) -> None:
    if not stage.converged:
        raise ConvergenceError(
            f"the {stage.stage} solve did not converge: residual {stage.residual:.3e} > "
            f"tol {stage.tol:.1e} after {stage.iterations} iterations",
            field="max_iter",
            expected="a converged solve; raise max_iter or check the data (zero rows, "
            "extreme tau_hat)",
            details={"diagnostics": [s.to_dict() for s in [*done, stage]]},
        )


# ---------------------------------------------------------------------- solver
def solve_ge(
    data: GEData,
    *,
    tau_hat: np.ndarray,
    sigma: float,
    reference: str,
    imbalance: Imbalance = "multiplicative",
    tol: float = 1e-10,
    max_iter: int = 5000,
    full_algorithm: FullAlgorithm = "exact_hat",
    numeraire: Literal["reference", "world_output"] = "reference",
) -> GEResult:
    """Solve the baseline, conditional and full-endowment structural gravity equilibria.

    Parameters
    ----------
    data
        Flows (and optionally baseline costs T_ij = t_ij^(1-sigma)).
    tau_hat
        (N, N) multiplicative change in T_ij (phi-hat_ij; e.g. exp(beta) for a new RTA).
    sigma
        Elasticity of substitution, > 1.
    reference
        ISO3 of the reference importer, whose inward resistance P is the numeraire.
    imbalance
        ``multiplicative`` (E_j proportional to phi_j Y_j) or ``additive`` (deficit fixed in
        numeraire units). Real results of the multiplicative treatment do not depend on the
        reference country; additive ones do (the deficit is denominated in its prices).
    tol
        Tolerance on log changes of every fixed point (default 1e-10).
    max_iter
        Iteration cap of every stage.
    full_algorithm
        ``exact_hat`` (Baier, Yotov & Zylkin 2019 update, Anderson-accelerated) or
        ``resistance`` (nested fixed point on prices and multilateral resistances). Both
        solve the same equations; tests hold them to 1e-8.
    numeraire
        ``reference`` (default): the reference importer's price index stays at its
        baseline level in every equilibrium. ``world_output``: world output is held fixed
        in the full equilibrium (sum Y' = sum Y), as in Zylkin's ``ge_gravity``; baseline
        and conditional resistances keep the P_ref = 1 normalisation. Only additive
        imbalances (a deficit fixed in numeraire units) make real results depend on it.

    Raises
    ------
    InputError
        sigma <= 1, unknown reference, malformed tau_hat or imbalance.
    ConvergenceError
        A stage did not converge; ``details["diagnostics"]`` holds every stage's record.
    """
    s = check_sigma(sigma)
    check_tolerance(tol, max_iter)
    check_literal(imbalance, ("multiplicative", "additive"), name="imbalance")
    check_literal(full_algorithm, ("exact_hat", "resistance"), name="full_algorithm")
    check_literal(numeraire, ("reference", "world_output"), name="numeraire")
    ref = data.index_of(reference)
    t0 = data.baseline_costs()
    b = check_tau_hat(tau_hat, data.n, t0)
    y_lev = data.output[None, :]
    e_lev = data.expenditure[None, :]
    y = y_lev / y_lev.sum()
    e = e_lev / e_lev.sum()
    done: list[StageDiagnostics] = []
    # The maps contract slowly near the solution, so the error is a multiple of the last
    # step: iterate to a step 100x below tol (the two full algorithms then agree to ~1e-10).
    itol = max(tol * 1e-2, 1e-14)

    # baseline resistances
    u0, v0, fp = solve_mr(t0[None], y, e, ref, tol=itol, max_iter=max_iter)
    st = _stage("baseline", "sinkhorn+anderson", fp, tol)
    _raise_if_failed(st, done)
    done.append(st)
    x0 = e_lev[:, None, :] * y[:, :, None] * t0[None] * np.exp(u0[:, :, None] + v0[:, None, :])

    # conditional
    t1 = t0 * b
    uc, vc, fp = solve_mr(t1[None], y, e, ref, tol=itol, max_iter=max_iter, u0=u0)
    st = _stage("conditional", "sinkhorn+anderson", fp, tol)
    _raise_if_failed(st, done)
    done.append(st)
    xc = e_lev[:, None, :] * y[:, :, None] * t1[None] * np.exp(uc[:, :, None] + vc[:, None, :])

    # full endowment
    theta = np.array([s - 1.0])
    if full_algorithm == "exact_hat":
        pi = x0 / x0.sum(axis=1, keepdims=True)
        lw, lph, fp = full_ge_exact_hat(
            pi, b[None], y_lev, e_lev, theta, ref, imbalance, tol=itol, max_iter=max_iter,
            z0=-(uc - u0) / s,  # first-order start: p^(-sigma) ~ xPi_cond / xPi_0
            numeraire=numeraire,
        )
        st = _stage("full", "exact_hat+anderson", fp, tol)
        _raise_if_failed(st, done)
        p = np.exp(lw)
        y_new = p * y_lev
        y_sh = y_new / y_new.sum()
        # Pi'^(1-sigma) = y'_i / (y_i xPi0_i p_i^(1-sigma))
        uf = np.log(y) + u0 + (1.0 - s) * lw - np.log(y_sh)
        vf = v0 - lph
    else:
        lp, uf, vf, fp, _inner = full_ge_resistance(
            t1[None], y_lev, e_lev, u0, np.array([s]), ref, imbalance, tol=itol,
            max_iter=max_iter, numeraire=numeraire,
        )
        st = _stage("full", "price-resistance nested fixed point+anderson", fp, tol)
        _raise_if_failed(st, done)
        p = np.exp(lp)
        y_new = p * y_lev
        y_sh = y_new / y_new.sum()
    done.append(st)
    e_new = expenditure_rule(y_new, y_lev, e_lev, imbalance)
    xf = e_new[:, None, :] * y_sh[:, :, None] * t1[None] * np.exp(uf[:, :, None] + vf[:, None, :])

    inv = 1.0 / (s - 1.0)  # level = x^(1/(sigma-1)) since x = 1 / level^(1-sigma)

    def state(u: np.ndarray, v: np.ndarray, price: np.ndarray, out: np.ndarray,
              exp_: np.ndarray, flows: np.ndarray) -> GEState:
        return GEState(
            omr=np.exp(u[0] * inv), imr=np.exp(v[0] * inv), factory_gate_price=price[0],
            output=out[0], expenditure=exp_[0], flows=flows[0],
        )

    ones = np.ones_like(y_lev)
    one_step = np.exp((uc[0] - u0[0]) / (1.0 - s))
    return GEResult(
        countries=data.countries,
        sigma=s,
        reference=reference,
        imbalance=imbalance,
        baseline=state(u0, v0, ones, y_lev, e_lev, x0),
        conditional=state(uc, vc, ones, y_lev, e_lev, xc),
        full=state(uf, vf, p, y_new, e_new, xf),
        one_step_price=one_step,
        diagnostics=GEDiagnostics(tuple(done)),
        full_algorithm=full_algorithm,
    )
