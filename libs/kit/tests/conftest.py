"""A small service built with the kit, used by the kit's own tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import httpx
import msgspec
import pytest
from advanced_alchemy.base import UUIDv7PrimaryKey
from advanced_alchemy.mixins import AuditColumns
from litestar import Litestar, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, RawBody
from sqlalchemy import String, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from qh.contracts import Topic
from qh.contracts.events import Payload
from qh.kit.app import ServiceDefinition
from qh.kit.auth import Principal, requires_role
from qh.kit.cloudevents import Event, EventStatus
from qh.kit.context import ServiceContext
from qh.kit.db import declarative_base
from qh.kit.pagination import Page, PageParams
from qh.kit.problems import NotFound
from qh.kit.runtime import LocalRuntime, Runtime
from qh.kit.settings import ServiceSettings
from qh.kit.subscriptions import subscribe
from qh.kit.testing import TokenFactory, jwks_app, running, settings_for_tests

Base = declarative_base()


class Note(UUIDv7PrimaryKey, AuditColumns, Base):
    __tablename__ = "demo_note"
    owner_id: Mapped[UUID] = mapped_column(index=True)
    text: Mapped[str] = mapped_column(String(200))


class Noted(Payload):
    note_id: UUID
    owner_id: UUID
    text: str


NOTED = Topic("demo.noted", 1, Noted)


class NoteIn(msgspec.Struct, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    priority: Annotated[int, msgspec.Meta(ge=1, le=5)] = 3


class NoteOut(msgspec.Struct):
    id: UUID
    text: str


class DemoSettings(ServiceSettings, kw_only=True):
    greeting: str = "hello"


@dataclass
class Inbound:
    """What the demo subscriber saw, and how it should behave."""

    fail_times: int = 0
    always_fail: bool = False
    processed: list[str] = field(default_factory=list)
    attempts: int = 0


class NoteService:
    """The demo's rules, on the session it is given (a request's, a subscriber's)."""

    def __init__(self, session: AsyncSession, context: ServiceContext[DemoSettings]) -> None:
        self.session = session
        self.outbox = context.outbox

    async def create(self, owner_id: UUID, text: str) -> Note:
        note = Note(owner_id=owner_id, text=text)
        self.session.add(note)
        await self.session.flush()
        await self.outbox.add(
            self.session, NOTED, Noted(note_id=note.id, owner_id=note.owner_id, text=note.text)
        )
        return note

    async def list(
        self, owner_id: UUID, limit: int = 20, offset: int = 0
    ) -> tuple[list[Note], int]:
        mine = select(Note).where(Note.owner_id == owner_id)
        total = await self.session.scalar(select(func.count()).select_from(mine.subquery()))
        notes = await self.session.scalars(
            mine.order_by(Note.created_at, Note.id).limit(limit).offset(offset)
        )
        return list(notes), int(total or 0)


def provide_notes(db_session: AsyncSession, context: ServiceContext[DemoSettings]) -> NoteService:
    return NoteService(db_session, context)


@post("/notes")
async def create_note(
    data: JSONBody[NoteIn],
    principal: NamedDependency[Principal],
    notes: NamedDependency[NoteService],
) -> NoteOut:
    note = await notes.create(principal.id, data.text)
    if data.text == "rollback":
        raise NotFound("rolled back on purpose")
    return NoteOut(id=note.id, text=note.text)


@get("/notes")
async def list_notes(
    principal: NamedDependency[Principal],
    notes: NamedDependency[NoteService],
    page: NamedDependency[PageParams],
) -> Page[NoteOut]:
    items, total = await notes.list(principal.id, page.limit, page.offset)
    return page.of([NoteOut(id=n.id, text=n.text) for n in items], total)


@post("/upload", request_max_body_size=4 * 1024 * 1024, opt={"exclude_from_auth": True})
async def upload(body: RawBody) -> dict[str, int]:
    return {"size": len(body)}


@post("/echo", opt={"exclude_from_auth": True})
async def echo(data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
    return data


@get("/boom", opt={"exclude_from_auth": True})
async def boom() -> None:
    raise RuntimeError("secret internals: password=hunter2")


@get("/admin", guards=[requires_role("admin")])
async def admin_only(principal: NamedDependency[Principal]) -> dict[str, str]:
    return {"id": str(principal.id)}


INBOUND = Inbound()


@subscribe(NOTED)
async def on_noted(event: Event[Noted], notes: NoteService) -> EventStatus:
    INBOUND.attempts += 1
    if INBOUND.always_fail or INBOUND.fail_times > 0:
        INBOUND.fail_times -= 1
        raise RuntimeError("downstream is down")
    notes.session.add(Note(owner_id=event.data.owner_id, text=f"copy of {event.data.text}"))
    INBOUND.processed.append(event.id)
    return EventStatus.SUCCESS


DEMO: ServiceDefinition[DemoSettings] = ServiceDefinition(
    slug="demo",
    prefix="/api/v1/demo",
    title="Demo",
    description="A service built with the kit for its own tests.",
    settings_class=DemoSettings,
    metadata=lambda: Base.metadata,
    migrations=Path(__file__).parent / "demo_migrations",
    route_handlers=[create_note, list_notes, upload, echo, boom, admin_only],
    subscribers=[on_noted],
    providers={"notes": provide_notes},
    signature_namespace={"NoteService": NoteService},
)


def create_app(settings: DemoSettings, *, runtime: Runtime | None = None) -> Litestar:
    return DEMO.create_app(settings, runtime=runtime)


@pytest.fixture
def service_definition() -> ServiceDefinition:
    return DEMO


@pytest.fixture
def inbound() -> Inbound:
    INBOUND.__init__()  # type: ignore[misc]
    return INBOUND


@pytest.fixture
def runtime(tokens: TokenFactory) -> LocalRuntime:
    runtime = LocalRuntime(max_attempts=4, backoff_seconds=0.01, backoff_max_seconds=0.02)
    runtime.attach("auth", jwks_app(tokens))
    return runtime


@pytest.fixture
def settings(database_url: str) -> DemoSettings:
    return settings_for_tests(DEMO, database_url)  # type: ignore[return-value]


@pytest.fixture
def app(settings: DemoSettings, runtime: LocalRuntime) -> Litestar:
    return create_app(settings, runtime=runtime)


@pytest.fixture
async def client(app: Litestar, runtime: LocalRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app, runtime) as client:
        yield client


@pytest.fixture
def demo() -> Any:
    """This module, for tests that need the demo's models and topic (conftest files are not
    importable under importlib mode)."""
    import sys

    return sys.modules[__name__]
