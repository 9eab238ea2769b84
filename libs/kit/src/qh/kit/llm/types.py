"""The LLM port's values: what a service asks for and what it gets back."""

from __future__ import annotations

from typing import Any, Literal, Protocol, runtime_checkable

import msgspec

ProviderName = Literal["offline", "gemini", "openai"]
PROVIDERS: tuple[ProviderName, ...] = ("offline", "gemini", "openai")
PromptLanguage = Literal["ru", "en"]


class LLMRequest(msgspec.Struct, kw_only=True, frozen=True):
    """One generation: a prompt file by name and language, filled with ``variables``.

    With ``schema`` (a JSON Schema object) the answer must be JSON matching it; the result
    then carries it parsed in ``data``.
    """

    prompt: str
    language: PromptLanguage
    variables: dict[str, Any] = msgspec.field(default_factory=dict)
    schema: dict[str, Any] | None = None
    schema_name: str = "result"
    max_tokens: int = 1024
    temperature: float = 0.2

    def __post_init__(self) -> None:
        if self.max_tokens < 1:
            raise ValueError("max_tokens must be at least 1")
        if not 0.0 <= self.temperature <= 2.0:
            raise ValueError("temperature must be between 0 and 2")


class Usage(msgspec.Struct, kw_only=True, frozen=True):
    input_tokens: int | None = None
    output_tokens: int | None = None


class LLMResult(msgspec.Struct, kw_only=True, frozen=True):
    """A whole answer (never a partial one: failures raise instead).

    ``declined`` is true only for the offline provider asked for a prompt it has no
    deterministic writer for: ``text`` is then empty and ``data`` None, and the caller keeps
    its own (template) text.
    """

    text: str
    provider: ProviderName
    model: str
    usage: Usage = msgspec.field(default_factory=Usage)
    latency_ms: float = 0.0
    data: Any = None
    declined: bool = False


@runtime_checkable
class LLM(Protocol):
    """The port: one provider (or the router that chooses one per request)."""

    name: str

    async def generate(self, request: LLMRequest) -> LLMResult: ...
