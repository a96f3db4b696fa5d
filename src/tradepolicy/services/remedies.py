"""Trade-remedy use cases: margin, CVD and all-others runs; re-runs; attachments; shrimp.

The engines (``tradepolicy.remedies``) are pure; this module reads the sales files,
resolves every threshold from the law rule book (``tradepolicy.law.rules.rule_value``),
stores each calculation as an append-only row of ``runs`` (inputs' sha256, parameters
with citations, law and code versions, results) with an audit entry, and keeps a
content-addressed copy of every input under ``<cache>/derived/remedies/inputs`` so a run
can be re-run. A re-run is a new row whose ``parent_id`` names the run re-run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import math
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradepolicy.config import get_settings
from tradepolicy.errors import ConflictError, InputError, NotFoundError, TradePolicyError
from tradepolicy.literals import check_literal
from tradepolicy.platform.principal import acting_name
from tradepolicy.remedies import ADParameters, CVDParameters
from tradepolicy.remedies.all_others import Respondent, all_others_rate
from tradepolicy.remedies.cvd import Grant, Loan, cvd_rate
from tradepolicy.remedies.negligibility import negligibility
from tradepolicy.remedies.programme import SEGMENTS, MarginResult, run_margin_programme
from tradepolicy.remedies.schemas import (
    JSON_ROWS_SUFFIX as JSON_ROWS_SUFFIX,  # re-exported for the API
)
from tradepolicy.remedies.schemas import where as where_row
from tradepolicy.services.remedies_types import (
    CitedValue,
    Negligibility,
    RemediesRun,
    RerunComparison,
    ResultChange,
    RunAttachmentView,
    RunSummary,
    ShrimpCoverage,
    ShrimpCoverageRow,
    ShrimpOrder,
    ThresholdChange,
)
from tradepolicy.services.runs import add_run
from tradepolicy.store.audit import record
from tradepolicy.store.db import read_session, transaction
from tradepolicy.store.models import Proceeding, Run, RunAttachment

log = logging.getLogger("tradepolicy.remedies")

KIND_MARGIN = "remedies.ad_margin"
KIND_CVD = "remedies.cvd"
KIND_ALL_OTHERS = "remedies.all_others"
KINDS = (KIND_MARGIN, KIND_CVD, KIND_ALL_OTHERS)
DIM_ROWS_STORED = 5000  # Cohen's d rows kept per dimension in a stored run (the count is always kept)

AD_RULES: dict[str, str] = {
    "de_minimis_investigation": "adcvd.ad.de_minimis_investigation",
    "de_minimis_review": "adcvd.ad.de_minimis_review",
    "cohens_d_threshold": "adcvd.dp.cohens_d",
    "min_group_obs": "adcvd.dp.min_observations",
    "base_qty_share_min": "adcvd.dp.base_quantity_share",
    "ratio_lower": "adcvd.dp.ratio_lower",
    "ratio_upper": "adcvd.dp.ratio_upper",
    "relative_change_min": "adcvd.dp.meaningful_difference",
    "below_cost_share": "adcvd.nv.below_cost_share",
    "arms_length_low": "adcvd.nv.arms_length_lower",
    "arms_length_high": "adcvd.nv.arms_length_upper",
    "difmer_cap": "adcvd.nv.difmer_cap",
    "viability_share": "adcvd.nv.viability",
    "review_averaging_months": "adcvd.ar.nv_averaging_months",
}
CVD_RULES: dict[str, str] = {
    "expensing_threshold": "adcvd.cvd.grant_expensing",
    "de_minimis_investigation": "adcvd.cvd.de_minimis_investigation",
    "de_minimis_developing": "adcvd.cvd.de_minimis_developing",
    "de_minimis_review": "adcvd.cvd.de_minimis_review",
    "negligibility_individual": "adcvd.negligibility.individual",
    "negligibility_aggregate": "adcvd.negligibility.aggregate",
    "negligibility_individual_developing": "adcvd.cvd.negligibility_developing_individual",
    "negligibility_aggregate_developing": "adcvd.cvd.negligibility_developing_aggregate",
}


# ----------------------------------------------------------------------------- law


def _resolve(rules: Mapping[str, str], on: dt.date | None) -> tuple[dict[str, Any], dict[str, CitedValue]]:
    from tradepolicy.law.rules import rule_value

    values: dict[str, Any] = {}
    cited: dict[str, CitedValue] = {}
    for name, rid in rules.items():
        rv = rule_value(rid, on)
        values[name] = rv.value
        cited[name] = CitedValue(rule_id=rid, value=rv.value, unit=rv.unit, citation=rv.citation,
                                 confirmed=rv.confirmed)
    return values, cited


def ad_parameters(on: dt.date | None = None) -> tuple[ADParameters, dict[str, CitedValue]]:
    """Return the AD thresholds in force on ``on`` and their citations (by field)."""
    v, cited = _resolve(AD_RULES, on)
    floats = {k: float(x) for k, x in v.items() if k != "min_group_obs"}
    return ADParameters(min_group_obs=int(v["min_group_obs"]), **floats), cited


def cvd_parameters(on: dt.date | None = None) -> tuple[CVDParameters, dict[str, CitedValue]]:
    """Return the CVD thresholds in force on ``on`` and their citations (by field)."""
    v, cited = _resolve(CVD_RULES, on)
    return CVDParameters(**{k: float(x) for k, x in v.items()}), cited


def law_version() -> str:
    """Return the version of the law rule book (file stems and versions)."""
    from tradepolicy.law.rules import bundled_rules

    return bundled_rules().version


# ----------------------------------------------------------------------------- inputs


def _inputs_dir() -> Path:
    d = get_settings().cache_dir / "derived" / "remedies" / "inputs"
    d.mkdir(parents=True, exist_ok=True)
    return d


def sha256_bytes(data: bytes) -> str:
    """Return the hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


