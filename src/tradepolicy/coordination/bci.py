"""The BCI / public-version check: a public version must not contain text bracketed in the BCI version.

Practice (15 CFR 2006.15; USTR comment-portal instructions): a submitter filing business-confidential
information files two versions. The BCI version's file name begins with ``BCI``, it carries a
``BUSINESS CONFIDENTIAL`` banner and it encloses every confidential item in square brackets
``[ ... ]``. The public version's file name begins with ``P``, it carries a ``PUBLIC VERSION`` banner,
and the bracketed items are deleted (or shown as empty brackets / asterisks).

:func:`check_public_version` compares the two texts after normalising Unicode (NFKC), case and
whitespace, and reports every bracketed span whose words reappear in the public version:

* a short span (at most :data:`NGRAM` words) leaks when its whole word sequence occurs in the
  public text;
* a longer span leaks when any run of :data:`NGRAM` consecutive words of it occurs there.

>>> r = check_public_version("Our share was [42.5 percent] in 2023.", "Our share was [ ] in 2023.")
>>> r.ok
True
>>> r = check_public_version("We sold [12,000 units] to [Acme Corp].", "We sold 12,000 units to [ ].")
>>> [o.span for o in r.overlaps]
['12,000 units']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

NGRAM = 6
"""Words of a long bracketed span that, reappearing in order, count as a leak."""

BCI_BANNER = "BUSINESS CONFIDENTIAL"
PUBLIC_BANNER = "PUBLIC VERSION"

_BRACKET = re.compile(r"\[([^\[\]]*)\]")
_TOKEN = re.compile(r"\w+(?:[.,'’/-]\w+)*", re.UNICODE)
_FILLER = re.compile(r"^[\s*.\-_xX]*$")  # "[ ]", "[***]", "[...]", "[xxx]": a redaction mark


def normalise(text: str) -> str:
    """Return ``text`` in NFKC, case-folded, with runs of whitespace made one space.

    >>> normalise("  ACME   Corp Ltd ")
    'acme corp ltd'
    """
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def tokens(text: str) -> list[str]:
    """Return the normalised words of ``text`` (numbers keep their separators: ``12,000``)."""
    return _TOKEN.findall(normalise(text))


@dataclass(frozen=True, slots=True)
class Span:
    """A bracketed item of a BCI version: its text and character offsets (inside the brackets)."""

    text: str
    start: int
    end: int


def bracketed_spans(text: str) -> list[Span]:
    """Return the bracketed items of a BCI text (redaction marks such as ``[ ]`` or ``[***]`` skipped).

    >>> [s.text for s in bracketed_spans("a [b c] d [ ] e [***] [f]")]
    ['b c', 'f']
    """
    out = []
    for m in _BRACKET.finditer(text):
        inner = m.group(1)
        if _FILLER.match(inner):
            continue
        out.append(Span(inner.strip(), m.start(1), m.end(1)))
    return out


@dataclass(frozen=True, slots=True)
class Overlap:
    """One leak: the bracketed ``span`` of the BCI version and the ``matched`` words found in the public one.

    ``public_excerpt`` shows the public text around the match (normalised), ``public_offset`` is the
    word index of the match in the public version.
    """

    span: str
    matched: str
    public_offset: int
    public_excerpt: str


@dataclass(frozen=True, slots=True)
class LeakReport:
    """The result of :func:`check_public_version`; ``ok`` when nothing bracketed leaks."""

    spans: int
    overlaps: tuple[Overlap, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when the public version repeats no bracketed item."""
        return not self.overlaps


def _find(seq: list[str], sub: list[str]) -> int:
    n = len(sub)
    if n == 0:
        return -1
    first = sub[0]
    for i in range(len(seq) - n + 1):
        if seq[i] == first and seq[i:i + n] == sub:
            return i
    return -1


def check_public_version(bci_text: str, public_text: str, *, ngram: int = NGRAM) -> LeakReport:
    """Compare a BCI version with its public version; report bracketed items repeated in the public one.

    Parameters
    ----------
    bci_text
        The BCI version's text, confidential items in ``[brackets]``.
    public_text
        The public version's text.
    ngram
        Words of a long span that, found in order in the public text, make a leak.
    """
    spans = bracketed_spans(bci_text)
    pub = tokens(_BRACKET.sub(" ", public_text))  # what the public version still brackets is not shown
    pub_ngrams: dict[tuple[str, ...], int] = {}
    for i in range(len(pub) - ngram + 1):
        pub_ngrams.setdefault(tuple(pub[i:i + ngram]), i)
    overlaps: list[Overlap] = []
    seen: set[tuple[str, str]] = set()
    for s in spans:
        words = tokens(s.text)
        if not words:
            continue
        if len(words) <= ngram:
            at = _find(pub, words)
            hit = words if at >= 0 else None
        else:
            at, hit = -1, None
            for i in range(len(words) - ngram + 1):
                key = tuple(words[i:i + ngram])
                if key in pub_ngrams:
                    at, hit = pub_ngrams[key], list(key)
                    break
        if hit is None:
            continue
        key2 = (normalise(s.text), " ".join(hit))
        if key2 in seen:
            continue
        seen.add(key2)
        lo, hi = max(0, at - 5), min(len(pub), at + len(hit) + 5)
        overlaps.append(Overlap(span=s.text, matched=" ".join(hit), public_offset=at,
                                public_excerpt=" ".join(pub[lo:hi])))
    return LeakReport(spans=len(spans), overlaps=tuple(overlaps))


def filename_problems(bci_name: str | None, public_name: str) -> list[tuple[str, str]]:
    """Return ``(field, problem)`` pairs for the USTR file-naming convention ("BCI..." and "P...").

    >>> filename_problems("BCI_acme.pdf", "P_acme.pdf")
    []
    >>> filename_problems("acme.pdf", "P_acme.pdf")[0][0]
    'bci_file'
    """
    out: list[tuple[str, str]] = []
    if bci_name is not None and not bci_name.upper().startswith("BCI"):
        out.append(("bci_file", f"the BCI version's file name must begin with 'BCI' (got {bci_name!r})"))
    if bci_name is not None and not public_name.upper().startswith("P"):
        out.append(("file", f"the public version's file name must begin with 'P' (got {public_name!r})"))
    return out


def banner_problems(bci_text: str, public_text: str) -> list[tuple[str, str]]:
    """Return ``(field, problem)`` pairs when a banner or the brackets are missing.

    >>> banner_problems("BUSINESS CONFIDENTIAL: [42]", "PUBLIC VERSION: [ ]")
    []
    """
    out: list[tuple[str, str]] = []
    if BCI_BANNER.casefold() not in normalise(bci_text):
        out.append(("bci_file", f"the BCI version must carry the banner {BCI_BANNER!r}"))
    if not bracketed_spans(bci_text):
        out.append(("bci_file", "the BCI version must enclose its confidential information in [brackets]"))
    if PUBLIC_BANNER.casefold() not in normalise(public_text):
        out.append(("file", f"the public version must carry the banner {PUBLIC_BANNER!r}"))
    return out
