"""The guide: ranked full-text search over cited entries (SQLite FTS5, BM25)."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field
from sqlalchemy import select, text

from tradepolicy.errors import InputError, NotFoundError
from tradepolicy.reference.loader import Citation
from tradepolicy.services.typed import ServiceModel
from tradepolicy.store.db import read_session
from tradepolicy.store.models import Agency, Agreement, GuideEntry

# Words that carry no meaning for the search; a question is reduced to its content words.
STOPWORDS = frozenset(
    ["a", "about", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "how", "i", "in", "is", "it", "its", "me", "of", "on", "or", "our", "please", "tell", "that", "the", "their", "them", "there", "these", "this", "to", "us", "was", "what", "when", "where", "which", "who", "whom", "why", "will", "with", "would", "you", "your", "should", "could"]
)
_TOKEN = re.compile(r"[A-Za-z0-9]+")

# Words that name the office itself: every entry is about it, so they count half.
DOMAIN_WORDS = frozenset({"ustr", "office", "representative", "representatives"})
DOMAIN_WEIGHT = 0.5
# An asked-about word in an entry's title adds this much (titles say what an entry
# answers); words in nearly every title ("trade") add nothing.
TITLE_BONUS = 2.0
TITLE_GENERIC = DOMAIN_WORDS | {"trade"}
MAX_QUERY_CHARS = 500


def terms_of(question: str) -> list[str]:
    """Return the content words of a question, lower-cased, in order, without repeats.

    >>> terms_of("What does the USTR do?")
    ['ustr']
    """
    seen: list[str] = []
    for tok in _TOKEN.findall(question.lower()):
        if len(tok) > 1 and tok not in STOPWORDS and tok not in seen:
            seen.append(tok)
    return seen


class GuideLinkView(ServiceModel):
    """A link from a guide entry to a registry record, with the record's live facts when read.

    ``live`` (an agreement's status, date in force and key provisions, or an agency's kind)
    is present only when the linked record was looked up; otherwise it is left out of the JSON.
    """

    kind: str
    id: str
    label: str | None = None
    live: dict[str, str | None] | None = Field(default=None, exclude_if=lambda v: v is None)


class GuideEntryView(ServiceModel):
    """A guide entry with its links, citations and search score."""

    id: str
    title: str
    body: str
    links: list[GuideLinkView]
    citations: list[Citation]
    score: float


class NearestEntry(ServiceModel):
    """An entry near a question the guide does not cover (not an answer)."""

    kind: Literal["entry"] = "entry"
    id: str
    title: str


class NotCovered(ServiceModel):
    """What the guide says when it does not cover a question."""

    message: str
    topic: str
    pointers: list[GuideLinkView]
    sources: list[Citation]
    nearest_entries: list[NearestEntry]
    published_elsewhere: list[Citation]


class GuideReply(ServiceModel):
    """The JSON answer of ``/api/guide`` and ``guide ask --json``."""

    ok: Literal[True] = True
    q: str
    covered: bool
    count: int
    results: list[GuideEntryView]
    not_covered: NotCovered | None


def _live_link(session: Any, link: dict[str, Any]) -> GuideLinkView:
    """Attach the live registry facts of a linked record (status and dates, or role)."""
    view = GuideLinkView.model_validate(link)
    if view.kind == "agreement":
        a = session.get(Agreement, view.id)
        if a is not None:
            return view.model_copy(update={
                "label": view.label or a.short_name,
                "live": {"status": a.status, "in_force": a.in_force.isoformat() if a.in_force else None,
                         "key_provisions": a.key_provisions}})
    elif view.kind == "agency":
        ag = session.get(Agency, view.id)
        if ag is not None:
            return view.model_copy(update={"label": view.label or ag.name, "live": {"kind": ag.kind}})
    return view


def _entry_view(e: GuideEntry, score: float, session: Any | None = None) -> GuideEntryView:
    links = ([_live_link(session, lk) for lk in e.links] if session is not None
             else [GuideLinkView.model_validate(lk) for lk in e.links])
    return GuideEntryView(id=e.id, title=e.title, body=e.body, links=links,
                          citations=[Citation.model_validate(c) for c in e.citations], score=round(score, 4))


def _check_question(question: str) -> list[str]:
    if not question or not question.strip():
        raise InputError("The question is empty.", field="q", expected="a question in words",
                         example="How does USTR negotiate trade agreements?")
    if len(question) > MAX_QUERY_CHARS:
        raise InputError(f"The question is longer than {MAX_QUERY_CHARS} characters.", field="q",
                         expected=f"at most {MAX_QUERY_CHARS} characters",
                         example="What are USTR's enforcement priorities?")
    return terms_of(question)


def ask(question: str, *, limit: int = 5) -> list[GuideEntryView]:
    """Return the guide entries that best answer ``question``, best first.

    On SQLite the ranking is FTS5's BM25 with the title weighted 10, keywords 5 and
    the body 1 (porter stemming). On other databases the same BM25 is computed in Python.
    The office's own name (``DOMAIN_WORDS``) counts half, and each asked-about word found in
    an entry's title adds ``TITLE_BONUS``: a title says what an entry answers.
    """
    if not 1 <= limit <= 50:
        raise InputError("limit out of range.", field="limit", expected="1 to 50", example="5")
    terms = _check_question(question)
    if not terms:
        return []
    specific = [t for t in terms if t not in DOMAIN_WORDS]
    domain = [t for t in terms if t in DOMAIN_WORDS]
    titled = [t for t in terms if t not in TITLE_GENERIC]
    scores: dict[str, float] = {}

    def add(found: dict[str, float], weight: float) -> None:
        for ident, score in found.items():
            scores[ident] = scores.get(ident, 0.0) + weight * score

    with read_session() as s:
        if s.get_bind().dialect.name == "sqlite":
            add(_fts_scores(s, specific), 1.0)
            add(_fts_scores(s, domain), DOMAIN_WEIGHT)
            for t in titled:
                add(_fts_scores(s, [t], column="title", rank=False), TITLE_BONUS)
        else:
            entries = s.scalars(select(GuideEntry)).all()
            add(dict(_bm25_python(entries, specific)), 1.0)
            add(dict(_bm25_python(entries, domain)), DOMAIN_WEIGHT)
            for t in titled:
                add({e.id: 1.0 for e in entries if _stem_in(t, e.title)}, TITLE_BONUS)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        by_id = {e.id: e for e in s.scalars(select(GuideEntry)).all()}
        return [_entry_view(by_id[i], score, s) for i, score in ranked if i in by_id]


def _fts_scores(session: Any, terms: list[str], *, column: str | None = None,
                rank: bool = True) -> dict[str, float]:
    """Return {entry id: BM25 score} (or 1.0 per match when ``rank`` is False) for ``terms``."""
    if not terms:
        return {}
    match = " OR ".join(f'"{t}"' for t in terms)
    if column:
        match = f"{column} : ({match})"
    rows = session.execute(
        text("SELECT id, bm25(guide_fts, 0.0, 10.0, 1.0, 5.0) AS rank FROM guide_fts "
             "WHERE guide_fts MATCH :m"),
        {"m": match},
    ).all()
    return {r.id: (-float(r.rank) if rank else 1.0) for r in rows}


def _stem_in(term: str, text_: str) -> bool:
    """Return True when a word of ``text_`` shares ``term``'s first six letters (a crude stem)."""
    stem = term[:6]
    return any(w.startswith(stem) for w in _TOKEN.findall(text_.lower()))


