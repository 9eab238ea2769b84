"""The offline provider: deterministic, no network, the default.

By itself it writes no free text: every request comes back ``declined`` (empty text), so
the caller keeps its own template output. A service plugs its extractive or template
generation in as writers, one per prompt name or one for all:

    OfflineLLM({"summary": write_summary, "letter": write_letter})

A writer takes the :class:`LLMRequest` (sync or async) and returns the text, a JSON value
for a request with a schema (checked against it), or None to decline.
"""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from qh.kit.llm._call import parse_json_answer
from qh.kit.llm.types import LLMRequest, LLMResult

OfflineWriter = Callable[[LLMRequest], "Any | Awaitable[Any]"]

OFFLINE_MODEL = "deterministic"


class OfflineLLM:
    name = "offline"

    def __init__(
        self,
        writers: Mapping[str, OfflineWriter] | OfflineWriter | None = None,
        *,
        model: str = OFFLINE_MODEL,
    ) -> None:
        self.model = model
        self._one: OfflineWriter | None = None
        self._by_prompt: dict[str, OfflineWriter] = {}
        if callable(writers):
            self._one = writers
        elif writers is not None:
            self._by_prompt = dict(writers)

    def writer(self, prompt: str) -> OfflineWriter | None:
        return self._by_prompt.get(prompt, self._one)

    async def generate(self, request: LLMRequest) -> LLMResult:
        started = time.perf_counter()
        writer = self.writer(request.prompt)
        produced = writer(request) if writer is not None else None
        if inspect.isawaitable(produced):
            produced = await produced
        if produced is None:
            return LLMResult(text="", provider="offline", model=self.model, declined=True)
        data: Any = None
        if isinstance(produced, str):
            text = produced
            if request.schema is not None:
                data = parse_json_answer("offline", text, request.schema)
        else:
            text = json.dumps(produced, ensure_ascii=False)
            if request.schema is not None:
                data = parse_json_answer("offline", text, request.schema)
            else:
                data = produced
        return LLMResult(
            text=text,
            data=data,
            provider="offline",
            model=self.model,
            latency_ms=(time.perf_counter() - started) * 1000,
        )
