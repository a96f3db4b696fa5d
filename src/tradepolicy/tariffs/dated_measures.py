"""Dated measures: which Chapter 99 duties and preferences apply to a line, origin and date.

The measures themselves are cited YAML (``tariffs/measures/*.yaml``), loaded by the
service and passed in here as plain dicts; product coverage tables come from the
datasets. Lookups follow the OpenFisca rule: the value of the latest ``from`` date not
after the date asked; ``rate: null`` ends a value.

>>> rate_on([{"from": dt.date(2018, 9, 24), "rate": 0.10, "citation": "a"},
...          {"from": dt.date(2019, 5, 10), "rate": 0.25, "citation": "b"}], dt.date(2019, 5, 9))
(0.1, 'a')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class AdditionalDuty:
    """A Chapter 99 additional duty on a line: ``rate`` decimal ad valorem, added to the base."""

    authority: str
    heading: str
    label: str
    rate: float
    citation: str
    note: str | None = None
    content_share: float | None = None  # charged on this share of the value only (metal content)


@dataclass(frozen=True, slots=True)
class AdcvdFlag:
    """An AD/CVD order that may cover the line (product and origin match; scope decides)."""

    case_number: str
    kind: str
    product: str
    country: str
    order_date: dt.date | None
    matched_hs: str
    citation: str


@dataclass(frozen=True, slots=True)
class Eligibility:
    """A preference programme symbol an origin may claim on a date."""

    symbol: str
    program: str
    citation: str


@dataclass(frozen=True, slots=True)
class ExclusionWindow:
    """A granted Section 301 exclusion: the heading it lifts and its validity (inclusive)."""

    hts10: str
    heading: str
    notice: int
    start: dt.date
    end: dt.date
    citation: str
    # Exclusions printed in HTS ch.99 U.S. note 20(vvv)/(www) (see :func:`note_exclusion_windows`):
    # ``claim_heading`` 9903.88.69/.70, ``source`` e.g. "note 20(vvv)(iii) item 9", ``description``
    # the product described ("" = the whole statistical line). They lift whatever 9903.88 list
    # heading covers the line (the note's heading is the list of the original grant).
    claim_heading: str | None = None
    source: str | None = None
    description: str | None = None


def as_date(v: Any) -> dt.date:
    """Return a ``datetime.date`` from a date or ISO string."""
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))


def rate_on(entries: Sequence[Mapping[str, Any]], date: dt.date) -> tuple[Any, str] | None:
    """Return ``(rate, citation)`` of the latest entry with ``from`` <= ``date``, or None."""
    best: Mapping[str, Any] | None = None
    for e in entries:
        if as_date(e["from"]) <= date and (best is None or as_date(e["from"]) >= as_date(best["from"])):
            best = e
    if best is None:
        return None
    return best.get("rate"), str(best.get("citation", ""))


def prefix_match(code: str, table: Mapping[str, Any]) -> tuple[str, Any] | None:
    """Return the longest key of ``table`` that is a prefix of ``code`` (or a code ``code`` prefixes)."""
    for n in (10, 8, 6, 4):
        key = code[:n]
        if len(key) == n and key in table:
            return key, table[key]
    return None


def covered_below(coverage: Mapping[str, str]) -> dict[str, str]:
    """Return HTS8 -> heading of the first covered HTS10 line below it."""
    out: dict[str, str] = {}
    for k in sorted(coverage):
        if len(k) == 10:
            out.setdefault(k[:8], coverage[k])
    return out


# --- Section 301 --------------------------------------------------------------------------


def exclusion_windows(rows: Iterable[Mapping[str, Any]], cfg: Mapping[str, Any]) -> dict[str, list[ExclusionWindow]]:
    """Build the validity windows of granted exclusions from the dataset rows and the YAML rule.

    A window starts on the first effective date of the excluded heading (retroactive) and
    ends ``valid_days_after_publication`` days after publication (or the YAML ``expires``).
    """
    exc = cfg["exclusions"]
    days = int(exc["valid_days_after_publication"])
    notices = {int(k): v for k, v in (exc.get("notices") or {}).items()}
    out: dict[str, list[ExclusionWindow]] = {}
    for r in rows:
        heading = exc["tranche_heading"].get(r["tranche"])
        if heading is None:
            continue
        rates = cfg["headings"][heading]["rates"]
        start = min(as_date(e["from"]) for e in rates)
        info = notices.get(int(r["notice_index"]), {})
        published = as_date(info.get("published", r["date_granted"]))
        end = as_date(info["expires"]) if "expires" in info else published + dt.timedelta(days=days)
        cite = info.get("citation") or (
            f"USTR exclusion notice #{r['notice_index']} (granted {r['date_granted']}); "
            f"{exc['citation_rule']}"
        )
        w = ExclusionWindow(r["hts10"], heading, int(r["notice_index"]), start, end, cite)
        out.setdefault(r["hts10"], []).append(w)
    return out


def review_duty(code: str, date: dt.date, cfg: Mapping[str, Any]) -> AdditionalDuty | None:
    """Return the 2024 four-year-review duty on ``code`` on ``date``, or None.

    ``cfg["four_year_review"]["products"]`` lists product groups with HTS codes or prefixes
    (``hts``, dotted or not; the service fills them from U.S. note 31), a 9903.91 heading and
    dated rates (an entry's ``heading`` overrides the group's from its date); a covered
    product pays the review rate instead of its 9903.88 list rate. When several groups cover
    the code on the date, the one naming it most specifically wins (enteral syringes
    9018.31.0080 over syringes 9018.31.00); a group whose rate is not (or no longer) in force
    does not apply.

    >>> cfg = {"authority": "Section 301", "four_year_review": {"products": {"w": {
    ...     "label": "Wafers", "hts": ["3818.00"], "heading": "9903.91.05",
    ...     "rates": [{"from": "2025-01-01", "rate": 0.5, "citation": "c"}]}, "e": {
    ...     "label": "Enteral", "hts": ["3818.00.0020"], "heading": "9903.91.10",
    ...     "rates": [{"from": "2025-01-01", "rate": 0.0, "citation": "c"},
    ...               {"from": "2026-01-01", "rate": 1.0, "heading": "9903.91.03", "citation": "d"}]}}}}
    >>> review_duty("3818000010", dt.date(2025, 1, 1), cfg).rate
    0.5
    >>> review_duty("3818000010", dt.date(2024, 12, 31), cfg) is None
    True
    >>> d = review_duty("3818000020", dt.date(2026, 1, 1), cfg); (d.heading, d.rate)
    ('9903.91.03', 1.0)
    >>> review_duty("3818000020", dt.date(2025, 6, 1), cfg).rate
    0.0
    """
    review = cfg.get("four_year_review") or {}
    products = review.get("products", {})
    index = review.get("index") or review_index(products)
    hits: dict[str, int] = {}  # group -> length of its most specific code prefixing ``code``
    for n in index[0]:
        for key in index[1].get(code[:n], ()) if len(code) >= n else ():
            hits[key] = max(hits.get(key, 0), n)
    best: tuple[int, AdditionalDuty] | None = None
    for key, n in sorted(hits.items(), key=lambda kv: -kv[1]):
        prod = products[key]
        if best is not None and n <= best[0]:
            break
        entry = entry_on(prod["rates"], date)
        if entry is None or entry.get("rate") is None:
            continue
        duty = AdditionalDuty(str(cfg["authority"]), str(entry.get("heading") or prod["heading"]),
                              str(prod["label"]), float(entry["rate"]), str(entry.get("citation", "")),
                              "2024 four-year-review rate; replaces the 9903.88 list rate")
        best = (n, duty)
    return best[1] if best else None


def review_index(products: Mapping[str, Mapping[str, Any]]) -> tuple[tuple[int, ...], dict[str, list[str]]]:
    """Return (code lengths, code digits -> group keys) of the four-year-review groups' ``hts``.

    >>> review_index({"a": {"hts": ["8703.80.00", "9018.31.0080"]}})
    ((8, 10), {'87038000': ['a'], '9018310080': ['a']})
    """
    by: dict[str, list[str]] = {}
    for key, prod in products.items():
        for x in prod.get("hts") or ():
            by.setdefault(str(x).replace(".", ""), []).append(key)
    return tuple(sorted({len(k) for k in by})), by


def entry_on(entries: Sequence[Mapping[str, Any]], date: dt.date) -> Mapping[str, Any] | None:
    """Return the latest dated entry with ``from`` <= ``date`` (the whole entry), or None."""
    best: Mapping[str, Any] | None = None
    for e in entries:
        if as_date(e["from"]) <= date and (best is None or as_date(e["from"]) >= as_date(best["from"])):
            best = e
    return best


def review_understates(code: str, date: dt.date, cfg: Mapping[str, Any]) -> bool:
    """Return True when the four-year review may raise ``code``'s duty beyond what is modelled.

    From ``understate_from``, for codes under ``understate_hts`` (groups without product
    coverage in the note), or for every code when ``understate_hts`` is absent (coverage
    not loaded).
    """
    review = cfg.get("four_year_review") or {}
    start = review.get("understate_from")
    if start is None or date < as_date(start):
        return False
    prefixes = review.get("understate_hts")
    if prefixes is None:
        return True
    return any(code.startswith(str(p).replace(".", "")) for p in prefixes)


def section301_duties(
    code: str,
    origin: str,
    date: dt.date,
    cfg: Mapping[str, Any],
    coverage: Mapping[str, str],
    exclusions: Mapping[str, Sequence[ExclusionWindow]],
    below: Mapping[str, str] | None = None,
) -> tuple[list[AdditionalDuty], list[str]]:
    """Return the Section 301 duties on ``code`` (8 or 10 digits) and notes.

    ``coverage`` maps HTS8/HTS10 digits to a 9903.88 heading. An HTS8 query also looks for
    HTS10 entries below it (noted: coverage is then partial); ``below`` maps an HTS8 to
    the heading of its first covered HTS10 (built by :func:`covered_below` when omitted).
    """
    notes: list[str] = []
    if origin not in cfg["origins"]:
        return [], notes
    review = review_duty(code, date, cfg)
    if review is not None:
        return [review], notes
    if review_understates(code, date, cfg):
        notes.append(str(cfg["four_year_review"]["understate_note"]))
    review_cfg = cfg.get("four_year_review") or {}
    if len(code) == 8 and date >= as_date(review_cfg.get("understate_from", dt.date.max)):
        by = (review_cfg.get("index") or review_index(review_cfg.get("products", {})))[1]
        tens = sorted(k for k in by if len(k) == 10 and k.startswith(code))
        if tens:
            notes.append(f"Only some HTS10 lines under {code} ({', '.join(tens)}) have a 2024 "
                         "four-year-review rate; ask for the 10-digit line.")
    hit = prefix_match(code, coverage)
    heading = hit[1] if hit else None
    if heading is None and len(code) == 8:
        under = (below if below is not None else covered_below(coverage)).get(code)
        if under:
            heading = under
            notes.append(f"Only some HTS10 lines under {code} are covered by {heading}.")
    if heading is None:
        return [], notes
    h = cfg["headings"][heading]
    if h.get("suspended"):
        notes.append(f"{heading} ({h['list']}) is suspended: {h.get('citation', '')}")
        return [], notes
    found = rate_on(h["rates"], date)
    if found is None or found[0] is None:
        first = min(as_date(e["from"]) for e in h["rates"])
        notes.append(f"{heading} ({h['list']}) covers this line from {first.isoformat()}.")
        return [], notes
    rate, cite = found
    windows = exclusions.get(code, ()) if len(code) == 10 else ()
    noted = [w for w in windows if w.claim_heading is not None and w.start <= date <= w.end]
    reinstated = cfg.get("reinstated_exclusions") or {}
    if reinstated.get("periods") and min(as_date(p["from"]) for p in reinstated["periods"]) <= date \
            < as_date(reinstated["understate_before"]):
        notes.append(str(reinstated["understate_note"]))
    if noted:
        layer = _note_excluded(heading, str(h["list"]), noted, str(cfg["authority"]))
        notes.append(f"Excluded from {heading}: {layer.note}.")
        return [layer], notes
    for w in windows:
        if w.claim_heading is not None:
            continue
        if w.heading == heading and w.start <= date <= w.end:
            notes.append(f"Excluded from {heading} by exclusion notice #{w.notice} "
                         f"({w.start.isoformat()} to {w.end.isoformat()}).")
            return [AdditionalDuty(str(cfg["authority"]), heading, f"{h['list']} — excluded", 0.0,
                                   w.citation, "product exclusion in force")], notes
        if w.heading == heading and date > w.end:
            notes.append(f"Exclusion notice #{w.notice} for this line expired {w.end.isoformat()}.")
    return [AdditionalDuty(str(cfg["authority"]), heading, str(h["list"]), float(rate), cite)], notes


def _note_excluded(heading: str, label: str, windows: Sequence[ExclusionWindow], authority: str) -> AdditionalDuty:
    """Return the excluded Section 301 layer of a line under note 20(vvv)/(www) exclusions in force.

    The layer cites the claim heading (9903.88.69/.70) and the note items; an item described
    narrower than the line is said so: the exclusion holds only if the good matches it (the
    whole line is excluded in aggregate work).
    """
    w = windows[0]
    items = "; ".join(dict.fromkeys(str(x.source) for x in windows))
    descs = list(dict.fromkeys(str(x.description) for x in windows if x.description))
    whole = any(not x.description for x in windows)
    if whole:
        scope = "the whole statistical line is excluded"
    else:
        scope = ("excluded if the good matches the description: " + " | ".join(descs)
                 + f"; otherwise {heading} applies (aggregate work applies the exclusion to the whole line)")
    note = (f"product exclusion in force {w.start.isoformat()} to {w.end.isoformat()}, "
            f"claimed under {w.claim_heading} (HTS ch.99 subch. III U.S. {items}); {scope}")
    return AdditionalDuty(authority, str(w.claim_heading), f"{label} — excluded ({w.claim_heading})", 0.0,
                          w.citation, note)


def _paren(sub: str) -> str:
    """Return ``"vvv)(i)"`` for ``"vvv(i)"`` and ``"www)"`` for ``"www"`` (after an opening "20(")."""
    return sub.replace("(", ")(", 1) if "(" in sub else sub + ")"


def note_exclusion_windows(items: Iterable[Any], cfg: Mapping[str, Any]) -> dict[str, list[ExclusionWindow]]:
    """Build validity windows of the note 20(vvv)/(www) exclusions from ``cfg["reinstated_exclusions"]``.

    ``items``: :class:`tradepolicy.tariffs.ch99_exclusions.NoteExclusion` records. A code's window
    is each period whose ``subdivisions`` prefix the item's subdivision, clipped to the dates the
    note gives the code (renumbered statistical lines).

    >>> from tradepolicy.tariffs.ch99_exclusions import ExclusionCode, NoteExclusion
    >>> item = NoteExclusion("www", 1, "9903.88.02", "9903.88.70", "Band saws", (ExclusionCode("8486100000"),))
    >>> cfg = {"reinstated_exclusions": {"periods": [{"from": "2024-01-01", "to": "2025-05-31",
    ...        "subdivisions": ["www"], "citation": "c"}]}}
    >>> w = note_exclusion_windows([item], cfg)["8486100000"][0]
    >>> (w.start, w.end, w.claim_heading, w.source)
    (datetime.date(2024, 1, 1), datetime.date(2025, 5, 31), '9903.88.70', 'note 20(www) item 1')
    """
    block = cfg.get("reinstated_exclusions") or {}
    out: dict[str, list[ExclusionWindow]] = {}
    for it in items:
        for p in block.get("periods", ()):
            if not any(str(it.subdivision).startswith(str(s)) for s in p["subdivisions"]):
                continue
            for c in it.codes:
                start = max(as_date(p["from"]), c.since or dt.date.min)
                end = min(as_date(p["to"]), c.until or dt.date.max)
                if start > end:
                    continue
                out.setdefault(c.hts10, []).append(ExclusionWindow(
                    c.hts10, str(it.lifts), 0, start, end, str(p["citation"]), str(it.claim_heading),
                    f"note 20({_paren(str(it.subdivision))} item {it.item}", str(it.description)))
    return out


# --- Section 232 --------------------------------------------------------------------------


def list_row_from(program: Mapping[str, Any], code: str) -> dt.date | None:
    """Return the date from which a list row of ``program`` applies to ``code`` (None = always).

    ``program["list_from"]`` is a list of ``{from, chapters?}``: the first entry whose
    chapters hold the code's chapter (or that names no chapters) gives the date.

    >>> list_row_from({"list_from": [{"from": "2025-03-12", "chapters": ["73"]},
    ...                              {"from": "2025-08-18"}]}, "94032000")
    datetime.date(2025, 8, 18)
    """
    for e in program.get("list_from") or ():
        chapters = e.get("chapters")
        if not chapters or code[:2] in {str(c) for c in chapters}:
            return as_date(e["from"])
    return None


def scope_rows(cfg: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Return HTS prefix -> rows of the programmes whose scope the YAML states (``scope:``).

    ``scope.hts`` lists prefixes; ``scope.hs6_ranges`` lists inclusive HS6 ranges, expanded
    to every HS6 number inside them. Rows look like the dataset list's rows, with the
    programme's first rate date as ``from``.

    >>> rows = scope_rows({"programs": {"p": {"scope": {"hs6_ranges": [["720610", "720612"]]},
    ...                    "rates": [{"from": "2018-03-23", "rate": 0.25}]}}})
    >>> sorted(rows)
    ['720610', '720611', '720612']
    """
    out: dict[str, list[dict[str, Any]]] = {}
    for prog, p in cfg["programs"].items():
        scope = p.get("scope")
        if not scope:
            continue
        start = min(as_date(e["from"]) for e in p["rates"])
        prefixes = [str(h).replace(".", "") for h in scope.get("hts", ())]
        for lo, hi in scope.get("hs6_ranges", ()):
            prefixes += [f"{n:06d}" for n in range(int(lo), int(hi) + 1)]
        for pre in prefixes:
            out.setdefault(pre, []).append({
                "program": prog, "hts_code": pre, "hts_digits": len(pre), "default_rate": 0.0,
                "country_overrides": {}, "usmca_exempt": False, "from": start,
                "scope_citation": str(scope.get("citation", "")), "scope_note": scope.get("note"),
            })
    return out