def _bm25_python(entries: Any, terms: list[str], k1: float = 1.2, b: float = 0.75) -> list[tuple[str, float]]:
    docs = {
        e.id: Counter(_TOKEN.findall(f"{e.title} {e.title} {e.keywords} {e.body}".lower()))
        for e in entries
    }
    n = len(docs) or 1
    avg = sum(sum(c.values()) for c in docs.values()) / n
    out = []
    for doc_id, counts in docs.items():
        length = sum(counts.values())
        score = 0.0
        for t in terms:
            df = sum(1 for c in docs.values() if t in c)
            if not counts.get(t):
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            tf = counts[t]
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avg))
        if score > 0:
            out.append((doc_id, score))
    return sorted(out, key=lambda x: -x[1])


def list_entries() -> list[GuideEntryView]:
    """Return every guide entry, in id order."""
    with read_session() as s:
        return [_entry_view(e, 0.0) for e in s.scalars(select(GuideEntry).order_by(GuideEntry.id))]


def get_entry(entry_id: str) -> GuideEntryView:
    """Return one guide entry."""
    with read_session() as s:
        e = s.get(GuideEntry, entry_id)
        if e is None:
            raise NotFoundError(f"Unknown guide entry {entry_id!r}.", field="entry_id",
                                expected="an id from /guide", example="what-is-ustr")
        return _entry_view(e, 0.0, s)


