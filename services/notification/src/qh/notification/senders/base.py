"""The port every provider implements: send one message, say how it went.

A provider never raises for a failed send: it answers :class:`SendResult` with an
:class:`Outcome`, and the delivery worker decides (a transient failure is retried with
backoff, a permanent one is recorded and never retried, an invalid recipient also removes
a push token)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx


class Outcome(enum.StrEnum):
    SENT = "sent"
    TRANSIENT = "transient"
    """5xx, 429, a timeout, a dropped connection: tried again later."""
    PERMANENT = "permanent"
    """4xx, a refused recipient: recorded, never tried again."""
    INVALID_RECIPIENT = "invalid_recipient"
    """Permanent, and the address itself is dead (an unregistered push token)."""


@dataclass(frozen=True)
class Message:
    channel: str
    to: str
    text: str
    subject: str | None = None
    html: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    provider: str
    provider_id: str | None = None
    error: str | None = None


class Sender(Protocol):
    channel: str
    provider: str

    async def send(self, message: Message) -> SendResult: ...

    async def aclose(self) -> None: ...


def http_failure(provider: str, exc: httpx.HTTPError) -> SendResult:
    """A request that got no answer: a timeout or a connection error is transient."""
    kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "connection error"
    return SendResult(Outcome.TRANSIENT, provider, error=f"{kind}: {type(exc).__name__}")


def by_status(provider: str, response: httpx.Response, detail: str | None = None) -> SendResult:
    """A provider's refusal: 429 and 5xx are transient, any other 4xx is permanent."""
    error = f"HTTP {response.status_code}: {detail or response.text[:500]}"
    if response.status_code == 429 or response.status_code >= 500:
        return SendResult(Outcome.TRANSIENT, provider, error=error)
    return SendResult(Outcome.PERMANENT, provider, error=error)
