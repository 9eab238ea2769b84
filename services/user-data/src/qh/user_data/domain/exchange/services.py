"""Export the whole profile (QH or JSON Resume) and import a JSON Resume document."""

from __future__ import annotations

from functools import cached_property
from typing import Any, Literal
from uuid import UUID

import msgspec
import structlog
from advanced_alchemy.exceptions import NotFoundError
from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from qh.kit.context import ServiceContext
from qh.kit.problems import FieldError, InvalidValue
from qh.kit.shape import decode_object, lenient, without_shaped
from qh.user_data.db.models import Profile, ProfileExport
from qh.user_data.domain.exchange import jsonresume, linkedin
from qh.user_data.domain.exchange.mapped import Mapped, item_field
from qh.user_data.domain.exchange.qh import read_qh
from qh.user_data.domain.exchange.schemas import (
    SCHEMA_VERSION,
    ImportReport,
    NormalisedEntry,
    ProfileDocument,
    UnmappedEntry,
)
from qh.user_data.domain.profiles import schemas
from qh.user_data.domain.profiles.sections import SECTIONS
from qh.user_data.domain.profiles.services import PERSONAL, ProfileService
from qh.user_data.settings import UserDataSettings

log = structlog.get_logger("qh.user_data.exchange")


# Built once: the statement of the common case (an unchanged profile's stored export).
_STORED_EXPORT = (
    select(Profile.revision, ProfileExport.revision, ProfileExport.document)
    .outerjoin(ProfileExport, ProfileExport.profile_id == Profile.id)
    .where(Profile.user_id == bindparam("user_id"))
)


