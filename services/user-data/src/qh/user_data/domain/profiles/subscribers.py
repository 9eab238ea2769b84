"""Events the profile follows: a profile per registered user, none after deletion."""

from __future__ import annotations

import contextlib

from qh.contracts import USER_DELETED, USER_REGISTERED, UserDeleted, UserRegistered
from qh.kit.cloudevents import Event
from qh.kit.subscriptions import subscribe
from qh.user_data.domain.profiles.services import AccountDeleted, ProfileService


@subscribe(USER_REGISTERED)
async def on_user_registered(event: Event[UserRegistered], profiles: ProfileService) -> None:
    """Create the profile with the e-mail and name given at registration. A profile that
    already exists (a repeated event, or a first request that came earlier) is kept; an
    account already deleted (the event came late) gets none."""
    with contextlib.suppress(AccountDeleted):
        await profiles.ensure(
            event.data.user_id, email=event.data.email, full_name=event.data.full_name
        )


@subscribe(USER_DELETED)
async def on_user_deleted(event: Event[UserDeleted], profiles: ProfileService) -> None:
    """Erase the profile and every section item of the deleted user."""
    await profiles.erase(event.data.user_id)
