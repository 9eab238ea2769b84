"""Events the profile follows: a profile per registered user, none after deletion."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from qh.contracts import USER_DELETED, USER_REGISTERED, UserDeleted, UserRegistered
from qh.kit.app import ServiceContext
from qh.kit.messaging import Event, EventStatus, subscribe
from qh.user_data.domain.profiles.services import profile_service
from qh.user_data.settings import UserDataSettings


@subscribe(USER_REGISTERED)
async def on_user_registered(
    event: Event[UserRegistered], session: AsyncSession, context: ServiceContext
) -> EventStatus:
    """Create the profile with the e-mail and name given at registration. A profile that
    already exists (a repeated event, or a first request that came earlier) is kept."""
    settings = context.settings
    assert isinstance(settings, UserDataSettings)
    profiles = profile_service(session, settings, context.outbox)
    await profiles.ensure(
        event.data.user_id, email=event.data.email, full_name=event.data.full_name
    )
    return EventStatus.SUCCESS


@subscribe(USER_DELETED)
async def on_user_deleted(
    event: Event[UserDeleted], session: AsyncSession, context: ServiceContext
) -> EventStatus:
    """Erase the profile and every section item of the deleted user."""
    settings = context.settings
    assert isinstance(settings, UserDataSettings)
    await profile_service(session, settings, context.outbox).erase(event.data.user_id)
    return EventStatus.SUCCESS


SUBSCRIBERS = [on_user_registered, on_user_deleted]
