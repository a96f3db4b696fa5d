"""One HTS code shown with its hierarchy; search by code or words."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from tradepolicy.errors import NotFoundError
from tradepolicy.services.tariffs.cache import cached
from tradepolicy.services.tariffs.common import _records
from tradepolicy.services.tariffs.schedules import (
    check_edition,
    db2017,
    edition_tree,
    nearest_codes,
    source,
)
from tradepolicy.services.tariffs.types import (
    HtsChild,
    HtsHit,
    HtsLine,
    HtsRef,
    ParsedRate,
    SpecialGroup,
    SpecificPart,
)
from tradepolicy.tariffs.hts_code import dotted, normalize_hts
from tradepolicy.tariffs.rate_text import chapter99_refs, parse_rate, parse_special


def show(hts: str, *, edition: int = 2025) -> HtsLine:
    """Return one code of an HTS edition with its ancestors, rates (parsed) and children."""
    code = normalize_hts(hts)
    edition = check_edition(edition)
    tree = edition_tree(edition)
    src = source(f"hts{edition}")
    hits = tree.index[tree["hts"] == code]
    if len(hits) == 0:
        near = nearest_codes(code, src)
        raise NotFoundError(f"HTS {dotted(code)} is not in the HTS {edition} edition. "
                            f"Nearest valid codes: {', '.join(near) or 'none'}.", field="hts",
                            expected="a code of the edition", example=near[0] if near else "8471.30.01.00",
                            details={"nearest": near})
    i = int(hits[0])
    recs = _tree_records(edition)
    r = recs[i]
    ancestors: list[HtsRef] = []
    p = int(r["parent_row"])
    while p >= 0:
        a = recs[p]
        ancestors.insert(0, HtsRef(hts=dotted(a["hts"]) if a["hts"] else "", description=a["description"]))
        p = int(a["parent_row"])
    kids = tree[tree["parent_row"] == i]
    g = parse_rate(str(r["general"]))
    db = db2017()
    foot = db.loc[db["hts8"] == code[:8], "footnote_comment"] if len(code) >= 8 else pd.Series([], dtype=str)
    footnote = str(foot.iloc[0]).replace("<desc>", "").strip() if len(foot) else ""
    return HtsLine(
        hts=dotted(code), edition=edition, level=r["level"], description=r["description"],
        path=r["path"], units=r["units"], general=r["general"], special=r["special"],
        col2=r["col2"], additional=r["additional"], rates_inherited=bool(r["rates_inherited"]),
        rate_from=dotted(recs[int(r["rate_row"])]["hts"]) if recs[int(r["rate_row"])]["hts"] else "",
        general_parsed=ParsedRate(kind=g.kind, ad_valorem=g.ad_valorem,
                                  specific=[SpecificPart(usd=s.usd, unit=s.unit, per=s.per, basis=s.basis)
                                            for s in g.specific], reason=g.reason),
        special_groups=[SpecialGroup(rate=grp.duty.text, kind=grp.duty.kind, programs=list(grp.programs))
                        for grp in parse_special(str(r["special"]))],
        ch99_refs=[x for x in str(r["ch99_refs"]).split("|") if x]
        + [x for x in chapter99_refs(footnote) if x not in str(r["ch99_refs"])],
        footnote_2017=footnote,
        ancestors=ancestors,
        children=[HtsChild(hts=dotted(k["hts"]) if k["hts"] else "", description=k["description"],
                           general=k["general"]) for k in _records(kids)],
        citation=src.citation,
    )


@cached(maxsize=2)
def _tree_records(edition: int) -> list[dict[str, Any]]:
    return _records(edition_tree(edition))


_STOP = frozenset({"and", "or", "of", "the", "for", "in", "with", "other", "a", "an", "to"})


def search_stem(word: str) -> str:
    """Return a crude stem of a search word so that singular and plural both match.

    >>> [search_stem(w) for w in ("batteries", "battery", "horses", "cells", "glass")]
    ['batter', 'batter', 'hors', 'cell', 'glass']
    """
    for suffix, keep in (("ies", 3), ("es", 3), ("s", 3), ("y", 4)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


@cached(maxsize=2)
def _search_text(edition: int) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    tree = edition_tree(edition)
    coded = tree[tree["level"] != "text"]

    def norm(col: pd.Series) -> pd.Series:
        return " " + col.fillna("").str.lower().str.replace(r"[^0-9a-z]+", " ", regex=True) + " "

    return coded, norm(coded["path"]), norm(coded["description"])


def search(q: str, *, edition: int = 2025, limit: int = 50) -> list[HtsHit]:
    """Search an edition by code prefix (digits, dots allowed) or by words of the description.

    Words match whole words of the line's path (its description with its ancestors'),
    punctuation and hyphens ignored, singular and plural alike ("lithium ion battery" finds
    "Lithium-ion batteries", "horse" finds "horses" but not "horsepower"); every word must
    match. Lines whose own
    description holds more of the words come first, then Chapter 98/99 lines, then by code.
    """
    text = (q or "").strip()
    if not text:
        return []
    coded, path, own = _search_text(check_edition(edition))
    digits = text.replace(".", "").replace(" ", "")
    if digits.isdigit():
        hit = coded[coded["hts"].str.startswith(digits)]
    else:
        words = [w for w in re.sub(r"[^0-9a-z]+", " ", text.lower()).split() if w not in _STOP]
        if not words:
            return []
        mask = pd.Series(True, index=coded.index)
        score = pd.Series(0, index=coded.index)
        for w in words:
            needle = rf" {re.escape(search_stem(w))}(?:e|es|s|ies|y|ys|ed|ing)? "
            mask &= path.str.contains(needle, regex=True)
            score += own.str.contains(needle, regex=True).astype(int)
        hit = coded[mask].assign(_score=score[mask],
                                 _ch99=coded.loc[mask, "hts"].str[:2].isin(["98", "99"]))
        hit = hit.sort_values(["_ch99", "_score"], ascending=[True, False], kind="stable")
    return [HtsHit(hts=dotted(r["hts"]), level=r["level"], description=r["description"],
                   general=r["general"], units=r["units"]) for r in _records(hit.head(limit))]
