"""``CoverLettersContext``: the kit's context plus the letter renderer and the LLM router,
built once per process. The router needs the Secrets port (API keys), so it is made in
``start()``; a test passes its own (``llm=``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qh.cover_letters.domain.letters.composing import offline_letter
from qh.cover_letters.domain.letters.documents import LetterRenderer
from qh.cover_letters.settings import CoverLettersSettings
from qh.kit.context import ServiceContext
from qh.kit.llm import LLMRouter, OfflineLLM, Prompts
from qh.kit.runtime import Runtime

if TYPE_CHECKING:
    from qh.kit.app import ServiceDefinition

PROMPTS = Prompts("qh.cover_letters", "prompts")
OFFLINE_WRITERS = {"letter": offline_letter}


class CoverLettersContext(ServiceContext[CoverLettersSettings]):
    def __init__(
        self,
        definition: ServiceDefinition[CoverLettersSettings],
        settings: CoverLettersSettings,
        *,
        runtime: Runtime | None = None,
        llm: LLMRouter | None = None,
    ) -> None:
        super().__init__(definition, settings, runtime=runtime)
        self.renderer = LetterRenderer()
        self._own_llm = llm is None
        self.llm = llm or LLMRouter(
            {"offline": OfflineLLM(OFFLINE_WRITERS)}, default=settings.llm_default_provider
        )

    async def start(self) -> None:
        await super().start()
        if self._own_llm:
            self.llm = await LLMRouter.from_settings(
                self.settings, self.runtime.secrets, prompts=PROMPTS, offline=OFFLINE_WRITERS
            )

    async def stop(self) -> None:
        if self._own_llm:
            await self.llm.aclose()
        await super().stop()


__all__ = ["PROMPTS", "CoverLettersContext"]
