"""Rate-text parser: HTS rate of duty text -> typed duty, and ad valorem equivalents.

The grammar follows the forms printed in the HTS columns (General Note 3 and the
chapter notes): ``Free``; ad valorem ``6.8%`` (also ``5 1/2%``, ``20 percent of ...``);
specific ``12.3¢/kg``, ``$1.05/kg``, ``4.4¢ each``, ``$1.39/m<sup>2</sup>``; compound
``$1.05/kg + 2.3%``; parts on a component (``+ 6% on the case``) or on a content
(``on molybdenum content``); special-column groups ``Free (A+,AU,...) 5% (JO)`` with the
programme symbols of General Note 3(c)(i); and Chapter 99 texts ("The duty provided in
the applicable subheading + 25%"). Anything else is returned with ``kind="unparsed"``
and the reason.

>>> d = parse_rate("$1.05/kg + 2.3%")
>>> d.kind, d.ad_valorem, d.specific[0].usd, d.specific[0].unit
('compound', 0.023, 1.05, 'kg')
>>> [(g.duty.kind, g.programs) for g in parse_special("Free (A+,AU) 5% (JO)")]
[('free', ('A+', 'AU')), ('ad_valorem', ('JO',))]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

DutyKind = Literal[
    "free", "ad_valorem", "specific", "compound", "additional", "no_change", "reference",
    "none", "unparsed",
]

PARSED_KINDS: frozenset[str] = frozenset(
    {"free", "ad_valorem", "specific", "compound", "additional", "no_change", "none"}
)


@dataclass(frozen=True, slots=True)
class SpecificPart:
    """A specific duty part: ``usd`` US dollars per ``per`` units of ``unit``.

    ``basis`` names what the quantity is measured on when it is not the whole good
    (e.g. "molybdenum content", "drained weight"); ``None`` for the good itself.
    """

    usd: float
    unit: str
    per: float = 1.0
    basis: str | None = None


@dataclass(frozen=True, slots=True)
class AdValoremPart:
    """An ad valorem part: ``rate`` (decimal) on ``basis`` (None = the whole good)."""

    rate: float
    basis: str | None = None


@dataclass(frozen=True, slots=True)
class Duty:
    """A parsed rate of duty.

    ``ad_valorem`` is the sum of the ad valorem parts on the whole good (decimal, 0.068 =
    6.8%). ``specific`` holds the specific parts; ``components`` the ad valorem parts on a
    component or content (watch cases, batteries...). For ``kind="additional"`` the rate
    is added to the duty of the applicable subheading (Chapter 99); a negative
    ``ad_valorem`` then means a reduction. ``reason`` says why a text is ``unparsed`` or
    ``reference``.
    """

    text: str
    kind: DutyKind
    ad_valorem: float = 0.0
    specific: tuple[SpecificPart, ...] = ()
    components: tuple[AdValoremPart, ...] = ()
    reason: str | None = None
    conditions: tuple[str, ...] = field(default=())

    @property
    def parsed(self) -> bool:
        """True when the text was understood (its duty can be stated)."""
        return self.kind in PARSED_KINDS

    @property
    def is_ad_valorem_only(self) -> bool:
        """True when the duty is Free or purely ad valorem on the whole good."""
        return self.kind in ("free", "ad_valorem", "none") and not self.components

    def ave(self, unit_value_usd: float | None = None, unit: str | None = None) -> float | None:
        """Return the ad valorem equivalent (decimal), or None when it cannot be stated.

        ``unit_value_usd`` is the customs value per unit of ``unit`` (e.g. US$ per kg).
        A specific part converts when its unit matches (or ``unit`` is None and the duty
        has one specific unit): AVE = ad valorem + usd / per / unit value.
        """
        if self.kind in ("free", "none"):
            return 0.0
        if self.kind in ("unparsed", "reference", "no_change") or self.components:
            return None
        if not self.specific:
            return self.ad_valorem
        if unit_value_usd is None or unit_value_usd <= 0:
            return None
        total = self.ad_valorem
        for part in self.specific:
            if part.basis is not None or (unit is not None and part.unit != unit):
                return None
            total += part.usd / part.per / unit_value_usd
        return total

    def amount_usd(self, value_usd: float, quantities: dict[str, float]) -> float | None:
        """Return the duty in US dollars for a customs value and quantities by unit.

        ``quantities`` maps a unit (as in ``SpecificPart.unit``) to the quantity entered.
        Returns None when a needed quantity is missing or the duty has no stated amount.
        """
        if self.kind in ("free", "none"):
            return 0.0
        if self.kind in ("unparsed", "reference", "no_change") or self.components:
            return None
        total = self.ad_valorem * value_usd
        for part in self.specific:
            if part.basis is not None or part.unit not in quantities:
                return None
            total += part.usd / part.per * quantities[part.unit]
        return total


@dataclass(frozen=True, slots=True)
class SpecialGroup:
    """One group of the special column: a duty and the programme symbols it applies to.

    ``via``: for a resolved "See 98xx/99xx" reference, the heading whose special column gives
    the duty; ``condition`` its text (e.g. "subject to the quantitative limits ..."); and
    ``in_quota`` whether the duty holds only within an agreement's quota.
    """

    duty: Duty
    programs: tuple[str, ...]
    via: str | None = None
    condition: str | None = None
    in_quota: bool = False


# --- lexical pieces ---------------------------------------------------------------------

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_FRACTION_PCT = re.compile(r"^(\d+)\s+(\d+)/(\d+)\s*%$")
_PCT = re.compile(rf"^({_NUM})\s*%(?:\s+(?:on|of)\s+(?:the\s+)?(.+))?$")
_PERCENT_OF = re.compile(rf"^({_NUM})\s+percent\s+of\s+(?:the\s+)?(.+)$")
_CENTS = re.compile(rf"^({_NUM})\s*¢\s*(.*)$")
_DOLLARS = re.compile(rf"^\$\s*({_NUM})\s*(.*)$")
_UNIT = re.compile(
    rf"^/\s*(?:({_NUM})\s*)?([A-Za-z][A-Za-z. /-]*?(?:<sup>\d</sup>|\d)?)"
    r"(?:\s*(?:,\s*)?(?:on|of|including)\s+(.+))?$"
)
_EACH = re.compile(r"^each(?:\s+(?:on|of)\s+(.+))?$")
_JEWEL = re.compile(r"^/\s*jewel(?:\s+over\s+\d+)?$")
_TAGS = re.compile(r"<(?!sup>|/sup>)[^>]*>")
_ADDITIONAL = re.compile(
    rf"^The duty (?:rate )?provided\s*(?:for\s+)?in\s*(?:the applicable|such)\s*subheading"
    rf"(?:\s*(\+|plus|minus|-)\s*({_NUM})\s*%)?\.?$",
    re.IGNORECASE,
)
_CH99_REF = re.compile(r"\b(99\d{2}\.\d{2}\.\d{2})\b")

UNIT_ALIASES = {
    "kg": "kg", "clean kg": "clean kg", "liter": "liter", "l": "liter", "pf. liter": "pf. liter",
    "pf.liter": "pf. liter", "pr.": "pr.", "doz.": "doz.", "t": "t", "bbl": "bbl", "gross": "gross",
    "head": "head", "m": "m", "lin. m": "lin. m", "m2": "m2", "m3": "m3", "m<sup>2</sup>": "m2",
    "m<sup>3</sup>": "m3", "article": "article", "pins": "pins", "line/ gross": "line/gross",
    "line/gross": "line/gross", "doz. pr.": "doz. pr.", "cm": "cm", "g": "g", "pack": "pack",
    "thousand": "each", "thou- sand": "each",
}


def clean_text(text: str) -> str:
    """Collapse whitespace and drop HTML tags other than ``<sup>`` from a rate text."""
    t = _TAGS.sub("", text or "")
    t = re.sub(r"(\w)- (\w)", r"\1\2", t)  # soft hyphens of the printed edition
    t = re.sub(r"<sup>\s*(\d)\s*</sup>", r"<sup>\1</sup>", t)
    return re.sub(r"\s+", " ", t).strip()


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def _unit_name(raw: str) -> str | None:
    key = raw.strip().rstrip(",").strip()
    key = re.sub(r"\s+", " ", key)
    if key in UNIT_ALIASES:
        return UNIT_ALIASES[key]
    return None


def _specific(amount_usd: float, rest: str) -> SpecificPart | str:
    """Parse what follows the amount of a specific part; return a reason string on failure."""
    rest = rest.strip()
    m = _EACH.match(rest)
    if m:
        return SpecificPart(amount_usd, "each", 1.0, m.group(1))
    if _JEWEL.match(rest):
        return "per-jewel duty over a jewel count: quantity of jewels is not a customs unit"
    m = re.match(rf"^/\s*({_NUM})$", rest)
    if m:  # "$1.06/1000": per 1,000 articles
        return SpecificPart(amount_usd, "each", _num(m.group(1)))
    m = _UNIT.match(rest)
    if not m:
        return f"specific unit not recognised: {rest!r}"
    per = _num(m.group(1)) if m.group(1) else 1.0
    unit_raw, basis = m.group(2), m.group(3)
    # "$1.05/1,000 pins": the unit follows the count
    unit = _unit_name(unit_raw)
    if unit == "each" and not m.group(1) and unit_raw.strip().startswith("thou"):
        per = 1000.0
    if unit is None:
        return f"specific unit not recognised: {unit_raw!r}"
    return SpecificPart(amount_usd, unit, per, basis.strip() if basis else None)


def _parse_part(part: str) -> AdValoremPart | SpecificPart | str:
    """Parse one ``+``-separated part of a rate; return a reason string when not understood."""
    p = part.strip()
    if p.endswith(".") and not re.search(r"(pr|doz|m|liter)\.$", p):
        p = p[:-1]
    m = _FRACTION_PCT.match(p)
    if m:
        value = Fraction(int(m.group(1))) + Fraction(int(m.group(2)), int(m.group(3)))
        return AdValoremPart(float(value) / 100.0)
    m = _PCT.match(p)
    if m:
        return AdValoremPart(_num(m.group(1)) / 100.0, m.group(2).strip() if m.group(2) else None)
    m = _PERCENT_OF.match(p)
    if m:
        return AdValoremPart(_num(m.group(1)) / 100.0, m.group(2).strip())
    m = _CENTS.match(p)
    if m:
        return _specific(_num(m.group(1)) / 100.0, m.group(2))
    m = _DOLLARS.match(p)
    if m:
        return _specific(_num(m.group(1)), m.group(2))
    return f"form not recognised: {p!r}"


_WHOLE_TEXT_FORMS: tuple[tuple[re.Pattern[str], DutyKind, str], ...] = (
    (re.compile(r"^No change$", re.I), "no_change", "Chapter 99: the ordinary duty is unchanged"),
    (re.compile(r"^No additional duty$", re.I), "none", "no additional duty"),
    (re.compile(r"^See (?:additional )?U\.S\. note", re.I), "reference",
     "rate set by a U.S. note of the chapter (text not in the CSV export)"),
    (re.compile(r"^The rate (?:of duty )?applicable", re.I), "reference",
     "rate of another provision (article, garment, set, movement, natural juice...)"),
    (re.compile(r"^The (?:duty )?rate provided for (?:originating goods|beneficiary)", re.I),
     "reference",
     "rate of another provision for originating goods"),
    (re.compile(r"^A duty (?:\(in lieu[^)]*\) )?(?:upon|equal)", re.I), "unparsed",
     "duty on the value of repairs/processing or on like articles: value not in the schedule"),
    (re.compile(r"less .* for each degree", re.I), "unparsed",
     "sliding scale by polarity degree: needs the sugar polarity of the entry"),
    (re.compile(r"total duty shall not exceed", re.I), "unparsed",
     "capped per-part duty for watch/clock assemblies: needs the bill of parts"),
    (re.compile(r"^:?$"), "unparsed", "no rate text (a colon or blank artefact of the export)"),
)


def parse_rate(text: str) -> Duty:
    """Parse one rate of duty text (general, column 2, one special group, Chapter 99)."""
    raw = text or ""
    t = clean_text(raw)
    if t == "":
        return Duty(raw, "none", reason="blank")
    low = t.lower()
    if low == "free" or low.startswith("free,") or low.startswith("free "):
        conds = (t[5:].strip(" ,"),) if len(t) > 4 and t[4:].strip(" ,") else ()
        return Duty(raw, "free", conditions=conds)
    m = _ADDITIONAL.match(t)
    if m:
        sign = -1.0 if (m.group(1) or "").lower() in ("minus", "-") else 1.0
        rate = sign * _num(m.group(2)) / 100.0 if m.group(2) else 0.0
        return Duty(raw, "additional", ad_valorem=rate)
    for pattern, kind, reason in _WHOLE_TEXT_FORMS:
        if pattern.search(t):
            return Duty(raw, kind, reason=reason)
    return _parse_parts(raw, t)


def _parse_parts(raw: str, t: str) -> Duty:
    pieces = [p for p in re.split(r"\s*\+\s*", t) if p.strip()]
    ad_valorem = 0.0
    specific: list[SpecificPart] = []
    components: list[AdValoremPart] = []
    for piece in pieces:
        part = _parse_part(piece)
        if isinstance(part, str):
            return Duty(raw, "unparsed", reason=part)
        if isinstance(part, AdValoremPart):
            if part.basis is None:
                ad_valorem += part.rate
            else:
                components.append(part)
        else:
            specific.append(part)
    n_av = sum(1 for p in pieces if "%" in p or "percent" in p)
    kind: DutyKind
    if specific and (n_av or components):
        kind = "compound"
    elif specific:
        kind = "specific"
    elif components and ad_valorem == 0.0 and len(components) > 1:
        kind = "compound"
    else:
        kind = "ad_valorem"
    return Duty(raw, kind, round(ad_valorem, 10), tuple(specific), tuple(components))


_GROUP = re.compile(r"([^()]*?)\s*\(([^()]*)\)")
_SYMBOL = re.compile(r"^[A-Z][A-Z+*]{0,2}$")


def parse_special(text: str) -> list[SpecialGroup]:
    """Parse the special column into groups of (duty, programme symbols).

    ``"Free (A+,AU,BH) 0.5% (JO) See 9822.09.17-9822.09.20 (S+)"`` gives three groups;
    "See 98xx/99xx" groups are ``reference`` duties naming the heading.
    """
    t = clean_text(text)
    groups: list[SpecialGroup] = []
    pos = 0
    for m in _GROUP.finditer(t):
        rate_txt = m.group(1).strip(" ,;")
        symbols = tuple(s.strip() for s in m.group(2).split(",") if s.strip())
        if symbols and all(_SYMBOL.match(s) for s in symbols):
            if rate_txt.lower().startswith("see "):
                duty = Duty(rate_txt, "reference", reason=f"rate in {rate_txt[4:].strip()}")
            elif rate_txt == "" and groups:
                duty = groups[-1].duty
            else:
                duty = parse_rate(rate_txt)
            groups.append(SpecialGroup(duty, symbols))
            pos = m.end()
    rest = t[pos:].strip()
    if rest:
        groups.append(SpecialGroup(parse_rate(rest), ()))
    return groups


def chapter99_refs(*texts: str) -> tuple[str, ...]:
    """Return the Chapter 99 headings (dotted, e.g. 9903.88.01) mentioned in texts."""
    found: list[str] = []
    for t in texts:
        for ref in _CH99_REF.findall(t or ""):
            if ref not in found:
                found.append(ref)
    return tuple(found)


def form_of(text: str) -> str:
    """Return the normalised form of a rate text: numbers -> N, symbol lists -> (SYM)."""
    t = clean_text(text)
    t = re.sub(r"\([A-Z+*, ]+\)", "(SYM)", t)
    return re.sub(r"\d+(?:[.,]\d+)*", "N", t)
