"""Each scenario model lives in one module (issue 14): sections, sign convention, uncertainty
flag and runner, read by schema.py and evaluate.py from one registry."""

from __future__ import annotations


def test_every_model_is_one_registered_module() -> None:
    from tradepolicy.economics.scenarios import SECTIONS
    from tradepolicy.economics.scenarios.models import MODELS
    from tradepolicy.economics.scenarios.schema import SIGN_CONVENTIONS, ScenarioModel
    from tradepolicy.literals import options_of

    assert set(MODELS) == set(options_of(ScenarioModel))
    for name, spec in MODELS.items():
        mod = __import__(f"tradepolicy.economics.scenarios.models.{name}", fromlist=["run"])
        assert spec.run is mod.run and SECTIONS[name] is mod.SECTIONS
        assert SIGN_CONVENTIONS[name] == mod.SIGN_CONVENTION
        assert set(mod.SECTIONS) == {"data", "policy", "parameters"}
    assert {n for n, m in MODELS.items() if m.takes_uncertainty} == {"smart", "gsim", "enforcement"}


def test_evaluate_dispatches_through_the_registry(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tradepolicy.economics.scenarios import evaluate, parse_scenario
    from tradepolicy.economics.scenarios.models import MODELS, ModelSpec

    seen = {}
    spec = MODELS["ge"]
    monkeypatch.setitem(MODELS, "ge", ModelSpec("ge", spec.sections, spec.sign_convention, False,
                                                lambda sc, inputs: seen.setdefault("ran", sc.name)))
    sc = parse_scenario({"name": "t", "model": "ge", "seed": 1, "data": {"dataset": "wiod-zylkin", "year": 2000},
                         "policy": {"variable": "fta", "coefficient": 0.5}, "parameters": {"reference": "USA"}})
    assert evaluate(sc, {}) == "t" and seen == {"ran": "t"}
