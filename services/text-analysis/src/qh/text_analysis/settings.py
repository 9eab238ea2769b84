"""Settings of the text-analysis service (env ``QH_TEXT_ANALYSIS_<FIELD>``, then ``QH_<FIELD>``)."""

from __future__ import annotations

from qh.kit.settings import ServiceSettings


class TextAnalysisSettings(ServiceSettings, kw_only=True):  # type: ignore[call-arg]
    """What the text-analysis service can be told beyond the platform's common settings."""

    max_text_chars: int = 60_000
    """The longest resume or vacancy text accepted (a longer one answers 422 naming the
    limit; a request body over 192 KiB answers 413 before it is read)."""

    embedding_cache_size: int = 5000
    """Sentence vectors kept in memory (2 KiB each), least recently used dropped first."""

    document_cache_size: int = 256
    """Parsed resumes and vacancies kept in memory."""

    preload_model: bool = False
    """Load the sentence encoder in the background when the service starts (else on the
    first request that needs it)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.max_text_chars < 1000:
            raise ValueError("max_text_chars must be at least 1000")
        if self.embedding_cache_size < 0 or self.document_cache_size < 0:
            raise ValueError("cache sizes must not be negative")
