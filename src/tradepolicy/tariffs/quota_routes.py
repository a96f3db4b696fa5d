"""Special-column references to chapter 98/99 headings ("See 9822.05.20 (P+)").

Agricultural lines with a tariff-rate quota print, for some agreements, no rate of their own
in the special column but a reference: ``See 9822.05.20 (P+)`` (CAFTA-DR sugar),
``See 9823.09.01-9823.09.09 (S+)`` (USMCA sugar), ``See 9915.02.05-9915.02.10 (P+)``
(CAFTA-DR beef), ``See 9908.04.01 (IL)`` (Israel). The rate the programme gives sits in the
special column of the named heading, which also states the condition, usually "subject to the
quantitative limits specified in U.S. note N to this subchapter" (the agreement's quota).

This module resolves such a reference for one line: the headings of the range whose text
(or, when the heading names no subheading, the nearest superior text that does) covers the
line's HTS8 subheading, each with the programme's duty and whether it is in quota. The stack
then offers the lowest as the programme's rate, in quota, and says so (``stacking.yaml``
rule ``quota_routes``).

>>> rows = [RouteHeading("9822.05.20", "Goods provided for in subheading 1701.14.50, 1701.91.30 "
...                      "subject to the quantitative limits specified in U.S. note 25", "Free (P+)")]
>>> [(r.heading, r.duty.text, r.in_quota) for r in resolve("See 9822.05.20", ("P+",), "1701.14.50", rows)]
[('9822.05.20', 'Free', True)]
>>> resolve("See 9822.05.20", ("P+",), "0201.10.50", rows)
[]
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from tradepolicy.tariffs.rate_text import Duty, parse_special

_SUBHEADING = re.compile(r"\b(\d{4}\.\d{2}\.\d{2})\b")
_RANGE = re.compile(r"(\d{4}\.\d{2}\.\d{2})(?:\s*-\s*(\d{4}\.\d{2}\.\d{2}))?")
_HEADING = re.compile(r"\bheadings?\s+(\d{4})(?![.\d])", re.IGNORECASE)
_QUOTA = re.compile(r"quantitative limit|aggregate quantity|quota", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RouteHeading:
    """A chapter 98/99 heading: dotted number, scope text and special column.

    ``description`` is the heading's own text; ``superior`` the nearest superior text that
    names subheadings ("Goods provided for in subheading 1701.12.50, ...:"), if any.
    """

    heading: str
    description: str
    special: str
    superior: str = ""


@dataclass(frozen=True, slots=True)
class Route:
    """The duty one heading gives a programme on a line, and its condition."""

    heading: str
    duty: Duty
    in_quota: bool
    condition: str


def subheadings(text: str) -> frozenset[str]:
    """Return the dotted HTS8 subheadings a text names."""
    return frozenset(_SUBHEADING.findall(text or ""))


def reference_ranges(text: str) -> list[tuple[str, str]]:
    """Return the (first, last) headings of a ``See A[-B][, C[-D]...]`` reference.

    >>> reference_ranges("See 9919.04.40, 9919.04.41-9919.04.42")
    [('9919.04.40', '9919.04.40'), ('9919.04.41', '9919.04.42')]
    >>> reference_ranges("Free")
    []
    """
    t = (text or "").strip()
    if not t.lower().startswith("see "):
        return []
    return [(m.group(1), m.group(2) or m.group(1)) for m in _RANGE.finditer(t)]


def _scope(text: str) -> tuple[frozenset[str], frozenset[str]]:
    return subheadings(text), frozenset(_HEADING.findall(text or ""))


_LIST = re.compile(r"\d{4}\.\d{2}\.\d{2}(?:\s*,\s*(?:or\s+|and\s+)?\d{4}\.\d{2}\.\d{2}|\s+(?:or|and)\s+\d{4}\.\d{2}\.\d{2})+")


def condense(text: str, subheading: str) -> str:
    """Shorten a heading text's list of subheadings to the line's own and a count.

    >>> condense("Goods provided for in subheading 1701.12.50, 1701.14.50 or 1702.90.20, "
    ...          "subject to the quantitative limits", "1701.14.50")
    'Goods provided for in subheading 1701.14.50 (and 2 others), subject to the quantitative limits'
    """
    def short(m: re.Match[str]) -> str:
        codes = _SUBHEADING.findall(m.group(0))
        if subheading in codes:
            return f"{subheading} (and {len(codes) - 1} others)"
        return f"{codes[0]} (and {len(codes) - 1} others)"
    return _LIST.sub(short, text)


def covers(h: RouteHeading, subheading: str) -> bool:
    """Say whether the heading applies to ``subheading`` (dotted HTS8).

    The heading's own text decides when it names subheadings (or a 4-digit heading: "certain
    subheadings of heading 0406"); else its superior text; a heading naming none (e.g.
    "Other") applies to every line that refers to it.
    """
    for text in (h.description, h.superior):
        eight, four = _scope(text)
        if eight or four:
            return subheading in eight or subheading[:4] in four
    return True


def resolve(reference: str, programs: Sequence[str], subheading: str,
            headings: Sequence[RouteHeading]) -> list[Route]:
    """Return the routes of ``reference`` ("See A[-B]") for ``programs`` on ``subheading``.

    ``headings`` sorted by heading number; those within the reference's ranges that cover the
    line and print a duty for one of ``programs`` are returned, in heading order.
    """
    keys = [h.heading for h in headings]
    picked: dict[int, None] = {}
    for lo, hi in reference_ranges(reference):
        i = bisect.bisect_left(keys, lo)
        while i < len(keys) and keys[i] <= hi:
            picked[i] = None
            i += 1
    out: list[Route] = []
    for i in sorted(picked):
        h = headings[i]
        if not covers(h, subheading):
            continue
        for g in parse_special(h.special):
            if g.duty.kind == "reference" or not any(p in g.programs for p in programs):
                continue
            text = " ".join(h.description.split())
            out.append(Route(h.heading, g.duty, bool(_QUOTA.search(text)), condense(text, subheading)))
            break
    return out
