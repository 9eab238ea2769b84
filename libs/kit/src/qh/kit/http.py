"""HTTP hardening every service shares: the request body's media type, security headers on
every response, and the API docs served from the package (no CDN).

- :class:`BodyMediaTypeMiddleware` answers 415 when a request's ``Content-Type`` is not
  what the matched handler's ``data`` parameter declares (JSON unless ``Body(media_type=)``
  says otherwise). The rule is computed once per handler.
- :func:`add_security_headers` adds ``X-Content-Type-Options``, CSP and ``X-Frame-Options``
  (HTML), and ``Cache-Control: no-store`` where a response may carry tokens or personal
  data. :class:`SecurityHeadersMiddleware` applies it to an ASGI app that has no
  :class:`~qh.kit.observability.ObservabilityMiddleware` (the host's index).
- :class:`OfflineSwaggerRenderPlugin` and :func:`docs_assets_route` serve Swagger UI from
  ``qh/kit/docs_assets``.
"""

from __future__ import annotations

import json
from functools import cache
from html import escape
from importlib import resources
from typing import Any

from litestar import Response, get
from litestar.enums import RequestEncodingType, ScopeType
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.params import BodyKwarg, FromPath
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from qh.kit.problems import NotFound, UnsupportedMediaType

# --- request body media type ---------------------------------------------------------------

_JSON = "application/json"
_FORM = RequestEncodingType.URL_ENCODED.value
_MULTIPART = RequestEncodingType.MULTI_PART.value
_MSGPACK = {"application/x-msgpack", "application/msgpack", "application/vnd.msgpack"}
_UTF8 = {"utf-8", "utf8"}


class BodyRule:
    """What one handler's ``data`` parameter accepts."""

    __slots__ = ("kind", "media_type")

    def __init__(self, kind: str, media_type: str) -> None:
        self.kind = kind  # "json", "form", "multipart", "msgpack" or "exact"
        self.media_type = media_type

    def accepts(self, media_type: str, charset: str | None) -> bool:
        if self.kind == "json":
            json_like = media_type == _JSON or (
                media_type.startswith("application/") and media_type.endswith("+json")
            )
            return json_like and (charset is None or charset in _UTF8)
        if self.kind == "form":
            return media_type == _FORM and (charset is None or charset in _UTF8)
        if self.kind == "multipart":
            return media_type == _MULTIPART
        if self.kind == "msgpack":
            return media_type in _MSGPACK
        return media_type == self.media_type

    def refusal(self, media_type: str, charset: str | None) -> str:
        sent = f"{media_type}; charset={charset}" if charset else media_type
        sent = f"not {sent}" if sent else "and the request has no Content-Type"
        if self.kind == "json":
            if media_type == _JSON:
                return "JSON is always UTF-8: send Content-Type: application/json without a charset"
            return f"This route takes a JSON body (Content-Type: application/json), {sent}"
        if self.kind == "form":
            return (
                "This route takes a form-encoded body "
                f"(Content-Type: {_FORM}, e.g. grant_type=password&username=…), {sent}"
            )
        if self.kind == "multipart":
            return f"This route takes a multipart upload (Content-Type: {_MULTIPART}), {sent}"
        return f"This route takes Content-Type: {self.media_type}, {sent}"


# A handler that reads its JSON body itself (``body: RawBody`` and ``qh.kit.shape``, to
# report every problem at once) says so with ``opt={JSON_BODY: True}``.
JSON_BODY = "json_body"


def body_rule(handler: HTTPRouteHandler) -> BodyRule | None:
    """The media type a handler's ``data`` parameter declares, or JSON for a handler marked
    ``JSON_BODY``; ``None`` for a handler that takes no body or reads any."""
    if handler.opt.get(JSON_BODY):
        return BodyRule("json", _JSON)
    data = handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return None
    declared = (
        data.kwarg_definition.media_type if isinstance(data.kwarg_definition, BodyKwarg) else None
    )
    media_type = str(getattr(declared, "value", declared or _JSON)).lower()
    if media_type == _FORM:
        return BodyRule("form", media_type)
    if media_type == _MULTIPART:
        return BodyRule("multipart", media_type)
    if media_type in _MSGPACK:
        return BodyRule("msgpack", media_type)
    if media_type == _JSON:
        return BodyRule("json", media_type)
    return BodyRule("exact", media_type)


