"""The doc-storage service: its :class:`ServiceDefinition`, the ``qh.services`` entry point."""

from __future__ import annotations

from pathlib import Path

from litestar.openapi.spec import Tag

from qh.doc_storage.context import DocStorageContext
from qh.doc_storage.db.models import Base
from qh.doc_storage.domain.documents.controllers import DOCUMENT_ROUTES
from qh.doc_storage.domain.documents.openapi import document_uploads
from qh.doc_storage.domain.documents.providers import provide_documents, provide_shares
from qh.doc_storage.domain.documents.services import DocumentService, ShareService
from qh.doc_storage.domain.documents.subscribers import on_user_deleted
from qh.doc_storage.settings import DocStorageSettings
from qh.kit.app import ServiceDefinition

DESCRIPTION = """The user's documents: PDF, DOCX, Markdown and UTF-8 text, judged by their
bytes (never by their names), kept with every version, a SHA-256 checksum (the ETag) and
revocable, expiring share links whose every use the owner sees. The bytes live in an
object store (S3, MinIO, GCS, Azure, or a local folder) under keys the service makes.
Every route works on the caller's own documents; another user's is 404. The generators
store each export of a resume or cover letter as a new version of one document
(`PUT /internal/origin/{kind}/{id}/content`)."""

TAGS = [
    Tag(name="Documents", description="Upload, versions, download and share links"),
    Tag(name="Internal", description="For the platform's generators (role service)"),
]

service: ServiceDefinition[DocStorageSettings] = ServiceDefinition(
    slug="doc-storage",
    prefix="/api/v1/documents",
    title="QH doc-storage",
    description=DESCRIPTION,
    settings_class=DocStorageSettings,
    metadata=lambda: Base.metadata,
    migrations=Path(__file__).parent / "db" / "migrations",
    route_handlers=DOCUMENT_ROUTES,
    subscribers=[on_user_deleted],
    providers={"documents": provide_documents, "shares": provide_shares},
    context_class=DocStorageContext,
    tags=TAGS,
    signature_namespace={"DocumentService": DocumentService, "ShareService": ShareService},
    configure_app=document_uploads,
)

__all__ = ["service"]
