"""Public comment dockets: open, submit, post, cluster, search, page, export, summarise, import.

Submissions carry public and BCI versions; form letters are clustered; the regulations.gov v4
format is imported.

Model: the regulations.gov docket -> document -> comment -> attachment. A comment row holds the
public version; a BCI submission's confidential version is a platform document labelled ``bci``
in scope ``docket:ID`` (readable only with a grant; every read logged). Every write happens in
the caller's transaction, so a refused submission stores nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import JSON as JSON_TYPE
from sqlalchemy import String, Table, cast, func, select, text, update
from sqlalchemy.orm import Session

from tradepolicy.coordination import bci as bci_engine
from tradepolicy.coordination import clustering
from tradepolicy.coordination.files import SniffedFile, check_file
from tradepolicy.coordination.windows import Window, compute_windows
from tradepolicy.errors import ConflictError, InputError, NotFoundError
from tradepolicy.platform.labels import check_label
from tradepolicy.platform.policy import can, can_read
from tradepolicy.platform.principal import Principal
from tradepolicy.services.typed import DictMixin
from tradepolicy.store import audit
from tradepolicy.store.models import utcnow
from tradepolicy.store.models_coordination import (
    Docket,
    DocketAttachment,
    DocketClusterBand,
    DocketComment,
    DocketCommentEvent,
)

DOCKET_ID = re.compile(r"^[A-Z][A-Z0-9]{1,15}(-[A-Z0-9]{1,12}){1,5}$")  # USTR-2022-0014, ED-2021-SCC-0032
COMMENTER_TYPES = ("company", "association", "government", "individual")
STATUSES = ("received", "screened", "posted", "withdrawn", "duplicate")
TRANSITIONS = {
    "received": ("screened", "posted", "withdrawn", "duplicate"),
    "screened": ("posted", "withdrawn", "duplicate"),
    "posted": ("withdrawn",),
    "withdrawn": (),
    "duplicate": (),
}
MAX_TEXT = 200_000
MAX_HTS = 50
MAX_ATTACHMENTS = 10
PUBLIC_FIELDS = ["comment_id", "docket_id", "title", "commenter_name", "organization", "commenter_type",
                 "hts_codes", "countries", "received", "posted", "status", "cluster_id", "cluster_size",
                 "has_bci", "attachments", "is_example"]


def scope_of(docket_id: str) -> str:
    """Return the grant scope of a docket (``docket:ID``)."""
    return f"docket:{docket_id}"


# --------------------------------------------------------------------------- typed results


@dataclass(frozen=True, slots=True)
class DocketInfo:
    """A docket with its windows (each cited) and counts the principal may see."""

    id: str
    title: str
    procedure: str
    opens: dt.date
    hearing: dt.date | None
    windows: tuple[dict[str, Any], ...]
    allow_public: bool
    label: str
    notice: str
    is_example: bool
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        d = asdict(self)
        d["opens"] = self.opens.isoformat()
        d["hearing"] = self.hearing.isoformat() if self.hearing else None
        d["windows"] = list(self.windows)
        return d


@dataclass(frozen=True, slots=True)
class CommentView:
    """The public fields of a comment (never its BCI version)."""

    comment_id: str
    docket_id: str
    title: str
    commenter_name: str
    organization: str
    commenter_type: str
    hts_codes: tuple[str, ...]
    countries: tuple[str, ...]
    received: str
    posted: str | None
    status: str
    cluster_id: str | None
    cluster_size: int
    similarity: float | None
    duplicate_of: str | None
    has_bci: bool
    attachments: tuple[dict[str, Any], ...]
    text: str
    is_example: bool
    window: str = "comments"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        d = asdict(self)
        d["hts_codes"], d["countries"], d["attachments"] = list(self.hts_codes), list(self.countries), list(self.attachments)
        return d

    def public_row(self) -> dict[str, Any]:
        """Return the export row: public fields only, lists joined by ';'."""
        d = self.to_dict()
        d["hts_codes"] = ";".join(self.hts_codes)
        d["countries"] = ";".join(self.countries)
        d["attachments"] = ";".join(a["filename"] for a in self.attachments if a["label"] == "public")
        return {k: d[k] for k in PUBLIC_FIELDS}


@dataclass(frozen=True, slots=True)
class SubmissionResult:
    """What a submission stored: the comment, its documents, its cluster."""

    comment: CommentView
    public_document_id: int | None
    bci_document_id: int | None
    attachment_ids: tuple[int, ...]
    bci_spans: int

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (no BCI content)."""
        return {"comment": self.comment.to_dict(), "public_document_id": self.public_document_id,
                "bci_document_id": self.bci_document_id, "attachment_ids": list(self.attachment_ids),
                "bci_spans": self.bci_spans}


@dataclass(frozen=True, slots=True)
class Upload:
    """A file handed to a submission: name, bytes and (for attachments) its label."""

    filename: str
    content: bytes
    label: str = "public"


# --------------------------------------------------------------------------- validation helpers


def check_docket_id(docket_id: str) -> str:
    """Return a well-formed docket id (``USTR-YYYY-NNNN``) or raise naming the field."""
    d = (docket_id or "").strip().upper()
    if len(d) > 40 or not DOCKET_ID.match(d):
        raise InputError(f"Malformed docket id {docket_id!r}.", field="docket_id",
                         expected="a regulations.gov docket id: AGENCY-YYYY-NNNN (at most 40 characters)",
                         example="USTR-2026-0001")
    return d


def check_hts_list(codes: Iterable[str]) -> list[str]:
    """Return the codes dotted, each checked against the tariff schedule (HTS 2024/2025)."""
    from tradepolicy.services.tariffs import nearest_codes, source
    from tradepolicy.tariffs.hts_code import dotted, normalize_hts

    out: list[str] = []
    for raw in codes:
        if not str(raw).strip():
            continue
        digits = normalize_hts(str(raw), field="hts")
        srcs = [source("hts2025"), source("hts2024")]
        if not any(digits in s.codes or any(c.startswith(digits) for c in _prefixes(s.codes, len(digits)))
                   for s in srcs):
            near = nearest_codes(digits, srcs[0]) if len(digits) >= 8 else []
            raise InputError(f"HTS code {dotted(digits)} is not in the tariff schedule (HTS 2024 or 2025).",
                             field="hts", expected="a code of the schedule (4-10 digits)",
                             example=near[0] if near else "8471.30.01.00", details={"nearest": near})
        if dotted(digits) not in out:
            out.append(dotted(digits))
    if len(out) > MAX_HTS:
        raise InputError(f"{len(out)} HTS codes given; at most {MAX_HTS}.", field="hts",
                         expected=f"at most {MAX_HTS} codes", example="8471.30.01.00")
    return out


_PREFIX_CACHE: dict[tuple[int, int], frozenset[str]] = {}


def _prefixes(codes: Any, n: int) -> frozenset[str]:
    key = (id(codes), n)
    if key not in _PREFIX_CACHE:
        _PREFIX_CACHE[key] = frozenset(c[:n] for c in codes if len(c) >= n)
    return _PREFIX_CACHE[key]


def check_countries(codes: Iterable[str]) -> list[str]:
    """Return ISO 3166 alpha-3 codes (upper case), or raise naming the field ``countries``."""
    from tradepolicy.services.tariffs import check_origin

    out = []
    for c in codes:
        if not str(c).strip():
            continue
        try:
            iso = check_origin(str(c))
        except InputError as exc:
            raise InputError(f"Unknown country {c!r}.", field="countries",
                             expected="ISO 3166-1 alpha-3 codes", example="CHN", details=exc.details) from exc
        if iso not in out:
            out.append(iso)
    return out


def _check_text(value: str, field_name: str, limit: int) -> str:
    v = (value or "").strip()
    if len(v) > limit:
        raise InputError(f"{field_name} is {len(v):,} characters; at most {limit:,}.", field=field_name,
                         expected=f"at most {limit:,} characters", example="Acme Tools LLC")
    return v


# --------------------------------------------------------------------------- documents (platform)


