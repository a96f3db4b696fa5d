"""People, sessions, tokens and grants: the CLI, the service and the sign-in pages."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from typer.testing import CliRunner

from tradepolicy.cli import app as cli_app

runner = CliRunner()


def cli(*args: str, user: str | None = None, stdin: str | None = None) -> Any:
    """Run the CLI as ``user`` (TRADEPOLICY_USER), else as the suite's local operator."""
    import os

    from tradepolicy.config import reset_settings

    old = os.environ.get("TRADEPOLICY_USER")
    if user:
        os.environ["TRADEPOLICY_USER"] = user
    reset_settings()
    try:
        return runner.invoke(cli_app, list(args), input=stdin)
    finally:
        if old is not None:
            os.environ["TRADEPOLICY_USER"] = old
        reset_settings()


def test_cli_users_tokens_grants_lifecycle(fresh_db: str) -> None:
    from tradepolicy.store.db import read_session
    from tradepolicy.store.models_platform import ApiToken, User

    r = cli("users", "add", "boss", "--role", "administrator", "--password-stdin", "--json",
            stdin="a long admin password\n")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["role"] == "administrator"
    with read_session() as s:
        stored = s.query(User).filter_by(name="boss").one().password_hash
    assert stored.startswith("$argon2id$") and "a long admin password" not in stored
    # A short password is refused, naming the rule.
    r = cli("users", "add", "weak", "--role", "viewer", "--password-stdin", stdin="short\n")
    assert r.exit_code == 2 and "12" in r.output
    # An unknown role is refused, listing the roles.
    r = cli("users", "add", "x1", "--role", "wizard", "--no-password")
    assert r.exit_code == 2 and "attorney" in r.output
    # As the stored administrator: add a counsel, give an APO grant on one case, make a token.
    assert cli("users", "add", "counsel", "--role", "outside_counsel", "--no-password", user="boss").exit_code == 0
    r = cli("grants", "add", "counsel", "--on", "case:A-570-893", "--label", "apo", "--until", "2099-01-01",
            "--json", user="boss")
    assert r.exit_code == 0, r.output
    grant_id = json.loads(r.stdout)["id"]
    # Outside counsel may only hold APO grants on a single case: BCI, a docket, or '*' are refused.
    for label, on in (("bci", "case:A-570-893"), ("apo", "docket:USTR-2025-0001"), ("apo", "*")):
        r = cli("grants", "add", "counsel", "--on", on, "--label", label, user="boss")
        assert r.exit_code == 2 and "outside_counsel" in r.output, r.output
    r = cli("tokens", "create", "counsel", "--expires", "30d", "--scope", "public.read", "--json", user="boss")
    assert r.exit_code == 0, r.output
    issued = json.loads(r.stdout)
    assert issued["token"].startswith("tp_") and issued["scopes"] == ["public.read"]
    with read_session() as s:
        row = s.query(ApiToken).filter_by(id=issued["id"]).one()
    assert issued["token"] not in row.token_hash and len(row.token_hash) == 64  # only the sha256 is stored
    listed = json.loads(cli("tokens", "list", "--json", user="boss").stdout)
    assert all("token" not in t for t in listed)  # never shown again
    # A non-administrator may not manage people.
    r = cli("users", "list", user="counsel")
    assert r.exit_code == 2 and "users.admin" in r.output
    # Revocations.
    assert cli("tokens", "revoke", str(issued["id"]), user="boss").exit_code == 0
    assert cli("grants", "revoke", str(grant_id), user="boss").exit_code == 0
    assert json.loads(cli("grants", "list", "counsel", "--json", user="boss").stdout) == []
    assert len(json.loads(cli("grants", "list", "counsel", "--all", "--json", user="boss").stdout)) == 1
    assert cli("users", "disable", "counsel", user="boss").exit_code == 0
    users = {u["name"]: u for u in json.loads(cli("users", "list", "--json", user="boss").stdout)}
    assert users["counsel"]["disabled"] is True
    # A disabled stored user may not use the CLI under that name.
    assert cli("users", "list", user="counsel").exit_code == 2
    # Every change is in the audit log, with the stored administrator as the actor.
    from tradepolicy.services.audit import list_audit

    entries = list_audit(limit=50)
    assert {("grants", "grant"), ("api_tokens", "insert"), ("api_tokens", "revoke"), ("users", "disable")} <= {
        (e.entity, e.action) for e in entries if e.actor == "boss"}  # typed AuditView entries (hardening)


