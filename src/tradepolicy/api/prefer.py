"""The ``Prefer`` request header (RFC 7240): which preferences a client asked for.

Only parsing lives here; a route decides what it honours and says so in
``Preference-Applied``. Grammar (RFC 7240, section 2): ``Prefer`` values are comma-separated
preferences, each ``token [ "=" word ] *( ";" parameter )``; tokens are case-insensitive, a
``word`` may be a quoted string, and when a preference is given more than once (in one header
or in several ``Prefer`` headers) only its first instance counts.
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_PREFER_CHARS = 4096  # a longer header is ignored as a whole (a preference is optional)


def _split(text: str, sep: str) -> list[str]:
    """Split ``text`` on ``sep`` outside double-quoted strings (with backslash escapes)."""
    parts, cur, quoted, escaped = [], [], False, False
    for ch in text:
        if escaped:
            cur.append(ch)
            escaped = False
        elif ch == "\\" and quoted:
            cur.append(ch)
            escaped = True
        elif ch == '"':
            cur.append(ch)
            quoted = not quoted
        elif ch == sep and not quoted:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def _unquote(word: str) -> str:
    word = word.strip()
    if len(word) >= 2 and word[0] == word[-1] == '"':
        inner, out, i = word[1:-1], [], 0
        while i < len(inner):
            if inner[i] == "\\" and i + 1 < len(inner):
                i += 1
            out.append(inner[i])
            i += 1
        return "".join(out)
    return word


def preferences(headers: Iterable[str] | None) -> dict[str, str]:
    """Return ``{token (lower case): value}`` of every preference in the ``Prefer`` headers.

    A preference without a value maps to ``""``; the first instance of a token wins; parameters
    after ``;`` are ignored (no preference used here has any). Example:
    ``preferences(['return=minimal, wait=10'])`` is ``{"return": "minimal", "wait": "10"}``.
    """
    out: dict[str, str] = {}
    for header in headers or ():
        if len(header) > MAX_PREFER_CHARS:
            continue
        for pref in _split(header, ","):
            head = _split(pref, ";")[0]
            token, _, value = head.partition("=")
            token = token.strip().lower()
            if token and token not in out:
                out[token] = _unquote(value)
    return out


def wants_minimal(headers: Iterable[str] | None) -> bool:
    """Whether the client prefers ``return=minimal`` (RFC 7240, section 4.2)."""
    return preferences(headers).get("return", "").lower() == "minimal"
