"""Fixtures of the coordination tests: the CLI (as a chosen principal), the API (as a chosen principal), files.

API principals act as bearer-token callers (``via="token"``: no CSRF token needed); the sign-in
flow itself is the platform's and is tested there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tradepolicy.platform.principal import Grant, Principal

STAFF = Principal(name="clerk", role="docket_clerk", via="token", user_id=2)
ATTORNEY = Principal(name="atty", role="attorney", via="token", user_id=3)
ANON = Principal(name="anonymous", role="anonymous", via="anonymous")

BCI_TEXT = ("BUSINESS CONFIDENTIAL\nAcme Valves sold [12,400 units] to [Big Box Stores Inc.] in 2023, "
            "a [37.5 percent] share of its sales.\n")
PUBLIC_TEXT = "PUBLIC VERSION\nAcme Valves sold [ ] to [ ] in 2023, a [ ] share of its sales.\n"
LEAKY_TEXT = "PUBLIC VERSION\nAcme Valves sold [ ] to Big Box Stores Inc. in 2023, a [ ] share of its sales.\n"


def with_grant(p: Principal, label: str, scope: str) -> Principal:
    return Principal(name=p.name, role=p.role, user_id=p.user_id, via=p.via,
                     grants=(*p.grants, Grant(label, scope, dt.date.today() + dt.timedelta(days=30))))


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Run ``tradepolicy ...`` in process; ``as_=`` sets the CLI's principal (the platform resolves it later)."""
    from tradepolicy.cli import app

    runner = CliRunner()

    def run(*args: str, as_: Principal | None = None) -> Any:
        if as_ is not None:
            monkeypatch.setattr("tradepolicy.cli.coordination._principal", lambda: as_)
        else:
            monkeypatch.undo()
        return runner.invoke(app, list(args))

    return run


@pytest.fixture
def api() -> Iterator[Callable[[Principal], Any]]:
    """Return a TestClient factory acting as a given principal (dependency override of current_principal)."""
    from fastapi.testclient import TestClient

    from tradepolicy.api.app import create_app
    from tradepolicy.api.security import current_principal

    def make(p: Principal) -> Any:
        app = create_app()  # one app per principal: overrides are per app
        app.dependency_overrides[current_principal] = lambda: p
        return TestClient(app)

    yield make


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Public and BCI versions, a leaking public version, attachments of each accepted kind, bad files."""
    import docx

    out = {}
    for name, text in (("P_acme.txt", PUBLIC_TEXT), ("BCI_acme.txt", BCI_TEXT), ("P_leaky.txt", LEAKY_TEXT),
                       ("exhibit.csv", "year,units\n2022,100\n2023,140\n")):
        out[name] = tmp_path / name
        out[name].write_text(text, encoding="utf-8")
    d = docx.Document()
    d.add_paragraph("Exhibit 2: the tariff raised landed costs on brass ball valves.")
    out["exhibit.docx"] = tmp_path / "exhibit.docx"
    d.save(str(out["exhibit.docx"]))
    out["photo.png"] = tmp_path / "photo.png"
    out["photo.png"].write_bytes(bytes([137, 80, 78, 71, 13, 10, 26, 10]) + b"\x00" * 100)
    out["huge.txt"] = tmp_path / "huge.txt"
    out["huge.txt"].write_bytes(b"a" * (10 * 1024 * 1024 + 1))
    return out
