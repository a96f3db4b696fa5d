"""Documented schemas of the sales files and their validation.

Every check names the file (``source``), the row and the column of the first bad value
and counts how many rows share the fault. Rows are numbered from 1 over the data rows
(the header is not a row), so in a CSV file row *n* is on line *n + 1*.

U.S. sales (``us``)
    required: ``sale_id`` (unique), ``connum`` (product control number), ``quantity``
    (> 0, units of the product), ``net_price`` (> 0, currency per unit, net of movement
    and other deductions), ``customer``, ``region``, ``period`` (e.g. quarter);
    optional: ``sale_type`` (``EP`` | ``CEP``, default EP) and the adjustment columns
    ``commission_offset``, ``us_commission``, ``us_direct_selling``, ``us_credit``,
    ``cep_offset`` (currency per unit, default 0) applied to normal value at the U.S.
    comparison point (fact sheet §4.4).
Home-market sales (``home``)
    required: ``sale_id``, ``connum``, ``quantity`` (> 0), ``net_price`` (> 0),
    ``customer``, ``affiliated`` (true/false, yes/no, 1/0), ``period``.
Cost (``cost``)
    required: ``connum``, ``cost_of_production`` (> 0, per unit, COM + SG&A);
    optional: ``period`` (period-specific costs; the POI average is then weighted by
    home-market quantity), ``vcom`` and ``tcom`` (variable / total cost of manufacturing,
    needed for DIFMER), ``constructed_value`` (per unit; otherwise COP x (1 + profit)).
Similar merchandise (``similar``)
    required: ``us_connum``, ``hm_connum``, ``rank`` (1 = most similar).

The ``period`` column
    A month ``YYYY-MM`` (e.g. ``2024-03``), a quarter ``YYYY-Qn`` (e.g. ``2024-Q1``), or one
    label for a period as a whole (e.g. ``POI``, ``Q1``). Dates (``2024-03-15``,
    ``15/03/2024``) are rejected: T-T and the time-period Cohen's d compare sales within a
    period, and a date per sale would make every period one day. One file uses one form.

Headers are matched exactly (after trimming spaces); a header such as ``Sale ID`` is refused
with the hint "did you mean sale_id".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tradepolicy.errors import InputError


@dataclass(frozen=True, slots=True)
class Schema:
    """Columns of one kind of input file."""

    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    numeric_positive: tuple[str, ...]
    numeric_optional: tuple[str, ...]
    keys: tuple[str, ...]
    unique: tuple[str, ...]


US_ADJUSTMENTS = ("commission_offset", "us_commission", "us_direct_selling", "us_credit", "cep_offset")

SCHEMAS: dict[str, Schema] = {
    "us": Schema(
        "us",
        ("sale_id", "connum", "quantity", "net_price", "customer", "region", "period"),
        ("sale_type", *US_ADJUSTMENTS),
        ("quantity", "net_price"),
        US_ADJUSTMENTS,
        ("sale_id", "connum", "customer", "region", "period"),
        ("sale_id",),
    ),
    "home": Schema(
        "home",
        ("sale_id", "connum", "quantity", "net_price", "customer", "affiliated", "period"),
        (),
        ("quantity", "net_price"),
        (),
        ("sale_id", "connum", "customer", "period"),
        ("sale_id",),
    ),
    "cost": Schema(
        "cost",
        ("connum", "cost_of_production"),
        ("period", "vcom", "tcom", "constructed_value"),
        ("cost_of_production",),
        ("vcom", "tcom", "constructed_value"),
        ("connum",),
        (),
    ),
    "similar": Schema(
        "similar",
        ("us_connum", "hm_connum", "rank"),
        (),
        ("rank",),
        (),
        ("us_connum", "hm_connum"),
        (),
    ),
}

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


JSON_ROWS_SUFFIX = ".json-rows"


def where(source: str, pos: int) -> str:
    """Return the location text of 0-based data row ``pos`` of ``source``.

    Files: ``row n (CSV line n + 1)``; JSON row lists (a source named ``*.json-rows``, the API):
    ``row n (JSON index n - 1)``.
    """
    if source.endswith(JSON_ROWS_SUFFIX):
        return f"{source}, row {pos + 1} (JSON index {pos})"
    return f"{source}, row {pos + 1} (CSV line {pos + 2})"


def _shown(value: object) -> str:
    """Return a cell as the user wrote it (numpy scalars as plain Python numbers)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _example(schema: Schema) -> str:
    return ",".join(schema.required)


def _normal_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def header_hints(cols: Sequence[str], schema: Schema) -> dict[str, str]:
    """Return {header as written: schema column} for headers that look like a schema column.

    "Sale ID", "sale-id" and "SALE_ID" -> sale_id (same letters and digits once case,
    spaces and punctuation are ignored); otherwise the closest name by difflib (ratio >= 0.8).
    """
    allowed = [*schema.required, *schema.optional]
    out: dict[str, str] = {}
    for c in cols:
        if c in allowed:
            continue
        norm = _normal_name(c)
        exact = [a for a in allowed if a == norm]
        close = exact or difflib.get_close_matches(norm, allowed, n=1, cutoff=0.8)
        if close:
            out[c] = close[0]
    return out


