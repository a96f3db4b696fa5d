"""Batch stacks: every line x origin (matrices) or given cells, for one date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradepolicy.errors import InputError
from tradepolicy.services.tariffs.cache import cached
from tradepolicy.services.tariffs.common import (
    USMCA_SYMBOLS,
    agreements,
    check_date,
    check_origin,
    country_actions_cfg,
    measures,
    origins,
)
from tradepolicy.services.tariffs.measures import (
    adcvd_index,
    country_action_lists,
    s232_annex,
    s232_products,
    s301_below,
    s301_coverage,
    s301_exclusions,
    section301_cfg,
)
from tradepolicy.services.tariffs.schedules import (
    _parsed_source_cached,
    gsp_exclusions,
    pick_source,
    source,
    source_notes,
)
from tradepolicy.services.tariffs.types import BatchSummary
from tradepolicy.tariffs.dated_measures import (
    ExclusionWindow,
    as_date,
    column2_applies,
    covered_share,
    eligible_programs,
    section232_duties,
    section301_duties,
)

# --------------------------------------------------------------------------- granted exclusions hook
# Section 301 exclusions granted through the coordination workflow (services.exclusions) join the
# dataset's exclusion windows here, as the single-line stack's ``_with_granted_exclusions`` does.
# ``GrantedKey`` is a hashable snapshot of them, part of every memo key below, so a new grant is
# seen by the next batch.

GrantedKey = tuple[tuple[str, tuple[ExclusionWindow, ...]], ...]


def granted_key() -> GrantedKey:
    """Return the granted exclusion windows by HTS10, hashable (empty without a database)."""
    from tradepolicy.services.exclusions import granted_windows_all

    return tuple(sorted((c, tuple(ws)) for c, ws in granted_windows_all().items()))


def _s301_exclusions_with(granted: GrantedKey) -> Mapping[str, Sequence[ExclusionWindow]]:
    base = s301_exclusions()
    if not granted:
        return base
    return {**base, **{c: [*base.get(c, ()), *ws] for c, ws in granted}}


def granted_notes(date: dt.date, granted: GrantedKey, origins: Sequence[str] = ("CHN",),
                  lines: Sequence[str] | None = None) -> list[str]:
    """Return one note per granted exclusion in force on ``date``: its line, window and citation.

    ``lines``: the batch's product lines on the date; a grant on an HTS10 the batch does not hold
    (the 2017 database's lines are HTS8) is noted as not applied there.
    """
    if "CHN" not in origins:
        return []
    held = set(lines) if lines is not None else None
    out = []
    for c, ws in granted:
        for w in ws:
            if w.start <= date <= w.end:
                how = "applied" if held is None or c in held else \
                    f"not applied: the batch's line is HTS8 {c[:8]}, which the grant covers only in part"
                out.append(f"Section 301 exclusion of HTS {c} from China in force {w.start} to {w.end} ({how}): "
                           f"{w.citation}")
    return out


# --------------------------------------------------------------------------- batch


@cached(maxsize=3)
def _s301_groups(source_id: str, granted: GrantedKey = ()) -> tuple[np.ndarray, list[str]]:
    """Return (group index of every batch line, a representative code per group) for Section 301.

    Lines with the same covering heading, the same four-year-review product, no exclusion of
    their own and the same HTS8 fallback get the same Section 301 duty on every date.
    """
    from tradepolicy.tariffs.dated_measures import prefix_match

    codes = _parsed_source_cached(source_id)[0]
    cov, exc, below = s301_coverage(), _s301_exclusions_with(granted), s301_below()
    from tradepolicy.tariffs.dated_measures import review_index

    # review code digits -> groups naming them (a line's groups and match lengths decide its rate)
    lengths, by_prefix = review_index((section301_cfg().get("four_year_review") or {}).get("products", {}))
    keys: dict[tuple[Any, ...], int] = {}
    reps: list[str] = []
    idx = np.zeros(len(codes), dtype=np.int64)
    for i, c in enumerate(codes):
        hit = prefix_match(c, cov)
        rev = tuple(sorted({(n, k) for n in lengths for k in by_prefix.get(c[:n], ()) if len(c) >= n}))
        key = (hit[1] if hit else None, rev, c if c in exc else None,
               below.get(c) if len(c) == 8 and hit is None else None)
        if key not in keys:
            keys[key] = len(reps)
            reps.append(c)
        idx[i] = keys[key]
    return idx, reps


@cached(maxsize=64)
def _s301_vector(source_id: str, date: dt.date, origin: str, granted: GrantedKey = ()) -> np.ndarray:
    """Return the Section 301 duty of every batch line from ``origin`` on ``date`` (granted exclusions applied)."""
    idx, reps = _s301_groups(source_id, granted)
    cfg = section301_cfg()
    cov, exc, below = s301_coverage(), _s301_exclusions_with(granted), s301_below()
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


def _s232_key(c: str, prods: Mapping[str, Sequence[Mapping[str, Any]]]) -> tuple[Any, ...]:
    """Return the Section 232 group key of line ``c``: lines with one key get the same duties.

    The key holds the list rows that match the line, its chapter (the metal-content rule
    depends on it) and its 2026 annex (an Annex III line is its own group: its floor depends
    on its Column 1 rate). An empty key: no Section 232 row nor annex.
    """
    rows = tuple(sorted({r["program"] + repr(sorted(r["country_overrides"].items()))
                         + str(r["default_rate"]) + str(r["usmca_exempt"]) + str(r.get("from"))
                         + str(len(r["hts_code"]))
                         for nn in (10, 8, 6, 4) for r in prods.get(c[:nn], ())}))
    annex = s232_annex(c)
    if not rows and annex is None:
        return ()
    return (rows, c[:2], annex, c if annex is not None and annex[0] == "III" else None)


@cached(maxsize=3)
def _s232_groups(source_id: str) -> tuple[np.ndarray, list[str]]:
    """Return (group index of every batch line or -1, a representative code per group) for s.232."""
    codes = _parsed_source_cached(source_id)[0]
    prods = s232_products()
    keys: dict[tuple[Any, ...], int] = {}
    reps: list[str] = []
    idx = np.full(len(codes), -1, dtype=np.int64)
    for i, c in enumerate(codes):
        key = _s232_key(c, prods)
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


@cached(maxsize=3)
def _excl_lines(source_id: str) -> np.ndarray:
    """Return a bool per batch line: its HTS8 has GSP country exclusions (on some date)."""
    excl = gsp_exclusions()
    return np.array([c[:8] in excl for c in _parsed_source_cached(source_id)[0]], dtype=bool)


@cached(maxsize=3)
def _line_pos(source_id: str) -> dict[str, int]:
    """Return line code -> its index in the source's batch lines."""
    return {c: i for i, c in enumerate(_parsed_source_cached(source_id)[0])}


@cached(maxsize=1)
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
    reg = cfg.get("annexes_2026") or {}
    for spec in (reg.get("annexes") or {}).values():
        out.update(spec.get("country_rates") or {})
    if reg:
        out.add("RUS")  # aluminium of Russia (clause 8)
        out.update(measures()["column2"]["countries"])  # Annex III: no normal trade relations
    return frozenset(out)


@cached(maxsize=64)
def _action_line_mask(source_id: str, scope: tuple[str, ...], exempt: tuple[str, ...]) -> np.ndarray:
    """Return, per batch line, True when a country action reaches it (in ``scope``, not ``exempt``)."""
    from tradepolicy.tariffs.country_actions import in_lists

    lists = country_action_lists()
    codes = _parsed_source_cached(source_id)[0]
    out = np.array([(not scope or in_lists(c, scope, lists) is not None)
                    and (not exempt or in_lists(c, exempt, lists) is None) for c in codes], dtype=bool)
    out.setflags(write=False)
    return out


@cached(maxsize=3)
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
                lapsed_claimed: Sequence[str] = (), metal_share: float | None = None) -> BatchCells:
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
    granted = granted_key()
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
    # General Note 4(d) exclusions bar a beneficiary from GSP on an A* line, on every source
    # (the list is the 2017 database's; a later edition's line still marked A* keeps it)
    excl = gsp_exclusions(d, sid) if m["stacking"]["rules"].get("gsp_country_exclusions", {}).get("value") else {}
    sym_idx = {x: i for i, x in enumerate(symbols)}
    excl_line = _excl_lines(sid) if excl else np.zeros(len(codes), dtype=bool)
    for k, pat in enumerate(patterns):
        cols = np.flatnonzero(pat)
        if cols.size == 0:
            continue
        rows = np.flatnonzero(cell_pat == k)
        if rows.size == 0:
            continue
        P = pref[li[rows]][:, cols]
        if excl:
            for r in np.flatnonzero(excl_line[li[rows]]):  # only cells whose line has exclusions
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
                add301[sel] = _s301_vector(sid, d, o, granted)[li[sel]]
    add232 = np.zeros(ncell)
    cover232 = np.zeros(ncell)  # share of the value the s.232 duty taxes (1 full, <1 metal content)
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
        line_of = _line_pos(sid)

        def _rate232(u: int) -> tuple[float, float]:
            rep = reps[int(u // (len(orig) + 1))]
            j = int(u % (len(orig) + 1))
            b0 = col1[line_of[rep]]
            duties = section232_duties(
                rep, orig[j], d, m["section232"], prods, metal_share=metal_share, annex=s232_annex(rep),
                base_ave=None if np.isnan(b0) else float(b0), column2=bool(col2_origin[j]))[0]
            return sum(x.rate for x in duties), covered_share(duties)

        vals = np.array([_rate232(int(u)) for u in uniq]).reshape(-1, 2)
        flat_inv = np.asarray(inv).reshape(-1)
        add232[has_g] = vals[flat_inv, 0]
        cover232[has_g] = vals[flat_inv, 1]
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
    from tradepolicy.tariffs.country_actions import action_rate, aggregate_applies

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
        if not aggregate_applies(a, d):
            continue
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
        layer = np.where(e232 & (cover232 > 0), layer * (1.0 - cover232), layer)
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
                   lapsed_claimed: Sequence[str] = (), metal_share: float | None = None) -> BatchMatrices:
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
    granted = granted_key()
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
        add301[:, o_j] = _s301_vector(sid, d, o, granted)
    add232 = np.zeros((n, k))
    cover232 = np.zeros((n, k))  # share of the value the s.232 duty taxes
    prods = s232_products()
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, c in enumerate(codes):
        key = _s232_key(c, prods)
        if key:
            groups.setdefault(key, []).append(i)
    for rows in groups.values():
        rep = codes[rows[0]]
        b0 = None if np.isnan(col1[rows[0]]) else float(col1[rows[0]])
        per = [section232_duties(rep, o, d, m["section232"], prods, metal_share=metal_share,
                                 annex=s232_annex(rep), base_ave=b0, column2=bool(col2_origin[j]))[0]
               for j, o in enumerate(orig)]
        rates = np.array([sum(x.rate for x in du) for du in per])
        add232[np.array(rows)[:, None], np.arange(k)[None, :]] = rates[None, :]
        cover232[np.array(rows)[:, None], np.arange(k)[None, :]] = np.array([covered_share(du) for du in per])[None, :]
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
    if m["stacking"]["rules"].get("gsp_country_exclusions", {}).get("value"):
        excl = gsp_exclusions(d, sid)
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
                                   mfn=col1, has_232=cover232,
                                   usmca_cells=offers[:, None] & usmca_origin[None, :])
    if layers:
        extra = sum(layers.values())
        res = _replace(res, total=res.total + extra, other=layers, conditional=cond)
    return BatchMatrices(d, sid, list(codes), orig, list(symbols), res)


def batch(date: dt.date | str, out: Path | str, origin_list: Sequence[str] | None = None) -> BatchSummary:
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
    review = section301_cfg().get("four_year_review", {})
    if ("CHN" in set(frame["origin"].cat.categories) and "understate_from" in review
            and d >= as_date(review["understate_from"])):
        notes.append(str(review["understate_note"]))
    notes += granted_notes(d, granted_key(), list(frame["origin"].cat.categories),
                           list(frame["hts"].cat.categories))
    if "CHN" in set(frame["origin"].cat.categories):
        from tradepolicy.services.tariffs.measures import s301_note_exclusion_note

        excl = s301_note_exclusion_note(d, [str(c) for c in frame["hts"].cat.categories])
        if excl:
            notes.append(excl)
    return BatchSummary(out=str(out), rows=len(frame), lines=int(frame["hts"].nunique()),
                        origins=int(frame["origin"].nunique()), date=d.isoformat(),
                        source=source(pick_source(d)).label,
                        mean_total_ave=float(np.nanmean(frame["total"].to_numpy())), notes=notes)
