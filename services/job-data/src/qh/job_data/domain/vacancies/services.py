"""The rules of the user's vacancies: who owns what, what a valid vacancy is, when two are
the same source vacancy (merged, not repeated), and one event per committed change.

Network work (an import's fetch, the hh.ru API) happens before the first statement of the
request's session, so no database transaction is held open across it.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from uuid import UUID

import msgspec
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from qh.contracts import (
    VACANCY_CREATED,
    VACANCY_DELETED,
    VACANCY_UPDATED,
    VacancyCreated,
    VacancyDeleted,
    VacancyUpdated,
)
from qh.job_data.context import JobDataContext
from qh.job_data.db.models import Vacancy
from qh.job_data.domain.vacancies import schemas
from qh.job_data.domain.vacancies.rules import check_vacancy, url_problem
from qh.job_data.parsing.dispatch import UnparseableVacancy, import_url, parse_content
from qh.job_data.parsing.hh import hh_vacancy_id, map_hh_vacancy
from qh.job_data.parsing.html import complete_from_text, required_skill
from qh.job_data.parsing.linkedin import linkedin_job_id
from qh.job_data.parsing.model import (
    Experience,
    Location,
    ParsedVacancy,
    Requirements,
    Salary,
    Source,
)
from qh.job_data.parsing.sanitize import html_to_text, sanitize_html
from qh.kit.clock import utc_now
from qh.kit.fetch import Fetched
from qh.kit.problems import Conflict, InvalidValue, NotFound, PayloadTooLarge

Order = Literal["-updated_at", "updated_at", "-created_at", "created_at"]

# The columns a vacancy's content is kept in (besides status, notes and the source).
CONTENT_FIELDS = (
    "title",
    "company",
    "location",
    "work_format",
    "employment",
    "salary",
    "experience",
    "description_html",
    "description_text",
    "requirements",
    "responsibilities",
    "benefits",
    "language",
    "published_at",
)
# Query parameters that only say where a link was clicked, not which page it is.
TRACKING_PARAMETERS = frozenset(
    {"gclid", "fbclid", "yclid", "msclkid", "mc_cid", "mc_eid", "ref", "referrer", "source"}
)


# -- the same source vacancy --------------------------------------------------------------


def normalise_url(url: str) -> str:
    """One spelling per page: scheme and host lower case, no default port, no fragment,
    no tracking parameters, the rest of the query sorted, no trailing slash."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = (
        host
        if port is None or (scheme, port) in {("http", 80), ("https", 443)}
        else (f"{host}:{port}")
    )
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMETERS
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def fold_text(text: str) -> str:
    """Text as compared and searched: NFC, case and ``ё`` folded, spaces collapsed."""
    folded = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    return " ".join(folded.split())


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def source_key(source: Source, description_text: str) -> str | None:
    """What makes two saved vacancies the same source vacancy: the hh.ru or LinkedIn id
    (whichever site or region the URL names), else the normalised URL, else for pasted text
    a hash of the text. A typed-in vacancy has none (never merged)."""
    hh_id = hh_vacancy_id(source.url) if source.url else None
    if source.kind == "hh" and source.external_id:
        hh_id = source.external_id
    if hh_id:
        return f"hh:{hh_id}"
    linkedin_id = linkedin_job_id(source.url)
    if source.kind == "linkedin" and source.external_id:
        linkedin_id = source.external_id
    if linkedin_id:
        return f"linkedin:{linkedin_id}"
    if source.url:
        url = normalise_url(source.url)
        # Percent-encoding can make a normalised URL longer than the column: hash those.
        return f"url:{url}" if len(url) <= 2000 else f"url-sha256:{_sha256(url)}"
    if source.kind == "text" and description_text.strip():
        return f"text:{_sha256(fold_text(description_text))}"
    return None


# -- rows and wire types ------------------------------------------------------------------


def builtins(value: Any) -> Any:
    """A Struct as dicts and lists, datetimes kept as they are (and UNSET fields left out)."""
    return msgspec.to_builtins(value, builtin_types=(datetime,))


def _builtins(value: Any) -> Any:
    return msgspec.to_builtins(value) if value is not None else None


