"""The user-data service: ``create_app(settings)`` and its :class:`ServiceDefinition`."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.di import Provide
from litestar.openapi.spec import Tag

from qh.kit.app import ServiceDefinition, create_service_app
from qh.kit.db import is_sqlite
from qh.kit.runtime import Runtime
from qh.user_data.db.models import Base
from qh.user_data.db.reader import ExportReader
from qh.user_data.db.sqlite import serialise_writes
from qh.user_data.domain.examples import document_schemas
from qh.user_data.domain.exchange.controllers import (
    export_profile,
    export_user_profile,
    import_route,
)
from qh.user_data.domain.profiles.controllers import profile_router
from qh.user_data.domain.profiles.sections import SECTIONS
from qh.user_data.domain.profiles.subscribers import SUBSCRIBERS
from qh.user_data.settings import UserDataSettings

DESCRIPTION = """The candidate's profile: personal data and seven sections (education,
experience, skills, languages, achievements, certificates, projects), each validated field
by field (422 names every bad field), exported as QH JSON or JSON Resume and imported from
JSON Resume. Every route works on the caller's own profile; another user's item is 404."""


def create_app(settings: UserDataSettings, *, runtime: Runtime | None = None) -> Litestar:
    tags = [
        Tag(name="Personal data", description="Name, contacts, location, links and wishes"),
        *(Tag(name=spec.title, description=spec.create.__doc__) for spec in SECTIONS.values()),
        Tag(name="Export and import", description="The whole profile as one document"),
    ]
    reader = ExportReader(settings)
    app = create_service_app(
        settings,
        definition=service,
        route_handlers=[
            profile_router([export_profile, export_user_profile, import_route(settings)])
        ],
        subscribers=SUBSCRIBERS,
        runtime=runtime,
        tags=tags,
        dependencies={"reader": Provide(lambda: reader, sync_to_thread=False)},
        lifespan=[reader.lifespan],
    )
    if is_sqlite(settings.resolved_database_url):
        serialise_writes(app.state.qh.db.get_engine())
    document_schemas(app)
    return app


service = ServiceDefinition(
    slug="user-data",
    prefix="/api/v1/profile",
    title="QH user-data",
    description=DESCRIPTION,
    settings_class=UserDataSettings,
    app_factory=create_app,
    metadata=lambda: Base.metadata,
    migrations=Path(__file__).parent / "db" / "migrations",
)

__all__ = ["create_app", "service"]