def test_cli_principal_is_the_stored_user(fresh_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers import make_user
    from tradepolicy.config import reset_settings
    from tradepolicy.services.people import cli_principal

    name = make_user("attorney", [("bci", "case:X-1")])
    monkeypatch.setenv("TRADEPOLICY_USER", name)
    reset_settings()
    p = cli_principal()
    assert (p.name, p.role, p.via) == (name, "attorney", "cli")
    assert [(g.label, g.scope) for g in p.grants] == [("bci", "case:X-1")]
    monkeypatch.setenv("TRADEPOLICY_USER", "nobody-stored")
    reset_settings()
    p = cli_principal()
    assert (p.name, p.role, p.grants) == ("nobody-stored", "administrator", ())
    reset_settings()


def test_tokens_expire_are_scoped_and_revocable(fresh_db: str, client_as: Any) -> None:
    from tests.helpers import make_user
    from tradepolicy.platform.principal import local_operator
    from tradepolicy.services import people
    from tradepolicy.store.db import transaction
    from tradepolicy.store.models_platform import ApiToken

    admin = local_operator()
    name = make_user("attorney")
    c = client_as(None)
    scoped = people.create_token(admin, name, scopes=["public.read"]).token
    full = people.create_token(admin, name).token
    body = {"procedure": "section301", "case_id": "TOK-1", "title": "t"}
    assert c.post("/api/cases", json=body, headers={"Authorization": f"Bearer {scoped}"}).status_code == 403
    assert c.post("/api/cases", json=body, headers={"Authorization": f"Bearer {full}"}).status_code == 201
    me = c.get("/api/me", headers={"Authorization": f"Bearer {scoped}"}).json()
    assert me["name"] == name and me["via"] == "token" and me["permissions"] == ["public.read"]
    # Expired: set the expiry in the past (as time passing would).
    with transaction() as s:
        s.query(ApiToken).filter_by(token_hash=people.token_hash(full)).one().expires_at = (
            dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    people.forget_cached()
    r = c.get("/api/me", headers={"Authorization": f"Bearer {full}"})
    assert r.status_code == 401 and r.json()["error"]["field"] == "Authorization"
    tid = people.list_tokens(admin, name)[0].id
    people.revoke_token(admin, tid)
    assert c.get("/api/me", headers={"Authorization": f"Bearer {scoped}"}).status_code == 401
    assert c.get("/api/me", headers={"Authorization": "Basic abc"}).status_code == 401
    # A page does not fail on a bad credential: the visitor is simply anonymous.
    assert c.get("/account.json", headers={"Authorization": "Bearer tp_nope"}).status_code == 200
    # --expires forms.
    with pytest.raises(Exception, match="past"):
        people.parse_expiry("2001-01-01")
    assert people.parse_expiry("never") is None


def test_session_cookie_sign_in_sign_out_and_expiry(fresh_db: str, client_as: Any) -> None:
    from tests.helpers import make_user
    from tradepolicy.services import people
    from tradepolicy.store.db import read_session, transaction
    from tradepolicy.store.models_platform import WebSession

    c = client_as(None)
    name = make_user("analyst", password="the right password")
    form = c.get("/signin?next=/economics").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    bad = c.post("/signin", data={"name": name, "password": "the wrong password", "csrf_token": token})
    assert bad.status_code == 401 and "Wrong name or password" in bad.text
    nobody = c.post("/signin", data={"name": "nobody", "password": "the wrong password", "csrf_token": token})
    assert nobody.status_code == 401 and "Wrong name or password" in nobody.text  # the same answer
    # Without the CSRF token the sign-in form is refused (login CSRF).
    assert c.post("/signin", data={"name": name, "password": "the right password"}).status_code == 403
    ok = c.post("/signin", data={"name": name, "password": "the right password", "csrf_token": token,
                                 "next": "https://evil.example/"}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/"  # never to another site
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=43200" in cookie
    assert "Secure" not in cookie  # plain http here; see test_cookie_is_secure_on_https
    assert c.get("/api/me").json()["name"] == name
    page = c.get("/account").text
    assert name in page and "Sign out" in page
    with read_session() as s:
        rows = s.query(WebSession).all()
    assert len(rows) == 1 and rows[0].revoked_at is None
    assert rows[0].id != c.cookies.get("tp_session")  # the stored id is a hash, not the cookie
    # A tampered cookie is anonymous (and cleared).
    good = c.cookies.get("tp_session")
    def use(value: str) -> None:
        c.cookies.delete("tp_session")
        c.cookies.set("tp_session", value, domain="testserver.local")

    use(("A" if good[0] != "A" else "B") + good[1:])
    assert c.get("/api/me").json()["anonymous"] is True
    use(good)
    assert c.get("/api/me").json()["name"] == name
    # Sign-out revokes the row; the old cookie no longer works even if replayed.
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    out = c.post("/signout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303 and "Max-Age=0" in out.headers["set-cookie"]
    with read_session() as s:
        assert s.query(WebSession).one().revoked_at is not None
    use(good)
    assert c.get("/api/me").json()["anonymous"] is True
    # Expiry: a session past its time is anonymous.
    c2 = client_as("viewer", session=True)
    with transaction() as s:
        for ws in s.query(WebSession).filter(WebSession.revoked_at.is_(None)):
            ws.expires_at = ws.created_at - dt.timedelta(seconds=1)
    people.forget_cached()
    assert c2.get("/api/me").json()["anonymous"] is True


def test_cookie_is_secure_on_https(fresh_db: str) -> None:
    from fastapi.testclient import TestClient

    from tests.helpers import make_user
    from tradepolicy.api.app import create_app

    name = make_user("viewer", password="the right password")
    c = TestClient(create_app(), base_url="https://testserver")
    first = c.get("/signin")
    form = first.text
    assert "Secure" in first.headers["set-cookie"]  # the anonymous CSRF cookie too
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    r = c.post("/signin", data={"name": name, "password": "the right password", "csrf_token": token},
               follow_redirects=False)
    assert r.status_code == 303 and "; Secure" in r.headers["set-cookie"]
    assert r.headers["strict-transport-security"].startswith("max-age=")


def test_grants_decide_confidential_reads_with_expiry(fresh_db: str) -> None:
    from tradepolicy.platform.policy import can_read
    from tradepolicy.platform.principal import Grant, Principal

    today = dt.date(2027, 1, 10)
    p = Principal("v", "viewer", grants=(Grant("bci", "case:A", dt.date(2027, 1, 10)),), via="token")
    assert can_read(p, "bci", "case:A", on=today)
    assert not can_read(p, "bci", "case:A", on=today + dt.timedelta(days=1))  # expired
    assert not can_read(p, "bci", "case:B", on=today) and not can_read(p, "apo", "case:A", on=today)
    admin = Principal("a", "administrator", via="session")
    assert not can_read(admin, "restricted", "agreement:usmca")  # no role alone reveals
    # Outside counsel: a '*' APO grant (had it been stored by hand) still reveals nothing.
    oc = Principal("c", "outside_counsel", grants=(Grant("apo", "*"), Grant("bci", "case:A")), via="token")
    assert not can_read(oc, "apo", "case:A") and not can_read(oc, "bci", "case:A")
    oc_ok = Principal("c", "outside_counsel", grants=(Grant("apo", "case:A"),), via="token")
    assert can_read(oc_ok, "apo", "case:A") and not can_read(oc_ok, "apo", "case:B")


def test_audit_reads_cli_and_api(fresh_db: str, client_as: Any) -> None:
    from tradepolicy.platform.principal import local_operator
    from tradepolicy.services.records import put_record
    from tradepolicy.store.db import transaction

    with transaction() as s:
        put_record(s, local_operator(), kind="memo", key="m1", label="restricted", scope="agreement:usmca",
                   title="negotiating text", data={"text": "x"})
    reader = client_as("attorney", grants=[("restricted", "agreement:usmca")])
    assert reader.get("/api/records/memo/m1").status_code == 200
    assert client_as("attorney").get("/api/records/memo/m1").status_code == 404
    r = cli("audit", "reads", "--json")
    rows = json.loads(r.stdout)
    assert len(rows) == 1 and rows[0]["actor"] == reader.user_name and rows[0]["entity"] == "record:memo"
    assert rows[0]["via"] == "token" and rows[0]["where"] == "testclient" and rows[0]["label"] == "restricted"
    csv = cli("audit", "reads", "--csv").stdout.splitlines()
    assert csv[0].startswith("id,at,actor") and len(csv) == 2
    api = client_as("administrator").get("/api/audit/reads").json()
    assert api["count"] == 1 and api["reads"][0]["entity_id"] == "m1"
    assert client_as("attorney").get("/api/audit/reads").status_code == 403


def test_serve_tells_how_to_create_the_first_administrator_and_warns_on_an_open_host(fresh_db: str) -> None:
    from tests.helpers import make_user
    from tradepolicy.services.people import startup_notice

    local = startup_notice("127.0.0.1")
    assert len(local) == 1 and "tradepolicy users add admin --role administrator" in local[0]
    open_host = startup_notice("0.0.0.0")
    assert any(line.startswith("WARNING") and "0.0.0.0" in line for line in open_host)
    make_user("administrator")
    assert startup_notice("0.0.0.0") == []


def test_secret_key_is_generated_once_and_private(fresh_db: str, tmp_path: Any) -> None:
    import os
    import stat

    from tradepolicy.services.people import _data_dir, secret_key

    key = secret_key()
    path = _data_dir() / "secret_key"
    assert len(key) >= 48 and path.read_text().strip() == key
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert secret_key() == key


def test_repeated_failed_sign_ins_lock_the_name_for_a_while(fresh_db: str) -> None:
    from tests.helpers import make_user
    from tradepolicy.errors import NotSignedInError
    from tradepolicy.services import people

    name = make_user("viewer", password="the right password")
    for _ in range(people.MAX_FAILURES):
        with pytest.raises(NotSignedInError, match="Wrong name or password"):
            people.sign_in(name, "a wrong password!")
    with pytest.raises(NotSignedInError, match="Too many failed sign-ins"):
        people.sign_in(name, "the right password")
    for _ in range(people.MAX_FAILURES):  # a name that does not exist is locked the same way
        with pytest.raises(NotSignedInError, match="Wrong name or password"):
            people.sign_in("no-such-user", "a wrong password!")
    with pytest.raises(NotSignedInError, match="Too many failed sign-ins"):
        people.sign_in("no-such-user", "a wrong password!")
    # The window passing: the stored failures age past it.
    import datetime as dt

    from sqlalchemy import select

    from tradepolicy.store.db import transaction
    from tradepolicy.store.models_shared import SignInFailure

    with transaction() as s:
        for row in s.scalars(select(SignInFailure)).all():
            row.at = people.utcnow() - dt.timedelta(seconds=people.FAILURE_WINDOW + 1)
    assert people.sign_in(name, "the right password").user == name
