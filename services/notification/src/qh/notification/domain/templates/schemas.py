"""Wire types of the template administration."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

TemplateChannel = Literal["email", "sms", "push", "inbox"]
Kind = Literal[
    "welcome",
    "email_verification",
    "password_reset",
    "resume_ready",
    "cover_letter_ready",
    "document_shared",
    "document_opened",
    "analysis_completed",
]
Body = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
Subject = Annotated[str, msgspec.Meta(max_length=500)]


class TemplateBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Jinja2 (sandboxed; a variable the kind does not have is an error). ``subject`` is
    the e-mail subject or the push and inbox title; ``html`` (e-mail only) replaces the
    built-in layout and may use ``{{ text }}``, the rendered plain text."""

    subject: Subject | None = None
    text: Body
    html: Annotated[str, msgspec.Meta(max_length=100_000)] | None = None


class TemplateIn(TemplateBody, kw_only=True, forbid_unknown_fields=True):
    kind: Kind
    channel: TemplateChannel
    locale: Literal["ru", "en"]


class TemplateOut(msgspec.Struct, kw_only=True):
    key: str
    kind: str
    channel: str
    locale: str
    subject: str | None
    text: str
    html: str | None
    custom: bool
    """True for an admin's version, false for the built-in default."""
    updated_at: datetime | None = None
