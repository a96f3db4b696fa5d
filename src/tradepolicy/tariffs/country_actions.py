"""Country-wide and listed additional duties of 2025-2026 (``measures/country_actions.yaml``).

IEEPA (fentanyl, reciprocal, Brazil, Russian oil), Section 122, Section 301 (Brazil, forced
labour) and Section 338 (Canada): each action has a dated default rate, dated rates by
origin, "inclusive of MFN" floors, a product scope (all products or listed ones) and
exemptions (product lists, Section 232 goods, USMCA-qualifying goods). The YAML is passed
in as a plain dict and the product lists as sets of HTS prefixes; this module is pure.

>>> cfg = {"eu_members": ["DEU"], "actions": {"x": {"authority": "A", "heading": "9903.03.01",
...        "default": [{"from": "2026-02-24", "rate": 0.1, "citation": "c"}], "to": "2026-07-23"}}}
>>> [d.rate for d in country_action_duties("0101210010", "VNM", dt.date(2026, 3, 1), cfg, {})[0]]
[0.1]
>>> country_action_duties("0101210010", "VNM", dt.date(2026, 8, 1), cfg, {})[0]
[]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tradepolicy.tariffs.dated_measures import AdditionalDuty, as_date, rate_on

USMCA_ORIGINS = ("CAN", "MEX")


@dataclass(frozen=True, slots=True)
class ActionRate:
    """The rate of one action for one origin on a date: a flat ``rate`` or an MFN-inclusive ``floor``."""

    rate: float | None
    floor: float | None
    citation: str
    confirmed: bool = True



def _confirmed(entry: Mapping[str, Any]) -> bool:
    """Whether a dated rate is confirmed.

    ``confirmed: false``, or a citation saying the fact is unconfirmed ("(T; unconfirmed)"),
    makes the layer UNCONFIRMED.
    """
    if "confirmed" in entry:
        return entry["confirmed"] is not False
    return "unconfirmed" not in str(entry.get("citation", "")).lower()

def in_lists(code: str, names: Any, lists: Mapping[str, frozenset[str]]) -> str | None:
    """Return the name of the first list holding ``code`` (matched at 10, 8 or 6 digits)."""
    for name in names or ():
        s = lists.get(str(name), frozenset())
        for n in (10, 8, 6):
            if len(code) >= n and code[:n] in s:
                return str(name)
    return None


def _entry(entries: Any, date: dt.date) -> Mapping[str, Any] | None:
    best = None
    for e in entries or ():
        if as_date(e["from"]) <= date and (best is None or as_date(e["from"]) >= as_date(best["from"])):
            best = e
    return best


def action_rate(action: Mapping[str, Any], origin: str, date: dt.date, eu: frozenset[str]) -> ActionRate | None:
    """Return the action's rate for ``origin`` on ``date`` (None when it does not apply)."""
    if "to" in action and date > as_date(action["to"]):
        return None
    not_subject = (action.get("not_subject") or {}).get("origins") or ()
    if origin in not_subject:
        return None
    keys = [origin] + (["EU"] if origin in eu else [])
    for k in keys:
        f = _entry((action.get("floors") or {}).get(k), date)
        if f is not None and f.get("floor") is not None:
            return ActionRate(None, float(f["floor"]), str(f["citation"]), _confirmed(f))
    for k in keys:
        entries = (action.get("by_origin") or {}).get(k)
        if entries:
            e = _entry(entries, date)
            if e is None:
                break
            if e.get("rate") is None:
                return None
            return ActionRate(float(e["rate"]), None, str(e["citation"]), _confirmed(e))
    e = _entry(action.get("default"), date)
    if e is None or e.get("rate") is None:
        return None
    return ActionRate(float(e["rate"]), None, str(e["citation"]), _confirmed(e))


def exempt_232(action: Mapping[str, Any], origin: str, date: dt.date) -> bool:
    """Return True when goods subject to a Section 232 duty are outside the action for ``origin``."""
    rule = (action.get("exempt") or {}).get("section232")
    if not rule:
        return False
    if "from" in rule and date < as_date(rule["from"]):
        return False
    return not rule.get("origins") or origin in rule["origins"]


def exempt_usmca(action: Mapping[str, Any], origin: str, date: dt.date) -> bool:
    """Return True when USMCA-qualifying goods of ``origin`` are outside the action on ``date``."""
    rule = (action.get("exempt") or {}).get("usmca")
    if not rule or origin not in USMCA_ORIGINS:
        return False
    return "from" not in rule or date >= as_date(rule["from"])


def applies_in_tier(action: Mapping[str, Any], over_quota: bool) -> bool:
    """Say whether an action applies given the quota position of the entry.

    ``tier: in_quota`` (the rate within a tariff-rate quota) applies unless the entry is over
    the quota; ``tier: over_quota`` only when it is; an action without a tier always applies.
    """
    tier = action.get("tier")
    if tier == "in_quota":
        return not over_quota
    if tier == "over_quota":
        return over_quota
    return True


