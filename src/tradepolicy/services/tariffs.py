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
from tradepolicy.tariffs.duty_stack import DutyStack, Layer, LineRates, compute_stack
from tradepolicy.tariffs.hts_code import dotted, normalize_hts
from tradepolicy.tariffs.rate_text import chapter99_refs, parse_rate, parse_special

_LOCK = threading.RLock()


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the rows of a frame as dicts with string keys."""
    return cast(list[dict[str, Any]], df.to_dict("records"))
USMCA_SYMBOLS = ("S", "S+", "CA", "MX")
SOURCE_FILES = {
    "hts2024": "hts_2024_basic_edition_csv.csv",
    "hts2025": "hts_2025_basic_edition.csv",
    "db2017": "tariff_database_2017.csv.gz",
}


# --- measures (cited YAML) -------------------------------------------------------------------


@lru_cache(maxsize=1)
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
    from tradepolicy.tariffs.schema import validate_measures

    validate_measures(out)
    return out


@lru_cache(maxsize=1)
def agreements() -> tuple[Any, ...]:
    """Return the agreements registry records that carry tariff programme symbols."""
    from tradepolicy.reference import load_agreements

    _, records = load_agreements()
    return tuple(a for a in records if a.tariff_programs)


@lru_cache(maxsize=1)
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


@lru_cache(maxsize=4)
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


@lru_cache(maxsize=1)
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


@lru_cache(maxsize=1)
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


@lru_cache(maxsize=3)
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


@lru_cache(maxsize=1)
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


def parent_line(code: str, src: Source) -> str | None:
    """Return the line of ``src`` a code of a later HTS revision maps to (None when none).

    Its HTS8, else the first statistical line of its HTS8, else the first line of its HS6.
    """
    if code[:8] in src.codes:
        return code[:8]
    for n in (8, 6):
        kids = sorted(c for c in src.codes if c.startswith(code[:n]) and not c.startswith("99"))
        if kids:
            return kids[0]
    return None


def _resolve(code: str, date: dt.date, map_parent: bool = False) -> tuple[Source, str, list[str]]:
    """Return (source, code in that source, notes) for a code on a date.

    ``map_parent``: a code the schedule in force does not hold (e.g. created by a mid-year HTS
    revision after the edition loaded) is stacked on its parent line, with a note.
    """
    notes: list[str] = []
    sid = pick_source(date)
    src = source(sid)
    if code in src.codes:
        return src, code, notes
    if map_parent and len(code) == 10 and (sid != "db2017" or code[:8] not in src.codes):
        parent = parent_line(code, src)
        if parent is not None:
            notes.append(f"HTS {dotted(code)} is not in {src.label} (a later HTS revision?): mapped to "
                         f"its parent line {dotted(parent)}, whose rates are used.")
            return src, parent, notes
    if len(code) == 10 and not any(code in source(e).codes for e in ("hts2024", "hts2025")):
        near = nearest_codes(code, source("hts2025"))
        raise NotFoundError(
            f"HTS {dotted(code)} is not a statistical line of HTS 2024 or 2025. "
            f"Nearest valid codes: {', '.join(near) or 'none'}. (A code of a later HTS revision: "
            "ask with map_parent / --map-parent to stack its parent line.)", field="hts",
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


@lru_cache(maxsize=1)
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


@lru_cache(maxsize=1)
def s301_coverage() -> dict[str, str]:
    """Return HTS8/HTS10 digits -> 9903.88 heading (USITC China Tariffs table)."""
    from tradepolicy.datasets.readers.section301 import read_usitc_china_tariffs

    df = read_usitc_china_tariffs()
    return dict(zip(df["hts"], df["ch99_heading"], strict=True))


@lru_cache(maxsize=1)
def s301_below() -> dict[str, str]:
    """Return HTS8 -> 9903.88 heading of its first covered HTS10 line."""
    from tradepolicy.tariffs.dated_measures import covered_below

    return covered_below(s301_coverage())


@lru_cache(maxsize=1)
def s301_exclusions() -> dict[str, list[Any]]:
    """Return HTS10 -> exclusion validity windows."""
    from tradepolicy.datasets.readers.section301 import read_exclusions

    rows = _records(read_exclusions())
    return exclusion_windows(rows, measures()["section301_china"])


@lru_cache(maxsize=1)
def s232_products() -> dict[str, list[dict[str, Any]]]:
    """Return HTS prefix -> Section 232 rows: the YAML scope programmes' and the list's (dated)."""
    from tradepolicy.datasets.readers.section232 import read_s232_products
    from tradepolicy.tariffs.dated_measures import list_row_from, scope_rows

    cfg = measures()["section232"]
    out: dict[str, list[dict[str, Any]]] = scope_rows(cfg)
    for r in _records(read_s232_products()):
        prog = cfg["programs"].get(r["program"])
        r["from"] = list_row_from(prog, str(r["hts_code"])) if prog else None
        out.setdefault(r["hts_code"], []).append(r)
    return out


@lru_cache(maxsize=1)
def country_action_lists() -> dict[str, frozenset[str]]:
    """Return list id -> HTS prefixes (digits) of the product lists of ``country_actions.yaml``."""
    from tradepolicy.datasets.readers.tariff_history import (
        read_country_eo_exempt_products,
        read_product_list,
    )

    out: dict[str, frozenset[str]] = {}
    for lid, spec in measures()["country_actions"]["lists"].items():
        name = str(spec["file"])
        df = (read_country_eo_exempt_products() if name.endswith("country_eo_exempt_products.csv")
              else read_product_list(name))
        for col, want in (spec.get("filter") or {}).items():
            df = df[df[col].astype(str) == str(want)]
        codes = df[spec["column"]].astype(str).str.replace(".", "", regex=False).str.strip().str.strip('"')
        out[str(lid)] = frozenset(c for c in codes if c.isdigit())
    return out


def country_actions_cfg() -> dict[str, Any]:
    """Return the country actions YAML with the EU member list of the Section 232 YAML."""
    m = measures()
    return {**m["country_actions"], "eu_members": m["section232"]["eu_members"]}


@lru_cache(maxsize=1)
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


@lru_cache(maxsize=1)
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


@lru_cache(maxsize=1)
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


def stack(hts: str, origin: str, date: dt.date | str, *, unit_value: float | None = None,
          over_quota: bool = False, map_parent: bool = False,
          orders: Sequence[OrderDeposit] | None = None, exporter: str | None = None) -> DutyStack:
    """Return the duty stack of ``hts`` from ``origin`` entered on ``date``.

    ``over_quota``: the entry is over a Section 232 tariff-rate quota (default: in quota).
    ``map_parent``: a code the schedule in force does not hold is stacked on its parent line.
    ``orders``: a current orders file (:func:`read_orders_file`); the cash deposit of
    ``exporter`` (else all-others, else country-wide) is a labelled layer and
    ``total_with_deposits`` adds it beside the duty total.

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
    src, c, more = _resolve(code, d, map_parent)
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
    if col2 is None:
        notes += offered_programs(line, o, d, elig)
    add, n1 = section301_duties(code, o, d, m["section301_china"], s301_coverage(),
                                s301_exclusions(), s301_below())
    a232, n2 = section232_duties(code, o, d, m["section232"], s232_products(), over_quota=over_quota)
    from tradepolicy.tariffs.country_actions import country_action_duties

    usmca = o in ("CAN", "MEX") and (any(x in elig for g in line.special for x in g.programs
                                          if x in USMCA_SYMBOLS) or line.general.ave() == 0.0)
    a_ca, n3 = country_action_duties(code, o, d, country_actions_cfg(), country_action_lists(),
                                     mfn_ave=line.general.ave(unit_value) if col2 is None else None,
                                     has_232=any(a.rate > 0 for a in a232), usmca_qualifying=usmca)
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


