"""Settings of the cover-letters service (env ``QH_COVER_LETTERS_<FIELD>``, then
``QH_<FIELD>``); the LLM fields come from :class:`LLMServiceSettings`."""

from __future__ import annotations

from qh.kit.llm import LLMServiceSettings


class CoverLettersSettings(LLMServiceSettings, kw_only=True):  # type: ignore[call-arg]
    """What the cover-letters service can be told beyond the platform's settings."""

    max_letters_per_user: int = 500
    """Letters one user may keep; one more answers 409."""

    store_exports: bool = True
    """Store every export in doc-storage as a new version of the letter's document."""

    tone_feedback: bool = True
    """Ask text-analysis for tone feedback on the draft returned with a letter."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.max_letters_per_user < 1:
            raise ValueError("max_letters_per_user must be at least 1")
