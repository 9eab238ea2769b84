"""Templates rendered in a sandbox: text without escaping, HTML mail autoescaped; SMS
measured in segments (GSM-7 or UCS-2) and trimmed to two."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from qh.notification.domain.templates.defaults import COPY

TEXT = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
HTML = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=True)

LAYOUT = """<!doctype html>
<html lang="{{ locale }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width"><title>{{ subject }}</title></head>
<body style="margin:0;padding:24px;background:#f4f5f7;font-family:-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1f2328">
<div style="max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:32px">
{% for paragraph in paragraphs %}<p style="line-height:1.5;margin:0 0 16px">{% for line in paragraph %}{{ line }}{% if not loop.last %}<br>{% endif %}{% endfor %}</p>
{% if loop.first and url %}<p style="margin:24px 0"><a href="{{ url }}" style="background:#2457d6;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">{{ action }}</a></p>
{% endif %}{% endfor %}</div></body></html>"""


@dataclass(frozen=True)
class Source:
    """A template: the subject (e-mail subject, push and inbox title), the text, and for
    e-mail an optional HTML body (the built-in layout around the text when absent)."""

    subject: str | None
    text: str
    html: str | None = None
    custom: bool = False


@dataclass(frozen=True)
class Rendered:
    subject: str | None
    text: str
    html: str | None = None


class RenderError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@functools.lru_cache(maxsize=512)
def _compile(source: str, html: bool) -> Any:
    return (HTML if html else TEXT).from_string(source)


def _render(field: str, source: str, variables: dict[str, Any], *, html: bool = False) -> str:
    try:
        return str(_compile(source, html).render(variables))
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        raise RenderError(field, f"{type(exc).__name__}: {exc.message or exc}{where}") from None


def default_source(kind: str, channel: str, locale: str) -> Source:
    copy = COPY[kind][locale]
    if channel == "email":
        return Source(copy.subject, copy.text)
    return Source(copy.subject, copy.short)


def render(
    source: Source, kind: str, channel: str, locale: str, variables: dict[str, Any]
) -> Rendered:
    """Render ``source`` for one channel; :class:`RenderError` names the failing part."""
    subject = (
        " ".join(_render("subject", source.subject, variables).split())
        if source.subject is not None
        else None
    )
    text = _render("text", source.text, variables).strip()
    if channel == "sms":
        return Rendered(None, fit_sms(text))
    if channel != "email":
        return Rendered(subject, " ".join(text.split()))
    if source.html is not None:
        html = _render("html", source.html, {**variables, "text": text}, html=True)
    else:
        paragraphs = [block.splitlines() for block in re.split(r"\n\s*\n", text) if block.strip()]
        html = _render(
            "html",
            LAYOUT,
            {
                "locale": locale,
                "subject": subject or "",
                "paragraphs": paragraphs,
                "url": variables.get("url"),
                "action": COPY[kind][locale].action,
            },
            html=True,
        )
    return Rendered(subject, text, html)


# --- SMS --------------------------------------------------------------------------------

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")

# Two segments at most: 2 × 153 septets (GSM-7) or 2 × 67 UTF-16 units (UCS-2, Cyrillic);
# one segment holds 160 or 70.
LIMITS = {"gsm7": (160, 306), "ucs2": (70, 134)}


@dataclass(frozen=True)
class SmsSize:
    encoding: str
    units: int
    segments: int


def _units(text: str, encoding: str) -> int:
    if encoding == "gsm7":
        return sum(2 if char in GSM7_EXTENDED else 1 for char in text)
    return len(text.encode("utf-16-le")) // 2


def sms_size(text: str) -> SmsSize:
    encoding = "gsm7" if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text) else "ucs2"
    units = _units(text, encoding)
    single, _ = LIMITS[encoding]
    per_part = 153 if encoding == "gsm7" else 67
    segments = 1 if units <= single else -(-units // per_part)
    return SmsSize(encoding, units, segments)


TRAILING_URL = re.compile(r"\s(https?://\S+)$")


def fit_sms(text: str) -> str:
    """One line of text within two segments: what is too long is cut at a word with an
    ellipsis, keeping a link at the end whole."""
    text = " ".join(text.split())
    size = sms_size(text)
    _, limit = LIMITS[size.encoding]
    if size.units <= limit:
        return text
    url = ""
    match = TRAILING_URL.search(text)
    if match:
        url = match.group(1)
        text = text[: match.start()]
    ellipsis = "..." if size.encoding == "gsm7" else "…"
    room = limit - _units(ellipsis, size.encoding) - (_units(url, size.encoding) + 1 if url else 0)
    head = text
    while head and _units(head, size.encoding) > room:
        head = head[:-1]
    if " " in head[-20:]:
        head = head[: head.rfind(" ")]
    head = head.rstrip(" ,.;:—-") + ellipsis
    return f"{head} {url}" if url else head
