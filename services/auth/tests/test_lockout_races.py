"""The failure budget is taken before the password is checked: parallel guesses never get
more answers than the limit, and the right password is refused while the key is locked
(per account, per client address, and registrations per address)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import pytest

WRONG = "Wrong-Password-000"


async def _parallel(api: Any, calls: list[Any]) -> list[Any]:
    return list(await asyncio.gather(*calls))


async def test_fifty_parallel_guesses_get_at_most_the_limit_of_answers(api: Any) -> None:
    user = await api.register()
    responses = await _parallel(api, [api.login_response(user["email"], WRONG) for _ in range(50)])
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {401: 5, 429: 45}
    for response in responses:
        if response.status_code == 429:
            assert int(response.headers["retry-after"]) >= 1
    # while locked, the right password is refused like any guess
    right = await api.login_response(user["email"])
    assert right.status_code == 429
    assert int(right.headers["retry-after"]) >= 1


class TestPerAddress:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"login_ip_max_failures": 8, "login_account_max_failures": 100}

    async def test_parallel_guesses_from_one_address_stop_at_its_limit(self, api: Any) -> None:
        user = await api.register()
        responses = await _parallel(
            api,
            [api.login_response(f"victim{i}@example.com", WRONG) for i in range(30)],
        )
        assert Counter(r.status_code for r in responses) == {401: 8, 429: 22}
        assert (await api.login_response(user["email"])).status_code == 429


class TestSuccessGivesTheAttemptBack:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"login_ip_max_failures": 3}

    async def test_an_office_behind_one_address_can_log_in_many_times(self, api: Any) -> None:
        users = [await api.register() for _ in range(3)]
        for _ in range(3):
            for user in users:
                assert (await api.login_response(user["email"])).status_code == 200


class TestRegistrationPerAddress:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"register_ip_max_attempts": 4}

    async def test_parallel_registrations_from_one_address_stop_at_its_limit(
        self, api: Any
    ) -> None:
        responses = await _parallel(
            api,
            [
                api.client.post(
                    "/api/v1/auth/register",
                    json={
                        "email": f"new-{uuid.uuid4().hex[:8]}@example.com",
                        "password": "Violet-Harbour-Lantern-42",
                    },
                )
                for _ in range(12)
            ],
        )
        assert Counter(r.status_code for r in responses) == {201: 4, 429: 8}
        refused = next(r for r in responses if r.status_code == 429)
        assert int(refused.headers["retry-after"]) >= 1
        assert "registrations" in refused.json()["detail"]
