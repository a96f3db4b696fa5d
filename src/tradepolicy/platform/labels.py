"""Confidentiality labels carried by every record, field and document.

- ``public``: anyone, signed in or not, may read it.
- ``bci``: business-confidential information (a submitter's BCI version, 15 CFR 2006.15).
- ``apo``: released under an administrative protective order to authorised representatives of
  one proceeding only (19 CFR 351.305; 19 CFR 207.7).
- ``restricted``: the government's own non-public material (negotiating texts, deliberative
  drafts, clearance documents).

Every non-public label needs a grant for the scope the item belongs to (see ``policy.can_read``).
"""

from __future__ import annotations

from typing import Literal, cast

from tradepolicy.errors import InputError

Label = Literal["public", "bci", "apo", "restricted"]
LABELS: tuple[Label, ...] = ("public", "bci", "apo", "restricted")
CONFIDENTIAL_LABELS: frozenset[str] = frozenset({"bci", "apo", "restricted"})


def check_label(value: str, *, field: str = "label") -> Label:
    """Return ``value`` as a :data:`Label`, or raise an ``InputError`` naming the allowed ones.

    >>> check_label("BCI")
    'bci'
    """
    v = str(value).strip().lower()
    if v not in LABELS:
        raise InputError(
            f"Unknown confidentiality label {value!r}. Expecting one of {set(LABELS)}.",
            field=field, expected=" | ".join(LABELS), example="bci",
        )
    return cast(Label, v)


def is_confidential(label: str) -> bool:
    """Return True for every label but ``public``."""
    return label in CONFIDENTIAL_LABELS
