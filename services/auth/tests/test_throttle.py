"""Brute force and enumeration: throttling per account and per client address, and the
same answer for an unknown e-mail as for a wrong password."""

from __future__ import annotations

import statistics
import time
from typing import Any

import pytest


async def test_twenty_wrong_passwords_in_a_row_are_throttled(api: Any) -> None:
    user = await api.register()
    statuses = []
    for _ in range(20):
        response = await api.login_response(user["email"], "Wrong-Password-000")
        statuses.append(response.status_code)
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}
    last = await api.login_response(user["email"], "Wrong-Password-000")
    assert last.status_code == 429
    assert int(last.headers["retry-after"]) >= 1
    assert last.headers["content-type"].startswith("application/problem+json")
    # while locked even the right password is refused, so guessing learns nothing
    assert (await api.login_response(user["email"])).status_code == 429


async def test_unknown_accounts_are_throttled_too(api: Any) -> None:
    statuses = [
        (await api.login_response("ghost@example.com", "Wrong-Password-000")).status_code
        for _ in range(7)
    ]
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429, 429]


async def test_a_successful_login_resets_the_account_count(api: Any) -> None:
    user = await api.register()
    for _ in range(4):
        assert (await api.login_response(user["email"], "Wrong-Password-000")).status_code == 401
    await api.login(user["email"])
    for _ in range(4):
        assert (await api.login_response(user["email"], "Wrong-Password-000")).status_code == 401


class TestPerAddress:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"login_ip_max_failures": 8, "login_account_max_failures": 100}

    async def test_one_address_trying_many_accounts_is_throttled(self, api: Any) -> None:
        statuses = []
        for i in range(10):
            response = await api.login_response(f"victim{i}@example.com", "Wrong-Password-000")
            statuses.append(response.status_code)
        assert statuses[:8] == [401] * 8
        assert statuses[8:] == [429, 429]

    async def test_x_forwarded_for_is_ignored_from_an_untrusted_peer(self, api: Any) -> None:
        statuses = []
        for i in range(10):
            response = await api.login_response(
                f"victim{i}@example.com",
                "Wrong-Password-000",
                **{"X-Forwarded-For": f"198.51.100.{i}"},
            )
            statuses.append(response.status_code)
        assert 429 in statuses


class TestTrustedProxy:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {
            "login_ip_max_failures": 3,
            "login_account_max_failures": 100,
            "trusted_proxies": "127.0.0.1/32",
        }

    async def test_the_trusted_proxys_forwarded_address_is_throttled(self, api: Any) -> None:
        spoofed = [
            (
                await api.login_response(
                    f"a{i}@example.com",
                    "Wrong-Password-000",
                    **{"X-Forwarded-For": f"203.0.113.{i}"},
                )
            ).status_code
            for i in range(6)
        ]
        assert spoofed == [401] * 6  # six different clients behind the proxy
        same = [
            (
                await api.login_response(
                    f"b{i}@example.com",
                    "Wrong-Password-000",
                    **{"X-Forwarded-For": "1.2.3.4, 203.0.113.99"},
                )
            ).status_code
            for i in range(4)
        ]
        assert same == [401, 401, 401, 429]  # the rightmost untrusted address counts


async def test_unknown_email_and_wrong_password_answer_the_same(api: Any) -> None:
    user = await api.register()
    wrong = await api.login_response(user["email"], "Wrong-Password-000")
    unknown = await api.login_response("nobody-here@example.com", "Wrong-Password-000")
    assert wrong.status_code == unknown.status_code == 401
    strip = lambda body: {k: v for k, v in body.items() if k not in ("request_id", "instance")}  # noqa: E731
    assert strip(wrong.json()) == strip(unknown.json())
    assert wrong.headers.get("www-authenticate") == unknown.headers.get("www-authenticate")
    assert wrong.headers["content-type"] == unknown.headers["content-type"]


async def test_an_unknown_email_costs_a_password_verification(
    api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = await api.register()
    calls: list[str | None] = []
    original = api.context.hasher.check

    async def spy(stored_hash: str | None, password: str) -> tuple[bool, bool]:
        calls.append(stored_hash)
        return await original(stored_hash, password)

    monkeypatch.setattr(api.context.hasher, "check", spy)
    await api.login_response("nobody-here@example.com", "Wrong-Password-000")
    await api.login_response(user["email"], "Wrong-Password-000")
    assert len(calls) == 2
    assert calls[0] is None
    assert calls[1] is not None


class TestTiming:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        # A hash cost large enough to dominate the request, as in production.
        return {
            "password_hash_memory_kib": 8192,
            "password_hash_time_cost": 2,
            "login_account_max_failures": 100,
        }

    async def test_unknown_email_and_wrong_password_take_comparable_time(self, api: Any) -> None:
        user = await api.register()

        async def timed(email: str) -> float:
            started = time.perf_counter()
            response = await api.login_response(email, "Wrong-Password-000")
            assert response.status_code == 401
            return time.perf_counter() - started

        known: list[float] = []
        unknown: list[float] = []
        for _ in range(9):  # interleaved, so drift on a busy machine hits both alike
            known.append(await timed(user["email"]))
            unknown.append(await timed("nobody-here@example.com"))
        ratio = statistics.median(unknown) / statistics.median(known)
        assert 0.5 < ratio < 2.0, (known, unknown)
