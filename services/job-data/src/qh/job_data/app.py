"""The job-data service: its :class:`ServiceDefinition`, the ``qh.services`` entry point."""

from __future__ import annotations

from pathlib import Path

from litestar.openapi.spec import Tag

from qh.job_data.context import JobDataContext
from qh.job_data.db.models import Base
from qh.job_data.domain.vacancies.controllers import SourcesController, VacancyController
from qh.job_data.domain.vacancies.services import VacancyService, provide_vacancies
from qh.job_data.domain.vacancies.subscribers import on_user_deleted
from qh.job_data.settings import JobDataSettings
from qh.kit.app import ServiceDefinition

DESCRIPTION = """The job seeker's vacancies: typed in, found through hh.ru's search, imported
from hh.ru (official API), LinkedIn, any page with a schema.org JobPosting or any plain page,
or read from what the user pastes; each normalised (salary with ISO 4217 currency,
experience, work format, required and optional skills, languages) in Russian and English,
with a status the user tracks (saved, applied, interview, offer, rejected) and notes. The
same source vacancy saved twice is merged. Every route works on the caller's own vacancies;
another user's vacancy is 404."""

TAGS = [
    Tag(name="Vacancies", description="Your saved vacancies, their status and notes"),
    Tag(name="Sources", description="hh.ru search, import from a URL, parsing pasted content"),
]

service: ServiceDefinition[JobDataSettings] = ServiceDefinition(
    slug="job-data",
    prefix="/api/v1/vacancies",
    title="QH job-data",
    description=DESCRIPTION,
    settings_class=JobDataSettings,
    metadata=lambda: Base.metadata,
    migrations=Path(__file__).parent / "db" / "migrations",
    route_handlers=[SourcesController, VacancyController],
    subscribers=[on_user_deleted],
    providers={"vacancies": provide_vacancies},
    context_class=JobDataContext,
    tags=TAGS,
    signature_namespace={"VacancyService": VacancyService},
)

__all__ = ["service"]
