"""Two-factor sign-in with TOTP (RFC 6238) and single-use recovery codes.

The secret is stored encrypted (AES-256-GCM, the user id as associated data) under a key
derived (HKDF) from the service's key-encryption key. A code is accepted for its 30-second
step or the one before or after, and never twice: the newest accepted step is kept and
only a later one passes. Recovery codes (50 random bits each) are stored as HMAC-SHA256
under a salt of the user's and spent by a conditional UPDATE. Every code attempt takes
from the user's own throttle budget before it is checked, like a password."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import UTC, datetime

import pyotp
import segno
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from qh.auth.context import AuthContext
from qh.auth.db.models import ActionToken, RecoveryCode, TotpFactor, User
from qh.auth.domain.accounts.email_tokens import issue, spend
from qh.auth.domain.accounts.sign_ins import record_sign_in
from qh.auth.domain.mfa.schemas import MfaStatus, TotpEnrolment
from qh.auth.domain.tokens.schemas import TokenOut
from qh.auth.domain.tokens.services import TokenService
from qh.auth.keys import _decrypt, _encrypt
from qh.auth.opaque import digest
from qh.auth.throttle import mfa_key
from qh.kit.problems import Conflict, Forbidden, InvalidValue, NotFound, Unauthorized

MFA_LOGIN = "mfa_login"
ISSUER = "QH"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
WRONG_CODE = "The code is wrong, expired or already used"
INVALID_MFA_TOKEN = "The sign-in step expired or was already used; sign in again"


def _now() -> datetime:
    return datetime.now(UTC)


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _recovery_hash(salt: str, code: str) -> str:
    normal = code.strip().lower().replace("-", "").replace(" ", "")
    return hmac.new(bytes.fromhex(salt), normal.encode(), hashlib.sha256).hexdigest()


class MfaRequired(Forbidden):
    """The password was right; the second factor is needed (see README, *Two-factor
    sign-in*). An extension of the OAuth error response: ``error: mfa_required`` with the
    ``mfa_token`` to exchange at the token endpoint (``grant_type=urn:qh:mfa``)."""

    kind = "mfa-required"
    title = "Second factor required"

    def __init__(self, mfa_token: str, expires_in: int) -> None:
        super().__init__(
            "Enter the code from your authenticator app (or a recovery code)",
            extra={"error": "mfa_required", "mfa_token": mfa_token, "expires_in": expires_in},
        )


class TwoFactor:
    def __init__(self, session: AsyncSession, context: AuthContext, tokens: TokenService) -> None:
        self.session = session
        self.context = context
        self.tokens = tokens

    # --- the secret ----------------------------------------------------------------------

    def _key(self) -> bytes:
        kek = self.context.keys.kek
        assert kek is not None, "the key ring is started with the app"
        return HKDF(algorithm=SHA256(), length=32, salt=None, info=b"qh-auth totp").derive(kek)

    def _secret(self, factor: TotpFactor) -> str:
        return _decrypt(self._key(), factor.secret_encrypted, str(factor.user_id)).decode()

    @staticmethod
    def _match(secret: str, code: str, after: int) -> int | None:
        """The time step ``code`` belongs to (now, or one step either side), if later than
        ``after``."""
        code = code.strip().replace(" ", "")
        if len(code) != 6 or not code.isdigit():
            return None
        totp = pyotp.TOTP(secret)
        now = totp.timecode(_now())
        for step in (now - 1, now, now + 1):
            if step > after and hmac.compare_digest(totp.generate_otp(step), code):
                return step
        return None

    # --- enrolment -----------------------------------------------------------------------

    async def status(self, user_id: uuid.UUID) -> MfaStatus:
        factor = await self.session.scalar(select(TotpFactor).where(TotpFactor.user_id == user_id))
        left = await self.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
        )
        enabled = factor is not None and factor.confirmed_at is not None
        return MfaStatus(enabled=enabled, recovery_codes_left=(left or 0) if enabled else 0)

    async def enrol(self, user_id: uuid.UUID) -> TotpEnrolment:
        user = await self.session.get(User, user_id, with_for_update=True)
        if user is None or not user.is_active:
            raise Unauthorized("The account no longer exists or is deactivated")
        factor = await self.session.scalar(
            select(TotpFactor).where(TotpFactor.user_id == user_id).with_for_update()
        )
        if factor is not None and factor.confirmed_at is not None:
            raise Conflict("Two-factor sign-in is already on; remove it first to enrol again")
        secret = pyotp.random_base32()
        salt = secrets.token_hex(16)
        sealed = _encrypt(self._key(), secret.encode(), str(user_id))
        if factor is None:
            self.session.add(
                TotpFactor(
                    user_id=user_id, secret_encrypted=sealed, last_step=0, recovery_salt=salt
                )
            )
        else:
            factor.secret_encrypted, factor.recovery_salt, factor.last_step = sealed, salt, 0
        await self.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
        self.session.add_all(
            RecoveryCode(user_id=user_id, code_hash=_recovery_hash(salt, c)) for c in codes
        )
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
        svg = segno.make(uri, error="m").svg_inline(scale=4, title="QH two-factor QR code")
        return TotpEnrolment(secret=secret, otpauth_uri=uri, qr_svg=svg, recovery_codes=codes)

    async def confirm(self, user_id: uuid.UUID, code: str) -> MfaStatus:
        await self.context.throttle.reserve(mfa_key(user_id), message="Too many wrong codes")
        factor = await self.session.scalar(
            select(TotpFactor).where(TotpFactor.user_id == user_id).with_for_update()
        )
        if factor is None:
            raise NotFound("Start with POST /mfa/totp to get a secret")
        if factor.confirmed_at is not None:
            raise Conflict("Two-factor sign-in is already on")
        step = self._match(self._secret(factor), code, factor.last_step)
        if step is None:
            raise InvalidValue.field("code", WRONG_CODE)
        factor.confirmed_at, factor.last_step = _now(), step
        await self.context.throttle.release(self.session, mfa_key(user_id))
        return MfaStatus(enabled=True, recovery_codes_left=RECOVERY_CODES)

    async def remove(self, user_id: uuid.UUID, code: str) -> None:
        await self.context.throttle.reserve(mfa_key(user_id), message="Too many wrong codes")
        factor = await self._confirmed(user_id)
        if factor is None:
            raise NotFound("Two-factor sign-in is not on")
        if not await self._second_factor(factor, code):
            raise InvalidValue.field("code", WRONG_CODE)
        await self.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        await self.session.delete(factor)
        await self.context.throttle.release(self.session, mfa_key(user_id))

    async def _confirmed(self, user_id: uuid.UUID) -> TotpFactor | None:
        return await self.session.scalar(
            select(TotpFactor)
            .where(TotpFactor.user_id == user_id, TotpFactor.confirmed_at.is_not(None))
            .with_for_update()
        )

    async def _second_factor(self, factor: TotpFactor, code: str) -> bool:
        """A fresh TOTP code (its step recorded) or an unused recovery code (spent)."""
        step = self._match(self._secret(factor), code, factor.last_step)
        if step is not None:
            factor.last_step = step
            return True
        spent = await self.session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == factor.user_id,
                RecoveryCode.code_hash == _recovery_hash(factor.recovery_salt, code),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=_now())
        )
        return spent.rowcount == 1  # type: ignore[attr-defined]

    # --- the second step of a password login ----------------------------------------------

    @staticmethod
    async def enabled(session: AsyncSession, user_id: uuid.UUID) -> bool:
        found = await session.scalar(
            select(TotpFactor.id).where(
                TotpFactor.user_id == user_id, TotpFactor.confirmed_at.is_not(None)
            )
        )
        return found is not None

    async def challenge(self, user: User) -> MfaRequired:
        """A short-lived single-use ``mfa_token`` bound to ``user``, in a transaction of
        its own (the login answers 403, so the request's session is rolled back)."""
        seconds = self.context.settings.mfa_token_seconds
        async with self.context.transaction() as session:
            raw, _ = issue(session, user, MFA_LOGIN, seconds)
        return MfaRequired(raw, seconds)

    async def complete(
        self,
        mfa_token: str,
        code: str,
        address: str | None = None,
        user_agent: str | None = None,
    ) -> TokenOut:
        """``grant_type=urn:qh:mfa``: the token pair once the code is right (and
        ``auth.signed_in`` published in the request's transaction)."""
        async with self.context.transaction() as session:  # a short read of its own
            user_id = await session.scalar(
                select(ActionToken.user_id).where(
                    ActionToken.token_hash == digest(mfa_token),
                    ActionToken.purpose == MFA_LOGIN,
                    ActionToken.used_at.is_(None),
                    ActionToken.expires_at > _now(),
                )
            )
        if user_id is None:
            raise Unauthorized(INVALID_MFA_TOKEN)
        await self.context.throttle.reserve(mfa_key(user_id), message="Too many wrong codes")
        factor = await self._confirmed(user_id)
        if factor is None or not await self._second_factor(factor, code):
            raise Unauthorized(WRONG_CODE)
        user = await spend(self.session, mfa_token, MFA_LOGIN)
        if user is None or user.id != user_id or not user.is_active:
            raise Unauthorized(INVALID_MFA_TOKEN)
        user.last_login_at = _now()
        await self.context.throttle.release(self.session, mfa_key(user_id))
        await record_sign_in(self.session, self.context, user, address, user_agent)
        refresh_token = await self.tokens.start_family(user)
        return await self.tokens.pair(user, refresh_token)


__all__ = ["MFA_LOGIN", "MfaRequired", "TwoFactor"]
