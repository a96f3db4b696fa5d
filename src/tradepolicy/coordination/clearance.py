"""Interagency clearance: TPSC, then TPRG, then the Cabinet level (NEC) if needed.

The committees decide by consensus (fact sheet s.7.2; https://ustr.gov/about-us/interagency-role).
At each level the named agencies record a position (concur, non-concur, comment) by a due date.
A level clears when every agency has concurred or commented. A non-concurrence, or a due date
passed with positions missing, escalates the document to the next level the clearance allows;
at the last level it is unresolved (for the principals to decide).

>>> s = evaluate(("tpsc", "tprg"), "tpsc", ("commerce", "state"), [("commerce", "concur")],
...              due=dt.date(2026, 1, 10), today=dt.date(2026, 1, 9))
>>> s.outcome, s.missing
('pending', ('state',))
>>> evaluate(("tpsc", "tprg"), "tpsc", ("commerce", "state"), [("commerce", "concur"), ("state", "non_concur")],
...          due=dt.date(2026, 1, 10), today=dt.date(2026, 1, 9)).outcome
'escalate'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

LEVELS = ("tpsc", "tprg", "cabinet")
LEVEL_TITLES = {"tpsc": "Trade Policy Staff Committee (TPSC)", "tprg": "Trade Policy Review Group (TPRG)",
                "cabinet": "Cabinet principals / National Economic Council"}
POSITIONS = ("concur", "non_concur", "comment")


@dataclass(frozen=True, slots=True)
class LevelState:
    """Where a clearance stands at its current level."""

    level: str
    outcome: str  # pending | cleared | escalate | unresolved
    reason: str
    missing: tuple[str, ...]
    next_level: str | None


def check_levels(levels: Sequence[str]) -> tuple[str, ...]:
    """Return the levels in order, or raise ``ValueError`` naming the bad one."""
    out = tuple(dict.fromkeys(lv.strip().lower() for lv in levels if lv.strip()))
    for lv in out:
        if lv not in LEVELS:
            raise ValueError(lv)
    if not out or out != tuple(lv for lv in LEVELS if lv in out):
        raise ValueError(",".join(out))
    return out


def evaluate(levels: Sequence[str], level: str, agencies: Sequence[str], positions: Sequence[tuple[str, str]],
             *, due: dt.date, today: dt.date) -> LevelState:
    """Return the outcome at ``level`` from the latest position of each agency (later ones replace earlier)."""
    latest: dict[str, str] = {}
    for agency, pos in positions:
        latest[agency] = pos
    idx = list(levels).index(level)
    nxt = levels[idx + 1] if idx + 1 < len(levels) else None
    missing = tuple(a for a in agencies if a not in latest)
    blocked = sorted(a for a, p in latest.items() if p == "non_concur")
    if blocked:
        why = f"non-concurrence by {', '.join(blocked)}"
    elif missing and today > due:
        why = f"due date {due.isoformat()} passed without a position from {', '.join(missing)}"
    elif missing:
        return LevelState(level, "pending", f"awaiting {', '.join(missing)} by {due.isoformat()}", missing, nxt)
    else:
        return LevelState(level, "cleared", "every agency concurred or commented (consensus)", (), nxt)
    return LevelState(level, "escalate" if nxt else "unresolved", why, missing, nxt)
