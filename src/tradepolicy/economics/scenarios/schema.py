"""The scenario file: a policy change plus the data, parameters and seed to evaluate it.

A scenario is YAML (parsed here from text; the service reads the file)::

    name: shrimp-preference-smart          # required, [a-z0-9-]
    title: EU-style preference for Ecuador's frozen shrimp
    model: smart                           # smart | gsim | enforcement | ge | ge_ppml
    data: {dataset: baci-shrimp-2018, importer: ESP, products: ["030617"]}
    policy: {base_tariff: 0.12, changes: [{formula: new_rate, value: 0, partners: [ECU]}]}
    parameters: {import_demand_elasticity: 1.2, substitution_elasticity: 1.5}
    uncertainty: {bands: {import_demand_elasticity: [0.6, 1.2, 2.4]}, draws: 1000}
    seed: 20180101

Every section accepts only the keys its model knows (``SECTIONS``); an unknown key is an
error naming the key, the section and the allowed keys. Keys a model or dataset cannot
honour are refused, never ignored. Conventions: rates are decimals; elasticities are
positive magnitudes (import demand ε > 0 means E_m = −ε); SMART elasticities may be given
by HS6 as ``{default: 1.2, "030617": 0.9}``; ``uncertainty`` (bands ``[low, central,
high]`` and Monte Carlo ``draws``, triangular, seeded) is for the PE models only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from tradepolicy.economics.scenarios.models import MODELS
from tradepolicy.errors import InputError
from tradepolicy.literals import check_literal, options_of

ScenarioModel = Literal["smart", "gsim", "enforcement", "ge", "ge_ppml"]

TOP_KEYS = ("name", "title", "description", "model", "data", "policy", "parameters",
            "uncertainty", "seed", "notes", "citations")
UNCERTAINTY_KEYS = ("bands", "draws")
CHANGE_KEYS = ("formula", "value", "partners", "products", "importers")
CHANGE_KEYS_BY_MODEL = {
    "smart": ("formula", "value", "partners", "products"),     # one importer: no importers key
    "gsim": ("formula", "value", "partners", "importers"),     # one product: no products key
}

# Allowed keys per model and section (True marks a required key) and the sign conventions:
# each model declares them in its own module (economics/scenarios/models/).
SECTIONS: dict[str, dict[str, dict[str, bool]]] = {k: m.sections for k, m in MODELS.items()}
SIGN_CONVENTIONS: dict[str, str] = {k: m.sign_convention for k, m in MODELS.items()}


# Keys whose values must be numbers, or single codes / names, per section (checked on parse
# so that a wrong type is an error naming the key, never a crash later).
NUMBER_KEYS = {"data": ("domestic_sales",), "policy": ("duty", "covered_share", "coefficient", "base_tariff")}
TEXT_KEYS = {"data": ("dataset", "importer", "product", "application", "flow"),
             "policy": ("variable", "change")}
TEXT_EXAMPLES = {"dataset": "baci-shrimp-2018", "importer": "USA", "product": "030617",
                 "application": "nafta", "flow": "trade", "variable": "eu_enlargement", "change": "new_pairs"}


@dataclass(frozen=True)
class Uncertainty:
    """Elasticity bands ``{name: [low, central, high]}`` and the number of Monte Carlo draws."""

    bands: dict[str, list[float]]
    draws: int = 0


@dataclass(frozen=True)
class Scenario:
    """A parsed, validated scenario (see the module docstring for the file format)."""

    name: str
    model: ScenarioModel
    data: dict[str, Any]
    policy: dict[str, Any]
    parameters: dict[str, Any]
    seed: int
    title: str = ""
    description: str = ""
    uncertainty: Uncertainty | None = None
    notes: str = ""
    citations: tuple[str, ...] = ()
    source: str = "<string>"
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def sign_convention(self) -> str:
        """How the results' signs read."""
        return SIGN_CONVENTIONS[self.model]

    def to_dict(self) -> dict[str, Any]:
        """Return the scenario as given (JSON-safe), for manifests and run records."""
        return _jsonable(self.raw)


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def _check_keys(d: Any, allowed: dict[str, bool] | tuple[str, ...], *, section: str, source: str) -> dict[str, Any]:
    if d is None:
        d = {}
    if not isinstance(d, dict):
        raise InputError(f"Section {section!r} must be a mapping.", where=source, field=section,
                         expected="key: value pairs", example=f"{section}: {{...}}")
    names = tuple(allowed)
    for k in d:
        if k not in names:
            raise InputError(
                f"Unknown key {k!r} in {section}. Allowed keys: {', '.join(names) or '(none)'}.",
                where=f"{source}: {section}.{k}", field=f"{section}.{k}",
                expected=" | ".join(names) or "no keys", example=names[0] if names else "{}")
    if isinstance(allowed, dict):
        for k, req in allowed.items():
            if req and k not in d:
                raise InputError(f"Missing required key {k!r} in {section}.", where=source,
                                 field=f"{section}.{k}", expected=f"{section}.{k}: ...",
                                 example=k)
    return dict(d)


