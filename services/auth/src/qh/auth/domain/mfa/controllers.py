"""Two-factor routes for the signed-in user."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from qh.auth.domain.http import NO_STORE
from qh.auth.domain.mfa.schemas import CodeIn, MfaStatus, TotpEnrolment
from qh.auth.domain.mfa.services import TwoFactor
from qh.kit.auth import Principal
from qh.kit.problems import problem_responses


class MfaController(Controller):
    path = "/mfa"
    tags = ["two-factor"]

    @get("/", summary="Whether two-factor sign-in is on")
    async def status(
        self, principal: NamedDependency[Principal], two_factor: NamedDependency[TwoFactor]
    ) -> MfaStatus:
        return await two_factor.status(principal.id)

    @post(
        "/totp",
        status_code=201,
        response_headers=NO_STORE,
        summary="Start TOTP enrolment",
        responses=problem_responses(409),
    )
    async def enrol(
        self, principal: NamedDependency[Principal], two_factor: NamedDependency[TwoFactor]
    ) -> TotpEnrolment:
        """A new secret, its otpauth URI and QR code (inline SVG) and ten recovery codes,
        shown this once. Nothing changes at sign-in until it is confirmed with a code;
        409 while two-factor sign-in is on."""
        return await two_factor.enrol(principal.id)

    @post(
        "/totp/confirm",
        status_code=200,
        summary="Turn TOTP on with a first code",
        responses=problem_responses(404, 429),
    )
    async def confirm(
        self,
        data: JSONBody[CodeIn],
        principal: NamedDependency[Principal],
        two_factor: NamedDependency[TwoFactor],
    ) -> MfaStatus:
        """422 for a wrong code; 429 with Retry-After after too many; 404 without an
        enrolment started by POST /mfa/totp."""
        return await two_factor.confirm(principal.id, data.code)

    @delete(
        "/totp",
        status_code=204,
        summary="Turn TOTP off with a fresh or recovery code",
        responses=problem_responses(404, 429),
    )
    async def remove(
        self,
        data: JSONBody[CodeIn],
        principal: NamedDependency[Principal],
        two_factor: NamedDependency[TwoFactor],
    ) -> None:
        """404 while two-factor sign-in is off; 422 for a wrong code; 429 after too many."""
        await two_factor.remove(principal.id, data.code)
