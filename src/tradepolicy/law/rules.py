"""Dated, cited rules: clocks, thresholds and fixed dates of the law, read from YAML.

Every rule in ``law/data/rules/*.yaml`` carries its value and unit, its counting basis
(calendar, business or session days), its direction (no later than / no earlier than),
its roll rule, the date range in which it holds, its citation and whether the value is
confirmed against a source. Python never writes a statutory number; it looks it up::

    >>> from tradepolicy.law.rules import rule_value
    >>> rv = rule_value("adcvd.ad.de_minimis_investigation")
    >>> (rv.value, rv.unit, rv.comparison)
    (0.02, 'share', 'lt')

Lookup by date follows OpenFisca: the period whose range contains the date asked.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from tradepolicy.errors import NotFoundError, RegistryError
from tradepolicy.law._yaml import data_dir, read_mapping, validate_items

RuleKind = Literal["clock", "threshold", "date", "annual", "count", "provision"]
Unit = Literal[
    "days", "months", "years", "share", "ratio", "effect_size", "count", "date", "month_day",
    "hours", "usd_per_hour", "none",
]
Basis = Literal["calendar", "business", "session_house", "session_senate", "none"]
Direction = Literal["no_later_than", "no_earlier_than", "on_date", "not_applicable"]
Roll = Literal["none", "next_business_day", "flag"]
CalendarId = Literal["us_federal", "commerce", "usitc", "usitc_statutory", "wto", "none"]
Rounding = Literal["error", "end_of_month", "next_day"]
Comparison = Literal["lt", "le", "gt", "ge", "none"]
Relative = Literal["after", "before"]

EXAMPLE = (
    "version: '2026-11-30'\n"
    "rules:\n"
    "  - id: adcvd.initiation\n"
    "    title: Commerce decides whether to initiate\n"
    "    kind: clock\n"
    "    value: 20\n"
    "    unit: days\n"
    "    basis: calendar\n"
    "    direction: no_later_than\n"
    "    roll: next_business_day\n"
    "    calendar: commerce\n"
    "    valid_from: 1995-01-01\n"
    "    citation: 19 U.S.C. 1673a(c)(1)\n"
    "    source: https://trade.gov/statutory-time-frame-adcvd-investigations\n"
    "    confirmed: true"
)

Value = int | float | str | dt.date | None


class ValuePeriod(BaseModel):
    """A value and the dates between which it holds (``to`` exclusive; None = open)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: dt.date = Field(alias="from")
    end: dt.date | None = Field(default=None, alias="to")
    value: Value
    confirmed: bool | None = None


