"""Parse the Section 301 product exclusions of HTS chapter 99, subchapter III, U.S. note 20(vvv)/(www).

The HTS prints the exclusions in force as numbered items of note 20 subdivisions (vvv)(i)-(iv)
(claimed under heading 9903.88.69) and (www) (heading 9903.88.70). Each subdivision opens with a
paragraph naming the list heading it lifts ("... the additional duties provided for in heading
9903.88.01 shall not apply to ..."); each item is either a bare statistical reporting number
("(1) 8483.50.9040": the whole line) or a product description ending "(described in statistical
reporting number 8414.30.8030)", sometimes with dated numbers ("... 9401.90.1085 prior to
January 27, 2022; described in statistical reporting number 9401.91.1500 or 9401.99.1085
effective January 27, 2022").

Pure: takes the note's text (the whole chapter text is fine), returns frozen records. Page
headers of the printed schedule inside the note are skipped.

>>> text = '''(vvv) (i) The U.S. Trade Representative determined ... as provided in heading 9903.88.69,
... the additional duties provided for in heading 9903.88.01 shall not apply to the following products:
... (1) 8483.50.9040
... (2) Pump casings (described in statistical reporting number 8413.91.9080 prior to January 1, 2019;
...      described in statistical reporting number 8413.91.9085 or 8413.91.9096 effective January 1, 2020)
... (21) (a) Another note begins'''
>>> [(x.subdivision, x.item, x.lifts, x.claim_heading, [c.hts10 for c in x.codes]) for x in parse_exclusions(text)]
[('vvv(i)', 1, '9903.88.01', '9903.88.69', ['8483509040']), ('vvv(i)', 2, '9903.88.01', '9903.88.69', ['8413919080', '8413919085', '8413919096'])]
>>> parse_exclusions(text)[1].codes[0].until
datetime.date(2018, 12, 31)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

CLAIM_HEADING = {"vvv": "9903.88.69", "www": "9903.88.70"}

_SUBDIV = re.compile(r"^(?:\((vvv|www)\)\s*)?(?:\((i|ii|iii|iv)\)\s*)?The U\.S\. Trade Representative determined")
_ITEM = re.compile(r"^\((\d{1,3})\)\s+(.*)$")
_CODE = re.compile(r"\b(\d{4}\.\d{2}\.\d{4}|\d{4}\.\d{2}\.\d{2})\b")
_LIFTS = re.compile(r"(?:provided for in|imposed by)\s+heading\s+(9903\.88\.\d{2})")
_PAGE = re.compile(r"^(Harmonized Tariff Schedule of the United States|Annotated for Statistical Reporting"
                   r"|U\.S\. Notes \(con\.\)|XXII$|99 - III - \d+$)")
_MONTHS = {m: i for i, m in enumerate(("January", "February", "March", "April", "May", "June", "July",
                                       "August", "September", "October", "November", "December"), 1)}
_DATE = r"((?:January|February|March|April|May|June|July|August|September|October|November|December) \d{1,2}, \d{4})"
_PRIOR = re.compile(r"prior to " + _DATE)
_EFFECTIVE = re.compile(r"effective " + _DATE + r"(?: through " + _DATE + ")?")


@dataclass(frozen=True, slots=True)
class ExclusionCode:
    """A statistical reporting number of an item, with the dates the note gives it (inclusive)."""

    hts10: str  # digits, 10 (or 8 when the note names a subheading)
    since: dt.date | None = None
    until: dt.date | None = None

    def valid_on(self, date: dt.date) -> bool:
        """Return whether the note names this number for ``date``."""
        return (self.since is None or date >= self.since) and (self.until is None or date <= self.until)


@dataclass(frozen=True, slots=True)
class NoteExclusion:
    """One numbered exclusion of note 20(vvv)/(www): the heading it lifts and the goods it covers."""

    subdivision: str  # "vvv(i)" ... "vvv(iv)", "www"
    item: int
    lifts: str  # the 9903.88 list heading whose duty does not apply
    claim_heading: str  # 9903.88.69 or 9903.88.70
    description: str  # "" when the item is a bare statistical reporting number (the whole line)
    codes: tuple[ExclusionCode, ...]

    @property
    def whole_line(self) -> bool:
        """Whether the item covers its whole statistical line (no narrower description)."""
        return not self.description


def _date(s: str) -> dt.date:
    month, day, year = re.fullmatch(r"(\w+) (\d{1,2}), (\d{4})", s).groups()  # type: ignore[union-attr]
    return dt.date(int(year), _MONTHS[month], int(day))


def _codes(body: str) -> tuple[str, tuple[ExclusionCode, ...]]:
    """Split an item's text into its description and its dated statistical numbers."""
    body = re.sub(r"\s+", " ", body).strip()
    m = re.search(r"\(described in statistical reporting numbers?\b", body)
    # a bare item ("8483.50.9040", possibly dated) covers the whole line: no description
    desc, tail = ("", body) if m is None else (body[:m.start()].strip(), body[m.start():].strip("()"))
    out: list[ExclusionCode] = []
    # each "[described in ... number(s)] A[ or B] <qualifier>" clause, separated by ";" or ", described"
    for clause in re.split(r";|,\s*(?=described in)", tail):
        nums = [c.replace(".", "") for c in _CODE.findall(clause)]
        since = until = None
        if (p := _PRIOR.search(clause)) is not None:
            until = _date(p.group(1)) - dt.timedelta(days=1)
        if (e := _EFFECTIVE.search(clause)) is not None:
            since = _date(e.group(1))
            until = _date(e.group(2)) if e.group(2) else until
        out += [ExclusionCode(n, since, until) for n in nums]
    return desc, tuple(out)


