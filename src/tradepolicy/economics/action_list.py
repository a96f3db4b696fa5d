"""Section 301 action design: choose HTS lines that reach a target trade value under constraints (MILP).

Pure engine (numpy + ``scipy.optimize.milp``, HiGHS branch and bound). Given, per candidate line *i*,
the partner's imports ``v_i`` (USD), a consumer-goods flag ``c_i`` (0/1, or a share in [0, 1]) and the
partner's supplier share ``s_i``, choose binary ``x_i`` to

    minimise   Σ s_i v_i x_i                       (trade where the partner is hard to replace: the
                                                     price pass-through to US buyers rises with s_i)
    subject to Σ v_i x_i ≥ T                        (reach the target)
               Σ v_i x_i ≤ T (1 + overshoot)        (stay near it)
               Σ (c_i − S) v_i x_i ≤ 0              (consumer-goods share of the list ≤ S)

Lines excluded by chapter or whose supplier share exceeds ``P`` are removed before solving (they are
per-line filters, not coupling constraints).

The solver is a small LP-based branch and bound written for this structure (a few coupling rows, many
lines; HiGHS's own MILP stalls in presolve on it). At each node: the LP relaxation (HiGHS through
``scipy.optimize.linprog``) gives a lower bound; a local MILP around the LP's decision (the fractional
lines and the lines of smallest reduced cost, ``scipy.optimize.milp``) and an LP-rounding repair give
incumbents; lines whose reduced cost exceeds (incumbent - bound) are fixed (exact: Nemhauser-Wolsey);
then the node branches on its largest fractional line. A node closes when its bound is within the
relative gap of the incumbent. The result is "optimal" only when every node closed (the optimum is
proven within ``mip_rel_gap``, 1e-4 by default); at the time limit it is "gap" with the proven gap
(incumbent - smallest open bound) / incumbent. ``brute_force`` enumerates every subset of a small
instance.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from tradepolicy.errors import ConflictError, ConvergenceError, InputError

Array = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Selection:
    """The optimum: chosen line indices (into the candidate arrays), coverage, shares and solver facts."""

    chosen: NDArray[np.int64]
    coverage: float
    objective: float
    consumer_share: float
    status: str
    mip_gap: float  # the proven relative gap (incumbent - best lower bound) / incumbent
    diagnostics: SolverFacts


@dataclass(frozen=True, slots=True)
class SolverFacts:
    """How the optimum was reached (and proven)."""

    candidates: int
    solver: str
    nodes: int
    open_nodes: int
    lp_bound_usd: float
    incumbent_usd: float
    proven_gap: float
    fixed_by_reduced_cost: int
    milp_variables: int
    message: str

    def to_dict(self) -> dict[str, float | int | str]:
        """JSON-safe dict (the keys of the CLI/API ``diagnostics`` object)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _check(values: ArrayLike, consumer: ArrayLike, supplier_share: ArrayLike) -> tuple[Array, Array, Array]:
    v = np.asarray(values, float)
    c = np.asarray(consumer, float)
    s = np.asarray(supplier_share, float)
    if v.ndim != 1 or c.shape != v.shape or s.shape != v.shape:
        raise InputError("values, consumer and supplier_share must be 1-D arrays of one length.", field="values",
                         expected=f"{v.shape} each", example="[1e6, 2e6]")
    if not np.all(np.isfinite(v)) or np.any(v < 0):
        raise InputError("Trade values must be finite and non-negative.", field="values",
                         expected="USD >= 0", example="1250000.0")
    if np.any((c < 0) | (c > 1)) or np.any((s < 0) | (s > 1)):
        raise InputError("Consumer flags and supplier shares must lie in [0, 1].", field="consumer",
                         expected="0..1", example="0.35")
    return v, c, s


def check_constraints(target: float, *, max_consumer_share: float | None, overshoot: float) -> None:
    """Refuse contradictory or out-of-range constraints (``InputError`` naming the field)."""
    if not np.isfinite(target) or target <= 0:
        raise InputError(f"The target value must be positive, not {target!r}.", field="target_usd",
                         expected="USD > 0", example="1000000000")
    if max_consumer_share is not None and not 0 <= max_consumer_share <= 1:
        raise InputError(f"max consumer share {max_consumer_share!r} is outside [0, 1].", field="max_consumer_share",
                         expected="a share 0..1", example="0.2")
    if not 0 <= overshoot <= 10:
        raise InputError(f"overshoot {overshoot!r} is outside [0, 10].", field="overshoot",
                         expected="a share, e.g. 0.05 for 5%", example="0.05")


