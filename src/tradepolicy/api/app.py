"""The FastAPI application: API routes, web pages, static files, error handlers."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from tradepolicy import __version__
from tradepolicy.api import errors, hardening, middleware, public_cache
from tradepolicy.api.routes import ROUTERS as API_ROUTERS
from tradepolicy.api.security import tag_permissions
from tradepolicy.config import configure_logging
from tradepolicy.web.pages import ROUTERS as PAGE_ROUTERS


def create_app() -> FastAPI:
    """Build the workbench app (web pages + JSON API, OpenAPI at /docs)."""
    configure_logging()
    app = FastAPI(
        title="tradepolicy",
        version=__version__,
        description="The work of a trade representative's office: agreements, law, tariffs, economics, enforcement.",
    )
    errors.install(app)
    public_cache.install(app)  # anonymous GETs: inside the security middleware (installed next)
    middleware.install(app)  # sign-in (session/token), CSRF, security headers
    hardening.install(app)
    for router in API_ROUTERS:
        app.include_router(router, prefix="/api")
    for router in PAGE_ROUTERS:
        app.include_router(router)
    static = resources.files("tradepolicy.web").joinpath("static")
    tag_permissions(app)
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app


def create_served_app() -> FastAPI:
    """Build the app of one ``serve --workers N`` worker, its tables warmed first (TRADEPOLICY_WARMUP).

    Called by each worker process before its server accepts connections on the shared socket.
    """
    from tradepolicy.config import get_settings

    if get_settings().warmup:
        from tradepolicy.services.warmup import warm_up

        warm_up()
    return create_app()
