"""A problem's ``extra`` members reach the body beside the standard ones (RFC 9457 §3.2)."""

from __future__ import annotations

from litestar import Litestar, get
from litestar.testing import AsyncTestClient

from qh.kit.problems import PROBLEM_JSON, Forbidden, Problem, handle_problem


@get("/step-up", sync_to_thread=False)
def step_up() -> None:
    raise Forbidden("A second factor is needed", extra={"error": "mfa_required", "status": 1})


async def test_extension_members_are_in_the_body_and_cannot_replace_standard_ones() -> None:
    app = Litestar([step_up], exception_handlers={Problem: handle_problem})
    async with AsyncTestClient(app) as client:
        response = await client.get("/step-up")
    assert response.status_code == 403
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["error"] == "mfa_required"
    assert body["status"] == 403
    assert body["detail"] == "A second factor is needed"
