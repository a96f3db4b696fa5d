"""The WTO dispute registry, its views, appeals into the void and the MPIA.

DS1-DS538 come from ``wto-disputes``; later disputes are transcribed with citations. Views: the US as
complainant / respondent, by agreement, by status.

Disputes are cases on the ``wto_dsu`` procedure (``proceedings`` + ``proceeding_events``) whose metadata
(``data["meta"]``: complainants, respondent, third parties, agreements cited, status) comes from the data
file or the transcription. Reform proposals, ministerial decisions and MPIA participation are generic
records (kind ``wto_reform``, ``mpia``). Every write is one transaction with its audit entry.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradepolicy.enforcement.registry import DisputeRecord, disputes_since_ds539, wto_reform
from tradepolicy.errors import ConflictError, InputError, NotFoundError
from tradepolicy.law.case_meta import CaseCitation, check_meta
from tradepolicy.law.procedures import EventRecord, check_event, current_stage, get_procedure
from tradepolicy.law.rules import rule_value
from tradepolicy.platform.principal import ANONYMOUS, Principal, local_operator
from tradepolicy.services import proceedings as cases
from tradepolicy.services.records import list_records, put_record
from tradepolicy.store import audit
from tradepolicy.store.db import read_session, transaction
from tradepolicy.store.models import Proceeding, ProceedingEvent

PROCEDURE = "wto_dsu"
DS_ID = re.compile(r"^DS(\d{1,4})$")
US = "United States"
DATASET = "wto-disputes"


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a registry load did: cases inserted / already present, events appended, records written."""

    inserted: int
    unchanged: int
    events_added: int
    records: int
    from_dataset: int
    transcribed: int


@dataclass(frozen=True, slots=True)
class DisputeRow:
    """One dispute as the registry views show it."""

    ds: str
    number: int
    title: str
    complainants: tuple[str, ...]
    respondent: str
    third_parties: tuple[str, ...]
    agreements: tuple[str, ...]
    status: str
    consultations_requested: dt.date | None
    stage: str
    appealed_on: dt.date | None
    into_the_void: bool
    confirmed: bool
    source: str

    def to_dict(self) -> dict[str, Any]:
        """Return the row as JSON-safe values (lists joined with '; ' for CSV readers)."""
        return {"ds": self.ds, "number": self.number, "title": self.title,
                "complainants": "; ".join(self.complainants), "respondent": self.respondent,
                "third_parties": "; ".join(self.third_parties), "agreements": "; ".join(self.agreements),
                "status": self.status,
                "consultations_requested": self.consultations_requested.isoformat() if self.consultations_requested else None,
                "stage": self.stage, "appealed_on": self.appealed_on.isoformat() if self.appealed_on else None,
                "into_the_void": self.into_the_void, "confirmed": self.confirmed, "source": self.source}


COLUMNS = ["ds", "number", "title", "complainants", "respondent", "third_parties", "agreements", "status",
           "consultations_requested", "stage", "appealed_on", "into_the_void", "confirmed", "source"]


def ds_id(value: str) -> str:
    """Normalise ``ds543`` / ``DS 543`` / ``543`` to ``DS543``; raise ``InputError`` otherwise."""
    text = str(value).strip().upper().replace(" ", "")
    if text.isdigit():
        text = "DS" + text
    m = DS_ID.match(text)
    if not m or int(m.group(1)) < 1:
        raise InputError(f"Malformed WTO dispute number {value!r}.", field="ds", expected="DS followed by 1-4 digits",
                         example="DS543")
    return f"DS{int(m.group(1))}"


def agreement_name(cited: str) -> str:
    """Return the agreement of a citation ``"GATT 1994: Art. I, III"`` -> ``"GATT 1994"``."""
    return cited.split(":", 1)[0].strip()


# --------------------------------------------------------------------------- loading

def _dataset_cases() -> list[dict[str, Any]]:
    from tradepolicy.datasets.readers.enforcement import read_wto_disputes

    df = read_wto_disputes()
    out = []
    for r in df.to_dict("records"):
        n = int(r["ds_number"])
        date = r["consultations_requested"]
        out.append({
            "ds": f"DS{n}", "title": str(r["title"]), "date": date if isinstance(date, dt.date) else None,
            "meta": {"wto_ds": f"DS{n}", "country": str(r["respondent"]),
                     "parties": {"complainant": list(r["complainants"]), "respondent": [str(r["respondent"])],
                                 "third_party": []},
                     "agreements_cited": list(r["agreements_cited"]), "status": str(r["status_2019"]),
                     "citations": [{"title": "wto-disputes: DeepWTO wto.csv (WTO dispute pages, statuses of about "
                                             "March 2019); no third parties in the file", "href": None}]},
        })
    return out


