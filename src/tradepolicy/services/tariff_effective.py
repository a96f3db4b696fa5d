"""Effective tariff rates of a file of imports: predicted duty by partner, chapter and authority.

``tariff effective --imports FILE --date D | --from D1 --to D2 --step month`` reads either
the Census layout of ``us-customs-duties`` (``cty_code, hts10, con_val_*[, cal_dut_*]``) or a
plain CSV (``hts10, partner, value[, duties]``), stacks every HTS10 x partner with the batch
engine on each date, weights by value and, when the file has observed duties, sets the
prediction beside them. A preference is claimed on the share of value the utilisation
assumption says (``tariffs/measures/utilisation.yaml``; default ``published``).

Codes of a mid-year HTS revision that the loaded edition does not have are mapped to their
parent line (the first statistical line of the same HTS8, else of the same HS6) and
counted; a base rate the batch cannot state (a specific rate with no 2017 AVE) takes the
USITC 2017 AVE of lines with the same rate text, else the value bracket its line states, else a
reference unit value (a published price of the product for the year of the date, by HS prefix
and unit; else a unit-only value such as US$ per barrel), else the mean AVE of the statable lines of its HTS8; what is still not statable counts as no duty
and its value share is reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradepolicy.errors import InputError, NotFoundError
from tradepolicy.services import tariffs as svc
from tradepolicy.tariffs.dated_measures import as_date

# --------------------------------------------------------------------------- granted exclusions hook


def _granted_in_force(d: dt.date) -> tuple[Any, ...]:
    """Return the granted Section 301 exclusion windows in force on ``d`` (a memo key part)."""
    from tradepolicy.services.tariffs.batch import granted_key

    return tuple((c, w) for c, ws in granted_key() for w in ws if w.start <= d <= w.end)


def _partial_exclusion_notes(d: dt.date, last: pd.DataFrame, total: float) -> list[str]:
    """Return a note per country action whose narrower exclusion the aggregate applies on ``d``.

    E.g. the bifacial solar panels of Section 201 (heading 9903.45.29): the exclusion is taken
    for the whole line; the note gives the value of the file's rows on the action's lines from
    the partners the action reaches (the value the exclusion spares in the figures).
    """
    from tradepolicy.tariffs.country_actions import action_rate, in_lists, partial_exclusion

    cfg = svc.country_actions_cfg()
    eu = frozenset(cfg.get("eu_members") or ())
    lists = svc.country_action_lists()
    out: list[str] = []
    for a in cfg["actions"].values():
        px = partial_exclusion(a, d)
        prods = (a.get("products") or {}).get("lists")
        if px is None or not prods:
            continue
        codes = {c for c in last["hts10"].astype(str).unique() if in_lists(c, prods, lists) is not None}
        partners = {p for p in last["partner"].astype(str).unique() if action_rate(a, p, d, eu) is not None}
        on = last["hts10"].astype(str).isin(codes) & last["partner"].astype(str).isin(partners)
        val = float(last.loc[on, "value"].sum())
        if val > 0:
            out.append(f"{a['authority']} (heading {a['heading']}) not applied on {d.isoformat()}: its exclusion of "
                       f"{px['description']} ({px['heading']}, {px['from']} to {px['to']}) is taken for the whole "
                       f"line in aggregate work; those lines from the partners it reaches carry US${val:,.0f}, "
                       f"{val / total if total else 0:.2%} of the value ({px['citation']}).")
    return out


def _granted_exclusion_notes(dates: list[dt.date], *, partners: list[str]) -> list[str]:
    """Return a note per granted exclusion in force on any of ``dates`` (line, window, docket and decision)."""
    from tradepolicy.services.tariffs.batch import granted_key, granted_notes

    g = granted_key()
    if not g:
        return []
    return list(dict.fromkeys(n for d in dates for n in granted_notes(d, g, partners, svc.batch_lines(d)[1])))

MAX_ROWS = 2_000_000
# Cell stacks by (state key, partners, lapsed programmes, cells): dates whose measures are the
# same share one.
_BATCHES: dict[tuple[Any, ...], Any] = {}
_INDEX: dict[tuple[Any, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
svc.CACHE.register_dict("tariff_effective.cells", _BATCHES)
svc.CACHE.register_dict("tariff_effective.line_index", _INDEX)
MAX_DATES = 400
PLAIN_COLUMNS = ("hts10", "partner", "value")
UTILISATION_MODES = ("published", "all", "none")
AUTHORITIES = ("base", "preference", "section301", "section232")


@dataclass(frozen=True)
class EffectiveResult:
    """Predicted (and observed) duty of a file of imports on one or more dates.

    ``by_partner`` / ``by_chapter`` / ``by_authority`` / ``by_date``: records of value,
    predicted duty and rate (and observed duty and rate when the file has duties).
    ``coverage``: value shares matched exactly, mapped to a parent line, with an imputed
    AVE, and with no stack. ``lines``: the line-level frame (one date) for CSV/Parquet.
    """

    dates: list[str]
    utilisation: str
    basis: str
    layout: str
    rows: int
    total_value: float
    predicted_duty: float
    predicted_rate: float
    observed_duty: float | None
    observed_rate: float | None
    coverage: dict[str, float]
    by_partner: list[dict[str, Any]]
    by_chapter: list[dict[str, Any]]
    by_authority: list[dict[str, Any]]
    by_date: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)
    lines: pd.DataFrame | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (without the line-level frame)."""
        return {k: v for k, v in self.__dict__.items() if k != "lines"}


