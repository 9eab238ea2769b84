"""Stored resumes: the current structured content with its pending AI proposals, and every
earlier version of the content."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from advanced_alchemy.base import UUIDv7PrimaryKey
from advanced_alchemy.mixins import AuditColumns
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
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


class Resume(UUIDv7PrimaryKey, AuditColumns, Base):
    """A resume: ``content`` is the structured resume as it renders, ``proposals`` the AI
    changes waiting for the owner's decision (and the decided ones, for the record)."""

    __tablename__ = "resume"

    owner_id: Mapped[UUID] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(String(63))
    language: Mapped[str] = mapped_column(String(2))
    page_size: Mapped[str] = mapped_column(String(8))
    show_photo: Mapped[bool] = mapped_column(Boolean, default=False)
    vacancy_id: Mapped[UUID | None] = mapped_column()
    vacancy_title: Mapped[str | None] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer, default=1)
    content: Mapped[dict[str, Any]] = mapped_column(JsonB)
    proposals: Mapped[list[dict[str, Any]]] = mapped_column(JsonB)
    generation: Mapped[dict[str, Any]] = mapped_column(JsonB)
    document_id: Mapped[UUID | None] = mapped_column()


class ResumeVersion(UUIDv7PrimaryKey, AuditColumns, Base):
    """The content of one version of a resume, as it was after that edit."""

    __tablename__ = "resume_version"
    __table_args__ = (UniqueConstraint("resume_id", "version"),)

    resume_id: Mapped[UUID] = mapped_column(ForeignKey("resume.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[UUID] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(40))
    content: Mapped[dict[str, Any]] = mapped_column(JsonB)
