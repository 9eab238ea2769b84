"""Event payloads: what each topic carries, and nothing a consumer cannot rely on."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

Locale = Literal["ru", "en"]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=320)]


class Payload(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=False):
    """Base of every event payload. Unknown fields are ignored so producers can add
    optional fields without breaking older consumers."""


class UserRegistered(Payload, kw_only=True, frozen=True):
    user_id: UUID
    email: Email
    full_name: str | None = None
    locale: Locale = "en"
    email_verified: bool = False


class UserDeleted(Payload, kw_only=True, frozen=True):
    user_id: UUID


class UserDeactivated(Payload, kw_only=True, frozen=True):
    """An admin deactivated the account: its tokens stop working everywhere."""

    user_id: UUID


class EmailVerificationRequested(Payload, kw_only=True, frozen=True):
    """Everything a notifier needs to send the verification message."""

    user_id: UUID
    email: Email
    full_name: str | None = None
    locale: Locale = "en"
    verify_url: str
    expires_at: datetime


class PasswordResetRequested(Payload, kw_only=True, frozen=True):
    user_id: UUID
    email: Email
    full_name: str | None = None
    locale: Locale = "en"
    reset_url: str
    expires_at: datetime


class SignedIn(Payload, kw_only=True, frozen=True):
    """A successful sign-in with a password (and the second factor when it is on).

    ``new_device`` is true when this browser family from this network (the /24 of an IPv4
    address, the /64 of an IPv6 one) is not among the user's recent sign-ins. Never carries
    the password or any token."""

    user_id: UUID
    email: Email
    full_name: str | None = None
    locale: Locale = "en"
    at: datetime
    ip: str | None = None
    user_agent: str | None = None
    new_device: bool = False


class ProfileUpdated(Payload, kw_only=True, frozen=True):
    """Published once per committed change of a profile."""

    user_id: UUID
    sections: tuple[str, ...] = ()
    revision: int = 0


VacancySourceKind = Literal["hh", "linkedin", "jsonld", "html", "text", "manual"]


class VacancyCreated(Payload, kw_only=True, frozen=True):
    """A user saved a new vacancy (typed in or imported)."""

    vacancy_id: UUID
    user_id: UUID
    title: str
    source_kind: VacancySourceKind = "manual"


class VacancyUpdated(Payload, kw_only=True, frozen=True):
    """A saved vacancy changed: edited, or merged with a new import of the same source.
    ``fields`` names what changed (``status``, ``notes``, ``title``, ``requirements``...)."""

    vacancy_id: UUID
    user_id: UUID
    fields: tuple[str, ...] = ()


class VacancyDeleted(Payload, kw_only=True, frozen=True):
    """A user deleted a vacancy (not sent for each one when the whole account is erased:
    ``user.deleted`` says that)."""

    vacancy_id: UUID
    user_id: UUID


class DocumentStored(Payload, kw_only=True, frozen=True):
    """A new version of a document was stored (an upload, or a generator's export)."""

    document_id: UUID
    owner_id: UUID
    version: int
    size: int
    sha256: str
    content_type: str
    origin_kind: str | None = None
    origin_id: str | None = None
    created_by: UUID | None = None


class DocumentShared(Payload, kw_only=True, frozen=True):
    """The owner made a share link to a document (or to one of its versions)."""

    document_id: UUID
    owner_id: UUID
    share_id: UUID
    expires_at: datetime
    version: int | None = None


class AnalysisCompleted(Payload, kw_only=True, frozen=True):
    """A by-reference analysis (match or review) was stored for a user."""

    analysis_id: UUID
    user_id: UUID
    kind: Literal["match", "review"]
    score: float | None = None
    vacancy_id: UUID | None = None


class ResumeGenerated(Payload, kw_only=True, frozen=True):
    """A resume (or a new version of one) was generated for a user."""

    user_id: UUID
    resume_id: UUID
    title: str | None = None
    document_id: UUID | None = None


class CoverLetterGenerated(Payload, kw_only=True, frozen=True):
    """A cover letter (or a new draft of one) was generated for a user."""

    user_id: UUID
    letter_id: UUID
    title: str | None = None
    document_id: UUID | None = None


class DocumentAccessed(Payload, kw_only=True, frozen=True):
    """Someone opened a document through one of its owner's share links."""

    document_id: UUID
    owner_id: UUID
    share_id: UUID
    accessed_at: datetime
    version: int | None = None
    title: str | None = None
