"""The three enforcement priority dashboards: China, USMCA, WTO reform.

Each dashboard is a typed-free JSON-safe dict of figures, every figure computed here from the registry
(stored cases and records) or from a named dataset, with its source beside it; ``rows(name)`` flattens
it for the CSV twin (the page shell renders HTML and PDF). Dataset-derived parts are cached
(the files are immutable); registry parts are read on every call.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from tradepolicy.errors import NotFoundError
from tradepolicy.services import disputes, usmca

NAMES = ("china", "usmca", "wto-reform")
TITLES = {"china": "Priority: China", "usmca": "Priority: USMCA compliance", "wto-reform": "Priority: WTO reform"}
LIST_SCHEDULE = {  # tranche -> (list, effective, rate steps), as the section301-china PROVENANCE states them
    "34b": ("List 1", "2018-07-06", [("2018-07-06", 0.25)]),
    "16b": ("List 2", "2018-08-23", [("2018-08-23", 0.25)]),
    "200b": ("List 3", "2018-09-24", [("2018-09-24", 0.10), ("2019-05-10", 0.25)]),
    "300b_a": ("List 4A", "2019-09-01", [("2019-09-01", 0.15), ("2020-02-14", 0.075)]),
    "300b_c": ("List 4B", None, []),
}
S301_SOURCE = "section301-china (USTR annex lists via Shiota; rates and dates per its PROVENANCE.md)"


def _check(name: str) -> str:
    if name not in NAMES:
        raise NotFoundError(f"Unknown dashboard {name!r}.", field="name", expected=" | ".join(NAMES), example="china")
    return name


@lru_cache(maxsize=1)
def _china_data() -> dict[str, Any]:
    from tradepolicy.datasets.readers.section301 import (
        read_china_trade_naics3_monthly,
        read_exclusions,
        read_phase_one_goals,
        read_ustr_lists,
    )

    lists = read_ustr_lists()
    lists = lists[~lists["hts8"].str[:2].isin(["98", "99"])]
    actions: list[dict[str, Any]] = []
    for tranche, (name, eff, steps) in LIST_SCHEDULE.items():
        sub = lists[lists["tranche"] == tranche]
        label = sub["list_label"].iloc[0] if len(sub) else name
        actions.append({"list": name, "label": label, "effective": eff, "in_force": eff is not None,
                        "rates": [{"from": d, "rate": r} for d, r in steps], "hts8_lines": int(sub["hts8"].nunique())})
    imp = read_china_trade_naics3_monthly("imports")
    imp["year"] = imp["time"].map(lambda t: t.year)
    by_year = []
    for year_key, g in imp.groupby("year"):
        year = int(str(year_key))
        china = float(g["china_trade"].sum())
        w = float((g["tariff_trd_w_avg"] * g["china_trade"]).sum() / china) if china else 0.0
        months = int(g["time"].nunique())
        in_force = [a["list"] for a in actions if a["effective"] and dt.date.fromisoformat(a["effective"]).year <= year]
        lines = sum(a["hts8_lines"] for a in actions if a["list"] in in_force)
        by_year.append({"year": int(year), "months": months, "imports_from_china_usd": china,
                        "trade_weighted_tariff_pct": w, "lists_in_force_by_year_end": in_force,
                        "hts8_lines_in_force": lines})
    exc = read_exclusions()
    exc["year"] = exc["date_granted"].map(lambda d: d.year)
    exclusions = {"hts10_lines": len(exc), "notices": int(exc["notice_index"].nunique()),
                  "by_tranche": {str(k): int(v) for k, v in exc.groupby("tranche").size().items()},
                  "by_year_granted": {int(str(k)): int(v) for k, v in exc.groupby("year").size().items()},
                  "first": exc["date_granted"].min().isoformat(), "last": exc["date_granted"].max().isoformat(),
                  "source": "section301-china: ustr_section301_exclusions_hts10_shiota.csv (35 notices)"}
    goals = read_phase_one_goals()
    phase = []
    for r in goals.to_dict("records"):
        if r["goal_2020_increase"] != r["goal_2020_increase"]:  # NaN: not in the agreement
            continue
        target = r["value_2017"] + r["goal_2020_increase"]
        phase.append({"category": r["category"], "value_2017_usd": r["value_2017"],
                      "commitment_2020_usd": target, "actual_2020_usd": r["value_2020"],
                      "attained": r["value_2020"] / target})
    tot_t = sum(p["commitment_2020_usd"] for p in phase)
    tot_a = sum(p["actual_2020_usd"] for p in phase)
    return {"actions": actions, "coverage_by_year": by_year, "exclusions": exclusions,
            "phase_one": {"categories": phase, "commitment_2020_usd": tot_t, "actual_2020_usd": tot_a,
                          "attained": tot_a / tot_t if tot_t else None,
                          "source": "section301-china: phaseone-goals.csv (2020 commitment = 2017 value + goal)"},
            "coverage_source": "section301-china: us_imports_from_china_by_naics3_monthly.csv (Census, to 2020-03)"}


def china() -> dict[str, Any]:
    """China: Section 301 actions and trade coverage by year, exclusions, Phase One, China-US disputes."""
    data = _china_data()
    rows = disputes.list_disputes()
    us_china = [r.to_dict() for r in rows if (r.respondent == "China" and "United States" in r.complainants)
                or (r.respondent == "United States" and "China" in r.complainants)]
    return {"name": "china", "title": TITLES["china"], **data,
            "disputes": {"count": len(us_china),
                         "us_complainant": sum(1 for d in us_china if d["respondent"] == "China"),
                         "china_complainant": sum(1 for d in us_china if d["respondent"] == "United States"),
                         "into_the_void": sum(1 for d in us_china if d["into_the_void"]), "rows": us_china},
            "actions_source": S301_SOURCE}


def usmca_dashboard(*, as_of: dt.date | None = None) -> dict[str, Any]:
    """USMCA: RRM cases and outcomes, Chapter 31 disputes, the joint-review clock."""
    rrm = usmca.rrm_cases()
    stats = usmca.rrm_stats(rrm)
    jr = usmca.joint_review_clock(as_of=as_of)
    return {"name": "usmca", "title": TITLES["usmca"],
            "rrm": {"stats": {"cases": stats.cases, "with_request_date": stats.with_request_date,
                              "by_year": stats.by_year, "by_sector": stats.by_sector, "by_stage": stats.by_stage,
                              "panels_requested": stats.panels_requested, "unconfirmed": stats.unconfirmed},
                    "cases": [r.to_dict() for r in rrm]},
            "ch31": usmca.ch31_disputes(), "joint_review": jr}


def wto_reform(*, as_of: dt.date | None = None) -> dict[str, Any]:
    """WTO reform: AB vacancy since 2019-12-11, appeals into the void, the MPIA, reform records."""
    ov = disputes.reform_overview(as_of=as_of)
    return {"name": "wto-reform", "title": TITLES["wto-reform"], "as_of": ov.as_of.isoformat(),
            "ab_inoperative_from": ov.ab_inoperative_from.isoformat(), "ab_citation": ov.citation,
            "days_without_ab": ov.days_without_ab,
            "appeals_into_void": {"count": len(ov.appeals_into_void),
                                  "us_respondent": ov.appeals_into_void_us_respondent,
                                  "rows": [r.to_dict() for r in ov.appeals_into_void]},
            "mpia": {"participants": len(ov.mpia_participants), "rows": list(ov.mpia_participants)},
            "records": list(ov.records)}


def dashboard(name: str, *, as_of: dt.date | None = None) -> dict[str, Any]:
    """Return dashboard ``name`` (china | usmca | wto-reform)."""
    n = _check(name)
    if n == "china":
        return china()
    if n == "usmca":
        return usmca_dashboard(as_of=as_of)
    return wto_reform(as_of=as_of)


def rows(d: dict[str, Any]) -> list[dict[str, Any]]:
    """Flatten a dashboard to (section, item, value) rows for the CSV twin."""
    out: list[dict[str, Any]] = []

    def walk(prefix: str, v: Any) -> None:
        if isinstance(v, dict):
            for k, x in v.items():
                walk(f"{prefix}.{k}" if prefix else str(k), x)
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(f"{prefix}[{i}]", x)
        else:
            section, _, item = prefix.partition(".")
            out.append({"section": section, "item": item or section, "value": v})

    walk("", {k: v for k, v in d.items() if k not in ("name", "title")})
    return out
