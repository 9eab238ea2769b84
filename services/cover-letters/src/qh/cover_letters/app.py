"""The cover-letters service: its :class:`ServiceDefinition`, the ``qh.services`` entry point."""

from __future__ import annotations

from pathlib import Path

from qh.cover_letters.context import CoverLettersContext
from qh.cover_letters.db.models import Base
from qh.cover_letters.domain.letters.controllers import LetterController
from qh.cover_letters.domain.letters.services import LetterService, provide_letters
from qh.cover_letters.domain.letters.subscribers import on_user_deleted
from qh.cover_letters.settings import CoverLettersSettings
from qh.kit.app import ServiceDefinition

DESCRIPTION = """Cover letters for a saved vacancy, from the candidate's profile (and
optionally a resume): an opening tied to the company and role, the vacancy's top
requirements mapped to the candidate's own highlights and skills, a closing; formal,
friendly or enthusiastic, in Russian or English with each language's greeting and sign-off,
within a limit in words or characters. AI drafts (offline templates, Gemini or any
OpenAI-compatible model) are checked against the profile. Every edit is a version; export
as TXT, DOCX or PDF, each stored in doc-storage."""

service: ServiceDefinition[CoverLettersSettings] = ServiceDefinition(
    slug="cover-letters",
    prefix="/api/v1/cover-letters",
    title="QH cover-letters",
    description=DESCRIPTION,
    settings_class=CoverLettersSettings,
    metadata=lambda: Base.metadata,
    migrations=Path(__file__).parent / "db" / "migrations",
    route_handlers=[LetterController],
    subscribers=[on_user_deleted],
    providers={"letters": provide_letters},
    signature_namespace={"LetterService": LetterService},
    context_class=CoverLettersContext,
)

__all__ = ["service"]