def _transcribed_meta(rec: DisputeRecord) -> dict[str, Any]:
    return check_meta({"wto_ds": rec.ds, "country": rec.respondent,
                       "parties": {"complainant": rec.complainants, "respondent": [rec.respondent],
                                   "third_party": rec.third_parties},
                       "agreements_cited": rec.agreements_cited, "status": rec.status,
                       "citations": [c.model_dump() for c in rec.citations], "confirmed": rec.confirmed,
                       "notes": rec.notes})


def load_registry(*, actor: Principal | None = None, include_dataset: bool = True) -> LoadReport:
    """Load DS1-DS538 (dataset), the transcribed later disputes and the reform records, in one transaction.

    Idempotent: a dispute already stored keeps what it has and gains only transcribed events it lacks.
    """
    who = actor or local_operator()
    proc = get_procedure(PROCEDURE)
    inserted = unchanged = events_added = 0
    data_rows = _dataset_cases() if include_dataset else []
    with transaction() as s:
        have = set(s.scalars(select(Proceeding.id).where(Proceeding.procedure == PROCEDURE)))
        for row in data_rows:
            if row["ds"] in have:
                unchanged += 1
                continue
            s.add(Proceeding(id=row["ds"], procedure=PROCEDURE, title=f"{row['ds']} {row['title']}",
                             created_by=who.name, data={"meta": check_meta(row["meta"]), "source": DATASET}))
            if row["date"] is not None:
                check_event(proc, [], "consultations_requested", row["date"])
                s.add(ProceedingEvent(proceeding_id=row["ds"], seq=1, event="consultations_requested",
                                      date=row["date"], payload={"source": DATASET, "confirmed": True},
                                      recorded_by=who.name))
                events_added += 1
            inserted += 1
        if data_rows:
            s.flush()
            audit.record(s, actor=who.name, action="bulk_insert", entity="proceedings", entity_id="wto-disputes",
                         before=None, after={"procedure": PROCEDURE, "inserted": inserted, "dataset": DATASET})
        for rec in disputes_since_ds539():
            if rec.ds not in have and s.get(Proceeding, rec.ds) is None:
                cases.open_case(procedure=PROCEDURE, case_id=rec.ds, title=f"{rec.ds} {rec.title}",
                                meta=_transcribed_meta(rec), data={"source": "transcribed"},
                                actor=who.name, session=s)
                inserted += 1
            else:
                unchanged += 1
            stored = {(e.event, e.date) for e in s.scalars(select(ProceedingEvent)
                                                            .where(ProceedingEvent.proceeding_id == rec.ds))}
            for ev in rec.events:
                if (ev.event, ev.date) in stored:
                    continue
                cases.record_event(rec.ds, ev.event, ev.date, payload={"source": ev.source, "confirmed": ev.confirmed},
                                   note=ev.note, actor=who.name, session=s)
                events_added += 1
        records = _load_reform(s, who)
    return LoadReport(inserted=inserted, unchanged=unchanged, events_added=events_added, records=records,
                      from_dataset=len(data_rows), transcribed=len(disputes_since_ds539()))


def _load_reform(s: Session, who: Principal) -> int:
    mpia, recs = wto_reform()
    n = 0
    existing = {r.key: r for r in list_records(s, who, "wto_reform")} | {
        r.key: r for r in list_records(s, who, "mpia")}
    for rec in recs:
        data = rec.model_dump(mode="json")
        if rec.key in existing and existing[rec.key].data == data:
            continue
        put_record(s, who, kind="wto_reform", key=rec.key, data=data, title=rec.title, status=rec.kind,
                   scope="wto_reform")
        n += 1
    for p in mpia.participants:
        key = re.sub(r"[^a-z0-9]+", "-", p.member.lower()).strip("-")
        data = {**p.model_dump(mode="json"), "citations": [c.model_dump() for c in mpia.citations]}
        if key in existing and existing[key].data == data:
            continue
        put_record(s, who, kind="mpia", key=key, data=data, title=p.member, status="participant", scope="wto_reform")
        n += 1
    return n


