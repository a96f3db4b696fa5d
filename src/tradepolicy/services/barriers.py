"""The barrier registry: barriers as platform records, their lifecycle, public version and coverage.

Each barrier is a record of kind ``barrier`` (``services.records``): append-only versions, an audit
entry per write, scope ``barrier:ID``. Until it is published a barrier is ``restricted`` (office
staff read it under a grant); publishing makes the record ``public`` while its internal fields
(:data:`INTERNAL_FIELDS`) keep the ``restricted`` field label, so anonymous readers and the public
NTE edition never see them. Publishing needs an approved public version (approve, then publish).

Trade coverage is measured from loaded data (``promote.barriers.trade_coverage``): BACI HS6 US
exports where loaded, DataWeb US exports by partner for horizontal barriers, "coverage unknown"
otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any, TypedDict

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradepolicy.errors import ConflictError, DatasetMissingError, InputError, NotFoundError
from tradepolicy.platform.policy import can_read
from tradepolicy.platform.principal import Principal
from tradepolicy.promote import barriers as rules
from tradepolicy.services.records import RecordView, get_record, list_records, put_record
from tradepolicy.store.models_platform import RecordRow

KIND = "barrier"
INTERNAL_FIELDS = ("description", "internal_notes", "action_plan", "public")
FIELD_LABELS = {f: "restricted" for f in INTERNAL_FIELDS}
MAX_TEXT = 20_000
MAX_TITLE = 300
MAX_CODES = 500


# ----------------------------------------------------------------------------------------------
# Reference data: partners, HS nomenclature, trade tables (each read once per process)
@cache
def known_partners() -> dict[str, str]:
    """Return ISO3 -> name for every ISO 3166-1 country plus the EU (EUN) and Kosovo (XKX)."""
    import pycountry

    out = {c.alpha_3: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    out.update(rules.EXTRA_PARTNERS)
    return out


def partner_name(iso3: str) -> str:
    """Return the display name of a partner code."""
    return known_partners().get(iso3, iso3)


def partner_members(iso3: str) -> tuple[str, ...]:
    """Return the ISO3 codes whose trade makes up ``iso3`` (the EU27 for EUN)."""
    return rules.EU27 if iso3 == "EUN" else (iso3,)


@cache
def _hs_tables() -> tuple[frozenset[str], dict[str, tuple[str, ...]]] | None:
    from tradepolicy.datasets.readers.hs import read_hs_nomenclature

    try:
        df = read_hs_nomenclature()
    except DatasetMissingError:
        return None
    codes = frozenset(df["hscode"].astype(str))
    six = sorted(c for c in codes if len(c) == 6)
    children: dict[str, list[str]] = {}
    for c in six:
        children.setdefault(c[:2], []).append(c)
        children.setdefault(c[:4], []).append(c)
    return codes, {k: tuple(v) for k, v in children.items()}


def check_hs(codes: list[str]) -> tuple[list[str], bool]:
    """Return the normalised codes and whether they were checked against the nomenclature."""
    norm = rules.normalise_hs(codes)
    if len(norm) > MAX_CODES:
        raise InputError(f"{len(norm)} HS codes; the limit is {MAX_CODES}.", field="hs_codes",
                         expected=f"at most {MAX_CODES} codes", example="030617")
    tables = _hs_tables()
    if tables is None:
        return norm, False
    rules.check_hs_known(norm, tables[0])
    return norm, True


HS6_SOURCE = "CEPII BACI HS12, US exports by importer and HS6 (dataset baci-shrimp-2018: six shrimp lines)"
TOTALS_SOURCE = "USITC DataWeb / Census, US total exports (FAS value) by partner (dataset us-trade-by-partner)"


@cache
def _hs6_flows() -> tuple[dict[tuple[str, str], float], frozenset[str], int] | None:
    from tradepolicy.datasets.readers.baci import read_baci_shrimp_2018

    try:
        df = read_baci_shrimp_2018()
    except DatasetMissingError:
        return None
    lines = frozenset(df["hs6"].astype(str))
    us = df[df["exporter"] == "USA"]
    flows = us.groupby(["importer", "hs6"])["value_kusd"].sum() * 1000.0
    out = {(str(i), str(h)): float(v)
           for i, h, v in zip(flows.index.get_level_values(0), flows.index.get_level_values(1), flows, strict=True)}
    return out, lines, int(df["year"].max())


@cache
def us_trade_table() -> Any:
    """Return us-trade-by-partner with ISO3 (None when the dataset is not loaded)."""
    from tradepolicy.datasets.readers.trade import read_us_trade_by_partner

    try:
        return read_us_trade_by_partner()
    except DatasetMissingError:
        return None


@cache
def latest_complete_year() -> int | None:
    """Return the last year whose US world exports are at least 90% of the year before.

    A guard against a partial final year in a DataWeb download (the mirror's 2025 is a full year).
    """
    df = us_trade_table()
    if df is None:
        return None
    tot = df[df["flow"] == "total_exports_fas_value"].groupby("year")["value_usd"].sum().sort_index()
    years = [int(y) for y in tot.index]
    good = [y for y in years[1:] if tot[y] >= 0.9 * tot[y - 1]]
    return good[-1] if good else None


@cache
def partner_totals(year: int, flow: str = "total_exports_fas_value") -> dict[str, float] | None:
    """Return US exports (or imports) by partner ISO3 in ``year`` (US$), None if not loaded."""
    df = us_trade_table()
    if df is None:
        return None
    sub = df[(df["flow"] == flow) & (df["year"] == year) & df["iso3"].notna()]
    return {str(k): float(v) for k, v in sub.groupby("iso3")["value_usd"].sum().items()}


def coverage(partner: str, hs_codes: list[str], *, year: int | None = None) -> rules.Coverage:
    """Return the measured trade coverage of a barrier on ``partner`` for ``hs_codes``."""
    flows = _hs6_flows()
    tables = _hs_tables()
    y = year or latest_complete_year()
    totals = partner_totals(y) if y else None
    return rules.trade_coverage(
        partner_members(partner), hs_codes,
        hs6_flows=flows[0] if flows else None, hs6_lines=set(flows[1]) if flows else set(),
        hs6_year=flows[2] if flows else None, hs6_source=HS6_SOURCE,
        hs_children=tables[1] if tables else {}, partner_totals=totals, totals_year=y,
        totals_source=TOTALS_SOURCE)


# ----------------------------------------------------------------------------------------------
# Typed views
def _opt_str(v: object) -> str | None:
    return None if v is None else str(v)


def _opt_float(v: object) -> float | None:
    return None if v is None or v == "" else float(v)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Commitment:
    """The commitment a barrier breaches: an agreement (with a provision), a WTO dispute, or other."""

    kind: str
    ref: str
    provision: str = ""

    @classmethod
    def from_data(cls, d: Mapping[str, Any] | None) -> Commitment | None:
        """Return the stored commitment, or None."""
        if not d:
            return None
        return cls(str(d.get("kind", "")), str(d.get("ref", "")), str(d.get("provision") or ""))

    def to_dict(self) -> dict[str, str]:
        """Return a JSON-safe dict."""
        return {"kind": self.kind, "ref": self.ref, "provision": self.provision}


@dataclass(frozen=True, slots=True)
class ActionStep:
    """One step of a barrier's action plan."""

    action: str
    owner: str
    due: str | None
    done: bool

    def to_dict(self) -> dict[str, str | bool | None]:
        """Return a JSON-safe dict."""
        return {"action": self.action, "owner": self.owner, "due": self.due, "done": self.done}


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One entry of a barrier's status history."""

    status: str
    waiting_on: str
    at: str
    by: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """Return a JSON-safe dict."""
        return {"status": self.status, "waiting_on": self.waiting_on, "at": self.at, "by": self.by,
                "reason": self.reason}


PUBLIC_KEYS = ("state", "draft", "drafted_by", "drafted_at", "approved_by", "approved_at", "published_by",
               "published_at")


@dataclass(frozen=True, slots=True)
class PublicVersion:
    """The public version's approve-then-publish state (restricted until published)."""

    state: str
    draft: str | None = None
    drafted_by: str | None = None
    drafted_at: str | None = None
    approved_by: str | None = None
    approved_at: str | None = None
    published_by: str | None = None
    published_at: str | None = None

    @classmethod
    def from_data(cls, d: Mapping[str, Any] | None) -> PublicVersion | None:
        """Return the stored public version, or None."""
        if d is None:
            return None
        return cls(**{k: _opt_str(d.get(k)) for k in PUBLIC_KEYS if k != "state"}, state=str(d.get("state", "none")))

    def to_dict(self) -> dict[str, str]:
        """Return a JSON-safe dict (the keys that are set, as stored)."""
        return {k: v for k in PUBLIC_KEYS if (v := getattr(self, k)) is not None}


CITATION_KEYS = ("document", "edition", "section", "page", "page_confirmed", "source_url", "confirmed")


@dataclass(frozen=True, slots=True)
class NteCitation:
    """Where a barrier's text comes from: the NTE edition, section and page, and the source read."""

    document: str
    edition: int | None
    section: str
    page: int | None
    page_confirmed: bool
    source_url: str
    confirmed: bool

    @classmethod
    def from_data(cls, d: Mapping[str, Any] | None) -> NteCitation | None:
        """Return the stored citation, or None."""
        if not d:
            return None
        return cls(str(d.get("document", "")), int(d["edition"]) if d.get("edition") is not None else None,
                   str(d.get("section", "")), int(d["page"]) if d.get("page") is not None else None,
                   bool(d.get("page_confirmed", False)), str(d.get("source_url", "")), bool(d.get("confirmed", False)))

    def to_dict(self) -> dict[str, str | int | bool | None]:
        """Return a JSON-safe dict."""
        return {k: getattr(self, k) for k in CITATION_KEYS}


@dataclass(frozen=True, slots=True)
class NoEstimate:
    """An AVE was given but the trade coverage is unknown: no estimated value."""

    ave: float
    method: str = "AVE given but trade coverage unknown: no estimate"

    def to_dict(self) -> dict[str, str | float | None]:
        """Return a JSON-safe dict (the keys of an estimate, values null)."""
        return {"method": self.method, "ave": self.ave, "tariff_equivalent_usd": None, "export_gain_usd": None}


@dataclass(frozen=True, slots=True)
class VersionEntry:
    """One stored version of a barrier (its audit trail)."""

    version: int
    at: str
    by: str
    note: str | None
    status: str
    label: str

    def to_dict(self) -> dict[str, str | int | None]:
        """Return a JSON-safe dict."""
        return {"version": self.version, "at": self.at, "by": self.by, "note": self.note, "status": self.status,
                "label": self.label}


@dataclass(frozen=True, slots=True)
class BarrierView:
    """A barrier as a principal may see it, with its measured coverage and estimated value.

    Restricted fields the principal may not read are None and named in ``redacted_fields``.
    """

    id: str
    partner: str
    partner_name: str
    title: str
    status: str
    label: str
    version: int
    nte_category: str
    mast_chapter: str | None
    gta_type: str | None
    hs_codes: tuple[str, ...]
    hs_validated: bool | None
    sectors: tuple[str, ...]
    commitment: Commitment | None
    priority: str | None
    waiting_on: str
    public_summary: str
    public: PublicVersion | None
    citation: NteCitation | None
    description: str | None
    internal_notes: str | None
    action_plan: tuple[ActionStep, ...] | None
    status_history: tuple[StatusChange, ...]
    ave: float | None
    elasticity: float | None
    redacted_fields: tuple[str, ...]
    coverage: rules.Coverage | None
    estimated_value: rules.EstimatedValue | NoEstimate | None
    updated_at: dt.datetime
    updated_by: str
    dormancy_candidate: bool = False
    public_state: str = "none"
    history: tuple[VersionEntry, ...] = field(default=())

    @property
    def nte_category_title(self) -> str | None:
        """The NTE section heading of the barrier's category."""
        cat = rules.categories().get(self.nte_category, None)
        return cat.title if cat else None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (the fields a page, the API and ``--json`` show; ``history`` when loaded)."""
        out = {
            "id": self.id, "partner": self.partner, "partner_name": self.partner_name, "title": self.title,
            "status": self.status, "waiting_on": self.waiting_on, "label": self.label,
            "version": self.version, "nte_category": self.nte_category,
            "nte_category_title": self.nte_category_title, "mast_chapter": self.mast_chapter,
            "gta_type": self.gta_type, "hs_codes": list(self.hs_codes), "hs_validated": self.hs_validated,
            "sectors": list(self.sectors), "commitment": self.commitment.to_dict() if self.commitment else None,
            "priority": self.priority, "public_summary": self.public_summary, "public_state": self.public_state,
            "public": self.public.to_dict() if self.public else None,
            "citation": self.citation.to_dict() if self.citation else None,
            "description": self.description, "internal_notes": self.internal_notes,
            "action_plan": [a.to_dict() for a in self.action_plan] if self.action_plan is not None else None,
            "redacted_fields": list(self.redacted_fields),
            "status_history": [h.to_dict() for h in self.status_history], "ave": self.ave,
            "elasticity": self.elasticity, "coverage": self.coverage.to_dict() if self.coverage else {},
            "estimated_value": self.estimated_value.to_dict() if self.estimated_value else None,
            "updated_at": self.updated_at.isoformat(), "updated_by": self.updated_by,
            "dormancy_candidate": self.dormancy_candidate,
        }
        if self.history:
            out["history"] = [h.to_dict() for h in self.history]
        return out


def _estimate(d: Mapping[str, Any], cov: rules.Coverage) -> rules.EstimatedValue | NoEstimate | None:
    ave = d.get("ave")
    if ave is None:
        return None
    if cov.value_usd is None:
        return NoEstimate(float(ave))
    return rules.estimated_value(float(ave), cov.value_usd, elasticity=float(d.get("elasticity") or 1.0))


def _view(rec: RecordView, *, with_coverage: bool = True) -> BarrierView:
    d = rec.data
    cov = coverage(d["partner"], list(d.get("hs_codes", []))) if with_coverage else None
    now = dt.datetime.now(dt.UTC)
    upd = rec.updated_at if rec.updated_at.tzinfo else rec.updated_at.replace(tzinfo=dt.UTC)
    plan = d.get("action_plan")
    return BarrierView(
        id=rec.key, partner=d["partner"], partner_name=partner_name(d["partner"]), title=rec.title,
        status=rec.status, label=rec.label, version=rec.version, nte_category=str(d.get("nte_category", "other")),
        mast_chapter=_opt_str(d.get("mast_chapter")), gta_type=_opt_str(d.get("gta_type")),
        hs_codes=tuple(str(c) for c in d.get("hs_codes", [])),
        hs_validated=None if d.get("hs_validated") is None else bool(d.get("hs_validated")),
        sectors=tuple(str(x) for x in d.get("sectors", [])), commitment=Commitment.from_data(d.get("commitment")),
        priority=_opt_str(d.get("priority")), waiting_on=str(d.get("waiting_on", "none")),
        public_summary=str(d.get("public_summary", "")), public=PublicVersion.from_data(d.get("public")),
        citation=NteCitation.from_data(d.get("citation")), description=_opt_str(d.get("description")),
        internal_notes=_opt_str(d.get("internal_notes")),
        action_plan=None if plan is None else tuple(
            ActionStep(str(a.get("action", "")), str(a.get("owner", "")), _opt_str(a.get("due")), bool(a.get("done")))
            for a in plan),
        status_history=tuple(StatusChange(str(h.get("status", "")), str(h.get("waiting_on", "none")),
                                          str(h.get("at", "")), str(h.get("by", "")), str(h.get("reason", "")))
                             for h in d.get("status_history", [])),
        ave=_opt_float(d.get("ave")), elasticity=_opt_float(d.get("elasticity")),
        redacted_fields=rec.redacted_fields, coverage=cov, estimated_value=_estimate(d, cov) if cov else None,
        updated_at=rec.updated_at, updated_by=rec.updated_by,
        dormancy_candidate=rules.is_dormancy_candidate(rec.status, upd, now),
        public_state=(d.get("public") or {}).get("state", "published" if d.get("public_summary") else "none"))


# ----------------------------------------------------------------------------------------------
# Validation helpers
def _text(value: Any, name: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    v = "" if value is None else str(value).strip()
    if required and not v:
        raise InputError(f"A barrier needs a {name}.", field=name, expected="non-empty text",
                         example="Ban on imports of genetically engineered corn")
    if len(v) > limit:
        raise InputError(f"The {name} is {len(v):,} characters; the limit is {limit:,}.", field=name,
                         expected=f"at most {limit:,} characters", example="a shorter text")
    return v


class StoredCommitment(TypedDict):
    """The breached commitment as stored in a barrier's record body."""

    kind: str
    ref: str
    provision: str


def check_commitment(value: Mapping[str, Any] | None, session: Session) -> StoredCommitment | None:
    """Return the breached commitment, checked.

    An agreement in the registry (with an optional provision, e.g. a WTO article), a WTO dispute
    (DS number, checked against wto-disputes), or ``other`` with a citation.
    """
    if not value:
        return None
    kind = str(value.get("kind", "")).strip().lower()
    ref = str(value.get("ref", "")).strip()
    provision = str(value.get("provision", "") or "").strip()[:500]
    if kind == "agreement":
        from tradepolicy.store.models import Agreement

        if session.get(Agreement, ref) is None:
            known = session.scalars(select(Agreement.id).order_by(Agreement.id)).all()
            raise InputError(f"Unknown agreement {ref!r} for the breached commitment.", field="commitment.ref",
                             expected="one of " + ", ".join(known), example="wto-sps")
    elif kind == "dispute":
        import re

        m = re.fullmatch(r"DS(\d{1,4})", ref.upper())
        if not m:
            raise InputError(f"Dispute {ref!r} is not a WTO dispute number.", field="commitment.ref",
                             expected="DS followed by digits", example="DS517")
        ref = ref.upper()
        title = _dispute_title(int(m.group(1)))
        if title is None and int(m.group(1)) <= 538:
            raise InputError(f"No WTO dispute {ref} in the wto-disputes dataset.", field="commitment.ref",
                             expected="an existing dispute number", example="DS517")
        if title:
            provision = provision or title
    elif kind == "other":
        if not ref:
            raise InputError("An 'other' commitment needs a citation in ref.", field="commitment.ref",
                             expected="the instrument and article", example="US-China Phase One agreement, Ch. 6")
    else:
        raise InputError(f"Unknown commitment kind {kind!r}.", field="commitment.kind",
                         expected="agreement | dispute | other", example="agreement")
    return StoredCommitment(kind=kind, ref=ref, provision=provision)


@cache
def _disputes() -> dict[int, str] | None:
    from tradepolicy.datasets.readers.enforcement import read_wto_disputes

    try:
        df = read_wto_disputes()
    except DatasetMissingError:
        return None
    return {int(n): str(t) for n, t in zip(df["ds_number"], df["title"], strict=True)}


def _dispute_title(n: int) -> str | None:
    d = _disputes()
    if d is None:
        return ""  # dataset not loaded: cannot check (accepted, not validated)
    return d.get(n)


def _action_plan(items: Any) -> list[dict[str, Any]]:
    out = []
    for i, a in enumerate(items or []):
        if not isinstance(a, dict):
            raise InputError("Each action-plan step is an object.", field=f"action_plan[{i}]",
                             expected="{action, owner, due}", example='{"action": "Raise at TPR", "owner": "jdoe", "due": "2026-03-01"}')
        action = _text(a.get("action"), f"action_plan[{i}].action", required=True, limit=1000)
        owner = _text(a.get("owner"), f"action_plan[{i}].owner", required=True, limit=200)
        due = a.get("due")
        if due:
            from tradepolicy.law.dates import parse_date

            due = parse_date(str(due), field=f"action_plan[{i}].due").isoformat()
        out.append({"action": action, "owner": owner, "due": due, "done": bool(a.get("done", False))})
    return out


def _citation(value: Any) -> dict[str, Any] | None:
    """Return a barrier's NTE citation, checked (known keys only), or None."""
    if not value:
        return None
    if not isinstance(value, dict):
        raise InputError("The citation is an object.", field="citation", expected="{" + ", ".join(CITATION_KEYS) + "}",
                         example='{"document": "USTR, 2025 NTE", "edition": 2025, "section": "Import policies", "page": 92}')
    bad = sorted(set(value) - set(CITATION_KEYS))
    if bad:
        raise InputError(f"Unknown citation field(s) {', '.join(bad)}.", field=f"citation.{bad[0]}",
                         expected=" | ".join(CITATION_KEYS), example="page")
    page = value.get("page")
    if page is not None and (not str(page).isdigit() or not 1 <= int(page) <= 2000):
        raise InputError(f"Citation page {page!r} is not a page number.", field="citation.page",
                         expected="a printed page number 1..2000, or null", example="92")
    return {k: value.get(k) for k in CITATION_KEYS} | {
        "page": int(page) if page is not None else None, "page_confirmed": bool(value.get("page_confirmed", False)),
        "confirmed": bool(value.get("confirmed", False))}


def _ave(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"AVE {value!r} is not a number.", field="ave", expected="a decimal (0.25 = 25%)",
                         example="0.25") from None
    if not 0 <= v <= 10:
        raise InputError(f"AVE {v} is outside 0..10.", field="ave", expected="a decimal (0.25 = 25%)", example="0.25")
    return v


# ----------------------------------------------------------------------------------------------
# Commands
def _next_id(session: Session) -> str:
    n = session.scalar(select(func.count()).select_from(RecordRow).where(RecordRow.kind == KIND)) or 0
    while True:
        n += 1
        key = f"B-{n:05d}"
        if session.scalar(select(RecordRow.id).where(RecordRow.kind == KIND, RecordRow.key == key)) is None:
            return key


def _label(data: dict[str, Any]) -> str:
    """Return the record label: public once a public version is published (internal fields stay restricted)."""
    return "public" if data.get("public_summary") else "restricted"


def add_barrier(session: Session, principal: Principal, *, partner: str, title: str, description: str = "",
                nte_category: str, hs_codes: list[str] | None = None, sectors: list[str] | None = None,
                commitment: dict[str, Any] | None = None, priority: str = "medium",
                action_plan: list[dict[str, Any]] | None = None, internal_notes: str = "",
                ave: Any = None, elasticity: Any = None, mast_chapter: str | None = None,
                gta_type: str | None = None, citation: dict[str, Any] | None = None,
                barrier_id: str | None = None, allow_duplicate: bool = False,
                public: dict[str, Any] | None = None, public_summary: str = "", where: str = "") -> BarrierView:
    """Record a new barrier (restricted until published); refuse a likely duplicate.

    Raises ``InputError`` naming the field for an unknown partner, category, HS code, agreement
    or dispute, and ``ConflictError`` when a readable barrier on the same partner is at least
    :data:`promote.barriers.DUPLICATE_THRESHOLD` similar (unless ``allow_duplicate``).
    """
    iso3 = rules.check_partner(partner, known_partners())
    title = _text(title, "title", required=True, limit=MAX_TITLE)
    description = _text(description, "description")
    cat = rules.check_category(nte_category)
    codes, validated = check_hs(list(hs_codes or []))
    if priority not in ("low", "medium", "high", "top"):
        raise InputError(f"Unknown priority {priority!r}.", field="priority", expected="low | medium | high | top",
                         example="high")
    data: dict[str, Any] = {
        "partner": iso3, "nte_category": cat.id, "mast_chapter": mast_chapter or cat.mast,
        "gta_type": gta_type or cat.gta, "hs_codes": codes, "hs_validated": validated,
        "sectors": [_text(s, "sectors", limit=100) for s in (sectors or []) if str(s).strip()],
        "commitment": check_commitment(commitment, session), "priority": priority,
        "description": description, "internal_notes": _text(internal_notes, "internal_notes"),
        "action_plan": _action_plan(action_plan), "ave": _ave(ave),
        "elasticity": float(elasticity) if elasticity not in (None, "") else None,
        "waiting_on": "none", "citation": _citation(citation),
        "public": public or {"state": "none"}, "public_summary": _text(public_summary, "public_summary"),
        "status_history": [{"status": "open", "waiting_on": "none", "at": dt.date.today().isoformat(),
                            "by": principal.name, "reason": "entered"}],
    }
    if not allow_duplicate:
        existing = [(r.key, r.title, str(r.data.get("description", "")))
                    for r in list_records(session, principal, KIND, where=where) if r.data.get("partner") == iso3]
        dups = rules.duplicates(title, description, existing)
        if dups:
            best = dups[0]
            raise ConflictError(f"Barrier looks like {best.barrier_id} ({best.title!r}, similarity {best.score:.2f}).",
                                field="title", expected="a new barrier, or allow_duplicate / --allow-duplicate",
                                example=best.barrier_id)
    key = barrier_id or _next_id(session)
    rec = put_record(session, principal, kind=KIND, key=key, data=data, label=_label(data), scope=f"barrier:{key}",
                     status="open", title=title, field_labels=FIELD_LABELS, note="entered", expected_version=0)
    return _view(rec)


def _current(session: Session, principal: Principal, barrier_id: str, where: str) -> RecordView:
    rec = get_record(session, principal, KIND, barrier_id, where=where)
    if rec.redacted_fields:
        # Writing back a record with hidden fields would drop them: a writer must see it whole.
        raise NotFoundError(f"No barrier {barrier_id!r} you may change (it has restricted fields).",
                            field="barrier_id", example=barrier_id)
    return rec


def _write(session: Session, principal: Principal, rec: RecordView, data: dict[str, Any], *, status: str | None = None,
           title: str | None = None, note: str) -> BarrierView:
    new = put_record(session, principal, kind=KIND, key=rec.key, data=data, label=_label(data), scope=rec.scope,
                     status=status or rec.status, title=title or rec.title, field_labels=FIELD_LABELS, note=note,
                     expected_version=rec.version)
    return _view(new)


UPDATABLE = ("title", "description", "nte_category", "hs_codes", "sectors", "commitment", "priority",
             "action_plan", "internal_notes", "ave", "elasticity", "mast_chapter", "gta_type", "citation")


def update_barrier(session: Session, principal: Principal, barrier_id: str, changes: dict[str, Any], *,
                   where: str = "") -> BarrierView:
    """Change a barrier's fields (one new version); unknown fields are refused."""
    bad = sorted(set(changes) - set(UPDATABLE))
    if bad:
        raise InputError(f"Cannot update {', '.join(bad)}.", field=bad[0], expected=" | ".join(UPDATABLE),
                         example="priority")
    rec = _current(session, principal, barrier_id, where)
    data = dict(rec.data)
    title = rec.title
    for k, v in changes.items():
        if k == "title":
            title = _text(v, "title", required=True, limit=MAX_TITLE)
        elif k == "description" or k == "internal_notes":
            data[k] = _text(v, k)
        elif k == "nte_category":
            cat = rules.check_category(v)
            data.update(nte_category=cat.id, mast_chapter=cat.mast, gta_type=cat.gta)
        elif k == "hs_codes":
            data["hs_codes"], data["hs_validated"] = check_hs(list(v or []))
        elif k == "commitment":
            data[k] = check_commitment(v, session)
        elif k == "action_plan":
            data[k] = _action_plan(v)
        elif k == "ave":
            data[k] = _ave(v)
        elif k == "citation":
            data[k] = _citation(v)
        elif k == "priority":
            if v not in ("low", "medium", "high", "top"):
                raise InputError(f"Unknown priority {v!r}.", field="priority", expected="low | medium | high | top",
                                 example="high")
            data[k] = v
        else:
            data[k] = v
    return _write(session, principal, rec, data, title=title, note="updated: " + ", ".join(sorted(changes)))


def change_status(session: Session, principal: Principal, barrier_id: str, status: str, *,
                  waiting_on: str | None = None, reason: str | None = None, where: str = "") -> BarrierView:
    """Move a barrier along its lifecycle (or change what an open barrier waits on)."""
    rec = _current(session, principal, barrier_id, where)
    new = rules.check_status(status)
    if new != rec.status:
        rules.check_transition(rec.status, new, reason=reason)
    elif waiting_on is None:
        raise InputError(f"Barrier {barrier_id} is already {new!r}.", field="status",
                         expected=" | ".join(sorted(rules.TRANSITIONS[rec.status])), example="resolved")
    wait = rules.check_waiting_on(waiting_on, new)
    data = dict(rec.data)
    data["waiting_on"] = wait
    data["status_history"] = [*data.get("status_history", []),
                              {"status": new, "waiting_on": wait, "at": dt.date.today().isoformat(),
                               "by": principal.name, "reason": (reason or "").strip()[:1000]}]
    return _write(session, principal, rec, data, status=new, note=f"status {rec.status} -> {new}")


def draft_public(session: Session, principal: Principal, barrier_id: str, summary: str, *, where: str = "") -> BarrierView:
    """Submit the text of the public version for approval (a new draft replaces an earlier one).

    The draft lives in the restricted ``public`` field; the published text (``public_summary``)
    changes only when an approved draft is published.
    """
    rec = _current(session, principal, barrier_id, where)
    text = _text(summary, "public_summary", required=True)
    data = dict(rec.data)
    data["public"] = {"state": "draft", "draft": text, "drafted_by": principal.name,
                      "drafted_at": dt.date.today().isoformat()}
    return _write(session, principal, rec, data, note="public version drafted")


def approve_public(session: Session, principal: Principal, barrier_id: str, *, where: str = "") -> BarrierView:
    """Approve the drafted public version (a drafted text is needed)."""
    rec = _current(session, principal, barrier_id, where)
    pub = dict(rec.data.get("public") or {})
    if pub.get("state") != "draft":
        raise ConflictError(f"Barrier {barrier_id} has no public version awaiting approval (state "
                            f"{pub.get('state', 'none')!r}).", field="public.state", expected="draft",
                            example=f"tradepolicy barriers publish {barrier_id} --draft 'text'")
    pub.update(state="approved", approved_by=principal.name, approved_at=dt.date.today().isoformat())
    return _write(session, principal, rec, {**rec.data, "public": pub}, note="public version approved")


def publish(session: Session, principal: Principal, barrier_id: str, *, where: str = "") -> BarrierView:
    """Publish the approved public version: the record becomes public, internal fields stay restricted."""
    rec = _current(session, principal, barrier_id, where)
    pub = dict(rec.data.get("public") or {})
    if pub.get("state") != "approved":
        raise ConflictError(f"Barrier {barrier_id} cannot be published: its public version is "
                            f"{pub.get('state', 'none')!r}, not approved.", field="public.state",
                            expected="approved (draft, then approve, then publish)",
                            example=f"tradepolicy barriers approve {barrier_id}")
    pub.update(state="published", published_by=principal.name, published_at=dt.date.today().isoformat())
    return _write(session, principal, rec, {**rec.data, "public": pub, "public_summary": pub.get("draft", "")},
                  note="published")


def get_barrier(session: Session, principal: Principal, barrier_id: str, *, where: str = "") -> BarrierView:
    """Return one barrier as ``principal`` may see it (NotFound when unreadable), logging confidential reads."""
    from tradepolicy.services.records import record_history

    rec = get_record(session, principal, KIND, barrier_id, where=where)
    view = _view(rec)
    hist = tuple(VersionEntry(v.version, v.updated_at.isoformat(), v.updated_by, v.note, v.status, v.label)
                 for v in record_history(session, principal, KIND, barrier_id, where=where))
    return replace(view, history=hist)


def list_barriers(session: Session, principal: Principal, *, partner: str | None = None, status: str | None = None,
                  category: str | None = None, published_only: bool = False, with_coverage: bool = True,
                  where: str = "") -> list[BarrierView]:
    """Return the barriers ``principal`` may read, filtered, by partner then id."""
    if status:
        rules.check_status(status)
    cat = rules.check_category(category).id if category else None
    p = partner.strip().upper() if partner else None
    out = []
    for rec in list_records(session, principal, KIND, status=status, where=where):
        d = rec.data
        if p and d.get("partner") != p:
            continue
        if cat and d.get("nte_category") != cat:
            continue
        if published_only and not d.get("public_summary"):
            continue
        out.append(_view(rec, with_coverage=with_coverage))
    return sorted(out, key=lambda b: (b.partner_name, b.id))


def can_see_internal(principal: Principal, barrier_id: str) -> bool:
    """Return True when the principal may read the restricted fields of a barrier."""
    return can_read(principal, "restricted", f"barrier:{barrier_id}")


# ----------------------------------------------------------------------------------------------
# Seed: the 2025 NTE barriers, published, with the 2025 edition snapshot
@cache
def nte_seed() -> Mapping[str, Any]:
    """Return ``promote/data/nte_2025_barriers.yaml`` (cited data, read-only)."""
    return yaml.safe_load(resources.files("tradepolicy.promote").joinpath("data/nte_2025_barriers.yaml").read_text())


def seed_nte_barriers(session: Session, actor: str) -> dict[str, int]:
    """Seeder: store the transcribed 2025 NTE barriers (published) and the 2025 edition snapshot."""
    from tradepolicy.services.nte import close_edition

    seed = nte_seed()
    who = Principal(name=actor, role="administrator", via="system")
    n = 0
    for b in seed["barriers"]:
        if session.scalar(select(RecordRow.id).where(RecordRow.kind == KIND, RecordRow.key == b["id"])) is not None:
            continue
        citation = {"document": seed["document"], "edition": seed["edition"], "section": b["section"],
                    "page": b.get("page"), "page_confirmed": bool(b.get("page_confirmed", False)),
                    "source_url": b["source_url"],
                    "confirmed": bool(b["confirmed"])}
        public = {"state": "published", "draft": b["summary"], "drafted_by": "seed",
                  "approved_by": "seed (published by USTR)", "published_at": str(seed["published"])}
        add_barrier(session, who, partner=b["partner"], title=b["title"], description=b["summary"],
                    nte_category=b["category"], hs_codes=list(b.get("hs") or []), sectors=list(b.get("sectors") or []),
                    commitment=b.get("commitment"), citation=citation, barrier_id=b["id"], allow_duplicate=True,
                    public=public, public_summary=b["summary"])
        n += 1
    if n:
        close_edition(session, who, int(seed["edition"]), note="2025 NTE as transcribed (seed)")
    return {"inserted": n, "updated": 0, "unchanged": len(seed["barriers"]) - n}
