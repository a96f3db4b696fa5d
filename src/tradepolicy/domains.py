"""One declaration per domain: its commands, routes, pages, navigation, panels, seeders, permissions.

Adding a workflow means adding one :class:`Domain` to :data:`DOMAINS`; the CLI
(``cli/__init__.py``), the API (``api/routes/__init__.py``), the web pages
(``web/pages/__init__.py``), the navigation (``web/render.py``), the dashboard, the seeders
(``services/seeds.py``) and the policy (``platform/policy.py``) all read this list.

Targets are import strings ``"module:attribute"`` so that declaring a domain imports nothing:
a layer still imports only from the layers below it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Domain:
    """A domain of the office and everything it plugs in.

    Parameters
    ----------
    name
        Short id, e.g. ``"dockets"``.
    cli
        ``"module:register"``: a function taking the root Typer app and adding the domain's
        command group(s).
    api
        ``"module:router"`` of the JSON API router, mounted under ``/api``.
    pages
        ``"module:router"`` of the web page router.
    nav
        ``(href, label)`` entries for the navigation bar, in order.
    panels
        ``"module:function"`` dashboard panels (each returns a panel context, see
        ``web/dashboard.py``).
    seeders
        ``(name, "module:function")`` seeders run by ``db init`` in its transaction.
    permissions
        ``{permission: (description, roles that hold it)}`` added to the policy
        (``platform/policy.yaml`` holds the base roles and permissions).
    """

    name: str
    cli: str | None = None
    api: str | None = None
    pages: str | None = None
    nav: tuple[tuple[str, str], ...] = ()
    panels: tuple[str, ...] = ()
    seeders: tuple[tuple[str, str], ...] = ()
    permissions: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


def load(target: str) -> Any:
    """Import ``"module:attribute"`` and return the attribute."""
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


DOMAINS: list[Domain] = [
    Domain(
        name="foundation",
        cli="tradepolicy.cli.foundation:register",
        api=None,  # the foundation's API routers are listed below (agreements, guide, datasets)
        pages="tradepolicy.web.pages.foundation:router",
    ),
    Domain(name="agreements", api="tradepolicy.api.routes.agreements:router"),
    Domain(name="guide", api="tradepolicy.api.routes.guide:router"),
    Domain(name="datasets", api="tradepolicy.api.routes.datasets:router"),
    Domain(
        name="law",
        cli="tradepolicy.cli.law:register",
        api="tradepolicy.api.routes.law:router",
        pages="tradepolicy.web.pages.law:router",
        nav=(("/law", "Law"), ("/cases", "Cases")),
        seeders=(("proceedings", "tradepolicy.services.proceedings:seed_proceedings"),),
    ),
    Domain(
        name="tariffs",
        cli="tradepolicy.cli.tariff:register",
        api="tradepolicy.api.routes.tariffs:router",
        pages="tradepolicy.web.pages.tariffs:router",
        nav=(("/tariffs", "Tariffs"),),
    ),
    Domain(
        name="economics",
        cli="tradepolicy.cli.scenario:register",
        api="tradepolicy.api.routes.economics:router",
        pages="tradepolicy.web.pages.economics:router",
        nav=(("/economics", "Economics"),),
    ),
    Domain(
        name="gravity",
        cli="tradepolicy.cli.gravity:register",
        api="tradepolicy.api.routes.gravity:router",
    ),
    Domain(
        name="remedies",
        cli="tradepolicy.cli.remedies:register",
        api="tradepolicy.api.routes.remedies:router",
        pages="tradepolicy.web.pages.remedies:router",
        nav=(("/remedies", "Remedies"),),
        seeders=(("remedies_shrimp_orders", "tradepolicy.services.remedies:seed_shrimp_orders"),),
    ),
    Domain(
        name="platform",  # people, sign-in, tokens, grants, the access log, generic records
        cli="tradepolicy.cli.people:register",
        api="tradepolicy.api.routes.platform:router",
        pages="tradepolicy.web.pages.account:router",
    ),
    Domain(
        name="coordination",
        cli="tradepolicy.cli.coordination:register",
        api="tradepolicy.api.routes.coordination:router",
        pages="tradepolicy.web.pages.coordination:router",
        nav=(("/dockets", "Dockets"), ("/clearance", "Clearance"), ("/committees", "Committees")),
        seeders=(("example_docket", "tradepolicy.services.coordination_seed:seed_example_docket"),),
        permissions={
            "dockets.manage": ("Open dockets, screen, post, withdraw and import comments", ("docket_clerk", "attorney")),
            "dockets.submit": ("Submit a comment (public and BCI versions) as a signed-in commenter",
                               ("viewer", "analyst", "attorney", "docket_clerk", "outside_counsel")),
            "exclusions.request": ("File or respond to a Section 301 exclusion request",
                                   ("viewer", "analyst", "attorney", "docket_clerk", "outside_counsel")),
            "exclusions.decide": ("Decide a Section 301 exclusion request", ("attorney",)),
            "clearance.write": ("Start an interagency clearance and record agency positions", ("attorney", "analyst")),
            "congress.write": ("Record congressional consultations and notifications", ("attorney",)),
            "committees.write": ("Manage advisory committee members, meetings and reports", ("attorney", "docket_clerk")),
        },
    ),
    Domain(
        name="documents",
        cli="tradepolicy.cli.documents:register",
        api="tradepolicy.api.routes.documents:router",
        pages="tradepolicy.web.pages.documents:router",
    ),
    Domain(name="reports", cli="tradepolicy.cli.reports:register"),
    # New workflows add one Domain here (dockets, clearance, congress, committees, barriers,
    # nte, special301, tfa, disputes, usmca, s301, priorities ...).
]


def nav_entries() -> list[tuple[str, str]]:
    """Return every domain's navigation entries, in declaration order."""
    return [link for d in DOMAINS for link in d.nav]
