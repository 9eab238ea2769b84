"""Signing keys: RSA pairs (RS256) in the database, the private half encrypted
(AES-256-GCM) with a key-encryption key from the Secrets port.

RS256 rather than EdDSA because every service verifies tokens: an RSA-2048 signature
check costs a fraction of an Ed25519 one with the OpenSSL build services run on (see
benchmarks/README.md). Rows keep their own algorithm, so keys made as Ed25519 sign and
verify until they are rotated out.

The newest unretired key signs. ``rotate`` adds a key and retires the previous one; a
retired key stays in the JWKS until every token it signed has expired, then is deleted.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import structlog
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, generate_private_key
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from qh.auth.db.models import SigningKey
from qh.auth.settings import AuthSettings
from qh.kit.runtime import Secrets

log = structlog.get_logger("qh.auth.keys")

ALGORITHM = "RS256"
RSA_KEY_BITS = 2048
SUPPORTED_ALGORITHMS = ("RS256", "EdDSA")
DEV_SECRET_FILE = "auth-signing-key.secret"
# Tokens may be verified this long after ``exp`` (TokenVerifier's leeway, with margin).
VERIFY_LEEWAY = timedelta(seconds=60)


class KeyConfigurationError(RuntimeError):
    """The key-encryption key is missing where it must be configured."""


async def load_encryption_key(settings: AuthSettings, secrets_port: Secrets) -> bytes:
    """The key-encryption key from the Secrets port. In ``dev`` a missing secret is
    generated once and kept in the data folder; in ``test`` it is made per process; in
    ``prod`` a missing secret stops the service."""
    value = await secrets_port.get(settings.signing_key_secret)
    if not value:
        if settings.env == "prod":
            raise KeyConfigurationError(
                f"secret {settings.signing_key_secret!r} is not set: the auth service refuses to "
                "start in prod without the key that encrypts its signing keys"
            )
        if settings.env == "test":
            value = secrets.token_urlsafe(32)
        else:
            value = _dev_secret(Path(settings.data_dir))
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=b"qh-auth signing keys").derive(
        value.encode("utf-8")
    )


def _dev_secret(data_dir: Path) -> str:
    path = data_dir / DEV_SECRET_FILE
    if path.is_file():
        log.warning("signing_key_secret_from_data_dir", path=str(path), note="dev only")
        return path.read_text("utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    log.warning(
        "signing_key_secret_generated",
        path=str(path),
        note="dev only: set the auth-signing-key secret (QH_SECRET_AUTH_SIGNING_KEY) elsewhere",
    )
    return value


def _encrypt(kek: bytes, plaintext: bytes, kid: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(kek).encrypt(nonce, plaintext, kid.encode())
    return base64.b64encode(nonce + sealed).decode("ascii")


def _decrypt(kek: bytes, token: str, kid: str) -> bytes:
    raw = base64.b64decode(token)
    return AESGCM(kek).decrypt(raw[:12], raw[12:], kid.encode())


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ActiveKey:
    kid: str
    algorithm: str
    private: RSAPrivateKey | Ed25519PrivateKey


def new_key_row(kek: bytes) -> SigningKey:
    private = generate_private_key(public_exponent=65537, key_size=RSA_KEY_BITS)
    public_der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    kid = base64.urlsafe_b64encode(hashlib.sha256(public_der).digest()[:12]).decode().rstrip("=")
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return SigningKey(
        kid=kid,
        algorithm=ALGORITHM,
        public_jwk={**jwk, "kid": kid, "alg": ALGORITHM, "use": "sig"},
        private_key_encrypted=_encrypt(kek, pem, kid),
    )


class KeyRing:
    """The signing key in use and the published public keys, cached and reloaded from the
    database every ``signing_key_reload_seconds`` (so a rotation by the CLI reaches every
    replica)."""

    def __init__(
        self, settings: AuthSettings, session_maker: async_sessionmaker[AsyncSession]
    ) -> None:
        self.settings = settings
        self.session_maker = session_maker
        self.kek: bytes | None = None
        self._active: ActiveKey | None = None
        self._jwks: dict[str, Any] = {"keys": []}
        self._loaded_at = float("-inf")
        self._reload_lock = asyncio.Lock()

    @property
    def retention(self) -> timedelta:
        """How long a retired key stays published: another replica may sign with it until
        its next reload, and its last token lives for the longest token lifetime."""
        longest = max(self.settings.access_token_seconds, self.settings.service_token_seconds)
        reload = self.settings.signing_key_reload_seconds
        return timedelta(seconds=longest + reload) + VERIFY_LEEWAY

    async def start(self, secrets_port: Secrets) -> None:
        self.kek = await load_encryption_key(self.settings, secrets_port)
        async with self.session_maker() as session, session.begin():
            current = await session.scalar(
                select(SigningKey.id).where(SigningKey.retired_at.is_(None)).limit(1)
            )
            if current is None:
                session.add(new_key_row(self.kek))
                log.info("signing_key_created")
        try:
            await self.reload()
        except KeyConfigurationError:
            if self.settings.env == "prod":
                raise
            # dev and test: the data folder holding the generated secret was lost (a new
            # container, a cleaned folder). Start a new key; the old public keys stay
            # published until the tokens they signed have expired.
            log.warning(
                "signing_keys_undecryptable_rotating", note="not in prod: the secret must be kept"
            )
            await self.rotate()

    async def rotate(self) -> str:
        """Add a key that signs from now on; retire the others; drop expired ones."""
        assert self.kek is not None
        async with self.session_maker() as session, session.begin():
            now = _now()
            await session.execute(
                update(SigningKey).where(SigningKey.retired_at.is_(None)).values(retired_at=now)
            )
            await session.execute(
                delete(SigningKey).where(SigningKey.retired_at < now - self.retention)
            )
            row = new_key_row(self.kek)
            session.add(row)
            kid = row.kid
        await self.reload()
        return kid

    async def reload(self, session: AsyncSession | None = None) -> None:
        """Read the keys again, on ``session`` when given (a request that holds a
        connection must not wait for a second one: under load the pool would run dry)."""
        assert self.kek is not None
        query = select(SigningKey).order_by(SigningKey.created_at)
        if session is None:
            async with self.session_maker() as own:
                rows = (await own.scalars(query)).all()
        else:
            rows = (await session.scalars(query)).all()
        now = _now()
        published = [r for r in rows if r.retired_at is None or r.retired_at + self.retention > now]
        active_rows = [r for r in rows if r.retired_at is None]
        if active_rows:
            newest = active_rows[-1]
            if self._active is None or self._active.kid != newest.kid:
                try:
                    pem = _decrypt(self.kek, newest.private_key_encrypted, newest.kid)
                except InvalidTag:
                    raise KeyConfigurationError(
                        f"signing key {newest.kid} cannot be decrypted: the secret "
                        f"{self.settings.signing_key_secret!r} is not the one it was stored with"
                    ) from None
                private = serialization.load_pem_private_key(pem, password=None)
                if not isinstance(private, RSAPrivateKey | Ed25519PrivateKey):
                    raise KeyConfigurationError(f"signing key {newest.kid} has an unknown type")
                self._active = ActiveKey(newest.kid, newest.algorithm, private)
        self._jwks = {"keys": [dict(r.public_jwk) for r in published]}
        self._loaded_at = time.monotonic()

    async def _fresh(self, session: AsyncSession | None = None) -> None:
        if time.monotonic() - self._loaded_at < self.settings.signing_key_reload_seconds:
            return
        async with self._reload_lock:  # one reload for a crowd of requests
            if time.monotonic() - self._loaded_at >= self.settings.signing_key_reload_seconds:
                await self.reload(session)

    async def jwks(self) -> dict[str, Any]:
        await self._fresh()
        return self._jwks

    async def sign(self, claims: dict[str, Any], session: AsyncSession | None = None) -> str:
        """Sign with the newest key; a reload reads on ``session`` when given."""
        await self._fresh(session)
        if self._active is None:
            raise KeyConfigurationError("no signing key is loaded")
        return jwt.encode(
            claims,
            self._active.private,
            algorithm=self._active.algorithm,
            headers={"kid": self._active.kid, "typ": "at+jwt"},
        )

    def access_claims(
        self, subject: uuid.UUID, roles: list[str], lifetime: int, **extra: Any
    ) -> dict[str, Any]:
        now = int(time.time())
        return {
            "iss": self.settings.resolved_auth_issuer,
            "aud": self.settings.auth_audience,
            "sub": str(subject),
            "roles": sorted(roles),
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "jti": uuid.uuid4().hex,
            **extra,
        }
