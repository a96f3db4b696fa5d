"""CLI commands of the scenario domain (filled in by its issue)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this domain's command groups to the top-level app."""
