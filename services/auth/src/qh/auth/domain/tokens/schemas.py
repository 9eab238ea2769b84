"""Wire types of the token endpoint (OAuth 2.0, RFC 6749 §4.3, §4.4, §6)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

Short = Annotated[str, msgspec.Meta(max_length=320)]


class TokenForm(msgspec.Struct):
    """``application/x-www-form-urlencoded``; which fields count depends on ``grant_type``.
    Unknown fields (Swagger sends ``scope``) are ignored."""

    grant_type: Annotated[
        str,
        msgspec.Meta(
            max_length=64,
            description="password, refresh_token, client_credentials or urn:qh:mfa",
            examples=["password"],
        ),
    ]
    username: (
        Annotated[str, msgspec.Meta(max_length=320, description="The e-mail (password grant)")]
        | None
    ) = None
    password: Annotated[str, msgspec.Meta(max_length=1024)] | None = None
    refresh_token: Annotated[str, msgspec.Meta(max_length=256)] | None = None
    client_id: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    client_secret: Annotated[str, msgspec.Meta(max_length=512)] | None = None
    scope: Annotated[str, msgspec.Meta(max_length=1000)] | None = None
    mfa_token: (
        Annotated[str, msgspec.Meta(max_length=256, description="From the 403 mfa_required")] | None
    ) = None
    code: (
        Annotated[str, msgspec.Meta(max_length=32, description="TOTP or recovery code")] | None
    ) = None


class TokenOut(msgspec.Struct, omit_defaults=True):
    """A token pair (no refresh token for client_credentials)."""

    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    refresh_token: str | None = None


class LogoutIn(msgspec.Struct, forbid_unknown_fields=True):
    """The refresh token of the session to end."""

    refresh_token: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
