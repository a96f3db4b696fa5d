"""Metadata a case carries: country, parties, product, HTS scope, agency case numbers.

Pure validation (no storage): ``services/proceedings.open_case(meta=...)`` stores the validated
dict under the case's ``data["meta"]``. Agency case numbers follow the agencies' own formats:
Commerce ``A-570-088`` / ``C-570-089`` (``A`` antidumping, ``C`` countervailing, 3-digit country
code, 3-digit sequence), USITC ``701-TA-622`` / ``731-TA-1429`` (Title VII CVD / AD), WTO
``DS543``.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, ValidationError, field_validator

from tradepolicy.errors import InputError
from tradepolicy.yaml_registry import StrictModel

COMMERCE_CASE = re.compile(r"^[AC]-\d{3}-\d{3}$")
ITC_CASE = re.compile(r"^(701|731)-TA-\d{1,4}$")
WTO_DS = re.compile(r"^DS\d{1,4}$")
HTS = re.compile(r"^\d{4}(\.?\d{2}){0,3}$")
META_EXAMPLE = ('{"country": "CHN", "product": "Steel racks", "commerce_cases": ["A-570-088"], '
                '"itc_cases": ["731-TA-1424"], "hts_scope": ["7326.90.8688"]}')


class CaseCitation(StrictModel):
    """A source for a case's facts (document, page or URL)."""

    title: str = Field(min_length=2, max_length=400)
    href: str | None = Field(default=None, max_length=1000)


class CaseMeta(StrictModel):
    """A case's metadata (every field optional; lists may be empty).

    ``parties`` maps a role (``complainant``, ``respondent``, ``third_party``, ``petitioner``,
    ``facility``...) to names. ``confirmed`` is False when a transcribed fact is not confirmed
    against a source.
    """

    country: str | None = Field(default=None, max_length=120)
    parties: dict[str, list[str]] = Field(default_factory=dict)
    product: str | None = Field(default=None, max_length=400)
    sector: str | None = Field(default=None, max_length=200)
    hts_scope: list[str] = Field(default_factory=list, max_length=2000)
    commerce_cases: list[str] = Field(default_factory=list, max_length=50)
    itc_cases: list[str] = Field(default_factory=list, max_length=50)
    wto_ds: str | None = None
    agreements_cited: list[str] = Field(default_factory=list, max_length=200)
    status: str | None = Field(default=None, max_length=200)
    outcome: str | None = Field(default=None, max_length=2000)
    citations: list[CaseCitation] = Field(default_factory=list, max_length=100)
    confirmed: bool = True
    notes: str | None = Field(default=None, max_length=4000)

    @field_validator("commerce_cases")
    @classmethod
    def _commerce(cls, v: list[str]) -> list[str]:
        for x in v:
            if not COMMERCE_CASE.match(x):
                raise ValueError(f"Commerce case number {x!r} is not A-xxx-xxx or C-xxx-xxx (e.g. A-570-088)")
        return v

    @field_validator("itc_cases")
    @classmethod
    def _itc(cls, v: list[str]) -> list[str]:
        for x in v:
            if not ITC_CASE.match(x):
                raise ValueError(f"USITC investigation number {x!r} is not 701-TA-xxx or 731-TA-xxxx (e.g. 731-TA-1424)")
        return v

    @field_validator("wto_ds")
    @classmethod
    def _ds(cls, v: str | None) -> str | None:
        if v is not None and not WTO_DS.match(v):
            raise ValueError(f"WTO dispute number {v!r} is not DSnnn (e.g. DS543)")
        return v

    @field_validator("hts_scope")
    @classmethod
    def _hts(cls, v: list[str]) -> list[str]:
        for x in v:
            if not HTS.match(x):
                raise ValueError(f"HTS code {x!r} is not 4-10 digits, dotted or not (e.g. 7326.90.8688)")
        return v

    @field_validator("parties")
    @classmethod
    def _parties(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        if len(v) > 20 or any(len(names) > 200 for names in v.values()):
            raise ValueError("at most 20 roles of at most 200 names each")
        return v


def check_meta(raw: dict[str, Any] | CaseMeta | None, *, where: str = "meta") -> dict[str, Any]:
    """Validate case metadata and return it as a JSON-safe dict (``{}`` for None).

    Raises ``InputError`` naming the field, what was expected and an example.
    """
    if raw is None:
        return {}
    if isinstance(raw, CaseMeta):
        return raw.model_dump(mode="json", exclude_defaults=True)
    if not isinstance(raw, dict):
        raise InputError("Case metadata must be a JSON object.", field=where, expected="a JSON object",
                         example=META_EXAMPLE)
    try:
        meta = CaseMeta.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise InputError(f"Invalid case metadata: {err['msg']}.", where=where, field=f"{where}.{loc}",
                         expected="fields of CaseMeta (country, parties, product, sector, hts_scope, "
                                  "commerce_cases, itc_cases, wto_ds, agreements_cited, status, outcome, "
                                  "citations, confirmed, notes)", example=META_EXAMPLE) from exc
    return meta.model_dump(mode="json", exclude_defaults=True)
