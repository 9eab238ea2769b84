"""Documents: the list, upload, one document's versions (and a new one uploaded), its share
links (with expiry, use counts, revocation, and each link's access log) and downloads."""

from __future__ import annotations

import secrets
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
from qh.web.web import PageController, PageNotFound, Visitor, visit

DOCUMENTS = "/api/v1/documents"
EXPIRIES = {"3600": 3600, "86400": 86400, "604800": 604800, "2592000": 2592000}


def multipart(fields: dict[str, str], file: tuple[str, bytes, str]) -> tuple[bytes, str]:
    """A multipart/form-data body (the Invoker sends bytes)."""
    boundary = "qh-" + secrets.token_hex(16)
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    filename, content, media_type = file
    safe = filename.replace('"', "").replace("\r", "").replace("\n", "") or "file"
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{safe}"\r\n'
        f"Content-Type: {media_type}\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


async def list_page(visitor: Visitor, status: int = 200, **values: Any) -> Response[str]:
    page = await visitor.api.get_json("doc-storage", f"{DOCUMENTS}/", params={"limit": "100"})
    return visitor.page("documents.html", status=status, documents=page["items"], **values)


async def document_page(
    visitor: Visitor, document_id: UUID, status: int = 200, **values: Any
) -> Response[str]:
    base = f"{DOCUMENTS}/{document_id}"
    document = await visitor.api.get_json("doc-storage", base)
    versions = await visitor.api.get_json("doc-storage", f"{base}/versions")
    shares = await visitor.api.get_json("doc-storage", f"{base}/shares")
    return visitor.page(
        "document.html",
        status=status,
        document=document,
        versions=versions["items"] if isinstance(versions, dict) else versions,
        shares=shares["items"] if isinstance(shares, dict) else shares,
        **values,
    )


async def read_upload(data: dict[str, Any]) -> tuple[str, bytes, str]:
    upload: Any = data.get("file")
    content = await upload.read() if hasattr(upload, "read") else b""
    return (
        getattr(upload, "filename", "") or "file",
        content,
        getattr(upload, "content_type", "") or "application/octet-stream",
    )


def upload_message(visitor: Visitor, error: ApiError) -> str:
    """Why doc-storage refused a file, in words."""
    if error.status == 413 and error.extra.get("quota"):
        return visitor.gettext("Your documents use all the space you have: delete some first.")
    message = visitor.error_text(error)
    if error.status in (413, 415, 422) and error.detail:
        message = error.detail
    return message


async def find_share(visitor: Visitor, base: str, share_id: UUID) -> dict[str, Any]:
    """One link of the document, from its list (doc-storage has no route for one)."""
    offset = 0
    while True:
        page = await visitor.api.get_json(
            "doc-storage", f"{base}/shares", params={"limit": "100", "offset": str(offset)}
        )
        for share in page["items"]:
            if share["id"] == str(share_id):
                return share  # type: ignore[no-any-return]
        offset += 100
        if not page["items"] or offset >= page["total"]:
            raise PageNotFound


