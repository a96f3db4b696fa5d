"""TFA commitments of one Member: the implementation rate and the Art. 16/17 dates (pure).

The rate follows the TFA Database methodology (fact sheet s.6; tfadatabase.org "How do we
calculate the rate of implementation"): each notifiable article item counts as committed on a
date when the Member's obligation for it has started on or before that date:

- obligations start only once the Member has ratified (no ratification date: no rate);
- a developed Member: every item from entry into force (``tfa.entry_into_force``);
- Category A: developing Members on ``tfa.cat_a_developing``, LDCs on ``tfa.cat_a_ldc``;
- Category B/C: the **definitive date if notified, else the indicative date**; no date = unknown;
- items not designated A/B/C count as "not designated" (never committed);
- each start date is the later of that date and the ratification date.

The rate is committed items over ``tfa.metric.items`` (238). Yearly points are taken on 22
February (``tfa.metric.evaluation_day``)::

    >>> import datetime as dt
    >>> m = MemberTFA("XA", "developing", dt.date(2016, 5, 1), (
    ...     Item("1.1", "A", items=100), Item("7.1", "B", indicative=dt.date(2019, 1, 1), items=38),
    ...     Item("10.4", "C", indicative=dt.date(2030, 1, 1), definitive=dt.date(2020, 1, 1), items=50)))
    >>> r = member_rate(m, dt.date(2021, 2, 22))
    >>> r.committed_items, r.total_items, r.not_designated_items
    (188, 238, 50)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from tradepolicy.errors import InputError
from tradepolicy.law.rules import RuleBook, bundled_rules, value_of

Group = Literal["developed", "developing", "ldc"]
CATEGORIES = ("A", "B", "C")


@dataclass(frozen=True, slots=True)
class Item:
    """One notifiable article item (or a block of ``items`` items with the same designation)."""

    measure: str
    category: str | None = None
    indicative: dt.date | None = None
    definitive: dt.date | None = None
    items: int = 1
    title: str = ""


@dataclass(frozen=True, slots=True)
class MemberTFA:
    """A Member, its group, its ratification date and its items."""

    member: str
    group: Group
    ratified: dt.date | None
    items: tuple[Item, ...] = ()


@dataclass(frozen=True, slots=True)
class ItemStatus:
    """How one item counts on the evaluation date."""

    measure: str
    category: str | None
    items: int
    date_used: dt.date | None
    date_kind: str
    committed: bool


@dataclass(frozen=True, slots=True)
class MemberRate:
    """A Member's implementation rate on ``on``."""

    member: str
    on: dt.date
    committed_items: int
    total_items: int
    not_designated_items: int
    unknown_items: int
    rate: float
    ratified: dt.date
    by_item: tuple[ItemStatus, ...] = field(default=())
    method: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        out = {k: getattr(self, k) for k in self.__slots__ if k != "by_item"}
        out["on"] = self.on.isoformat()
        out["ratified"] = self.ratified.isoformat()
        out["by_item"] = [{"measure": s.measure, "category": s.category, "items": s.items,
                           "date_used": s.date_used.isoformat() if s.date_used else None,
                           "date_kind": s.date_kind, "committed": s.committed} for s in self.by_item]
        return out


def evaluation_day(year: int, book: RuleBook | None = None) -> dt.date:
    """Return the yearly evaluation day of ``year`` (rule ``tfa.metric.evaluation_day``, 22 Feb)."""
    book = book or bundled_rules()
    rule = book.rules["tfa.metric.evaluation_day"]
    month, day = (int(x) for x in str(value_of(rule, rule.periods()[0].start).value).split("-"))
    return dt.date(year, month, day)


