"""Sentences and lines with offsets: what a resume line or a vacancy requirement is.

``split_sentences(text)`` cuts at line breaks and at sentence ends (``.``, ``!``, ``?``,
``…``, ``;`` followed by a space and a capital letter, a digit or a quote), strips list
markers (``-``, ``•``, ``1.``, ``##``) and spaces from both ends, and keeps only pieces with
a letter. Offsets are into the text as given: ``text[s.start:s.end] == s.text``.
"""

from __future__ import annotations

import re

import msgspec

__all__ = ["TextSpan", "line_spans", "split_sentences"]


class TextSpan(msgspec.Struct, frozen=True):
    text: str
    start: int
    end: int


_LINE = re.compile(r"[^\n\r]+")
_SENTENCE_END = re.compile(r"(?<=[.!?…;])\s+(?=[\"«(\[A-ZА-ЯЁ0-9])")
_LEAD = re.compile(r"^[\s\-–—•*·▪►✓✔#>|]*(?:\(?\d{1,2}[.)]\s+)?[\s\-–—•*·▪►✓✔]*")
_TRAIL = re.compile(r"[\s|]+$")
_LETTER = re.compile(r"[^\W\d_]")
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|vs|approx|incl|т\.е|т\.д|т\.п|т\.к|напр|г|гг|ул|им|англ|руб|тыс|млн)\.|"
    r"\b[A-ZА-ЯЁ]\.)$",
    re.IGNORECASE,
)


def _trimmed(text: str, start: int, end: int) -> TextSpan | None:
    piece = text[start:end]
    lead = _LEAD.match(piece)
    skip = lead.end() if lead else 0
    trail = _TRAIL.search(piece)
    cut = trail.start() if trail else len(piece)
    if cut <= skip:
        return None
    s, e = start + skip, start + cut
    if not _LETTER.search(text[s:e]):
        return None
    return TextSpan(text[s:e], s, e)


def line_spans(text: str) -> list[TextSpan]:
    """Non-empty lines (list markers and edge spaces stripped) with offsets."""
    spans: list[TextSpan] = []
    for match in _LINE.finditer(text):
        span = _trimmed(text, match.start(), match.end())
        if span is not None:
            spans.append(span)
    return spans


def split_sentences(text: str, *, max_chars: int = 400) -> list[TextSpan]:
    """Sentences (and list items, and lines) with offsets, in order. A sentence longer than
    ``max_chars`` is cut at its last comma or space before the limit."""
    spans: list[TextSpan] = []
    for line in _LINE.finditer(text):
        begin = line.start()
        cuts: list[tuple[int, int]] = []
        for end in _SENTENCE_END.finditer(line.group()):
            before = line.group()[: end.start()]
            if _ABBREVIATION.search(before):
                continue
            cuts.append((begin, line.start() + end.start()))
            begin = line.start() + end.end()
        cuts.append((begin, line.end()))
        for s, e in cuts:
            while e - s > max_chars:
                window = text[s : s + max_chars]
                at = max(window.rfind(", "), window.rfind(" "))
                at = at if at > max_chars // 2 else max_chars
                span = _trimmed(text, s, s + at)
                if span is not None:
                    spans.append(span)
                s += at
            span = _trimmed(text, s, e)
            if span is not None:
                spans.append(span)
    return spans
