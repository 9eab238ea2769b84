"""Templates: the admin's versions over the built-in defaults, validated by rendering."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from qh.kit.clock import as_utc, utc_now
from qh.kit.problems import Conflict, FieldError, InvalidValue, NotFound
from qh.notification.db.models import Template
from qh.notification.domain.templates.defaults import CHANNELS, KINDS, LOCALES, SAMPLES
from qh.notification.domain.templates.rendering import (
    LIMITS,
    Rendered,
    RenderError,
    Source,
    default_source,
    render,
    sms_size,
)
from qh.notification.domain.templates.schemas import TemplateBody, TemplateIn, TemplateOut


def template_key(kind: str, channel: str, locale: str) -> str:
    return f"{kind}.{channel}.{locale}"


def parse_key(key: str) -> tuple[str, str, str]:
    kind, _, rest = key.partition(".")
    channel, _, locale = rest.partition(".")
    if kind not in KINDS or channel not in CHANNELS or locale not in LOCALES:
        raise NotFound(f"No template {key!r}: keys are <kind>.<channel>.<locale>")
    return kind, channel, locale


def validate(kind: str, channel: str, locale: str, body: TemplateBody) -> None:
    """Render with the kind's sample data; a failure is a 422 naming the part and error."""
    if channel in ("email", "push", "inbox") and not (body.subject or "").strip():
        raise InvalidValue.field("subject", f"a {channel} template needs a subject")
    if channel != "email" and body.html is not None:
        raise InvalidValue.field("html", "only e-mail templates have an HTML part")
    source = Source(body.subject, body.text, body.html)
    errors: list[FieldError] = []
    try:
        rendered = render(source, kind, channel, locale, dict(SAMPLES[kind]))
    except RenderError as exc:
        errors.append(FieldError(exc.field, exc.message))
    else:
        if channel == "sms":
            raw = render(source, kind, "push", locale, dict(SAMPLES[kind]))
            size = sms_size(raw.text)
            limit = LIMITS[size.encoding][1]
            if size.units > limit:
                errors.append(
                    FieldError(
                        "text",
                        f"renders to {size.units} {size.encoding.upper()} units with the"
                        f" sample data; two SMS segments hold {limit}",
                    )
                )
        elif not rendered.text:
            errors.append(FieldError("text", "renders to nothing with the sample data"))
    if errors:
        summary = "; ".join(f"{e.field}: {e.message}" for e in errors)
        raise InvalidValue(f"The template does not render: {summary}", errors=errors)


class TemplateService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._overrides: dict[str, Template | None] = {}

    async def _override(self, key: str) -> Template | None:
        if key not in self._overrides:
            self._overrides[key] = await self.session.get(Template, key)
        return self._overrides[key]

    async def source(self, kind: str, channel: str, locale: str) -> Source:
        row = await self._override(template_key(kind, channel, locale))
        if row is not None:
            return Source(row.subject, row.text, row.html, custom=True)
        return default_source(kind, channel, locale)

    async def render(
        self, kind: str, channel: str, locale: str, variables: dict[str, Any]
    ) -> Rendered:
        """An admin's template that fails on real data falls back to the default, so a
        user still hears of the event."""
        source = await self.source(kind, channel, locale)
        try:
            return render(source, kind, channel, locale, variables)
        except RenderError:
            if not source.custom:
                raise
            return render(default_source(kind, channel, locale), kind, channel, locale, variables)

    async def list(self) -> list[TemplateOut]:
        rows = {row.key: row for row in await self.session.scalars(select(Template))}
        out = []
        for kind in KINDS:
            for channel in CHANNELS:
                for locale in LOCALES:
                    key = template_key(kind, channel, locale)
                    row = rows.get(key)
                    out.append(self._out(kind, channel, locale, row))
        return out

    async def get(self, key: str) -> TemplateOut:
        kind, channel, locale = parse_key(key)
        return self._out(kind, channel, locale, await self.session.get(Template, key))

    def _out(self, kind: str, channel: str, locale: str, row: Template | None) -> TemplateOut:
        key = template_key(kind, channel, locale)
        if row is not None:
            return TemplateOut(
                key=key,
                kind=kind,
                channel=channel,
                locale=locale,
                subject=row.subject,
                text=row.text,
                html=row.html,
                custom=True,
                updated_at=as_utc(row.updated_at),
            )
        source = default_source(kind, channel, locale)
        return TemplateOut(
            key=key,
            kind=kind,
            channel=channel,
            locale=locale,
            subject=source.subject,
            text=source.text,
            html=None,
            custom=False,
        )

    async def create(self, data: TemplateIn, admin: UUID) -> TemplateOut:
        key = template_key(data.kind, data.channel, data.locale)
        validate(data.kind, data.channel, data.locale, data)
        existing = (
            await self.session.scalars(
                select(Template).where(Template.key == key).with_for_update()
            )
        ).one_or_none()
        if existing is not None:
            raise Conflict(f"The template {key} was already changed: PUT /templates/{key}")
        row = Template(
            key=key,
            kind=data.kind,
            channel=data.channel,
            locale=data.locale,
            subject=data.subject,
            text=data.text,
            html=data.html,
            updated_at=utc_now(),
            updated_by=admin,
        )
        self.session.add(row)
        await self.session.flush()
        return self._out(data.kind, data.channel, data.locale, row)

    async def replace(self, key: str, data: TemplateBody, admin: UUID) -> TemplateOut:
        kind, channel, locale = parse_key(key)
        validate(kind, channel, locale, data)
        row = (
            await self.session.scalars(
                select(Template).where(Template.key == key).with_for_update()
            )
        ).one_or_none()
        if row is None:
            row = Template(key=key, kind=kind, channel=channel, locale=locale)
            self.session.add(row)
        row.subject, row.text, row.html = data.subject, data.text, data.html
        row.updated_at, row.updated_by = utc_now(), admin
        await self.session.flush()
        return self._out(kind, channel, locale, row)

    async def delete(self, key: str) -> None:
        parse_key(key)
        row = (
            await self.session.scalars(
                select(Template).where(Template.key == key).with_for_update()
            )
        ).one_or_none()
        if row is None:
            raise NotFound(
                f"The template {key} is the built-in default; there is nothing to delete"
            )
        await self.session.delete(row)
        await self.session.flush()


def provide_templates(db_session: AsyncSession) -> TemplateService:
    return TemplateService(db_session)
