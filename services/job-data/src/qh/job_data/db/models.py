"""The user's vacancies, one row each, with the normalised fields as columns and JSON.

Every row carries its owner, and every query filters by it: another user's vacancy is
simply not found. ``source_key`` names the source vacancy (``hh:<id>``, ``linkedin:<id>``,
``url:<normalised URL>`` or ``text:<hash of the text>``); one owner keeps one row per key,
so the same source vacancy saved twice is merged. Typed-in vacancies have no key.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from advanced_alchemy.base import UUIDv7PrimaryKey
from advanced_alchemy.mixins import AuditColumns
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from qh.kit.db import declarative_base
from qh.kit.tables import add_messaging_tables

if TYPE_CHECKING:
    from sqlalchemy.orm import DeclarativeBase as Base
else:
    Base = declarative_base()
# The outbox and inbox live in this database too, so its migrations create them.
add_messaging_tables(Base.metadata)

# JSONB on PostgreSQL, JSON text on SQLite.
JsonB = JSON().with_variant(JSONB(), "postgresql")

URL = 2048
SOURCE_KEY = 2100


class Vacancy(UUIDv7PrimaryKey, AuditColumns, Base):
    """A vacancy a user keeps: the normalised fields, the user's status and notes, where it
    came from and (for imports) the raw source as fetched."""

    __tablename__ = "vacancy"
    __table_args__ = (
        UniqueConstraint("owner_id", "source_key", name="uq_vacancy_owner_id_source_key"),
        Index("ix_vacancy_owner_id_updated_at", "owner_id", "updated_at"),
    )

    owner_id: Mapped[UUID] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="saved")
    notes: Mapped[str | None] = mapped_column(Text)

    title: Mapped[str] = mapped_column(String(300))
    company: Mapped[str | None] = mapped_column(String(300))
    location: Mapped[dict[str, Any] | None] = mapped_column(JsonB)
    work_format: Mapped[list[str]] = mapped_column(JsonB, default=list)
    employment: Mapped[str | None] = mapped_column(String(20))
    salary: Mapped[dict[str, Any] | None] = mapped_column(JsonB)
    experience: Mapped[dict[str, Any] | None] = mapped_column(JsonB)
    description_html: Mapped[str | None] = mapped_column(Text)
    description_text: Mapped[str] = mapped_column(Text, default="")
    requirements: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    responsibilities: Mapped[list[str]] = mapped_column(JsonB, default=list)
    benefits: Mapped[list[str]] = mapped_column(JsonB, default=list)
    language: Mapped[str | None] = mapped_column(String(2))
    published_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    source_kind: Mapped[str] = mapped_column(String(20), default="manual")
    source_url: Mapped[str | None] = mapped_column(String(URL))
    source_external_id: Mapped[str | None] = mapped_column(String(100))
    source_fetched_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    source_key: Mapped[str | None] = mapped_column(String(SOURCE_KEY))
    # The source as fetched (an hh API JSON, a page), for re-parsing later; kept only up to
    # the ``snapshot_max_bytes`` setting.
    raw_snapshot: Mapped[str | None] = mapped_column(Text)
    raw_content_type: Mapped[str | None] = mapped_column(String(100))

    # Title, company, notes and description folded (casefold, ё → е) for ``?q=``: SQLite's
    # lower() knows only ASCII, so both databases search this column with LIKE.
    search_text: Mapped[str] = mapped_column(Text, default="")
