"""argon2id at OWASP's parameters, bounded concurrency and rehash on login."""

from __future__ import annotations

import asyncio
import hashlib
import http.server
import secrets
import socket
import threading
import time
import unicodedata
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from argon2 import PasswordHasher as Argon2Hasher
from sqlalchemy import select, update

from qh.auth.db.models import User
from qh.auth.passwords import (
    COMMON,
    PERSONAL,
    REPEATED,
    TOO_LONG,
    TOO_MANY_BYTES,
    TOO_SHORT,
    BreachedPasswords,
    PasswordHasher,
    common_passwords,
    password_problem,
)
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
    assert len(common_passwords()) >= 100_000
    assert password_problem("1234567", settings) == TOO_SHORT.format(n=8)
    assert password_problem("password1", settings) == COMMON
    assert password_problem("Password1", settings) == COMMON  # case-insensitive
    assert password_problem("aaaaaaaa", settings) == REPEATED
    assert password_problem("Password123!", settings) == COMMON  # digits and symbols around
    assert password_problem("Summer2024", settings) == COMMON
    assert password_problem("P@ssw0rd!!", settings) == COMMON  # leet
    assert password_problem("a" * 257, settings) == TOO_LONG.format(n=256)
    cyrillic = ("яблоко-груша-слива-" * 14)[:256]
    assert password_problem(cyrillic, settings) is None  # 256 characters, ~470 bytes

    assert password_problem("ℌ𝔢𝔩𝔩𝔬𝔚𝔬𝔯𝔩𝔡", settings) == COMMON  # NFKC: "HelloWorld"
    longer = AuthSettings(slug="auth", password_max_length=1000)
    assert password_problem("😀🌍" * 150, longer) == TOO_MANY_BYTES  # 1200 bytes
    assert password_problem("Violet-Harbour-Lantern-42", settings) is None
    assert password_problem("пароль-из-кириллицы", settings) is None
    assert password_problem("correct horse battery staple " * 2, settings) is None  # 58
    assert password_problem("Quiet-Otter-Sails-North-" + "x9" * 20, settings) is None  # 64


def test_passwords_built_from_the_users_email_or_name_are_refused() -> None:
    settings = AuthSettings(slug="auth")
    email, name = "ivan.petrov@почта.рф", "Ada Lovelace"
    for password in (
        "ivan.petrov@почта.рф",
        "Ivan.Petrov",
        "IvanPetrov2024!",
        "1vanPetr0v",
        "petrov_1987",
        "почта2024!",
        "Lovelace1815",
        "AdaLovelace!",
        "xxLovelace1",
    ):
        assert password_problem(password, settings, email, name) == PERSONAL, password
    assert password_problem("Violet-Harbour-Lantern-42", settings, email, name) is None
    # another person's name is not this user's
    assert password_problem("Velvetorchid1815", settings, "ivan@example.com", "Ivan") is None
    assert (
        password_problem("Velvetorchid1815", settings, "v@example.com", "Velvet Orchid") == PERSONAL
    )


def test_the_list_is_read_once_into_a_set() -> None:
    assert common_passwords() is common_passwords()
    assert isinstance(common_passwords(), frozenset)


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


NFC = "Café-Überfahrt-Säule"  # composed characters
NFD = unicodedata.normalize("NFD", NFC)


async def test_a_password_typed_nfc_at_registration_and_nfd_at_login_works(api: Any) -> None:
    assert NFC != NFD
    user = await api.register(password=NFC)
    await api.login(user["email"], NFD)
    other = await api.register(password=NFD)
    await api.login(other["email"], NFC)


async def test_a_hash_made_before_normalisation_still_verifies_and_is_replaced(
    api: Any,
) -> None:
    user = await api.register()
    # an account whose hash was made from the NFD form as typed, before NFKC
    old = Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1).hash(NFD)
    async with api.context.session_maker() as session, session.begin():
        await session.execute(
            update(User).where(User.email == user["email"]).values(password_hash=old)
        )
    await api.login(user["email"], NFD)
    async with api.context.session_maker() as session:
        stored = await session.scalar(select(User.password_hash).where(User.email == user["email"]))
    assert stored != old
    assert Argon2Hasher().verify(stored, NFC)  # now the NFKC form
    await api.login(user["email"], NFC)


