"""Any OpenAI-compatible chat API (OpenAI, Ollama, vLLM, LM Studio) through httpx.

``POST {base_url}/chat/completions``. Structured output asks for
``response_format={"type": "json_schema", ...}``; a server that refuses it (400 naming
``response_format``/``json_schema``) is asked again with ``json_object`` and then with the
schema in the prompt only, and the provider remembers the mode that worked.
"""

from __future__ import annotations

import time
from typing import Any, Literal

import httpx

from qh.kit.llm._call import (
    Retryable,
    RetryPolicy,
    classify_status,
    parse_json_answer,
    parse_retry_after,
    schema_instruction,
    with_retries,
)
from qh.kit.llm.errors import LLMUpstreamError
from qh.kit.llm.prompts import Prompts
from qh.kit.llm.types import LLMRequest, LLMResult, Usage

JsonMode = Literal["json_schema", "json_object", "prompt"]
_DOWNGRADE: dict[JsonMode, JsonMode] = {"json_schema": "json_object", "json_object": "prompt"}


class _Unsupported(Exception):
    pass


class OpenAICompatibleLLM:
    name = "openai"

    def __init__(
        self,
        *,
        prompts: Prompts,
        base_url: str,
        model: str,
        api_key: str | None,
        policy: RetryPolicy,
        json_mode: JsonMode = "json_schema",
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.prompts, self.model, self.policy, self.json_mode = prompts, model, policy, json_mode
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            headers=headers,
            timeout=httpx.Timeout(policy.timeout),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    def _body(self, request: LLMRequest, mode: JsonMode) -> dict[str, Any]:
        rendered = self.prompts.render(request.prompt, request.language, request.variables)
        user = rendered.user
        if request.schema is not None and mode != "json_schema":
            user = f"{user}\n\n{schema_instruction(request.language, request.schema)}"
        messages = [{"role": "user", "content": user}]
        if rendered.system:
            messages.insert(0, {"role": "system", "content": rendered.system})
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
        }
        if request.schema is not None and mode == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": request.schema_name, "schema": request.schema},
            }
        elif request.schema is not None and mode == "json_object":
            body["response_format"] = {"type": "json_object"}
        return body

    async def _attempt(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self.client.post("chat/completions", json=body)
        except httpx.TimeoutException as exc:
            raise TimeoutError() from exc
        except httpx.TransportError as exc:
            raise Retryable(LLMUpstreamError(f"openai: connection failed: {exc}")) from exc
        if response.status_code == 400 and "response_format" in body:
            lowered = response.text.lower()
            if "response_format" in lowered or "json_schema" in lowered:
                raise _Unsupported()
        if response.status_code >= 300:
            classify_status(
                "openai",
                response.status_code,
                parse_retry_after(response.headers.get("retry-after")),
                response.text,
            )
        try:
            answer = response.json()
        except ValueError:
            raise LLMUpstreamError("openai answered something that is not JSON") from None
        if not isinstance(answer, dict):
            raise LLMUpstreamError("openai answered an unexpected body")
        return answer

    async def generate(self, request: LLMRequest) -> LLMResult:
        started = time.perf_counter()
        mode: JsonMode = self.json_mode
        while True:
            body = self._body(request, mode)
            try:
                answer = await with_retries(
                    "openai", self.policy, lambda body=body: self._attempt(body)
                )
                break
            except _Unsupported:
                if mode not in _DOWNGRADE:
                    raise LLMUpstreamError("openai refused the structured output request") from None
                mode = _DOWNGRADE[mode]
                self.json_mode = mode
        try:
            choice = answer["choices"][0]
            text = choice["message"]["content"]
            finish = choice.get("finish_reason")
        except (KeyError, IndexError, TypeError):
            raise LLMUpstreamError("openai answered without choices[0].message.content") from None
        if not isinstance(text, str) or not text.strip():
            raise LLMUpstreamError("openai answered an empty text")
        if finish == "length":
            raise LLMUpstreamError(f"openai's answer was cut at max_tokens={request.max_tokens}")
        if finish == "content_filter":
            raise LLMUpstreamError("openai's content filter stopped the answer")
        data = (
            parse_json_answer("openai", text, request.schema)
            if request.schema is not None
            else None
        )
        usage = answer.get("usage") or {}
        return LLMResult(
            text=text.strip(),
            data=data,
            provider="openai",
            model=str(answer.get("model") or self.model),
            usage=Usage(
                input_tokens=usage.get("prompt_tokens"),
                output_tokens=usage.get("completion_tokens"),
            ),
            latency_ms=(time.perf_counter() - started) * 1000,
        )
