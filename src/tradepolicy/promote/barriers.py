"""Pure rules of the barrier registry: taxonomy, lifecycle, partners, similarity, coverage, value.

Nothing here reads storage or files a user names; ``services/barriers.py`` joins these rules to
records and datasets.

Lifecycle (modelled on the workflow of the UK Digital Market Access Service, re-designed here):
``open`` (with a "waiting on" sub-status), ``resolved_in_part``, ``resolved``, ``dormant``,
``archived``. :data:`TRANSITIONS` lists every allowed move; anything else is refused::

    >>> check_transition("open", "resolved", reason="Decree repealed")
    >>> check_transition("dormant", "resolved", reason="x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tradepolicy.errors.InputError: A barrier cannot go from 'dormant' to 'resolved'. ...
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

from tradepolicy.errors import InputError

Status = Literal["open", "resolved_in_part", "resolved", "dormant", "archived"]
STATUSES: tuple[str, ...] = ("open", "resolved_in_part", "resolved", "dormant", "archived")
WAITING_ON: tuple[str, ...] = ("none", "partner_government", "us_government", "business", "other")

TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"resolved_in_part", "resolved", "dormant", "archived"}),
    "resolved_in_part": frozenset({"open", "resolved", "dormant", "archived"}),
    "resolved": frozenset({"open", "archived"}),
    "dormant": frozenset({"open", "archived"}),
    "archived": frozenset({"open"}),
}
# Statuses that need a reason (the archive and dormancy decisions are explained, as in DMAS).
NEEDS_REASON = frozenset({"dormant", "archived", "resolved", "resolved_in_part"})
# An open barrier with no update for this many days is shown as a dormancy candidate (an office
# setting for the registry's housekeeping, not a rule of law).
DORMANCY_AFTER_DAYS = 365

PublicState = Literal["none", "draft", "approved", "published"]

# EU27 since 2020-02-01 (the United Kingdom left on 2020-01-31; Treaty on European Union Art. 50
# withdrawal agreement). The NTE files the EU as one chapter; its US trade is the sum over these.
EU27: tuple[str, ...] = ("AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU",
                         "GRC", "HUN", "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT",
                         "ROU", "SVK", "SVN", "ESP", "SWE")
# Partners that are no ISO 3166-1 country but have an NTE chapter or a Special 301 entry.
EXTRA_PARTNERS: dict[str, str] = {"EUN": "European Union", "XKX": "Kosovo"}


@dataclass(frozen=True, slots=True)
class Category:
    """One NTE heading with its MAST chapter and GTA intervention type (defaults)."""

    id: str
    title: str
    mast: str | None
    gta: str | None


@cache
def categories() -> dict[str, Category]:
    """Return the NTE categories (``promote/data/nte_categories.yaml``) by id."""
    raw = yaml.safe_load(resources.files("tradepolicy.promote").joinpath("data/nte_categories.yaml").read_text())
    return {c["id"]: Category(c["id"], c["title"], c.get("mast"), c.get("gta")) for c in raw["categories"]}


def check_category(value: str) -> Category:
    """Return the category ``value`` (id or title, any case) or raise naming the allowed ids."""
    v = str(value).strip().lower()
    for c in categories().values():
        if v in (c.id, c.title.lower()):
            return c
    raise InputError(f"Unknown NTE category {value!r}.", field="nte_category",
                     expected=" | ".join(categories()), example="sps")


def check_status(value: str, *, field: str = "status") -> str:
    """Return ``value`` if it is a lifecycle status, else raise naming them."""
    v = str(value).strip().lower()
    if v not in STATUSES:
        raise InputError(f"Unknown barrier status {value!r}.", field=field,
                         expected=" | ".join(STATUSES), example="resolved")
    return v


def check_waiting_on(value: str | None, status: str) -> str:
    """Return the "waiting on" sub-status; only an open barrier waits on someone."""
    v = (value or "none").strip().lower()
    if v not in WAITING_ON:
        raise InputError(f"Unknown 'waiting on' value {value!r}.", field="waiting_on",
                         expected=" | ".join(WAITING_ON), example="partner_government")
    if v != "none" and status != "open":
        raise InputError(f"Only an open barrier waits on someone (status is {status!r}).", field="waiting_on",
                         expected="none unless status is open", example="none")
    return v


def check_transition(old: str, new: str, *, reason: str | None = None) -> None:
    """Raise unless the lifecycle allows ``old -> new`` (and a reason is given where needed)."""
    old, new = check_status(old, field="from"), check_status(new)
    if new not in TRANSITIONS[old]:
        allowed = sorted(TRANSITIONS[old])
        raise InputError(f"A barrier cannot go from {old!r} to {new!r}. Allowed from {old!r}: {', '.join(allowed)}.",
                         field="status", expected=" | ".join(allowed), example=allowed[0])
    if new in NEEDS_REASON and not (reason and reason.strip()):
        raise InputError(f"Moving a barrier to {new!r} needs a reason.", field="reason",
                         expected="a short explanation", example="Measure withdrawn by decree of 2025-06-01")


def check_partner(value: str, known: Iterable[str]) -> str:
    """Return the ISO3 ``value`` upper-cased if it is in ``known`` (ISO 3166-1 + extras), else raise."""
    v = str(value).strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", v) or v not in set(known):
        raise InputError(f"Unknown partner {value!r}: not an ISO 3166-1 alpha-3 code (or EUN for the EU).",
                         field="partner", expected="an ISO3 code such as CHN, IND, JPN, MEX or EUN", example="CHN")
    return v


_HS = re.compile(r"\d{2}|\d{4}|\d{6}")


def normalise_hs(codes: Iterable[str]) -> list[str]:
    """Return HS codes stripped of dots and spaces, checked for 2, 4 or 6 digits (order kept, unique)."""
    out: list[str] = []
    for raw in codes:
        c = re.sub(r"[.\s]", "", str(raw))
        if not c:
            continue
        if not _HS.fullmatch(c):
            raise InputError(f"HS code {raw!r} is not 2, 4 or 6 digits.", field="hs_codes",
                             expected="HS chapter, heading or subheading digits", example="030617")
        if c not in out:
            out.append(c)
    return out


def check_hs_known(codes: Sequence[str], known: set[str] | frozenset[str]) -> None:
    """Raise for the first code not in the HS nomenclature ``known``."""
    for c in codes:
        if c not in known:
            raise InputError(f"Unknown HS code {c!r}: not in the HS nomenclature (hs-nomenclature dataset).",
                             field="hs_codes", expected="a code of the Harmonized System", example="030617")


# ---------------------------------------------------------------------------------------------
# Duplicate detection
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(["a", "an", "and", "the", "of", "to", "in", "on", "for", "by", "with", "from", "or", "at", "as", "is", "are", "be", "its", "their", "this", "that", "which", "into", "than", "under", "over"])


def _tokens(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1}


def similarity(a: str, b: str) -> float:
    """Return the Jaccard similarity of the content words of two texts (0..1).

    >>> round(similarity("Ban on GM corn imports", "Import ban on genetically modified corn"), 2)
    0.29
    >>> similarity("rice import system", "rice import system")
    1.0
    """
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


DUPLICATE_THRESHOLD = 0.6


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored barrier that looks like the one being entered."""

    barrier_id: str
    title: str
    score: float