# --- reading ------------------------------------------------------------------------------------


def read_imports(path: Path | str) -> tuple[pd.DataFrame, str]:
    """Return (frame with ``hts10, partner, value[, duties]``, layout) from a CSV/CSV.gz/Parquet."""
    p = Path(path)
    if not p.exists():
        raise NotFoundError(f"Imports file {str(p)!r} does not exist.", where=str(p), field="imports",
                            expected="a CSV (hts10,partner,value[,duties]) or the Census layout",
                            example="imports.csv")
    try:
        raw = pd.read_parquet(p) if p.suffix == ".parquet" else pd.read_csv(p, dtype=str, nrows=MAX_ROWS + 1)
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise InputError(f"Cannot read the imports file: {exc}", where=str(p), field="imports",
                         expected="a CSV or Parquet file", example="imports.csv") from None
    return normalise_imports(raw, where=str(p))


def normalise_imports(raw: pd.DataFrame, *, where: str = "imports") -> tuple[pd.DataFrame, str]:
    """Return the imports in the plain layout and the name of the layout detected."""
    if len(raw) > MAX_ROWS:
        raise InputError(f"The imports file has more than {MAX_ROWS:,} rows.", where=where, field="rows",
                         expected=f"at most {MAX_ROWS:,} rows", example="aggregate to HTS10 x partner")
    cols = {c.strip().lower(): c for c in raw.columns}
    val = [c for c in cols if c.startswith("con_val")]
    if "cty_code" in cols and "hts10" in cols and val:
        from tradepolicy.datasets.readers.section232 import read_census_iso3

        census = read_census_iso3()
        dut = [c for c in cols if c.startswith("cal_dut")]
        df = pd.DataFrame({"hts10": raw[cols["hts10"]].astype(str).str.zfill(10),
                           "cty_code": raw[cols["cty_code"]].astype(str).str.zfill(4),
                           "value": pd.to_numeric(raw[cols[val[0]]], errors="coerce")})
        if dut:
            df["duties"] = pd.to_numeric(raw[cols[dut[0]]], errors="coerce")
        df = df[df["cty_code"] != "0003"]  # the EU aggregate: never added to its members
        df["partner"] = df["cty_code"].map(census)
        bad = df["partner"].isna()
        if bad.any():
            raise InputError(f"{int(bad.sum())} rows have a Census country code with no ISO3 code.",
                             where=where, field="cty_code", expected="a Census 4-digit country code",
                             example="5520 (Vietnam)",
                             details={"unknown": sorted(df.loc[bad, "cty_code"].unique())[:10]})
        layout = "census"
    elif all(c in cols for c in PLAIN_COLUMNS):
        df = pd.DataFrame({"hts10": raw[cols["hts10"]].astype(str).str.replace(".", "", regex=False),
                           "partner": raw[cols["partner"]].astype(str).str.strip().str.upper(),
                           "value": pd.to_numeric(raw[cols["value"]], errors="coerce")})
        if "duties" in cols:
            df["duties"] = pd.to_numeric(raw[cols["duties"]], errors="coerce")
        known = set(svc.origins())
        bad = ~df["partner"].isin(known)
        if bad.any():
            first = sorted(df.loc[bad, "partner"].unique())[:5]
            import difflib

            near = {x: difflib.get_close_matches(x, list(known), n=3) for x in first}
            raise InputError(f"Unknown partner codes: {', '.join(first)}.", where=where, field="partner",
                             expected="ISO 3166-1 alpha-3 codes", example="VNM",
                             details={"nearest": near})
        layout = "plain"
    else:
        raise InputError(
            f"Unknown columns {list(raw.columns)[:12]}.", where=where, field="columns",
            expected="hts10,partner,value[,duties] (plain) or cty_code,hts10,con_val_YYYY_usd"
                     "[,cal_dut_YYYY_usd] (Census / us-customs-duties)",
            example="hts10,partner,value,duties", details={"nearest": list(PLAIN_COLUMNS)})
    bad_code = ~df["hts10"].str.fullmatch(r"\d{10}")
    if bad_code.any():
        row = int(np.flatnonzero(bad_code.to_numpy())[0])
        raise InputError(f"HTS10 {df['hts10'].iloc[row]!r} is not ten digits.", where=f"{where}, row {row + 2}",
                         field="hts10", expected="ten digits, leading zeros kept", example="8471300100")
    if df["value"].isna().any() or (df["value"] < 0).any():
        row = int(np.flatnonzero((df["value"].isna() | (df["value"] < 0)).to_numpy())[0])
        raise InputError("A value is missing or negative.", where=f"{where}, row {row + 2}", field="value",
                         expected="customs value in US$, >= 0", example="125000")
    keep = ["hts10", "partner", "value"] + (["duties"] if "duties" in df else [])
    return df[keep].reset_index(drop=True), layout


