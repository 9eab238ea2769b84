"""``CoverLettersContext``: the kit's LLM service context (one router per process,
offline until ``start()`` adds the configured providers; a test passes its own ``llm=``)
plus the letter renderer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qh.cover_letters.domain.letters.composing import offline_letter
from qh.cover_letters.domain.letters.documents import LetterRenderer
from qh.cover_letters.settings import CoverLettersSettings
from qh.kit.llm import LLMRouter, Prompts
from qh.kit.llm.context import LLMServiceContext
from qh.kit.runtime import Runtime

if TYPE_CHECKING:
    from qh.kit.app import ServiceDefinition

PROMPTS = Prompts("qh.cover_letters", "prompts")


class CoverLettersContext(LLMServiceContext[CoverLettersSettings]):
    prompts = PROMPTS
    offline_writers = {"letter": offline_letter}

    def __init__(
        self,
        definition: ServiceDefinition[CoverLettersSettings],
        settings: CoverLettersSettings,
        *,
        runtime: Runtime | None = None,
        llm: LLMRouter | None = None,
    ) -> None:
        super().__init__(definition, settings, runtime=runtime, llm=llm)
        self.renderer = LetterRenderer()


__all__ = ["PROMPTS", "CoverLettersContext"]
