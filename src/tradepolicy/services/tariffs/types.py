"""Typed results of the tariff services (frozen dataclasses with slots).

Every public tariff service returns one of these (or a list of them), never a bare
``dict[str, Any]``. ``to_dict()`` gives the JSON shape the CLI (``--json``), the API and the
pages have always shown: same keys, same order. The classes are plain dataclasses (no
validation pass), so a duty stack costs nothing more than before: the API's response model
validates the envelope once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tradepolicy.services.typed import DictMixin
from tradepolicy.tariffs.duty_stack import DutyStack


# ---------------------------------------------------------------- schedules and search
@dataclass(frozen=True, slots=True)
class HtsRef(DictMixin):
    """An ancestor of an HTS code: its code (dotted; "" for a text row) and description."""

    hts: str
    description: str


@dataclass(frozen=True, slots=True)
class HtsChild(DictMixin):
    """A child of an HTS code: code, description and general rate."""

    hts: str
    description: str
    general: str


@dataclass(frozen=True, slots=True)
class SpecificPart(DictMixin):
    """One specific component of a parsed rate: US$ per ``per`` ``unit`` (basis named)."""

    usd: float
    unit: str | None
    per: float
    basis: str | None


@dataclass(frozen=True, slots=True)
class ParsedRate(DictMixin):
    """A rate text as parsed: kind, ad valorem part, specific parts, or why not parsed."""

    kind: str
    ad_valorem: float | None
    specific: list[SpecificPart]
    reason: str | None


@dataclass(frozen=True, slots=True)
class SpecialGroup(DictMixin):
    """A group of the special column: the rate text, its kind and the programme symbols."""

    rate: str
    kind: str
    programs: list[str]


@dataclass(frozen=True, slots=True)
class HtsLine(DictMixin):
    """One code of an HTS edition with its path, rates (printed and parsed) and children."""

    hts: str
    edition: int
    level: str
    description: str
    path: str
    units: str
    general: str
    special: str
    col2: str
    additional: str
    rates_inherited: bool
    rate_from: str
    general_parsed: ParsedRate
    special_groups: list[SpecialGroup]
    ch99_refs: list[str]
    footnote_2017: str
    ancestors: list[HtsRef]
    children: list[HtsChild]
    citation: str


@dataclass(frozen=True, slots=True)
class HtsHit(DictMixin):
    """A search hit: code, level, description, general rate, units."""

    hts: str
    level: str
    description: str
    general: str
    units: str


# ---------------------------------------------------------------- stacks
@dataclass(frozen=True, slots=True)
class StackEntry:
    """The duty stack of an entry and, when its customs value was given, the duty in US$.

    ``to_dict()`` is the stack's JSON (``DutyStack.to_dict()``) plus ``duty_usd`` and
    ``unit_value_usd`` when a value was given (as the API and CLI have always shown).
    """

    stack: DutyStack
    value_usd: float | None = None
    duty_usd: float | None = None
    unit_value_usd: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the stack as a JSON-ready dict (dates as ISO strings)."""
        out = self.stack.to_dict()
        if self.value_usd is not None and self.duty_usd is not None:
            out["duty_usd"] = self.duty_usd
            out["unit_value_usd"] = self.unit_value_usd
        return out


@dataclass(frozen=True, slots=True)
class HistoryPoint(DictMixin):
    """The total AVE of a line on a date (None when the code is not in the schedule then)."""

    date: str
    total_ave: float | None
    source: str


@dataclass(frozen=True, slots=True)
class BatchSummary(DictMixin):
    """What a batch run wrote: file, rows, lines, origins, date, source, mean total AVE, notes."""

    out: str
    rows: int
    lines: int
    origins: int
    date: str
    source: str
    mean_total_ave: float
    notes: list[str]