def parse_exclusions(text: str) -> list[NoteExclusion]:
    """Return the numbered exclusions of note 20(vvv)(i)-(iv) and 20(www) in ``text``.

    A subdivision starts at a line "(vvv) (i) ...", "(ii) ...", "(iii) ...", "(iv) ..." or
    "(www) ..."; the list heading it lifts is the first ``heading 9903.88.xx`` its opening
    paragraph names after "provided for in"/"imposed by" (not 9903.88.69/.70). Items are
    numbered (1), (2), ... in order; a line "(n)" that is not the next number continues the
    text. The last subdivision ends at the next numbered item out of sequence with a letter
    subdivision, e.g. "(21) (a)" (U.S. note 21).
    """
    out: list[NoteExclusion] = []
    family = sub = lifts = None
    intro: list[str] = []
    item: list[str] | None = None
    number = 0

    def flush() -> None:
        nonlocal item
        if item is not None and sub is not None and family is not None and lifts is not None:
            desc, codes = _codes(" ".join(item))
            out.append(NoteExclusion(sub, number, lifts, CLAIM_HEADING[family], desc, codes))
        item = None

    for raw in text.splitlines():
        line = raw.strip()
        if not line or _PAGE.match(line):
            continue
        m = _SUBDIV.match(line)
        if m is not None and (m.group(1) or (family is not None and m.group(2))):
            flush()
            if m.group(1):
                family = m.group(1)
            roman = m.group(2)
            sub = f"{family}({roman})" if roman else str(family)
            intro, number, lifts = [line], 0, None
            continue
        if family is None:
            continue
        it = _ITEM.match(line)
        if it is not None and int(it.group(1)) == number + 1:
            flush()
            if lifts is None:
                found = [h for h in _LIFTS.findall(re.sub(r"\s+", " ", " ".join(intro)))
                         if h not in CLAIM_HEADING.values()]
                lifts = found[0] if found else None
            number, item = number + 1, [it.group(2)]
        elif it is not None and re.match(r"^\(\d+\)\s+\([a-z]\)", line):
            break  # the next note, e.g. "(21) (a)"
        elif item is not None:
            item.append(line)
        else:
            intro.append(line)
    flush()
    return out
