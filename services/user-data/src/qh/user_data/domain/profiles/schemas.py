"""Wire types of the profile: personal data and the item of each section.

``<Name>In`` is the body of POST and PUT, ``<Name>Patch`` of PATCH (a field left out stays
as it is, ``null`` clears it), ``<Name>`` is what the service answers. Patch and answer
types of the sections are derived from the ``In`` type (see :mod:`.sections`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

SkillLevel = Literal["beginner", "intermediate", "advanced", "expert"]
LanguageLevel = Literal["A1", "A2", "B1", "B2", "C1", "C2", "native"]
ResumeLanguage = Literal["ru", "en"]

SKILL_LEVELS: tuple[str, ...] = ("beginner", "intermediate", "advanced", "expert")
LANGUAGE_LEVELS: tuple[str, ...] = ("A1", "A2", "B1", "B2", "C1", "C2", "native")


def _line(max_length: int, description: str, *, required: bool = False) -> Meta:
    return Meta(min_length=1 if required else 0, max_length=max_length, description=description)


# Limits fit what people write (a dissertation title as a grade, a long company name) and
# stop abuse; the whole request is bounded too.
Name = Annotated[str, _line(500, "A name as the candidate writes it (plain text)", required=True)]
Title = Annotated[str, _line(300, "A title or position (plain text)", required=True)]
Line = Annotated[str, _line(500, "One line of plain text")]
ShortLine = Annotated[str, _line(200, "One short line of plain text")]
Text = Annotated[str, Meta(max_length=20_000, description="Plain text; new lines are kept")]
Url = Annotated[str, Meta(max_length=2048, description="An http or https URL")]
PartialDate = Annotated[
    str,
    Meta(
        max_length=10,
        description="A date as YYYY, YYYY-MM or YYYY-MM-DD",
        examples=["2021", "2021-09", "2021-09-01"],
    ),
]
Country = Annotated[
    str,
    Meta(
        min_length=2, max_length=2, description="ISO 3166-1 alpha-2 country code", examples=["RU"]
    ),
]
LanguageCode = Annotated[
    str, Meta(min_length=2, max_length=2, description="ISO 639-1 language code", examples=["ru"])
]
Lines = Annotated[
    list[Annotated[str, Meta(max_length=2000)]],
    Meta(max_length=100, description="Short plain-text lines, in the candidate's order"),
]
Keywords = Annotated[
    list[Annotated[str, Meta(max_length=200)]],
    Meta(max_length=100, description="Keywords, in the candidate's order"),
]
Image = Annotated[str, Meta(max_length=2048, description="An http or https URL of a photo")]
LevelText = Annotated[
    str,
    Meta(
        max_length=200,
        description="The level as the candidate wrote it (`Fluent`, `родной`, `Master`); "
        "exported instead of `level` while it still means that level",
    ),
]
Order = Annotated[
    int,
    Meta(
        ge=0,
        le=10_000,
        description="Place in the section, 0 first. Set it to move the item; the others shift.",
    ),
]


class Location(Struct, kw_only=True, forbid_unknown_fields=True):
    """Where the candidate lives."""

    city: Annotated[str, _line(200, "City")] | None = None
    region: Annotated[str, _line(200, "Region, state or province")] | None = None
    country_code: Country | None = None
    address: Annotated[str, Meta(max_length=1000, description="Street address")] | None = None
    postal_code: Annotated[str, _line(40, "Postal code")] | None = None


class Link(Struct, kw_only=True, forbid_unknown_fields=True):
    """A page of the candidate on the web: a social network, a code host, a portfolio.
    At least one of `network`, `url` and `username`."""

    network: Annotated[str, _line(100, "Network or site name, e.g. GitHub")] | None = None
    url: Url | None = None
    username: Annotated[str, _line(300, "User name on that network")] | None = None


class Salary(Struct, kw_only=True, forbid_unknown_fields=True):
    """A monthly salary the candidate wants, before tax."""

    amount: Annotated[int, Meta(ge=0, le=1_000_000_000, description="Whole currency units")]
    currency: Annotated[str, Meta(min_length=3, max_length=3, description="ISO 4217 code")]


Links = Annotated[list[Link], Meta(max_length=50, description="Pages on the web")]
ResumeLanguages = Annotated[
    list[ResumeLanguage],
    Meta(max_length=2, description="Languages the candidate's resumes are written in"),
]


class PersonalDataIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """Personal data for ``PUT /me``: replaces all of it (a field left out is cleared)."""

    full_name: Annotated[str, _line(300, "Full name as it should appear on a resume")] | None = None
    headline: Annotated[str, _line(500, "One line under the name, e.g. the profession")] | None = (
        None
    )
    email: Annotated[str, Meta(max_length=320, description="Contact e-mail")] | None = None
    phone: (
        Annotated[str, Meta(max_length=40, description="Any notation; stored as E.164")] | None
    ) = None
    website: Url | None = None
    image: Image | None = None
    location: Location | None = None
    links: Links = msgspec.field(default_factory=list)
    summary: Text | None = None
    birth_date: PartialDate | None = None
    citizenship: Country | None = None
    desired_position: Line | None = None
    desired_salary: Salary | None = None
    relocation: Annotated[bool, Meta(description="Ready to move for a job")] | None = None
    resume_languages: ResumeLanguages = msgspec.field(default_factory=list)


class PersonalDataPatch(Struct, kw_only=True, forbid_unknown_fields=True):
    """Personal data for ``PATCH /me``: a field left out stays, ``null`` clears it."""

    full_name: Annotated[str, _line(300, "Full name")] | UnsetType | None = UNSET
    headline: Annotated[str, _line(500, "Headline")] | UnsetType | None = UNSET
    email: Annotated[str, Meta(max_length=320)] | UnsetType | None = UNSET
    phone: Annotated[str, Meta(max_length=40)] | UnsetType | None = UNSET
    website: Url | UnsetType | None = UNSET
    image: Image | UnsetType | None = UNSET
    location: Location | UnsetType | None = UNSET
    links: Links | UnsetType | None = UNSET
    summary: Text | UnsetType | None = UNSET
    birth_date: PartialDate | UnsetType | None = UNSET
    citizenship: Country | UnsetType | None = UNSET
    desired_position: Line | UnsetType | None = UNSET
    desired_salary: Salary | UnsetType | None = UNSET
    relocation: bool | UnsetType | None = UNSET
    resume_languages: ResumeLanguages | UnsetType | None = UNSET


class PersonalData(Struct, kw_only=True):
    """A candidate's personal data as stored (phone in E.164, codes upper/lower case)."""

    user_id: UUID
    full_name: str | None
    headline: str | None
    email: str | None
    phone: str | None
    website: str | None
    image: str | None
    location: Location | None
    links: list[Link]
    summary: str | None
    birth_date: str | None
    citizenship: str | None
    desired_position: str | None
    desired_salary: Salary | None
    relocation: bool | None
    resume_languages: list[ResumeLanguage]
    revision: Annotated[int, Meta(description="Grows by one with every change of the profile")]
    updated_at: datetime


