"""Typed topics: a name, a major version and the payload type travel together."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import msgspec

from qh.contracts.events import (
    AnalysisCompleted,
    CoverLetterGenerated,
    DocumentAccessed,
    DocumentShared,
    DocumentStored,
    EmailVerificationRequested,
    PasswordResetRequested,
    Payload,
    ProfileUpdated,
    ResumeGenerated,
    SignedIn,
    UserDeactivated,
    UserDeleted,
    UserRegistered,
    VacancyCreated,
    VacancyDeleted,
    VacancyUpdated,
)

P = TypeVar("P", bound=Payload)


@dataclass(frozen=True)
class Topic(Generic[P]):
    """A pub/sub topic. ``name`` is the wire name, e.g. ``user.registered.v1``."""

    base: str
    version: int
    payload: type[P]
    name: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", f"{self.base}.v{self.version}")

    def dead_letter_for(self, subscriber: str) -> str:
        """The dead-letter topic of one subscribing service: ``<topic>.<slug>.deadletter``
        (per subscriber, so two consumers of a topic never see each other's failures)."""
        if not subscriber or "." in subscriber:
            raise ValueError(f"a subscriber slug, not {subscriber!r}")
        return f"{self.name}.{subscriber}.deadletter"

    def encode(self, payload: P) -> dict[str, object]:
        if not isinstance(payload, self.payload):
            raise TypeError(
                f"{self.name} carries {self.payload.__name__}, not {type(payload).__name__}"
            )
        return msgspec.to_builtins(payload)  # type: ignore[no-any-return]

    def decode(self, data: object) -> P:
        return msgspec.convert(data, self.payload, strict=False)

    def __str__(self) -> str:
        return self.name


USER_REGISTERED = Topic("user.registered", 1, UserRegistered)
USER_DELETED = Topic("user.deleted", 1, UserDeleted)
USER_DEACTIVATED = Topic("user.deactivated", 1, UserDeactivated)
AUTH_EMAIL_VERIFICATION_REQUESTED = Topic(
    "auth.email_verification_requested", 1, EmailVerificationRequested
)
AUTH_PASSWORD_RESET_REQUESTED = Topic("auth.password_reset_requested", 1, PasswordResetRequested)
AUTH_SIGNED_IN = Topic("auth.signed_in", 1, SignedIn)
PROFILE_UPDATED = Topic("profile.updated", 1, ProfileUpdated)
ANALYSIS_COMPLETED = Topic("analysis.completed", 1, AnalysisCompleted)
DOCUMENT_STORED = Topic("document.stored", 1, DocumentStored)
DOCUMENT_SHARED = Topic("document.shared", 1, DocumentShared)
DOCUMENT_ACCESSED = Topic("document.accessed", 1, DocumentAccessed)
RESUME_GENERATED = Topic("resume.generated", 1, ResumeGenerated)
COVER_LETTER_GENERATED = Topic("cover_letter.generated", 1, CoverLetterGenerated)
VACANCY_CREATED = Topic("vacancy.created", 1, VacancyCreated)
VACANCY_UPDATED = Topic("vacancy.updated", 1, VacancyUpdated)
VACANCY_DELETED = Topic("vacancy.deleted", 1, VacancyDeleted)

ALL_TOPICS: tuple[Topic[Any], ...] = (
    USER_REGISTERED,
    USER_DELETED,
    USER_DEACTIVATED,
    AUTH_EMAIL_VERIFICATION_REQUESTED,
    AUTH_PASSWORD_RESET_REQUESTED,
    AUTH_SIGNED_IN,
    PROFILE_UPDATED,
    DOCUMENT_STORED,
    DOCUMENT_SHARED,
    VACANCY_CREATED,
    VACANCY_UPDATED,
    VACANCY_DELETED,
    ANALYSIS_COMPLETED,
    DOCUMENT_ACCESSED,
    RESUME_GENERATED,
    COVER_LETTER_GENERATED,
)


def topic_by_name(name: str) -> Topic[Any]:
    for topic in ALL_TOPICS:
        if topic.name == name:
            return topic
    raise KeyError(name)
