"""CLI commands of gravity estimation and GE (issue 5, part A)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this domain's command groups to the top-level app."""
