"""The TFA Database "rate of implementation commitments" (fact sheet s.6, E14).

Each Member has ``tfa.metric.items`` notifiable article items. An item counts as committed on a
date when: the Member is developed (all items from entry into force); it is a Category A item
(developing: ``tfa.cat_a_developing``; LDC: ``tfa.cat_a_ldc``); or it is a Category B/C item
whose definitive date (else indicative date) is on or before the date. Items with no
designation are "not yet designated" and never count. The rate is committed items over
items x Members::

    >>> import datetime as dt
    >>> m = [MemberCommitments("M1", "developed"),
    ...      MemberCommitments("M2", "developing", category_a=100,
    ...                        dated=((100, dt.date(2023, 2, 22)), (30, dt.date(2030, 2, 22))))]
    >>> round(implementation_rate(m, dt.date(2023, 2, 22)).rate, 3)
    0.92
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from tradepolicy.errors import InputError
from tradepolicy.law.rules import RuleBook, bundled_rules, value_of

Group = Literal["developed", "developing", "ldc"]


@dataclass(frozen=True, slots=True)
class MemberCommitments:
    """One Member's designations.

    Attributes
    ----------
    member
        A name or code.
    group
        developed | developing | ldc.
    category_a
        Number of Category A items (ignored for developed Members).
    dated
        (items, date) blocks of Category B/C items: the definitive date if notified, else the
        indicative one.
    """

    member: str
    group: Group
    category_a: int = 0
    dated: tuple[tuple[int, dt.date], ...] = ()


@dataclass(frozen=True, slots=True)
class ImplementationRate:
    """The metric on one date: ``committed_items / total_items`` (a decimal, 0.71 = 71%)."""

    on: dt.date
    committed_items: int
    total_items: int
    not_designated_items: int
    rate: float


def implementation_rate(members: Sequence[MemberCommitments], on: dt.date, *,
                        book: RuleBook | None = None) -> ImplementationRate:
    """Return the rate of implementation commitments of ``members`` on date ``on``."""
    book = book or bundled_rules()
    if not members:
        raise InputError("Give at least one Member.", field="members", expected="a list of Members",
                         example='[{"member": "M1", "group": "developed"}]')
    # The rules hold from entry into force; before it nothing is committed (read them there).
    at = max(on, book.rules["tfa.entry_into_force"].periods()[0].start)
    per_member = int(value_of(book.rules["tfa.metric.items"], at).value)
    eif = value_of(book.rules["tfa.entry_into_force"], at).value
    cat_a = {"developing": value_of(book.rules["tfa.cat_a_developing"], at).value,
             "ldc": value_of(book.rules["tfa.cat_a_ldc"], at).value}
    committed = undesignated = 0
    for m in members:
        if m.group not in ("developed", "developing", "ldc"):
            raise InputError(f"Unknown group {m.group!r} for {m.member}.", field="group",
                             expected="developed, developing or ldc", example="developing")
        if m.group == "developed":
            committed += per_member if on >= eif else 0
            continue
        designated = m.category_a + sum(n for n, _ in m.dated)
        if m.category_a < 0 or any(n < 0 for n, _ in m.dated) or designated > per_member:
            raise InputError(f"{m.member}: {designated} items designated, more than {per_member}.",
                             field="items", expected=f"non-negative counts summing to <= {per_member}",
                             example="category_a=100, dated=[(100, 2023-02-22)]")
        undesignated += per_member - designated
        if on >= cat_a[m.group]:
            committed += m.category_a
        committed += sum(n for n, d in m.dated if d <= on)
    total = per_member * len(members)
    return ImplementationRate(on=on, committed_items=committed, total_items=total,
                              not_designated_items=undesignated, rate=committed / total)
