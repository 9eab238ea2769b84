"""The small HTML pages e-mailed links open when no front end is configured (``qh dev``).

A GET only shows a page: the token is spent by the form's POST, so a mail scanner that
follows the link spends nothing. The pages carry no script (the kit's CSP allows none
inline) and escape everything they show. The forms are CSRF-safe: the token from the
e-mail is itself the secret a forged form would need, no cookie is involved, and a POST
that a browser marks as cross-site (``Sec-Fetch-Site``) is refused.
"""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter

from qh.auth.domain.accounts.email_tokens import INVALID_LINK, EmailVerification, PasswordReset
from qh.auth.domain.http import PUBLIC
from qh.kit.problems import BadRequest, InvalidValue

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;"
    "line-height:1.5}button{font-size:1rem;padding:.5rem 1rem}input{font-size:1rem;"
    "width:100%;padding:.4rem;margin:.3rem 0 1rem}.error{color:#b00020}"
)


class TokenFormIn(msgspec.Struct):
    token: Annotated[str, msgspec.Meta(max_length=256)] = ""


class ResetFormIn(msgspec.Struct):
    token: Annotated[str, msgspec.Meta(max_length=256)] = ""
    password: Annotated[str, msgspec.Meta(max_length=1024)] = ""


def page(title: str, body: str, status: int = 200) -> Response[str]:
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)} · QH</title><style>{STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return Response(html, status_code=status, media_type="text/html; charset=utf-8")


def _cross_site(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("sec-fetch-site", "") == "cross-site"


def _bad_link() -> Response[str]:
    return page(
        "This link does not work",
        f"<p>{escape(INVALID_LINK)}.</p><p>Ask for a new one from the sign-in page.</p>",
        400,
    )


def _reset_form(token: str, error: str | None = None, status: int = 200) -> Response[str]:
    message = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return page(
        "Choose a new password",
        f"{message}<form method=post>"
        f'<input type=hidden name=token value="{escape(token)}">'
        "<label for=password>New password (at least 8 characters; a few unrelated words "
        "make a good one)</label>"
        "<input id=password name=password type=password autocomplete=new-password required "
        "minlength=8 maxlength=256>"
        "<button type=submit>Set the new password</button></form>",
        status,
    )


class EmailLinkPages(Controller):
    path = "/"
    tags = ["accounts"]
    opt = {"exclude_from_auth": True}
    include_in_schema = False

    @get("/verify-email", summary="The e-mail verification page", security=PUBLIC)
    async def verify_page(
        self, token: Annotated[str, QueryParameter(max_length=256)] = ""
    ) -> Response[str]:
        if not token:
            return _bad_link()
        return page(
            "Confirm your e-mail address",
            "<p>Press the button to confirm that this address is yours.</p>"
            f'<form method=post><input type=hidden name=token value="{escape(token)}">'
            "<button type=submit>Confirm my e-mail address</button></form>",
        )

    @post("/verify-email", status_code=200, summary="Confirm from the page", security=PUBLIC)
    async def verify_submit(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[TokenFormIn, Body(media_type=RequestEncodingType.URL_ENCODED)],
        verification: NamedDependency[EmailVerification],
    ) -> Response[str]:
        if _cross_site(request) or not data.token:
            return _bad_link()
        try:
            await verification.confirm(data.token)
        except BadRequest:
            return _bad_link()
        return page("E-mail address confirmed", "<p>Thank you. You can close this page.</p>")

    @get("/reset-password", summary="The password reset page", security=PUBLIC)
    async def reset_page(
        self, token: Annotated[str, QueryParameter(max_length=256)] = ""
    ) -> Response[str]:
        return _reset_form(token) if token else _bad_link()

    @post("/reset-password", status_code=200, summary="Reset from the page", security=PUBLIC)
    async def reset_submit(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[ResetFormIn, Body(media_type=RequestEncodingType.URL_ENCODED)],
        password_reset: NamedDependency[PasswordReset],
    ) -> Response[str]:
        if _cross_site(request) or not data.token:
            return _bad_link()
        try:
            await password_reset.reset(data.token, data.password)
        except BadRequest:
            return _bad_link()
        except InvalidValue as refused:
            reason = refused.errors[0].message if refused.errors else str(refused)
            return _reset_form(data.token, reason, 422)
        return page(
            "Password changed",
            "<p>Your password is changed and every other session is signed out. "
            "Sign in with the new password.</p>",
        )


__all__ = ["EmailLinkPages"]
