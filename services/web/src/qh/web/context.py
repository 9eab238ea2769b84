"""The web service's context: the session key (Secrets port), the page renderer and the
session store, built once per app, command or test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path
from typing import Any

import structlog
from cryptography.fernet import Fernet, InvalidToken

from qh.kit.context import ServiceContext
from qh.web.settings import WebSettings

log = structlog.get_logger("qh.web")


class Crypto:
    """Fernet for what the server keeps (tokens at rest, the half-done sign-in), and an
    HMAC key for the forms' CSRF tokens, both from one 32-byte key."""

    def __init__(self, key: bytes) -> None:
        self.fernet = Fernet(key)
        self.mac_key = hashlib.sha256(b"qh-web-csrf\0" + key).digest()

    def encrypt(self, value: str) -> str:
        return self.fernet.encrypt(value.encode()).decode()

    def decrypt(self, value: str, ttl: int | None = None) -> str | None:
        try:
            return self.fernet.decrypt(value.encode(), ttl=ttl).decode()
        except (InvalidToken, ValueError):
            return None

    def csrf_token(self, binding: str) -> str:
        return hmac.new(self.mac_key, binding.encode(), hashlib.sha256).hexdigest()


class WebContext(ServiceContext[WebSettings]):
    crypto: Crypto

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from qh.web.render import Renderer
        from qh.web.service_token import ServiceToken
        from qh.web.sessions import SessionStore

        self.renderer = Renderer()
        self.sessions = SessionStore(self)
        self.service_token = ServiceToken(self)

    async def start(self) -> None:
        await super().start()
        self.crypto = Crypto(await self._session_key())

    async def _session_key(self) -> bytes:
        settings = self.settings
        secret = await self.runtime.secrets.get(settings.session_key_secret)
        if secret:
            key = secret.strip().encode()
            try:
                Fernet(key)
            except ValueError:
                # Any other secret works too: it is stretched into a Fernet key.
                key = base64.urlsafe_b64encode(hashlib.sha256(key).digest())
            return key
        if settings.env == "prod":
            raise RuntimeError(
                f"the secret {settings.session_key_secret!r} is missing: the web client "
                "cannot keep sessions without it"
            )
        path = Path(settings.data_dir) / "web-session.key"
        if path.is_file():
            return path.read_bytes().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Fernet.generate_key()
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_bytes().strip()
        with os.fdopen(descriptor, "wb") as file:
            file.write(key)
        log.warning("session_key_generated", path=str(path), secret=settings.session_key_secret)
        return key


__all__ = ["Crypto", "WebContext"]