def member_rate(m: MemberTFA, on: dt.date, *, book: RuleBook | None = None) -> MemberRate:
    """Return the implementation rate of one Member on ``on`` (see the module docstring)."""
    book = book or bundled_rules()
    if m.ratified is None:
        raise InputError(f"{m.member} has no ratification date; TFA obligations start only once a Member "
                         "has ratified, so no rate can be computed.", field="ratified",
                         expected="the date the Member accepted the Protocol (YYYY-MM-DD)", example="2016-05-01")
    if m.group not in ("developed", "developing", "ldc"):
        raise InputError(f"Unknown group {m.group!r} for {m.member}.", field="group",
                         expected="developed | developing | ldc", example="developing")
    at = max(on, book.rules["tfa.entry_into_force"].periods()[0].start)
    per_member = int(value_of(book.rules["tfa.metric.items"], at).value)
    eif: dt.date = value_of(book.rules["tfa.entry_into_force"], at).value
    cat_a: dt.date = value_of(book.rules["tfa.cat_a_ldc" if m.group == "ldc" else "tfa.cat_a_developing"], at).value
    start = max(eif, m.ratified)
    method = ("TFA Database rate of implementation commitments: committed items / "
              f"{per_member} items; obligations from ratification ({m.ratified.isoformat()}); ")
    if m.group == "developed":
        committed = per_member if on >= start else 0
        return MemberRate(m.member, on, committed, per_member, 0, 0, committed / per_member, m.ratified, (),
                          method + f"developed Member: every item from {start.isoformat()}")
    designated = sum(i.items for i in m.items if i.category)
    if any(i.items < 0 for i in m.items) or sum(i.items for i in m.items) > per_member:
        raise InputError(f"{m.member}: {sum(i.items for i in m.items)} items given, more than {per_member}.",
                         field="items", expected=f"non-negative counts summing to <= {per_member}", example="1")
    committed = unknown = 0
    rows = []
    for i in m.items:
        cat = (i.category or "").upper() or None
        if cat is not None and cat not in CATEGORIES:
            raise InputError(f"{m.member} {i.measure}: unknown category {i.category!r}.", field="category",
                             expected="A | B | C (or empty: not designated)", example="B")
        if cat is None:
            rows.append(ItemStatus(i.measure, None, i.items, None, "not designated", False))
            continue
        if cat == "A":
            used, kind = cat_a, "category A date"
        elif i.definitive is not None:
            used, kind = i.definitive, "definitive"
        elif i.indicative is not None:
            used, kind = i.indicative, "indicative"
        else:
            used, kind = None, "unknown"
        if used is None:
            unknown += i.items
            rows.append(ItemStatus(i.measure, cat, i.items, None, kind, False))
            continue
        used = max(used, start)
        ok = used <= on
        committed += i.items if ok else 0
        rows.append(ItemStatus(i.measure, cat, i.items, used, kind, ok))
    not_designated = per_member - designated
    return MemberRate(m.member, on, committed, per_member, not_designated, unknown, committed / per_member,
                      m.ratified, tuple(rows),
                      method + f"category A from {cat_a.isoformat()}; B/C at the definitive date if notified, "
                               "else the indicative date, else unknown; each date no earlier than ratification")


def yearly_rates(m: MemberTFA, until: dt.date, *, book: RuleBook | None = None) -> list[MemberRate]:
    """Return the Member's rate on each yearly evaluation day from entry into force up to ``until``."""
    book = book or bundled_rules()
    eif: dt.date = book.rules["tfa.entry_into_force"].periods()[0].start
    out = []
    for year in range(eif.year, until.year + 1):
        day = evaluation_day(year, book)
        if eif <= day <= until:
            out.append(member_rate(m, day, book=book))
    return out


@dataclass(frozen=True, slots=True)
class Deadline:
    """A notification or extension date due for a Member (from a law rule)."""

    what: str
    rule_id: str
    due: dt.date
    citation: str
    measure: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {"what": self.what, "rule_id": self.rule_id, "due": self.due.isoformat(),
                "citation": self.citation, "measure": self.measure}


NOTIFICATION_RULES = ("designations", "b_indicative", "b_definitive", "c_indicative", "c_tacb_requirements",
                      "c_tacb_arrangements", "c_definitive")


def notification_deadlines(group: Group, *, book: RuleBook | None = None) -> list[Deadline]:
    """Return the Art. 15-16 notification deadlines of a developing Member or LDC (law rules)."""
    book = book or bundled_rules()
    if group == "developed":
        return []
    suffix = "ldc" if group == "ldc" else "developing"
    out = []
    for name in NOTIFICATION_RULES:
        rule = book.rules[f"tfa.notify.{name}_{suffix}"]
        rv = value_of(rule, rule.periods()[0].start)
        out.append(Deadline(rv.title, rule.id, rv.value, rv.citation))
    return sorted(out, key=lambda d: d.due)


def extension_dates(group: Group, items: Sequence[Item], *, book: RuleBook | None = None) -> list[Deadline]:
    """Return the Art. 17 dates of each B/C item with a definitive date.

    The Art. 17.1 early-warning date and the Art. 17.2 latest automatically granted date (law
    clocks ``tfa.early_warning_*``, ``tfa.automatic_extension_*``).
    """
    from tradepolicy.law.calendars import bundled_calendars
    from tradepolicy.law.clocks import due_date

    if group == "developed":
        return []
    book = book or bundled_rules()
    cals = bundled_calendars()
    suffix = "ldc" if group == "ldc" else "developing"
    out = []
    for i in items:
        if (i.category or "").upper() not in ("B", "C") or i.definitive is None:
            continue
        for rid, what in ((f"tfa.early_warning_{suffix}", "extension request due (early warning)"),
                          (f"tfa.automatic_extension_{suffix}", "latest date an extension is automatic")):
            rv = value_of(book.rules[rid], i.definitive)
            out.append(Deadline(what, rid, due_date(i.definitive, rv, cals).due, rv.citation, i.measure))
    return sorted(out, key=lambda d: (d.due, d.measure or ""))