# ----------------------------------------------------------------------------- coverage
NOT_COVERED_PREFIX = "not-covered-"
# Where the office publishes what the guide does not hold (named in every "not covered" answer).
PUBLISHED_ELSEWHERE = (
    Citation(title="USTR press releases, reports and fact sheets", href="https://ustr.gov"),
    Citation(title="Federal Register: notices, proclamations and executive orders", href="https://www.federalregister.gov"),
    Citation(title="regulations.gov: the office's public comment dockets", href="https://www.regulations.gov"),
)
_ACRONYM = re.compile(r"\b([A-Z][A-Z0-9]{1,}|[0-9]{3,}[A-Za-z0-9.]*)\b")


@dataclass(frozen=True)
class GuideAnswer:
    """The guide's answer to a question: the ranked entries, and whether they answer it.

    ``covered`` is False when no entry matches, when the question names a term (an acronym
    such as IEEPA or PDF, or a number such as 9903) that no entry mentions, or when the best
    entry is one of the guide's "not covered" notes. ``not_covered`` then says so, names
    the unknown terms, the nearest entries (not answers) and where the office publishes.
    """

    question: str
    covered: bool
    results: list[GuideEntryView]
    not_covered: NotCovered | None = None
    unknown_terms: list[str] = field(default_factory=list)

    def reply(self) -> GuideReply:
        """Return the JSON answer (the API's and the CLI's)."""
        return GuideReply(q=self.question, covered=self.covered, count=len(self.results),
                          results=self.results, not_covered=self.not_covered)


def _corpus_words() -> set[str]:
    with read_session() as s:
        words: set[str] = set()
        for e in s.scalars(select(GuideEntry)):
            if e.id.startswith(NOT_COVERED_PREFIX):
                continue
            words.update(_TOKEN.findall(f"{e.title} {e.keywords} {e.body}".lower()))
        for a in s.scalars(select(Agreement)):
            words.update(_TOKEN.findall(f"{a.name} {a.short_name}".lower()))
        for ag in s.scalars(select(Agency)):
            words.update(_TOKEN.findall(ag.name.lower()))
        return words


def unknown_terms(question: str) -> list[str]:
    """Return the acronyms and numbers of ``question`` that no guide entry or registry name uses."""
    words = _corpus_words()
    out = []
    for tok in _ACRONYM.findall(question):
        low = tok.lower()
        if low in DOMAIN_WORDS or low in ("us", "usa", "u") or low in out:
            continue
        if low not in words and not any(w.startswith(low[:6]) for w in words if len(low) >= 6):
            out.append(low)
    return out


def answer(question: str, *, limit: int = 5) -> GuideAnswer:
    """Answer ``question``: the ranked entries, or say plainly that the guide does not cover it."""
    hits = ask(question, limit=limit)
    unknown = unknown_terms(question) if hits else []
    top_gap = bool(hits) and hits[0].id.startswith(NOT_COVERED_PREFIX)
    if top_gap and unknown:
        gap_words = set(_TOKEN.findall(f"{hits[0].title} {hits[0].body}".lower()))
        top_gap = all(t in gap_words for t in unknown)   # the note is about the unknown term
    if hits and not unknown and not top_gap:
        return GuideAnswer(question, True, hits)
    if top_gap:
        gap = hits[0]
        nearest = [NearestEntry(id=h.id, title=h.title) for h in hits[1:3]
                   if not h.id.startswith(NOT_COVERED_PREFIX)]
        return GuideAnswer(question, False, hits, NotCovered(
            message=gap.body, topic=gap.title, pointers=gap.links, sources=gap.citations,
            nearest_entries=nearest, published_elsewhere=list(PUBLISHED_ELSEWHERE)), [])
    what = ", ".join(t.upper() for t in unknown) if unknown else "this question"
    nearest = [NearestEntry(id=h.id, title=h.title) for h in hits[:3]]
    message = (f"The guide has no entry on {what}. "
               + ("The entries below share other words with the question; they are the nearest, not an answer. "
                  if nearest else "")
               + "The office publishes what the guide does not hold on ustr.gov, in the Federal Register "
                 "and in its regulations.gov dockets.")
    return GuideAnswer(question, False, [] if unknown else hits, NotCovered(
        message=message, topic=what, pointers=[], sources=[],
        nearest_entries=nearest, published_elsewhere=list(PUBLISHED_ELSEWHERE)), unknown)
