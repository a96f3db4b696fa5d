"""U.S. note 31 to subchapter III of HTS chapter 99: the 2024 four-year-review product coverage.

Note 31 (89 FR 76581, 2024-09-18, as amended) lists, subdivision by subdivision, the HTS
8-digit subheadings and 10-digit statistical reporting numbers of each 9903.91 heading:
(b) 9903.91.01, (c) 9903.91.02, (d) 9903.91.03, ... This module parses the note out of the
chapter 99 text as the USITC prints it (pdftotext layout: page headers, multi-column code
lists) into subdivision letter -> heading and codes. Pure: text in, records out.

>>> text = '''31. (a) As provided in headings 9903.91.01 and 9903.91.02, products of China ...
... (b) Heading 9903.91.01 applies to products of China classified in:
...        8505.11.00  2504.10.10
...    Harmonized Tariff Schedule of the United States Revision 6 (2026)
...                                  99 - III - 339
... U.S. Notes (con.)    7601.10.30
... (c) Heading 9903.91.02 applies to facemasks described in 6307.90.9870 or 6307.90.9875.
... 32. Action Applicable to Imports of ... 8703.80.00'''
>>> subs = parse_note31(text)
>>> sorted(subs)
['a', 'b', 'c']
>>> subs["b"].heading, subs["b"].codes
('9903.91.01', ('2504.10.10', '7601.10.30', '8505.11.00'))
>>> subs["c"].codes
('6307.90.9870', '6307.90.9875')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tradepolicy.errors import RegistryError

_START = re.compile(r"^\s*31\.\s+\(a\)", re.MULTILINE)
_END = re.compile(r"^\s*32\.\s", re.MULTILINE)
# A top-level subdivision opens a line: "(b) Heading ...", or "(f)" alone on its line.
_SUB = re.compile(r"^\s*\(([a-z])\)(?=\s|$)")
# HTS codes as printed: 8-digit subheadings 1234.56.78 and 10-digit numbers 1234.56.7890.
_CODE = re.compile(r"(?<![\d.])(\d{4}\.\d{2}\.\d{2}(?:\d{2})?)(?![\d.]*\d)")
_HEADING = re.compile(r"\b[Hh]eading (9903\.\d{2}\.\d{2})\b")
_PAGE = ("Harmonized Tariff Schedule of the United States", "Annotated for Statistical Reporting")
_PAGE_LINE = re.compile(r"^\s*(XXII|99 - III - \d+)\s*$")


@dataclass(frozen=True, slots=True)
class NoteSubdivision:
    """One subdivision of U.S. note 31: its letter, first heading named, and the codes it lists.

    ``codes`` are dotted HTS codes (8 digits ``8703.80.00`` or 10 ``6307.90.9870``), sorted,
    without chapter 98/99 provisions the text refers to.
    """

    letter: str
    heading: str | None
    codes: tuple[str, ...]


def note31_block(text: str) -> str:
    """Return the text of U.S. note 31 (from ``31. (a)`` to the next note), page furniture removed.

    Raises ``RegistryError`` when the note is not in ``text``.
    """
    start = _START.search(text)
    if start is None:
        raise RegistryError("U.S. note 31 to subchapter III was not found in the chapter 99 text.",
                            where="chapter 99 text", expected='a line starting "31. (a)"',
                            example="31. (a)  As provided in headings 9903.91.01, ...")
    end = _END.search(text, start.end())
    block = text[start.start(): end.start() if end else len(text)]
    lines = []
    for line in block.splitlines():
        if any(p in line for p in _PAGE) or _PAGE_LINE.match(line):
            continue
        lines.append(line.replace("U.S. Notes (con.)", ""))
    return "\n".join(lines)


def parse_note31(text: str) -> dict[str, NoteSubdivision]:
    """Return subdivision letter -> :class:`NoteSubdivision` of U.S. note 31 in ``text``.

    Subdivisions are read in order ((a), (b), (c), ...): a line opening with the next
    expected letter starts it, so inner lists lettered (a)-(d) or numbered (i), (1) stay in
    their subdivision. Codes of chapters 98 and 99 (provisions the note refers to) are dropped.
    """
    block = note31_block(text)
    parts: dict[str, list[str]] = {}
    current = "a"
    body = block[block.index("(a)") + 3:]
    for line in body.splitlines():
        m = _SUB.match(line)
        if m and ord(m.group(1)) == ord(current) + 1:
            current = m.group(1)
            line = line[m.end():]
        parts.setdefault(current, []).append(line)
    out: dict[str, NoteSubdivision] = {}
    for letter, chunk in parts.items():
        joined = "\n".join(chunk)
        heading = _HEADING.search(joined)
        codes = sorted({c for c in _CODE.findall(joined) if c[:2] not in ("98", "99")})
        out[letter] = NoteSubdivision(letter, heading.group(1) if heading else None, tuple(codes))
    return out
