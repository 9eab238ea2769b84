"""``LLMServiceContext``: the context of a service that has text written, holding one
:class:`~qh.kit.llm.LLMRouter` for the process.

The router needs the Secrets port (API keys), so the configured providers are added in
``start()``; until then, and in a test that passes its own router (``llm=``), only the
offline writers answer. A service names its prompts and offline writers once::

    class LettersContext(LLMServiceContext[LettersSettings]):
        prompts = Prompts("qh.letters", "prompts")
        offline_writers = {"letter": offline_letter}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, TypeVar

from qh.kit.context import ServiceContext
from qh.kit.llm.offline import OfflineLLM, OfflineWriter
from qh.kit.llm.prompts import Prompts
from qh.kit.llm.router import LLMRouter
from qh.kit.llm.settings import LLMServiceSettings
from qh.kit.runtime import Runtime

if TYPE_CHECKING:
    from qh.kit.app import ServiceDefinition

LS = TypeVar("LS", bound=LLMServiceSettings)


class LLMServiceContext(ServiceContext[LS]):
    prompts: ClassVar[Prompts]
    offline_writers: ClassVar[Mapping[str, OfflineWriter]] = {}

    def __init__(
        self,
        definition: ServiceDefinition[LS],
        settings: LS,
        *,
        runtime: Runtime | None = None,
        llm: LLMRouter | None = None,
    ) -> None:
        super().__init__(definition, settings, runtime=runtime)
        self._own_llm = llm is None
        self.llm = llm or LLMRouter(
            {"offline": OfflineLLM(self.offline_writers)}, default=settings.llm_default_provider
        )

    async def start(self) -> None:
        await super().start()
        if self._own_llm:
            self.llm = await LLMRouter.from_settings(
                self.settings,
                self.runtime.secrets,
                prompts=self.prompts,
                offline=self.offline_writers,
            )

    async def stop(self) -> None:
        if self._own_llm:
            await self.llm.aclose()
        await super().stop()


__all__ = ["LLMServiceContext"]