def check_columns(df: pd.DataFrame, schema: Schema, source: str) -> None:
    """Raise if a required column is missing or a column is not in the schema."""
    cols = [str(c) for c in df.columns]
    hints = header_hints(cols, schema)
    if hints:
        written, meant = next(iter(hints.items()))
        said = "; ".join(f"{w!r}: did you mean {m}?" for w, m in hints.items())
        raise InputError(
            f"{schema.kind} file header {written!r} is not a column name; did you mean {meant}? ({said})",
            where=f"{source}, header", field=written,
            expected=f"the exact column names {list(schema.required)} (optional {list(schema.optional)})",
            example=_example(schema), details={"hints": hints},
        )
    missing = [c for c in schema.required if c not in cols]
    if missing:
        raise InputError(
            f"{schema.kind} file lacks column(s) {missing}.",
            where=f"{source}, header", field=missing[0],
            expected=f"columns {list(schema.required)} (optional {list(schema.optional)})",
            example=_example(schema),
        )
    allowed = set(schema.required) | set(schema.optional)
    extra = [c for c in cols if c not in allowed]
    if extra:
        raise InputError(
            f"{schema.kind} file has unknown column(s) {extra}.",
            where=f"{source}, header", field=extra[0],
            expected=f"only columns {list(schema.required)} and optional {list(schema.optional)}",
            example=_example(schema), details={"extra_columns": extra},
        )
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if dup:
        raise InputError(f"{schema.kind} file repeats column(s) {dup}.", where=f"{source}, header",
                         field=dup[0], expected="each column once", example=_example(schema))


def _numeric(df: pd.DataFrame, col: str, source: str, *, positive: bool, kind: str) -> np.ndarray:
    raw = df[col]
    values = pd.to_numeric(raw, errors="coerce") if not pd.api.types.is_numeric_dtype(raw) else raw
    arr = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        pos = _first(bad)
        first = raw.iloc[pos]
        hint = ""
        if isinstance(first, str) and re.fullmatch(r"\s*-?[\d.]*\d,\d+\s*", first):
            hint = " It looks like a decimal comma: write the decimal point (104.25, not 104,25)."
        raise InputError(
            f"{kind} column {col!r} is not a finite number in {int(bad.sum())} row(s); "
            f"first value {_shown(first)}.{hint}",
            where=where(source, pos), field=col, expected="a decimal number with a point", example="104.25",
            details={"rows_affected": int(bad.sum())},
        )
    if positive:
        nonpos = arr <= 0
        if nonpos.any():
            pos = _first(nonpos)
            raise InputError(
                f"{kind} column {col!r} must be > 0; {int(nonpos.sum())} row(s) are zero or "
                f"negative; first value {_shown(raw.iloc[pos])}.",
                where=where(source, pos), field=col, expected="a number > 0", example="100",
                details={"rows_affected": int(nonpos.sum())},
            )
    return arr


def _keys(df: pd.DataFrame, col: str, source: str, kind: str) -> pd.Series:
    s = df[col]
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        s = s.astype("string").str.strip()
        miss = (s.isna() | (s == "")).to_numpy()
    else:
        miss = s.isna().to_numpy()
    if miss.any():
        pos = _first(miss)
        raise InputError(f"{kind} column {col!r} is empty in {int(miss.sum())} row(s).",
                         where=where(source, pos), field=col, expected="a non-empty identifier",
                         example="A-01")
    return s


def _unique(df: pd.DataFrame, cols: Sequence[str], source: str, kind: str) -> None:
    dup = df.duplicated(subset=list(cols), keep=False).to_numpy()
    if dup.any():
        idx = np.flatnonzero(dup)
        first = idx[0]
        sub = df[list(cols)]
        same = np.flatnonzero((sub == sub.iloc[first]).all(axis=1).to_numpy())
        second = int(same[1]) if len(same) > 1 else int(idx[1])
        label = "/".join(cols)
        raise InputError(
            f"{kind} file repeats {label} {tuple(sub.iloc[first])!r} in rows {first + 1} and "
            f"{second + 1} ({int(dup.sum())} rows share a duplicate {label}).",
            where=where(source, second), field=cols[0], expected=f"each {label} once",
            example="S-000123", details={"rows_affected": int(dup.sum())},
        )


