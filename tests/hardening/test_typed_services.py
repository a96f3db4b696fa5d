"""Typed contract of the services (issue 9, point 8): no public function returns ``dict[str, Any]``.

An AST scan of every module under ``src/tradepolicy/services/`` (sub-packages too) fails for
a public function (module level, no leading underscore; a result class's own JSON serialiser
such as ``to_dict`` is not a service function) whose return annotation is, or contains, ``dict[str, Any]`` / ``Dict[str, Any]`` / a bare
``dict``, or that has no return annotation. Services return frozen dataclasses or pydantic
models (``services/typed.py``: ``ServiceModel``); a genuinely open-ended payload (a user's
free-form record body, an event's details) is typed ``JSONObject`` / ``Mapping[str, JSONValue]``
with a comment saying why.

``PENDING_OTHER_BRANCHES`` lists the modules other engineers convert on their own branches at
the same time (2026-12-07); their offenders are printed, not failed. The lead empties the set
at merge; it must only shrink.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "src" / "tradepolicy" / "services"

# Module paths relative to services/ ("tariffs/" = the whole sub-package), by branch.
PENDING_OTHER_BRANCHES: frozenset[str] = frozenset()  # emptied at the 2026-12-07 merge

# Converted on this branch (typed-core): never pending.
TYPED_CORE = frozenset({
    "law.py", "agreements.py", "guide.py", "registry.py", "proceedings.py", "runs.py", "datasets.py",
    "documents.py", "records.py", "oidc.py", "screening.py", "people.py", "audit.py", "backup.py",
})


def _is_pending(rel: str) -> bool:
    return any(rel == p or (p.endswith("/") and rel.startswith(p)) for p in PENDING_OTHER_BRANCHES)


def _annotation(node: ast.expr | None) -> ast.expr | None:
    """Return the annotation expression (a string annotation parsed)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return ast.parse(node.value, mode="eval").body
    return node


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def untyped_reason(returns: ast.expr | None) -> str | None:
    """Why a return annotation breaks the contract, or None when it is typed."""
    ann = _annotation(returns)
    if ann is None:
        return "no return annotation"
    subscripted = {id(n.value) for n in ast.walk(ann) if isinstance(n, ast.Subscript)}
    for n in ast.walk(ann):
        if isinstance(n, ast.Constant) and isinstance(n.value, str):  # a quoted part of the annotation
            inner = untyped_reason(n)
            if inner:
                return inner
        name = _name(n) if isinstance(n, ast.Name | ast.Attribute) else None
        if name in ("dict", "Dict") and id(n) not in subscripted:
            return f"bare {name}" + ("" if n is ann else f" in {ast.unparse(ann)}")
        if isinstance(n, ast.Subscript) and _name(n.value) in ("dict", "Dict"):
            args = n.slice.elts if isinstance(n.slice, ast.Tuple) else [n.slice]
            if len(args) == 2 and _name(args[1]) == "Any":
                return ast.unparse(n) + ("" if n is ann else f" in {ast.unparse(ann)}")
    return None


def offenders_in(source: str) -> list[tuple[int, str, str]]:
    """Return (line, function, reason) for every public module-level function of ``source`` breaking the contract."""
    out = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.name.startswith("_"):
            continue
        reason = untyped_reason(node.returns)
        if reason:
            out.append((node.lineno, node.name, reason))
    return out


def _scan() -> tuple[list[str], list[str], list[str]]:
    failing, pending, clean_pending = [], [], []
    for path in sorted(SERVICES.rglob("*.py")):
        rel = path.relative_to(SERVICES).as_posix()
        found = [f"services/{rel}:{line} {fn} -> {why}" for line, fn, why in offenders_in(path.read_text("utf-8"))]
        if _is_pending(rel):
            pending += found
            if not found and rel in PENDING_OTHER_BRANCHES:
                clean_pending.append(rel)
        else:
            failing += found
    return failing, pending, clean_pending


def test_every_public_service_function_returns_a_typed_result() -> None:
    failing, pending, clean_pending = _scan()
    print(f"\nPENDING_OTHER_BRANCHES ({len(PENDING_OTHER_BRANCHES)} entries, emptied by the lead at merge): "
          + ", ".join(sorted(PENDING_OTHER_BRANCHES)))
    if pending:
        print(f"{len(pending)} public functions there still return untyped results:\n  " + "\n  ".join(pending))
    if clean_pending:
        print("already typed, remove from PENDING_OTHER_BRANCHES: " + ", ".join(clean_pending))
    assert not failing, (f"{len(failing)} public service functions return dict[str, Any], a bare dict or "
                         "nothing declared (return a frozen dataclass or a ServiceModel):\n  " + "\n  ".join(failing))


def test_this_branch_modules_are_not_pending() -> None:
    assert not {m for m in TYPED_CORE if _is_pending(m)}
    assert all((SERVICES / m).exists() for m in TYPED_CORE)


@pytest.mark.parametrize(("annotation", "bad"), [
    ("dict[str, Any]", True), ("Dict[str, Any]", True), ("dict", True), ("typing.Dict", True),
    ("list[dict[str, Any]]", True), ("tuple[CaseView, dict[str, Any]]", True), ("dict[str, Any] | None", True),
    ("dict[str, dict[str, Any]]", True), ("'dict[str, Any]'", True), ("dict[str, typing.Any]", True),
    ("dict[str, int]", False), ("CaseView", False), ("list[CaseSummary]", False), ("Mapping[str, JSONValue]", False),
    ("tuple[CaseRecord, CaseState]", False), ("JSONObject", False), ("None", False),
])
def test_the_scan_catches_untyped_returns(annotation: str, bad: bool) -> None:
    # The checker itself, on a synthetic module: each offending form is caught, typed ones pass.
    src = f"def f() -> {annotation}: ...\ndef _p() -> {annotation}: ...\n"
    found = offenders_in(src)
    assert [fn for _, fn, _ in found] == (["f"] if bad else [])


def test_the_scan_catches_a_missing_annotation_and_skips_private_ones() -> None:
    found = offenders_in("def f(x): ...\ndef _g(x): ...\nasync def h(): ...\n")
    assert [(fn, why) for _, fn, why in found] == [("f", "no return annotation"), ("h", "no return annotation")]


def test_typed_results_keep_the_json_users_see(fresh_db: str) -> None:
    # The shells print model_dump(mode="json") / plain(): the former dict keys, in order, and
    # the transitional key access (other branches' modules) reads the same values.
    from tradepolicy.services import law, proceedings
    from tradepolicy.services.law_types import CaseView, DeadlineView
    from tradepolicy.services.typed import plain

    c = proceedings.open_case(procedure="ad_investigation", case_id="T-1", title="Typed widgets")
    c = proceedings.record_event("T-1", "petition_filed", "2025-01-14")
    assert isinstance(c, CaseView) and all(isinstance(d, DeadlineView) for d in c.deadlines)
    body = plain(c)
    assert list(body)[:6] == ["id", "procedure", "procedure_title", "title", "created_at", "created_by"]
    assert body["deadlines"][0]["clock_id"] == c.deadlines[0].clock_id
    assert body["stage"] == c.stage
    # no key access on a model (the transitional DictAccess shim is gone): attributes or plain()
    assert not isinstance(c, Mapping) and not hasattr(c, "get")
    with pytest.raises(TypeError):
        c["deadlines"]  # type: ignore[index]
    periods = plain(law.rule_detail("adcvd.ad.prelim"))["periods"]
    assert periods and "from" in periods[0] and "from_" not in periods[0]  # JSON names, not Python ones