def _split_content_type(value: str) -> tuple[str, str | None]:
    media_type, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, param_value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = param_value.strip().strip('"').lower()
    return media_type.strip().lower(), charset


class BodyMediaTypeMiddleware:
    """415 for a body whose ``Content-Type`` the matched handler does not declare.

    Runs after routing (Litestar middleware), so ``scope["route_handler"]`` is the handler;
    its rule is looked up in a dict filled on first use. A request without a body and
    without a ``Content-Type`` passes (the handler then reports the missing body)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.rules: dict[int, BodyRule | None] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            handler = scope["route_handler"]
            key = id(handler)
            try:
                rule = self.rules[key]
            except KeyError:
                rule = self.rules[key] = (
                    body_rule(handler) if isinstance(handler, HTTPRouteHandler) else None
                )
            if rule is not None:
                self.check(rule, scope)
        await self.app(scope, receive, send)

    @staticmethod
    def check(rule: BodyRule, scope: Scope) -> None:
        content_type: str | None = None
        has_body = False
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value.decode("latin-1")
            elif name == b"content-length":
                has_body = value.strip() not in (b"0", b"")
            elif name == b"transfer-encoding":
                has_body = True
        if content_type is None:
            if has_body:
                raise UnsupportedMediaType(rule.refusal("", None))
            return
        media_type, charset = _split_content_type(content_type)
        if not rule.accepts(media_type, charset):
            raise UnsupportedMediaType(rule.refusal(media_type, charset))


# --- response headers ----------------------------------------------------------------------

# Every HTML page of the platform (Swagger UI, the host's index) runs only scripts served by
# itself; Swagger UI sets inline styles, so styles may be inline, scripts never.
HTML_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
_NOSNIFF = (b"x-content-type-options", b"nosniff")
_CSP = (b"content-security-policy", HTML_CSP.encode())
_FRAME = (b"x-frame-options", b"DENY")
_NO_STORE = (b"cache-control", b"no-store")
_CACHEABLE_METHODS = {"GET", "HEAD"}
_HTML_HEADERS = (_NOSNIFF, _CSP, _FRAME)


def may_be_cached(scope: Scope, authorized: bool) -> bool:
    """Only a public route read without credentials may be cached: anything sent with a
    token, any authenticated route and any public write (``/token``, ``/register``…) may
    carry tokens or personal data."""
    if authorized or scope.get("method") not in _CACHEABLE_METHODS:
        return False
    handler = scope.get("route_handler")
    return handler is not None and bool(handler.opt.get("exclude_from_auth"))


def add_security_headers(message: Any, *, cacheable: bool) -> list[tuple[bytes, bytes]]:
    """Add the security headers to an ``http.response.start`` message, never overriding a
    header the response set itself; the message's header list, to add more."""
    headers = message.get("headers")
    if headers.__class__ is not list:
        headers = [] if headers is None else list(headers)
        message["headers"] = headers
    html = has_cache_control = False
    for name, value in headers:
        if name == b"content-type":
            html = value.startswith(b"text/html")
        elif name == b"cache-control":
            has_cache_control = True
    if html:
        headers += _HTML_HEADERS
    else:
        headers.append(_NOSNIFF)
    if not cacheable and not has_cache_control:
        headers.append(_NO_STORE)
    return headers  # type: ignore[no-any-return]


def is_authorized(scope: Scope) -> bool:
    return any(name == b"authorization" for name, _ in scope["headers"])


