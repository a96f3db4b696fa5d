"""The three enforcement priority dashboards: China, USMCA, WTO reform.

Each dashboard is a typed, frozen pydantic model (``ChinaDashboard``, ``UsmcaDashboard``,
``WtoReformDashboard``); every figure is computed here from the registry (stored cases and records) or
from a named dataset, with its source beside it. The models are ``services.typed.ServiceModel``s (frozen,
no unknown fields, JSON names by alias): ``json_dict()`` is the JSON of the page's ``.json`` twin, the API
and ``priorities show``; ``rows(d)`` flattens it for the CSV twin (the page shell renders HTML
and PDF). Dataset-derived parts are cached (the files are immutable); registry parts are read on every
call.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Literal

from pydantic import Field

from tradepolicy.errors import NotFoundError
from tradepolicy.services import disputes, usmca
from tradepolicy.services.law_types import (
    DeadlineView,  # the law engine's deadline: one model for every shell
)
from tradepolicy.services.typed import ServiceModel

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


JsonScalar = str | int | float | bool | None


class RateStep(ServiceModel):
    """A rate of a Section 301 list from a date."""

    from_: str = Field(serialization_alias="from")
    rate: float


class S301Action(ServiceModel):
    """A Section 301 China list: effective date, rate steps, HTS8 lines."""

    list_: str = Field(serialization_alias="list")
    label: str
    effective: str | None
    in_force: bool
    rates: tuple[RateStep, ...]
    hts8_lines: int


class CoverageYear(ServiceModel):
    """Imports from China and the trade-weighted tariff in one year, with the lists in force."""

    year: int
    months: int
    imports_from_china_usd: float
    trade_weighted_tariff_pct: float
    lists_in_force_by_year_end: tuple[str, ...]
    hts8_lines_in_force: int


class Exclusions(ServiceModel):
    """The Section 301 exclusions granted (counts)."""

    hts10_lines: int
    notices: int
    by_tranche: dict[str, int]
    by_year_granted: dict[int, int]
    first: str
    last: str
    source: str


class PhaseOneCategory(ServiceModel):
    """A Phase One purchase category: 2017 value, 2020 commitment, 2020 actual."""

    category: str
    value_2017_usd: float
    commitment_2020_usd: float
    actual_2020_usd: float
    attained: float


class PhaseOne(ServiceModel):
    """Phase One purchase commitments against actual purchases."""

    categories: tuple[PhaseOneCategory, ...]
    commitment_2020_usd: float
    actual_2020_usd: float
    attained: float | None
    source: str


class ChinaData(ServiceModel):
    """The dataset-derived part of the China dashboard (cached)."""

    actions: tuple[S301Action, ...]
    coverage_by_year: tuple[CoverageYear, ...]
    exclusions: Exclusions
    phase_one: PhaseOne
    coverage_source: str


class DisputeView(ServiceModel):
    """A registry dispute as the views show it (``DisputeRow.to_dict``)."""

    ds: str
    number: int
    title: str
    complainants: str
    respondent: str
    third_parties: str
    agreements: str
    status: str
    consultations_requested: str | None
    stage: str
    appealed_on: str | None
    into_the_void: bool
    confirmed: bool
    source: str


def _view(r: disputes.DisputeRow) -> DisputeView:
    return DisputeView.model_validate(r.to_dict())


class ChinaDisputes(ServiceModel):
    """The China-US disputes of the registry."""

    count: int
    us_complainant: int
    china_complainant: int
    into_the_void: int
    rows: tuple[DisputeView, ...]


class ChinaDashboard(ServiceModel):
    """China: Section 301 actions and coverage by year, exclusions, Phase One, China-US disputes."""

    name: Literal["china"] = "china"
    title: str
    actions: tuple[S301Action, ...]
    coverage_by_year: tuple[CoverageYear, ...]
    exclusions: Exclusions
    phase_one: PhaseOne
    coverage_source: str
    disputes: ChinaDisputes
    actions_source: str


class RrmStatsView(ServiceModel):
    """RRM statistics counted from the stored cases."""

    cases: int
    with_request_date: int
    by_year: dict[int, int]
    by_sector: dict[str, int]
    by_stage: dict[str, int]
    panels_requested: int
    unconfirmed: int


class RrmView(ServiceModel):
    """An RRM case as the views show it (``RrmRow.to_dict``)."""

    id: str
    facility: str
    sector: str
    request_date: str | None
    mexico_response: str
    remediation: str
    outcome: str
    stage: str
    panel_requested: str | None
    confirmed: bool
    citation: str


class RrmPart(ServiceModel):
    """RRM statistics and cases."""

    stats: RrmStatsView
    cases: tuple[RrmView, ...]


class Ch31View(ServiceModel):
    """A Chapter 31 dispute (``Ch31Row.to_dict``)."""

    id: str
    title: str
    complainant: str
    respondent: str
    sector: str | None
    stage: str
    consultations_requested: str | None
    panel_requested: str | None
    outcome: str | None
    confirmed: bool


class ReviewEventView(ServiceModel):
    """A recorded event of the joint review."""

    event: str
    date: str
    source: str | None
    confirmed: bool


class PathDeadlineView(ServiceModel):
    """A date on one outcome path of the joint review."""

    clock_id: str
    title: str
    due_date: str | None
    citation: str
    confirmed: bool


class JointReviewView(ServiceModel):
    """The joint review's clock (``JointReviewClock.to_dict``)."""

    case_id: str
    stored: bool
    as_of: str
    stage: str
    stage_title: str
    review_date: str | None
    days_to_review: int | None
    events: tuple[ReviewEventView, ...]
    deadlines: tuple[DeadlineView, ...]
    outcome_paths: dict[str, tuple[PathDeadlineView, ...]]


