"""Schedules: HTS editions and the 2017 database as derived Parquet, sources by date, line rates."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradepolicy.config import get_settings
from tradepolicy.datasets import dataset_path, get_dataset
from tradepolicy.errors import InputError, NotFoundError, RegistryError
from tradepolicy.services.tariffs.cache import cached
from tradepolicy.services.tariffs.common import _LOCK, SOURCE_FILES, _records, measures
from tradepolicy.tariffs import hierarchy
from tradepolicy.tariffs.dated_measures import (
    as_date,
)
from tradepolicy.tariffs.duty_stack import LineRates
from tradepolicy.tariffs.hts_code import dotted
from tradepolicy.tariffs.quota_routes import RouteHeading, subheadings
from tradepolicy.tariffs.quota_routes import resolve as resolve_route
from tradepolicy.tariffs.rate_text import SpecialGroup, chapter99_refs, parse_rate, parse_special
from tradepolicy.tariffs.reference_prices import ReferencePrice, match, polarity_rate, resolve


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


@cached(maxsize=4)
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


@cached(maxsize=1)
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


@cached(maxsize=1)
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


@cached(maxsize=3)
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


def sources_in_order() -> list[Mapping[str, Any]]:
    """Return the source definitions (cited YAML records, read-only) sorted by start date."""
    return sorted(measures()["sources"]["sources"], key=lambda s: as_date(s["from"]))


def pick_source(date: dt.date) -> str:
    """Return the id of the nearest earlier source on ``date``, else the earliest."""
    srcs = sources_in_order()
    earlier = [s for s in srcs if as_date(s["from"]) <= date]
    return str((earlier[-1] if earlier else srcs[0])["id"])


@cached(maxsize=1)
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


@cached(maxsize=1)
def _measure_codes() -> frozenset[str]:
    """Return the 10-digit codes the country-action product lists name (accepted on 2017-database dates)."""
    from tradepolicy.services.tariffs.measures import country_action_lists

    return frozenset(c for codes in country_action_lists().values() for c in codes if len(c) == 10)


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
    in_editions = len(code) == 10 and any(code in source(e).codes for e in ("hts2024", "hts2025"))
    # a statistical line no loaded edition has is accepted on a 2017-database date when a measure
    # of the period names it (e.g. 8541.40.60.15, CSPV modules before HS 2022, Proclamation 9693)
    named = len(code) == 10 and not in_editions and sid == "db2017" and code in _measure_codes()
    if len(code) == 10 and not in_editions and not named:
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
        notes.append(f"The 2017 database is at HTS8: {dotted(code)} uses {dotted(code[:8])}."
                     + (" The code is a statistical line named by a measure of the period." if named else ""))
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


@cached(maxsize=1)
def _gsp_exclusions_2017() -> dict[str, tuple[str, ...]]:
    """Return HTS8 -> ISO3 codes excluded by the 2017 database's ``gsp_ctry_excluded``."""
    import pycountry

    pairs: dict[str, list[str]] = {}
    db = db2017()
    for hts8, raw in zip(db["hts8"], db["gsp_ctry_excluded"].fillna("").astype(str), strict=True):
        text = raw.replace(",", "").replace(" ", "").upper()
        if not text:
            continue
        for k in range(0, len(text) - 1, 2):
            c = pycountry.countries.get(alpha_2=text[k:k + 2])
            if c is None:
                raise RegistryError(f"Unknown country code {text[k:k + 2]!r} in gsp_ctry_excluded.",
                                    where=f"us-hts/{SOURCE_FILES['db2017']}, hts8 {hts8}",
                                    field="gsp_ctry_excluded", expected="ISO 3166 alpha-2 codes")
            pairs.setdefault(str(hts8), []).append(c.alpha_3)
    return {h: tuple(v) for h, v in pairs.items()}


def gsp_exclusions(on: dt.date | None = None, source_id: str | None = None) -> dict[str, tuple[tuple[str, str], ...]]:
    """Return HTS8 -> (symbol, ISO3) pairs barred by GSP country exclusions (General Note 4(d)).

    The 2017 database's ``gsp_ctry_excluded`` prints ISO 3166 alpha-2 codes run together
    ("BRID" = Brazil, Indonesia); the symbols and the dated additions (``additional``: hts8,
    origin, from[, to]) come from ``stacking.yaml`` rule ``gsp_country_exclusions``. ``on``:
    keep only the additions in force on that date (None: all of them). ``source_id``: on a
    schedule printed before an addition (the 2017 database), the line still prints ``A``
    for the pair, so the addition also bars the symbols of ``symbols_before_addition``.
    """
    rule = measures()["stacking"]["rules"].get("gsp_country_exclusions") or {}

    def live(a: Mapping[str, Any]) -> bool:
        return on is None or ((a.get("from") is None or as_date(a["from"]) <= on)
                              and (a.get("to") is None or on <= as_date(a["to"])))

    adds = tuple((str(a["hts8"]), str(a["origin"])) for a in rule.get("additional") or () if live(a))
    # a suspension stated for a product group ("all seafood"): every HTS8 line under the prefixes
    for a in rule.get("additional_prefixes") or ():
        if live(a):
            adds += tuple((h, str(a["origin"])) for h in _hts8_under(tuple(str(x) for x in a["prefixes"])))
    return _gsp_exclusions_with(adds, source_id == "db2017")