def _put_document(session: Session, actor: Principal, f: SniffedFile, content: bytes, *, label: str,
                  scope: str, title: str = "", public_version_id: int | None = None) -> int:
    """Store a checked file as a platform document (``services.documents.put_document``); return its id."""
    from tradepolicy.services.documents import put_document

    info = put_document(session, actor, content=content, filename=f.filename, label=label, scope=scope,
                        title=title, public_version_id=public_version_id)
    return int(info.id)


def read_document(session: Session, principal: Principal, document_id: int, *, where: str = "") -> tuple[Any, bytes]:
    """Return a docket document's info and bytes if the principal may read it (a confidential read is logged)."""
    from tradepolicy.services.documents import get_document

    return get_document(session, principal, document_id, where=where)


# --------------------------------------------------------------------------- dockets


def _docket(session: Session, docket_id: str, principal: Principal | None = None, *, lock: bool = False) -> Docket:
    q = select(Docket).where(Docket.id == docket_id)
    if lock:
        q = q.with_for_update()
    d = session.execute(q).scalar_one_or_none()
    if d is None or (principal is not None and not can_read(principal, d.label, d.scope)):
        raise NotFoundError(f"No docket {docket_id!r}.", field="docket_id",
                            expected="an open docket id (tradepolicy docket list)", example="USTR-2022-0014")
    return d


def _info(session: Session, d: Docket, principal: Principal) -> DocketInfo:
    return DocketInfo(d.id, d.title, d.procedure, d.opens, d.hearing, tuple(d.windows), d.allow_public, d.label,
                      d.notice, d.is_example, status_counts(session, principal, d.id))


def open_docket(session: Session, actor: Principal, *, docket_id: str, title: str, procedure: str,
                opens: dt.date | str, hearing: dt.date | str | None = None,
                notice_rules: dict[str, str] | None = None, allow_public: bool = True, notice: str = "",
                is_example: bool = False, windows: Sequence[Window] | None = None) -> DocketInfo:
    """Open a docket: its windows come from the procedure's cited rules (or the notice's own date rules)."""
    did = check_docket_id(docket_id)
    title = _check_text(title, "title", 500)
    if not title:
        raise InputError("A docket needs a title.", field="title", expected="the notice's title",
                         example="Four-Year Review of Actions Taken in the Section 301 Investigation")
    opens_d = _as_date(opens, "opens")
    hearing_d = _as_date(hearing, "hearing") if hearing else None
    wins = list(windows) if windows is not None else compute_windows(procedure, opens_d, hearing=hearing_d,
                                                                     overrides=notice_rules)
    if session.get(Docket, did) is not None:
        raise ConflictError(f"Docket {did} already exists.", field="docket_id", expected="a new id",
                            example=did[:-4] + "0099")
    d = Docket(id=did, title=title, procedure=procedure, opens=opens_d, hearing=hearing_d,
               windows=[w.to_dict() for w in wins], allow_public=allow_public, label="public",
               scope=scope_of(did), notice=_check_text(notice, "notice", 2000), is_example=is_example,
               next_seq=1, created_by=actor.name)
    session.add(d)
    session.flush()
    audit.record(session, actor=actor.name, action="insert", entity="dockets", entity_id=did, before=None,
                 after={"title": title, "procedure": procedure, "opens": opens_d.isoformat(),
                        "windows": d.windows})
    return _info(session, d, actor)


def list_dockets(session: Session, principal: Principal) -> list[DocketInfo]:
    """Return every docket the principal may read."""
    rows = session.execute(select(Docket).order_by(Docket.id)).scalars().all()
    return [_info(session, d, principal) for d in rows if can_read(principal, d.label, d.scope)]


def get_docket(session: Session, principal: Principal, docket_id: str) -> DocketInfo:
    """Return one docket (NotFound when unreadable)."""
    return _info(session, _docket(session, check_docket_id(docket_id), principal), principal)


