"""The rules of documents: who owns what, how an upload becomes a version, quotas, share
links and erasure.

An upload never holds a database transaction while bytes flow. Before the first byte a
``pending_upload`` row is committed (its own short transaction); the bytes then stream to
the store under a fresh key; the request's transaction then locks the owner's usage row
(``with_for_update``: one commit per owner at a time, so quotas and version numbers hold
under concurrency), claims the pending row and records the version. Whatever fails on
the way, the bytes and the pending row are removed; if the process dies instead, the
sweep removes them. Deleted versions' keys go to ``deleted_object`` in the transaction
that deletes the metadata, and their bytes are deleted once it committed.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

import structlog
from sqlalchemy import Integer, bindparam, delete, func, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from qh.contracts import (
    DOCUMENT_ACCESSED,
    DOCUMENT_SHARED,
    DOCUMENT_STORED,
    DocumentAccessed,
    DocumentShared,
    DocumentStored,
)
from qh.doc_storage.db.models import (
    DeletedObject,
    Document,
    DocumentVersion,
    PendingUpload,
    Share,
    ShareAccess,
    StorageUsage,
)
from qh.doc_storage.domain.documents.content import CONTENT_TYPES, DocxLimits
from qh.doc_storage.domain.documents.upload import UploadSource, failure_of
from qh.doc_storage.settings import DocStorageSettings
from qh.kit.clock import as_utc, utc_now
from qh.kit.problems import Conflict, InvalidValue, NotFound, PayloadTooLarge, Problem

if TYPE_CHECKING:
    from qh.doc_storage.context import DocStorageContext
    from qh.doc_storage.storage import ObjectStorage

log = structlog.get_logger("qh.doc_storage")

TITLE_MAX = 200
ORIGIN_KINDS = ("resume", "cover_letter")


def new_id() -> UUID:
    """A UUIDv7-like id (time-ordered), made before the row exists."""
    from advanced_alchemy.mixins.uuid import uuid7

    return uuid7()


def object_key(owner_id: UUID, document_id: UUID) -> str:
    """A key made only of ids: ``<owner>/<document>/<random>``. No name a user typed ever
    becomes part of a key."""
    return f"{owner_id}/{document_id}/{uuid.uuid4().hex}"


def clean_title(value: str | None, *, field: str = "title") -> str | None:
    """A title as typed, minus control characters; 422 when too long, counted as sent (as
    the document's ``maxLength`` counts), before anything is removed."""
    if value is None:
        return None
    if len(value) > TITLE_MAX:
        raise InvalidValue.field(field, f"must have at most {TITLE_MAX} characters")
    text = "".join(
        ch for ch in unicodedata.normalize("NFC", value) if unicodedata.category(ch)[0] != "C"
    )
    text = " ".join(text.split())
    if len(text) > TITLE_MAX:
        raise InvalidValue.field(field, f"must have at most {TITLE_MAX} characters")
    return text or None


def title_from_filename(filename: str | None) -> str:
    if not filename:
        return "Document"
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base.strip(".") else base
    return (clean_title(stem[:TITLE_MAX]) or "Document")[:TITLE_MAX]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# A document of an owner with one of its versions: ``number``, or the current one if NULL.
_DOCUMENT_WITH_VERSION = (
    select(Document, DocumentVersion)
    .outerjoin(
        DocumentVersion,
        (DocumentVersion.document_id == Document.id)
        & (
            DocumentVersion.number
            == func.coalesce(bindparam("number", type_=Integer), Document.current_version)
        ),
    )
    .where(Document.id == bindparam("document_id"), Document.owner_id == bindparam("owner_id"))
)


# Statements of every upload, built once (a request pays for no SQL construction).
_USAGE_LOCKED = (
    select(StorageUsage).where(StorageUsage.owner_id == bindparam("owner_id")).with_for_update()
)
_DOCUMENT_LOCKED = (
    select(Document)
    .where(Document.id == bindparam("document_id"), Document.owner_id == bindparam("owner_id"))
    .with_for_update()
)
_CLAIM_PENDING = (
    delete(PendingUpload)
    .where(PendingUpload.key == bindparam("key"))
    .returning(PendingUpload.key)
    .execution_options(synchronize_session=False)
)


@dataclass(frozen=True)
class Received:
    """An upload whose bytes are in the store under ``key`` (pending until committed)."""

    key: str
    size: int
    sha256: str
    kind: str
    content_type: str
    filename: str | None
    title: str | None


class DocumentService:
    """Documents and versions, always of one owner."""

    def __init__(self, session: AsyncSession, context: DocStorageContext) -> None:
        self.session = session
        self.context = context
        self.settings: DocStorageSettings = context.settings
        self.outbox = context.outbox

    async def storage(self) -> ObjectStorage:
        return await self.context.storage()

    # --- reading ------------------------------------------------------------------------

    async def list(
        self, owner_id: UUID, limit: int, offset: int
    ) -> tuple[list[tuple[Document, DocumentVersion]], int]:
        """The owner's documents, newest first, each with its current version."""
        total = await self.session.scalar(
            select(func.count()).select_from(Document).where(Document.owner_id == owner_id)
        )
        rows = await self.session.execute(
            select(Document, DocumentVersion)
            .join(
                DocumentVersion,
                (DocumentVersion.document_id == Document.id)
                & (DocumentVersion.number == Document.current_version),
            )
            .where(Document.owner_id == owner_id)
            .order_by(Document.created_at.desc(), Document.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [(document, version) for document, version in rows], int(total or 0)

    async def get(self, owner_id: UUID, document_id: UUID, *, lock: bool = False) -> Document:
        query = select(Document).where(Document.id == document_id, Document.owner_id == owner_id)
        if lock:
            query = query.with_for_update()
        document = await self.session.scalar(query)
        if document is None:
            raise NotFound("No such document")
        return document

    async def versions(
        self, owner_id: UUID, document_id: UUID, limit: int, offset: int
    ) -> tuple[Sequence[DocumentVersion], int]:
        document = await self.get(owner_id, document_id)
        rows = await self.session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == document.id)
            .order_by(DocumentVersion.number.desc())
            .limit(limit)
            .offset(offset)
        )
        return rows.all(), document.current_version

    async def version(self, document: Document, number: int | None) -> DocumentVersion:
        wanted = document.current_version if number is None else number
        found = await self.session.scalar(
            select(DocumentVersion).where(
                DocumentVersion.document_id == document.id, DocumentVersion.number == wanted
            )
        )
        if found is None:
            raise NotFound(f"The document has no version {wanted}")
        return found

    async def with_version(
        self, owner_id: UUID, document_id: UUID, number: int | None
    ) -> tuple[Document, DocumentVersion]:
        """One of the owner's documents and one of its versions (the current one when
        ``number`` is unset), in one query (built once: a download pays for no SQL
        construction)."""
        row = (
            await self.session.execute(
                _DOCUMENT_WITH_VERSION,
                {"document_id": document_id, "owner_id": owner_id, "number": number},
            )
        ).first()
        if row is None:
            raise NotFound("No such document")
        document, version = row
        if version is None:
            raise NotFound(f"The document has no version {number or document.current_version}")
        return document, version

    async def current_version(self, document: Document) -> DocumentVersion:
        return await self.version(document, None)

    # --- writing ------------------------------------------------------------------------

    def source(self, request: Any) -> UploadSource:
        """The upload a request carries (multipart, or the raw file as the body)."""
        length = request.headers.get("content-length")
        return UploadSource(
            request.stream(),
            content_type=request.headers.get("content-type"),
            content_length=int(length) if length and length.isdigit() else None,
            max_bytes=self.settings.max_upload_bytes,
            docx_limits=DocxLimits(
                self.settings.docx_max_entries,
                self.settings.docx_max_expanded_bytes,
                self.settings.docx_max_ratio,
            ),
        )

    async def create(
        self, owner_id: UUID, source: UploadSource, *, created_by: UUID
    ) -> tuple[Document, DocumentVersion]:
        """A new document with its first version (``POST /``)."""
        document_id = new_id()
        received = await self.receive(owner_id, document_id, source, new_document=True)
        return await self._commit(
            owner_id, received, created_by=created_by, document_id=document_id
        )

    async def add_version(
        self, owner_id: UUID, document_id: UUID, source: UploadSource, *, created_by: UUID
    ) -> tuple[Document, DocumentVersion]:
        """A new version of an existing document; the old ones stay as they are."""
        received = await self.receive(owner_id, document_id, source, new_document=False)
        return await self._commit(
            owner_id, received, created_by=created_by, document_id=document_id, existing=True
        )

    async def store_for_origin(
        self,
        owner_id: UUID,
        origin_kind: str,
        origin_id: str,
        source: UploadSource,
        *,
        created_by: UUID,
        title: str | None,
    ) -> tuple[Document, DocumentVersion]:
        """A generator's export: a new version of the one document of this origin (created
        with the first export)."""
        async with self.context.transaction() as session:
            found = await session.scalar(
                select(Document.id).where(
                    Document.owner_id == owner_id,
                    Document.origin_kind == origin_kind,
                    Document.origin_id == origin_id,
                )
            )
        document_id = found or new_id()
        received = await self.receive(owner_id, document_id, source, new_document=found is None)
        return await self._commit(
            owner_id,
            received,
            created_by=created_by,
            document_id=document_id,
            origin=(origin_kind, origin_id),
            title=clean_title(title),
        )

    async def receive(
        self, owner_id: UUID, document_id: UUID, source: UploadSource, *, new_document: bool
    ) -> Received:
        """Stream the upload to the store under a fresh pending key. Refusals that need no
        byte (unknown document, a quota already used up) come before the first byte."""
        key = object_key(owner_id, document_id)
        async with self.context.transaction() as session:
            # Locked (BEGIN IMMEDIATE on SQLite): this transaction writes the pending row.
            usage = await session.scalar(_USAGE_LOCKED, {"owner_id": owner_id})
            if not new_document:
                exists = await session.scalar(
                    select(Document.id).where(
                        Document.id == document_id, Document.owner_id == owner_id
                    )
                )
                if exists is None:
                    raise NotFound("No such document")
            if usage is not None:
                self._check_quota(usage, new_documents=int(new_document), new_bytes=1)
            session.add(PendingUpload(key=key, owner_id=owner_id, started_at=utc_now()))
        try:
            await (await self.storage()).put(key, source.chunks())
            kind = source.inspector.finish(
                filename=source.filename, declared_type=source.declared_type
            )
            title = clean_title(source.title)
        except BaseException as exc:
            await self.abandon(key)
            failure = failure_of(source, exc)
            if isinstance(failure, Problem):
                self.context.metrics.counter(
                    "document_uploads_refused", "Uploads refused, by HTTP status", ["status"]
                ).labels(self.context.slug, str(failure.status)).inc()
            raise failure from None
        return Received(
            key=key,
            size=source.size,
            sha256=source.sha256,
            kind=kind,
            content_type=CONTENT_TYPES[kind],
            filename=(source.filename or None) and source.filename[:255],  # type: ignore[index]
            title=title,
        )

    async def _commit(
        self,
        owner_id: UUID,
        received: Received,
        *,
        created_by: UUID,
        document_id: UUID,
        existing: bool = False,
        origin: tuple[str, str] | None = None,
        title: str | None = None,
    ) -> tuple[Document, DocumentVersion]:
        try:
            return await self._record(
                owner_id,
                received,
                created_by=created_by,
                document_id=document_id,
                existing=existing,
                origin=origin,
                title=title,
            )
        except BaseException:
            # Undo the request's writes first (on SQLite they hold the write lock the
            # clean-up needs), then remove the bytes and the pending row.
            await self.session.rollback()
            await self.abandon(received.key)
            raise

    async def _record(
        self,
        owner_id: UUID,
        received: Received,
        *,
        created_by: UUID,
        document_id: UUID,
        existing: bool,
        origin: tuple[str, str] | None,
        title: str | None,
    ) -> tuple[Document, DocumentVersion]:
        usage = await self._lock_usage(owner_id)
        # Claim the pending upload (one statement: gone means the sweep abandoned it).
        claimed = await self.session.scalar(_CLAIM_PENDING, {"key": received.key})
        if claimed is None:
            raise Conflict("The upload took too long and was abandoned; send it again")
        document: Document | None
        if origin is not None:
            document = await self.session.scalar(
                select(Document)
                .where(
                    Document.owner_id == owner_id,
                    Document.origin_kind == origin[0],
                    Document.origin_id == origin[1],
                )
                .with_for_update()
            )
        else:
            document = (
                await self.session.scalar(
                    _DOCUMENT_LOCKED, {"document_id": document_id, "owner_id": owner_id}
                )
                if existing
                else None
            )
            if existing and document is None:
                raise NotFound("No such document")
        self._check_quota(usage, new_documents=int(document is None), new_bytes=received.size)
        now = utc_now()
        if document is None:
            document = Document(
                id=document_id,
                owner_id=owner_id,
                title=title or received.title or title_from_filename(received.filename),
                kind=received.kind,
                origin_kind=origin[0] if origin else None,
                origin_id=origin[1] if origin else None,
                current_version=0,
                total_bytes=0,
            )
            self.session.add(document)
            usage.documents += 1
        elif title or received.title:
            document.title = title or received.title or document.title
        number = document.current_version + 1
        version = DocumentVersion(
            document_id=document.id,
            owner_id=owner_id,
            number=number,
            key=received.key,
            size=received.size,
            sha256=received.sha256,
            kind=received.kind,
            content_type=received.content_type,
            filename=received.filename,
            created_at=now,
            created_by=created_by,
        )
        self.session.add(version)
        document.current_version = number
        document.kind = received.kind
        document.total_bytes = (document.total_bytes or 0) + received.size
        document.updated_at = now
        usage.bytes += received.size
        await self.session.flush()
        await self.outbox.add(
            self.session,
            DOCUMENT_STORED,
            DocumentStored(
                document_id=document.id,
                owner_id=owner_id,
                version=number,
                size=received.size,
                sha256=received.sha256,
                content_type=received.content_type,
                origin_kind=document.origin_kind,
                origin_id=document.origin_id,
                created_by=created_by,
            ),
            subject=str(document.id),
        )
        return document, version

    def _check_quota(self, usage: StorageUsage, *, new_documents: int, new_bytes: int) -> None:
        settings = self.settings
        if new_documents and usage.documents + new_documents > settings.max_documents_per_user:
            raise Conflict(
                f"You already keep {usage.documents} documents, the most allowed "
                f"({settings.max_documents_per_user}); delete one to add another",
                extra={"quota": "documents"},
            )
        if usage.bytes + new_bytes > settings.max_bytes_per_user:
            raise PayloadTooLarge(
                f"Your documents would take {usage.bytes + new_bytes} bytes; your quota is "
                f"{settings.max_bytes_per_user} bytes (every version counts); delete a "
                "document to make room",
                extra={"quota": "bytes"},
            )

    async def _lock_usage(self, owner_id: UUID) -> StorageUsage:
        """The owner's usage row, locked for this transaction (created if missing)."""
        usage = await self.session.scalar(_USAGE_LOCKED, {"owner_id": owner_id})
        if usage is not None:
            return usage
        dialect = postgresql if self.session.get_bind().dialect.name == "postgresql" else sqlite
        await self.session.execute(
            dialect.insert(StorageUsage)
            .values(owner_id=owner_id, documents=0, bytes=0)
            .on_conflict_do_nothing()
        )
        usage = await self.session.scalar(_USAGE_LOCKED, {"owner_id": owner_id})
        assert usage is not None
        return usage

    async def abandon(self, key: str) -> None:
        """Remove an upload that will not be committed: its bytes, then its pending row.
        Failures are left to the sweep."""
        try:
            await (await self.storage()).delete(key)
            async with self.context.transaction() as session:
                await session.execute(delete(PendingUpload).where(PendingUpload.key == key))
        except Exception:
            log.warning("abandoned_upload_left_to_sweep", key=key, exc_info=True)

    async def delete(self, owner_id: UUID, document_id: UUID) -> None:
        """Delete a document, its versions and share links; its bytes go once the
        transaction committed."""
        usage = await self._lock_usage(owner_id)
        document = await self.get(owner_id, document_id, lock=True)
        await self._remove(usage, [document])

    async def erase(self, owner_id: UUID) -> int:
        """Every document, version, share and pending upload of a deleted user."""
        usage = await self._lock_usage(owner_id)
        documents = (
            await self.session.scalars(select(Document).where(Document.owner_id == owner_id))
        ).all()
        await self._remove(usage, documents)
        pending = (
            await self.session.scalars(
                select(PendingUpload.key).where(PendingUpload.owner_id == owner_id)
            )
        ).all()
        self._doom(pending)
        await self.session.execute(delete(PendingUpload).where(PendingUpload.owner_id == owner_id))
        await self.session.execute(delete(StorageUsage).where(StorageUsage.owner_id == owner_id))
        return len(documents)

    async def _remove(self, usage: StorageUsage, documents: Sequence[Document]) -> None:
        ids = [document.id for document in documents]
        if not ids:
            return
        keys = (
            await self.session.scalars(
                select(DocumentVersion.key).where(DocumentVersion.document_id.in_(ids))
            )
        ).all()
        shares = select(Share.id).where(Share.document_id.in_(ids)).scalar_subquery()
        await self.session.execute(delete(ShareAccess).where(ShareAccess.share_id.in_(shares)))
        await self.session.execute(delete(Share).where(Share.document_id.in_(ids)))
        await self.session.execute(
            delete(DocumentVersion).where(DocumentVersion.document_id.in_(ids))
        )
        freed = sum(document.total_bytes for document in documents)
        for document in documents:
            await self.session.delete(document)
        usage.documents = max(0, usage.documents - len(ids))
        usage.bytes = max(0, usage.bytes - freed)
        self._doom(keys)
        await self.session.flush()

    def _doom(self, keys: Sequence[str]) -> None:
        """Record ``keys`` for deletion in this transaction; wake the sweeper once it
        committed (the metadata is gone by then)."""
        if not keys:
            return
        now = utc_now()
        self.session.add_all(DeletedObject(key=key, deleted_at=now) for key in keys)
        sweeper = self.context.sweeper
        sa_event.listen(
            self.session.sync_session, "after_commit", lambda _s: sweeper.wake(), once=True
        )


class ShareService:
    """Share links of one owner's documents, and their public use."""

    def __init__(
        self, session: AsyncSession, context: DocStorageContext, documents: DocumentService
    ) -> None:
        self.session = session
        self.settings: DocStorageSettings = context.settings
        self.outbox = context.outbox
        self.documents = documents
        self.prefix = context.definition.prefix
        self.accesses_counter = context.metrics.counter(
            "document_share_accesses", "Uses of share links that served bytes", ["status"]
        )
        self.slug = context.slug

    async def create(
        self, owner_id: UUID, document_id: UUID, *, expires_in: int | None, version: int | None
    ) -> tuple[Share, str]:
        """A new link; returns the share and its token (shown once, kept nowhere)."""
        document = await self.documents.get(owner_id, document_id, lock=True)
        seconds = self.settings.share_default_seconds if expires_in is None else expires_in
        if not 60 <= seconds <= self.settings.share_max_seconds:
            raise InvalidValue.field(
                "expires_in", f"must be between 60 and {self.settings.share_max_seconds} seconds"
            )
        if version is not None:
            exists = await self.session.scalar(
                select(DocumentVersion.id).where(
                    DocumentVersion.document_id == document.id, DocumentVersion.number == version
                )
            )
            if exists is None:
                raise InvalidValue.field("version", f"the document has no version {version}")
        token = secrets.token_urlsafe(32)
        now = utc_now()
        share = Share(
            document_id=document.id,
            owner_id=owner_id,
            token_hash=token_hash(token),
            version=version,
            created_at=now,
            expires_at=now + timedelta(seconds=seconds),
            access_count=0,
        )
        self.session.add(share)
        await self.session.flush()
        await self.outbox.add(
            self.session,
            DOCUMENT_SHARED,
            DocumentShared(
                document_id=document.id,
                owner_id=owner_id,
                share_id=share.id,
                expires_at=share.expires_at,
                version=version,
            ),
            subject=str(document.id),
        )
        return share, token

    def url(self, token: str) -> str:
        return f"{self.settings.public_base_url.rstrip('/')}{self.prefix}/shared/{token}"

    async def list(
        self, owner_id: UUID, document_id: UUID, limit: int, offset: int
    ) -> tuple[Sequence[Share], int]:
        document = await self.documents.get(owner_id, document_id)
        total = await self.session.scalar(
            select(func.count()).select_from(Share).where(Share.document_id == document.id)
        )
        rows = await self.session.scalars(
            select(Share)
            .where(Share.document_id == document.id)
            .order_by(Share.created_at.desc(), Share.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return rows.all(), int(total or 0)

    async def accesses(
        self, owner_id: UUID, document_id: UUID, share_id: UUID, limit: int, offset: int
    ) -> tuple[Sequence[ShareAccess], int]:
        share = await self._owned(owner_id, document_id, share_id)
        total = await self.session.scalar(
            select(func.count()).select_from(ShareAccess).where(ShareAccess.share_id == share.id)
        )
        rows = await self.session.scalars(
            select(ShareAccess)
            .where(ShareAccess.share_id == share.id)
            .order_by(ShareAccess.accessed_at.desc(), ShareAccess.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return rows.all(), int(total or 0)

    async def _owned(
        self, owner_id: UUID, document_id: UUID, share_id: UUID, *, lock: bool = False
    ) -> Share:
        query = select(Share).where(
            Share.id == share_id, Share.document_id == document_id, Share.owner_id == owner_id
        )
        if lock:
            query = query.with_for_update()
        share = await self.session.scalar(query)
        if share is None:
            raise NotFound("No such share link")
        return share

    async def revoke(self, owner_id: UUID, document_id: UUID, share_id: UUID) -> None:
        share = await self._owned(owner_id, document_id, share_id, lock=True)
        if share.revoked_at is None:
            share.revoked_at = utc_now()

    async def resolve(self, token: str) -> tuple[Share, Document, DocumentVersion]:
        """What a public link serves; 404 for an unknown, expired or revoked link (the
        same answer, so a link reveals nothing once it is dead)."""
        share = await self.session.scalar(
            select(Share).where(Share.token_hash == token_hash(token))
        )
        if share is None or share.revoked_at is not None or as_utc(share.expires_at) <= utc_now():
            raise NotFound("No such share link, or it expired or was revoked")
        document = await self.session.get(Document, share.document_id)
        if document is None:
            raise NotFound("No such share link, or it expired or was revoked")
        version = await self.documents.version(document, share.version)
        return share, document, version

    async def record_access(
        self,
        share: Share,
        document: Document,
        version: DocumentVersion,
        *,
        status: int,
        client_ip: str | None,
        user_agent: str | None,
    ) -> None:
        """Count and log one use of a live link, and tell the owner (``document.accessed``,
        written to the outbox in this same transaction: one event per logged use)."""
        now = utc_now()
        await self.session.execute(
            update(Share)
            .where(Share.id == share.id)
            .values(access_count=Share.access_count + 1, last_access_at=now)
        )
        self.session.add(
            ShareAccess(
                share_id=share.id,
                accessed_at=now,
                version=version.number,
                status=status,
                client_ip=(client_ip or None) and client_ip[:64],  # type: ignore[index]
                user_agent=(user_agent or None) and user_agent[:300],  # type: ignore[index]
            )
        )
        await self.outbox.add(
            self.session,
            DOCUMENT_ACCESSED,
            DocumentAccessed(
                document_id=document.id,
                owner_id=share.owner_id,
                share_id=share.id,
                accessed_at=now,
                version=version.number,
                title=document.title,
            ),
            subject=str(document.id),
        )
        await self.session.flush()
        self.accesses_counter.labels(self.slug, str(status)).inc()


def expires_at_of(share: Share) -> datetime:
    return as_utc(share.expires_at)


__all__ = [
    "ORIGIN_KINDS",
    "DocumentService",
    "Received",
    "ShareService",
    "clean_title",
    "object_key",
]