def partial_exclusion(action: Mapping[str, Any], date: dt.date) -> Mapping[str, Any] | None:
    """Return the exclusion narrower than the product list in force on ``date``, if any.

    ``partial_exclusions``: dated exclusions of goods described more narrowly than the lines
    (e.g. bifacial solar panels, heading 9903.45.29). The single stack keeps the duty and says
    the good is excluded if it matches; aggregate work applies the exclusion to the whole line
    (as for Section 301 exclusions described narrower than their line).
    """
    for e in action.get("partial_exclusions") or ():
        if as_date(e["from"]) <= date <= as_date(e["to"]):
            return e
    return None


def aggregate_applies(action: Mapping[str, Any], date: dt.date) -> bool:
    """Say whether aggregate work charges the action on ``date``.

    Aggregate work takes entries in quota (an ``over_quota`` tier is skipped) and applies a
    narrower exclusion in force to the whole line (the action is skipped on its dates).
    """
    return applies_in_tier(action, False) and partial_exclusion(action, date) is None


def country_action_duties(
    code: str,
    origin: str,
    date: dt.date,
    cfg: Mapping[str, Any],
    lists: Mapping[str, frozenset[str]],
    *,
    mfn_ave: float | None = None,
    has_232: bool | float = False,
    usmca_qualifying: bool = False,
    over_quota: bool = False,
) -> tuple[list[AdditionalDuty], list[str]]:
    """Return the 2025-2026 country-action duties on ``code`` from ``origin`` on ``date``, and notes.

    ``mfn_ave``: the line's column 1 general AVE (for MFN-inclusive floors); ``has_232``: a
    Section 232 duty applies to the line (a float: the share of the value it taxes, below 1
    for a derivative charged on its metal content; an action that exempts s.232 goods then
    applies to the rest of the value); ``usmca_qualifying``: the good is taken as
    USMCA-qualifying (the stack claims the USMCA rate); ``over_quota``: the entry is over a
    tariff-rate quota of the action (``tier``; default: in quota, said in a note).
    """
    out: list[AdditionalDuty] = []
    notes: list[str] = []
    eu = frozenset(cfg.get("eu_members") or ())
    for _aid, a in cfg["actions"].items():
        if a.get("not_modelled"):
            starts = [as_date(e["from"]) for es in (a.get("by_origin") or {}).values() for e in es]
            if starts and date >= min(starts):
                notes.append(f"{a['authority']}: {a['not_modelled']}")
        prods = (a.get("products") or {}).get("lists")
        if "to" in a and date > as_date(a["to"]):
            before = action_rate({k: v for k, v in a.items() if k != "to"}, origin, as_date(a["to"]), eu)
            if (before is not None and date <= as_date(a["to"]) + dt.timedelta(days=400)
                    and (not prods or in_lists(code, prods, lists) is not None)):
                gone = f"{a['authority']}: no longer collected after {a['to']} ({a.get('end_citation', '')})."
                if gone not in notes:
                    notes.append(gone)
            continue
        r = action_rate(a, origin, date, eu)
        if r is None:
            continue
        if prods and in_lists(code, prods, lists) is None:
            under = sorted(c for p in prods for c in lists.get(str(p), ()) if len(c) > len(code) and c.startswith(code))
            if under and applies_in_tier(a, over_quota):
                shown = f"+{r.rate:.2%}" if r.rate is not None else "a rate"
                notes.append(f"{a['authority']}: part of this line is subject to {shown} (heading {a['heading']}): "
                             f"statistical line(s) {', '.join(under)}; not added to the 8-digit line's total.")
            continue
        hit = in_lists(code, (a.get("exempt") or {}).get("lists"), lists)
        if hit is not None:
            notes.append(f"{a['authority']}: product exempt ({hit}).")
            continue
        if not applies_in_tier(a, over_quota):
            if a.get("tier") == "over_quota" and r.rate is not None:
                notes.append(f"{a['authority']}: in quota assumed; over the quota +{r.rate:.2%} (heading "
                             f"{a['heading']}; --over-quota). {a.get('quota_note', '')}".rstrip())
            continue
        if a.get("tier") == "in_quota":
            notes.append(f"{a['authority']}: in quota assumed (heading {a['heading']}; --over-quota for the "
                         f"over-quota rate). {a.get('quota_note', '')}".rstrip())
        px = partial_exclusion(a, date)
        if px is not None:
            notes.append(f"{a['authority']}: not due if the good is {px['description']} (heading "
                         f"{px['heading']}, {px['from']} to {px['to']}; {px['citation']}).")
        if a.get("scope_note"):
            notes.append(f"{a['authority']}: {a['scope_note']}")
        part = 1.0
        if has_232 and exempt_232(a, origin, date):
            if float(has_232) >= 1.0:
                notes.append(f"{a['authority']}: not applied to goods subject to a Section 232 duty.")
                continue
            part = 1.0 - float(has_232)  # a derivative taxed on its metal content: the rest pays
            notes.append(f"{a['authority']}: on the non-metal part of the value ({part:.0%}); "
                         f"{cfg.get('nonmetal_part_note', '')}")
        if usmca_qualifying and exempt_usmca(a, origin, date):
            notes.append(f"{a['authority']}: USMCA-qualifying goods exempt (the stack claims USMCA; "
                         "a non-qualifying good pays it).")
            continue
        if r.floor is not None:
            base = mfn_ave if mfn_ave is not None else 0.0
            rate = max(0.0, r.floor - base)
            note = f"{r.floor:.0%} inclusive of the MFN rate"
        else:
            rate, note = float(r.rate or 0.0), None
        if not r.confirmed:
            note = f"{note}; UNCONFIRMED" if note else "UNCONFIRMED"
        if part < 1.0:
            rate *= part
            note = f"{note}; on the non-metal part ({part:.0%})" if note else f"on the non-metal part ({part:.0%})"
        out.append(AdditionalDuty(str(a["authority"]), str(a["heading"]), str(a["authority"]), rate,
                                  r.citation, note))
    return out, notes