def section232_duties(
    code: str,
    origin: str,
    date: dt.date,
    cfg: Mapping[str, Any],
    products: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    over_quota: bool = False,
    metal_share: float | None = None,
    annex: tuple[str, bool] | None = None,
    base_ave: float | None = None,
    column2: bool = False,
) -> tuple[list[AdditionalDuty], list[str]]:
    """Return the Section 232 duties on ``code`` for ``origin`` on ``date``, and notes.

    Metal content (``cfg["metal_content"]``): from its ``from`` to its ``to`` date a steel,
    aluminium or copper layer on a line outside the metal's own chapters is charged on the
    metal content only, ``rate x metal_share`` (None: the stated default share). From
    ``cfg["annexes_2026"]["from"]`` the metal programmes give way to one duty by the 2026
    annex of the line (``annex``: (annex id, aluminium?) or None), on the full value; Annex
    III's 15 % floor needs the line's Column 1 AVE (``base_ave``) and ``column2`` (no normal
    trade relations: 25 %).

    ``products`` maps an HTS prefix to the rows under it (program, default_rate,
    country_overrides, usmca_exempt, and ``from``: the date the row applies from). Country
    rates from the YAML apply first; from the programme's ``data_overrides_from`` date (or the
    origin's own date in ``data_overrides_from_by_origin``) the list's own overrides apply. Programmes of one ``group`` (metal) never stack: the one
    with the lowest ``priority`` in force wins, then the longest prefix. ``over_quota``:
    a tariff-rate-quota country's entry is over its quota (pays the default rate).
    """
    out: list[AdditionalDuty] = []
    notes: list[str] = []
    eu = set(cfg.get("eu_members", []))
    quota_notes = cfg.get("quota_notes") or {}
    candidates: list[tuple[int, int, Mapping[str, Any], int]] = []
    order = {k: i for i, k in enumerate(cfg["programs"])}
    reg = cfg.get("annexes_2026") or {}
    annex_era = bool(reg) and date >= as_date(reg["from"])
    replaced = {str(g) for g in reg.get("replaces_groups") or ()} if annex_era else set()
    dropped_metal = False
    for n in (10, 8, 6, 4):
        for row in products.get(code[:n], ()) if len(code) >= n else ():
            prog = row["program"]
            if prog not in cfg["programs"]:
                continue
            if cfg["programs"][prog].get("group") in replaced:
                dropped_metal = True
                continue
            start = row.get("from")
            if start is not None and date < as_date(start):
                continue
            p = cfg["programs"][prog]
            found = rate_on(p["rates"], date)
            if found is None or found[0] is None:
                continue
            candidates.append((int(p.get("priority", 0)), -n, row, order[prog]))
    candidates.sort(key=lambda c: (c[0], c[1], c[3]))
    seen: set[str] = set()
    groups: set[str] = set()
    for _prio, neg_n, row, _ in candidates:
        n = -neg_n
        prog = row["program"]
        p = cfg["programs"][prog]
        group = p.get("group")
        if prog in seen or (group is not None and group in groups):
            continue
        seen.add(prog)
        if group is not None:
            groups.add(str(group))
        found = rate_on(p["rates"], date)
        assert found is not None
        rate = float(row["default_rate"]) if found[0] == "list" else float(found[0])
        cite = found[1]
        if row.get("scope_citation"):
            cite = f"{cite}; scope: {row['scope_citation']}"
        label = prog.replace("_", " ")
        note = row.get("scope_note")
        ckey = origin if origin in (p.get("country_rates") or {}) else (
            "EU" if origin in eu and "EU" in (p.get("country_rates") or {}) else None)
        if ckey is not None:
            entries = p["country_rates"][ckey]
            c = rate_on(entries, date)
            if c is not None and c[0] is not None:
                entry = max((e for e in entries if as_date(e["from"]) <= date), key=lambda e: as_date(e["from"]))
                quota = entry.get("quota")
                if quota == "trq" and over_quota:
                    note = f"over-quota entry of {origin}: the default rate applies"
                else:
                    rate, cite, note = float(c[0]), c[1], f"country rate for {origin}"
                    if quota in quota_notes:
                        note = f"{note}; {quota_notes[quota]}"
                    if entry.get("confirmed") is False:
                        note = f"{note} (UNCONFIRMED)"
        overrides_from = (p.get("data_overrides_from_by_origin") or {}).get(origin) or p.get("data_overrides_from")
        if overrides_from and date >= as_date(overrides_from) and origin in row["country_overrides"]:
            rate = float(row["country_overrides"][origin])
            cite = f"{cite}; country rate for {origin} per the Section 232 list of 2025-12-04"
            note = f"country rate for {origin}"
        if row["usmca_exempt"] and origin in cfg.get("usmca_origins", []):
            rate, note = 0.0, str(cfg.get("usmca_note"))
        elif n <= int(cfg.get("coarse_prefix_digits", 0)) and rate and not row.get("scope_citation"):
            coarse = str(cfg["coarse_prefix_note"]).format(prefix=code[:n])
            note = f"{note}; {coarse}" if note else coarse
        content = _metal_content(cfg, group, code, date, metal_share)
        share = None
        if content is not None and rate:
            share, cnote = content
            rate = rate * share
            note = f"{note}; {cnote}" if note else cnote
            cite = f"{cite}; {cfg['metal_content']['citation']}"
        if "unconfirmed" in str(cite).lower() and "UNCONFIRMED" not in (note or ""):
            note = f"{note} (UNCONFIRMED)" if note else "UNCONFIRMED"  # the citation says so: flag the layer
        out.append(AdditionalDuty(str(cfg["authority"]), str(p["heading"]), label, rate, cite, note, share))
    if annex_era:
        if annex is not None:
            out.append(_annex_duty(reg, annex, origin, date, base_ave, column2, str(cfg["authority"])))
        elif dropped_metal:
            notes.append(f"Section 232 metals: {reg['notes']['dropped']}.")
    return out, notes