def add_dispute(ds: str, *, title: str, complainants: list[str], respondent: str,
                consultations_requested: str | dt.date, third_parties: list[str] | None = None,
                agreements_cited: list[str] | None = None, status: str = "In consultations",
                source: str, confirmed: bool = True, actor: Principal | None = None) -> DisputeRow:
    """Enter a later dispute (its consultation request as the first event, with its source)."""
    ident = ds_id(ds)
    if not complainants or not respondent.strip():
        raise InputError("A dispute needs at least one complainant and a respondent.", field="complainants",
                         expected="names of WTO Members", example="China")
    if not source or len(source.strip()) < 3:
        raise InputError("A dispute entered by hand needs its source.", field="source",
                         expected="a document symbol or URL", example="WT/DS597/1")
    who = actor or local_operator()
    meta = check_meta({"wto_ds": ident, "country": respondent,
                       "parties": {"complainant": complainants, "respondent": [respondent],
                                   "third_party": third_parties or []},
                       "agreements_cited": agreements_cited or [], "status": status,
                       "citations": [{"title": source}], "confirmed": confirmed})
    with transaction() as s:
        if s.get(Proceeding, ident) is not None:
            raise ConflictError(f"Dispute {ident} is already in the registry.", field="ds",
                                expected="a DS number not yet stored", example=f"DS{int(ident[2:]) + 1}")
        cases.open_case(procedure=PROCEDURE, case_id=ident, title=f"{ident} {title}", meta=meta,
                        data={"source": "entered"}, actor=who.name, session=s)
        cases.record_event(ident, "consultations_requested", consultations_requested,
                           payload={"source": source, "confirmed": confirmed}, actor=who.name, session=s)
    return get_dispute(ident)


# --------------------------------------------------------------------------- views

def _rows(session: Session) -> list[DisputeRow]:
    proc = get_procedure(PROCEDURE)
    void_from = rule_value("wto.ab_inoperative_from").value
    assert isinstance(void_from, dt.date)
    procs = session.scalars(select(Proceeding).where(Proceeding.procedure == PROCEDURE)).all()
    events: dict[str, list[EventRecord]] = {}
    q = (select(ProceedingEvent).join(Proceeding, Proceeding.id == ProceedingEvent.proceeding_id)
         .where(Proceeding.procedure == PROCEDURE).order_by(ProceedingEvent.proceeding_id, ProceedingEvent.seq))
    for e in session.scalars(q):
        if (e.payload or {}).get("planned"):
            continue
        events.setdefault(e.proceeding_id, []).append(EventRecord(seq=e.seq, event=e.event, date=e.date,
                                                                  payload=dict(e.payload or {})))
    out = []
    for p in procs:
        meta = (p.data or {}).get("meta") or {}
        if not meta.get("wto_ds"):
            continue  # a wto_dsu case outside the registry (e.g. the law seed 'ds543')
        evs = events.get(p.id, [])
        parties = meta.get("parties") or {}
        first = next((e.date for e in evs if e.event == "consultations_requested"), None)
        appealed = next((e.date for e in evs if e.event == "appealed"), None)
        out.append(DisputeRow(
            ds=p.id, number=int(p.id[2:]), title=p.title.removeprefix(f"{p.id} "),
            complainants=tuple(parties.get("complainant", [])), respondent=(parties.get("respondent") or [""])[0],
            third_parties=tuple(parties.get("third_party", [])),
            agreements=tuple(dict.fromkeys(agreement_name(a) for a in meta.get("agreements_cited", []))),
            status=meta.get("status", ""), consultations_requested=first,
            stage=current_stage(proc, evs), appealed_on=appealed,
            into_the_void=appealed is not None and appealed >= void_from,
            confirmed=bool(meta.get("confirmed", True)), source=(p.data or {}).get("source", "")))
    out.sort(key=lambda r: r.number)
    return out


def list_disputes(*, us: str | None = None, agreement: str | None = None, status: str | None = None,
                  session: Session | None = None) -> list[DisputeRow]:
    """Return registry disputes, filtered.

    ``us``: where the US is ``complainant`` / ``respondent``; ``agreement``: citing that agreement (the
    name before the colon, case-insensitive); ``status``: whose status contains the text.
    """
    if us is not None and us not in ("complainant", "respondent"):
        raise InputError(f"Unknown US role {us!r}.", field="us", expected="complainant | respondent",
                         example="respondent")
    if session is None:
        with read_session() as s:
            rows = _rows(s)
    else:
        rows = _rows(session)
    if us == "complainant":
        rows = [r for r in rows if US in r.complainants]
    elif us == "respondent":
        rows = [r for r in rows if r.respondent == US]
    if agreement:
        a = agreement.strip().lower()
        rows = [r for r in rows if any(x.lower() == a for x in r.agreements)]
    if status:
        st = status.strip().lower()
        rows = [r for r in rows if st in r.status.lower()]
    return rows


