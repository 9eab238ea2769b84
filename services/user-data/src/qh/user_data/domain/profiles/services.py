"""The rules of a profile: who owns what, what a valid value is, the order of items, and one
``profile.updated`` event per committed change."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from functools import cache
from typing import Any
from uuid import UUID

import msgspec
from advanced_alchemy.exceptions import NotFoundError
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from qh.contracts import PROFILE_UPDATED, ProfileUpdated
from qh.kit.context import ServiceContext
from qh.kit.problems import Conflict, FieldError, InvalidValue, Unauthorized
from qh.kit.revocation import hold_subject
from qh.kit.shape import lenient, without_shaped
from qh.user_data.db.models import Profile, ProfileExport, SectionItem
from qh.user_data.domain.profiles import schemas
from qh.user_data.domain.profiles.rules import Checker, Kind
from qh.user_data.domain.profiles.sections import SECTIONS, SectionSpec
from qh.user_data.settings import UserDataSettings

PERSONAL = "personal"

PERSONAL_KINDS = {
    "full_name": Kind.LINE,
    "headline": Kind.LINE,
    "email": Kind.EMAIL,
    "website": Kind.URL,
    "image": Kind.URL,
    "summary": Kind.TEXT,
    "birth_date": Kind.PAST_DATE,
    "citizenship": Kind.COUNTRY,
    "desired_position": Kind.LINE,
}
LOCATION_KINDS = {
    "city": Kind.LINE,
    "region": Kind.LINE,
    "country_code": Kind.COUNTRY,
    "address": Kind.TEXT,
    "postal_code": Kind.LINE,
}
LINK_KINDS = {"network": Kind.LINE, "url": Kind.URL, "username": Kind.LINE}
PERSONAL_FIELDS: tuple[str, ...] = tuple(schemas.PersonalDataIn.__struct_fields__)


def today() -> date:
    return datetime.now(UTC).date()


class AccountDeleted(Unauthorized):
    """The account was deleted: its profile is not created again."""

    def __init__(self) -> None:
        super().__init__("This account has been deleted.")


class ProfileRepository(SQLAlchemyAsyncRepository[Profile]):
    model_type = Profile


@cache
def section_repository(model: type[SectionItem]) -> type[SQLAlchemyAsyncRepository[Any]]:
    return type(f"{model.__name__}Repository", (SQLAlchemyAsyncRepository,), {"model_type": model})


class ProfileService(SQLAlchemyAsyncRepositoryService[Profile]):
    """Personal data, the sections and their events, always for one owner."""

    repository_type = ProfileRepository

    def __init__(self, session: AsyncSession, context: ServiceContext[UserDataSettings]) -> None:
        super().__init__(session=session)
        self.session = session
        self.settings = context.settings
        self.outbox = context.outbox
        self.revocations = context.revocations

    # --- the profile row ---------------------------------------------------------------

    async def find(self, user_id: UUID) -> Profile | None:
        return await self.repository.get_one_or_none(user_id=user_id)

    async def ensure(
        self, user_id: UUID, *, email: str | None = None, full_name: str | None = None
    ) -> Profile:
        """The caller's profile, created on first access (or by ``user.registered``)."""
        profile = await self.find(user_id)
        if profile is not None:
            return profile
        await self._create(user_id, email=email, full_name=full_name)
        profile = await self.find(user_id)
        assert profile is not None
        return profile

    async def _create(self, user_id: UUID, *, email: str | None, full_name: str | None) -> None:
        """Insert the profile unless it exists: one statement, so a profile created at the
        same moment by another request or by ``user.registered`` is simply kept (no
        savepoint, no error to recover from)."""
        await self._refuse_deleted(user_id)
        values: dict[str, Any] = {"email": email, "full_name": full_name}
        checker = Checker(today())
        checker.values(values, {"email": Kind.EMAIL, "full_name": Kind.LINE})
        bad = {error.field for error in checker.errors}
        dialect = postgresql if self._postgres() else sqlite
        await self.session.execute(  # id, times, revision and lists: the columns' defaults
            dialect.insert(Profile)
            .values(
                user_id=user_id,
                email=None if "email" in bad else values["email"],
                full_name=None if "full_name" in bad else (values["full_name"] or None),
            )
            .on_conflict_do_nothing(index_elements=[Profile.user_id])
        )

    async def locked(self, user_id: UUID) -> Profile:
        """The caller's profile (created if need be), locked until the transaction ends:
        changes of one profile (its revision, the order of its items) are serialised.
        The locking read is the transaction's first statement, so the kit begins it with
        the write lock on SQLite (``BEGIN IMMEDIATE``); on PostgreSQL it is the row lock."""
        statement = (
            select(Profile)
            .where(Profile.user_id == user_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        profile = (await self.session.scalars(statement)).one_or_none()
        if profile is None:
            await self._create(user_id, email=None, full_name=None)
            profile = (await self.session.scalars(statement)).one()
        return profile

    def _postgres(self) -> bool:
        return bool(self.session.get_bind().dialect.name == "postgresql")

    async def _refuse_deleted(self, user_id: UUID) -> None:
        """No profile for an account whose tokens the kit revoked (``user.deleted``, kept
        in ``qh_revoked_subject``), whatever brings it: a late ``user.registered`` (no
        token, so no fence of the kit's), or a token issued after the deletion within the
        clock leeway (the kit refuses only tokens issued before it). The kit's fence of a
        request's commit covers the rest. The check waits for an erasure in progress (the
        subject's lock, :func:`~qh.kit.revocation.hold_subject`) and keeps the next one
        waiting until this transaction ends, so the two run one after the other."""
        await hold_subject(self.session, user_id)
        if await self.revocations.recorded(self.session, user_id):
            raise AccountDeleted()

    async def erase(self, user_id: UUID) -> bool:
        """Remove the profile and every item of it (``user.deleted``). The kit's record of
        the revocation took the subject's lock before this ran (a request's write commits
        before it or is refused); the profile row's lock waits for any other writer still
        holding it, so what that one wrote is erased too."""
        await self.session.execute(
            select(Profile.id).where(Profile.user_id == user_id).with_for_update()
        )
        for spec in SECTIONS.values():
            await self.session.execute(delete(spec.model).where(spec.model.user_id == user_id))
        owned = select(Profile.id).where(Profile.user_id == user_id).scalar_subquery()
        await self.session.execute(delete(ProfileExport).where(ProfileExport.profile_id == owned))
        result = await self.session.execute(delete(Profile).where(Profile.user_id == user_id))
        return bool(getattr(result, "rowcount", 0))

    async def changed(self, profile: Profile, sections: Iterable[str]) -> None:
        """Count a change of ``profile`` and publish it with the transaction."""
        profile.revision = (profile.revision or 0) + 1
        profile.updated_at = datetime.now(UTC)
        await self.session.flush()
        await self.outbox.add(
            self.session,
            PROFILE_UPDATED,
            ProfileUpdated(
                user_id=profile.user_id,
                sections=tuple(sorted(set(sections))),
                revision=profile.revision,
            ),
            subject=str(profile.user_id),
        )

    # --- personal data -----------------------------------------------------------------

    @staticmethod
    def personal(profile: Profile) -> schemas.PersonalData:
        return schemas.PersonalData(
            user_id=profile.user_id,
            full_name=profile.full_name,
            headline=profile.headline,
            email=profile.email,
            phone=profile.phone,
            website=profile.website,
            image=profile.image,
            location=msgspec.convert(profile.location, schemas.Location)
            if profile.location
            else None,
            links=msgspec.convert(profile.links or [], list[schemas.Link]),
            summary=profile.summary,
            birth_date=profile.birth_date,
            citizenship=profile.citizenship,
            desired_position=profile.desired_position,
            desired_salary=msgspec.convert(profile.desired_salary, schemas.Salary)
            if profile.desired_salary
            else None,
            relocation=profile.relocation,
            resume_languages=list(profile.resume_languages or []),
            revision=profile.revision,
            updated_at=profile.updated_at,
        )

    @staticmethod
    def personal_values(profile: Profile) -> dict[str, Any]:
        return {name: getattr(profile, name) for name in PERSONAL_FIELDS}

    def check_personal(self, values: dict[str, Any], *, prefix: str = "") -> list[Any]:
        """Validate and normalise personal data in place; the problems found, by field."""
        location = values.get("location") or None
        region = (location or {}).get("country_code") or self.settings.default_phone_region
        checker = Checker(
            today(), region.upper() if isinstance(region, str) else None, prefix=prefix
        )
        checker.values(values, PERSONAL_KINDS)
        if location:
            checker.nested("location.").values(location, LOCATION_KINDS)
            values["location"] = {k: v for k, v in location.items() if v is not None} or None
        checker.value(values, "phone", Kind.PHONE)
        for index, link in enumerate(values.get("links") or []):
            checker.nested(f"links[{index}].").values(link, LINK_KINDS)
            if not any(link.get(key) for key in LINK_KINDS):
                checker.fail(f"links[{index}]", "give the network, the url or the user name")
        salary = values.get("desired_salary")
        if salary:
            checker.nested("desired_salary.").value(
                salary, "currency", Kind.CURRENCY, required=True
            )
        values["links"] = values.get("links") or []
        values["resume_languages"] = list(dict.fromkeys(values.get("resume_languages") or []))
        return checker.errors

    async def set_personal(
        self, profile: Profile, values: dict[str, Any], shape_errors: Sequence[FieldError] = ()
    ) -> bool:
        errors = [*shape_errors, *without_shaped(self.check_personal(values), list(shape_errors))]
        if errors:
            raise InvalidValue("The personal data is not valid", errors=errors)
        changed = False
        for name in PERSONAL_FIELDS:
            if name in values and getattr(profile, name) != values[name]:
                setattr(profile, name, values[name])
                changed = True
        if changed:
            await self.changed(profile, [PERSONAL])
        return changed

    async def replace_personal(self, user_id: UUID, raw: dict[str, Any]) -> schemas.PersonalData:
        """``raw``: the decoded JSON body, checked here field by field (every problem)."""
        errors: list[FieldError] = []
        values = lenient(raw, schemas.PersonalDataIn, "", errors)
        profile = await self.locked(user_id)
        await self.set_personal(profile, values, errors)
        return self.personal(profile)

    async def patch_personal(self, user_id: UUID, raw: dict[str, Any]) -> schemas.PersonalData:
        errors: list[FieldError] = []
        changes = lenient(raw, schemas.PersonalDataPatch, "", errors)  # absent: left out
        profile = await self.locked(user_id)
        values = copy.deepcopy(self.personal_values(profile))
        values.update(changes)
        await self.set_personal(profile, values, errors)
        return self.personal(profile)

    # --- sections ----------------------------------------------------------------------

    def _items(self, spec: SectionSpec) -> SQLAlchemyAsyncRepository[Any]:
        return section_repository(spec.model)(session=self.session)

    async def items(self, user_id: UUID, spec: SectionSpec) -> Sequence[SectionItem]:
        model = spec.model
        result = await self.session.scalars(
            select(model)
            .where(model.user_id == user_id)
            .order_by(model.sort_order, model.created_at.desc(), model.id.desc())
        )
        return result.all()

    async def list_items(
        self, user_id: UUID, spec: SectionSpec, *, limit: int, offset: int
    ) -> msgspec.Struct:
        model = spec.model
        total = await self.session.scalar(
            select(func.count()).select_from(model).where(model.user_id == user_id)
        )
        result = await self.session.scalars(
            select(model)
            .where(model.user_id == user_id)
            .order_by(model.sort_order, model.created_at.desc(), model.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return spec.page(
            items=[spec.to_out(item) for item in result.all()],
            total=total or 0,
            limit=limit,
            offset=offset,
        )

    async def get_item(self, user_id: UUID, spec: SectionSpec, item_id: UUID) -> SectionItem:
        item = await self._items(spec).get_one_or_none(id=item_id, user_id=user_id)
        if item is None:
            raise NotFoundError(f"No {spec.name} item {item_id}")
        return item  # type: ignore[no-any-return]

    def check_item(
        self, spec: SectionSpec, values: dict[str, Any], *, prefix: str = ""
    ) -> list[Any]:
        checker = Checker(today(), prefix=prefix)
        spec.check(checker, values)
        return checker.errors

    def _validated(
        self, spec: SectionSpec, values: dict[str, Any], shape_errors: list[FieldError]
    ) -> dict[str, Any]:
        errors = [*shape_errors, *without_shaped(self.check_item(spec, values), shape_errors)]
        if errors:
            raise InvalidValue(f"The {spec.name} item is not valid", errors=errors)
        return values

    async def create_item(
        self, user_id: UUID, spec: SectionSpec, raw: dict[str, Any]
    ) -> msgspec.Struct:
        """``raw``: the decoded JSON body, checked here field by field (every problem)."""
        errors: list[FieldError] = []
        values = self._validated(spec, lenient(raw, spec.create, "", errors), errors)
        profile = await self.locked(user_id)
        item = await self.add_items(profile, spec, [values], at=values.get("order") or 0)
        await self.changed(profile, [spec.name])
        return spec.to_out(item[0])

    async def add_items(
        self, profile: Profile, spec: SectionSpec, rows: Sequence[dict[str, Any]], *, at: int | None
    ) -> list[SectionItem]:
        """Insert validated ``rows`` at place ``at`` (None: at the end), shifting the rest."""
        existing = list(await self.items(profile.user_id, spec))
        if len(existing) + len(rows) > self.settings.max_items_per_section:
            raise Conflict(
                f"The {spec.name} section holds at most {self.settings.max_items_per_section} items"
            )
        new = [
            spec.model(
                profile_id=profile.id,
                user_id=profile.user_id,
                **{k: row.get(k) for k in spec.fields},
            )
            for row in rows
        ]
        self.session.add_all(new)
        place = len(existing) if at is None else min(at, len(existing))
        self._renumber([*existing[:place], *new, *existing[place:]])
        await self.session.flush()
        return new

    @staticmethod
    def _renumber(items: Sequence[SectionItem]) -> None:
        for index, item in enumerate(items):
            if item.sort_order != index:
                item.sort_order = index

    async def _move(self, user_id: UUID, spec: SectionSpec, item: SectionItem, place: int) -> None:
        others = [other for other in await self.items(user_id, spec) if other.id != item.id]
        place = min(place, len(others))
        self._renumber([*others[:place], item, *others[place:]])

    async def update_item(
        self,
        user_id: UUID,
        spec: SectionSpec,
        item_id: UUID,
        raw: dict[str, Any],
        *,
        replace: bool,
    ) -> msgspec.Struct:
        profile = await self.locked(user_id)
        item = await self.get_item(user_id, spec, item_id)
        errors: list[FieldError] = []
        incoming = lenient(raw, spec.create if replace else spec.patch, "", errors)
        if replace:
            values = incoming
        else:
            values = {name: getattr(item, name) for name in spec.fields}
            values.update(incoming)
        order = values.pop("order", None)
        self._validated(spec, values, errors)
        changed = False
        for name in spec.fields:
            if getattr(item, name) != values.get(name):
                setattr(item, name, values.get(name))
                changed = True
        if order is not None and order is not msgspec.UNSET and order != item.sort_order:
            await self._move(user_id, spec, item, order)
            changed = True
        if changed:
            await self.session.flush()
            await self.changed(profile, [spec.name])
        return spec.to_out(item)

    async def delete_item(self, user_id: UUID, spec: SectionSpec, item_id: UUID) -> None:
        profile = await self.locked(user_id)
        item = await self.get_item(user_id, spec, item_id)
        await self.session.delete(item)
        await self.session.flush()
        self._renumber(await self.items(user_id, spec))
        await self.changed(profile, [spec.name])


def provide_profiles(
    db_session: AsyncSession, context: ServiceContext[UserDataSettings]
) -> ProfileService:
    """The ``profiles`` provider: the :class:`ProfileService` of a request, a subscriber,
    a command or a test, on the session it is given."""
    return ProfileService(db_session, context)
