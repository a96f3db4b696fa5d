"""Tariff services: schedules, duty stacks, batch stacks, offers and indicators.

Bulk tables (each HTS edition with its rebuilt hierarchy, the 2017 database) are built
from the verified mirror into Parquet under ``cache_dir/derived``, keyed by the source
sha256 so that a changed source rebuilds. Measures are the cited YAML of
``tradepolicy.tariffs.measures``. Engines compute; this module only loads and wires.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import yaml

from tradepolicy.config import get_settings
from tradepolicy.datasets import dataset_path, get_dataset
from tradepolicy.errors import InputError, NotFoundError, RegistryError, TradePolicyError
from tradepolicy.once import once
from tradepolicy.tariffs import hierarchy
from tradepolicy.tariffs.adcvd_match import match_orders
from tradepolicy.tariffs.dated_measures import (
    AdcvdFlag,
    as_date,
    column2_applies,
    eligible_programs,
    exclusion_windows,
    rate_on,
    section232_duties,
    section301_duties,
)
from tradepolicy.tariffs.duty_stack import DutyStack, LineRates, compute_stack
from tradepolicy.tariffs.hts_code import dotted, normalize_hts
from tradepolicy.tariffs.rate_text import chapter99_refs, parse_rate, parse_special

_LOCK = threading.RLock()


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the rows of a frame as dicts with string keys."""
    return cast(list[dict[str, Any]], df.to_dict("records"))
SOURCE_FILES = {
    "hts2024": "hts_2024_basic_edition_csv.csv",
    "hts2025": "hts_2025_basic_edition.csv",
    "db2017": "tariff_database_2017.csv.gz",
}


# --- measures (cited YAML) -------------------------------------------------------------------


@once(maxsize=1)
def measures() -> dict[str, Any]:
    """Return every measures YAML by stem (section301_china, section232, preferences...)."""
    out: dict[str, Any] = {}
    folder = resources.files("tradepolicy.tariffs").joinpath("measures")
    for item in folder.iterdir():
        if item.name.endswith(".yaml"):
            try:
                out[item.name[:-5]] = yaml.safe_load(item.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise RegistryError(f"Invalid YAML: {exc}", where=f"tariffs/measures/{item.name}") from exc
    return out


@once(maxsize=1)
def agreements() -> tuple[Any, ...]:
    """Return the agreements registry records that carry tariff programme symbols."""
    from tradepolicy.reference import load_agreements

    _, records = load_agreements()
    return tuple(a for a in records if a.tariff_programs)


@once(maxsize=1)
def origins() -> dict[str, str]:
    """Return every ISO 3166 alpha-3 code with its name (pycountry)."""
    import pycountry

    return {c.alpha_3: c.name for c in pycountry.countries}


def check_origin(origin: str) -> str:
    """Return the upper-cased ISO3 code, or raise when it is not an ISO 3166 country."""
    o = (origin or "").strip().upper()
    known = origins()
    if o not in known:
        near = difflib.get_close_matches(o, list(known), n=3)
        raise InputError(f"Unknown origin {origin!r}.", field="origin",
                         expected="an ISO 3166-1 alpha-3 country code", example="CHN",
                         details={"nearest": near})
    return o


def check_date(date: dt.date | str) -> tuple[dt.date, list[str]]:
    """Return the entry date and notes; raise before the HTS began; note future dates."""
    try:
        d = as_date(date)
    except ValueError as exc:
        raise InputError(f"Malformed date {date!r}.", field="date", expected="YYYY-MM-DD",
                         example="2019-05-10") from exc
    began = as_date(measures()["sources"]["hts_began"])
    today = dt.date.today()
    if d < began:
        raise InputError(
            f"Date {d.isoformat()} is before the HTS began ({began.isoformat()}).", field="date",
            expected=f"a date from {began.isoformat()} on (schedules loaded: 2017 database, "
                     f"HTS 2024, HTS 2025; measures to {today.isoformat()})",
            example="2019-05-10", details={"range": [began.isoformat(), today.isoformat()]},
        )
    notes: list[str] = []
    if d > today:
        notes.append(f"{d.isoformat()} is in the future: measures in force today "
                     f"({today.isoformat()}) are used and assumed to continue.")
        return today, notes
    return d, notes


# --- derived tables --------------------------------------------------------------------------


def _sha(dataset_id: str, path: str) -> str:
    for f in get_dataset(dataset_id).files:
        if f.path == path:
            return f.sha256
    return "unknown"


def _derived(name: str, sha: str) -> Path:
    folder = get_settings().cache_dir / "derived"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}_{sha[:16]}.parquet"


def _build_edition(year: int) -> pd.DataFrame:
    from tradepolicy.datasets.readers.hts import read_hts_edition

    tree = hierarchy.build_tree(read_hts_edition(year))
    tree["ch99_refs"] = [
        "|".join(chapter99_refs(a, b, c, d))
        for a, b, c, d in zip(tree["general"], tree["special"], tree["col2"], tree["description"],
                              strict=True)
    ]
    return tree


EDITIONS = (2024, 2025)


def check_edition(edition: Any, *, field: str = "edition", where: str | None = None) -> int:
    """Return ``edition`` as an int; raise ``InputError`` unless it is a loaded HTS edition."""
    try:
        year = int(edition)
    except (TypeError, ValueError):
        year = -1
    if year not in EDITIONS or isinstance(edition, bool):
        raise InputError(f"No HTS edition {edition!r}.", where=where, field=field,
                         expected=" | ".join(str(e) for e in EDITIONS), example="2025")
    return year


def edition_tree(year: int) -> pd.DataFrame:
    """Return the rebuilt tree of an HTS edition (cached in Parquet by source sha256)."""
    year = check_edition(year)
    with _LOCK:
        return _edition_tree(year)


@once(maxsize=4)
def _edition_tree(year: int) -> pd.DataFrame:
    src = SOURCE_FILES[f"hts{year}"]
    dataset_path("us-hts", src)  # verify
    path = _derived(f"hts{year}_tree", _sha("us-hts", src))
    if path.exists():
        return pd.read_parquet(path)
    tree = _build_edition(year)
    tmp = path.with_suffix(".tmp")
    tree.to_parquet(tmp, index=False)
    tmp.replace(path)
    return tree


@once(maxsize=1)
def db2017() -> pd.DataFrame:
    """Return the USITC 2017 tariff database (cached in Parquet by source sha256)."""
    from tradepolicy.datasets.readers.tariff_db2017 import read_tariff_db2017

    with _LOCK:
        path = _derived("db2017", _sha("us-hts", SOURCE_FILES["db2017"]))
        if path.exists():
            return pd.read_parquet(path)
        df = read_tariff_db2017()
        for c in ("begin_effect_date", "end_effective_date"):
            df[c] = df[c].astype(str)
        tmp = path.with_suffix(".tmp")
        df.to_parquet(tmp, index=False)
        tmp.replace(path)
        return df


@once(maxsize=1)
def db2017_programs() -> pd.DataFrame:
    """Return the 2017 database programmes, one row per (hts8, programme)."""
    from tradepolicy.datasets.readers.tariff_db2017 import programs_long

    return programs_long(db2017())


@dataclass(frozen=True)
class Source:
    """One schedule source: its id, label, start date, citation and lines by code."""

    id: str
    label: str
    start: dt.date
    citation: str
    codes: Mapping[str, int]
    table: pd.DataFrame