async def test_refused_passwords_say_why_in_the_field_password(api: Any) -> None:
    for password, words in (
        ("aaaaaaaa", "repeated"),
        ("Password123!", "most common"),
        ("Summer2024", "most common"),
        ("short", "at least 8"),
        ("x" * 300, "at most 256"),
    ):
        response = await api.client.post(
            "/api/v1/auth/register", json={"email": "n@example.com", "password": password}
        )
        assert response.status_code == 422, password
        errors = response.json()["errors"]
        assert errors[0]["field"] == "password"
        assert words in errors[0]["message"], (password, errors)
    response = await api.client.post(
        "/api/v1/auth/register",
        json={"email": "ada.lovelace@example.com", "password": "Lovelace1815", "full_name": "Ada"},
    )
    assert response.status_code == 422
    assert "e-mail address or name" in response.json()["errors"][0]["message"]


async def test_a_sixty_four_character_passphrase_is_accepted(api: Any) -> None:
    passphrase = "four rivers meet under a quiet northern sky where no wind blows."
    assert len(passphrase) == 64
    user = await api.register(password=passphrase)
    await api.login(user["email"], passphrase)


# --- the breached-password check against a local stub of the range API -----------------


BREACHED_PASSWORD = "Tangerine-Walrus-Piano-77"


class RangeStub:
    """A local HTTP server answering ``GET /range/<prefix>`` as the range API does, with
    padding lines (count 0); ``delay`` makes it slow."""

    def __init__(self, delay: float = 0.0) -> None:
        self.requests: list[tuple[str, str | None]] = []
        self.delay = delay
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stub.requests.append((self.path, self.headers.get("Add-Padding")))
                time.sleep(stub.delay)
                sha1 = hashlib.sha1(BREACHED_PASSWORD.encode()).hexdigest().upper()
                lines = [f"{secrets.token_hex(18).upper()[:35]}:0" for _ in range(20)]
                if self.path.endswith("/" + sha1[:5]):
                    lines.append(f"{sha1[5:]}:4211")
                body = "\r\n".join(lines).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/range"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> RangeStub:
        self.thread.start()
        return self

    def __exit__(self, *args: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def range_stub() -> Iterator[RangeStub]:
    with RangeStub() as stub:
        yield stub


class TestBreachedPasswords:
    @pytest.fixture
    def settings_overrides(self, range_stub: RangeStub) -> dict[str, Any]:
        return {"breached_password_check": True, "breached_password_api_url": range_stub.url}

    async def test_a_breached_password_is_refused_and_only_a_prefix_leaves(
        self, api: Any, range_stub: RangeStub
    ) -> None:
        response = await api.client.post(
            "/api/v1/auth/register", json={"email": "b@example.com", "password": BREACHED_PASSWORD}
        )
        assert response.status_code == 422
        assert "data breach" in response.json()["errors"][0]["message"]
        path, padding = range_stub.requests[-1]
        assert path == "/range/" + hashlib.sha1(BREACHED_PASSWORD.encode()).hexdigest().upper()[:5]
        assert padding == "true"
        await api.register(password="Violet-Harbour-Lantern-42")  # not in the answer


class TestBreachedPasswordsFailOpen:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"breached_password_check": True, "breached_password_timeout_seconds": 0.3}

    async def test_a_slow_api_lets_the_password_through(
        self, settings: AuthSettings, capsys: pytest.CaptureFixture[str]
    ) -> None:
        with RangeStub(delay=1.0) as stub:
            checker = BreachedPasswords(
                msgspec.structs.replace(settings, breached_password_api_url=stub.url)
            )
            started = time.perf_counter()
            assert await checker.is_breached(BREACHED_PASSWORD) is False
            assert time.perf_counter() - started < 0.9
        assert "breached_password_check_unavailable" in capsys.readouterr().out

    async def test_an_unreachable_api_lets_the_password_through(
        self, settings: AuthSettings
    ) -> None:
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
        checker = BreachedPasswords(
            msgspec.structs.replace(
                settings, breached_password_api_url=f"http://127.0.0.1:{port}/range"
            )
        )
        assert await checker.is_breached(BREACHED_PASSWORD) is False


async def test_the_check_is_off_by_default(settings: AuthSettings) -> None:
    assert settings.breached_password_check is False
    assert await BreachedPasswords(settings).is_breached(BREACHED_PASSWORD) is False
