"""Reading the forms the pages post."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.params import Body

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
