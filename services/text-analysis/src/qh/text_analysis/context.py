"""``TextAnalysisContext``: the kit's context plus the analyzer (the sentence encoder with
its bounded cache and the parsed-document caches), built once per process. The encoder's
model loads on first use, never at import; ``preload_model`` loads it after start."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from qh.kit.context import ServiceContext
from qh.kit.runtime import Runtime
from qh.nlp.embeddings import SentenceEncoder
from qh.text_analysis.domain.analysis.engine import Analyzer
from qh.text_analysis.settings import TextAnalysisSettings

if TYPE_CHECKING:
    from qh.kit.app import ServiceDefinition


class TextAnalysisContext(ServiceContext[TextAnalysisSettings]):
    def __init__(
        self,
        definition: ServiceDefinition[TextAnalysisSettings],
        settings: TextAnalysisSettings,
        *,
        runtime: Runtime | None = None,
    ) -> None:
        super().__init__(definition, settings, runtime=runtime)
        self.encoder = SentenceEncoder(cache_size=settings.embedding_cache_size)
        self.analyzer = Analyzer(self.encoder, document_cache=settings.document_cache_size)
        self._warming: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await super().start()
        if self.settings.preload_model:
            self._warming = asyncio.create_task(asyncio.to_thread(self.encoder.warm_up))

    async def stop(self) -> None:
        if self._warming is not None:
            await asyncio.gather(self._warming, return_exceptions=True)
        await super().stop()


__all__ = ["TextAnalysisContext"]
