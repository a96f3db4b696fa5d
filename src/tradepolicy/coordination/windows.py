"""Docket windows (comments, hearing requests, post-hearing rebuttals) from cited law rules.

A window closes on a date set by a rule: a ``clock`` rule counted from the docket's opening date
(or its hearing), or a ``date`` rule taken from the notice that opened the docket (cited to it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from tradepolicy.errors import InputError
from tradepolicy.law.rules import rule_value

WINDOW_KINDS = ("comments", "hearing_requests", "rebuttals")


@dataclass(frozen=True, slots=True)
class Window:
    """One window of a docket: ``opens`` to ``closes`` (inclusive), with the rule that sets the close."""

    kind: str
    opens: dt.date
    closes: dt.date | None
    rule_id: str
    citation: str
    confirmed: bool

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"kind": self.kind, "opens": self.opens.isoformat(),
                "closes": self.closes.isoformat() if self.closes else None, "rule_id": self.rule_id,
                "citation": self.citation, "confirmed": self.confirmed}

    def is_open(self, on: dt.date) -> bool:
        """Return True when ``on`` falls inside the window."""
        return self.opens <= on and (self.closes is None or on <= self.closes)


@lru_cache(maxsize=1)
def docket_procedures() -> dict[str, dict[str, Any]]:
    """Return the docket procedures (``coordination/data/docket_procedures.yaml``)."""
    raw = yaml.safe_load(resources.files("tradepolicy.coordination").joinpath("data/docket_procedures.yaml").read_text())
    return dict(raw["procedures"])


def check_procedure(procedure: str) -> str:
    """Return ``procedure`` or raise an ``InputError`` naming the known ones."""
    if procedure not in docket_procedures():
        raise InputError(f"Unknown docket procedure {procedure!r}.", field="procedure",
                         expected=" | ".join(docket_procedures()), example="s301_review")
    return procedure


def _clock_close(rule_id: str, start: dt.date) -> tuple[dt.date, str, bool]:
    rv = rule_value(rule_id, on=start)
    if rv.kind == "date":
        return dt.date.fromisoformat(str(rv.value)), rv.citation, rv.confirmed
    if rv.unit != "days" or rv.basis != "calendar":
        raise InputError(f"Rule {rule_id!r} is not a calendar-day clock.", field="rule",
                         expected="a calendar-day clock or a date rule", example="docket.comments")
    return start + dt.timedelta(days=int(rv.value)), rv.citation, rv.confirmed


def compute_windows(procedure: str, opens: dt.date, *, hearing: dt.date | None = None,
                    overrides: dict[str, str] | None = None) -> list[Window]:
    """Return the windows of a docket of ``procedure`` opened on ``opens``.

    ``overrides`` maps a window kind to a ``date`` rule id taken from the notice (e.g.
    ``{"comments": "docket.ustr_2022_0014.closes"}``); the rule's citation is the notice's.
    A rebuttal window needs the ``hearing`` date; without it the window is left unscheduled.
    """
    check_procedure(procedure)
    out: list[Window] = []
    for w in docket_procedures()[procedure]["windows"]:
        kind, rule_id = w["kind"], (overrides or {}).get(w["kind"], w["rule"])
        start = opens if w.get("from", "opens") == "opens" else hearing
        if start is None:
            rv = rule_value(rule_id, on=opens)
            out.append(Window(kind, opens, None, rule_id, rv.citation, rv.confirmed))
            continue
        closes, cite, ok = _clock_close(rule_id, start)
        if closes < start:
            raise InputError(f"The {kind} window would close ({closes}) before it opens ({start}).",
                             field="opens", expected=f"a date on or before {closes}", example=closes.isoformat())
        out.append(Window(kind, start, closes, rule_id, cite, ok))
    return out
