"""Typed contract of the analysis services (scenarios, gravity, remedies, tariffs, effective rates).

Every public function of these modules returns a typed result (a frozen dataclass, a list
of them, a DataFrame, a scalar...), never ``dict[str, Any]`` / ``Dict[str, Any]`` / a bare
``dict``, and has a return annotation. Cited YAML documents are typed read-only
``Mapping[str, Any]`` (open-ended by design). The same rule for every ``services/`` module
is ``tests/hardening/test_typed_services.py`` (branch typed-core); this file keeps it for
these modules whatever that test's pending list says.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "src" / "tradepolicy" / "services"
MODULES = ["scenarios.py", "gravity.py", "remedies.py", "tariff_effective.py",
           *sorted(f"tariffs/{p.name}" for p in (SERVICES / "tariffs").glob("*.py"))]


def _untyped(ann: ast.expr | None) -> str | None:
    """Return why a return annotation breaks the contract, or None."""
    if ann is None:
        return "no return annotation"
    text = ast.unparse(ann).replace("typing.", "")
    if text in ("dict", "Dict") or "dict[str, Any]" in text or "Dict[str, Any]" in text:
        return text
    for node in ast.walk(ann):  # a bare dict inside, e.g. list[dict]
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Name | ast.Tuple):
            elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if any(isinstance(e, ast.Name) and e.id in ("dict", "Dict") for e in elts):
                return text
    return None


def offenders(source: str, name: str) -> list[str]:
    """Return ``module:line function -> annotation`` for each public function off the contract."""
    out = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            why = _untyped(node.returns)
            if why:
                out.append(f"{name}:{node.lineno} {node.name} -> {why}")
    return out


def test_the_scan_catches_what_it_should() -> None:
    bad = ("from typing import Any\n"
           "def a() -> dict[str, Any]: ...\n"
           "def b() -> list[dict[str, Any]]: ...\n"
           "def c() -> tuple[int, dict]: ...\n"
           "def d(): ...\n"
           "def _private() -> dict[str, Any]: ...\n"
           "def e() -> dict[str, int]: ...\n")
    assert [x.split()[1] for x in offenders(bad, "m")] == ["a", "b", "c", "d"]


@pytest.mark.parametrize("module", MODULES)
def test_public_functions_return_typed_results(module: str) -> None:
    found = offenders((SERVICES / module).read_text(encoding="utf-8"), module)
    assert not found, "untyped results:\n  " + "\n  ".join(found)


def test_typed_results_keep_their_json_shape() -> None:
    # The classes are frozen (no field can be reassigned after the service returns) and
    # their to_dict() is the JSON the CLI, API and pages show.
    from tradepolicy.services.remedies_types import RemediesRun
    from tradepolicy.services.scenarios_types import ScenarioRun
    from tradepolicy.services.tariffs.types import IndicatorRow, OfferResult

    unstored = RemediesRun(id=None, kind="remedies.cvd", results={"total_rate": 0.01}, parameters={})
    assert unstored.to_dict() == {"id": None, "kind": "remedies.cvd", "results": {"total_rate": 0.01},
                                  "parameters": {}}
    with pytest.raises(dataclasses.FrozenInstanceError):
        unstored.kind = "x"  # type: ignore[misc]
    row = IndicatorRow(by="chapter", group="03", values={"n_lines": 7, "simple_avg": None})
    assert row.to_dict() == {"chapter": "03", "n_lines": 7, "simple_avg": None}
    assert row.chapter == "03" and row.n_lines == 7
    offer = OfferResult(name="o", edition=2025, partners=[], start_year=2026, groups=[])
    assert "korus_check" not in offer.to_dict()
    assert ScenarioRun.__dataclass_params__.frozen  # type: ignore[attr-defined]