def action_matrices(
    codes: list[str],
    origins: list[str],
    date: dt.date,
    cfg: Mapping[str, Any],
    lists: Mapping[str, frozenset[str]],
    *,
    mfn: Any,
    has_232: Any,
    usmca_cells: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (layers, conditional) by authority: (lines x origins) rates of every action.

    Same rules as :func:`country_action_duties`, vectorised, for aggregate work: entries in
    quota (``tier``), and an exclusion narrower than the lines (``partial_exclusions``)
    applied to the whole line on its dates: ``mfn`` (n,) column 1 AVE (NaN
    taken as 0 for floors), ``has_232`` (n, m) bool, ``usmca_cells`` (n, m) bool (the good is
    taken as USMCA-qualifying). ``conditional`` holds what USMCA-exempt cells would pay.
    """
    import numpy as np

    eu = frozenset(cfg.get("eu_members") or ())
    n, m = len(codes), len(origins)
    base = np.nan_to_num(np.asarray(mfn, dtype=float))
    layers: dict[str, Any] = {}
    cond: dict[str, Any] = {}
    memo: dict[tuple[str, ...], Any] = {}

    def mask(names: Any) -> Any:
        key = tuple(str(x) for x in names or ())
        if key not in memo:
            memo[key] = np.array([in_lists(c, key, lists) is not None for c in codes], dtype=bool)
        return memo[key]

    for _aid, a in cfg["actions"].items():
        if not aggregate_applies(a, date):
            continue
        rates = [action_rate(a, o, date, eu) for o in origins]
        if all(r is None for r in rates):
            continue
        flat = np.array([np.nan if r is None or r.rate is None else r.rate for r in rates])
        floor = np.array([np.nan if r is None or r.floor is None else r.floor for r in rates])
        cols = np.flatnonzero(~np.isnan(flat) | ~np.isnan(floor))  # work on these columns only
        sub = np.where(np.isnan(floor[cols])[None, :], np.nan_to_num(flat[cols])[None, :],
                       np.maximum(0.0, np.nan_to_num(floor[cols])[None, :] - base[:, None]))
        keep = np.ones(n, dtype=bool)
        prods = (a.get("products") or {}).get("lists")
        if prods:
            keep &= mask(prods)
        ex = (a.get("exempt") or {}).get("lists")
        if ex:
            keep &= ~mask(ex)
        sub = sub * keep[:, None]
        e232 = np.array([exempt_232(a, origins[c], date) for c in cols], dtype=bool)
        if e232.any():  # has_232: share of the value taxed by s.232 (1 full value, <1 metal content)
            h = np.asarray(has_232, dtype=float)[:, cols]
            sub = np.where((h > 0) & e232[None, :], sub * (1.0 - h), sub)
        eus = np.array([exempt_usmca(a, origins[c], date) for c in cols], dtype=bool)
        auth = str(a["authority"])
        if eus.any():
            cells = np.asarray(usmca_cells)[:, cols] & eus[None, :]
            c = np.zeros((n, m))
            c[:, cols] = np.where(cells, sub, 0.0)
            sub = np.where(cells, 0.0, sub)
            cond[auth] = cond.get(auth, 0.0) + c
        if auth in layers:
            layers[auth][:, cols] += sub
        else:
            full = np.zeros((n, m))
            full[:, cols] = sub
            layers[auth] = full
    return layers, cond


__all__ = [
    "ActionRate",
    "action_matrices",
    "action_rate",
    "aggregate_applies",
    "applies_in_tier",
    "country_action_duties",
    "exempt_232",
    "exempt_usmca",
    "in_lists",
    "partial_exclusion",
    "rate_on",
]
