"""Sign up, sign in (with the second factor), sign out, e-mail verification, password
reset and the language switch."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import structlog
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest

from qh.web.api import ApiError
from qh.web.context import WebContext
from qh.web.i18n import LANG_COOKIE, LANGUAGES, N_
from qh.web.pages.forms import FormData, safe_next, text
from qh.web.sessions import SESSION_COOKIE, TOKEN_PATH, TokenPair, form
from qh.web.web import PageController, Visitor, visit

AUTH = "/api/v1/auth"
MFA_COOKIE = "qh_mfa"
MFA_SECONDS = 300
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# A social sign-in under way: the provider, auth's ``state`` and where to go after, sealed
# (Fernet) in an HttpOnly cookie, as long as auth keeps the state.
SOCIAL_COOKIE = "qh_social"
SOCIAL_SECONDS = 600
SOCIAL_NAMES = {"google": "Google", "github": "GitHub", "yandex": N_("Yandex")}
_PROVIDER = re.compile(r"[a-z]{1,20}")

log = structlog.get_logger("qh.web.auth")


async def social_providers(visitor: Visitor) -> list[tuple[str, str]]:
    """The social sign-ins auth has configured, as ``(provider, name)``; none when auth
    cannot say (the password form still works)."""
    try:
        response = await visitor.api.call("auth", "GET", f"{AUTH}/oauth/providers", anonymous=True)
        names = response.json().get("providers", [])
    except (ApiError, ValueError, AttributeError):
        return []
    return [
        (name, visitor.gettext(SOCIAL_NAMES[name]))
        for name in names
        if isinstance(name, str) and name in SOCIAL_NAMES
    ]


async def as_the_visitor(visitor: Visitor, *, form_body: bool = True) -> dict[str, str]:
    """The headers of a call to auth made for the visitor (sign-in, its second step,
    sign-up): their browser, so auth's sign-in alert names it rather than this server's
    HTTP client, and, with this client's service token, their address in
    ``X-Forwarded-For``, so auth's per-address limits and records see the browser rather
    than this server. The header is written here from the address this server saw, never
    copied from what the browser sent; auth believes it only with the service token."""
    headers = dict(_FORM) if form_body else {}
    agent = visitor.request.headers.get("user-agent", "")[:512]
    if agent:
        headers["User-Agent"] = agent
    address = visitor_address(visitor)
    token = await visitor.context.service_token.get() if address else None
    if token is not None and address is not None:
        headers["Authorization"] = f"Bearer {token}"
        headers["X-Forwarded-For"] = address
    return headers


def visitor_address(visitor: Visitor) -> str | None:
    """The browser's address as this server saw it (behind the ingress, the client that
    ``qh serve`` resolved from its trusted proxies' ``X-Forwarded-For``)."""
    client = visitor.request.client
    try:
        return str(ipaddress.ip_address(client.host)) if client else None
    except ValueError:
        return None


async def start_session(visitor: Visitor, body: dict[str, Any]) -> None:
    """A token pair from auth becomes this browser's session."""
    pair = TokenPair(body["access_token"], body["refresh_token"], int(body["expires_in"]))
    me = await visitor.api.call(
        "auth",
        "GET",
        f"{AUTH}/me",
        headers={"Authorization": f"Bearer {pair.access_token}"},
        anonymous=True,
    )
    user = me.json()
    cookie = await visitor.context.sessions.create(pair, UUID(user["id"]), user["email"])
    visitor.sign_in_cookie(cookie)
    visitor.forget_cookie(MFA_COOKIE)


