"""Tariff indicators by HS section and chapter.

Simple average of line AVEs; trade-weighted average where weights are given; peaks
(lines above a threshold, the WTO "international peak" of 15% by default — threshold from
``measures/indicators.yaml``); dutiable share (lines with a positive MFN rate); mean
preference margin (MFN minus the lowest preferential rate, over lines with a preference);
counts of lines by duty type.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def indicators(lines: pd.DataFrame, by: str, *, peak_threshold: float) -> pd.DataFrame:
    """Return indicators per group.

    Parameters
    ----------
    lines
        One row per tariff line: ``by`` (group key), ``ave`` (decimal MFN AVE, NaN when not
        statable), ``kind`` (duty type), ``pref_ave`` (lowest preferential AVE or NaN),
        optional ``weight`` (trade value, US$).
    by
        The grouping column ("section" or "chapter").
    peak_threshold
        Decimal rate above which a line is a peak.

    Returns
    -------
    pandas.DataFrame
        ``n_lines``, ``n_ave`` (lines with a statable AVE), ``simple_avg``,
        ``weighted_avg`` (NaN without weights), ``max_ave``, ``n_peaks``, ``dutiable_share``,
        ``pref_margin`` (mean, decimal points), and ``n_<kind>`` counts.
    """
    df = lines.copy()
    has_w = "weight" in df and df["weight"].notna().any()
    df["_w"] = df["weight"] if has_w else np.nan
    df["_wa"] = df["ave"] * df["_w"]
    df["_margin"] = np.where(df["pref_ave"].notna() & df["ave"].notna(), df["ave"] - df["pref_ave"], np.nan)
    g = df.groupby(by, sort=True)
    out = pd.DataFrame({
        "n_lines": g.size(),
        "n_ave": g["ave"].count(),
        "simple_avg": g["ave"].mean(),
        "weighted_avg": (g["_wa"].sum(min_count=1) / df[df["ave"].notna()].groupby(by)["_w"].sum(min_count=1))
        if has_w else np.nan,
        "max_ave": g["ave"].max(),
        "n_peaks": g["ave"].apply(lambda s: int((s > peak_threshold).sum())),
        "dutiable_share": g["ave"].apply(lambda s: float((s > 0).sum() / s.notna().sum()) if s.notna().any() else np.nan),
        "pref_margin": g["_margin"].mean(),
    })
    counts = df.pivot_table(index=by, columns="kind", values="ave", aggfunc="size", fill_value=0)
    counts.columns = [f"n_{c}" for c in counts.columns]
    return out.join(counts).reset_index()
