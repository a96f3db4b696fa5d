"""JSON API routers, one module per domain; each is mounted under /api."""

from tradepolicy.api.routes import (
    agreements,
    datasets,
    economics,
    gravity,
    guide,
    law,
    remedies,
    tariffs,
)

ROUTERS = [
    agreements.router,
    guide.router,
    datasets.router,
    law.router,
    tariffs.router,
    economics.router,
    gravity.router,
    remedies.router,
]
