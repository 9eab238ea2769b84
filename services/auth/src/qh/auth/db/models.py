"""What the auth service stores. Secrets (refresh, verification and reset tokens, OAuth
state) are kept only as SHA-256 hashes; private signing keys only encrypted."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from advanced_alchemy.base import UUIDv7PrimaryKey
from advanced_alchemy.mixins import AuditColumns
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qh.kit.db import declarative_base

Base: Any = declarative_base()


class User(UUIDv7PrimaryKey, AuditColumns, Base):
    __tablename__ = "auth_user"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    full_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    roles: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["user"])
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    # The language of the person's messages (``ru`` or ``en``), chosen at registration.
    locale: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    last_login_at: Mapped[datetime | None] = mapped_column(
        DateTimeUTC(timezone=True), nullable=True
    )


class SigningKey(UUIDv7PrimaryKey, AuditColumns, Base):
    """A signing key pair (RS256; older rows may be EdDSA); the private half is AES-GCM
    encrypted with the key from the Secrets port. A retired key stays published until every token it signed expired."""

    __tablename__ = "auth_signing_key"

    kid: Mapped[str] = mapped_column(String(64), unique=True)
    algorithm: Mapped[str] = mapped_column(String(16), default="RS256")
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    private_key_encrypted: Mapped[str] = mapped_column(Text)
    retired_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class RefreshFamily(UUIDv7PrimaryKey, AuditColumns, Base):
    """One login session: every refresh token rotated from one login."""

    __tablename__ = "auth_refresh_family"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    last_used_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    revoked_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)


class RefreshToken(UUIDv7PrimaryKey, AuditColumns, Base):
    __tablename__ = "auth_refresh_token"

    family_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_refresh_family.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    spent_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class ActionToken(UUIDv7PrimaryKey, AuditColumns, Base):
    """A single-use e-mailed token: e-mail verification or password reset."""

    __tablename__ = "auth_action_token"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class OAuthAccount(UUIDv7PrimaryKey, AuditColumns, Base):
    __tablename__ = "auth_oauth_account"
    __table_args__ = (
        UniqueConstraint("provider", "subject", name="uq_auth_oauth_account_subject"),
    )

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)


class OAuthState(UUIDv7PrimaryKey, AuditColumns, Base):
    """A pending social login: the hashed ``state`` and its PKCE verifier, single-use."""

    __tablename__ = "auth_oauth_state"

    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    provider: Mapped[str] = mapped_column(String(20))
    code_verifier: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class Throttle(Base):
    """Failed logins per account or client address, and the lockout they caused."""

    __tablename__ = "auth_throttle"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class TotpFactor(UUIDv7PrimaryKey, AuditColumns, Base):
    """A user's TOTP second factor: the secret encrypted (AES-256-GCM under the service's
    key-encryption key), pending until confirmed with a first code; ``last_step`` is the
    newest time step accepted, so a code is never accepted twice."""

    __tablename__ = "auth_mfa_totp"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE"), unique=True
    )
    secret_encrypted: Mapped[str] = mapped_column(Text)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    last_step: Mapped[int] = mapped_column(Integer, default=0)
    recovery_salt: Mapped[str] = mapped_column(String(64))


class RecoveryCode(UUIDv7PrimaryKey, AuditColumns, Base):
    """A single-use recovery code, stored as HMAC-SHA256 under the factor's salt."""

    __tablename__ = "auth_mfa_recovery_code"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class SignIn(UUIDv7PrimaryKey, AuditColumns, Base):
    """One of a user's recent successful sign-ins, kept only to tell a new device: the
    SHA-256 of the browser family and the network (/24 or /64), never the address or the
    user agent itself. At most ``RECENT_SIGN_INS`` rows per user; erased with the account."""

    __tablename__ = "auth_sign_in"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE"), index=True
    )
    device_hash: Mapped[str] = mapped_column(String(64))
