"""Password hashing: argon2id with a bound on concurrent hashes, and the password policy."""

from __future__ import annotations

import asyncio
import functools
import secrets
from importlib import resources

import anyio.to_thread
from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from qh.auth.settings import AuthSettings


@functools.cache
def common_passwords() -> frozenset[str]:
    text = resources.files("qh.auth").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def password_problem(password: str, settings: AuthSettings, email: str | None = None) -> str | None:
    """Why ``password`` is refused, or ``None``. Length counts characters, not bytes."""
    if len(password) < settings.password_min_length:
        return f"must be at least {settings.password_min_length} characters"
    if len(password) > settings.password_max_length:
        return f"must be at most {settings.password_max_length} characters"
    lowered = password.lower()
    if lowered in common_passwords():
        return "is one of the most common passwords; choose another"
    if email and lowered == email.lower():
        return "must not be the e-mail address"
    return None


class PasswordHasher:
    """argon2id hashing off the event loop. At most ``concurrency`` hashes run at once, so
    a burst of logins waits its turn instead of allocating ``m`` MiB per request."""

    def __init__(self, settings: AuthSettings) -> None:
        self._hasher = Argon2Hasher(
            time_cost=settings.password_hash_time_cost,
            memory_cost=settings.password_hash_memory_kib,
            parallelism=settings.password_hash_parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        self._concurrency = settings.password_hash_concurrency
        self._semaphore: asyncio.Semaphore | None = None
        self._dummy: str | None = None

    @property
    def semaphore(self) -> asyncio.Semaphore:
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self._concurrency)
        return self._semaphore

    async def hash(self, password: str) -> str:
        async with self.semaphore:
            return await anyio.to_thread.run_sync(self._hasher.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches. Without a stored hash (an unknown e-mail, a
        social-only account) a dummy hash is checked, so the answer takes as long."""
        target = stored_hash or await self._dummy_hash()
        async with self.semaphore:
            ok = await anyio.to_thread.run_sync(self._verify, target, password)
        return ok and stored_hash is not None

    def _verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True

    async def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = await self.hash(secrets.token_urlsafe(16))
        return self._dummy

    async def warm_up(self) -> None:
        await self._dummy_hash()