# --- sections ------------------------------------------------------------------------------


class EducationIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """A school, university or course of study."""

    institution: Name
    degree: Line | None = None
    field: Line | None = None
    url: Url | None = None
    start_date: PartialDate | None = None
    end_date: PartialDate | None = None
    grade: Annotated[str, _line(500, "Grade, GPA or thesis as written")] | None = None
    courses: Lines = msgspec.field(default_factory=list)
    order: Order | None = None


class ExperienceIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """A job. ``end_date: null`` means the candidate works there now."""

    company: Name
    position: Title
    location: Line | None = None
    url: Url | None = None
    company_description: Text | None = None
    start_date: PartialDate
    end_date: PartialDate | None = None
    description: Text | None = None
    highlights: Lines = msgspec.field(default_factory=list)
    skills: Keywords = msgspec.field(default_factory=list)
    order: Order | None = None


class SkillIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """A skill, with how well and how long the candidate has practised it."""

    name: Annotated[str, _line(200, "Skill name", required=True)]
    level: SkillLevel | None = None
    level_text: LevelText | None = None
    years: Annotated[int, Meta(ge=0, le=70, description="Years of practice")] | None = None
    keywords: Keywords = msgspec.field(default_factory=list)
    order: Order | None = None


class LanguageIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """A language the candidate speaks: a name, an ISO 639-1 code, or both; its level
    (`null` when unknown) and the wording it was given in, if any."""

    name: ShortLine | None = None
    code: LanguageCode | None = None
    level: Annotated[LanguageLevel, Meta(description="CEFR level A1…C2, or native")] | None = None
    level_text: LevelText | None = None
    order: Order | None = None


class AchievementIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """An award, a prize or another achievement worth a line on a resume."""

    title: Name
    date: PartialDate | None = None
    awarder: Line | None = None
    description: Text | None = None
    order: Order | None = None


class CertificateIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """A certificate the candidate holds."""

    name: Name
    issuer: Line | None = None
    date: PartialDate | None = None
    url: Url | None = None
    order: Order | None = None


class ProjectIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """A project: open source, a pet project, a notable piece of work."""

    name: Name
    description: Text | None = None
    url: Url | None = None
    entity: Annotated[str, _line(500, "Organisation the project was for")] | None = None
    type: Annotated[str, _line(200, "Kind of project, e.g. application")] | None = None
    start_date: PartialDate | None = None
    end_date: PartialDate | None = None
    roles: Keywords = msgspec.field(default_factory=list)
    highlights: Lines = msgspec.field(default_factory=list)
    keywords: Keywords = msgspec.field(default_factory=list)
    order: Order | None = None


class VolunteerIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """Volunteer work: an organisation and what the candidate did there."""

    organization: Name
    position: Line | None = None
    url: Url | None = None
    start_date: PartialDate | None = None
    end_date: PartialDate | None = None
    description: Text | None = None
    highlights: Lines = msgspec.field(default_factory=list)
    order: Order | None = None


class PublicationIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """An article, a book, a paper or a talk the candidate published."""

    name: Name
    publisher: Line | None = None
    release_date: PartialDate | None = None
    url: Url | None = None
    description: Text | None = None
    order: Order | None = None


class InterestIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """An interest outside work, with keywords."""

    name: Name
    keywords: Keywords = msgspec.field(default_factory=list)
    order: Order | None = None


class ReferenceIn(Struct, kw_only=True, forbid_unknown_fields=True):
    """A reference: who recommends the candidate and what they say (at least one)."""

    name: Line | None = None
    reference: Text | None = None
    order: Order | None = None
