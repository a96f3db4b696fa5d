"""Typed results of the scenario services (frozen dataclasses with slots).

``services.scenarios`` returns these, never a bare ``dict[str, Any]``. A run's ``results``
stays a JSON object: it is the engine's result as stored in the append-only ``runs`` table
(its keys depend on the model: rows by ISO3, chart, tables, summary). ``to_dict()`` gives
the JSON shape the CLI (``--json``), the API and the page twins have always shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tradepolicy.services.typed import DictMixin


@dataclass(frozen=True, slots=True)
class ExampleInfo(DictMixin):
    """An example scenario: name, title, model, dataset, description and file name."""

    name: str
    title: str
    model: str
    dataset: str | None
    description: str
    file: str


@dataclass(frozen=True, slots=True)
class DatasetFile(DictMixin):
    """A registered file a scenario read: dataset id, file, sha256 and citation."""

    dataset: str
    file: str
    sha256: str
    citation: str


@dataclass(frozen=True, slots=True)
class RunManifest(DictMixin):
    """The provenance of a scenario run: data hashes, law and code versions, parameters, seed."""

    scenario: str
    source_file: str
    model: str
    datasets: list[DatasetFile]
    law_version: str
    code_version: str
    parameters: dict[str, Any]  # the scenario as parsed (its YAML document, JSON-clean)
    seed: int | None
    as_of: str
    python: str
    numpy: str


@dataclass(frozen=True, slots=True)
class ScenarioRun:
    """A scenario just run: its id (None when not stored), results payload and manifest."""

    id: int | None
    results: dict[str, Any]
    manifest: RunManifest

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"id", "results", "manifest"}``."""
        return {"id": self.id, "results": self.results, "manifest": self.manifest.to_dict()}

    def body(self) -> dict[str, Any]:
        """Return the flat JSON of the API and ``--json``: id, the results' fields, manifest."""
        return {"id": self.id, **self.results, "manifest": self.manifest.to_dict()}


@dataclass(frozen=True, slots=True)
class StoredScenarioRun:
    """A stored scenario run as read back (``results`` holds its ``manifest`` too)."""

    id: int
    kind: str
    created_at: str | None
    created_by: str
    inputs: dict[str, Any]
    parameters: dict[str, Any]
    law_version: str
    code_version: str
    results: dict[str, Any]
    parent_id: int | None
    name: str | None
    title: str | None
    model: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return the run's JSON (the one form of ``services.runs``, plus name, title, model)."""
        return {"id": self.id, "kind": self.kind, "created_at": self.created_at, "created_by": self.created_by,
                "inputs": self.inputs, "parameters": self.parameters, "law_version": self.law_version,
                "code_version": self.code_version, "results": self.results, "parent_id": self.parent_id,
                "name": self.name, "title": self.title, "model": self.model}

    def split(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Return (the results without the manifest, the manifest)."""
        res = dict(self.results)
        man = res.pop("manifest", {})
        return res, man

    def body(self) -> dict[str, Any]:
        """Return the flat JSON of the API and ``--json``: id, created_at, parent_id, results, manifest."""
        res, man = self.split()
        return {"id": self.id, "created_at": self.created_at, "parent_id": self.parent_id, **res,
                "manifest": man}


@dataclass(frozen=True, slots=True)
class ScenarioRunSummary(DictMixin):
    """A stored scenario run in a list (without its results)."""

    id: int
    kind: str
    created_at: str | None
    created_by: str
    inputs: dict[str, Any]
    parameters: dict[str, Any]
    law_version: str
    code_version: str
    parent_id: int | None
    name: str | None
    title: str | None
    model: str | None


@dataclass(frozen=True, slots=True)
class RunRef(DictMixin):
    """One side of a comparison: the run, its model, headline metric, unit and sign convention."""

    id: int
    name: str | None
    model: str | None
    metric: str | None
    unit: str | None
    sign_convention: str | None


@dataclass(frozen=True, slots=True)
class StatisticDiff(DictMixin):
    """A summary statistic of A and B, and B minus A when comparable."""

    statistic: str
    a: Any
    b: Any
    b_minus_a: float | None


@dataclass(frozen=True, slots=True)
class ParameterDiff(DictMixin):
    """A scenario parameter (dotted path) that differs between A and B."""

    parameter: str
    a: Any
    b: Any


@dataclass(frozen=True, slots=True)
class CountryDiff(DictMixin):
    """The headline metric of one country in A and B, and B minus A when comparable."""

    iso3: str | None
    a: Any
    b: Any
    b_minus_a: float | None


@dataclass(frozen=True, slots=True)
class ScenarioComparison(DictMixin):
    """Two runs side by side: summaries, parameter differences and rows by ISO3 (B minus A)."""

    comparable: bool
    note: str | None
    a: RunRef
    b: RunRef
    summary: list[StatisticDiff]
    parameter_diff: list[ParameterDiff]
    rows: list[CountryDiff]
