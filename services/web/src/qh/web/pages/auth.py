"""Sign up, sign in (with the second factor), sign out, e-mail verification, password
reset and the language switch."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest

from qh.web.api import ApiError
from qh.web.context import WebContext
from qh.web.i18n import LANG_COOKIE, LANGUAGES
from qh.web.pages.forms import FormData, safe_next, text
from qh.web.sessions import SESSION_COOKIE, TOKEN_PATH, TokenPair, form
from qh.web.web import PageController, Visitor, visit

AUTH = "/api/v1/auth"
MFA_COOKIE = "qh_mfa"
MFA_SECONDS = 300
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


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
        return visitor.page("signin.html", next=safe_next(next, ""), values={}, expired=expired)

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
            headers=_FORM,
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
            headers=_FORM,
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
        return visitor.page("signup.html", values={})

    @post("/signup")
    async def signup(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context, signed_in=False)
        _ = visitor.gettext
        values = {"email": text(data, "email"), "full_name": text(data, "full_name")}
        password = str(data.get("password") or "")
        payload: dict[str, Any] = {"email": values["email"], "password": password}
        if values["full_name"]:
            payload["full_name"] = values["full_name"]
        try:
            await visitor.api.call("auth", "POST", f"{AUTH}/register", json=payload, anonymous=True)
        except ApiError as error:
            errors = visitor.field_errors(error)
            if error.status == 409:
                errors["email"] = _("An account with this e-mail already exists.")
            message = None if errors else visitor.error_text(error)
            status = error.status if error.status < 500 else 503
            return visitor.page(
                "signup.html", status=status, values=values, errors=errors, message=message
            )
        token = await visitor.api.call(
            "auth",
            "POST",
            TOKEN_PATH,
            content=form(grant_type="password", username=values["email"], password=password),
            headers=_FORM,
            anonymous=True,
        )
        await start_session(visitor, token.json())
        return visitor.redirect("/profile?welcome=1")

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
