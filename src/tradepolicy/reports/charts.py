"""Offline charts for reports: matplotlib (Agg backend) drawn as inline SVG.

Text stays text in the SVG (``svg.fonttype = "none"``), so a chart's labels are searchable in
the HTML and in the PDF, and the output carries no timestamp (same input, same bytes).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import threading
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from markupsafe import Markup

from tradepolicy.errors import InputError

ChartKind = Literal["line", "bar"]
MAX_POINTS = 20_000
_LOCK = threading.Lock()  # pyplot's state is global: one chart at a time per process


def _finite(value: Any, where: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"Chart value {value!r} is not a number.", field=where, expected="a number",
                         example="1.5") from exc
    return v if math.isfinite(v) else math.nan


def _series(kind: str, series: Any) -> dict[str, list[tuple[Any, float]]]:
    """Normalise ``series`` to ``{name: [(x, y), ...]}``."""
    if isinstance(series, Mapping) and series and all(not isinstance(v, Sequence | Mapping) or isinstance(v, str)
                                                      for v in series.values()):
        # a single bar series {category: value}
        return {"": [(str(k), _finite(v, f"series[{k!r}]")) for k, v in series.items()]}
    if not isinstance(series, Mapping) or not series:
        raise InputError(f"A {kind} chart needs series as {{name: [(x, y), ...]}} or, for bars, {{category: value}}.",
                         field="series", expected="a non-empty mapping", example='{"USA": [(2020, 1.0), (2021, 1.2)]}')
    out: dict[str, list[tuple[Any, float]]] = {}
    total = 0
    for name, points in series.items():
        pts = list(points.items()) if isinstance(points, Mapping) else list(points)
        clean: list[tuple[Any, float]] = []
        for i, p in enumerate(pts):
            if not isinstance(p, Sequence) or isinstance(p, str) or len(p) != 2:
                raise InputError(f"Point {i} of series {name!r} is not an (x, y) pair.", field=f"series[{name!r}][{i}]",
                                 expected="(x, y)", example="(2020, 1.5)")
            clean.append((p[0], _finite(p[1], f"series[{name!r}][{i}]")))
        total += len(clean)
        out[str(name)] = clean
    if total > MAX_POINTS:
        raise InputError(f"A chart of {total:,} points is too large.", field="series",
                         expected=f"at most {MAX_POINTS:,} points", example="aggregate by year")
    return out


def chart(
    kind: ChartKind = "line",
    series: Any = None,
    *,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    width: float = 6.5,
    height: float = 3.2,
    horizontal: bool = False,
) -> Markup:
    """Return a chart as an inline ``<svg>`` (safe to put in a Jinja template as is).

    ``kind="line"``: ``series`` is ``{name: [(x, y), ...]}`` (x numbers or dates).
    ``kind="bar"``: ``{category: value}`` for one series, or ``{name: [(category, value), ...]}``
    for grouped bars (``horizontal=True`` for long category lists). Sizes in inches.

    >>> svg = chart("bar", {"CHN": 1.5, "JPN": -0.2}, title="Gain (%)")
    >>> svg.startswith("<svg") and "CHN" in svg
    True
    """
    if kind not in ("line", "bar"):
        raise InputError(f"Unknown chart kind {kind!r}.", field="kind", expected="line | bar", example="bar")
    data = _series(kind, series)
    salt = hashlib.sha256(json.dumps([kind, title, data], default=str).encode()).hexdigest()[:12]
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    with _LOCK, matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt,
                                        "font.family": ["DejaVu Sans", "sans-serif"], "font.size": 8}):
        fig, ax = plt.subplots(figsize=(width, height))
        try:
            if kind == "line":
                for name, pts in data.items():
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], label=name or None, linewidth=1.4)
            else:
                names = list(data)
                cats: list[str] = []
                for pts in data.values():
                    for c, _ in pts:
                        if str(c) not in cats:
                            cats.append(str(c))
                step = 0.8 / max(1, len(names))
                for j, name in enumerate(names):
                    vals = dict((str(c), v) for c, v in data[name])
                    pos = [i - 0.4 + step * (j + 0.5) for i in range(len(cats))]
                    ys = [vals.get(c, math.nan) for c in cats]
                    if horizontal:
                        ax.barh(pos, ys, height=step * 0.9, label=name or None)
                    else:
                        ax.bar(pos, ys, width=step * 0.9, label=name or None)
                if horizontal:
                    ax.set_yticks(range(len(cats)), cats)
                    ax.invert_yaxis()
                    ax.axvline(0, color="#444", linewidth=0.6)
                else:
                    ax.set_xticks(range(len(cats)), cats, rotation=45 if len(cats) > 8 else 0,
                                  ha="right" if len(cats) > 8 else "center")
                    ax.axhline(0, color="#444", linewidth=0.6)
            ax.set_title(title)
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
            ax.grid(alpha=0.3, linewidth=0.5)
            if len(data) > 1:
                ax.legend(frameon=False)
            fig.tight_layout()
            buf = io.StringIO()
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        finally:
            plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    return Markup(svg)