@cached(maxsize=16)
def _hts8_under(prefixes: tuple[str, ...]) -> tuple[str, ...]:
    """Return the HTS8 codes of every loaded schedule that start with one of ``prefixes``."""
    out: set[str] = set()
    for sid in ("db2017", "hts2024", "hts2025"):
        out.update(c[:8] for c in source(sid).codes if len(c) >= 8 and c.startswith(prefixes))
    return tuple(sorted(out))


@cached(maxsize=16)
def _gsp_exclusions_with(adds: tuple[tuple[str, str], ...],
                         printed_before: bool = False) -> dict[str, tuple[tuple[str, str], ...]]:
    rule = measures()["stacking"]["rules"].get("gsp_country_exclusions") or {}
    symbols = [str(x) for x in rule.get("symbols", [])]
    more = [str(x) for x in rule.get("symbols_before_addition", [])] if printed_before else []
    pairs: dict[str, list[tuple[str, str]]] = {
        h: [(sym, iso) for iso in isos for sym in symbols] for h, isos in _gsp_exclusions_2017().items()}
    for h, iso in adds:
        pairs.setdefault(h, []).extend((sym, iso) for sym in dict.fromkeys(symbols + more))
    return {h: tuple(dict.fromkeys(v)) for h, v in pairs.items()}


@cached(maxsize=65536)
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
        col2=parse_rate(str(r["col2"] or "")), special=special_groups(source_id, code, str(r["special"] or "")),
        units=str(r["units"] or ""), ave_2017=None if ave is None or pd.isna(ave) else float(ave),
        blocked=gsp_exclusions().get(code[:8], ()),
    )


@cached(maxsize=3)
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
        d = _line_aves(source_id, codes[i], spec[i])
        for sym in d:
            symbols.setdefault(sym, len(symbols))
        prefs.append(d)
    pref = np.full((len(codes), len(symbols)), np.nan)
    for i, d in enumerate(prefs):
        for sym, v in d.items():
            pref[i, symbols[sym]] = v
    return codes, col1, col2, list(symbols), pref


def specific_ave_fallback(source_id: str, year: int | None = None) -> dict[str, float]:
    """Return line -> an AVE for lines whose base rate is specific and has no 2017 AVE of its own.

    For aggregate work only (``tariff effective``); ``year``: the year whose reference prices
    convert specific rates (None: the latest year with prices). See
    :func:`specific_ave_methods` for the rule each line took.
    """
    return {c: v for c, (v, _m, _r) in _specific_ave_table(source_id, _price_year(year)).items()}


def specific_ave_methods(source_id: str, year: int | None = None) -> dict[str, str]:
    """Return line -> the rule that gave its aggregate AVE.

    One of ``2017_ave``, ``value_bracket``, ``reference_unit_value`` (a product's reference
    price, or a unit-only value such as US$ per barrel), ``ad_valorem_part``.
    """
    return {c: m for c, (_v, m, _r) in _specific_ave_table(source_id, _price_year(year)).items()}


def specific_ave_references(source_id: str, year: int | None = None) -> dict[str, ReferencePrice]:
    """Return line -> the reference price (product, price, year, series) that converted it."""
    return {c: r for c, (_v, _m, r) in _specific_ave_table(source_id, _price_year(year)).items() if r is not None}


def reference_prices(year: int) -> list[ReferencePrice]:
    """Return the product reference prices resolved for ``year`` (then the unit-only values).

    From ``utilisation.yaml`` ``reference_unit_values``: each product's price of the year,
    else of the nearest earlier year (said in ``fallback``). Unit-only values (``units``)
    follow with an empty prefix, so they match any line after the products.
    """
    cfg = measures()["utilisation"].get("reference_unit_values") or {}
    out = resolve(cfg.get("products") or [], year)
    for unit, v in (cfg.get("units") or {}).items():
        out.append(ReferencePrice(product=f"any product per {unit}", prefix="", unit=str(unit), usd=float(v["usd"]),
                                  year=year, requested_year=year, fallback=None, series="unit-only reference value",
                                  source=str(v["citation"]), confirmed=bool(v.get("confirmed", False))))
    return out