@once(maxsize=3)
def source(source_id: str) -> Source:
    """Return a loaded schedule source (``hts2024``, ``hts2025`` or ``db2017``)."""
    meta = {s["id"]: s for s in measures()["sources"]["sources"]}[source_id]
    if source_id == "db2017":
        df = db2017().rename(columns={"hts8": "hts", "brief_description": "path",
                                      "mfn_text_rate": "general", "col1_special_text": "special",
                                      "col2_text_rate": "col2", "quantity_1_code": "units"})
        df = df.assign(description=df["path"], level="hts8", ave_2017=df["mfn_ave"])
        # 127 HTS8 lines have two rows: one ending 2017-06-30 and one from 2017-07-01 (e.g.
        # the ITA expansion cut of 2017-07-01). Keep the later row, in force for the rest of
        # the source's span (to 2023-12-31); superseded_rows() names the earlier one.
        df = df.sort_values(["hts", "end_effective_date", "begin_effect_date"], kind="stable")
        df = df.drop_duplicates("hts", keep="last")
    else:
        tree = edition_tree(int(source_id[3:]))
        df = tree[tree["level"] != "text"].copy()
        df["ave_2017"] = np.nan
    df = df.reset_index(drop=True)
    codes = {c: i for i, c in enumerate(df["hts"])}
    return Source(source_id, str(meta["label"]), as_date(meta["from"]), str(meta["citation"]),
                  codes, df)


def sources_in_order() -> list[dict[str, Any]]:
    """Return the source definitions sorted by start date."""
    return sorted(measures()["sources"]["sources"], key=lambda s: as_date(s["from"]))


def pick_source(date: dt.date) -> str:
    """Return the id of the nearest earlier source on ``date``, else the earliest."""
    srcs = sources_in_order()
    earlier = [s for s in srcs if as_date(s["from"]) <= date]
    return str((earlier[-1] if earlier else srcs[0])["id"])


@once(maxsize=1)
def superseded_rows() -> dict[str, dict[str, str]]:
    """Return HTS8 -> the 2017 database row superseded within 2017 (general rate, end date)."""
    db = db2017().sort_values(["hts8", "end_effective_date", "begin_effect_date"], kind="stable")
    early = db[db.duplicated("hts8", keep="last")]
    return {str(r["hts8"]): {"general": str(r["mfn_text_rate"]), "end": str(r["end_effective_date"])[:10],
                             "special": str(r["col1_special_text"])}
            for r in _records(early)}


def source_notes(date: dt.date, source_id: str) -> list[str]:
    """Return notes on how far ``date`` lies from the schedule used for it.

    Before the earliest loaded source the earliest is used; more than a year after the
    start of the source used, later changes to the schedule (e.g. the HS 2022 codes) are
    not in it; from ``sources.yaml`` ``unmodelled_after`` later Chapter 99 measures (2025
    IEEPA) are missing. Each time the result says so.
    """
    srcs = sources_in_order()
    used = next(s for s in srcs if s["id"] == source_id)
    start = as_date(used["from"])
    out: list[str] = []
    if date < start:
        out.append(f"No schedule of {date.isoformat()} is loaded: the earliest, {used['label']} "
                   f"(from {start.isoformat()}), is used; rates in force on the date may differ.")
    elif (date - start).days > 366:
        out.append(f"{used['label']} (from {start.isoformat()}) is the latest schedule loaded on or "
                   f"before {date.isoformat()}: later changes to the base rates are not reflected.")
    cfg = measures()["sources"]
    if "unmodelled_after" in cfg and date >= as_date(cfg["unmodelled_after"]):
        out.append(str(cfg["unmodelled_note"]))
    return out


def nearest_codes(code: str, src: Source, n: int = 5) -> list[str]:
    """Return up to ``n`` valid codes nearest to ``code`` (same prefix first, then by spelling)."""
    longest = max((len(c) for c in src.codes), default=len(code))
    code = code[:longest]  # a 10-digit code in an HTS8 source: compare at HTS8
    same_len = [c for c in src.codes if len(c) == len(code)]
    for k in range(len(code) - 1, 1, -1):
        pref = [c for c in same_len if c.startswith(code[:k])]
        if pref:
            target = int(code)
            return [dotted(c) for c in sorted(pref, key=lambda c: abs(int(c) - target))[:n]]
    return [dotted(c) for c in difflib.get_close_matches(code, same_len, n=n)]


def _resolve(code: str, date: dt.date) -> tuple[Source, str, list[str]]:
    """Return (source, code in that source, notes) for a code on a date."""
    notes: list[str] = []
    sid = pick_source(date)
    src = source(sid)
    if code in src.codes:
        return src, code, notes
    if len(code) == 10 and not any(code in source(e).codes for e in ("hts2024", "hts2025")):
        near = nearest_codes(code, source("hts2025"))
        raise NotFoundError(
            f"HTS {dotted(code)} is not a statistical line of HTS 2024 or 2025. "
            f"Nearest valid codes: {', '.join(near) or 'none'}.", field="hts",
            expected="a code of the schedule", example=near[0] if near else "8471.30.01.00",
            details={"nearest": near, "source": src.label},
        )
    if len(code) == 8 and sid != "db2017":
        kids = sorted(c for c in src.codes if len(c) == 10 and c.startswith(code))
        if kids:
            notes.append(f"{dotted(code)} has no row of its own in {src.label}; the rates printed "
                         f"on {dotted(kids[0])} are used.")
            return src, kids[0], notes
    if sid == "db2017" and len(code) == 10 and code[:8] in src.codes:
        notes.append(f"The 2017 database is at HTS8: {dotted(code)} uses {dotted(code[:8])}.")
        return src, code[:8], notes
    # A code missing from the schedule in force is an error (issue 4), not a silent switch to
    # another edition's rates: name the nearest codes and where else the code exists.
    def holds(sid_other: str) -> bool:
        codes = source(sid_other).codes
        return code in codes or code[:8] in codes or any(c.startswith(code) for c in codes)

    elsewhere = [f"{o['label']} (from {as_date(o['from']).isoformat()})" for o in sources_in_order()
                 if o["id"] != src.id and holds(str(o["id"]))]
    near = nearest_codes(code, src)
    also = f" It is in {', '.join(elsewhere)}." if elsewhere else ""
    raise NotFoundError(
        f"HTS {dotted(code)} is not in {src.label}, the schedule in force on {date.isoformat()}. "
        f"Nearest valid codes: {', '.join(near) or 'none'}.{also}",
        field="hts", expected="a code of the schedule in force on the date",
        example=(near or ["8471.30.01.00"])[0],
        details={"nearest": near, "source": src.label, "found_in": elsewhere},
    )


@once(maxsize=1)
def gsp_exclusions() -> dict[str, tuple[tuple[str, str], ...]]:
    """Return HTS8 -> (symbol, ISO3) pairs barred by GSP country exclusions (2017 database).

    ``gsp_ctry_excluded`` prints ISO 3166 alpha-2 codes run together ("BRID" = Brazil,
    Indonesia); the symbols come from ``stacking.yaml`` rule ``gsp_country_exclusions``.
    """
    import pycountry

    rule = measures()["stacking"]["rules"].get("gsp_country_exclusions") or {}
    symbols = [str(x) for x in rule.get("symbols", [])]
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    db = db2017()
    for hts8, raw in zip(db["hts8"], db["gsp_ctry_excluded"].fillna("").astype(str), strict=True):
        text = raw.replace(",", "").replace(" ", "").upper()
        if not text:
            continue
        isos = []
        for k in range(0, len(text) - 1, 2):
            c = pycountry.countries.get(alpha_2=text[k:k + 2])
            if c is None:
                raise RegistryError(f"Unknown country code {text[k:k + 2]!r} in gsp_ctry_excluded.",
                                    where=f"us-hts/{SOURCE_FILES['db2017']}, hts8 {hts8}",
                                    field="gsp_ctry_excluded", expected="ISO 3166 alpha-2 codes")
            isos.append(c.alpha_3)
        out[str(hts8)] = tuple((sym, iso) for iso in isos for sym in symbols)
    return out