class ExchangeService:
    """Reads the whole profile at once and writes it from a document, through the same
    rules as the item routes."""

    def __init__(self, session: AsyncSession, context: ServiceContext[UserDataSettings]) -> None:
        self.session = session
        self.context = context
        self.settings = context.settings

    @cached_property
    def profiles(self) -> ProfileService:
        """Built on first use: an export of an unchanged profile never needs it."""
        return ProfileService(self.session, self.context)

    # --- export ------------------------------------------------------------------------

    async def export_qh(self, user_id: UUID, *, create: bool = True) -> bytes:
        """The QH document as JSON bytes: one row read when nothing changed since last time."""
        params = {"user_id": user_id}
        if self.session.in_transaction():  # this request changed something: read through it
            row = (await (await self.session.connection()).execute(_STORED_EXPORT, params)).first()
        else:  # the kit's hot read (qh.kit.reads): one statement on a pooled connection
            row = await self.context.reads.first(_STORED_EXPORT, params)
        if row is not None and row[1] == row[0] and row[2] is not None:
            return row[2].encode()
        if row is None and not create:
            raise NotFoundError("No profile for this user")
        profile = await self.profiles.ensure(user_id)
        body = msgspec.json.encode(await self.document(profile))
        await self._store(profile, body.decode())
        return body

    async def _store(self, profile: Profile, document: str) -> None:
        """Keep the export for the next read: one upsert, which never replaces a newer
        revision stored by a concurrent read. Best effort: when it fails (the profile was
        erased meanwhile, SQLite stayed busy) the next read builds it again."""
        dialect = postgresql if self.session.get_bind().dialect.name == "postgresql" else sqlite
        statement = dialect.insert(ProfileExport).values(
            profile_id=profile.id, revision=profile.revision, document=document
        )
        statement = statement.on_conflict_do_update(
            index_elements=[ProfileExport.profile_id],
            set_={"revision": statement.excluded.revision, "document": statement.excluded.document},
            where=ProfileExport.revision < statement.excluded.revision,
        )
        try:
            async with self.session.begin_nested():
                await self.session.execute(statement)
        except (IntegrityError, OperationalError) as exc:
            log.info("export_not_stored", user_id=str(profile.user_id), error=type(exc).__name__)

    async def document(self, profile: Profile) -> msgspec.Struct:
        sections = {
            name: [spec.to_out(item) for item in await self.profiles.items(profile.user_id, spec)]
            for name, spec in SECTIONS.items()
        }
        return ProfileDocument(
            schema_version=SCHEMA_VERSION, personal=self.profiles.personal(profile), **sections
        )

    async def export_jsonresume(self, user_id: UUID, *, create: bool = True) -> dict[str, Any]:
        document = msgspec.json.decode(await self.export_qh(user_id, create=create))
        return jsonresume.write_resume(document)

    # --- import ------------------------------------------------------------------------

    async def import_jsonresume(
        self, user_id: UUID, body: bytes, *, mode: Literal["replace", "merge"]
    ) -> ImportReport:
        document = decode_object(body, "The document")
        problems = jsonresume.schema_errors(document)
        if problems:
            raise InvalidValue(
                "The document is not a valid JSON Resume (schema v1.0.0)",
                errors=[FieldError(path, message) for path, message in problems],
            )
        return await self.import_mapped(user_id, jsonresume.read_resume(document), mode=mode)

    async def import_qh(
        self, user_id: UUID, body: bytes, *, mode: Literal["replace", "merge"]
    ) -> ImportReport:
        return await self.import_mapped(
            user_id, read_qh(decode_object(body, "The document")), mode=mode
        )

    async def import_linkedin(
        self, user_id: UUID, body: bytes, *, mode: Literal["replace", "merge"]
    ) -> ImportReport:
        mapped = linkedin.read_archive(body, linkedin.limits_of(self.settings))
        return await self.import_mapped(user_id, mapped, mode=mode)

    async def import_mapped(
        self, user_id: UUID, mapped: Mapped, *, mode: Literal["replace", "merge"]
    ) -> ImportReport:
        """Check every value of ``mapped`` (422 naming each problem by the document's path,
        nothing changed), then write it: ``replace`` makes it the profile (every section it
        leaves out is emptied), ``merge`` updates matching items and adds the rest."""
        profile = await self.profiles.locked(user_id)
        personal, sections, errors = self._check(profile, mapped, mode)
        if errors:
            raise InvalidValue("The document has values a profile cannot hold", errors=errors)

        report = ImportReport(
            format=mapped.fmt,  # type: ignore[arg-type]
            mode=mode,
            revision=profile.revision,
            imported={},
            updated={},
            removed={},
            unmapped=[UnmappedEntry(path=u.path, reason=u.reason) for u in mapped.unmapped],
            normalised=[
                NormalisedEntry(path=n.path, original=n.original, stored=n.stored)
                for n in mapped.normalised
            ],
        )
        self._note_normalised(report, mapped, personal)
        changed: set[str] = set()
        for name in schemas.PersonalDataIn.__struct_fields__:
            if name in personal and getattr(profile, name) != personal[name]:
                setattr(profile, name, personal[name])
                changed.add(PERSONAL)
        names = SECTIONS if mode == "replace" else sections
        for name in names:
            if await self._write_section(profile, name, sections.get(name, []), mode, report):
                changed.add(name)
        if changed:
            await self.profiles.changed(profile, changed)
        report.revision = profile.revision
        return report

    def _check(
        self, profile: Profile, mapped: Mapped, mode: str
    ) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]], list[FieldError]]:
        errors: list[FieldError] = list(mapped.errors)
        if mode == "replace":
            raw = {name: getattr(profile, name) for name in mapped.keep_personal}
        else:
            raw = self.profiles.personal_values(profile)
        raw.update(mapped.personal)
        shape: list[FieldError] = []
        personal = lenient(raw, schemas.PersonalDataIn, "", shape)
        rules = without_shaped(self.profiles.check_personal(personal), shape)
        for error in [*shape, *rules]:
            errors.append(FieldError(mapped.personal_namer(error.field), error.message))
        sections: dict[str, list[dict[str, Any]]] = {}
        for name, rows in mapped.sections.items():
            spec = SECTIONS[name]
            checked = []
            for path, values, names in rows:
                shape = []
                item = lenient(values, spec.create, "", shape)
                rules = without_shaped(self.profiles.check_item(spec, item), shape)
                for error in [*shape, *rules]:
                    errors.append(FieldError(item_field(path, names, error.field), error.message))
                item.pop("order", None)
                checked.append(item)
            sections[name] = checked
        return personal, sections, errors

    @staticmethod
    def _note_normalised(report: ImportReport, mapped: Mapped, stored: dict[str, Any]) -> None:
        given = mapped.personal
        for name in ("phone", "email"):
            if given.get(name) and stored.get(name) and given[name] != stored[name]:
                report.normalised.append(
                    NormalisedEntry(
                        path=mapped.personal_namer(name),
                        original=given[name],
                        stored=stored[name],
                    )
                )
        location = given.get("location") or {}
        code = (stored.get("location") or {}).get("country_code")
        if location.get("country_code") and code and location["country_code"] != code:
            report.normalised.append(
                NormalisedEntry(
                    path=mapped.personal_namer("location.country_code"),
                    original=location["country_code"],
                    stored=code,
                )
            )

    async def _write_section(
        self,
        profile: Profile,
        name: str,
        rows: list[dict[str, Any]],
        mode: str,
        report: ImportReport,
    ) -> bool:
        spec = SECTIONS[name]
        existing = list(await self.profiles.items(profile.user_id, spec))
        new: list[dict[str, Any]] = []
        updated = 0
        if mode == "replace":
            current = [{f: getattr(item, f) for f in spec.fields} for item in existing]
            if current == [{f: row.get(f) for f in spec.fields} for row in rows]:
                return False  # the section already is what the document says
            if existing:
                await self.session.execute(
                    delete(spec.model).where(spec.model.user_id == profile.user_id)
                )
                report.removed[name] = len(existing)
            new = rows
        else:
            by_key = {
                spec.natural_key({f: getattr(item, f) for f in spec.fields}): item
                for item in existing
            }
            for row in rows:
                match = by_key.get(spec.natural_key(row))
                if match is None:
                    new.append(row)
                    continue
                differs = False
                for field in spec.fields:
                    if row.get(field) not in (None, []) and getattr(match, field) != row[field]:
                        setattr(match, field, row[field])
                        differs = True
                updated += differs
        if new:
            await self.profiles.add_items(profile, spec, new, at=None)
            report.imported[name] = len(new)
        if updated:
            report.updated[name] = updated
        return bool(new or updated or (mode == "replace" and existing))


def provide_exchange(
    db_session: AsyncSession, context: ServiceContext[UserDataSettings]
) -> ExchangeService:
    """The ``exchange`` provider: export and import on the session it is given."""
    return ExchangeService(db_session, context)
