"""The normalised vacancy every source is parsed into (the shape of API.md's vacancy,
less what the service adds when it is saved: id, owner, status, notes, timestamps)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

SourceKind = Literal["hh", "linkedin", "jsonld", "html", "text", "manual"]
WorkFormat = Literal["onsite", "remote", "hybrid", "field"]
Employment = Literal["full", "part", "project", "internship", "volunteer", "temporary"]
Period = Literal["hour", "day", "week", "month", "year"]


class Salary(msgspec.Struct, kw_only=True, omit_defaults=True):
    min: float | None = None
    max: float | None = None
    currency: str | None = None  # ISO 4217
    gross: bool | None = None  # True: before tax; False: take-home ("на руки", net)
    period: Period | None = None


class Experience(msgspec.Struct, kw_only=True, omit_defaults=True):
    min_years: float | None = None
    max_years: float | None = None


class RequiredSkill(msgspec.Struct, kw_only=True):
    name: str  # as written in the vacancy
    canonical: str | None = None  # the taxonomy's name, when the skill is known
    required: bool = True


class RequiredLanguage(msgspec.Struct, kw_only=True, omit_defaults=True):
    code: str  # ISO 639-1
    level: str | None = None  # CEFR A1..C2 or "native"


class Requirements(msgspec.Struct, kw_only=True, omit_defaults=True):
    skills: list[RequiredSkill] = msgspec.field(default_factory=list)
    languages: list[RequiredLanguage] = msgspec.field(default_factory=list)
    education: str | None = None
    experience_years: float | None = None


class Source(msgspec.Struct, kw_only=True, omit_defaults=True):
    kind: SourceKind
    url: str | None = None
    external_id: str | None = None
    fetched_at: datetime | None = None


class Location(msgspec.Struct, kw_only=True, omit_defaults=True):
    city: str | None = None
    country_code: str | None = None  # ISO 3166-1 alpha-2
    address: str | None = None


class ParsedVacancy(msgspec.Struct, kw_only=True, omit_defaults=True):
    title: str
    company: str | None = None
    location: Location | None = None
    work_format: list[WorkFormat] = msgspec.field(default_factory=list)
    employment: Employment | None = None
    salary: Salary | None = None
    experience: Experience | None = None
    description_html: str | None = None  # sanitised
    description_text: str = ""
    requirements: Requirements = msgspec.field(default_factory=Requirements)
    responsibilities: list[str] = msgspec.field(default_factory=list)
    benefits: list[str] = msgspec.field(default_factory=list)
    language: Literal["ru", "en"] | None = None
    published_at: datetime | None = None
    source: Source
