"""The National Trade Estimate report: editions, chapters, trade figures and changes.

An edition is the list of barriers reported in year Y. While Y is open, the draft lists every
published barrier not resolved or archived; ``close_edition`` stores the list as a record of kind
``nte_edition`` (append-only versions), so the next edition can say what changed (new, resolved,
status changes). Trade figures come from ``us-trade-by-partner`` for the year before the edition
(the 2025 NTE reports 2024 trade). The due date is the law rule ``ustr.nte`` (19 U.S.C. 2241(b)).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from tradepolicy.errors import InputError, NotFoundError
from tradepolicy.law.annual import AnnualDeadline
from tradepolicy.platform.labels import check_label
from tradepolicy.platform.policy import can_read
from tradepolicy.platform.principal import Principal
from tradepolicy.promote import barriers as rules
from tradepolicy.services import barriers as bsvc
from tradepolicy.services.records import get_record, put_record

EDITION_KIND = "nte_edition"
LISTED = ("open", "resolved_in_part", "dormant")
IMPORTS = "general_imports_customs_value"
EXPORTS = "total_exports_fas_value"


@dataclass(frozen=True, slots=True)
class PartnerTrade:
    """US goods trade with one partner in one year (US$; balance = exports - imports)."""

    partner: str
    year: int
    exports_usd: float | None
    imports_usd: float | None
    balance_usd: float | None
    source: str
    series: tuple[tuple[int, float | None, float | None], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {"partner": self.partner, "year": self.year, "exports_usd": self.exports_usd,
                "imports_usd": self.imports_usd, "balance_usd": self.balance_usd, "source": self.source,
                "series": [{"year": y, "exports_usd": e, "imports_usd": i} for y, e, i in self.series]}


def partner_trade(partner: str, year: int, *, years_back: int = 4) -> PartnerTrade:
    """Return US exports, imports and balance with ``partner`` in ``year`` from us-trade-by-partner."""
    df = bsvc.us_trade_table()
    if df is None:
        return PartnerTrade(partner, year, None, None, None, bsvc.TOTALS_SOURCE + " (not loaded)")
    members = set(bsvc.partner_members(partner))
    sub = df[df["iso3"].isin(members)]
    by = sub.groupby(["flow", "year"])["value_usd"].sum()

    def get(flow: str, y: int) -> float | None:
        return float(by[(flow, y)]) if (flow, y) in by.index else None

    ex, im = get(EXPORTS, year), get(IMPORTS, year)
    series = tuple((y, get(EXPORTS, y), get(IMPORTS, y)) for y in range(year - years_back, year + 1))
    return PartnerTrade(partner, year, ex, im, None if ex is None or im is None else ex - im,
                        bsvc.TOTALS_SOURCE + (f"; sum over the EU27 ({len(members)} members)" if partner == "EUN" else ""),
                        series)


@dataclass(frozen=True, slots=True)
class InternalText:
    """A barrier's restricted text, shown only in the internal draft to a reader with a grant."""

    description: str | None
    action_plan: tuple[bsvc.ActionStep, ...] | None
    internal_notes: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {"description": self.description,
                "action_plan": [a.to_dict() for a in self.action_plan] if self.action_plan is not None else None,
                "internal_notes": self.internal_notes}