def _as_date(value: Any, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise InputError(f"Malformed date {value!r}.", field=name, expected="YYYY-MM-DD", example="2026-01-15") from exc


def _window(d: Docket, kind: str, on: dt.date) -> dict[str, Any]:
    wins = [w for w in d.windows if w["kind"] == kind]
    if not wins:
        raise InputError(f"Docket {d.id} has no {kind!r} window.", field="window",
                         expected=" | ".join(w["kind"] for w in d.windows) or "comments", example="comments")
    w = wins[0]
    opens = dt.date.fromisoformat(w["opens"])
    closes = dt.date.fromisoformat(w["closes"]) if w.get("closes") else None
    if on < opens or (closes is not None and on > closes):
        flag = "" if w.get("confirmed", True) else " (UNCONFIRMED rule)"
        raise InputError(
            f"The {kind} window of {d.id} runs {opens} to {closes or 'open'}; a submission received on {on} "
            f"is outside it ({w['rule_id']}: {w['citation']}{flag}).", field="received",
            expected=f"a date from {opens} to {closes or 'open'}", example=opens.isoformat(),
            details={"window": w})
    return w


# --------------------------------------------------------------------------- submissions


def submit(session: Session, actor: Principal, *, docket_id: str, commenter_name: str,
           commenter_type: str, organization: str = "", title: str = "", text_body: str | None = None,
           file: Upload | None = None, bci_file: Upload | None = None,
           attachments: Sequence[Upload] = (), hts: Sequence[str] = (), countries: Sequence[str] = (),
           window: str = "comments", received_on: dt.date | None = None, is_example: bool = False,
           where: str = "") -> SubmissionResult:
    """Receive one submission. Everything is checked before anything is stored.

    Refused (``InputError`` naming the field): outside the window; a BCI file without a public
    version; file names or banners not following the BCI/P convention; a public version that
    repeats text bracketed in the BCI version (``details.overlaps`` lists each leak); an
    unsupported or oversized file; an unknown HTS code or country.
    """
    did = check_docket_id(docket_id)
    d = _docket(session, did, actor, lock=True)
    if actor.is_anonymous and not d.allow_public:
        raise ConflictError(f"Docket {did} takes submissions from signed-in commenters only.", field="Authorization",
                            expected="a signed-in commenter", example="sign in first")
    on = received_on or dt.date.today()
    _window(d, window, on)
    name = _check_text(commenter_name, "commenter", 200)
    if not name:
        raise InputError("A submission needs the commenter's name.", field="commenter",
                         expected="the commenter's name", example="Jane Doe")
    ctype = (commenter_type or "").strip().lower()
    if ctype not in COMMENTER_TYPES:
        raise InputError(f"Unknown commenter type {commenter_type!r}.", field="commenter_type",
                         expected=" | ".join(COMMENTER_TYPES), example="company")
    org = _check_text(organization, "organization", 300)
    codes = check_hts_list(hts)
    isos = check_countries(countries)
    if bci_file is not None and file is None:
        raise InputError("A BCI submission needs its public version: give the public file too.", field="file",
                         expected="a public version file whose name begins with 'P'", example="--file P_acme.pdf --bci-file BCI_acme.pdf")
    pub = check_file(file.content, file.filename, field="file") if file is not None else None
    bci_f = check_file(bci_file.content, bci_file.filename, field="bci_file") if bci_file is not None else None
    if len(attachments) > MAX_ATTACHMENTS:
        raise InputError(f"{len(attachments)} attachments; at most {MAX_ATTACHMENTS}.", field="attachments",
                         expected=f"at most {MAX_ATTACHMENTS}", example="one PDF of exhibits")
    att_checked = []
    for i, a in enumerate(attachments):
        lab = check_label(a.label, field=f"attachments[{i}].label")
        if lab not in ("public", "bci"):
            raise InputError(f"Attachment label {lab!r} is not allowed on a docket.", field=f"attachments[{i}].label",
                             expected="public | bci", example="public")
        if lab == "bci" and bci_f is None:
            raise InputError("A BCI attachment needs a BCI submission (a BCI version and its public version).",
                             field=f"attachments[{i}].label", expected="public, or add --bci-file", example="public")
        att_checked.append((check_file(a.content, a.filename, field=f"attachments[{i}]"), a.content, lab))
    body = (pub.text if pub is not None else "") or (text_body or "")
    body = _check_text(body, "text", MAX_TEXT)
    if not body and pub is None:
        raise InputError("A submission needs its text or a file.", field="text",
                         expected="comment text or --file", example="--file P_acme.pdf")
    spans = 0
    if bci_f is not None and pub is not None:
        problems = bci_engine.filename_problems(bci_f.filename, pub.filename) + \
            bci_engine.banner_problems(bci_f.text, pub.text)
        if problems:
            fld, msg = problems[0]
            raise InputError(f"BCI submission refused: {msg}.", field=fld,
                             expected="BCI_name with a BUSINESS CONFIDENTIAL banner and [brackets]; P_name with a PUBLIC VERSION banner",
                             example="BCI_acme.pdf / P_acme.pdf", details={"problems": [m for _, m in problems]})
        report = bci_engine.check_public_version(bci_f.text, pub.text)
        spans = report.spans
        if not report.ok:
            raise InputError(
                f"The public version repeats {len(report.overlaps)} item(s) bracketed as confidential in the BCI "
                f"version (first: {report.overlaps[0].matched!r}). Remove them from the public version.",
                field="file", expected="a public version without the bracketed BCI text",
                example="replace each bracketed item with [ ]",
                details={"overlaps": [asdict(o) for o in report.overlaps]})
    # --- store (all checks passed)
    scope = scope_of(did)
    seq = d.next_seq
    d.next_seq = seq + 1
    d.changes = (d.changes or 0) + 1
    cid = f"{did}-{seq:04d}"
    pub_doc = _put_document(session, actor, pub, file.content, label="public", scope=scope, title=cid) \
        if pub is not None and file is not None else None
    bci_doc = _put_document(session, actor, bci_f, bci_file.content, label="bci", scope=scope, title=cid,
                            public_version_id=pub_doc) if bci_f is not None and bci_file is not None else None
    row = DocketComment(comment_id=cid, docket_id=did, label="public", scope=scope, status="received",
                        window=window, title=_check_text(title, "title", 500) or f"Comment from {org or name}",
                        commenter_name=name, organization=org, commenter_type=ctype, hts_codes=codes,
                        hts_chapters=_chapters(codes), countries=isos, text=body,
                        filename=pub.filename if pub else "", document_id=pub_doc, bci_document_id=bci_doc,
                        has_bci=bci_doc is not None, received_at=_at(on), is_example=is_example,
                        submitted_by=actor.name, source="portal")
    session.add(row)
    session.flush()
    att_ids = []
    att_text = []
    for f, content, lab in att_checked:
        doc_id = _put_document(session, actor, f, content, label=lab, scope=scope, title=cid)
        session.add(DocketAttachment(comment_row_id=row.id, document_id=doc_id, filename=f.filename,
                                     media_type=f.media_type, size=f.size, label=lab, scope=scope))
        att_ids.append(doc_id)
        if lab == "public":
            att_text.append(f.text)
    session.add(DocketCommentEvent(comment_row_id=row.id, status="received", actor=actor.name, at=_at(on)))
    _index(session, row, att_text)
    _cluster_one(session, row)
    session.flush()
    audit.record(session, actor=actor.name, action="insert", entity="docket_comments", entity_id=cid, before=None,
                 after={"docket": did, "bci": bci_doc is not None, "attachments": len(att_ids)})
    return SubmissionResult(_view(session, row), pub_doc, bci_doc, tuple(att_ids), spans)


def _at(on: dt.date) -> dt.datetime:
    now = utcnow()
    return now if on == now.date() else dt.datetime(on.year, on.month, on.day, 12, tzinfo=dt.UTC)


def _chapters(codes: Sequence[str]) -> str:
    chs = sorted({c[:2] for c in codes})
    return ("," + ",".join(chs) + ",") if chs else ""


def _index(session: Session, row: DocketComment, extra: Sequence[str] = ()) -> None:
    body = "\n".join([row.title, row.commenter_name, row.organization, row.text, *extra])
    if session.get_bind().dialect.name == "postgresql":  # 0008_pgsearch: the tsvector only, with its docket
        session.execute(text("INSERT INTO docket_fts (rowid, docket_id, tsv) VALUES (:id, :d, to_tsvector('english', :body))"),
                        {"id": row.id, "d": row.docket_id, "body": body})
    else:
        session.execute(text("INSERT INTO docket_fts (rowid, body) VALUES (:id, :body)"), {"id": row.id, "body": body})


def _cluster_one(session: Session, row: DocketComment) -> None:
    sig = clustering.signature(row.text)
    bands = clustering.bands(sig)
    row.signature = clustering.to_bytes(sig)
    cands = session.execute(select(DocketClusterBand.rep_row_id).where(
        DocketClusterBand.docket_id == row.docket_id, DocketClusterBand.band_hash.in_(bands))).scalars().all()
    c = clustering.Clusterer.empty()
    for rep_id in set(cands):
        raw = session.execute(select(DocketComment.signature).where(DocketComment.id == rep_id)).scalar_one()
        if raw:
            c.add_representative(rep_id, clustering.from_bytes(raw))
    rep, sim = c.assign(sig, bands)
    if rep is None:
        row.cluster_id, row.similarity = row.id, 1.0
        session.add_all(DocketClusterBand(docket_id=row.docket_id, band_hash=h, rep_row_id=row.id) for h in bands)
    else:
        row.cluster_id, row.similarity = rep, sim


# --------------------------------------------------------------------------- lifecycle


def set_status(session: Session, actor: Principal, comment_id: str, status: str, *, note: str | None = None,
               duplicate_of: str | None = None) -> CommentView:
    """Move a comment along received -> screened -> posted | withdrawn | duplicate (history appended)."""
    if status not in STATUSES:
        raise InputError(f"Unknown status {status!r}.", field="status", expected=" | ".join(STATUSES), example="posted")
    row = _comment_row(session, comment_id, lock=True)
    if status not in TRANSITIONS[row.status]:
        raise ConflictError(f"Comment {comment_id} is {row.status}; it cannot become {status}.", field="status",
                            expected=" | ".join(TRANSITIONS[row.status]) or "(final)", example="posted")
    if status == "duplicate":
        if not duplicate_of:
            raise InputError("A duplicate names the comment it duplicates.", field="duplicate_of",
                             expected="a comment id of the same docket", example=f"{row.docket_id}-0001")
        other = _comment_row(session, duplicate_of)
        if other.docket_id != row.docket_id or other.id == row.id:
            raise InputError(f"{duplicate_of} is not another comment of {row.docket_id}.", field="duplicate_of",
                             expected="a comment id of the same docket", example=f"{row.docket_id}-0001")
        row.duplicate_of = other.comment_id
    before = row.status
    session.execute(update(Docket).where(Docket.id == row.docket_id).values(changes=Docket.changes + 1))
    if status == "posted" and before == "received":
        session.add(DocketCommentEvent(comment_row_id=row.id, status="screened", actor=actor.name, note="screened on posting"))
    row.status = status
    if status == "posted":
        row.posted_at = utcnow()
    session.add(DocketCommentEvent(comment_row_id=row.id, status=status, actor=actor.name, note=note))
    session.flush()
    audit.record(session, actor=actor.name, action="status", entity="docket_comments", entity_id=row.comment_id,
                 before={"status": before}, after={"status": status, "note": note})
    return _view(session, row)


def _comment_row(session: Session, comment_id: str, *, lock: bool = False) -> DocketComment:
    q = select(DocketComment).where(DocketComment.comment_id == (comment_id or "").strip().upper())
    if lock:
        q = q.with_for_update()
    row = session.execute(q).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"No comment {comment_id!r}.", field="comment_id", example="USTR-2022-0014-0001")
    return row


def _visible_statuses(principal: Principal) -> tuple[str, ...] | None:
    """None = every status (docket staff); otherwise only posted comments are public."""
    return None if can(principal, "dockets.manage") and not principal.is_anonymous else ("posted",)


