"""RFC 9457 problem responses: the one place where errors become HTTP.

Domain code raises :class:`Problem` subclasses (or the repository's ``NotFoundError``);
framework errors (malformed JSON, invalid fields, unknown route, wrong method, body too
large) and unexpected exceptions are all mapped here to ``application/problem+json``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

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
from litestar.exceptions import HTTPException, SerializationException, ValidationException

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
    status, kind = 503, "unavailable"


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
) -> Response[bytes]:
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
    return Response(
        content=msgspec.json.encode(body),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=out_headers,
    )


# msgspec names the object, not the field, when a field is missing or unknown.
_OBJECT_FIELD = re.compile(r"^Object (missing required|contains unknown) field `([^`]+)`")
_BODY_KEYS = {"data", "body"}


def _field_errors(extra: Any) -> list[FieldError]:
    errors: list[FieldError] = []
    if isinstance(extra, list):
        for item in extra:
            if isinstance(item, Mapping) and item.get("key"):
                key, message = str(item["key"]), str(item.get("message", "invalid"))
                if match := _OBJECT_FIELD.match(message):
                    name = match.group(2)
                    key = name if key in _BODY_KEYS else f"{key}.{name}"
                    message = (
                        "is required"
                        if match.group(1) == "missing required"
                        else "is not a known field"
                    )
                errors.append(FieldError(key, message))
    return errors


def handle_problem(request: Request[Any, Any, Any], exc: Problem) -> Response[bytes]:
    return problem_response(
        request,
        exc.status,
        detail=exc.detail,
        title=exc.title,
        kind=exc.kind,
        errors=exc.errors,
        headers=exc.headers,
    )


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    if isinstance(exc, ValidationException):
        errors = _field_errors(exc.extra)
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
]