@dataclass(frozen=True, slots=True)
class NteBarrier:
    """One barrier as a chapter reports it."""

    id: str
    title: str
    summary: str
    status: str
    hs_codes: tuple[str, ...]
    citation: bsvc.NteCitation | None
    commitment: bsvc.Commitment | None
    internal: InternalText | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (``internal`` only in the internal draft)."""
        out: dict[str, Any] = {"id": self.id, "title": self.title, "summary": self.summary, "status": self.status,
                               "hs_codes": list(self.hs_codes),
                               "citation": self.citation.to_dict() if self.citation else None,
                               "commitment": self.commitment.to_dict() if self.commitment else None}
        if self.internal is not None:
            out["internal"] = self.internal.to_dict()
        return out


@dataclass(frozen=True, slots=True)
class BarrierChange:
    """A change since the previous edition: new (no ``from_status``), resolved, or a status change."""

    id: str
    title: str
    from_status: str | None = None
    to_status: str | None = None

    def to_dict(self) -> dict[str, str]:
        """Return a JSON-safe dict (keys ``from`` and ``to`` when set)."""
        out = {"id": self.id, "title": self.title}
        if self.from_status is not None:
            out["from"] = self.from_status
        if self.to_status is not None:
            out["to"] = self.to_status
        return out


@dataclass(frozen=True, slots=True)
class Chapter:
    """One partner's chapter."""

    partner: str
    name: str
    trade: PartnerTrade
    by_category: tuple[tuple[str, tuple[NteBarrier, ...]], ...]
    new: tuple[BarrierChange, ...]
    resolved: tuple[BarrierChange, ...]
    status_changes: tuple[BarrierChange, ...]

    @property
    def anchor(self) -> str:
        """The HTML id of the chapter (for the table of contents)."""
        return f"ch-{self.partner}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {"partner": self.partner, "name": self.name, "trade": self.trade.to_dict(),
                "categories": [{"category": c, "barriers": [b.to_dict() for b in bs]} for c, bs in self.by_category],
                "changes": {"new": [c.to_dict() for c in self.new], "resolved": [c.to_dict() for c in self.resolved],
                            "status_changes": [c.to_dict() for c in self.status_changes]}}


@dataclass(frozen=True, slots=True)
class EditionEntry:
    """A barrier as a closed edition lists it (the next edition's baseline)."""

    status: str
    partner: str
    title: str
    category: str

    def to_dict(self) -> dict[str, str]:
        """Return a JSON-safe dict."""
        return {"status": self.status, "partner": self.partner, "title": self.title, "category": self.category}