class UsmcaDashboard(ServiceModel):
    """USMCA: RRM cases and outcomes, Chapter 31 disputes, the joint-review clock."""

    name: Literal["usmca"] = "usmca"
    title: str
    rrm: RrmPart
    ch31: tuple[Ch31View, ...]
    joint_review: JointReviewView


class AppealsIntoVoid(ServiceModel):
    """Appeals into the void counted from the registry."""

    count: int
    us_respondent: int
    rows: tuple[DisputeView, ...]


class MpiaPart(ServiceModel):
    """The MPIA participants."""

    participants: int
    rows: tuple[disputes.MpiaRow, ...]


class WtoReformDashboard(ServiceModel):
    """WTO reform: AB vacancy since 2019-12-11, appeals into the void, the MPIA, reform records."""

    name: Literal["wto-reform"] = "wto-reform"
    title: str
    as_of: str
    ab_inoperative_from: str
    ab_citation: str
    days_without_ab: int
    appeals_into_void: AppealsIntoVoid
    mpia: MpiaPart
    records: tuple[disputes.ReformRow, ...]


Dashboard = ChinaDashboard | UsmcaDashboard | WtoReformDashboard


def _check(name: str) -> str:
    if name not in NAMES:
        raise NotFoundError(f"Unknown dashboard {name!r}.", field="name", expected=" | ".join(NAMES), example="china")
    return name


@lru_cache(maxsize=1)
def _china_data() -> ChinaData:
    from tradepolicy.datasets.readers.section301 import (
        read_china_trade_naics3_monthly,
        read_exclusions,
        read_phase_one_goals,
        read_ustr_lists,
    )

    lists = read_ustr_lists()
    lists = lists[~lists["hts8"].str[:2].isin(["98", "99"])]
    actions: list[S301Action] = []
    for tranche, (name, eff, steps) in LIST_SCHEDULE.items():
        sub = lists[lists["tranche"] == tranche]
        label = sub["list_label"].iloc[0] if len(sub) else name
        actions.append(S301Action(list_=name, label=str(label), effective=eff, in_force=eff is not None,
                                  rates=tuple(RateStep(from_=d, rate=r) for d, r in steps),
                                  hts8_lines=int(sub["hts8"].nunique())))
    imp = read_china_trade_naics3_monthly("imports")
    imp["year"] = imp["time"].map(lambda t: t.year)
    by_year = []
    for year_key, g in imp.groupby("year"):
        year = int(str(year_key))
        china = float(g["china_trade"].sum())
        w = float((g["tariff_trd_w_avg"] * g["china_trade"]).sum() / china) if china else 0.0
        months = int(g["time"].nunique())
        in_force = tuple(a.list_ for a in actions if a.effective and dt.date.fromisoformat(a.effective).year <= year)
        lines = sum(a.hts8_lines for a in actions if a.list_ in in_force)
        by_year.append(CoverageYear(year=year, months=months, imports_from_china_usd=china,
                                    trade_weighted_tariff_pct=w, lists_in_force_by_year_end=in_force,
                                    hts8_lines_in_force=lines))
    exc = read_exclusions()
    exc["year"] = exc["date_granted"].map(lambda d: d.year)
    exclusions = Exclusions(hts10_lines=len(exc), notices=int(exc["notice_index"].nunique()),
                            by_tranche={str(k): int(v) for k, v in exc.groupby("tranche").size().items()},
                            by_year_granted={int(str(k)): int(v) for k, v in exc.groupby("year").size().items()},
                            first=exc["date_granted"].min().isoformat(), last=exc["date_granted"].max().isoformat(),
                            source="section301-china: ustr_section301_exclusions_hts10_shiota.csv (35 notices)")
    goals = read_phase_one_goals()
    phase = []
    for r in goals.to_dict("records"):
        if r["goal_2020_increase"] != r["goal_2020_increase"]:  # NaN: not in the agreement
            continue
        target = r["value_2017"] + r["goal_2020_increase"]
        phase.append(PhaseOneCategory(category=str(r["category"]), value_2017_usd=float(r["value_2017"]),
                                      commitment_2020_usd=float(target), actual_2020_usd=float(r["value_2020"]),
                                      attained=float(r["value_2020"] / target)))
    tot_t = sum(p.commitment_2020_usd for p in phase)
    tot_a = sum(p.actual_2020_usd for p in phase)
    return ChinaData(actions=tuple(actions), coverage_by_year=tuple(by_year), exclusions=exclusions,
                     phase_one=PhaseOne(categories=tuple(phase), commitment_2020_usd=tot_t, actual_2020_usd=tot_a,
                                        attained=tot_a / tot_t if tot_t else None,
                                        source="section301-china: phaseone-goals.csv (2020 commitment = 2017 value "
                                               "+ goal)"),
                     coverage_source="section301-china: us_imports_from_china_by_naics3_monthly.csv (Census, to "
                                     "2020-03)")


