"""Pydantic schema of the tariff measures YAML (``tariffs/measures/*.yaml``).

The engines read the YAML as plain dicts; this schema checks the files when they are
loaded (``services.tariffs.measures``), so a typo, a missing citation or a malformed date
is a ``RegistryError`` naming the file, the entry and the field instead of a wrong stack.
The files' shapes differ, so each file has its own model; keys that only some entries use
are optional. Dated entries follow the OpenFisca convention: ``from`` (a date), ``rate``
(a decimal, ``list``, or null to end a value) and a ``citation``.

>>> validate_measures({"country_actions": {"lists": {}, "actions": {"x": {"authority": "A",
...     "heading": "9903.03.01", "default": [{"from": "2026-02-24", "rate": 0.1}]}}}})
Traceback (most recent call last):
...
tradepolicy.errors.RegistryError: Invalid entry: Field required.; where: tariffs/measures/country_actions.yaml: actions.x.default.0.citation; field: citation; expected: the key to be present
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tradepolicy.errors import RegistryError
from tradepolicy.yaml_registry import StrictModel, expected_for


class _Open(BaseModel):
    """Known keys are checked; unknown keys are allowed (notes, anchors' extras)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


_Strict = StrictModel  # unknown keys are errors (the registry records' base)


class DatedRate(_Open):
    """One dated value: ``from`` date, a rate (decimal, ``list``, or null) and its citation."""

    from_: dt.date = Field(alias="from")
    rate: float | Literal["list"] | None
    citation: str = Field(min_length=3)
    confirmed: bool | None = None
    quota: Literal["absolute", "trq"] | None = None


class DatedFloor(_Strict):
    """A dated 'inclusive of MFN' rate."""

    from_: dt.date = Field(alias="from")
    floor: float | None
    citation: str = Field(min_length=3)
    confirmed: bool | None = None


class ListFrom(_Strict):
    """The date from which a list programme's rows apply (optionally for some chapters)."""

    from_: dt.date = Field(alias="from")
    chapters: list[str] | None = None
    citation: str = Field(min_length=3)


class Scope(_Strict):
    """A product scope transcribed from a proclamation."""

    hts: list[str] = Field(default_factory=list)
    hs6_ranges: list[tuple[str, str]] = Field(default_factory=list)
    citation: str = Field(min_length=3)
    note: str | None = None


class Program232(_Open):
    """A Section 232 programme."""

    heading: str
    rates: list[DatedRate] = Field(min_length=1)
    country_rates: dict[str, list[DatedRate]] | None = None
    group: str | None = None
    priority: int | None = None
    scope: Scope | None = None
    list_from: list[ListFrom] | None = None
    data_overrides_from: dt.date | None = None
    # per-origin start of the list's own override when it differs from data_overrides_from
    data_overrides_from_by_origin: dict[str, dt.date] | None = None


class Section232(_Open):
    """``section232.yaml``."""

    authority: str
    programs: dict[str, Program232]
    eu_members: list[str]
    usmca_origins: list[str]
    quota_notes: dict[Literal["absolute", "trq"], str]


class ListSpec(_Strict):
    """A product list of a country action: a ``us-tariff-history`` file, or ``codes`` written out.

    ``codes``: HTS codes transcribed from a cited text (dotted or digits; matched at 10, 8 or 6
    digits), for lists no data file holds.
    """

    file: str | None = None
    column: str | None = None
    filter: dict[str, str] | None = None
    codes: list[str] | None = None
    citation: str = Field(min_length=3)

    @model_validator(mode="after")
    def _one_source(self) -> ListSpec:
        if (self.codes is None) == (self.file is None or self.column is None):
            raise ValueError("give either file and column, or codes")
        bad = [c for c in self.codes or () if not (c.replace(".", "").isdigit() and len(c.replace(".", "")) in (6, 8, 10))]
        if bad:
            raise ValueError(f"codes must be HS6, HTS8 or HTS10 (digits, dots allowed), e.g. 8541.43.00.10; got {bad}")
        return self


class PartialExclusion(_Strict):
    """A dated exclusion of goods described narrower than the action's lines."""

    from_: dt.date = Field(alias="from")
    to: dt.date
    heading: str
    description: str = Field(min_length=3)
    citation: str = Field(min_length=3)

    @model_validator(mode="after")
    def _ordered(self) -> PartialExclusion:
        if self.to < self.from_:
            raise ValueError(f"the exclusion ends ({self.to}) before it starts ({self.from_}); e.g. from: 2022-02-07, to: 2024-06-25")
        return self


class Exempt(_Open):
    """Exemptions of a country action."""

    lists: list[str] | None = None
    section232: dict[str, Any] | None = None
    usmca: dict[str, Any] | None = None


class Action(_Open):
    """One 2025-2026 country action."""

    authority: str
    heading: str
    statute: str | None = None
    default: list[DatedRate] = []
    by_origin: dict[str, list[DatedRate]] | None = None
    floors: dict[str, list[DatedFloor]] | None = None
    not_subject: dict[str, Any] | None = None
    products: dict[str, list[str]] | None = None
    exempt: Exempt | None = None
    to: dt.date | None = None
    end_citation: str | None = None
    not_modelled: str | None = None
    tier: Literal["in_quota", "over_quota"] | None = None
    quota_note: str | None = None
    scope_note: str | None = None
    partial_exclusions: list[PartialExclusion] | None = None


class CountryActions(_Strict):
    """``country_actions.yaml``."""

    lists: dict[str, ListSpec]
    actions: dict[str, Action]
    nonmetal_part_note: str | None = None


class UtilisationRate(_Strict):
    """A published utilisation rate of a programme for a partner."""

    partner: str
    programme: str
    symbols: list[str]
    rate: float = Field(ge=0.0, le=1.0)
    confirmed: bool | None = None
    citation: str = Field(min_length=3)


class Published(_Strict):
    """The ``published`` utilisation mode: a default and cited rates."""

    default_rate: float = Field(ge=0.0, le=1.0)
    default_citation: str
    rates: list[UtilisationRate]


class UnitReference(_Strict):
    """A unit-only reference value (any product priced in the unit), e.g. US$ per barrel."""

    usd: float = Field(gt=0)
    confirmed: bool
    citation: str = Field(min_length=3)


class YearPrice(_Strict):
    """A product's reference price for one year: US$ per unit, where it was found, confirmed or not."""

    year: int = Field(ge=1990, le=2100)
    usd: float = Field(gt=0)
    confirmed: bool
    source: str = Field(min_length=3)
    note: str | None = None


class ProductReference(_Strict):
    """A product's reference prices by year, keyed by HS/HTS prefixes and the rate's unit."""

    product: str = Field(min_length=3)
    hs: list[Annotated[str, Field(pattern=r"^\d{4}(\.\d{2}){0,3}$")]] = Field(min_length=1)
    unit: Literal["kg", "liter", "pf. liter", "bbl", "t", "doz.", "pr.", "each", "m2", "m3", "head", "gross"]
    series: str = Field(min_length=3)
    conversion: str = Field(min_length=3)
    prices: list[YearPrice] = Field(min_length=1)

    @field_validator("prices")
    @classmethod
    def _one_price_a_year(cls, v: list[YearPrice]) -> list[YearPrice]:
        years = [p.year for p in v]
        dup = sorted({y for y in years if years.count(y) > 1})
        if dup:
            raise ValueError(f"more than one price for year {dup[0]}")
        return v


class ReferenceUnitValues(_Strict):
    """``reference_unit_values``: product prices by HS prefix, unit and year; unit-only fallbacks."""

    units: dict[str, UnitReference] = Field(default_factory=dict)
    products: list[ProductReference] = Field(default_factory=list)


class LapsedRate(_Strict):
    """A published share of a lapsed programme's eligible value that kept claiming it, by partner."""

    partner: str
    programme: str
    rate: float = Field(ge=0.0, le=1.0)
    confirmed: bool | None = None
    citation: str = Field(min_length=3)


class LapsedUtilisation(_Strict):
    """Utilisation of a programme's claims after it lapsed (census basis, ``published`` mode)."""

    programmes: list[str] = Field(min_length=1)
    default_rate: float = Field(ge=0.0, le=1.0)
    claimed_usd: float | None = Field(None, gt=0)
    not_claimed_usd: float | None = Field(None, ge=0)
    period: str | None = None
    confirmed: bool | None = None
    unconfirmed_reason: str | None = None
    citation: str = Field(min_length=3)
    rates: list[LapsedRate] = Field(default_factory=list)


class Utilisation(_Open):
    """``utilisation.yaml``."""

    default_mode: Literal["published", "all", "none"]
    published: Published
    lapsed_claims: dict[str, Any]
    certification_only: dict[str, Any]
    reference_unit_values: ReferenceUnitValues | None = None
    lapsed_utilisation: LapsedUtilisation | None = None


class Hs6Map(_Strict):
    """Where an old HS6 went in later HS revisions."""

    to: list[str] = Field(min_length=1)
    note: str
    confirmed: bool | None = None


class Concordance(_Strict):
    """``hs_concordance.yaml``."""

    citation: str
    hs6: dict[str, Hs6Map]
    orders_list: dict[str, Any]


class Suspension(_Strict):
    """A dated suspension of a programme for one beneficiary (all its products, or a list not held)."""

    origin: str = Field(min_length=3, max_length=3)
    from_: dt.date = Field(alias="from")
    to: dt.date | None = None
    products: Literal["all", "unconfirmed"]
    reason: str
    confirmed: bool
    to_confirmed: bool | None = None
    citation: str = Field(min_length=3)


class PreferenceProgram(_Open):
    """A non-agreement preference programme."""

    symbols: list[str]
    name: str
    citation: str = Field(min_length=3)
    origins: list[str] | Literal["all"]
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None
    removed: dict[str, dt.date] | None = None
    removed_citations: dict[str, str] | None = None
    suspensions: list[Suspension] | None = None
    certification: bool | None = None


_HEADING = r"^9903\.\d{2}\.\d{2}$"
_HTS_PREFIX = r"^\d{4}(\.\d{2}(\.\d{2}(\d{2})?)?)?$"


class ReviewRate(DatedRate):
    """A four-year-review rate; ``heading`` (optional) overrides the group's heading from ``from``."""

    heading: Annotated[str, Field(pattern=_HEADING)] | None = None


class ReviewProduct(_Strict):
    """One 2024 four-year-review product group: coverage by U.S. note 31 subdivision or HTS codes.

    ``note31`` names the note's subdivision letter (codes read from the chapter 99 text at run
    time), ``within`` keeps only its codes under these prefixes, ``hts`` lists codes a heading's
    own text names. At least one of ``note31`` and ``hts``.
    """

    label: str
    heading: Annotated[str, Field(pattern=_HEADING)]
    note31: Annotated[str, Field(pattern=r"^[b-z]$")] | None = None
    within: list[Annotated[str, Field(pattern=r"^\d{2,10}$")]] | None = None
    hts: list[Annotated[str, Field(pattern=_HTS_PREFIX)]] | None = None
    rates: list[ReviewRate] = Field(min_length=1)

    @model_validator(mode="after")
    def _some_coverage(self) -> ReviewProduct:
        if self.note31 is None and not self.hts:
            raise ValueError("a product group needs coverage: note31 (a note subdivision) or hts (codes)")
        return self


class CoverageSource(_Strict):
    """Where a coverage note is read from (a registered dataset file)."""

    dataset: str
    path: str
    note: str


class FourYearReview(_Strict):
    """``section301_china.yaml: four_year_review``."""

    citation: str = Field(min_length=3)
    coverage_source: CoverageSource
    understate_from: dt.date
    understate_hts: list[Annotated[str, Field(pattern=_HTS_PREFIX)]]
    understate_note: str = Field(min_length=3)
    products: dict[str, ReviewProduct]


class Section301China(_Open):
    """``section301_china.yaml`` (checked: the four-year-review block; other keys open)."""

    authority: str
    four_year_review: FourYearReview


class Preferences(_Open):
    """``preferences.yaml``."""

    programs: dict[str, PreferenceProgram]


class ExclusionPeriod(_Strict):
    """When subdivisions of ch.99 U.S. note 20(vvv)/(www) were in force (inclusive dates)."""

    from_: dt.date = Field(alias="from")
    to: dt.date
    subdivisions: list[Literal["vvv", "vvv(i)", "vvv(ii)", "vvv(iii)", "vvv(iv)", "www"]] = Field(min_length=1)
    citation: str = Field(min_length=3)
    confirmed: bool

    @field_validator("to")
    @classmethod
    def _after_from(cls, v: dt.date, info: Any) -> dt.date:
        start = info.data.get("from_")
        if start is not None and v < start:
            raise ValueError(f"'to' {v} is before 'from' {start}")
        return v


class ReinstatedExclusions(_Strict):
    """``section301_china.yaml`` ``reinstated_exclusions``: the 2021-2026 exclusions by period."""

    dataset: str
    file: str
    note: str
    understate_before: dt.date
    understate_note: str = Field(min_length=3)
    periods: list[ExclusionPeriod] = Field(min_length=1)


MODELS: dict[str, type[BaseModel]] = {
    "section232": Section232, "country_actions": CountryActions, "utilisation": Utilisation,
    "hs_concordance": Concordance, "preferences": Preferences, "section301_china": Section301China,
}


# Blocks of a file checked on their own (file stem, key) -> model; the file's other keys are
# checked by its MODELS entry, if any.
BLOCKS: dict[tuple[str, str], type[BaseModel]] = {
    ("section301_china", "reinstated_exclusions"): ReinstatedExclusions,
}


def validate_measures(measures: dict[str, Any]) -> None:
    """Validate every measures file that has a model; raise ``RegistryError`` on the first error."""
    checks: list[tuple[str, tuple[str, ...], type[BaseModel], Any]] = [
        (stem, (), model, measures[stem]) for stem, model in MODELS.items() if stem in measures]
    checks += [(stem, (key,), model, measures[stem][key]) for (stem, key), model in BLOCKS.items()
               if key in (measures.get(stem) or {})]
    for stem, prefix, model, data in checks:
        try:
            model.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(x) for x in (*prefix, *err["loc"]))
            raise RegistryError(f"Invalid entry: {err['msg']}.", where=f"tariffs/measures/{stem}.yaml: {loc}",
                                field=str(err["loc"][-1]) if err["loc"] else None,
                                expected=expected_for(err)) from None
