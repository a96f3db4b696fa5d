"""TFA capacity building: Members' commitments, the notifications log, the rate, assistance.

Records (``services.records``): ``tfa_member`` (group and ratification date), ``tfa_commitment``
(one per Member and measure/item: category and dates; versions keep the history), the
append-only ``tfa_notification`` log (one record per notification, never rewritten) and
``tfa_programme`` (technical-assistance programmes). The rate and the Art. 16/17 dates are
computed by the pure ``promote.tfa`` engine from the law rules.

The importer reads a spreadsheet the user downloaded from the TFA Database (it is not bundled:
WTO terms need permission). Its columns must all be known (:data:`COLUMNS` and their aliases);
an unknown column is refused, naming it, and nothing is stored.

UNCONFIRMED: the aliases are our reading of the TFA Database export, not its documented headers.
No reachable source (search corpora, public repositories, 2026-12-07) prints the export's column
names. One public project note says the site offers a bulk "Notifications Matrix" XLSX (all
Members x 36 measures x Category A/B/C, at tfadatabase.org/en/excel/excel/notifications-matrix)
and a per-Member export of the implementation-progress tool; neither's header row was found. A
real export whose headers differ is refused with the unknown column named: add its headers to
:data:`COLUMNS` (with the file's date) rather than renaming columns by hand.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradepolicy.errors import InputError, NotFoundError
from tradepolicy.law.dates import parse_date
from tradepolicy.platform.principal import Principal
from tradepolicy.promote import tfa as engine
from tradepolicy.services.records import get_record, list_records, put_record
from tradepolicy.store.models_platform import RecordRow

MAX_IMPORT_BYTES = 20_000_000
MAX_ROWS = 200_000
# Canonical columns and accepted header spellings (lower-cased). The TFA Database export's own
# headers are mapped by the aliases; they are our reading of the export and UNCONFIRMED (see the
# module docstring: no source that prints the export's header row was found).
COLUMNS_CONFIRMED = False
COLUMNS: dict[str, tuple[str, ...]] = {
    "member": ("member", "member code", "iso3", "member_iso3"),
    "member_name": ("member name", "member_name", "name"),
    "group": ("group", "development status", "status group"),
    "ratified": ("ratified", "ratification date", "date of acceptance", "acceptance date"),
    "measure": ("measure", "article", "provision", "article item", "item"),
    "title": ("title", "measure title", "description"),
    "category": ("category", "designation"),
    "indicative_date": ("indicative_date", "indicative date", "indicative implementation date"),
    "definitive_date": ("definitive_date", "definitive date", "definitive implementation date"),
    "items": ("items", "number of items", "item count"),
}
REQUIRED = ("member", "measure")


@cache
def example_set() -> Mapping[str, Any]:
    """Return the hand-made ILLUSTRATIVE example set (``promote/data/tfa_example.yaml``)."""
    return yaml.safe_load(resources.files("tradepolicy.promote").joinpath("data/tfa_example.yaml").read_text())


def _date(v: Any, field: str) -> dt.date | None:
    if v is None or v == "" or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return parse_date(str(v).strip()[:10], field=field)


def _member_code(v: Any, where: str) -> str:
    code = str(v or "").strip().upper()
    if not code or len(code) > 10 or not code.replace("-", "").isalnum():
        raise InputError(f"Bad Member code {v!r}.", where=where, field="member", expected="an ISO3-like code",
                         example="KEN")
    return code


@dataclass(frozen=True, slots=True)
class TfaMember:
    """A WTO Member's TFA record: group and ratification date."""

    member: str
    name: str
    group: str
    ratified: str | None
    illustrative: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (the stored record)."""
        return {"member": self.member, "name": self.name, "group": self.group, "ratified": self.ratified,
                "illustrative": self.illustrative}


@dataclass(frozen=True, slots=True)
class TfaCommitment:
    """One commitment (Member x measure): category and dates."""

    member: str
    measure: str
    title: str
    category: str | None
    indicative: str | None
    definitive: str | None
    items: int
    illustrative: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (the stored record)."""
        return {"member": self.member, "measure": self.measure, "title": self.title, "category": self.category,
                "indicative": self.indicative, "definitive": self.definitive, "items": self.items,
                "illustrative": self.illustrative}


