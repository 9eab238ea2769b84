"""The providers of the document services (the same in a request, a subscriber, a test)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from qh.doc_storage.context import DocStorageContext
from qh.doc_storage.domain.documents.services import DocumentService, ShareService


def provide_documents(db_session: AsyncSession, context: DocStorageContext) -> DocumentService:
    return DocumentService(db_session, context)


def provide_shares(
    db_session: AsyncSession, context: DocStorageContext, documents: DocumentService
) -> ShareService:
    return ShareService(db_session, context, documents)
