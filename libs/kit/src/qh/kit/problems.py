"""RFC 9457 problem responses: the one place where errors become HTTP.

Domain code raises :class:`Problem` subclasses (or the repository's ``NotFoundError``);
framework errors (malformed JSON, invalid fields, unknown route, wrong method, body too
large) and unexpected exceptions are all mapped here to ``application/problem+json``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from types import TracebackType
from typing import Any, Literal, get_args, get_origin

import msgspec
import structlog
from advanced_alchemy.exceptions import (
    DuplicateKeyError,
    ForeignKeyError,
    NotFoundError,
    RepositoryError,
)
from advanced_alchemy.exceptions import IntegrityError as RepositoryIntegrityError
from litestar import Request, Response
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import BodyKwarg, ParameterKwarg
from sqlalchemy.exc import SQLAlchemyError

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://qh.dev/problems/"

log = structlog.get_logger("qh.problems")


class FieldError(msgspec.Struct):
    field: str
    message: str


class ProblemBody(msgspec.Struct, omit_defaults=True):
    """The body of every error response."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None


class Problem(Exception):
    """An error with an HTTP meaning. Subclass per kind; raise anywhere below a route."""

    status: int = 400
    kind: str = "bad-request"
    title: str | None = None

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or self.title or HTTPStatus(self.status).phrase)
        self.detail = detail
        self.errors = list(errors) if errors else None
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


class BadRequest(Problem):
    status, kind = 400, "bad-request"


class Unauthorized(Problem):
    status, kind = 401, "unauthorized"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        super().__init__(detail, **kwargs)


class Forbidden(Problem):
    status, kind = 403, "forbidden"


class NotFound(Problem):
    status, kind = 404, "not-found"


class Conflict(Problem):
    status, kind = 409, "conflict"


class PayloadTooLarge(Problem):
    status, kind = 413, "payload-too-large"


class UnsupportedMediaType(Problem):
    status, kind = 415, "unsupported-media-type"


class InvalidValue(Problem):
    status, kind, title = 422, "validation", "Invalid request"

    @classmethod
    def field(cls, field: str, message: str) -> InvalidValue:
        return cls(f"{field}: {message}", errors=[FieldError(field, message)])


