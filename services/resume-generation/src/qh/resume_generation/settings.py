"""Settings of the resume-generation service (env ``QH_RESUME_GENERATION_<FIELD>``, then
``QH_<FIELD>``); the LLM fields come from :class:`LLMServiceSettings`."""

from __future__ import annotations

from qh.kit.llm import LLMServiceSettings


class ResumeGenerationSettings(LLMServiceSettings, kw_only=True):  # type: ignore[call-arg]
    """What the resume-generation service can be told beyond the platform's settings."""

    max_highlights_per_job: int = 5
    """Highlights a tailored job keeps (the most relevant to the vacancy first)."""

    max_resumes_per_user: int = 200
    """Resumes one user may keep; one more answers 409."""

    store_exports: bool = True
    """Store every export in doc-storage as a new version of the resume's document."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 1 <= self.max_highlights_per_job <= 50:
            raise ValueError("max_highlights_per_job must be between 1 and 50")
        if self.max_resumes_per_user < 1:
            raise ValueError("max_resumes_per_user must be at least 1")
