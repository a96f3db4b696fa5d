"""Load and validate the bundled reference YAML with pydantic models."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from tradepolicy.errors import RegistryError
from tradepolicy.literals import AgreementStatus, ProvisionArea
from tradepolicy.yaml_registry import StrictModel as _Strict
from tradepolicy.yaml_registry import read_mapping, validate_items


class Citation(_Strict):
    """A source: title and, where one exists, a link."""

    title: str = Field(min_length=3)
    href: str | None = None


class Provision(_Strict):
    """A key provision of an agreement, by chapter or article."""

    area: ProvisionArea
    chapter: str
    title: str
    summary: str
    citation: Citation


class AgreementDates(_Strict):
    """Dates of an agreement (any may be unknown)."""

    signed: dt.date | None = None
    in_force: dt.date | None = None
    implemented: dt.date | None = None
    terminated: dt.date | None = None


class AgreementRecord(_Strict):
    """One agreement of the registry."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    short_name: str
    kind: Literal["fta", "wto_multilateral", "wto_plurilateral", "trade_agreement", "framework"]
    status: AgreementStatus
    parties: list[str] = Field(min_length=1)
    dates: AgreementDates
    summary: str
    key_provisions: str
    implementation_status: str
    implementing_law: str | None = None
    provisions: list[Provision] = Field(min_length=1)
    citations: list[Citation] = Field(min_length=1)
    tariff_programs: list[str] = Field(default_factory=list)
    party_dates: dict[str, dt.date] = Field(
        default_factory=dict,
        description="Entry into force for each party where it differs from dates.in_force (ISO3 -> date).",
    )

    def in_force_for(self, party: str) -> dt.date | None:
        """Return the date the agreement entered into force between the US and ``party``."""
        return self.party_dates.get(party, self.dates.in_force)


class AgencyRecord(_Strict):
    """An agency, committee or body the office works with."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    kind: Literal["agency", "congress", "interagency", "advisory", "international", "eop"]
    role: str
    citations: list[Citation] = Field(min_length=1)
    parent: str | None = None


class GuideLink(_Strict):
    """A link from a guide entry to a live registry record."""

    kind: Literal["agreement", "agency", "procedure", "page", "dataset"]
    id: str
    label: str | None = None


class GuideRecord(_Strict):
    """A cited entry of the guide."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str
    body: str
    keywords: list[str] = Field(default_factory=list)
    links: list[GuideLink] = Field(default_factory=list)
    citations: list[Citation] = Field(min_length=1)

    @field_validator("body")
    @classmethod
    def _body_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("body must not be blank")
        return v


_EXAMPLES = {
    "agreements": "- id: usmca\n  name: ...\n  dates: {in_force: 2020-07-01}",
    "agencies": "- id: commerce\n  name: Department of Commerce\n  kind: agency",
    "guide": "- id: what-is-ustr\n  title: What is USTR?\n  body: ...",
}


def load_yaml_file(path: Path | str, *, top_key: str) -> tuple[str, list[dict[str, Any]]]:
    """Read a registry YAML file and return (version, list under ``top_key``)."""
    path = Path(path)
    example = f"version: '2026-11-30'\n{top_key}:\n" + _EXAMPLES.get(top_key, "  - ...")
    raw = read_mapping(path, top_key=top_key, example=example)
    if not isinstance(raw[top_key], list):
        raise RegistryError(
            f"Expected a list under {top_key!r}.", where=str(path), field=top_key,
            expected=f"{top_key}: [ ... ]", example=example,
        )
    return str(raw.get("version", "unversioned")), raw[top_key]


def _validate(model: type[BaseModel], items: list[dict[str, Any]], path: Path, top_key: str) -> list[Any]:
    return validate_items(model, items, path=path, top_key=top_key,
                          example=_EXAMPLES.get(top_key, "- id: ..."))


def _bundled(name: str) -> Path:
    return Path(str(resources.files("tradepolicy.reference").joinpath(name)))


def load_agreements(path: Path | str | None = None) -> tuple[str, list[AgreementRecord]]:
    """Return (version, agreements) from ``path`` or the bundled ``agreements.yaml``."""
    p = Path(path) if path else _bundled("agreements.yaml")
    version, items = load_yaml_file(p, top_key="agreements")
    return version, _validate(AgreementRecord, items, p, "agreements")


def load_agencies(path: Path | str | None = None) -> tuple[str, list[AgencyRecord]]:
    """Return (version, agencies) from ``path`` or the bundled ``agencies.yaml``."""
    p = Path(path) if path else _bundled("agencies.yaml")
    version, items = load_yaml_file(p, top_key="agencies")
    return version, _validate(AgencyRecord, items, p, "agencies")


def load_guide(path: Path | str | None = None) -> tuple[str, list[GuideRecord]]:
    """Return (version, guide entries) from ``path`` or the bundled ``guide.yaml``."""
    p = Path(path) if path else _bundled("guide.yaml")
    version, items = load_yaml_file(p, top_key="guide")
    return version, _validate(GuideRecord, items, p, "guide")


def reference_version() -> str:
    """Return the combined version string of the bundled reference files."""
    return "+".join(
        load_yaml_file(_bundled(n), top_key=k)[0]
        for n, k in (("agreements.yaml", "agreements"), ("agencies.yaml", "agencies"), ("guide.yaml", "guide"))
    )