def content_columns(vacancy: ParsedVacancy) -> dict[str, Any]:
    """The content columns of a parsed vacancy."""
    return {
        "title": vacancy.title[:300],
        "company": vacancy.company[:300] if vacancy.company else None,
        "location": _builtins(vacancy.location),
        "work_format": list(vacancy.work_format),
        "employment": vacancy.employment,
        "salary": _builtins(vacancy.salary),
        "experience": _builtins(vacancy.experience),
        "description_html": vacancy.description_html,
        "description_text": vacancy.description_text,
        "requirements": msgspec.to_builtins(vacancy.requirements),
        "responsibilities": list(vacancy.responsibilities),
        "benefits": list(vacancy.benefits),
        "language": vacancy.language,
        "published_at": vacancy.published_at,
    }


def search_text(row: Vacancy) -> str:
    parts = (row.title, row.company or "", row.notes or "", row.description_text or "")
    return fold_text("\n".join(parts))


def _convert(value: Any, kind: type[Any]) -> Any:
    return msgspec.convert(value, kind) if value is not None else None


def source_of(row: Vacancy) -> Source:
    return Source(
        kind=row.source_kind,  # type: ignore[arg-type]
        url=row.source_url,
        external_id=row.source_external_id,
        fetched_at=row.source_fetched_at,
    )


