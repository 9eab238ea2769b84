"""The profile and its sections. One row per profile, one table per section.

Every section row carries its owner's ``user_id`` (as well as the profile it belongs to), so
each query filters by owner directly: another user's item is simply not found.
Dates in a profile are kept as typed (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), since a
resume often knows only the year or the month.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from advanced_alchemy.base import UUIDv7PrimaryKey
from advanced_alchemy.mixins import AuditColumns
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from qh.kit.db import declarative_base
from qh.kit.tables import add_messaging_tables

if TYPE_CHECKING:
    from sqlalchemy.orm import DeclarativeBase as Base
else:
    Base = declarative_base()
# The outbox and inbox live in this database too, so its migrations create them.
add_messaging_tables(Base.metadata)

DATE = 10
# JSONB on PostgreSQL, JSON text on SQLite.
JsonB = JSON().with_variant(JSONB(), "postgresql")


class Profile(UUIDv7PrimaryKey, AuditColumns, Base):
    """A candidate's personal data; sections hang off it."""

    __tablename__ = "profile"

    user_id: Mapped[UUID] = mapped_column(unique=True)
    full_name: Mapped[str | None] = mapped_column(String(300))
    headline: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(20))
    website: Mapped[str | None] = mapped_column(String(2048))
    image: Mapped[str | None] = mapped_column(String(2048))
    location: Mapped[dict[str, Any] | None] = mapped_column(JsonB)
    links: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)
    summary: Mapped[str | None] = mapped_column(Text)
    birth_date: Mapped[str | None] = mapped_column(String(DATE))
    citizenship: Mapped[str | None] = mapped_column(String(2))
    desired_position: Mapped[str | None] = mapped_column(String(500))
    desired_salary: Mapped[dict[str, Any] | None] = mapped_column(JsonB)
    relocation: Mapped[bool | None] = mapped_column(Boolean)
    resume_languages: Mapped[list[str]] = mapped_column(JsonB, default=list)
    revision: Mapped[int] = mapped_column(Integer, default=0)


class ProfileExport(Base):
    """The QH export of a profile at one revision, so reading a whole profile is one row.
    Stale once the profile's revision moves on; rebuilt on the next read."""

    __tablename__ = "profile_export"

    profile_id: Mapped[UUID] = mapped_column(
        ForeignKey("profile.id", ondelete="CASCADE"), primary_key=True
    )
    revision: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(Text)


class SectionItem(UUIDv7PrimaryKey, AuditColumns):
    """Columns every section item has: its owner and its place in the user's order."""

    __abstract__ = True

    @declared_attr
    def profile_id(cls) -> Mapped[UUID]:
        return mapped_column(ForeignKey("profile.id", ondelete="CASCADE"), index=True)

    user_id: Mapped[UUID] = mapped_column(index=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class Education(SectionItem, Base):
    __tablename__ = "profile_education"

    institution: Mapped[str] = mapped_column(String(500))
    degree: Mapped[str | None] = mapped_column(String(500))
    field: Mapped[str | None] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2048))
    start_date: Mapped[str | None] = mapped_column(String(DATE))
    end_date: Mapped[str | None] = mapped_column(String(DATE))
    grade: Mapped[str | None] = mapped_column(String(500))
    courses: Mapped[list[str]] = mapped_column(JsonB, default=list)


class Experience(SectionItem, Base):
    __tablename__ = "profile_experience"

    company: Mapped[str] = mapped_column(String(500))
    position: Mapped[str] = mapped_column(String(300))
    location: Mapped[str | None] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2048))
    company_description: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[str] = mapped_column(String(DATE))
    end_date: Mapped[str | None] = mapped_column(String(DATE))
    description: Mapped[str | None] = mapped_column(Text)
    highlights: Mapped[list[str]] = mapped_column(JsonB, default=list)
    skills: Mapped[list[str]] = mapped_column(JsonB, default=list)


class Skill(SectionItem, Base):
    __tablename__ = "profile_skill"

    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str | None] = mapped_column(String(20))
    level_text: Mapped[str | None] = mapped_column(String(200))
    years: Mapped[int | None] = mapped_column(Integer)
    keywords: Mapped[list[str]] = mapped_column(JsonB, default=list)


class Language(SectionItem, Base):
    __tablename__ = "profile_language"

    name: Mapped[str | None] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(2))
    level: Mapped[str | None] = mapped_column(String(10))
    level_text: Mapped[str | None] = mapped_column(String(200))


class Achievement(SectionItem, Base):
    __tablename__ = "profile_achievement"

    title: Mapped[str] = mapped_column(String(500))
    date: Mapped[str | None] = mapped_column(String(DATE))
    awarder: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)


class Certificate(SectionItem, Base):
    __tablename__ = "profile_certificate"

    name: Mapped[str] = mapped_column(String(500))
    issuer: Mapped[str | None] = mapped_column(String(500))
    date: Mapped[str | None] = mapped_column(String(DATE))
    url: Mapped[str | None] = mapped_column(String(2048))


class Project(SectionItem, Base):
    __tablename__ = "profile_project"

    name: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2048))
    entity: Mapped[str | None] = mapped_column(String(500))
    type: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[str | None] = mapped_column(String(DATE))
    end_date: Mapped[str | None] = mapped_column(String(DATE))
    roles: Mapped[list[str]] = mapped_column(JsonB, default=list)
    highlights: Mapped[list[str]] = mapped_column(JsonB, default=list)
    keywords: Mapped[list[str]] = mapped_column(JsonB, default=list)


class Volunteer(SectionItem, Base):
    __tablename__ = "profile_volunteer"

    organization: Mapped[str] = mapped_column(String(500))
    position: Mapped[str | None] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2048))
    start_date: Mapped[str | None] = mapped_column(String(DATE))
    end_date: Mapped[str | None] = mapped_column(String(DATE))
    description: Mapped[str | None] = mapped_column(Text)
    highlights: Mapped[list[str]] = mapped_column(JsonB, default=list)


class Publication(SectionItem, Base):
    __tablename__ = "profile_publication"

    name: Mapped[str] = mapped_column(String(500))
    publisher: Mapped[str | None] = mapped_column(String(500))
    release_date: Mapped[str | None] = mapped_column(String(DATE))
    url: Mapped[str | None] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(Text)


class Interest(SectionItem, Base):
    __tablename__ = "profile_interest"

    name: Mapped[str] = mapped_column(String(500))
    keywords: Mapped[list[str]] = mapped_column(JsonB, default=list)


class Reference(SectionItem, Base):
    __tablename__ = "profile_reference"

    name: Mapped[str | None] = mapped_column(String(500))
    reference: Mapped[str | None] = mapped_column(Text)
