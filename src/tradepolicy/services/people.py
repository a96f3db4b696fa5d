"""People of the office: users, passwords, web sessions, API tokens, grants and the access log.

The one service behind ``tradepolicy users|tokens|grants|audit reads``, the sign-in pages and the
authentication middleware. Passwords are argon2 hashes (pwdlib); API tokens and session ids are
high-entropy random strings of which only a sha256 is stored (tokens) or which are signed in the
cookie (sessions). Every change is audited; administration needs the permission ``users.admin``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tradepolicy.config import get_settings
from tradepolicy.errors import (
    ConflictError,
    ForbiddenError,
    InputError,
    NotFoundError,
    NotSignedInError,
)
from tradepolicy.platform.labels import check_label
from tradepolicy.platform.policy import can, check_grant, check_role, load_policy
from tradepolicy.platform.principal import Grant, Principal, local_operator
from tradepolicy.store import audit
from tradepolicy.store.db import read_session, transaction
from tradepolicy.store.models import utcnow
from tradepolicy.store.models_platform import AccessEntry, ApiToken, GrantRow, User, WebSession
from tradepolicy.store.models_shared import SignInFailure

TOKEN_PREFIX = "tp_"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,119}$")
SCOPE_RE = re.compile(r"^(\*|[a-z][a-z0-9_]*:[A-Za-z0-9][A-Za-z0-9._:/-]{0,190})$")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
DEFAULT_TOKEN_DAYS = 90
LAST_USED_MINUTES = 5  # api_tokens.last_used_at is refreshed at most this often


# ---------------------------------------------------------------- typed results


@dataclass(frozen=True, slots=True)
class UserInfo:
    """A user as listed (never the password hash)."""

    id: int
    name: str
    role: str
    display_name: str
    email: str | None
    disabled: bool
    has_password: bool
    created_at: dt.datetime
    created_by: str


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """An API token's metadata (the token itself is shown once, at creation)."""

    id: int
    user: str
    name: str
    scopes: tuple[str, ...]
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new API token: ``token`` is printed once and never stored."""

    token: str
    info: TokenInfo


@dataclass(frozen=True, slots=True)
class GrantInfo:
    """A grant as listed."""

    id: int
    user: str
    label: str
    scope: str
    until: dt.date | None
    granted_by: str
    granted_at: dt.datetime
    revoked_at: dt.datetime | None
    active: bool


@dataclass(frozen=True, slots=True)
class AccessInfo:
    """One access-log entry: who read which confidential item, when and from where."""

    id: int
    at: dt.datetime
    actor: str
    role: str
    via: str
    action: str
    entity: str
    entity_id: str
    label: str
    scope: str | None
    where: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A new web session: the id goes (signed) into the cookie."""

    session_id: str
    user: str
    expires_at: dt.datetime


# ---------------------------------------------------------------- secrets and hashing


