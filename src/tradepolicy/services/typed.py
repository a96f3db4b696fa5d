"""The typed contract of services: frozen result models, the JSON value type, and ``plain()``.

Services return typed results (frozen dataclasses or pydantic models), never ``dict[str, Any]``
(``tests/hardening/test_typed_services.py`` scans every public function of ``services/``).
Result models derive from :class:`ServiceModel` (or are frozen dataclasses with :class:`DictMixin`): frozen, serialised under their JSON names
(a field named ``from_`` is written ``"from"``), so ``model_dump(mode="json")`` is the JSON
users see, the API returns the model as is, and Jinja reads it by attribute. Callers read
models by attribute; where a real dict is needed (JSON output) they call ``model_dump(mode="json")``.
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


class DictMixin:
    """``to_dict()`` for a frozen result dataclass: ``dataclasses.asdict(self)``, nested ones too.

    The one copy of the ``to_dict() -> asdict(self)`` every dataclass result used to carry; a class
    whose JSON differs (tuples as lists, a key left out) still defines its own ``to_dict``.
    """

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the dataclass as a dict (the keys and order the JSON outputs have always used)."""
        return dataclasses.asdict(self)  # type: ignore[call-overload]


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


def _read_only(*_args: Any, **_kwargs: Any) -> Any:
    raise TypeError("This JSON value belongs to a stored, shared record and is read-only; "
                    "copy it first, e.g. copy.deepcopy(view.payload) or view.model_dump(mode='json').")


class FrozenJSONObject(dict[str, Any]):
    """A read-only JSON object (a ``dict`` for reading, serialising and comparing; never changed).

    Answers that reuse a stored, append-only record's validated model (a case's log rows, its
    events) hold its payload as this, so no caller can change what the next answer shows.
    Copies (``dict(x)``, ``copy.copy``/``deepcopy``, ``model_dump``) are ordinary, mutable dicts.
    """

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        import copy

        return {k: copy.deepcopy(v, memo) for k, v in self.items()}

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))


class FrozenJSONArray(list[Any]):
    """A read-only JSON array (see :class:`FrozenJSONObject`)."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only
    append = extend = insert = pop = remove = clear = sort = reverse = _read_only

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        import copy

        return [copy.deepcopy(v, memo) for v in self]

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (list(self),))


def frozen_json(value: Any) -> Any:
    """Return ``value`` (a JSON value) with every object and array inside made read-only."""
    if isinstance(value, dict):
        return FrozenJSONObject((k, frozen_json(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return FrozenJSONArray(frozen_json(v) for v in value)
    return value
