"""JSON API routers, one module per domain, declared in ``tradepolicy.domains``; mounted under /api."""

from tradepolicy.domains import DOMAINS, load

ROUTERS = [load(d.api) for d in DOMAINS if d.api]