@lru_cache(maxsize=65536)
def line_rates(source_id: str, code: str) -> LineRates:
    """Return the parsed rates of one line of one source."""
    src = source(source_id)
    r = src.table.iloc[src.codes[code]]
    ave = r.get("ave_2017")
    if (ave is None or pd.isna(ave)) and source_id != "db2017":
        db = source("db2017")
        if code[:8] in db.codes:
            ave = db.table.iloc[db.codes[code[:8]]]["ave_2017"]
    return LineRates(
        code=code, description=str(r["path"]), source_id=src.id, source_label=src.label,
        source_citation=src.citation, general=parse_rate(str(r["general"] or "")),
        col2=parse_rate(str(r["col2"] or "")), special=tuple(parse_special(str(r["special"] or ""))),
        units=str(r["units"] or ""), ave_2017=None if ave is None or pd.isna(ave) else float(ave),
        blocked=gsp_exclusions().get(code[:8], ()) if source_id == "db2017" else (),
    )


# --- measure tables ---------------------------------------------------------------------------


@once(maxsize=1)
def s301_coverage() -> dict[str, str]:
    """Return HTS8/HTS10 digits -> 9903.88 heading (USITC China Tariffs table)."""
    from tradepolicy.datasets.readers.section301 import read_usitc_china_tariffs

    df = read_usitc_china_tariffs()
    return dict(zip(df["hts"], df["ch99_heading"], strict=True))


@once(maxsize=1)
def s301_below() -> dict[str, str]:
    """Return HTS8 -> 9903.88 heading of its first covered HTS10 line."""
    from tradepolicy.tariffs.dated_measures import covered_below

    return covered_below(s301_coverage())


@once(maxsize=1)
def s301_exclusions() -> dict[str, list[Any]]:
    """Return HTS10 -> exclusion validity windows."""
    from tradepolicy.datasets.readers.section301 import read_exclusions

    rows = _records(read_exclusions())
    return exclusion_windows(rows, measures()["section301_china"])


@once(maxsize=1)
def s232_products() -> dict[str, list[dict[str, Any]]]:
    """Return HTS prefix -> Section 232 list rows."""
    from tradepolicy.datasets.readers.section232 import read_s232_products

    out: dict[str, list[dict[str, Any]]] = {}
    for r in _records(read_s232_products()):
        out.setdefault(r["hts_code"], []).append(r)
    return out


ADCVD_DATASET = "us-adcvd-orders"
ADCVD_FILES = ("usitc_adcvd_orders_in_place_2020-08_clean.csv", "wto_itip_us_antidumping_measures_2020-09.csv")


@once(maxsize=1)
def adcvd_orders() -> pd.DataFrame:
    """Return AD/CVD orders in place with ISO3 and HS codes matched through I-TIP."""
    from tradepolicy.datasets.readers.adcvd import read_itip_measures, read_orders_in_place

    # Matching takes ~10 s: keep the result in Parquet keyed by the inputs' sha256 (as db2017).
    sha = _sha(ADCVD_DATASET, ADCVD_FILES[0])[:8] + _sha(ADCVD_DATASET, ADCVD_FILES[1])[:8]
    path = _derived("adcvd_orders", sha)
    if path.exists():
        return pd.read_parquet(path)
    df = match_orders(read_orders_in_place(), read_itip_measures())
    tmp = path.with_suffix(".tmp")
    try:
        df.to_parquet(tmp, index=False)
        tmp.replace(path)
    except (OSError, ValueError, TypeError):  # a frame Parquet cannot hold: just keep it in memory
        tmp.unlink(missing_ok=True)
    return df


@once(maxsize=1)
def adcvd_index() -> dict[str, dict[str, list[AdcvdFlag]]]:
    """Return ISO3 -> HS prefix -> AD/CVD flags."""
    out: dict[str, dict[str, list[AdcvdFlag]]] = {}
    for r in _records(adcvd_orders()):
        if not r["iso3"]:
            continue
        case = str(r["doc_case_no"])
        cite = f"{r['fed_reg']} ({r['link']})" if isinstance(r["fed_reg"], str) else case
        od = r["order_date"]
        for hs in r["hs_codes"]:
            flag = AdcvdFlag(case, "AD" if r["ad_cvd"] == "A" else "CVD", str(r["product"]),
                             str(r["country"]), None if od is None or pd.isna(od) else od, str(hs),
                             f"USITC AD/CVD orders in place (2020-08), {case}: {cite}")
            out.setdefault(str(r["iso3"]), {}).setdefault(str(hs), []).append(flag)
    return out


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


# --- use cases --------------------------------------------------------------------------------


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


def stack(hts: str, origin: str, date: dt.date | str, *, unit_value: float | None = None) -> DutyStack:
    """Return the duty stack of ``hts`` from ``origin`` entered on ``date``.

    ``unit_value`` (US$ per unit of the specific rate's quantity, e.g. per kg) converts
    specific duties to ad valorem equivalents; see :func:`entry_unit_value`.
    """
    code = normalize_hts(hts)
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
    src, c, more = _resolve(code, d)
    notes += source_notes(d, src.id) + more
    if src.id == "db2017" and c[:8] in superseded_rows():
        old_row = superseded_rows()[c[:8]]
        if d.isoformat() <= old_row["end"]:
            notes.append(f"The 2017 database row in force after {old_row['end']} is used; until "
                         f"{old_row['end']} the line printed general {old_row['general']!r}, "
                         f"special {old_row['special']!r}.")
    m = measures()
    line = line_rates(src.id, c)
    col2 = column2_applies(o, d, m["column2"])
    elig = eligible_programs(o, d, m["preferences"]["programs"], agreements(),
                             m["stacking"]["successor_symbols"]["value"])
    add, n1 = section301_duties(code, o, d, m["section301_china"], s301_coverage(),
                                s301_exclusions(), s301_below())
    a232, n2 = section232_duties(code, o, d, m["section232"], s232_products())
    result = compute_stack(line, o, d, column2_citation=col2, eligible=elig,
                           additional=add + a232, adcvd=adcvd_flags(code, o, d),
                           rules=m["stacking"]["rules"], unit_value=unit_value,
                           notes=notes + n1 + n2)
    return replace(result, hts=dotted(code))


def stack_dict(
    hts: str, origin: str, date: dt.date | str, *, unit_value: float | None = None,
    value_usd: float | None = None, quantity: float | None = None,
) -> dict[str, Any]:
    """Return the duty stack as a JSON-ready dict.

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
    s = stack(hts, origin, date, unit_value=uv)
    if value_usd is not None and uv is None and any(
            ly.layer == "base" and ly.note in (SPECIFIC_FALLBACK_NOTE, SPECIFIC_NEEDS_UV_NOTE)
            for ly in s.layers):
        raise InputError(f"{s.hts} has a specific duty ({s.layers[0].rate_text}): the duty on the "
                         "entry needs its quantity.", field="quantity",
                         expected="quantity in the rate's unit, with value_usd",
                         example="value_usd=5000 quantity=1000")
    out = s.to_dict()
    if value_usd is not None and out["total_ave"] is not None:
        out["duty_usd"] = out["total_ave"] * value_usd
        out["unit_value_usd"] = uv
    return out


def history(hts: str, origin: str, dates: Sequence[dt.date]) -> list[dict[str, Any]]:
    """Return (date, total AVE) points of a line's stack over ``dates``."""
    out: list[dict[str, Any]] = []
    for d in dates:
        try:
            s = stack(hts, origin, d)
        except NotFoundError:  # the code is not in the schedule in force then (e.g. HS 2022)
            out.append({"date": d.isoformat(), "total_ave": None,
                        "source": f"not in {source(pick_source(d)).label}"})
            continue
        out.append({"date": d.isoformat(), "total_ave": s.total_ave, "source": s.source})
    if out and all(p["total_ave"] is None and p["source"].startswith("not in ") for p in out):
        stack(hts, origin, dates[-1])  # raise the clear error of the last date
    return out


