"""Documents, their versions, share links and their access log; uploads in flight and
bytes waiting to be deleted; each user's usage.

Bytes live in the object store under keys the service makes
(``<owner>/<document>/<random>``); a row here names the key. Every table carries the
owner's id (or reaches it through its document), so every query filters by owner.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from advanced_alchemy.base import UUIDv7PrimaryKey
from advanced_alchemy.mixins import AuditColumns
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qh.kit.db import declarative_base
from qh.kit.tables import add_messaging_tables

if TYPE_CHECKING:
    from sqlalchemy.orm import DeclarativeBase as Base
else:
    Base = declarative_base()
add_messaging_tables(Base.metadata)

KEY = 300


class Document(UUIDv7PrimaryKey, AuditColumns, Base):
    """One document of one user; its bytes are the versions'."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("owner_id", "origin_kind", "origin_id", name="uq_document_origin"),
    )

    owner_id: Mapped[UUID] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    """The current version's kind: pdf, docx, markdown or text."""
    origin_kind: Mapped[str | None] = mapped_column(String(30))
    """What made it: ``upload`` (null), or a generator's ``resume`` / ``cover_letter``."""
    origin_id: Mapped[str | None] = mapped_column(String(100))
    current_version: Mapped[int] = mapped_column(Integer, default=0)
    total_bytes: Mapped[int] = mapped_column(BigInteger, default=0)


class DocumentVersion(UUIDv7PrimaryKey, Base):
    """One stored file: never overwritten, removed only with its document."""

    __tablename__ = "document_version"
    __table_args__ = (UniqueConstraint("document_id", "number", name="uq_document_version"),)

    document_id: Mapped[UUID] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[UUID] = mapped_column(index=True)
    number: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(KEY), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    content_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str | None] = mapped_column(String(255))
    """The name the file was uploaded under, shown only (never part of a key)."""
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    created_by: Mapped[UUID]
    """Who stored it: the owner, or the platform service that rendered it."""


class Share(UUIDv7PrimaryKey, Base):
    """A link to a document (or one version of it) that needs no account."""

    __tablename__ = "document_share"

    document_id: Mapped[UUID] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[UUID] = mapped_column(index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the token; the token itself is shown once and kept nowhere."""
    version: Mapped[int | None] = mapped_column(Integer)
    """Pinned to this version; null follows the document's current version."""
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    access_count: Mapped[int] = mapped_column(Integer, default=0)
    last_access_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class ShareAccess(UUIDv7PrimaryKey, Base):
    """One use of a share link."""

    __tablename__ = "document_share_access"

    share_id: Mapped[UUID] = mapped_column(
        ForeignKey("document_share.id", ondelete="CASCADE"), index=True
    )
    accessed_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[int] = mapped_column(Integer)
    client_ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class PendingUpload(Base):
    """Bytes being written under ``key`` and not yet a version. Written (and committed)
    before the first byte goes to the store, deleted in the transaction that records the
    version; the sweep deletes the bytes of one that stays here too long."""

    __tablename__ = "pending_upload"

    key: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    owner_id: Mapped[UUID] = mapped_column(index=True)
    started_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)


class DeletedObject(Base):
    """Bytes whose metadata is gone: written in the transaction that deletes the versions,
    removed from the store once that transaction committed."""

    __tablename__ = "deleted_object"

    key: Mapped[str] = mapped_column(String(KEY), primary_key=True)
    deleted_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class StorageUsage(Base):
    """What one user's documents take; locked (``with_for_update``) by every change, so
    two concurrent uploads cannot both squeeze under the quota."""

    __tablename__ = "storage_usage"

    owner_id: Mapped[UUID] = mapped_column(primary_key=True)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
