"""The user-data service: its :class:`ServiceDefinition`, the ``qh.services`` entry point."""

from __future__ import annotations

from pathlib import Path

from litestar.openapi.spec import Tag

from qh.kit.app import ServiceDefinition
from qh.user_data.db.models import Base
from qh.user_data.domain.examples import document_schemas
from qh.user_data.domain.exchange.controllers import EXCHANGE_ROUTES
from qh.user_data.domain.exchange.services import ExchangeService, provide_exchange
from qh.user_data.domain.profiles.controllers import PROFILE_ROUTES
from qh.user_data.domain.profiles.sections import SECTIONS
from qh.user_data.domain.profiles.services import ProfileService, provide_profiles
from qh.user_data.domain.profiles.subscribers import on_user_deleted, on_user_registered
from qh.user_data.settings import UserDataSettings

DESCRIPTION = """The candidate's profile: personal data and eleven sections (education,
experience, skills, languages, achievements, certificates, projects, volunteer,
publications, interests, references), each validated field by field (one 422 names every
bad field), exported as QH JSON or JSON Resume and imported from JSON Resume, a QH export
or LinkedIn's data archive. Every route works on the caller's own profile; another user's
item is 404."""

TAGS = [
    Tag(name="Personal data", description="Name, contacts, location, links and wishes"),
    *(Tag(name=spec.title, description=spec.create.__doc__) for spec in SECTIONS.values()),
    Tag(name="Export and import", description="The whole profile as one document"),
]

service: ServiceDefinition[UserDataSettings] = ServiceDefinition(
    slug="user-data",
    prefix="/api/v1/profile",
    title="QH user-data",
    description=DESCRIPTION,
    settings_class=UserDataSettings,
    metadata=lambda: Base.metadata,
    migrations=Path(__file__).parent / "db" / "migrations",
    route_handlers=[*PROFILE_ROUTES, *EXCHANGE_ROUTES],
    subscribers=[on_user_registered, on_user_deleted],
    providers={"profiles": provide_profiles, "exchange": provide_exchange},
    tags=TAGS,
    signature_namespace={"ProfileService": ProfileService, "ExchangeService": ExchangeService},
    configure_app=document_schemas,
)

__all__ = ["service"]
