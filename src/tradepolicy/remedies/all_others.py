"""The all-others rate (19 U.S.C. 1673d(c)(5); fact sheet §4.4 and E7).

Weighted average of the individually investigated respondents' margins, excluding zero,
de minimis and entirely facts-available margins, weighted by U.S. sales value (or
quantity). If every margin is excluded the statute allows "any reasonable method"; the
engine then returns no rate and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tradepolicy.errors import InputError
from tradepolicy.remedies.margins import above_de_minimis


@dataclass(frozen=True, slots=True)
class Respondent:
    """One individually examined respondent.

    Attributes
    ----------
    name
        Respondent name.
    margin
        Weighted-average margin (decimal, 0.125 = 12.5 %).
    weight
        U.S. sales value (currency) or quantity (units) used as weight; >= 0.
    facts_available
        The margin rests entirely on facts available (AFA).
    """

    name: str
    margin: float
    weight: float
    facts_available: bool = False


@dataclass(frozen=True, slots=True)
class AllOthersResult:
    """All-others rate and the treatment of each respondent.

    Attributes
    ----------
    rate
        All-others rate (decimal) or None if every margin is excluded.
    included
        ``[{name, margin, weight, included, reason}]``.
    method
        How the rate was obtained.
    """

    rate: float | None
    included: list[dict[str, Any]]
    method: str

    def summary(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {"rate": self.rate, "respondents": self.included, "method": self.method}


def all_others_rate(respondents: Sequence[Respondent], *, de_minimis: float) -> AllOthersResult:
    """Return the weighted all-others rate.

    A margin is excluded if it is zero, de minimis (not above ``de_minimis``, the program's
    ``GT`` semantics) or entirely facts-available.

    >>> all_others_rate([Respondent("X", 0.10, 1.0), Respondent("Y", 0.0, 1.0)], de_minimis=0.02).rate
    0.1
    """
    if not respondents:
        raise InputError("No respondent given.", field="respondents", expected="at least one row",
                         example="name,margin,us_value,facts_available")
    rows: list[dict[str, Any]] = []
    num = den = 0.0
    for r in respondents:
        if r.weight < 0 or r.margin < 0:
            raise InputError(f"Respondent {r.name!r} has a negative margin or weight.", where=r.name,
                             field="margin" if r.margin < 0 else "us_value", expected="a number >= 0",
                             example="0.125")
        if r.facts_available:
            reason = "excluded: entirely facts available"
        elif r.margin == 0:
            reason = "excluded: zero"
        elif not above_de_minimis(r.margin, de_minimis):
            reason = "excluded: de minimis"
        else:
            reason = "included"
            num += r.margin * r.weight
            den += r.weight
        rows.append({"name": r.name, "margin": r.margin, "weight": r.weight,
                     "facts_available": r.facts_available, "included": reason == "included", "reason": reason})
    if den > 0:
        return AllOthersResult(num / den, rows, "weighted average of included margins (1673d(c)(5)(A))")
    return AllOthersResult(None, rows, "every margin is zero, de minimis or facts available: "
                           "'any reasonable method' applies (1673d(c)(5)(B)); no rate computed")
