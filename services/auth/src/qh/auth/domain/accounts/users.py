"""The account itself: creating one, reading it, deleting it."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qh.auth.context import AuthContext
from qh.auth.db.models import User
from qh.auth.domain.accounts.schemas import UserOut
from qh.contracts import USER_DELETED, USER_REGISTERED, UserDeleted, UserRegistered
from qh.contracts.events import Locale
from qh.kit.email import InvalidEmail, canonical_email
from qh.kit.problems import InvalidValue, NotFound, Unauthorized


def normalize_email(email: str) -> str:
    """The canonical form (``qh.kit.email``: Unicode domain, lower case); 422 on the
    field ``email`` saying why when it is not an address."""
    try:
        return canonical_email(email)
    except InvalidEmail as error:
        raise InvalidValue.field("email", str(error)) from None


def lookup_email(email: str) -> str | None:
    """The canonical form to look an account up by, or ``None`` when ``email`` is not an
    address (and so has no account)."""
    try:
        return canonical_email(email)
    except InvalidEmail:
        return None


LOCALES = ("ru", "en")
DEFAULT_LOCALE = "en"


def preferred_locale(accept_language: str | None) -> str:
    """The message language ``Accept-Language`` prefers among ``ru`` and ``en`` (RFC 9110
    §12.5.4: the highest ``q``, the first listed on a tie, ``ru-RU`` counting as ``ru``);
    ``en`` when it names neither or is malformed."""
    best, best_q = DEFAULT_LOCALE, 0.0
    for item in (accept_language or "")[:1000].split(","):
        tag, *params = (part.strip() for part in item.split(";"))
        primary = tag.split("-")[0].lower()
        if primary not in LOCALES:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if 0.0 < q <= 1.0 and q > best_q:
            best, best_q = primary, q
    return best


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        roles=sorted(user.roles),
        email_verified=user.email_verified,
        is_active=user.is_active,
        full_name=user.full_name,
        created_at=user.created_at,
        locale=user.locale or DEFAULT_LOCALE,
    )


def message_locale(user: User) -> Locale:
    """The account's message language as the events carry it."""
    return "ru" if user.locale == "ru" else "en"


class AccountService:
    """Accounts on the session given: created (with ``user.registered``), read, deleted
    (with ``user.deleted``)."""

    def __init__(self, session: AsyncSession, context: AuthContext) -> None:
        self.session = session
        self.outbox = context.outbox

    async def create_user(
        self,
        email: str,
        *,
        password_hash: str | None,
        full_name: str | None = None,
        roles: list[str] | None = None,
        email_verified: bool = False,
        locale: str = DEFAULT_LOCALE,
    ) -> User:
        user = User(
            email=email,
            password_hash=password_hash,
            full_name=full_name,
            roles=roles or ["user"],
            is_active=True,
            email_verified=email_verified,
            locale=locale if locale in LOCALES else DEFAULT_LOCALE,
        )
        self.session.add(user)
        await self.session.flush()
        await self.outbox.add(
            self.session,
            USER_REGISTERED,
            UserRegistered(
                user_id=user.id,
                email=email,
                full_name=full_name,
                locale=message_locale(user),
                email_verified=email_verified,
            ),
            subject=str(user.id),
        )
        return user

    async def by_email(self, email: str, *, lock: bool = False) -> User | None:
        """The account of a normalized ``email``; ``lock`` before changing it."""
        query = select(User).where(User.email == email)
        return await self.session.scalar(query.with_for_update() if lock else query)

    async def get(self, user_id: uuid.UUID) -> UserOut:
        user = await self.session.get(User, user_id)
        if user is None:
            raise NotFound("No such account")
        return user_out(user)

    async def me(self, user_id: uuid.UUID) -> UserOut:
        user = await self.session.get(User, user_id)
        if user is None or not user.is_active:
            raise Unauthorized("The account no longer exists or is deactivated")
        return user_out(user)

    async def delete(self, user_id: uuid.UUID) -> None:
        user = await self.session.get(User, user_id, with_for_update=True)
        if user is None:
            raise NotFound("No such account")
        await self.session.delete(user)
        await self.outbox.add(
            self.session, USER_DELETED, UserDeleted(user_id=user_id), subject=str(user_id)
        )


__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "AccountService",
    "lookup_email",
    "message_locale",
    "normalize_email",
    "preferred_locale",
    "user_out",
]
