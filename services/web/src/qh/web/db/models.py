"""The web service's only table: the server side of a browser session.

The cookie holds a random 256-bit id; the row is keyed by its SHA-256, so the table alone
does not let anyone take over a session. The refresh and access tokens are encrypted at
rest (Fernet, with the key from the Secrets port)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import DateTime, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qh.kit.db import declarative_base

if TYPE_CHECKING:
    from sqlalchemy.orm import DeclarativeBase as Base
else:
    Base = declarative_base()


class WebSession(Base):
    __tablename__ = "web_session"
    __table_args__ = (Index("ix_web_session_user_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the cookie
    user_id: Mapped[UUID] = mapped_column()
    email: Mapped[str] = mapped_column(String(320))
    refresh_token: Mapped[str] = mapped_column(Text)  # Fernet
    access_token: Mapped[str] = mapped_column(Text)  # Fernet
    access_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
