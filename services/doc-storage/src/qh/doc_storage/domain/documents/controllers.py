"""Routes of the user's documents, share links, the public shared route and the internal
route the generators store their exports through."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Stream

from qh.doc_storage.db.models import Document, DocumentVersion
from qh.doc_storage.domain.documents.content import CONTENT_TYPES
from qh.doc_storage.domain.documents.delivery import (
    RangeNotSatisfiable,
    content_disposition,
    etag_of,
    none_match,
    parse_range,
)
from qh.doc_storage.domain.documents.schemas import (
    AccessOut,
    DocumentOut,
    ShareCreated,
    ShareIn,
    ShareOut,
    VersionOut,
    access_out,
    document_out,
    share_out,
    version_out,
)
from qh.doc_storage.domain.documents.services import (
    ORIGIN_KINDS,
    DocumentService,
    ShareService,
)
from qh.doc_storage.storage import ObjectStorage
from qh.kit.auth import Principal
from qh.kit.clock import as_utc, utc_now
from qh.kit.links import MEDIA_TYPES
from qh.kit.pagination import Page, PageParams
from qh.kit.problems import PROBLEM_JSON, Forbidden, InvalidValue, Problem, ProblemBody

UPLOAD_BODY = {
    "multipart/form-data": "a part named file (the document) and an optional part title",
}


def _problems(**statuses: str) -> dict[int, ResponseSpec]:
    return {
        int(status[1:]): ResponseSpec(
            data_container=ProblemBody,
            media_type=PROBLEM_JSON,
            description=text,
            generate_examples=False,
        )
        for status, text in statuses.items()
    }


UPLOAD_PROBLEMS = _problems(
    s409="Your document quota is used up",
    s413="The file is larger than the upload limit, or your byte quota is used up",
    s415="The file is not a PDF, DOCX, Markdown or UTF-8 text (decided by its bytes)",
)
CONTENT_PROBLEMS = _problems(s416="The Range asks for bytes the file does not have")
CONTENT_RESPONSES: dict[int, ResponseSpec] = {
    **CONTENT_PROBLEMS,
    200: ResponseSpec(
        data_container=bytes,
        description="The file, with the media type its content was recognised as",
        media_type="application/octet-stream",
        generate_examples=False,
    ),
    206: ResponseSpec(
        data_container=bytes,
        description="The bytes of one Range",
        media_type="application/octet-stream",
        generate_examples=False,
    ),
    304: ResponseSpec(
        data_container=None, description="If-None-Match matched the ETag (the sha256)"
    ),
}
# What a download is sent as: each kind's type (its charset goes in the header's parameter).
CONTENT_MEDIA_TYPES = {
    MEDIA_TYPES: {
        status: [content_type.partition(";")[0] for content_type in CONTENT_TYPES.values()]
        for status in (200, 206)
    }
}
VersionQuery = Annotated[
    int | None,
    QueryParameter(name="version", ge=1, description="A version number; the current one if unset"),
]


class RangeNotSatisfiableProblem(Problem):
    status, kind = 416, "range-not-satisfiable"


async def deliver(
    request: Request[Any, Any, Any],
    storage: ObjectStorage,
    document: Document,
    version: DocumentVersion,
    *,
    on_sent: BackgroundTask | None = None,
) -> Response[Any]:
    """The version's bytes, streamed: ETag (the sha256), If-None-Match (304), one Range
    (206, or 416), Content-Disposition with a UTF-8 file name."""
    etag = etag_of(version.sha256)
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, no-cache",
        "Last-Modified": as_utc(version.created_at).strftime("%a, %d %b %Y %H:%M:%S GMT"),
    }
    if none_match(request.headers.get("if-none-match"), etag):
        return Response(content=b"", status_code=304, headers=headers, background=on_sent)
    try:
        wanted = parse_range(
            request.headers.get("range"), version.size, request.headers.get("if-range"), etag
        )
    except RangeNotSatisfiable:
        raise RangeNotSatisfiableProblem(
            f"The file has {version.size} bytes",
            headers={"Content-Range": f"bytes */{version.size}"},
        ) from None
    headers["Content-Disposition"] = content_disposition(document.title, version.kind)
    if wanted is None:
        chunks = await storage.read(version.key)
        headers["Content-Length"] = str(version.size)
        status = 200
    else:
        chunks = await storage.read(version.key, wanted.start, wanted.end)
        headers["Content-Length"] = str(wanted.length)
        headers["Content-Range"] = wanted.content_range(version.size)
        status = 206
    # The stored type carries its charset (text/markdown; charset=utf-8); Litestar appends
    # one to text/* itself, so it gets the bare type and the charset as the encoding.
    media_type, _, parameters = version.content_type.partition(";")
    charset = parameters.partition("charset=")[2].split(";")[0].strip(' "') or "utf-8"
    return Stream(
        chunks,
        status_code=status,
        media_type=media_type.strip(),
        encoding=charset,
        headers=headers,
        background=on_sent,
    )


class DocumentController(Controller):
    path = "/"
    tags = ["Documents"]

    @post(
        "/",
        status_code=201,
        request_max_body_size=None,
        responses=UPLOAD_PROBLEMS,
        summary="Upload a document",
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        documents: NamedDependency[DocumentService],
    ) -> DocumentOut:
        """A multipart upload: ``file`` (PDF, DOCX, Markdown or UTF-8 text, judged by its
        bytes, never by its name) and an optional ``title``. 201 with the first version."""
        document, version = await documents.create(
            principal.id, documents.source(request), created_by=principal.id
        )
        return document_out(document, version)

    @get("/", summary="The user's documents")
    async def list_documents(
        self,
        principal: NamedDependency[Principal],
        documents: NamedDependency[DocumentService],
        page: NamedDependency[PageParams],
    ) -> Page[DocumentOut]:
        rows, total = await documents.list(principal.id, page.limit, page.offset)
        return page.of([document_out(d, v) for d, v in rows], total)

    @get("/{document_id:uuid}", summary="One document")
    async def read(
        self,
        document_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        documents: NamedDependency[DocumentService],
    ) -> DocumentOut:
        document = await documents.get(principal.id, document_id)
        return document_out(document, await documents.current_version(document))

    @delete("/{document_id:uuid}", status_code=204, summary="Delete a document")
    async def remove(
        self,
        document_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        documents: NamedDependency[DocumentService],
    ) -> None:
        """The document, every version and share link; the bytes are deleted right after."""
        await documents.delete(principal.id, document_id)

    @post(
        "/{document_id:uuid}/versions",
        status_code=201,
        request_max_body_size=None,
        responses=UPLOAD_PROBLEMS,
        summary="Upload a new version",
    )
    async def upload_version(
        self,
        document_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        documents: NamedDependency[DocumentService],
    ) -> DocumentOut:
        """Like the first upload; earlier versions are kept unchanged."""
        document, version = await documents.add_version(
            principal.id, document_id, documents.source(request), created_by=principal.id
        )
        return document_out(document, version)

    @get("/{document_id:uuid}/versions", summary="The version history")
    async def list_versions(
        self,
        document_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        documents: NamedDependency[DocumentService],
        page: NamedDependency[PageParams],
    ) -> Page[VersionOut]:
        rows, total = await documents.versions(principal.id, document_id, page.limit, page.offset)
        return page.of([version_out(v) for v in rows], total)

    @get(
        "/{document_id:uuid}/content",
        summary="The bytes of a version",
        responses=CONTENT_RESPONSES,
        opt=CONTENT_MEDIA_TYPES,
    )
    async def content(
        self,
        document_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        documents: NamedDependency[DocumentService],
        version: VersionQuery = None,
    ) -> Response[Any]:
        """Streamed with its Content-Type, ``ETag`` (the quoted sha256; ``If-None-Match``
        gives 304), ``Range`` (206; 416 beyond the end) and a Content-Disposition whose
        ``filename*`` keeps the title in UTF-8."""
        document, stored = await documents.with_version(principal.id, document_id, version)
        return await deliver(request, await documents.storage(), document, stored)

    # --- share links ---------------------------------------------------------------------

    @post("/{document_id:uuid}/share", status_code=201, summary="Make a share link")
    async def share(
        self,
        document_id: FromPath[UUID],
        data: JSONBody[ShareIn],
        principal: NamedDependency[Principal],
        shares: NamedDependency[ShareService],
    ) -> ShareCreated:
        """A link anyone can open without an account until it expires (default 7 days, at
        most 30) or is revoked; pinned to ``version`` if given."""
        share, token = await shares.create(
            principal.id, document_id, expires_in=data.expires_in, version=data.version
        )
        return ShareCreated(
            id=share.id,
            url=shares.url(token),
            expires_at=as_utc(share.expires_at),
            version=share.version,
        )

    @get("/{document_id:uuid}/shares", summary="The document's share links and their use")
    async def list_shares(
        self,
        document_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        shares: NamedDependency[ShareService],
        page: NamedDependency[PageParams],
    ) -> Page[ShareOut]:
        rows, total = await shares.list(principal.id, document_id, page.limit, page.offset)
        now = utc_now()
        return page.of([share_out(s, now) for s in rows], total)

    @get(
        "/{document_id:uuid}/share/{share_id:uuid}/accesses",
        summary="Every use of one share link",
    )
    async def list_accesses(
        self,
        document_id: FromPath[UUID],
        share_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        shares: NamedDependency[ShareService],
        page: NamedDependency[PageParams],
    ) -> Page[AccessOut]:
        rows, total = await shares.accesses(
            principal.id, document_id, share_id, page.limit, page.offset
        )
        return page.of([access_out(a) for a in rows], total)

    @delete(
        "/{document_id:uuid}/share/{share_id:uuid}", status_code=204, summary="Revoke a share link"
    )
    async def revoke(
        self,
        document_id: FromPath[UUID],
        share_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        shares: NamedDependency[ShareService],
    ) -> None:
        await shares.revoke(principal.id, document_id, share_id)

    @get(
        "/shared/{token:str}",
        opt={"exclude_from_auth": True, **CONTENT_MEDIA_TYPES},
        security=[{}],  # public: no token needed (an empty requirement)
        summary="Open a share link (public)",
        responses={
            **CONTENT_RESPONSES,
            404: ResponseSpec(
                data_container=ProblemBody,
                media_type=PROBLEM_JSON,
                description="No such link, or it expired or was revoked",
                generate_examples=False,
            ),
        },
    )
    async def shared(
        self,
        token: FromPath[str],
        request: Request[Any, Any, Any],
        shares: NamedDependency[ShareService],
    ) -> Response[Any]:
        """The shared bytes, like ``/{id}/content``; 404 once the link expired or was
        revoked. Every use is counted and logged for the owner."""
        if len(token) > 100:
            raise InvalidValue.field("token", "is not a share token")
        share, document, version = await shares.resolve(token)
        client = request.client.host if request.client else None
        status = 200
        if none_match(request.headers.get("if-none-match"), etag_of(version.sha256)):
            status = 304
        elif request.headers.get("range"):
            status = 206
        await shares.record_access(
            share,
            document,
            version,
            status=status,
            client_ip=client,
            user_agent=request.headers.get("user-agent"),
        )
        return await deliver(request, await shares.documents.storage(), document, version)


class InternalController(Controller):
    """For the platform's generators: every export of one resume or cover letter becomes a
    new version of one document of its owner."""

    path = "/internal"
    tags = ["Internal"]

    @put(
        "/origin/{origin_kind:str}/{origin_id:str}/content",
        status_code=201,
        request_max_body_size=None,
        responses={**UPLOAD_PROBLEMS},
        summary="Store a generator's export",
    )
    async def store_export(
        self,
        origin_kind: FromPath[str],
        origin_id: FromPath[str],
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        documents: NamedDependency[DocumentService],
        user_id: Annotated[
            UUID | None,
            QueryParameter(name="user_id", description="The owner; required with role service"),
        ] = None,
        title: Annotated[
            str | None, QueryParameter(name="title", max_length=200, description="The title")
        ] = None,
    ) -> DocumentOut:
        """The body is the file itself (``Content-Type`` of the file, judged by its bytes)
        or a multipart upload like ``POST /``. A platform service (role ``service``) names
        the owner in ``user_id``; a user's forwarded token stores for that user only."""
        if origin_kind not in ORIGIN_KINDS:
            raise InvalidValue.field("origin_kind", f"must be one of {', '.join(ORIGIN_KINDS)}")
        if not 1 <= len(origin_id) <= 100:
            raise InvalidValue.field("origin_id", "must have 1 to 100 characters")
        if principal.is_service:
            if user_id is None:
                raise InvalidValue.field("user_id", "is required when a service stores an export")
            owner = user_id
        else:
            if user_id is not None and user_id != principal.id:
                raise Forbidden("A user stores exports for themselves only")
            owner = principal.id
        document, version = await documents.store_for_origin(
            owner,
            origin_kind,
            origin_id,
            documents.source(request),
            created_by=principal.id,
            title=title,
        )
        return document_out(document, version)


DOCUMENT_ROUTES = [DocumentController, InternalController]
__all__ = ["DOCUMENT_ROUTES", "deliver"]