def _number(v: Any, *, field: str, source: str) -> float:
    if isinstance(v, str) and v.strip().lower() in (".inf", "inf", "infinity"):
        return math.inf
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise InputError(f"{field} must be a number; got {v!r}.", where=source, field=field,
                         expected="a number (.inf for infinity)", example="1.5")
    return float(v)


def _codes(v: Any, *, field: str, source: str) -> list[str]:
    """Return a list of codes (ISO3 / HS6); a bare string would be read letter by letter, so refuse it."""
    if isinstance(v, list) and all(isinstance(x, str | int) and not isinstance(x, bool) for x in v):
        return [str(x) for x in v]
    raise InputError(f"{field} must be a list of codes; got {v!r}.", where=f"{source}: {field}", field=field,
                     expected="a YAML list, e.g. [ECU] or [\"030617\"]", example="[ECU, IND]")


def parse_scenario(doc: Any, *, source: str = "<string>") -> Scenario:
    """Validate a scenario mapping (as loaded from YAML) and return a :class:`Scenario`."""
    top = _check_keys(doc, TOP_KEYS, section="scenario", source=source)
    for req in ("name", "model", "data", "seed"):
        if req not in top:
            raise InputError(f"Missing required key {req!r}.", where=source, field=req,
                             expected=f"{req}: ...", example="seed: 20180706")
    name = str(top["name"])
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", name):
        raise InputError(f"Scenario name {name!r} must be lower-case letters, digits and dashes.",
                         where=source, field="name", expected="[a-z0-9-]", example="shrimp-preference-smart")
    model = check_literal(str(top["model"]), options_of(ScenarioModel), name="model")
    spec = SECTIONS[model]
    data = _check_keys(top.get("data"), spec["data"], section="data", source=source)
    policy = _check_keys(top.get("policy"), spec["policy"], section="policy", source=source)
    params = _check_keys(top.get("parameters"), spec["parameters"], section="parameters", source=source)
    for k, v in list(params.items()):
        if k in ("reference", "imbalance", "procedure", "numeraire"):
            if not isinstance(v, str):
                raise InputError(f"parameters.{k} must be a name; got {v!r}.", where=f"{source}: parameters.{k}",
                                 field=f"parameters.{k}", expected="a string",
                                 example={"reference": "USA", "imbalance": "additive"}.get(k, "book"))
            continue
        if model == "smart" and isinstance(v, dict):
            # by product: {default: 1.2, "030617": 0.9} (HS6 keys as strings)
            if "default" not in v:
                raise InputError(f"parameters.{k} by product needs a 'default'.", where=f"{source}: parameters.{k}",
                                 field=f"parameters.{k}", expected="{default: x, HS6: y}",
                                 example='{default: 1.2, "030617": 0.9}')
            params[k] = {str(h): _number(x, field=f"parameters.{k}.{h}", source=source) for h, x in v.items()}
        else:
            params[k] = _number(v, field=f"parameters.{k}", source=source)
    change_keys = CHANGE_KEYS_BY_MODEL.get(model, CHANGE_KEYS)
    changes = policy.get("changes", []) or []
    if not isinstance(changes, list):
        raise InputError("policy.changes must be a list of changes.", where=f"{source}: policy.changes",
                         field="policy.changes", expected="a list of {formula, value, ...}",
                         example="[{formula: new_rate, value: 0, partners: [ECU]}]")
    for i, ch in enumerate(changes):
        _check_keys(ch, change_keys, section="policy.changes[]", source=source)
        if "value" in ch:
            ch["value"] = _number(ch["value"], field=f"policy.changes[{i}].value", source=source)
        for key in ("partners", "products", "importers"):
            if key in ch and ch[key] is not None:
                ch[key] = _codes(ch[key], field=f"policy.changes[{i}].{key}", source=source)
    for key in ("products", "subject"):
        if key in data:
            data[key] = _codes(data[key], field=f"data.{key}", source=source)
    for section, sec_name in ((data, "data"), (policy, "policy")):
        for key in NUMBER_KEYS[sec_name]:
            if key in section and not (key == "base_tariff" and isinstance(section[key], dict)):
                section[key] = _number(section[key], field=f"{sec_name}.{key}", source=source)
        for key in TEXT_KEYS[sec_name]:
            if key in section and (isinstance(section[key], bool) or not isinstance(section[key], str | int)):
                raise InputError(f"{sec_name}.{key} must be a single code or name; got {section[key]!r}.",
                                 where=f"{source}: {sec_name}.{key}", field=f"{sec_name}.{key}",
                                 expected="a string", example=TEXT_EXAMPLES.get(key, "USA"))
    if "year" in data:
        y = data["year"]
        if isinstance(y, bool) or not isinstance(y, int):
            raise InputError(f"data.year must be a year (integer); got {y!r}.", where=f"{source}: data.year",
                             field="data.year", expected="an integer year", example="2017")
    base = policy.get("base_tariff")
    if isinstance(base, dict) and model == "smart":
        policy["base_tariff"] = {str(k): _number(v, field=f"policy.base_tariff.{k}", source=source)
                                 for k, v in base.items()}
    if base is not None and model in ("gsim", "enforcement") and (
            isinstance(base, bool) or not isinstance(base, int | float)):
        raise InputError(f"policy.base_tariff must be one rate for model {model!r}; got {base!r}.",
                         where=f"{source}: policy.base_tariff", field="policy.base_tariff",
                         expected="a decimal rate", example="0.05")
    seed = top["seed"]
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(f"seed must be a non-negative integer; got {seed!r}.", where=source,
                         field="seed", expected="an integer >= 0", example="20180706")
    unc = None
    if top.get("uncertainty") is not None and not MODELS[model].takes_uncertainty:
        raise InputError(f"Model {model!r} takes no uncertainty section; elasticity bands and Monte Carlo "
                         "are for the PE models (smart, gsim, enforcement). For GE bands over gravity "
                         "coefficients use tradepolicy.economics.montecarlo.monte_carlo_ge.",
                         where=f"{source}: uncertainty", field="uncertainty",
                         expected="no uncertainty key for ge / ge_ppml", example="model: smart")
    if top.get("uncertainty") is not None:
        u = _check_keys(top["uncertainty"], UNCERTAINTY_KEYS, section="uncertainty", source=source)
        bands = u.get("bands") or {}
        if not isinstance(bands, dict):
            raise InputError("uncertainty.bands must map parameter names to [low, central, high].",
                             where=source, field="uncertainty.bands", expected="{name: [lo, c, hi]}",
                             example="{import_demand_elasticity: [0.6, 1.2, 2.4]}")
        for b in bands:
            if isinstance(params.get(b), dict):
                raise InputError(f"A band on {b!r} needs a single value of it, not one by product.",
                                 where=f"{source}: uncertainty.bands.{b}", field=f"uncertainty.bands.{b}",
                                 expected=f"parameters.{b}: a number", example="1.2")
            if b not in spec["parameters"]:
                raise InputError(f"Unknown key {b!r} in uncertainty.bands. Allowed keys: "
                                 f"{', '.join(spec['parameters'])}.", where=f"{source}: uncertainty.bands.{b}",
                                 field=f"uncertainty.bands.{b}", expected=" | ".join(spec["parameters"]),
                                 example=next(iter(spec["parameters"])))
        draws = u.get("draws", 0)
        if isinstance(draws, bool) or not isinstance(draws, int) or not 0 <= draws <= 1_000_000:
            raise InputError(f"uncertainty.draws must be an integer 0..1,000,000; got {draws!r}.",
                             where=source, field="uncertainty.draws", expected="0 <= draws <= 1000000",
                             example="1000")
        for b, v in bands.items():
            if not isinstance(v, list):
                raise InputError(f"uncertainty.bands.{b} must be a list [low, central, high].",
                                 where=f"{source}: uncertainty.bands.{b}", field=f"uncertainty.bands.{b}",
                                 expected="[low, central, high]", example="[0.6, 1.2, 2.4]")
        for b, v in bands.items():
            central = params.get(b)
            if isinstance(central, float) and len(v) == 3 and _number(v[1], field=f"uncertainty.bands.{b}",
                                                                      source=source) != central:
                raise InputError(f"The central value of uncertainty.bands.{b} ({v[1]}) differs from "
                                 f"parameters.{b} ({central}); the bands are around the run's value.",
                                 where=f"{source}: uncertainty.bands.{b}", field=f"uncertainty.bands.{b}",
                                 expected=f"[low, {central:g}, high]", example=f"[{central / 2:g}, {central:g}, "
                                 f"{central * 2:g}]")
        unc = Uncertainty(bands={k: [_number(x, field=f"uncertainty.bands.{k}", source=source) for x in v]
                                 for k, v in bands.items()}, draws=draws)
    cites = top.get("citations") or []
    return Scenario(name=name, model=model, data=data, policy=policy,  # type: ignore[arg-type]
                    parameters=params, seed=int(seed), title=str(top.get("title") or name),
                    description=str(top.get("description") or ""), uncertainty=unc,
                    notes=str(top.get("notes") or ""),
                    citations=tuple(str(c) for c in cites), source=source, raw=dict(top))


def load_scenario_text(text: str, *, source: str = "<string>") -> Scenario:
    """Parse YAML text into a :class:`Scenario` (errors name the file and the key)."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        raise InputError(f"The scenario is not valid YAML: {getattr(exc, 'problem', exc)}.", where=where,
                         field="yaml", expected="a YAML mapping", example="name: my-scenario") from exc
    return parse_scenario(doc, source=source)
