"""argon2id at OWASP's parameters, bounded concurrency and rehash on login."""

from __future__ import annotations

import asyncio
from typing import Any

from argon2 import PasswordHasher as Argon2Hasher
from sqlalchemy import select, update

from qh.auth.db.models import User
from qh.auth.passwords import PasswordHasher, common_passwords, password_problem
from qh.auth.settings import AuthSettings


async def test_production_parameters_are_owasps() -> None:
    settings = AuthSettings(slug="auth")
    hasher = PasswordHasher(settings)
    hashed = await hasher.hash("Violet-Harbour-Lantern-42")
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await hasher.verify(hashed, "Violet-Harbour-Lantern-42")
    assert not await hasher.verify(hashed, "violet-harbour-lantern-42")


async def test_concurrent_hashes_are_bounded() -> None:
    settings = AuthSettings(
        slug="auth",
        password_hash_memory_kib=1024,
        password_hash_time_cost=1,
        password_hash_concurrency=2,
    )
    hasher = PasswordHasher(settings)
    running = peak = 0
    real = hasher._hasher

    class Counting:
        def hash(self, password: str) -> str:
            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            try:
                return real.hash(password)
            finally:
                running -= 1

    hasher._hasher = Counting()  # type: ignore[assignment]
    await asyncio.gather(*(hasher.hash(f"password-{i}") for i in range(12)))
    assert peak <= 2


def test_password_policy() -> None:
    settings = AuthSettings(slug="auth")
    assert len(common_passwords()) > 10_000
    assert password_problem("1234567", settings)
    assert password_problem("password1", settings)
    assert password_problem("Password1", settings)  # case-insensitive
    assert password_problem("a" * 1025, settings)
    assert password_problem("ada@example.com", settings, "ada@example.com")
    assert password_problem("Violet-Harbour-Lantern-42", settings) is None
    assert password_problem("пароль-из-кириллицы", settings) is None


async def test_hash_is_upgraded_on_login_when_parameters_change(api: Any) -> None:
    user = await api.register()
    weaker = Argon2Hasher(time_cost=1, memory_cost=512, parallelism=1).hash(user["password"])
    async with api.context.session_maker() as session, session.begin():
        await session.execute(
            update(User).where(User.email == user["email"]).values(password_hash=weaker)
        )
    await api.login(user["email"])
    async with api.context.session_maker() as session:
        stored = await session.scalar(select(User.password_hash).where(User.email == user["email"]))
    assert stored != weaker
    assert stored.startswith("$argon2id$v=19$m=1024,t=1,p=1$")  # the app's (test) parameters
    await api.login(user["email"])