def parse_bool(s: pd.Series, *, col: str, source: str, kind: str) -> np.ndarray:
    """Parse a yes/no column (bool, 1/0, true/false, yes/no, y/n) into a bool array."""
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=bool)
    if pd.api.types.is_integer_dtype(s):
        arr = s.to_numpy()
        bad = ~np.isin(arr, [0, 1])
    else:
        low = s.astype("string").str.strip().str.lower()
        t = low.isin(_TRUE).to_numpy(dtype=bool)
        f = low.isin(_FALSE).to_numpy(dtype=bool)
        bad = ~(t | f)
        arr = t
    if bad.any():
        pos = _first(bad)
        raise InputError(f"{kind} column {col!r} is not a yes/no value: {s.iloc[pos]!r}.",
                         where=where(source, pos), field=col, expected="true | false (or 1 | 0, yes | no)",
                         example="false")
    return np.asarray(arr, dtype=bool)


MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
QUARTER_RE = re.compile(r"^\d{4}-Q[1-4]$")
DATE_RE = re.compile(r"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|(19|20)\d{2}(0[1-9]|1[0-2])"
                     r"(0[1-9]|[12]\d|3[01]))([ T].*)?$")
PERIOD_FORMS = "a month YYYY-MM, a quarter YYYY-Qn, or one label for the whole period (e.g. POI)"


def period_form(value: str) -> str:
    """Return ``month``, ``quarter``, ``date`` or ``label`` for one period cell."""
    v = value.strip()
    if MONTH_RE.match(v):
        return "month"
    if QUARTER_RE.match(v):
        return "quarter"
    if DATE_RE.match(v):
        return "date"
    return "label"


def check_period(s: pd.Series, source: str, kind: str) -> str:
    """Check a period column; return its form (month | quarter | label).

    Dates are refused (a date per sale is not a period); one file uses one form.
    """
    text = s.astype("string").str.strip()
    codes, uniques = pd.factorize(text, use_na_sentinel=False)   # one check per distinct period
    forms = np.array([period_form(str(v)) for v in uniques], dtype=object)[codes]
    dates = forms == "date"
    if dates.any():
        pos = _first(dates)
        raise InputError(
            f"{kind} column 'period' holds a date ({text.iloc[pos]!r}) in {int(dates.sum())} row(s): a period is "
            f"{PERIOD_FORMS}. A date per sale makes every period one day, so T-T and the time-period "
            "Cohen's d would compare nothing.",
            where=where(source, pos), field="period", expected=PERIOD_FORMS, example="2024-03",
            details={"rows_affected": int(dates.sum())},
        )
    kinds = sorted(set(forms.tolist()))
    if len(kinds) > 1:
        first = forms[0]
        pos = _first(forms != first)
        raise InputError(
            f"{kind} column 'period' mixes forms ({', '.join(kinds)}): row 1 is a {first}, row {pos + 1} "
            f"({text.iloc[pos]!r}) is not.", where=where(source, pos), field="period",
            expected=f"one form per file: {PERIOD_FORMS}", example="2024-03",
        )
    return kinds[0]


def validate(df: pd.DataFrame, kind: str, source: str) -> pd.DataFrame:
    """Return a clean copy of ``df`` after checking it against the schema of ``kind``.

    Numeric columns become float64, identifier columns are stripped strings (or kept as
    integers), ``affiliated`` becomes bool and ``sale_type`` upper-case EP/CEP. The
    input frame is not modified. Raises :class:`~tradepolicy.errors.InputError` naming
    the file, row and column of the first fault.
    """
    schema = SCHEMAS[kind]
    check_columns(df, schema, source)
    if len(df) == 0:
        raise InputError(f"{kind} file has no data rows.", where=source, expected="at least one row",
                         example=_example(schema))
    out: dict[str, object] = {}
    for col in df.columns:
        c = str(col)
        if c in schema.keys or c in ("period",) or c in ("customer", "region"):
            out[c] = _keys(df, c, source, kind)
        elif c in schema.numeric_positive:
            out[c] = _numeric(df, c, source, positive=True, kind=kind)
        elif c in schema.numeric_optional:
            out[c] = _numeric(df, c, source, positive=False, kind=kind)
        elif c == "affiliated":
            out[c] = parse_bool(df[c], col=c, source=source, kind=kind)
        elif c == "sale_type":
            st = df[c].astype("string").str.strip().str.upper()
            bad = (~st.isin(["EP", "CEP"])).to_numpy(dtype=bool)
            if bad.any():
                pos = _first(bad)
                raise InputError(f"us column 'sale_type' must be EP or CEP: {df[c].iloc[pos]!r}.",
                                 where=where(source, pos), field=c, expected="EP | CEP", example="EP")
            out[c] = st
        else:
            out[c] = df[c]
    clean = pd.DataFrame(out, index=pd.RangeIndex(len(df)))
    if "period" in clean.columns and not pd.api.types.is_integer_dtype(clean["period"]):
        check_period(clean["period"], source, kind)
    for cols in ((schema.unique,) if schema.unique else ()):
        _unique(clean, cols, source, kind)
    if kind == "cost":
        _unique(clean, ("connum", "period") if "period" in clean.columns else ("connum",), source, kind)
    if kind == "similar":
        _unique(clean, ("us_connum", "hm_connum"), source, kind)
    return clean
