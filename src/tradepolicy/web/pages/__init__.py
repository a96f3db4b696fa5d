"""Web page routers, one module per page family, declared in ``tradepolicy.domains``."""

from tradepolicy.domains import DOMAINS, load

ROUTERS = [load(d.pages) for d in DOMAINS if d.pages]
