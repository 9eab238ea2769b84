"""Account routes: thin handlers that call the account services. Paths are relative to
the service; the kit mounts them under its prefix."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter

from qh.auth.domain.accounts.admin import AdminService
from qh.auth.domain.accounts.email_tokens import EmailVerification, PasswordReset
from qh.auth.domain.accounts.registration import Registration
from qh.auth.domain.accounts.schemas import (
    ForgotIn,
    RegisterIn,
    ResetIn,
    UserOut,
    UserPage,
    UserPatch,
    VerifyIn,
)
from qh.auth.domain.accounts.users import AccountService
from qh.auth.domain.http import PUBLIC, client_address
from qh.kit.auth import Principal, requires_role
from qh.kit.problems import problem_responses


class PublicAccountController(Controller):
    path = "/"
    tags = ["accounts"]
    opt = {"exclude_from_auth": True}

    @post(
        "/register",
        status_code=201,
        summary="Create an account",
        security=PUBLIC,
        responses=problem_responses(429),
    )
    async def register(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[RegisterIn],
        registration: NamedDependency[Registration],
    ) -> UserOut:
        """201 with the new account; 409 if the e-mail is taken; 422 for a weak password;
        429 with Retry-After after too many registrations from one address. A
        verification e-mail is requested (`auth.email_verification_requested`) in the
        account's language: `locale`, else the best of `Accept-Language` (ru or en)."""
        return await registration.register(
            data,
            await client_address(request, registration.context),
            request.headers.get("accept-language"),
        )

    @post(
        "/password/forgot",
        status_code=202,
        summary="Request a password reset e-mail",
        security=PUBLIC,
    )
    async def forgot(
        self, data: JSONBody[ForgotIn], password_reset: NamedDependency[PasswordReset]
    ) -> Response[None]:
        """Always 202, whether or not the e-mail has an account. The work happens after
        the answer is sent, so its duration tells nothing about the address either."""
        return Response(
            None, status_code=202, background=BackgroundTask(password_reset.request, data.email)
        )

    @post(
        "/password/reset",
        status_code=204,
        summary="Set a new password with the e-mailed token",
        security=PUBLIC,
    )
    async def reset(
        self, data: JSONBody[ResetIn], password_reset: NamedDependency[PasswordReset]
    ) -> None:
        """204 and every session of the account is revoked; 400 for a used or expired token."""
        await password_reset.reset(data.token, data.password)

    @post("/email/verify", status_code=204, summary="Confirm the e-mail address", security=PUBLIC)
    async def verify(
        self, data: JSONBody[VerifyIn], verification: NamedDependency[EmailVerification]
    ) -> None:
        await verification.confirm(data.token)


class MeController(Controller):
    path = "/me"
    tags = ["accounts"]

    @get("/", summary="The current user")
    async def me(
        self, principal: NamedDependency[Principal], accounts: NamedDependency[AccountService]
    ) -> UserOut:
        return await accounts.me(principal.id)

    @delete("/", status_code=204, summary="Delete my account (publishes user.deleted)")
    async def delete_me(
        self, principal: NamedDependency[Principal], accounts: NamedDependency[AccountService]
    ) -> None:
        await accounts.delete(principal.id)

    @post("/email/verify", status_code=202, summary="Send the verification e-mail again")
    async def resend(
        self,
        principal: NamedDependency[Principal],
        verification: NamedDependency[EmailVerification],
    ) -> None:
        await verification.resend(principal.id)


class AdminController(Controller):
    path = "/users"
    tags = ["admin"]
    guards = [requires_role("admin")]

    @get("/", summary="List accounts (admin)")
    async def list_users(
        self,
        principal: NamedDependency[Principal],
        admin: NamedDependency[AdminService],
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> UserPage:
        return await admin.list(principal.id, limit, offset)

    @get("/{user_id:uuid}", summary="Read an account (admin)")
    async def get_user(
        self,
        user_id: Annotated[UUID, PathParameter()],
        principal: NamedDependency[Principal],
        admin: NamedDependency[AdminService],
    ) -> UserOut:
        return await admin.get(principal.id, user_id)

    @patch("/{user_id:uuid}", summary="Change roles or deactivate (admin)")
    async def patch_user(
        self,
        user_id: Annotated[UUID, PathParameter()],
        data: JSONBody[UserPatch],
        principal: NamedDependency[Principal],
        admin: NamedDependency[AdminService],
    ) -> UserOut:
        """Deactivating revokes every session: the user's tokens stop working at the next
        refresh and it cannot log in."""
        return await admin.patch(principal.id, user_id, data)
