"""Tariff indicators, parse report, programmes and the Chapter 99 measures in force."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from tradepolicy.services.tariffs.cache import cached
from tradepolicy.services.tariffs.common import _records, measures
from tradepolicy.services.tariffs.schedules import (
    _parse_cached,
    _special_aves,
    db2017,
    db2017_programs,
    edition_tree,
)
from tradepolicy.services.tariffs.types import (
    Chapter99Row,
    IndicatorRow,
    ParseColumn,
    ParseForm,
    ParseReport,
    ProgramRow,
    WeightsNote,
)
from tradepolicy.tariffs import hierarchy
from tradepolicy.tariffs.dated_measures import (
    as_date,
    entry_on,
    rate_on,
)
from tradepolicy.tariffs.rate_text import parse_special


@cached(maxsize=2)
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


@cached(maxsize=2)
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


def weighted_lines(lines: pd.DataFrame, weights: str) -> tuple[pd.DataFrame, WeightsNote]:
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
    note = WeightsNote(weights=weights, source="BACI HS17 2020 (baci-zaf-exports), exporter ZAF, importer USA",
                       trade_usd=float(trade["value_usd"].sum()), trade_matched_usd=matched,
                       specific_converted_with_unit_values=converted,
                       caveat="HS17 codes matched to HTS 2025 at HS6; HS 2022 changes leave some trade unmatched")
    return out, note


def indicators_table(*, edition: int = 2025, by: str = "section", weights: str = "none") -> list[IndicatorRow]:
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
    return [IndicatorRow(by=by, group=str(r[by]),
                         values={k: (None if isinstance(v, float) and np.isnan(v) else v)
                                 for k, v in r.items() if k != by})
            for r in _records(table)]


def parse_report(edition: int = 2025) -> ParseReport:
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
    return ParseReport(edition=edition, share_parsed=p / n if n else None,
                       columns={k: ParseColumn(**c) for k, c in columns.items()},
                       forms=[ParseForm(**f) for f in sorted(forms.values(), key=lambda f: -f["count"])])


def programs_2017() -> list[ProgramRow]:
    """Return the 2017 database's preference programmes: code, name, symbols, line counts."""
    from tradepolicy.datasets.readers.tariff_db2017 import read_program_codes

    names = {r["agreement"]: r for r in _records(read_program_codes())}
    pl = db2017_programs()
    out = []
    for prog, sub in pl.groupby("program", sort=True):
        key = {"nafta_canada": "canada", "nafta_mexico": "mexico", "columbia": "colombia"}.get(str(prog), str(prog))
        info = names.get(key, {})
        out.append(ProgramRow(program=str(prog), name=info.get("agreement_full", ""),
                              notes=info.get("agreement_notes", ""),
                              symbols=sorted(set(sub["indicator"])), lines=int(sub["hts8"].nunique()),
                              lines_with_rate=int(sub["ad_val_rate"].notna().sum())))
    return out


def chapter99_in_force(date: dt.date | str | None = None) -> list[Chapter99Row]:
    """Return the Section 301 headings and Section 232 programmes with their rates on a date."""
    d = as_date(date) if date else dt.date.today()
    m = measures()
    out: list[Chapter99Row] = []
    for heading, h in m["section301_china"]["headings"].items():
        found = rate_on(h["rates"], d) if h["rates"] else None
        out.append(Chapter99Row(authority="Section 301", heading=heading, label=h["list"],
                                rate=None if found is None else found[0],
                                status="suspended" if h.get("suspended") else ("in force" if found else "not yet")))
    for prod in m["section301_china"].get("four_year_review", {}).get("products", {}).values():
        entry = entry_on(prod["rates"], d)
        rate = None if entry is None else entry.get("rate")
        out.append(Chapter99Row(authority="Section 301",
                                heading=str((entry or {}).get("heading") or prod["heading"]),
                                label=prod["label"], rate=rate,
                                status="not yet" if entry is None else ("in force" if rate is not None else "ended")))
    for prog, p in m["section232"]["programs"].items():
        found = rate_on(p["rates"], d)
        out.append(Chapter99Row(authority="Section 232", heading=p["heading"], label=prog.replace("_", " "),
                                rate=None if found is None or found[0] == "list" else found[0],
                                status="in force" if found and found[0] is not None else "not yet"))
    return out