def covered_share(duties: Sequence[AdditionalDuty]) -> float:
    """Return the share of the value that Section 232 ``duties`` tax.

    0: none; 1: the full value; else the largest metal content share of a derivative charged
    on its content.
    """
    live = [d for d in duties if d.rate > 0]
    if not live:
        return 0.0
    if any(d.content_share is None for d in live):
        return 1.0
    return max(float(d.content_share or 0.0) for d in live)


def _metal_content(cfg: Mapping[str, Any], group: Any, code: str, date: dt.date,
                   metal_share: float | None) -> tuple[float, str] | None:
    """Return (share, note) when a metal layer on ``code`` is charged on the metal content only."""
    mc = cfg.get("metal_content")
    if not mc or group is None or str(group) not in mc["own_chapters"]:
        return None
    if not as_date(mc["from"]) <= date <= as_date(mc["to"]):
        return None
    if code[:2] in {str(c) for c in mc["own_chapters"][str(group)]}:
        return None
    if metal_share is None:
        share = float(mc["default_share"])
        how = f"stated default {share:.0%} ({mc['default_citation']}; UNCONFIRMED); give the entry's share"
    else:
        share = float(metal_share)
        how = f"{share:.0%} as given"
    return share, f"charged on the {group} content only: metal share {how}; effective rate = rate x share"


