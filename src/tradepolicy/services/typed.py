"""The typed contract of services: frozen result models, the JSON value type, and ``plain()``.

Services return typed results (frozen dataclasses or pydantic models), never ``dict[str, Any]``
(``tests/hardening/test_typed_services.py`` scans every public function of ``services/``).
Result models derive from :class:`ServiceModel`: frozen, serialised under their JSON names
(a field named ``from_`` is written ``"from"``), so ``model_dump(mode="json")`` is the JSON
users see, the API returns the model as is, and Jinja reads it by attribute or by key.

:class:`DictAccess` is transitional: the modules of other branches (committees, congress,
special301 ... being typed in parallel) still read case results as ``case["deadlines"]``.
It lets them keep working until they read attributes; remove it from a model once ``grep``
finds no subscript use of that model outside this package's typed callers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, JsonValue

# A JSON value: what a free-form payload holds (a case event's payload, a rule's value,
# a stored run's inputs). Used only where the content is genuinely open-ended.
JSONValue = JsonValue
JSONObject = dict[str, JSONValue]
# A scalar value of the law engine (a count of days, a share, an ISO date, or none)
Scalar = str | int | float | bool | None


class ServiceModel(BaseModel):
    """A service's result: frozen, JSON names by alias, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", serialize_by_alias=True,
                              validate_by_name=True, validate_by_alias=True)

    def json_dict(self) -> JSONObject:
        """Return the JSON form users see (CLI ``--json``, API, page twins)."""
        return self.model_dump(mode="json")


class DictAccess:
    """Transitional read access by key (``x["id"]``, ``x.get("id")``, ``{**x}``, ``dict(x)``) on a model.

    Only for callers in modules of other branches written against the former dicts; new
    code reads attributes. Keys are the JSON names (aliases), then any extra fields. The
    class is registered as a ``Mapping`` so that pydantic accepts such a model where those
    modules declare ``dict[str, Any]`` or validate it into their own model.
    """

    def _key_map(self) -> dict[str, str]:
        fields = type(self).model_fields  # type: ignore[attr-defined]
        keys = {(f.alias or name): name for name, f in fields.items()}
        extra = getattr(self, "__pydantic_extra__", None) or {}
        return {**keys, **{k: k for k in extra}}

    def __getitem__(self, key: str) -> Any:
        name = self._key_map().get(key)
        if name is None:
            raise KeyError(key)
        return getattr(self, name)

    def get(self, key: str, default: Any = None) -> Any:
        """Return the value under the JSON name ``key``, or ``default``."""
        try:
            return self[key]
        except KeyError:
            return default

    def keys(self) -> list[str]:
        """Return the JSON names of the fields."""
        return list(self._key_map())

    def values(self) -> list[Any]:
        """Return the values, in the order of :meth:`keys`."""
        return [self[k] for k in self.keys()]

    def items(self) -> list[tuple[str, Any]]:
        """Return (JSON name, value) pairs."""
        return [(k, self[k]) for k in self.keys()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._key_map()

    def __len__(self) -> int:
        return len(self._key_map())


Mapping.register(DictAccess)


def plain(value: Any) -> Any:
    """Return ``value`` with every model / dataclass inside made into dicts (JSON names)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value