SUPPORTED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".parquet", ".pq")
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def file_suffix(name: str) -> str:
    """Return the normalised suffix (.csv, .xlsx or .parquet) of a file name, or raise."""
    low = name.lower()
    for s in SUPPORTED_SUFFIXES:
        if low.endswith(s):
            return {".pq": ".parquet", ".tsv": ".csv", ".txt": ".csv"}.get(s, s)
    hint = " Save an .xls workbook as .xlsx." if low.endswith(".xls") else ""
    raise InputError(f"Unsupported sales file type: {name!r}.{hint}", where=name, field="file",
                     expected="a .csv (comma, semicolon or tab), .xlsx or .parquet file", example="us_sales.csv")


def detect_delimiter(data: bytes) -> str:
    """Return the delimiter of a delimited text file: the most frequent of , ; tab | in its header line."""
    head = data.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", errors="replace")
    counts = {d: head.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def parse_table(data: bytes, suffix: str, source: str) -> pd.DataFrame:
    """Parse delimited text, Excel .xlsx or Parquet bytes into a frame of the file's cells.

    Text and Excel cells are read as text (the engine converts and checks them). The
    delimiter of a text file is detected from its header line (comma, semicolon, tab or
    pipe); Excel files are read from their first sheet with openpyxl (through pandas).
    """
    try:
        if suffix == ".parquet":
            df = pd.read_parquet(io.BytesIO(data))
        elif suffix == ".xlsx":
            df = pd.read_excel(io.BytesIO(data), sheet_name=0, dtype=str, engine="openpyxl",
                               keep_default_na=False)
        else:
            sep = detect_delimiter(data)
            df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, skipinitialspace=True,
                             sep=sep, encoding="utf-8-sig")
            if len(df.columns) == 1 and any(d in str(df.columns[0]) for d in DELIMITERS if d != sep):
                raise InputError(f"Cannot split the header of {source} into columns.", where=f"{source}, header",
                                 field="file", expected="columns separated by a comma, semicolon or tab",
                                 example="sale_id,connum,quantity,net_price,...")
    except InputError:
        raise
    except (ValueError, OSError, KeyError, pd.errors.ParserError) as exc:
        what = {".parquet": "a Parquet file", ".xlsx": "an Excel .xlsx workbook (first sheet, header row 1)"}.get(
            suffix, "a delimited text file with a header row (comma, semicolon or tab)")
        raise InputError(f"Cannot read {source}: {exc}", where=source, field="file",
                         expected=what, example="sale_id,connum,quantity,net_price,...") from exc
    df.columns = [str(c).strip() for c in df.columns]  # "sale_id " in a header is sale_id
    return df


def keep_input(data: bytes, suffix: str) -> str:
    """Store ``data`` content-addressed in the cache; return its sha256."""
    sha = sha256_bytes(data)
    path = _inputs_dir() / f"{sha}{suffix}"
    if not path.exists():
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return sha


def load_kept_input(sha: str, suffix: str) -> bytes:
    """Return a kept input's bytes after checking its sha256."""
    path = _inputs_dir() / f"{sha}{suffix}"
    if not path.exists():
        raise NotFoundError(f"The input {sha[:12]}… of this run is no longer in the cache.",
                            where=str(path), field="inputs",
                            expected="the run's inputs kept under <cache>/derived/remedies/inputs",
                            example="re-run from the original files with `tradepolicy remedies margin`")
    data = path.read_bytes()
    if sha256_bytes(data) != sha:
        raise ConflictError("A kept input no longer matches its sha256.", where=str(path), field="inputs")
    return data


def read_file(path: str | Path) -> tuple[bytes, str]:
    """Read a user's sales file; return (bytes, suffix)."""
    p = Path(path)
    suffix = file_suffix(p.name)
    if not p.is_file():
        raise NotFoundError(f"No such file: {str(p)!r}.", where=str(p), field="file",
                            expected="an existing CSV or Parquet file", example="us_sales.csv")
    return p.read_bytes(), suffix


