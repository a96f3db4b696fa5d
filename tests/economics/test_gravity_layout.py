"""The gravity package has no import circle (issue 14): the backends import only the result
types; ``estimate.py`` chooses between them."""

from __future__ import annotations

import ast
from pathlib import Path

GRAVITY = Path(__file__).resolve().parents[2] / "src" / "tradepolicy" / "economics" / "gravity"


def _gravity_imports(name: str) -> set[str]:
    tree = ast.parse((GRAVITY / f"{name}.py").read_text())
    out: set[str] = set()
    for node in ast.walk(tree):   # function-level (lazy) imports count too
        if isinstance(node, ast.ImportFrom) and node.module and "economics.gravity" in node.module:
            mod = node.module.rsplit(".", 1)[-1]
            out.update(a.name for a in node.names) if mod == "gravity" else out.add(mod)
    return out


def test_backends_import_only_the_result_types() -> None:
    assert _gravity_imports("results") == set()
    assert _gravity_imports("balanced") == {"results"}
    assert _gravity_imports("ppml") == {"results"}
    assert _gravity_imports("estimate") == {"balanced", "ppml", "results"}


def test_public_names_still_resolve() -> None:
    from tradepolicy.economics.gravity import DroppedObservations, PPMLResult, estimate_ppml
    from tradepolicy.economics.gravity.estimate import estimate_ppml as chooser
    from tradepolicy.economics.gravity.results import PPMLResult as result_type

    assert estimate_ppml is chooser and PPMLResult is result_type and DroppedObservations