@dataclass(frozen=True, slots=True)
class Notification:
    """One entry of the append-only notifications log."""

    id: str
    member: str
    kind: str
    date: str
    measures: tuple[str, ...]
    document: str
    note: str

    @classmethod
    def from_data(cls, key: str, d: Mapping[str, Any]) -> Notification:
        """Return a stored notification."""
        return cls(key, str(d["member"]), str(d["kind"]), str(d["date"]), tuple(str(m) for m in d.get("measures", [])),
                   str(d.get("document", "")), str(d.get("note", "")))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {"id": self.id, "member": self.member, "kind": self.kind, "date": self.date,
                "measures": list(self.measures), "document": self.document, "note": self.note}


@dataclass(frozen=True, slots=True)
class Programme:
    """A technical-assistance programme: donor, recipient, measures, dates, amount."""

    id: str
    donor: str
    recipient: str
    measures: tuple[str, ...]
    start: str
    end: str | None
    amount_usd: float | None
    title: str
    illustrative: bool = False

    @classmethod
    def from_data(cls, d: Mapping[str, Any]) -> Programme:
        """Return a stored programme."""
        amount = d.get("amount_usd")
        return cls(str(d["id"]), str(d["donor"]), str(d["recipient"]), tuple(str(m) for m in d.get("measures", [])),
                   str(d["start"]), d.get("end"), None if amount is None else float(amount), str(d.get("title", "")),
                   bool(d.get("illustrative", False)))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (the stored record)."""
        return {"id": self.id, "donor": self.donor, "recipient": self.recipient, "measures": list(self.measures),
                "start": self.start, "end": self.end, "amount_usd": self.amount_usd, "title": self.title,
                "illustrative": self.illustrative}


@dataclass(frozen=True, slots=True)
class MemberRateRow:
    """A Member with its rate on a date (``rate`` None and the reason in ``rate_text`` when not computable)."""

    member: TfaMember
    rate: float | None
    rate_text: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (the Member's fields, ``rate`` and ``rate_text``)."""
        return self.member.to_dict() | {"rate": self.rate, "rate_text": self.rate_text}


def _member_of(d: Mapping[str, Any]) -> TfaMember:
    return TfaMember(str(d["member"]), str(d.get("name", d["member"])), str(d["group"]), d.get("ratified"),
                     bool(d.get("illustrative", False)))


def put_member(session: Session, principal: Principal, *, member: str, name: str, group: str,
               ratified: dt.date | None, illustrative: bool = False) -> TfaMember:
    """Create or update a Member (group and ratification date)."""
    if group not in ("developed", "developing", "ldc"):
        raise InputError(f"Unknown group {group!r}.", field="group", expected="developed | developing | ldc",
                         example="developing")
    m = TfaMember(member, name, group, ratified.isoformat() if ratified else None, illustrative)
    put_record(session, principal, kind="tfa_member", key=member, data=m.to_dict(), label="public",
               scope=f"tfa:{member}", status=group, title=name)
    return m


def put_commitment(session: Session, principal: Principal, *, member: str, measure: str, category: str | None,
                   indicative: dt.date | None, definitive: dt.date | None, items: int = 1, title: str = "",
                   illustrative: bool = False, where: str = "") -> TfaCommitment:
    """Create or update one commitment (Member x measure); a new version keeps the previous dates."""
    cat = (category or "").strip().upper() or None
    if cat is not None and cat not in engine.CATEGORIES:
        raise InputError(f"Unknown category {category!r}.", where=where, field="category",
                         expected="A | B | C (or empty)", example="B")
    if int(items) < 1:
        raise InputError(f"items must be at least 1, got {items}.", where=where, field="items", expected=">= 1",
                         example="1")
    c = TfaCommitment(member, str(measure).strip()[:50], str(title or "")[:300], cat,
                      indicative.isoformat() if indicative else None, definitive.isoformat() if definitive else None,
                      int(items), illustrative)
    put_record(session, principal, kind="tfa_commitment", key=f"{member}:{c.measure}", data=c.to_dict(),
               label="public", scope=f"tfa:{member}", status=cat or "", title=f"{member} {c.measure}")
    return c


