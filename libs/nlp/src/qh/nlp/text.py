"""Text cleanup and the same-length folding every matcher works on."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_QUOTES = {ord(c): '"' for c in "«»„“”‟″〝〞＂"} | {ord(c): "'" for c in "‘’‚‛′‹›＇`"}
_DASHES = {ord(c): "-" for c in "‐‑‒–—―−﹘﹣－"}
_SPACES = {
    ord(c): " "
    for c in "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\x0b\x0c"
}
_INVISIBLE = {ord(c): None for c in "\u00ad\u200b\u200c\u200d\u2060\ufeff"}
_NORMALIZE_TABLE = _QUOTES | _DASHES | _SPACES | _INVISIBLE
# Length-preserving: what the matchers see instead of the original characters.
_MATCH_TABLE = _QUOTES | _DASHES | _SPACES
_INVISIBLE_CHARS = frozenset(chr(c) for c in _INVISIBLE)

_HSPACE = re.compile(r" {2,}")
_BLANK_LINES = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """Return ``text`` cleaned for storage and display.

    NFC; typographic quotes, dashes and exotic spaces to their ASCII forms; soft hyphens and
    zero-width characters removed; runs of spaces collapsed; lines stripped; at most one blank
    line between paragraphs; the whole stripped.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_NORMALIZE_TABLE)
    text = _HSPACE.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def _fold_char(char: str) -> str:
    folded = char.casefold()
    if len(folded) != 1:
        folded = char.lower()
        if len(folded) != 1:
            return char
    return "е" if folded == "ё" else folded


def fold(text: str) -> str:
    """Case-fold per character with ``ё`` → ``е``; ``len(fold(s)) == len(s)`` always."""
    if text.isascii():
        return text.lower()
    folded = text.casefold()
    if len(folded) != len(text):
        folded = "".join(_fold_char(c) for c in text)
    return folded.replace("ё", "е")


@lru_cache(maxsize=32)
def match_view(text: str) -> tuple[str, list[int] | None]:
    """Return the folded, punctuation-normalised text the extractors scan.

    Soft hyphens and zero-width characters are dropped (so ``Kuber\\u00adnetes`` is one word);
    the second value then maps every index of the view back to the original text, else None.
    Cached for the last few texts, as every extractor scans the same one (treat as read-only).
    """
    offsets: list[int] | None = None
    if any(c in _INVISIBLE_CHARS for c in text):
        kept = [i for i, c in enumerate(text) if c not in _INVISIBLE_CHARS]
        offsets = [*kept, len(text)]
        text = "".join(text[i] for i in kept)
    view = fold(text)
    # str.translate walks every character through a dict; a few str.replace calls for the
    # characters actually present are an order of magnitude faster on typical text.
    if not view.isascii():
        for code, replacement in _MATCH_TABLE.items():
            char = chr(code)
            if char in view:
                view = view.replace(char, replacement)
    elif "\t" in view or "\x0b" in view or "\x0c" in view:
        view = view.translate(_MATCH_TABLE)
    return view, offsets


def original_span(offsets: list[int] | None, start: int, end: int) -> tuple[int, int]:
    """Map a ``[start, end)`` span of the view back to the original text."""
    if offsets is None:
        return start, end
    return offsets[start], offsets[end - 1] + 1
