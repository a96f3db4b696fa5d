"""The pydantic building blocks of the scenario schema, shared by the model modules.

Each model module defines its ``data`` / ``policy`` / ``parameters`` sections as
:class:`Section` models and one :class:`SpecBase` subclass with ``model: Literal[...]``;
``schema.py`` joins them in a union discriminated on ``model``. Every section refuses
unknown keys (``extra="forbid"``). A wrong value raises :func:`tp_error`, a pydantic custom
error carrying the project's message, expected form and example; ``schema.py`` turns the
``ValidationError`` into an :class:`~tradepolicy.errors.InputError`.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, model_validator
from pydantic_core import PydanticCustomError

FIELD = "{field}"  # replaced by the dotted field name (from the error's location) when translated


def tp_error(message: str, *, expected: str, example: str, sub: str = "") -> PydanticCustomError:
    """Return a validation error in the project's words; ``sub`` extends the field its location names."""
    return PydanticCustomError("tp", "{message}", {"message": message, "expected": expected,
                                                   "example": example, "sub": sub})


def number(v: Any, sub: str = "") -> float:
    """Return a number (``.inf``/``inf``/``infinity`` for infinity); refuse booleans and text."""
    if isinstance(v, str) and v.strip().lower() in (".inf", "inf", "infinity"):
        return math.inf
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise tp_error(f"{FIELD} must be a number; got {v!r}.", expected="a number (.inf for infinity)",
                       example="1.5", sub=sub)
    return float(v)


def codes(v: Any) -> list[str]:
    """Return a list of codes (ISO3 / HS6); refuse a bare string (it would be read letter by letter)."""
    if isinstance(v, list) and all(isinstance(x, str | int) and not isinstance(x, bool) for x in v):
        return [str(x) for x in v]
    raise tp_error(f"{FIELD} must be a list of codes; got {v!r}.",
                   expected="a YAML list, e.g. [ECU] or [\"030617\"]", example="[ECU, IND]")


TEXT_EXAMPLES = {"dataset": "baci-shrimp-2018", "importer": "USA", "product": "030617",
                 "application": "nafta", "flow": "trade", "variable": "eu_enlargement", "change": "new_pairs"}
NAME_EXAMPLES = {"reference": "USA", "imbalance": "additive"}


def text(key: str) -> Any:
    """Check a single code or name (a string, or an integer as YAML may read a code)."""
    def check(v: Any) -> str | int:
        if isinstance(v, bool) or not isinstance(v, str | int):
            raise tp_error(f"{FIELD} must be a single code or name; got {v!r}.", expected="a string",
                           example=TEXT_EXAMPLES.get(key, "USA"))
        return v
    return PlainValidator(check)


def name(key: str) -> Any:
    """Check a parameter given by name (reference country, imbalance treatment, ...)."""
    def check(v: Any) -> str:
        if not isinstance(v, str):
            raise tp_error(f"{FIELD} must be a name; got {v!r}.", expected="a string",
                           example=NAME_EXAMPLES.get(key, "book"))
        return v
    return PlainValidator(check)