def _data_dir() -> Path:
    from sqlalchemy.engine import make_url

    url = make_url(get_settings().database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent
    from platformdirs import user_data_dir

    return Path(user_data_dir("tradepolicy"))


_SECRET_LOCK = threading.Lock()


def secret_key() -> str:
    """Return ``TRADEPOLICY_SECRET_KEY``, else the key kept in the data directory (created once, mode 0600)."""
    settings = get_settings()
    if settings.secret_key:
        return settings.secret_key
    return _secret_for(settings.database_url)


@lru_cache(maxsize=8)
def _secret_for(database_url: str) -> str:
    return _file_secret(str(_data_dir() / "secret_key"))


@lru_cache(maxsize=8)
def _file_secret(path_s: str) -> str:
    path = Path(path_s)
    with _SECRET_LOCK:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        return path.read_text().strip()


@lru_cache(maxsize=1)
def _hasher() -> Any:
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    return PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    """Return the argon2id hash of ``password`` (refusing short or huge ones)."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InputError(f"A password must have {MIN_PASSWORD} to {MAX_PASSWORD} characters; this one has {len(password)}.",
                         field="password", expected=f"at least {MIN_PASSWORD} characters",
                         example="correct horse battery staple")
    return str(_hasher().hash(password))


def token_hash(token: str) -> str:
    """Return the sha256 (hex) under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


_DUMMY_HASH: str | None = None


def _verify(password: str, stored: str | None) -> bool:
    global _DUMMY_HASH
    if stored is None:  # same work as a real check, so timing does not tell which names exist
        if _DUMMY_HASH is None:
            _DUMMY_HASH = str(_hasher().hash(secrets.token_urlsafe(16)))
        _hasher().verify(password, _DUMMY_HASH)
        return False
    try:
        return bool(_hasher().verify(password, stored))
    except Exception:
        return False


# ---------------------------------------------------------------- helpers


def _require(actor: Principal, permission: str) -> None:
    if not can(actor, permission):
        raise ForbiddenError(f"{actor.name!r} (role {actor.role!r}) does not hold the permission {permission!r}.",
                             field="TRADEPOLICY_USER", expected=f"a user whose role holds {permission}",
                             example="TRADEPOLICY_USER=admin tradepolicy users list")


def check_name(name: str) -> str:
    """Return ``name`` if it is a valid user name, else raise an ``InputError``."""
    if not NAME_RE.match(name or ""):
        raise InputError(f"Invalid user name {name!r}.", field="NAME",
                         expected="1-120 letters, digits, '.', '_', '@' or '-', starting with a letter or digit",
                         example="jdoe")
    return name


def _user(s: Session, name: str) -> User:
    u = s.scalar(select(User).where(User.name == name))
    if u is None:
        raise NotFoundError(f"No user {name!r}.", field="NAME", expected="a name listed by 'tradepolicy users list'",
                            example="jdoe")
    return u


def _user_info(u: User) -> UserInfo:
    return UserInfo(id=u.id, name=u.name, role=u.role, display_name=u.display_name, email=u.email,
                    disabled=bool(u.disabled), has_password=u.password_hash is not None,
                    created_at=u.created_at, created_by=u.created_by)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _token_info(t: ApiToken, user: str) -> TokenInfo:
    return TokenInfo(id=t.id, user=user, name=t.name, scopes=tuple(t.scopes or ()), created_at=t.created_at,
                     expires_at=_aware(t.expires_at), revoked_at=_aware(t.revoked_at),
                     last_used_at=_aware(t.last_used_at))


def _grant_info(g: GrantRow, user: str, today: dt.date) -> GrantInfo:
    active = g.revoked_at is None and (g.until is None or g.until >= today)
    return GrantInfo(id=g.id, user=user, label=g.label, scope=g.scope, until=g.until, granted_by=g.granted_by,
                     granted_at=g.granted_at, revoked_at=_aware(g.revoked_at), active=active)


def parse_date(value: str, *, field: str) -> dt.date:
    """Parse YYYY-MM-DD, or raise an ``InputError`` naming ``field``."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"Invalid date {value!r}.", field=field, expected="YYYY-MM-DD", example="2027-06-30") from exc


def parse_expiry(value: str | None, *, today: dt.date | None = None) -> dt.datetime | None:
    """Parse a token expiry: ``YYYY-MM-DD`` (end of that day, UTC), ``NNd`` (days from now) or ``never``."""
    now = utcnow()
    if value is None:
        return now + dt.timedelta(days=DEFAULT_TOKEN_DAYS)
    v = value.strip().lower()
    if v == "never":
        return None
    if re.fullmatch(r"\d{1,4}d", v):
        days = int(v[:-1])
        if days < 1:
            raise InputError("A token must last at least one day.", field="--expires", expected="1d or more", example="30d")
        return now + dt.timedelta(days=days)
    day = parse_date(v, field="--expires")
    if day < (today or now.date()):
        raise InputError(f"Expiry {day} is in the past.", field="--expires", expected="a future date", example="90d")
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.UTC)


# ---------------------------------------------------------------- users


def add_user(actor: Principal, name: str, *, role: str, password: str | None = None, display_name: str = "",
             email: str | None = None) -> UserInfo:
    """Create a user (``users.admin``); the password, when given, is stored as an argon2 hash only."""
    _require(actor, "users.admin")
    check_name(name)
    check_role(role)
    pw_hash = hash_password(password) if password is not None else None
    with transaction() as s:
        if s.scalar(select(User.id).where(User.name == name)) is not None:
            raise ConflictError(f"A user named {name!r} already exists.", field="NAME", expected="a new name",
                                example=f"{name}2")
        u = User(name=name, role=role, password_hash=pw_hash, display_name=display_name[:200], email=email,
                 disabled=False, created_by=actor.name)
        s.add(u)
        s.flush()
        audit.record(s, actor=actor.name, action="insert", entity="users", entity_id=name, before=None,
                     after={"role": role, "password": pw_hash is not None})
        return _user_info(u)


def set_password(actor: Principal, name: str, password: str) -> UserInfo:
    """Set a user's password (``users.admin``, or the user themself); ends their web sessions."""
    if actor.name != name:
        _require(actor, "users.admin")
    pw_hash = hash_password(password)
    with transaction() as s:
        u = _user(s, name)
        u.password_hash = pw_hash
        _revoke_sessions(s, u.id)
        audit.record(s, actor=actor.name, action="password", entity="users", entity_id=name, before=None, after=None)
        return _user_info(u)


def list_users(actor: Principal) -> list[UserInfo]:
    """Return every user (``users.admin``)."""
    _require(actor, "users.admin")
    with read_session() as s:
        return [_user_info(u) for u in s.scalars(select(User).order_by(User.name))]


def disable_user(actor: Principal, name: str) -> UserInfo:
    """Disable a user (``users.admin``): their sessions end and their tokens stop working at once."""
    _require(actor, "users.admin")
    with transaction() as s:
        u = _user(s, name)
        before = {"disabled": u.disabled}
        u.disabled = True
        _revoke_sessions(s, u.id)
        audit.record(s, actor=actor.name, action="disable", entity="users", entity_id=name, before=before,
                     after={"disabled": True})
        info = _user_info(u)
    forget_cached()
    return info


def count_users() -> int:
    """Return how many enabled users exist (0 on a fresh database)."""
    with read_session() as s:
        return int(s.scalar(select(func.count()).select_from(User).where(User.disabled.is_(False))) or 0)


def _revoke_sessions(s: Session, user_id: int) -> None:
    now = utcnow()
    for ws in s.scalars(select(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))):
        ws.revoked_at = now


