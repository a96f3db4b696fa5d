"""The duty stack of one line, origin and date (and its history)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from tradepolicy.errors import InputError, NotFoundError
from tradepolicy.services.tariffs.common import (
    USMCA_SYMBOLS,
    agreements,
    check_date,
    check_origin,
    country_actions_cfg,
    measures,
)
from tradepolicy.services.tariffs.measures import (
    OrderDeposit,
    adcvd_age_note,
    adcvd_flags,
    country_action_lists,
    deposits_for,
    s232_annex,
    s232_products,
    s301_below,
    s301_coverage,
    s301_exclusions,
    section301_cfg,
)
from tradepolicy.services.tariffs.schedules import (
    _resolve,
    gsp_exclusions,
    line_rates,
    pick_source,
    source,
    source_notes,
    superseded_rows,
)
from tradepolicy.services.tariffs.types import HistoryPoint, StackEntry
from tradepolicy.tariffs.dated_measures import (
    as_date,
    column2_applies,
    covered_share,
    eligible_programs,
    partial_suspension_notes,
    section232_duties,
    section301_duties,
)
from tradepolicy.tariffs.duty_stack import DutyStack, Layer, LineRates, compute_stack
from tradepolicy.tariffs.hts_code import dotted, normalize_hts


def _positive(x: float) -> bool:
    return math.isfinite(x) and x > 0


def entry_unit_value(value_usd: float | None, quantity: float | None) -> float | None:
    """Return the unit value (US$ per unit) of an entry from its value and quantity."""
    if value_usd is None and quantity is None:
        return None
    if value_usd is None or quantity is None or not _positive(value_usd) or not _positive(quantity):
        raise InputError("Give both a positive customs value and a positive quantity.",
                         field="value_usd" if value_usd is None or not _positive(value_usd) else "quantity",
                         expected="value_usd > 0 and quantity > 0 (in the rate's unit, e.g. kg)",
                         example="value_usd=5000 quantity=1000")
    return value_usd / quantity



def _with_granted_exclusions(code: str) -> Mapping[str, Sequence[Any]]:
    """Return the dataset's Section 301 exclusion windows plus the granted ones for ``code``.

    Granted windows come from the exclusions workflow (``services.exclusions``, coordination).
    """
    from tradepolicy.services.exclusions import granted_windows

    history = s301_exclusions()
    granted = granted_windows(code)
    if not granted:
        return history
    return {**history, code: [*history.get(code, ()), *granted]}


def stack(hts: str, origin: str, date: dt.date | str, *, unit_value: float | None = None,
          over_quota: bool = False, map_parent: bool = False,
          orders: Sequence[OrderDeposit] | None = None, exporter: str | None = None,
          metal_share: float | None = None) -> DutyStack:
    """Return the duty stack of ``hts`` from ``origin`` entered on ``date``.

    ``metal_share`` (0-1): the share of the value that is steel/aluminium/copper content, for
    the 2025 derivatives charged on their metal content (2025-03-12 to 2026-04-05; default:
    the stated share of ``section232.yaml`` ``metal_content``, said on the layer).

    ``over_quota``: the entry is over a tariff-rate quota (default: in quota): a Section 232
    quota, or an agreement's quota reached through a "See 98xx/99xx" heading of the special
    column (the in-quota headings are then not offered).
    ``map_parent``: a code the schedule in force does not hold is stacked on its parent line.
    ``orders``: a current orders file (:func:`read_orders_file`); the cash deposit of
    ``exporter`` (else all-others, else country-wide) is a labelled layer and
    ``total_with_deposits`` adds it beside the duty total.

    ``unit_value`` (US$ per unit of the specific rate's quantity, e.g. per kg) converts
    specific duties to ad valorem equivalents; see :func:`entry_unit_value`.
    """
    code = normalize_hts(hts)
    if metal_share is not None and not (isinstance(metal_share, (int, float)) and 0.0 <= metal_share <= 1.0):
        raise InputError(f"Metal share {metal_share!r} is not a share.", field="metal_share",
                         expected="a decimal from 0 to 1 (the steel/aluminium/copper content share of the value)",
                         example="metal_share=0.4")
    if unit_value is not None and not _positive(unit_value):
        raise InputError(f"Unit value {unit_value!r} is not a positive number.", field="unit_value",
                         expected="US$ per unit of the specific rate's quantity, > 0",
                         example="unit_value=5.0 (US$ per kg)")
    if len(code) < 8:
        raise InputError(f"HTS {dotted(code)} is a heading, not a tariff line.", field="hts",
                         expected="an HTS8 or HTS10 code", example="8471.30.01.00")
    if code.startswith("99"):
        raise InputError(f"HTS {dotted(code)} is a Chapter 99 provision (an additional or temporary "
                         "duty), not a product line: stack the product's own line; the stack adds "
                         "the Chapter 99 duties that apply.", field="hts",
                         expected="an HTS8 or HTS10 code of chapters 01-98", example="8471.30.01.00")
    o = check_origin(origin)
    d, notes = check_date(date)
    src, c, more = _resolve(code, d, map_parent)
    notes += source_notes(d, src.id) + more
    if src.id == "db2017" and c[:8] in superseded_rows():
        old_row = superseded_rows()[c[:8]]
        if d.isoformat() <= old_row["end"]:
            notes.append(f"The 2017 database row in force after {old_row['end']} is used; until "
                         f"{old_row['end']} the line printed general {old_row['general']!r}, "
                         f"special {old_row['special']!r}.")
    m = measures()
    # the exclusions in force on the date (line_rates holds every dated addition)
    line = replace(line_rates(src.id, c), blocked=gsp_exclusions(d, src.id).get(c[:8], ()))
    if over_quota and any(g.in_quota for g in line.special):
        line = replace(line, special=tuple(g for g in line.special if not g.in_quota))
        notes.append("Over quota: the agreement headings subject to quantitative limits are not offered.")
    col2 = column2_applies(o, d, m["column2"])
    elig = eligible_programs(o, d, m["preferences"]["programs"], agreements(),
                             m["stacking"]["successor_symbols"]["value"])
    if col2 is None:
        notes += offered_programs(line, o, d, elig)
        # a partial suspension with no product list: say the line may be on it (never guess)
        barred = {sym for sym, iso in line.blocked if iso == o}
        notes += partial_suspension_notes(o, d, m["preferences"]["programs"],
                                          {x for g in line.special for x in g.programs if x in elig} - barred)
    add, n1 = section301_duties(code, o, d, section301_cfg(), s301_coverage(),
                                _with_granted_exclusions(code), s301_below())
    a232, n2 = section232_duties(code, o, d, m["section232"], s232_products(), over_quota=over_quota,
                                 metal_share=metal_share, annex=s232_annex(code),
                                 base_ave=line.general.ave(unit_value) if col2 is None else None,
                                 column2=col2 is not None)
    from tradepolicy.tariffs.country_actions import country_action_duties

    usmca = o in ("CAN", "MEX") and (any(x in elig for g in line.special for x in g.programs
                                          if x in USMCA_SYMBOLS) or line.general.ave() == 0.0)
    a_ca, n3 = country_action_duties(code, o, d, country_actions_cfg(), country_action_lists(),
                                     mfn_ave=line.general.ave(unit_value) if col2 is None else None,
                                     has_232=covered_share(a232), usmca_qualifying=usmca,
                                     over_quota=over_quota)
    result = compute_stack(line, o, d, column2_citation=col2, eligible=elig,
                           additional=add + a232 + a_ca, adcvd=adcvd_flags(code, o, d),
                           rules=m["stacking"]["rules"], unit_value=unit_value,
                           notes=notes + n1 + n2 + n3)
    age = adcvd_age_note(d)
    if age and orders is None:
        result = replace(result, notes=(*result.notes, age))
    if orders is not None:
        deps = deposits_for(orders, code, o, d, exporter)
        extra = tuple(Layer("adcvd_deposit", f"{x.kind} cash deposit", None,
                            f"{x.case_number}: {x.exporter} {x.rate:.2%}", x.rate, x.citation,
                            "deposit, refundable or payable on final assessment; not a duty rate")
                      for x in deps)
        dep = sum(x.rate for x in deps)
        result = replace(result, layers=result.layers + extra, deposit_ave=dep,
                         total_with_deposits=None if result.total_ave is None else result.total_ave + dep)
    return replace(result, hts=dotted(code))


def offered_programs(line: LineRates, origin: str, date: dt.date, applied: Mapping[str, Any]) -> list[str]:
    """Return notes naming the programmes the line offers that need a certificate or end use.

    They are never applied by default (utilisation.yaml ``certification_only``); the note
    says what the importer could claim with the certificate.
    """
    m = measures()
    every = eligible_programs(origin, date, m["preferences"]["programs"], agreements(),
                             m["stacking"]["successor_symbols"]["value"], certified=True)
    out = []
    for g in line.special:
        syms = [x for x in g.programs if x in every and x not in applied]
        if syms:
            names = ", ".join(f"{x} ({every[x].program})" for x in syms)
            out.append(f"Offered, not applied: {g.duty.text} under {names} needs a certificate or "
                       f"end use; claim it only when the entry qualifies ({every[syms[0]].citation}).")
    for p in m["preferences"]["programs"].values():
        chapters = p.get("offer_chapters")
        if not chapters or line.code[:2] not in chapters:
            continue
        if p["origins"] != "all" and origin not in p["origins"]:
            continue
        start, end = p.get("from"), p.get("to")
        if (start is None or as_date(start) <= date) and (end is None or date <= as_date(end)):
            out.append(f"Offered, not applied: {p['offer_note']} ({p['citation']})")
    if line.code.startswith("98"):
        out.append("Chapter 98 provisions apply only when the conditions of the heading are met.")
    return out


def stack_entry(
    hts: str, origin: str, date: dt.date | str, *, unit_value: float | None = None,
    value_usd: float | None = None, quantity: float | None = None, map_parent: bool = False,
    over_quota: bool = False, orders: Sequence[OrderDeposit] | None = None, exporter: str | None = None,
    metal_share: float | None = None,
) -> StackEntry:
    """Return the duty stack of an entry (``StackEntry.to_dict()`` is its JSON).

    With ``value_usd`` (of the entry) the result adds ``duty_usd`` = total AVE x value; a
    line whose duty has a specific part also needs ``quantity`` (or ``unit_value``), from
    which the entry's unit value is derived.
    """
    from tradepolicy.tariffs.duty_stack import SPECIFIC_FALLBACK_NOTE, SPECIFIC_NEEDS_UV_NOTE

    if value_usd is not None and not _positive(value_usd):
        raise InputError(f"Customs value {value_usd!r} is not a positive number.", field="value_usd",
                         expected="US$ > 0", example="value_usd=5000")
    if unit_value is None and quantity is not None:
        uv = entry_unit_value(value_usd, quantity)
    else:
        uv = unit_value
    s = stack(hts, origin, date, unit_value=uv, map_parent=map_parent, over_quota=over_quota, metal_share=metal_share,
              orders=orders, exporter=exporter)
    if value_usd is not None and uv is None and any(
            ly.layer == "base" and ly.note in (SPECIFIC_FALLBACK_NOTE, SPECIFIC_NEEDS_UV_NOTE)
            for ly in s.layers):
        raise InputError(f"{s.hts} has a specific duty ({s.layers[0].rate_text}): the duty on the "
                         "entry needs its quantity.", field="quantity",
                         expected="quantity in the rate's unit, with value_usd",
                         example="value_usd=5000 quantity=1000")
    if value_usd is not None and s.total_ave is not None:
        return StackEntry(s, value_usd=value_usd, duty_usd=s.total_ave * value_usd, unit_value_usd=uv)
    return StackEntry(s)


def history(hts: str, origin: str, dates: Sequence[dt.date]) -> list[HistoryPoint]:
    """Return (date, total AVE) points of a line's stack over ``dates``."""
    out: list[HistoryPoint] = []
    for d in dates:
        try:
            s = stack(hts, origin, d)
        except NotFoundError:  # the code is not in the schedule in force then (e.g. HS 2022)
            out.append(HistoryPoint(date=d.isoformat(), total_ave=None,
                                    source=f"not in {source(pick_source(d)).label}"))
            continue
        out.append(HistoryPoint(date=d.isoformat(), total_ave=s.total_ave, source=s.source))
    if out and all(p.total_ave is None and p.source.startswith("not in ") for p in out):
        stack(hts, origin, dates[-1])  # raise the clear error of the last date
    return out


def history_range(hts: str, origin: str, start: dt.date | str, end: dt.date | str) -> list[HistoryPoint]:
    """Return total AVE points of a line from ``start`` to ``end``.

    Points fall on the first day of each quarter and on every date a measure changes, so
    that the steps of the history are exact.
    """
    s, _ = check_date(start)
    e, _ = check_date(end)
    if e < s:
        raise InputError("The end date is before the start date.", field="end",
                         expected=f"a date on or after {s.isoformat()}", example=dt.date.today().isoformat())
    dates = {s, e}
    y, mth = s.year, ((s.month - 1) // 3) * 3 + 1
    while dt.date(y, mth, 1) <= e:
        if dt.date(y, mth, 1) >= s:
            dates.add(dt.date(y, mth, 1))
        mth += 3
        if mth > 12:
            y, mth = y + 1, 1
    m = measures()
    for h in m["section301_china"]["headings"].values():
        for r in h["rates"]:
            dates.add(as_date(r["from"]))
    for prod in m["section301_china"].get("four_year_review", {}).get("products", {}).values():
        dates.update(as_date(r["from"]) for r in prod["rates"])
    for src in m["sources"]["sources"]:
        dates.add(as_date(src["from"]))
    for prog in m["section232"]["programs"].values():
        for r in prog["rates"]:
            dates.add(as_date(r["from"]))
        for entries in (prog.get("country_rates") or {}).values():
            dates.update(as_date(r["from"]) for r in entries)
    return history(hts, origin, sorted(d for d in dates if s <= d <= e))
