"""Wire types of the vacancies: what a client sends (``VacancyIn``, ``VacancyPatch``,
``ImportIn``, ``ParseIn``) and what the service answers (``Vacancy``, ``VacancySummary``,
``HHSearchResults``). Shapes and bounds live here; rules that need a library or several
fields (codes, URLs, min ≤ max) live in :mod:`.rules`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from qh.job_data.parsing.model import (
    Employment,
    Experience,
    Location,
    ParsedVacancy,
    Period,
    Requirements,
    Salary,
    Source,
    SourceKind,
    WorkFormat,
)

Status = Literal["saved", "applied", "interview", "offer", "rejected"]
STATUSES: tuple[str, ...] = ("saved", "applied", "interview", "offer", "rejected")
ParseType = Literal["text/html", "application/json", "text/plain"]
LanguageLevel = Literal["A1", "A2", "B1", "B2", "C1", "C2", "native"]

MAX_TEXT = 100_000
MAX_HTML = 300_000


def _line(max_length: int, description: str, *, required: bool = False) -> Meta:
    return Meta(min_length=1 if required else 0, max_length=max_length, description=description)


Title = Annotated[str, _line(300, "The job title as the vacancy writes it", required=True)]
Company = Annotated[str, _line(300, "The employer")]
Url = Annotated[str, Meta(max_length=2048, description="An http or https URL")]
Notes = Annotated[str, Meta(max_length=10_000, description="The user's own notes; new lines kept")]
Years = Annotated[float, Meta(ge=0, le=60, description="Years of experience")]
Amount = Annotated[float, Meta(ge=0, le=1_000_000_000, description="Currency units")]
Lines = Annotated[
    list[Annotated[str, Meta(max_length=1000)]],
    Meta(max_length=100, description="Short plain-text lines, in the vacancy's order"),
]
WorkFormats = Annotated[
    list[WorkFormat], Meta(max_length=4, description="onsite, remote, hybrid, field")
]


class LocationIn(Struct, kw_only=True, forbid_unknown_fields=True):
    city: Annotated[str, _line(200, "City")] | None = None
    country_code: (
        Annotated[str, Meta(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")] | None
    ) = None
    address: Annotated[str, _line(500, "Street address")] | None = None


class SalaryIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """At least one of ``min`` and ``max``, with the currency."""

    min: Amount | None = None
    max: Amount | None = None
    currency: Annotated[str, Meta(min_length=3, max_length=3, description="ISO 4217")] | None = None
    gross: Annotated[bool, Meta(description="Before tax (false: take-home)")] | None = None
    period: Period | None = None


class ExperienceIn(Struct, kw_only=True, forbid_unknown_fields=True):
    min_years: Years | None = None
    max_years: Years | None = None


class SkillIn(Struct, kw_only=True, forbid_unknown_fields=True):
    name: Annotated[str, _line(100, "The skill as written", required=True)]
    canonical: Annotated[str, _line(100, "The taxonomy's name; found when left out")] | None = None
    required: bool = True


class LanguageIn(Struct, kw_only=True, forbid_unknown_fields=True):
    code: Annotated[str, Meta(min_length=2, max_length=2, description="ISO 639-1")]
    level: LanguageLevel | None = None


class RequirementsIn(Struct, kw_only=True, forbid_unknown_fields=True):
    skills: Annotated[list[SkillIn], Meta(max_length=200)] = msgspec.field(default_factory=list)
    languages: Annotated[list[LanguageIn], Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    education: Annotated[str, _line(300, "Education asked for")] | None = None
    experience_years: Years | None = None


class SourceIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """Where the vacancy comes from: ``manual`` (the default) for one typed in; the
    ``source`` of a ``POST /parse`` answer to save what was parsed."""

    kind: SourceKind = "manual"
    url: Url | None = None
    external_id: Annotated[str, _line(100, "The source's own id")] | None = None
    fetched_at: datetime | None = None


class VacancyIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """A vacancy typed in, or a ``POST /parse`` answer reviewed and saved. Saving one with
    the same source as a vacancy you already have (same hh or LinkedIn id, same URL, or the
    same pasted text) merges into it (200) instead of adding another (201)."""

    title: Title
    company: Company | None = None
    location: LocationIn | None = None
    work_format: WorkFormats = msgspec.field(default_factory=list)
    employment: Employment | None = None
    salary: SalaryIn | None = None
    experience: ExperienceIn | None = None
    description_html: (
        Annotated[str, Meta(max_length=MAX_HTML, description="Sanitised before it is kept")] | None
    ) = None
    description_text: Annotated[
        str, Meta(max_length=MAX_TEXT, description="Plain text; from the HTML when left empty")
    ] = ""
    requirements: RequirementsIn | None = None
    responsibilities: Lines = msgspec.field(default_factory=list)
    benefits: Lines = msgspec.field(default_factory=list)
    language: Literal["ru", "en"] | None = None
    published_at: datetime | None = None
    source: SourceIn | None = None
    status: Annotated[Status, Meta(description="saved when left out")] | UnsetType = UNSET
    notes: Notes | UnsetType | None = UNSET
    analyse: Annotated[
        bool,
        Meta(
            description="Fill what the fields leave empty (skills, salary, experience, "
            "languages...) from the description; false keeps exactly what was sent"
        ),
    ] = True


class VacancyPatch(Struct, kw_only=True, forbid_unknown_fields=True):
    """A field left out stays as it is; ``null`` clears it. Nested objects (location,
    salary, experience, requirements) and lists are replaced as a whole."""

    status: Status | UnsetType = UNSET
    notes: Notes | UnsetType | None = UNSET
    title: Title | UnsetType = UNSET
    company: Company | UnsetType | None = UNSET
    location: LocationIn | UnsetType | None = UNSET
    work_format: WorkFormats | UnsetType = UNSET
    employment: Employment | UnsetType | None = UNSET
    salary: SalaryIn | UnsetType | None = UNSET
    experience: ExperienceIn | UnsetType | None = UNSET
    description_html: Annotated[str, Meta(max_length=MAX_HTML)] | UnsetType | None = UNSET
    description_text: Annotated[str, Meta(max_length=MAX_TEXT)] | UnsetType = UNSET
    requirements: RequirementsIn | UnsetType = UNSET
    responsibilities: Lines | UnsetType = UNSET
    benefits: Lines | UnsetType = UNSET
    language: Literal["ru", "en"] | UnsetType | None = UNSET
    published_at: datetime | UnsetType | None = UNSET


class Vacancy(Struct, kw_only=True):
    """A saved vacancy."""

    id: UUID
    status: Status
    notes: str | None
    title: str
    company: str | None
    location: Location | None
    work_format: list[WorkFormat]
    employment: Employment | None
    salary: Salary | None
    experience: Experience | None
    description_html: str | None
    description_text: str
    requirements: Requirements
    responsibilities: list[str]
    benefits: list[str]
    language: Literal["ru", "en"] | None
    published_at: datetime | None
    source: Source
    created_at: datetime
    updated_at: datetime


class VacancySummary(Struct, kw_only=True):
    """A saved vacancy in a list: everything but the description (read one for that)."""

    id: UUID
    status: Status
    notes: str | None
    title: str
    company: str | None
    location: Location | None
    work_format: list[WorkFormat]
    employment: Employment | None
    salary: Salary | None
    experience: Experience | None
    source: Source
    created_at: datetime
    updated_at: datetime


class ImportIn(Struct, kw_only=True, forbid_unknown_fields=True):
    url: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=2048,
            description="An hh.ru vacancy (read through the official API), a LinkedIn job, "
            "or any public job page",
            examples=["https://hh.ru/vacancy/123456789"],
        ),
    ]


class ParseIn(Struct, kw_only=True, forbid_unknown_fields=True):
    content: Annotated[
        str,
        Meta(
            min_length=1,
            description="An hh.ru API vacancy JSON, a saved page or a JobPosting, or pasted "
            "text (at most parse_max_bytes, 2 MiB by default)",
        ),
    ]
    content_type: ParseType
    url: Url | None = None


class HHSearchItem(ParsedVacancy, kw_only=True):  # type: ignore[call-arg]
    """One hh.ru search result. Save it with ``POST /import {"url": source.url}``;
    ``saved_id`` is your saved vacancy when you already have it."""

    saved_id: UUID | None  # always present: null when you do not keep it


class HHSearchResults(Struct, kw_only=True):
    items: list[HHSearchItem]
    found: Annotated[int, Meta(description="Vacancies hh.ru found in all")]
    pages: int
    page: int
    per_page: int