# ---------------------------------------------------------------- principals


def _grants_of(s: Session, user_id: int) -> tuple[Grant, ...]:
    rows = s.execute(select(GrantRow.id, GrantRow.label, GrantRow.scope, GrantRow.until).where(
        GrantRow.user_id == user_id, GrantRow.revoked_at.is_(None)).order_by(GrantRow.id))
    return tuple(Grant(label=lab, scope=scope, until=until, id=gid) for gid, lab, scope, until in rows)


def principal_of(s: Session, user: User, *, via: str, scopes: tuple[str, ...] = ()) -> Principal:
    """Return the principal of a stored user (role and unrevoked grants)."""
    return Principal(name=user.name, role=user.role, user_id=user.id, grants=_grants_of(s, user.id),
                     via=via, scopes=scopes)  # type: ignore[arg-type]


def cli_principal() -> Principal:
    """Return the CLI's principal: the stored user named by ``TRADEPOLICY_USER``, else the local operator.

    A stored user who is disabled may not use the CLI under that name.
    """
    name = get_settings().user
    with read_session() as s:
        u = s.scalar(select(User).where(User.name == name))
        if u is None:
            return local_operator()
        if u.disabled:
            raise ForbiddenError(f"User {name!r} is disabled.", field="TRADEPOLICY_USER",
                                 expected="an enabled user, or a name that is not a stored user",
                                 example="TRADEPOLICY_USER=admin")
        return principal_of(s, u, via="cli")


