"""Scenario runs over HTTP take only an example NAME (or uploaded YAML text), never a server path.

Issue 9: ``POST /api/economics/scenarios/run {"example": "/any/path/x.yaml"}`` read any YAML
file on the server and the error echoed its keys.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

MARKER = "zz-secret-key-7c1f"


@pytest.fixture(scope="module")
def client() -> TestClient:
    """An analyst (runs.write) signed in through the form: API calls and page forms carry the CSRF token."""
    from tests.helpers import client_as

    return client_as("analyst", session=True, raise_server_exceptions=False)


@pytest.fixture
def secret_yaml(tmp_path: Path) -> Path:
    p = tmp_path / "x.yaml"
    p.write_text(f"{MARKER}: {MARKER}-value\nname: {MARKER}\nmodel: smart\n", "utf-8")
    return p


def _bad_names(secret: Path) -> list[str]:
    rel = Path("..") / ".." / secret.relative_to("/")
    return [str(secret), str(secret.with_suffix("")), f"../../../../..{secret.with_suffix('')}",
            str(rel), "../examples/scenarios/shrimp-preference-smart", "shrimp-preference-smart.yaml",
            "/etc/passwd", "a\x00b", "CON", ""]


def test_api_refuses_paths_and_never_echoes_contents(client: TestClient, secret_yaml: Path) -> None:
    for name in _bad_names(secret_yaml):
        r = client.post("/api/economics/scenarios/run", json={"example": name, "store": False})
        assert r.status_code in (404, 422), (name, r.status_code, r.text)
        body = r.json()
        assert body["ok"] is False and body["status"] == r.status_code
        assert MARKER not in r.text, name
        assert str(secret_yaml.parent) not in r.text or name == str(secret_yaml), name


def test_web_form_and_example_page_refuse_paths(client: TestClient, secret_yaml: Path) -> None:
    for name in _bad_names(secret_yaml):
        r = client.post("/economics/run", data={"example": name}, follow_redirects=False)
        assert r.status_code in (404, 422), (name, r.status_code)
        assert MARKER not in r.text
    r = client.get(f"/economics/examples/{str(secret_yaml.with_suffix('')).lstrip('/')}.json")
    assert r.status_code == 404 and MARKER not in r.text


def test_a_named_example_still_runs(client: TestClient) -> None:
    from tradepolicy.services.scenarios import example_path, list_examples

    names = [e.file.removesuffix(".yaml") for e in list_examples()]
    assert names, "the repository ships example scenarios"
    assert example_path(names[0]).is_file()
    # The refusal is by name, before any file is read: an unknown name lists the known ones.
    r = client.post("/api/economics/scenarios/run", json={"example": "no-such-example", "store": False})
    assert r.status_code == 404 and names[0] in r.json()["error"]["expected"]
