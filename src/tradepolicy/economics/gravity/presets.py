"""Named PPML specifications with the sample conventions of their sources.

Yotov, Piermartini, Monteiro & Larch (2016), *An Advanced Guide to Trade Policy Analysis:
The Structural Gravity Model*, WTO/UNCTAD, chapters 1-2 (data: dataset ``agtpa``); the
gegravity sample regression (dataset ``gegravity-sample``); step 1 of Zylkin's
``ge_gravity`` example (dataset ``wiod-zylkin``; Baier, Yotov & Zylkin 2019).

Each preset turns the dataset's frame into the estimation sample (``prepare``) and names
the formula, the cluster variable and the published estimates it must reproduce.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tradepolicy.economics.gravity.estimate import estimate_ppml
from tradepolicy.economics.gravity.results import PPMLResult
from tradepolicy.errors import NotFoundError

__all__ = ["PRESETS", "Preset", "get_preset", "run_preset"]

BOOK_YEARS = (1986, 1990, 1994, 1998, 2002, 2006)


def _book_panel(df: pd.DataFrame) -> pd.DataFrame:
    out = df[df["year"].isin(BOOK_YEARS)].copy()
    out["exp_year"] = out["exporter"] + "_" + out["year"].astype(str)
    out["imp_year"] = out["importer"] + "_" + out["year"].astype(str)
    return out


def _table1_ppml(df: pd.DataFrame) -> pd.DataFrame:
    """International flows (zeros kept) of the six book years; log distance."""
    out = _book_panel(df)
    out = out[out["exporter"] != out["importer"]].copy()
    out["log_dist"] = np.log(out["dist"])
    return out


def _table3_pair(df: pd.DataFrame) -> pd.DataFrame:
    """Domestic flows included; pairs with zero total trade dropped; shared domestic pair FE."""
    out = _book_panel(df)
    total = out.groupby("pair_id")["trade"].transform("sum")
    out = out[total > 0].copy()
    domestic = out["exporter"] == out["importer"]
    out["pair_fe"] = np.where(domestic, -1, out["pair_id"]).astype(np.int64)
    return out


def _twb_2006(df: pd.DataFrame) -> pd.DataFrame:
    """2006 cross-section including domestic flows; ln_DIST, CNTG, INTL_BRDR."""
    out = df[df["year"] == 2006].copy()
    out["ln_DIST"] = np.log(out["dist"])
    out["CNTG"] = out["cntg"]
    out["INTL_BRDR"] = (out["exporter"] != out["importer"]).astype(int)
    return out


def _identity(df: pd.DataFrame) -> pd.DataFrame:
    return df.copy()


def _wiod(df: pd.DataFrame) -> pd.DataFrame:
    """International flows; exporter-year, importer-year and (directional) pair FE."""
    out = df[df["exporter"] != df["importer"]].copy()
    out["exp_year"] = out["exporter"] + "_" + out["year"].astype(str)
    out["imp_year"] = out["importer"] + "_" + out["year"].astype(str)
    out["pair"] = out["exporter"] + "_" + out["importer"]
    return out


@dataclass(frozen=True)
class Preset:
    """A named PPML specification.

    Attributes
    ----------
    name
        Key in :data:`PRESETS`.
    dataset
        Registry id of the data it runs on.
    title
        What it reproduces.
    formula
        pyfixest formula.
    cluster
        Cluster variable (None: hetero-robust).
    prepare
        Function from the dataset's reader frame to the estimation sample.
    published
        Published coefficients by regressor.
    published_se
        Published standard errors by regressor (where given).
    published_n
        Published number of observations (None if not given).
    precision
        Decimal places of the published figures.
    source
        Citation of the published figures.
    sample
        The sample conventions in words.
    panel
        ``(exporter, importer, time)`` when the FE are the full three-way set, so that
        :func:`estimate_ppml` can take its dense fast path.
    """

    name: str
    dataset: str
    title: str
    formula: str
    cluster: str | None
    prepare: Callable[[pd.DataFrame], pd.DataFrame]
    published: Mapping[str, float]
    published_se: Mapping[str, float] = field(default_factory=dict)
    published_n: int | None = None
    precision: int = 3
    source: str = ""
    sample: str = ""
    panel: tuple[str, str, str] | None = None


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            name="yotov2016_table1_ppml",
            dataset="agtpa",
            title="Advanced Guide ch. 1, Table 1 column (4): PPML, exporter-year and "
            "importer-year FE",
            formula="trade ~ log_dist + cntg + lang + clny | exp_year + imp_year",
            cluster="pair_id",
            prepare=_table1_ppml,
            published={"log_dist": -0.841, "cntg": 0.437, "lang": 0.247, "clny": -0.222},
            published_se={"log_dist": 0.032, "cntg": 0.083, "lang": 0.077, "clny": 0.116},
            published_n=28152,
            source="Yotov et al. (2016), Table 1 col. (4); agtpa/reference_coefficients.csv",
            sample="years 1986-2006 every 4 years; international flows only, zeros kept",
        ),
        Preset(
            name="yotov2016_table3_ppml_pair",
            dataset="agtpa",
            title="Advanced Guide ch. 1, Table 3 column (4): PPML with pair FE (RTA effect)",
            formula="trade ~ rta | exp_year + imp_year + pair_fe",
            cluster="pair_id",
            prepare=_table3_pair,
            published={"rta": 0.557},
            published_se={"rta": 0.102},
            published_n=28482,
            source="Yotov et al. (2016), Table 3 col. (4); agtpa/reference_coefficients.csv",
            sample="years 1986-2006 every 4 years; domestic flows included; pairs with zero "
            "total trade dropped; all domestic pairs share one pair FE",
        ),
        Preset(
            name="yotov2016_ch2_twb_2006",
            dataset="agtpa",
            title="Advanced Guide ch. 2, trade without borders: 2006 estimation stage",
            formula="trade ~ ln_DIST + CNTG + INTL_BRDR | exporter + importer",
            cluster=None,
            prepare=_twb_2006,
            published={"ln_DIST": -0.791, "CNTG": 0.674, "INTL_BRDR": -2.474},
            published_n=4761,
            source="Yotov et al. (2016), ch. 2 application 1; agtpa/PROVENANCE.md",
            sample="2006 cross-section, domestic flows included (internal distance)",
        ),
        Preset(
            name="gegravity_sample",
            dataset="gegravity-sample",
            title="gegravity example: PPML with exporter and importer FE (Stata ppmlhdfe)",
            formula="trade ~ lndist + contiguity + common_language + pta + international"
            " | exporter + importer",
            cluster=None,
            prepare=_identity,
            published={"lndist": -0.3898623, "contiguity": 0.891577,
                       "common_language": 0.0326249, "pta": 0.4711383,
                       "international": -3.412584},
            published_n=900,
            precision=6,
            source="gegravity examples (ppmlhdfe); gegravity-sample/PROVENANCE.md",
            sample="30 x 30 countries in 2006, domestic flows included",
        ),
        Preset(
            name="wiod_eu_enlargement",
            dataset="wiod-zylkin",
            title="Zylkin ge_gravity example step 1: EU enlargement (ppmlhdfe)",
            formula="trade ~ eu_enlargement + other_fta | exp_year + imp_year + pair",
            cluster="pair",
            prepare=_wiod,
            published={"eu_enlargement": 0.22424901, "other_fta": -0.0365},
            published_n=7568,
            precision=8,
            source="GEGravity example (Baier, Yotov & Zylkin 2019); wiod-zylkin/PROVENANCE.md",
            sample="international flows, 2000/2005/2010/2014",
            panel=("exporter", "importer", "year"),
        ),
    )
}


def get_preset(name: str) -> Preset:
    """Return the preset ``name``; NotFoundError lists the known ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise NotFoundError(
            f"unknown gravity preset {name!r}",
            field="preset",
            expected=" | ".join(PRESETS),
            example=next(iter(PRESETS)),
        ) from None


def run_preset(name: str, df: pd.DataFrame, **kwargs: object) -> PPMLResult:
    """Prepare ``df`` (the preset dataset's reader frame) and estimate the preset."""
    preset = get_preset(name)
    sample = preset.prepare(df)
    kwargs.setdefault("panel", preset.panel)
    return estimate_ppml(sample, preset.formula, cluster=preset.cluster, **kwargs)  # type: ignore[arg-type]
