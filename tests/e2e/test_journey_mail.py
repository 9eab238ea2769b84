"""The journey reads the verification mail from Mailpit when it runs against a deployment
(``QH_E2E_MAILPIT_URL``); here Mailpit's API is stood in for at the transport, answering
the way its ``/api/v1/search`` and ``/api/v1/message/{ID}`` do."""

from __future__ import annotations

import httpx
from journey_support import mailpit_token, verification_token

LINK = "http://localhost/api/v1/auth/verify-email?token=tok_3Zq-9x&amp;lang=en"


def mailpit(messages: dict[str, dict[str, str]], to: str) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/search":
            assert request.url.params["query"] == f'to:"{to}"'
            return httpx.Response(200, json={"messages": [{"ID": key} for key in messages]})
        key = request.url.path.removeprefix("/api/v1/message/")
        return httpx.Response(200, json=messages[key])

    return httpx.MockTransport(handle)


async def test_the_token_comes_from_the_verification_mail() -> None:
    to = "richard@example.com"
    messages = {
        "welcome": {"Text": "Welcome to QH: http://localhost/", "HTML": ""},
        "verify": {"Text": "", "HTML": f'<a href="{LINK}">Confirm</a>'},
    }
    token = await mailpit_token("http://mailpit:8025", to, transport=mailpit(messages, to))
    assert token == "tok_3Zq-9x"


async def test_no_verification_mail_yet() -> None:
    to = "richard@example.com"
    messages = {"welcome": {"Text": "Welcome: http://localhost/", "HTML": ""}}
    assert await mailpit_token("http://mailpit:8025", to, transport=mailpit(messages, to)) is None


def test_a_front_end_link_works_too() -> None:
    links = ["https://qh.example.com/", "https://qh.example.com/verify-email?token=abc%2Bd"]
    assert verification_token(links) == "abc+d"
