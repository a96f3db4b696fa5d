"""Typed results of the gravity and GE services (frozen dataclasses with slots).

``services.gravity`` returns these, never a bare ``dict[str, Any]``. The top-level fields
are typed; nested sections whose keys depend on the model or the solver (``shock``,
``elasticities``, ``parameters``, ``diagnostics``, per-country ``rows`` whose columns are
listed in ``columns``) stay JSON objects. ``to_dict()`` gives the JSON the CLI (``--json``)
and the API have always shown (same keys, same order).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from tradepolicy.services.typed import DictMixin


@dataclass(frozen=True, slots=True)
class PresetInfo(DictMixin):
    """A PPML preset: its dataset, formula, clustering, sample and published figures."""

    name: str
    dataset: str
    title: str
    formula: str
    cluster: str | None
    sample: str
    source: str
    published: dict[str, float]
    published_se: dict[str, float]
    published_n: int | None


@dataclass(frozen=True, slots=True)
class CoefficientRow(DictMixin):
    """An estimated coefficient beside the published one."""

    variable: str
    estimate: float | None
    std_error: float | None
    published: float | None
    published_se: float | None
    difference: float | None


@dataclass(frozen=True, slots=True)
class DroppedRows(DictMixin):
    """Rows the estimator dropped, by reason."""

    reason: str
    count: int
    detail: str


@dataclass(frozen=True, slots=True)
class EstimateManifest(DictMixin):
    """The provenance of an estimate: dataset file hashes, parameters, code version."""

    inputs: dict[str, str]
    parameters: dict[str, Any]
    code_version: str


@dataclass(frozen=True, slots=True)
class PresetEstimate:
    """A preset's PPML estimate: coefficients beside the published ones, N, dropped rows."""

    preset: str
    formula: str
    coefficients: list[CoefficientRow]
    n_obs: int
    n_input: int
    published_n: int | None
    dropped: list[DroppedRows]
    vcov: str
    ssc: Any  # the small-sample correction as the estimator states it
    deviance: float | None
    source: str
    sample: str
    manifest: EstimateManifest
    run_id: int | None = None

    def results(self) -> dict[str, Any]:
        """Return the stored payload of the run (everything but the manifest and run id)."""
        out = self.to_dict()
        out.pop("manifest")
        out.pop("run_id", None)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return the estimate's JSON (``run_id`` only when it was stored)."""
        out = dataclasses.asdict(self)
        if self.run_id is None:
            out.pop("run_id")
        return out


@dataclass(frozen=True, slots=True)
class PairChange(DictMixin):
    """Trade between the two partners of a new agreement: percent changes and baselines."""

    pair: str
    exports_a_to_b: float | None
    exports_b_to_a: float | None
    total: float | None
    baseline_a_to_b: float | None
    baseline_b_to_a: float | None


@dataclass(frozen=True, slots=True)
class MemberChange(DictMixin):
    """A member's trade with the rest of the world and with its partners: percent changes."""

    iso3: str
    partners: list[str]
    exports_to_rest_of_world: float | None
    imports_from_rest_of_world: float | None
    exports_to_partners: float | None


@dataclass(frozen=True, slots=True)
class BilateralChanges(DictMixin):
    """Bilateral changes of the solved flows: by pair and by member."""

    pairs: list[PairChange]
    members: list[MemberChange]
    definition: str


@dataclass(frozen=True, slots=True)
class GESolution:
    """A GE counterfactual: rows by ISO3 (percent changes), the model, data and parameters stated.

    ``extra`` holds the sections only some models give (the GE-PPML procedure's stopping
    rule and iterations), written before the manifest as they always were.
    """

    model: str
    model_id: str
    data: str
    countries: int
    baseline: str
    shock: dict[str, Any]
    elasticities: dict[str, Any]
    parameters: dict[str, Any]
    numeraire: str
    imbalance: str
    sign_convention: str
    unit: str
    columns: list[str]
    rows: list[dict[str, Any]]
    bilateral: BilateralChanges
    published: list[dict[str, Any]]
    diagnostics: dict[str, Any]
    manifest: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the solution's JSON."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
               if f.name not in ("extra", "manifest", "bilateral")}
        out["bilateral"] = self.bilateral.to_dict()
        ordered = {k: out[k] for k in ("model", "model_id", "data", "countries", "baseline", "shock",
                                        "elasticities", "parameters", "numeraire", "imbalance",
                                        "sign_convention", "unit", "columns", "rows", "bilateral",
                                        "published", "diagnostics")}
        return {**ordered, **self.extra, "manifest": self.manifest}


@dataclass(frozen=True, slots=True)
class GEMonteCarlo:
    """Monte Carlo GE bands (mean, sd, quantiles) per measure and ISO3, the model and draws stated.

    ``central`` (the central solve's rows, columns and bilateral changes) is given by the
    exact-hat method, not by the estimated-costs one.
    """

    model: str
    method: str
    data: str
    countries: int
    shock: dict[str, Any]
    coefficients: dict[str, float]
    coefficient_source: str
    elasticities: dict[str, Any]
    parameters: dict[str, Any]
    numeraire: str
    imbalance: str
    published: list[dict[str, Any]]
    sign_convention: str
    unit: str
    columns: list[str]
    rows: list[dict[str, Any]]
    diagnostics: dict[str, Any]
    manifest: dict[str, Any]
    central: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the bands' JSON (``central`` only when the method gives it)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name == "central":
                continue
            out[f.name] = getattr(self, f.name)
            if f.name == "shock" and self.central is not None:
                out["central"] = self.central
        return out
