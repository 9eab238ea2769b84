"""What every page shares: the visitor (language, session, CSRF token, the API as them),
the page controller base (CSRF guard on every unsafe method, no caching, errors as pages),
rendering, redirects that work for htmx and plain forms, and the static files."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from litestar import Controller, MediaType, Request, Response, get
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest

from qh.kit.problems import NotFound, Problem, exception_handlers
from qh.web.api import Api, ApiError
from qh.web.i18n import LANG_COOKIE, api_message, choose_language, translations
from qh.web.sessions import SESSION_COOKIE, SessionEnded, SignedIn, session_key

if TYPE_CHECKING:
    from qh.web.context import WebContext

CSRF_COOKIE = "qh_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
NO_STORE = {"Cache-Control": "no-store"}


class SignInRequired(Exception):
    """A page for signed-in users was asked for without a session."""


class CsrfRefused(Exception):
    pass


class PageNotFound(Exception):
    pass


def web_context(request: ASGIConnection[Any, Any, Any, Any]) -> WebContext:
    return request.app.state.qh  # type: ignore[no-any-return]


def expected_csrf(context: WebContext, csrf_cookie: str, session_cookie: str | None) -> str:
    """The form token: an HMAC of the browser's CSRF cookie and its session, so a token
    is worth nothing in another browser or after signing in or out."""
    binding = f"{csrf_cookie}|{session_key(session_cookie) if session_cookie else ''}"
    return context.crypto.csrf_token(binding)


async def csrf_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Every unsafe method carries the form's token (field ``csrf_token`` or header
    ``X-CSRF-Token``), refused otherwise, before the handler reads anything."""
    if connection.scope.get("method") in SAFE_METHODS:
        return
    cookie = connection.cookies.get(CSRF_COOKIE)
    if not cookie:
        raise CsrfRefused
    presented = connection.headers.get(CSRF_HEADER)
    if not presented and isinstance(connection, Request):
        form = await connection.form()
        value = form.get(CSRF_FIELD)
        presented = value if isinstance(value, str) else None
    expected = expected_csrf(
        web_context(connection), cookie, connection.cookies.get(SESSION_COOKIE)
    )
    if not presented or not hmac.compare_digest(presented, expected):
        raise CsrfRefused


class Visitor:
    """One request's visitor: language, session, CSRF token, and the API acting for them."""

    def __init__(
        self, request: Request[Any, Any, Any], context: WebContext, signed: SignedIn | None
    ) -> None:
        self.request = request
        self.context = context
        self.signed = signed
        self.lang = choose_language(
            request.cookies.get(LANG_COOKIE), request.headers.get("accept-language")
        )
        self.translations = translations(self.lang)
        self.gettext = self.translations.gettext
        self.api = Api(context, signed)
        self.cookies: list[Cookie] = []
        csrf_cookie = request.cookies.get(CSRF_COOKIE)
        if not csrf_cookie:
            csrf_cookie = secrets.token_urlsafe(32)
            self.cookies.append(self.cookie(CSRF_COOKIE, csrf_cookie))
        self.csrf_cookie = csrf_cookie
        # Bound to the cookie the browser sends, as the guard checks it: a cookie whose
        # session has ended (or a page rendered without loading it) keeps its forms valid.
        self.session_cookie = request.cookies.get(SESSION_COOKIE)

    @property
    def htmx(self) -> bool:
        return bool(getattr(self.request, "htmx", False))

    @property
    def csrf_token(self) -> str:
        return expected_csrf(self.context, self.csrf_cookie, self.session_cookie)

    def cookie(self, name: str, value: str, max_age: int | None = None) -> Cookie:
        return Cookie(
            key=name,
            value=value,
            path="/",
            max_age=max_age,
            httponly=True,
            secure=self.context.settings.cookie_secure,
            samesite="lax",
        )

    def sign_in_cookie(self, value: str) -> None:
        self.cookies.append(
            self.cookie(SESSION_COOKIE, value, self.context.settings.session_absolute_seconds)
        )
        self.session_cookie = value

    def forget_cookie(self, name: str) -> None:
        self.cookies.append(self.cookie(name, "", max_age=0))

    def page(self, template: str, status: int = 200, **values: Any) -> Response[str]:
        html = self.context.renderer.render(self, template, values)
        return Response(
            html,
            status_code=status,
            media_type=MediaType.HTML,
            headers=NO_STORE,
            cookies=self.cookies,
        )

    def redirect(self, url: str) -> Response[str]:
        """After a successful form: a 303 for a plain form, ``HX-Redirect`` for htmx."""
        if self.htmx:
            return Response(
                "", status_code=200, headers={**NO_STORE, "HX-Redirect": url}, cookies=self.cookies
            )
        return Response(
            "",
            status_code=303,
            headers={**NO_STORE, "Location": url},
            cookies=self.cookies,
        )

    def error_text(self, error: ApiError) -> str:
        """What went wrong, in words a person understands."""
        _ = self.gettext
        status = error.status
        if status == 400:
            return error.detail or _("The request could not be read.")
        if status == 403:
            return _("You are not allowed to do this.")
        if status == 404:
            return _("Not found: it may have been deleted.")
        if status == 409:
            return _("This conflicts with what is already saved: {detail}").format(
                detail=error.detail
            )
        if status == 413:
            return _("The file or text is too large.")
        if status == 415:
            return _("This kind of file is not accepted.")
        if status == 422:
            if error.errors:
                return _("Some fields need attention: see the messages beside them.")
            return error.detail or _("The values were not accepted.")
        if status == 429:
            if error.retry_after:
                return _("Too many attempts. Try again in {seconds} seconds.").format(
                    seconds=error.retry_after
                )
            return _("Too many attempts. Try again a little later.")
        if status == 504:
            return _("The service took too long to answer. Try again.")
        if status == 502:
            return _("An outside service did not answer properly. Try again later.")
        return _("The service is unavailable right now. Try again in a minute.")

    def field_errors(self, error: ApiError, prefix: str = "") -> dict[str, str]:
        return {
            field: api_message(message, self.gettext)
            for field, message in error.field_errors(prefix).items()
        }


