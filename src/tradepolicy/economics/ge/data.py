"""Validated inputs of the structural gravity GE: a square panel of bilateral flows.

Conventions
-----------
i indexes exporters (rows), j importers (columns). ``flows[i, j]`` = X_ij, the value of
shipments from i to j, domestic flows (i == j) included. Output Y_i and expenditure E_j are
the row and column sums unless given explicitly (gegravity's sample data carries Y and E
that differ from the sums of its 30-country flows).

``costs[i, j]`` is the baseline trade-cost term T_ij = t_ij^(1-sigma), typically
exp(sum_k beta_k z_ij,k) from a PPML. When it is not given, T is chosen so that the
observed flows are the baseline equilibrium (T_ij = X_ij / (E_j * Y_i / Y)): every baseline
multilateral resistance is then 1 and the counterfactual is the exact-hat one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tradepolicy.errors import InputError

__all__ = ["GEData", "cost_matrix"]


def _rows_text(df: pd.DataFrame, mask: pd.Series, cols: Sequence[str], limit: int = 5) -> str:
    bad = df.loc[mask, list(cols)].head(limit)
    return "; ".join(
        f"row {idx}: " + ", ".join(f"{c}={row[c]!r}" for c in cols) for idx, row in bad.iterrows()
    )


def _pair_index(
    df: pd.DataFrame, countries: Sequence[str], exporter: str, importer: str
) -> np.ndarray:
    """Return flat positions i * N + j of every row (-1 where a code is unknown)."""
    n = len(countries)
    cats = pd.Index(list(countries))

    def pos(col: str) -> np.ndarray:
        return np.asarray(cats.get_indexer(pd.Index(df[col].astype(str))), dtype=np.int64)

    e, i = pos(exporter), pos(importer)
    return np.where((e >= 0) & (i >= 0), e * n + i, -1)


def _pivot(
    df: pd.DataFrame, value: str, countries: Sequence[str], exporter: str, importer: str
) -> np.ndarray:
    """Return an (N, N) matrix of ``value`` (NaN where a pair is absent)."""
    n = len(countries)
    idx = _pair_index(df, countries, exporter, importer)
    vals = pd.to_numeric(df[value], errors="coerce").to_numpy(dtype=float)
    out = np.full(n * n, np.nan)
    keep = idx >= 0
    out[idx[keep]] = vals[keep]
    return out.reshape(n, n)


@dataclass(frozen=True, eq=False)
class GEData:
    """A square panel of flows for one period, ready for the GE solvers.

    Attributes
    ----------
    countries
        ISO3 codes in the order of the rows and columns of every matrix.
    flows
        (N, N) X_ij, exporter i (row) to importer j (column), in the data's currency units
        (e.g. US$ million); domestic flows on the diagonal.
    output
        (N,) Y_i, value of output (same units); row sums of ``flows`` unless given.
    expenditure
        (N,) E_j, value of expenditure (same units); column sums unless given.
    costs
        (N, N) baseline T_ij = t_ij^(1-sigma) (unitless, > 0 where flows are modelled), or
        ``None`` to rationalise the observed flows exactly (exact-hat convention).
    """

    countries: tuple[str, ...]
    flows: np.ndarray
    output: np.ndarray
    expenditure: np.ndarray
    costs: np.ndarray | None = None
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {c: k for k, c in enumerate(self.countries)})
        for arr in (self.flows, self.output, self.expenditure, self.costs):
            if arr is not None:
                arr.setflags(write=False)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_arrays(
        cls,
        flows: np.ndarray,
        countries: Sequence[str],
        *,
        costs: np.ndarray | None = None,
        output: np.ndarray | None = None,
        expenditure: np.ndarray | None = None,
    ) -> GEData:
        """Build from an (N, N) flow matrix (rows exporters) and the ISO3 order."""
        x = np.array(flows, dtype=float)
        names = tuple(str(c) for c in countries)
        n = len(names)
        if x.ndim != 2 or x.shape != (n, n):
            raise InputError(
                f"flows must be a square ({n}, {n}) matrix; got shape {x.shape}",
                field="flows",
                expected="an N x N matrix, N = number of countries",
                example="np.array([[10.0, 2.0], [3.0, 8.0]])",
            )
        if len(set(names)) != n:
            dup = sorted({c for c in names if names.count(c) > 1})
            raise InputError(
                f"duplicate country codes: {dup}",
                field="countries",
                expected="unique ISO3 codes",
                example="('CAN', 'MEX', 'USA')",
            )
        _check_values(x, names, "flows")
        out = x.sum(axis=1) if output is None else np.array(output, dtype=float)
        exp = x.sum(axis=0) if expenditure is None else np.array(expenditure, dtype=float)
        for name, vec in (("output", out), ("expenditure", exp)):
            if vec.shape != (n,):
                raise InputError(f"{name} must have shape ({n},); got {vec.shape}", field=name)
            bad = ~np.isfinite(vec) | (vec <= 0)
            if bad.any():
                who = [names[k] for k in np.flatnonzero(bad)[:5]]
                raise InputError(
                    f"{name} must be positive and finite; not so for {who}",
                    field=name,
                    expected="Y_i > 0 and E_j > 0 for every country",
                    example="a country with zero output cannot be modelled; drop it",
                )
        cst: np.ndarray | None = None
        if costs is not None:
            cst = np.array(costs, dtype=float)
            if cst.shape != (n, n):
                raise InputError(
                    f"costs must have shape ({n}, {n}); got {cst.shape}", field="costs"
                )
            bad = ~np.isfinite(cst) | (cst < 0)
            if bad.any():
                i, j = np.argwhere(bad)[0]
                raise InputError(
                    f"costs must be finite and non-negative; {names[i]}->{names[j]} is "
                    f"{cst[i, j]!r}",
                    field="costs",
                    expected="T_ij = t_ij^(1-sigma) >= 0",
                )
        return cls(countries=names, flows=x, output=out, expenditure=exp, costs=cst)

    @classmethod
    def from_frame(
        cls,
        df: pd.DataFrame,
        *,
        exporter: str = "exporter",
        importer: str = "importer",
        flow: str = "trade",
        cost: str | None = None,
        output: str | None = None,
        expenditure: str | None = None,
    ) -> GEData:
        """Build from a long frame with one row per (exporter, importer) pair.

        Parameters
        ----------
        df
            One period; every ordered pair of the country set exactly once, domestic
            pairs included.
        exporter, importer, flow
            Column names; ``flow`` holds X_ij (non-negative, no missing values).
        cost
            Optional column holding T_ij = t_ij^(1-sigma).
        output, expenditure
            Optional columns holding Y (constant within exporter) and E (constant within
            importer); default: row and column sums of the flows.

        Raises
        ------
        InputError
            On missing columns, missing or negative flows, duplicate pairs, or a panel that
            is not square (the message names the rows or the missing pairs).
        """
        needed = [c for c in (exporter, importer, flow, cost, output, expenditure) if c]
        missing_cols = [c for c in needed if c not in df.columns]
        if missing_cols:
            raise InputError(
                f"missing column(s) {missing_cols}",
                field=missing_cols[0],
                expected=f"columns {needed}",
                example="exporter,importer,trade",
            )
        frame = df.reset_index(drop=True)
        if frame.empty:
            raise InputError("no flows given", field=flow,
                             expected="one row per ordered pair of countries",
                             example="exporter,importer,trade")
        for col in (exporter, importer):
            blank = frame[col].isna() | (frame[col].astype(str).str.strip() == "")
            if blank.any():
                raise InputError(
                    f"{int(blank.sum())} row(s) without a country code in {col!r}",
                    where=_rows_text(frame, blank, [exporter, importer, flow]),
                    field=col,
                    expected="an ISO3 code on every row",
                    example="USA",
                )
        vals = pd.to_numeric(frame[flow], errors="coerce")
        miss = vals.isna()
        if miss.any():
            raise InputError(
                f"{int(miss.sum())} missing or non-numeric flow(s)",
                where=_rows_text(frame, miss, [exporter, importer, flow]),
                field=flow,
                expected="a non-negative number for every pair (0 for no trade)",
                example="0.0",
            )
        neg = vals < 0
        if neg.any():
            raise InputError(
                f"{int(neg.sum())} negative flow(s)",
                where=_rows_text(frame, neg, [exporter, importer, flow]),
                field=flow,
                expected="flows >= 0",
                example="0.0",
            )
        countries = sorted({str(c) for col in (exporter, importer)
                            for c in pd.unique(frame[col].astype(str))})
        n = len(countries)
        idx = _pair_index(frame, countries, exporter, importer)
        counts = np.bincount(idx, minlength=n * n)
        if (counts > 1).any():
            dup = pd.Series(counts[idx] > 1, index=frame.index)
            raise InputError(
                f"{int(dup.sum())} rows repeat an (exporter, importer) pair",
                where=_rows_text(frame, dup, [exporter, importer]),
                field=f"{exporter},{importer}",
                expected="one row per ordered pair (one period only)",
                example="filter the panel to one year first",
            )
        if (counts == 0).any():
            absent = [(countries[k // n], countries[k % n]) for k in np.flatnonzero(counts == 0)]
            raise InputError(
                f"panel is not square: {len(frame)} rows for {n} countries "
                f"({n * n} pairs needed); {len(absent)} pair(s) missing",
                where="missing pairs: " + ", ".join(f"{a}->{b}" for a, b in absent[:10]),
                field=f"{exporter},{importer}",
                expected="every ordered pair of the country set, domestic pairs included",
                example="add the missing pairs with trade 0",
            )
        def square(values: np.ndarray) -> np.ndarray:
            flat = np.empty(n * n)
            flat[idx] = values
            return flat.reshape(n, n)

        x = square(vals.to_numpy(dtype=float))
        cst = None
        if cost:
            cst = square(pd.to_numeric(frame[cost], errors="coerce").to_numpy(dtype=float))
        out = _per_country(frame, output, idx // n, countries) if output else None
        exp = _per_country(frame, expenditure, idx % n, countries) if expenditure else None
        return cls.from_arrays(x, countries, costs=cst, output=out, expenditure=exp)

    # ------------------------------------------------------------------ helpers
    @property
    def n(self) -> int:
        """Number of countries N."""
        return len(self.countries)

    def index_of(self, iso3: str, *, field_name: str = "reference") -> int:
        """Return the position of ``iso3``; raise InputError naming the known codes."""
        try:
            return self._index[iso3]
        except KeyError:
            raise InputError(
                f"unknown country {iso3!r}",
                field=field_name,
                expected=f"one of the {self.n} countries in the data",
                example=self.countries[0] if self.countries else "USA",
                details={"countries": list(self.countries)},
            ) from None

    def matrix(
        self,
        df: pd.DataFrame,
        value: str,
        *,
        exporter: str = "exporter",
        importer: str = "importer",
        fill: float | None = None,
    ) -> np.ndarray:
        """Pivot a long column into an (N, N) matrix in this data's country order.

        Missing pairs raise InputError unless ``fill`` is given.
        """
        mat = _pivot(df, value, self.countries, exporter, importer)
        if np.isnan(mat).any():
            if fill is None:
                i, j = np.argwhere(np.isnan(mat))[0]
                raise InputError(
                    f"column {value!r} has no value for {self.countries[i]}->{self.countries[j]}",
                    field=value,
                    expected="one value per ordered pair",
                )
            mat = np.where(np.isnan(mat), fill, mat)
        return mat

    def baseline_costs(self) -> np.ndarray:
        """Return T: the given costs, or the costs that rationalise the observed flows."""
        if self.costs is not None:
            return np.asarray(self.costs)
        y_share = self.output / self.output.sum()
        return np.asarray(self.flows / (np.outer(y_share, self.expenditure)))


def _per_country(
    df: pd.DataFrame, col: str, codes: np.ndarray, countries: Sequence[str]
) -> np.ndarray:
    vals = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
    n = len(countries)
    lo = np.full(n, np.inf)
    hi = np.full(n, -np.inf)
    np.minimum.at(lo, codes, vals)
    np.maximum.at(hi, codes, vals)
    varies = ~(lo == hi)
    if varies.any():
        raise InputError(
            f"column {col!r} varies within a country (or is missing)",
            where=f"country {countries[int(np.flatnonzero(varies)[0])]}",
            field=col,
            expected=f"one value of {col} per country",
        )
    return lo


def _check_values(x: np.ndarray, names: Sequence[str], what: str) -> None:
    bad = ~np.isfinite(x)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise InputError(
            f"{int(bad.sum())} missing or non-finite {what}; first {names[i]}->{names[j]}",
            field=what,
            expected="finite values",
        )
    neg = x < 0
    if neg.any():
        i, j = np.argwhere(neg)[0]
        raise InputError(
            f"{int(neg.sum())} negative {what}; first {names[i]}->{names[j]} = {x[i, j]!r}",
            field=what,
            expected=">= 0",
        )


def cost_matrix(
    df: pd.DataFrame,
    coefficients: Mapping[str, float],
    countries: Sequence[str],
    *,
    exporter: str = "exporter",
    importer: str = "importer",
) -> np.ndarray:
    """Return T_ij = exp(sum_k beta_k z_ij,k) as an (N, N) matrix in ``countries`` order.

    ``coefficients`` maps column names of ``df`` (the cost variables z) to PPML estimates
    beta (which already include the 1 - sigma factor), as in gegravity's ``CostCoeffs``.
    """
    missing = [c for c in coefficients if c not in df.columns]
    if missing:
        raise InputError(
            f"cost variable(s) {missing} not in the data",
            field=missing[0],
            expected=f"columns of the frame: {list(df.columns)}",
        )
    eta = np.zeros(len(df))
    for name, beta in coefficients.items():
        eta = eta + float(beta) * pd.to_numeric(df[name]).to_numpy(dtype=float)
    n = len(countries)
    idx = _pair_index(df, countries, exporter, importer)
    flat = np.full(n * n, np.nan)
    keep = idx >= 0
    flat[idx[keep]] = np.exp(eta[keep])
    mat = flat.reshape(n, n)
    if np.isnan(mat).any():
        i, j = np.argwhere(np.isnan(mat))[0]
        raise InputError(
            f"no cost variables for {countries[i]}->{countries[j]}",
            field="cost variables",
            expected="one row per ordered pair",
        )
    return mat
