"""The one access policy: role x permission, and label x scope grants with expiry.

Routes and services ask :func:`can` and :func:`can_read`; they never decide access in their
own code. The role map is ``policy.yaml`` plus each domain's declared permissions
(``tradepolicy.domains``); it is loaded into a PyCasbin enforcer (an RBAC model with a
``*`` wildcard permission, see :data:`CASBIN_MODEL`), which decides every role x permission
question. The policy is code-reviewed data, so it is read from the YAML at start-up rather than
from a database table (no ``casbin-sqlalchemy-adapter``: one source of truth, versioned in git).
Grants (label x scope x expiry) are per person and live in the ``grants`` table; they travel
on the :class:`Principal` and are checked here by :func:`can_read`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import casbin
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
    grant_rules: dict[str, GrantRule]


@dataclass(frozen=True, slots=True)
class GrantRule:
    """The grants a role may hold: these labels, on scopes starting with one of these prefixes."""

    labels: frozenset[str]
    scope_prefixes: tuple[str, ...]

    def allows(self, label: str, scope: str) -> bool:
        """Return True when a grant of ``label`` on ``scope`` fits this rule (never ``*``)."""
        return (label in self.labels and scope != "*"
                and any(scope.startswith(p) and len(scope) > len(p) for p in self.scope_prefixes))


CASBIN_MODEL = """
[request_definition]
r = sub, act

[policy_definition]
p = sub, act

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.sub == p.sub && (p.act == r.act || p.act == "*")
"""


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
    rules = {role: GrantRule(frozenset(spec.get("labels", ())), tuple(spec.get("scope_prefixes", ())))
             for role, spec in (raw.get("grant_rules") or {}).items()}
    return Policy({k: frozenset(v) for k, v in roles.items()}, descriptions, permissions, rules)


@lru_cache(maxsize=1)
def enforcer() -> Any:
    """Return the PyCasbin enforcer holding the role x permission policy (built once)."""
    model = casbin.model.Model()
    model.load_model_from_text(CASBIN_MODEL)
    e = casbin.Enforcer(model)
    e.add_policies([[role, perm] for role, perms in load_policy().roles.items() for perm in sorted(perms)])
    return e


@lru_cache(maxsize=4096)
def _role_can(role: str, permission: str) -> bool:
    # The policy is static for the life of the process, so the enforcer's answer is memoised.
    return bool(enforcer().enforce(role, permission))


def reload_policy() -> None:
    """Forget the loaded policy (tests that change domains or policy.yaml)."""
    load_policy.cache_clear()
    enforcer.cache_clear()
    _role_can.cache_clear()


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
    held = _role_can(principal.role, permission)
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
    rule = load_policy().grant_rules.get(principal.role)
    return any(g.covers(label, scope, today) and (rule is None or rule.allows(g.label, g.scope))
               for g in principal.grants)


def check_grant(role: str, label: str, scope: str) -> None:
    """Raise an ``InputError`` when a person of ``role`` may not hold a ``label`` grant on ``scope``."""
    rule = load_policy().grant_rules.get(role)
    if rule is not None and not rule.allows(label, scope):
        raise InputError(
            f"A person with the role {role!r} may only receive {' or '.join(sorted(rule.labels))} grants "
            f"on a single {' or '.join(rule.scope_prefixes)}ID; {label!r} on {scope!r} is refused.",
            field="--on", expected=f"--label {sorted(rule.labels)[0]} --on {rule.scope_prefixes[0]}ID",
            example=f"--label {sorted(rule.labels)[0]} --on {rule.scope_prefixes[0]}A-570-893")