def _annex_duty(reg: Mapping[str, Any], annex: tuple[str, bool], origin: str, date: dt.date,
                base_ave: float | None, column2: bool, authority: str) -> AdditionalDuty:
    """Return the one Section 232 metals duty of a line of the 2026 annexes (see ``annexes_2026``)."""
    aid, aluminium = annex
    spec = reg["annexes"][aid]
    notes = [str(reg["notes"]["full_value"])]
    cite = f"{reg['citation']}; {spec['citation']}"
    if "floor" in spec:
        if date > as_date(spec["floor_to"]):
            after = reg["annexes"][spec["after"]]
            rate = float(after["country_rates"].get(origin, after["rate"]))
            notes.append(f"Annex III after {spec['floor_to']}: the Annex {spec['after']} rate")
        elif column2:
            rate = float(spec["column2_rate"])
            notes.append("no normal trade relations: 25% (clause 5(c))")
        elif base_ave is None:
            rate = float(spec["floor"])
            notes.append("Annex III: Column 1 + s.232 = 15%; the Column 1 AVE is not statable, so the "
                         "full 15% is shown (an upper bound)")
        else:
            rate = max(0.0, float(spec["floor"]) - float(base_ave))
            notes.append(f"Annex III: Column 1 ({base_ave:.2%}) + s.232 = {spec['floor']:.0%} to {spec['floor_to']}")
    else:
        rate = float(spec.get("country_rates", {}).get(origin, spec["rate"]))
        if spec.get("removed"):
            notes.append("removed from the metals scope")
        elif origin in spec.get("country_rates", {}):
            notes.append(f"country rate for {origin} (its metal melted/smelted there)")
    if aluminium and origin == "RUS" and not spec.get("removed"):
        rate = float(reg["russia_aluminum"]["rate"])
        cite = f"{cite}; {reg['russia_aluminum']['citation']}"
        notes.append("aluminium of Russia: 200%")
    if not spec.get("removed"):
        notes += [str(reg["notes"]["us_metal"]), str(reg["notes"]["no_content"])]
    if reg.get("confirmed") is False:
        notes.append("UNCONFIRMED")
    return AdditionalDuty(authority, str(spec["heading"]), f"metals 2026 annex {aid}", rate, cite, "; ".join(notes))


