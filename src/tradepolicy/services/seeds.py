"""Seeders run by ``init_database`` after the reference registry, in the same transaction.

A seeder takes the open session and the actor name, writes its bundled records
(idempotently: running it twice changes nothing) through the audit log, and returns
``{"inserted": n, "updated": n, "unchanged": n}``. Domains list theirs in ``SEEDERS``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

Seeder = Callable[[Session, str], dict[str, int]]


def seeders() -> dict[str, Seeder]:
    """Return the seeders by name, in the order they run."""
    out: dict[str, Seeder] = {}
    # Each domain adds its seeder here, e.g.:
    from tradepolicy.services.proceedings import seed_proceedings
    out["proceedings"] = seed_proceedings
    from tradepolicy.services.remedies import seed_shrimp_orders
    out["remedies_shrimp_orders"] = seed_shrimp_orders
    return out
