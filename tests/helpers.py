"""Test helpers importable from any test module (``from tests.helpers import ...``)."""

from __future__ import annotations

from typing import Any

import pytest


def requires_dataset(dataset_id: str, path: str | None = None) -> pytest.MarkDecorator:
    """Skip, with the reason, when a registered dataset (or file) is absent from mirror and cache."""
    from tradepolicy.datasets import how_to_get, is_available

    ok = is_available(dataset_id, path)
    what = f"{dataset_id}/{path}" if path else dataset_id
    return pytest.mark.skipif(not ok, reason=f"dataset {what} is absent: {how_to_get(dataset_id)}")


def make_user(role: str, grants: tuple[tuple[str, str], ...] | list[tuple[str, str]] = (), *,
              password: str | None = None, name: str | None = None) -> str:
    """Create a user with ``role`` and grants ``(label, scope)`` in the current database; return the name."""
    import uuid

    from tradepolicy.platform.principal import local_operator
    from tradepolicy.services import people

    name = name or f"{role}-{uuid.uuid4().hex[:10]}"
    admin = local_operator()
    people.add_user(admin, name, role=role, password=password)
    for label, scope in grants:
        people.add_grant(admin, name, label=label, scope=scope)
    return name


def client_as(role: str | None, grants: tuple[tuple[str, str], ...] | list[tuple[str, str]] = (), *,
              session: bool = False, raise_server_exceptions: bool = True, app: Any = None) -> Any:
    """Return a TestClient acting as a new user of ``role`` (None: anonymous), holding ``grants``.

    By default the client sends an API token (``Authorization: Bearer``), which needs no CSRF token.
    With ``session=True`` it signs in through the /signin form instead (a real session cookie) and
    sends the session's CSRF token in ``X-CSRF-Token`` on every request, as the pages' forms do.
    """
    import re

    from fastapi.testclient import TestClient

    from tradepolicy.api.app import create_app
    from tradepolicy.platform.principal import local_operator
    from tradepolicy.services import people

    client = TestClient(app or create_app(), raise_server_exceptions=raise_server_exceptions)
    if role is None:
        return client
    if not session:
        name = make_user(role, grants)
        token = people.create_token(local_operator(), name, expires="7d").token
        client.headers["Authorization"] = f"Bearer {token}"
        client.user_name = name  # type: ignore[attr-defined]
        return client
    password = "test password of the suite"
    name = make_user(role, grants, password=password)
    form = client.get("/signin").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf, "the sign-in form carries a CSRF token"
    r = client.post("/signin", data={"name": name, "password": password, "csrf_token": csrf.group(1)},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/account").text
    token_match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token_match, "a signed-in page carries the session's CSRF token"
    client.headers["X-CSRF-Token"] = token_match.group(1)
    client.user_name = name  # type: ignore[attr-defined]
    return client
