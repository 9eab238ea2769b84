"""The web client: its :class:`ServiceDefinition`, the ``qh.services`` entry point.

Served at ``/`` (``qh dev`` gives it every path the APIs and the host leave; the ingress
routes ``/`` to it). Every page is public as far as the kit's bearer guard goes: the
visitor is known by the session cookie, and the pages act for them by forwarding their
own access token to the public APIs through the Invoker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.exceptions import HTTPException, NotFoundException
from litestar.openapi.spec import Tag

from qh.kit.app import ServiceDefinition
from qh.web.context import WebContext
from qh.web.db.models import Base
from qh.web.pages.account import AccountPages
from qh.web.pages.analysis import AnalysisPages
from qh.web.pages.auth import AuthPages
from qh.web.pages.cover_letters import CoverLetterPages
from qh.web.pages.documents import DocumentPages
from qh.web.pages.notifications import NotificationPages
from qh.web.pages.profile import ProfilePages
from qh.web.pages.resumes import ResumePages
from qh.web.pages.vacancies import VacancyPages
from qh.web.settings import WebSettings
from qh.web.web import PAGE_EXCEPTION_HANDLERS, on_http_exception, on_not_found, static_file

DESCRIPTION = """The pages a job seeker uses, in Russian and English: sign-up and sign-in
(with two-factor), the profile editor, vacancies and their board, match analyses, reviews
and documents. Server-rendered HTML (Jinja2 + htmx from the package, no inline script);
every form carries a CSRF token. The pages call only the platform's public APIs, as the
signed-in user."""


def configure(app: Litestar, context: Any) -> None:
    """Unknown pages and other HTTP errors as pages (problems under ``/api/``)."""
    app.exception_handlers.update(
        {
            NotFoundException: on_not_found,
            HTTPException: on_http_exception,
            **PAGE_EXCEPTION_HANDLERS,
        }
    )


service: ServiceDefinition[WebSettings] = ServiceDefinition(
    slug="web",
    prefix="/",
    title="QH web",
    description=DESCRIPTION,
    settings_class=WebSettings,
    metadata=lambda: Base.metadata,
    migrations=Path(__file__).parent / "db" / "migrations",
    route_handlers=[
        AuthPages,
        AccountPages,
        ProfilePages,
        VacancyPages,
        AnalysisPages,
        DocumentPages,
        NotificationPages,
        ResumePages,
        CoverLetterPages,
        static_file,
    ],
    context_class=WebContext,
    public_routes=True,
    tags=[
        Tag(name="Pages: account", description="Sign-up, sign-in, account settings"),
        Tag(name="Pages: profile", description="The profile editor, import and export"),
        Tag(name="Pages: vacancies", description="Adding vacancies, the board, one vacancy"),
        Tag(name="Pages: analysis", description="Match, resume review and tone"),
        Tag(name="Pages: documents", description="Documents, versions and share links"),
        Tag(name="Pages: resumes", description="Designs, the editor with its preview, exports"),
        Tag(name="Pages: cover letters", description="Drafts, tone, versions and exports"),
        Tag(name="Pages: notifications", description="The inbox, the live bell, preferences"),
    ],
    signature_namespace={"WebContext": WebContext},
    configure_app=configure,
)

__all__ = ["service"]
