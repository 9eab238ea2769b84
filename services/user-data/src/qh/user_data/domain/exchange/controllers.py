"""Export and import routes, and the service-to-service read of a whole profile."""

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from qh.kit.auth import requires_role
from qh.kit.problems import PayloadTooLarge, UnsupportedMediaType
from qh.user_data.domain.exchange.resume_file import AiChoice, ResumeFileProposal, propose
from qh.user_data.domain.exchange.resume_file_multipart import file_of
from qh.user_data.domain.exchange.schemas import ImportReport, JsonResumeDocument, ProfileDocument
from qh.user_data.domain.exchange.services import ExchangeService
from qh.user_data.domain.profiles.controllers import Caller, problems

ExportFormat = Annotated[
    Literal["qh", "jsonresume"],
    QueryParameter(name="format", description="`qh` (the platform's own shape) or `jsonresume`"),
]
ImportMode = Annotated[
    Literal["replace", "merge"],
    QueryParameter(
        name="mode",
        description="`replace`: the document becomes the profile; `merge`: its items are "
        "added, and items already in the profile (same company and start, same name…) updated",
    ),
]
Exchange = NamedDependency[ExchangeService]
ExportBody = Response[ProfileDocument | JsonResumeDocument]  # type: ignore[valid-type]


async def _export(
    exchange: ExchangeService, user_id: UUID, export_format: str, *, create: bool
) -> ExportBody:
    """Through the request's session: a GET reads outside a transaction (the kit's rule),
    so an unchanged profile costs one statement."""
    if export_format == "jsonresume":
        return Response(await exchange.export_jsonresume(user_id, create=create))
    body = await exchange.export_qh(user_id, create=create)
    return Response(content=body, media_type="application/json")


@get(
    "/me/export",
    summary="Export your whole profile",
    tags=["Export and import"],
    responses=problems(400, 422),
)
async def export_profile(
    exchange: Exchange, principal: Caller, export_format: ExportFormat = "qh"
) -> ExportBody:
    """The whole profile as one document: `format=qh` (with `schema_version`, stable field
    order) or `format=jsonresume` (validates against the official JSON Resume schema)."""
    return await _export(exchange, principal.id, export_format, create=True)


@get(
    "/users/{user_id:uuid}/export",
    summary="Export a user's profile (platform services)",
    tags=["Export and import"],
    guards=[requires_role("admin", "service")],
    responses=problems(400, 403, 404, 422),
)
async def export_user_profile(
    exchange: Exchange, user_id: FromPath[UUID], export_format: ExportFormat = "qh"
) -> ExportBody:
    """The same document as `GET /me/export`, of any user, for callers with the `admin` or
    `service` role (the resume and cover-letter generators). 404 if the user has no profile."""
    return await _export(exchange, user_id, export_format, create=False)


async def read_body(request: Request[Any, Any, Any], limit: int) -> bytes:
    """The body, refused with 413 past ``limit`` bytes (the service's setting, so the
    route itself declares no limit)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The document is larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The document is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


ImportFormat = Annotated[
    Literal["jsonresume", "qh", "linkedin", "file"],
    QueryParameter(
        name="format",
        description="`jsonresume` (a JSON Resume document), `qh` (a QH export: a backup, or a "
        "reviewed proposal of the resume-file import), `linkedin` (the ZIP of LinkedIn's "
        "data export) or `file` (a PDF, DOCX or TXT resume: answers a proposal, saves nothing)",
    ),
]
ImportAi = Annotated[
    AiChoice | None,
    QueryParameter(
        name="ai",
        description="`format=file` only: `offline` (default, no model) or an AI provider "
        "(`gemini`, `openai`) that fills what the offline reading missed, with values the "
        "file's text contains",
    ),
]
_ZIP_TYPES = {
    "application/zip",
    "application/x-zip-compressed",
    "application/x-zip",
    "application/octet-stream",
}


@post(
    "/me/import",
    summary="Import a JSON Resume document, a QH export or a LinkedIn archive",
    tags=["Export and import"],
    request_max_body_size=None,
    responses=problems(400, 409, 413, 415, 422),
    status_code=200,
)
async def import_profile(
    request: Request[Any, Any, Any],
    exchange: Exchange,
    principal: Caller,
    mode: ImportMode = "replace",
    import_format: ImportFormat = "jsonresume",
    ai: ImportAi = None,
) -> ImportReport | ResumeFileProposal:
    """Read a document into the profile: a JSON Resume document or a QH export
    (`application/json`), or LinkedIn's data archive (`application/zip`). Everything is
    checked first (the JSON Resume schema, then the profile's rules, every problem named by
    the document's path): anything invalid answers 422 and changes nothing. `replace` makes
    the document the profile (sections it leaves out are emptied), `merge` keeps the rest.
    The report lists what the profile has no place for (`unmapped`) and what is stored in
    another notation (`normalised`: a phone in E.164, `Fluent` as C1…).

    `format=file` reads a resume file (multipart field `file`, or the raw body; PDF, DOCX or
    TXT told by the content, 415 otherwise) into a **proposed** profile in the QH export's
    shape and a report (where each value was found, lines left unplaced), saving nothing:
    review it, then save it with `format=qh`. A PDF without a text layer is 422."""
    media_type = request.content_type[0]
    settings = exchange.settings
    if import_format == "file":
        body = await read_body(request, settings.resume_file_max_bytes + 64 * 1024)
        upload = file_of(media_type, request.headers.get("content-type", ""), body)
        if len(upload) > settings.resume_file_max_bytes:
            raise PayloadTooLarge(f"The file is larger than {settings.resume_file_max_bytes} bytes")
        return await propose(
            upload, settings, exchange.context, ai or settings.llm_default_provider
        )
    if import_format == "linkedin":
        if media_type not in _ZIP_TYPES:
            raise UnsupportedMediaType("Send LinkedIn's archive as application/zip")
        body = await read_body(request, settings.archive_max_bytes)
        return await exchange.import_linkedin(principal.id, body, mode=mode)
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise UnsupportedMediaType("Send the document as application/json")
    body = await read_body(request, settings.import_max_bytes)
    if import_format == "qh":
        return await exchange.import_qh(principal.id, body, mode=mode)
    return await exchange.import_jsonresume(principal.id, body, mode=mode)


EXCHANGE_ROUTES = [export_profile, export_user_profile, import_profile]
