"""Events the service follows: a deleted account's letters and their versions are erased."""

from __future__ import annotations

from qh.contracts import USER_DELETED, UserDeleted
from qh.cover_letters.domain.letters.services import LetterService
from qh.kit.cloudevents import Event
from qh.kit.subscriptions import subscribe


@subscribe(USER_DELETED)
async def on_user_deleted(event: Event[UserDeleted], letters: LetterService) -> None:
    """Erase every letter of the deleted user, with its versions."""
    await letters.erase(event.data.user_id)