def stack_dict(
    hts: str, origin: str, date: dt.date | str, *, unit_value: float | None = None,
    value_usd: float | None = None, quantity: float | None = None, map_parent: bool = False,
    over_quota: bool = False, orders: Sequence[OrderDeposit] | None = None, exporter: str | None = None,
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
    s = stack(hts, origin, date, unit_value=uv, map_parent=map_parent, over_quota=over_quota,
              orders=orders, exporter=exporter)
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


@lru_cache(maxsize=2)
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


@lru_cache(maxsize=2)
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


@lru_cache(maxsize=3)
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


@lru_cache(maxsize=3)
def specific_ave_fallback(source_id: str) -> dict[str, float]:
    """Return line -> an AVE for lines whose base rate is specific and has no 2017 AVE of its own.

    For aggregate work only (``tariff effective``): the mean USITC 2017 AVE of the 2017 lines
    that printed the same rate text under the same HS4, else the same text anywhere; else a
    reference unit value of the rate's unit (``utilisation.yaml`` ``reference_unit_values``,
    e.g. US$ per barrel). New HS 2022 lines (e.g. 2710.19.06) usually keep the specific rate
    of the line they came from.
    """
    ref = {k: float(v["usd"]) for k, v in (measures()["utilisation"].get("reference_unit_values") or {}).items()}
    codes, col1, _c2, _s, _p = _parsed_source_cached(source_id)
    db = db2017()
    text = db["mfn_text_rate"].fillna("").astype(str).str.strip()
    ave = pd.to_numeric(db["mfn_ave"], errors="coerce")
    by4 = ave.groupby([db["hts8"].str[:4], text]).mean().dropna().to_dict()
    by_text = ave.groupby(text).mean().dropna().to_dict()
    table = source(source_id).table.set_index("hts")["general"].fillna("").astype(str).str.strip()
    out: dict[str, float] = {}
    for c, v in zip(codes, col1, strict=True):
        if not np.isnan(v):
            continue
        t = str(table.get(c, ""))
        hit = by4.get((c[:4], t), by_text.get(t))
        if hit is None:
            d = _parse_cached(t)
            units = {p.unit for p in d.specific}
            if len(units) == 1 and (u := next(iter(units))) in ref:
                hit = d.ave(ref[u], u)
        if hit is not None:
            out[c] = float(hit)
    return out


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


@lru_cache(maxsize=1)
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


@lru_cache(maxsize=3)
def _s301_groups(source_id: str) -> tuple[np.ndarray, list[str]]:
    """Return (group index of every batch line, a representative code per group) for Section 301.

    Lines with the same covering heading, the same four-year-review product, no exclusion of
    their own and the same HTS8 fallback get the same Section 301 duty on every date.
    """
    from tradepolicy.tariffs.dated_measures import prefix_match

    codes = _parsed_source_cached(source_id)[0]
    cov, exc, below = s301_coverage(), s301_exclusions(), s301_below()
    review = (measures()["section301_china"].get("four_year_review") or {}).get("products", {})
    keys: dict[tuple[Any, ...], int] = {}
    reps: list[str] = []
    idx = np.zeros(len(codes), dtype=np.int64)
    for i, c in enumerate(codes):
        hit = prefix_match(c, cov)
        rev = tuple(sorted(k for k, p in review.items()
                           if any(c.startswith(str(x).replace(".", "")) for x in p["hts"])))
        key = (hit[1] if hit else None, rev, c if c in exc else None,
               below.get(c) if len(c) == 8 and hit is None else None)
        if key not in keys:
            keys[key] = len(reps)
            reps.append(c)
        idx[i] = keys[key]
    return idx, reps


@lru_cache(maxsize=64)
def _s301_vector(source_id: str, date: dt.date, origin: str) -> np.ndarray:
    """Return the Section 301 duty of every batch line from ``origin`` on ``date``."""
    idx, reps = _s301_groups(source_id)
    cfg = measures()["section301_china"]
    cov, exc, below = s301_coverage(), s301_exclusions(), s301_below()
    per = np.array([sum(x.rate for x in section301_duties(c, origin, date, cfg, cov, exc, below)[0])
                    for c in reps])
    out = per[idx]
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class BatchMatrices:
    """Stacks of every product line (rows, ``codes``) x origin (columns, ``origins``) on a date.

    ``result`` holds the matrices (see :class:`tradepolicy.tariffs.batch.BatchResult`);
    ``symbols`` names the columns of ``result.pref_sym``; ``source_id`` the schedule used.
    """

    date: dt.date
    source_id: str
    codes: list[str]
    origins: list[str]
    symbols: list[str]
    result: Any


def batch_frame(date: dt.date | str, origin_list: Sequence[str] | None = None) -> pd.DataFrame:
    """Return the stacks of every line x origin on ``date`` as a long frame.

    Columns: ``hts`` (digits), ``origin`` (ISO3), ``base`` / ``applied`` / ``add301`` /
    ``add232`` / ``total`` (decimal AVE; NaN where not statable), ``adcvd`` (bool).
    """
    bm = batch_matrices(date, origin_list)
    res, codes, orig = bm.result, bm.codes, bm.origins
    n, k = len(codes), len(orig)
    return pd.DataFrame({
        "hts": pd.Categorical.from_codes(np.repeat(np.arange(n), k), categories=pd.Index(codes)),
        "origin": pd.Categorical.from_codes(np.tile(np.arange(k), n), categories=pd.Index(orig)),
        "base": res.base.ravel(), "applied": res.applied.ravel(), "add301": res.add301.ravel(),
        "add232": res.add232.ravel(), "total": res.total.ravel(), "adcvd": res.adcvd.ravel(),
    })


def _eligibility(d: dt.date, orig: Sequence[str], symbols: Sequence[str],
                 lapsed_claimed: Sequence[str] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Return (column-2 flag per origin, origins x symbols eligibility) on ``d``."""
    m = measures()
    col2_origin = np.array([column2_applies(o, d, m["column2"]) is not None for o in orig], dtype=bool)
    eligible = np.zeros((len(orig), len(symbols)), dtype=bool)
    sym_idx = {s: i for i, s in enumerate(symbols)}
    progs = m["preferences"]["programs"]
    if lapsed_claimed:
        progs = {k: ({**v, "to": None} if k in lapsed_claimed else v) for k, v in progs.items()}
    for j, o in enumerate(orig):
        for s in eligible_programs(o, d, progs, agreements(), m["stacking"]["successor_symbols"]["value"]):
            if s in sym_idx:
                eligible[j, sym_idx[s]] = True
    return col2_origin, eligible


@lru_cache(maxsize=3)
def _s232_groups(source_id: str) -> tuple[np.ndarray, list[str]]:
    """Return (group index of every batch line or -1, a representative code per group) for s.232."""
    codes = _parsed_source_cached(source_id)[0]
    prods = s232_products()
    keys: dict[tuple[Any, ...], int] = {}
    reps: list[str] = []
    idx = np.full(len(codes), -1, dtype=np.int64)
    for i, c in enumerate(codes):
        key = tuple(sorted({r["program"] + repr(sorted(r["country_overrides"].items()))
                            + str(r["default_rate"]) + str(r["usmca_exempt"]) + str(r.get("from"))
                            + str(len(r["hts_code"]))
                            for nn in (10, 8, 6, 4) for r in prods.get(c[:nn], ())}))
        if key:
            if key not in keys:
                keys[key] = len(reps)
                reps.append(c)
            idx[i] = keys[key]
    return idx, reps


@dataclass(frozen=True)
class BatchCells:
    """Batch stacks of given (line, origin) cells: arrays of one value per cell.

    ``base``, ``applied``, ``add301``, ``add232``, ``total`` (decimal AVE), ``pref_sym`` (index
    into ``symbols`` of the claimed preference, -1 none), ``adcvd`` (flag), ``other`` and
    ``conditional`` (2025-2026 actions by authority, as in :class:`BatchResult`).
    """

    date: dt.date
    source_id: str
    codes: list[str]
    symbols: list[str]
    base: np.ndarray
    applied: np.ndarray
    pref_sym: np.ndarray
    add301: np.ndarray
    add232: np.ndarray
    adcvd: np.ndarray
    total: np.ndarray
    other: dict[str, np.ndarray]
    conditional: dict[str, np.ndarray]
    column2: np.ndarray


@lru_cache(maxsize=1)
def _s232_special_origins() -> frozenset[str]:
    """Return the origins the Section 232 YAML or list gives a rate of their own."""
    cfg = measures()["section232"]
    out: set[str] = set(cfg.get("usmca_origins") or ())
    eu = set(cfg.get("eu_members") or ())
    for p in cfg["programs"].values():
        for k in (p.get("country_rates") or {}):
            out.update(eu if k == "EU" else {k})
    for rows in s232_products().values():
        for r in rows:
            out.update(r["country_overrides"])
    return frozenset(out)


@lru_cache(maxsize=64)
def _action_line_mask(source_id: str, scope: tuple[str, ...], exempt: tuple[str, ...]) -> np.ndarray:
    """Return, per batch line, True when a country action reaches it (in ``scope``, not ``exempt``)."""
    from tradepolicy.tariffs.country_actions import in_lists

    lists = country_action_lists()
    codes = _parsed_source_cached(source_id)[0]
    out = np.array([(not scope or in_lists(c, scope, lists) is not None)
                    and (not exempt or in_lists(c, exempt, lists) is None) for c in codes], dtype=bool)
    out.setflags(write=False)
    return out


@lru_cache(maxsize=3)
def _prefix_lines(source_id: str) -> dict[str, np.ndarray]:
    """Return 6-, 8- and 10-digit prefix -> indices of the batch lines under it."""
    codes = _parsed_source_cached(source_id)[0]
    out: dict[str, list[int]] = {}
    for i, c in enumerate(codes):
        for nn in (6, 8, 10):
            if len(c) >= nn:
                out.setdefault(c[:nn], []).append(i)
    return {k: np.asarray(v, dtype=np.int64) for k, v in out.items()}


def batch_lines(date: dt.date | str) -> tuple[str, list[str]]:
    """Return (source id, product line codes) of the batch on ``date``."""
    d, _ = check_date(date)
    sid = pick_source(d)
    return sid, list(_parsed_source_cached(sid)[0])


def batch_cells(date: dt.date | str, orig: Sequence[str], li: np.ndarray, oj: np.ndarray, *,
                lapsed_claimed: Sequence[str] = ()) -> BatchCells:
    """Return the batch stacks of the cells (line ``li[c]``, origin ``orig[oj[c]]``) on ``date``.

    The same rules as :func:`batch_matrices`, evaluated only on the cells asked for (an
    imports file has far fewer HTS10 x partner rows than lines x origins). ``li`` indexes
    the lines of :func:`batch_lines` on the date.
    """
    from tradepolicy.tariffs.country_actions import exempt_232, exempt_usmca

    d, _ = check_date(date)
    sid = pick_source(d)
    codes, col1, col2, symbols, pref = _parsed_source_cached(sid)
    m = measures()
    li = np.asarray(li, dtype=np.int64)
    oj = np.asarray(oj, dtype=np.int64)
    ncell = len(li)
    col2_origin, eligible = _eligibility(d, orig, symbols, lapsed_claimed)
    base = np.where(col2_origin[oj], col2[li], col1[li])
    best = np.full(ncell, np.nan)
    which = np.full(ncell, -1, dtype=np.int32)
    # one pass per eligibility pattern, over that pattern's symbols only
    patterns, inverse = np.unique(eligible, axis=0, return_inverse=True)
    cell_pat = np.asarray(inverse).reshape(-1)[oj]
    excl = gsp_exclusions() if (sid == "db2017" and m["stacking"]["rules"].get(
        "gsp_country_exclusions", {}).get("value")) else {}
    sym_idx = {x: i for i, x in enumerate(symbols)}
    for k, pat in enumerate(patterns):
        cols = np.flatnonzero(pat)
        if cols.size == 0:
            continue
        rows = np.flatnonzero(cell_pat == k)
        if rows.size == 0:
            continue
        P = pref[li[rows]][:, cols]
        if excl:
            for r in range(rows.size):
                for sym, iso in excl.get(codes[li[rows[r]]][:8], ()):
                    if iso == orig[oj[rows[r]]] and sym in sym_idx and sym_idx[sym] in cols:
                        P[r, int(np.flatnonzero(cols == sym_idx[sym])[0])] = np.nan
        has = ~np.isnan(P).all(axis=1)
        if has.any():
            arg = np.nanargmin(P[has], axis=1)
            best[rows[has]] = P[has][np.arange(arg.size), arg]
            which[rows[has]] = cols[arg]
    best[col2_origin[oj]] = np.nan
    claimed = ~np.isnan(best) & ~(best >= base)
    applied = np.where(claimed, np.fmin(best, base), base)
    which = np.where(claimed, which, -1).astype(np.int32)
    add301 = np.zeros(ncell)
    for j, o in enumerate(orig):
        if o in m["section301_china"]["origins"]:
            sel = oj == j
            if sel.any():
                add301[sel] = _s301_vector(sid, d, o)[li[sel]]
    add232 = np.zeros(ncell)
    gidx, reps = _s232_groups(sid)
    g = gidx[li]
    prods = s232_products()
    has_g = np.flatnonzero(g >= 0)
    if has_g.size:
        # origins the Section 232 YAML or list treats specially; every other origin gets the
        # same rate as the first plain one (computed once per group)
        special = _s232_special_origins()
        plain = [j for j, o in enumerate(orig) if o not in special]
        col = np.array([j if o in special else (plain[0] if plain else j) for j, o in enumerate(orig)])
        ojs = col[oj[has_g]]
        pair = g[has_g] * (len(orig) + 1) + ojs
        uniq, inv = np.unique(pair, return_inverse=True)
        vals = np.array([sum(x.rate for x in section232_duties(
            reps[int(u // (len(orig) + 1))], orig[int(u % (len(orig) + 1))], d, m["section232"], prods)[0])
            for u in uniq])
        add232[has_g] = vals[np.asarray(inv).reshape(-1)]
    adcvd = np.zeros(ncell, dtype=bool)
    idx = adcvd_index()
    by_prefix = _prefix_lines(sid)
    for j, o in enumerate(orig):
        table = idx.get(o)
        if not table:
            continue
        flagged = np.zeros(len(codes), dtype=bool)
        for hs, flags in table.items():
            if hs in by_prefix and any(f.order_date is None or f.order_date <= d for f in flags):
                flagged[by_prefix[hs]] = True
        sel = oj == j
        adcvd[sel] = flagged[li[sel]]
    # 2025-2026 country actions (same rules as tariffs.country_actions.action_matrices)
    from tradepolicy.tariffs.country_actions import action_rate

    cfg = country_actions_cfg()
    eu = frozenset(cfg.get("eu_members") or ())
    us_syms = [i for i, x in enumerate(symbols) if x in USMCA_SYMBOLS]
    offers = ((~np.isnan(pref[:, us_syms])).any(axis=1) if us_syms else np.zeros(len(codes), dtype=bool)) | (col1 == 0)
    usmca_origin = np.array([o in ("CAN", "MEX") for o in orig], dtype=bool) & (
        eligible[:, us_syms].any(axis=1) if us_syms else np.zeros(len(orig), dtype=bool))
    usmca_cell = offers[li] & usmca_origin[oj]
    other: dict[str, np.ndarray] = {}
    cond: dict[str, np.ndarray] = {}
    mfn = np.nan_to_num(col1[li])
    for a in cfg["actions"].values():
        rates = [action_rate(a, o, d, eu) for o in orig]
        if all(r is None for r in rates):
            continue
        flat = np.array([np.nan if r is None or r.rate is None else r.rate for r in rates])[oj]
        floor = np.array([np.nan if r is None or r.floor is None else r.floor for r in rates])[oj]
        layer = np.where(~np.isnan(floor), np.maximum(0.0, np.nan_to_num(floor) - mfn), np.nan_to_num(flat))
        prods_l = (a.get("products") or {}).get("lists")
        ex = (a.get("exempt") or {}).get("lists")
        if prods_l or ex:
            layer = layer * _action_line_mask(sid, tuple(prods_l or ()), tuple(ex or ()))[li]
        e232 = np.array([exempt_232(a, o, d) for o in orig], dtype=bool)[oj]
        layer = np.where(e232 & (add232 > 0), 0.0, layer)
        eus = np.array([exempt_usmca(a, o, d) for o in orig], dtype=bool)[oj]
        auth = str(a["authority"])
        cells = usmca_cell & eus
        if cells.any():
            cond[auth] = cond.get(auth, 0.0) + np.where(cells, layer, 0.0)
            layer = np.where(cells, 0.0, layer)
        other[auth] = other.get(auth, 0.0) + layer
    total = applied + add301 + add232 + (sum(other.values()) if other else 0.0)
    return BatchCells(d, sid, list(codes), list(symbols), base, applied, which, add301, add232, adcvd,
                      np.asarray(total, dtype=float), other, cond, col2_origin[oj])


def batch_matrices(date: dt.date | str, origin_list: Sequence[str] | None = None, *,
                   lapsed_claimed: Sequence[str] = ()) -> BatchMatrices:
    """Return the batch stacks of every line x origin on ``date`` as matrices.

    ``lapsed_claimed``: preference programmes (ids of preferences.yaml) whose lapse is
    ignored, i.e. claims recorded at the special rate as Census calculated duty does
    (``utilisation.yaml`` ``lapsed_claims``); for aggregate comparisons only.
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
        progs = m["preferences"]["programs"]
        if lapsed_claimed:
            progs = {k: ({**v, "to": None} if k in lapsed_claimed else v) for k, v in progs.items()}
        for s in eligible_programs(o, d, progs, agreements(),
                                   m["stacking"]["successor_symbols"]["value"]):
            if s in sym_idx:
                eligible[j, sym_idx[s]] = True
    add301 = np.zeros((n, k))
    cfg301 = m["section301_china"]
    for o_j, o in enumerate(orig):
        if o not in cfg301["origins"]:
            continue
        add301[:, o_j] = _s301_vector(sid, d, o)
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
    from dataclasses import replace as _replace

    from tradepolicy.tariffs.country_actions import action_matrices

    us_syms = [sym_idx[x] for x in USMCA_SYMBOLS if x in sym_idx]
    # USMCA-qualifying goods: lines that print a USMCA rate, and MFN-free lines (a good of
    # Canada/Mexico on a free line qualifies under the same rules of origin; the stack assumes so)
    offers = ((~np.isnan(pref[:, us_syms])).any(axis=1) if us_syms else np.zeros(n, dtype=bool)) | (col1 == 0)
    usmca_origin = np.array([o in ("CAN", "MEX") for o in orig]) & (eligible[:, us_syms].any(axis=1)
                                                                     if us_syms else False)
    layers, cond = action_matrices(list(codes), orig, d, country_actions_cfg(), country_action_lists(),
                                   mfn=col1, has_232=add232 > 0,
                                   usmca_cells=offers[:, None] & usmca_origin[None, :])
    if layers:
        extra = sum(layers.values())
        res = _replace(res, total=res.total + extra, other=layers, conditional=cond)
    return BatchMatrices(d, sid, list(codes), orig, list(symbols), res)


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


@lru_cache(maxsize=2)
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


@lru_cache(maxsize=2)
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
