"""Load and validate the bundled reference YAML with pydantic models."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tradepolicy.errors import RegistryError
from tradepolicy.literals import AgreementStatus, ProvisionArea


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise RegistryError(
            f"Not valid YAML: {getattr(exc, 'problem', exc)}",
            where=where,
            expected="a YAML mapping with 'version' and a list under " + repr(top_key),
            example=f"version: '2026-11-30'\n{top_key}:\n" + _EXAMPLES.get(top_key, "  - ..."),
        ) from exc
    if not isinstance(raw, dict) or top_key not in raw or not isinstance(raw[top_key], list):
        raise RegistryError(
            f"Expected a mapping with a list under {top_key!r}.",
            where=str(path),
            field=top_key,
            expected=f"{top_key}: [ ... ]",
            example=f"{top_key}:\n" + _EXAMPLES.get(top_key, "  - ..."),
        )
    return str(raw.get("version", "unversioned")), raw[top_key]


def _validate(model: type[BaseModel], items: list[dict[str, Any]], path: Path, top_key: str) -> list[Any]:
    out = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        ident = item.get("id", f"#{i}") if isinstance(item, dict) else f"#{i}"
        try:
            rec = model.model_validate(item)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            raise RegistryError(
                f"Invalid entry {ident!r}: {err['msg']}.",
                where=f"{path}: {top_key}[{i}] ({ident})",
                field=loc or None,
                expected=_expected_for(err),
                example=_EXAMPLES.get(top_key),
            ) from exc
        rid = getattr(rec, "id", None)
        if rid in seen:
            raise RegistryError(
                f"Duplicate id {rid!r}.", where=f"{path}: {top_key}[{i}]", field="id",
                expected="ids unique within the file", example="usmca",
            )
        seen.add(str(rid))
        out.append(rec)
    return out


def _expected_for(err: Any) -> str:
    kind = err.get("type", "")
    if "date" in kind:
        return "an ISO date YYYY-MM-DD, e.g. 2020-07-01"
    if kind == "missing":
        return "the key to be present"
    if kind == "extra_forbidden":
        return "only documented keys"
    if kind == "literal_error":
        return str(err.get("ctx", {}).get("expected", "one of the allowed values"))
    return str(err.get("msg", "a valid value"))


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
