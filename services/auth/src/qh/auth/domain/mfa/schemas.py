"""Wire types of two-factor sign-in."""

from __future__ import annotations

from typing import Annotated

import msgspec

Code = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=32,
        description="A 6-digit code from the authenticator app, or a recovery code",
        examples=["123456"],
    ),
]


class TotpEnrolment(msgspec.Struct):
    """Shown once: scan ``qr_svg`` (or enter ``secret``), keep the recovery codes."""

    secret: str
    otpauth_uri: str
    qr_svg: str
    recovery_codes: list[str]


class CodeIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Code


class MfaStatus(msgspec.Struct):
    enabled: bool
    recovery_codes_left: int
