"""Section 301 product exclusions: request -> responses (objections, support) -> decision.

A request names the requester, the HTS10, the product, the rationale and BCI data (a field
labelled ``bci``: only readers with a grant for the docket see it, and each read is logged). A
granted exclusion becomes a dated measure (``exclusion_grants``) that the duty stack applies as
an exclusion layer, citing its docket and decision, only inside its window
(:func:`granted_windows`, called by ``services.tariffs.stack``). The real China exclusions of
2018-2020 (dataset ``section301-china``) are listed as history.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from tradepolicy.errors import ConflictError, InputError, NotFoundError
from tradepolicy.law.rules import rule_value
from tradepolicy.platform.principal import Principal
from tradepolicy.services.dockets import _docket, check_docket_id, scope_of
from tradepolicy.services.records import RecordView, get_record, list_records, put_record
from tradepolicy.services.typed import DictMixin
from tradepolicy.store.models_coordination import ExclusionGrant
from tradepolicy.tariffs.dated_measures import ExclusionWindow

KIND_REQUEST = "s301_exclusion_request"
KIND_RESPONSE = "s301_exclusion_response"
REQUEST_ID = re.compile(r"^EXCL-\d{4}-\d{5}$")
POSITIONS = ("object", "support")


@dataclass(frozen=True, slots=True)
class ExclusionView:
    """A request as a principal may see it (``bci_data`` removed without a grant)."""

    id: str
    status: str
    docket_id: str
    requester: str
    hts10: str
    product: str
    rationale: str
    bci_data: str | None
    requested_on: str
    response_due: str
    response_rule: str
    responses: tuple[dict[str, Any], ...]
    decision: dict[str, Any] | None
    redacted_fields: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        d = asdict(self)
        d["responses"], d["redacted_fields"] = list(self.responses), list(self.redacted_fields)
        return d


def _view(rec: RecordView, responses: list[RecordView]) -> ExclusionView:
    d = rec.data
    return ExclusionView(
        id=rec.key, status=rec.status, docket_id=d["docket_id"], requester=d["requester"], hts10=d["hts10"],
        product=d["product"], rationale=d["rationale"], bci_data=d.get("bci_data"),
        requested_on=d["requested_on"], response_due=d["response_due"], response_rule=d["response_rule"],
        responses=tuple({"id": r.key, **{k: r.data[k] for k in ("party", "position", "text", "filed_on")}}
                        for r in responses),
        decision=d.get("decision"), redacted_fields=rec.redacted_fields)


def _check_hts10(hts10: str) -> tuple[str, str]:
    """Return (digits, Section 301 heading) of a covered HTS10 line, or raise naming ``hts10``."""
    from tradepolicy.services.dockets import check_hts_list
    from tradepolicy.services.tariffs import s301_coverage
    from tradepolicy.tariffs.dated_measures import prefix_match
    from tradepolicy.tariffs.hts_code import normalize_hts

    digits = normalize_hts(hts10, field="hts10")
    if len(digits) != 10:
        raise InputError(f"An exclusion names one HTS10 statistical line (got {hts10!r}).", field="hts10",
                         expected="10 digits", example="8481.80.50.90")
    try:
        check_hts_list([digits])
    except InputError as exc:
        raise InputError(exc.message, field="hts10", expected=exc.expected, example=exc.example,
                         details=exc.details) from exc
    hit = prefix_match(digits, s301_coverage())
    if hit is None:
        raise InputError(f"HTS {hts10} is not covered by the Section 301 China duties; nothing to exclude.",
                         field="hts10", expected="a line of Lists 1-4A (9903.88 headings)", example="8481.80.50.90")
    return digits, str(hit[1])


def _next_id(session: Session, year: int) -> str:
    from tradepolicy.store.models_platform import RecordRow

    keys = session.execute(select(RecordRow.key).where(RecordRow.kind == KIND_REQUEST,
                                                       RecordRow.key.like(f"EXCL-{year}-%"))).scalars().all()
    n = max((int(k.rsplit("-", 1)[1]) for k in keys), default=0) + 1
    return f"EXCL-{year}-{n:05d}"


def request_exclusion(session: Session, actor: Principal, *, docket_id: str, requester: str, hts10: str,
                      product: str, rationale: str, bci_data: str = "", requested_on: dt.date | None = None) -> ExclusionView:
    """File an exclusion request on an exclusions docket; responses fall due per ``s301.exclusion_response``."""
    did = check_docket_id(docket_id)
    _docket(session, did, actor)
    for name, value, limit in (("requester", requester, 300), ("product", product, 2000), ("rationale", rationale, 20000),
                               ("bci_data", bci_data, 20000)):
        if name != "bci_data" and not (value or "").strip():
            raise InputError(f"An exclusion request needs its {name}.", field=name, expected=f"1 to {limit} characters",
                             example={"requester": "Acme Valves LLC", "product": "Brass ball valves, 1/2 inch",
                                      "rationale": "No U.S. source"}[name])
        if len(value or "") > limit:
            raise InputError(f"{name} is {len(value):,} characters; at most {limit:,}.", field=name,
                             expected=f"at most {limit:,} characters", example="shorter text")
    digits, heading = _check_hts10(hts10)
    on = requested_on or dt.date.today()
    rv = rule_value("s301.exclusion_response", on=on)
    due = on + dt.timedelta(days=int(rv.value))
    key = _next_id(session, on.year)
    rec = put_record(session, actor, kind=KIND_REQUEST, key=key, label="public", scope=scope_of(did),
                     status="requested", title=f"{product.strip()[:200]} ({digits})",
                     field_labels={"bci_data": "bci"} if bci_data else None,
                     data={"docket_id": did, "requester": requester.strip(), "hts10": digits, "heading": heading,
                           "product": product.strip(), "rationale": rationale.strip(),
                           **({"bci_data": bci_data.strip()} if bci_data else {}),
                           "requested_on": on.isoformat(), "response_due": due.isoformat(),
                           "response_rule": f"{rv.rule_id}: {rv.citation}" + ("" if rv.confirmed else " (UNCONFIRMED)")},
                     expected_version=0)
    return _view(get_record(session, actor, KIND_REQUEST, rec.key), [])


def _request(session: Session, principal: Principal, request_id: str, where: str = "") -> RecordView:
    rid = (request_id or "").strip().upper()
    if not REQUEST_ID.match(rid):
        raise InputError(f"Malformed exclusion request id {request_id!r}.", field="request_id",
                         expected="EXCL-YYYY-NNNNN", example="EXCL-2026-00001")
    try:
        return get_record(session, principal, KIND_REQUEST, rid, where=where)
    except NotFoundError:
        raise NotFoundError(f"No exclusion request {rid!r}.", field="request_id",
                            expected="an id from `tradepolicy exclusions list`", example="EXCL-2026-00001") from None


def respond(session: Session, actor: Principal, request_id: str, *, party: str, position: str, text: str,
            filed_on: dt.date | None = None) -> ExclusionView:
    """File a response (an objection or support) on a request within the response period."""
    rec = _request(session, actor, request_id)
    if rec.status != "requested":
        raise ConflictError(f"Request {rec.key} is {rec.status}; responses are closed.", field="request_id",
                            expected="a pending request", example=rec.key)
    if position not in POSITIONS:
        raise InputError(f"Unknown position {position!r}.", field="position", expected=" | ".join(POSITIONS), example="object")
    if not party.strip() or not text.strip() or len(text) > 20000 or len(party) > 300:
        raise InputError("A response names the party and gives its text (at most 20,000 characters).",
                         field="party" if not party.strip() else "text", expected="non-empty text", example="Domestic Valve Co.")
    on = filed_on or dt.date.today()
    due = dt.date.fromisoformat(rec.data["response_due"])
    if on > due:
        raise InputError(f"Responses to {rec.key} were due by {due} ({rec.data['response_rule']}).", field="filed_on",
                         expected=f"on or before {due}", example=due.isoformat())
    n = len(list_records(session, actor, KIND_RESPONSE, scope=f"exclusion:{rec.key}")) + 1
    put_record(session, actor, kind=KIND_RESPONSE, key=f"{rec.key}-R{n:03d}", label="public",
               scope=f"exclusion:{rec.key}", status=position, title=f"{position} by {party.strip()}",
               data={"request_id": rec.key, "party": party.strip(), "position": position, "text": text.strip(),
                     "filed_on": on.isoformat()}, expected_version=0)
    return get_exclusion(session, actor, rec.key)


def decide(session: Session, actor: Principal, request_id: str, *, decision: str, published: dt.date,
           notice: str, effective_from: dt.date | None = None, effective_until: dt.date | None = None,
           reason: str = "") -> ExclusionView:
    """Decide a request (granted or denied). A grant becomes a dated measure in the duty stack.

    The window runs from ``effective_from`` (earlier than ``published`` = retroactive) to
    ``effective_until``, by default ``published`` plus the validity of ``s301.exclusion_validity``.
    """
    rec = _request(session, actor, request_id)
    if rec.status != "requested":
        raise ConflictError(f"Request {rec.key} is already {rec.status}.", field="request_id",
                            expected="a pending request", example=rec.key)
    if decision not in ("granted", "denied"):
        raise InputError(f"Unknown decision {decision!r}.", field="decision", expected="granted | denied", example="granted")
    if not notice.strip() or len(notice) > 500:
        raise InputError("A decision cites its notice (e.g. the Federal Register notice).", field="notice",
                         expected="a citation of at most 500 characters", example="91 FR 12345 (2026-03-02)")
    data = dict(rec.data)
    out: dict[str, Any] = {"decision": decision, "published": published.isoformat(), "notice": notice.strip(),
                           "reason": reason.strip()[:5000], "decided_by": actor.name}
    if decision == "granted":
        start = effective_from or published
        if effective_until is None:
            rv = rule_value("s301.exclusion_validity", on=published)
            years = int(rv.value)
            try:
                end = published.replace(year=published.year + years) - dt.timedelta(days=1)
            except ValueError:  # 29 February
                end = published.replace(year=published.year + years, day=28)
            out["validity_rule"] = f"{rv.rule_id}: {rv.citation}" + ("" if rv.confirmed else " (UNCONFIRMED)")
        else:
            end = effective_until
        if end < start:
            raise InputError(f"The exclusion would end ({end}) before it starts ({start}).", field="effective_until",
                             expected=f"a date on or after {start}", example=(start + dt.timedelta(days=364)).isoformat())
        out.update({"start": start.isoformat(), "end": end.isoformat(), "retroactive": start < published})
        citation = (f"Section 301 exclusion {rec.key} granted ({notice.strip()}), docket {data['docket_id']}; "
                    f"in force {start.isoformat()} to {end.isoformat()}")
        session.add(ExclusionGrant(request_id=rec.key, hts10=data["hts10"], start=start, end=end,
                                   docket_id=data["docket_id"], citation=citation, label="public",
                                   scope=scope_of(data["docket_id"]), decided_by=actor.name))
    data["decision"] = out
    field_labels = {"bci_data": "bci"} if "bci_data" in rec.field_labels else None
    if "bci_data" in rec.redacted_fields:  # keep the stored BCI data in the new version
        from tradepolicy.store.models_platform import RecordRow, RecordVersion

        head = session.execute(select(RecordRow).where(RecordRow.kind == KIND_REQUEST, RecordRow.key == rec.key)).scalar_one()
        stored = session.execute(select(RecordVersion).where(RecordVersion.record_id == head.id,
                                                             RecordVersion.version == head.version)).scalar_one()
        data["bci_data"] = stored.data.get("bci_data")
    put_record(session, actor, kind=KIND_REQUEST, key=rec.key, data=data, label="public", scope=rec.scope,
               status=decision, title=rec.title, field_labels=field_labels, expected_version=rec.version,
               note=f"decision: {decision} ({notice.strip()})")
    return get_exclusion(session, actor, rec.key)


def get_exclusion(session: Session, principal: Principal, request_id: str, *, where: str = "") -> ExclusionView:
    """Return a request with its responses (BCI data only with a grant; the read is logged)."""
    rec = _request(session, principal, request_id, where)
    responses = list_records(session, principal, KIND_RESPONSE, scope=f"exclusion:{rec.key}")
    return _view(rec, responses)


def list_exclusions(session: Session, principal: Principal, *, status: str | None = None) -> list[ExclusionView]:
    """Return every request the principal may read (BCI data removed without a grant)."""
    out = []
    for rec in list_records(session, principal, KIND_REQUEST, status=status):
        responses = list_records(session, principal, KIND_RESPONSE, scope=f"exclusion:{rec.key}")
        out.append(_view(rec, responses))
    return out


@dataclass(frozen=True, slots=True)
class HistoricExclusion(DictMixin):
    """A real China exclusion granted 2018-2020 (dataset ``section301-china``) with its window."""

    hts10: str
    heading: str
    notice: int
    start: str
    end: str
    citation: str


def history(*, hts10: str | None = None, limit: int = 500) -> list[HistoricExclusion]:
    """Return the real China exclusions granted 2018-2020 (dataset ``section301-china``) with their windows."""
    from tradepolicy.services.tariffs import s301_exclusions
    from tradepolicy.tariffs.hts_code import normalize_hts

    want = normalize_hts(hts10, field="hts10") if hts10 else None
    rows = []
    for code, wins in sorted(s301_exclusions().items()):
        if want and not code.startswith(want):
            continue
        for w in wins:
            rows.append(HistoricExclusion(code, w.heading, w.notice, w.start.isoformat(), w.end.isoformat(), w.citation))
        if len(rows) >= limit:
            break
    return rows[:limit]


# --------------------------------------------------------------------------- duty-stack hook


def granted_windows(code: str) -> list[ExclusionWindow]:
    """Return the exclusion windows granted through this workflow for an HTS10 ``code``.

    Called by ``services.tariffs.stack`` (the hook): the stack applies a window only on dates
    inside it. No database (or one not yet migrated) means no granted exclusions.
    """
    if len(code) != 10:
        return []
    from tradepolicy.services.tariffs import s301_coverage
    from tradepolicy.store.db import read_session
    from tradepolicy.tariffs.dated_measures import prefix_match

    try:
        with read_session() as s:
            grants = s.execute(select(ExclusionGrant).where(ExclusionGrant.hts10 == code)
                               .order_by(ExclusionGrant.id)).scalars().all()
    except (OperationalError, ProgrammingError):
        return []
    if not grants:
        return []
    hit = prefix_match(code, s301_coverage())
    if hit is None:
        return []
    return [ExclusionWindow(code, str(hit[1]), g.id, g.start, g.end, g.citation) for g in grants]


def granted_windows_all() -> dict[str, list[ExclusionWindow]]:
    """Return every granted exclusion window by HTS10 (for the batch stack: merge into its exclusions map)."""
    from tradepolicy.services.tariffs import s301_coverage
    from tradepolicy.store.db import read_session
    from tradepolicy.tariffs.dated_measures import prefix_match

    try:
        with read_session() as s:
            grants = s.execute(select(ExclusionGrant).order_by(ExclusionGrant.id)).scalars().all()
    except (OperationalError, ProgrammingError):
        return {}
    out: dict[str, list[ExclusionWindow]] = {}
    cov = s301_coverage() if grants else {}
    for g in grants:
        hit = prefix_match(g.hts10, cov)
        if hit is not None:
            out.setdefault(g.hts10, []).append(ExclusionWindow(g.hts10, str(hit[1]), g.id, g.start, g.end, g.citation))
    return out
