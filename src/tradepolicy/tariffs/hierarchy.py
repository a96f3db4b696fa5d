"""The HTS tree rebuilt from the ``Indent`` column, with rates inherited downward.

In the Basic Edition CSV a row's parent is the nearest earlier row with a smaller
``Indent``. Rates of duty are printed on the 8-digit line (sometimes the 10-digit or a
heading line); statistical 10-digit lines inherit them from their nearest ancestor that
prints a general rate. Text-only rows (no number) are kept as ``level="text"`` so that
a line's full description can be read from its path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

RATE_COLUMNS = ("general", "special", "col2")


@dataclass(frozen=True, slots=True)
class HierarchyStats:
    """Counts of rows by level after the rebuild (``n_hts10`` = statistical lines...)."""

    n_rows: int
    n_heading: int
    n_subheading: int
    n_hts8: int
    n_hts10: int
    n_text: int
    n_rates_inherited: int


def level_of(code: str) -> str:
    """Return ``heading`` / ``subheading`` / ``hts8`` / ``hts10`` / ``text`` for a code."""
    return {4: "heading", 6: "subheading", 8: "hts8", 10: "hts10"}.get(len(code), "text")


def build_tree(rows: pd.DataFrame) -> pd.DataFrame:
    """Rebuild the hierarchy of an HTS edition.

    Parameters
    ----------
    rows
        One row per CSV row in file order, with columns ``hts`` (digits, "" for text rows),
        ``indent`` (int), ``description``, ``units`` (str), ``general``, ``special``,
        ``col2``, ``additional``.

    Returns
    -------
    pandas.DataFrame
        The rows with added columns ``level``, ``parent_row`` (index of the parent row,
        -1 at the top), ``heading`` (4 digits), ``path`` (descriptions from the heading
        down, joined with " > "), ``rate_row`` (row whose rates apply), ``rates_inherited``
        (bool), and ``general``/``special``/``col2``/``units`` filled from ``rate_row``.
    """
    n = len(rows)
    codes: Sequence[str] = rows["hts"].tolist()
    indents: Sequence[int] = rows["indent"].astype(int).tolist()
    descs: Sequence[str] = rows["description"].tolist()
    general: list[str] = rows["general"].tolist()
    special: list[str] = rows["special"].tolist()
    col2: list[str] = rows["col2"].tolist()
    units: list[str] = rows["units"].tolist()
    parent = [-1] * n
    heading = [""] * n
    path = [""] * n
    rate_row = list(range(n))
    inherited = [False] * n
    stack: list[int] = []
    current_heading = ""
    for i in range(n):
        ind = indents[i]
        while stack and indents[stack[-1]] >= ind:
            stack.pop()
        p = stack[-1] if stack else -1
        parent[i] = p
        code = codes[i]
        if len(code) == 4:
            current_heading = code
        heading[i] = code[:4] if code else current_heading
        path[i] = (path[p] + " > " if p >= 0 else "") + descs[i].strip()
        if not general[i] and p >= 0:
            r = rate_row[p]
            if general[r]:
                rate_row[i] = r
                inherited[i] = True
                general[i], special[i], col2[i] = general[r], special[r], col2[r]
        if not units[i] and p >= 0:
            units[i] = units[p]
        stack.append(i)
    out = rows.copy()
    out["level"] = [level_of(c) for c in codes]
    out["parent_row"] = parent
    out["heading"] = heading
    out["path"] = path
    out["rate_row"] = rate_row
    out["rates_inherited"] = inherited
    out["general"], out["special"], out["col2"], out["units"] = general, special, col2, units
    return out


def stats(tree: pd.DataFrame) -> HierarchyStats:
    """Return the counts of a rebuilt tree."""
    lv = tree["level"].value_counts()
    return HierarchyStats(
        n_rows=len(tree), n_heading=int(lv.get("heading", 0)),
        n_subheading=int(lv.get("subheading", 0)), n_hts8=int(lv.get("hts8", 0)),
        n_hts10=int(lv.get("hts10", 0)), n_text=int(lv.get("text", 0)),
        n_rates_inherited=int(tree["rates_inherited"].sum()),
    )


def leaf_lines(tree: pd.DataFrame) -> pd.DataFrame:
    """Return the tariff lines a duty is assessed on: HTS10 lines and childless HTS8 lines."""
    coded = tree[tree["level"].isin(["hts8", "hts10"])]
    has_child10 = set(tree.loc[tree["level"] == "hts10", "hts"].str[:8])
    mask = (coded["level"] == "hts10") | ~coded["hts"].isin(has_child10)
    return coded[mask]
