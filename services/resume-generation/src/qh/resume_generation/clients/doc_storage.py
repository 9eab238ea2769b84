"""Storing an export in doc-storage (``qh.kit.peers.store_origin_export`` with kind
``resume``) with the user's own token forwarded; the first export of a resume creates its
document, every later one is the document's next version."""

from __future__ import annotations

from uuid import UUID

from qh.kit.peers import StoredDocument, store_origin_export
from qh.kit.runtime import Invoker


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
    return await store_origin_export(
        invoker, token, kind="resume", origin_id=resume_id, user_id=user_id, title=title,
        content=content, content_type=content_type,
    )  # fmt: skip