def china() -> ChinaDashboard:
    """China: Section 301 actions and trade coverage by year, exclusions, Phase One, China-US disputes."""
    data = _china_data()
    rows = disputes.list_disputes()
    us_china = [r for r in rows if (r.respondent == "China" and "United States" in r.complainants)
                or (r.respondent == "United States" and "China" in r.complainants)]
    return ChinaDashboard(
        title=TITLES["china"], actions=data.actions, coverage_by_year=data.coverage_by_year,
        exclusions=data.exclusions, phase_one=data.phase_one, coverage_source=data.coverage_source,
        disputes=ChinaDisputes(count=len(us_china),
                               us_complainant=sum(1 for d in us_china if d.respondent == "China"),
                               china_complainant=sum(1 for d in us_china if d.respondent == "United States"),
                               into_the_void=sum(1 for d in us_china if d.into_the_void),
                               rows=tuple(_view(r) for r in us_china)),
        actions_source=S301_SOURCE)


def usmca_dashboard(*, as_of: dt.date | None = None) -> UsmcaDashboard:
    """USMCA: RRM cases and outcomes, Chapter 31 disputes, the joint-review clock."""
    rrm = usmca.rrm_cases()
    stats = usmca.rrm_stats(rrm)
    jr = usmca.joint_review_clock(as_of=as_of)
    return UsmcaDashboard(
        title=TITLES["usmca"],
        rrm=RrmPart(stats=RrmStatsView(cases=stats.cases, with_request_date=stats.with_request_date,
                                       by_year=stats.by_year, by_sector=stats.by_sector, by_stage=stats.by_stage,
                                       panels_requested=stats.panels_requested, unconfirmed=stats.unconfirmed),
                    cases=tuple(RrmView.model_validate(r.to_dict()) for r in rrm)),
        ch31=tuple(Ch31View.model_validate(r.to_dict()) for r in usmca.ch31_disputes()),
        joint_review=JointReviewView.model_validate(jr.to_dict()))


def wto_reform(*, as_of: dt.date | None = None) -> WtoReformDashboard:
    """WTO reform: AB vacancy since 2019-12-11, appeals into the void, the MPIA, reform records."""
    ov = disputes.reform_overview(as_of=as_of)
    return WtoReformDashboard(
        title=TITLES["wto-reform"], as_of=ov.as_of.isoformat(), ab_inoperative_from=ov.ab_inoperative_from.isoformat(),
        ab_citation=ov.citation, days_without_ab=ov.days_without_ab,
        appeals_into_void=AppealsIntoVoid(count=len(ov.appeals_into_void),
                                          us_respondent=ov.appeals_into_void_us_respondent,
                                          rows=tuple(_view(r) for r in ov.appeals_into_void)),
        mpia=MpiaPart(participants=len(ov.mpia_participants), rows=ov.mpia_participants),
        records=ov.records)


def dashboard(name: str, *, as_of: dt.date | None = None) -> Dashboard:
    """Return dashboard ``name`` (china | usmca | wto-reform)."""
    n = _check(name)
    if n == "china":
        return china()
    if n == "usmca":
        return usmca_dashboard(as_of=as_of)
    return wto_reform(as_of=as_of)


def rows(d: Dashboard) -> list[dict[str, JsonScalar]]:
    """Flatten a dashboard to (section, item, value) rows for the CSV twin."""
    out: list[dict[str, JsonScalar]] = []

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

    walk("", {k: v for k, v in d.json_dict().items() if k not in ("name", "title")})
    return out