class TooManyRequests(Problem):
    status, kind = 429, "too-many-requests"

    def __init__(self, detail: str | None = None, *, retry_after: int, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": str(max(1, int(retry_after)))})
        super().__init__(detail, **kwargs)


class ServiceUnavailable(Problem):
    """A dependency (the database, another service, the object store) is unavailable:
    503 with ``Retry-After`` (one second unless the raiser knows better)."""

    status, kind = 503, "unavailable"

    def __init__(self, detail: str | None = None, *, retry_after: int = 1, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.headers.setdefault("Retry-After", str(max(1, int(retry_after))))


_KINDS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation",
    429: "too-many-requests",
    500: "internal",
    503: "unavailable",
}


PROBLEM_DESCRIPTIONS = {
    400: "Malformed request: the body or a parameter cannot be read",
    401: "Missing, invalid, expired or revoked access token",
    403: "Authenticated, but without the role this needs",
    404: "Not found, or not yours",
    409: "Conflicts with the current state",
    413: "The body is larger than this route accepts",
    415: "The body's media type is not the one this route takes",
    422: "Invalid values: each bad field is listed under errors",
    429: "Too many requests: retry after Retry-After seconds",
    500: "Something went wrong on our side; quote the request id",
    503: "A dependency (database, another service) is unavailable; retry later",
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI responses for the problems a route answers beyond those the kit declares on
    every route (400, 422, 500 and 503; 401 and 403 behind auth; 404 with a path
    parameter; 409, 413 and 415 with a body): ``responses=problem_responses(404, 429)``.
    A route's own entries win over the kit's."""
    return {
        status: ResponseSpec(
            data_container=ProblemBody,
            description=PROBLEM_DESCRIPTIONS.get(status) or HTTPStatus(status).phrase,
            media_type=PROBLEM_JSON,
        )
        for status in sorted(statuses)
    }


def problem_type(status: int) -> str:
    return PROBLEM_BASE + _KINDS.get(status, str(status))


def _request_id(request: Request[Any, Any, Any]) -> str | None:
    state = request.scope.get("state") or {}
    return state.get("request_id") or request.headers.get("x-request-id")


def problem_response(
    request: Request[Any, Any, Any],
    status: int,
    *,
    detail: str | None = None,
    title: str | None = None,
    kind: str | None = None,
    errors: Sequence[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response[bytes]:
    """``extra`` adds extension members (RFC 9457 §3.2) beside the standard ones, which
    it cannot replace."""
    request_id = _request_id(request)
    body = ProblemBody(
        type=PROBLEM_BASE + kind if kind else problem_type(status),
        title=title or HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=request.scope.get("path"),
        request_id=request_id,
        errors=list(errors) if errors is not None else None,
    )
    out_headers = dict(headers or {})
    content = msgspec.json.encode(body)
    if extra:
        content = msgspec.json.encode({**extra, **msgspec.to_builtins(body)})
    return Response(
        content=content,
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=out_headers,
    )


# msgspec names the object, not the field, when a field is missing or unknown.
_OBJECT_FIELD = re.compile(r"^Object (missing required|contains unknown) field `([^`]+)`")
_BODY_KEYS = {"data", "body"}

# msgspec's constraint messages, rewritten in words a person reads (no regex, no types).
_TYPE_WORDS = {
    "str": "a string",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "null": "null",
    "array": "a list",
    "object": "an object",
    "uuid": "a UUID",
    "datetime": "a date and time (RFC 3339)",
    "date": "a date (YYYY-MM-DD)",
    "time": "a time (HH:MM:SS)",
    "decimal": "a decimal number",
    "bytes": "base64-encoded bytes",
}
_COMPARISONS = {">=": "at least", "<=": "at most", ">": "greater than", "<": "less than"}
_LENGTH_UNITS = {"str": "characters", "array": "items", "object": "entries", "bytes": "bytes"}
_EXPECTED_REGEX = re.compile(r"^Expected `str` matching regex ")
_EXPECTED_LENGTH = re.compile(r"^Expected `(\w+)` of length (>=|<=) (\d+)$")
_EXPECTED_BOUND = re.compile(r"^Expected `(?:int|float|decimal)` (>=|<=|>|<) (\S+)$")
_EXPECTED_MULTIPLE = re.compile(r"^Expected `(?:int|float|decimal)` that's a multiple of (\S+)$")
_EXPECTED_TYPE = re.compile(r"^Expected `([^`]+)`, got `([^`]+)`$")
_INVALID_ENUM = re.compile(r"^Invalid enum value (.+)$")


def _type_words(names: str) -> str:
    words = [_TYPE_WORDS.get(name.strip(), name.strip()) for name in names.split("|")]
    return " or ".join(words)


def _choices(annotation: Any) -> list[str]:
    for candidate in (annotation, *get_args(annotation)):
        if get_origin(candidate) is Literal:
            return [str(arg) for arg in get_args(candidate)]
    return []


def human_message(field: str, message: str, annotation: Any = None) -> str:
    """msgspec's message about ``field`` in plain words."""
    if _EXPECTED_REGEX.match(message):
        if "email" in field.rsplit(".", 1)[-1].lower():
            return "must be a valid e-mail address"
        return "has the wrong format"
    if match := _EXPECTED_LENGTH.match(message):
        kind, op, size = match.groups()
        if kind == "str" and op == ">=" and size == "1":
            return "must not be empty"
        unit = _LENGTH_UNITS.get(kind, "items")
        return f"must have {_COMPARISONS[op]} {size} {unit}"
    if match := _EXPECTED_BOUND.match(message):
        return f"must be {_COMPARISONS[match.group(1)]} {match.group(2)}"
    if match := _EXPECTED_MULTIPLE.match(message):
        return f"must be a multiple of {match.group(1)}"
    if match := _EXPECTED_TYPE.match(message):
        return f"must be {_type_words(match.group(1))}, not {_type_words(match.group(2))}"
    if match := _INVALID_ENUM.match(message):
        if choices := _choices(annotation):
            return f"must be one of {', '.join(choices)} (got {match.group(1)})"
        return f"{match.group(1)} is not one of the accepted values"
    return message


def _handler_parameters(request: Request[Any, Any, Any]) -> Mapping[str, Any]:
    handler = request.scope.get("route_handler")
    signature = getattr(handler, "parsed_fn_signature", None)
    return getattr(signature, "parameters", None) or {}


def _body_kind(parameters: Mapping[str, Any]) -> str:
    data = parameters.get("data")
    declared = getattr(data, "kwarg_definition", None)
    media_type = declared.media_type if isinstance(declared, BodyKwarg) else None
    if media_type == RequestEncodingType.URL_ENCODED:
        return "a form-encoded body"
    if media_type == RequestEncodingType.MULTI_PART:
        return "a multipart body"
    return "a JSON body"


def _field_errors(extra: Any, request: Request[Any, Any, Any] | None = None) -> list[FieldError]:
    parameters = _handler_parameters(request) if request is not None else {}
    errors: list[FieldError] = []
    if isinstance(extra, list):
        for item in extra:
            if isinstance(item, Mapping) and item.get("key"):
                key, message = str(item["key"]), str(item.get("message", "invalid"))
                annotation = None
                if key in _BODY_KEYS and message == f"'{key}'":
                    # The handler's body is missing altogether.
                    errors.append(FieldError("body", f"{_body_kind(parameters)} is required"))
                    continue
                if match := _OBJECT_FIELD.match(message):
                    name = match.group(2)
                    key = name if key in _BODY_KEYS else f"{key}.{name}"
                    message = (
                        "is required"
                        if match.group(1) == "missing required"
                        else "is not a known field"
                    )
                elif (parameter := parameters.get(key)) is not None:
                    # A query/header/cookie parameter: named as the client sends it.
                    annotation = parameter.annotation
                    declared = parameter.kwarg_definition
                    if isinstance(declared, ParameterKwarg) and declared.name:
                        key = declared.name
                errors.append(FieldError(key, human_message(key, message, annotation)))
    return errors


# Litestar's steps that turn the request into the handler's arguments: a RecursionError or
# UnicodeDecodeError raised below them comes from what the client sent, not from a bug.
_BODY_DECODING = {
    "decode_json",
    "decode_msgpack",
    "json",
    "msgpack",
    "form",
    "to_kwargs",
    "parse_values_from_connection_kwargs",
}


def _raised_while_decoding(traceback: TracebackType | None) -> bool:
    while traceback is not None:
        code = traceback.tb_frame.f_code
        if code.co_name in _BODY_DECODING and "litestar" in code.co_filename:
            return True
        traceback = traceback.tb_next
    return False


def handle_undecodable_body(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """A body nested too deeply for the decoder, or not valid UTF-8: 400, not 500."""
    if not _raised_while_decoding(exc.__traceback__):
        return handle_unexpected(request, exc)
    reason = (
        "it is nested too deeply"
        if isinstance(exc, RecursionError)
        else "it is not valid UTF-8 (JSON is always UTF-8)"
    )
    return problem_response(request, 400, detail=f"Malformed request body: {reason}")


def handle_problem(request: Request[Any, Any, Any], exc: Problem) -> Response[bytes]:
    return problem_response(
        request,
        exc.status,
        detail=exc.detail,
        title=exc.title,
        kind=exc.kind,
        errors=exc.errors,
        headers=exc.headers,
        extra=exc.extra,
    )


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    if isinstance(exc, ValidationException):
        errors = _field_errors(exc.extra, request)
        if errors:
            summary = "; ".join(f"{e.field}: {e.message}" for e in errors)
            return problem_response(
                request, 422, title="Invalid request", detail=summary, errors=errors
            )
        return problem_response(request, 400, detail=str(exc.detail) or "Malformed request")
    detail: str | None = (
        exc.detail if exc.detail and exc.detail != HTTPStatus(status).phrase else None
    )
    if isinstance(exc.__cause__, SerializationException):
        detail = f"Malformed request body: {exc.detail}"
    if status == 413 and not detail:
        detail = "The request body is larger than this route accepts"
    if status >= 500:
        return handle_unexpected(request, exc)
    return problem_response(request, status, detail=detail, headers=exc.headers)


def handle_not_found_error(request: Request[Any, Any, Any], exc: NotFoundError) -> Response[bytes]:
    return problem_response(request, 404, detail="Not found")


def handle_integrity_error(
    request: Request[Any, Any, Any], exc: RepositoryError
) -> Response[bytes]:
    if isinstance(exc, DuplicateKeyError):
        return problem_response(request, 409, detail="A resource with these values already exists")
    if isinstance(exc, ForeignKeyError):
        return problem_response(request, 409, detail="A referenced resource does not exist")
    return problem_response(request, 409, detail="The change conflicts with existing data")


# --- the database unavailable ---------------------------------------------------------------
#
# A database that is down, restarting or refusing connections is a 503 with Retry-After,
# never a 500: the request's transaction was not committed (a connection that broke before
# the commit rolls back), so the client may try again. A failed *commit* is turned into the
# same answer by ``qh.kit.db.commit_before_send``.

# asyncpg's errors of a connection that is gone, or a server that shuts down or starts up.
_CONNECTION_ERROR_NAMES = frozenset(
    {
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "ClientCannotConnectError",
        "CannotConnectNowError",
        "AdminShutdownError",
        "CrashShutdownError",
        "TooManyConnectionsError",
        "PostgresConnectionError",
    }
)


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached now (rather than that a query
    is wrong): a connection refused, broken or invalidated, a server shutting down or
    starting, no free connection in the pool, SQLite's write lock not obtained in time."""
    from sqlalchemy import exc as sa

    for cause in _causes(exc):
        if isinstance(cause, sa.DBAPIError) and cause.connection_invalidated:
            return True
        if isinstance(cause, (sa.DisconnectionError, sa.TimeoutError, ConnectionError)):
            return True
        if type(cause).__name__ in _CONNECTION_ERROR_NAMES:
            return True
        if isinstance(cause, sa.OperationalError) and "database is locked" in str(cause):
            return True
    return False


def handle_database_error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """A database error: 503 with Retry-After when the database is unavailable, the
    usual 500 for anything else."""
    if not database_unavailable(exc):
        return handle_unexpected(request, exc)
    log.warning(
        "database_unavailable",
        path=request.scope.get("path"),
        error_type=type(exc).__name__,
        error=str(exc).splitlines()[0][:200] if str(exc) else "",
    )
    return problem_response(
        request,
        503,
        kind="unavailable",
        detail="The database is unavailable right now; nothing was saved. Try again shortly.",
        headers={"Retry-After": "1"},
    )


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.exception("unhandled_error", path=request.scope.get("path"), error_type=type(exc).__name__)
    return problem_response(
        request,
        500,
        detail="Something went wrong on our side. Quote the request id when reporting it.",
    )


exception_handlers: dict[type[Exception] | int, Any] = {
    Problem: handle_problem,
    HTTPException: handle_http_exception,
    NotFoundError: handle_not_found_error,
    RepositoryIntegrityError: handle_integrity_error,
    RepositoryError: handle_database_error,
    SQLAlchemyError: handle_database_error,
    ConnectionError: handle_database_error,
    RecursionError: handle_undecodable_body,
    UnicodeDecodeError: handle_undecodable_body,
    Exception: handle_unexpected,
}

__all__ = [
    "PROBLEM_JSON",
    "BadRequest",
    "Conflict",
    "FieldError",
    "Forbidden",
    "InvalidValue",
    "NotFound",
    "PayloadTooLarge",
    "Problem",
    "ProblemBody",
    "ServiceUnavailable",
    "TooManyRequests",
    "Unauthorized",
    "UnsupportedMediaType",
    "exception_handlers",
    "problem_response",
    "problem_responses",
]
