"""Section 301 action design: the action list, its PE impact, the FR annex, retaliation exposure.

The action list is a MILP over HTS10 lines.

Data: ``us-customs-duties`` (Census HS10 imports for consumption x partner, 2024; 25 partners plus the EU
aggregate); Census country codes -> ISO3 from ``section232``; HTS8 descriptions from the 2024 HTS Basic
Edition (``us-hts``), else Census's short text. The optimiser is ``economics/action_list.py``; the PE
impact is ``economics/pe/enforcement.py``.

Supplier share of a line = the partner's imports / the imports of that line from every partner in the
file. The file holds 25 partners and the EU aggregate (Slovakia, an EU member also listed alone, is left
out of the denominator so it is not counted twice), not the world: the share is an upper bound of the
partner's true share of US imports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

from tradepolicy.economics.action_list import (
    Selection,
    SolverFacts,
    check_constraints,
    select_lines,
)
from tradepolicy.economics.pe.enforcement import enforcement_tariff
from tradepolicy.errors import ConflictError, DatasetCorruptError, DatasetMissingError, InputError

DATA_YEAR = 2024
EU_AGGREGATE = "0003"
EU_MEMBERS_LISTED = ("4359",)  # Slovakia: inside the EU aggregate, never added to it
ILLUSTRATIVE_ELASTICITIES = {"demand": 1.2, "substitution": 1.5, "supply": 99.0}
ELASTICITY_SOURCE = ("WITS defaults quoted in economics-methods s.4 (sigma = 1.5, eta = 99; epsilon = 1.2 as in "
                     "its example run): illustrative, UNCONFIRMED; override them")


@dataclass(frozen=True, slots=True)
class ActionLine:
    """One HTS10 line of the list."""

    hts10: str
    description: str
    chapter: str
    partner_value_usd: float
    all_partners_value_usd: float
    supplier_share: float
    consumer_weight: float
    duty_rate_2024: float


@dataclass(frozen=True, slots=True)
class ActionConstraints:
    """The constraints the list was designed under."""

    exclude_chapters: tuple[str, ...]
    max_consumer_share: float | None
    max_supplier_share: float | None
    overshoot: float

    def to_dict(self) -> dict[str, list[str] | float | None]:
        """JSON-safe dict."""
        return {"exclude_chapters": list(self.exclude_chapters), "max_consumer_share": self.max_consumer_share,
                "max_supplier_share": self.max_supplier_share, "overshoot": self.overshoot}


@dataclass(frozen=True, slots=True)
class PeImpact:
    """The PE estimate of the additional duty on the listed lines (enforcement PE engine, imports only)."""

    rate: float
    elasticities: dict[str, float]
    elasticity_source: str
    base_duty_rate: float
    subject_value_usd: float
    non_subject_value_usd: float
    subject_value_change: float
    non_subject_value_change: float
    composite_price_change: float
    consumer_surplus: float
    tariff_revenue_change: float
    domestic_producer_surplus: float
    home_welfare: float
    note: str

    def to_dict(self) -> dict[str, float | str | dict[str, float]]:
        """JSON-safe dict (the ``pe`` object of ``s301 action-list --json``)."""
        out: dict[str, float | str | dict[str, float]] = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["elasticities"] = dict(self.elasticities)
        return out


@dataclass(frozen=True, slots=True)
class AnnexRow:
    """One annex row: HTS8 (dotted), description, 2024 imports from the partner (USD)."""

    hts8: str
    description: str
    value_usd: float

    def to_dict(self) -> dict[str, str | float]:
        """JSON-safe dict."""
        return {"hts8": self.hts8, "description": self.description, "value_usd": self.value_usd}


@dataclass(frozen=True, slots=True)
class ActionList:
    """The designed list and what it covers."""

    partner: str
    partner_name: str
    year: int
    target_usd: float
    coverage_usd: float
    partner_total_usd: float
    candidates: int
    lines: tuple[ActionLine, ...]
    consumer_share: float
    objective_usd: float
    status: str
    mip_gap: float | None
    constraints: ActionConstraints
    pe: PeImpact | None
    notes: tuple[str, ...]
    diagnostics: SolverFacts

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (lines as dicts; the keys of ``s301 action-list --json``)."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "lines"}
        out["lines"] = [{k: getattr(ln, k) for k in ln.__dataclass_fields__} for ln in self.lines]
        out["notes"] = list(self.notes)
        out["constraints"] = self.constraints.to_dict()
        out["pe"] = self.pe.to_dict() if self.pe is not None else {}
        out["diagnostics"] = self.diagnostics.to_dict()
        return out


@lru_cache(maxsize=1)
def consumer_chapters() -> tuple[dict[str, float], str]:
    """Return (chapter -> consumer-goods weight, citation) from the bundled approximation."""
    raw = yaml.safe_load(resources.files("tradepolicy.enforcement").joinpath("data", "consumer_chapters.yaml")
                         .read_text(encoding="utf-8"))
    return {str(k).zfill(2): float(v) for k, v in raw["chapters"].items()}, str(raw["citation"])


@lru_cache(maxsize=1)
def import_table() -> pd.DataFrame:
    """Census HS10 x partner 2024 with ISO3, chapter and the all-partner total per line (cached)."""
    from tradepolicy.datasets.readers.customs import read_census_hs10_duties_2024
    from tradepolicy.datasets.readers.section232 import read_census_iso3

    df = read_census_hs10_duties_2024()
    iso = read_census_iso3()
    df["iso3"] = df["cty_code"].map(iso).fillna(df["cty_code"].map({EU_AGGREGATE: "EU"}))
    df["chapter"] = df["hts10"].str[:2]
    in_denominator = ~df["cty_code"].isin(EU_MEMBERS_LISTED)
    totals = df[in_denominator].groupby("hts10")["con_val_2024_usd"].sum()
    df["all_partners_value_usd"] = df["hts10"].map(totals).fillna(df["con_val_2024_usd"])
    return df


def partners() -> dict[str, str]:
    """Return ISO3 -> Census name of the partners in the import data."""
    df = import_table()
    return dict(sorted(zip(df["iso3"].astype(str), df["cty_name"], strict=False)))


def _parse_chapters(chapters: list[str] | None) -> set[str]:
    out = set()
    for ch in chapters or []:
        for part in str(ch).replace(";", ",").split(","):
            p = part.strip()
            if not p:
                continue
            if not p.isdigit() or not 1 <= int(p) <= 99:
                raise InputError(f"Unknown HS chapter {p!r}.", field="exclude_chapters",
                                 expected="two-digit chapters 01-99", example="27,71")
            out.add(p.zfill(2))
    return out


def action_list(partner: str, target_usd: float, year: int = DATA_YEAR, *, exclude_chapters: list[str] | None = None,
                max_consumer_share: float | None = None, max_supplier_share: float | None = None,
                overshoot: float = 0.05, rate: float = 0.25, elasticities: dict[str, float] | None = None,
                time_limit: float = 10.0) -> ActionList:
    """Design an action list for ``partner`` reaching ``target_usd`` of 2024 imports (see the module docstring).

    Bad input raises ``InputError`` (unknown partner or year, target above the partner's total trade, a
    share outside [0, 1], a bad chapter); constraints that together admit no list raise ``ConflictError``.
    """
    if year != DATA_YEAR:
        raise InputError(f"No import data for {year}.", field="year", expected=f"{DATA_YEAR} (us-customs-duties)",
                         example=str(DATA_YEAR))
    iso = partner.strip().upper()
    known = partners()
    if iso not in known:
        raise InputError(f"Partner {partner!r} is not in the import data.", field="partner",
                         expected="ISO3 of " + ", ".join(k for k in known), example="BRA")
    if max_supplier_share is not None and not 0 < max_supplier_share <= 1:
        raise InputError(f"max supplier share {max_supplier_share!r} is outside (0, 1].", field="max_supplier_share",
                         expected="a share in (0, 1]", example="0.5")
    if not 0 < rate <= 10:
        raise InputError(f"Rate {rate!r} is outside (0, 10].", field="rate", expected="a decimal, 0.25 = 25%",
                         example="0.25")
    check_constraints(float(target_usd), max_consumer_share=max_consumer_share, overshoot=overshoot)
    excl = _parse_chapters(exclude_chapters)
    df = import_table()
    mine = df[(df["iso3"] == iso) & (df["con_val_2024_usd"] > 0)]
    total = float(mine["con_val_2024_usd"].sum())
    if target_usd > total:
        raise InputError(f"Target {target_usd:,.0f} USD is above {iso}'s total {year} imports in the data "
                         f"({total:,.0f} USD).", field="target_usd", expected=f"at most {total:,.0f}",
                         example=f"{total * 0.1:.0f}")
    cand = mine[~mine["chapter"].isin(excl) & ~mine["chapter"].isin(["98", "99"])].copy()
    cand["supplier_share"] = (cand["con_val_2024_usd"] / cand["all_partners_value_usd"]).clip(0, 1)
    if max_supplier_share is not None:
        cand = cand[cand["supplier_share"] <= max_supplier_share]
    weights, cite = consumer_chapters()
    cand["consumer"] = cand["chapter"].map(weights).fillna(0.0)
    avail = float(cand["con_val_2024_usd"].sum())
    if avail < target_usd:
        raise ConflictError(f"After the exclusions only {avail:,.0f} USD of {iso}'s imports remain, below the "
                            f"target {target_usd:,.0f} USD.", field="constraints",
                            expected="fewer excluded chapters, a higher supplier-share cap, or a lower target",
                            example=f"--target-usd {avail * 0.5:.0f}")
    sel: Selection = select_lines(cand["con_val_2024_usd"].to_numpy(), cand["consumer"].to_numpy(),
                                  cand["supplier_share"].to_numpy(), float(target_usd),
                                  max_consumer_share=max_consumer_share, overshoot=overshoot, time_limit=time_limit)
    chosen = cand.iloc[sel.chosen].sort_values("hts10")
    recs: list[dict[str, Any]] = [{str(k): v for k, v in r.items()} for r in chosen.to_dict("records")]
    lines = tuple(ActionLine(hts10=str(r["hts10"]), description=str(r["description"]), chapter=str(r["chapter"]),
                             partner_value_usd=float(r["con_val_2024_usd"]),
                             all_partners_value_usd=float(r["all_partners_value_usd"]),
                             supplier_share=float(r["supplier_share"]), consumer_weight=float(r["consumer"]),
                             duty_rate_2024=float(r["cal_dut_2024_usd"]) / float(r["con_val_2024_usd"])
                             if r["con_val_2024_usd"] else 0.0)
                  for r in recs)
    pe = pe_impact(chosen, rate=rate, elasticities=elasticities, partner=iso)
    return ActionList(
        partner=iso, partner_name=known[iso], year=year, target_usd=float(target_usd), coverage_usd=sel.coverage,
        partner_total_usd=total, candidates=len(cand), lines=lines, consumer_share=sel.consumer_share,
        objective_usd=sel.objective, status=sel.status, mip_gap=sel.mip_gap,
        constraints=ActionConstraints(exclude_chapters=tuple(sorted(excl)), max_consumer_share=max_consumer_share,
                                      max_supplier_share=max_supplier_share, overshoot=overshoot),
        pe=pe, diagnostics=sel.diagnostics,
        notes=(f"Consumer-goods weights: {cite}; an approximation, UNCONFIRMED (no BEC concordance in the data).",
               "Supplier share = partner imports / imports of the line from the partners in the file (25 partners "
               "and the EU aggregate, Slovakia left out of the denominator): an upper bound of the share of all US "
               "imports.",
               "Objective: minimise the partner-share-weighted value of the list (trade where the partner is hard "
               "to replace), within [target, target x (1 + overshoot)].",
               "Chapters 98-99 are never candidates."),
    )


def pe_impact(lines: pd.DataFrame, *, rate: float, partner: str,
              elasticities: dict[str, float] | None = None) -> PeImpact | None:
    """Estimate the PE effect of ``rate`` on the listed lines (enforcement PE engine, two import sources).

    Sources: the partner (subject) and the other partners in the file (non-subject); no domestic source is
    in the data, so the market is imports only and "home welfare" omits domestic producers.
    """
    el = {**ILLUSTRATIVE_ELASTICITIES, **(elasticities or {})}
    subj = float(lines["con_val_2024_usd"].sum())
    others = float((lines["all_partners_value_usd"] - lines["con_val_2024_usd"]).clip(lower=0).sum())
    t_subj = float(lines["cal_dut_2024_usd"].sum() / subj) if subj else 0.0
    if subj <= 0:
        return None
    values = [subj, max(others, 1e-9 * subj)]
    res = enforcement_tariff(values, [t_subj, t_subj], [t_subj + rate, t_subj],
                             demand_elasticity=el["demand"], substitution_elasticity=el["substitution"],
                             supply_elasticities=[el["supply"], el["supply"]], sources=[partner, "other partners"],
                             domestic=[False, False])
    frame = res.to_frame()
    summ = res.summary()
    return PeImpact(rate=rate, elasticities=el, elasticity_source=ELASTICITY_SOURCE, base_duty_rate=t_subj,
                    subject_value_usd=subj, non_subject_value_usd=others,
                    subject_value_change=float(frame["value_change"].to_numpy()[0]),
                    non_subject_value_change=float(frame["value_change"].to_numpy()[1]),
                    composite_price_change=summ["composite_price_change"], consumer_surplus=summ["consumer_surplus"],
                    tariff_revenue_change=summ["tariff_revenue_change"],
                    domestic_producer_surplus=summ["domestic_producer_surplus"], home_welfare=summ["home_welfare"],
                    note="Imports-only market (no domestic source in the data); elasticities illustrative.")


# --------------------------------------------------------------------------- annex

@lru_cache(maxsize=1)
def _hts8_descriptions() -> dict[str, str]:
    from tradepolicy.datasets.readers.hts import read_hts_edition

    df = read_hts_edition(DATA_YEAR)
    out: dict[str, str] = {}
    path: list[str] = []
    for hts, indent, text in zip(df["hts"].astype(str), df["indent"].astype(int), df["description"].astype(str),
                                 strict=True):
        path = [*path[:indent], text.rstrip(": ")]
        if len(hts) == 8:
            out[hts] = " - ".join(p for p in path[-3:] if p)
    return out


def annex_rows(result: ActionList) -> list[AnnexRow]:
    """Return the annex rows: HTS8 (dotted), description, 2024 imports from the partner (USD)."""
    try:
        desc = _hts8_descriptions()
    except (DatasetMissingError, DatasetCorruptError):  # the HTS edition is optional: Census text instead
        desc = {}
    text: dict[str, str] = {}
    value: dict[str, float] = {}
    for ln in result.lines:
        h8 = ln.hts10[:8]
        text.setdefault(h8, desc.get(h8) or ln.description)
        value[h8] = value.get(h8, 0.0) + ln.partner_value_usd
    return [AnnexRow(hts8=f"{k[:4]}.{k[4:6]}.{k[6:8]}", description=text[k], value_usd=value[k]) for k in sorted(value)]


def annex_text(result: ActionList) -> str:
    """Return the annex in the Federal Register layout (heading, note, HTS8 subheading and description)."""
    rows = annex_rows(result)
    lines = ["ANNEX", "",
             f"Products of {result.partner_name.title()} subject to an additional {(result.pe.rate if result.pe else 0) * 100:g} "
             "percent ad valorem duty", "",
             "Note: the product descriptions are provided for informational purposes only and are not intended to "
             "delimit in any way the scope of the action. Any questions regarding the scope of a particular HTSUS "
             "subheading should be referred to U.S. Customs and Border Protection.", "",
             f"{'HTSUS subheading':<18}Product description"]
    for r in rows:
        lines.append(f"{r.hts8:<18}{r.description}")
    lines += ["", f"({len(rows)} subheadings; 2024 imports {result.coverage_usd:,.0f} USD; generated "
                  f"{dt.date.today().isoformat()})"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- retaliation

@dataclass(frozen=True, slots=True)
class Exposure:
    """US exports exposed to a partner's counter-measures."""

    codes: tuple[str, ...]
    matched_lines: int
    exposed_usd: float
    total_usd: float
    share: float
    unmatched_codes: tuple[str, ...]
    by_code: dict[str, float]


