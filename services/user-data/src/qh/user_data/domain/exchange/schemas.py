"""Wire types of export and import."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from msgspec import Struct

from qh.user_data.domain.profiles import schemas
from qh.user_data.domain.profiles.sections import SECTIONS

SCHEMA_VERSION = "1.1"
# 1.0: the seven first sections; 1.1: every JSON Resume section, a photo, level wording.
READABLE_SCHEMA_VERSIONS = ("1.0", "1.1")

ProfileDocument: type[Struct] = msgspec.defstruct(
    "ProfileDocument",
    [
        ("schema_version", Literal["1.1"]),
        ("personal", schemas.PersonalData),
        *((name, list[spec.out]) for name, spec in SECTIONS.items()),  # type: ignore[name-defined]
    ],
    kw_only=True,
    module=__name__,
)
ProfileDocument.__doc__ = (
    "The whole profile in QH's own shape: `schema_version`, personal data, then every "
    "section in the candidate's order. Field order is stable."
)


class JsonResumeDocument(Struct, kw_only=True):
    """The profile as a JSON Resume document (official schema v1.0.0). Empty fields are left
    out; QH-only fields (birth date, citizenship, wishes, skill years, the skills of a job)
    have no place in JSON Resume and are not exported."""

    schema_: str = msgspec.field(name="$schema")
    basics: dict[str, Any]
    work: list[dict[str, Any]]
    volunteer: list[dict[str, Any]]
    education: list[dict[str, Any]]
    awards: list[dict[str, Any]]
    certificates: list[dict[str, Any]]
    publications: list[dict[str, Any]]
    skills: list[dict[str, Any]]
    languages: list[dict[str, Any]]
    interests: list[dict[str, Any]]
    references: list[dict[str, Any]]
    projects: list[dict[str, Any]]
    meta: dict[str, Any]


class UnmappedEntry(Struct, kw_only=True):
    """A part of the imported document the profile has no place for."""

    path: str
    reason: str


class NormalisedEntry(Struct, kw_only=True):
    """A value stored in another notation than the document's (a phone in E.164, say)."""

    path: str
    original: str
    stored: str


class ImportReport(Struct, kw_only=True):
    """What an import did: items added, updated or removed per section, what the profile
    has no place for (`unmapped`) and what is stored in another notation (`normalised`)."""

    format: Literal["jsonresume", "qh", "linkedin"]
    mode: Literal["replace", "merge"]
    revision: int
    imported: dict[str, int]
    updated: dict[str, int]
    removed: dict[str, int]
    unmapped: list[UnmappedEntry]
    normalised: list[NormalisedEntry]
