"""Scenario files: unknown keys, missing keys and out-of-range values give clear errors.

Each error must name the key (field), the place (where) and the allowed keys / expected form.
"""

from __future__ import annotations

import pytest

from tests.helpers import requires_dataset
from tradepolicy.economics.scenarios import load_scenario_text
from tradepolicy.errors import InputError, NotFoundError

GOOD = """
name: t-smart
model: smart
data: {dataset: baci-shrimp-2018, importer: USA, products: ["030617"]}
policy: {changes: [{formula: increase, value: 0.25, partners: [IND]}]}
parameters: {import_demand_elasticity: 1.2}
seed: 1
"""


def test_good_file_parses() -> None:
    sc = load_scenario_text(GOOD, source="good.yaml")
    assert sc.model == "smart" and sc.seed == 1 and sc.parameters["import_demand_elasticity"] == 1.2


@pytest.mark.parametrize(("old", "new", "field", "allowed"), [
    ("seed: 1", "seed: 1\ncolour: red", "scenario.colour", "name, title"),
    ("importer: USA", "importer: USA, colour: red", "data.colour", "dataset, importer, products"),
    ("import_demand_elasticity: 1.2", "import_demand_elasticity: 1.2, sigma: 2", "parameters.sigma",
     "import_demand_elasticity, substitution_elasticity, export_supply_elasticity"),
    ("value: 0.25,", "value: 0.25, rate: 3,", "policy.changes[].rate", "formula, value, partners"),
    ("value: 0.25,", "value: 0.25, importers: [JPN],", "policy.changes[].importers", "formula, value, partners"),
    ("changes:", "colour: 1, changes:", "policy.colour", "base_tariff, changes"),
])
def test_unknown_keys_name_the_key_and_the_allowed_ones(old: str, new: str, field: str, allowed: str) -> None:
    with pytest.raises(InputError) as e:
        load_scenario_text(GOOD.replace(old, new), source="bad.yaml")
    err = e.value
    assert err.field == field
    assert allowed in err.message
    assert err.where is not None and err.where.startswith("bad.yaml")


def test_unknown_band_and_missing_required_key() -> None:
    with pytest.raises(InputError) as e:
        load_scenario_text(GOOD + "uncertainty: {bands: {eta: [1, 2, 3]}}\n")
    assert e.value.field == "uncertainty.bands.eta"
    with pytest.raises(InputError) as e:
        load_scenario_text(GOOD.replace("parameters: {import_demand_elasticity: 1.2}", "parameters: {}"))
    assert e.value.field == "parameters.import_demand_elasticity"
    with pytest.raises(InputError) as e:
        load_scenario_text(GOOD.replace("seed: 1", ""))
    assert e.value.field == "seed"


@pytest.mark.parametrize(("old", "new", "field"), [
    ("model: smart", "model: cge", "model"),
    ("seed: 1", "seed: -3", "seed"),
    ("name: t-smart", "name: Bad Name", "name"),
    ("import_demand_elasticity: 1.2", "import_demand_elasticity: high", "parameters.import_demand_elasticity"),
])
def test_bad_values(old: str, new: str, field: str) -> None:
    with pytest.raises(InputError) as e:
        load_scenario_text(GOOD.replace(old, new))
    assert e.value.field == field


ENF = """
name: t-enf
model: enforcement
data: {dataset: us-trade-by-partner, year: 2017, subject: [CHN], domestic_sales: 2000000}
policy: {duty: 0.25, covered_share: 0.5}
parameters: {demand_elasticity: 1.0, substitution_elasticity: 3.0}
seed: 1
"""


@pytest.mark.parametrize(("old", "new", "field"), [
    # Wrong types used to reach float()/int()/iteration and crash (a 500 in the API).
    ("duty: 0.25", "duty: high", "policy.duty"),
    ("covered_share: 0.5", "covered_share: [0.5]", "policy.covered_share"),
    ("domestic_sales: 2000000", "domestic_sales: null", "data.domestic_sales"),
    ("year: 2017", "year: last", "data.year"),
    ("subject: [CHN]", "subject: null", "data.subject"),
    ("subject: [CHN]", "subject: CHN", "data.subject"),
    ("dataset: us-trade-by-partner", "dataset: [us-trade-by-partner]", "data.dataset"),
])
def test_wrong_types_are_named(old: str, new: str, field: str) -> None:
    assert old in ENF
    with pytest.raises(InputError) as e:
        load_scenario_text(ENF.replace(old, new))
    assert e.value.field == field


def test_ge_reference_must_be_a_name() -> None:
    text = GOOD.replace("model: smart", "model: ge").replace(
        'data: {dataset: baci-shrimp-2018, importer: USA, products: ["030617"]}',
        "data: {dataset: wiod-zylkin, year: 2000}").replace(
        "policy: {changes: [{formula: increase, value: 0.25, partners: [IND]}]}",
        "policy: {variable: eu_enlargement, coefficient: 0.224}").replace(
        "parameters: {import_demand_elasticity: 1.2}", "parameters: {theta: 4, reference: [USA]}")
    with pytest.raises(InputError) as e:
        load_scenario_text(text)
    assert e.value.field == "parameters.reference"


