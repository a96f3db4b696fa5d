"""Seeded real proceedings, bundled and cited (``law/data/seeds/*.yaml``).

Each event carries its source and whether its date is confirmed, so a seeded case shows
its computed deadlines beside actual, cited dates.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field

from tradepolicy.law._yaml import data_dir, read_mapping, validate_items
from tradepolicy.reference.loader import Citation
from tradepolicy.yaml_registry import StrictModel as _Strict

SEED_EXAMPLE = (
    "case:\n"
    "  id: ds543\n"
    "  procedure: wto_dsu\n"
    "  title: DS543 US - Tariff Measures on Certain Goods from China\n"
    "  summary: ...\n"
    "  citations: [{title: WT/DS543/1, href: https://www.wto.org/}]\n"
    "  events:\n"
    "    - {event: consultations_requested, date: 2018-04-04, source: WT/DS543/1, confirmed: true}"
)


class SeedEvent(_Strict):
    """One event of a seeded case, with its source and confirmed flag."""

    event: str
    date: dt.date
    payload: dict[str, Any] = Field(default_factory=dict)
    source: str = Field(min_length=3)
    confirmed: bool
    note: str | None = None

    def payload_with_source(self) -> dict[str, Any]:
        """Return the payload with ``source`` and ``confirmed`` added."""
        return {**self.payload, "source": self.source, "confirmed": self.confirmed}


class SeedCase(_Strict):
    """A real proceeding to seed."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")
    procedure: str
    title: str
    summary: str
    citations: list[Citation] = Field(min_length=1)
    events: list[SeedEvent] = Field(min_length=1)

    def data(self) -> dict[str, Any]:
        """Return the case's ``data`` column: summary and citations."""
        return {"summary": self.summary, "citations": [c.model_dump() for c in self.citations],
                "seeded": True}


def load_seed_file(path: Path | str) -> SeedCase:
    """Load and validate one seed file."""
    p = Path(path)
    raw = read_mapping(p, top_key="case", example=SEED_EXAMPLE)
    (case,) = validate_items(SeedCase, [raw["case"]], path=p, top_key="case", example=SEED_EXAMPLE)
    return case


@lru_cache(maxsize=1)
def load_seeds() -> tuple[SeedCase, ...]:
    """Return the bundled seed cases, in file-name order."""
    return tuple(load_seed_file(f) for f in sorted(data_dir("seeds").glob("*.yaml")))
