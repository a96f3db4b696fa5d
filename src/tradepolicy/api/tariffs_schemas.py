"""Response models of the /api/tariffs and /api/remedies routes, and their 4xx errors.

Each route declares ``response_model=`` (an envelope below) and ``responses=`` (its 4xx
answers, all in the one error shape ``{"ok": false, "error": {...}, "status": N}``), so the
OpenAPI document is the contract (``tests/hardening/test_contract.py``). Envelopes name the
fields clients rely on and allow the rest (``extra="allow"``): the JSON the services return
passes through unchanged. Nested rows are typed only at the top level (``Record``), so the
duty stack's response costs one shallow validation, not one per layer.
"""

from __future__ import annotations

from typing import Any

from tradepolicy.api.economics_schemas import Ok, Record, errors

__all__ = ["errors"]


# ---------------------------------------------------------------- tariffs
class HtsLineOut(Record):
    """One HTS code: path, units, rates (printed and parsed), children, citation."""

    hts: str
    edition: int
    level: str
    description: str


class HtsLineEnvelope(Ok):
    """``GET /api/tariffs/hts/{hts}``."""

    line: HtsLineOut


class HtsSearchOut(Ok):
    """``GET /api/tariffs/search``: lines matching a code prefix or words."""

    count: int
    lines: list[Record]


class StackOut(Record):
    """A duty stack: layers (authority, rate, AVE, citation), the total AVE and notes."""

    hts: str
    origin: str
    date: str
    source: str
    layers: list[Any]
    total_ave: float | None
    notes: list[str]


class StackEnvelope(Ok):
    """``GET /api/tariffs/stack``."""

    stack: StackOut


class HistoryOut(Ok):
    """``GET /api/tariffs/history``: total AVE points (date, total_ave, source)."""

    hts: str
    origin: str
    points: list[Record]


class IndicatorsOut(Ok):
    """``GET /api/tariffs/indicators``: one row per HS section or chapter."""

    by: str
    rows: list[Record]


class OfferResultOut(Record):
    """An offer applied to the MFN schedule: groups, staging paths, checks, partners."""


class OfferOut(Ok):
    """``POST /api/tariffs/offer``."""

    offer: OfferResultOut


class KorusCheckOut(Ok):
    """``GET /api/tariffs/korus-check``: a staging path vs the 2017 KORUS rates."""

    check: Record
    inferred_staging: Record


class ParseReportOut(Ok):
    """``GET /api/tariffs/parse-report``: share of rate texts parsed and forms not parsed."""

    report: Record


class ProgramsOut(Ok):
    """``GET /api/tariffs/programs``: preference programmes of the 2017 database."""

    count: int
    programs: list[Record]


# ---------------------------------------------------------------- remedies
class RemediesRunOut(Record):
    """A remedies run: kind, law date, inputs' sha256, parameters with citations, results."""


class RemediesRunEnvelope(Ok):
    """A computed, stored or re-run remedies run."""

    run: RemediesRunOut


class RemediesRunsOut(Ok):
    """``GET /api/remedies/runs``: stored runs, newest first."""

    count: int
    runs: list[Record]


class AttachmentOut(Ok):
    """``POST /api/remedies/runs/{id}/attach``."""

    attachment: Record


class CaseRunsOut(Ok):
    """``GET /api/remedies/cases/{case_id}/runs``."""

    case_id: str
    count: int
    runs: list[Record]


class ShrimpCoverageOut(Ok):
    """``GET /api/remedies/shrimp-coverage``: share of 2018 shrimp imports per AD order."""

    year: int
    importer: str
    orders: list[Record]


class NegligibilityOut(Ok):
    """``GET /api/remedies/negligibility``: subject countries' shares and the thresholds."""

    case: str
    year: int
    thresholds: dict[str, Any]
