"""``ResumeGenerationContext``: the kit's LLM service context (one router per process,
offline until ``start()`` adds the configured providers; a test passes its own ``llm=``)
plus the renderer: the templates and one shared WeasyPrint font configuration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qh.kit.llm import LLMRouter, Prompts
from qh.kit.llm.context import LLMServiceContext
from qh.kit.runtime import Runtime
from qh.resume_generation.domain.resumes.documents import ResumeRenderer
from qh.resume_generation.domain.resumes.writing import offline_summary
from qh.resume_generation.settings import ResumeGenerationSettings

if TYPE_CHECKING:
    from qh.kit.app import ServiceDefinition

PROMPTS = Prompts("qh.resume_generation", "prompts")


class ResumeGenerationContext(LLMServiceContext[ResumeGenerationSettings]):
    prompts = PROMPTS
    offline_writers = {"summary": offline_summary}

    def __init__(
        self,
        definition: ServiceDefinition[ResumeGenerationSettings],
        settings: ResumeGenerationSettings,
        *,
        runtime: Runtime | None = None,
        llm: LLMRouter | None = None,
    ) -> None:
        super().__init__(definition, settings, runtime=runtime, llm=llm)
        self.renderer = ResumeRenderer()


__all__ = ["PROMPTS", "ResumeGenerationContext"]
