"""Seeded generator of realistic AD sales files for the remedies benchmark.

``generate(n_us, n_home, seed)`` returns ``(us, home, cost)`` frames in the documented
schemas (integer-coded identifiers, as a respondent's SAS datasets would have them):

* **Products.** ``n_connum = clip(n_us / 5,000, 200, 5,000)`` CONNUMs. Popularity is
  Zipf-like (weight ∝ 1/rank^0.9): a few control numbers carry most of the volume. Each
  CONNUM has a base price drawn lognormal (median 100, σ = 0.6) and a per-unit cost of
  production of 72-108 % of that base (COP includes SG&A), so in the costliest products a
  substantial share of home sales is below cost; VCOM is 70 % and TCOM 90 % of COP.
* **U.S. market.** 5 % of products are exported at a 6 % discount to the home level. 2,000
  customers with Zipf-like volumes and a customer price factor N(1, 0.02); 3 % of
  customers are *targeted* (factor 0.85) -- the pattern Cohen's d looks for. 4 Census
  regions (Northeast, Midwest, South, West) with factors 1.02/1.00/0.97/1.01, and in one
  region a 10 % regional discount on a quarter of the products. 4 quarters with +1 % per
  quarter drift. Transaction noise is lognormal σ = 4 %. Quantities are lognormal
  (median 40 units, σ = 1.0), rounded up to whole units.
* **Home market.** Prices at 103 % of base with 5 % noise; 1,500 customers, 8 % affiliated,
  each affiliated customer priced at a factor U(0.95, 1.05) of the unaffiliated level, so
  some fail the 98-102 % arm's-length band. 4 quarters, the same drift.

Everything comes from ``np.random.default_rng(seed)``: the same seed gives the same files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

REGION_FACTORS = np.array([1.02, 1.00, 0.97, 1.01])


def _zipf_weights(n: int, s: float) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** s
    return w / w.sum()


def generate(n_us: int, n_home: int | None = None, *, seed: int = 20261130) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return ``(us, home, cost)`` sales frames with ``n_us`` and ``n_home`` rows."""
    n_home = n_us if n_home is None else n_home
    rng = np.random.default_rng(seed)
    n_connum = int(np.clip(n_us // 5_000, 200, 5_000))
    base = rng.lognormal(np.log(100.0), 0.6, n_connum)
    cop = base * rng.uniform(0.72, 1.08, n_connum)
    pop = _zipf_weights(n_connum, 0.9)
    rng.shuffle(pop)
    dumped = rng.random(n_connum) < 0.05
    regional_target = rng.random(n_connum) < 0.25

    # U.S. sales
    n_cust = 2_000
    cust_w = _zipf_weights(n_cust, 1.0)
    cust_factor = rng.normal(1.0, 0.02, n_cust)
    cust_factor[rng.random(n_cust) < 0.03] = 0.85
    c = rng.choice(n_connum, size=n_us, p=pop).astype(np.int32)
    k = rng.choice(n_cust, size=n_us, p=cust_w).astype(np.int32)
    r = rng.integers(0, 4, n_us, dtype=np.int8)
    t = rng.integers(0, 4, n_us, dtype=np.int8)
    price = (base[c] * np.where(dumped[c], 0.94, 1.0) * cust_factor[k] * REGION_FACTORS[r]
             * np.where(regional_target[c] & (r == 2), 0.90, 1.0) * (1.0 + 0.01 * t)
             * rng.lognormal(0.0, 0.04, n_us))
    us = pd.DataFrame({
        "sale_id": np.arange(n_us, dtype=np.int64),
        "connum": c,
        "quantity": np.ceil(rng.lognormal(np.log(40.0), 1.0, n_us)),
        "net_price": np.round(price, 2),
        "customer": k,
        "region": r,
        "period": t,
    })
    del c, k, r, t, price

    # Home-market sales
    n_hc = 1_500
    aff = rng.random(n_hc) < 0.08
    hfactor = np.where(aff, rng.uniform(0.95, 1.05, n_hc), 1.0)
    hc = rng.choice(n_connum, size=n_home, p=pop).astype(np.int32)
    hk = rng.choice(n_hc, size=n_home, p=_zipf_weights(n_hc, 0.8)).astype(np.int32)
    ht = rng.integers(0, 4, n_home, dtype=np.int8)
    hprice = base[hc] * 1.03 * hfactor[hk] * (1.0 + 0.01 * ht) * rng.lognormal(0.0, 0.05, n_home)
    home = pd.DataFrame({
        "sale_id": np.arange(n_home, dtype=np.int64) + 10**12,
        "connum": hc,
        "quantity": np.ceil(rng.lognormal(np.log(40.0), 1.0, n_home)),
        "net_price": np.round(hprice, 2),
        "customer": hk,
        "affiliated": aff[hk],
        "period": ht,
    })
    cost = pd.DataFrame({"connum": np.arange(n_connum, dtype=np.int32), "cost_of_production": cop,
                         "vcom": cop * 0.70, "tcom": cop * 0.90})
    return us, home, cost