class Rule(BaseModel):
    """One rule of the law, as written in the YAML files (see module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
    title: str = Field(min_length=3)
    kind: RuleKind
    value: Value = None
    values: list[ValuePeriod] | None = None
    unit: Unit
    basis: Basis = "none"
    direction: Direction = "not_applicable"
    relative: Relative = "after"
    roll: Roll = "none"
    calendar: CalendarId = "none"
    rounding: Rounding = "error"
    comparison: Comparison = "none"
    tolling: list[str] = Field(default_factory=list)
    rests_on: list[str] = Field(default_factory=list)
    period_includes_trigger: bool = False
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    citation: str = Field(min_length=3)
    source: str | None = None
    confirmed: bool
    note: str | None = None
    _periods: list[ValuePeriod] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Rule:
        if (self.value is None) == (self.values is None) and self.kind != "provision":
            raise ValueError("give exactly one of 'value' (with valid_from) or 'values'")
        if self.values is None and self.kind != "provision" and self.valid_from is None:
            raise ValueError("'valid_from' is required with 'value'")
        if self.kind == "clock":
            for p in self.periods():
                if not isinstance(p.value, int) or isinstance(p.value, bool):
                    raise ValueError("a clock's value must be an integer count of units")
            if self.unit not in ("days", "months", "years"):
                raise ValueError("a clock's unit must be days, months or years")
            if self.basis == "none" or self.direction == "not_applicable":
                raise ValueError("a clock needs a counting 'basis' and a 'direction'")
            if self.roll == "next_business_day" and self.calendar == "none":
                raise ValueError("a rolling clock needs a 'calendar'")
            if self.roll == "next_business_day" and self.direction == "no_earlier_than":
                raise ValueError("an earliest date ('no_earlier_than') is never rolled to a business day: "
                                 "use roll: flag (DS2, panel request on Saturday 1995-03-25)")
        if self.kind == "threshold" and self.comparison == "none":
            raise ValueError("a threshold needs a 'comparison' (lt, le, gt, ge)")
        periods = sorted(self.periods(), key=lambda p: p.start)
        for a, b in itertools.pairwise(periods):
            if a.end is None or a.end > b.start:
                raise ValueError(f"value periods overlap: {a.start} and {b.start}")
        return self

    def periods(self) -> list[ValuePeriod]:
        """Return the value periods (a single ``value`` becomes one period)."""
        if self._periods:
            return self._periods
        if self.values is not None:
            out = list(self.values)
        else:
            start = self.valid_from or dt.date.min
            out = [ValuePeriod.model_validate({"from": start, "to": self.valid_to, "value": self.value})]
        self._periods = out
        return out


@dataclass(frozen=True, slots=True)
class RuleValue:
    """A rule's value on one date, with everything needed to cite and use it.

    Attributes
    ----------
    rule_id, title
        The stable id and a short description.
    value
        The value: an integer count for clocks (in ``unit``), a decimal share for
        thresholds (0.02 = 2%), a date, or ``None`` for provisions without a number.
    unit
        days | months | years | share | ratio | effect_size | count | date | month_day | none.
    basis, direction, relative, roll, calendar, rounding, comparison, tolling
        How the value is applied (see ``Rule``).
    period_includes_trigger
        True for "within the N-day period beginning on" the trigger (last day = day N-1).
    valid_from, valid_to
        The period of this value (``valid_to`` exclusive, None = open).
    citation, source, confirmed, note
        The legal citation, the checked source, and whether the value is confirmed.
    """

    rule_id: str
    title: str
    kind: str
    value: Any
    unit: str
    basis: str
    direction: str
    relative: str
    roll: str
    calendar: str
    rounding: str
    comparison: str
    tolling: tuple[str, ...]
    period_includes_trigger: bool
    valid_from: dt.date | None
    valid_to: dt.date | None
    citation: str
    source: str | None
    confirmed: bool
    note: str | None

    @property
    def flag(self) -> str:
        """Return ``"confirmed"`` or ``"UNCONFIRMED"`` for display beside the value."""
        return "confirmed" if self.confirmed else "UNCONFIRMED"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        out = {k: getattr(self, k) for k in self.__slots__}
        for k in ("valid_from", "valid_to"):
            out[k] = out[k].isoformat() if out[k] else None
        if isinstance(out["value"], dt.date):
            out["value"] = out["value"].isoformat()
        out["tolling"] = list(self.tolling)
        out["flag"] = self.flag
        return out


@dataclass(frozen=True, slots=True)
class RuleBook:
    """Every rule, by id, with the file each came from and the combined version."""

    rules: dict[str, Rule]
    files: dict[str, str]
    version: str


def load_rule_file(path: Path | str) -> tuple[str, list[Rule]]:
    """Load and validate one rule file; return (version, rules)."""
    p = Path(path)
    raw = read_mapping(p, top_key="rules", example=EXAMPLE)
    rules = validate_items(Rule, raw["rules"], path=p, top_key="rules", example=EXAMPLE)
    return str(raw.get("version", "unversioned")), rules


def load_rules(paths: list[Path] | None = None) -> RuleBook:
    """Load every rule file (the bundled ones by default); ids must be unique across files."""
    files = paths if paths is not None else sorted(data_dir("rules").glob("*.yaml"))
    rules: dict[str, Rule] = {}
    where: dict[str, str] = {}
    versions = []
    for f in files:
        version, items = load_rule_file(f)
        versions.append(f"{Path(f).stem}@{version}")
        for r in items:
            if r.id in rules:
                raise RegistryError(f"Duplicate rule id {r.id!r}.", where=f"{f} and {where[r.id]}",
                                    field="id", expected="ids unique across the law files",
                                    example=EXAMPLE)
            rules[r.id] = r
            where[r.id] = Path(f).name
    for r in rules.values():
        for dep in r.rests_on:
            if dep not in rules:
                raise RegistryError(f"Rule {r.id!r} rests on unknown rule {dep!r}.",
                                    where=where[r.id], field="rests_on",
                                    expected="ids of rules in the law files",
                                    example="rests_on: [s151.session_day_counting]")
    return RuleBook(rules=rules, files=where, version="+".join(versions))


@lru_cache(maxsize=1)
def bundled_rules() -> RuleBook:
    """Return the bundled rule book (loaded once)."""
    return load_rules()


def get_rule(rule_id: str, book: RuleBook | None = None) -> Rule:
    """Return the rule ``rule_id`` or raise ``NotFoundError`` naming close ids."""
    book = book or bundled_rules()
    try:
        return book.rules[rule_id]
    except KeyError:
        prefix = rule_id.split(".")[0]
        near = sorted(r for r in book.rules if r.startswith(prefix))[:12]
        raise NotFoundError(
            f"Unknown rule id {rule_id!r}.", field="rule_id",
            expected="an id from `tradepolicy law rules`" + (f", e.g. one of {', '.join(near)}" if near else ""),
            example="adcvd.ad.de_minimis_investigation",
        ) from None


def value_of(rule: Rule, on: dt.date | None = None) -> RuleValue:
    """Return ``rule``'s value on date ``on`` (today's law if None)."""
    when = on or dt.date.today()
    for p in rule.periods():
        if p.start <= when and (p.end is None or when < p.end):
            return RuleValue(
                rule_id=rule.id, title=rule.title, kind=rule.kind, value=p.value, unit=rule.unit,
                basis=rule.basis, direction=rule.direction, relative=rule.relative, roll=rule.roll,
                calendar=rule.calendar, rounding=rule.rounding, comparison=rule.comparison,
                tolling=tuple(rule.tolling), period_includes_trigger=rule.period_includes_trigger,
                valid_from=p.start, valid_to=p.end, citation=rule.citation, source=rule.source,
                confirmed=rule.confirmed if p.confirmed is None else p.confirmed, note=rule.note,
            )
    ranges = ", ".join(f"{p.start}..{p.end or 'open'}" for p in rule.periods())
    raise NotFoundError(
        f"Rule {rule.id!r} does not hold on {when.isoformat()}.", field="on",
        expected=f"a date within {ranges}", example=rule.periods()[0].start.isoformat(),
    )


def rule_value(rule_id: str, on: dt.date | None = None) -> RuleValue:
    """Return the value of rule ``rule_id`` in force on ``on`` (default: today).

    Parameters
    ----------
    rule_id
        A stable id, e.g. ``"adcvd.ad.de_minimis_investigation"``.
    on
        The date whose law applies; ``None`` means today.

    Returns
    -------
    RuleValue
        Value, unit, citation and the ``confirmed`` flag (show it wherever used).
    """
    return value_of(get_rule(rule_id), on)


def list_rules(book: RuleBook | None = None) -> list[RuleValue]:
    """Return every rule's latest value (for listing pages), sorted by id."""
    book = book or bundled_rules()
    out = []
    for rid in sorted(book.rules):
        r = book.rules[rid]
        last = max(r.periods(), key=lambda p: p.start)
        out.append(value_of(r, last.start))
    return out
