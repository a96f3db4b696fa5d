"""The scenario models, one module each: sections, sign convention, uncertainty, runner.

A new model is one new module here plus its line in ``MODELS``; ``schema.py`` (the
allowed keys and sign conventions) and ``evaluate.py`` (the dispatch) read this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tradepolicy.economics.scenarios.models import enforcement, ge, ge_ppml, gsim, smart

__all__ = ["MODELS", "ModelSpec"]


@dataclass(frozen=True)
class ModelSpec:
    """One scenario model: its name, allowed section keys, sign convention and runner."""

    name: str
    sections: dict[str, dict[str, bool]]
    sign_convention: str
    takes_uncertainty: bool
    run: Callable[[Any, Mapping[str, Any]], Any]


MODELS: dict[str, ModelSpec] = {
    m.NAME: ModelSpec(m.NAME, m.SECTIONS, m.SIGN_CONVENTION, m.TAKES_UNCERTAINTY, m.run)
    for m in (smart, gsim, enforcement, ge, ge_ppml)
}
