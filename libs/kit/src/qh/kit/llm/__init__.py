"""The LLM port: prompt files per language, three providers, failures as problems.

Nothing heavy is imported here: the Gemini SDK loads on the first Gemini call.
"""

from qh.kit.llm._call import RetryPolicy
from qh.kit.llm.errors import LLMRateLimited, LLMTimeout, LLMUpstreamError
from qh.kit.llm.gemini import GeminiLLM
from qh.kit.llm.offline import OfflineLLM, OfflineWriter
from qh.kit.llm.openai import OpenAICompatibleLLM
from qh.kit.llm.prompts import PromptNotFound, Prompts, RenderedPrompt
from qh.kit.llm.router import LLMRouter
from qh.kit.llm.settings import LLMServiceSettings
from qh.kit.llm.types import LLM, PROVIDERS, LLMRequest, LLMResult, ProviderName, Usage

__all__ = [
    "LLM",
    "PROVIDERS",
    "GeminiLLM",
    "LLMRateLimited",
    "LLMRequest",
    "LLMResult",
    "LLMRouter",
    "LLMServiceSettings",
    "LLMTimeout",
    "LLMUpstreamError",
    "OfflineLLM",
    "OfflineWriter",
    "OpenAICompatibleLLM",
    "PromptNotFound",
    "Prompts",
    "ProviderName",
    "RenderedPrompt",
    "RetryPolicy",
    "Usage",
]
