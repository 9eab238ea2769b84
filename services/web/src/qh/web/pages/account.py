"""Account settings: the e-mail and its verification, two-factor sign-in (enrolment with
the QR code, confirmation, removal) and deleting the account."""

from __future__ import annotations

import base64

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.plugins.htmx import HTMXRequest

from qh.web.api import ApiError
from qh.web.context import WebContext
from qh.web.pages.auth import AUTH
from qh.web.pages.forms import FormData, text
from qh.web.sessions import SESSION_COOKIE
from qh.web.web import PageController, Visitor, visit


async def account_page(visitor: Visitor, status: int = 200, **values: object) -> Response[str]:
    me = await visitor.api.get_json("auth", f"{AUTH}/me")
    mfa = await visitor.api.get_json("auth", f"{AUTH}/mfa")
    return visitor.page("account.html", status=status, me=me, mfa=mfa, **values)


class AccountPages(PageController):
    path = "/account"
    tags = ["Pages: account"]

    @get("/")
    async def account(
        self, request: HTMXRequest, context: NamedDependency[WebContext]
    ) -> Response[str]:
        visitor = await visit(request, context)
        return await account_page(visitor)

    @post("/verify-email")
    async def resend(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context)
        await visitor.api.call("auth", "POST", f"{AUTH}/me/email/verify")
        return await account_page(
            visitor, notice=visitor.gettext("We sent the link again. Check your inbox.")
        )

    @post("/mfa")
    async def mfa_start(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context)
        enrolment = await visitor.api.get_json_post("auth", f"{AUTH}/mfa/totp")
        svg = str(enrolment.get("qr_svg", ""))
        if svg.startswith("<svg") and "xmlns=" not in svg.split(">", 1)[0]:
            # Made for inlining; as an image the SVG needs its namespace.
            svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
        qr = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
        return visitor.page("mfa_enrol.html", enrolment=enrolment, qr=qr)

    @post("/mfa/confirm")
    async def mfa_confirm(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context)
        _ = visitor.gettext
        code = text(data, "code").replace(" ", "")
        try:
            await visitor.api.call("auth", "POST", f"{AUTH}/mfa/totp/confirm", json={"code": code})
        except ApiError as error:
            if error.status not in (409, 422):
                raise
            # The same enrolment again (its key is pending until confirmed), with the error.
            enrolment = {
                "secret": text(data, "secret"),
                "recovery_codes": [c for c in text(data, "recovery_codes").split() if c],
            }
            qr = text(data, "qr")
            if not qr.startswith("data:image/svg+xml;base64,"):
                qr = ""
            return visitor.page(
                "mfa_enrol.html",
                status=422,
                enrolment=enrolment,
                qr=qr,
                errors={"code": _("The code is wrong. Enter the current code from the app.")},
            )
        return await account_page(visitor, notice=_("Two-factor sign-in is on."))

    @post("/mfa/disable")
    async def mfa_disable(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context)
        _ = visitor.gettext
        try:
            await visitor.api.call(
                "auth", "DELETE", f"{AUTH}/mfa/totp", json={"code": text(data, "code")}
            )
        except ApiError as error:
            if error.status != 422:
                raise
            return await account_page(
                visitor,
                status=422,
                errors={
                    "disable_code": _("The code is wrong. Use a current code or a recovery code.")
                },
            )
        return await account_page(visitor, notice=_("Two-factor sign-in is off."))

    @post("/delete")
    async def delete(
        self, request: HTMXRequest, context: NamedDependency[WebContext], data: FormData
    ) -> Response[str]:
        visitor = await visit(request, context)
        assert visitor.signed is not None
        if text(data, "confirm_email").lower() != visitor.signed.email.lower():
            return await account_page(
                visitor,
                status=422,
                errors={
                    "confirm_email": visitor.gettext(
                        "Type your e-mail address exactly to confirm the deletion."
                    )
                },
            )
        await visitor.api.call("auth", "DELETE", f"{AUTH}/me")
        await context.sessions.end_all(visitor.signed.user_id)
        visitor.forget_cookie(SESSION_COOKIE)
        return visitor.redirect("/?deleted=1")
