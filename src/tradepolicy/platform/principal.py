"""Who is asking: a signed-in person, a token, the local CLI operator, or an anonymous visitor."""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Literal

Via = Literal["anonymous", "session", "token", "cli", "system"]


@dataclass(frozen=True, slots=True)
class Grant:
    """Permission to read items with ``label`` within ``scope`` until ``until`` (inclusive).

    ``scope`` names what the grant covers: ``case:ID``, ``docket:ID``, ``agreement:ID``,
    ``barrier:ID``... or ``*`` for every scope (office-wide, e.g. restricted drafts for staff).
    """

    label: str
    scope: str
    until: dt.date | None = None
    id: int | None = None

    def covers(self, label: str, scope: str | None, on: dt.date) -> bool:
        """Return True when this grant lets its holder read ``label`` items of ``scope`` on ``on``."""
        if self.label != label:
            return False
        if self.until is not None and on > self.until:
            return False
        return self.scope == "*" or (scope is not None and self.scope == scope)


@dataclass(frozen=True, slots=True)
class Principal:
    """The actor behind a request or a command.

    ``name`` is what the audit and access logs record. ``scopes`` limits a token to a subset of
    its user's permissions (empty = all of them).
    """

    name: str
    role: str
    user_id: int | None = None
    grants: tuple[Grant, ...] = ()
    via: Via = "anonymous"
    scopes: tuple[str, ...] = field(default=())

    @property
    def is_anonymous(self) -> bool:
        """True for a visitor who has not signed in."""
        return self.via == "anonymous"


ANONYMOUS = Principal(name="anonymous", role="anonymous", via="anonymous")


def local_operator() -> Principal:
    """Return the principal of a command run on this machine (``TRADEPOLICY_USER``, else ``$USER``).

    Whoever can run the CLI against the database file administers it; like every administrator,
    the operator still needs grants to read confidential items. The platform's people service
    replaces this with the named user's own role and grants when that user exists.
    """
    from tradepolicy.config import get_settings

    return Principal(name=get_settings().user, role="administrator", via="cli")


# The principal on whose behalf the current request or command runs. The web middleware sets it
# for each request, so that services record the signed-in person as the actor of a write.
_ACTING: ContextVar[Principal | None] = ContextVar("tradepolicy_acting", default=None)


def set_acting(principal: Principal | None) -> Token[Principal | None]:
    """Make ``principal`` the actor of what follows in this context; returns the reset token."""
    return _ACTING.set(principal)


def reset_acting(token: Token[Principal | None]) -> None:
    """Undo :func:`set_acting`."""
    _ACTING.reset(token)


def acting_name() -> str:
    """Return the name services record as the actor: the request's principal, else ``TRADEPOLICY_USER``."""
    p = _ACTING.get()
    if p is not None and not p.is_anonymous:
        return p.name
    from tradepolicy.config import get_settings

    return get_settings().user
