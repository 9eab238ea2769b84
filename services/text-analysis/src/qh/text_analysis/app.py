"""The text-analysis service: its :class:`ServiceDefinition`, the ``qh.services`` entry point."""

from __future__ import annotations

from pathlib import Path

from qh.kit.app import ServiceDefinition
from qh.text_analysis.context import TextAnalysisContext
from qh.text_analysis.db.models import Base
from qh.text_analysis.domain.analysis.controllers import AnalysisController
from qh.text_analysis.domain.analysis.services import AnalysisService, provide_analyses
from qh.text_analysis.domain.analysis.subscribers import on_user_deleted
from qh.text_analysis.settings import TextAnalysisSettings

DESCRIPTION = """How well a resume matches a vacancy and why, in Russian and English: a
0–100 score that is a documented weighted mean of components (skills, title, experience,
languages, education, keywords, semantic similarity), matched and missing terms,
highlights with character offsets into both texts, and recommendations; resume review and
tone. Texts by value, or the caller's profile and saved vacancies by reference (stored in
the caller's history)."""

service: ServiceDefinition[TextAnalysisSettings] = ServiceDefinition(
    slug="text-analysis",
    prefix="/api/v1/analysis",
    title="QH text-analysis",
    description=DESCRIPTION,
    settings_class=TextAnalysisSettings,
    metadata=lambda: Base.metadata,
    migrations=Path(__file__).parent / "db" / "migrations",
    route_handlers=[AnalysisController],
    subscribers=[on_user_deleted],
    providers={"analyses": provide_analyses},
    signature_namespace={"AnalysisService": AnalysisService},
    context_class=TextAnalysisContext,
)

__all__ = ["service"]
