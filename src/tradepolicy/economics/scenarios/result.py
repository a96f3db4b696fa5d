"""The typed result of a scenario run, shared by every model."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


def clean(v: Any) -> Any:
    """Return ``v`` JSON-safe: numpy scalars to Python, NaN/inf to None/strings."""
    if isinstance(v, dict):
        return {str(k): clean(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [clean(x) for x in v]
    if hasattr(v, "item") and not isinstance(v, str):
        try:
            v = v.item()
        except (ValueError, AttributeError):
            return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
    return v


@dataclass(frozen=True)
class Chart:
    """A bar chart of one metric by country: labels (ISO3) and values, with its unit."""

    title: str
    metric: str
    unit: str
    labels: tuple[str, ...]
    values: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the chart as JSON-safe data."""
        return clean({"title": self.title, "metric": self.metric, "unit": self.unit,
                      "labels": list(self.labels), "values": list(self.values)})


@dataclass(frozen=True)
class ScenarioResult:
    """Outcome of one scenario evaluation.

    Attributes
    ----------
    name, title, model
        Identity of the scenario.
    sign_convention
        How to read the signs and units of every change.
    unit
        Unit of the value columns (e.g. ``thousand US$``, ``percent``).
    summary
        Headline totals.
    rows
        One row per country / partner, each with ``iso3`` (the main table).
    columns
        Column order of ``rows``.
    chart
        The headline metric by country.
    tables
        Further tables by name (e.g. by product, band runs).
    uncertainty
        Bands and Monte Carlo percentiles, when the scenario asked for them.
    parameters
        Parameters actually used (defaults filled in).
    diagnostics
        Solver diagnostics.
    """

    name: str
    title: str
    model: str
    sign_convention: str
    unit: str
    summary: dict[str, Any]
    rows: list[dict[str, Any]]
    columns: list[str]
    chart: Chart
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    uncertainty: dict[str, Any] | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    diagnostics: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-safe data."""
        return clean({
            "name": self.name, "title": self.title, "model": self.model,
            "sign_convention": self.sign_convention, "unit": self.unit,
            "summary": self.summary, "columns": self.columns, "rows": self.rows,
            "chart": self.chart.to_dict(), "tables": self.tables,
            "uncertainty": self.uncertainty, "parameters": self.parameters,
            "diagnostics": self.diagnostics,
        })