# --- preferences and column 2 ------------------------------------------------------------


def _in_window(date: dt.date, start: Any, end: Any) -> bool:
    return (start is None or as_date(start) <= date) and (end is None or date <= as_date(end))


def column2_applies(origin: str, date: dt.date, cfg: Mapping[str, Any]) -> str | None:
    """Return the citation when column 2 applies to ``origin`` on ``date``, else None."""
    for e in cfg["countries"].get(origin, ()):
        if _in_window(date, e["from"], e.get("to")):
            return str(e["citation"])
    return None


def suspensions_in_force(program: Mapping[str, Any], origin: str, date: dt.date) -> list[Mapping[str, Any]]:
    """Return the programme's ``suspensions`` entries for ``origin`` in force on ``date``.

    >>> p = {"suspensions": [{"origin": "ARG", "from": "2012-05-28", "to": "2017-12-31", "products": "all"}]}
    >>> [x["products"] for x in suspensions_in_force(p, "ARG", dt.date(2015, 1, 1))]
    ['all']
    >>> suspensions_in_force(p, "ARG", dt.date(2018, 1, 1))
    []
    """
    return [x for x in program.get("suspensions") or () if x["origin"] == origin
            and _in_window(date, x["from"], x.get("to"))]


def partial_suspension_notes(origin: str, date: dt.date, programs: Mapping[str, Mapping[str, Any]],
                             eligible: Iterable[str]) -> list[str]:
    """Return a note per partial suspension in force whose product list is not encoded.

    Only for programmes ``origin`` may otherwise claim on ``date`` (a symbol of the programme
    is in ``eligible``): the stack cannot tell whether the line is on the list, and says so.
    """
    elig = set(eligible)
    out: list[str] = []
    for p in programs.values():
        if not elig.intersection(p.get("symbols") or ()):
            continue
        for x in suspensions_in_force(p, origin, date):
            if x["products"] != "unconfirmed":
                continue
            out.append(f"{p['name']} is suspended for part of the products of {origin} from "
                       f"{as_date(x['from']).isoformat()} ({x['reason']}); the product list is not "
                       "encoded (unconfirmed): if this line is on it, the preference does not apply "
                       f"and the general rate is due ({x['citation'][:160]}...).")
    return out