def duplicates(title: str, description: str, existing: Iterable[tuple[str, str, str]], *,
               threshold: float = DUPLICATE_THRESHOLD) -> list[Candidate]:
    """Return stored barriers ``(id, title, description)`` at least ``threshold`` similar, best first.

    The score is the larger of the title-to-title similarity and the full-text similarity.
    """
    text = f"{title} {description}"
    out = []
    for bid, t, d in existing:
        score = max(similarity(title, t), similarity(text, f"{t} {d}"))
        if score >= threshold:
            out.append(Candidate(bid, t, round(score, 3)))
    return sorted(out, key=lambda c: -c.score)


# ---------------------------------------------------------------------------------------------
# Trade coverage and estimated value
CoverageStatus = Literal["measured", "partial", "partner_total", "unknown"]


@dataclass(frozen=True, slots=True)
class Coverage:
    """US exports of a barrier's products to its partner, measured from loaded data.

    ``status``: ``measured`` (every HS code covered by loaded HS6 flows), ``partial`` (a lower
    bound: some codes have no loaded flows), ``partner_total`` (no HS codes: the barrier is
    horizontal, coverage = all US goods exports to the partner), ``unknown`` (no data).
    """

    status: CoverageStatus
    value_usd: float | None
    year: int | None
    source: str
    covered_codes: tuple[str, ...] = ()
    uncovered_codes: tuple[str, ...] = ()
    partner_total_usd: float | None = None
    method: str = ""
    lines: tuple[tuple[str, float], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {"status": self.status, "value_usd": self.value_usd, "year": self.year, "source": self.source,
                "covered_codes": list(self.covered_codes), "uncovered_codes": list(self.uncovered_codes),
                "partner_total_usd": self.partner_total_usd, "method": self.method,
                "lines": [{"hs6": h, "value_usd": v} for h, v in self.lines],
                "label": coverage_label(self)}


def coverage_label(c: Coverage) -> str:
    """Return the one-line text a page shows for a coverage."""
    if c.status == "unknown" or c.value_usd is None:
        return "coverage unknown"
    prefix = {"measured": "", "partial": "at least ", "partner_total": "all goods: "}[c.status]
    return f"{prefix}US${c.value_usd:,.0f} ({c.year})"


def trade_coverage(partner_members: Sequence[str], hs_codes: Sequence[str], *,
                   hs6_flows: Mapping[tuple[str, str], float] | None, hs6_lines: set[str],
                   hs6_year: int | None, hs6_source: str,
                   hs_children: Mapping[str, Sequence[str]],
                   partner_totals: Mapping[str, float] | None, totals_year: int | None,
                   totals_source: str) -> Coverage:
    """Return the coverage of a barrier (pure: every table is given).

    Parameters
    ----------
    partner_members
        ISO3 codes whose flows make up the partner (one code; the EU27 for ``EUN``).
    hs_codes
        The barrier's HS codes (2, 4 or 6 digits); empty for a horizontal barrier.
    hs6_flows
        US exports by (importer ISO3, HS6) in US$, from the loaded HS6 data; None if none loaded.
    hs6_lines
        The HS6 lines those flows cover (a code is measured only if all its HS6 children are).
    hs_children
        HS6 children of each 2/4-digit code (from the nomenclature); a 6-digit code is its own.
    partner_totals
        US goods exports by partner ISO3 in US$ (DataWeb), None if not loaded.
    """
    total = None
    if partner_totals is not None:
        vals = [partner_totals[m] for m in partner_members if m in partner_totals]
        total = float(sum(vals)) if vals else None
    if not hs_codes:
        if total is None:
            return Coverage("unknown", None, None, totals_source + " (not loaded or no row for the partner)",
                            method="horizontal barrier: all US goods exports to the partner")
        return Coverage("partner_total", total, totals_year, totals_source, partner_total_usd=total,
                        method="horizontal barrier (no HS codes): all US goods exports to the partner, "
                               f"total exports FAS value {totals_year}")
    covered, uncovered, lines = [], [], []
    value = 0.0
    for code in hs_codes:
        kids = [code] if len(code) == 6 else list(hs_children.get(code, ()))
        if hs6_flows is None or not kids or any(k not in hs6_lines for k in kids):
            uncovered.append(code)
            continue
        covered.append(code)
        for k in kids:
            v = float(sum(hs6_flows.get((m, k), 0.0) for m in partner_members))
            lines.append((k, v))
            value += v
    method = ("sum of US exports to the partner over the HS6 lines of the barrier's codes "
              f"({hs6_source}, {hs6_year})")
    if not covered:
        return Coverage("unknown", None, None, hs6_source if hs6_flows is not None else "no HS6 export data loaded",
                        uncovered_codes=tuple(uncovered), partner_total_usd=total,
                        method="no loaded HS6 flows cover these codes; partner total shown for context only")
    status: CoverageStatus = "measured" if not uncovered else "partial"
    return Coverage(status, value, hs6_year, hs6_source, tuple(covered), tuple(uncovered), total,
                    method + ("" if status == "measured" else "; a lower bound: codes without loaded flows excluded"),
                    tuple(lines))


@dataclass(frozen=True, slots=True)
class EstimatedValue:
    """A barrier's estimated value from its tariff equivalent (AVE) and measured trade."""

    ave: float
    trade_usd: float
    tariff_equivalent_usd: float
    export_gain_usd: float
    elasticity: float
    method: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {k: getattr(self, k) for k in self.__slots__}


def estimated_value(ave: float, trade_usd: float, *, elasticity: float = 1.0) -> EstimatedValue:
    """Return AVE x trade and the export gain of removing the barrier (SMART trade creation).

    The tariff equivalent cost is ``ave * trade``. The export gain is the SMART trade-creation
    closed form (``economics.pe.smart``, Laird & Yeats 1986) for a cut of the ad valorem
    equivalent from ``ave`` to 0 with perfectly elastic export supply:
    ``M ε ave / (1 + ave)``.

    >>> v = estimated_value(0.25, 1_000_000, elasticity=1.2)
    >>> v.tariff_equivalent_usd, round(v.export_gain_usd, 2)
    (250000.0, 240000.0)
    """
    if not 0 <= ave <= 10:
        raise InputError(f"AVE {ave!r} is outside 0..10 (a decimal: 0.25 = 25%).", field="ave",
                         expected="a decimal between 0 and 10", example="0.25")
    if elasticity <= 0:
        raise InputError("The import demand elasticity is a positive magnitude.", field="elasticity",
                         expected="> 0", example="1.2")
    import numpy as np

    from tradepolicy.economics.pe.smart import smart

    r = smart(np.array([[trade_usd]]), np.array([[ave]]), np.array([[0.0]]),
              import_demand_elasticity=elasticity, products=("barrier",), partners=("USA",))
    gain = float(r.trade_creation.sum())
    method = (f"tariff equivalent = AVE {ave:.2%} x measured trade US${trade_usd:,.0f}; export gain = SMART "
              f"trade creation of removing the AVE (eps = {elasticity}, perfectly elastic supply): "
              f"M eps t0 / (1 + t0)")
    return EstimatedValue(ave, float(trade_usd), float(ave * trade_usd), gain, float(elasticity), method)


def is_dormancy_candidate(status: str, updated_at: dt.datetime, now: dt.datetime) -> bool:
    """Return True for an open barrier not updated for :data:`DORMANCY_AFTER_DAYS` days."""
    return status == "open" and (now - updated_at).days >= DORMANCY_AFTER_DAYS
