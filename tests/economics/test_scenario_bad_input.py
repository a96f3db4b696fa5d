"""Bad scenario input through the shells: CLI exit 2, the API's one error shape (400 with
field / expected / example), and nothing stored in the runs table or the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.helpers import requires_dataset

EX = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
SHRIMP = (EX / "shrimp-preference-smart.yaml").read_text(encoding="utf-8")
S301 = (EX / "section301-china-pe.yaml").read_text(encoding="utf-8")
GE = """
name: t-ge
model: ge
data: {dataset: wiod-zylkin, year: 2000}
policy: {variable: eu_enlargement, coefficient: 0.224}
parameters: PARAMS
seed: 1
"""

CASES = [
    # (id, yaml text, field the error must name)
    ("unknown-key", SHRIMP + "colour: red\n", "scenario.colour"),
    ("wrong-sign-epsilon", SHRIMP.replace("import_demand_elasticity: 1.2 ", "import_demand_elasticity: -1.2 ")
     .replace("import_demand_elasticity: [0.6, 1.2, 2.4]", "import_demand_elasticity: [-2.4, -1.2, -0.6]"),
     "import_demand_elasticity"),
    ("negative-sigma", SHRIMP.replace("substitution_elasticity: 1.5 ", "substitution_elasticity: -1 ")
     .replace("substitution_elasticity: [0.75, 1.5, 3.0]", "substitution_elasticity: [-2, -1, 0]"),
     "substitution_elasticity"),
    ("unknown-partner", SHRIMP.replace("partners: [ECU]", "partners: [ECU, ZZZ]"), "policy.changes[0].partners"),
    ("partners-as-string", SHRIMP.replace("partners: [ECU]", "partners: ECU"), "policy.changes[0].partners"),
    ("value-not-a-number", SHRIMP.replace("value: 0.0", "value: zero"), "policy.changes[0].value"),
    ("band-off-centre", SHRIMP.replace("[0.75, 1.5, 3.0]", "[0.5, 1.0, 2.0]"),
     "uncertainty.bands.substitution_elasticity"),
    ("year-without-data", S301.replace("year: 2017", "year: 1900"), "data.year"),
    ("unknown-subject", S301.replace("subject: [CHN]", "subject: [XXX]"), "data.subject"),
    ("ge-pair-not-a-pair", GE.replace("PARAMS", "{theta: 4, reference: USA}")
     .replace("coefficient: 0.224}", "coefficient: 0.224, change: add, pairs: [USA-CAN-MEX]}"), "policy.pairs"),
    ("ge-pair-already-treated", GE.replace("PARAMS", "{theta: 4, reference: USA}")
     .replace("coefficient: 0.224}", "coefficient: 0.224, change: add, pairs: [DEU-FRA]}"), "policy.pairs"),
    ("ge-sigma-and-theta", GE.replace("PARAMS", "{theta: 4, sigma: 5, reference: USA}"), "parameters.theta"),
    ("gsim-unknown-product", (EX / "shrimp-gsim-duty-india.yaml").read_text(encoding="utf-8")
     .replace('product: "030617"', "product: 030617"), "data.product"),     # YAML reads 030617 as octal
    ("ge-sigma-le-1", GE.replace("PARAMS", "{sigma: 1.0, reference: USA}"), "sigma"),
    ("ge-unknown-reference", GE.replace("PARAMS", "{theta: 4, reference: XXX}"), "reference"),
]


def _counts() -> tuple[int, int]:
    from tradepolicy.store.db import read_session
    from tradepolicy.store.models import AuditEntry, Run

    with read_session() as s:
        return (int(s.execute(select(func.count()).select_from(Run)).scalar_one()),
                int(s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()))


@requires_dataset("baci-shrimp-2018")
@requires_dataset("wiod-zylkin")
@requires_dataset("us-trade-by-partner")
@pytest.mark.parametrize(("text", "field"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_scenario_cli_exit_2_api_400_nothing_stored(text: str, field: str, tmp_path: Path,
                                                        fresh_db: str, client_as) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from tradepolicy.cli import app

    analyst = client_as("analyst")  # created before counting: the user and token are audited

    before = _counts()
    f = tmp_path / "bad.yaml"
    f.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(app, ["scenario", "run", str(f)])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output and "field:" in r.output
    resp = analyst.post("/api/economics/scenarios/run", json={"yaml": text})
    assert resp.status_code == 400, resp.text
    err = resp.json()["error"]
    assert resp.json()["ok"] is False and err["field"].endswith(field)
    assert err["expected"] and err["example"] is not None
    assert _counts() == before
