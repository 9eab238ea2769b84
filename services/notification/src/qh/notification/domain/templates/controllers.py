"""Admin: the message templates per kind, channel and locale."""

from __future__ import annotations

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from qh.kit.auth import Caller, requires_role
from qh.kit.pagination import Page, Paging
from qh.notification.domain.templates.schemas import TemplateBody, TemplateIn, TemplateOut
from qh.notification.domain.templates.services import TemplateService

Templates = NamedDependency[TemplateService]


class TemplateController(Controller):
    path = "/templates"
    tags = ["Templates"]
    guards = [requires_role("admin")]

    @get("/")
    async def list_templates(self, templates: Templates, page: Paging) -> Page[TemplateOut]:
        """Every template, the admin's version where there is one (``custom``)."""
        items = await templates.list()
        return page.of(items[page.offset : page.offset + page.limit], len(items))

    @post("/", status_code=201)
    async def create_template(
        self, data: JSONBody[TemplateIn], principal: Caller, templates: Templates
    ) -> TemplateOut:
        """Replace a built-in template; it must render with the kind's sample data (422
        names the failing part and error otherwise); 409 when already replaced."""
        return await templates.create(data, principal.id)

    @put("/{key:str}")
    async def put_template(
        self,
        key: FromPath[str],
        data: JSONBody[TemplateBody],
        principal: Caller,
        templates: Templates,
    ) -> TemplateOut:
        """Set the template ``<kind>.<channel>.<locale>``, validated like POST."""
        return await templates.replace(key, data, principal.id)

    @delete("/{key:str}", status_code=204)
    async def delete_template(self, key: FromPath[str], templates: Templates) -> None:
        """Back to the built-in default."""
        await templates.delete(key)