def select_lines(values: ArrayLike, consumer: ArrayLike, supplier_share: ArrayLike, target: float, *,
                 max_consumer_share: float | None = None, overshoot: float = 0.05,
                 time_limit: float = 10.0, mip_rel_gap: float = 1e-4) -> Selection:
    """Solve the selection MILP (see the module docstring).

    Raises ``ConflictError`` when the constraints admit no list (e.g. the consumer-share cap leaves too
    little trade to reach the target), ``ConvergenceError`` when no list was found within ``time_limit``
    seconds and the constraints are not proven contradictory.
    """
    v, c, s = _check(values, consumer, supplier_share)
    check_constraints(target, max_consumer_share=max_consumer_share, overshoot=overshoot)
    n = len(v)
    if n == 0 or v.sum() < target:
        raise ConflictError(f"The candidate lines total {v.sum():,.0f} USD, below the target {target:,.0f} USD.",
                            field="target_usd", expected=f"at most {v.sum():,.0f}", example=f"{v.sum() * 0.5:.0f}")
    scale = target  # solve in units of the target: coefficients near 1 keep HiGHS well conditioned
    vs = v / scale
    rows = [vs, vs]
    lo = [1.0, -np.inf]
    hi = [np.inf, 1.0 + overshoot]
    if max_consumer_share is not None:
        rows.append((c - max_consumer_share) * vs)
        lo.append(-np.inf)
        hi.append(0.0)
    bb = _branch_and_bound(s * vs, np.vstack(rows), np.array(lo), np.array(hi), time_limit=time_limit,
                           gap=mip_rel_gap)
    if bb.best is None:
        if bb.proven:  # every node infeasible: no list meets the constraints
            raise ConflictError("No list of lines meets every constraint together (the LP relaxation or every "
                                "branch is infeasible).", field="constraints",
                                expected="a looser consumer-share cap, a larger overshoot, or a lower target",
                                example="--max-consumer-share 0.5")
        raise ConvergenceError(
            f"The optimiser found no list within its {time_limit:g} s limit; the constraints are not proven "
            "contradictory.", field="time_limit", expected="a longer time limit or a larger overshoot",
            example="--overshoot 0.1", details={"lp_bound": bb.root_bound * scale, "candidates": n})
    x = np.zeros(n, bool)
    x[bb.best] = True
    ub = float((s * vs)[x].sum())
    lower = min(bb.open_bound, ub)
    gap = max(0.0, (ub - lower) / abs(ub)) if ub else 0.0
    status = "optimal" if bb.proven else "gap"
    message = (f"optimum proven within the relative gap {mip_rel_gap:g} ({bb.nodes} nodes)" if bb.proven else
               f"time limit {time_limit:g} s reached with {bb.open_nodes} open nodes: the list is within "
               f"{gap:.2e} of the optimum (proven gap), not proven optimal")
    chosen = np.flatnonzero(x).astype(np.int64)
    cov = float(v[x].sum())
    facts = SolverFacts(candidates=n, solver="LP branch and bound (scipy.optimize.linprog/milp, HiGHS)",
                        nodes=bb.nodes, open_nodes=bb.open_nodes, lp_bound_usd=float(bb.root_bound * scale),
                        incumbent_usd=float(ub * scale), proven_gap=float(gap),
                        fixed_by_reduced_cost=int(n - bb.root_free), milp_variables=int(bb.root_free),
                        message=message)
    return Selection(chosen=chosen, coverage=cov, objective=float((s * v)[x].sum()),
                     consumer_share=float((c * v)[x].sum() / cov) if cov else 0.0,
                     status=status, mip_gap=float(gap), diagnostics=facts)


@dataclass(frozen=True, slots=True)
class _Outcome:
    best: NDArray[np.int64] | None
    proven: bool  # every node closed (pruned by bound, infeasible or integral)
    open_bound: float  # smallest lower bound over the nodes pruned by bound or left open (inf if none)
    root_bound: float
    root_free: int
    nodes: int
    open_nodes: int


