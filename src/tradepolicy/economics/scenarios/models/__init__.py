"""The scenario models, one module each: sections, sign convention, uncertainty, runner.

A new model is one new module here (its pydantic sections and ``Spec``, sign convention and
runner) plus its line in ``MODELS`` and its member of the ``model`` union in ``schema.py``;
``evaluate.py`` (the dispatch) reads this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tradepolicy.economics.scenarios.models import enforcement, ge, ge_ppml, gsim, smart
from tradepolicy.economics.scenarios.models._spec import SpecBase

__all__ = ["MODELS", "ModelSpec"]


@dataclass(frozen=True)
class ModelSpec:
    """One scenario model: its name, allowed section keys, sign convention, runner and pydantic schema."""

    name: str
    sections: dict[str, dict[str, bool]]
    sign_convention: str
    takes_uncertainty: bool
    run: Callable[[Any, Mapping[str, Any]], Any]
    schema: type[SpecBase] | None = None


MODELS: dict[str, ModelSpec] = {
    m.NAME: ModelSpec(m.NAME, m.SECTIONS, m.SIGN_CONVENTION, m.TAKES_UNCERTAINTY, m.run, m.SPEC)
    for m in (smart, gsim, enforcement, ge, ge_ppml)
}
