"""Stored analyses: the by-reference matches and reviews of a user (their history)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from advanced_alchemy.base import UUIDv7PrimaryKey
from advanced_alchemy.mixins import AuditColumns
from sqlalchemy import JSON, Float, String
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


class Analysis(UUIDv7PrimaryKey, AuditColumns, Base):
    """One stored analysis; ``result`` is the response as it was returned."""

    __tablename__ = "analysis"

    owner_id: Mapped[UUID] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(16))  # match | review
    language: Mapped[str] = mapped_column(String(2))
    score: Mapped[float | None] = mapped_column(Float)
    vacancy_id: Mapped[UUID | None] = mapped_column()
    vacancy_title: Mapped[str | None] = mapped_column(String(300))
    result: Mapped[dict[str, Any]] = mapped_column(JsonB)