def show(hts: str, *, edition: int = 2025) -> dict[str, Any]:
    """Return one code of an HTS edition with its ancestors, rates (parsed) and children."""
    code = normalize_hts(hts)
    edition = check_edition(edition)
    tree = edition_tree(edition)
    src = source(f"hts{edition}")
    hits = tree.index[tree["hts"] == code]
    if len(hits) == 0:
        near = nearest_codes(code, src)
        raise NotFoundError(f"HTS {dotted(code)} is not in the HTS {edition} edition. "
                            f"Nearest valid codes: {', '.join(near) or 'none'}.", field="hts",
                            expected="a code of the edition", example=near[0] if near else "8471.30.01.00",
                            details={"nearest": near})
    i = int(hits[0])
    recs = _tree_records(edition)
    r = recs[i]
    ancestors: list[dict[str, Any]] = []
    p = int(r["parent_row"])
    while p >= 0:
        a = recs[p]
        ancestors.insert(0, {"hts": dotted(a["hts"]) if a["hts"] else "", "description": a["description"]})
        p = int(a["parent_row"])
    kids = tree[tree["parent_row"] == i]
    g = parse_rate(str(r["general"]))
    db = db2017()
    foot = db.loc[db["hts8"] == code[:8], "footnote_comment"] if len(code) >= 8 else pd.Series([], dtype=str)
    footnote = str(foot.iloc[0]).replace("<desc>", "").strip() if len(foot) else ""
    return {
        "hts": dotted(code), "edition": edition, "level": r["level"], "description": r["description"],
        "path": r["path"], "units": r["units"], "general": r["general"], "special": r["special"],
        "col2": r["col2"], "additional": r["additional"], "rates_inherited": bool(r["rates_inherited"]),
        "rate_from": dotted(recs[int(r["rate_row"])]["hts"]) if recs[int(r["rate_row"])]["hts"] else "",
        "general_parsed": {"kind": g.kind, "ad_valorem": g.ad_valorem,
                           "specific": [{"usd": s.usd, "unit": s.unit, "per": s.per, "basis": s.basis}
                                        for s in g.specific], "reason": g.reason},
        "special_groups": [{"rate": grp.duty.text, "kind": grp.duty.kind, "programs": list(grp.programs)}
                           for grp in parse_special(str(r["special"]))],
        "ch99_refs": [x for x in str(r["ch99_refs"]).split("|") if x]
        + [x for x in chapter99_refs(footnote) if x not in str(r["ch99_refs"])],
        "footnote_2017": footnote,
        "ancestors": ancestors,
        "children": [{"hts": dotted(k["hts"]) if k["hts"] else "", "description": k["description"],
                      "general": k["general"]} for k in _records(kids)],
        "citation": src.citation,
    }


@once(maxsize=2)
def _tree_records(edition: int) -> list[dict[str, Any]]:
    return _records(edition_tree(edition))


_STOP = frozenset({"and", "or", "of", "the", "for", "in", "with", "other", "a", "an", "to"})


