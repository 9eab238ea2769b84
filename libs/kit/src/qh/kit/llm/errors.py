"""How a provider's failure reaches the caller: RFC 9457 problems, nothing half-done."""

from __future__ import annotations

from typing import Any

from qh.kit.problems import InvalidValue, Problem


class LLMUpstreamError(Problem):
    """The provider failed (5xx, refused the request, or answered something unusable)."""

    status, kind, title = 502, "upstream-error", "The text generation provider failed"


class LLMTimeout(Problem):
    status, kind, title = 504, "upstream-timeout", "The text generation provider timed out"


class LLMRateLimited(Problem):
    """The provider's 429, passed through with its ``Retry-After`` when it gave one."""

    status, kind, title = 429, "too-many-requests", "The text generation provider is busy"

    def __init__(self, detail: str | None = None, *, retry_after: float | None, **kw: Any) -> None:
        if retry_after is not None:
            kw.setdefault("headers", {"Retry-After": str(max(1, round(retry_after)))})
        super().__init__(detail, **kw)
        self.retry_after = retry_after


def not_configured(provider: str, field: str = "ai") -> InvalidValue:
    return InvalidValue.field(field, f"the AI provider {provider!r} is not configured here")
