"""Rendering helpers shared by every command: JSON, Rich tables, errors."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table


def _width() -> int | None:
    """Terminal width; when piped (no terminal, no COLUMNS), wide enough for our tables."""
    import os

    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    return None if sys.stdout.isatty() else 160


console = Console(width=_width())
err_console = Console(stderr=True, width=_width())

JSON_OPTION_HELP = "Print JSON instead of a table."


def _default(o: Any) -> Any:
    if isinstance(o, dt.date | dt.datetime):
        return o.isoformat()
    if hasattr(o, "tolist"):
        return o.tolist()
    if hasattr(o, "item"):
        return o.item()
    return str(o)


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout (no Rich markup)."""
    sys.stdout.write(json.dumps(data, indent=2, default=_default, ensure_ascii=False) + "\n")


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], *, title: str | None = None) -> None:
    """Print rows as a Rich table with the given columns."""
    table = Table(title=title, show_lines=False)
    for c in columns:
        table.add_column(c)
    for r in rows:
        table.add_row(*("" if r.get(c) is None else str(r.get(c)) for c in columns))
    console.print(table)


def plain(data: Any) -> Any:
    """Return a service's typed result (dataclasses, pydantic models, lists of them) as dicts/lists."""
    import dataclasses

    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        return dataclasses.asdict(data)
    if hasattr(data, "model_dump"):
        return data.model_dump(mode="json")
    if isinstance(data, list | tuple) and data and any(
            (dataclasses.is_dataclass(x) and not isinstance(x, type)) or hasattr(x, "model_dump") for x in data):
        return [plain(x) for x in data]
    return data


def emit(data: Any, *, as_json: bool, columns: Sequence[str] | None = None, title: str | None = None) -> None:
    """Print a list of rows (or a dict, or a typed result) as JSON or as a table."""
    data = plain(data)
    if as_json:
        print_json(data)
        return
    if isinstance(data, dict):
        rows = [{"field": k, "value": v if not isinstance(v, list | dict) else json.dumps(v, default=_default)}
                for k, v in data.items()]
        print_table(rows, ["field", "value"], title=title)
        return
    cols = list(columns or (list(data[0].keys()) if data else []))
    print_table(data, cols, title=title)


@contextmanager
def progress(description: str, total: int | None = None) -> Iterator[Any]:
    """Show a Rich progress bar on stderr while long work runs; yields (progress, task)."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=err_console, transient=True) as prog:
        task = prog.add_task(description, total=total)
        yield prog, task