def test_invalid_yaml_names_the_line() -> None:
    with pytest.raises(InputError) as e:
        load_scenario_text("name: x\nmodel: [smart\n", source="f.yaml")
    assert e.value.where is not None and e.value.where.startswith("f.yaml:")


@requires_dataset("baci-shrimp-2018")
def test_wrong_sign_elasticity_is_rejected_at_run_time() -> None:
    from tradepolicy.services.scenarios import run_scenario

    sc = load_scenario_text(GOOD.replace("import_demand_elasticity: 1.2", "import_demand_elasticity: -1.2"))
    with pytest.raises(InputError) as e:
        run_scenario(sc, store=False)
    assert e.value.field == "import_demand_elasticity" and "wrong sign" in e.value.message


@requires_dataset("wiod-zylkin")
@pytest.mark.parametrize(("params", "field", "err"), [
    ("{sigma: 1.0, reference: USA}", "sigma", InputError),          # σ <= 1
    ("{theta: 4, reference: XXX}", "reference", InputError),        # unknown reference country
])
def test_ge_scenario_bad_parameters(params: str, field: str, err: type) -> None:
    from tradepolicy.services.scenarios import run_scenario

    text = f"""
name: t-ge
model: ge
data: {{dataset: wiod-zylkin, year: 2000}}
policy: {{variable: eu_enlargement, coefficient: 0.224}}
parameters: {params}
seed: 1
"""
    with pytest.raises(err) as e:
        run_scenario(load_scenario_text(text), store=False)
    assert field in (e.value.field or "")


def test_unknown_example_lists_the_known_ones() -> None:
    from tradepolicy.services.scenarios import load_scenario

    with pytest.raises(NotFoundError) as e:
        load_scenario("no-such-example")
    assert "shrimp-preference-smart" in (e.value.expected or "")


def test_model_cannot_read_foreign_dataset() -> None:
    from tradepolicy.services.scenarios import run_scenario

    sc = load_scenario_text(GOOD.replace("baci-shrimp-2018", "agtpa"))
    with pytest.raises(InputError) as e:
        run_scenario(sc, store=False)
    assert e.value.field == "data.dataset"


def test_ge_models_reject_an_uncertainty_section_instead_of_ignoring_it() -> None:
    text = """
name: t-ge
model: ge
data: {dataset: wiod-zylkin, year: 2000}
policy: {variable: eu_enlargement, coefficient: 0.224}
parameters: {theta: 4, reference: USA}
uncertainty: {bands: {theta: [3, 4, 5]}, draws: 10}
seed: 1
"""
    with pytest.raises(InputError) as e:
        load_scenario_text(text)
    assert e.value.field == "uncertainty"


@requires_dataset("baci-shrimp-2018")
def test_smart_elasticities_by_product() -> None:
    # ε by HS6 (Kee, Nicita & Olarreaga style): each product's trade creation uses its own ε
    # (closed form TC = M ε Δt / (1 + t0), η = ∞; 1e-9 relative).
    from tradepolicy.services.scenarios import run_scenario

    text = GOOD.replace('products: ["030617"]', 'products: ["030617", "160521"]').replace(
        "parameters: {import_demand_elasticity: 1.2}",
        'parameters: {import_demand_elasticity: {default: 1.2, "160521": 0.4}}')
    out = run_scenario(load_scenario_text(text), store=False)
    byp = {r["product"]: r for r in out.results["tables"]["by_product"]}
    mk = out.results["rows"]
    ind = next(r for r in mk if r["iso3"] == "IND")
    assert byp["160521"]["trade_creation"] != 0
    from tradepolicy.datasets.readers.baci import read_baci_shrimp_market

    m = read_baci_shrimp_market("USA")
    m_ind = m[(m["partner"] == "IND")].set_index("hs6")["value_kusd"]
    expected = -0.25 * (1.2 * m_ind.get("030617", 0.0) + 0.4 * m_ind.get("160521", 0.0))
    assert ind["trade_creation"] == pytest.approx(expected, rel=1e-9)
    with pytest.raises(InputError) as e:
        load_scenario_text(text + "uncertainty: {bands: {import_demand_elasticity: [0.5, 1, 2]}}\n")
    assert e.value.field == "uncertainty.bands.import_demand_elasticity"
    # An elasticity for a product the market does not have would be silently unused: refused.
    with pytest.raises(InputError) as e:
        run_scenario(load_scenario_text(text.replace('"160521": 0.4', '"160521": 0.4, "999999": 3')), store=False)
    assert e.value.field == "parameters.import_demand_elasticity" and "999999" in e.value.message