class SecurityHeadersMiddleware:
    """:func:`add_security_headers` for an app without the observability middleware."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_security_headers(message, cacheable=may_be_cached(scope, is_authorized(scope)))
            await send(message)

        await self.app(scope, receive, send_wrapper)


# --- offline API docs ----------------------------------------------------------------------

SWAGGER_UI_VERSION = "5.35.0"
DOCS_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-standalone-preset.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "oauth2-redirect.js": "text/javascript",
    "qh-swagger-init.js": "text/javascript",
    "LICENSE": "text/plain",
    "NOTICE": "text/plain",
    "swagger-ui-bundle.js.LICENSE.txt": "text/plain",
    "swagger-ui-standalone-preset.js.LICENSE.txt": "text/plain",
}
# The URLs carry the version, so browsers may keep the files for a year.
ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable"


@cache
def docs_asset(name: str) -> bytes:
    return (resources.files("qh.kit") / "docs_assets" / name).read_bytes()


def docs_assets_path(prefix: str) -> str:
    return f"{prefix.rstrip('/')}/docs/assets"  # a service at / has /docs/assets


def asset_url(prefix: str, name: str) -> str:
    return f"{docs_assets_path(prefix)}/{name}?v={SWAGGER_UI_VERSION}"


def docs_assets_route(prefix: str) -> HTTPRouteHandler:
    """``GET <prefix>/docs/assets/<name>``: Swagger UI's files from the package."""

    @get(
        f"{docs_assets_path(prefix)}/{{name:str}}",
        include_in_schema=False,
        opt={"exclude_from_auth": True},
        sync_to_thread=False,
        name=f"docs-assets:{prefix}",
    )
    def docs_assets(name: FromPath[str]) -> Response[bytes]:
        media_type = DOCS_ASSETS.get(name)
        if media_type is None:
            raise NotFound("No such docs asset")
        return Response(
            docs_asset(name),
            media_type=media_type,
            headers={"Cache-Control": ASSET_CACHE_CONTROL},
        )

    return docs_assets


class OfflineSwaggerRenderPlugin(SwaggerRenderPlugin):
    """Swagger UI from the service's own ``<prefix>/docs/assets`` with no inline script, so
    the docs work without internet and under :data:`HTML_CSP`."""

    def __init__(self, prefix: str, *, init_oauth: dict[str, Any] | None = None, **kwargs: Any):
        self.prefix = prefix
        super().__init__(
            version=SWAGGER_UI_VERSION,
            js_url=asset_url(prefix, "swagger-ui-bundle.js"),
            css_url=asset_url(prefix, "swagger-ui.css"),
            standalone_preset_js_url=asset_url(prefix, "swagger-ui-standalone-preset.js"),
            init_oauth=init_oauth,
            favicon="",
            style="",
            **kwargs,
        )

    def render(self, request: Any, openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema.get("info", {}).get("title", "API")))
        spec_url = escape(f"{self.prefix.rstrip('/')}/openapi.json")
        init_oauth = escape(
            json.dumps(self.init_oauth if isinstance(self.init_oauth, dict) else {})
        )
        return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{escape(self.css_url)}">
</head><body>
<div id="swagger-ui" data-spec-url="{spec_url}" data-init-oauth="{init_oauth}"></div>
<script src="{escape(self.js_url)}"></script>
<script src="{escape(self.standalone_preset_js_url)}"></script>
<script src="{escape(asset_url(self.prefix, "qh-swagger-init.js"))}"></script>
</body></html>
""".encode()

    def receive_router(self, router: Any) -> None:
        page = f"""<!doctype html>
<html lang="en-US"><head><meta charset="utf-8"><title>Swagger UI: OAuth2 Redirect</title></head>
<body><script src="{escape(asset_url(self.prefix, "oauth2-redirect.js"))}"></script></body></html>
""".encode()

        @get(
            "/oauth2-redirect.html",
            media_type="text/html",
            sync_to_thread=False,
            include_in_schema=False,
        )
        def oauth2_redirect() -> bytes:
            return page

        router.register(oauth2_redirect)


__all__ = [
    "HTML_CSP",
    "BodyMediaTypeMiddleware",
    "OfflineSwaggerRenderPlugin",
    "SecurityHeadersMiddleware",
    "add_security_headers",
    "body_rule",
    "docs_assets_route",
    "may_be_cached",
]