def _attachments(session: Session, principal: Principal, row_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    if not row_ids:
        return out
    for a in session.execute(select(DocketAttachment).where(DocketAttachment.comment_row_id.in_(row_ids))).scalars():
        if can_read(principal, a.label, a.scope) or a.label == "public":
            out.setdefault(a.comment_row_id, []).append(
                {"document_id": a.document_id, "filename": a.filename, "media_type": a.media_type,
                 "size": a.size, "label": a.label})
    return out


def _cluster_sizes(session: Session, docket_id: str, cluster_ids: Iterable[int | None], *,
                   cache: bool = True) -> dict[int, int]:
    """Return the size of each cluster named (every status counted; a singleton is 1).

    Reads: the sizes of a docket's multi-comment clusters are computed in one GROUP BY and cached
    until the docket's change counter moves (counting a page's form-letter clusters one by one
    walked every copy of each: 40 ms for 25 comments on 20,000). Writes (``cache=False``: a
    submission or a status change, whose transaction may still roll back) count directly.
    """
    ids = sorted({c for c in cluster_ids if c is not None})
    if not ids:
        return {}
    if not cache:
        q = select(DocketComment.cluster_id, func.count()).where(
            DocketComment.docket_id == docket_id, DocketComment.cluster_id.in_(ids)).group_by(DocketComment.cluster_id)
        return {int(k): int(v) for k, v in session.execute(q) if k is not None}
    d = session.get(Docket, docket_id)
    key = (docket_id, "cluster_sizes")
    changes = (d.changes or 0) if d is not None else -1
    with _AGG_LOCK:
        hit = _AGG_CACHE.get(key)
    if hit is None or hit[0] != changes or d is None:
        q = select(DocketComment.cluster_id, func.count()).where(DocketComment.docket_id == docket_id) \
            .group_by(DocketComment.cluster_id).having(func.count() > 1)
        sizes = {int(k): int(v) for k, v in session.execute(q) if k is not None}
        with _AGG_LOCK:
            if len(_AGG_CACHE) > 2000:
                _AGG_CACHE.clear()
            _AGG_CACHE[key] = (changes, sizes)
    else:
        sizes = hit[1]
    return {i: sizes.get(i, 1) for i in ids}


def _comment_ids(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    want = sorted({i for i in ids if i is not None})
    if not want:
        return {}
    return {int(k): v for k, v in session.execute(
        select(DocketComment.id, DocketComment.comment_id).where(DocketComment.id.in_(want)))}


def _views(session: Session, principal: Principal, rows: Sequence[DocketComment]) -> list[CommentView]:
    if not rows:
        return []
    atts = _attachments(session, principal, [r.id for r in rows])
    sizes = _cluster_sizes(session, rows[0].docket_id, [r.cluster_id for r in rows])
    names = _comment_ids(session, [r.cluster_id for r in rows])
    return [_view(session, r, atts.get(r.id, []), sizes, names) for r in rows]


def _view(session: Session, r: DocketComment, atts: list[dict[str, Any]] | None = None,
          sizes: dict[int, int] | None = None, names: dict[int, str] | None = None) -> CommentView:
    if atts is None:
        atts = [{"document_id": a.document_id, "filename": a.filename, "media_type": a.media_type, "size": a.size,
                 "label": a.label} for a in session.execute(
                    select(DocketAttachment).where(DocketAttachment.comment_row_id == r.id)).scalars()]
    if sizes is None:
        sizes = _cluster_sizes(session, r.docket_id, [r.cluster_id], cache=False)
    if names is None:
        names = _comment_ids(session, [r.cluster_id])
    return CommentView(
        comment_id=r.comment_id, docket_id=r.docket_id, title=r.title, commenter_name=r.commenter_name,
        organization=r.organization, commenter_type=r.commenter_type, hts_codes=tuple(r.hts_codes or ()),
        countries=tuple(r.countries or ()), received=r.received_at.date().isoformat(),
        posted=r.posted_at.date().isoformat() if r.posted_at else None, status=r.status,
        cluster_id=names.get(r.cluster_id) if r.cluster_id is not None else None,
        cluster_size=sizes.get(r.cluster_id, 1) if r.cluster_id is not None else 1,
        similarity=r.similarity, duplicate_of=r.duplicate_of, has_bci=r.has_bci,
        attachments=tuple(a for a in atts if a["label"] == "public"), text=r.text, is_example=r.is_example,
        window=r.window)


def get_comment(session: Session, principal: Principal, comment_id: str) -> CommentView:
    """Return a comment's public fields (non-posted ones only to docket staff)."""
    row = _comment_row(session, comment_id)
    vis = _visible_statuses(principal)
    d = _docket(session, row.docket_id)
    if (vis is not None and row.status not in vis) or not can_read(principal, row.label, row.scope) \
            or not can_read(principal, d.label, d.scope):
        raise NotFoundError(f"No comment {comment_id!r}.", field="comment_id", example="USTR-2022-0014-0001")
    return _views(session, principal, [row])[0]


@dataclass(frozen=True, slots=True)
class CommentEvent(DictMixin):
    """One status change of a comment (its history is append-only)."""

    status: str
    at: str
    actor: str
    note: str | None


def comment_history(session: Session, principal: Principal, comment_id: str) -> list[CommentEvent]:
    """Return the status history of a comment (staff, or anyone once posted)."""
    view = get_comment(session, principal, comment_id)
    row = _comment_row(session, view.comment_id)
    return [CommentEvent(e.status, e.at.isoformat(), e.actor, e.note)
            for e in session.execute(select(DocketCommentEvent).where(DocketCommentEvent.comment_row_id == row.id)
                                     .order_by(DocketCommentEvent.id)).scalars()]


def get_bci(session: Session, principal: Principal, comment_id: str, *, where: str = "") -> tuple[str, str, bytes]:
    """Return (filename, media type, bytes) of a comment's BCI version, logging the read.

    Only with a grant for ``bci`` in ``docket:ID``; without one it is NotFound, exactly as for a
    comment without a BCI version.
    """
    row = _comment_row(session, comment_id)
    if row.bci_document_id is None or not can_read(principal, "bci", row.scope):
        raise NotFoundError(f"No BCI version of {comment_id!r} you may read.", field="comment_id",
                            expected="a BCI submission and a grant for bci in " + row.scope,
                            example="USTR-2022-0014-0001")
    doc, content = read_document(session, principal, row.bci_document_id, where=where)
    return doc.filename, doc.media_type, content


# --------------------------------------------------------------------------- counts, page, search


def status_counts(session: Session, principal: Principal, docket_id: str) -> dict[str, int]:
    """Return comment counts by status the principal may see (public: posted only)."""
    q = select(DocketComment.status, func.count()).where(DocketComment.docket_id == docket_id)
    vis = _visible_statuses(principal)
    if vis is not None:
        q = q.where(DocketComment.status.in_(vis))
    return {s: int(n) for s, n in session.execute(q.group_by(DocketComment.status))}


@dataclass(frozen=True, slots=True)
class DocketPage:
    """One page of a docket: counts, form-letter clusters, filtered comments."""

    docket: DocketInfo
    total: int
    page: int
    per_page: int
    comments: tuple[CommentView, ...]
    clusters: tuple[ClusterSummary, ...]
    by_type: dict[str, int]
    filters: dict[str, Any]
    total_capped: bool = False  # a search's total stopped at SEARCH_COUNT_CAP: "at least total"

    @property
    def total_label(self) -> str:
        """Return the total for display: ``"37"`` or ``"1,000+"``."""
        return f"{self.total:,}+" if self.total_capped else f"{self.total:,}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"docket": self.docket.to_dict(), "total": self.total, "total_capped": self.total_capped,
                "total_label": self.total_label, "page": self.page, "per_page": self.per_page,
                "comments": [c.to_dict() for c in self.comments], "clusters": [c.to_dict() for c in self.clusters],
                "by_type": self.by_type, "filters": self.filters}


def _filtered(q: Any, principal: Principal, *, status: str | None, commenter_type: str | None,
              chapter: str | None, country: str | None) -> Any:
    vis = _visible_statuses(principal)
    if status:
        if status not in STATUSES:
            raise InputError(f"Unknown status {status!r}.", field="status", expected=" | ".join(STATUSES), example="posted")
        if vis is not None and status not in vis:
            status = "__none__"
        q = q.where(DocketComment.status == status)
    elif vis is not None:
        q = q.where(DocketComment.status.in_(vis))
    if commenter_type:
        if commenter_type not in COMMENTER_TYPES:
            raise InputError(f"Unknown commenter type {commenter_type!r}.", field="commenter_type",
                             expected=" | ".join(COMMENTER_TYPES), example="company")
        q = q.where(DocketComment.commenter_type == commenter_type)
    if chapter:
        if not re.fullmatch(r"\d{2}", chapter):
            raise InputError(f"Malformed HTS chapter {chapter!r}.", field="chapter", expected="two digits", example="85")
        q = q.where(DocketComment.hts_chapters.like(f"%,{chapter},%"))
    if country:
        iso = check_countries([country])[0]
        q = q.where(cast(DocketComment.countries, String).like(f'%"{iso}"%'))
    return q


_AGG_CACHE: dict[tuple[Any, ...], tuple[int, Any]] = {}
_AGG_LOCK = __import__("threading").Lock()


def _cached(d: Docket, principal: Principal, key: tuple[Any, ...], compute: Any) -> Any:
    """Return an aggregate of a docket, recomputed only when the docket's change counter moved.

    The counter (``dockets.changes``) is bumped in the same transaction as every submission,
    status change and bulk load, so a cached count is never stale; the key includes what the
    principal may see (staff: every status; everyone else: posted comments only).
    """
    full = (d.id, _visible_statuses(principal), *key)
    with _AGG_LOCK:
        hit = _AGG_CACHE.get(full)
    if hit is not None and hit[0] == (d.changes or 0):
        return hit[1]
    value = compute()
    with _AGG_LOCK:
        if len(_AGG_CACHE) > 2000:
            _AGG_CACHE.clear()
        _AGG_CACHE[full] = (d.changes or 0, value)
    return value


def docket_page(session: Session, principal: Principal, docket_id: str, *, status: str | None = None,
                commenter_type: str | None = None, chapter: str | None = None, country: str | None = None,
                q: str | None = None, page: int = 1, per_page: int = 25) -> DocketPage:
    """Return one page of a docket's comments (filters, counts, top form-letter clusters)."""
    did = check_docket_id(docket_id)
    d = _docket(session, did, principal)
    page = max(1, int(page))
    per_page = min(max(1, int(per_page)), 200)
    filters = {"status": status, "commenter_type": commenter_type, "chapter": chapter, "country": country, "q": q}
    if q:
        hits = search(session, principal, did, q, status=status, commenter_type=commenter_type, chapter=chapter,
                      country=country, limit=per_page, offset=(page - 1) * per_page)
        rows = list(hits.comments)
        total = hits.total
        capped = hits.total_capped
    else:
        capped = False
        base = _filtered(select(DocketComment).where(DocketComment.docket_id == did), principal, status=status,
                         commenter_type=commenter_type, chapter=chapter, country=country)
        total = _cached(d, principal, ("total", status, commenter_type, chapter, country), lambda: int(
            session.execute(select(func.count()).select_from(base.subquery())).scalar_one()))
        # ids first (the covering index and a sort of integers), then those rows: ordering whole
        # rows made SQLite sort every visible comment's text (110 ms on 20,000 comments, 3 + 4 ms so)
        ids = [int(i) for i in session.execute(base.with_only_columns(DocketComment.id)
                                               .order_by(DocketComment.id.desc()).limit(per_page)
                                               .offset((page - 1) * per_page)).scalars()]
        rs = session.execute(select(DocketComment).where(DocketComment.id.in_(ids))
                             .order_by(DocketComment.id.desc())).scalars().all() if ids else []
        rows = _views(session, principal, rs)
    info = DocketInfo(d.id, d.title, d.procedure, d.opens, d.hearing, tuple(d.windows), d.allow_public, d.label,
                      d.notice, d.is_example,
                      _cached(d, principal, ("status_counts",), lambda: status_counts(session, principal, did)))
    return DocketPage(info, total, page, per_page, tuple(rows),
                      tuple(_cached(d, principal, ("clusters",), lambda: clusters(session, principal, did, limit=10))),
                      _cached(d, principal, ("types",), lambda: type_counts(session, principal, did)), filters,
                      capped)


def type_counts(session: Session, principal: Principal, docket_id: str) -> dict[str, int]:
    """Return visible comment counts by commenter type."""
    q = _filtered(select(DocketComment.commenter_type, func.count()).where(DocketComment.docket_id == docket_id),
                  principal, status=None, commenter_type=None, chapter=None, country=None)
    return {k: int(v) for k, v in session.execute(q.group_by(DocketComment.commenter_type))}


@dataclass(frozen=True, slots=True)
class ClusterSummary(DictMixin):
    """A form-letter cluster: its representative comment, the count of comments, an excerpt."""

    cluster_id: str
    count: int
    title: str
    excerpt: str


def clusters(session: Session, principal: Principal, docket_id: str, *, limit: int = 20) -> list[ClusterSummary]:
    """Return form-letter clusters (more than one comment) with their counts, largest first."""
    q = _filtered(select(DocketComment.cluster_id, func.count().label("n")).where(DocketComment.docket_id == docket_id),
                  principal, status=None, commenter_type=None, chapter=None, country=None)
    q = q.group_by(DocketComment.cluster_id).having(func.count() > 1).order_by(func.count().desc()).limit(limit)
    rows = session.execute(q).all()
    reps = {r.id: r for r in session.execute(select(DocketComment).where(
        DocketComment.id.in_([c for c, _ in rows if c is not None]))).scalars()}
    out = []
    for cid, n in rows:
        rep = reps.get(cid)
        if rep is None:
            continue
        out.append(ClusterSummary(rep.comment_id, int(n), rep.title, rep.text[:160]))
    return out


SEARCH_COUNT_CAP = 1000  # hits counted exactly up to here; beyond it the total is given as "1,000+"


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Comments matching a full-text query (public fields), best ranked first.

    ``total`` is exact when ``total_capped`` is false; otherwise at least ``total`` comments match
    (the count stops at :data:`SEARCH_COUNT_CAP`, shown as ``total_label`` "1,000+"), because an
    exact count of a common word's hits costs more than the page of results.
    """

    docket_id: str
    query: str
    total: int
    comments: tuple[CommentView, ...]
    total_capped: bool = False

    @property
    def order(self) -> str:
        """Return how the hits are ordered, in words."""
        return (f"relevance among the newest {self.total:,} matches" if self.total_capped
                else "relevance among all matches") + ", newest first among equals"

    @property
    def total_label(self) -> str:
        """Return the total for display: ``"37"`` or ``"1,000+"``."""
        return f"{self.total:,}+" if self.total_capped else f"{self.total:,}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"docket_id": self.docket_id, "query": self.query, "total": self.total,
                "total_capped": self.total_capped, "total_label": self.total_label, "order": self.order,
                "comments": [c.to_dict() for c in self.comments]}


_QWORD = re.compile(r"\w+", re.UNICODE)


def search(session: Session, principal: Principal, docket_id: str, query: str, *, status: str | None = None,
           commenter_type: str | None = None, chapter: str | None = None, country: str | None = None,
           limit: int = 50, offset: int = 0) -> SearchResult:
    """Full-text search over comments and their public attachments' text (FTS5 / PostgreSQL tsvector).

    Every word must occur (stemmed: FTS5 ``porter``, PostgreSQL ``english`` via
    ``websearch_to_tsquery``). The candidates are the newest :data:`SEARCH_COUNT_CAP` matching
    comments the principal may see (all of them when fewer match; otherwise ``total_capped``
    and the total reads "1,000+"); they come best first (FTS5 ``bm25``; PostgreSQL ``ts_rank``),
    newest first among equals, ``limit`` at a time. So a common word's hits are ranked among its
    1,000 newest matches, not all of them: the price of answering in milliseconds, said in
    ``order``. The full-text index drives the query; each hit is checked against the docket,
    the visible statuses and the filters by primary key.
    """
    did = check_docket_id(docket_id)
    _docket(session, did, principal)
    query = (query or "").strip()
    words = _QWORD.findall(query)[:20]
    if not words or len(query) > 500:
        raise InputError(f"Search needs 1 to 20 words of at most 500 characters (got {query!r}).", field="query",
                         expected="words to find", example="bicycles prices")
    limit = min(max(1, int(limit)), 500)
    offset = max(0, int(offset))
    bind = session.get_bind()
    base = _filtered(select(DocketComment.id).where(DocketComment.docket_id == did), principal, status=status,
                     commenter_type=commenter_type, chapter=chapter, country=country)
    # the filters are validated values (enumerations, a docket id, two digits, an ISO code): rendered inline
    where = str(base.whereclause.compile(dialect=bind.dialect, compile_kwargs={"literal_binds": True}))
    cap = max(SEARCH_COUNT_CAP, offset + limit)
    if bind.dialect.name == "sqlite":
        # CROSS JOIN keeps FTS5 as the outer loop, newest first (FTS5 walks rowids backwards), and
        # bm25 is computed only for the rows the LIMIT lets through; without the CROSS JOIN SQLite
        # walks the docket's index and probes the full-text table once per comment (2 s, not 3 ms)
        sql = ("SELECT docket_comments.id, bm25(docket_fts) FROM docket_fts CROSS JOIN docket_comments "
               f"ON docket_comments.id = docket_fts.rowid WHERE docket_fts MATCH :m AND {where} "
               "ORDER BY docket_fts.rowid DESC LIMIT :cap")
        params: dict[str, Any] = {"m": " ".join('"' + w.replace('"', "") + '"' for w in words)}
    else:
        # newest candidates of this docket first: a backward walk of (docket_id, rowid) testing the
        # tsvector kept in the row, for common words, or the GIN index (docket_id, tsv) and a sort, for
        # rare ones, as the planner sees fit (0008_pgsearch); ts_rank (negated: lower is better, as bm25)
        # is projected only for rows the LIMIT passes
        sql = ("SELECT docket_comments.id, -ts_rank(f.tsv, q) FROM websearch_to_tsquery('english', :m) AS q "
               "CROSS JOIN docket_fts AS f JOIN docket_comments ON docket_comments.id = f.rowid "
               f"WHERE f.docket_id = :did AND f.tsv @@ q AND {where} ORDER BY f.rowid DESC LIMIT :cap")
        params = {"m": " ".join(f'"{w}"' for w in words), "did": did}  # each word quoted: "or" is a word, not OR
    if bind.dialect.name == "postgresql":
        cands = _pg_candidates(session, sql, {**params, "cap": cap + 1})
    else:
        cands = [(float(r or 0.0), int(i)) for i, r in session.execute(text(sql), {**params, "cap": cap + 1})]
    capped = len(cands) > cap
    cands = cands[:cap]
    total = len(cands)
    if not total:
        return SearchResult(did, query, 0, ())
    cands.sort(key=lambda x: (x[0], -x[1]))
    page_ids = [i for _, i in cands[offset:offset + limit]]
    rows = session.execute(select(DocketComment).where(DocketComment.id.in_(page_ids))).scalars().all() \
        if page_ids else []
    by_id = {r.id: r for r in rows}
    ordered = [by_id[i] for i in page_ids if i in by_id]
    return SearchResult(did, query, total, tuple(_views(session, principal, ordered)), capped)


# planner settings for the candidate query only (0008_pgsearch, measured in bench/results/coordination.md):
# * a plan for each query's words: psycopg prepares a statement run 5 times, and PostgreSQL then
#   keeps a generic plan that cannot know how common the words are (4-5x slower over 200 queries);
# * the docket's full-text rows and indexes are read from memory, so a random page costs about a
#   sequential one (1.1, the usual value for cached data or SSDs; PostgreSQL's default 4 makes it walk
#   most of a docket for two rare words instead of reading their GIN matches);
# * a ~10 ms query is not worth parallel workers on a shared server (they tripled the mean server time)
_PG_SEARCH_SETTINGS = (("plan_cache_mode", "force_custom_plan"), ("max_parallel_workers_per_gather", "0"),
                       ("random_page_cost", "1.1"))


def _pg_candidates(session: Session, sql: str, params: dict[str, Any]) -> list[tuple[float, int]]:
    """Run the PostgreSQL candidate query with :data:`_PG_SEARCH_SETTINGS`, then restore the previous values."""
    names = [n for n, _ in _PG_SEARCH_SETTINGS]
    before = session.execute(text("SELECT " + ", ".join(f"current_setting('{n}')" for n in names))).one()
    session.execute(text("SELECT " + ", ".join(f"set_config('{n}', '{v}', true)" for n, v in _PG_SEARCH_SETTINGS)))
    cands = [(float(r or 0.0), int(i)) for i, r in session.execute(text(sql), params)]
    session.execute(text("SELECT " + ", ".join(f"set_config('{n}', :v{k}, true)" for k, n in enumerate(names))),
                    {f"v{k}": v for k, v in enumerate(before)})
    return cands


# --------------------------------------------------------------------------- export, summary


def export_rows(session: Session, principal: Principal, docket_id: str, **filters: Any) -> list[CommentView]:
    """Return every visible comment (the CSV/JSON export: ``public_row()`` of each; never BCI, never text of BCI)."""
    did = check_docket_id(docket_id)
    _docket(session, did, principal)
    base = _filtered(select(DocketComment).where(DocketComment.docket_id == did), principal,
                     status=filters.get("status"), commenter_type=filters.get("commenter_type"),
                     chapter=filters.get("chapter"), country=filters.get("country"))
    out: list[CommentView] = []
    rows = session.execute(base.order_by(DocketComment.id)).scalars().all()
    for chunk_start in range(0, len(rows), 2000):
        out.extend(_views(session, principal, rows[chunk_start:chunk_start + 2000]))
    return out


@dataclass(frozen=True, slots=True)
class ChapterCount:
    """Comments mentioning an HTS chapter, with an example code linked to its tariff page."""

    chapter: str
    count: int
    example_hts: str | None
    href: str | None


@dataclass(frozen=True, slots=True)
class CountryCount:
    """Comments concerning a country."""

    country: str
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class DocketSummary:
    """The comments summary: counts by commenter type, HTS chapter (with an example code) and country."""

    docket: DocketInfo
    total: int
    by_type: dict[str, int]
    by_chapter: tuple[ChapterCount, ...]
    by_country: tuple[CountryCount, ...]
    clusters: tuple[ClusterSummary, ...]
    generated: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"docket": self.docket.to_dict(), "total": self.total, "by_type": self.by_type,
                "by_chapter": [asdict(c) for c in self.by_chapter], "by_country": [asdict(c) for c in self.by_country],
                "clusters": [c.to_dict() for c in self.clusters], "generated": self.generated}


def summary(session: Session, principal: Principal, docket_id: str) -> DocketSummary:
    """Summarise the visible comments of a docket (posted only for the public)."""
    did = check_docket_id(docket_id)
    d = _docket(session, did, principal)
    base = _filtered(select(DocketComment.commenter_type, DocketComment.hts_codes, DocketComment.countries)
                     .where(DocketComment.docket_id == did), principal, status=None, commenter_type=None,
                     chapter=None, country=None)
    types: Counter[str] = Counter()
    chapters: Counter[str] = Counter()
    example: dict[str, str] = {}
    countries: Counter[str] = Counter()
    total = 0
    for ctype, codes, isos in session.execute(base):
        total += 1
        types[ctype] += 1
        for ch in sorted({c[:2] for c in codes or ()}):
            chapters[ch] += 1
        for c in codes or ():
            example.setdefault(c[:2], c)
        for iso in isos or ():
            countries[iso] += 1
    from tradepolicy.services.tariffs import origins

    names = origins()
    return DocketSummary(
        _info(session, d, principal), total, {t: types.get(t, 0) for t in COMMENTER_TYPES},
        tuple(ChapterCount(ch, n, example.get(ch), f"/tariffs/line/{example[ch]}" if ch in example else None)
              for ch, n in sorted(chapters.items())),
        tuple(CountryCount(iso, names.get(iso, iso), n) for iso, n in countries.most_common()),
        tuple(clusters(session, principal, did, limit=20)), utcnow().isoformat(timespec="seconds"))


# --------------------------------------------------------------------------- bulk ingest (import, bench)


@dataclass(frozen=True, slots=True)
class BulkComment:
    """One comment of a bulk ingest (an import or a generated load): public fields only."""

    commenter_name: str
    commenter_type: str
    text: str
    organization: str = ""
    title: str = ""
    hts_codes: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    received: dt.datetime | None = None
    posted: dt.datetime | None = None
    status: str = "received"
    source_id: str | None = None
    is_example: bool = False


@dataclass(frozen=True, slots=True)
class BulkStats(DictMixin):
    """What a bulk ingest stored: comments, new form-letter clusters, comments that joined one."""

    comments: int
    clusters_new: int
    joined: int


def _table(model: Any) -> Table:
    """Return a model's Core table (Core executemany is several times faster than ORM bulk inserts)."""
    t = model.__table__
    assert isinstance(t, Table)
    return t


def _copy_rows(raw: Any, table: str, rows: list[dict[str, Any]]) -> None:
    """Append rows with PostgreSQL ``COPY`` (psycopg 3) on the driver connection, in its open transaction."""
    cols = list(rows[0])
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(chr(34) + c + chr(34) for c in cols)}) FROM STDIN") as cp:
        for r in rows:
            cp.write_row([_json_list(v) if isinstance(v, list) else v for v in (r[c] for c in cols)])


