"""HTS code forms: validation, normalisation and display.

>>> normalize_hts("0101.30.00.00")
'0101300000'
>>> dotted("0101300000")
'0101.30.00.00'
"""

from __future__ import annotations

import re

from tradepolicy.errors import InputError

_CODE = re.compile(r"^\d{4}(\d{2}){0,3}$")
EXPECTED = "4, 6, 8 or 10 digits, dotted or not (e.g. 8471.30.01.00 or 84713001)"
EXAMPLE = "8471.30.01.00"


def normalize_hts(code: str, *, field: str = "hts") -> str:
    """Return the digits of an HTS code; raise ``InputError`` on a malformed code."""
    raw = (code or "").strip()
    digits = re.sub(r"[.\s]", "", raw)
    if not _CODE.match(digits):
        raise InputError(
            f"Malformed HTS code {code!r}.", field=field, expected=EXPECTED, example=EXAMPLE,
        )
    return digits


def dotted(digits: str) -> str:
    """Return the dotted display form of an HTS code of 4-10 digits."""
    parts = [digits[:4]] + [digits[i : i + 2] for i in range(4, len(digits), 2)]
    return ".".join(p for p in parts if p)