def _year(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise tp_error(f"{FIELD} must be a year (integer); got {v!r}.", expected="an integer year", example="2017")
    return v


def one_rate(model: str) -> Any:
    """``policy.base_tariff`` as one rate (GSIM, enforcement)."""
    def check(v: Any) -> float:
        if isinstance(v, dict):
            raise tp_error(f"{FIELD} must be one rate for model {model!r}; got {v!r}.", expected="a decimal rate",
                           example="0.05")
        return number(v)
    return PlainValidator(check)


Number = Annotated[float, PlainValidator(number)]
Codes = Annotated[list[str], PlainValidator(codes)]
Year = Annotated[int, PlainValidator(_year)]


class Section(BaseModel):
    """A mapping with a closed set of keys; ``null`` reads as an empty mapping."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _mapping(cls, v: Any) -> Any:
        if v is None:
            return {}
        if not isinstance(v, dict):
            raise tp_error(f"Section {FIELD!r} must be a mapping.", expected="key: value pairs",
                           example=f"{FIELD}: {{...}}")
        return v


def _draws(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 1_000_000:
        raise tp_error(f"{FIELD} must be an integer 0..1,000,000; got {v!r}.", expected="0 <= draws <= 1000000",
                       example="1000")
    return v


def _bands(v: Any) -> dict[str, list[float]]:
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise tp_error(f"{FIELD} must map parameter names to [low, central, high].", expected="{name: [lo, c, hi]}",
                       example="{import_demand_elasticity: [0.6, 1.2, 2.4]}")
    out = {}
    for b, xs in v.items():
        if not isinstance(xs, list):
            raise tp_error(f"{FIELD}.{b} must be a list [low, central, high].", expected="[low, central, high]",
                           example="[0.6, 1.2, 2.4]", sub=f".{b}")
        out[str(b)] = [number(x, sub=f".{b}") for x in xs]
    return out


class UncertaintySpec(Section):
    """Elasticity bands ``{name: [low, central, high]}`` and the number of Monte Carlo draws."""

    bands: Annotated[dict[str, list[float]], PlainValidator(_bands)] = Field(default_factory=dict)
    draws: Annotated[int, PlainValidator(_draws)] = 0


def no_uncertainty(model: str) -> Any:
    """Refuse (never ignore) the ``uncertainty`` key of a model that takes none."""
    def check(v: Any) -> None:
        if v is not None:
            raise tp_error(f"Model {model!r} takes no uncertainty section; elasticity bands and Monte Carlo "
                           "are for the PE models (smart, gsim, enforcement). For GE bands over gravity "
                           "coefficients use tradepolicy.economics.montecarlo.monte_carlo_ge.",
                           expected="no uncertainty key for ge / ge_ppml", example="model: smart")
    return PlainValidator(check)


def _scenario_name(v: Any) -> str:
    s = str(v)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", s):
        raise tp_error(f"Scenario name {s!r} must be lower-case letters, digits and dashes.", expected="[a-z0-9-]",
                       example="shrimp-preference-smart")
    return s


def _seed(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise tp_error(f"seed must be a non-negative integer; got {v!r}.", expected="an integer >= 0",
                       example="20180706")
    return v


def _opt_text(v: Any) -> str:
    return str(v or "")


def _citations(v: Any) -> tuple[str, ...]:
    return tuple(str(c) for c in (v or []))


def section() -> Any:
    """Declare a section field: absent or ``null`` validates as ``{}`` (so its required keys are named)."""
    return Field(default_factory=dict, validate_default=True)


class SpecBase(BaseModel):
    """The keys every scenario file has; a model's subclass fixes ``model`` and its sections."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    SIGN_CONVENTION: ClassVar[str] = ""

    name: Annotated[str, PlainValidator(_scenario_name)]
    title: Annotated[str, PlainValidator(_opt_text)] = ""
    description: Annotated[str, PlainValidator(_opt_text)] = ""
    model: str
    data: Section
    policy: Section = section()
    parameters: Section = section()
    uncertainty: UncertaintySpec | None = None
    seed: Annotated[int, PlainValidator(_seed)]
    notes: Annotated[str, PlainValidator(_opt_text)] = ""
    citations: Annotated[tuple[str, ...], PlainValidator(_citations)] = ()

    @model_validator(mode="after")
    def _bands_match_parameters(self) -> SpecBase:
        """Bands name this model's parameters, each given as one value, centred on the run's value."""
        if self.uncertainty is None:
            return self
        params = self.parameters.model_dump(exclude_unset=True)
        allowed = list(type(self.parameters).model_fields)
        for b, v in self.uncertainty.bands.items():
            where = f"uncertainty.bands.{b}"
            if isinstance(params.get(b), dict):
                raise tp_error(f"A band on {b!r} needs a single value of it, not one by product.",
                               expected=f"parameters.{b}: a number", example="1.2", sub=where)
            if b not in allowed:
                raise tp_error(f"Unknown key {b!r} in uncertainty.bands. Allowed keys: {', '.join(allowed)}.",
                               expected=" | ".join(allowed), example=allowed[0], sub=where)
            central = params.get(b)
            if isinstance(central, float) and len(v) == 3 and v[1] != central:
                raise tp_error(f"The central value of {where} ({v[1]:g}) differs from parameters.{b} ({central}); "
                               "the bands are around the run's value.", expected=f"[low, {central:g}, high]",
                               example=f"[{central / 2:g}, {central:g}, {central * 2:g}]", sub=where)
        return self


def section_keys(cls: type[BaseModel]) -> dict[str, bool]:
    """Return the allowed keys of a section, True marking a required one."""
    return {k: f.is_required() for k, f in cls.model_fields.items()}


def spec_sections(spec: type[BaseModel]) -> dict[str, dict[str, bool]]:
    """Return the allowed keys of each section (data, policy, parameters) of a scenario spec."""
    return {name: section_keys(spec.model_fields[name].annotation)  # type: ignore[arg-type]
            for name in ("data", "policy", "parameters")}
