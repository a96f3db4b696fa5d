"""Every economics, gravity/GE and guide API route declares a response model and its 4xx
answers (in the one error shape) in the OpenAPI document (issue 14)."""

from __future__ import annotations


def test_routes_declare_response_model_and_4xx() -> None:
    from fastapi.testclient import TestClient

    from tradepolicy.api.app import create_app

    doc = TestClient(create_app()).get("/openapi.json").json()
    seen = 0
    for path, ops in doc["paths"].items():
        if not path.startswith(("/api/economics", "/api/guide")):
            continue
        for method, op in ops.items():
            seen += 1
            ok = op["responses"]["200"]["content"]["application/json"]["schema"]
            assert "$ref" in ok, (method, path)
            codes = [c for c in op["responses"] if c.startswith("4")]
            assert "422" in codes, (method, path)
            for c in codes:
                ref = op["responses"][c]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("ErrorOut"), (method, path, c)
    assert seen >= 12
