"""Events the vacancies follow: none are kept for a deleted user."""

from __future__ import annotations

from qh.contracts import USER_DELETED, UserDeleted
from qh.job_data.domain.vacancies.services import VacancyService
from qh.kit.cloudevents import Event
from qh.kit.subscriptions import subscribe


@subscribe(USER_DELETED)
async def on_user_deleted(event: Event[UserDeleted], vacancies: VacancyService) -> None:
    """Erase every vacancy of the deleted user (with its raw source snapshot)."""
    await vacancies.erase(event.data.user_id)
