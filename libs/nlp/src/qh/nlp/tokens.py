"""Tokens: words as recruiters write them, including ``C++``, ``C#``, ``.NET``, ``Node.js``,
``1С`` and ``CI/CD``."""

from __future__ import annotations

import re

import msgspec

from qh.nlp.morph import lemma as _lemma
from qh.nlp.text import match_view, original_span

# A word: letters/digits, inner dots or apostrophes before Latin (Node.js, ASP.NET, O'Reilly),
# an optional leading dot (.NET) and a trailing ++ or # (C++, C#, F#). Anything else that is not
# a space is a one-character punctuation token.
_SCAN = re.compile(
    r"(?P<w>(?:(?<![\w.])\.(?=[a-z]))?[^\W_]+(?:[.'](?=[a-z0-9])[^\W_]+)*(?:\+\+|#(?![\w#]))?)"
    r"|(?P<p>[^\s\w]|_)"
)
_GLUE_JOINERS = frozenset("-")


class Token(msgspec.Struct, frozen=True):
    """A word of the text: ``text == source[start:end]`` and its lemma."""

    text: str
    start: int
    end: int
    lemma: str


def scan(view: str) -> tuple[list[str], list[int], list[int], list[bool]]:
    """Split a folded match view into tokens: (keys, starts, ends, is_word).

    A hyphen glued between two words (``full-stack``, ``Java-разработчик``) is dropped, so both
    halves are words of their own; ``/``, ``:`` and ``&`` stay as tokens (``CI/CD``, ``R&D``).
    """
    keys: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    words: list[bool] = []
    n = len(view)
    for m in _SCAN.finditer(view):
        s, e = m.span()
        if m.lastgroup == "p":
            ch = view[s]
            if (
                ch in _GLUE_JOINERS
                and s > 0
                and e < n
                and view[s - 1].isalnum()
                and view[e].isalnum()
            ):
                continue
            keys.append(ch)
            words.append(False)
        else:
            keys.append(view[s:e])
            words.append(True)
        starts.append(s)
        ends.append(e)
    return keys, starts, ends, words


def tokenize(text: str) -> list[Token]:
    """The words of ``text`` with character offsets into ``text`` itself and their lemmas."""
    view, offsets = match_view(text)
    keys, starts, ends, words = scan(view)
    tokens = []
    for key, s, e, is_word in zip(keys, starts, ends, words, strict=True):
        if not is_word:
            continue
        os, oe = original_span(offsets, s, e)
        tokens.append(Token(text[os:oe], os, oe, _lemma(key)))
    return tokens
