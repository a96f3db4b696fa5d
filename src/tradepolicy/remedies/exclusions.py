"""Counting of excluded sales by reason: nothing is dropped without being counted."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

REASONS: dict[str, str] = {
    "home_market_not_viable": "home market below the viability share: all home sales unused, NV = constructed value",
    "home_market_not_viable_third_country_used": (
        "home market below the viability share: home sales unused, NV from the viable third-country market"),
    "third_country_unused": "third-country sale not used: the home market is viable",
    "third_country_not_viable": "third-country market below the viability share too: NV = constructed value",
    "affiliated_not_arms_length": "affiliated customer's price ratio outside the arm's-length band",
    "affiliated_untestable": "affiliated customer with no comparable unaffiliated sale of the same CONNUM",
    "below_cost": "below cost, in substantial quantities, without cost recovery",
    "home_connum_unmatched": "usable home sale of a CONNUM no U.S. sale is compared with (kept, not used)",
}


@dataclass
class ExclusionLog:
    """Mutable accumulator of excluded sales (engine-internal)."""

    rows: dict[str, tuple[int, float]] = field(default_factory=dict)

    def add(self, reason: str, mask: np.ndarray, quantity: np.ndarray) -> None:
        """Count the sales in ``mask`` (and their quantity) under ``reason``."""
        n = int(mask.sum())
        if n == 0:
            return
        old_n, old_q = self.rows.get(reason, (0, 0.0))
        self.rows[reason] = (old_n + n, old_q + float(quantity[mask].sum()))

    def to_list(self) -> list[dict[str, object]]:
        """Return ``[{reason, description, sales, quantity}]`` sorted by reason."""
        return [
            {"reason": r, "description": REASONS.get(r, r), "sales": n, "quantity": q}
            for r, (n, q) in sorted(self.rows.items())
        ]