def get_dispute(ds: str) -> DisputeRow:
    """Return one dispute of the registry, or ``NotFoundError`` naming what the registry holds."""
    ident = ds_id(ds)
    rows = {r.ds: r for r in list_disputes()}
    if ident not in rows:
        top = max((r.number for r in rows.values()), default=0)
        raise NotFoundError(f"Unknown dispute {ident}: not in the registry.", field="ds",
                            expected=(f"one of the {len(rows)} stored disputes (DS1-DS{top}); load them with "
                                      "`tradepolicy disputes load` or enter it with `tradepolicy disputes add`"),
                            example="DS543")
    return rows[ident]


@dataclass(frozen=True, slots=True)
class CountRow:
    """A count of disputes under one key (agreement or status), split by the US role."""

    key: str
    disputes: int
    us_complainant: int
    us_respondent: int


def by_agreement(rows: list[DisputeRow] | None = None) -> list[CountRow]:
    """Count disputes per agreement cited (a dispute citing several counts under each), most cited first."""
    return _count(rows if rows is not None else list_disputes(), lambda r: list(r.agreements))


def by_status(rows: list[DisputeRow] | None = None) -> list[CountRow]:
    """Count disputes per status text, most frequent first."""
    return _count(rows if rows is not None else list_disputes(), lambda r: [r.status or "(none)"])


def _count(rows: list[DisputeRow], keys: Any) -> list[CountRow]:
    tot: Counter[str] = Counter()
    comp: Counter[str] = Counter()
    resp: Counter[str] = Counter()
    for r in rows:
        for k in keys(r):
            tot[k] += 1
            comp[k] += US in r.complainants
            resp[k] += r.respondent == US
    return [CountRow(k, n, comp[k], resp[k]) for k, n in sorted(tot.items(), key=lambda kv: (-kv[1], kv[0]))]


class MpiaRow(BaseModel):
    """An MPIA participant as stored (a ``mpia`` record), with the MPIA's citations."""

    model_config = ConfigDict(frozen=True)

    member: str
    joined: str
    confirmed: bool
    note: str | None = None
    citations: tuple[CaseCitation, ...] = ()


class ReformRow(BaseModel):
    """A reform event, proposal or ministerial decision as stored (a ``wto_reform`` record)."""

    model_config = ConfigDict(frozen=True)

    key: str
    kind: str
    title: str
    date: str
    confirmed: bool
    citations: tuple[CaseCitation, ...] = ()


@dataclass(frozen=True, slots=True)
class ReformOverview:
    """Appellate Body vacancy, appeals into the void, MPIA participants, reform records."""

    as_of: dt.date
    ab_inoperative_from: dt.date
    days_without_ab: int
    appeals_into_void: tuple[DisputeRow, ...]
    appeals_into_void_us_respondent: int
    mpia_participants: tuple[MpiaRow, ...]
    records: tuple[ReformRow, ...]
    citation: str = field(default="")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (the keys of ``disputes reform --json``)."""
        return {"as_of": self.as_of.isoformat(), "ab_inoperative_from": self.ab_inoperative_from.isoformat(),
                "days_without_ab": self.days_without_ab,
                "appeals_into_void": [r.to_dict() for r in self.appeals_into_void],
                "appeals_into_void_us_respondent": self.appeals_into_void_us_respondent,
                "mpia_participants": [m.model_dump(mode="json") for m in self.mpia_participants],
                "records": [r.model_dump(mode="json") for r in self.records], "citation": self.citation}


def reform_overview(*, as_of: dt.date | None = None, principal: Principal = ANONYMOUS,
                    rows: list[DisputeRow] | None = None) -> ReformOverview:
    """Return the WTO reform picture counted from the registry (appeals) and the stored records."""
    when = as_of or dt.date.today()
    rv = rule_value("wto.ab_inoperative_from")
    start = rv.value
    assert isinstance(start, dt.date)
    rows = rows if rows is not None else list_disputes()
    void = tuple(r for r in rows if r.into_the_void)
    with read_session() as s:
        mpia = [MpiaRow.model_validate(r.data) for r in list_records(s, principal, "mpia")]
        recs = [ReformRow.model_validate({**r.data, "key": r.key}) for r in list_records(s, principal, "wto_reform")]
    mpia.sort(key=lambda d: (d.joined, d.member))
    recs.sort(key=lambda d: d.date)
    return ReformOverview(as_of=when, ab_inoperative_from=start, days_without_ab=(when - start).days,
                          appeals_into_void=void,
                          appeals_into_void_us_respondent=sum(1 for r in void if r.respondent == US),
                          mpia_participants=tuple(mpia), records=tuple(recs), citation=rv.citation)
