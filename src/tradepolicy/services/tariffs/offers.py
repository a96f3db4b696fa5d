"""Offers (formulas by product group, staging) and the KORUS checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from tradepolicy.errors import InputError, NotFoundError, TradePolicyError
from tradepolicy.services.tariffs.common import agreements, check_date, check_origin, measures
from tradepolicy.services.tariffs.indicators import hts8_rates
from tradepolicy.services.tariffs.schedules import _special_aves, check_edition, db2017
from tradepolicy.services.tariffs.types import (
    KorusCheck,
    KorusStaging,
    OfferGroup,
    OfferResult,
    PartnerOutcome,
    Staging,
    StagingYear,
)
from tradepolicy.tariffs.dated_measures import (
    column2_applies,
    eligible_programs,
)
from tradepolicy.tariffs.hts_code import normalize_hts


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


def offer(path: Path | str) -> OfferResult:
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


def _partner_outcome(partner: str, base_date: dt.date, lines: pd.DataFrame, after: Any) -> PartnerOutcome:
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
    return PartnerOutcome(partner=partner, base_date=base_date.isoformat(),
                          programs_claimable=sorted(elig),
                          average_now=float(np.nanmean(now)) if np.isfinite(now).any() else None,
                          average_after=float(np.nanmean(new)) if np.isfinite(new).any() else None,
                          lines_cut=int(np.sum(new < now - 1e-12)), n_lines=len(now),
                          lines_not_statable_now=int(np.isnan(now).sum()), column2=col2)


def offer_from_spec(spec: Mapping[str, Any], *, where: str = "offer", name: str = "offer") -> OfferResult:
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
        path_avg = [StagingYear(year=y, average=float(np.mean([rate_in_year(path_, y, float(b))
                                                               for path_, b in zip(paths, res.before, strict=True)])))
                    for y in years_all]
        out_groups.append(OfferGroup(
            by_partner=[_partner_outcome(o, base_date, sub, res.after) for o in f_partners],
            group=str(gid), partners=f_partners, formula=str(kind), coefficient=res.coefficient,
            solved=res.solved,
            n_lines=len(t0), average_before=res.average_before,
            average_after=res.average_after,
            staging=Staging(kind=st_kind, years=st.get("years"), path=path_avg),
        ))
    result = OfferResult(name=str(spec.get("name", name)), edition=edition, partners=partners,
                         start_year=start, groups=out_groups)
    kc = spec.get("korus_check")
    if kc:
        allowed = ("start_year", "kind", "years", "check_year", "tolerance")
        if not isinstance(kc, Mapping) or any(k not in allowed for k in kc):
            raise InputError("korus_check takes start_year, kind, years, check_year, tolerance.",
                             where=f"{p}: korus_check", field="korus_check",
                             expected=" | ".join(allowed), example="korus_check: {kind: equal, years: 10}")
        try:
            result = replace(result, korus_check=korus_check(**kc))
        except TradePolicyError as exc:
            raise _with_where(exc, f"{p}: korus_check") from None
        except (TypeError, ValueError) as exc:
            raise InputError(f"korus_check: {exc}", where=f"{p}: korus_check", field="korus_check",
                             expected="integers for years, decimals for tolerance",
                             example="korus_check: {kind: equal, years: 10}") from None
    return result


def korus_check(*, start_year: int = 2011, kind: str = "equal", years: int = 10,
                check_year: int = 2017, tolerance: float = 5e-4) -> KorusCheck:
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
    return KorusCheck(start_year=start_year, kind=kind, years=years, check_year=chk.year,
                      n_lines=chk.n_lines, n_match=chk.n_match, share_match=chk.share_match,
                      mean_abs_diff=chk.mean_abs_diff, tolerance=tolerance,
                      source="USITC tariff database 2017, columns mfn_ad_val_rate and korea_ad_val_rate")


def korus_staging_inference(*, base_year: int = 2011, check_year: int = 2017,
                            max_years: int = 20, tolerance: float = 5e-4) -> KorusStaging:
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
    return KorusStaging(base_year=base_year, check_year=check_year, n_lines=len(mfn),
                        lines_by_equal_cuts={str(k): v for k, v in counts.items() if v},
                        unmatched=int((assigned == 0).sum()), tolerance=tolerance,
                        note="N = 1 means free in the first year (immediate); lines free in 2017 count at N <= 6",
                        source="USITC tariff database 2017, columns mfn_ad_val_rate and korea_ad_val_rate")
