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
per-line filters, not coupling constraints). Before the MILP, lines that can be in no optimum are fixed
by LP reduced costs (exact; see ``_reduce``), so 20,000 lines solve in seconds. The optimum is exact up
to the MIP gap (relative, 1e-4 by default, reported); ``brute_force`` enumerates every subset of a small instance.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

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
    mip_gap: float | None
    diagnostics: dict[str, Any] = field(default_factory=dict)


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
    little trade to reach the target), naming the largest coverage the constraints allow.
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
    a = np.vstack(rows)
    obj = s * vs
    fixed_one, free, lp_bound, ub, incumbent = _reduce(obj, a, np.array(lo), np.array(hi), time_limit, mip_rel_gap)
    x = np.zeros(n, bool)
    if incumbent is not None and ub - lp_bound <= mip_rel_gap * abs(ub):
        # the LP bound already proves the incumbent optimal within the gap: nothing left to branch on
        x[incumbent] = True
        message, status, gap_out, nodes = "incumbent proven within the gap by the LP bound", "optimal", (
            (ub - lp_bound) / abs(ub) if ub else 0.0), 0
    else:
        # the MILP on the free lines, the lines fixed at 1 moved to the bounds
        shift = a[:, fixed_one].sum(axis=1) if fixed_one.size else np.zeros(len(lo))
        res = milp(c=obj[free], constraints=LinearConstraint(a[:, free], np.array(lo) - shift, np.array(hi) - shift),
                   integrality=np.ones(free.size), bounds=Bounds(0, 1),
                   options={"time_limit": time_limit, "mip_rel_gap": mip_rel_gap, "presolve": True})
        if res.x is None and incumbent is None:
            if res.status == 2 or not np.isfinite(lp_bound):  # proven infeasible (MILP or its LP relaxation)
                raise ConflictError(
                    "No list of lines meets every constraint together (" + str(res.message).strip() + ").",
                    field="constraints",
                    expected="a looser consumer-share cap, a larger overshoot, or a lower target",
                    example="--max-consumer-share 0.5")
            raise ConvergenceError(
                f"The optimiser found no list within its {time_limit:g} s limit ({str(res.message).strip()}); "
                "the constraints are not proven contradictory.", field="time_limit",
                expected="a longer time limit or a larger overshoot", example="--overshoot 0.1",
                details={"lp_bound": lp_bound * scale, "candidates": n})
        if res.x is not None and (incumbent is None or float(res.fun) + float(obj[fixed_one].sum()) <= ub):
            x[fixed_one] = True
            x[free[np.round(res.x).astype(bool)]] = True
        else:
            x[incumbent] = True  # type: ignore[index]
        val = float(obj[x].sum())
        gap_out = (val - lp_bound) / abs(val) if val else 0.0
        message, nodes = str(res.message), int(getattr(res, "mip_node_count", 0) or 0)
        status = "optimal" if res.status == 0 or gap_out <= mip_rel_gap else "gap"
    chosen = np.flatnonzero(x).astype(np.int64)
    cov = float(v[x].sum())
    return Selection(chosen=chosen, coverage=cov, objective=float((s * v)[x].sum()),
                     consumer_share=float((c * v)[x].sum() / cov) if cov else 0.0,
                     status=status, mip_gap=float(gap_out),
                     diagnostics={"candidates": n, "solver": "scipy.optimize.milp (HiGHS)",
                                  "fixed_by_reduced_cost": int(n - free.size), "milp_variables": int(free.size),
                                  "lp_bound_usd": float(lp_bound * scale),
                                  "incumbent_usd": float(ub * scale) if np.isfinite(ub) else None,
                                  "message": message, "mip_node_count": nodes})


