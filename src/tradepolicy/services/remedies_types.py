"""Typed results of the trade-remedy services (frozen dataclasses with slots).

``services.remedies`` returns these, never a bare ``dict[str, Any]``. A run's ``results``
and ``parameters`` stay JSON objects: they are the stored, append-only payload of the run
(what the engine computed and the law values with their citations), read back as stored.
``to_dict()`` gives the JSON shape the CLI (``--json``), the API and the page twins have
always shown (same keys, same order).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from tradepolicy.services.typed import DictMixin


class CitedValue(TypedDict):
    """A law value a calculation used: its rule id, value, unit, citation and flag."""

    rule_id: str
    value: Any
    unit: str | None
    citation: str
    confirmed: bool


@dataclass(frozen=True, slots=True)
class RemediesRun:
    """A remedies calculation: stored (with an id) or computed without storing (``id`` None).

    ``results`` is the engine's JSON payload and ``parameters`` the law values with their
    citations (``thresholds``), the segment, dates and input file names, as stored.
    """

    id: int | None
    kind: str
    results: dict[str, Any]
    parameters: dict[str, Any]
    created_at: str | None = None
    created_by: str | None = None
    inputs: dict[str, str] | None = None
    law_version: str | None = None
    code_version: str | None = None
    parent_id: int | None = None
    proceedings: list[str] | None = None

    @property
    def stored(self) -> bool:
        """True for a stored run (it has an id)."""
        return self.id is not None

    def to_dict(self) -> dict[str, Any]:
        """Return the run's JSON: the stored run's full record, or the four keys of an unstored one."""
        if self.id is None:
            return {"id": None, "kind": self.kind, "results": self.results, "parameters": self.parameters}
        return {"id": self.id, "kind": self.kind, "created_at": self.created_at, "created_by": self.created_by,
                "inputs": self.inputs, "parameters": self.parameters, "law_version": self.law_version,
                "code_version": self.code_version, "results": self.results, "parent_id": self.parent_id,
                "proceedings": list(self.proceedings or [])}


@dataclass(frozen=True, slots=True)
class RunSummary(DictMixin):
    """A stored remedies run in a list: its headline rate, not its full results."""

    id: int
    kind: str
    created_at: str
    created_by: str
    parent_id: int | None
    segment: str | None
    method: str | None
    rate: Any  # a decimal rate, or "inf"/None as stored
    above_de_minimis: bool | None
    law_version: str
    proceedings: list[str]


@dataclass(frozen=True, slots=True)
class ResultChange(DictMixin):
    """A top-level result that differs between a run and its re-run."""

    key: str
    parent: Any
    rerun: Any


@dataclass(frozen=True, slots=True)
class ThresholdChange(DictMixin):
    """A law value that differs between a run and its re-run."""

    name: str
    parent: Any
    rerun: Any


@dataclass(frozen=True, slots=True)
class RerunComparison(DictMixin):
    """What changed between a re-run and the run it re-ran."""

    parent_id: int
    same_results: bool
    changed: list[ResultChange]
    thresholds: list[ThresholdChange]
    law_versions: list[str | None]


@dataclass(frozen=True, slots=True)
class RunAttachmentView(DictMixin):
    """A run attached to an AD/CVD proceeding."""

    id: int
    run_id: int
    proceeding_id: str
    attached_by: str


@dataclass(frozen=True, slots=True)
class ShrimpOrder(DictMixin):
    """A frozen warmwater shrimp AD order with its dates and status."""

    case: str
    country: str
    iso3: str
    product: str
    order_date: Any
    continued_date: Any
    fed_reg: Any
    fr_pub_date: Any
    itip_withdrawn: Any
    revoked: Any
    status: str
    revocation_citation: str | None


@dataclass(frozen=True, slots=True)
class ShrimpCoverageRow(DictMixin):
    """One order's country: its 2018 US shrimp imports and shares."""

    case: str
    country: str
    status: str
    in_force_2018: bool
    imports_scope_kusd: float
    share_scope: float
    imports_all_shrimp_kusd: float
    share_all_shrimp: float


@dataclass(frozen=True, slots=True)
class ShrimpCoverage(DictMixin):
    """Share of 2018 US shrimp imports under each frozen warmwater shrimp AD order."""

    year: int
    importer: str
    unit: str
    scope_hs6: list[str]
    scope_citation: str
    scope_confirmed: bool
    total_scope_kusd: float
    total_all_shrimp_kusd: float
    orders: list[ShrimpCoverageRow]
    covered_share_scope: float
    covered_share_all_shrimp: float
    source: str


@dataclass(frozen=True, slots=True)
class Negligibility(DictMixin):
    """Negligibility of subject countries in 2018 US shrimp imports, with the thresholds cited."""

    total_imports: float
    countries: list[dict[str, Any]]  # the engine's rows (country, share, developing, tests)
    case: str
    thresholds: dict[str, CitedValue]
    unit: str
    year: int