# --- utilisation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LapsedShare:
    """The published share of a lapsed programme's eligible value that kept claiming it."""

    programme: str
    symbols: tuple[str, ...]
    rate: float
    by_partner: tuple[tuple[str, float], ...] = ()


def lapsed_utilisation(on: dt.date, lapsed: Sequence[str]) -> list[LapsedShare]:
    """Return (programme, symbols, default rate, rate by partner) of lapsed programmes claimed on ``on``.

    The ``published`` share of the eligible value that kept claiming a programme after it
    lapsed (``utilisation.yaml`` ``lapsed_utilisation``), for the programmes of ``lapsed``
    (the census basis) whose ``to`` date (``preferences.yaml``) is before ``on``.
    """
    lu = svc.measures()["utilisation"].get("lapsed_utilisation")
    if not lu or not lapsed:
        return []
    progs = svc.measures()["preferences"]["programs"]
    out = []
    for pid in lu["programmes"]:
        p = progs.get(pid)
        if pid not in lapsed or p is None or p.get("to") is None or on <= as_date(p["to"]):
            continue
        by = tuple((str(r["partner"]), float(r["rate"])) for r in lu.get("rates") or () if r["programme"] == pid)
        out.append(LapsedShare(pid, tuple(str(x) for x in p["symbols"]), float(lu["default_rate"]), by))
    return out


def utilisation_matrix(mode: str | Path, origins: list[str], symbols: list[str], *,
                       lapsed_on: dt.date | None = None, lapsed: Sequence[str] = ()) -> tuple[np.ndarray, str]:
    """Return (origins x symbols utilisation rates, description) for a mode or a CSV file.

    In the ``published`` mode, a programme of ``lapsed`` (claims of a lapsed programme
    recorded at its special rate: the census basis) that has lapsed by ``lapsed_on`` is
    claimed on the published share of :func:`lapsed_utilisation`; ``all``, ``none`` and a
    user file are used as given.

    >>> u, desc = utilisation_matrix("published", ["KHM"], ["A+"], lapsed_on=dt.date(2024, 7, 1),
    ...                              lapsed=("gsp", "gsp_ldbdc"))
    >>> float(u[0, 0]), "lapse" in desc
    (0.871, True)
    >>> float(utilisation_matrix("published", ["KHM"], ["A+"], lapsed_on=dt.date(2020, 7, 1),
    ...                          lapsed=("gsp", "gsp_ldbdc"))[0][0, 0])
    1.0
    """
    cfg = svc.measures()["utilisation"]
    u = np.ones((len(origins), len(symbols)))
    if str(mode) == "all":
        return u, "all claim"
    if str(mode) == "none":
        return np.zeros_like(u), "none claim"
    pos_o = {o: i for i, o in enumerate(origins)}
    pos_s = {s: i for i, s in enumerate(symbols)}
    if str(mode) == "published":
        pub = cfg["published"]
        u[:] = float(pub["default_rate"])
        for r in pub["rates"]:
            if r["partner"] in pos_o:
                for sym in r["symbols"]:
                    if sym in pos_s:
                        u[pos_o[r["partner"]], pos_s[sym]] = float(r["rate"])
        desc = "published (tariffs/measures/utilisation.yaml)"
        for share in (lapsed_utilisation(lapsed_on, lapsed) if lapsed_on is not None else []):
            cols = [pos_s[x] for x in share.symbols if x in pos_s]
            if cols:
                u[:, cols] = share.rate
                for partner, r in share.by_partner:
                    if partner in pos_o:
                        u[pos_o[partner], cols] = r
            desc += f"; {share.programme} claims after its lapse: {share.rate:.1%} of the eligible value"
        return u, desc
    p = Path(str(mode))
    if not p.exists() or p.suffix != ".csv":
        raise InputError(f"Unknown utilisation {str(mode)!r}.", field="utilisation",
                         expected=" | ".join(UTILISATION_MODES) + " | a CSV file partner,programme,rate",
                         example="published")
    df = pd.read_csv(p, dtype=str)
    if list(df.columns)[:3] != ["partner", "programme", "rate"]:
        raise InputError("A utilisation CSV has the columns partner,programme,rate.", where=str(p),
                         field="columns", expected="partner,programme,rate (programme: a symbol or *)",
                         example="MEX,S,0.85")
    for i, (partner, programme, raw_rate) in enumerate(zip(df["partner"].astype(str), df["programme"].astype(str),
                                                           df["rate"].astype(str), strict=True)):
        try:
            rate = float(raw_rate)
        except ValueError:
            rate = -1.0
        if not 0.0 <= rate <= 1.0:
            raise InputError(f"Utilisation {raw_rate!r} is not a share.", where=f"{p}, row {i + 2}",
                             field="rate", expected="a decimal from 0 to 1", example="0.85")
        rows = [pos_o[partner]] if partner in pos_o else ([] if partner != "*" else list(range(len(origins))))
        cols = list(range(len(symbols))) if programme == "*" else ([pos_s[programme]] if programme in pos_s else [])
        for a in rows:
            for b in cols:
                u[a, b] = rate
    return u, f"user file {p.name}"


# --- the computation ------------------------------------------------------------------------------


