"""Events doc-storage follows: a deleted account's documents and bytes are erased."""

from __future__ import annotations

from qh.contracts import USER_DELETED, UserDeleted
from qh.doc_storage.domain.documents.services import DocumentService
from qh.kit.cloudevents import Event
from qh.kit.subscriptions import subscribe


@subscribe(USER_DELETED)
async def on_user_deleted(event: Event[UserDeleted], documents: DocumentService) -> None:
    """Every document, version, share link and pending upload of the user; the bytes are
    deleted once this transaction committed."""
    await documents.erase(event.data.user_id)