def log_notification(session: Session, principal: Principal, *, member: str, kind: str, date: dt.date,
                     measures: list[str], document: str = "", note: str = "") -> Notification:
    """Append one notification to the log (append-only: a correction is a new notification)."""
    kinds = ("designations", "indicative_dates", "definitive_dates", "tacb_requirements", "tacb_arrangements",
             "extension_request", "progress_report", "other")
    if kind not in kinds:
        raise InputError(f"Unknown notification kind {kind!r}.", field="kind", expected=" | ".join(kinds),
                         example="definitive_dates")
    n = session.scalar(select(func.count()).select_from(RecordRow).where(RecordRow.kind == "tfa_notification",
                                                                          RecordRow.scope == f"tfa:{member}")) or 0
    key = f"{member}-{n + 1:04d}"
    data = {"member": member, "kind": kind, "date": date.isoformat(), "measures": measures,
            "document": document[:200], "note": note[:2000]}
    put_record(session, principal, kind="tfa_notification", key=key, data=data, label="public", scope=f"tfa:{member}",
               status=kind, title=f"{member} {kind} {date.isoformat()}", expected_version=0)
    return Notification.from_data(key, data)


def put_programme(session: Session, principal: Principal, *, programme_id: str, donor: str, recipient: str,
                  measures: list[str], start: dt.date, end: dt.date | None, amount_usd: float | None,
                  title: str = "", illustrative: bool = False) -> Programme:
    """Create or update a technical-assistance programme."""
    if end is not None and end < start:
        raise InputError("A programme cannot end before it starts.", field="end", expected=f">= {start}",
                         example=str(start))
    if amount_usd is not None and amount_usd < 0:
        raise InputError("The amount cannot be negative.", field="amount_usd", expected=">= 0", example="250000")
    prog = Programme(programme_id, donor, recipient, tuple(measures), start.isoformat(),
                     end.isoformat() if end else None, amount_usd, title, illustrative)
    put_record(session, principal, kind="tfa_programme", key=programme_id, data=prog.to_dict(), label="public",
               scope=f"tfa:{recipient}", status="", title=title or programme_id)
    return prog


def member_model(session: Session, principal: Principal, member: str) -> engine.MemberTFA:
    """Return a Member with its commitments as the engine's input."""
    code = member.strip().upper()
    try:
        m = get_record(session, principal, "tfa_member", code).data
    except NotFoundError:
        raise NotFoundError(f"No TFA Member {member!r} (import the TFA Database file or the example set first).",
                            field="member", expected="a Member code that was imported", example="XEA") from None
    items = tuple(engine.Item(c.data["measure"], c.data.get("category"), _date(c.data.get("indicative"), "indicative"),
                              _date(c.data.get("definitive"), "definitive"), int(c.data.get("items", 1)),
                              c.data.get("title", ""))
                  for c in list_records(session, principal, "tfa_commitment", scope=f"tfa:{code}"))
    return engine.MemberTFA(code, m["group"], _date(m.get("ratified"), "ratified"), items)


def default_as_of(today: dt.date | None = None) -> dt.date:
    """Return the latest yearly evaluation day (22 February) on or before ``today``."""
    today = today or dt.date.today()
    day = engine.evaluation_day(today.year)
    return day if day <= today else engine.evaluation_day(today.year - 1)


