"""The profile editor: personal data and every section (add, edit, delete, reorder),
the API's field errors beside their fields; import (JSON Resume, LinkedIn archive, a
resume file reviewed before saving) and export."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest

from qh.kit.settings import MiB
from qh.web.api import ApiError
from qh.web.context import WebContext
from qh.web.pages.forms import FormData, Upload, text
from qh.web.sections import SECTIONS, Section, to_form, to_payload
from qh.web.web import PageController, PageNotFound, Visitor, visit

PROFILE = "/api/v1/profile/me"

# The personal data form: form field -> the API's field (dotted for nested ones).
PERSONAL = {
    "full_name": "full_name",
    "headline": "headline",
    "email": "email",
    "phone": "phone",
    "website": "website",
    "city": "location.city",
    "country_code": "location.country_code",
    "desired_position": "desired_position",
    "salary_amount": "desired_salary.amount",
    "salary_currency": "desired_salary.currency",
    "summary": "summary",
}
API_TO_FORM = {api: form for form, api in PERSONAL.items()}
IMPORT_TYPES = {
    "jsonresume": "application/json",
    "qh": "application/json",
    "linkedin": "application/zip",
}


def section_of(key: str) -> Section:
    section = SECTIONS.get(key)
    if section is None:
        raise PageNotFound
    return section


def personal_form(me: dict[str, Any]) -> dict[str, str]:
    location = me.get("location") or {}
    salary = me.get("desired_salary") or {}
    values = {name: me.get(name) or "" for name in PERSONAL if "." not in PERSONAL[name]}
    values["city"] = location.get("city") or ""
    values["country_code"] = location.get("country_code") or ""
    values["salary_amount"] = "" if salary.get("amount") is None else str(salary["amount"])
    values["salary_currency"] = salary.get("currency") or ""
    return {k: str(v) for k, v in values.items()}


def personal_payload(data: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {
        name: text(data, name) or None for name, api in PERSONAL.items() if "." not in api
    }
    location = dict(current.get("location") or {})
    location["city"] = text(data, "city") or None
    location["country_code"] = text(data, "country_code") or None
    payload["location"] = location if any(location.values()) else None
    amount, currency = text(data, "salary_amount"), text(data, "salary_currency")
    if amount or currency:
        number: Any = amount.replace(" ", "").replace("\u00a0", "")
        try:
            number = float(number) if "." in number or "," in number else int(number)
        except ValueError:
            number = amount
        payload["desired_salary"] = {"amount": number or None, "currency": currency or None}
    else:
        payload["desired_salary"] = None
    return payload


def personal_errors(visitor: Visitor, error: ApiError) -> dict[str, str]:
    found = visitor.field_errors(error)
    return {API_TO_FORM.get(field, field): message for field, message in found.items()}


async def counts(visitor: Visitor) -> dict[str, int]:
    result = {}
    for key in SECTIONS:
        page = await visitor.api.get_json("user-data", f"{PROFILE}/{key}", params={"limit": "1"})
        result[key] = int(page["total"])
    return result


class ProfilePages(PageController):
    path = "/profile"
    tags = ["Pages: profile"]

    @get("/")
    async def profile(
        self, request: HTMXRequest, context: NamedDependency[WebContext]
    ) -> Response[str]:
        """Personal data and the sections with how many items each holds."""
        visitor = await visit(request, context)
        me = await visitor.api.get_json("user-data", PROFILE)
        return visitor.page(
            "profile.html",
            values=personal_form(me),
            me=me,
            counts=await counts(visitor),
            sections=SECTIONS,
            welcome=request.query_params.get("welcome") == "1",
        )

    @post("/")
    async def save_personal(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context)
        me = await visitor.api.get_json("user-data", PROFILE)
        try:
            me = (
                await visitor.api.call(
                    "user-data", "PATCH", PROFILE, json=personal_payload(data, me)
                )
            ).json()
        except ApiError as error:
            if error.status != 422:
                raise
            return visitor.page(
                "profile.html",
                status=422,
                values={name: text(data, name) for name in PERSONAL},
                me=me,
                counts=await counts(visitor),
                sections=SECTIONS,
                welcome=False,
                errors=personal_errors(visitor, error),
                message=visitor.error_text(error),
            )
        return visitor.page(
            "profile.html",
            values=personal_form(me),
            me=me,
            counts=await counts(visitor),
            sections=SECTIONS,
            welcome=False,
            notice=visitor.gettext("Saved."),
        )

    @get("/export")
    async def export(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        format: FromQuery[str] = "qh",
    ) -> Response[bytes]:
        visitor = await visit(request, context)
        if format not in ("qh", "jsonresume"):
            raise PageNotFound
        response = await visitor.api.call(
            "user-data", "GET", f"{PROFILE}/export", params={"format": format}
        )
        name = "profile.qh.json" if format == "qh" else "resume.json"
        return Response(
            response.content,
            media_type="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )

    @get("/import")
    async def import_form(
        self, request: HTMXRequest, context: NamedDependency[WebContext]
    ) -> Response[str]:
        visitor = await visit(request, context)
        return visitor.page("profile_import.html", proposal=None)

    @post("/import", request_max_body_size=20 * MiB)
    async def import_file(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: Upload
    ) -> Response[str]:
        """A JSON Resume document or a LinkedIn archive is imported at once; a resume file
        comes back as a proposal to review."""
        visitor = await visit(request, context)
        _ = visitor.gettext
        kind = text(data, "format")
        mode = "merge" if text(data, "mode") == "merge" else "replace"
        upload = data.get("file")
        content = await upload.read() if hasattr(upload, "read") else b""
        if not content:
            return visitor.page(
                "profile_import.html",
                status=422,
                proposal=None,
                errors={f"file_{kind}": _("Choose a file.")},
            )
        if kind == "file":
            media_type = getattr(upload, "content_type", None) or "application/octet-stream"
            try:
                response = await visitor.api.call(
                    "user-data",
                    "POST",
                    f"{PROFILE}/import",
                    params={"format": "file"},
                    content=content,
                    headers={"Content-Type": media_type},
                )
            except ApiError as error:
                return visitor.page(
                    "profile_import.html",
                    status=error.status if error.status < 500 else 502,
                    proposal=None,
                    errors={"file_file": visitor.error_text(error)},
                )
            body = response.json()
            proposal = body.get("proposal", body)
            return visitor.page(
                "profile_import.html",
                proposal=proposal,
                proposal_json=json.dumps(proposal, ensure_ascii=False),
                report=body.get("report"),
                mode=mode,
            )
        if kind not in IMPORT_TYPES:
            raise PageNotFound
        try:
            report = (
                await visitor.api.call(
                    "user-data",
                    "POST",
                    f"{PROFILE}/import",
                    params={"format": kind, "mode": mode},
                    content=content,
                    headers={"Content-Type": IMPORT_TYPES[kind]},
                )
            ).json()
        except ApiError as error:
            if error.status >= 500:
                raise
            message = visitor.error_text(error)
            if error.errors:
                message = "; ".join(f"{e['field']}: {e['message']}" for e in error.errors[:5])
            return visitor.page(
                "profile_import.html",
                status=error.status,
                proposal=None,
                errors={f"file_{kind}": message},
            )
        return visitor.page("profile_import.html", proposal=None, report=report, imported=True)

    @post("/import/save")
    async def import_save(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        """The reviewed proposal, saved as a QH document."""
        visitor = await visit(request, context)
        mode = "merge" if text(data, "mode") == "merge" else "replace"
        try:
            document = json.loads(str(data.get("proposal") or ""))
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise PageNotFound
        await visitor.api.call(
            "user-data",
            "POST",
            f"{PROFILE}/import",
            params={"format": "qh", "mode": mode},
            json=document,
        )
        return visitor.redirect("/profile")

    @get("/{section:str}")
    async def section(
        self, request: HTMXRequest, context: NamedDependency[WebContext], section: FromPath[str]
    ) -> Response[str]:
        visitor = await visit(request, context)
        spec = section_of(section)
        return await self._section_page(visitor, spec)

    async def _section_page(
        self, visitor: Visitor, spec: Section, status: int = 200, **values: Any
    ) -> Response[str]:
        page = await visitor.api.get_json(
            "user-data", f"{PROFILE}/{spec.key}", params={"limit": "100"}
        )
        return visitor.page("section.html", status=status, spec=spec, items=page["items"], **values)

    @post("/{section:str}")
    async def add(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        section: FromPath[str],
        data: FormData,
    ) -> Response[str]:
        visitor = await visit(request, context)
        spec = section_of(section)
        payload = to_payload(spec, data, partial=False)
        try:
            await visitor.api.call("user-data", "POST", f"{PROFILE}/{spec.key}", json=payload)
        except ApiError as error:
            if error.status not in (409, 422):
                raise
            return await self._section_page(
                visitor,
                spec,
                status=error.status,
                values={f.name: text(data, f.name) for f in spec.fields},
                errors=visitor.field_errors(error),
                message=visitor.error_text(error),
                open_form=True,
            )
        return visitor.redirect(f"/profile/{spec.key}")

    @get("/{section:str}/{item_id:uuid}")
    async def edit_form(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        section: FromPath[str],
        item_id: FromPath[UUID],
    ) -> Response[str]:
        visitor = await visit(request, context)
        spec = section_of(section)
        item = await visitor.api.get_json("user-data", f"{PROFILE}/{spec.key}/{item_id}")
        return visitor.page("section_item.html", spec=spec, item=item, values=to_form(spec, item))

    @post("/{section:str}/{item_id:uuid}")
    async def edit(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        section: FromPath[str],
        item_id: FromPath[UUID],
        data: FormData,
    ) -> Response[str]:
        visitor = await visit(request, context)
        spec = section_of(section)
        path = f"{PROFILE}/{spec.key}/{item_id}"
        try:
            await visitor.api.call(
                "user-data", "PATCH", path, json=to_payload(spec, data, partial=True)
            )
        except ApiError as error:
            if error.status != 422:
                raise
            item = await visitor.api.get_json("user-data", path)
            return visitor.page(
                "section_item.html",
                status=422,
                spec=spec,
                item=item,
                values={f.name: text(data, f.name) for f in spec.fields},
                errors=visitor.field_errors(error),
                message=visitor.error_text(error),
            )
        return visitor.redirect(f"/profile/{spec.key}")

    @post("/{section:str}/{item_id:uuid}/delete")
    async def delete(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        section: FromPath[str],
        item_id: FromPath[UUID],
        data: FormData,
    ) -> Response[str]:
        visitor = await visit(request, context)
        spec = section_of(section)
        await visitor.api.call("user-data", "DELETE", f"{PROFILE}/{spec.key}/{item_id}")
        return visitor.redirect(f"/profile/{spec.key}")

    @post("/{section:str}/{item_id:uuid}/move")
    async def move(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        section: FromPath[str],
        item_id: FromPath[UUID],
        data: FormData,
    ) -> Response[str]:
        """Up or down one place (the item's ``order``)."""
        visitor = await visit(request, context)
        spec = section_of(section)
        try:
            order = max(0, int(text(data, "order")))
        except ValueError:
            raise PageNotFound from None
        await visitor.api.call(
            "user-data", "PATCH", f"{PROFILE}/{spec.key}/{item_id}", json={"order": order}
        )
        return visitor.redirect(f"/profile/{spec.key}")