def rows_to_csv_bytes(rows: Sequence[Mapping[str, Any]], source: str) -> bytes:
    """Serialise JSON rows (API input) as CSV bytes, the canonical stored form."""
    if not rows:
        raise InputError(f"{source} has no rows.", where=source, expected="a list of row objects",
                         example='[{"sale_id": "U1", "connum": "A", ...}]')
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    return pd.DataFrame(list(rows), columns=cols).to_csv(index=False).encode()


# ----------------------------------------------------------------------------- JSON helpers


def _clean(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_clean(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _frame_records(df: pd.DataFrame, limit: int | None = None) -> list[dict[str, Any]]:
    """Return JSON-safe records of a frame (NaN -> None, ±inf -> "inf"/"-inf")."""
    sub = df if limit is None else df.head(limit)
    return [_clean(r) for r in sub.to_dict(orient="records")]


def _margin_results(res: MarginResult) -> dict[str, Any]:
    """Return the stored results (JSON payload) of a margin run."""
    dims = {}
    for name, t in res.dimension_tables.items():
        dims[name] = {"rows": len(t), "stored": min(len(t), DIM_ROWS_STORED),
                      "groups": _frame_records(t, DIM_ROWS_STORED)}
    out = _clean(res.summary())
    out["by_connum"] = _frame_records(res.by_connum)
    out["cohens_d"] = dims
    out["arms_length"] = _frame_records(res.arms_length)
    return dict(out)


# ----------------------------------------------------------------------------- runs


def _run_view(r: Run, attachments: list[str] | None = None) -> RemediesRun:
    return RemediesRun(id=r.id, kind=r.kind, results=r.results or {}, parameters=r.parameters,
                       created_at=r.created_at.isoformat() if r.created_at else None,
                       created_by=r.created_by, inputs=r.inputs, law_version=r.law_version,
                       code_version=r.code_version, parent_id=r.parent_id, proceedings=list(attachments or []))


def _store_run(kind: str, inputs: dict[str, str], parameters: dict[str, Any], results: dict[str, Any],
               *, parent_id: int | None, actor: str | None) -> RemediesRun:
    actor = actor or acting_name()
    with transaction() as s:
        run = add_run(s, kind=kind, actor=actor, inputs=inputs, parameters=_clean(parameters),
                      results=_clean(results), law_version=law_version(), parent_id=parent_id)
        return _run_view(run)


def _margin_from_bytes(files: dict[str, tuple[bytes, str, str]], *, segment: str, as_of: dt.date | None,
                       include_tt: bool) -> tuple[MarginResult, dict[str, Any]]:
    check_literal(segment, SEGMENTS, name="segment")
    params, cited = ad_parameters(as_of)
    frames = {k: parse_table(b, suf, name) for k, (b, suf, name) in files.items()}
    res = run_margin_programme(
        frames["us"], frames["home"], frames["cost"], segment=segment, params=params,
        similar_raw=frames.get("similar"), third_raw=frames.get("third"),
        sources={k: name for k, (_b, _s, name) in files.items()},
        include_tt=include_tt,
    )
    return res, cited


def compute_margin(
    files: Mapping[str, tuple[bytes, str, str]],
    *,
    segment: str,
    as_of: dt.date | None = None,
    include_tt: bool = True,
    store: bool = True,
    actor: str | None = None,
    parent_id: int | None = None,
) -> RemediesRun:
    """Compute a dumping margin from sales files and store the run.

    Parameters
    ----------
    files
        ``{"us"|"home"|"cost"|"similar"|"third": (bytes, suffix, display name)}``; ``third`` is an
        optional third-country market (home-market schema) used when the home market is not viable.
    segment
        ``investigation`` or ``review``.
    as_of
        Date whose law applies (default today).
    store
        Store the run (a rejected input stores nothing).
    """
    for k in ("us", "home", "cost"):
        if k not in files:
            raise InputError(f"The {k} sales file is required.", field=k, expected="a CSV or Parquet file",
                             example=f"--{k} {k}.csv")
    law_date = as_of or dt.date.today()
    res, cited = _margin_from_bytes(dict(files), segment=segment, as_of=law_date, include_tt=include_tt)
    results = _margin_results(res)
    if not store:
        return RemediesRun(id=None, kind=KIND_MARGIN, results=results, parameters={"thresholds": cited})
    inputs = {k: keep_input(b, suf) for k, (b, suf, _n) in files.items()}
    params = {"segment": segment, "as_of": as_of.isoformat() if as_of else None,
              "law_date": law_date.isoformat(), "include_tt": include_tt,
              "thresholds": cited, "files": {k: {"name": n, "suffix": suf} for k, (_b, suf, n) in files.items()}}
    return _store_run(KIND_MARGIN, inputs, params, results, parent_id=parent_id, actor=actor)


def compute_margin_from_paths(us: str | Path, home: str | Path, cost: str | Path, *, segment: str,
                              similar: str | Path | None = None, third_country: str | Path | None = None,
                              **kw: Any) -> RemediesRun:
    """Read the files at the given paths and run :func:`compute_margin`."""
    paths = {"us": us, "home": home, "cost": cost, **({"similar": similar} if similar else {}),
             **({"third": third_country} if third_country else {})}
    files = {}
    for k, p in paths.items():
        data, suf = read_file(p)
        files[k] = (data, suf, Path(p).name)
    return compute_margin(files, segment=segment, **kw)


CVD_SPEC_KEYS = ("period_year", "sales_denominator", "export_sales", "segment", "developing", "grants", "loans")
GRANT_KEYS = ("name", "amount", "year_received", "sales_in_approval_year", "aul_years", "discount_rate",
              "attribution")
LOAN_KEYS = ("name", "principal", "rate_paid", "benchmark_rate", "attribution")
_CVD_EXAMPLE = ("{period_year: 3, sales_denominator: 40000000, grants: [{amount: 1000000, year_received: 1, "
                "sales_in_approval_year: 50000000, aul_years: 10, discount_rate: 0.08}]}")


def _spec_mapping(obj: Any, where: str, allowed: Sequence[str]) -> Mapping[str, Any]:
    if not isinstance(obj, Mapping):
        raise InputError(f"{where} must be a mapping, got {type(obj).__name__}.", where=where, field=where,
                         expected=f"a mapping with keys {list(allowed)}", example=_CVD_EXAMPLE)
    extra = [str(k) for k in obj if k not in allowed]
    if extra:
        raise InputError(f"{where} has unknown key(s) {extra}.", where=where, field=extra[0],
                         expected=f"only keys {list(allowed)}", example=_CVD_EXAMPLE)
    return obj


def _spec_number(obj: Mapping[str, Any], key: str, where: str, *, minimum: float | None = None,
                 strict: bool = False, integer: bool = False, required: bool = True) -> Any:
    if key not in obj or obj[key] is None:
        if not required:
            return None
        raise InputError(f"CVD spec lacks {key!r}.", where=where, field=key,
                         expected="see `tradepolicy remedies cvd --help`", example=_CVD_EXAMPLE)
    v = obj[key]
    try:
        if isinstance(v, bool):
            raise ValueError
        x = float(v)
    except (TypeError, ValueError):
        raise InputError(f"{where}: {key} is not a number: {v!r}.", where=where, field=key,
                         expected="a number", example=f"{key}: 10") from None
    if not math.isfinite(x) or (integer and x != int(x)):
        raise InputError(f"{where}: {key} must be a finite {'whole ' if integer else ''}number: {v!r}.",
                         where=where, field=key, expected="an integer" if integer else "a finite number",
                         example=f"{key}: 3")
    if minimum is not None and (x <= minimum if strict else x < minimum):
        raise InputError(f"{where}: {key} must be {'>' if strict else '>='} {minimum:g}: {v!r}.", where=where,
                         field=key, expected=f"a number {'>' if strict else '>='} {minimum:g}",
                         example=f"{key}: 10")
    return int(x) if integer else x


def _spec_bool(obj: Mapping[str, Any], key: str, where: str) -> bool:
    v = obj.get(key, False)
    if isinstance(v, bool):
        return v
    low = str(v).strip().lower()
    if low in ("true", "yes", "y", "1"):
        return True
    if low in ("false", "no", "n", "0"):
        return False
    raise InputError(f"{where}: {key} is not a yes/no value: {v!r}.", where=where, field=key,
                     expected="true | false", example=f"{key}: false")


def _spec_list(obj: Mapping[str, Any], key: str) -> list[Any]:
    v = obj.get(key)
    if v is None:
        return []
    if not isinstance(v, list):
        raise InputError(f"spec: {key} must be a list of mappings.", where="spec", field=key,
                         expected=f"a list of {key}", example=_CVD_EXAMPLE)
    return v


def _parse_cvd_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Parse a CVD spec strictly: unknown keys, non-numbers, negatives and non-booleans are refused."""
    spec = _spec_mapping(spec, "spec", CVD_SPEC_KEYS)
    grants = []
    for i, raw in enumerate(_spec_list(spec, "grants")):
        w = f"grants[{i}]"
        g = _spec_mapping(raw, w, GRANT_KEYS)
        grants.append(Grant(str(g.get("name", f"grant {i + 1}")), _spec_number(g, "amount", w, minimum=0),
                            _spec_number(g, "year_received", w, integer=True),
                            _spec_number(g, "sales_in_approval_year", w, minimum=0, strict=True),
                            _spec_number(g, "aul_years", w, minimum=1, integer=True),
                            _spec_number(g, "discount_rate", w, minimum=0),
                            str(g.get("attribution", "total"))))
    loans = []
    for i, raw in enumerate(_spec_list(spec, "loans")):
        w = f"loans[{i}]"
        ln = _spec_mapping(raw, w, LOAN_KEYS)
        loans.append(Loan(str(ln.get("name", f"loan {i + 1}")), _spec_number(ln, "principal", w, minimum=0),
                          _spec_number(ln, "rate_paid", w, minimum=0),
                          _spec_number(ln, "benchmark_rate", w, minimum=0), str(ln.get("attribution", "total"))))
    if not grants and not loans:
        raise InputError("The CVD spec lists no grant and no loan.", where="spec", field="grants",
                         expected="at least one programme under grants or loans", example=_CVD_EXAMPLE)
    return {"grants": grants, "loans": loans,
            "period_year": _spec_number(spec, "period_year", "spec", integer=True),
            "sales_denominator": _spec_number(spec, "sales_denominator", "spec", minimum=0, strict=True),
            "export_sales": _spec_number(spec, "export_sales", "spec", minimum=0, strict=True, required=False),
            "segment": str(spec.get("segment", "investigation")),
            "developing": _spec_bool(spec, "developing", "spec")}


def compute_cvd(spec: Mapping[str, Any], *, as_of: dt.date | None = None, store: bool = True,
                actor: str | None = None, parent_id: int | None = None) -> RemediesRun:
    """Compute CVD programme rates from a spec (grants, loans, period_year, sales_denominator...)."""
    p = _parse_cvd_spec(spec)
    check_literal(p["segment"], SEGMENTS, name="segment")
    law_date = as_of or dt.date.today()
    params, cited = cvd_parameters(law_date)
    res = cvd_rate(p["grants"], p["loans"], period_year=p["period_year"],
                   sales_denominator=p["sales_denominator"], segment=p["segment"],
                   developing=p["developing"], params=params, export_sales=p["export_sales"])
    results = res.summary()
    if not store:
        return RemediesRun(id=None, kind=KIND_CVD, results=_clean(results), parameters={"thresholds": cited})
    data = json.dumps(_clean(dict(spec)), sort_keys=True).encode()
    inputs = {"spec": keep_input(data, ".json")}
    params_d = {"as_of": as_of.isoformat() if as_of else None, "law_date": law_date.isoformat(),
                "thresholds": cited,
                "files": {"spec": {"name": "spec", "suffix": ".json"}}}
    return _store_run(KIND_CVD, inputs, params_d, results, parent_id=parent_id, actor=actor)


def _respondents(df: pd.DataFrame, source: str) -> list[Respondent]:
    need = ["name", "margin", "us_value"]
    miss = [c for c in need if c not in df.columns]
    if miss:
        raise InputError(f"Respondent file lacks column(s) {miss}.", where=f"{source}, header", field=miss[0],
                         expected="name, margin (decimal), us_value, optional facts_available",
                         example="name,margin,us_value,facts_available")
    extra = [c for c in df.columns if c not in [*need, "facts_available"]]
    if extra:
        raise InputError(f"Respondent file has unknown column(s) {extra}.", where=f"{source}, header",
                         field=str(extra[0]), expected="name, margin, us_value, facts_available",
                         example="name,margin,us_value,facts_available")
    out = []
    for i, r in enumerate(df.to_dict(orient="records")):
        nums = []
        for col in ("margin", "us_value"):
            try:
                x = float(r[col])
            except (TypeError, ValueError):
                x = float("nan")
            if not math.isfinite(x):
                raise InputError(f"Respondent row has a non-numeric {col}: {r[col]!r}.",
                                 where=where_row(source, i), field=col,
                                 expected="a decimal number (margin as a decimal: 0.125 = 12.5 %)",
                                 example="0.125" if col == "margin" else "1000")
            nums.append(x)
        m, w = nums
        fa_raw = r.get("facts_available")
        fa_txt = "false" if fa_raw is None or str(fa_raw).strip() == "" else str(fa_raw).strip().lower()
        if fa_txt not in ("true", "1", "yes", "y", "t", "false", "0", "no", "n", "f"):
            raise InputError(f"Respondent row has a facts_available that is not yes/no: {fa_raw!r}.",
                             where=where_row(source, i), field="facts_available",
                             expected="true | false (empty = false)", example="false")
        fa = fa_txt in ("true", "1", "yes", "y", "t")
        out.append(Respondent(str(r["name"]), m, w, fa))
    return out


def compute_all_others(data: bytes, suffix: str, source: str, *, segment: str = "investigation",
                       as_of: dt.date | None = None, store: bool = True, actor: str | None = None,
                       parent_id: int | None = None) -> RemediesRun:
    """Compute the all-others rate from a respondents file (name, margin, us_value, facts_available)."""
    check_literal(segment, SEGMENTS, name="segment")
    law_date = as_of or dt.date.today()
    params, cited = ad_parameters(law_date)
    res = all_others_rate(_respondents(parse_table(data, suffix, source), source),
                          de_minimis=params.de_minimis(segment))
    results = {"segment": segment, "de_minimis": params.de_minimis(segment), **res.summary()}
    thresholds = {k: cited[k] for k in ("de_minimis_investigation", "de_minimis_review")}
    if not store:
        return RemediesRun(id=None, kind=KIND_ALL_OTHERS, results=_clean(results),
                           parameters={"thresholds": thresholds})
    inputs = {"respondents": keep_input(data, suffix)}
    params_d = {"segment": segment, "as_of": as_of.isoformat() if as_of else None,
                "law_date": law_date.isoformat(), "thresholds": thresholds,
                "files": {"respondents": {"name": source, "suffix": suffix}}}
    return _store_run(KIND_ALL_OTHERS, inputs, params_d, results, parent_id=parent_id, actor=actor)


def _attachments(s: Session, run_ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if not run_ids:
        return out
    for a in s.scalars(select(RunAttachment).where(RunAttachment.run_id.in_(list(run_ids)))):
        out.setdefault(a.run_id, []).append(a.proceeding_id)
    return out


def list_runs(kind: str | None = None, *, limit: int | None = 200,
              ids: Sequence[int] | None = None) -> list[RunSummary]:
    """Return remedies runs, newest first, without their full results.

    ``ids`` restricts the list to those runs (every one of them: no limit applies unless given).
    """
    if kind is not None:
        check_literal(kind, KINDS, name="kind")
    from tradepolicy.services.runs import list_run_rows

    with read_session() as s:
        runs = list_run_rows(s, (kind,) if kind else tuple(KINDS), limit=limit,
                             ids=list(ids) if ids is not None else None)
        att = _attachments(s, [r.id for r in runs])
        out = []
        for r in runs:
            res = r.results or {}
            headline = (res.get("final_margin") if r.kind == KIND_MARGIN
                        else res.get("total_rate") if r.kind == KIND_CVD else res.get("rate"))
            out.append(RunSummary(id=r.id, kind=r.kind, created_at=r.created_at.isoformat(),
                                  created_by=r.created_by, parent_id=r.parent_id,
                                  segment=r.parameters.get("segment"), method=res.get("method_chosen"),
                                  rate=headline, above_de_minimis=res.get("above_de_minimis"),
                                  law_version=r.law_version, proceedings=att.get(r.id, [])))
        return out


def get_run(run_id: int) -> RemediesRun:
    """Return one remedies run with its results and attached proceedings."""
    from tradepolicy.services.runs import get_run_row

    with read_session() as s:
        r = get_run_row(s, run_id, tuple(KINDS), "remedies")
        return _run_view(r, _attachments(s, [r.id]).get(r.id, []))


def run_law_date(run: RemediesRun) -> dt.date:
    """Return the date whose law a stored run applied (its ``law_date``, ``as_of`` or creation day)."""
    params = run.parameters or {}
    for key in ("law_date", "as_of"):
        if params.get(key):
            return dt.date.fromisoformat(str(params[key]))
    return dt.datetime.fromisoformat(str(run.created_at)).date()


def rerun(run_id: int, *, as_of: dt.date | None = None, actor: str | None = None) -> RemediesRun:
    """Re-run a stored run from its kept inputs; a new row whose ``parent_id`` is ``run_id``.

    By default the re-run applies the law of the same date as the original run
    (:func:`run_law_date`), so it reproduces it; pass ``as_of`` to apply another date's law.
    """
    old = get_run(run_id)
    files_meta = old.parameters.get("files", {})
    params = old.parameters
    inputs = old.inputs or {}
    as_of = as_of or run_law_date(old)
    if old.kind == KIND_MARGIN:
        files = {k: (load_kept_input(sha, files_meta[k]["suffix"]), files_meta[k]["suffix"], files_meta[k]["name"])
                 for k, sha in inputs.items()}
        return compute_margin(files, segment=params["segment"], as_of=as_of,
                              include_tt=params.get("include_tt", True), actor=actor, parent_id=run_id)
    if old.kind == KIND_CVD:
        spec = json.loads(load_kept_input(inputs["spec"], ".json"))
        return compute_cvd(spec, as_of=as_of, actor=actor, parent_id=run_id)
    meta = files_meta["respondents"]
    data = load_kept_input(inputs["respondents"], meta["suffix"])
    return compute_all_others(data, meta["suffix"], meta["name"], segment=params["segment"], as_of=as_of,
                              actor=actor, parent_id=run_id)


def compare_with_parent(run: RemediesRun) -> RerunComparison | None:
    """Return what changed between a re-run and the run it re-ran (None for a first run).

    ``same_results`` compares the full stored results; ``changed`` lists the top-level
    result keys that differ and ``thresholds`` the law values that differ.
    """
    if not run.parent_id:
        return None
    parent = get_run(int(run.parent_id))
    a, b = parent.results, run.results
    changed = [ResultChange(key=k, parent=a.get(k), rerun=b.get(k)) for k in sorted(set(a) | set(b))
               if a.get(k) != b.get(k) and not isinstance(a.get(k), list | dict)
               and not isinstance(b.get(k), list | dict)]
    ta = parent.parameters.get("thresholds", {})
    tb = run.parameters.get("thresholds", {})
    thresholds = [ThresholdChange(name=k, parent=ta.get(k, {}).get("value"), rerun=tb.get(k, {}).get("value"))
                  for k in sorted(set(ta) | set(tb)) if ta.get(k, {}).get("value") != tb.get(k, {}).get("value")]
    return RerunComparison(parent_id=int(run.parent_id), same_results=a == b, changed=changed,
                           thresholds=thresholds, law_versions=[parent.law_version, run.law_version])


def attach_run(run_id: int, case_id: str, *, actor: str | None = None) -> RunAttachmentView:
    """Attach a run to an AD/CVD proceeding (append-only; attaching twice is refused)."""
    actor = actor or acting_name()
    get_run(run_id)
    with transaction() as s:
        if s.get(Proceeding, case_id) is None:
            raise NotFoundError(f"No proceeding {case_id!r}.", where=f"case {case_id}", field="case_id",
                                expected="the id of an AD/CVD proceeding", example="A-533-840")
        dup = s.scalars(select(RunAttachment).where(RunAttachment.run_id == run_id,
                                                    RunAttachment.proceeding_id == case_id)).first()
        if dup is not None:
            raise ConflictError(f"Run {run_id} is already attached to {case_id}.", field="case_id",
                                where=f"run {run_id}")
        a = RunAttachment(run_id=run_id, proceeding_id=case_id, attached_by=actor)
        s.add(a)
        s.flush()
        record(s, actor=actor, action="attach", entity="run_attachment", entity_id=str(a.id), before=None,
               after={"run_id": run_id, "proceeding_id": case_id})
        return RunAttachmentView(id=a.id, run_id=run_id, proceeding_id=case_id, attached_by=actor)


def runs_of_case(case_id: str) -> list[RunSummary]:
    """Return the remedies runs attached to a proceeding (NotFoundError if there is no such proceeding)."""
    with read_session() as s:
        if s.get(Proceeding, case_id) is None:
            raise NotFoundError(f"No proceeding {case_id!r}.", where=f"case {case_id}", field="case_id",
                                expected="the id of an AD/CVD proceeding", example="A-533-840")
        ids = [a.run_id for a in s.scalars(select(RunAttachment).where(RunAttachment.proceeding_id == case_id))]
    # every attached run, however old (the list of all runs stops at the 200 newest)
    return list_runs(ids=ids, limit=None) if ids else []


# ----------------------------------------------------------------------------- shrimp orders


def shrimp_orders_config() -> Mapping[str, Any]:
    """Return the bundled shrimp-order configuration (BACI codes, scope HS6, Brazil revocation).

    A read-only ``Mapping`` of the cited YAML document (open-ended by design).
    """
    text = resources.files("tradepolicy.remedies").joinpath("data/shrimp_orders.yaml").read_text()
    return dict(yaml.safe_load(text))


def shrimp_orders() -> list[ShrimpOrder]:
    """Return the frozen warmwater shrimp AD orders from us-adcvd-orders, with status."""
    from tradepolicy.datasets.readers.adcvd import read_itip_measures, read_orders_in_place

    cfg = shrimp_orders_config()
    df = read_orders_in_place()
    itip = read_itip_measures()
    out = []
    for o in cfg["orders"]:
        row = df[df["doc_case_no"] == o["case"]]
        if row.empty:
            raise NotFoundError(f"Order {o['case']} is not in the USITC list.", where="us-adcvd-orders",
                                field="doc_case_no")
        r = row.iloc[0]
        it = itip[(itip["product"].str.contains("Shrimp", case=False)) &
                  (itip["partner"].str.replace("Viet Nam", "Vietnam") == o["country"])]
        withdrawn = next((w for w in it["withdrawn"] if isinstance(w, dt.date)), None)
        revoked = o.get("revoked")
        out.append(ShrimpOrder(
            case=o["case"], country=o["country"], iso3=o["iso3"], product=r["product"],
            order_date=r["order_date"], continued_date=r["continued_date"], fed_reg=r["fed_reg"],
            fr_pub_date=r["fr_pub_date"], itip_withdrawn=withdrawn,
            revoked=revoked, status="revoked" if revoked else "in_force",
            revocation_citation=o.get("revocation_citation"),
        ))
    return out


def shrimp_coverage() -> ShrimpCoverage:
    """Share of 2018 US shrimp imports (BACI, value) from each country under an AD order.

    Two bases: the order's scope lines (HS 2012 030617, 160521, 160529; an upper bound of the
    scope) and all six shrimp lines of the extract.
    """
    from tradepolicy.datasets.readers.baci import read_baci_shrimp_2018

    cfg = shrimp_orders_config()
    orders = shrimp_orders()
    b = read_baci_shrimp_2018()
    us = b[b["importer"] == "USA"]
    scope = [str(c) for c in cfg["scope_hs6"]["codes"]]
    in_scope = us[us["hs6"].isin(scope)]
    tot_scope = float(in_scope["value_kusd"].sum())
    tot_all = float(us["value_kusd"].sum())
    by_scope = in_scope.groupby("exporter")["value_kusd"].sum()
    by_all = us.groupby("exporter")["value_kusd"].sum()
    rows = []
    for o in orders:
        v_s = float(by_scope.get(o.iso3, 0.0))
        v_a = float(by_all.get(o.iso3, 0.0))
        in_force_2018 = o.revoked is None or o.revoked > dt.date(2018, 12, 31)
        rows.append(ShrimpCoverageRow(case=o.case, country=o.country, status=o.status,
                                      in_force_2018=in_force_2018, imports_scope_kusd=v_s,
                                      share_scope=v_s / tot_scope if tot_scope else 0.0,
                                      imports_all_shrimp_kusd=v_a,
                                      share_all_shrimp=v_a / tot_all if tot_all else 0.0))
    covered = [r for r in rows if r.in_force_2018]
    return ShrimpCoverage(
        year=2018, importer="USA", unit="thousand US$", scope_hs6=scope,
        scope_citation=cfg["scope_hs6"]["citation"], scope_confirmed=cfg["scope_hs6"]["confirmed"],
        total_scope_kusd=tot_scope, total_all_shrimp_kusd=tot_all, orders=rows,
        covered_share_scope=sum(r.share_scope for r in covered),
        covered_share_all_shrimp=sum(r.share_all_shrimp for r in covered),
        source="baci-shrimp-2018 (CEPII BACI HS12 2018 via ARTIS); us-adcvd-orders (USITC, WTO I-TIP)",
    )


def shrimp_negligibility(subject: Mapping[str, bool] | None = None, *, case: str = "cvd",
                         as_of: dt.date | None = None) -> Negligibility:
    """Negligibility of subject countries' shares of 2018 US shrimp imports (scope lines, value).

    ``subject`` maps ISO3 -> USTR-designated developing country; by default the seven
    countries of the 2012-2013 frozen warmwater shrimp CVD petitions with their 2018 status
    taken as given by the caller (default: none developing).
    """
    from tradepolicy.datasets.readers.baci import read_baci_shrimp_2018

    cfg = shrimp_orders_config()
    params, cited = cvd_parameters(as_of)
    b = read_baci_shrimp_2018()
    us = b[(b["importer"] == "USA") & b["hs6"].isin([str(c) for c in cfg["scope_hs6"]["codes"]])]
    imports = {str(k): float(v) for k, v in us.groupby("exporter")["value_kusd"].sum().items()}
    subject = dict(subject or {c: False for c in ("CHN", "ECU", "IND", "IDN", "MYS", "THA", "VNM")})
    res = negligibility(imports, subject, case=case, params=params)
    summary = _clean(res.summary())
    return Negligibility(total_imports=summary["total_imports"], countries=summary["countries"], case=case,
                         thresholds={k: cited[k] for k in cited if "neglig" in k},
                         unit="thousand US$", year=2018)


def seed_shrimp_orders(session: Session, actor: str) -> dict[str, int]:
    """Seeder: open the five shrimp AD orders as ``ad_investigation`` proceedings (idempotent).

    Each case gets ``existing_order_recorded`` on the order date (the procedure's event for an
    order whose investigation history is not in the log), then ``sunset_continued`` on the
    USITC list's continuation date, or, for Brazil, ``order_revoked`` on 2017-06-01.
    A case that exists already is left unchanged.
    """
    from tradepolicy.datasets import is_available

    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    if not is_available("us-adcvd-orders"):
        return counts
    from tradepolicy.services import proceedings as pro

    for o in shrimp_orders():
        if session.get(Proceeding, o.case) is not None:
            counts["unchanged"] += 1
            continue
        try:
            with session.begin_nested():  # a refused case leaves nothing half-written
                _seed_order(session, o, actor, pro)
        except TradePolicyError as exc:
            # Never break init_database for every domain; say loudly what was not seeded.
            log.warning("shrimp order %s not seeded: %s", o.case, exc)
            counts["failed"] = counts.get("failed", 0) + 1
            continue
        counts["inserted"] += 1
    return counts


def _seed_order(session: Session, o: ShrimpOrder, actor: str, pro: Any) -> None:
    """Open one shrimp order as a proceeding with its events (inside the caller's savepoint)."""
    data = {"country": o.country, "product": o.product, "doc_case_no": o.case,
            "status": o.status, "source": "us-adcvd-orders", "fed_reg": o.fed_reg,
            "revoked": o.revoked.isoformat() if o.revoked else None,
            "revocation_citation": o.revocation_citation}
    pro.open_case(procedure="ad_investigation", case_id=o.case,
                  title=f"{o.product} from {o.country}", data=data, actor=actor, session=session)
    src = "us-adcvd-orders: USITC AD/CVD orders in place (Aug 2020)"
    pro.record_event(o.case, "existing_order_recorded", o.order_date,
                     payload={"source": src, "event": "AD order published"},
                     note="Order date from the USITC list; investigation history not seeded.",
                     actor=actor, session=session)
    if o.revoked:
        pro.record_event(o.case, "order_revoked", o.revoked,
                         payload={"source": "WTO I-TIP (withdrawn) and 82 FR 25242",
                                  "citation": o.revocation_citation, "confirmed": False},
                         actor=actor, session=session)
    elif isinstance(o.continued_date, dt.date):
        pro.record_event(o.case, "sunset_continued", o.continued_date,
                         payload={"source": src, "fed_reg": o.fed_reg},
                         note="Date of the last sunset continuation in the USITC list.",
                         actor=actor, session=session)