# A short cache of resolved credentials, so that a page with its assets does not query the
# users, sessions and grants tables on every request. Any change made by this process (sign-out,
# disable, revoke, grant) clears it; other processes see a change within CACHE_SECONDS.
CACHE_SECONDS = 5.0
_CACHE: dict[str, tuple[float, Principal | None]] = {}
_CACHE_LOCK = threading.Lock()


def forget_cached() -> None:
    """Drop every cached credential (called after any change to users, sessions, tokens or grants)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def _cached(key: str) -> tuple[bool, Principal | None]:
    hit = _CACHE.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return True, hit[1]
    return False, None


def _remember(key: str, value: Principal | None) -> None:
    with _CACHE_LOCK:
        if len(_CACHE) > 10_000:
            _CACHE.clear()
        _CACHE[key] = (time.monotonic() + CACHE_SECONDS, value)


def cached_principal(*, session_id: str | None = None, token: str | None = None) -> tuple[bool, Principal | None]:
    """Return (hit, principal) from the credential cache alone, without touching the database."""
    if session_id is not None:
        return _cached("s:" + session_id)
    if token is not None and token.startswith(TOKEN_PREFIX) and len(token) <= 200:
        return _cached("t:" + token_hash(token))
    return False, None


def principal_for_session(session_id: str) -> Principal | None:
    """Return the principal of an unexpired, unrevoked session of an enabled user, else None."""
    key = "s:" + session_id
    hit, value = _cached(key)
    if hit:
        return value
    now = utcnow()
    principal = None
    with read_session() as s:
        row = s.execute(select(WebSession, User).join(User, User.id == WebSession.user_id).where(
            WebSession.id == token_hash(session_id))).first()
        if row is not None:
            ws, u = row
            if ws.revoked_at is None and _aware(ws.expires_at) > now and not u.disabled:  # type: ignore[operator]
                principal = principal_of(s, u, via="session")
    _remember(key, principal)
    return principal


def principal_for_token(token: str) -> Principal | None:
    """Return the principal of an unexpired, unrevoked API token of an enabled user, else None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    key = "t:" + token_hash(token)
    hit, value = _cached(key)
    if hit:
        return value
    now = utcnow()
    principal = None
    touch = None
    with read_session() as s:
        row = s.execute(select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(
            ApiToken.token_hash == token_hash(token))).first()
        if row is not None:
            t, u = row
            expired = t.expires_at is not None and _aware(t.expires_at) <= now  # type: ignore[operator]
            if t.revoked_at is None and not expired and not u.disabled:
                principal = principal_of(s, u, via="token", scopes=tuple(t.scopes or ()))
                last = _aware(t.last_used_at)
                if last is None or now - last > dt.timedelta(minutes=LAST_USED_MINUTES):
                    touch = t.id
    if touch is not None:  # a write at most every few minutes per token, not per request
        with transaction() as s:
            tok = s.get(ApiToken, touch)
            if tok is not None:
                tok.last_used_at = now
    _remember(key, principal)
    return principal


# ---------------------------------------------------------------- sign-in (web sessions)


# Failed sign-ins per name, in the database (table sign_in_failures), so that every server worker
# process sees them: after MAX_FAILURES within FAILURE_WINDOW the name is refused for the rest of
# the window, whatever the password (argon2 already costs ~0.3 s a try).
MAX_FAILURES = 5
FAILURE_WINDOW = 15 * 60.0


def _recent_failures(name: str, now: dt.datetime) -> list[dt.datetime]:
    since = now - dt.timedelta(seconds=FAILURE_WINDOW)
    with read_session() as s:
        times = s.scalars(select(SignInFailure.at).where(SignInFailure.name == name[:120])
                          .order_by(SignInFailure.at)).all()
    return [a for a in (_aware(x) for x in times) if a is not None and a > since]


def _note_failure(name: str, now: dt.datetime) -> None:
    with transaction() as s:
        s.add(SignInFailure(name=name[:120], at=now))
        s.execute(delete(SignInFailure).where(SignInFailure.at < now - dt.timedelta(seconds=FAILURE_WINDOW)))


