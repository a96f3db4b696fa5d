"""The ``tradepolicy`` command line.

Every read command takes ``--json``; otherwise it prints a Rich table. Any bad input
exits with code 2 and a message naming the field, the expected form and an example.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from tradepolicy.errors import TradePolicyError


def _report(exc: TradePolicyError) -> None:
    from rich.markup import escape

    from tradepolicy.cli._output import err_console

    # soft_wrap: an error is never wrapped at the terminal width (a long path stays whole,
    # so scripts and tests can match it), on a terminal or not.
    err_console.print(f"[bold red]error[/]: {escape(exc.message)}", highlight=False, soft_wrap=True)
    for key in ("where", "field", "expected", "example"):
        value = getattr(exc, key)
        if value:
            err_console.print(f"  {key}: {value}", highlight=False, markup=False, soft_wrap=True)


class _Group(TyperGroup):
    """Top-level group that turns every ``TradePolicyError`` into exit code 2."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except TradePolicyError as exc:
            _report(exc)
            raise typer.Exit(2) from exc


app = typer.Typer(
    cls=_Group,
    name="tradepolicy",
    help="tradepolicy: the work of a trade representative's office.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from tradepolicy.domains import DOMAINS, load

    for domain in DOMAINS:
        if domain.cli:
            load(domain.cli)(app)


_register()


def main() -> None:
    """Entry point of the ``tradepolicy`` script."""
    import sys

    from tradepolicy.config import configure_logging

    try:
        configure_logging()
    except TradePolicyError as exc:  # a bad TRADEPOLICY_* setting
        _report(exc)
        sys.exit(2)
    app()