def retaliation_exposure(exports: pd.DataFrame, codes: list[str]) -> Exposure:
    """Sum US exports (``hs``, ``value_usd``) whose HS code starts with one of ``codes`` (2-10 digits).

    A line matching several codes counts once. Codes with no match are listed (``unmatched_codes``).
    """
    clean = []
    for c in codes:
        d = str(c).replace(".", "").strip()
        if not d.isdigit() or not 2 <= len(d) <= 10:
            raise InputError(f"HS code {c!r} is not 2-10 digits.", field="codes", expected="digits, dotted or not",
                             example="1201.90")
        clean.append(d)
    if not clean:
        raise InputError("Give at least one HS code.", field="codes", expected="HS codes", example="1201,8703")
    if not {"hs", "value_usd"} <= set(exports.columns):
        raise InputError("The exports table needs columns hs and value_usd.", field="exports",
                         expected="hs,value_usd", example="hs,value_usd\n120190,1000000")
    hs = exports["hs"].astype(str).str.replace(".", "", regex=False).str.strip()
    val = pd.to_numeric(exports["value_usd"], errors="coerce")
    if val.isna().any() or (val < 0).any():
        raise InputError("Export values must be numbers >= 0.", field="exports.value_usd", expected="USD >= 0",
                         example="1000000")
    hit = np.zeros(len(hs), bool)
    by_code: dict[str, float] = {}
    for c in dict.fromkeys(clean):
        m = hs.str.startswith(c).to_numpy()
        by_code[c] = float(val[m].sum())
        hit |= m
    total = float(val.sum())
    exposed = float(val[hit].sum())
    return Exposure(codes=tuple(dict.fromkeys(clean)), matched_lines=int(hit.sum()), exposed_usd=exposed,
                    total_usd=total, share=exposed / total if total else 0.0,
                    unmatched_codes=tuple(c for c, v in by_code.items() if v == 0 and not hs.str.startswith(c).any()),
                    by_code=by_code)