def _price_year(year: int | None) -> int:
    """Return ``year``, or the latest year any product reference price has."""
    if year is not None:
        return int(year)
    cfg = measures()["utilisation"].get("reference_unit_values") or {}
    years = [int(p["year"]) for row in cfg.get("products") or [] for p in row["prices"]]
    return max(years) if years else dt.date.today().year


# "Valued over $6.50 but not over $12/pair", "Valued $2.20/kg or more but less than $3.30/kg",
# "valued not over $3 each", "Valued under 50¢/kg": (low or None, high, unit word)
_AMOUNT = r"(\$[\d.,]+|[\d.,]+\s*¢)"
_UNIT_WORD = r"\s*(?:/|per\s+|\s)\s*(pair|pr\.|dozen|doz\.|kg|each|liter|gross)"
_BRACKET = re.compile(
    rf"[Vv]alued\s+(?:over\s+{_AMOUNT}(?:{_UNIT_WORD})?\s+but\s+not\s+over\s+{_AMOUNT}{_UNIT_WORD}"
    rf"|{_AMOUNT}(?:{_UNIT_WORD})?\s+or\s+more\s+but\s+less\s+than\s+{_AMOUNT}{_UNIT_WORD}"
    rf"|(?:not\s+over|under|less\s+than)\s+{_AMOUNT}{_UNIT_WORD})")
_BRACKET_UNIT = {"pair": "pr.", "pr.": "pr.", "dozen": "doz.", "doz.": "doz.", "kg": "kg", "each": "each",
                 "liter": "liter", "gross": "gross"}


def _usd(text: str) -> float:
    t = text.replace(",", "").strip()
    return float(t[1:]) if t.startswith("$") else float(t.rstrip("¢").strip()) / 100.0


def value_bracket(path: str) -> tuple[float, str] | None:
    """Return (unit value US$, parser unit) of the deepest closed value bracket in a line's path.

    A bracket "valued over $X but not over $Y/unit" (or "$X/unit or more but less than $Y/unit")
    gives its midpoint (X + Y) / 2; "not over / under / less than $Y/unit" gives Y / 2 (the
    bracket [0, Y]). An open bracket ("valued over $X/pair") gives nothing.
    """
    hits = list(_BRACKET.finditer(path or ""))
    if not hits:
        return None
    g = hits[-1].groups()
    if g[0] is not None:
        low, high, unit = _usd(g[0]), _usd(g[2]), g[3]
    elif g[4] is not None:
        low, high, unit = _usd(g[4]), _usd(g[6]), g[7]
    else:
        low, high, unit = 0.0, _usd(g[8]), g[9]
    if high <= low:
        return None
    return (low + high) / 2.0, _BRACKET_UNIT[unit]


@cached(maxsize=32)  # editions x years
def _specific_ave_table(source_id: str, year: int) -> dict[str, tuple[float, str, ReferencePrice | None]]:
    """Line -> (AVE, method, reference price) for base rates that are specific or compound (aggregate work).

    In order: the mean USITC 2017 AVE of the 2017 lines that printed the same rate text under
    the same HS4, else the same text anywhere (the mirror's 2017 file has the column empty);
    the midpoint of the value bracket the line's own description states in the rate's unit
    (footwear "valued over $6.50 but not over $12/pair": 90¢/pr. at $9.25); a reference price
    of the product in the rate's unit for ``year`` (``utilisation.yaml``
    ``reference_unit_values.products``, longest HS prefix; a polarity sliding-scale sugar rate
    is taken at 96 degrees), else a unit-only reference value (``units``, e.g. US$ per barrel);
    else, for a compound rate, its ad valorem part alone (a lower bound of the duty). Pure
    specific rates with none of these stay not statable.
    """
    refs = reference_prices(year)
    codes, col1, _c2, _s, _p = _parsed_source_cached(source_id)
    db = db2017()
    text = db["mfn_text_rate"].fillna("").astype(str).str.strip()
    ave = pd.to_numeric(db["mfn_ave"], errors="coerce")
    by4 = ave.groupby([db["hts8"].str[:4], text]).mean().dropna().to_dict()
    by_text = ave.groupby(text).mean().dropna().to_dict()
    tab = source(source_id).table.set_index("hts")
    table = tab["general"].fillna("").astype(str).str.strip()
    paths = tab["path"].fillna("").astype(str)
    out: dict[str, tuple[float, str, ReferencePrice | None]] = {}
    for c, v in zip(codes, col1, strict=True):
        if not np.isnan(v):
            continue
        t = str(table.get(c, ""))
        hit = by4.get((c[:4], t), by_text.get(t))
        method = "2017_ave"
        ref: ReferencePrice | None = None
        d = _parse_cached(t)
        units = {p.unit for p in d.specific}
        if hit is None and d.specific and not d.components:
            br = value_bracket(str(paths.get(c, "")))
            if br is not None and units == {br[1]}:
                hit, method = d.ave(br[0], br[1]), "value_bracket"
        if hit is None and len(units) == 1 and (ref := match(c, next(iter(units)), refs)) is not None:
            hit, method = d.ave(ref.usd, ref.unit), "reference_unit_value"
        if (hit is None and d.kind == "unparsed" and (part := polarity_rate(t)) is not None
                and (ref := match(c, part.unit, refs)) is not None):
            hit, method = part.usd / ref.usd, "reference_unit_value"
        if hit is None and d.kind == "compound" and d.ad_valorem > 0 and not d.components:
            hit, method, ref = d.ad_valorem, "ad_valorem_part", None
        if hit is not None:
            out[c] = (float(hit), method, ref if method == "reference_unit_value" else None)
    return out


