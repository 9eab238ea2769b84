"""Gemini through the ``google-genai`` SDK (imported on first use: it takes ~1.5 s).

Thinking is off for generation (``thinking_budget=0``); structured output is
``response_mime_type="application/json"`` with ``response_json_schema``. The SDK's own
retries are turned off: the kit retries 429, 5xx and timeouts with its backoff.
"""

from __future__ import annotations

import re
import time
from typing import Any

from qh.kit.llm._call import (
    Retryable,
    RetryPolicy,
    classify_status,
    parse_json_answer,
    parse_retry_after,
    with_retries,
)
from qh.kit.llm.errors import LLMUpstreamError
from qh.kit.llm.prompts import Prompts
from qh.kit.llm.types import LLMRequest, LLMResult, Usage

_DELAY = re.compile(r"^(\d+(?:\.\d+)?)s$")


def _retry_after(exc: Any) -> float | None:
    """``Retry-After`` from the answer's headers, else Google's ``RetryInfo.retryDelay``."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is not None and (value := parse_retry_after(headers.get("retry-after"))):
        return value
    details = getattr(exc, "details", None)
    error = details.get("error", details) if isinstance(details, dict) else None
    for item in (error or {}).get("details", []) if isinstance(error, dict) else []:
        delay = item.get("retryDelay") if isinstance(item, dict) else None
        if isinstance(delay, str) and (match := _DELAY.match(delay)):
            return float(match.group(1))
    return None


class GeminiLLM:
    name = "gemini"

    def __init__(
        self,
        *,
        prompts: Prompts,
        model: str,
        api_key: str,
        policy: RetryPolicy,
        base_url: str | None = None,
        thinking_budget: int | None = 0,
    ) -> None:
        self.prompts, self.model, self.policy = prompts, model, policy
        self.api_key, self.base_url, self.thinking_budget = api_key, base_url, thinking_budget
        self._client: Any = None

    def _sdk(self) -> Any:
        if self._client is None:
            from google import genai
            from google.genai import types

            self._client = genai.Client(
                api_key=self.api_key,
                http_options=types.HttpOptions(
                    base_url=self.base_url,
                    timeout=int(self.policy.timeout * 1000),
                    retry_options=types.HttpRetryOptions(attempts=1),
                ),
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aio.aclose()
            self._client = None

    def _config(self, request: LLMRequest, system: str | None) -> Any:
        from google.genai import types

        config: dict[str, Any] = {
            "max_output_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        if system:
            config["system_instruction"] = system
        if self.thinking_budget is not None:
            config["thinking_config"] = types.ThinkingConfig(thinking_budget=self.thinking_budget)
        if request.schema is not None:
            config["response_mime_type"] = "application/json"
            config["response_json_schema"] = request.schema
        return types.GenerateContentConfig(**config)

    async def _attempt(self, user: str, config: Any) -> Any:
        from google.genai import errors

        client = self._sdk()
        try:
            return await client.aio.models.generate_content(
                model=self.model, contents=user, config=config
            )
        except errors.APIError as exc:
            classify_status("gemini", int(exc.code or 500), _retry_after(exc), exc.message or "")
        except TimeoutError:
            raise
        except Exception as exc:
            # The SDK's transport (httpx2, aiohttp) raises its own timeout and connection
            # errors; they are named alike.
            if "timeout" in type(exc).__name__.lower():
                raise TimeoutError() from exc
            if "connect" in type(exc).__name__.lower() or "network" in type(exc).__name__.lower():
                raise Retryable(LLMUpstreamError(f"gemini: connection failed: {exc}")) from exc
            raise LLMUpstreamError(f"gemini: unusable answer: {type(exc).__name__}") from exc
        raise AssertionError("unreachable")

    async def generate(self, request: LLMRequest) -> LLMResult:
        started = time.perf_counter()
        rendered = self.prompts.render(request.prompt, request.language, request.variables)
        config = self._config(request, rendered.system)
        response = await with_retries(
            "gemini", self.policy, lambda: self._attempt(rendered.user, config)
        )
        candidates = getattr(response, "candidates", None) or []
        if not candidates:
            blocked = getattr(getattr(response, "prompt_feedback", None), "block_reason", None)
            raise LLMUpstreamError(f"gemini answered no candidate (block reason: {blocked})")
        finish = str(getattr(candidates[0], "finish_reason", "") or "")
        if finish.endswith("MAX_TOKENS"):
            raise LLMUpstreamError(f"gemini's answer was cut at max_tokens={request.max_tokens}")
        if (
            finish
            and not finish.endswith("STOP")
            and not finish.endswith("FINISH_REASON_UNSPECIFIED")
        ):
            raise LLMUpstreamError(f"gemini stopped the answer: {finish}")
        text = response.text
        if not isinstance(text, str) or not text.strip():
            raise LLMUpstreamError("gemini answered an empty text")
        data = (
            parse_json_answer("gemini", text, request.schema)
            if request.schema is not None
            else None
        )
        usage = getattr(response, "usage_metadata", None)
        return LLMResult(
            text=text.strip(),
            data=data,
            provider="gemini",
            model=str(getattr(response, "model_version", None) or self.model),
            usage=Usage(
                input_tokens=getattr(usage, "prompt_token_count", None),
                output_tokens=getattr(usage, "candidates_token_count", None),
            ),
            latency_ms=(time.perf_counter() - started) * 1000,
        )