def _reduce(obj: Array, a: Array, lo: Array, hi: Array, time_limit: float, gap: float,
            pool: int = 300) -> tuple[NDArray[np.int64], NDArray[np.int64], float, float, NDArray[np.int64] | None]:
    """Exact problem reduction by LP reduced-cost fixing (no line that can be in an optimum is dropped).

    1. Solve the LP relaxation (HiGHS): its value ``lb`` bounds every list from below.
    2. Find a feasible list (an incumbent, value ``ub``): the MILP re-decides the fractional lines, the
       ``pool`` lines of smallest |reduced cost| and, on each side, the lines cheapest per unit of
       coverage; the others keep their LP values (else an LP-rounding repair gives the bound).
    3. A line at 0 in the LP with reduced cost d > ub - lb can be at 1 in no list better than the
       incumbent, so it is fixed at 0; a line at 1 with -d > ub - lb is fixed at 1 (Nemhauser-Wolsey).
    Returns (lines fixed at 1, free lines, lb, ub, the incumbent's lines); with no incumbent nothing is fixed.
    """
    n = obj.size
    finite_hi = np.isfinite(hi)
    finite_lo = np.isfinite(lo)
    a_ub = np.vstack([a[finite_hi], -a[finite_lo]])
    b_ub = np.concatenate([hi[finite_hi], -lo[finite_lo]])
    lp = linprog(obj, A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs")
    everything = np.arange(n, dtype=np.int64)
    if lp.status != 0:
        return np.array([], dtype=np.int64), everything, -np.inf, np.inf, None
    lb = float(lp.fun)
    d = np.asarray(lp.lower.marginals, float) + np.asarray(lp.upper.marginals, float)  # reduced costs
    # Incumbent: keep the LP's values on the lines whose reduced cost is large and let the MILP re-decide
    # the ``pool`` lines of smallest |reduced cost| (plus the fractional ones): a local search around the LP.
    frac = (lp.x > 1e-9) & (lp.x < 1 - 1e-9)
    one, zero = lp.x >= 1 - 1e-9, lp.x <= 1e-9
    order = np.argsort(np.where(frac, -1.0, np.abs(d)))
    per_unit = np.abs(d) / np.maximum(a[0], 1e-12)  # reduced cost per unit of coverage
    inc = None
    for size in (pool, 4 * pool, 16 * pool):  # widen the neighbourhood until it holds a feasible list
        # the fractional lines, the lines of smallest |reduced cost|, and on each side the lines cheapest
        # per unit of coverage (so that a large fractional line can be replaced or compensated)
        cand = np.unique(np.concatenate([
            order[: min(size, n)],
            np.flatnonzero(zero)[np.argsort(per_unit[zero])][: size // 2],
            np.flatnonzero(one)[np.argsort(per_unit[one])][: size // 2]])).astype(np.int64)
        ones = np.flatnonzero(one & ~np.isin(np.arange(n), cand))
        shift = a[:, ones].sum(axis=1) if ones.size else np.zeros(len(lo))
        inc = milp(c=obj[cand], constraints=LinearConstraint(a[:, cand], lo - shift, hi - shift),
                   integrality=np.ones(cand.size), bounds=Bounds(0, 1),
                   options={"time_limit": time_limit / 5, "mip_rel_gap": gap / 10})
        if inc.x is not None or size >= n:
            break
    options_ = []  # the neighbourhood's list and the LP-rounding repair: keep the cheaper
    if inc is not None and inc.x is not None:
        options_.append(np.union1d(ones, cand[np.round(inc.x).astype(bool)]).astype(np.int64))
    repaired = _repair(one, obj, a, lo, hi)
    if repaired is not None:
        options_.append(repaired)
    if not options_:
        return np.array([], dtype=np.int64), everything, lb, np.inf, None
    inc_lines = min(options_, key=lambda idx: float(obj[idx].sum()))
    ub = float(obj[inc_lines].sum())
    slack = ub - lb + 1e-9 * max(1.0, abs(ub))
    at_zero = (lp.x <= 1e-9) & (d > slack)
    at_one = (lp.x >= 1 - 1e-9) & (-d > slack)
    free = np.flatnonzero(~(at_zero | at_one)).astype(np.int64)
    return np.flatnonzero(at_one).astype(np.int64), free, lb, ub, inc_lines


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