@dataclass(frozen=True, slots=True)
class Readiness:
    """A Member's readiness: rate now and by year, deadlines, notifications, programmes."""

    member: str
    name: str
    group: str
    illustrative: bool
    rate: engine.MemberRate
    series: tuple[engine.MemberRate, ...]
    notification_deadlines: tuple[engine.Deadline, ...]
    extension_dates: tuple[engine.Deadline, ...]
    notifications: tuple[Notification, ...]
    programmes: tuple[Programme, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {"member": self.member, "name": self.name, "group": self.group, "illustrative": self.illustrative,
                "rate": self.rate.to_dict(),
                "series": [{"on": r.on.isoformat(), "rate": r.rate, "committed_items": r.committed_items}
                           for r in self.series],
                "notification_deadlines": [d.to_dict() for d in self.notification_deadlines],
                "extension_dates": [d.to_dict() for d in self.extension_dates],
                "notifications": [n.to_dict() for n in self.notifications],
                "programmes": [p.to_dict() for p in self.programmes]}


def rate(session: Session, principal: Principal, member: str, *, as_of: dt.date | None = None) -> engine.MemberRate:
    """Return a Member's implementation rate on ``as_of`` (default: the latest 22 February)."""
    return engine.member_rate(member_model(session, principal, member), as_of or default_as_of())


def member_rates(session: Session, principal: Principal, *, as_of: dt.date) -> list[MemberRateRow]:
    """Return every Member the principal may read with its rate on ``as_of``.

    A Member whose rate cannot be computed (no ratification date, say) carries ``rate`` None and
    the reason in ``rate_text``.
    """
    from tradepolicy.errors import TradePolicyError

    out = []
    for rec in list_records(session, principal, "tfa_member"):
        m = _member_of(rec.data)
        try:
            r = rate(session, principal, rec.key, as_of=as_of)
            out.append(MemberRateRow(m, r.rate, f"{r.rate:.2%}"))
        except TradePolicyError as exc:
            out.append(MemberRateRow(m, None, exc.message))
    return out


def readiness(session: Session, principal: Principal, member: str, *, as_of: dt.date | None = None) -> Readiness:
    """Return everything the country readiness report shows."""
    m = member_model(session, principal, member)
    on = as_of or default_as_of()
    head = get_record(session, principal, "tfa_member", m.member).data
    notes = tuple(Notification.from_data(r.key, r.data)
                  for r in list_records(session, principal, "tfa_notification", scope=f"tfa:{m.member}"))
    progs = tuple(Programme.from_data(r.data)
                  for r in list_records(session, principal, "tfa_programme", scope=f"tfa:{m.member}"))
    return Readiness(m.member, head.get("name", m.member), m.group, bool(head.get("illustrative")),
                     engine.member_rate(m, on), tuple(engine.yearly_rates(m, on)),
                     tuple(engine.notification_deadlines(m.group)), tuple(engine.extension_dates(m.group, m.items)),
                     notes, progs)


# ----------------------------------------------------------------------------------------------
# Import
def _read_table(content: bytes, filename: str) -> list[dict[str, Any]]:
    import pandas as pd

    if len(content) > MAX_IMPORT_BYTES:
        raise InputError(f"{filename} is {len(content):,} bytes; the limit is {MAX_IMPORT_BYTES:,}.", where=filename,
                         field="file", expected=f"at most {MAX_IMPORT_BYTES:,} bytes", example="tfa.xlsx")
    name = filename.lower()
    try:
        if name.endswith((".xlsx", ".xlsm")):
            df = pd.read_excel(io.BytesIO(content), dtype=object)
        elif name.endswith(".csv"):
            df = pd.read_csv(io.BytesIO(content), dtype=object, keep_default_na=False)
        else:
            raise InputError(f"{filename}: unknown file type.", where=filename, field="file",
                             expected="a .xlsx or .csv file", example="tfa_database.xlsx")
    except InputError:
        raise
    except Exception as exc:  # a corrupt spreadsheet: say so with the parser's reason
        raise InputError(f"{filename} could not be read: {exc}", where=filename, field="file",
                         expected="a .xlsx or .csv file from the TFA Database", example="tfa_database.xlsx") from None
    if len(df) > MAX_ROWS:
        raise InputError(f"{filename} has {len(df):,} rows; the limit is {MAX_ROWS:,}.", where=filename, field="file",
                         expected=f"at most {MAX_ROWS:,} rows", example="one Member's sheet")
    mapping: dict[str, str] = {}
    unknown = []
    for col in df.columns:
        key = str(col).strip().lower()
        canon = next((c for c, aliases in COLUMNS.items() if key in aliases), None)
        if canon is None:
            unknown.append(str(col))
        else:
            mapping[str(col)] = canon
    if unknown:
        raise InputError(f"{filename}: unknown column(s) {', '.join(repr(u) for u in unknown)}.", where=filename,
                         field=unknown[0], expected="columns: " + ", ".join(COLUMNS),
                         example="member, member_name, group, ratified, measure, category, indicative_date, definitive_date, items")
    missing = [c for c in REQUIRED if c not in mapping.values()]
    if missing:
        raise InputError(f"{filename}: missing column(s) {', '.join(missing)}.", where=filename, field=missing[0],
                         expected="columns: " + ", ".join(COLUMNS), example="member, measure, category")
    df = df.rename(columns=mapping)
    return [{str(k): (None if v == "" else v) for k, v in row.items()} for row in df.to_dict(orient="records")]


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import stored."""

    filename: str
    members: int
    commitments: int

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {"filename": self.filename, "members": self.members, "commitments": self.commitments}


def import_file(session: Session, principal: Principal, content: bytes, filename: str) -> ImportResult:
    """Import a TFA Database spreadsheet (xlsx or csv) in one transaction: all rows or none."""
    rows = _read_table(content, filename)
    members: dict[str, dict[str, Any]] = {}
    n = 0
    for i, row in enumerate(rows, start=2):
        where = f"{filename}: row {i}"
        code = _member_code(row.get("member"), where)
        if code not in members:
            group = str(row.get("group") or "developing").strip().lower()
            group = {"least developed": "ldc", "least-developed": "ldc", "lcd": "ldc"}.get(group, group)
            members[code] = {"name": str(row.get("member_name") or code), "group": group,
                             "ratified": _date(row.get("ratified"), f"{where}: ratified")}
        items_raw = row.get("items")
        try:
            items = int(float(items_raw)) if items_raw not in (None, "") else 1
        except (TypeError, ValueError):
            raise InputError(f"{where}: items {items_raw!r} is not a number.", where=where, field="items",
                             expected="a whole number", example="1") from None
        put_commitment(session, principal, member=code, measure=str(row.get("measure") or "").strip(),
                       category=row.get("category"), indicative=_date(row.get("indicative_date"), f"{where}: indicative_date"),
                       definitive=_date(row.get("definitive_date"), f"{where}: definitive_date"), items=items,
                       title=str(row.get("title") or ""), where=where)
        n += 1
    for code, m in members.items():
        try:
            put_member(session, principal, member=code, name=m["name"], group=m["group"], ratified=m["ratified"])
        except InputError as exc:
            raise InputError(f"{filename}, Member {code}: {exc.message}", where=filename, field="group",
                             expected="developed | developing | ldc", example="developing") from None
    return ImportResult(filename, len(members), n)


@dataclass(frozen=True, slots=True)
class ExampleLoaded:
    """What loading the illustrative example set stored."""

    members: int
    commitments: int

    def to_dict(self) -> dict[str, int]:
        """Return a JSON-safe dict."""
        return {"members": self.members, "commitments": self.commitments}


def seed_example(session: Session, actor: str) -> ExampleLoaded:
    """Seeder: the hand-made ILLUSTRATIVE example set (fictitious Members), for demos and tests."""
    who = Principal(name=actor, role="administrator", via="system")
    ex = example_set()
    n = 0
    for m in ex["members"]:
        put_member(session, who, member=m["member"], name=m["name"], group=m["group"],
                   ratified=_date(m.get("ratified"), "ratified"), illustrative=True)
        for c in m.get("commitments", []):
            put_commitment(session, who, member=m["member"], measure=c["measure"], category=c.get("category"),
                           indicative=_date(c.get("indicative"), "indicative"),
                           definitive=_date(c.get("definitive"), "definitive"), items=int(c.get("items", 1)),
                           title=c.get("title", ""), illustrative=True)
            n += 1
        for note in m.get("notifications", []):
            log_notification(session, who, member=m["member"], kind=note["kind"], date=_date(note["date"], "date") or dt.date.today(),
                             measures=list(note.get("measures", [])), document=note.get("document", ""),
                             note="illustrative")
    for p in ex.get("programmes", []):
        put_programme(session, who, programme_id=p["id"], donor=p["donor"], recipient=p["recipient"],
                      measures=list(p["measures"]), start=_date(p["start"], "start") or dt.date.today(),
                      end=_date(p.get("end"), "end"), amount_usd=p.get("amount_usd"), title=p.get("title", ""),
                      illustrative=True)
    return ExampleLoaded(len(ex["members"]), n)
