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

The schema is pydantic: each model's module (``models/``) defines its sections and its
``Spec``; ``ScenarioSpec`` is their union, discriminated on ``model``. Every section accepts
only the keys its model knows (``SECTIONS``); an unknown key is an error naming the key, the
section and the allowed keys (pydantic's ``ValidationError`` is translated here into the
project's :class:`~tradepolicy.errors.InputError`). Keys a model or dataset cannot
honour are refused, never ignored. Conventions: rates are decimals; elasticities are
positive magnitudes (import demand ε > 0 means E_m = −ε); SMART elasticities may be given
by HS6 as ``{default: 1.2, "030617": 0.9}``; ``uncertainty`` (bands ``[low, central,
high]`` and Monte Carlo ``draws``, triangular, seeded) is for the PE models only.
"""

from __future__ import annotations

import math
import typing
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from tradepolicy.economics.scenarios.models import MODELS
from tradepolicy.economics.scenarios.models._spec import FIELD, SpecBase, UncertaintySpec
from tradepolicy.economics.scenarios.models.enforcement import EnforcementSpec
from tradepolicy.economics.scenarios.models.ge import GESpec
from tradepolicy.economics.scenarios.models.ge_ppml import GEPPMLSpec
from tradepolicy.economics.scenarios.models.gsim import GsimChange, GsimSpec
from tradepolicy.economics.scenarios.models.smart import SmartChange, SmartSpec
from tradepolicy.errors import InputError
from tradepolicy.literals import options_of

ScenarioModel = Literal["smart", "gsim", "enforcement", "ge", "ge_ppml"]

ScenarioSpec = Annotated[SmartSpec | GsimSpec | EnforcementSpec | GESpec | GEPPMLSpec, Field(discriminator="model")]
"""A scenario file: one spec per model, chosen by its ``model`` key."""

_ADAPTER: TypeAdapter[Any] = TypeAdapter(ScenarioSpec)

TOP_KEYS = tuple(SpecBase.model_fields)
UNCERTAINTY_KEYS = tuple(UncertaintySpec.model_fields)
CHANGE_KEYS_BY_MODEL = {"smart": tuple(SmartChange.model_fields), "gsim": tuple(GsimChange.model_fields)}

# Allowed keys per model and section (True marks a required key) and the sign conventions:
# each model declares them in its own module (economics/scenarios/models/).
SECTIONS: dict[str, dict[str, dict[str, bool]]] = {k: m.sections for k, m in MODELS.items()}
SIGN_CONVENTIONS: dict[str, str] = {k: m.sign_convention for k, m in MODELS.items()}


@dataclass(frozen=True)
class Uncertainty:
    """Elasticity bands ``{name: [low, central, high]}`` and the number of Monte Carlo draws."""

    bands: dict[str, list[float]]
    draws: int = 0


@dataclass(frozen=True)
class Scenario:
    """A parsed, validated scenario (see the module docstring for the file format).

    ``data``, ``policy`` and ``parameters`` hold the keys the file gave, validated and
    converted; ``spec`` is the validated pydantic model they came from.
    """

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
    spec: Any = field(default=None, compare=False, repr=False)

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


def _given(v: Any) -> Any:
    """Return the keys a validated section was given (in the model's order), as plain dicts and lists."""
    if isinstance(v, BaseModel):
        return {k: _given(getattr(v, k)) for k in type(v).model_fields if k in v.model_fields_set}
    if isinstance(v, list):
        return [_given(x) for x in v]
    return v


def parse_scenario(doc: Any, *, source: str = "<string>") -> Scenario:
    """Validate a scenario mapping (as loaded from YAML) and return a :class:`Scenario`."""
    if not isinstance(doc, dict):
        raise InputError("Section 'scenario' must be a mapping.", where=source, field="scenario",
                         expected="key: value pairs", example="name: my-scenario")
    try:
        spec: SpecBase = _ADAPTER.validate_python(doc)
    except ValidationError as exc:
        raise _input_error(exc, doc, source=source) from None
    unc = spec.uncertainty
    return Scenario(name=spec.name, model=spec.model, data=_given(spec.data),  # type: ignore[arg-type]
                    policy=_given(spec.policy), parameters=_given(spec.parameters), seed=spec.seed,
                    title=spec.title or spec.name, description=spec.description,
                    uncertainty=None if unc is None else Uncertainty(bands=dict(unc.bands), draws=unc.draws),
                    notes=spec.notes, citations=spec.citations, source=source, raw=dict(doc), spec=spec)


# ------------------------------------------------------------------ ValidationError -> InputError
_RANK = {"extra_forbidden": 0, "union_tag_not_found": 1, "union_tag_invalid": 1, "missing": 1}


def _dotted(loc: tuple[Any, ...], *, index: bool = True) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]" if index else "[]"
        else:
            out = f"{out}.{part}" if out else str(part)
    return out


def _section_model(cls: type[BaseModel], path: tuple[Any, ...]) -> type[BaseModel] | None:
    """Return the pydantic model validating the mapping at ``path`` inside ``cls``."""
    for part in path:
        if isinstance(part, int):
            continue
        info = cls.model_fields.get(str(part))
        if info is None:
            return None
        found = _find_model(info.annotation)
        if found is None:
            return None
        cls = found
    return cls


def _find_model(ann: Any) -> type[BaseModel] | None:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for a in typing.get_args(ann):
        found = _find_model(a)
        if found is not None:
            return found
    return None


def _input_error(exc: ValidationError, doc: dict[str, Any], *, source: str) -> InputError:
    """Turn pydantic's first (most basic) error into the project's error, in the project's words."""
    errors = sorted(enumerate(exc.errors(include_url=False)), key=lambda ie: (_RANK.get(ie[1]["type"], 2), ie[0]))
    e = errors[0][1]
    kind, loc = e["type"], tuple(e["loc"])
    models = options_of(ScenarioModel)
    if kind == "union_tag_invalid":
        got = doc.get("model")
        return InputError(f"Expecting one of {set(models)}. Got {got!r}.", where=f"{source}: model", field="model",
                          expected=" | ".join(models), example=models[0])
    if kind == "union_tag_not_found":
        return InputError("Missing required key 'model'.", where=source, field="model", expected="model: ...",
                          example="model: smart")
    model = str(loc[0]) if loc and loc[0] in MODELS else str(doc.get("model"))
    loc = loc[1:] if loc and loc[0] in MODELS else loc
    where_field = _dotted(loc)
    if kind == "tp":
        ctx = e.get("ctx") or {}
        sub = str(ctx.get("sub", ""))
        name = where_field + sub if sub.startswith(".") or not where_field else f"{where_field}.{sub}" if sub \
            else where_field
        fill = lambda t: str(t).replace(FIELD, name)  # noqa: E731
        return InputError(fill(ctx["message"]), where=f"{source}: {name}", field=name,
                          expected=fill(ctx["expected"]), example=fill(ctx["example"]))
    if kind == "extra_forbidden":
        key = str(loc[-1])
        section = _dotted(loc[:-1], index=False) or "scenario"
        cls = _section_model(MODELS[model].schema or SpecBase, loc[:-1]) if model in MODELS else SpecBase
        names = tuple(cls.model_fields) if cls is not None else ()
        return InputError(f"Unknown key {key!r} in {section}. Allowed keys: {', '.join(names) or '(none)'}.",
                          where=f"{source}: {section}.{key}", field=f"{section}.{key}",
                          expected=" | ".join(names) or "no keys", example=names[0] if names else "{}")
    if kind == "missing":
        key = str(loc[-1])
        section = _dotted(loc[:-1], index=False)
        if not section:
            return InputError(f"Missing required key {key!r}.", where=source, field=key, expected=f"{key}: ...",
                              example="seed: 20180706")
        return InputError(f"Missing required key {key!r} in {section}.", where=source, field=f"{section}.{key}",
                          expected=f"{section}.{key}: ...", example=key)
    if kind in ("list_type", "model_type", "dict_type"):
        form = "a list" if kind == "list_type" else "a mapping"
        return InputError(f"{where_field} must be {form}; got {e.get('input')!r}.", where=f"{source}: {where_field}",
                          field=where_field, expected=form,
                          example="[{formula: new_rate, value: 0, partners: [ECU]}]" if kind == "list_type"
                          else "{key: value}")
    return InputError(f"{where_field or 'scenario'}: {e['msg']}; got {e.get('input')!r}.",
                      where=f"{source}: {where_field}", field=where_field or "scenario", expected=str(e["msg"]),
                      example="see the scenario file format in docs")


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
