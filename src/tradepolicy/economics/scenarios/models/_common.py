"""Helpers shared by the scenario model modules (changes, selections, charts, records)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tradepolicy.economics.pe import (
    TariffChange,
)
from tradepolicy.economics.scenarios.result import Chart, clean
from tradepolicy.errors import InputError

if TYPE_CHECKING:
    from tradepolicy.economics.scenarios.schema import Scenario

GSIM_MC_CELLS = 2_000_000  # draws x R x V cells per batched GSIM solve (about 16 MB per array)
TOP_N_CHART = 50  # bars in a chart: every country up to 50, else the 50 largest by magnitude

def _changes(sc: Scenario) -> list[TariffChange]:
    out = []
    for i, ch in enumerate(sc.policy.get("changes") or []):
        if "formula" not in ch or "value" not in ch:
            raise InputError(f"policy.changes[{i}] needs 'formula' and 'value'.", where=sc.source,
                             field=f"policy.changes[{i}]", expected="{formula: ..., value: ...}",
                             example="{formula: new_rate, value: 0, partners: [ECU]}")
        out.append(TariffChange(formula=ch["formula"], value=float(ch["value"]),
                                partners=tuple(ch["partners"]) if ch.get("partners") else None,
                                products=tuple(str(p) for p in ch["products"]) if ch.get("products") else None))
    return out


def _check_selection(sc: Scenario, changes: list[TariffChange], *, products: list[str],
                     partners: list[str]) -> None:
    """Refuse a change naming a partner or product the market does not have (it would do nothing)."""
    for i, ch in enumerate(changes):
        for key, given, present in (("partners", ch.partners, partners), ("products", ch.products, products)):
            unknown = sorted(set(given or ()) - set(present))
            if unknown:
                raise InputError(f"policy.changes[{i}].{key} names {unknown}, not in this market's data "
                                 f"({len(present)} {key}), so the change would have no effect there.",
                                 where=sc.source, field=f"policy.changes[{i}].{key}",
                                 expected=f"{key} present in the data", example=str(present[0]))


def _base_tariff(spec: Any, partners: list[str], *, source: str) -> np.ndarray:
    """Return base rates per partner from a number or a mapping ``{ISO3: rate, default: rate}``."""
    if spec is None:
        return np.zeros(len(partners))
    if isinstance(spec, int | float) and not isinstance(spec, bool):
        return np.full(len(partners), float(spec))
    if isinstance(spec, dict):
        unknown = sorted(set(spec) - {"default", *partners})
        if unknown:
            raise InputError(f"policy.base_tariff names {unknown}, which supply nothing in the data.",
                             where=source, field="policy.base_tariff",
                             expected="ISO3 codes of partners in the data, or default", example=partners[0])
        default = float(spec.get("default", 0.0))
        return np.array([float(spec.get(p, default)) for p in partners])
    raise InputError("policy.base_tariff must be a rate or a mapping {ISO3: rate, default: rate}.",
                     where=source, field="policy.base_tariff", expected="0.12 or {default: 0.12, ECU: 0}",
                     example="0.12")


def _chart(rows: list[dict[str, Any]], metric: str, title: str, unit: str, label: str = "iso3") -> Chart:
    vals = [(str(r[label] if r.get(label) is not None else r.get("partner")), float(r[metric])) for r in rows
            if r.get(metric) is not None and np.isfinite(r[metric])]
    vals.sort(key=lambda lv: -abs(lv[1]))
    vals = vals[:TOP_N_CHART]
    return Chart(title=title, metric=metric, unit=unit, labels=tuple(v[0] for v in vals),
                 values=tuple(v[1] for v in vals))


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [clean(r) for r in df.to_dict("records")]


def _param(sc: Scenario, name: str, default: float | None = None) -> float:
    if name in sc.parameters:
        return float(sc.parameters[name])
    if default is None:
        raise InputError(f"Missing parameter {name!r}.", where=sc.source, field=f"parameters.{name}",
                         expected="a number", example="1.5")
    return default



def _by_product(sc: Scenario, name: str, products: list[str], default: float | None) -> Any:
    """Return a scalar, or a (P, 1) array when the parameter is given by product."""
    v = sc.parameters.get(name)
    if isinstance(v, dict):
        unknown = sorted(set(v) - {"default", *products})
        if unknown:
            raise InputError(f"parameters.{name} names product(s) {unknown} not in this market's data.",
                             where=sc.source, field=f"parameters.{name}",
                             expected="default and HS6 codes present: " + ", ".join(products),
                             example=f'{{default: 1.2, "{products[0]}": 0.9}}')
        return np.array([[float(v[p] if p in v else v["default"])] for p in products])
    return _param(sc, name, default)
