"""Reading the forms the pages post."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from litestar import Request, Response
from litestar.enums import RequestEncodingType
from litestar.params import Body

from qh.web.api import ApiError

if TYPE_CHECKING:
    from qh.web.web import Visitor

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return value.strip() if isinstance(value, str) else ""


async def values(request: Request[Any, Any, Any], name: str) -> list[str]:
    form = await request.form()
    return [v for v in form.getall(name) if isinstance(v, str)] if name in form else []


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a path of this site (never ``//host`` or a scheme) is followed after a form."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


__all__ = ["FormData", "Upload", "safe_next", "text", "values"]


async def export_link(
    visitor: Visitor, service: str, path: str, kind: str, label: str, fallback: str
) -> Response[str]:
    """An export made in the background (htmx, with a progress note): the link to the
    file as stored in the documents, or to ``fallback`` when it was not stored."""
    try:
        answer = await visitor.api.call(service, "GET", path, params={"format": kind})
    except ApiError as error:
        if error.status == 404:
            raise
        return visitor.page("_export.html", message=visitor.error_text(error))
    document = answer.headers.get("qh-document-id")
    version = answer.headers.get("qh-document-version")
    url = f"/documents/{document}/download?version={version}" if document and version else fallback
    return visitor.page("_export.html", url=url, kind=label, ready=True)