def _node_lp(obj: Array, a: Array, lo: Array, hi: Array, free: NDArray[np.int64],
             shift: Array) -> tuple[Array, float, Array] | None:
    """LP relaxation on the free lines (fixed lines moved to the bounds): (x, value, reduced costs) or None."""
    if free.size == 0:
        ok = bool(np.all(shift >= lo - 1e-9 * np.maximum(1.0, np.abs(shift)))
                  and np.all(shift <= hi + 1e-9 * np.maximum(1.0, np.abs(shift))))
        return (np.zeros(0), 0.0, np.zeros(0)) if ok else None
    fh, fl = np.isfinite(hi), np.isfinite(lo)
    af = a[:, free]
    lp = linprog(obj[free], A_ub=np.vstack([af[fh], -af[fl]]),
                 b_ub=np.concatenate([(hi - shift)[fh], -(lo - shift)[fl]]), bounds=(0, 1), method="highs-ds",
                 options={"presolve": False})  # presolve costs 3x the solve on these few rows
    if lp.status != 0:
        return None
    d = np.asarray(lp.lower.marginals, float) + np.asarray(lp.upper.marginals, float)
    return np.asarray(lp.x, float), float(lp.fun), d


def _neighbourhood(obj: Array, a: Array, lo: Array, hi: Array, free: NDArray[np.int64], shift: Array, x: Array,
                   d: Array, pool: int, node_limit: int) -> NDArray[np.int64] | None:
    """Return a feasible list near the LP's decision, or None (an incumbent only, never a bound).

    The MILP re-decides the fractional lines, the ``pool`` lines of smallest |reduced cost| and, on
    each side, the lines cheapest per unit of coverage; the other free lines keep their LP values.
    Deterministic: limited by HiGHS nodes, not by time.
    """
    n = free.size
    frac = (x > 1e-9) & (x < 1 - 1e-9)
    one, zero = x >= 1 - 1e-9, x <= 1e-9
    order = np.argsort(np.where(frac, -1.0, np.abs(d)), kind="stable")
    per_unit = np.abs(d) / np.maximum(a[0, free], 1e-300)
    cand = np.unique(np.concatenate([
        order[:pool],
        np.flatnonzero(zero)[np.argsort(per_unit[zero], kind="stable")][: pool // 2],
        np.flatnonzero(one)[np.argsort(per_unit[one], kind="stable")][: pool // 2]])).astype(np.int64)
    rest = np.flatnonzero(one & ~np.isin(np.arange(n), cand))
    sh = shift + (a[:, free[rest]].sum(axis=1) if rest.size else 0.0)
    res = milp(c=obj[free[cand]], constraints=LinearConstraint(a[:, free[cand]], lo - sh, hi - sh),
               integrality=np.ones(cand.size), bounds=Bounds(0, 1),
               options={"node_limit": node_limit, "time_limit": 60.0, "presolve": False, "mip_rel_gap": 1e-6})
    if res.x is None:
        return None
    return np.concatenate([free[rest], free[cand[np.round(res.x).astype(bool)]]]).astype(np.int64)


def _feasible(idx: NDArray[np.int64], a: Array, lo: Array, hi: Array) -> bool:
    act = a[:, idx].sum(axis=1)
    tol = 1e-9 * np.maximum(1.0, np.abs(act))
    return bool(np.all(act >= lo - tol) and np.all(act <= hi + tol))


def _branch_and_bound(obj: Array, a: Array, lo: Array, hi: Array, *, time_limit: float, gap: float,
                      pool: int = 300, node_limit: int = 500) -> _Outcome:
    """Depth-first LP branch and bound with reduced-cost fixing (see the module docstring)."""
    import time

    t0 = time.perf_counter()
    n = obj.size
    best: NDArray[np.int64] | None = None
    ub = np.inf
    empty = np.array([], dtype=np.int64)
    # a node: (lines fixed at 1, free lines, the parent's bound); lines in neither are fixed at 0
    stack: list[tuple[NDArray[np.int64], NDArray[np.int64], float]] = [(empty, np.arange(n, dtype=np.int64), -np.inf)]
    pruned_bound = np.inf  # smallest bound of a node closed because it could not beat the incumbent by the gap
    nodes, root_bound, root_free = 0, -np.inf, n

    def offer(idx: NDArray[np.int64]) -> None:
        nonlocal best, ub
        val = float(obj[idx].sum())
        if val < ub and _feasible(idx, a, lo, hi):
            best, ub = idx, val

    while stack:
        if nodes and time.perf_counter() - t0 > time_limit:  # the root is always solved
            break
        ones, free, _ = stack.pop()
        nodes += 1
        shift = a[:, ones].sum(axis=1) if ones.size else np.zeros(len(lo))
        base = float(obj[ones].sum())
        lp = _node_lp(obj, a, lo, hi, free, shift)
        if lp is None:
            continue  # infeasible node
        x, val, d = lp
        bound = base + val
        if nodes == 1:
            root_bound = bound
        if bound >= ub - gap * abs(ub):
            pruned_bound = min(pruned_bound, bound)
            continue
        inc = _neighbourhood(obj, a, lo, hi, free, shift, x, d, pool, node_limit)
        if inc is not None:
            offer(np.concatenate([ones, inc]))
        rounded = _repair(x >= 1 - 1e-9, obj[free], a[:, free], lo - shift, hi - shift)
        if rounded is not None:
            offer(np.concatenate([ones, free[rounded]]))
        if bound >= ub - gap * abs(ub):
            pruned_bound = min(pruned_bound, bound)
            continue
        # reduced-cost fixing against the incumbent (valid in this node's subtree)
        slack = ub - bound + 1e-12 * max(1.0, abs(ub))
        at_zero = (x <= 1e-9) & (d > slack)
        at_one = (x >= 1 - 1e-9) & (-d > slack)
        keep = ~(at_zero | at_one)
        ones = np.concatenate([ones, free[at_one]])
        free, x = free[keep], x[keep]
        if nodes == 1:
            root_free = int(free.size)
        frac = np.flatnonzero((x > 1e-9) & (x < 1 - 1e-9))
        if frac.size == 0:  # the LP optimum is integral: the node's optimum
            offer(np.concatenate([ones, free[x >= 1 - 1e-9]]))
            continue
        j = frac[np.argmax(a[0, free[frac]])]  # branch on the largest fractional line
        rest = np.delete(free, j)
        down = (ones, rest, bound)
        up = (np.append(ones, free[j]).astype(np.int64), rest, bound)
        stack.extend([down, up] if x[j] >= 0.5 else [up, down])  # the side nearer the LP value first
    open_bound = min([pruned_bound] + [b for *_, b in stack])
    return _Outcome(best=best, proven=not stack, open_bound=open_bound, root_bound=root_bound,
                    root_free=root_free, nodes=nodes, open_nodes=len(stack))


def _repair(start: NDArray[np.bool_], obj: Array, a: Array, lo: Array, hi: Array) -> NDArray[np.int64] | None:
    """Return a feasible list built from ``start`` (the LP's ones), or None.

    Only an upper bound for the reduced-cost fixing, never the answer by itself: drop the start's
    lines with the highest cost per unit of coverage while a row's upper bound is exceeded, then add
    the cheapest lines that keep every upper bound until the lower bounds hold.
    """
    x = start.copy()
    cover = a[0]
    per_unit = np.where(cover > 0, obj / np.where(cover > 0, cover, 1.0), np.inf)
    act = a @ x
    for i in np.argsort(-np.where(x, per_unit, -np.inf)):
        if not x[i] or np.all(act <= hi + 1e-12):
            break
        x[i] = False
        act -= a[:, i]
    for i in np.argsort(np.where(x, np.inf, per_unit)):
        if x[i] or not np.isfinite(per_unit[i]):
            continue
        if np.all(act >= lo - 1e-12) and np.all(act <= hi + 1e-12):
            break
        nxt = act + a[:, i]
        if np.all(nxt <= hi + 1e-12):
            x[i] = True
            act = nxt
    if np.all(act >= lo - 1e-12) and np.all(act <= hi + 1e-12):
        return np.flatnonzero(x).astype(np.int64)
    return None


def brute_force(values: ArrayLike, consumer: ArrayLike, supplier_share: ArrayLike, target: float, *,
                max_consumer_share: float | None = None, overshoot: float = 0.05) -> tuple[float, tuple[int, ...]] | None:
    """Enumerate every subset (n <= 20) and return (best objective, indices), or None if infeasible."""
    v, c, s = _check(values, consumer, supplier_share)
    if len(v) > 20:
        raise InputError("brute_force is for small instances.", field="values", expected="<= 20 lines", example="12")
    best: tuple[float, tuple[int, ...]] | None = None
    for k in range(1, len(v) + 1):
        for idx in itertools.combinations(range(len(v)), k):
            cov = v[list(idx)].sum()
            if cov < target or cov > target * (1 + overshoot):
                continue
            if max_consumer_share is not None and (c[list(idx)] * v[list(idx)]).sum() > max_consumer_share * cov:
                continue
            obj = float((s * v)[list(idx)].sum())
            if best is None or obj < best[0] - 1e-9:
                best = (obj, idx)
    return best
