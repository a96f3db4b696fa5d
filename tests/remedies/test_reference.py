"""The vectorised programme against a plain-Python reference written from the fact sheet's rules.

Peer: ``reference()`` below re-implements fact sheet §4.3-4.5 sale by sale with dicts and loops
(two-pass means and variances, no bincount, no centring): arm's-length test per affiliated
customer (98-102 % inclusive), the 20 % cost test (no period costs, so a below-cost sale never
recovers cost), viability, NV per CONNUM or constructed value, A-A with offsets, A-T, Cohen's d
per customer / region / period with the eligibility rules, the value share passing and the
mixed method. Run side by side on the hypothesis tables of test_properties.py.
Tolerance: 1e-9 relative on money (summation order), exact on counts and on the method chosen.
"""

import math
from collections import defaultdict

import numpy as np
from hypothesis import HealthCheck, given, settings

from tests.remedies.params import AD
from tests.remedies.test_properties import datasets, run

R = 12  # the engine compares thresholds on values rounded to 12 decimals


def _wstats(rows):
    q = sum(r[0] for r in rows)
    m = sum(r[0] * r[1] for r in rows) / q
    v = sum(r[0] * (r[1] - m) ** 2 for r in rows) / q  # SAS VARDEF=WEIGHT
    return q, m, v


def reference(us, home, cost):
    cop = dict(zip(cost["connum"], cost["cost_of_production"], strict=True))
    H = list(zip(home["connum"], home["quantity"].astype(float), home["net_price"].astype(float),
                 home["customer"], home["affiliated"], strict=True))
    U = list(zip(us["connum"], us["quantity"].astype(float), us["net_price"].astype(float),
                 us["customer"], us["region"], us["period"], strict=True))
    excl = defaultdict(int)
    viable = round(sum(h[1] for h in H) / sum(u[1] for u in U), R) >= AD.viability_share
    usable = [False] * len(H)
    if viable:
        unaff = defaultdict(lambda: [0.0, 0.0])
        for c, q, p, _k, a in H:
            if not a:
                unaff[c][0] += q
                unaff[c][1] += q * p
        ref = {c: s / q for c, (q, s) in unaff.items()}
        num, den = defaultdict(float), defaultdict(float)
        for c, q, p, k, a in H:
            if a and c in ref:
                num[k] += q * p / ref[c]
                den[k] += q
        keep = []
        for _c, _q, _p, k, a in H:
            if not a:
                keep.append(True)
            elif den[k] == 0:
                keep.append(False)
                excl["affiliated_untestable"] += 1
            else:
                ok = AD.arms_length_low <= round(num[k] / den[k], R) <= AD.arms_length_high
                keep.append(ok)
                excl["affiliated_not_arms_length"] += not ok
        tot, below = defaultdict(float), defaultdict(float)
        for (c, q, p, _k, _a), kp in zip(H, keep, strict=True):
            if kp:
                tot[c] += q
                below[c] += q if p < cop[c] else 0.0
        for i, ((c, _q, p, _k, _a), kp) in enumerate(zip(H, keep, strict=True)):
            drop = kp and p < cop[c] and round(below[c] / tot[c], R) >= AD.below_cost_share
            excl["below_cost"] += drop
            usable[i] = kp and not drop
    else:
        excl["home_market_not_viable"] = len(H)
    qc = sum(h[1] * cop[h[0]] for h, u in zip(H, usable, strict=True) if u)
    qp = sum(h[1] * h[2] for h, u in zip(H, usable, strict=True) if u)
    profit = max(0.0, (qp - qc) / qc) if qc > 0 else 0.0
    nv = {}
    for c in {u[0] for u in U}:
        rows = [(h[1], h[2]) for h, u in zip(H, usable, strict=True) if u and h[0] == c]
        nv[c] = _wstats(rows)[1] if rows else cop[c] * (1 + profit)
    excl["home_connum_unmatched"] = sum(1 for h, u in zip(H, usable, strict=True) if u and h[0] not in nv)

    e = [q * (nv[c] - p) for c, q, p, *_ in U]
    g = defaultdict(float)
    for (c, *_), x in zip(U, e, strict=True):
        g[c] += x
    aa = max(0.0, sum(g.values()))
    at = sum(x for x in e if x > 0)
    passes = [False] * len(U)
    for dim in (3, 4, 5):
        for c in {u[0] for u in U}:
            idx = [i for i, u in enumerate(U) if u[0] == c]
            qc_tot = sum(U[i][1] for i in idx)
            for grp in {U[i][dim] for i in idx}:
                t = [i for i in idx if U[i][dim] == grp]
                b = [i for i in idx if U[i][dim] != grp]
                if len(t) < AD.min_group_obs or len(b) < AD.min_group_obs:
                    continue
                qb, mb, vb = _wstats([(U[i][1], U[i][2]) for i in b])
                if round(qb / qc_tot, R) < AD.base_qty_share_min:
                    continue
                _qt, mt, vt = _wstats([(U[i][1], U[i][2]) for i in t])
                pooled = math.sqrt((vt + vb) / 2)
                ok = (mb != mt) if pooled == 0 else round(abs(mb - mt) / pooled, R) >= AD.cohens_d_threshold
                for i in t:
                    passes[i] |= ok
    value = [q * p for _c, q, p, *_ in U]
    share = sum(v for v, s in zip(value, passes, strict=True) if s) / sum(value)
    rest = defaultdict(float)
    for (c, *_), x, s in zip(U, e, passes, strict=True):
        if not s:
            rest[c] += x
    mixed = sum(x for x, s in zip(e, passes, strict=True) if s and x > 0) + max(0.0, sum(rest.values()))
    return {"A-A": aa, "A-T": at, "mixed": mixed, "share": share,
            "excl": {k: v for k, v in excl.items() if v}}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_engine_matches_the_plain_python_reference(data):
    us, home, cost = data
    r = run(us, home, cost)
    ref = reference(us, home, cost)
    for m in ("A-A", "A-T", "mixed"):
        assert np.isclose(r.methods[m].total_dumping, ref[m], rtol=1e-9, atol=1e-7), m
    assert np.isclose(r.differential.value_share_passing, ref["share"], rtol=1e-9, atol=1e-12)
    assert {e["reason"]: e["sales"] for e in r.exclusions} == ref["excl"]