@dataclass(frozen=True, slots=True)
class Edition:
    """A closed NTE edition: the barriers it reports, by id."""

    year: int
    closed_at: str
    note: str
    barriers: tuple[tuple[str, EditionEntry], ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (the stored shape)."""
        return {"year": self.year, "closed_at": self.closed_at, "note": self.note,
                "barriers": {k: e.to_dict() for k, e in self.barriers}}


@dataclass(frozen=True, slots=True)
class NteReport:
    """An NTE edition ready to render."""

    year: int
    label: str
    closed: bool
    due: AnnualDeadline
    previous_edition: int | None
    chapters: tuple[Chapter, ...]
    barrier_count: int
    generated_at: str
    category_counts: tuple[tuple[str, int], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {"year": self.year, "label": self.label, "closed": self.closed, "due": self.due.to_dict(),
                "previous_edition": self.previous_edition, "barrier_count": self.barrier_count,
                "generated_at": self.generated_at, "category_counts": dict(self.category_counts),
                "chapters": [c.to_dict() for c in self.chapters]}


def due_date(year: int) -> AnnualDeadline:
    """Return the NTE due date of ``year`` from the law engine (rule ``ustr.nte``)."""
    from tradepolicy.law.annual import annual_calendar

    for a in annual_calendar(year):
        if a.rule_id == "ustr.nte":
            return a
    raise NotFoundError(f"No NTE due date in force in {year}.", field="year", expected="1995 or later", example="2026")


def _edition(session: Session, principal: Principal, year: int) -> dict[str, Any] | None:
    try:
        return get_record(session, principal, EDITION_KIND, str(year)).data
    except NotFoundError:
        return None


def _entry(b: bsvc.BarrierView) -> EditionEntry:
    return EditionEntry(b.status, b.partner, b.title, b.nte_category)


def close_edition(session: Session, principal: Principal, year: int, *, note: str = "") -> Edition:
    """Store the list of barriers reported in edition ``year`` (the published, unresolved ones)."""
    _check_year(year)
    listed = [b for b in bsvc.list_barriers(session, principal, published_only=True, with_coverage=False)
              if b.status in LISTED]
    edition = Edition(year, dt.date.today().isoformat(), note, tuple((b.id, _entry(b)) for b in listed))
    put_record(session, principal, kind=EDITION_KIND, key=str(year), data=edition.to_dict(), label="public",
               scope=f"nte:{year}", status="closed", title=f"NTE {year}", note=note or "edition closed")
    return edition


def _check_year(year: int) -> None:
    if not 1985 <= int(year) <= 2100:
        raise InputError(f"Edition year {year} is out of range.", field="year", expected="1985..2100", example="2026")


def build_report(session: Session, principal: Principal, year: int, *, label: str = "public",
                 where: str = "") -> NteReport:
    """Assemble edition ``year``.

    Chapters by partner (report order: by name), public barriers by category, trade with the
    partner in ``year - 1``, and changes since edition ``year - 1``.

    ``label="public"`` shows only public text; ``label="restricted"`` is the internal draft (with
    each barrier's restricted description and action plan where the principal may read them).
    """
    _check_year(year)
    label = check_label(label)
    if label not in ("public", "restricted"):
        raise InputError("An NTE edition is public or restricted.", field="label", expected="public | restricted",
                         example="restricted")
    if label == "restricted" and not can_read(principal, "restricted", "nte:draft"):
        raise NotFoundError("No internal NTE draft you may read (it needs a restricted grant).", field="label",
                            expected="public", example="public")
    this = _edition(session, principal, year)
    prev = _edition(session, principal, year - 1)
    current = {b.id: b for b in bsvc.list_barriers(session, principal, published_only=True, with_coverage=False,
                                                   where=where)}
    if this is not None:
        ids = [i for i in this["barriers"] if i in current]
    else:
        ids = [i for i, b in current.items() if b.status in LISTED]
    prev_ids: dict[str, Any] = prev["barriers"] if prev else {}
    partners = sorted({current[i].partner for i in ids} | {v["partner"] for k, v in prev_ids.items()
                                                            if k in current and current[k].status == "resolved"},
                      key=bsvc.partner_name)
    chapters = []
    counts: dict[str, int] = {}
    cats = rules.categories()
    for p in partners:
        mine = [current[i] for i in ids if current[i].partner == p]
        groups: dict[str, list[NteBarrier]] = {}
        for b in mine:
            cat = cats[b.nte_category if b.nte_category in cats else "other"].title
            counts[cat] = counts.get(cat, 0) + 1
            internal = None
            if label == "restricted" and bsvc.can_see_internal(principal, b.id):
                internal = InternalText(b.description, b.action_plan, b.internal_notes)
            groups.setdefault(cat, []).append(NteBarrier(b.id, b.title, b.public_summary, b.status, b.hs_codes,
                                                         b.citation, b.commitment, internal))
        order = [c.title for c in cats.values()]
        by_cat = tuple((c, tuple(groups[c])) for c in order if c in groups)
        new = tuple(BarrierChange(b.id, b.title) for b in mine if prev and b.id not in prev_ids)
        resolved = tuple(BarrierChange(k, v["title"], from_status=v["status"]) for k, v in prev_ids.items()
                         if v["partner"] == p and k in current and current[k].status == "resolved")
        changes = tuple(BarrierChange(b.id, b.title, from_status=prev_ids[b.id]["status"], to_status=b.status)
                        for b in mine if b.id in prev_ids and prev_ids[b.id]["status"] != b.status)
        chapters.append(Chapter(p, bsvc.partner_name(p), partner_trade(p, year - 1), by_cat, new, resolved, changes))
    return NteReport(year=year, label=label, closed=this is not None, due=due_date(year),
                     previous_edition=year - 1 if prev else None, chapters=tuple(chapters), barrier_count=len(ids),
                     generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                     category_counts=tuple(sorted(counts.items(), key=lambda kv: -kv[1])))