def _clear_failures(name: str) -> None:
    with transaction() as s:
        s.execute(delete(SignInFailure).where(SignInFailure.name == name[:120]))


def sign_in(name: str, password: str, *, where: str = "") -> SignedIn:
    """Check a name and password and open a web session; the same error for any wrong part.

    After ``MAX_FAILURES`` failures for one name within ``FAILURE_WINDOW`` seconds, further
    attempts for that name are refused until the window passes (existing or not, so that the
    answer tells nothing about which names exist).
    """
    wrong = NotSignedInError("Wrong name or password, or the account is disabled.", field="password",
                             expected="the name and password of an enabled user", example="jdoe")
    if len(password) > MAX_PASSWORD or len(name) > 120:
        raise wrong
    now = utcnow()
    failures = _recent_failures(name, now)
    if len(failures) >= MAX_FAILURES:
        wait = int(FAILURE_WINDOW - (now - failures[0]).total_seconds()) // 60 + 1
        raise NotSignedInError(f"Too many failed sign-ins for this name: try again in {wait} minute(s).",
                               field="name", expected=f"at most {MAX_FAILURES} failures in {int(FAILURE_WINDOW // 60)} minutes",
                               example="ask an administrator to set a new password: tradepolicy users password NAME")
    with read_session() as s:
        u = s.scalar(select(User).where(User.name == name))
        stored = u.password_hash if u is not None and not u.disabled else None
    if not _verify(password, stored) or u is None:
        _note_failure(name, now)
        raise wrong
    if failures:
        _clear_failures(name)
    return open_session(u.id, u.name, where=where, how="password")


def open_session(user_id: int, name: str, *, where: str = "", how: str = "password") -> SignedIn:
    """Open a web session for a user (after a password or OIDC check) and audit the sign-in."""
    session_id = secrets.token_urlsafe(32)
    expires = utcnow() + dt.timedelta(hours=get_settings().session_hours)
    with transaction() as s:
        s.add(WebSession(id=token_hash(session_id), user_id=user_id, expires_at=expires,
                         csrf_secret=secrets.token_urlsafe(24)))
        audit.record(s, actor=name, action="sign_in", entity="web_sessions", entity_id=name, before=None,
                     after={"how": how, "where": where[:200], "expires_at": expires.isoformat()})
    return SignedIn(session_id=session_id, user=name, expires_at=expires)


def sign_out(session_id: str) -> bool:
    """Revoke a web session (its row keeps the time of sign-out). Return False when it was not open."""
    with transaction() as s:
        ws = s.get(WebSession, token_hash(session_id))
        if ws is None or ws.revoked_at is not None:
            return False
        ws.revoked_at = utcnow()
        u = s.get(User, ws.user_id)
        audit.record(s, actor=u.name if u else "?", action="sign_out", entity="web_sessions",
                     entity_id=u.name if u else "?", before=None, after=None)
    forget_cached()
    return True


def user_for_oidc(subject_name: str, email: str | None) -> tuple[int, str]:
    """Return the enabled stored user an OIDC identity maps to (by e-mail, else by name)."""
    with read_session() as s:
        u = None
        if email:
            u = s.scalar(select(User).where(func.lower(User.email) == email.lower()))
        if u is None:
            u = s.scalar(select(User).where(User.name == subject_name))
        if u is None or u.disabled:
            raise NotSignedInError("This identity is not a user of this office (ask an administrator to add you).",
                                   field="email", expected="an enabled user with this e-mail or name",
                                   example="tradepolicy users add jdoe --role viewer --email jdoe@example.gov")
        return u.id, u.name


# ---------------------------------------------------------------- tokens