def to_out(row: Vacancy) -> schemas.Vacancy:
    return schemas.Vacancy(
        id=row.id,
        status=row.status,  # type: ignore[arg-type]
        notes=row.notes,
        title=row.title,
        company=row.company,
        location=_convert(row.location, Location),
        work_format=list(row.work_format or []),
        employment=row.employment,  # type: ignore[arg-type]
        salary=_convert(row.salary, Salary),
        experience=_convert(row.experience, Experience),
        description_html=row.description_html,
        description_text=row.description_text or "",
        requirements=msgspec.convert(row.requirements or {}, Requirements),
        responsibilities=list(row.responsibilities or []),
        benefits=list(row.benefits or []),
        language=row.language,  # type: ignore[arg-type]
        published_at=row.published_at,
        source=source_of(row),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def to_summary(row: Vacancy) -> schemas.VacancySummary:
    return schemas.VacancySummary(
        id=row.id,
        status=row.status,  # type: ignore[arg-type]
        notes=row.notes,
        title=row.title,
        company=row.company,
        location=_convert(row.location, Location),
        work_format=list(row.work_format or []),
        employment=row.employment,  # type: ignore[arg-type]
        salary=_convert(row.salary, Salary),
        experience=_convert(row.experience, Experience),
        source=source_of(row),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def parsed_from_values(values: dict[str, Any], *, analyse: bool) -> ParsedVacancy:
    """A checked ``VacancyIn`` (as builtins) as the normalised vacancy: the HTML
    sanitised, the text taken from it when empty, skills named in the taxonomy, and
    (``analyse``) what the fields leave empty read from the text."""
    html = values.get("description_html")
    if html:
        values["description_html"] = sanitize_html(html) or None
        if not (values.get("description_text") or "").strip():
            values["description_text"] = html_to_text(html)
    requirements = values.get("requirements") or {}
    for skill in requirements.get("skills") or []:
        if not skill.get("canonical"):
            skill["canonical"] = required_skill(skill["name"]).canonical
    values["requirements"] = requirements
    values["source"] = values.get("source") or {"kind": "manual"}
    fields = {k: v for k, v in values.items() if k in (*CONTENT_FIELDS, "source")}
    vacancy = msgspec.convert(fields, ParsedVacancy)
    if analyse:
        vacancy = complete_from_text(vacancy)
    return vacancy


@dataclass
class Saved:
    """A vacancy after a save: ``created`` false when it merged into one already kept."""

    row: Vacancy
    created: bool


@dataclass(frozen=True)
class Snapshot:
    body: bytes
    content_type: str


class VacancyService:
    """The caller's vacancies; every method takes the owner and never sees another's."""

    def __init__(self, session: AsyncSession, context: JobDataContext) -> None:
        self.session = session
        self.context = context
        self.settings = context.settings
        self.outbox = context.outbox

    # -- reading --------------------------------------------------------------------------

    async def get(self, owner_id: UUID, vacancy_id: UUID, *, lock: bool = False) -> Vacancy:
        statement = select(Vacancy).where(Vacancy.id == vacancy_id, Vacancy.owner_id == owner_id)
        if lock:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        row = (await self.session.scalars(statement)).one_or_none()
        if row is None:
            raise NotFound("You have no such vacancy.")
        return row

    async def find(
        self,
        owner_id: UUID,
        *,
        status: Sequence[str] = (),
        q: str | None = None,
        order: Order = "-updated_at",
        limit: int,
        offset: int,
    ) -> tuple[list[Vacancy], int]:
        conditions = [Vacancy.owner_id == owner_id]
        if status:
            conditions.append(Vacancy.status.in_(list(status)))
        for word in fold_text(q or "").split()[:10]:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conditions.append(Vacancy.search_text.like(f"%{escaped}%", escape="\\"))
        column = Vacancy.updated_at if order.endswith("updated_at") else Vacancy.created_at
        ordering = (
            (column.desc(), Vacancy.id.desc())
            if order.startswith("-")
            else (column.asc(), Vacancy.id.asc())
        )
        total = await self.session.scalar(
            select(func.count()).select_from(Vacancy).where(*conditions)
        )
        rows = await self.session.scalars(
            select(Vacancy).where(*conditions).order_by(*ordering).limit(limit).offset(offset)
        )
        return list(rows), int(total or 0)

    # -- saving ---------------------------------------------------------------------------

    async def create(self, owner_id: UUID, data: schemas.VacancyIn) -> Saved:
        """A typed-in vacancy, or a parsed one the user reviewed (merged with the same
        source vacancy when they already have it)."""
        values = builtins(data)  # UNSET fields are left out
        analyse = values.pop("analyse", True)
        errors = check_vacancy(values)
        if errors:
            raise InvalidValue("The vacancy is not valid", errors=errors)
        status, notes = values.pop("status", None), values.pop("notes", None)
        vacancy = parsed_from_values(values, analyse=analyse)
        return await self.save(owner_id, vacancy, status=status, notes=notes)

    async def import_url(self, owner_id: UUID, url: str) -> Saved:
        """Fetch and parse ``url`` (hh.ru through its API), then save or merge it."""
        vacancy, snapshot = await self.read_url(url)
        return await self.save(owner_id, vacancy, snapshot=snapshot)

    async def read_url(self, url: str) -> tuple[ParsedVacancy, Snapshot | None]:
        url = url.strip()
        hh = await self.context.hh()
        vacancy_id = hh_vacancy_id(url)
        if vacancy_id is not None:
            data = await hh.vacancy_json(vacancy_id)
            vacancy = map_hh_vacancy(
                data, url=url, fetched_at=utc_now(), countries=hh.known_countries()
            )
            if not vacancy.title:
                raise UnparseableVacancy("hh.ru's answer holds no vacancy.")
            return vacancy, Snapshot(msgspec.json.encode(data), "application/json")
        fetched: list[Fetched] = []

        async def fetcher(target: str, *, accept: Sequence[str]) -> Fetched:
            page = await self.context.fetch(target, accept=accept)
            fetched.append(page)
            return page

        vacancy = await import_url(url, fetcher=fetcher, hh=hh, now=utc_now)
        last = fetched[-1]
        return vacancy, Snapshot(last.body, last.content_type)

    def parse(self, data: schemas.ParseIn) -> ParsedVacancy:
        """Parse what the client holds, without fetching and without saving."""
        size = len(data.content.encode("utf-8", errors="surrogatepass"))
        if size > self.settings.parse_max_bytes:
            raise PayloadTooLarge(
                f"content is {size} bytes; at most {self.settings.parse_max_bytes} are parsed."
            )
        if data.url is not None:
            problem = url_problem(data.url)
            if problem:
                raise InvalidValue.field("url", problem)
        return parse_content(data.content, data.content_type, url=data.url)

    async def save(
        self,
        owner_id: UUID,
        vacancy: ParsedVacancy,
        *,
        status: str | None = None,
        notes: str | None = None,
        snapshot: Snapshot | None = None,
    ) -> Saved:
        key = source_key(vacancy.source, vacancy.description_text)
        if key is not None:
            existing = await self._by_key(owner_id, key)
            if existing is not None:
                await self._merge(existing, vacancy, status=status, notes=notes, snapshot=snapshot)
                return Saved(existing, created=False)
        now = utc_now()
        row = Vacancy(
            owner_id=owner_id,
            status=status or "saved",
            notes=notes,
            created_at=now,
            updated_at=now,
            source_key=key,
            **content_columns(vacancy),
            **self._source_columns(vacancy.source, snapshot),
        )
        row.search_text = search_text(row)
        if key is None:
            self.session.add(row)
            await self.session.flush()
        else:
            # Two imports of one source at the same moment: the second finds the row the
            # first inserted, without an error in between (no savepoint needed).
            values = {
                column.key: getattr(row, column.key)
                for column in Vacancy.__table__.columns
                if getattr(row, column.key, None) is not None
            }
            dialect = postgresql if self.session.get_bind().dialect.name == "postgresql" else sqlite
            inserted = await self.session.scalar(
                dialect.insert(Vacancy)
                .values(**values)
                .on_conflict_do_nothing(index_elements=["owner_id", "source_key"])
                .returning(Vacancy.id)
            )
            if inserted is None:
                existing = await self._by_key(owner_id, key)
                assert existing is not None
                await self._merge(existing, vacancy, status=status, notes=notes, snapshot=snapshot)
                return Saved(existing, created=False)
            row = await self.get(owner_id, inserted)
        # Counted after the insert: a write first begins the transaction with the write
        # lock on SQLite (a read first could not take it later); over the limit, the
        # request's transaction is rolled back with the 409.
        await self._check_room(owner_id)
        await self.outbox.add(
            self.session,
            VACANCY_CREATED,
            VacancyCreated(
                vacancy_id=row.id,
                user_id=owner_id,
                title=row.title,
                source_kind=row.source_kind,  # type: ignore[arg-type]
            ),
            subject=str(owner_id),
        )
        return Saved(row, created=True)

    async def _by_key(self, owner_id: UUID, key: str) -> Vacancy | None:
        statement = (
            select(Vacancy)
            .where(Vacancy.owner_id == owner_id, Vacancy.source_key == key)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(statement)).one_or_none()

    async def _check_room(self, owner_id: UUID) -> None:
        count = await self.session.scalar(
            select(func.count()).select_from(Vacancy).where(Vacancy.owner_id == owner_id)
        )
        if (count or 0) > self.settings.max_vacancies_per_user:
            raise Conflict(f"You keep {count} vacancies, the most there can be; delete some first.")

    def _source_columns(self, source: Source, snapshot: Snapshot | None) -> dict[str, Any]:
        columns: dict[str, Any] = {
            "source_kind": source.kind,
            "source_url": source.url[:2048] if source.url else None,
            "source_external_id": source.external_id[:100] if source.external_id else None,
            "source_fetched_at": source.fetched_at,
        }
        if snapshot is not None:
            kept = len(snapshot.body) <= self.settings.snapshot_max_bytes
            text = snapshot.body.decode("utf-8", errors="replace") if kept else None
            columns["raw_snapshot"] = text.replace("\x00", "") if text else None
            columns["raw_content_type"] = snapshot.content_type[:100] if kept else None
        return columns

    async def _merge(
        self,
        row: Vacancy,
        vacancy: ParsedVacancy,
        *,
        status: str | None,
        notes: str | None,
        snapshot: Snapshot | None,
    ) -> None:
        """The newer reading of the same source replaces the content; the user's status and
        notes stay unless this save gives them."""
        changes = content_columns(vacancy)
        if status is not None:
            changes["status"] = status
        if notes is not None:
            changes["notes"] = notes
        await self._apply(row, changes, extra=self._source_columns(vacancy.source, snapshot))

    async def _apply(
        self, row: Vacancy, changes: dict[str, Any], *, extra: dict[str, Any] | None = None
    ) -> list[str]:
        changed = [name for name, value in changes.items() if getattr(row, name) != value]
        for name in changed:
            setattr(row, name, changes[name])
        for name, value in (extra or {}).items():
            setattr(row, name, value)
        if changed or extra:
            row.search_text = search_text(row)
            row.updated_at = utc_now()
            await self.session.flush()
        if changed:
            await self.outbox.add(
                self.session,
                VACANCY_UPDATED,
                VacancyUpdated(vacancy_id=row.id, user_id=row.owner_id, fields=tuple(changed)),
                subject=str(row.owner_id),
            )
        return changed

    # -- changing and deleting ------------------------------------------------------------

    async def patch(self, owner_id: UUID, vacancy_id: UUID, data: schemas.VacancyPatch) -> Vacancy:
        row = await self.get(owner_id, vacancy_id, lock=True)
        patch = builtins(data)  # UNSET fields are left out
        errors = check_vacancy(patch)
        if errors:
            raise InvalidValue("The vacancy is not valid", errors=errors)
        current = to_out(row)
        values = {name: builtins(getattr(current, name)) for name in CONTENT_FIELDS}
        values["source"] = builtins(current.source)
        values.update({k: v for k, v in patch.items() if k in CONTENT_FIELDS})
        if "description_html" in patch and "description_text" not in patch:
            values["description_text"] = ""  # read again from the new HTML
        vacancy = parsed_from_values(values, analyse=False)
        changes = content_columns(vacancy)
        for name in ("status", "notes"):
            if name in patch:
                changes[name] = patch[name]
        await self._apply(row, changes)
        return row

    async def delete(self, owner_id: UUID, vacancy_id: UUID) -> None:
        row = await self.get(owner_id, vacancy_id, lock=True)
        await self.session.delete(row)
        await self.session.flush()
        await self.outbox.add(
            self.session,
            VACANCY_DELETED,
            VacancyDeleted(vacancy_id=vacancy_id, user_id=owner_id),
            subject=str(owner_id),
        )

    async def erase(self, owner_id: UUID) -> int:
        """Every vacancy of a deleted user (``user.deleted``): one statement."""
        result = await self.session.execute(delete(Vacancy).where(Vacancy.owner_id == owner_id))
        return int(getattr(result, "rowcount", 0) or 0)

    # -- hh.ru search ---------------------------------------------------------------------

    async def search_hh(
        self,
        owner_id: UUID,
        *,
        text: str,
        area: str | None,
        salary: int | None,
        page: int,
        per_page: int,
    ) -> schemas.HHSearchResults:
        hh = await self.context.hh()
        area_id: str | None = None
        if area and area.strip():
            area = area.strip()
            area_id = area if area.isdigit() else await hh.area_id(area)
            if area_id is None:
                raise InvalidValue.field(
                    "area", f"hh.ru knows no area named {area!r}: give its name or id"
                )
        found = await hh.search(text, area=area_id, salary=salary, page=page, per_page=per_page)
        keys = {
            source_key(item.source, ""): item for item in found.items if item.source.external_id
        }
        saved: dict[str, UUID] = {}
        if keys:
            rows = await self.session.execute(
                select(Vacancy.source_key, Vacancy.id).where(
                    Vacancy.owner_id == owner_id,
                    Vacancy.source_key.in_([key for key in keys if key]),
                )
            )
            saved = {key: vacancy_id for key, vacancy_id in rows if key}
        items = [
            schemas.HHSearchItem(
                **msgspec.structs.asdict(item),
                saved_id=saved.get(source_key(item.source, "") or ""),
            )
            for item in found.items
        ]
        return schemas.HHSearchResults(
            items=items,
            found=found.found,
            pages=found.pages,
            page=found.page,
            per_page=found.per_page,
        )


def provide_vacancies(db_session: AsyncSession, context: JobDataContext) -> VacancyService:
    return VacancyService(db_session, context)


__all__ = ["Saved", "VacancyService", "normalise_url", "provide_vacancies", "source_key"]
