"""Events the service follows: a deleted account's analyses are erased."""

from __future__ import annotations

from qh.contracts import USER_DELETED, UserDeleted
from qh.kit.cloudevents import Event
from qh.kit.subscriptions import subscribe
from qh.text_analysis.domain.analysis.services import AnalysisService


@subscribe(USER_DELETED)
async def on_user_deleted(event: Event[UserDeleted], analyses: AnalysisService) -> None:
    """Erase every stored analysis of the deleted user."""
    await analyses.erase(event.data.user_id)
