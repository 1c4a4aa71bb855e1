"""What text from outside may hold. One rule for every field of every form (and the
command line): Unicode NFC; no NUL, no control characters (C0 and C1) but the line breaks a
multi-line field allows; no bidirectional overrides or isolates (they make "rofakO" read
as "Okafor"); no text that could not be read as UTF-8 (the replacement character); and no
invisible zero-width characters in single-line answers such as names."""

from __future__ import annotations

import re
import unicodedata

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
CONTROLS = "".join(chr(c) for c in (*range(0x00, 0x20), *range(0x7f, 0xa0)))
_ZERO_WIDTH_OUT = dict.fromkeys(map(ord, ZERO_WIDTH))
_LINE_BREAKS = "\n"
_FORBIDDEN = re.compile("[" + re.escape(CONTROLS + BIDI + "\ufffd") + "]")
_FORBIDDEN_MULTILINE = re.compile(
    "[" + re.escape(CONTROLS.replace(_LINE_BREAKS, "") + BIDI + "\ufffd") + "]")


class BadText(ValueError):
    """Text that holds characters we refuse, with a message fit to show."""


def clean(value: str, *, multiline: bool = False) -> str:
    """The text as we keep it (NFC; Windows line breaks as \\n; zero-width characters out of
    single-line text), or BadText saying what is wrong."""
    text = value.replace("\r\n", "\n")
    if not text.isascii():  # ASCII is NFC already and holds no zero-width character
        text = unicodedata.normalize("NFC", text)
        if not multiline:
            text = text.translate(_ZERO_WIDTH_OUT)
    found = (_FORBIDDEN_MULTILINE if multiline else _FORBIDDEN).search(text)
    if found:
        raise BadText(_why(found.group()))
    return text


def _why(char: str) -> str:
    if char == "\ufffd":
        return "contains characters that could not be read: type it again"
    if char in BIDI:
        return "contains hidden characters that change the direction of the text"
    if char == "\n":
        return "must be on one line"
    return "contains hidden control characters: type it again"


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 child", "2 children", "0 rows": the count with the right form of the noun."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"
