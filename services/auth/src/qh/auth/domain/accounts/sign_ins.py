"""Sign-in alerts: every successful password (or second-factor) login publishes
``auth.signed_in`` in the login's transaction, saying whether it came from a new device."""

from __future__ import annotations

import hashlib
import ipaddress
import re

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from qh.auth.context import AuthContext
from qh.auth.db.models import SignIn, User
from qh.auth.domain.accounts.users import message_locale
from qh.contracts import AUTH_SIGNED_IN, SignedIn
from qh.kit.clock import utc_now

RECENT_SIGN_INS = 10
"""How many of a user's sign-ins are remembered; a device not among them is new."""

USER_AGENT_MAX = 512

# Order matters: Edge and Opera say "Chrome", Chrome says "Safari".
_BROWSERS = (
    ("edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("opera", re.compile(r"\b(OPR|Opera)/")),
    ("yandex", re.compile(r"\bYaBrowser/")),
    ("samsung", re.compile(r"\bSamsungBrowser/")),
    ("firefox", re.compile(r"\b(Firefox|FxiOS)/")),
    ("chrome", re.compile(r"\b(Chrome|CriOS|Chromium)/")),
    ("safari", re.compile(r"\bSafari/")),
)
_SYSTEMS = (
    ("android", re.compile(r"Android")),
    ("ios", re.compile(r"iPhone|iPad|iPod")),
    ("windows", re.compile(r"Windows")),
    ("macos", re.compile(r"Mac OS X|Macintosh")),
    ("linux", re.compile(r"Linux|X11")),
)


def browser_family(user_agent: str | None) -> str:
    """``firefox/linux``, ``chrome/android``...: what stays the same across a browser's
    updates; anything unrecognised is its whole user agent, lower case."""
    if not user_agent:
        return "unknown"
    browser = next((name for name, rx in _BROWSERS if rx.search(user_agent)), None)
    system = next((name for name, rx in _SYSTEMS if rx.search(user_agent)), None)
    if browser is None and system is None:
        return user_agent.strip().lower()[:USER_AGENT_MAX]
    return f"{browser or 'other'}/{system or 'other'}"


def network(address: str | None) -> str:
    """The /24 of an IPv4 address, the /64 of an IPv6 one (a home or office network);
    the text itself when it is not an address."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def device_hash(address: str | None, user_agent: str | None) -> str:
    key = f"{browser_family(user_agent)}|{network(address)}"
    return hashlib.sha256(key.encode()).hexdigest()


async def record_sign_in(
    session: AsyncSession,
    context: AuthContext,
    user: User,
    address: str | None,
    user_agent: str | None,
) -> None:
    """In the login's transaction (``user`` locked by the caller): whether this device is
    among the user's last ``RECENT_SIGN_INS`` sign-ins, the new row (older ones pruned) and
    the ``auth.signed_in`` event. No password and no token goes into either."""
    hashed = device_hash(address, user_agent)
    recent = list(
        await session.scalars(
            select(SignIn.device_hash)
            .where(SignIn.user_id == user.id)
            .order_by(SignIn.created_at.desc(), SignIn.id.desc())
            .limit(RECENT_SIGN_INS)
        )
    )
    now = utc_now()
    session.add(SignIn(user_id=user.id, device_hash=hashed, created_at=now, updated_at=now))
    await session.flush()
    keep = (
        select(SignIn.id)
        .where(SignIn.user_id == user.id)
        .order_by(SignIn.created_at.desc(), SignIn.id.desc())
        .limit(RECENT_SIGN_INS)
    )
    await session.execute(delete(SignIn).where(SignIn.user_id == user.id, SignIn.id.not_in(keep)))
    await context.outbox.add(
        session,
        AUTH_SIGNED_IN,
        SignedIn(
            user_id=user.id,
            email=user.email,
            full_name=user.full_name,
            locale=message_locale(user),
            at=now,
            ip=address if address and address != "unknown" else None,
            user_agent=user_agent[:USER_AGENT_MAX] if user_agent else None,
            new_device=hashed not in recent,
        ),
        subject=str(user.id),
    )


__all__ = ["RECENT_SIGN_INS", "browser_family", "device_hash", "network", "record_sign_in"]
