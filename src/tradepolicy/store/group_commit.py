"""Group commit: concurrent small writes share one transaction and one disk flush.

With ``PRAGMA synchronous=FULL`` every SQLite commit waits for an fsync (~9 ms on the
project's machine), so one writer at a time tops out near 100 commits per second however
cheap the write is. :func:`run_grouped` lets the threads that write at the same moment
share a commit: the first becomes the *leader*, takes every write queued so far, runs each
in its own SAVEPOINT inside one ``transaction()`` and commits once; the others wait and
get their own result or exception back. A write that raises is rolled back to its
savepoint, so a rejected request still changes nothing, and no request is answered before
the commit that holds its write is durable. After a round the leader hands the lead to the
first write that queued meanwhile (so no thread serves others indefinitely).

A failure of the commit itself (disk full, a lost connection) is raised in every write of
the round: none of them was acknowledged.

SQLite only: there one writer holds the whole database (``BEGIN IMMEDIATE``), so a round cannot
deadlock. On PostgreSQL each write keeps its own transaction (the server already shares WAL
flushes between concurrent commits, and a round locking several cases' rows could deadlock
with another process's round).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from tradepolicy.store.db import get_engine, transaction

T = TypeVar("T")

MAX_GROUP = 64  # writes per commit at most (bounds the time the write lock is held)


@dataclass(eq=False)
class _Job(Generic[T]):
    fn: Callable[[Session], T]
    done: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    result: Any = None
    error: BaseException | None = None


class _Group:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.queue: list[_Job[Any]] = []
        self.leading = False


_GROUPS: dict[str, _Group] = {}
_GROUPS_LOCK = threading.Lock()


def _group(url: str) -> _Group:
    with _GROUPS_LOCK:
        g = _GROUPS.get(url)
        if g is None:
            g = _GROUPS[url] = _Group()
        return g


def run_grouped(fn: Callable[[Session], T], url: str | None = None) -> T:
    """Run ``fn(session)`` in a transaction shared with concurrent writers; return its result.

    ``fn`` must do all its work through the session it is given (it runs in its own
    SAVEPOINT, possibly in another thread) and must not commit. Its exception is re-raised
    here, after its savepoint was rolled back.
    """
    from tradepolicy.config import get_settings

    if get_engine(url).dialect.name != "sqlite":
        # PostgreSQL groups commits in its own WAL writer; and a round holding the row locks of
        # several cases could deadlock with another process's round. One transaction per write.
        with transaction(url) as s:
            return fn(s)
    g = _group(url or get_settings().database_url)
    job: _Job[T] = _Job(fn)
    with g.lock:
        g.queue.append(job)
        if not g.leading:
            g.leading = True
            job.lead = True
    if not job.lead:
        job.done.wait()
    if job.lead:  # lead one round (ours is in it), then pass the lead on
        with g.lock:
            batch, g.queue = g.queue[:MAX_GROUP], g.queue[MAX_GROUP:]
        try:
            _commit_round(batch, url)
        finally:
            with g.lock:
                if g.queue:
                    nxt = g.queue[0]
                    nxt.lead = True
                    nxt.done.set()
                else:
                    g.leading = False
            for j in batch:
                if j is not job:
                    j.done.set()
    if job.error is not None:
        raise job.error
    return job.result  # type: ignore[no-any-return]


def _commit_round(batch: list[_Job[Any]], url: str | None) -> None:
    try:
        with transaction(url) as s:
            for j in batch:
                sp = s.begin_nested()
                try:
                    j.result = j.fn(s)
                    sp.commit()
                except BaseException as exc:
                    j.error = exc
                    if sp.is_active:
                        sp.rollback()
    except BaseException as exc:  # the commit failed: no write of the round is durable
        for j in batch:
            if j.error is None:
                j.error = exc
                j.result = None