async def visit(
    request: Request[Any, Any, Any], context: WebContext, *, signed_in: bool = True
) -> Visitor:
    """The visitor of this request; ``signed_in`` pages send everyone else to sign in."""
    signed = await context.sessions.load(request.cookies.get(SESSION_COOKIE))
    if signed_in and signed is None:
        raise SignInRequired
    return Visitor(request, context, signed)


# --- errors as pages ------------------------------------------------------------------------


def _anonymous_visitor(request: Request[Any, Any, Any]) -> Visitor:
    return Visitor(request, web_context(request), None)


def _wants_problem(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/")


def on_sign_in_required(request: Request[Any, Any, Any], _: Exception) -> Response[str]:
    visitor = _anonymous_visitor(request)
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    if request.method not in SAFE_METHODS:
        target = "/"
    return visitor.redirect(f"/signin?next={quote(target, safe='')}")


def on_session_ended(request: Request[Any, Any, Any], _: Exception) -> Response[str]:
    visitor = _anonymous_visitor(request)
    visitor.forget_cookie(SESSION_COOKIE)
    return visitor.redirect("/signin?expired=1")


def on_csrf_refused(request: Request[Any, Any, Any], _: Exception) -> Response[str]:
    visitor = _anonymous_visitor(request)
    return visitor.page(
        "error.html",
        status=403,
        title=visitor.gettext("This form has expired"),
        message=visitor.gettext(
            "The page was open too long or in another window. Reload it and try again."
        ),
    )


def on_api_error(request: Request[Any, Any, Any], exc: ApiError) -> Response[str]:
    visitor = _anonymous_visitor(request)
    status = exc.status if exc.status in (403, 404, 409, 413, 422, 429) else 502
    if exc.status in (503, 504):
        status = exc.status
    return visitor.page(
        "error.html",
        status=status,
        title=visitor.gettext("Something went wrong"),
        message=visitor.error_text(exc),
    )


def on_not_found(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if _wants_problem(request):
        handler = exception_handlers[Problem]
        return handler(request, NotFound(getattr(exc, "detail", None) or "Not found"))  # type: ignore[no-any-return]
    visitor = _anonymous_visitor(request)
    return visitor.page(
        "error.html",
        status=404,
        title=visitor.gettext("Page not found"),
        message=visitor.gettext(
            "There is nothing here. It may have been deleted, or the link is wrong."
        ),
    )


def on_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code == 404:
        return on_not_found(request, exc)
    if _wants_problem(request) or exc.status_code >= 500:
        return exception_handlers[HTTPException](request, exc)  # type: ignore[no-any-return]
    visitor = _anonymous_visitor(request)
    return visitor.page(
        "error.html",
        status=exc.status_code,
        title=visitor.gettext("Something went wrong"),
        message=visitor.gettext("The request could not be handled ({status}).").format(
            status=exc.status_code
        ),
    )


PAGE_EXCEPTION_HANDLERS: Mapping[Any, Any] = {
    SignInRequired: on_sign_in_required,
    SessionEnded: on_session_ended,
    CsrfRefused: on_csrf_refused,
    ApiError: on_api_error,
    PageNotFound: on_not_found,
}


class PageController(Controller):
    """The base of every page controller."""

    request_class = HTMXRequest
    guards = [csrf_guard]
    include_in_schema = True
    exception_handlers = dict(PAGE_EXCEPTION_HANDLERS)  # type: ignore[assignment]


# --- static files ---------------------------------------------------------------------------

STATIC_TYPES = {
    "htmx.min.js": "text/javascript",
    "htmx.LICENSE.txt": "text/plain",
    "app.css": "text/css",
    "app.js": "text/javascript",
    "notifications.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
}


@get(
    "/static/{name:str}",
    include_in_schema=False,
    sync_to_thread=False,
    cache_control=None,
)
def static_file(name: FromPath[str], request: Request[Any, Any, Any]) -> Response[bytes]:
    media_type = STATIC_TYPES.get(name)
    if media_type is None:
        raise PageNotFound
    renderer = web_context(request).renderer
    return Response(
        renderer.static(name),
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


__all__ = [
    "CSRF_FIELD",
    "PageController",
    "PageNotFound",
    "Visitor",
    "csrf_guard",
    "static_file",
    "visit",
]
