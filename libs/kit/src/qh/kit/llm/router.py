"""The providers a service has, chosen per request (``ai: offline|gemini|openai``)."""

from __future__ import annotations

from collections.abc import Mapping

from jsonschema import Draft202012Validator

from qh.kit.llm._call import RetryPolicy
from qh.kit.llm.errors import not_configured
from qh.kit.llm.gemini import GeminiLLM
from qh.kit.llm.offline import OfflineLLM, OfflineWriter
from qh.kit.llm.openai import OpenAICompatibleLLM
from qh.kit.llm.prompts import Prompts
from qh.kit.llm.settings import OPENAI_BASE_URL, LLMServiceSettings
from qh.kit.llm.types import LLM, LLMRequest, LLMResult
from qh.kit.runtime import Secrets


class LLMRouter:
    name = "router"

    def __init__(self, providers: Mapping[str, LLM], default: str = "offline") -> None:
        self.providers = dict(providers)
        self.providers.setdefault("offline", OfflineLLM())
        self.default = default

    @property
    def configured(self) -> list[str]:
        return sorted(self.providers)

    def provider(self, ai: str | None = None, *, field: str = "ai") -> LLM:
        """The provider named ``ai`` (the default when None); a 422 naming ``field`` when
        this service has no such provider configured."""
        name = ai or self.default
        try:
            return self.providers[name]
        except KeyError:
            raise not_configured(name, field) from None

    async def generate(self, request: LLMRequest, ai: str | None = None) -> LLMResult:
        if request.schema is not None:
            Draft202012Validator.check_schema(request.schema)
        return await self.provider(ai).generate(request)

    async def aclose(self) -> None:
        for provider in self.providers.values():
            close = getattr(provider, "aclose", None)
            if close is not None:
                await close()

    @classmethod
    async def from_settings(
        cls,
        settings: LLMServiceSettings,
        secrets: Secrets,
        *,
        prompts: Prompts,
        offline: OfflineLLM | Mapping[str, OfflineWriter] | OfflineWriter | None = None,
    ) -> LLMRouter:
        """Every provider the settings and secrets allow: gemini with a key, openai with a
        key or a base URL (a local Ollama needs none), offline always."""
        policy = RetryPolicy(
            timeout=settings.llm_timeout_seconds,
            max_attempts=settings.llm_max_attempts,
            backoff_seconds=settings.llm_backoff_seconds,
            backoff_max=settings.llm_backoff_max_seconds,
        )
        shared_key = await secrets.get("llm-api-key")
        providers: dict[str, LLM] = {
            "offline": offline if isinstance(offline, OfflineLLM) else OfflineLLM(offline)
        }
        gemini_key = await secrets.get("gemini-api-key") or shared_key
        if gemini_key:
            providers["gemini"] = GeminiLLM(
                prompts=prompts,
                model=settings.llm_gemini_model,
                api_key=gemini_key,
                policy=policy,
                base_url=settings.llm_gemini_base_url,
                thinking_budget=settings.llm_gemini_thinking_budget,
            )
        openai_key = await secrets.get("openai-api-key") or shared_key
        if openai_key or settings.llm_openai_base_url:
            providers["openai"] = OpenAICompatibleLLM(
                prompts=prompts,
                base_url=settings.llm_openai_base_url or OPENAI_BASE_URL,
                model=settings.llm_openai_model,
                api_key=openai_key,
                policy=policy,
                json_mode=settings.llm_openai_json_mode,
            )
        return cls(providers, default=settings.llm_default_provider)
