"""Export and import routes, and the service-to-service read of a whole profile."""

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, QueryParameter

from qh.kit.app import ServiceContext
from qh.kit.auth import requires_role
from qh.kit.problems import UnsupportedMediaType
from qh.user_data.db.reader import ExportReader
from qh.user_data.domain.exchange.schemas import ImportReport, JsonResumeDocument, ProfileDocument
from qh.user_data.domain.exchange.services import ExchangeService
from qh.user_data.domain.profiles.controllers import Caller, Profiles, problems
from qh.user_data.domain.profiles.services import profile_service
from qh.user_data.settings import UserDataSettings

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
Reader = NamedDependency[ExportReader]
# Typed Any: the signature model cannot build a validator for ServiceContext's fields.
Context = NamedDependency[Any]
ExportBody = Response[ProfileDocument | JsonResumeDocument]  # type: ignore[valid-type]


async def _export(
    context: ServiceContext,
    reader: ExportReader,
    user_id: UUID,
    export_format: str,
    *,
    create: bool,
) -> Any:
    if export_format == "qh" and (document := await reader.fresh_export(user_id)) is not None:
        return Response(content=document.encode(), media_type="application/json")
    settings = context.settings
    assert isinstance(settings, UserDataSettings)
    async with context.session_maker() as session, session.begin():
        exchange = ExchangeService(profile_service(session, settings, context.outbox))
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
    context: Context, reader: Reader, principal: Caller, export_format: ExportFormat = "qh"
) -> ExportBody:
    """The whole profile as one document: `format=qh` (with `schema_version`, stable field
    order) or `format=jsonresume` (validates against the official JSON Resume schema)."""
    return await _export(context, reader, principal.id, export_format, create=True)  # type: ignore[no-any-return]


@get(
    "/users/{user_id:uuid}/export",
    summary="Export a user's profile (platform services)",
    tags=["Export and import"],
    guards=[requires_role("admin", "service")],
    responses=problems(400, 403, 404, 422),
)
async def export_user_profile(
    context: Context, reader: Reader, user_id: FromPath[UUID], export_format: ExportFormat = "qh"
) -> ExportBody:
    """The same document as `GET /me/export`, of any user, for callers with the `admin` or
    `service` role (the resume and cover-letter generators). 404 if the user has no profile."""
    return await _export(context, reader, user_id, export_format, create=False)  # type: ignore[no-any-return]


def import_route(settings: UserDataSettings) -> HTTPRouteHandler:
    @post(
        "/me/import",
        summary="Import a JSON Resume document",
        tags=["Export and import"],
        request_max_body_size=settings.import_max_bytes,
        responses=problems(400, 409, 413, 415, 422),
        status_code=200,
    )
    async def import_profile(
        request: Request[Any, Any, Any],
        profiles: Profiles,
        principal: Caller,
        mode: ImportMode = "replace",
        import_format: Annotated[
            Literal["jsonresume"], QueryParameter(name="format", description="Only `jsonresume`")
        ] = "jsonresume",
    ) -> ImportReport:
        """Read a JSON Resume document (body, `application/json`) into the profile. The
        document is checked against the official schema and the profile's rules first:
        anything invalid answers 422 and changes nothing. What the profile has no place
        for (volunteer work, publications, interests, references, a photo…) is listed in
        `unmapped`; values stored in another notation (phone in E.164…) in `normalised`."""
        media_type = request.content_type[0]
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise UnsupportedMediaType("Send the document as application/json")
        body = await request.body()
        return await ExchangeService(profiles).import_jsonresume(principal.id, body, mode=mode)

    return import_profile
