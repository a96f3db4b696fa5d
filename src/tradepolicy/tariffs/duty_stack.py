"""The duty stack: every layer of duty on one line, one origin and one date.

Layers, in the order of ``stacking.yaml``: the base column (column 1 general, or column 2
for General Note 3(b) countries), a preference when the origin may claim one that lowers
the duty, each Chapter 99 additional duty with its authority, and AD/CVD order flags.
The total ad valorem equivalent (AVE) is the sum of the statable layers; a specific base
rate converts with a unit value, else with the USITC 2017 AVE when the rules allow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from tradepolicy.tariffs.dated_measures import AdcvdFlag, AdditionalDuty, Eligibility
from tradepolicy.tariffs.rate_text import Duty, SpecialGroup


@dataclass(frozen=True, slots=True)
class LineRates:
    """The rates of one tariff line in one schedule source.

    ``general``/``col2``: parsed column 1 general and column 2 duties; ``special``: groups
    of the special column; ``ave_2017``: the USITC 2017 AVE of the MFN rate (decimal) when
    known; ``units``: units of quantity ("kg|No."); ``blocked``: (symbol, ISO3) pairs an
    origin may not claim on this line (GSP country exclusions of an A* line).
    """

    code: str
    description: str
    source_id: str
    source_label: str
    source_citation: str
    general: Duty
    col2: Duty
    special: tuple[SpecialGroup, ...]
    units: str = ""
    ave_2017: float | None = None
    blocked: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Layer:
    """One layer of a duty stack; ``ave`` is its ad valorem equivalent (decimal) or None."""

    layer: str
    authority: str
    heading: str | None
    rate_text: str
    ave: float | None
    citation: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class DutyStack:
    """The layers of duty on ``hts`` from ``origin`` entered on ``date``.

    ``total_ave`` is the decimal ad valorem equivalent of all rate layers (None when a
    layer cannot be stated); ``source`` names the schedule used for the base column.
    ``deposit_ave``: AD/CVD cash deposits from a user orders file (None without one);
    ``total_with_deposits``: ``total_ave`` plus the deposits, a labelled total beside it.
    """

    hts: str
    description: str
    origin: str
    date: dt.date
    source: str
    source_citation: str
    layers: tuple[Layer, ...]
    total_ave: float | None
    notes: tuple[str, ...] = field(default=())
    deposit_ave: float | None = None
    total_with_deposits: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (dates as ISO strings)."""
        d = asdict(self)
        d["date"] = self.date.isoformat()
        return d

    def summary(self) -> str:
        """Return a one-paragraph text summary."""
        tot = "n/a" if self.total_ave is None else f"{self.total_ave:.2%}"
        parts = "; ".join(f"{ly.authority} {ly.rate_text}" for ly in self.layers)
        return f"{self.hts} from {self.origin} on {self.date}: total AVE {tot} ({parts})"


SPECIFIC_FALLBACK_NOTE = "AVE of the specific rate from the USITC 2017 tariff database"
SPECIFIC_NEEDS_UV_NOTE = "specific duty: give a unit value to convert it to an AVE"


def _duty_ave(d: Duty, unit_value: float | None, fallback: float | None, allow_fallback: bool) -> tuple[float | None, str | None]:
    v = d.ave(unit_value)
    if v is not None:
        return v, None
    if d.specific and allow_fallback and fallback is not None and not d.components:
        return fallback, SPECIFIC_FALLBACK_NOTE
    if d.specific:
        return None, SPECIFIC_NEEDS_UV_NOTE
    return None, d.reason


def best_preference(
    line: LineRates, eligible: Mapping[str, Eligibility], base_ave: float | None,
    unit_value: float | None,
) -> tuple[SpecialGroup, str, float | None] | None:
    """Return the eligible special group with the lowest AVE below the base, or None."""
    best: tuple[SpecialGroup, str, float | None] | None = None
    for g in line.special:
        syms = [s for s in g.programs if s in eligible]
        if not syms or not g.duty.parsed:
            continue
        ave = g.duty.ave(unit_value)
        if ave is None:
            continue
        if base_ave is not None and ave >= base_ave:
            continue
        if best is None or (best[2] is not None and ave < best[2]):
            best = (g, syms[0], ave)
    return best


