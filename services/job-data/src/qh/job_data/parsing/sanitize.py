"""Vacancy descriptions as safe HTML (for display) and as structured plain text (for
analysis): paragraphs stay paragraphs, list items become bullet lines."""

from __future__ import annotations

import html
import re

import nh3
from selectolax.lexbor import LexborHTMLParser, LexborNode

ALLOWED_TAGS = frozenset(
    {"p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "h1", "h2", "h3", "h4", "a"}
)
_DROPPED_WITH_CONTENT = {"script", "style", "noscript", "template", "iframe", "object", "svg"}

_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
        "tbody", "thead", "tfoot", "tr", "ul",
    }
)  # fmt: skip
_SKIPPED = frozenset(
    {*_DROPPED_WITH_CONTENT, "head", "title", "meta", "link", "button", "-comment"}
)
_SPACE = re.compile(r"[ \t\r\n\f\v\xa0\u2000-\u200b\u202f\u205f\u3000]+")
_PARAGRAPH = "\n\n"
_TAG = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*)(?:\s[^>]*)?/?>|</[a-zA-Z][a-zA-Z0-9]*\s*>")
_ESCAPED_TAG = re.compile(r"&lt;/?[a-zA-Z][a-zA-Z0-9]*(?:\s|/?&gt;)")


def sanitize_html(html: str) -> str:
    """Only formatting, lists, headings and plain links survive; links get
    ``rel="nofollow noopener"``; scripts, styles, images and handlers are gone."""
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_DROPPED_WITH_CONTENT),
        attributes={"a": {"href"}},
        link_rel="nofollow noopener",
        url_schemes={"http", "https", "mailto"},
        strip_comments=True,
    )
    return cleaned.strip()


def html_to_text(html: str) -> str:
    """Readable text: one blank line between paragraphs and headings, one line per list
    item (``• `` for bullets, ``1. `` for numbered lists), ``<br>`` as a line break."""
    if not html or not html.strip():
        return ""
    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    if root is None:
        return ""
    out: list[str] = []
    _walk(root, out, list_stack=[])
    return _tidy("".join(out))


def _walk(node: LexborNode, out: list[str], list_stack: list[list[int]]) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag or ""
        if tag == "-text":
            text = _SPACE.sub(" ", child.text(deep=False) or "")
            if text:
                out.append(text)
            continue
        if tag in _SKIPPED or tag.startswith("-"):
            continue
        if tag == "br":
            out.append("\n")
        elif tag == "li":
            inner: list[str] = []
            _walk(child, inner, list_stack)
            lines = [line for line in _tidy("".join(inner)).split("\n") if line]
            if not lines:
                continue  # an empty item
            if list_stack and list_stack[-1]:
                list_stack[-1][0] += 1
                marker = f"{list_stack[-1][0]}. "
            else:
                marker = "• "
            out.append("\n" + marker + "\n".join(lines) + "\n")
        elif tag in ("ul", "ol"):
            out.append(_PARAGRAPH)
            list_stack.append([0] if tag == "ol" else [])
            _walk(child, out, list_stack)
            list_stack.pop()
            out.append(_PARAGRAPH)
        elif tag in ("td", "th"):
            _walk(child, out, list_stack)
            out.append(" ")
        elif tag in _BLOCK:
            out.append(_PARAGRAPH)
            _walk(child, out, list_stack)
            out.append(_PARAGRAPH)
        else:
            _walk(child, out, list_stack)


def _tidy(text: str) -> str:
    lines = [_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    result: list[str] = []
    blank = False
    for line in lines:
        if not line:
            blank = bool(result)
            continue
        if blank:
            # Consecutive list items stay together; anything else gets a blank line.
            if not (_is_item(line) and result and _is_item(result[-1])):
                result.append("")
            blank = False
        result.append(line)
    return "\n".join(result)


def _is_item(line: str) -> bool:
    return line.startswith("• ") or bool(re.match(r"\d+\. ", line))


def looks_like_html(value: str) -> bool:
    return bool(_TAG.search(value))


def unescape_markup(value: str) -> str:
    """Descriptions escaped once too often (``&lt;p&gt;...``, common in JSON-LD) unescaped."""
    if not looks_like_html(value) and _ESCAPED_TAG.search(value):
        return html.unescape(value)
    return value


def plain_text(value: str) -> str:
    """Text of something that may be HTML, escaped HTML or plain text with entities."""
    value = unescape_markup(value)
    if looks_like_html(value):
        return html_to_text(value)
    lines = [_SPACE.sub(" ", line).strip() for line in html.unescape(value).splitlines()]
    return _tidy("\n".join(lines))


__all__ = [
    "ALLOWED_TAGS",
    "html_to_text",
    "looks_like_html",
    "plain_text",
    "sanitize_html",
    "unescape_markup",
]