class AuthPages(PageController):
    path = "/"
    tags = ["Pages: account"]

    @get("/")
    async def home(
        self, request: HTMXRequest, context: NamedDependency[WebContext]
    ) -> Response[str]:
        """The start page: what QH does, or the signed-in user's way in."""
        visitor = await visit(request, context, signed_in=False)
        return visitor.page("home.html")

    @get("/signin")
    async def signin_form(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        next: FromQuery[str | None] = None,
    ) -> Response[str]:
        visitor = await visit(request, context, signed_in=False)
        if visitor.signed is not None:
            return visitor.redirect(safe_next(next, "/profile"))
        expired = request.query_params.get("expired") == "1"
        return visitor.page(
            "signin.html",
            next=safe_next(next, ""),
            values={},
            expired=expired,
            providers=await social_providers(visitor),
        )

    @post("/signin")
    async def signin(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context, signed_in=False)
        _ = visitor.gettext
        email, password, target = (
            text(data, "email"),
            data.get("password") or "",
            text(data, "next"),
        )
        errors: dict[str, str] = {}
        if not email:
            errors["email"] = _("Enter your e-mail address.")
        if not password:
            errors["password"] = _("Enter your password.")
        if errors:
            return visitor.page(
                "signin.html", status=422, next=target, values={"email": email}, errors=errors
            )
        response = await visitor.api.call(
            "auth",
            "POST",
            TOKEN_PATH,
            content=form(grant_type="password", username=email, password=str(password)),
            headers=await as_the_visitor(visitor),
            anonymous=True,
            ok=(400, 401, 403, 422, 429),
        )
        body = response.json() if response.content else {}
        if response.status_code == 200:
            await start_session(visitor, body)
            return visitor.redirect(safe_next(target, "/profile"))
        if response.status_code == 403 and body.get("error") == "mfa_required":
            sealed = context.crypto.encrypt(str(body["mfa_token"]))
            visitor.cookies.append(visitor.cookie(MFA_COOKIE, sealed, MFA_SECONDS))
            return visitor.page("signin_mfa.html", next=target)
        if response.status_code == 429:
            message = visitor.error_text(ApiError.from_response(response))
        else:
            message = _("The e-mail or the password is wrong.")
        return visitor.page(
            "signin.html",
            status=response.status_code if response.status_code != 403 else 401,
            next=target,
            values={"email": email},
            message=message,
            providers=await social_providers(visitor),
        )

    @post("/signin/code")
    async def signin_code(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context, signed_in=False)
        _ = visitor.gettext
        target = text(data, "next")
        sealed = request.cookies.get(MFA_COOKIE)
        mfa_token = context.crypto.decrypt(sealed, ttl=MFA_SECONDS) if sealed else None
        if mfa_token is None:
            visitor.forget_cookie(MFA_COOKIE)
            return visitor.page(
                "signin.html",
                status=401,
                next=target,
                values={},
                message=_("The sign-in took too long. Enter your password again."),
            )
        code = text(data, "code").replace(" ", "")
        if not code:
            return visitor.page(
                "signin_mfa.html", status=422, next=target, errors={"code": _("Enter the code.")}
            )
        response = await visitor.api.call(
            "auth",
            "POST",
            TOKEN_PATH,
            content=form(grant_type="urn:qh:mfa", mfa_token=mfa_token, code=code),
            headers=await as_the_visitor(visitor),
            anonymous=True,
            ok=(400, 401, 422, 429),
        )
        if response.status_code == 200:
            await start_session(visitor, response.json())
            return visitor.redirect(safe_next(target, "/profile"))
        if response.status_code == 429:
            message = visitor.error_text(ApiError.from_response(response))
        else:
            message = _("The code is wrong or has already been used.")
        return visitor.page(
            "signin_mfa.html", status=response.status_code, next=target, errors={"code": message}
        )

    @get("/signup")
    async def signup_form(
        self, request: HTMXRequest, context: NamedDependency[WebContext]
    ) -> Response[str]:
        visitor = await visit(request, context, signed_in=False)
        return visitor.page("signup.html", values={}, providers=await social_providers(visitor))

    @post("/signup")
    async def signup(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context, signed_in=False)
        _ = visitor.gettext
        values = {"email": text(data, "email"), "full_name": text(data, "full_name")}
        password = str(data.get("password") or "")
        # The language the visitor reads this site in is the one of their e-mails.
        payload: dict[str, Any] = {
            "email": values["email"],
            "password": password,
            "locale": visitor.lang,
        }
        if values["full_name"]:
            payload["full_name"] = values["full_name"]
        try:
            await visitor.api.call(
                "auth",
                "POST",
                f"{AUTH}/register",
                json=payload,
                headers=await as_the_visitor(visitor, form_body=False),
                anonymous=True,
            )
        except ApiError as error:
            errors = visitor.field_errors(error)
            if error.status == 409:
                errors["email"] = _("An account with this e-mail already exists.")
            message = None if errors else visitor.error_text(error)
            status = error.status if error.status < 500 else 503
            return visitor.page(
                "signup.html",
                status=status,
                values=values,
                errors=errors,
                message=message,
                providers=await social_providers(visitor),
            )
        token = await visitor.api.call(
            "auth",
            "POST",
            TOKEN_PATH,
            content=form(grant_type="password", username=values["email"], password=password),
            headers=await as_the_visitor(visitor),
            anonymous=True,
        )
        await start_session(visitor, token.json())
        return visitor.redirect("/profile?welcome=1")

    @get("/signin/social/{provider:str}")
    async def social_start(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        provider: FromPath[str],
        next: FromQuery[str | None] = None,
    ) -> Response[str]:
        """Starts auth's social login (PKCE and ``state`` are auth's) and sends the browser
        to the provider; the ``state`` is kept sealed in this browser's cookie. A link, as
        auth's own authorize is: the CSP's ``form-action 'self'`` would stop a form from
        being redirected to the provider, and starting changes nothing but that cookie."""
        visitor = await visit(request, context, signed_in=False)
        target = safe_next(next, "")
        if not _PROVIDER.fullmatch(provider):
            return await self._social_failed(visitor, provider, 404, target)
        response = await visitor.api.call(
            "auth",
            "GET",
            f"{AUTH}/oauth/{provider}/authorize",
            anonymous=True,
            ok=(302, 303, 404),
        )
        location = response.headers.get("location", "")
        query = parse_qs(urlsplit(location).query)
        state = (query.get("state") or [""])[0]
        redirect_uri = (query.get("redirect_uri") or [""])[0]
        if response.status_code == 404 or not location or not state:
            return await self._social_failed(visitor, provider, 404, target)
        if urlsplit(redirect_uri).path != f"/oauth/{provider}/callback":
            # The provider would send the browser to auth's API, not back here.
            log.warning(
                "social_redirect_not_to_web",
                provider=provider,
                redirect_uri=redirect_uri,
                fix="set QH_AUTH_OAUTH_REDIRECT_BASE_URL to the public base URL",
            )
            return await self._social_failed(visitor, provider, 503, target)
        sealed = context.crypto.encrypt(json.dumps({"p": provider, "s": state, "n": target}))
        visitor.cookies.append(visitor.cookie(SOCIAL_COOKIE, sealed, SOCIAL_SECONDS))
        return Response(
            "",
            status_code=303,
            headers={"Cache-Control": "no-store", "Location": location},
            cookies=visitor.cookies,
        )

    @get("/oauth/{provider:str}/callback")
    async def social_callback(
        self,
        request: HTMXRequest,
        context: NamedDependency[WebContext],
        provider: FromPath[str],
    ) -> Response[str]:
        """The provider sends the browser back here; auth checks the code and the state
        (bound to this browser by the sealed cookie) and answers a token pair."""
        visitor = await visit(request, context, signed_in=False)
        visitor.forget_cookie(SOCIAL_COOKIE)
        sealed = request.cookies.get(SOCIAL_COOKIE)
        opened = context.crypto.decrypt(sealed, ttl=SOCIAL_SECONDS) if sealed else None
        started: dict[str, str] = json.loads(opened) if opened else {}
        if not _PROVIDER.fullmatch(provider) or started.get("p") != provider:
            return await self._social_failed(visitor, provider, 400, "")
        target = started.get("n", "")
        params = {
            name: value[:2048]
            for name in ("code", "state", "error")
            if (value := request.query_params.get(name))
        }
        if "error" in params:
            return await self._social_failed(visitor, provider, 499, target)
        response = await visitor.api.call(
            "auth",
            "GET",
            f"{AUTH}/oauth/{provider}/callback",
            params=params,
            # The language of an account this sign-in creates: the visitor's here.
            headers={"Cookie": f"qh_oauth_state={started['s']}", "Accept-Language": visitor.lang},
            anonymous=True,
            ok=(400, 401, 404, 409),
        )
        if response.status_code != 200:
            detail = ""
            if "json" in response.headers.get("content-type", ""):
                detail = str(response.json().get("detail", ""))
            status = 422 if "did not confirm an e-mail" in detail else response.status_code
            return await self._social_failed(visitor, provider, status, target)
        await start_session(visitor, response.json())
        return visitor.redirect(safe_next(target, "/profile"))

    async def _social_failed(
        self, visitor: Visitor, provider: str, status: int, target: str
    ) -> Response[str]:
        _ = visitor.gettext
        name = _(SOCIAL_NAMES[provider]) if provider in SOCIAL_NAMES else provider
        messages = {
            404: _("Signing in with {provider} is not available here."),
            503: _("Signing in with {provider} is not available right now. Try later."),
            499: _("The sign-in with {provider} was cancelled."),
            401: _("This account is deactivated."),
            422: _(
                "{provider} did not confirm an e-mail address for this account, so it "
                "cannot be used to sign in. Confirm the address there, or sign up here."
            ),
        }
        message = messages.get(
            status,
            _(
                "The sign-in with {provider} did not complete: it took too long or was started "
                "in another browser. Try again."
            ),
        ).format(provider=name)
        return visitor.page(
            "signin.html",
            status=status if status in (400, 401, 404, 422, 503) else 400,
            next=target,
            values={},
            message=message,
            providers=await social_providers(visitor),
        )

    @post("/signout")
    async def signout(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context, signed_in=False)
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            refresh = await context.sessions.end(cookie)
            if refresh:
                await visitor.api.call(
                    "auth",
                    "POST",
                    f"{AUTH}/logout",
                    json={"refresh_token": refresh},
                    anonymous=True,
                    ok=(400, 401, 422),
                )
        visitor.forget_cookie(SESSION_COOKIE)
        return visitor.redirect("/")

    @get("/verify-email")
    async def verify_email_form(
        self, request: HTMXRequest, context: NamedDependency[WebContext], token: FromQuery[str] = ""
    ) -> Response[str]:
        visitor = await visit(request, context, signed_in=False)
        return visitor.page("verify_email.html", token=token, done=False)

    @post("/verify-email")
    async def verify_email(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context, signed_in=False)
        _ = visitor.gettext
        try:
            await visitor.api.call(
                "auth",
                "POST",
                f"{AUTH}/email/verify",
                json={"token": text(data, "token")},
                anonymous=True,
            )
        except ApiError as error:
            message = (
                _("This link is not valid any more: it was used or has expired.")
                if error.status in (400, 422)
                else visitor.error_text(error)
            )
            return visitor.page(
                "verify_email.html", status=400, token="", done=False, message=message
            )
        return visitor.page("verify_email.html", token="", done=True)

    @get("/forgot-password")
    async def forgot_form(
        self, request: HTMXRequest, context: NamedDependency[WebContext]
    ) -> Response[str]:
        visitor = await visit(request, context, signed_in=False)
        return visitor.page("forgot_password.html", sent=False, values={})

    @post("/forgot-password")
    async def forgot(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context, signed_in=False)
        email = text(data, "email")
        if not email:
            return visitor.page(
                "forgot_password.html",
                status=422,
                sent=False,
                values={},
                errors={"email": visitor.gettext("Enter your e-mail address.")},
            )
        await visitor.api.call(
            "auth",
            "POST",
            f"{AUTH}/password/forgot",
            json={"email": email},
            anonymous=True,
            ok=(422,),
        )
        return visitor.page("forgot_password.html", sent=True, values={"email": email})

    @get("/reset-password")
    async def reset_form(
        self, request: HTMXRequest, context: NamedDependency[WebContext], token: FromQuery[str] = ""
    ) -> Response[str]:
        visitor = await visit(request, context, signed_in=False)
        return visitor.page("reset_password.html", token=token, done=False)

    @post("/reset-password")
    async def reset(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context, signed_in=False)
        _ = visitor.gettext
        token = text(data, "token")
        try:
            await visitor.api.call(
                "auth",
                "POST",
                f"{AUTH}/password/reset",
                json={"token": token, "password": str(data.get("password") or "")},
                anonymous=True,
            )
        except ApiError as error:
            if error.status == 422 and error.errors:
                return visitor.page(
                    "reset_password.html",
                    status=422,
                    token=token,
                    done=False,
                    errors=visitor.field_errors(error),
                )
            message = (
                _("This link is not valid any more: it was used or has expired.")
                if error.status == 400
                else visitor.error_text(error)
            )
            return visitor.page(
                "reset_password.html", status=400, token=token, done=False, message=message
            )
        return visitor.page("reset_password.html", token="", done=True)

    @post("/language")
    async def language(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context, signed_in=False)
        lang = text(data, "lang")
        if lang in LANGUAGES:
            visitor.cookies.append(visitor.cookie(LANG_COOKIE, lang, 365 * 24 * 3600))
        return visitor.redirect(safe_next(text(data, "next"), "/"))