def _line_index(codes: list[str], wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (index into ``codes`` or -1, kind 0 exact / 1 HTS8 parent / 2 HS6 parent / 3 none)."""
    pos = {c: i for i, c in enumerate(codes)}
    by8: dict[str, int] = {}
    by6: dict[str, int] = {}
    for i, c in enumerate(codes):
        by8.setdefault(c[:8], i)
        by6.setdefault(c[:6], i)
    uniq, inv = np.unique(np.asarray(wanted, dtype=str), return_inverse=True)
    u_idx = np.full(len(uniq), -1, dtype=np.int64)
    u_kind = np.full(len(uniq), 3, dtype=np.int8)
    for k, w in enumerate(uniq):
        if w in pos:
            u_idx[k], u_kind[k] = pos[w], 0
        elif w[:8] in pos:  # an HTS8 schedule (the 2017 database): the HTS8 line is the line
            u_idx[k], u_kind[k] = pos[w[:8]], 0
        elif w[:8] in by8:
            u_idx[k], u_kind[k] = by8[w[:8]], 1
        elif w[:6] in by6:
            u_idx[k], u_kind[k] = by6[w[:6]], 2
    inv = np.asarray(inv).reshape(-1)
    return u_idx[inv], u_kind[inv]


def _fingerprint(i: np.ndarray, oj: np.ndarray) -> tuple[int, int]:
    """Return a cheap fingerprint of the cells (their count and a hash of their indices)."""
    return len(i), hash(i.tobytes()) ^ hash(oj.tobytes())


_LINE_BASE: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}
svc.CACHE.register_dict("tariff_effective.line_base", _LINE_BASE)


def _line_base(source_id: str, codes: list[str], year: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (column 1 AVE per line with the aggregate fallbacks, imputed-from-siblings flag).

    ``year``: the year of the date, whose reference prices convert specific rates.
    """
    key = (source_id, int(year))
    if key in _LINE_BASE:
        return _LINE_BASE[key]
    col1 = svc._parsed_source_cached(source_id)[1].copy()
    fb = svc.specific_ave_fallback(source_id, year)
    for k, c in enumerate(codes):
        if np.isnan(col1[k]) and c in fb:
            col1[k] = fb[c]
    filled, imputed = _impute_base(codes, col1[:, None])
    _LINE_BASE[key] = (filled[:, 0], imputed[:, 0])
    return _LINE_BASE[key]


def _impute_base(codes: list[str], base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill NaN base AVEs (lines x origins) with the mean of the statable lines of the same HTS8."""
    out = base.copy()
    imputed = np.zeros(base.shape, dtype=bool)
    nan_rows = np.flatnonzero(np.isnan(base).any(axis=1))
    if nan_rows.size == 0:
        return out, imputed
    s = pd.Series(codes)
    for n in (8,):  # siblings of one HTS8 share the rate text; wider groups mix ad valorem lines
        key = s.str[:n].to_numpy()
        frame = pd.DataFrame(out, copy=False)
        means = frame.groupby(key).mean()  # NaN-skipping means by prefix
        rows = np.flatnonzero(np.isnan(out).any(axis=1))
        if rows.size == 0:
            break
        fill = means.reindex(key[rows]).to_numpy()
        sub = out[rows]
        hole = np.isnan(sub) & ~np.isnan(fill)
        sub[hole] = fill[hole]
        out[rows] = sub
        imp = imputed[rows]
        imp[hole] = True
        imputed[rows] = imp
    return out, imputed


def slug(authority: str) -> str:
    """Return a column-safe name of an authority: ``IEEPA (reciprocal)`` -> ``ieepa_reciprocal``."""
    import re

    return re.sub(r"[^0-9a-z]+", "_", authority.lower()).strip("_")


def duty_columns(df: pd.DataFrame) -> list[str]:
    """Return the ``duty_<authority>`` columns of a line frame, in order."""
    return [c for c in df.columns if c.startswith("duty_")]


def effective_on(imports: pd.DataFrame, date: dt.date | str, *, utilisation: str | Path = "published",
                 basis: str = "legal", orders: list[Any] | None = None, lean: bool = False,
                 metal_share: float | None = None) -> Any:
    """Return the line-level predicted duty of ``imports`` on one date.

    Columns added: ``line`` (the HTS10 of the edition used), ``match`` (exact / hts8_parent /
    hs6_parent / none), ``imputed`` (bool), ``base``, ``applied``, ``utilisation``, ``rate``
    and ``duty_<authority>`` (US$) for base, preference (negative), section301, section232
    and each 2025-2026 action (``ieepa_reciprocal``, ``section_122``, ...; a USMCA-exempt action
    is paid on the share of value that does not claim USMCA). ``lean``: return only the
    sums of the date (a dict: value, predicted duty and rate, duty by authority).
    """
    partners = sorted(imports["partner"].unique())
    lapsed = svc.measures()["utilisation"]["lapsed_claims"]["programmes"] if basis == "census" else ()
    d0 = svc.check_date(date)[0]
    sid, codes = svc.batch_lines(d0)
    pos_o = {o: j for j, o in enumerate(partners)}
    ikey = (sid, id(imports), len(imports))
    if ikey not in _INDEX:
        _INDEX.clear()
        _INDEX[ikey] = (*_line_index(codes, imports["hts10"].to_numpy()),
                        imports["partner"].map(pos_o).to_numpy().astype(np.int64))
    li, kind, oj = _INDEX[ikey]
    ok = li >= 0
    i = np.where(ok, li, 0)
    # granted Section 301 exclusions (coordination) are part of the state: the batch applies them
    key = (svc.state_key(d0), tuple(partners), tuple(lapsed), _fingerprint(i, oj), _granted_in_force(d0),
           metal_share)
    res = _BATCHES.get(key)
    if res is None:
        res = svc.batch_cells(d0, partners, i, oj, lapsed_claimed=lapsed, metal_share=metal_share)
        _BATCHES[key] = res
        while len(_BATCHES) > 8:
            _BATCHES.pop(next(iter(_BATCHES)))
    col1_filled, imputed_line = _line_base(sid, codes, d0.year)
    b = np.where(np.isnan(res.base) & ~res.column2, col1_filled[i], res.base)
    imputed = np.isnan(res.base) & ~np.isnan(b) & imputed_line[i]
    a = np.where(np.isnan(res.applied), b, np.fmin(res.applied, b))
    b = np.where(ok, b, np.nan)
    a = np.where(ok, a, np.nan)
    u, _ = utilisation_matrix(utilisation, partners, res.symbols, lapsed_on=d0, lapsed=lapsed)
    sym = res.pref_sym
    uu = np.where(sym >= 0, u[oj, np.maximum(sym, 0)], 1.0)
    us = [res.symbols.index(x) for x in svc.USMCA_SYMBOLS if x in res.symbols]
    u_usmca = u[oj][:, us].min(axis=1) if us else np.ones(len(oj))
    v = imports["value"].to_numpy(dtype=float)
    duties: dict[str, np.ndarray] = {
        "duty_base": np.nan_to_num(b * v),
        "duty_preference": np.nan_to_num(-uu * (b - a) * v),
        "duty_section301": np.where(ok, res.add301, 0.0) * v,
        "duty_section232": np.where(ok, res.add232, 0.0) * v,
    }
    for auth, layer in res.other.items():
        d = np.where(ok, layer, 0.0)
        c = res.conditional.get(auth)
        if c is not None:  # what the share not claiming USMCA pays
            d = d + np.where(ok, (1.0 - u_usmca) * c, 0.0)
        duties[f"duty_{slug(auth)}"] = d * v
    total = np.sum(list(duties.values()), axis=0)
    if lean:  # sums only (the dates before the last of a range)
        vs = float(v.sum())
        rec: dict[str, Any] = {"date": d0.isoformat(), "source": sid, "value": vs,
                               "predicted_duty": float(total.sum()),
                               "predicted_rate": float(total.sum()) / vs if vs else None}
        rec.update({k: float(x.sum()) for k, x in duties.items()})
        return rec
    methods = svc.specific_ave_methods(sid, d0.year)
    meth = np.array([methods.get(c, "") for c in codes], dtype=object)[i]
    refs = svc.specific_ave_references(sid, d0.year)
    ref_label = np.array([refs[c].label() if c in refs else "" for c in codes], dtype=object)[i]
    cols: dict[str, Any] = {
        "line": pd.Series(np.asarray(codes, dtype=object)[i]).where(ok, None).to_numpy(),
        "match": np.array(["exact", "hts8_parent", "hs6_parent", "none"])[kind],
        "imputed": np.where(ok, imputed, False),
        "ave_method": np.where(ok & np.isnan(res.base) & ~res.column2 & ~imputed, meth, ""),
        "ave_reference": np.where(ok & np.isnan(res.base) & ~res.column2 & ~imputed, ref_label, ""),
        "base": b, "applied": a, "utilisation": uu,
        **duties, "duty": total, "rate": np.where(v > 0, total / np.where(v > 0, v, 1), np.nan),
        "adcvd_flag": np.where(ok, res.adcvd, False),
    }
    if orders is not None:  # AD/CVD cash deposits (all-others / country-wide): beside the duty, not in it
        memo: dict[tuple[str, str], float] = {}
        dep = np.zeros(len(v))
        for k, (code, partner) in enumerate(zip(imports["hts10"], imports["partner"], strict=True)):
            cell = (str(code), str(partner))
            if cell not in memo:
                memo[cell] = sum(x.rate for x in svc.deposits_for(orders, cell[0], cell[1], d0))
            dep[k] = memo[cell]
        cols["deposit_rate"] = dep
        cols["deposits"] = dep * v
    cols["date"] = d0.isoformat()
    cols["source"] = sid
    return pd.concat([imports.reset_index(drop=True), pd.DataFrame(cols)], axis=1)


def _check_measure_date(d: dt.date, field: str) -> dt.date:
    """Refuse a date before the measures are encoded (``sources.yaml`` ``measures_from``)."""
    first = as_date(svc.measures()["sources"]["measures_from"])
    if d < first:
        raise InputError(f"Date {d.isoformat()} is before the measures are encoded ({first.isoformat()}).",
                         field=field, expected=f"a date from {first.isoformat()} to today",
                         example=first.isoformat(), details={"nearest": [first.isoformat()]})
    return d


def _dates(date: str | None, start: str | None, end: str | None, step: str) -> list[dt.date]:
    if date and (start or end):
        raise InputError("Give --date, or --from and --to, not both.", field="date",
                         expected="--date D | --from D1 --to D2 [--step month]", example="--date 2024-07-01")
    if date:
        return [_check_measure_date(svc.check_date(date)[0], "date")]
    if not (start and end):
        raise InputError("Give --date, or both --from and --to.", field="date",
                         expected="--date D | --from D1 --to D2", example="--from 2024-01-01 --to 2024-12-01")
    s = _check_measure_date(svc.check_date(start)[0], "from")
    e, _ = svc.check_date(end)
    if e < s:
        raise InputError("--to is before --from.", field="to", expected=f"a date on or after {s}",
                         example=str(s))
    steps = {"month": 1, "quarter": 3, "year": 12, "day": 0}
    if step not in steps:
        raise InputError(f"Unknown step {step!r}.", field="step", expected=" | ".join(steps), example="month")
    out: list[dt.date] = []
    cur = s
    while cur <= e:
        out.append(cur)
        if step == "day":
            cur = cur + dt.timedelta(days=1)
        else:
            mth = cur.month - 1 + steps[step]
            cur = dt.date(cur.year + mth // 12, mth % 12 + 1, min(cur.day, 28))
        if len(out) > MAX_DATES:
            raise InputError(f"More than {MAX_DATES} dates.", field="step", expected="a shorter range or a longer step",
                             example="--step month")
    return out


def _summary(df: pd.DataFrame, key: str | list[str], observed: bool) -> list[dict[str, Any]]:
    agg = {"value": ("value", "sum"), "predicted_duty": ("duty", "sum")}
    if observed:
        agg["observed_duty"] = ("duties", "sum")
    g = df.groupby(key, observed=True).agg(**agg).reset_index()  # type: ignore[call-overload]
    g["predicted_rate"] = g["predicted_duty"] / g["value"].where(g["value"] > 0)
    if observed:
        g["observed_rate"] = g["observed_duty"] / g["value"].where(g["value"] > 0)
        g["difference_pp"] = 100 * (g["predicted_rate"] - g["observed_rate"])
    g = g.sort_values("value", ascending=False)
    return [{str(k): (None if isinstance(x, float) and np.isnan(x) else x) for k, x in r.items()}
            for r in g.to_dict("records")]


def effective(imports: pd.DataFrame, *, layout: str = "plain", date: str | None = None,
              start: str | None = None, end: str | None = None, step: str = "month",
              utilisation: str | Path = "published", basis: str | None = None,
              orders: list[Any] | None = None, metal_share: float | None = None) -> EffectiveResult:
    """Return the effective tariff rates of ``imports`` on a date or over a range of dates.

    ``basis``: ``legal`` (duty owed, lapsed programmes not claimable) or ``census`` (claims of
    a lapsed programme recorded at its special rate, as Census calculated duty does); the
    default depends on the layout (``utilisation.yaml`` ``lapsed_claims.default_basis``).
    ``metal_share``: the metal content share of 2025 derivatives taxed on it (2025-03-12 to
    2026-04-05; None: the stated default of ``section232.yaml`` ``metal_content``).
    """
    if metal_share is not None and not 0.0 <= float(metal_share) <= 1.0:
        raise InputError(f"Metal share {metal_share!r} is not a share.", field="metal_share",
                         expected="a decimal from 0 to 1", example="0.4")
    if basis is None:
        basis = str(svc.measures()["utilisation"]["lapsed_claims"]["default_basis"].get(layout, "legal"))
    if basis not in ("legal", "census"):
        raise InputError(f"Unknown basis {basis!r}.", field="basis", expected="legal | census", example="legal")
    if str(utilisation) not in UTILISATION_MODES and not Path(str(utilisation)).suffix == ".csv":
        raise InputError(f"Unknown utilisation {str(utilisation)!r}.", field="utilisation",
                         expected=" | ".join(UTILISATION_MODES) + " | a CSV file", example="published")
    dates = _dates(date, start, end, step)
    observed = "duties" in imports.columns
    by_date = [effective_on(imports, d, utilisation=utilisation, basis=basis, orders=orders, lean=True,
                            metal_share=metal_share) for d in dates[:-1]]
    last = effective_on(imports, dates[-1], utilisation=utilisation, basis=basis, orders=orders,
                        metal_share=metal_share)
    v_last = float(last["value"].sum())
    rec: dict[str, Any] = {"date": dates[-1].isoformat(), "source": str(last["source"].iloc[0]), "value": v_last,
                           "predicted_duty": float(last["duty"].sum()),
                           "predicted_rate": float(last["duty"].sum()) / v_last if v_last else None}
    rec.update({col: float(last[col].sum()) for col in duty_columns(last)})
    by_date.append(rec)
    v = float(last["value"].sum())

    def share(mask: pd.Series) -> float:
        return float(last.loc[mask, "value"].sum()) / v if v else 0.0

    coverage = {"exact": share(last["match"] == "exact"), "hts8_parent": share(last["match"] == "hts8_parent"),
                "hs6_parent": share(last["match"] == "hs6_parent"), "no_stack": share(last["match"] == "none"),
                "imputed_ave": share(last["imputed"]),
                "not_statable": share(last["base"].isna() & (last["match"] != "none")),
                "value_bracket_ave": share(last["ave_method"] == "value_bracket"),
                "reference_unit_value_ave": share(last["ave_method"] == "reference_unit_value"),
                "ad_valorem_part_only": share(last["ave_method"] == "ad_valorem_part")}
    last = last.assign(chapter=last["hts10"].str[:2])
    by_auth = [{"authority": col[5:], "duty": float(last[col].sum()),
                "rate": float(last[col].sum()) / v if v else None} for col in duty_columns(last)]
    notes = _granted_exclusion_notes(dates, partners=sorted(imports["partner"].unique()))
    china = last.loc[last["partner"] == "CHN"]
    if len(china):
        from tradepolicy.services.tariffs.measures import s301_note_exclusion_note

        excl = s301_note_exclusion_note(dates[-1], china["hts10"].astype(str).tolist(),
                                            china.groupby("hts10", observed=True)["value"].sum().to_dict())
        if excl:
            notes.append(excl)
    notes += _partial_exclusion_notes(dates[-1], last, v)
    if "deposits" in last:
        dep = float(last["deposits"].sum())
        by_auth.append({"authority": "adcvd_deposits (beside the duty total, not in it)", "duty": dep,
                        "rate": dep / v if v else None})
        notes.append(f"AD/CVD cash deposits from the orders file (all-others / country-wide rates): "
                     f"US${dep:,.0f}, {dep / v if v else 0:.3%} of the value; a total with deposits would be "
                     f"{(float(last['duty'].sum()) + dep) / v if v else 0:.3%}.")
    else:
        age = svc.adcvd_age_note(dates[-1])
        if age:
            notes.append(age)
    if coverage["hts8_parent"] + coverage["hs6_parent"] > 0:
        notes.append(f"{coverage['hts8_parent'] + coverage['hs6_parent']:.2%} of the value has codes the "
                     "edition in force does not have (later HTS revisions): mapped to the parent line.")
    if coverage["no_stack"] > 0:
        notes.append(f"{coverage['no_stack']:.2%} of the value got no stack (no line of the same HS6).")
    if coverage["imputed_ave"] > 0:
        notes.append(f"{coverage['imputed_ave']:.2%} of the value has a specific base rate with no AVE: "
                     "the mean AVE of the other lines of its HTS8 is used.")
    if coverage["value_bracket_ave"] > 0:
        notes.append(f"{coverage['value_bracket_ave']:.2%} of the value has a specific or compound base rate "
                     "converted at the midpoint of the value bracket its line states (e.g. footwear valued "
                     "over $6.50 but not over $12/pair: 90¢/pr. at $9.25).")
    if coverage["reference_unit_value_ave"] > 0:
        used = last.loc[last["ave_reference"] != ""].groupby("ave_reference")["value"].sum()
        each = "; ".join(f"{lab} ({val / v:.2%} of the value)" for lab, val in used.sort_values(ascending=False).items())
        notes.append(f"{coverage['reference_unit_value_ave']:.2%} of the value has a specific base rate converted "
                     "at a reference unit value (method reference_unit_value; a published price of the product "
                     f"for the year of the date, utilisation.yaml reference_unit_values; aggregate work only): {each}.")
    if coverage["ad_valorem_part_only"] > 0:
        notes.append(f"{coverage['ad_valorem_part_only']:.2%} of the value has a compound base rate with no "
                     "unit value: only its ad valorem part is counted (a lower bound of the duty).")
    if coverage["not_statable"] > 0:
        notes.append(f"{coverage['not_statable']:.2%} of the value has a base rate that cannot be "
                     "stated as an AVE (specific rate, no quantity): counted as no duty.")
    if last["adcvd_flag"].any():
        notes.append(f"{share(last['adcvd_flag'].astype(bool)):.2%} of the value may be under an AD/CVD "
                     "order (flag; deposits not added without an orders file with rates).")
    if observed:
        notes.append("Observed duties (Census calculated duty) exclude AD/CVD deposits.")
    if basis == "census":
        notes.append("Basis census: claims of a lapsed programme (GSP after 2020-12-31) are recorded at "
                     "the special rate, as Census calculated duty records them; the legal duty owed "
                     "is the MFN deposit (basis legal).")
    lapsed_progs = svc.measures()["utilisation"]["lapsed_claims"]["programmes"] if basis == "census" else ()
    _, udesc = utilisation_matrix(utilisation, [], [], lapsed_on=dates[-1], lapsed=lapsed_progs)
    from tradepolicy.tariffs.dated_measures import suspensions_in_force

    progs = svc.measures()["preferences"]["programs"]
    for partner in sorted(imports["partner"].unique()):
        for pid, p in progs.items():
            end = p.get("to")
            claimable = end is None or dates[-1] <= as_date(end) or pid in lapsed_progs
            for x in suspensions_in_force(p, partner, dates[-1]) if claimable else ():
                if x["products"] == "unconfirmed":
                    notes.append(f"{p['name']} is suspended for part of the products of {partner} from "
                                 f"{as_date(x['from']).isoformat()} ({x['reason']}); the product list is not "
                                 "encoded: those lines are stacked with the preference (an underestimate).")
    if str(utilisation) == "published" and lapsed_utilisation(dates[-1], lapsed_progs):
        lu = svc.measures()["utilisation"]["lapsed_utilisation"]
        notes.append(f"Claims of GSP after its 2020-12-31 lapse: {float(lu['default_rate']):.1%} of the eligible "
                     f"value is assumed to claim it (utilisation.yaml lapsed_utilisation, {lu['period']}: "
                     "duties paid on entries claiming GSP against eligible entries not claiming it, "
                     "Coalition for GSP; unconfirmed). Give --utilisation all, none or a file to override.")
    obs_duty = float(last["duties"].sum()) if observed else None
    return EffectiveResult(
        dates=[d.isoformat() for d in dates], utilisation=udesc, basis=basis, layout=layout, rows=len(imports),
        total_value=v, predicted_duty=float(last["duty"].sum()),
        predicted_rate=float(last["duty"].sum()) / v if v else 0.0,
        observed_duty=obs_duty, observed_rate=(obs_duty / v if obs_duty is not None and v else None),
        coverage=coverage, by_partner=_summary(last, "partner", observed),
        by_chapter=_summary(last, "chapter", observed), by_authority=by_auth, by_date=by_date,
        notes=notes, lines=last,
    )


# --- outputs ---------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_cells(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with text cells that start like a spreadsheet formula prefixed by a quote."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = [f"'{x}" if isinstance(x, str) and x.startswith(_FORMULA_START) else x for x in out[c]]
    return out


def _write(df: pd.DataFrame, path: Path | str, what: str) -> None:
    p = Path(path)
    if p.suffix not in (".csv", ".parquet"):
        raise InputError(f"{what} {str(p)!r} is not a .csv or .parquet file.", field=what,
                         expected="a path ending in .csv or .parquet", example="effective.csv")
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(p.suffix + ".tmp")
    if p.suffix == ".csv":
        _safe_cells(df).to_csv(tmp, index=False)
    else:
        df.to_parquet(tmp, index=False)
    tmp.replace(p)


def tables_frame(res: EffectiveResult) -> pd.DataFrame:
    """Return one long table: ``table`` (date / partner / chapter / authority), ``key`` and figures."""
    parts = []
    for name, rows, key in (("date", res.by_date, "date"), ("partner", res.by_partner, "partner"),
                            ("chapter", res.by_chapter, "chapter"), ("authority", res.by_authority, "authority")):
        df = pd.DataFrame(rows)
        if df.empty:
            continue
        df = df.rename(columns={key: "key", "duty": "predicted_duty", "rate": "predicted_rate"})
        df.insert(0, "table", name)
        parts.append(df)
    return pd.concat(parts, ignore_index=True)


def write_tables(res: EffectiveResult, path: Path | str) -> None:
    """Write the tables of ``res`` (see :func:`tables_frame`) to CSV or Parquet."""
    _write(tables_frame(res), path, "out")


def write_lines(res: EffectiveResult, path: Path | str) -> None:
    """Write the line-level prediction of the last date to CSV or Parquet."""
    assert res.lines is not None
    _write(res.lines, path, "lines_out")


def write_chart(res: EffectiveResult, path: Path | str) -> None:
    """Write a PNG line chart of the predicted (and observed) rate over the dates."""
    p = Path(path)
    if p.suffix != ".png":
        raise InputError(f"Chart {str(p)!r} is not a .png file.", field="chart", expected="a .png path",
                         example="effective.png")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.5))
    xs = pd.to_datetime([r["date"] for r in res.by_date])
    ax.plot(xs, [100 * (r["predicted_rate"] or 0) for r in res.by_date], marker="o", label="predicted")
    if res.observed_rate is not None:
        ax.axhline(100 * res.observed_rate, color="grey", linestyle="--", label="observed (file)")
    ax.set_ylabel("duty / value, %")
    ax.set_title("Effective tariff rate")
    ax.legend()
    fig.tight_layout()
    p.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(p, dpi=100)
    plt.close(fig)


_CENSUS_CACHE: dict[tuple[str, str, str | None], EffectiveResult] = {}
svc.CACHE.register_dict("tariff_effective.census_2024", _CENSUS_CACHE)


def census_2024(date: str = "2024-07-01", *, utilisation: str = "published",
                basis: str | None = None) -> EffectiveResult:
    """Return the effective rates of the registered 2024 Census imports file (us-customs-duties).

    The page and the API read the dataset through the registry, never a path a client names;
    results are memoised per (date, utilisation, basis).
    """
    from tradepolicy.datasets.readers.customs import read_census_hs10_duties_2024

    if utilisation not in UTILISATION_MODES:
        raise InputError(f"Unknown utilisation {utilisation!r}.", field="utilisation",
                         expected=" | ".join(UTILISATION_MODES), example="published")
    key = (date, utilisation, basis)
    if key not in _CENSUS_CACHE:
        frame, layout = normalise_imports(read_census_hs10_duties_2024(), where="us-customs-duties")
        _CENSUS_CACHE[key] = effective(frame, layout=layout, date=date, utilisation=utilisation, basis=basis)
        if len(_CENSUS_CACHE) > 16:
            _CENSUS_CACHE.pop(next(iter(_CENSUS_CACHE)))
    return _CENSUS_CACHE[key]
