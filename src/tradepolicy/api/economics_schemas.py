"""Response models of the economics, gravity/GE and guide API routes, and their 4xx errors.

Each route declares ``response_model=`` (an envelope below) and ``responses=`` (its 4xx
answers, all in the one error shape ``{"ok": false, "error": {...}, "status": N}``), so the
OpenAPI document is the contract. Envelopes name the fields clients rely on and allow the
rest (``extra="allow"``): the JSON the services return passes through unchanged.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from tradepolicy.api.schemas import (  # the one error shape (one OpenAPI component)
    ErrorOut,
)

_TEXT = {400: "Bad input (field, expected, example)", 401: "Not signed in", 403: "Forbidden",
         404: "Not found", 413: "Request body too large", 422: "Invalid request", 503: "Dataset missing"}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Return ``responses=`` for the given codes plus 422, all in the one error shape."""
    return {c: {"model": ErrorOut, "description": _TEXT.get(c, "Error")} for c in sorted({*codes, 422})}


class Record(BaseModel):
    """A row or record: the declared fields, and any others the service adds."""

    model_config = ConfigDict(extra="allow")


class Ok(Record):
    """Every success envelope carries ``ok: true``."""

    ok: Literal[True] = True


# ---------------------------------------------------------------- scenarios and screening
class ExamplesOut(Ok):
    """The example scenarios (name, title, model, file)."""

    count: int
    examples: list[Record]


class ScenarioRunOut(Ok):
    """A scenario run: ``id`` (None when not stored), the results' fields and the manifest."""

    id: int | None
    model: str
    rows: list[Record]
    manifest: dict[str, Any]


class RunsOut(Ok):
    """Stored scenario runs, newest first."""

    count: int
    runs: list[Record]


class RunDetailOut(Ok):
    """One stored run: its results' fields and manifest."""

    id: int
    created_at: Any
    parent_id: int | None
    manifest: dict[str, Any]


class CompareOut(Ok):
    """Two stored runs side by side (B minus A)."""


class ScreeningOut(Ok):
    """Candidate partners ranked by the GE welfare gain, with the model, data and band stated."""


# ---------------------------------------------------------------- gravity and GE
class PresetsOut(Ok):
    """The PPML presets with their published figures."""

    count: int
    presets: list[Record]


class EstimateOut(Ok):
    """A preset's estimate: coefficients beside the published ones, N, dropped rows, manifest."""

    coefficients: list[Record]
    n_obs: int
    manifest: dict[str, Any]


class GESolveOut(Ok):
    """A GE counterfactual: rows by ISO3 (percent changes), the model, data and parameters stated."""


class GEMonteCarloOut(Ok):
    """Monte Carlo GE bands: rows by measure and ISO3, the central solve and diagnostics."""

    rows: list[Record]
    columns: list[str]


# ---------------------------------------------------------------- guide
class GuideAnswerOut(Ok):
    """The best-matching guide entries, or a 'not covered' note."""

    q: str
    covered: bool
    count: int
    results: list[Record]
    not_covered: Any = None


class GuideEntryOut(Ok):
    """One guide entry."""

    entry: Record
