"""Wire types of accounts: shape only; rules live in the services."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

# The shape only; the address is validated (email-validator, internationalised addresses
# allowed) and put in its canonical form by the service (qh.kit.email.canonical_email).
Email = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=320,
        description=(
            "E-mail address, internationalised ones too (иван@почта.рф); stored and compared "
            "in one canonical form: Unicode domain, lower case"
        ),
        examples=["ada@example.com"],
    ),
]
Password = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=1024,
        description=(
            "8 to 256 characters; not a common password, nor one built from the e-mail or name"
        ),
        examples=["correct horse battery staple"],
    ),
]
OpaqueToken = Annotated[
    str, msgspec.Meta(min_length=1, max_length=256, description="The token from the e-mail")
]
Role = Literal["user", "admin"]
Locale = Annotated[
    Literal["ru", "en"],
    msgspec.Meta(
        description=(
            "The language of the person's e-mails and messages; without it, the best of the "
            "request's Accept-Language, else en"
        )
    ),
]


class RegisterIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new account."""

    email: Email
    password: Password
    full_name: (
        Annotated[
            str,
            msgspec.Meta(
                min_length=1,
                max_length=200,
                pattern=r"^[^\x00-\x1f\x7f]+$",
                examples=["Ada Lovelace"],
            ),
        ]
        | None
    ) = None
    locale: Locale | None = None


class UserOut(msgspec.Struct):
    """An account as its owner and admins see it."""

    id: UUID
    email: str
    roles: list[str]
    email_verified: bool
    is_active: bool
    full_name: str | None
    created_at: datetime
    locale: str = "en"


class UserPage(msgspec.Struct):
    """One page of accounts, oldest first."""

    items: list[UserOut]
    total: int
    limit: int
    offset: int


class UserPatch(msgspec.Struct, forbid_unknown_fields=True):
    """What an admin may change: the roles and whether the account may log in."""

    roles: Annotated[list[Role], msgspec.Meta(min_length=1, max_length=2)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    is_active: bool | msgspec.UnsetType = msgspec.UNSET


class ForgotIn(msgspec.Struct, forbid_unknown_fields=True):
    """Where to send a password reset link (if the address has an account)."""

    email: Email


class ResetIn(msgspec.Struct, forbid_unknown_fields=True):
    """The token from the reset e-mail and the new password."""

    token: OpaqueToken
    password: Password


class VerifyIn(msgspec.Struct, forbid_unknown_fields=True):
    """The token from the verification e-mail."""

    token: OpaqueToken