_PLAIN = re.compile(r"^[A-Za-z0-9 .,_-]*$")


def _json_list(v: list[Any]) -> str:
    """Return a list as JSON text (fast path for lists of plain strings, e.g. HTS codes and ISO codes)."""
    import json as _json

    if all(isinstance(x, str) and _PLAIN.match(x) for x in v):
        return "[" + ", ".join('"' + x + '"' for x in v) + "]"
    return _json.dumps(v)


def _insert_rows(raw: Any, session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Append rows with the DB-API ``executemany`` (SQLite), each value through its column's bind processor.

    The processors are SQLAlchemy's own (dates, JSON, booleans), so the stored text is what the ORM
    would have written; skipping the Core statement machinery saves most of the per-row CPU.
    """
    table = _table(model)
    dialect = session.get_bind().dialect
    cols = list(rows[0])
    procs = []
    for c in cols:
        typ = table.c[c].type
        procs.append((lambda v: None if v is None else _json_list(v)) if isinstance(typ, JSON_TYPE)
                     else typ.bind_processor(dialect))
    sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    raw.executemany(sql, [tuple(v if p is None else p(v) for p, v in zip(procs, (r[c] for c in cols), strict=True))
                          for r in rows])


def _reserve_ids(session: Session, n: int) -> list[int]:
    """Return ``n`` new ``docket_comments`` ids (PostgreSQL: drawn from the table's sequence)."""
    if n == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return [int(i) for i in session.execute(
            text("SELECT nextval(pg_get_serial_sequence('docket_comments', 'id')) FROM generate_series(1, :n)"),
            {"n": n}).scalars()]
    start = int(session.execute(select(func.coalesce(func.max(DocketComment.id), 0))).scalar_one()) + 1
    return list(range(start, start + n))


class _Writer:
    """Writes one batch in a background thread while the caller clusters the next one.

    The database works (PostgreSQL: COPY, the stored ``tsvector``; SQLite: FTS5 tokenising, with
    the GIL released) while Python computes MinHash signatures: on two cores the ingest takes
    about the longer of the two instead of their sum. Only one batch is in flight, and the
    connection is touched by one thread at a time (the caller waits before its next statement).
    """

    def __init__(self, write: Any) -> None:
        self._write = write
        self._thread: Any = None
        self._error: BaseException | None = None

    def _run(self, batch: Any) -> None:
        try:
            self._write(batch)
        except BaseException as exc:  # re-raised in the caller's thread by wait()
            self._error = exc

    def submit(self, batch: Any) -> None:
        import threading

        self.wait()
        self._thread = threading.Thread(target=self._run, args=(batch,), daemon=True)
        self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            err, self._error = self._error, None
            raise err


BULK_REINDEX_MIN = 20_000  # PostgreSQL: from this many comments, the GIN index is rebuilt after the load


def bulk_ingest(session: Session, actor: Principal, docket_id: str, items: Sequence[BulkComment], *,
                source: str = "import", batch: int = 5000) -> BulkStats:
    """Store many comments at once with clustering and the full-text index (used by the importer and the bench).

    HTS codes and countries are taken as given (the importer validates its own fields); the
    comments carry ``status`` as the source says (posted, withdrawn...). One transaction (the
    caller's): rows go in by ``executemany`` (SQLite) or ``COPY`` (PostgreSQL) in batches, written
    in a background thread while the next batch's MinHash signatures are computed (vectorised,
    ``clustering.signatures``). On PostgreSQL a load of at least :data:`BULK_REINDEX_MIN` comments
    drops the full-text GIN index and builds it again at the end (a bulk build is several times
    cheaper than maintaining it row by row); searches wait for the import's commit meanwhile.
    """
    did = check_docket_id(docket_id)
    d = _docket(session, did, lock=True)
    c = clustering.Clusterer.empty()
    for rep_id, raw_sig in session.execute(select(DocketComment.id, DocketComment.signature).where(
            DocketComment.docket_id == did, DocketComment.cluster_id == DocketComment.id)):
        if raw_sig:
            c.add_representative(int(rep_id), clustering.from_bytes(raw_sig))
    seq = d.next_seq
    ids = _reserve_ids(session, len(items))
    scope = scope_of(did)
    now = utcnow()
    counts = {"comments": 0, "clusters_new": 0, "joined": 0}
    postgres = session.get_bind().dialect.name == "postgresql"
    reindex = postgres and len(items) >= BULK_REINDEX_MIN
    gin_def = ""
    if reindex:  # rebuilt below with the definition the migration chose (GIN (docket_id, tsv) or GIN (tsv))
        gin_def = session.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_docket_fts_tsv'")
                                  ).scalar() or "CREATE INDEX ix_docket_fts_tsv ON docket_fts USING gin (tsv)"
        session.execute(text("DROP INDEX IF EXISTS ix_docket_fts_tsv"))
    if postgres:  # the texts go to a staging table by COPY; the server turns them into tsvectors
        session.execute(text("CREATE TEMP TABLE IF NOT EXISTS docket_fts_stage (rowid INTEGER, docket_id TEXT, "
                             "body TEXT) ON COMMIT DROP"))
    dbapi = session.connection().connection
    raw: Any = dbapi.driver_connection

    def write(rows: tuple[list[dict[str, Any]], ...]) -> None:
        comments, events, fts, bands_rows = rows
        if postgres:
            _copy_rows(raw, "docket_comments", comments)
            _copy_rows(raw, "docket_comment_events", events)
            _copy_rows(raw, "docket_fts_stage", fts)
            with raw.cursor() as cur:
                cur.execute("INSERT INTO docket_fts (rowid, docket_id, tsv) SELECT rowid, docket_id, "
                            "to_tsvector('english', body) FROM docket_fts_stage")
                cur.execute("TRUNCATE docket_fts_stage")
            if bands_rows:
                _copy_rows(raw, "docket_cluster_bands", bands_rows)
        else:
            cur = raw.cursor()
            try:
                _insert_rows(cur, session, DocketComment, comments)
                _insert_rows(cur, session, DocketCommentEvent, events)
                cur.executemany("INSERT INTO docket_fts (rowid, body) VALUES (?, ?)",
                                [(f["rowid"], f["body"]) for f in fts])
                if bands_rows:
                    _insert_rows(cur, session, DocketClusterBand, bands_rows)
            finally:
                cur.close()

    writer = _Writer(write)
    try:
        for start in range(0, len(items), batch):
            chunk = items[start:start + batch]
            sigs = clustering.signatures([it.text for it in chunk])
            comments: list[dict[str, Any]] = []
            events: list[dict[str, Any]] = []
            fts: list[dict[str, Any]] = []
            bands_rows: list[dict[str, Any]] = []
            for j, it in enumerate(chunk):
                i = start + j
                rid = ids[i]
                st = it.status if it.status in STATUSES else "received"
                sig = sigs[j]
                bands = clustering.bands(sig)
                rep, sim = c.assign(sig, bands)
                if rep is None:
                    rep, sim = rid, 1.0
                    c.add_representative(rid, sig, bands)
                    bands_rows.extend({"docket_id": did, "band_hash": h, "rep_row_id": rid} for h in bands)
                    counts["clusters_new"] += 1
                else:
                    counts["joined"] += 1
                codes = list(it.hts_codes)
                comments.append({
                    "id": rid, "comment_id": it.source_id or f"{did}-{seq + i:04d}", "docket_id": did,
                    "label": "public", "scope": scope, "status": st, "window": "comments",
                    "title": it.title[:500] or f"Comment from {it.organization or it.commenter_name}"[:500],
                    "commenter_name": it.commenter_name[:200], "organization": it.organization[:300],
                    "commenter_type": it.commenter_type if it.commenter_type in COMMENTER_TYPES else "individual",
                    "hts_codes": codes, "hts_chapters": _chapters(codes), "countries": list(it.countries),
                    "text": it.text[:MAX_TEXT], "filename": "", "document_id": None, "bci_document_id": None,
                    "has_bci": False, "received_at": it.received or now,
                    "posted_at": it.posted if st == "posted" else None,
                    "cluster_id": rep, "similarity": sim, "duplicate_of": None,
                    "signature": clustering.to_bytes(sig), "is_example": it.is_example, "source": source,
                    "submitted_by": actor.name})
                events.append({"comment_row_id": rid, "status": st, "at": now, "actor": actor.name,
                               "note": f"bulk {source}"})
                fts.append({"rowid": rid, "docket_id": did,
                            "body": f"{it.title}\n{it.commenter_name}\n{it.organization}\n{it.text}"})
                counts["comments"] += 1
            if comments:
                writer.submit((comments, events, fts, bands_rows))
        writer.wait()
    finally:
        writer.wait()
    if reindex:
        session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        session.execute(text(gin_def))
    session.execute(update(Docket).where(Docket.id == did).values(next_seq=seq + len(items),
                                                                  changes=Docket.changes + 1))
    stats = BulkStats(**counts)
    audit.record(session, actor=actor.name, action="bulk_insert", entity="docket_comments", entity_id=did,
                 before=None, after={"source": source, **counts})
    return stats


# --------------------------------------------------------------------------- regulations.gov v4 import


_ASSOC = re.compile(r"\b(association|council|coalition|federation|institute|alliance|chamber|union|society|league)\b", re.I)


def _v4_type(a: dict[str, Any]) -> str:
    if a.get("govAgency") or a.get("govAgencyType"):
        return "government"
    org = str(a.get("organization") or "")
    if org:
        return "association" if _ASSOC.search(org) else "company"
    return "individual"


def _v4_time(v: Any) -> dt.datetime | None:
    if not v:
        return None
    try:
        t = dt.datetime.fromisoformat(str(v).replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(f"Malformed date {v!r} in the v4 payload.", field="postedDate/receiveDate",
                         expected="ISO 8601", example="2022-11-16T05:00:00Z") from exc
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class ImportSummary(DictMixin):
    """What a regulations.gov v4 import stored: dockets opened, documents read, comments, items skipped."""

    dockets: int
    documents: int
    comments: int
    skipped: int


def import_v4(session: Session, actor: Principal, payload: dict[str, Any], *, docket_id: str | None = None,
              where: str = "payload") -> ImportSummary:
    """Import a regulations.gov v4 response: ``/dockets``, ``/documents`` or ``/comments``.

    Dockets open dockets; documents set the comment window from ``commentStartDate`` /
    ``commentEndDate`` (cited to the document); comments keep received/posted dates and the
    withdrawn status.

    The shape is the v4 JSON:API document: ``{"data": [{"id", "type", "attributes": {...}}], "meta"}``
    (or one object in ``data``). Comments keep their regulations.gov ids.
    """
    data = payload.get("data") if isinstance(payload, dict) else None
    if data is None:
        raise InputError("Not a regulations.gov v4 response: no 'data'.", where=where, field="data",
                         expected='{"data": [{"id": ..., "type": "comments", "attributes": {...}}]}',
                         example='{"data": []}')
    items = data if isinstance(data, list) else [data]
    out = {"dockets": 0, "documents": 0, "comments": 0, "skipped": 0}
    bulk: dict[str, list[BulkComment]] = {}
    for n, item in enumerate(items):
        kind = item.get("type")
        a = item.get("attributes") or {}
        if kind == "dockets":
            did = str(item.get("id", "")).upper()
            if session.get(Docket, did) is not None:
                out["skipped"] += 1
                continue
            modified = _v4_time(a.get("lastModifiedDate") or a.get("modifyDate")) or utcnow()
            open_docket(session, actor, docket_id=did, title=str(a.get("title") or did), procedure="comment_docket",
                        opens=modified.date(), windows=[], notice=f"Imported from regulations.gov ({a.get('docketType', '')})",
                        allow_public=False)
            out["dockets"] += 1
        elif kind == "documents":
            did = check_docket_id(str(a.get("docketId") or docket_id or ""))
            d = _docket(session, did)
            start, end = _v4_time(a.get("commentStartDate")), _v4_time(a.get("commentEndDate"))
            if start is not None:
                cite = f"{a.get('documentType', 'Document')} {item.get('id')}: {a.get('title', '')}" + \
                    (f" (FR Doc. {a['frDocNum']})" if a.get("frDocNum") else "")
                w = Window("comments", start.date(), end.date() if end else None, f"notice:{item.get('id')}", cite, True)
                d.windows = [x for x in d.windows if x["kind"] != "comments"] + [w.to_dict()]
            out["documents"] += 1
        elif kind == "comments":
            did = check_docket_id(str(a.get("docketId") or docket_id or ""))
            _docket(session, did)
            name = " ".join(x for x in (a.get("firstName"), a.get("lastName")) if x) or str(a.get("organization") or "Anonymous")
            status = "withdrawn" if a.get("withdrawn") else ("posted" if a.get("postedDate") else "received")
            country = str(a.get("country") or "")
            iso = []
            if country:
                import pycountry

                try:
                    iso = [pycountry.countries.lookup(country).alpha_3]
                except LookupError:
                    iso = []
            cid = str(item.get("id") or "").upper()
            if cid and session.execute(select(DocketComment.id).where(DocketComment.comment_id == cid)).first():
                out["skipped"] += 1
                continue
            bulk.setdefault(did, []).append(BulkComment(
                commenter_name=name, commenter_type=_v4_type(a), text=str(a.get("comment") or ""),
                organization=str(a.get("organization") or ""), title=str(a.get("title") or ""), countries=tuple(iso),
                received=_v4_time(a.get("receiveDate")), posted=_v4_time(a.get("postedDate")), status=status,
                source_id=cid or None))
        else:
            raise InputError(f"Unsupported v4 resource type {kind!r} in item {n}.", where=f"{where}: data[{n}]",
                             field="type", expected="dockets | documents | comments", example="comments")
    for did, rows in bulk.items():
        out["comments"] += bulk_ingest(session, actor, did, rows, source="regulations.gov").comments
    return ImportSummary(**out)
