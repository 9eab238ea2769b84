"""``ResumeGenerationContext``: the kit's context plus the renderer (templates and one
shared WeasyPrint font configuration) and the LLM router, built once per process. The
router needs the Secrets port (API keys), so it is made in ``start()``; a test passes its
own (``llm=``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qh.kit.context import ServiceContext
from qh.kit.llm import LLMRouter, OfflineLLM, Prompts
from qh.kit.runtime import Runtime
from qh.resume_generation.domain.resumes.documents import ResumeRenderer
from qh.resume_generation.domain.resumes.writing import offline_summary
from qh.resume_generation.settings import ResumeGenerationSettings

if TYPE_CHECKING:
    from qh.kit.app import ServiceDefinition

PROMPTS = Prompts("qh.resume_generation", "prompts")
OFFLINE_WRITERS = {"summary": offline_summary}


class ResumeGenerationContext(ServiceContext[ResumeGenerationSettings]):
    def __init__(
        self,
        definition: ServiceDefinition[ResumeGenerationSettings],
        settings: ResumeGenerationSettings,
        *,
        runtime: Runtime | None = None,
        llm: LLMRouter | None = None,
    ) -> None:
        super().__init__(definition, settings, runtime=runtime)
        self.renderer = ResumeRenderer()
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


__all__ = ["PROMPTS", "ResumeGenerationContext"]