def eligible_programs(
    origin: str,
    date: dt.date,
    programs: Mapping[str, Mapping[str, Any]],
    agreements: Iterable[Any],
    successors: Mapping[str, Mapping[str, str]] | None = None,
    *,
    certified: bool = False,
) -> dict[str, Eligibility]:
    """Return the programme symbols ``origin`` may claim on ``date``, keyed by symbol.

    ``programs``: the non-agreement programmes (preferences YAML). ``agreements``: records
    with ``.id``, ``.short_name``, ``.parties``, ``.tariff_programs`` and ``.dates``
    (``in_force``, ``terminated``) from the agreements registry. ``successors`` maps a
    successor symbol to {origin: predecessor symbol} (``stacking.yaml``): an origin that may
    claim the successor may also claim the predecessor symbol printed in older schedules.
    ``certified``: include the programmes marked ``certification: true`` (civil aircraft C,
    pharmaceuticals K, dyes L), which need a certificate or end use and are never applied by
    default (only offered).
    """
    out: dict[str, Eligibility] = {}
    for _pid, p in programs.items():
        if not _in_window(date, p.get("from"), p.get("to")):
            continue
        if p.get("certification") and not certified:
            continue
        origins = p["origins"]
        if origins != "all" and origin not in origins:
            continue
        removed = (p.get("removed") or {}).get(origin)
        if removed is not None and date >= as_date(removed):
            continue
        if any(x["products"] == "all" for x in suspensions_in_force(p, origin, date)):
            continue
        for sym in p["symbols"]:
            out[sym] = Eligibility(sym, str(p["name"]), str(p["citation"]))
    for a in agreements:
        if origin not in a.parties or not a.tariff_programs or a.dates.in_force is None:
            continue
        # Entry into force for this party (e.g. CAFTA-DR: Costa Rica only from 2009-01-01).
        start = (getattr(a, "party_dates", None) or {}).get(origin, a.dates.in_force)
        ended = a.dates.terminated
        if not _in_window(date, start, None) or (ended is not None and date >= ended):
            continue  # not yet in force for this party, or terminated
        for sym in a.tariff_programs:
            out[sym] = Eligibility(sym, str(a.short_name),
                                   f"{a.name} (agreements registry '{a.id}', in force for "
                                   f"{origin} from {start.isoformat()})")
    for sym, by_origin in (successors or {}).items():
        old = by_origin.get(origin)
        if sym in out and old and old not in out:
            e = out[sym]
            out[old] = Eligibility(old, e.program, f"{e.citation}; claims predecessor symbol {old} "
                                                   "(stacking.yaml successor_symbols)")
    return out
