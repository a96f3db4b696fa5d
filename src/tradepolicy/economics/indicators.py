"""Trade indicators for partner screening: complementarity, trade intensity, RCA.

Definitions follow the WITS / World Bank indicator notes:

- Trade complementarity (Michaely 1996):  TC_ij = 100 (1 − ½ Σ_k |m_jk − x_ik|), with x_ik
  the share of product k in i's exports and m_jk the share of k in j's imports. 0 = no
  overlap, 100 = i exports exactly what j imports.
- Trade intensity (Brown 1949; Kojima 1964):  TI_ij = (x_ij / X_i) / (x_wj / X_w), i's export
  share going to j over the world's export share going to j. > 1: more trade than j's size
  in world imports suggests.
- Revealed comparative advantage (Balassa 1965):  RCA_ik = (x_ik / X_i) / (x_wk / X_w).

Flows are values in any one currency unit; zero totals give NaN, never a silent 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tradepolicy.economics.pe.validation import check_flows
from tradepolicy.errors import InputError


def _need(df: pd.DataFrame, cols: tuple[str, ...]) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(f"Columns {missing} are missing.", field=missing[0],
                         expected=f"columns {', '.join(cols)}", example=", ".join(cols))
    check_flows(df[cols[-1]].to_numpy(), field=cols[-1])


def complementarity(exports_by_product: pd.Series, imports_by_product: pd.Series) -> float:
    """Return the Michaely trade complementarity index (0-100) of i's exports with j's imports.

    Parameters
    ----------
    exports_by_product
        i's exports by product code (values).
    imports_by_product
        j's imports by product code (values).

    Examples
    --------
    >>> x = pd.Series({"a": 60.0, "b": 40.0})
    >>> m = pd.Series({"a": 20.0, "b": 30.0, "c": 50.0})
    >>> round(complementarity(x, m), 6)
    50.0
    """
    for name, s in (("exports_by_product", exports_by_product), ("imports_by_product", imports_by_product)):
        check_flows(s.to_numpy(), field=name)
    idx = exports_by_product.index.union(imports_by_product.index)
    x = exports_by_product.groupby(level=0).sum().reindex(idx, fill_value=0.0)
    m = imports_by_product.groupby(level=0).sum().reindex(idx, fill_value=0.0)
    if x.sum() <= 0 or m.sum() <= 0:
        return float("nan")
    return float(100.0 * (1.0 - 0.5 * np.abs(m / m.sum() - x / x.sum()).sum()))


def trade_intensity(flows: pd.DataFrame, *, exporter: str = "exporter", importer: str = "importer",
                    value: str = "value", international_only: bool = True) -> pd.DataFrame:
    """Return the trade intensity index for every exporter-importer pair.

    Parameters
    ----------
    flows
        Long frame of bilateral flows.
    exporter, importer, value
        Column names.
    international_only
        Drop domestic rows (exporter == importer) first (default).

    Returns
    -------
    pandas.DataFrame
        Columns ``exporter``, ``importer``, ``trade_intensity``.

    Examples
    --------
    >>> f = pd.DataFrame({"exporter": ["A", "A", "B", "C"], "importer": ["B", "C", "C", "B"],
    ...                   "value": [30.0, 10.0, 20.0, 40.0]})
    >>> trade_intensity(f).round(4).to_dict("records")[0]
    {'exporter': 'A', 'importer': 'B', 'trade_intensity': 1.0714}
    """
    _need(flows, (exporter, importer, value))
    f = flows[[exporter, importer, value]].copy()
    if international_only:
        f = f[f[exporter] != f[importer]]
    total = f[value].sum()
    x_i = f.groupby(exporter)[value].transform("sum")
    m_j = f.groupby(importer)[value].transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        ti = (f[value] / x_i) / (m_j / total)
    return pd.DataFrame({"exporter": f[exporter].to_numpy(), "importer": f[importer].to_numpy(),
                         "trade_intensity": ti.to_numpy(float)})


def rca(flows: pd.DataFrame, *, exporter: str = "exporter", product: str = "product",
        value: str = "value") -> pd.DataFrame:
    """Return Balassa's revealed comparative advantage for every exporter x product.

    The world is the set of exporters in ``flows``; state that when the frame is a subset
    (e.g. six shrimp lines: RCA *within* those lines).

    Examples
    --------
    >>> f = pd.DataFrame({"exporter": ["A", "A", "B"], "product": ["x", "y", "y"],
    ...                   "value": [50.0, 50.0, 100.0]})
    >>> rca(f).round(4)["rca"].tolist()
    [2.0, 0.6667, 1.3333]
    """
    _need(flows, (exporter, product, value))
    g = flows.groupby([exporter, product], as_index=False)[value].sum()
    x_i = g.groupby(exporter)[value].transform("sum")
    x_k = g.groupby(product)[value].transform("sum")
    total = g[value].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (g[value] / x_i) / (x_k / total)
    return pd.DataFrame({"exporter": g[exporter], "product": g[product], "rca": out.astype(float)})