def search_stem(word: str) -> str:
    """Return a crude stem of a search word so that singular and plural both match.

    >>> [search_stem(w) for w in ("batteries", "battery", "horses", "cells", "glass")]
    ['batter', 'batter', 'hors', 'cell', 'glass']
    """
    for suffix, keep in (("ies", 3), ("es", 3), ("s", 3), ("y", 4)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


@once(maxsize=2)
def _search_text(edition: int) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    tree = edition_tree(edition)
    coded = tree[tree["level"] != "text"]

    def norm(col: pd.Series) -> pd.Series:
        return " " + col.fillna("").str.lower().str.replace(r"[^0-9a-z]+", " ", regex=True) + " "

    return coded, norm(coded["path"]), norm(coded["description"])


def search(q: str, *, edition: int = 2025, limit: int = 50) -> list[dict[str, Any]]:
    """Search an edition by code prefix (digits, dots allowed) or by words of the description.

    Words match whole words of the line's path (its description with its ancestors'),
    punctuation and hyphens ignored, singular and plural alike ("lithium ion battery" finds
    "Lithium-ion batteries", "horse" finds "horses" but not "horsepower"); every word must
    match. Lines whose own
    description holds more of the words come first, then Chapter 98/99 lines, then by code.
    """
    text = (q or "").strip()
    if not text:
        return []
    coded, path, own = _search_text(check_edition(edition))
    digits = text.replace(".", "").replace(" ", "")
    if digits.isdigit():
        hit = coded[coded["hts"].str.startswith(digits)]
    else:
        words = [w for w in re.sub(r"[^0-9a-z]+", " ", text.lower()).split() if w not in _STOP]
        if not words:
            return []
        mask = pd.Series(True, index=coded.index)
        score = pd.Series(0, index=coded.index)
        for w in words:
            needle = rf" {re.escape(search_stem(w))}(?:e|es|s|ies|y|ys|ed|ing)? "
            mask &= path.str.contains(needle, regex=True)
            score += own.str.contains(needle, regex=True).astype(int)
        hit = coded[mask].assign(_score=score[mask],
                                 _ch99=coded.loc[mask, "hts"].str[:2].isin(["98", "99"]))
        hit = hit.sort_values(["_ch99", "_score"], ascending=[True, False], kind="stable")
    return [{"hts": dotted(r["hts"]), "level": r["level"], "description": r["description"],
             "general": r["general"], "units": r["units"]} for r in _records(hit.head(limit))]


# --- batch ------------------------------------------------------------------------------------


@once(maxsize=3)
def _parsed_source_cached(source_id: str) -> Any:
    src = source(source_id)
    table = src.table
    if source_id == "db2017":
        keep = (~table["hts"].str.startswith("99")).to_numpy()
    else:
        leaf = set(hierarchy.leaf_lines(edition_tree(int(source_id[3:])))["hts"])
        # chapter 99 provisions are measures, not product lines (stack() refuses them too)
        keep = (table["hts"].isin(leaf) & ~table["hts"].str.startswith("99")).to_numpy()
    sub = table[keep]
    codes = sub["hts"].tolist()
    use_fb = bool(measures()["stacking"]["rules"]["specific_without_unit_value_uses_2017_ave"]["value"])
    if source_id == "db2017":
        fb = sub["ave_2017"].to_numpy(dtype=float)
    else:
        db = db2017()
        fb = sub["hts"].str[:8].map(dict(zip(db["hts8"], db["mfn_ave"], strict=True))).to_numpy(dtype=float)
    col1 = np.full(len(codes), np.nan)
    col2 = np.full(len(codes), np.nan)
    gen = sub["general"].fillna("").tolist()
    c2 = sub["col2"].fillna("").tolist()
    spec = sub["special"].fillna("").tolist()
    symbols: dict[str, int] = {}
    prefs: list[dict[str, float]] = []
    for i in range(len(codes)):
        g = _parse_cached(gen[i])
        a = g.ave()
        if a is None and use_fb and g.specific and not np.isnan(fb[i]):
            a = float(fb[i])
        col1[i] = np.nan if a is None else a
        b = _parse_cached(c2[i]).ave()
        col2[i] = np.nan if b is None else b
        d = _special_aves(spec[i])
        for sym in d:
            symbols.setdefault(sym, len(symbols))
        prefs.append(d)
    pref = np.full((len(codes), len(symbols)), np.nan)
    for i, d in enumerate(prefs):
        for sym, v in d.items():
            pref[i, symbols[sym]] = v
    return codes, col1, col2, list(symbols), pref


@lru_cache(maxsize=8192)
def _parse_cached(text: str) -> Any:
    return parse_rate(text)


@lru_cache(maxsize=8192)
def _special_aves(text: str) -> dict[str, float]:
    d: dict[str, float] = {}
    for g in parse_special(text):
        v = g.duty.ave()
        if v is None:
            continue
        for sym in g.programs:
            d[sym] = min(v, d.get(sym, np.inf))
    return d


def batch_frame(date: dt.date | str, origin_list: Sequence[str] | None = None) -> pd.DataFrame:
    """Return the stacks of every line x origin on ``date`` as a long frame.

    Columns: ``hts`` (digits), ``origin`` (ISO3), ``base`` / ``applied`` / ``add301`` /
    ``add232`` / ``total`` (decimal AVE; NaN where not statable), ``adcvd`` (bool).
    """
    from tradepolicy.tariffs.batch import stack_matrix

    d, _ = check_date(date)
    orig = (list(dict.fromkeys(check_origin(o) for o in origin_list)) if origin_list
            else sorted(origins()))  # duplicates dropped (CHN, chn)
    sid = pick_source(d)
    codes, col1, col2, symbols, pref = _parsed_source_cached(sid)
    m = measures()
    n, k = len(codes), len(orig)
    col2_origin = np.array([column2_applies(o, d, m["column2"]) is not None for o in orig])
    eligible = np.zeros((k, len(symbols)), dtype=bool)
    sym_idx = {s: i for i, s in enumerate(symbols)}
    for j, o in enumerate(orig):
        for s in eligible_programs(o, d, m["preferences"]["programs"], agreements(),
                             m["stacking"]["successor_symbols"]["value"]):
            if s in sym_idx:
                eligible[j, sym_idx[s]] = True
    add301 = np.zeros((n, k))
    cfg301 = m["section301_china"]
    for o_j, o in enumerate(orig):
        if o not in cfg301["origins"]:
            continue
        cov, exc, below = s301_coverage(), s301_exclusions(), s301_below()
        for i, c in enumerate(codes):
            duties, _ = section301_duties(c, o, d, cfg301, cov, exc, below)
            add301[i, o_j] = sum(x.rate for x in duties)
    add232 = np.zeros((n, k))
    prods = s232_products()
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, c in enumerate(codes):
        key = tuple(sorted({r["program"] + repr(sorted(r["country_overrides"].items()))
                            + str(r["default_rate"]) + str(r["usmca_exempt"])
                            for nn in (10, 8, 6, 4) for r in prods.get(c[:nn], ())}))
        if key:
            groups.setdefault(key, []).append(i)
    for rows in groups.values():
        rep = codes[rows[0]]
        rates = np.array([sum(x.rate for x in section232_duties(rep, o, d, m["section232"], prods)[0])
                          for o in orig])
        add232[np.array(rows)[:, None], np.arange(k)[None, :]] = rates[None, :]
    adcvd = np.zeros((n, k), dtype=bool)
    pos = {o: j for j, o in enumerate(orig)}
    idx = adcvd_index()
    by_prefix: dict[str, set[int]] = {}
    for o, table in idx.items():
        if o not in pos:
            continue
        for hs, flags in table.items():
            if any(f.order_date is None or f.order_date <= d for f in flags):
                by_prefix.setdefault(hs, set()).add(pos[o])
    for i, c in enumerate(codes):
        hit: set[int] = set()
        for nn in (10, 8, 6):
            hit |= by_prefix.get(c[:nn], set())
        if hit:
            adcvd[i, sorted(hit)] = True
    blocked: list[tuple[int, int, Any]] = []
    if sid == "db2017" and m["stacking"]["rules"].get("gsp_country_exclusions", {}).get("value"):
        excl = gsp_exclusions()
        for i, c in enumerate(codes):
            for sym, iso in excl.get(c[:8], ()):
                if iso in pos and sym in sym_idx:
                    drop = np.zeros(len(symbols), dtype=bool)
                    drop[sym_idx[sym]] = True
                    blocked.append((i, pos[iso], drop))
    res = stack_matrix(col1, col2, pref, col2_origin, eligible, add301, add232, adcvd, blocked)
    return pd.DataFrame({
        "hts": pd.Categorical.from_codes(np.repeat(np.arange(n), k), categories=pd.Index(codes)),
        "origin": pd.Categorical.from_codes(np.tile(np.arange(k), n), categories=pd.Index(orig)),
        "base": res.base.ravel(), "applied": res.applied.ravel(), "add301": res.add301.ravel(),
        "add232": res.add232.ravel(), "total": res.total.ravel(), "adcvd": res.adcvd.ravel(),
    })


def batch(date: dt.date | str, out: Path | str, origin_list: Sequence[str] | None = None) -> dict[str, Any]:
    """Write the batch stacks of ``date`` to a Parquet file; return a summary."""
    out = Path(out)
    if out.suffix != ".parquet":
        raise InputError(f"Output {str(out)!r} is not a .parquet file.", field="out",
                         expected="a path ending in .parquet", example="stacks-2025-01-01.parquet")
    frame = batch_frame(date, origin_list)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    frame.to_parquet(tmp, index=False)
    tmp.replace(out)
    d, notes = check_date(date)
    notes += source_notes(d, pick_source(d))
    review = measures()["section301_china"].get("four_year_review", {})
    if ("CHN" in set(frame["origin"].cat.categories) and "understate_from" in review
            and d >= as_date(review["understate_from"])):
        notes.append(str(review["understate_note"]))
    return {"out": str(out), "rows": len(frame), "lines": frame["hts"].nunique(),
            "origins": frame["origin"].nunique(), "date": d.isoformat(), "source": source(pick_source(d)).label,
            "mean_total_ave": float(np.nanmean(frame["total"].to_numpy())), "notes": notes}


# --- offers and indicators --------------------------------------------------------------------


@once(maxsize=2)
def hts8_rates(edition: int = 2025) -> pd.DataFrame:
    """Return the tariff lines of an edition with MFN AVE, duty kind and best preference AVE.

    A tariff line is a distinct rate-bearing row: the HTS8 line where the rate is printed on
    it, else the HTS10 line that prints its own rate. Columns: ``hts8`` (the line's code,
    8 or 10 digits), ``chapter`` (2 digits), ``section`` (Roman numeral), ``general``,
    ``kind``, ``ave`` (decimal; specific rates use the 2017 AVE where known), ``pref_ave``
    (lowest special-column AVE), ``special`` (the special column text), ``col2_ave``
    (column 2 AVE; NaN when specific).
    """
    from tradepolicy.datasets.readers.hs import read_hs_nomenclature

    tree = edition_tree(edition)
    leaf = hierarchy.leaf_lines(tree)
    leaf = leaf[leaf["general"] != ""].drop_duplicates("rate_row")
    rate_codes = tree["hts"].to_numpy()[leaf["rate_row"].to_numpy()]
    rows = leaf.assign(hts=[rc if len(rc) >= 8 else c for rc, c in zip(rate_codes, leaf["hts"], strict=True)])
    db = db2017()
    fb = dict(zip(db["hts8"], db["mfn_ave"], strict=True))
    kinds, aves, prefs = [], [], []
    for code, g, sp in zip(rows["hts"], rows["general"], rows["special"], strict=True):
        d = _parse_cached(g)
        a = d.ave()
        if a is None and d.specific and code[:8] in fb and not pd.isna(fb[code[:8]]):
            a = float(fb[code[:8]])
        kinds.append(d.kind)
        aves.append(np.nan if a is None else a)
        pa = _special_aves(sp)
        prefs.append(min(pa.values()) if pa else np.nan)
    hs = read_hs_nomenclature()
    sec = dict(zip(hs.loc[hs["level"] == 2, "hscode"], hs.loc[hs["level"] == 2, "section"], strict=True))
    out = pd.DataFrame({"hts8": rows["hts"].to_numpy(), "general": rows["general"].to_numpy(),
                        "kind": kinds, "ave": aves, "pref_ave": prefs,
                        "special": rows["special"].fillna("").to_numpy(),
                        "col2_ave": [np.nan if (v := _parse_cached(str(t)).ave()) is None else v
                                     for t in rows["col2"].fillna("")]})
    out["chapter"] = out["hts8"].str[:2]
    out["section"] = out["chapter"].map(sec).fillna("XXII (ch.98-99)")
    return out


WEIGHTS = ("none", "baci-zaf-usa-2020")


@once(maxsize=2)
def baci_zaf_usa(revision: str = "hs17") -> pd.DataFrame:
    """Return US imports from South Africa by HS6 (BACI, exporter 710 -> importer 842).

    Columns: ``hs6``, ``value_usd`` (US$), ``unit_value_usd_per_kg`` (NaN without quantity).
    """
    from tradepolicy.datasets.readers.baci import read_baci_zaf_exports

    df = read_baci_zaf_exports(revision)
    df = df[(df["exporter"] == 710) & (df["importer"] == 842)]
    g = df.groupby("hs6").agg(value_kusd=("value_kusd", "sum"), quantity_t=("quantity_t", "sum"))
    out = pd.DataFrame({"hs6": g.index, "value_usd": g["value_kusd"].to_numpy() * 1e3})
    q = g["quantity_t"].to_numpy() * 1e3  # kg
    out["unit_value_usd_per_kg"] = np.where(q > 0, out["value_usd"].to_numpy() / np.where(q > 0, q, 1), np.nan)
    return out.reset_index(drop=True)


def weighted_lines(lines: pd.DataFrame, weights: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Attach trade weights (and unit-value AVEs of per-kg specific rates) to tariff lines.

    ``baci-zaf-usa-2020``: US imports from South Africa in 2020 by HS6 (BACI HS17), split
    equally over the tariff lines of each HS6; a specific per-kg rate without an AVE is
    converted with the HS6 unit value (US$/kg). Returns the lines and a coverage note.
    """
    trade = baci_zaf_usa("hs17").set_index("hs6")
    out = lines.copy()
    hs6 = out["hts8"].str[:6]
    n_in = hs6.map(hs6.value_counts())
    out["weight"] = hs6.map(trade["value_usd"]) / n_in
    uv = hs6.map(trade["unit_value_usd_per_kg"])
    converted = 0
    aves = out["ave"].to_numpy(dtype=float).copy()
    for i, (g, v) in enumerate(zip(out["general"], uv, strict=True)):
        if np.isnan(aves[i]) and not pd.isna(v):
            a = _parse_cached(g).ave(float(v), "kg")
            if a is not None:
                aves[i] = a
                converted += 1
    out["ave"] = aves
    matched = float(trade["value_usd"].reindex(hs6.unique()).sum())
    note = {"weights": weights, "source": "BACI HS17 2020 (baci-zaf-exports), exporter ZAF, importer USA",
            "trade_usd": float(trade["value_usd"].sum()), "trade_matched_usd": matched,
            "specific_converted_with_unit_values": converted,
            "caveat": "HS17 codes matched to HTS 2025 at HS6; HS 2022 changes leave some trade unmatched"}
    return out, note


def indicators_table(*, edition: int = 2025, by: str = "section", weights: str = "none") -> list[dict[str, Any]]:
    """Return tariff indicators by HS ``section`` or ``chapter`` for an edition (MFN lines).

    ``weights``: ``none`` (simple averages only) or ``baci-zaf-usa-2020`` (trade-weighted
    by US imports from South Africa, the only product-level US import data loaded).
    """
    from tradepolicy.literals import check_literal
    from tradepolicy.tariffs.indicators import indicators

    check_literal(by, ("section", "chapter"), name="by")
    check_literal(weights, WEIGHTS, name="weights")
    lines = hts8_rates(edition)
    lines = lines[~lines["chapter"].isin(["98", "99"])]
    if weights != "none":
        lines, _ = weighted_lines(lines, weights)
    peak = float(measures()["indicators"]["peaks"]["international_peak"]["value"])
    table = indicators(lines, by, peak_threshold=peak)
    return [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
            for r in _records(table)]


def _group_mask(codes: pd.Series, spec: Any, where: str) -> pd.Series:
    if not isinstance(spec, Mapping):
        raise InputError("A product group is a mapping with chapters or hts prefixes.", where=where,
                         field="groups", expected="{chapters: ['01-24']} or {hts: ['8703']}",
                         example="agriculture: {chapters: ['01-24']}")
    chapters, prefixes = spec.get("chapters") or [], spec.get("hts") or []
    if not chapters and not prefixes:
        raise InputError("A product group needs chapters or hts prefixes.", where=where,
                         field="chapters", expected="chapters: ['01-24'] or hts: ['8703']",
                         example="chapters: ['01-24']")
    if not isinstance(chapters, list) or not isinstance(prefixes, list):
        raise InputError("chapters and hts are lists.", where=where, field="chapters",
                         expected="a YAML list", example="chapters: ['01-24', '84']")
    mask = pd.Series(False, index=codes.index)
    for ch in chapters:
        s = str(ch).strip()
        bounds = [x.strip() for x in s.split("-", 1)]
        if not all(b.isdigit() and 1 <= int(b) <= 99 for b in bounds):
            raise InputError(f"Malformed chapter {ch!r}.", where=where, field="chapters",
                             expected="a chapter 1-99 or a range 'NN-NN'", example="'01-24'")
        lo, hi = int(bounds[0]), int(bounds[-1])
        mask |= codes.str[:2].astype(int).between(lo, hi)
    for p in prefixes:
        mask |= codes.str.startswith(normalize_hts(str(p), field="hts"))
    return mask


def _offer_number(f: Mapping[str, Any], key: str, where: str) -> float | None:
    v = f.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise InputError(f"{key} {v!r} is not a number.", where=where, field=key,
                         expected="a decimal (0.25 = 25%)", example=f"{key}: 0.25")
    return float(v)


def _with_where(exc: TradePolicyError, where: str) -> TradePolicyError:
    if exc.where is None:
        exc.where = where
    return exc


def offer(path: Path | str) -> dict[str, Any]:
    """Apply the offer in a YAML file to the MFN schedule; return groups, paths and checks."""
    p = Path(path)
    if not p.exists():
        raise NotFoundError(f"Offer file {str(p)!r} does not exist.", where=str(p), field="file",
                            expected="a YAML offer file", example="offer.yaml")
    try:
        spec = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"Offer file is not valid YAML: {exc}", where=str(p)) from exc
    if not isinstance(spec, dict):
        raise InputError("An offer file is a YAML mapping.", where=str(p), expected="groups:, formulas:",
                         example="formulas: [{group: agriculture, formula: swiss, coefficient: 0.25}]")
    return offer_from_spec(spec, where=str(p), name=p.stem)


def _partner_outcome(partner: str, base_date: dt.date, lines: pd.DataFrame, after: Any) -> dict[str, Any]:
    """Return what an offer changes for one partner: its duty today vs after the offer.

    A partner's duty today on a line is the lower of the MFN rate and the best special rate
    it may claim on ``base_date`` (agreements registry + preferences YAML), or the column 2
    rate for a General Note 3(b) country; after the offer it is the lower of that and the
    offered rate (an offer never raises a partner's duty). Averages skip lines whose rate
    today cannot be stated (column 2 specific rates), counted in ``lines_not_statable_now``.
    """
    m = measures()
    elig = eligible_programs(partner, base_date, m["preferences"]["programs"], agreements(),
                             m["stacking"]["successor_symbols"]["value"])
    col2 = column2_applies(partner, base_date, m["column2"]) is not None
    now = lines["ave"].to_numpy(dtype=float).copy()
    if col2:  # General Note 3(b): column 2, no preference
        now = lines["col2_ave"].to_numpy(dtype=float).copy()
        elig = {}
    for i, sp in enumerate(lines["special"]):
        pa = _special_aves(str(sp))
        best = [v for sym, v in pa.items() if sym in elig]
        if best:
            now[i] = min(now[i], min(best))
    new = np.minimum(now, np.asarray(after, dtype=float))  # NaN stays NaN: same lines averaged
    return {"partner": partner, "base_date": base_date.isoformat(),
            "programs_claimable": sorted(elig),
            "average_now": float(np.nanmean(now)) if np.isfinite(now).any() else None,
            "average_after": float(np.nanmean(new)) if np.isfinite(new).any() else None,
            "lines_cut": int(np.sum(new < now - 1e-12)), "n_lines": len(now),
            "lines_not_statable_now": int(np.isnan(now).sum()), "column2": col2}


def offer_from_spec(spec: Mapping[str, Any], *, where: str = "offer", name: str = "offer") -> dict[str, Any]:
    """Apply an offer given as a mapping (the parsed YAML of :func:`offer`).

    Formulas apply to the MFN rates of a product group; ``partners`` (per offer or per
    formula) get ``by_partner``: each partner's average duty today (MFN or a better
    preference it may claim on ``base_date``, default today) and after the offer.
    """
    from tradepolicy.tariffs.formulas import FORMULAS, apply_formula, rate_in_year, staging_path

    p = where
    if not isinstance(spec, Mapping):
        raise InputError("An offer is a mapping.", where=p, expected="groups:, formulas:",
                         example="formulas: [{group: agriculture, formula: swiss, coefficient: 0.25}]")
    edition = check_edition(spec.get("edition", 2025), where=p)
    start = spec.get("start_year", dt.date.today().year)
    if isinstance(start, bool) or not isinstance(start, int):
        raise InputError(f"start_year {start!r} is not a year.", where=p, field="start_year",
                         expected="an integer year", example="start_year: 2026")
    groups = spec.get("groups") or {}
    if isinstance(groups, list):
        bad = [i for i, g in enumerate(groups) if not isinstance(g, Mapping) or "id" not in g]
        if bad:
            raise InputError(f"groups[{bad[0]}] has no id.", where=f"{p}: groups[{bad[0]}]",
                             field="id", expected="each listed group has an id",
                             example="groups: [{id: agriculture, chapters: ['01-24']}]")
        groups = {str(g["id"]): g for g in groups}
    if not isinstance(groups, Mapping):
        raise InputError("groups is a mapping of group id -> definition.", where=p, field="groups",
                         expected="groups: {agriculture: {chapters: ['01-24']}}",
                         example="groups: {autos: {hts: ['8703']}}")
    formulas = spec.get("formulas") or []
    if not isinstance(formulas, list):
        raise InputError("formulas is a list.", where=p, field="formulas",
                         expected="a YAML list of {group, formula, ...}",
                         example="formulas: [{group: agriculture, formula: swiss, coefficient: 0.25}]")
    partner_list = spec.get("partners") or []
    if not isinstance(partner_list, list):
        raise InputError("partners is a list of ISO3 codes.", where=p, field="partners",
                         expected="a YAML list", example="partners: [KOR, JPN]")
    lines = hts8_rates(edition)
    lines = lines[lines["ave"].notna() & ~lines["chapter"].isin(["98", "99"])].reset_index(drop=True)
    masks = {}
    for gid, g in groups.items():
        try:
            masks[gid] = _group_mask(lines["hts8"], g, f"{p}: groups.{gid}")
        except TradePolicyError as exc:
            raise _with_where(exc, f"{p}: groups.{gid}") from None
    try:
        partners = [check_origin(str(o)) for o in partner_list]
    except TradePolicyError as exc:
        raise _with_where(exc, f"{p}: partners") from None
    try:
        base_date, _ = check_date(spec.get("base_date", dt.date.today().isoformat()))
    except InputError as exc:
        raise InputError(exc.message, where=p, field="base_date", expected=exc.expected,
                         example="base_date: 2025-03-01", details=exc.details) from None
    out_groups = []
    for i, f in enumerate(formulas):
        where = f"{p}: formulas[{i}]"
        if not isinstance(f, Mapping):
            raise InputError("A formula entry is a mapping.", where=where, field="formulas",
                             expected="{group: ..., formula: ..., coefficient: ...}",
                             example="{group: agriculture, formula: swiss, coefficient: 0.25}")
        kind = f.get("formula")
        if kind not in FORMULAS:
            raise InputError(f"Unknown formula {kind!r}.", where=where, field="formula",
                             expected=" | ".join(FORMULAS), example="swiss")
        gid = f.get("group")
        if gid not in masks:
            raise InputError(f"Unknown product group {gid!r}.", where=where, field="group",
                             expected=" | ".join(masks) or "a group defined under groups:",
                             example=next(iter(masks), "agriculture"))
        try:
            f_partners = [check_origin(str(o)) for o in f.get("partners") or []] or partners
            sub = lines[masks[gid]]
            if sub.empty:
                raise InputError(f"Product group {gid!r} has no ad valorem MFN line in HTS {edition}.",
                                 field="group", expected="a group covering at least one line",
                                 example="chapters: ['01-24']")
            t0 = sub["ave"].to_numpy(dtype=float)
            value = None
            for key in ("coefficient", "value", "cut", "cap", "rate"):
                value = _offer_number(f, key, where)
                if value is not None:
                    break
            target = _offer_number(f, "target_average", where)
            res = apply_formula(kind, t0, value=value, target_average=target)
            st = f.get("staging") or {"kind": "immediate"}
            if not isinstance(st, Mapping):
                raise InputError("staging is a mapping.", field="staging",
                                 expected="{kind: immediate | equal | custom, years: N, custom: [...]}",
                                 example="staging: {kind: equal, years: 5}")
            st_kind = str(st.get("kind", "immediate"))
            st_years = st.get("years", 1)
            if isinstance(st_years, bool) or not isinstance(st_years, int):
                raise InputError(f"staging years {st_years!r} is not an integer.", field="years",
                                 expected="an integer >= 1", example="staging: {kind: equal, years: 5}")
            custom = st.get("custom")
            if custom is not None and (not isinstance(custom, list) or not all(
                    isinstance(x, int | float) and not isinstance(x, bool) for x in custom)):
                raise InputError("custom staging is a list of shares.", field="custom",
                                 expected="a list of shares of the cut, e.g. [0.2, 0.5, 1.0]",
                                 example="[0.2, 0.5, 1.0]")
            paths = [staging_path(float(b), float(a), start, st_kind, years=st_years, custom=custom)
                     for b, a in zip(res.before, res.after, strict=True)]
        except TradePolicyError as exc:
            raise _with_where(exc, where) from None
        years_all = sorted({y for path_ in paths for y, _ in path_})
        path_avg = [{"year": y, "average": float(np.mean([rate_in_year(path_, y, float(b))
                                                          for path_, b in zip(paths, res.before, strict=True)]))}
                    for y in years_all]
        out_groups.append({
            "by_partner": [_partner_outcome(o, base_date, sub, res.after) for o in f_partners],
            "group": gid, "partners": f_partners, "formula": kind, "coefficient": res.coefficient,
            "solved": res.solved,
            "n_lines": len(t0), "average_before": res.average_before,
            "average_after": res.average_after,
            "staging": {"kind": st_kind, "years": st.get("years"), "path": path_avg},
        })
    result: dict[str, Any] = {"name": spec.get("name", name), "edition": edition,
                              "partners": partners, "start_year": start, "groups": out_groups}
    kc = spec.get("korus_check")
    if kc:
        allowed = ("start_year", "kind", "years", "check_year", "tolerance")
        if not isinstance(kc, Mapping) or any(k not in allowed for k in kc):
            raise InputError("korus_check takes start_year, kind, years, check_year, tolerance.",
                             where=f"{p}: korus_check", field="korus_check",
                             expected=" | ".join(allowed), example="korus_check: {kind: equal, years: 10}")
        try:
            result["korus_check"] = korus_check(**kc)
        except TradePolicyError as exc:
            raise _with_where(exc, f"{p}: korus_check") from None
        except (TypeError, ValueError) as exc:
            raise InputError(f"korus_check: {exc}", where=f"{p}: korus_check", field="korus_check",
                             expected="integers for years, decimals for tolerance",
                             example="korus_check: {kind: equal, years: 10}") from None
    return result


def korus_check(*, start_year: int = 2011, kind: str = "equal", years: int = 10,
                check_year: int = 2017, tolerance: float = 5e-4) -> dict[str, Any]:
    """Compare a staging path (MFN -> free) with the KORUS rates of the 2017 database.

    Lines: HTS8 with the KR indicator and an ad valorem MFN rate. A KR line without a
    published KORUS rate is duty-free. Returns counts matched within ``tolerance``. The
    default base year is 2011: KORUS made its first cut on entry into force (2012-03-15)
    and the next ones each 1 January, so 2017 is the sixth staged rate.
    """
    from tradepolicy.tariffs.formulas import check_staging, rate_in_year, staging_path

    db = db2017()
    sub = db[(db["korea_indicator"] != "") & (db["mfn_rate_type_code"] == "7")]
    mfn = sub["mfn_ad_val_rate"].to_numpy(dtype=float)
    ref = sub["korea_ad_val_rate"].fillna(0.0).to_numpy(dtype=float)
    path_rates = np.array([rate_in_year(staging_path(b, 0.0, start_year, kind, years=years), check_year, b)
                           for b in mfn])
    chk = check_staging(path_rates, ref, check_year, tolerance=tolerance)
    return {"start_year": start_year, "kind": kind, "years": years, "check_year": chk.year,
            "n_lines": chk.n_lines, "n_match": chk.n_match, "share_match": chk.share_match,
            "mean_abs_diff": chk.mean_abs_diff, "tolerance": tolerance,
            "source": "USITC tariff database 2017, columns mfn_ad_val_rate and korea_ad_val_rate"}


def history_range(hts: str, origin: str, start: dt.date | str, end: dt.date | str) -> list[dict[str, Any]]:
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


def parse_report(edition: int = 2025) -> dict[str, Any]:
    """Return the share of rate texts the parser understands, by column, and the forms it does not.

    Shares count every coded row of the edition with its (inherited) rate texts, i.e. the
    share of lines whose rate is parsed; special-column groups are counted one by one.

    ``forms``: one row per normalised form not turned into a duty (numbers -> N), with its
    kind (unparsed / reference), reason and count.
    """
    from tradepolicy.tariffs.rate_text import form_of

    tree = edition_tree(edition)
    columns: dict[str, dict[str, Any]] = {}
    forms: dict[tuple[str, str], dict[str, Any]] = {}
    for col in ("general", "col2", "additional"):
        texts = tree.loc[tree["hts"] != "", col]
        texts = texts[texts != ""]
        ok = 0
        for x in texts:
            d = _parse_cached(x)
            ok += d.parsed
            if not d.parsed:
                f = forms.setdefault((form_of(x), d.kind), {"form": form_of(x), "kind": d.kind,
                                                          "reason": d.reason, "count": 0})
                f["count"] += 1
        columns[col] = {"texts": len(texts), "parsed": ok, "share": ok / len(texts) if len(texts) else None}
    groups = ok_groups = 0
    for x in tree.loc[tree["special"] != "", "special"]:
        for g in parse_special(x):
            groups += 1
            ok_groups += g.duty.parsed or g.duty.text.lower().startswith("see ")
    columns["special_groups"] = {"texts": groups, "parsed": ok_groups,
                                 "share": ok_groups / groups if groups else None}
    n = sum(c["texts"] for c in columns.values())
    p = sum(c["parsed"] for c in columns.values())
    return {"edition": edition, "share_parsed": p / n if n else None, "columns": columns,
            "forms": sorted(forms.values(), key=lambda f: -f["count"])}


def programs_2017() -> list[dict[str, Any]]:
    """Return the 2017 database's preference programmes: code, name, symbols, line counts."""
    from tradepolicy.datasets.readers.tariff_db2017 import read_program_codes

    names = {r["agreement"]: r for r in _records(read_program_codes())}
    pl = db2017_programs()
    out = []
    for prog, sub in pl.groupby("program", sort=True):
        key = {"nafta_canada": "canada", "nafta_mexico": "mexico", "columbia": "colombia"}.get(str(prog), str(prog))
        info = names.get(key, {})
        out.append({"program": prog, "name": info.get("agreement_full", ""),
                    "notes": info.get("agreement_notes", ""),
                    "symbols": sorted(set(sub["indicator"])), "lines": int(sub["hts8"].nunique()),
                    "lines_with_rate": int(sub["ad_val_rate"].notna().sum())})
    return out


def chapter99_in_force(date: dt.date | str | None = None) -> list[dict[str, Any]]:
    """Return the Section 301 headings and Section 232 programmes with their rates on a date."""
    d = as_date(date) if date else dt.date.today()
    m = measures()
    out: list[dict[str, Any]] = []
    for heading, h in m["section301_china"]["headings"].items():
        found = rate_on(h["rates"], d) if h["rates"] else None
        out.append({"authority": "Section 301", "heading": heading, "label": h["list"],
                    "rate": None if found is None else found[0],
                    "status": "suspended" if h.get("suspended") else ("in force" if found else "not yet")})
    for prod in m["section301_china"].get("four_year_review", {}).get("products", {}).values():
        found = rate_on(prod["rates"], d)
        out.append({"authority": "Section 301", "heading": prod["heading"], "label": prod["label"],
                    "rate": None if found is None else found[0],
                    "status": "in force" if found and found[0] is not None else "not yet"})
    for prog, p in m["section232"]["programs"].items():
        found = rate_on(p["rates"], d)
        out.append({"authority": "Section 232", "heading": p["heading"], "label": prog.replace("_", " "),
                    "rate": None if found is None or found[0] == "list" else found[0],
                    "status": "in force" if found and found[0] is not None else "not yet"})
    return out


def korus_staging_inference(*, base_year: int = 2011, check_year: int = 2017,
                            max_years: int = 20, tolerance: float = 5e-4) -> dict[str, Any]:
    """Infer each KORUS line's staging from its 2017 rate: which equal-cut path reproduces it.

    For N = 1..``max_years`` equal annual cuts from ``base_year`` (N = 1 is immediate), the
    path's rate in ``check_year`` is compared with the 2017 database's KORUS rate. Lines that
    no equal-cut path reproduces are non-linear staging categories (or tariff-rate quotas).
    Returns the count of lines per N (a line matching several N, e.g. already free, is
    counted at the smallest N) and the unmatched count.
    """
    from tradepolicy.tariffs.formulas import rate_in_year, staging_path

    db = db2017()
    sub = db[(db["korea_indicator"] != "") & (db["mfn_rate_type_code"] == "7")]
    mfn = sub["mfn_ad_val_rate"].to_numpy(dtype=float)
    ref = sub["korea_ad_val_rate"].fillna(0.0).to_numpy(dtype=float)
    assigned = np.zeros(len(mfn), dtype=int)
    counts: dict[int, int] = {}
    for n in range(1, max_years + 1):
        path = np.array([rate_in_year(staging_path(b, 0.0, base_year, "equal", years=n), check_year, b)
                         for b in mfn])
        hit = (np.abs(path - ref) <= tolerance) & (assigned == 0)
        assigned[hit] = n
        counts[n] = int(hit.sum())
    return {"base_year": base_year, "check_year": check_year, "n_lines": len(mfn),
            "lines_by_equal_cuts": {str(k): v for k, v in counts.items() if v},
            "unmatched": int((assigned == 0).sum()), "tolerance": tolerance,
            "note": "N = 1 means free in the first year (immediate); lines free in 2017 count at N <= 6",
            "source": "USITC tariff database 2017, columns mfn_ad_val_rate and korea_ad_val_rate"}
