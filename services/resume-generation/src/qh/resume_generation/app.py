"""The resume-generation service: its :class:`ServiceDefinition`, the ``qh.services`` entry point."""

from __future__ import annotations

from pathlib import Path

from qh.kit.app import ServiceDefinition
from qh.resume_generation.context import ResumeGenerationContext
from qh.resume_generation.db.models import Base
from qh.resume_generation.domain.resumes.controllers import ResumeController
from qh.resume_generation.domain.resumes.services import ResumeService, provide_resumes
from qh.resume_generation.domain.resumes.subscribers import on_user_deleted
from qh.resume_generation.settings import ResumeGenerationSettings

DESCRIPTION = """Resumes built from the candidate's profile, tailored to a saved vacancy
(highlights ordered and trimmed by the vacancy's requirements, its required skills first),
in Russian or English, in three designs (classic ATS-safe, modern, compact one-page), A4 or
Letter. AI summaries (offline, Gemini or any OpenAI-compatible model) are checked against the
profile and offered as proposals to accept or reject. Preview as HTML; export as PDF, DOCX or
Markdown, each export stored in doc-storage as a new version of the resume's document."""

service: ServiceDefinition[ResumeGenerationSettings] = ServiceDefinition(
    slug="resume-generation",
    prefix="/api/v1/resumes",
    title="QH resume-generation",
    description=DESCRIPTION,
    settings_class=ResumeGenerationSettings,
    metadata=lambda: Base.metadata,
    migrations=Path(__file__).parent / "db" / "migrations",
    route_handlers=[ResumeController],
    subscribers=[on_user_deleted],
    providers={"resumes": provide_resumes},
    signature_namespace={"ResumeService": ResumeService},
    context_class=ResumeGenerationContext,
)

__all__ = ["service"]
