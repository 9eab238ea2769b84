"""Wire types of resumes: the structured content (what renders), the create and PATCH
bodies, proposals and the answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from qh.kit.llm import ProviderName
from qh.kit.render import PageSize

Language = Literal["ru", "en"]
ExportFormat = Literal["pdf", "docx", "md"]
Line = Annotated[str, Meta(max_length=500)]
Text = Annotated[str, Meta(max_length=20_000)]
Lines = Annotated[list[Annotated[str, Meta(max_length=2000)]], Meta(max_length=100)]
PartialDate = Annotated[str, Meta(max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD")]
Photo = Annotated[
    str,
    Meta(
        max_length=2_900_000,
        pattern=r"^data:image/(png|jpeg);base64,[A-Za-z0-9+/=]+$",
        description="A PNG or JPEG as a data: URL (at most 2 MiB); shown only with show_photo",
    ),
]


class LinkItem(Struct, kw_only=True, forbid_unknown_fields=True):
    label: Line
    url: Annotated[str, Meta(max_length=2048)] | None = None


class Basics(Struct, kw_only=True, forbid_unknown_fields=True):
    name: Line = ""
    headline: Line | None = None
    email: Line | None = None
    phone: Line | None = None
    location: Line | None = None
    website: Annotated[str, Meta(max_length=2048)] | None = None
    links: Annotated[list[LinkItem], Meta(max_length=20)] = msgspec.field(default_factory=list)
    photo: Photo | None = None


class Job(Struct, kw_only=True, forbid_unknown_fields=True):
    company: Line
    position: Line
    location: Line | None = None
    start_date: PartialDate | None = None
    end_date: PartialDate | None = None
    description: Text | None = None
    highlights: Lines = msgspec.field(default_factory=list)
    skills: Lines = msgspec.field(default_factory=list)


class Study(Struct, kw_only=True, forbid_unknown_fields=True):
    institution: Line
    degree: Line | None = None
    field: Line | None = None
    start_date: PartialDate | None = None
    end_date: PartialDate | None = None
    grade: Line | None = None


class SkillItem(Struct, kw_only=True, forbid_unknown_fields=True):
    name: Line
    level: Line | None = None
    required: Annotated[bool, Meta(description="The vacancy asks for it")] = False


class LanguageItem(Struct, kw_only=True, forbid_unknown_fields=True):
    name: Line
    level: Line | None = None


class Entry(Struct, kw_only=True, forbid_unknown_fields=True):
    """A certificate, an achievement, a project or a publication: a title with a line
    under it, a date and an optional description."""

    title: Line
    subtitle: Line | None = None
    date: PartialDate | None = None
    end_date: PartialDate | None = None
    description: Text | None = None
    url: Annotated[str, Meta(max_length=2048)] | None = None


class ResumeContent(Struct, kw_only=True, forbid_unknown_fields=True):
    """The resume as it renders. A section with no items is left out of every format."""

    basics: Basics = msgspec.field(default_factory=Basics)
    summary: Text | None = None
    experience: Annotated[list[Job], Meta(max_length=100)] = msgspec.field(default_factory=list)
    education: Annotated[list[Study], Meta(max_length=50)] = msgspec.field(default_factory=list)
    skills: Annotated[list[SkillItem], Meta(max_length=200)] = msgspec.field(default_factory=list)
    languages: Annotated[list[LanguageItem], Meta(max_length=30)] = msgspec.field(
        default_factory=list
    )
    projects: Annotated[list[Entry], Meta(max_length=50)] = msgspec.field(default_factory=list)
    certificates: Annotated[list[Entry], Meta(max_length=50)] = msgspec.field(default_factory=list)
    achievements: Annotated[list[Entry], Meta(max_length=50)] = msgspec.field(default_factory=list)
    publications: Annotated[list[Entry], Meta(max_length=50)] = msgspec.field(default_factory=list)


ProposalStatus = Literal["pending", "accepted", "rejected"]


class RemovedClaim(Struct, kw_only=True):
    """A statement the provider wrote that the profile does not support, taken out."""

    kind: str
    text: str
    reason: str


class Proposal(Struct, kw_only=True):
    """An AI change waiting for the owner: ``field`` (``summary``, or
    ``experience[i].highlights``) would become ``proposed``; grounding removed
    ``removed_claims`` from what the provider wrote."""

    id: str
    field: str
    current: str | list[str] | None
    proposed: str | list[str]
    provider: ProviderName
    model: str
    status: ProposalStatus = "pending"
    removed_claims: list[RemovedClaim] = msgspec.field(default_factory=list)
    decided_at: datetime | None = None


class Generation(Struct, kw_only=True):
    """Who wrote what: the deterministic tailoring (always ``offline``) and the provider of
    each proposal; the AI parts refused by grounding with the reason."""

    provider: ProviderName
    model: str
    tailored_to: UUID | None
    relevant_skills: list[str] = msgspec.field(default_factory=list)
    refused: list[str] = msgspec.field(default_factory=list)


class ResumeIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """A resume built from the caller's profile, tailored to ``vacancy_id`` when given."""

    template: Annotated[str, Meta(min_length=1, max_length=63, examples=["classic"])] = "classic"
    language: Language | None = None
    vacancy_id: UUID | None = None
    ai: ProviderName | None = None
    page_size: PageSize = "A4"
    title: Annotated[str, Meta(min_length=1, max_length=200)] | None = None
    show_photo: bool = False


class ResumePatch(Struct, kw_only=True, forbid_unknown_fields=True):
    """A field left out stays; ``content`` replaces the whole content (a new version)."""

    title: Annotated[str, Meta(min_length=1, max_length=200)] | UnsetType = UNSET
    template: Annotated[str, Meta(min_length=1, max_length=63)] | UnsetType = UNSET
    language: Language | UnsetType = UNSET
    page_size: PageSize | UnsetType = UNSET
    show_photo: bool | UnsetType = UNSET
    content: ResumeContent | UnsetType = UNSET


class ResumeOut(Struct, kw_only=True):
    id: UUID
    title: str
    template: str
    language: Language
    page_size: PageSize
    show_photo: bool
    vacancy_id: UUID | None
    vacancy_title: str | None
    version: int
    content: ResumeContent
    proposals: list[Proposal]
    generation: Generation
    document_id: UUID | None
    created_at: datetime
    updated_at: datetime


class ResumeSummary(Struct, kw_only=True):
    id: UUID
    title: str
    template: str
    language: Language
    vacancy_id: UUID | None
    vacancy_title: str | None
    version: int
    pending_proposals: int
    updated_at: datetime


class VersionOut(Struct, kw_only=True):
    version: int
    reason: str
    content: ResumeContent
    created_at: datetime


class TemplateOut(Struct, kw_only=True):
    name: str
    title: str
    description: str
    languages: list[Language]
    page_sizes: list[PageSize]
    one_page: bool
    photo: bool
    accent: str | None
    preview: dict[str, str] = msgspec.field(default_factory=dict)