# ---------------------------------------------------------------- indicators and reports
@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """Tariff indicators of one HS section or chapter (MFN lines of an edition).

    ``by`` names the grouping (``section`` or ``chapter``) and ``group`` its value; the JSON
    row keys the group by ``by`` (``{"section": "I", ...}``), as it always has.
    """

    by: str
    group: str
    values: Mapping[str, float | int | None]

    def to_dict(self) -> dict[str, Any]:
        """Return the row as ``{by: group, indicator: value, ...}``."""
        return {self.by: self.group, **self.values}

    def __getattr__(self, name: str) -> Any:  # row.simple_avg, row.section (templates, tests)
        if name.startswith("__"):
            raise AttributeError(name)
        if name == object.__getattribute__(self, "by"):
            return self.group
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True, slots=True)
class WeightsNote(DictMixin):
    """What trade weights were attached to tariff lines, their coverage and caveat."""

    weights: str
    source: str
    trade_usd: float
    trade_matched_usd: float
    specific_converted_with_unit_values: int
    caveat: str


@dataclass(frozen=True, slots=True)
class ParseColumn(DictMixin):
    """Rate texts of one column: how many, how many parsed, the share."""

    texts: int
    parsed: int
    share: float | None


@dataclass(frozen=True, slots=True)
class ParseForm(DictMixin):
    """A normalised rate form not turned into a duty, its kind, reason and count."""

    form: str
    kind: str
    reason: str | None
    count: int


@dataclass(frozen=True, slots=True)
class ParseReport(DictMixin):
    """Share of rate texts parsed by column, and every form not parsed."""

    edition: int
    share_parsed: float | None
    columns: dict[str, ParseColumn]
    forms: list[ParseForm]


@dataclass(frozen=True, slots=True)
class ProgramRow(DictMixin):
    """A preference programme of the 2017 database with its symbols and line counts."""

    program: str
    name: str
    notes: str
    symbols: list[str]
    lines: int
    lines_with_rate: int


@dataclass(frozen=True, slots=True)
class Chapter99Row(DictMixin):
    """A Section 301 heading or Section 232 programme with its rate and status on a date."""

    authority: str
    heading: str
    label: str
    rate: Any  # a decimal rate, or a text such as "see subheading" as the YAML states it
    status: str


# ---------------------------------------------------------------- offers
@dataclass(frozen=True, slots=True)
class KorusCheck(DictMixin):
    """A staging path compared with the KORUS rates of the 2017 database."""

    start_year: int
    kind: str
    years: int
    check_year: int
    n_lines: int
    n_match: int
    share_match: float
    mean_abs_diff: float
    tolerance: float
    source: str


@dataclass(frozen=True, slots=True)
class KorusStaging(DictMixin):
    """KORUS lines by the number of equal annual cuts that reproduces their 2017 rate."""

    base_year: int
    check_year: int
    n_lines: int
    lines_by_equal_cuts: dict[str, int]
    unmatched: int
    tolerance: float
    note: str
    source: str


@dataclass(frozen=True, slots=True)
class PartnerOutcome(DictMixin):
    """What an offer changes for one partner: its average duty today and after."""

    partner: str
    base_date: str
    programs_claimable: list[str]
    average_now: float | None
    average_after: float | None
    lines_cut: int
    n_lines: int
    lines_not_statable_now: int
    column2: bool


@dataclass(frozen=True, slots=True)
class StagingYear(DictMixin):
    """The average rate of a group in one year of its staging."""

    year: int
    average: float


@dataclass(frozen=True, slots=True)
class Staging(DictMixin):
    """A group's staging: kind, years and the yearly average path."""

    kind: str
    years: Any  # as the offer states it (an integer, or absent)
    path: list[StagingYear]


@dataclass(frozen=True, slots=True)
class OfferGroup(DictMixin):
    """A formula applied to a product group: averages before/after, staging, partners."""

    by_partner: list[PartnerOutcome]
    group: str
    partners: list[str]
    formula: str
    coefficient: float | None
    solved: bool
    n_lines: int
    average_before: float
    average_after: float
    staging: Staging


@dataclass(frozen=True, slots=True)
class OfferResult:
    """An offer applied to the MFN schedule: its groups and, when asked, a KORUS check."""

    name: str
    edition: int
    partners: list[str]
    start_year: int
    groups: list[OfferGroup]
    korus_check: KorusCheck | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        """Return the offer as a dict; ``korus_check`` only when one was asked for."""
        out = dataclasses.asdict(self)
        if self.korus_check is None:
            out.pop("korus_check")
        return out