@cached(maxsize=8192)
def _parse_cached(text: str) -> Any:
    return parse_rate(text)


@cached(maxsize=3)
def route_headings(source_id: str) -> tuple[RouteHeading, ...]:
    """Return the chapter 98/99 headings of a source, sorted, for "See 98xx" references.

    On an HTS edition a heading naming no subheading takes the nearest superior text that
    names some (the 9823.09 headings sit under "Goods provided for in subheading 1701.12.50,
    ..."); the 2017 database has no superior rows.
    """
    src = source(source_id)
    t = src.table
    rows = t[t["hts"].str[:2].isin(("98", "99")) & (t["special"].fillna("") != "")]
    by_row: dict[int, tuple[str, Any]] = {}
    if source_id != "db2017":
        tree = edition_tree(int(source_id[3:]))
        # superior text rows carry no heading of their own: index every row from chapter 98 on
        first = int(tree.loc[tree["hts"].str[:2].isin(("98", "99")), "row"].min())
        sub = tree[tree["row"] >= first]
        by_row = {int(r): (str(d or ""), p) for r, d, p in
                  zip(sub["row"], sub["description"], sub["parent_row"], strict=True)}
    out: list[RouteHeading] = []
    for r in _records(rows):
        sup = ""
        if source_id != "db2017":
            parent = r.get("parent_row")
            while parent is not None and not pd.isna(parent) and int(parent) in by_row:
                text, parent = by_row[int(parent)]
                if subheadings(text):
                    sup = text
                    break
        out.append(RouteHeading(dotted(str(r["hts"])[:8]), str(r["description"] or ""),
                                str(r["special"] or ""), sup))
    return tuple(sorted(out, key=lambda h: h.heading))


def special_groups(source_id: str, code: str, text: str) -> tuple[SpecialGroup, ...]:
    """Return the special column's groups, "See 98xx/99xx" references resolved for the line.

    Each heading of the reference that covers the line gives a group of the same programmes
    with ``via`` (the heading), ``condition`` and ``in_quota``; a reference that resolves to
    nothing stays a ``reference`` group (stacking.yaml rule ``quota_routes``).
    """
    if "see " not in text.lower():
        return tuple(parse_special(text))
    return _special_groups(source_id, code[:8], text)


@cached(maxsize=4096)
def _special_groups(source_id: str, code8: str, text: str) -> tuple[SpecialGroup, ...]:
    groups = parse_special(text)
    if not measures()["stacking"]["rules"].get("quota_routes", {}).get("value", False):
        return tuple(groups)
    heads = route_headings(source_id)
    out: list[SpecialGroup] = []
    for g in groups:
        routes = resolve_route(g.duty.text, g.programs, dotted(code8), heads) if g.duty.kind == "reference" else []
        if not routes:
            out.append(g)
            continue
        out.extend(SpecialGroup(x.duty, g.programs, via=x.heading, condition=x.condition,
                                in_quota=x.in_quota) for x in routes)
    return tuple(out)


def _line_aves(source_id: str, code: str, text: str) -> dict[str, float]:
    """Return programme symbol -> lowest AVE of a line's special column (references resolved)."""
    if "see " not in text.lower():
        return _special_aves(text)  # shared by every line printing the same text
    return _group_aves(_special_groups(source_id, code[:8], text))


@cached(maxsize=8192)
def _special_aves(text: str) -> dict[str, float]:
    return _group_aves(tuple(parse_special(text)))


def _group_aves(groups: tuple[SpecialGroup, ...]) -> dict[str, float]:
    d: dict[str, float] = {}
    for g in groups:
        v = g.duty.ave()
        if v is None:
            continue
        for sym in g.programs:
            d[sym] = min(v, d.get(sym, np.inf))
    return d
