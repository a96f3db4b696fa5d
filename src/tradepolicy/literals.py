"""Enumerated options as ``Literal`` aliases, checked at the boundary."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, TypeVar, get_args

from tradepolicy.errors import InputError

ExecutorKind = Literal["serial", "process", "dask"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
DatasetStatus = Literal["mirror", "cache", "missing", "corrupt"]
AgreementStatus = Literal["in_force", "signed", "terminated", "superseded", "under_negotiation"]
ProvisionArea = Literal[
    "market_access",
    "rules_of_origin",
    "regulatory_coherence",
    "dispute_settlement",
    "labour",
    "environment",
    "digital_trade",
    "capacity_building",
    "intellectual_property",
    "services",
    "investment",
    "customs_and_trade_facilitation",
    "trade_remedies",
    "other",
]

T = TypeVar("T", bound=str)


def check_literal(value: str, options: Iterable[str], *, name: str) -> str:
    """Return ``value`` if it is one of ``options``; raise a clear error otherwise.

    >>> check_literal("serial", get_args(ExecutorKind), name="executor")
    'serial'
    """
    opts = tuple(options)
    if value not in opts:
        raise InputError(
            f"Expecting one of {set(opts)}. Got {value!r}.",
            field=name,
            expected=" | ".join(opts),
            example=opts[0],
        )
    return value


def options_of(alias: object) -> tuple[str, ...]:
    """Return the allowed values of a ``Literal`` alias."""
    return tuple(str(a) for a in get_args(alias))