def compute_stack(
    line: LineRates,
    origin: str,
    date: dt.date,
    *,
    column2_citation: str | None,
    eligible: Mapping[str, Eligibility],
    additional: Sequence[AdditionalDuty],
    adcvd: Sequence[AdcvdFlag],
    rules: Mapping[str, Mapping[str, Any]],
    unit_value: float | None = None,
    notes: Sequence[str] = (),
) -> DutyStack:
    """Return the duty stack of one line (see the module docstring)."""
    rule = {k: bool(v.get("value")) for k, v in rules.items()}
    allow_fb = rule.get("specific_without_unit_value_uses_2017_ave", False)
    layers: list[Layer] = []
    out_notes = list(notes)
    if rule.get("gsp_country_exclusions", False):
        lost = sorted(s for s, o in line.blocked if o == origin and s in eligible)
        if lost:
            eligible = {s: e for s, e in eligible.items() if s not in lost}
            why = rules["gsp_country_exclusions"].get("note", "may not claim it on this line")
            out_notes.append(f"{origin} {why}: {', '.join(lost)} not claimed.")
    if column2_citation is not None:
        base_duty, authority, cite = line.col2, "HTS column 2", column2_citation
    else:
        base_duty, authority = line.general, "HTS column 1 general (MFN)"
        cite = line.source_citation
    base_ave, why = _duty_ave(base_duty, unit_value, line.ave_2017 if column2_citation is None else None,
                              allow_fb)
    layers.append(Layer("base", authority, None, base_duty.text or "(blank)", base_ave,
                        f"{line.source_label}, {line.code}: {cite}", why))
    current = base_ave
    if column2_citation is None or not rule.get("column2_excludes_preferences", True):
        pref = best_preference(line, eligible, base_ave, unit_value)
        if pref is not None:
            group, sym, ave = pref
            e = eligible[sym]
            if group.via is None:
                layers.append(Layer("preference", f"{e.program} ({sym})", None,
                                    f"{group.duty.text} ({','.join(group.programs)})", ave,
                                    f"{line.source_label}, {line.code}, special column; {e.citation}",
                                    "replaces the base rate when claimed and the good qualifies"))
            else:
                why = rules.get("quota_routes", {}).get("note") if group.in_quota else None
                layers.append(Layer("preference", f"{e.program} ({sym})", group.via,
                                    f"{group.duty.text} ({','.join(group.programs)}), in {group.via}", ave,
                                    f"{line.source_label}, {line.code}, special column 'See {group.via}'; "
                                    f"{line.source_label}, {group.via}: {group.condition}; {e.citation}",
                                    why or "replaces the base rate when claimed and the good qualifies"))
            current = ave
        elif base_ave and any(s in eligible for g in line.special for s in g.programs):
            out_notes.append("An eligible programme is listed but does not lower the duty.")
    total = current
    for a in additional:
        layers.append(Layer("chapter99", a.authority, a.heading, f"+{a.rate * 100:g}%", a.rate,
                            a.citation, a.note or a.label))
        total = None if total is None else total + a.rate
    for f in adcvd:
        layers.append(Layer("adcvd", "AD order" if f.kind == "AD" else "CVD order", None,
                            f"{f.case_number}: {f.product}", None, f.citation,
                            "cash deposit is company-specific; check the order's scope"))
    if total is None and current is None:
        out_notes.append("Total AVE not stated: the base rate cannot be converted.")
    return DutyStack(line.code, line.description, origin, date, line.source_label,
                     line.source_citation, tuple(layers), total, tuple(out_notes))
