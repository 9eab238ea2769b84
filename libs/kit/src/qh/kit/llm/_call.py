"""What the network providers share: retries with the kit's backoff, JSON answers."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import structlog
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from qh.kit.clock import utc_now
from qh.kit.llm.errors import LLMRateLimited, LLMTimeout, LLMUpstreamError
from qh.kit.retry import backoff

T = TypeVar("T")
log = structlog.get_logger("qh.llm")


class RetryPolicy:
    def __init__(
        self, *, timeout: float, max_attempts: int, backoff_seconds: float, backoff_max: float
    ) -> None:
        self.timeout, self.max_attempts = timeout, max_attempts
        self.backoff_seconds, self.backoff_max = backoff_seconds, backoff_max


class Retryable(Exception):
    """A failure worth another attempt: 429, 5xx, a timeout, a dropped connection."""

    def __init__(self, final: Exception, retry_after: float | None = None) -> None:
        super().__init__(str(final))
        self.final, self.retry_after = final, retry_after


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - utc_now()).total_seconds())


def classify_status(provider: str, status: int, retry_after: float | None, detail: str) -> None:
    """Raise the right failure for a non-2xx answer."""
    text = f"{provider} answered {status}: {detail[:300]}".strip()
    if status == 429:
        raise Retryable(LLMRateLimited(text, retry_after=retry_after), retry_after)
    if status in (408,) or status >= 500:
        raise Retryable(LLMUpstreamError(text))
    raise LLMUpstreamError(text)


async def with_retries(
    provider: str, policy: RetryPolicy, attempt: Callable[[], Awaitable[T]]
) -> T:
    """Run ``attempt`` under the timeout, retrying what is retryable with the kit's backoff.

    A 429 whose ``Retry-After`` is longer than the backoff cap is passed through at once.
    """
    for number in range(1, policy.max_attempts + 1):
        try:
            async with asyncio.timeout(policy.timeout):
                return await attempt()
        except TimeoutError:
            failure: Retryable = Retryable(
                LLMTimeout(f"{provider} gave no answer within {policy.timeout:g} s")
            )
        except Retryable as exc:
            failure = exc
        if number == policy.max_attempts:
            raise failure.final
        wait = backoff(number, policy.backoff_seconds, policy.backoff_max)
        if failure.retry_after is not None:
            if failure.retry_after > policy.backoff_max:
                raise failure.final
            wait = max(wait, failure.retry_after)
        log.warning("llm attempt failed", provider=provider, attempt=number, error=str(failure))
        await asyncio.sleep(wait)
    raise AssertionError("unreachable")


_FENCE = re.compile(r"^\s*```(?:json|JSON)?\s*\n?(.*?)\n?```\s*$", re.S)


def parse_json_answer(provider: str, text: str, schema: dict[str, Any]) -> Any:
    """The answer as JSON valid against ``schema``, or a 502 saying why not."""
    fenced = _FENCE.match(text)
    body = fenced.group(1) if fenced else text
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise LLMUpstreamError(f"{provider} answered malformed JSON: {exc}") from None
    try:
        errors = sorted(
            Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path)
        )
    except SchemaError as exc:  # the caller's schema, not the provider's answer
        raise ValueError(f"invalid JSON schema: {exc.message}") from None
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(root)"
        raise LLMUpstreamError(
            f"{provider} answered JSON that does not match the schema at {where}: {first.message}"
        )
    return data


def schema_instruction(language: str, schema: dict[str, Any]) -> str:
    shown = json.dumps(schema, ensure_ascii=False)
    if language == "ru":
        return f"Ответь только JSON-объектом, без пояснений, по этой JSON-схеме: {shown}"
    return f"Answer with a JSON object only, no explanations, matching this JSON schema: {shown}"
