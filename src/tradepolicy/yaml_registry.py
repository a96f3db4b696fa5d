"""Reading and validating cited YAML registry files (reference registry, law data).

Every error is a ``RegistryError`` that names the file (and line or entry), the key, the
expected form and an example (the OpenFisca convention).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from tradepolicy.errors import RegistryError

# libyaml's safe loader when PyYAML has it (the same documents, about 10x faster: the law
# data took ~9 s to parse with the pure-Python loader at a server's first request).
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictModel(BaseModel):
    """Base of every registry record: unknown keys are errors, records are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def read_mapping(path: Path, *, top_key: str, example: str) -> dict[str, Any]:
    """Read ``path`` as YAML and return the mapping; it must hold ``top_key``."""
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise RegistryError(f"Cannot read the file: {exc.strerror}.", where=str(path),
                            expected="a readable YAML file", example=example) from exc
    try:
        raw = yaml.load(text, Loader=SAFE_LOADER)  # a safe loader (libyaml when present)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise RegistryError(f"Not valid YAML: {getattr(exc, 'problem', exc)}.", where=where,
                            expected=f"a YAML mapping with {top_key!r}", example=example) from exc
    except ValueError as exc:  # PyYAML builds dates eagerly: 2020-13-01 raises here
        raise RegistryError(f"Invalid date: {exc}.", where=str(path), field="date",
                            expected="an ISO date YYYY-MM-DD, e.g. 2020-07-01", example=example) from exc
    if not isinstance(raw, dict) or top_key not in raw:
        raise RegistryError(f"Expected a mapping with the key {top_key!r}.", where=str(path),
                            field=top_key, expected=f"{top_key}: ...", example=example)
    return raw


def expected_for(err: Any) -> str:
    """Turn a pydantic error into the 'expected form' of a RegistryError."""
    kind = str(err.get("type", ""))
    if "date" in kind:
        return "an ISO date YYYY-MM-DD, e.g. 2020-07-01"
    if kind == "missing":
        return "the key to be present"
    if kind == "extra_forbidden":
        return "only documented keys"
    if kind == "literal_error":
        return "one of " + str(err.get("ctx", {}).get("expected", "the allowed values"))
    if kind.startswith("int"):
        return "an integer"
    return str(err.get("msg", "a valid value"))


def validate_items(
    model: type[BaseModel], items: Any, *, path: Path, top_key: str, example: str,
    unique_scope: str = "the file",
) -> list[Any]:
    """Validate each item of the list under ``top_key`` with ``model``; ids must be unique."""
    if not isinstance(items, list):
        raise RegistryError(f"Expected a list under {top_key!r}.", where=str(path), field=top_key,
                            expected=f"{top_key}: [ ... ]", example=example)
    out = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        ident = item.get("id", f"#{i}") if isinstance(item, dict) else f"#{i}"
        try:
            rec = model.model_validate(item)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            raise RegistryError(
                f"Invalid entry {ident!r}: {err['msg']}.",
                where=f"{path}: {top_key}[{i}] ({ident})",
                field=loc or None,
                expected=expected_for(err),
                example=example,
            ) from exc
        rid = str(getattr(rec, "id", ident))
        if rid in seen:
            raise RegistryError(f"Duplicate id {rid!r}.", where=f"{path}: {top_key}[{i}]",
                                field="id", expected=f"ids unique within {unique_scope}",
                                example=example)
        seen.add(rid)
        out.append(rec)
    return out
