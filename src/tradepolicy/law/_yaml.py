"""Shared YAML loading for the law data: errors name the file, the key, the form and an example.

The law engine reads only its own bundled, cited YAML (package data under ``law/data``)
or a file a caller passes explicitly; it never touches the database.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from tradepolicy.yaml_registry import expected_for, read_mapping
from tradepolicy.yaml_registry import validate_items as _validate_items


def data_dir(kind: str) -> Path:
    """Return the bundled data folder ``law/data/<kind>``."""
    return Path(str(resources.files("tradepolicy.law").joinpath("data", kind)))


def validate_items(
    model: type[BaseModel], items: Any, *, path: Path, top_key: str, example: str
) -> list[Any]:
    """Validate the items under ``top_key``; ids must be unique across the law files."""
    return _validate_items(model, items, path=path, top_key=top_key, example=example,
                           unique_scope="the law files")


__all__ = ["data_dir", "expected_for", "read_mapping", "validate_items"]