class DocumentPages(PageController):
    path = "/documents"
    tags = ["Pages: documents"]

    @get("/")
    async def documents(
        self, request: HTMXRequest, context: NamedDependency[WebContext]
    ) -> Response[str]:
        visitor = await visit(request, context)
        return await list_page(visitor)

    @post("/", request_max_body_size=32 * MiB)
    async def upload(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: Upload
    ) -> Response[str]:
        visitor = await visit(request, context)
        upload = data.get("file")
        content = await upload.read() if hasattr(upload, "read") else b""
        if not content:
            return await list_page(
                visitor, status=422, errors={"file": visitor.gettext("Choose a file.")}
            )
        fields = {"title": text(data, "title")} if text(data, "title") else {}
        body, media_type = multipart(
            fields,
            (
                getattr(upload, "filename", "") or "file",
                content,
                getattr(upload, "content_type", "") or "application/octet-stream",
            ),
        )
        try:
            created = await visitor.api.get_json_post(
                "doc-storage",
                f"{DOCUMENTS}/",
                content=body,
                headers={"Content-Type": media_type},
            )
        except ApiError as error:
            if error.status >= 500:
                raise
            message = visitor.error_text(error)
            if error.status in (413, 415, 422) and error.detail:
                message = error.detail
            return await list_page(visitor, status=error.status, errors={"file": message})
        return visitor.redirect(f"/documents/{created['id']}")

    @get("/{document_id:uuid}")
    async def document(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        document_id: FromPath[UUID],
    ) -> Response[str]:
        """One document: its versions, and the links shared with their use counts."""
        visitor = await visit(request, context)
        uploaded = request.query_params.get("version", "")
        notice = (
            visitor.gettext("Version {n} is uploaded.").format(n=int(uploaded))
            if uploaded.isdigit()
            else None
        )
        return await document_page(visitor, document_id, notice=notice)

    @get("/{document_id:uuid}/download")
    async def download(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        document_id: FromPath[UUID],
        version: FromQuery[int | None] = None,
    ) -> Response[bytes]:
        visitor = await visit(request, context)
        params = {"version": str(version)} if version else None
        response = await visitor.api.call(
            "doc-storage", "GET", f"{DOCUMENTS}/{document_id}/content", params=params
        )
        headers = {"Cache-Control": "no-store"}
        disposition = response.headers.get("content-disposition")
        headers["Content-Disposition"] = disposition or "attachment"
        return Response(
            response.content,
            media_type=response.headers.get("content-type", "application/octet-stream"),
            headers=headers,
        )

    @post("/{document_id:uuid}/versions", request_max_body_size=32 * MiB)
    async def upload_version(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        document_id: FromPath[UUID],
        data: Upload,
    ) -> Response[str]:
        """A new version of the document; the earlier ones stay as they were."""
        visitor = await visit(request, context)
        filename, content, media_type = await read_upload(data)
        if not content:
            return await document_page(
                visitor,
                document_id,
                status=422,
                errors={"version_file": visitor.gettext("Choose a file.")},
            )
        body, content_type = multipart({}, (filename, content, media_type))
        try:
            created = await visitor.api.get_json_post(
                "doc-storage",
                f"{DOCUMENTS}/{document_id}/versions",
                content=body,
                headers={"Content-Type": content_type},
            )
        except ApiError as error:
            if error.status >= 500 or error.status == 404:
                raise
            return await document_page(
                visitor,
                document_id,
                status=error.status,
                errors={"version_file": upload_message(visitor, error)},
            )
        return visitor.redirect(f"/documents/{document_id}?version={created['version']}")

    @get("/{document_id:uuid}/links/{share_id:uuid}")
    async def share_log(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        document_id: FromPath[UUID],
        share_id: FromPath[UUID],
        offset: FromQuery[int] = 0,
    ) -> Response[str]:
        """One share link: when it was opened, which version, from where (owner only)."""
        visitor = await visit(request, context)
        base = f"{DOCUMENTS}/{document_id}"
        document = await visitor.api.get_json("doc-storage", base)
        offset = max(0, min(offset, 1_000_000))
        accesses = await visitor.api.get_json(
            "doc-storage",
            f"{base}/share/{share_id}/accesses",
            params={"limit": "100", "offset": str(offset)},
        )
        share = await find_share(visitor, base, share_id)
        return visitor.page(
            "document_share.html",
            document=document,
            share=share,
            accesses=accesses["items"],
            total=accesses["total"],
            offset=offset,
        )

    @post("/{document_id:uuid}/share")
    async def share(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        document_id: FromPath[UUID],
        data: FormData,
    ) -> Response[str]:
        visitor = await visit(request, context)
        expires_in = EXPIRIES.get(text(data, "expires_in"))
        if expires_in is None:
            raise PageNotFound
        try:
            created = await visitor.api.get_json_post(
                "doc-storage",
                f"{DOCUMENTS}/{document_id}/share",
                json={"expires_in": expires_in},
            )
        except ApiError as error:
            if error.status == 404:
                raise
            return await document_page(
                visitor, document_id, status=error.status, message=visitor.error_text(error)
            )
        return await document_page(visitor, document_id, shared=created)

    @post("/{document_id:uuid}/share/{share_id:uuid}/revoke")
    async def revoke(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        document_id: FromPath[UUID],
        share_id: FromPath[UUID],
        data: FormData,
    ) -> Response[str]:
        visitor = await visit(request, context)
        await visitor.api.call(
            "doc-storage", "DELETE", f"{DOCUMENTS}/{document_id}/share/{share_id}"
        )
        return visitor.redirect(f"/documents/{document_id}")

    @post("/{document_id:uuid}/delete")
    async def delete(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        document_id: FromPath[UUID],
        data: FormData,
    ) -> Response[str]:
        visitor = await visit(request, context)
        try:
            await visitor.api.call("doc-storage", "DELETE", f"{DOCUMENTS}/{document_id}")
        except ApiError as error:
            if error.status != 404:
                raise
        return visitor.redirect("/documents")
