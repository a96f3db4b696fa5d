"""The one access policy: role x permission, and label x scope grants with expiry.

Routes and services ask :func:`can` and :func:`can_read`; they never decide access in their
own code. The role map is ``policy.yaml`` plus each domain's declared permissions
(``tradepolicy.domains``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from tradepolicy.errors import InputError
from tradepolicy.platform.labels import is_confidential
from tradepolicy.platform.principal import Principal


@dataclass(frozen=True, slots=True)
class Policy:
    """Roles with their descriptions and permission sets, and every known permission."""

    roles: dict[str, frozenset[str]]
    role_descriptions: dict[str, str]
    permissions: dict[str, str]


@lru_cache(maxsize=1)
def load_policy() -> Policy:
    """Return the policy: ``policy.yaml`` merged with the permissions the domains declare."""
    raw = yaml.safe_load(resources.files("tradepolicy.platform").joinpath("policy.yaml").read_text())
    roles = {name: set(spec["permissions"]) for name, spec in raw["roles"].items()}
    descriptions = {name: spec["description"] for name, spec in raw["roles"].items()}
    permissions = dict(raw["permissions"])
    from tradepolicy.domains import DOMAINS  # the domains' own permissions

    for domain in DOMAINS:
        for perm, (description, holders) in domain.permissions.items():
            permissions[perm] = description
            for role in holders:
                if role not in roles:
                    raise InputError(f"Domain {domain.name!r} gives {perm!r} to unknown role {role!r}.",
                                     where="tradepolicy/domains.py", field="permissions",
                                     expected=" | ".join(roles), example="attorney")
                roles[role].add(perm)
    return Policy({k: frozenset(v) for k, v in roles.items()}, descriptions, permissions)


def roles() -> tuple[str, ...]:
    """Return the role names."""
    return tuple(load_policy().roles)


def check_role(role: str) -> str:
    """Return ``role`` if it exists, else raise an ``InputError`` naming the roles."""
    if role not in load_policy().roles or role == "anonymous":
        names = [r for r in roles() if r != "anonymous"]
        raise InputError(f"Unknown role {role!r}.", field="role", expected=" | ".join(names), example="attorney")
    return role


def can(principal: Principal, permission: str) -> bool:
    """Return True when the principal's role (narrowed by a token's scopes) holds ``permission``."""
    perms = load_policy().roles.get(principal.role, frozenset())
    held = "*" in perms or permission in perms
    if held and principal.scopes:
        held = permission in principal.scopes or "*" in principal.scopes
    return held


def can_read(principal: Principal, label: str, scope: str | None, *, on: dt.date | None = None) -> bool:
    """Return True when the principal may read an item with ``label`` in ``scope``.

    Public items are readable by everyone. A confidential item needs the permission
    ``records.read_confidential`` and an unexpired grant for its label and scope.
    """
    if not is_confidential(label):
        return True
    if not can(principal, "records.read_confidential"):
        return False
    today = on or dt.date.today()
    return any(g.covers(label, scope, today) for g in principal.grants)
