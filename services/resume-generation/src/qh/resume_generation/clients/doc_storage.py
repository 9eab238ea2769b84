"""Storing an export in doc-storage: ``PUT /internal/origin/resume/{id}/content`` with the
user's own token forwarded; the first export of a resume creates its document, every later
one is the document's next version."""

from __future__ import annotations

from uuid import UUID

import httpx
import msgspec

from qh.kit.problems import ServiceUnavailable
from qh.kit.runtime import Invoker, RuntimeCallError

DOC_STORAGE = "doc-storage"
ORIGIN_CONTENT = "/api/v1/documents/internal/origin/resume/{id}/content"


class StoredDocument(msgspec.Struct, kw_only=True):
    id: UUID
    version: int


async def store_export(
    invoker: Invoker,
    token: str,
    *,
    user_id: UUID,
    resume_id: UUID,
    title: str,
    content: bytes,
    content_type: str,
) -> StoredDocument:
    try:
        response = await invoker.invoke(
            DOC_STORAGE,
            "PUT",
            ORIGIN_CONTENT.format(id=resume_id),
            content=content,
            params={"user_id": str(user_id), "title": title[:200]},
            headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
            timeout=30.0,
        )
    except (RuntimeCallError, httpx.HTTPError) as exc:
        raise ServiceUnavailable("doc-storage could not be reached to store the export") from exc
    if response.status_code not in (200, 201):
        raise ServiceUnavailable(
            f"doc-storage refused the export ({response.status_code}); nothing was stored"
        )
    try:
        body = response.json()
        return StoredDocument(id=UUID(str(body["id"])), version=int(body["version"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise ServiceUnavailable("doc-storage sent an unexpected answer") from exc
