"""Events the service follows: a deleted account's resumes and their versions are erased."""

from __future__ import annotations

from qh.contracts import USER_DELETED, UserDeleted
from qh.kit.cloudevents import Event
from qh.kit.subscriptions import subscribe
from qh.resume_generation.domain.resumes.services import ResumeService


@subscribe(USER_DELETED)
async def on_user_deleted(event: Event[UserDeleted], resumes: ResumeService) -> None:
    """Erase every resume of the deleted user, with its versions."""
    await resumes.erase(event.data.user_id)
