"""Measure tables: Section 301/232 coverage, country-action lists, AD/CVD orders and deposits, change dates."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from tradepolicy.datasets import dataset_path
from tradepolicy.errors import DatasetMissingError, InputError, NotFoundError
from tradepolicy.services.tariffs.cache import cached
from tradepolicy.services.tariffs.common import _LOCK, _records, agreements, measures, origins
from tradepolicy.services.tariffs.schedules import _derived, _sha, pick_source, source
from tradepolicy.tariffs.adcvd_match import match_orders
from tradepolicy.tariffs.dated_measures import (
    AdcvdFlag,
    as_date,
    exclusion_windows,
    note_exclusion_windows,
)
from tradepolicy.tariffs.note31 import NoteSubdivision, parse_note31


@cached(maxsize=1)
def s301_coverage() -> dict[str, str]:
    """Return HTS8/HTS10 digits -> 9903.88 heading (USITC China Tariffs table)."""
    from tradepolicy.datasets.readers.section301 import read_usitc_china_tariffs

    df = read_usitc_china_tariffs()
    return dict(zip(df["hts"], df["ch99_heading"], strict=True))


@cached(maxsize=1)
def s301_review_note() -> dict[str, NoteSubdivision]:
    """Return U.S. note 31 subdivision letter -> ``NoteSubdivision`` (HTS 2026 Rev. 6 ch.99 text).

    Empty when the chapter 99 text is absent from the mirror (the stack then keeps the list
    rates and says the review coverage is not loaded).
    """
    from tradepolicy.datasets import is_available
    from tradepolicy.datasets.readers.tariff_history import read_chapter99_text

    src = measures()["section301_china"]["four_year_review"]["coverage_source"]
    if not is_available(src["dataset"], src["path"]):
        return {}
    return dict(parse_note31(read_chapter99_text()))


@cached(maxsize=1)
def section301_cfg() -> Mapping[str, Any]:
    """Return ``section301_china.yaml`` with each four-year-review group's ``hts`` filled in.

    A group naming ``note31: X`` gets the codes of subdivision (X) of U.S. note 31 (kept under
    ``within`` prefixes when given) added to its own ``hts``. Without the chapter 99 text the
    note-based groups get no codes and ``understate_hts`` is dropped, so every Chinese line
    from the review date carries the understate note. Read-only: shared by every caller.
    """
    import copy

    cfg = copy.deepcopy(dict(measures()["section301_china"]))
    review = cfg["four_year_review"]
    note = s301_review_note()
    for prod in review["products"].values():
        codes = list(prod.get("hts") or [])
        letter = prod.get("note31")
        if letter is not None and letter in note:
            within = tuple(prod.get("within") or ())
            codes += [c for c in note[letter].codes
                      if not within or c.replace(".", "").startswith(within)]
        prod["hts"] = codes
    from tradepolicy.tariffs.dated_measures import review_index

    review["index"] = review_index(review["products"])
    if not note:
        review.pop("understate_hts", None)
        review["understate_note"] = (
            "The 2024 four-year-review product coverage (HTS ch.99 U.S. note 31, dataset "
            f"{review['coverage_source']['dataset']}) is not loaded: the Section 301 layer shows the "
            "list rate and may understate the duty from 2024-09-27. " + str(review["understate_note"]))
    return cfg


@cached(maxsize=1)
def s301_below() -> dict[str, str]:
    """Return HTS8 -> 9903.88 heading of its first covered HTS10 line."""
    from tradepolicy.tariffs.dated_measures import covered_below

    return covered_below(s301_coverage())


@cached(maxsize=1)
def s301_exclusions() -> dict[str, list[Any]]:
    """Return HTS10 -> exclusion validity windows."""
    from tradepolicy.datasets.readers.section301 import read_exclusions

    rows = _records(read_exclusions())
    cfg = measures()["section301_china"]
    out = exclusion_windows(rows, cfg)
    for code, ws in s301_note_windows().items():
        out.setdefault(code, []).extend(ws)
    return out


@cached(maxsize=1)
def s301_note_exclusions() -> tuple[Any, ...]:
    """Return the exclusions of HTS ch.99 U.S. note 20(vvv)/(www) (2026 Rev. 6), parsed; () without the file."""
    from tradepolicy.datasets.readers.tariff_history import read_chapter99_text
    from tradepolicy.tariffs.ch99_exclusions import parse_exclusions

    if "reinstated_exclusions" not in measures()["section301_china"]:
        return ()
    try:
        text = read_chapter99_text()
    except DatasetMissingError:  # us-tariff-history absent: the 2018-2020 grants only
        return ()
    return tuple(parse_exclusions(text))


def s301_note_windows() -> dict[str, list[Any]]:
    """Return HTS10 -> validity windows of the note 20(vvv)/(www) exclusions (reinstated 2021-2026)."""
    return note_exclusion_windows(s301_note_exclusions(), measures()["section301_china"])


@cached(maxsize=1)
def s232_products() -> Mapping[str, Sequence[Mapping[str, Any]]]:
    """Return HTS prefix -> Section 232 rows: the YAML scope programmes' and the list's (dated).

    Read-only rows of the cited YAML and the Section 232 list (open-ended records).
    """
    from tradepolicy.datasets.readers.section232 import read_s232_products
    from tradepolicy.tariffs.dated_measures import list_row_from, scope_rows

    cfg = measures()["section232"]
    out: dict[str, list[dict[str, Any]]] = scope_rows(cfg)
    for r in _records(read_s232_products()):
        prog = cfg["programs"].get(r["program"])
        r["from"] = list_row_from(prog, str(r["hts_code"])) if prog else None
        out.setdefault(r["hts_code"], []).append(r)
    return out


@cached(maxsize=1)
def _s232_annex_table() -> tuple[dict[str, str], dict[str, str]]:
    """Return (HTS prefix -> 2026 annex id, HTS prefix -> metal type) from ``annexes_2026``."""
    from tradepolicy.datasets.readers.tariff_history import read_product_list

    reg = measures()["section232"].get("annexes_2026") or {}
    annex: dict[str, str] = {}
    for aid, name in (reg.get("lists") or {}).items():
        df = read_product_list(str(name))
        for c in df[df.columns[0]].astype(str).str.replace(".", "", regex=False).str.strip():
            if c.isdigit():
                annex[c] = str(aid)
    metal: dict[str, str] = {}
    if reg.get("aluminum_types_list"):
        df = read_product_list(str(reg["aluminum_types_list"]))
        for c, t in zip(df["hts_prefix"].astype(str), df["metal_type"].astype(str), strict=True):
            metal[c.strip()] = t.strip()
    return annex, metal


@cached(maxsize=65536)
def s232_annex(code: str) -> tuple[str, bool] | None:
    """Return (2026 metals annex id, aluminium?) of an HTS line by its longest listed prefix, or None.

    Aluminium: chapter 76, or the tracker's annex list types the prefix ``aluminum`` (for
    Russia's 200 % rate, clause 8 of the 2026-04-02 proclamation).
    """
    annex, metal = _s232_annex_table()
    for n in range(len(code), 3, -1):
        aid = annex.get(code[:n])
        if aid is not None:
            kind = next((metal[code[:k]] for k in range(len(code), 3, -1) if code[:k] in metal), None)
            return aid, code[:2] == "76" or kind == "aluminum"
    return None


@cached(maxsize=1)
def country_action_lists() -> dict[str, frozenset[str]]:
    """Return list id -> HTS prefixes (digits) of the product lists of ``country_actions.yaml``."""
    from tradepolicy.datasets.readers.tariff_history import (
        read_country_eo_exempt_products,
        read_product_list,
    )

    out: dict[str, frozenset[str]] = {}
    for lid, spec in measures()["country_actions"]["lists"].items():
        if spec.get("codes") is not None:  # transcribed from a cited text
            out[str(lid)] = frozenset(str(c).replace(".", "").strip() for c in spec["codes"])
            continue
        name = str(spec["file"])
        df = (read_country_eo_exempt_products() if name.endswith("country_eo_exempt_products.csv")
              else read_product_list(name))
        for col, want in (spec.get("filter") or {}).items():
            df = df[df[col].astype(str) == str(want)]
        codes = df[spec["column"]].astype(str).str.replace(".", "", regex=False).str.strip().str.strip('"')
        out[str(lid)] = frozenset(c for c in codes if c.isdigit())
    return out


@cached(maxsize=1)
def adcvd_orders() -> pd.DataFrame:
    """Return AD/CVD orders in place with ISO3 and HS codes matched through I-TIP.

    The match is cached as Parquet under ``cache_dir/derived`` keyed by the sha256 of the
    two source files (a changed source rebuilds), like the schedules.
    """
    from tradepolicy.datasets.readers.adcvd import read_itip_measures, read_orders_in_place

    files = ("usitc_adcvd_orders_in_place_2020-08_clean.csv", "wto_itip_us_antidumping_measures_2020-09.csv")
    for f in files:
        dataset_path("us-adcvd-orders", f)  # verify
    sha = "".join(_sha("us-adcvd-orders", f)[:8] for f in files)
    with _LOCK:
        path = _derived("adcvd_matched", sha)
        if path.exists():
            df = pd.read_parquet(path)
            df["hs_codes"] = [list(x) for x in df["hs_codes"]]
            return df
        df = match_orders(read_orders_in_place(), read_itip_measures())
        out = df.copy()
        for c in out.columns:
            first = next((x for x in out[c] if x is not None and not (isinstance(x, float) and pd.isna(x))), None)
            if c != "hs_codes" and out[c].dtype == object and not isinstance(first, dt.date):
                out[c] = out[c].astype(str).where(out[c].notna(), None)
        tmp = path.with_suffix(".tmp")
        out.to_parquet(tmp, index=False)
        tmp.replace(path)
        return df


@cached(maxsize=1)
def current_prefixes() -> frozenset[str]:
    """Return every 6-, 8- and 10-digit prefix of the lines of HTS 2024 and 2025."""
    out: set[str] = set()
    for sid in ("hts2024", "hts2025"):
        for c in source(sid).codes:
            out.update({c[:6], c[:8], c})
    return frozenset(out)


def map_order_code(hs: str, concordance: Mapping[str, Any], current: frozenset[str]) -> tuple[list[str], str | None]:
    """Return (codes of the current editions an order's HS code covers, note or None).

    A code that still exists is kept; a dead statistical or HTS8 code falls back to its HTS8
    or HS6; a dead HS6 maps through the HS concordance (``hs_concordance.yaml``).
    """
    if hs in current:
        return [hs], None
    for n in (8, 6):
        if len(hs) > n and hs[:n] in current:
            return [hs[:n]], f"order code {hs} is not in HTS 2024/2025: matched at {hs[:n]}"
    entry = concordance.get(hs[:6])
    if entry:
        to = [c for c in entry["to"] if c in current]
        return to, f"order code {hs} (HS6 {hs[:6]}) mapped across HS revisions to {', '.join(to)}: {entry['note']}"
    return [hs], None


@cached(maxsize=1)
def adcvd_index() -> dict[str, dict[str, list[AdcvdFlag]]]:
    """Return ISO3 -> HS prefix -> AD/CVD flags (order codes and their current-edition codes)."""
    conc = measures()["hs_concordance"]
    current = current_prefixes()
    as_of = as_date(conc["orders_list"]["as_of"]).isoformat()
    out: dict[str, dict[str, list[AdcvdFlag]]] = {}
    for r in _records(adcvd_orders()):
        if not r["iso3"]:
            continue
        case = str(r["doc_case_no"])
        cite = f"{r['fed_reg']} ({r['link']})" if isinstance(r["fed_reg"], str) else case
        od = r["order_date"]
        for hs in r["hs_codes"]:
            mapped, note = map_order_code(str(hs), conc["hs6"], current)
            citation = f"USITC AD/CVD orders in place (as of {as_of}), {case}: {cite}"
            if note:
                citation = f"{citation}; {note} ({conc['citation']})"
            for code in dict.fromkeys([str(hs), *mapped]):
                flag = AdcvdFlag(case, "AD" if r["ad_cvd"] == "A" else "CVD", str(r["product"]),
                                 str(r["country"]), None if od is None or pd.isna(od) else od, code,
                                 citation)
                out.setdefault(str(r["iso3"]), {}).setdefault(code, []).append(flag)
    return out


ORDERS_COLUMNS = ("case_number", "country", "hts", "exporter", "deposit_rate", "kind", "from")


MAX_ORDERS_ROWS = 200_000


@dataclass(frozen=True)
class OrderDeposit:
    """One cash-deposit rate of a user orders file."""

    case_number: str
    country: str
    hts: str
    exporter: str
    rate: float
    kind: str
    start: dt.date
    end: dt.date | None
    citation: str


def read_orders_file(path: Path | str) -> list[OrderDeposit]:
    """Read a current AD/CVD orders file with cash-deposit rates (CSV).

    Columns: ``case_number, country`` (ISO3), ``hts`` (a prefix of 6-10 digits, dots
    allowed), ``exporter`` (a company, ``all-others`` or ``country-wide``), ``deposit_rate``
    (decimal, 0.2587 = 25.87%), ``kind`` (AD | CVD), ``from`` (YYYY-MM-DD), optional ``to``
    and ``citation``. A wrong row is an error naming the row and field.
    """
    p = Path(path)
    if not p.exists():
        raise NotFoundError(f"Orders file {str(p)!r} does not exist.", where=str(p), field="orders",
                            expected="a CSV with " + ",".join(ORDERS_COLUMNS), example="orders.csv")
    df = pd.read_csv(p, dtype=str, keep_default_na=False, nrows=MAX_ORDERS_ROWS + 1)
    cols = [c.strip().lower() for c in df.columns]
    missing = [c for c in ORDERS_COLUMNS if c not in cols]
    if missing:
        raise InputError(f"The orders file lacks the columns {', '.join(missing)}.", where=str(p),
                         field="columns", expected=",".join(ORDERS_COLUMNS) + "[,to,citation]",
                         example="A-570-893,CHN,0306.17,all-others,1.1290,AD,2005-02-01",
                         details={"found": list(df.columns)[:12]})
    df.columns = cols
    if len(df) > MAX_ORDERS_ROWS:
        raise InputError(f"More than {MAX_ORDERS_ROWS:,} rows.", where=str(p), field="rows",
                         expected=f"at most {MAX_ORDERS_ROWS:,}", example="one row per case x exporter x code")
    out = []
    known = origins()
    for i, r in enumerate(df.to_dict("records")):
        where = f"{p}, row {i + 2}"
        country = str(r["country"]).strip().upper()
        if country not in known:
            raise InputError(f"Unknown country {r['country']!r}.", where=where, field="country",
                             expected="ISO3", example="CHN",
                             details={"nearest": difflib.get_close_matches(country, list(known), n=3)})
        hts = str(r["hts"]).replace(".", "").strip()
        if not hts.isdigit() or not 6 <= len(hts) <= 10:
            raise InputError(f"HTS {r['hts']!r} is not a 6-10 digit prefix.", where=where, field="hts",
                             expected="6 to 10 digits, dots allowed", example="0306.17")
        try:
            rate = float(r["deposit_rate"])
        except ValueError:
            rate = -1.0
        if not 0.0 <= rate <= 10.0:
            raise InputError(f"Deposit rate {r['deposit_rate']!r} is not a decimal rate.", where=where,
                             field="deposit_rate", expected="a decimal, 0.2587 = 25.87%", example="0.2587")
        kind = str(r["kind"]).strip().upper()
        if kind not in ("AD", "CVD"):
            raise InputError(f"Kind {r['kind']!r} is not AD or CVD.", where=where, field="kind",
                             expected="AD | CVD", example="AD")
        try:
            start = as_date(str(r["from"]).strip())
            end = as_date(str(r["to"]).strip()) if str(r.get("to", "")).strip() else None
        except ValueError:
            raise InputError("A date is not YYYY-MM-DD.", where=where, field="from",
                             expected="YYYY-MM-DD", example="2005-02-01") from None
        out.append(OrderDeposit(str(r["case_number"]).strip(), country, hts, str(r["exporter"]).strip(),
                                rate, kind, start, end,
                                str(r.get("citation") or f"user orders file {p.name}, row {i + 2}")))
    return out


def deposits_for(orders: Sequence[OrderDeposit], code: str, origin: str, date: dt.date,
                 exporter: str | None = None) -> list[OrderDeposit]:
    """Return one deposit per case covering the line: the exporter's, else all-others, else country-wide."""
    by_case: dict[str, list[OrderDeposit]] = {}
    for o in orders:
        if o.country == origin and code.startswith(o.hts) and o.start <= date and (o.end is None or date <= o.end):
            by_case.setdefault(o.case_number, []).append(o)
    out = []
    for rows in by_case.values():
        pick = None
        for want in ([exporter.lower()] if exporter else []) + ["all-others", "country-wide"]:
            pick = next((o for o in rows if o.exporter.lower() == want), None)
            if pick:
                break
        if pick is not None:
            out.append(pick)
    return out


def adcvd_age_note(date: dt.date) -> str | None:
    """Return the note that the orders list is older than ``date`` (None when it is not)."""
    lst = measures()["hs_concordance"]["orders_list"]
    as_of = as_date(lst["as_of"])
    if date <= as_of:
        return None
    years = (date - as_of).days / 365.25
    return (f"AD/CVD orders list as of {as_of.isoformat()} ({years:.1f} years before {date.isoformat()}): "
            "orders issued or revoked since are missing; give a current orders file (--orders) "
            f"for deposits. Source: {lst['citation']}.")


def adcvd_flags(code: str, origin: str, date: dt.date) -> list[AdcvdFlag]:
    """Return the AD/CVD flags of a line for an origin on a date (order dated on/before it)."""
    idx = adcvd_index().get(origin, {})
    seen: dict[str, AdcvdFlag] = {}
    for n in (10, 8, 6):
        for f in idx.get(code[:n], ()) if len(code) >= n else ():
            if (f.order_date is None or f.order_date <= date) and f.case_number not in seen:
                seen[f.case_number] = f
    if len(code) == 8:
        for hs, flags in idx.items():
            if len(hs) == 10 and hs.startswith(code):
                for f in flags:
                    if (f.order_date is None or f.order_date <= date) and f.case_number not in seen:
                        seen[f.case_number] = f
    return list(seen.values())


@cached(maxsize=1)
def change_dates() -> tuple[dt.date, ...]:
    """Return every date on which some input of a batch stack may change, sorted.

    Two entry dates with no change date in (d1, d2] give the same batch; ``tariff effective``
    over a range of dates computes one batch per distinct state. Collected from every
    ``from``/``to`` of the measures YAML (``to`` also as the day after), the GSP removals,
    the Section 301 exclusion windows, the agreements' entry into force and termination, the
    AD/CVD order dates and the schedule sources.
    """
    out: set[dt.date] = set()

    def walk(x: Any, key: str = "") -> None:
        if isinstance(x, Mapping):
            for k, v in x.items():
                walk(v, str(k))
        elif isinstance(x, list | tuple):
            for v in x:
                walk(v, key)
        elif isinstance(x, dt.date) and key:
            out.add(x)
            out.add(x + dt.timedelta(days=1))
        elif isinstance(x, str) and key in ("from", "to", "expires", "published") and re.fullmatch(r"\d{4}-\d{2}-\d{2}", x):
            d0 = as_date(x)
            out.update({d0, d0 + dt.timedelta(days=1)})

    walk(measures())
    for ws in s301_exclusions().values():
        for w in ws:
            out.update({w.start, w.end + dt.timedelta(days=1)})
    for a in agreements():
        for d0 in (a.dates.in_force, a.dates.terminated, *(getattr(a, "party_dates", None) or {}).values()):
            if d0 is not None:
                out.add(as_date(d0))
    for table in adcvd_index().values():
        for flags in table.values():
            out.update(f.order_date for f in flags if f.order_date is not None)
    return tuple(sorted(out))


def state_key(date: dt.date) -> tuple[str, int]:
    """Return a key equal for two dates whose batch stacks are equal (see :func:`change_dates`)."""
    import bisect

    return pick_source(date), bisect.bisect_right(change_dates(), date)


def s301_note_exclusion_note(date: dt.date, lines: Sequence[str],
                             china_values: Mapping[str, float] | None = None) -> str | None:
    """Return a note on the note 20(vvv)/(www) exclusions applied to ``lines`` on ``date``, or None.

    Aggregate work applies an exclusion to its whole HTS10 line; the note says how many lines
    (and, given ``china_values`` HTS10 -> value from China, what share of that value) are
    excluded and how many of them are described narrower than the line (then overstated).
    """
    inside: dict[str, bool] = {}
    for code, ws in s301_note_windows().items():
        on = [w for w in ws if w.start <= date <= w.end]
        if on:
            inside[code] = all(w.description for w in on)
    lines = list(dict.fromkeys(lines))
    held = [c for c in lines if c in inside]
    if not held:
        eights = {c for c in lines if len(c) == 8}
        under = sorted({c for c in inside if c[:8] in eights})
        if not under:
            return None
        return (f"Section 301 product exclusions in force on {date.isoformat()} (HTS ch.99 U.S. note 20(vvv)/(www), "
                f"headings 9903.88.69/.70) cover {len(under)} HTS10 lines, but the schedule of this date has HTS8 "
                f"lines only (under {len({c[:8] for c in under})} of them the exclusions cover part): they are not "
                "applied here, so the Section 301 duty on those HTS8 lines is overstated; `tariff stack` on the "
                "10-digit line applies them.")
    narrow = [c for c in held if inside[c]]
    text = (f"Section 301 product exclusions in force on {date.isoformat()} (HTS ch.99 U.S. note 20(vvv), heading "
            f"9903.88.69, and 20(www), heading 9903.88.70; section301_china.yaml reinstated_exclusions): "
            f"{len(held)} HTS10 lines from China pay no Section 301 duty; {len(narrow)} of them are excluded "
            "only for goods matching a description narrower than the line, applied here to the whole line")
    if china_values:
        total = float(sum(china_values.values()))
        if total > 0:
            ex = sum(float(china_values.get(c, 0.0)) for c in held)
            nv = sum(float(china_values.get(c, 0.0)) for c in narrow)
            text += (f"; these lines are {ex / total:.2%} of the value from China ({nv / total:.2%} on the lines "
                     "described narrower: an upper bound of the excluded value)")
    reinstated = measures()["section301_china"].get("reinstated_exclusions") or {}
    if reinstated and date < as_date(reinstated["understate_before"]):
        text += ". " + str(reinstated["understate_note"])
    return text + "."
