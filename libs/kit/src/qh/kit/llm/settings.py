"""Settings of a service that generates text: subclass ``LLMServiceSettings``.

Field ``llm_gemini_model`` of service ``resume-generation`` is read from
``QH_RESUME_GENERATION_LLM_GEMINI_MODEL``, then ``QH_LLM_GEMINI_MODEL``. Keys come from the
Secrets port: ``gemini-api-key`` / ``openai-api-key``, else the shared ``llm-api-key``.
"""

from __future__ import annotations

from typing import Literal

from qh.kit.settings import ServiceSettings

OPENAI_BASE_URL = "https://api.openai.com/v1"


class LLMServiceSettings(ServiceSettings):
    # Used when a request does not name a provider (``ai`` omitted).
    llm_default_provider: Literal["offline", "gemini", "openai"] = "offline"
    llm_gemini_model: str = "gemini-2.5-flash"
    # Only for tests and proxies; the SDK's own endpoint when unset.
    llm_gemini_base_url: str | None = None
    # 0 turns thinking off (generation needs none); None leaves the model's default.
    llm_gemini_thinking_budget: int | None = 0
    llm_openai_model: str = "gpt-4o-mini"
    # Any OpenAI-compatible API: Ollama http://127.0.0.1:11434/v1, vLLM, LM Studio.
    # The provider counts as configured when this is set or an API key exists.
    llm_openai_base_url: str | None = None
    # How structured output is asked for first; a server that refuses json_schema is
    # asked again with json_object, then with the schema in the prompt only.
    llm_openai_json_mode: Literal["json_schema", "json_object", "prompt"] = "json_schema"
    llm_timeout_seconds: float = 60.0
    llm_max_attempts: int = 3
    llm_backoff_seconds: float = 1.0
    llm_backoff_max_seconds: float = 10.0

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.llm_timeout_seconds <= 0 or self.llm_max_attempts < 1:
            raise ValueError("llm_timeout_seconds must be positive, llm_max_attempts >= 1")
