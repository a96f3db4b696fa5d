"""Dashboard panels: each domain registers a function that returns a panel's context.

A panel function takes no argument and returns ``{"title": str, "template": str, ...}``
where ``template`` is a Jinja partial rendered inside the dashboard.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PanelFn = Callable[[], dict[str, Any]]
PANELS: list[PanelFn] = []


def register_panel(fn: PanelFn) -> PanelFn:
    """Add a panel to the dashboard (decorator)."""
    PANELS.append(fn)
    return fn


def panels() -> list[dict[str, Any]]:
    """Return every panel's context; a failing panel shows its error instead of breaking the page."""
    from tradepolicy.domains import DOMAINS, load

    for domain in DOMAINS:
        for target in domain.panels:
            fn = load(target)
            if fn not in PANELS:
                PANELS.append(fn)
    out = []
    for fn in PANELS:
        try:
            out.append(fn())
        except Exception as exc:  # a panel's failure must not take the dashboard down
            out.append({"title": fn.__name__, "template": "panels/error.html", "error": str(exc)})
    return out
