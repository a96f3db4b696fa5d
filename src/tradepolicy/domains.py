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
        name="disputes",
        cli="tradepolicy.cli.enforcement:register",  # disputes, usmca, s301 and priorities command groups
        api="tradepolicy.api.routes.enforcement:router",  # the enforcement API (disputes, usmca, s301, priorities)
        pages="tradepolicy.web.pages.enforcement:router",
        nav=(("/disputes", "Disputes"), ("/priorities", "Priorities")),
        permissions={"disputes.write": ("Load the WTO dispute registry and enter later disputes",
                                        ("attorney",))},
    ),
    Domain(name="usmca", permissions={"usmca.write": ("Load and record USMCA Chapter 31 / RRM cases",
                                                     ("attorney",))}),
    Domain(name="s301", permissions={"s301.design": ("Design a Section 301 action list (optimiser, PE, annex)",
                                                    ("analyst", "attorney"))}),
    Domain(name="priorities"),
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
    Domain(
        name="barriers",
        cli="tradepolicy.cli.promote:register_barriers",
        api="tradepolicy.api.routes.promote:barriers_router",
        pages="tradepolicy.web.pages.promote:router",
        nav=(("/barriers", "Barriers"), ("/nte", "NTE"), ("/special301", "Special 301"), ("/tfa", "TFA")),
        seeders=(("nte_2025_barriers", "tradepolicy.services.barriers:seed_nte_barriers"),),
        permissions={
            "barriers.write": ("Enter and update barriers, change their status, draft public versions",
                               ("analyst", "attorney")),
            "barriers.publish": ("Approve and publish the public version of a barrier", ("attorney",)),
        },
    ),
    Domain(
        name="nte",
        cli="tradepolicy.cli.promote:register_nte",
        api="tradepolicy.api.routes.promote:nte_router",
        permissions={"nte.publish": ("Close an NTE edition (store the list it reports)", ("attorney",))},
    ),
    Domain(
        name="special301",
        cli="tradepolicy.cli.promote:register_special301",
        api="tradepolicy.api.routes.promote:special301_router",
        permissions={"special301.write": ("Record Special 301 placements, open reviews, identify a PFC",
                                          ("analyst", "attorney"))},
    ),
    Domain(
        name="tfa",
        cli="tradepolicy.cli.promote:register_tfa",
        api="tradepolicy.api.routes.promote:tfa_router",
        permissions={"tfa.write": ("Import TFA commitments, log notifications, record assistance programmes",
                                   ("analyst", "attorney"))},
    ),
    Domain(
        name="platform",  # people, sign-in, tokens, grants, the access log, generic records
        cli="tradepolicy.cli.people:register",
        api="tradepolicy.api.routes.platform:router",
        pages="tradepolicy.web.pages.account:router",
    ),
    # New workflows add one Domain here (dockets, clearance, congress, committees, barriers,
    # nte, special301, tfa, disputes, usmca, s301, priorities ...).
]


def nav_entries() -> list[tuple[str, str]]:
    """Return every domain's navigation entries, in declaration order."""
    return [link for d in DOMAINS for link in d.nav]
