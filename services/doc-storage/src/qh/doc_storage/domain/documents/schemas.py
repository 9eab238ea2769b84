"""Wire shapes of documents, versions and share links (msgspec Structs)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from qh.doc_storage.db.models import Document, DocumentVersion, Share, ShareAccess
from qh.kit.clock import as_utc


class Origin(msgspec.Struct):
    kind: str
    id: str


class VersionOut(msgspec.Struct):
    version: int
    size: int
    sha256: str
    content_type: str
    kind: str
    filename: str | None
    created_at: datetime
    created_by: UUID


class DocumentOut(msgspec.Struct):
    """A document and its current version. ``version``, ``sha256``, ``size`` and
    ``content_type`` describe the current version."""

    id: UUID
    title: str
    kind: str
    version: int
    sha256: str
    size: int
    content_type: str
    total_bytes: int
    origin: Origin | None
    created_at: datetime
    updated_at: datetime


class ShareIn(msgspec.Struct, forbid_unknown_fields=True):
    expires_in: Annotated[int, msgspec.Meta(ge=60, le=30 * 24 * 3600)] | None = None
    """Seconds the link works (default 7 days, at most 30 days)."""
    version: Annotated[int, msgspec.Meta(ge=1)] | None = None
    """Pin the link to this version; unset follows the current version."""


class ShareCreated(msgspec.Struct):
    """The link: ``url`` carries the token, shown this once."""

    id: UUID
    url: str
    expires_at: datetime
    version: int | None


class ShareOut(msgspec.Struct):
    id: UUID
    version: int | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    active: bool
    access_count: int
    last_access_at: datetime | None


class AccessOut(msgspec.Struct):
    accessed_at: datetime
    version: int
    status: int
    client_ip: str | None
    user_agent: str | None


def _utc(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


def version_out(version: DocumentVersion) -> VersionOut:
    return VersionOut(
        version=version.number,
        size=version.size,
        sha256=version.sha256,
        content_type=version.content_type,
        kind=version.kind,
        filename=version.filename,
        created_at=as_utc(version.created_at),
        created_by=version.created_by,
    )


def document_out(document: Document, current: DocumentVersion) -> DocumentOut:
    origin = (
        Origin(kind=document.origin_kind, id=document.origin_id or "")
        if document.origin_kind
        else None
    )
    return DocumentOut(
        id=document.id,
        title=document.title,
        kind=document.kind,
        version=current.number,
        sha256=current.sha256,
        size=current.size,
        content_type=current.content_type,
        total_bytes=document.total_bytes,
        origin=origin,
        created_at=as_utc(document.created_at),
        updated_at=as_utc(document.updated_at),
    )


def share_out(share: Share, now: datetime) -> ShareOut:
    expires_at = as_utc(share.expires_at)
    return ShareOut(
        id=share.id,
        version=share.version,
        created_at=as_utc(share.created_at),
        expires_at=expires_at,
        revoked_at=_utc(share.revoked_at),
        active=share.revoked_at is None and expires_at > now,
        access_count=share.access_count,
        last_access_at=_utc(share.last_access_at),
    )


def access_out(access: ShareAccess) -> AccessOut:
    return AccessOut(
        accessed_at=as_utc(access.accessed_at),
        version=access.version,
        status=access.status,
        client_ip=access.client_ip,
        user_agent=access.user_agent,
    )
