"""Seeders run by ``init_database`` after the reference registry, in the same transaction.

A seeder takes the open session and the actor name, writes its bundled records
(idempotently: running it twice changes nothing) through the audit log, and returns
``{"inserted": n, "updated": n, "unchanged": n}``. Domains declare theirs in ``tradepolicy.domains``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

Seeder = Callable[[Session, str], dict[str, int]]


def seeders() -> dict[str, Seeder]:
    """Return the seeders by name, in the order the domains declare them (``tradepolicy.domains``)."""
    from tradepolicy.domains import DOMAINS, load

    return {name: load(target) for d in DOMAINS for name, target in d.seeders}