def _check_scopes(scopes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    known = set(load_policy().permissions)
    out = []
    for sc in scopes:
        for part in str(sc).split(","):
            part = part.strip()
            if not part:
                continue
            if part != "*" and part not in known:
                raise InputError(f"Unknown scope {part!r}: a token's scopes are permissions.", field="--scope",
                                 expected=" | ".join(sorted(known)), example="public.read")
            out.append(part)
    return tuple(dict.fromkeys(out))


def create_token(actor: Principal, user: str, *, token_name: str = "", expires: str | None = None,
                 scopes: list[str] | tuple[str, ...] = ()) -> IssuedToken:
    """Issue an API token for ``user`` (``users.admin``, or the user for themself); shown once, stored hashed."""
    if actor.name != user:
        _require(actor, "users.admin")
    sc = _check_scopes(scopes)
    expires_at = parse_expiry(expires)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction() as s:
        u = _user(s, user)
        if u.disabled:
            raise ConflictError(f"User {user!r} is disabled.", field="NAME", expected="an enabled user", example="jdoe")
        t = ApiToken(user_id=u.id, name=(token_name or f"{user}-token")[:120], token_hash=token_hash(token),
                     scopes=list(sc), expires_at=expires_at)
        s.add(t)
        s.flush()
        audit.record(s, actor=actor.name, action="insert", entity="api_tokens", entity_id=str(t.id), before=None,
                     after={"user": user, "name": t.name, "scopes": list(sc),
                            "expires_at": expires_at.isoformat() if expires_at else None})
        return IssuedToken(token=token, info=_token_info(t, user))


def list_tokens(actor: Principal, user: str | None = None) -> list[TokenInfo]:
    """Return API tokens (metadata only), of one user or all (``users.admin``)."""
    if user is None or actor.name != user:
        _require(actor, "users.admin")
    with read_session() as s:
        q = select(ApiToken, User.name).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
        if user is not None:
            q = q.where(User.name == user)
        return [_token_info(t, n) for t, n in s.execute(q)]


def revoke_token(actor: Principal, token_id: int) -> TokenInfo:
    """Revoke an API token by id (``users.admin``, or its owner); it stops working at once."""
    with transaction() as s:
        row = s.execute(select(ApiToken, User.name).join(User, User.id == ApiToken.user_id)
                        .where(ApiToken.id == token_id)).first()
        if row is None:
            raise NotFoundError(f"No token with id {token_id}.", field="TOKEN_ID",
                                expected="an id listed by 'tradepolicy tokens list'", example="3")
        t, owner = row
        if actor.name != owner:
            _require(actor, "users.admin")
        if t.revoked_at is None:
            t.revoked_at = utcnow()
            audit.record(s, actor=actor.name, action="revoke", entity="api_tokens", entity_id=str(t.id),
                         before=None, after={"user": owner})
        info = _token_info(t, owner)
    forget_cached()
    return info


# ---------------------------------------------------------------- grants


def check_scope(scope: str) -> str:
    """Return ``scope`` (``kind:ID`` or ``*``) or raise an ``InputError``."""
    if not SCOPE_RE.match(scope or ""):
        raise InputError(f"Invalid scope {scope!r}.", field="--on", expected="KIND:ID (case:, docket:, agreement:...) or *",
                         example="case:A-570-893")
    return scope


def add_grant(actor: Principal, user: str, *, label: str, scope: str, until: dt.date | None = None) -> GrantInfo:
    """Let ``user`` read ``label`` items of ``scope`` until ``until`` (``users.admin``); audited.

    Outside counsel may only receive APO grants on a single case (``policy.yaml: grant_rules``).
    """
    _require(actor, "users.admin")
    lab = check_label(label, field="--label")
    if lab == "public":
        raise InputError("Public items need no grant.", field="--label", expected="bci | apo | restricted", example="apo")
    check_scope(scope)
    today = utcnow().date()
    if until is not None and until < today:
        raise InputError(f"--until {until} is in the past.", field="--until", expected="today or later",
                         example=(today + dt.timedelta(days=365)).isoformat())
    with transaction() as s:
        u = _user(s, user)
        check_grant(u.role, lab, scope)
        g = GrantRow(user_id=u.id, label=lab, scope=scope, until=until, granted_by=actor.name)
        s.add(g)
        s.flush()
        audit.record(s, actor=actor.name, action="grant", entity="grants", entity_id=str(g.id), before=None,
                     after={"user": user, "label": lab, "scope": scope, "until": until})
        info = _grant_info(g, user, today)
    forget_cached()
    return info


def list_grants(actor: Principal, user: str | None = None, *, include_revoked: bool = False) -> list[GrantInfo]:
    """Return grants, of one user or all (``users.admin``, or the user for themself)."""
    if user is None or actor.name != user:
        _require(actor, "users.admin")
    today = utcnow().date()
    with read_session() as s:
        q = select(GrantRow, User.name).join(User, User.id == GrantRow.user_id).order_by(GrantRow.id)
        if user is not None:
            q = q.where(User.name == user)
        if not include_revoked:
            q = q.where(GrantRow.revoked_at.is_(None))
        return [_grant_info(g, n, today) for g, n in s.execute(q)]


def revoke_grant(actor: Principal, grant_id: int) -> GrantInfo:
    """Revoke a grant by id (``users.admin``); the row stays, with who revoked it and when."""
    _require(actor, "users.admin")
    with transaction() as s:
        row = s.execute(select(GrantRow, User.name).join(User, User.id == GrantRow.user_id)
                        .where(GrantRow.id == grant_id)).first()
        if row is None:
            raise NotFoundError(f"No grant with id {grant_id}.", field="GRANT_ID",
                                expected="an id listed by 'tradepolicy grants list'", example="1")
        g, owner = row
        if g.revoked_at is None:
            g.revoked_at, g.revoked_by = utcnow(), actor.name
            audit.record(s, actor=actor.name, action="revoke", entity="grants", entity_id=str(g.id), before=None,
                         after={"user": owner, "label": g.label, "scope": g.scope})
        info = _grant_info(g, owner, utcnow().date())
    forget_cached()
    return info


# ---------------------------------------------------------------- the access log


def list_reads(actor: Principal, *, who: str | None = None, entity: str | None = None, label: str | None = None,
               since: dt.date | None = None, limit: int = 100) -> list[AccessInfo]:
    """Return access-log entries, newest first (``audit.read``)."""
    _require(actor, "audit.read")
    q = select(AccessEntry).order_by(AccessEntry.id.desc()).limit(max(1, min(limit, 100_000)))
    if who:
        q = q.where(AccessEntry.actor == who)
    if entity:
        q = q.where(AccessEntry.entity == entity)
    if label:
        q = q.where(AccessEntry.label == check_label(label, field="--label"))
    if since:
        q = q.where(AccessEntry.at >= dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC))
    with read_session() as s:
        return [AccessInfo(id=e.id, at=e.at, actor=e.actor, role=e.role, via=e.via, action=e.action, entity=e.entity,
                           entity_id=e.entity_id, label=e.label, scope=e.scope, where=e.where)
                for e in s.scalars(q)]


def count_reads() -> int:
    """Return the number of access-log entries (tests and the leak crawl)."""
    with read_session() as s:
        return int(s.scalar(select(func.count()).select_from(AccessEntry)) or 0)


# ---------------------------------------------------------------- start-up


def startup_notice(host: str) -> list[str]:
    """Lines ``serve`` prints: how to create the first administrator; a warning on an open host without users."""
    try:
        n = count_users()
    except Exception:  # the database is not migrated yet: say nothing here
        return []
    lines = []
    if n == 0:
        lines.append("No users yet: everyone is anonymous (public records only, no writes). Create the first "
                     "administrator with:\n  tradepolicy users add admin --role administrator --password-stdin")
        if host not in ("127.0.0.1", "localhost", "::1"):
            lines.append(f"WARNING: serving on {host} (reachable from other machines) with no user configured: "
                         "nobody can sign in to write, and no secret key has been shown to anyone. "
                         "Create an administrator, and use https (a reverse proxy) before exposing the port.")
    return lines
