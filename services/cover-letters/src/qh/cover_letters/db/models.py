"""Stored letters: the current draft with what it was written for, and every earlier
version of its text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from advanced_alchemy.base import UUIDv7PrimaryKey
from advanced_alchemy.mixins import AuditColumns
from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from qh.kit.db import declarative_base
from qh.kit.tables import add_messaging_tables

if TYPE_CHECKING:
    from sqlalchemy.orm import DeclarativeBase as Base
else:
    Base = declarative_base()
add_messaging_tables(Base.metadata)

JsonB = JSON().with_variant(JSONB(), "postgresql")


class Letter(UUIDv7PrimaryKey, AuditColumns, Base):
    """A cover letter: ``text`` is the current draft (paragraphs split by a blank line);
    ``options`` how it was asked for (recruiter, limits); ``generation`` who wrote it and
    what grounding removed."""

    __tablename__ = "cover_letter"

    owner_id: Mapped[UUID] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2))
    tone: Mapped[str] = mapped_column(String(16))
    vacancy_id: Mapped[UUID] = mapped_column()
    vacancy_title: Mapped[str | None] = mapped_column(String(300))
    company: Mapped[str | None] = mapped_column(String(300))
    resume_id: Mapped[UUID | None] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[dict[str, Any]] = mapped_column(JsonB)
    generation: Mapped[dict[str, Any]] = mapped_column(JsonB)
    document_id: Mapped[UUID | None] = mapped_column()


class LetterVersion(UUIDv7PrimaryKey, AuditColumns, Base):
    """The text of one version of a letter, as it was after that edit or generation."""

    __tablename__ = "cover_letter_version"
    __table_args__ = (UniqueConstraint("letter_id", "version"),)

    letter_id: Mapped[UUID] = mapped_column(
        ForeignKey("cover_letter.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[UUID] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(40))
    tone: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
