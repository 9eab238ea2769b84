"""Event payloads and typed topics shared by every QH service.

A topic name carries its payload's major version (``user.registered.v1``). A
backwards-compatible change (a new optional field) keeps the version; anything else is a
new topic published alongside the old one until every consumer has moved.
"""

from qh.contracts.events import (
    AnalysisCompleted,
    DocumentShared,
    DocumentStored,
    EmailVerificationRequested,
    PasswordResetRequested,
    ProfileUpdated,
    UserDeactivated,
    UserDeleted,
    UserRegistered,
    VacancyCreated,
    VacancyDeleted,
    VacancyUpdated,
)
from qh.contracts.topics import (
    ALL_TOPICS,
    ANALYSIS_COMPLETED,
    AUTH_EMAIL_VERIFICATION_REQUESTED,
    AUTH_PASSWORD_RESET_REQUESTED,
    DOCUMENT_SHARED,
    DOCUMENT_STORED,
    PROFILE_UPDATED,
    USER_DEACTIVATED,
    USER_DELETED,
    USER_REGISTERED,
    VACANCY_CREATED,
    VACANCY_DELETED,
    VACANCY_UPDATED,
    Topic,
    topic_by_name,
)

__all__ = [
    "ALL_TOPICS",
    "ANALYSIS_COMPLETED",
    "AUTH_EMAIL_VERIFICATION_REQUESTED",
    "AUTH_PASSWORD_RESET_REQUESTED",
    "DOCUMENT_SHARED",
    "DOCUMENT_STORED",
    "PROFILE_UPDATED",
    "USER_DEACTIVATED",
    "USER_DELETED",
    "USER_REGISTERED",
    "VACANCY_CREATED",
    "VACANCY_DELETED",
    "VACANCY_UPDATED",
    "AnalysisCompleted",
    "DocumentShared",
    "DocumentStored",
    "EmailVerificationRequested",
    "PasswordResetRequested",
    "ProfileUpdated",
    "Topic",
    "UserDeactivated",
    "UserDeleted",
    "UserRegistered",
    "VacancyCreated",
    "VacancyDeleted",
    "VacancyUpdated",
    "topic_by_name",
]
